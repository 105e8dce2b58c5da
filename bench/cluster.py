#!/usr/bin/env python3
"""The crawl cluster on one replay: a redis-server on loopback, the daemon with its archive writer
(``newsarchive run --broker``), and 1, then 2, ``newsarchive worker`` processes, each in its own
working directory, crawling every replayed site once.

    .venv/bin/python bench/cluster.py [--manifest ../shared/corpus/articles.jsonl] [--workers 1 2]
        [--sites 8] [--concurrency 2] [--delay 0]

Prints per worker count: articles/s (articles / wall time from trigger to the last run's end),
the writer's results saved per second (mean and busiest second), and the ``crawl`` queue's depth
over time. Then the writer alone: ``Archive.save`` of batches of 100 new articles, in process and
through the broker (``RemoteArchive.save`` answered by the writer process), in rows/s.
On one 2-core machine, two workers share the same two cores: the numbers say what a second host
adds only where they are on separate machines.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

from bench.e2e_replay import SHARED, start_replay, stop, write_config  # noqa: E402
from crawler.launcher import parse_event  # noqa: E402

BIN = ROOT / ".venv" / "bin" / "newsarchive"
FAST = """[defaults]
delay = {delay}
autothrottle = false
concurrency = 16
timeout = 10
schedule = "0 0 1 1 *"

