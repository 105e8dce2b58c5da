"""Crash and bad-state hardening, tried as an operator would: processes killed with -9, a closed
output pipe, signals, a locked, read-only, newer, damaged or foreign archive. Nothing hangs,
nothing is lost, and every failure is one clear line with a non-zero exit."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from fixture_sites import REPO, newsarchive, wait_for
from pipelines.ledger import process_alive
from test_scheduler import SECONDS, finished, rows, runs, world  # noqa: F401  (world is a fixture)


def env(**extra: str) -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("NEWSARCHIVE_")} | SECONDS | extra


def crawl_process(world, *sites: str, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, **extra) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "crawler.cli", "crawl", *sites, "--config", str(world.config),
                             "--db", str(world.db)], cwd=REPO, env=env(**extra), stdout=stdout, stderr=stderr,
                            start_new_session=True)


def file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_crawl_whose_output_pipe_is_closed_finishes_its_run_and_exits(world):
    world.configure(names=("alpha",))
    crawl = crawl_process(world, "alpha", stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    crawl.stdout.readline()  # like `| head -1`: read one line, then hang up
    crawl.stdout.close()
    assert crawl.wait(60) == 0
    assert [r["status"] for r in runs(world.db, "alpha")] == ["ok"]
    assert len(rows(world.db, "SELECT id FROM articles")) == 3


@pytest.mark.parametrize("signum, code", [(signal.SIGTERM, 143), (signal.SIGINT, 130)])
def test_a_signalled_foreground_crawl_stops_cleanly_with_the_signals_exit_code(world, signum, code):
    alpha = world.sites["alpha"]
    world.configure(names=("alpha",))
    alpha.hold(alpha.articles[-1])
    log = world.db.parent / "crawl.log"
    with open(log, "wb") as stderr:
        crawl = crawl_process(world, "alpha", stdout=subprocess.PIPE, stderr=stderr)
    assert wait_for(lambda: alpha.waiting, 30)
    crawl.send_signal(signum)
    # once the crawl is stopping, the held page is answered: a clean stop waits for the page in flight
    assert wait_for(lambda: b'"crawl.stopping"' in log.read_bytes(), 30), log.read_text()
    alpha.release()
    out, _ = crawl.communicate(timeout=60)
    err = log.read_bytes()
    assert crawl.returncode == code, err
    assert b"Traceback" not in err and "alpha: interrupted" in out.decode()
    row = runs(world.db, "alpha")[0]
    assert row["status"] == "interrupted" and signal.Signals(signum).name in row["message"]


def daemon_crawling_alpha(world, **site_options):
    """A daemon crawling alpha on a manual trigger, held on its last article; and the child's pid."""
    alpha = world.sites["alpha"]
    world.configure(names=("alpha",), site_options=site_options)
    alpha.hold(alpha.articles[-1])
    daemon = world.daemon()
    assert world.cli("trigger", "alpha").returncode == 0
    assert wait_for(lambda: alpha.waiting and runs(world.db, "alpha"), 30), daemon.log()
    return alpha, daemon, runs(world.db, "alpha")[0]["pid"]


def test_a_crawl_child_ends_when_its_daemon_is_killed_and_its_run_is_settled(world):
    # the orphaned crawl stops cleanly, which waits for the held page's download timeout
    alpha, daemon, child = daemon_crawling_alpha(world, timeout=8)
    daemon.proc.kill()  # the daemon alone: its child is in a session of its own
    daemon.proc.wait(10)
    assert wait_for(lambda: not process_alive(child), 60), "the crawl outlived its daemon"
    alpha.release()
    row = runs(world.db, "alpha")[0]
    assert row["status"] == "interrupted" and "daemon" in row["message"], row


def test_a_request_taken_by_a_daemon_killed_with_its_crawls_is_served_once_by_the_next(world):
    alpha, daemon, child = daemon_crawling_alpha(world)
    daemon.proc.kill()
    os.killpg(child, signal.SIGKILL)  # the daemon and all its children at once
    daemon.proc.wait(10)
    assert wait_for(lambda: not process_alive(child), 10)
    alpha.release()
    assert rows(world.db, "SELECT taken, run_id FROM crawl_requests")[0]["run_id"] is None

    daemon = world.daemon()
    assert wait_for(lambda: rows(world.db, "SELECT run_id FROM crawl_requests")[0]["run_id"] is not None
                    and finished(world.db, "alpha", trigger="manual")[-1:] != [] and len(finished(world.db, "alpha")) >= 2,
                    40), daemon.log()
    first, second = runs(world.db, "alpha")[:2]
    assert first["status"] == "failed" and first["message"].startswith("process died")
    assert second["status"] == "ok" and second["trigger"] == "manual"
    request = rows(world.db, "SELECT run_id FROM crawl_requests")
    assert [r["run_id"] for r in request] == [second["id"]]
    assert daemon.stop() == 0
    assert len(runs(world.db, "alpha")) == 2, "the request must be served exactly once"


