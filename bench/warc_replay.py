#!/usr/bin/env python3
"""WARC capture and re-extraction against the replayed corpus (``replay_site.py --faults``,
homepage-only sites.toml): a first crawl, a recrawl, a generation with edits, then
``newsarchive reextract``; then kill -9 of crawls at random moments.

    .venv/bin/python bench/warc_replay.py [--port 8840] [--kills 5] [--corrupt 20] [--workdir DIR]

The replay starts with 80 % of each site's articles; its next generation adds the rest and edits
every fifth.

Prints: archived articles without a capture; captures rows that do not read back at their offset
or whose payload digest does not match; WARC bytes per article written by the first crawl and by
the recrawl (revisits); reextract changes on the untouched archive; how many of the corrupted
records reextract restored exactly (and other records it changed); after the kills, files failing
``warcio check`` (an abandoned ``.open`` file checked as the next writer closes it off) and rows
that do not read back; and reextract's pages/s next to trafilatura alone on all cores.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
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

from bench.crawl_speed import trafilatura_alone  # noqa: E402
from bench.e2e_replay import SHARED, start_replay, stop, write_config  # noqa: E402
from pipelines.warc import SUFFIX, payload_digest, read_record, recover  # noqa: E402

DEFAULTS = """[defaults]
delay = 0
autothrottle = false
concurrency = 8
timeout = 5
retries = 0
recheck = ["100000d:0s"]
"""
NEWSARCHIVE = str(ROOT / ".venv" / "bin" / "newsarchive")


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([NEWSARCHIVE, *args], capture_output=True, text=True)


def warc_bytes(folder: Path) -> int:
    return sum(f.stat().st_size for f in folder.iterdir()) if folder.exists() else 0


def unreadable(db: Path, folder: Path) -> int:
    bad = 0
    conn = sqlite3.connect(db)
    for warc, offset, length, digest, revisit in conn.execute(
            "SELECT warc, offset, length, digest, revisit_of FROM captures"):
        try:
            record = read_record(folder, warc, offset, length)
            if record.rec_headers.get_header("WARC-Payload-Digest") != digest:
                bad += 1
            elif revisit is None and record.rec_type == "response" and payload_digest(record.raw_stream.read()) != digest:
                bad += 1
        except Exception:
            bad += 1
    conn.close()
    return bad


def failing_checks(folder: Path) -> int:
    """Files ``warcio check`` refuses; ``.open`` ones are checked as closed off by the next writer."""
    copy = Path(tempfile.mkdtemp(prefix="warc-check-"))
    for path in folder.iterdir():
        shutil.copy2(path, copy / path.name)
    recover(copy)
    bad = sum(subprocess.run([str(ROOT / ".venv" / "bin" / "warcio"), "check", str(p)],
                             capture_output=True).returncode != 0 for p in copy.glob(f"*{SUFFIX}"))
    shutil.rmtree(copy)
    return bad


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--manifest", type=Path, default=SHARED / "corpus" / "articles.jsonl")
    parser.add_argument("--port", type=int, default=8840)
    parser.add_argument("--kills", type=int, default=5)
    parser.add_argument("--corrupt", type=int, default=20)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workdir", type=Path, default=None)
    args = parser.parse_args()
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="newsarchive-warc-"))
    workdir.mkdir(parents=True, exist_ok=True)
    replay, sites = start_replay(args.manifest, args.port, workdir,
                                 ["--faults", "--initial", "0.8", "--grow", "0.2", "--edit-every", "5"])
    db, config, folder = workdir / "archive.db", workdir / "sites.toml", workdir / "warcs"
    out: list[str] = []
    try:
        write_config(sites, config, DEFAULTS)
        first = run("crawl", "--config", str(config), "--db", str(db))
        conn = sqlite3.connect(db)
        articles = conn.execute("SELECT count(*) FROM articles").fetchone()[0]
        no_capture = conn.execute("SELECT count(*) FROM articles a WHERE NOT EXISTS "
                                  "(SELECT 1 FROM captures c WHERE c.article_id = a.id)").fetchone()[0]
        first_bytes = warc_bytes(folder)
        out.append(f"first crawl (exit {first.returncode}): {articles} articles, {no_capture} without a capture, "
                   f"WARC {first_bytes / articles / 1024:.1f} KiB per article")
        recrawl = run("crawl", "--config", str(config), "--db", str(db))
        rows = conn.execute("SELECT count(*), sum(revisit_of IS NOT NULL OR status = 304) FROM captures").fetchone()
        re_bytes = warc_bytes(folder) - first_bytes
        out.append(f"recrawl (exit {recrawl.returncode}): {re_bytes / articles / 1024:.2f} KiB of WARC per article; "
                   f"captures {rows[0]}, of which revisits {rows[1]}")
        urllib.request.urlopen(urllib.request.Request(sites[0]["base"] + "__replay/generation?n=1", method="POST"),
                               timeout=10).read()
        edits = run("crawl", "--config", str(config), "--db", str(db))
        revised = conn.execute("SELECT count(*) FROM articles WHERE revisions > 0").fetchone()[0]
        revised_full = conn.execute(
            "SELECT count(DISTINCT a.id) FROM articles a JOIN captures c ON c.article_id = a.id "
            "WHERE a.revisions > 0 AND c.revisit_of IS NULL AND c.status = 200 GROUP BY NULL").fetchone()
        out.append(f"generation with edits (exit {edits.returncode}): {revised} articles revised "
                   f"({revised_full[0] if revised_full else 0} with a full capture of the edit), "
                   f"{conn.execute('SELECT count(*) FROM articles').fetchone()[0]} articles")
        out.append(f"captures rows that do not read back or whose digest differs: {unreadable(db, folder)}")

        fresh = {row[0]: row[1:] for row in conn.execute("SELECT id, title, body FROM articles")}
        started = time.monotonic()
        again = run("reextract", "--config", str(config), "--db", str(db))
        seconds = time.monotonic() - started
        candidates = conn.execute("SELECT count(DISTINCT article_id) FROM captures WHERE article_id IS NOT NULL"
                                  ).fetchone()[0]
        out.append(f"reextract on the untouched archive: {again.stdout.strip()}")
        rng = random.Random(args.seed)
        victims = rng.sample(sorted(fresh), min(args.corrupt, len(fresh)))
        for article_id in victims:
            conn.execute("UPDATE articles SET title = 'corrupted', body = 'corrupted' WHERE id = ?", [article_id])
        conn.commit()
        restore = run("reextract", "--config", str(config), "--db", str(db))
        after = {row[0]: row[1:] for row in conn.execute("SELECT id, title, body FROM articles")}
        restored = sum(after[i] == fresh[i] for i in victims)
        others = sum(after[i] != fresh[i] for i in fresh if i not in victims)
        out.append(f"corrupted {len(victims)} records: reextract restored {restored} exactly, changed {others} others "
                   f"({restore.stdout.strip()})")
        conn.close()

        paths = [str(args.manifest.parent / json.loads(line)["path"])
                 for line in args.manifest.read_text().splitlines() if line.strip()]
        workers = os.cpu_count() or 1
        alone = trafilatura_alone(paths, workers)
        out.append(f"reextract: {candidates / seconds:.1f} articles/s ({seconds:.1f}s, process start included); "
                   f"trafilatura alone on {workers} processes: {alone:.1f} pages/s; ratio {alone / (candidates / seconds):.2f}x")

        kill_db = workdir / "killed" / "archive.db"
        kill_db.parent.mkdir(exist_ok=True)
        bad_files = bad_rows = 0
        for _ in range(args.kills):
            proc = subprocess.Popen([NEWSARCHIVE, "crawl", "--config", str(config), "--db", str(kill_db)],
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
            time.sleep(rng.uniform(1.0, 15.0))
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            proc.wait()
            bad_files += failing_checks(kill_db.parent / "warcs")
            bad_rows += unreadable(kill_db, kill_db.parent / "warcs")
        out.append(f"kill -9 x{args.kills}: files failing warcio check {bad_files}, captures rows not read back {bad_rows}")
    finally:
        stop(replay)
    print(f"workdir: {workdir}")
    print("\n".join(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