[daemon]
crawl_timeout = 1800
grace_period = 10
poll_interval = 0.5
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_redis(workdir: Path) -> tuple[subprocess.Popen, str]:
    binary = shutil.which("redis-server")
    if binary is None:
        raise SystemExit("redis-server is not installed (apt install redis-server)")
    port, password = free_port(), secrets.token_hex(8)
    proc = subprocess.Popen([binary, "--port", str(port), "--bind", "127.0.0.1", "--requirepass", password,
                             "--save", "", "--appendonly", "no", "--dir", str(workdir)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"redis://:{password}@127.0.0.1:{port}/0"
    import redis

    client = redis.Redis.from_url(url)
    for _ in range(100):
        try:
            client.ping()
            return proc, url
        except redis.exceptions.RedisError:
            time.sleep(0.1)
    raise SystemExit("redis-server did not start")


def events(log: Path, name: str) -> list[dict]:
    events = (parse_event(line) for line in log.read_text("utf-8", "replace").splitlines())
    return [e for e in events if e is not None and e["event"] == name]


def spawn(args: list[str], log: Path, cwd: Path) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSARCHIVE_")}
    return subprocess.Popen([str(BIN), *args], cwd=cwd, env=env, stdin=subprocess.DEVNULL,
                            stdout=open(log, "wb"), stderr=subprocess.STDOUT, start_new_session=True)


def end(proc: subprocess.Popen, timeout: float = 60) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


def cluster_crawl(sites: list[dict], broker: str, workers: int, workdir: Path, concurrency: int,
                  delay: float) -> dict:
    import celery
    import redis

    home = workdir / f"workers-{workers}"
    home.mkdir()
    config, db = home / "sites.toml", home / "archive.db"
    write_config(sites, config, FAST.format(delay=delay))
    daemon = spawn(["run", "--config", str(config), "--db", str(db), "--broker", broker], home / "daemon.log", home)
    procs = [daemon]
    try:
        while not events(home / "daemon.log", "writer.start"):
            if daemon.poll() is not None:
                raise SystemExit(f"daemon exited; see {home / 'daemon.log'}")
            time.sleep(0.2)
        app = celery.Celery(broker=broker, backend=broker)
        for i in range(workers):
            folder = home / f"host-{i + 1}"
            folder.mkdir()
            procs.append(spawn(["worker", "--broker", broker, "--name", f"w{i + 1}", "--workdir", str(folder),
                                "--concurrency", str(concurrency)],
                               home / f"w{i + 1}.log", folder))
        while len(app.control.ping(timeout=0.5)) < workers + 1:  # the workers and the writer answer
            time.sleep(0.2)
        started = time.monotonic()
        result = subprocess.run([str(BIN), "trigger", "--config", str(config), "--db", str(db),
                                 *site_names(config)], capture_output=True, text=True)
        if result.returncode != 0:
            raise SystemExit(result.stderr)
        client = redis.Redis.from_url(broker)
        depth: list[tuple[float, int]] = []
        expected = len(site_names(config))
        while True:
            conn = sqlite3.connect(db, timeout=30)
            done = conn.execute("SELECT count(*) FROM crawl_runs WHERE status != 'running'").fetchone()[0]
            conn.close()
            depth.append((time.monotonic() - started, int(client.llen("crawl"))))
            if done >= expected:
                break
            time.sleep(0.5)
        wall = time.monotonic() - started
        conn = sqlite3.connect(db)
        articles = conn.execute("SELECT count(*) FROM articles").fetchone()[0]
        statuses = Counter(r[0] for r in conn.execute("SELECT status FROM crawl_runs"))
        per_worker = Counter(r[0] for r in conn.execute("SELECT worker FROM crawl_runs"))
        conn.close()
    finally:
        for proc in reversed(procs):
            end(proc)
    saves = events(home / "daemon.log", "writer.save")
    by_second = Counter()
    for e in saves:
        by_second[e["ts"]] += e.get("results", 0)
    rows = sum(by_second.values())
    return {"wall": wall, "articles": articles, "statuses": dict(statuses), "per_worker": dict(per_worker),
            "rows": rows, "busiest": max(by_second.values(), default=0), "depth": depth, "batches": len(saves)}


def local_crawl(sites: list[dict], workdir: Path, delay: float) -> dict:
    """The same replay crawled on one machine (``newsarchive crawl``), for reference."""
    home = workdir / "local"
    home.mkdir()
    config, db = home / "sites.toml", home / "archive.db"
    write_config(sites, config, FAST.format(delay=delay))
    started = time.monotonic()
    subprocess.run([str(BIN), "crawl", "--config", str(config), "--db", str(db)], capture_output=True)
    wall = time.monotonic() - started
    conn = sqlite3.connect(db)
    articles = conn.execute("SELECT count(*) FROM articles").fetchone()[0]
    conn.close()
    return {"wall": wall, "articles": articles}


def site_names(config: Path) -> list[str]:
    import tomllib

    return list(tomllib.loads(config.read_text())["sites"])


def synthetic_batches(count: int, size: int, site: str, run_id: int):
    from pipelines.archive import FetchResult

    words = "alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo lima mike".split()
    for b in range(count):
        batch = []
        for i in range(size):
            n = b * size + i
            body = " ".join(words[(n * 7 + k * 3) % len(words)] + str(n) for k in range(400))
            url = f"https://bench.example/{site}/{n}"
            record = {"url": url, "site": site, "title": f"Story {n}", "body": body, "word_count": 400,
                      "content_hash": f"{n:032x}", "fetched_url": url, "published": "2026-11-30T10:00:00Z"}
            batch.append(FetchResult(url=url, site=site, outcome="article", record=record, run_id=run_id,
                                     fetched=True))
        yield batch


def writer_alone(workdir: Path, broker: str, batches: int = 20, size: int = 100) -> dict:
    from crawler.cluster.app import make_app
    from crawler.cluster.remote import RemoteArchive
    from pipelines.archive import Archive

    local_db = workdir / "writer-local.db"
    archive = Archive.open(local_db)
    run_id = archive.start_run("bench", "manual")
    data = list(synthetic_batches(batches, size, "bench", run_id))
    started = time.monotonic()
    for batch in data:
        archive.save(batch)
    local = batches * size / (time.monotonic() - started)
    archive.close()

    remote_db = workdir / "writer-remote.db"
    Archive.open(remote_db).close()
    writer = subprocess.Popen([sys.executable, "-m", "crawler.cluster.writer", "--db", str(remote_db),
                               "--broker", broker], stdout=subprocess.DEVNULL, stderr=open(workdir / "writer.log", "wb"))
    try:
        remote = RemoteArchive(make_app(broker), "bench")
        run_id = remote.start_run("bench2", "manual")
        data = list(synthetic_batches(batches, size, "bench2", run_id))
        started = time.monotonic()
        for batch in data:
            remote.save(batch)
        through = batches * size / (time.monotonic() - started)
        # several crawls sending at once: the writer, not the round trip, is the bound
        from concurrent.futures import ThreadPoolExecutor

        clients = 4
        sets = []
        for c in range(clients):
            client = RemoteArchive(make_app(broker), f"bench-{c}")
            run = client.start_run(f"bench-c{c}", "manual")
            sets.append((client, list(synthetic_batches(batches // 2, size, f"bench-c{c}", run))))
        started = time.monotonic()
        with ThreadPoolExecutor(clients) as pool:
            list(pool.map(lambda pair: [pair[0].save(b) for b in pair[1]], sets))
        parallel = clients * (batches // 2) * size / (time.monotonic() - started)
    finally:
        end(writer)
    return {"local": local, "broker": through, "parallel": parallel, "clients": clients}


def regroup(manifest: Path, sites: int, out: Path) -> Path:
    """The manifest's pages spread over ``sites`` hosts (few sites with many pages each, as in a
    backfill), written beside the run; the page files stay where they are."""
    lines, seen = [], set()
    for i, line in enumerate(l for l in manifest.read_text().splitlines() if l.strip()):
        page = json.loads(line)
        parts = urlsplit(page["url"])
        host = f"site{i % sites}.bench.example"
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        if (host, path) in seen or path in ("", "/"):
            continue
        seen.add((host, path))
        page["url"] = f"https://{host}{path}"
        page["path"] = str((manifest.parent / page["path"]).resolve())
        lines.append(json.dumps(page))
    out.write_text("\n".join(lines) + "\n")
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--manifest", type=Path, default=SHARED / "corpus" / "articles.jsonl")
    parser.add_argument("--port", type=int, default=8840)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--sites", type=int, default=8, help="hosts the manifest's pages are spread over")
    parser.add_argument("--concurrency", type=int, default=2, help="sites each worker crawls at once")
    parser.add_argument("--delay", type=float, default=0.0,
                        help="seconds between requests to one site (0: politeness off, the CPU is the bound; "
                             "1: a polite backfill, the sites are)")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="newsarchive-cluster-"))
    redis_proc, broker = start_redis(workdir)
    manifest = regroup(args.manifest, args.sites, workdir / "manifest.jsonl")
    replay, sites = start_replay(manifest, args.port, workdir, [])
    results = {}
    try:
        for n in args.workers:
            results[n] = cluster_crawl(sites, broker, n, workdir, args.concurrency, args.delay)
        local = local_crawl(sites, workdir, args.delay)
        alone = writer_alone(workdir, broker)
    finally:
        stop(replay)
        redis_proc.terminate()
        redis_proc.wait(10)
    print(f"replay: {len(sites)} sites from {args.manifest.name}; each worker crawls {args.concurrency} "
          f"site(s) at a time, delay {args.delay:g} s; {os.cpu_count()} cores on this machine, shared by all workers")
    print(f"[one machine, newsarchive crawl] {local['articles']} articles in {local['wall']:.1f} s: "
          f"{local['articles'] / local['wall']:.1f} articles/s")
    for n, r in results.items():
        print(f"[{n} worker(s)] {r['articles']} articles in {r['wall']:.1f} s: {r['articles'] / r['wall']:.1f} articles/s; "
              f"runs {r['statuses']} by worker {r['per_worker']}")
        print(f"[{n} worker(s)] writer: {r['rows']} results in {r['batches']} batches, "
              f"{r['rows'] / r['wall']:.1f} rows/s mean, {r['busiest']} in the busiest second")
        step = max(1, len(r["depth"]) // 12)
        print(f"[{n} worker(s)] crawl queue depth (s: tasks): "
              + ", ".join(f"{t:.0f}: {d}" for t, d in r["depth"][::step]))
    print(f"writer alone, batches of 100 new articles: {alone['local']:.0f} rows/s in process, "
          f"{alone['broker']:.0f} rows/s through the broker (one client waiting for each batch), "
          f"{alone['parallel']:.0f} rows/s through the broker with {alone['clients']} clients sending at once")
    return 0


if __name__ == "__main__":
    sys.exit(main())
