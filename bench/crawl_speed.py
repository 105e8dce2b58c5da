#!/usr/bin/env python3
"""Crawl speed: replay a manifest's pages on loopback, crawl them with politeness delays off,
and compare with trafilatura alone on all cores over the same pages, in the same run.

    .venv/bin/python bench/crawl_speed.py [--manifest ../shared/corpus/articles.jsonl]

Prints pages/s of the crawl (pages fetched / wall time), articles/s, the peak RSS of the crawl's
process tree (crawler + extraction workers), and pages/s of bare trafilatura on a process pool.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import gzip
import json
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

from bench.e2e_replay import SHARED, start_replay, stop, write_config  # noqa: E402

FAST = """[defaults]
delay = 0
autothrottle = false
concurrency = 16
timeout = 10
"""


def tree_rss_kb(pid: int) -> int:
    """Resident memory of a process and all its descendants, in kB."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                ppid = int(open(f"/proc/{entry}/stat").read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry))
    total, stack = 0, [pid]
    while stack:
        current = stack.pop()
        try:
            for line in open(f"/proc/{current}/status"):
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            pass
        stack.extend(children.get(current, []))
    return total


def _bare(path: str) -> int:
    import trafilatura

    data = Path(path).read_bytes()
    html = gzip.decompress(data) if path.endswith(".gz") else data
    doc = trafilatura.bare_extraction(html, include_comments=False, with_metadata=True)
    return len(doc.text or "") if doc else 0


def trafilatura_alone(paths: list[str], workers: int) -> float:
    with concurrent.futures.ProcessPoolExecutor(workers) as pool:
        list(pool.map(_bare, paths[:workers]))  # start and import before timing
        started = time.monotonic()
        list(pool.map(_bare, paths, chunksize=4))
    return len(paths) / (time.monotonic() - started)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--manifest", type=Path, default=SHARED / "corpus" / "articles.jsonl")
    parser.add_argument("--port", type=int, default=8820)
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="newsarchive-bench-"))
    replay, sites = start_replay(args.manifest, args.port, workdir, [])
    try:
        config, db = workdir / "sites.toml", workdir / "archive.db"
        write_config(sites, config, FAST)
        started = time.monotonic()
        proc = subprocess.Popen([str(ROOT / ".venv" / "bin" / "newsarchive"), "crawl", "--config", str(config),
                                 "--db", str(db)], stdout=subprocess.DEVNULL,
                                stderr=open(workdir / "crawl.log", "wb"))
        peak = 0
        while proc.poll() is None:
            peak = max(peak, tree_rss_kb(proc.pid))
            time.sleep(0.2)
        wall = time.monotonic() - started
    finally:
        stop(replay)
    conn = sqlite3.connect(db)
    pages, requests = conn.execute("SELECT sum(pages), sum(requests) FROM crawl_runs").fetchone()
    articles = conn.execute("SELECT count(*) FROM articles").fetchone()[0]
    base = args.manifest.parent
    paths = [str(base / json.loads(line)["path"]) for line in args.manifest.read_text().splitlines() if line.strip()]
    workers = os.cpu_count() or 1
    alone = trafilatura_alone(paths, workers)
    print(f"sites {len(sites)}, pages fetched {pages}, requests {requests}, articles {articles}")
    print(f"crawl: {wall:.1f}s wall, {pages / wall:.1f} pages/s, {articles / wall:.1f} articles/s "
          f"(process start and {len(sites) * 3} spider start-ups included)")
    print(f"peak RSS of crawl + workers: {peak / 1024:.0f} MB")
    print(f"trafilatura alone, {workers} processes, same {len(paths)} pages: {alone:.1f} pages/s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
