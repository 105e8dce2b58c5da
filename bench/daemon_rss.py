#!/usr/bin/env python3
"""Daemon memory over many runs: does `newsarchive run` grow as it starts crawl after crawl?

    .venv/bin/python bench/daemon_rss.py [--runs 200] [--sites 2]

Serves a tiny fixture site per site name on loopback (homepage, RSS feed, three articles), runs
the daemon with every site scheduled every second (NEWSARCHIVE_TEST_SECONDS=1) until ``--runs``
crawls have finished, and prints the daemon process's RSS after run 1 and at checkpoints up to the
last run. Only the daemon itself is measured: each crawl is a child process that exits.
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORDS = ("the company said its new platform lets small teams ship software faster while keeping costs "
         "under control engineers spent months testing the system with early customers in several cities "
         "before deciding to open it to everyone analysts expect rivals to respond with cheaper plans and "
         "more generous free tiers over the coming quarters investors backed the round").split()


def article(site: str, number: int) -> str:
    rng = random.Random(f"{site}-{number}")
    paragraphs = [" ".join(rng.choice(WORDS) for _ in range(40)).capitalize() + "." for _ in range(4)]
    paragraphs.insert(1, f"The {site} desk filed report number {number} after a week of interviews.")
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>{site} story {number}</title>"
            f"<meta property='og:type' content='article'></head><body><article><h1>{site} story {number}</h1>"
            f"{body}</article></body></html>")


def site_pages(site: str, articles: int = 3) -> dict[str, tuple[str, bytes]]:
    links = [f"/{site}/2024/03/story-{i}.html" for i in range(articles)]
    pages = {link: ("text/html; charset=utf-8", article(site, i).encode()) for i, link in enumerate(links)}
    items = "".join(f"<li><a href='{link}'>Story {i}</a></li>" for i, link in enumerate(links))
    pages[f"/{site}/"] = ("text/html; charset=utf-8", (
        f"<html><head><link rel='alternate' type='application/rss+xml' href='/{site}/feed.xml'></head>"
        f"<body><ul>{items}</ul></body></html>").encode())
    entries = "".join(f"<item><title>Story {i}</title><link>{link}</link></item>" for i, link in enumerate(links))
    pages[f"/{site}/feed.xml"] = ("application/rss+xml", (
        f"<?xml version='1.0'?><rss version='2.0'><channel><title>{site}</title><link>/</link>"
        f"<description>{site}</description>{entries}</channel></rss>").encode())
    return pages


def serve(pages: dict[str, tuple[str, bytes]]) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def do_GET(self):
            content_type, body = pages.get(self.path, ("text/html", b"<html><body>Not found</body></html>"))
            self.send_response(200 if self.path in pages else 404)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def rss_kb(pid: int) -> tuple[int, int]:
    """(VmRSS, VmHWM) of one process, in kB."""
    values = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, rest = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            values[key] = int(rest.split()[0])
    return values["VmRSS"], values["VmHWM"]


def finished_runs(db: Path) -> tuple[int, dict[str, int]]:
    try:
        conn = sqlite3.connect(db, timeout=30)
        try:
            statuses = dict(conn.execute(
                "SELECT status, count(*) FROM crawl_runs WHERE status != 'running' GROUP BY status").fetchall())
        finally:
            conn.close()
    except sqlite3.OperationalError:  # not created yet
        return 0, {}
    return sum(statuses.values()), statuses


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--sites", type=int, default=2)
    parser.add_argument("--timeout", type=float, default=1800, help="give up after this many seconds")
    args = parser.parse_args()

    names = [f"site{i}" for i in range(args.sites)]
    pages: dict[str, tuple[str, bytes]] = {}
    for name in names:
        pages.update(site_pages(name))
    server = serve(pages)
    port = server.server_address[1]
    with tempfile.TemporaryDirectory(prefix="daemon-rss-") as tmp:
        config, db, log = Path(tmp, "sites.toml"), Path(tmp, "archive.db"), Path(tmp, "daemon.log")
        config.write_text(
            '[defaults]\nschedule = "* * * * * *"\ndelay = 0\nautothrottle = false\ntimeout = 10\n'
            f"\n[daemon]\nmax_parallel = {min(args.sites, os.cpu_count() or 1)}\npoll_interval = 1\n"
            + "".join(f'\n[sites.{n}]\nurl = "http://127.0.0.1:{port}/{n}/"\n' for n in names))
        env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSARCHIVE_")}
        env["NEWSARCHIVE_TEST_SECONDS"] = "1"
        with open(log, "wb") as out:
            daemon = subprocess.Popen([sys.executable, "-m", "crawler.cli", "run", "--config", str(config),
                                       "--db", str(db)], cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
        checkpoints = sorted({1, *range(50, args.runs, 50), args.runs})
        started = time.monotonic()
        print(f"daemon pid {daemon.pid}, {args.sites} sites every second, until {args.runs} runs have finished")
        print(f"{'run':>5} {'rss MB':>8} {'peak MB':>8} {'elapsed s':>10}")
        measured: dict[int, int] = {}
        try:
            while checkpoints:
                if daemon.poll() is not None:
                    print(f"daemon exited with {daemon.returncode}; log:\n{log.read_text()[-3000:]}")
                    return 1
                if time.monotonic() - started > args.timeout:
                    print(f"gave up after {args.timeout:.0f} s")
                    return 1
                done, _ = finished_runs(db)
                while checkpoints and done >= checkpoints[0]:
                    rss, peak = rss_kb(daemon.pid)
                    measured[checkpoints[0]] = rss
                    print(f"{done:>5} {rss / 1024:>8.1f} {peak / 1024:>8.1f} {time.monotonic() - started:>10.1f}",
                          flush=True)
                    checkpoints.pop(0)
                time.sleep(0.2)
        finally:
            daemon.send_signal(signal.SIGTERM)
            daemon.wait(120)
            server.shutdown()
        done, statuses = finished_runs(db)
        first, last = measured[1], measured[args.runs]
        print(f"runs: {done} ({', '.join(f'{k} {v}' for k, v in sorted(statuses.items()))})")
        print(f"daemon RSS: run 1 {first / 1024:.1f} MB, run {args.runs} {last / 1024:.1f} MB "
              f"({(last - first) / 1024:+.1f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
