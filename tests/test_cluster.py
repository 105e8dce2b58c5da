"""The crawl cluster (`newsarchive run --broker`, `newsarchive worker`), with a real redis-server on
loopback, the real daemon and real Celery workers as processes, each worker in its own working
directory with no path to the archive. Skipped, with the reason, where redis-server or the
cluster extra (Celery, redis-py) is not installed.
"""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from crawler.launcher import parse_event

from fixture_sites import newsarchive, wait_for
from test_scheduler import Site, rows, runs, write_config

REDIS = shutil.which("redis-server")
try:
    import celery  # noqa: F401
    import redis  # noqa: F401
except ImportError:
    CLUSTER_EXTRA = False
else:
    CLUSTER_EXTRA = True

pytestmark = [
    pytest.mark.skipif(REDIS is None, reason="redis-server is not installed (apt install redis-server)"),
    pytest.mark.skipif(not CLUSTER_EXTRA, reason="the cluster extra is not installed (pip install -e '.[cluster]')"),
]

VISIBILITY = 20.0  # seconds before a dead worker's task goes to another worker
LOCK_TTL = 3.0
CLUSTER_ENV = {"NEWSARCHIVE_VISIBILITY_TIMEOUT": str(VISIBILITY), "NEWSARCHIVE_SITE_LOCK_TTL": str(LOCK_TTL),
               "NEWSARCHIVE_TEST_SECONDS": "1"}
