#!/usr/bin/env python3
"""Crawl speed: replay a manifest's pages on loopback, crawl them with politeness delays off,
and compare with trafilatura alone on all cores over the same pages, in the same run.

    .venv/bin/python bench/crawl_speed.py [--manifest ../shared/corpus/articles.jsonl]

Prints pages/s of the crawl (pages fetched / wall time), articles/s, the peak RSS of the crawl's
process tree (crawler + extraction workers), and pages/s of bare trafilatura on a process pool;
with ``--capture both`` (the default) once without and once with WARC capture, and what capture
costs.
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


def timed_crawl(sites: list[dict], workdir: Path, name: str, extra: str = "") -> dict:
    """One crawl into a fresh archive; its wall time, counts, peak RSS and WARC bytes."""
    folder = workdir / name
    folder.mkdir()
    config, db = folder / "sites.toml", folder / "archive.db"
    write_config(sites, config, FAST + extra)
    started = time.monotonic()
    proc = subprocess.Popen([str(ROOT / ".venv" / "bin" / "newsarchive"), "crawl", "--config", str(config),
                             "--db", str(db)], stdout=subprocess.DEVNULL, stderr=open(folder / "crawl.log", "wb"))
    peak = 0
    while proc.poll() is None:
        peak = max(peak, tree_rss_kb(proc.pid))
        time.sleep(0.2)
    wall = time.monotonic() - started
    conn = sqlite3.connect(db)
    pages, requests = conn.execute("SELECT sum(pages), sum(requests) FROM crawl_runs").fetchone()
    articles = conn.execute("SELECT count(*) FROM articles").fetchone()[0]
    conn.close()
    warc_bytes = sum(f.stat().st_size for f in (folder / "warcs").glob("*")) if (folder / "warcs").exists() else 0
    return {"wall": wall, "pages": pages, "requests": requests, "articles": articles, "peak": peak,
            "warc_bytes": warc_bytes}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--manifest", type=Path, default=SHARED / "corpus" / "articles.jsonl")
    parser.add_argument("--port", type=int, default=8820)
    parser.add_argument("--capture", choices=("both", "on", "off"), default="both",
                        help="crawl with WARC capture, without, or both (to print its cost)")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="newsarchive-bench-"))
    replay, sites = start_replay(args.manifest, args.port, workdir, [])
    runs = {}
    try:
        for mode in (("off", "on") if args.capture == "both" else (args.capture,)):
            runs[mode] = timed_crawl(sites, workdir, f"capture-{mode}",
                                     "" if mode == "on" else "\n[warc]\nenabled = false\n")
    finally:
        stop(replay)
    base = args.manifest.parent
    paths = [str(base / json.loads(line)["path"]) for line in args.manifest.read_text().splitlines() if line.strip()]
    workers = os.cpu_count() or 1
    alone = trafilatura_alone(paths, workers)
    for mode, r in runs.items():
        print(f"[capture {mode}] sites {len(sites)}, pages fetched {r['pages']}, requests {r['requests']}, "
              f"articles {r['articles']}")
        print(f"[capture {mode}] crawl: {r['wall']:.1f}s wall, {r['pages'] / r['wall']:.1f} pages/s, "
              f"{r['articles'] / r['wall']:.1f} articles/s (process start and {len(sites) * 3} spider start-ups "
              f"included); peak RSS of crawl + workers: {r['peak'] / 1024:.0f} MB; WARC {r['warc_bytes'] / 1e6:.1f} MB")
    if len(runs) == 2:
        ratio = (runs["on"]["pages"] / runs["on"]["wall"]) / (runs["off"]["pages"] / runs["off"]["wall"])
        print(f"capture costs {100 * (1 - ratio):.1f} % of crawl throughput (pages/s with / without = {ratio:.3f})")
    print(f"trafilatura alone, {workers} processes, same {len(paths)} pages: {alone:.1f} pages/s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
