#!/usr/bin/env python3
"""Recrawl cost and revisions against replayed real sites (generations of replay_site.py).

    .venv/bin/python bench/recrawl_replay.py [--manifest ../shared/corpus/articles.jsonl]

1. generation 0 (half of each site's articles live): first crawl;
2. the same, unchanged: recrawl (should download almost no article in full);
3. generation 1 (more articles, every 5th earlier one edited): crawl again.
Prints the replay server's request counts for each crawl and the revision counts.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys
import tempfile
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from bench.e2e_replay import SHARED, crawl, start_replay, stats, stop, write_config  # noqa: E402
from pipelines.urls import url_key  # noqa: E402

FAST = "[defaults]\ndelay = 0\nautothrottle = false\nconcurrency = 8\ntimeout = 10\n"
EDIT_EVERY = 5


def delta(after: dict, before: dict, key: str) -> int:
    return after.get(key, 0) - before.get(key, 0)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--manifest", type=Path, default=SHARED / "corpus" / "articles.jsonl")
    parser.add_argument("--port", type=int, default=8830)
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="newsarchive-recrawl-"))
    manifest_index = {json.loads(line)["url"]: i for i, line in enumerate(args.manifest.read_text().splitlines())
                      if line.strip()}
    replay, sites = start_replay(args.manifest, args.port, workdir,
                                 ["--initial", "0.5", "--grow", "0.25", "--edit-every", str(EDIT_EVERY)])
    config, db, log = workdir / "sites.toml", workdir / "archive.db", workdir / "crawl.log"
    base = sites[0]["base"]
    try:
        write_config(sites, config, FAST)
        s0 = stats(base)
        crawl(config, db, log)
        s1 = stats(base)
        crawl(config, db, log)
        s2 = stats(base)
        urllib.request.urlopen(urllib.request.Request(base + "__replay/generation?n=1", method="POST"), timeout=10)
        with urllib.request.urlopen(base + "__replay/sites", timeout=10) as response:
            grown = json.load(response)
        crawl(config, db, log)
        s3 = stats(base)
    finally:
        stop(replay)
    conn = sqlite3.connect(db)
    live0 = {u: o for site in sites for u, o in site["original"].items()}
    live1 = {u: o for site in grown for u, o in site["original"].items()}
    edited = {url_key(u) for u, o in live0.items() if manifest_index[o] % EDIT_EVERY == 0}
    aliases = dict(conn.execute("SELECT url_key, article_id FROM url_aliases"))
    revised = {aid for (aid,) in conn.execute("SELECT id FROM articles WHERE revisions > 0")}
    edited_ids = {aliases.get(k) for k in edited} - {None}
    archived_new = sum(1 for u in set(live1) - set(live0) if aliases.get(url_key(u)))
    articles0 = len(live0)
    print(f"sites {len(sites)}; live articles: generation 0 {articles0}, generation 1 {len(live1)}")
    for name, before, after in (("first crawl", s0, s1), ("recrawl, unchanged", s1, s2),
                                ("crawl after edit generation", s2, s3)):
        print(f"{name:28} requests {delta(after, before, 'requests'):5}  article 200 "
              f"{delta(after, before, 'article 200'):4}  article 304 {delta(after, before, 'article 304'):4}")
    full = delta(s2, s1, "article 200")
    print(f"recrawl downloaded in full {full} of {articles0} articles ({100 * full / max(1, articles0):.1f} %)")
    versions = conn.execute("SELECT count(*) FROM article_versions").fetchone()[0]
    per_article = dict(conn.execute("SELECT revisions, count(*) FROM articles GROUP BY revisions"))
    print(f"edited by the replay: {len(edited)}; revised in the archive: {len(revised)} "
          f"(edited and revised: {len(revised & edited_ids)}, revised but not edited: {len(revised - edited_ids)})")
    print(f"article_versions rows: {versions}; articles by revision count: {per_article}")
    print(f"new articles of generation 1 archived: {archived_new} / {len(set(live1) - set(live0))}")
    print(f"workdir: {workdir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