def test_a_killed_crawls_run_is_settled_with_its_counts_by_the_next_crawl(world):
    alpha = world.sites["alpha"]
    world.configure(names=("alpha", "beta"))
    alpha.hold(alpha.articles[-1])
    crawl = crawl_process(world, "alpha")
    assert wait_for(lambda: alpha.waiting and rows(world.db, "SELECT id FROM articles WHERE site = 'alpha'"), 30)
    os.killpg(crawl.pid, signal.SIGKILL)
    crawl.wait(10)
    alpha.release()
    saved = len(rows(world.db, "SELECT id FROM articles WHERE site = 'alpha'"))
    assert [r["status"] for r in runs(world.db, "alpha")] == ["running"]

    other = world.cli("crawl", "beta")
    assert other.returncode == 0, other.stderr
    row = runs(world.db, "alpha")[0]
    assert row["status"] == "failed" and row["message"].startswith("process died") and row["finished"]
    assert row["new_articles"] == saved and row["pages"] >= saved, row
    again = world.cli("crawl", "alpha")
    assert again.returncode == 0, again.stderr
    assert len(rows(world.db, "SELECT DISTINCT url FROM articles WHERE site = 'alpha'")) == 3


class WriteLock:
    """Another process's write transaction on the archive, held until released."""

    def __init__(self, db: Path):
        self.conn = sqlite3.connect(db, isolation_level=None, timeout=30)
        self.conn.execute("BEGIN IMMEDIATE")

    def release(self) -> None:
        self.conn.execute("ROLLBACK")
        self.conn.close()


def crawl_until(world, event: str, *sites: str, hold=None, busy_timeout: str = "0.2") -> tuple[subprocess.Popen, Path]:
    log = world.db.with_name(f"crawl-{event}.log")
    out = world.db.with_name(f"crawl-{event}.out")
    with open(log, "wb") as err, open(out, "wb") as stdout:
        crawl = crawl_process(world, *sites, stdout=stdout, stderr=err, NEWSARCHIVE_BUSY_TIMEOUT=busy_timeout)
    return crawl, log


def events(log: Path, name: str) -> list[dict]:
    return [json.loads(line) for line in log.read_text("utf-8", "replace").splitlines()
            if line.startswith("{") and json.loads(line).get("event") == name]


def test_a_write_locked_past_every_retry_fails_that_batch_only_and_the_next_run_gets_it(world):
    alpha = world.sites["alpha"]
    world.configure(names=("alpha", "beta"))
    assert world.cli("sites").returncode == 0  # the archive exists before the lock is taken
    alpha.hold(alpha.articles[-1])
    crawl, log = crawl_until(world, "locked", "alpha", "beta")
    assert wait_for(lambda: alpha.waiting and len(finished(world.db, "beta")) == 1, 60), log.read_text()
    lock = WriteLock(world.db)
    alpha.release()
    assert wait_for(lambda: any("not saved" in e.get("message", "") for e in events(log, "log")), 60), log.read_text()
    lock.release()
    assert crawl.wait(60) == 3, log.read_text()
    out = log.with_suffix(".out").read_text()
    assert "Traceback" not in log.read_text()
    assert events(log, "archive.busy"), "a locked write is retried before it gives up"
    lines = dict(line.split(":", 1) for line in out.strip().splitlines())
    assert lines["beta"].startswith(" ok") and lines["alpha"].startswith(" failed"), out
    assert "could not be saved" in lines["alpha"] and "locked" in lines["alpha"]
    assert [r["status"] for r in runs(world.db, "beta")] == ["ok"]
    again = world.cli("crawl", "alpha")
    assert again.returncode == 0, again.stderr
    assert len(rows(world.db, "SELECT DISTINCT url FROM articles WHERE site = 'alpha'")) == 3