DAEMON = {"crawl_timeout": 12, "grace_period": 3, "poll_interval": 0.5}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def broker(tmp_path):
    """A redis-server on 127.0.0.1 with a password, nothing persisted; its URL."""
    port, password = free_port(), secrets.token_hex(8)
    proc = subprocess.Popen([REDIS, "--port", str(port), "--bind", "127.0.0.1", "--requirepass", password,
                             "--save", "", "--appendonly", "no", "--dir", str(tmp_path)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"redis://:{password}@127.0.0.1:{port}/0"
    client = redis.Redis.from_url(url)

    def up() -> bool:
        try:
            return bool(client.ping())
        except redis.exceptions.RedisError:
            return False

    assert wait_for(up, 10), "redis-server did not start"
    yield url
    proc.terminate()
    proc.wait(10)


def tree(pid: int) -> list[int]:
    """``pid`` and all its descendants (read from /proc)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            children.setdefault(int(stat[1]), []).append(int(entry))
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        todo.extend(children.get(current, []))
    return found


def open_files(pids: list[int]) -> set[str]:
    files = set()
    for pid in pids:
        try:
            for fd in os.listdir(f"/proc/{pid}/fd"):
                try:
                    files.add(os.readlink(f"/proc/{pid}/fd/{fd}"))
                except OSError:
                    pass
        except OSError:
            pass
    return files


class Proc:
    """A cluster process (daemon or worker) with its log in a file."""

    def __init__(self, args: list[str], log: Path, cwd: Path, env: dict[str, str]):
        self.log_path = log
        full = {k: v for k, v in os.environ.items() if not k.startswith("NEWSARCHIVE_")} | env
        with open(log, "wb") as out:
            self.proc = subprocess.Popen([sys.executable, "-m", "crawler.cli", *args], cwd=cwd, env=full,
                                         stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                                         start_new_session=True)

    def log(self) -> str:
        return self.log_path.read_text("utf-8", "replace")

    def events(self, name: str) -> list[dict[str, Any]]:
        events = (parse_event(line) for line in self.log().splitlines())
        return [e for e in events if e is not None and e["event"] == name]

    def stop(self, timeout: float = 40) -> int | None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            for pid in tree(self.proc.pid):
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            return self.proc.wait(10)

    def kill_tree(self) -> None:
        """kill -9 of the process and everything it started: the host is gone."""
        for pid in tree(self.proc.pid):
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self.proc.wait(10)


@pytest.fixture
def cluster(tmp_path, servers, broker):
    """8 fixture sites, an archive host (daemon + writer) and a way to start workers."""
    server = servers.new()
    sites = {f"s{i}": Site(server, f"s{i}", articles=3) for i in range(8)}
    home = tmp_path / "archive-host"
    home.mkdir()
    config = write_config(home / "sites.toml", {n: {"url": s.url} for n, s in sites.items()}, DAEMON)
    db = home / "archive.db"
    procs: list[Proc] = []

    class Cluster:
        def __init__(self):
            self.sites, self.db, self.config, self.broker = sites, db, config, broker
            self.daemon = Proc(["run", "--config", str(config), "--db", str(db), "--broker", broker],
                               tmp_path / "daemon.log", home, CLUSTER_ENV)
            procs.append(self.daemon)
            assert wait_for(lambda: self.daemon.events("writer.start") or self.daemon.proc.poll() is not None, 30)
            assert self.daemon.proc.poll() is None, self.daemon.log()

        def worker(self, name: str, concurrency: int = 1) -> Proc:
            workdir = tmp_path / f"host-{name}"
            workdir.mkdir()
            proc = Proc(["worker", "--broker", broker, "--name", name, "--concurrency", str(concurrency),
                         "--workdir", str(workdir)], tmp_path / f"{name}.log", workdir, CLUSTER_ENV)
            procs.append(proc)
            app = celery.Celery(broker=broker, backend=broker)
            assert wait_for(lambda: any(f"crawl@{name}" in r for r in app.control.ping(timeout=0.5))
                            or proc.proc.poll() is not None, 30), proc.log()
            assert proc.proc.poll() is None, proc.log()
            return proc

        def trigger(self, *names: str) -> None:
            result = newsarchive("trigger", *names, "--config", str(config), "--db", str(db), env=CLUSTER_ENV)
            assert result.returncode == 0, result.stderr

        def finished(self, count: int, timeout: float = 120) -> list[dict[str, Any]]:
            """Wait until ``count`` runs have ended and the daemon has settled each (its run.end)."""
            assert wait_for(lambda: len([r for r in runs(db) if r["status"] != "running"]) >= count
                            and len(self.daemon.events("run.end")) >= count, timeout, 0.2), self.logs()
            return runs(db)

        def logs(self) -> str:
            return "\n".join(f"--- {p.log_path.name}\n{p.log()[-3000:]}" for p in procs)

    yield Cluster()
    for proc in reversed(procs):
        proc.stop()


def articles(db: Path) -> list[dict[str, Any]]:
    return rows(db, "SELECT id, site, url FROM articles ORDER BY id")


def integrity(db: Path) -> str:
    conn = sqlite3.connect(db)
    try:
        return conn.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        conn.close()


def test_two_workers_crawl_every_site_once_and_never_open_the_archive(cluster):
    workers = [cluster.worker("w1"), cluster.worker("w2")]
    for site in cluster.sites.values():  # every crawl waits on its last article until the test looks
        site.hold(site.articles[-1])
    seen: set[str] = set()
    watching = threading.Event()

    def watch() -> None:
        while not watching.is_set():
            for worker in workers:
                seen.update(open_files(tree(worker.proc.pid)))
            time.sleep(0.05)

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    cluster.trigger(*cluster.sites)
    # both workers are crawling at once (one site each), each crawl process alive under its worker
    assert wait_for(lambda: sum(s.waiting for s in cluster.sites.values()) >= 2, 60), cluster.logs()
    for site in cluster.sites.values():
        site.release()
    done = cluster.finished(8)
    watching.set()
    watcher.join(5)

    assert sorted(r["site"] for r in done) == sorted(cluster.sites), done
    assert {r["status"] for r in done} == {"ok"}, done
    assert {r["worker"] for r in done} == {"w1", "w2"}, done  # each run names the host that ran it
    assert all(r["pid"] is None for r in done)
    stored = articles(cluster.db)
    assert len(stored) == 8 * 3 and len({a["url"] for a in stored}) == len(stored)
    for name, site in cluster.sites.items():
        assert len([a for a in stored if a["site"] == name]) == 3
        assert sum(r["new_articles"] for r in done if r["site"] == name) == 3
    archive_files = {str(cluster.db), f"{cluster.db}-wal", f"{cluster.db}-shm"}
    assert seen, "no open files were seen in the worker processes"
    assert not archive_files & seen, sorted(archive_files & seen)
    assert not any(str(cluster.db.parent) in f for f in seen), sorted(f for f in seen if str(cluster.db.parent) in f)
    assert integrity(cluster.db) == "ok"
    # each page as fetched is in a WARC file on the host that fetched it, named after that host
    from pipelines.warc import read_record

    ran_on = {r["site"]: r["worker"] for r in done}
    captured = rows(cluster.db, "SELECT c.*, a.site FROM captures c JOIN articles a ON a.id = c.article_id")
    assert len(captured) == len(stored)
    for capture in captured:
        host = ran_on[capture["site"]]
        assert capture["warc"].startswith(f"newsarchive-{host}-"), capture
        record = read_record(cluster.db.parent.parent / f"host-{host}" / "warcs", capture["warc"], capture["offset"],
                             capture["length"])
        assert record.rec_headers.get_header("WARC-Target-URI") == capture["url"]
    listing = newsarchive("sites", "--config", str(cluster.config), "--db", str(cluster.db), env=CLUSTER_ENV)
    assert listing.returncode == 0 and "WORKER" in listing.stdout.splitlines()[0], listing
    for line in listing.stdout.splitlines()[1:9]:
        assert line.split()[-1] == ran_on[line.split()[0]], line


def test_a_site_never_crawls_on_two_workers_at_once(cluster):
    from crawler.cluster.dispatch import Dispatcher

    cluster.worker("w1")
    cluster.worker("w2")
    site = cluster.sites["s0"]
    site.hold(site.articles[-1])
    dispatch = Dispatcher(cluster.broker)
    text = cluster.config.read_text()
    first = dispatch.submit("s0", "manual", text, 12, 3)
    assert wait_for(lambda: site.waiting >= 1, 60), cluster.logs()
    second = dispatch.submit("s0", "manual", text, 12, 3)  # as a second daemon would
    ended: dict[str, Any] = {}

    def second_ended() -> bool:
        ended["second"] = dispatch.poll(second)
        return ended["second"] is not None

    assert wait_for(second_ended, 60), cluster.logs()
    assert ended["second"].result["busy"] and not ended["second"].result["run_id"], ended
    assert site.waiting == 1  # the first crawl still holds its page: the second never fetched it
    site.release()
    assert wait_for(lambda: dispatch.poll(first) is not None, 60), cluster.logs()
    stored = articles(cluster.db)
    assert len(stored) == 3
    site_runs = runs(cluster.db, "s0")
    assert len(site_runs) == 1 and site_runs[0]["status"] == "ok", site_runs


def test_a_killed_worker_s_site_is_crawled_again_by_the_other(cluster):
    w1 = cluster.worker("w1")
    site = cluster.sites["s3"]
    site.hold(site.articles[-1])
    cluster.trigger("s3")
    assert wait_for(lambda: site.waiting >= 1, 60), cluster.logs()  # w1 is in the middle of the crawl
    partial = len(articles(cluster.db))
    w1.kill_tree()
    # the daemon sees the site's lock expire and settles the dead host's run, before any re-crawl
    assert wait_for(lambda: runs(cluster.db, "s3")[0]["status"] == "failed", LOCK_TTL + 15, 0.2), cluster.logs()
    w2 = cluster.worker("w2")
    site.release()
    assert wait_for(lambda: any(r["status"] == "ok" for r in runs(cluster.db, "s3")), VISIBILITY + 60, 0.2), \
        cluster.logs()
    site_runs = runs(cluster.db, "s3")
    assert [r["worker"] for r in site_runs] == ["w1", "w2"], site_runs
    assert site_runs[0]["status"] == "failed" and "w1" in site_runs[0]["message"], site_runs
    stored = articles(cluster.db)
    assert partial < 3 and len(stored) == 3 and len({a["url"] for a in stored}) == 3
    assert integrity(cluster.db) == "ok"
    assert w2.proc.poll() is None


def test_a_stopping_daemon_stops_the_crawls_on_workers(cluster):
    worker = cluster.worker("w1")
    site = cluster.sites["s2"]
    site.hold(site.articles[-1])
    cluster.trigger("s2")
    assert wait_for(lambda: site.waiting >= 1, 60), cluster.logs()
    started = time.monotonic()
    assert cluster.daemon.stop(60) == 0, cluster.logs()
    # grace (3 s), then the stop mark, then the crawl's own clean stop: well before the crawl timeout
    assert time.monotonic() - started < DAEMON["crawl_timeout"] + 10
    site.release()
    run = runs(cluster.db, "s2")
    assert [r["status"] for r in run] == ["interrupted"] and run[0]["worker"] == "w1", run
    assert worker.proc.poll() is None  # the worker goes on serving the queue
    assert not [e for e in cluster.daemon.events("run.abandoned")]


def test_an_archive_writer_that_dies_is_started_again(cluster):
    cluster.worker("w1")
    first = cluster.daemon.events("writer.spawned")[0]["pid"]
    os.kill(first, signal.SIGKILL)
    assert wait_for(lambda: len(cluster.daemon.events("writer.spawned")) >= 2, 30), cluster.logs()
    assert wait_for(lambda: len(cluster.daemon.events("writer.start")) >= 2, 30), cluster.logs()
    cluster.trigger("s5")
    done = cluster.finished(1)
    assert [r["status"] for r in done] == ["ok"] and len(articles(cluster.db)) == 3, done
    assert cluster.daemon.events("writer.died")


def test_a_batch_delivered_twice_changes_nothing(cluster):
    """The same batch saved twice through the broker (an ack lost after the write) is written once."""
    from crawler.cluster.app import make_app
    from crawler.cluster.remote import RemoteArchive
    from pipelines.archive import FetchResult

    remote = RemoteArchive(make_app(cluster.broker), "test-host")
    run_id = remote.start_run("s1", "manual")
    record = {"url": "https://example.org/a", "site": "s1", "title": "A", "body": "word " * 80,
              "word_count": 80, "content_hash": "h" * 16, "fetched_url": "https://example.org/a"}
    batch = [FetchResult(url="https://example.org/a", site="s1", outcome="article", record=record, run_id=run_id,
                         fetched=True),
             FetchResult(url="https://example.org/b", site="s1", outcome="error", reason="http-500", run_id=run_id,
                         fetched=True)]
    first = remote.save(batch, fetched={run_id: {"requests": 2, "pages": 2}}, batch_id="batch-1")
    tables = ("articles", "url_aliases", "failed_urls", "fetch_state", "article_versions")
    before = {t: rows(cluster.db, f"SELECT * FROM {t}") for t in tables} | {"run": runs(cluster.db, "s1")}
    again = remote.save(batch, fetched={run_id: {"requests": 2, "pages": 2}}, batch_id="batch-1")
    after = {t: rows(cluster.db, f"SELECT * FROM {t}") for t in tables} | {"run": runs(cluster.db, "s1")}
    assert first.outcomes == ["new", "error"] and not first.repeated
    assert again.outcomes == first.outcomes and again.repeated
    assert after == before
    assert before["run"][0]["new_articles"] == 1 and before["run"][0]["errors"] == 1


def test_bad_broker_is_one_line(tmp_path):
    config = write_config(tmp_path / "sites.toml", {"a": {"url": "http://127.0.0.1:9/"}}, DAEMON)
    result = newsarchive("worker", "--broker", "http://127.0.0.1:1/", "--workdir", str(tmp_path / "w"))
    assert result.returncode == 1 and result.stderr.count("\n") == 1 and "not a broker URL" in result.stderr
    port = free_port()
    result = newsarchive("worker", "--broker", f"redis://127.0.0.1:{port}/0", "--workdir", str(tmp_path / "w"))
    assert result.returncode == 1 and result.stderr.count("\n") == 1 and "Traceback" not in result.stderr, result.stderr
    result = newsarchive("run", "--config", str(config), "--db", str(tmp_path / "a.db"),
                         "--broker", f"redis://127.0.0.1:{port}/0", timeout=60)
    assert result.returncode == 1 and result.stderr.count("\n") == 1 and "Traceback" not in result.stderr, result.stderr
