#!/usr/bin/env python3
"""End-to-end check against real pages: replay a manifest as live sites, crawl them with a
sites.toml that names only each homepage, and print what a user would check.

    .venv/bin/python bench/e2e_replay.py [--manifest ../shared/corpus/articles.jsonl] [--port 8810]

Prints: articles archived / expected, URLs archived more than once, robots-disallowed fetches,
hostile URLs not recorded, body F1 / title / date accuracy against the corpus ground truth, wall
time, and the row count after a second identical crawl.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

from bench.quality import body_scores, same_day, same_title, shingle_match  # noqa: E402
from pipelines.urls import url_key  # noqa: E402

SHARED = Path(os.environ.get("NEWSARCHIVE_SHARED", ROOT.parent / "shared"))
HOSTILE = ["bomb", "huge", "binary", "loop", "stall", "latin1-declared-utf8", "no-charset-cp1252", "empty",
           "missing", "error", "not-html.pdf"]


def start_replay(manifest: Path, port: int, workdir: Path, extra: list[str]) -> tuple[subprocess.Popen, list]:
    sites_out = workdir / "sites.json"
    proc = subprocess.Popen(
        [sys.executable, str(SHARED / "tools" / "replay_site.py"), str(manifest), "--port", str(port),
         "--sites-out", str(sites_out), *extra],
        stdout=subprocess.DEVNULL, stderr=open(workdir / "replay.log", "wb"))
    deadline = time.monotonic() + 60
    while not sites_out.exists():
        if proc.poll() is not None or time.monotonic() > deadline:
            raise SystemExit(f"replay server did not start; see {workdir / 'replay.log'}")
        time.sleep(0.1)
    return proc, json.loads(sites_out.read_text())


def stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(5)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def write_config(sites: list[dict], path: Path, defaults: str = "") -> None:
    lines = [defaults] if defaults else []
    for site in sites:
        name = re.sub(r"[^a-z0-9]+", "-", site["host"].lower()).strip("-")
        lines.append(f'[sites.{name}]\nurl = "{site["base"]}"\n')
    path.write_text("\n".join(lines))


def crawl(config: Path, db: Path, log: Path) -> float:
    started = time.monotonic()
    with open(log, "ab") as out:
        code = subprocess.call([str(ROOT / ".venv" / "bin" / "newsarchive"), "crawl", "--config", str(config),
                                "--db", str(db)], stdout=out, stderr=out)
    if code != 0:
        raise SystemExit(f"crawl exited {code}; see {log}")
    return time.monotonic() - started


def stats(base: str) -> dict:
    with urllib.request.urlopen(base + "__replay/stats", timeout=10) as response:
        return json.load(response)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--manifest", type=Path, default=SHARED / "corpus" / "articles.jsonl")
    parser.add_argument("--port", type=int, default=8810)
    parser.add_argument("--workdir", type=Path, default=None)
    args = parser.parse_args()
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="newsarchive-e2e-"))
    workdir.mkdir(parents=True, exist_ok=True)
    db, config, log = workdir / "archive.db", workdir / "sites.toml", workdir / "crawl.log"
    for stale in workdir.glob("archive.db*"):
        if stale.is_file():
            stale.unlink()
    replay, sites = start_replay(args.manifest, args.port, workdir, ["--faults", "--flaky", "7"])
    try:
        write_config(sites, config)
        wall = crawl(config, db, log)
        first_stats = stats(sites[0]["base"])
        conn = sqlite3.connect(db)
        rows_after_first = conn.execute("SELECT count(*) FROM articles").fetchone()[0]
        aliases = dict(conn.execute("SELECT url_key, article_id FROM url_aliases"))
        live = {url: original for site in sites for url, original in site["original"].items()}
        found = {url: aliases.get(url_key(url)) for url in live}
        missing = [u for u, a in found.items() if a is None]
        ids = [a for a in found.values() if a is not None]
        shared_ids = len(ids) - len(set(ids))
        failed = {u for (u,) in conn.execute("SELECT url FROM failed_urls")}
        unrecorded = [f"{s['base']}nasty/{n}" for s in sites for n in HOSTILE
                      if not any(u.startswith(f"{s['base']}nasty/{n}") or (n == "loop" and
                                 u.startswith(f"{s['base']}nasty/loop")) for u in failed)]
        private_fetched = first_stats.get("robots-disallowed fetched", 0)
        articles_json = json.loads((SHARED / "corpus" / "articles" / "news_articles.json").read_text())
        truth = {a["link"]: a for a in articles_json}
        pairs, titles, dates = [], [], []
        for url, article_id in found.items():
            gt = truth.get(live[url])
            if gt is None or article_id is None:
                continue
            title, body, published = conn.execute(
                "SELECT title, body, published FROM articles WHERE id = ?", [article_id]).fetchone()
            pairs.append(shingle_match(gt["text"] or "", body or ""))
            titles.append(same_title(gt["title"] or "", title))
            dates.append(same_day(gt.get("date") or "", published))
        precision, recall, f1 = body_scores(pairs)
        wall2 = crawl(config, db, log)
        rows_after_second = conn.execute("SELECT count(*) FROM articles").fetchone()[0]
        second_stats = stats(sites[0]["base"])
    finally:
        stop(replay)
    print(f"sites: {len(sites)}  live articles: {len(live)}  workdir: {workdir}")
    print(f"archived: {len(live) - len(missing)} / {len(live)} live articles; article rows: {rows_after_first}")
    print(f"live URLs sharing one row (same story twice in the corpus): {shared_ids}")
    if missing:
        print("  not archived:", *missing[:10], sep="\n    ")
    print(f"robots-disallowed (/private/) fetches: {private_fetched}")
    print(f"hostile URLs not recorded as error/skip: {len(unrecorded)}", *unrecorded[:5], sep="\n    ")
    print(f"body precision {precision:.3f}  recall {recall:.3f}  F1 {f1:.3f}  (over {len(pairs)} pages)")
    print(f"title exact: {sum(titles) / max(1, len(titles)):.3f}  date right (±1 day): "
          f"{sum(dates) / max(1, len(dates)):.3f}")
    print(f"wall time: first crawl {wall:.1f}s, second crawl {wall2:.1f}s")
    print(f"requests: first crawl {first_stats.get('requests')}, second crawl "
          f"{second_stats.get('requests', 0) - first_stats.get('requests', 0)}; article 200s in second: "
          f"{second_stats.get('article 200', 0) - first_stats.get('article 200', 0)}")
    print(f"article rows after second crawl: {rows_after_second} (first: {rows_after_first})")
    return 0 if not missing and rows_after_first == rows_after_second and not unrecorded else 1


if __name__ == "__main__":
    sys.exit(main())