def test_a_write_locked_for_a_moment_is_retried_and_the_run_is_ok(world):
    alpha = world.sites["alpha"]
    world.configure(names=("alpha",))
    assert world.cli("sites").returncode == 0
    alpha.hold(alpha.articles[-1])
    crawl, log = crawl_until(world, "retried", "alpha", busy_timeout="0.5")
    assert wait_for(lambda: alpha.waiting and runs(world.db, "alpha"), 60), log.read_text()
    lock = WriteLock(world.db)
    alpha.release()
    assert wait_for(lambda: events(log, "archive.busy"), 60), log.read_text()
    lock.release()
    assert crawl.wait(90) == 0, log.read_text()
    assert [r["status"] for r in runs(world.db, "alpha")] == ["ok"]
    assert len(rows(world.db, "SELECT id FROM articles WHERE site = 'alpha'")) == 3


def make_archive(world) -> None:
    world.configure(names=("alpha",))
    result = world.cli("crawl", "alpha")
    assert result.returncode == 0, result.stderr


def one_error_line(result: subprocess.CompletedProcess) -> str:
    assert result.returncode != 0 and "Traceback" not in result.stderr, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    return lines[0]


def test_an_archive_from_a_newer_version_is_refused_and_left_alone(world):
    make_archive(world)
    conn = sqlite3.connect(world.db, isolation_level=None)
    conn.execute("INSERT INTO _migrations (name, applied, version) VALUES ('m999_future', '2030-01-01', '9.1.0')")
    conn.execute("PRAGMA user_version = 999")
    conn.close()
    before = file_digest(world.db)
    for command in (("crawl", "alpha"), ("sites",), ("trigger", "alpha")):
        line = one_error_line(world.cli(*command))
        assert "newer newsarchive" in line and "9.1.0" in line, line
    assert file_digest(world.db) == before


def test_a_sqlite_file_that_is_not_an_archive_is_never_altered(world, tmp_path):
    world.configure(names=("alpha",))
    conn = sqlite3.connect(world.db)
    conn.execute("CREATE TABLE recipes (name TEXT)")
    conn.execute("INSERT INTO recipes VALUES ('soup')")
    conn.commit()
    conn.close()
    before = file_digest(world.db)
    line = one_error_line(world.cli("crawl", "alpha"))
    assert "not a newsarchive archive" in line and "recipes" in line
    assert file_digest(world.db) == before
    assert not Path(f"{world.db}-wal").exists()


def test_an_archive_missing_a_column_is_refused_before_anything_is_lost(world):
    make_archive(world)
    conn = sqlite3.connect(world.db, isolation_level=None)
    conn.execute("DROP TRIGGER IF EXISTS articles_ai")
    conn.execute("DROP TRIGGER IF EXISTS articles_ad")
    conn.execute("DROP TRIGGER IF EXISTS articles_au")
    conn.execute("ALTER TABLE articles DROP COLUMN image")
    conn.close()
    line = one_error_line(world.cli("crawl", "alpha"))
    assert "damaged" in line and "image" in line


def test_bad_workers_value_is_one_line(world):
    world.configure(names=("alpha",))
    result = world.cli("crawl", "alpha", "--workers", "-1")
    assert result.returncode != 0 and "Traceback" not in result.stderr
    assert "--workers" in result.stderr


def test_when_every_site_fails_the_summary_names_the_common_cause_and_exit_is_not_zero(tmp_path):
    from fixture_sites import write_config

    ports = []
    for _ in range(2):
        import socket
        with socket.socket() as s:  # a port nobody listens on
            s.bind(("127.0.0.1", 0))
            ports.append(s.getsockname()[1])
    config = write_config(tmp_path / "sites.toml", {f"s{i}": {"url": f"http://127.0.0.1:{port}/"}
                                                    for i, port in enumerate(ports)})
    result = newsarchive("crawl", "--config", str(config), "--db", str(tmp_path / "archive.db"), "--workers", "1")
    assert result.returncode == 3, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    assert "every site refused the connection" in result.stdout, result.stdout


def test_every_log_line_is_json_when_not_on_a_terminal(world):
    world.configure(names=("alpha",))
    result = world.cli("crawl", "alpha", "-v")
    assert result.returncode == 0, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert any(json.loads(line).get("logger", "").startswith("scrapy") for line in lines)
    for line in lines:
        assert isinstance(json.loads(line), dict), line


