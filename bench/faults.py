#!/usr/bin/env python3
"""Fault table: crash and bad-state trials of the crawl, the daemon and the archive, as an
operator would cause them, against the replayed corpus. Every number should be 0.

    .venv/bin/python bench/faults.py [--repo .] [--port 8830] [--kills 10] [--sites 60] [--workdir DIR]

``--repo`` runs another checkout's ``newsarchive`` (e.g. an older commit in a git worktree) with
this machine's virtualenv, to print the table as it was before a change. Trials:

- kill -9 of a foreground crawl, ``--kills`` times at random moments: integrity_check failures,
  URLs and body hashes stored twice, rows left ``running`` after the next process opens the
  archive for writing, and articles missing after one clean crawl (against a control crawl).
- kill -9 of the daemon while its crawls run (alone, then with all its children): crawl
  processes still alive 30 s later, and manual triggers that never ran after a restart.
- the crawl's output pipe closed after its first line (``| head -1``): crawl processes alive
  30 s after an undisturbed crawl would have ended.
- a read-only archive file, a write lock held past every retry, an archive from a newer version,
  a SQLite file that is not an archive: tracebacks printed, exit codes 0 (of commands that
  could not do their job), archive files altered.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import random
import re
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

from bench.e2e_replay import SHARED, start_replay  # noqa: E402
from pipelines.ledger import process_alive as alive  # noqa: E402

PYTHON = sys.executable
DAEMON_SITES = 8
PIPE_TRIALS = 3
ALIVE_AFTER = 30.0  # seconds


class Bench:
    def __init__(self, repo: Path, workdir: Path, sites: list[dict]):
        self.repo, self.workdir, self.sites = repo, workdir, sites
        self.names = [site_name(s) for s in sites]
        self.config = workdir / "sites.toml"
        lines = ["[defaults]", "delay = 0", "autothrottle = false", "timeout = 5", "retries = 0", "concurrency = 4",
                 'schedule = "0 0 1 1 *"', "", "[daemon]", "max_parallel = 4", "poll_interval = 0.5",
                 "grace_period = 5", ""]
        for site, name in zip(sites, self.names):
            lines += [f"[sites.{name}]", f'url = "{site["base"]}"', ""]
        self.config.write_text("\n".join(lines))

    def env(self, **extra: str) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSARCHIVE_")}
        env["PYTHONPATH"] = str(self.repo)
        return env | extra

    def command(self, *args: str) -> list[str]:
        return [PYTHON, "-m", "crawler.cli", *args]

    def run(self, db: Path, *args: str, wrap: list[str] = (), **extra: str) -> subprocess.CompletedProcess:
        config = ["--config", str(self.config)] if args[0] != "serve" else []
        return subprocess.run([*wrap, *self.command(*args, *config, "--db", str(db))], cwd=self.repo,
                              env=self.env(**extra), capture_output=True, text=True, timeout=900)

    def popen(self, db: Path, *args: str, **kwargs) -> subprocess.Popen:
        return subprocess.Popen(self.command(*args, "--config", str(self.config), "--db", str(db)), cwd=self.repo,
                                env=self.env(), start_new_session=True, **kwargs)


def site_name(site: dict) -> str:
    return re.sub(r"[^a-z0-9]+", "-", site["host"].lower()).strip("-")


def query(db: Path, sql: str, params: tuple = ()) -> list[tuple]:
    conn = sqlite3.connect(db, timeout=60)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def crawl_pids(db: Path) -> set[int]:
    """Processes whose command line names this archive (crawls and their extraction workers)."""
    pids = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and int(entry.name) != os.getpid():
            try:
                cmdline = (entry / "cmdline").read_bytes()
            except OSError:
                continue
            if str(db).encode() in cmdline and b"crawler" in cmdline:
                pids.add(int(entry.name))
    return pids


def wait_gone(pids: set[int], seconds: float) -> int:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and any(alive(p) for p in pids):
        time.sleep(0.5)
    return sum(1 for p in pids if alive(p))


def reap(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    proc.wait(10)


def open_for_writing(bench: Bench, db: Path) -> None:
    """What the next process that opens the archive does (``newsarchive sites`` opens it)."""
    bench.run(db, "sites")


def digest(db: Path) -> str:
    return hashlib.sha256(db.read_bytes()).hexdigest() if db.exists() else ""


def kill_crawls(bench: Bench, kills: int, seed: int) -> dict[str, int]:
    control = bench.workdir / "control.db"
    started = time.monotonic()
    bench.run(control, "crawl")
    duration = time.monotonic() - started
    wanted = {row[0] for row in query(control, "SELECT url_key FROM url_aliases")}
    db = bench.workdir / "killed.db"
    rng = random.Random(seed)
    integrity = duplicate_urls = duplicate_hashes = left_running = 0
    for _ in range(kills):
        proc = bench.popen(db, "crawl", stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.5, max(1.0, duration * 0.9)))
        reap(proc)
        wait_gone(crawl_pids(db), 10)
        open_for_writing(bench, db)
        left_running += query(db, "SELECT count(*) FROM crawl_runs WHERE status = 'running'")[0][0]
        integrity += query(db, "PRAGMA integrity_check")[0][0] != "ok"
        duplicate_urls += query(db, "SELECT count(*) - count(DISTINCT url) FROM articles")[0][0]
        duplicate_hashes += query(db, "SELECT count(*) - count(DISTINCT content_hash) FROM articles")[0][0]
    bench.run(db, "crawl")
    have = {row[0] for row in query(db, "SELECT url_key FROM url_aliases")}
    return {"integrity_check failures": integrity, "URLs stored twice": duplicate_urls,
            "bodies stored twice": duplicate_hashes, "rows left running after the next open": left_running,
            "articles missing after one clean crawl": len(wanted - have), "_duration": duration}


def create(bench: Bench, db: Path) -> None:
    subprocess.run([PYTHON, "-c", f"from pipelines.archive import Archive; Archive.open({str(db)!r}).close()"],
                   cwd=bench.repo, env=bench.env(), check=True)


def kill_daemon(bench: Bench, with_children: bool) -> dict[str, int]:
    db = bench.workdir / f"daemon-{'all' if with_children else 'alone'}.db"
    create(bench, db)
    names = bench.names[:DAEMON_SITES]
    log = open(bench.workdir / f"{db.stem}.log", "ab")
    daemon = bench.popen(db, "run", stdout=log, stderr=log)
    bench.run(db, "trigger", *names)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not query(db, "SELECT 1 FROM crawl_runs WHERE status = 'running'"):
        time.sleep(0.2)
    children = crawl_pids(db) - {daemon.pid}
    daemon.kill()
    daemon.wait(10)
    if with_children:
        for pid in children:
            try:
                os.killpg(pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
    left = wait_gone(children, ALIVE_AFTER)
    for pid in children:  # not to disturb the next trial
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    daemon = bench.popen(db, "run", stdout=log, stderr=log)

    def unserved() -> int:
        return query(db, "SELECT count(*) FROM crawl_requests r LEFT JOIN crawl_runs c ON c.id = r.run_id "
                         "WHERE c.id IS NULL OR c.status = 'running'")[0][0]

    deadline = time.monotonic() + 180
    while time.monotonic() < deadline and unserved():
        time.sleep(0.5)
    never = unserved()
    daemon.send_signal(signal.SIGTERM)
    try:
        daemon.wait(60)
    except subprocess.TimeoutExpired:
        reap(daemon)
    what = "daemon and all children" if with_children else "daemon"
    return {f"kill -9 of the {what}: crawl processes alive {ALIVE_AFTER:g} s later": left,
            f"kill -9 of the {what}: triggers never run after restart": never}


def closed_pipe(bench: Bench, duration: float) -> dict[str, int]:
    left = 0
    for trial in range(PIPE_TRIALS):
        db = bench.workdir / f"pipe-{trial}.db"
        proc = bench.popen(db, "crawl", *bench.names[:DAEMON_SITES], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        proc.stdout.readline()
        proc.stdout.close()
        try:
            proc.wait(duration + ALIVE_AFTER)
        except subprocess.TimeoutExpired:
            left += 1
        pids = crawl_pids(db)
        left += wait_gone(pids, 1)
        reap(proc)
        for pid in pids:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
    return {f"output pipe closed: crawl processes alive {ALIVE_AFTER:g} s later": left}


def read_only(command: list[str], directory: Path) -> list[str]:
    if os.geteuid() != 0:
        for path in [directory, *directory.iterdir()]:
            path.chmod(0o555 if path.is_dir() else 0o444)
        return command
    script = 'mount --bind "$0" "$0" && mount -o remount,bind,ro "$0" && exec "$@"'
    return ["unshare", "--mount", "sh", "-c", script, str(directory)]


def bad_states(bench: Bench) -> dict[str, int]:
    site = bench.names[0]
    tracebacks = zero_exits = altered = 0

    def trial(db: Path, commands: list[tuple[str, ...]], wrap: list[str] = (), should_work: tuple = (),
              **extra: str) -> None:
        nonlocal tracebacks, zero_exits, altered
        before = digest(db)
        for args in commands:
            if args[0] == "serve":
                continue
            result = bench.run(db, *args, wrap=list(wrap), **extra)
            tracebacks += "Traceback" in result.stderr
            zero_exits += result.returncode == 0 and args not in should_work
        altered += digest(db) != before

    def fresh(name: str) -> Path:
        folder = bench.workdir / name
        folder.mkdir(exist_ok=True)
        db = folder / "archive.db"
        bench.run(db, "crawl", site)
        return db

    db = fresh("read-only")
    trial(db, [("crawl", site), ("trigger", site), ("sites",)], wrap=read_only([], db.parent),
          should_work=(("sites",),))
    for path in [db.parent, *db.parent.iterdir()]:
        path.chmod(0o755 if path.is_dir() else 0o644)

    db = fresh("locked")
    # the lock is held by a process of its own: reading the file here (for its digest) would drop
    # this process's POSIX locks on it
    holder = subprocess.Popen([PYTHON, "-c", "import sqlite3, sys; c = sqlite3.connect(sys.argv[1], isolation_level=None); "
                               "c.execute('BEGIN IMMEDIATE'); print('held', flush=True); sys.stdin.read()", str(db)],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    holder.stdout.readline()
    trial(db, [("crawl", site), ("trigger", site)], NEWSARCHIVE_BUSY_TIMEOUT="1")
    holder.stdin.close()
    holder.wait(30)

    db = fresh("newer")
    conn = sqlite3.connect(db, isolation_level=None)
    columns = [row[1] for row in conn.execute("PRAGMA table_info(_migrations)")]
    conn.execute(f"INSERT INTO _migrations ({', '.join(columns[:2])}) VALUES ('m999_future', '2030-01-01')")
    conn.execute("PRAGMA user_version = 999")
    conn.close()
    trial(db, [("crawl", site), ("trigger", site), ("sites",)])

    folder = bench.workdir / "foreign"
    folder.mkdir(exist_ok=True)
    db = folder / "archive.db"
    conn = sqlite3.connect(db)
    conn.execute("CREATE TABLE recipes (name TEXT)")
    conn.execute("INSERT INTO recipes VALUES ('soup')")
    conn.commit()
    conn.close()
    trial(db, [("crawl", site), ("trigger", site), ("sites",)])
    return {"bad archives (read-only, locked, newer, foreign): tracebacks printed": tracebacks,
            "bad archives: exit codes 0": zero_exits, "bad archives: files altered": altered}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repo", type=Path, default=ROOT, help="checkout whose newsarchive is tried")
    parser.add_argument("--manifest", type=Path, default=SHARED / "corpus" / "articles.jsonl")
    parser.add_argument("--port", type=int, default=8830)
    parser.add_argument("--kills", type=int, default=10)
    parser.add_argument("--sites", type=int, default=60, help="sites of the replay to crawl (0: all)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workdir", type=Path, default=None)
    args = parser.parse_args()
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="newsarchive-faults-"))
    workdir.mkdir(parents=True, exist_ok=True)
    replay, sites = start_replay(args.manifest, args.port, workdir, ["--faults"])
    sites = sites[:args.sites] if args.sites else sites
    bench = Bench(args.repo.resolve(), workdir, sites)
    print(f"repo: {bench.repo}  sites: {len(sites)}  kills: {args.kills}  workdir: {workdir}", flush=True)
    table: dict[str, int] = {}

    def show(rows: dict[str, int]) -> None:
        for name, value in rows.items():
            print(f"{name.ljust(72)}  {value}", flush=True)
        table.update(rows)

    try:
        rows = kill_crawls(bench, args.kills, args.seed)
        duration = rows.pop("_duration")
        show(rows)
        show(kill_daemon(bench, with_children=False))
        show(kill_daemon(bench, with_children=True))
        show(closed_pipe(bench, duration))
        show(bad_states(bench))
    finally:
        replay.kill()
        replay.wait(10)
    return 0 if not any(table.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