def read_only(command: list[str], directory: Path) -> list[str]:
    """``command`` run where ``directory`` is read-only: for root (whom file modes do not stop) in
    a mount namespace with the directory bind-mounted read-only; for anyone else by its modes."""
    if os.geteuid() != 0:
        for path in [directory, *directory.iterdir()]:
            path.chmod(0o555 if path.is_dir() else 0o444)
        return command
    script = 'mount --bind "$0" "$0" && mount -o remount,bind,ro "$0" && exec "$@"'
    return ["unshare", "--mount", "sh", "-c", script, str(directory), *command]


def cli_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "crawler.cli", *args]


@pytest.fixture
def read_only_archive(world):
    make_archive(world)
    yield world
    for path in [world.db.parent, *world.db.parent.iterdir()]:
        path.chmod(0o755 if path.is_dir() else 0o644)


def test_a_read_only_archive_is_one_clear_line_for_crawl_and_is_left_alone(read_only_archive):
    world = read_only_archive
    before = file_digest(world.db)
    command = read_only(cli_command("crawl", "alpha", "--config", str(world.config), "--db", str(world.db)),
                        world.db.parent)
    result = subprocess.run(command, cwd=REPO, env=env(), capture_output=True, text=True, timeout=120)
    line = one_error_line(result)
    assert "read-only" in line and "serve" in line, line
    assert file_digest(world.db) == before


def test_serve_reads_a_read_only_archive(read_only_archive):
    import socket
    import urllib.request

    world = read_only_archive
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    log = world.db.parent.parent / f"serve-{port}.log"
    with open(log, "wb") as out:
        server = subprocess.Popen(read_only(cli_command("serve", "--db", str(world.db), "--port", str(port)),
                                            world.db.parent), cwd=REPO, env=env(), stdout=out,
                                  stderr=subprocess.STDOUT)
    try:
        def answers() -> bool:
            assert server.poll() is None, log.read_text()
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/archive/articles.json?_shape=array",
                                            timeout=5) as response:
                    return response.status == 200
            except OSError:
                return False

        assert wait_for(answers, 60), log.read_text()
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/archive/articles.json?_shape=array") as response:
            assert len(json.loads(response.read())) == 3
    finally:
        server.terminate()
        server.wait(20)
    assert "Traceback" not in log.read_text()


def test_serve_with_a_port_out_of_range_is_one_line(world, tmp_path):
    make_archive(world)
    line = one_error_line(newsarchive("serve", "--db", str(world.db), "--port", "99999"))
    assert "--port" in line and "99999" in line


def test_a_second_sigterm_ends_a_crawl_at_once_and_its_run_is_still_recorded(world):
    alpha = world.sites["alpha"]
    world.configure(names=("alpha",))
    alpha.hold(alpha.articles[-1])
    log = world.db.with_name("twice.log")
    with open(log, "wb") as err:
        crawl = crawl_process(world, "alpha", stderr=err)
    assert wait_for(lambda: alpha.waiting, 30)
    crawl.send_signal(signal.SIGTERM)
    assert wait_for(lambda: events(log, "crawl.stopping"), 30), log.read_text()
    crawl.send_signal(signal.SIGTERM)
    assert crawl.wait(30) == 143
    alpha.release()
    row = runs(world.db, "alpha")[0]
    assert row["status"] == "interrupted" and row["finished"], row


def source_files() -> list[Path]:
    return [p for folder in ("crawler", "pipelines") for p in (REPO / folder).rglob("*.py")] + [REPO / "scheduler.py"]


def test_the_crawler_uses_no_private_member_of_scrapy():
    private = ("_parsers", "_retry(", "_parse_sitemap", "_get_sitemap_body", "_process_sitemap_element",
               "_get_tag_name", "scrapy.spiders import SitemapSpider")
    found = [(p.name, name) for p in source_files() for name in private if name in p.read_text()]
    assert found == []


def test_only_the_ledger_writes_the_run_ledger():
    import re

    writes = re.compile(r'\["crawl_runs"\]\.(insert|update|upsert)|(UPDATE|INSERT INTO)\s+crawl_runs', re.I)
    writers = sorted(p.relative_to(REPO).as_posix() for p in source_files() if writes.search(p.read_text()))
    assert writers == ["pipelines/ledger.py"]
