"""The daemon (`newsarchive run`), driven as a real process against fixture sites on loopback.

Schedules are in seconds: NEWSARCHIVE_TEST_SECONDS=1 lets a schedule have a leading seconds field.
A site's pages can be held (the server answers them only when the test releases them), so a test
decides exactly when a crawl is in progress.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

from fixture_sites import (REPO, FixtureServer, Request, Response, article_html, listing_html, newsarchive, rss,
                           story, toml_value, wait_for)

SECONDS = {"NEWSARCHIVE_TEST_SECONDS": "1"}
NEVER = "0 0 0 1 1 *"  # midnight on January 1st: never during a test
EVERY_2S = "*/2 * * * * *"
HOLD_LIMIT = 30.0  # a held page is answered after this long even if the test forgets it


class Site:
    """A tiny news site under ``/NAME/``: homepage, RSS feed and a few articles; any page can be held."""

    def __init__(self, server: FixtureServer, name: str, articles: int = 3):
        self.server, self.name = server, name
        self.articles = [f"/{name}/2024/03/story-{i}.html" for i in range(articles)]
        self.feed = f"/{name}/feed.xml"
        self.home = f"/{name}/"
        self.held: set[str] = set()
        self.gate = threading.Event()
        self.gate.set()
        self.waiting = 0  # requests being held right now
        self._route(self.home, listing_html(f"{name} news", self.articles,
                                            feeds=[(self.feed, "application/rss+xml")]), "text/html; charset=utf-8")
        self._route(self.feed, rss([(a, None) for a in self.articles], title=f"{name} feed"), "application/rss+xml")
        for i, path in enumerate(self.articles):
            self._route(path, article_html(story(f"{name}-story-{i}")), "text/html; charset=utf-8")

    @property
    def url(self) -> str:
        return self.server.url(self.home)

    def _route(self, path: str, body: str, content_type: str) -> None:
        data = body.encode("utf-8")

        def respond(request: Request) -> Response:
            if path in self.held:
                self.waiting += 1
                try:
                    self.gate.wait(HOLD_LIMIT)
                finally:
                    self.waiting -= 1
            return Response(data, content_type=content_type)

        self.server.add(path, respond)

    def hold(self, path: str) -> None:
        self.held = {path}
        self.gate.clear()

    def release(self) -> None:
        self.held = set()
        self.gate.set()

    def hits(self, path: str) -> int:
        return self.server.hits(path)


def write_config(path: Path, sites: dict[str, dict[str, Any]], daemon: dict[str, Any] | None = None,
                 schedule: str = NEVER) -> Path:
    defaults = {"delay": 0, "autothrottle": False, "timeout": 20, "retries": 0, "concurrency": 4,
                "schedule": schedule}
    daemon = {"max_parallel": 2, "poll_interval": 0.5, "grace_period": 5, "crawl_timeout": 60, **(daemon or {})}
    lines = ["[defaults]"] + [f"{k} = {toml_value(v)}" for k, v in defaults.items()]
    lines += ["", "[daemon]"] + [f"{k} = {toml_value(v)}" for k, v in daemon.items()]
    for name, table in sites.items():
        lines += ["", f"[sites.{name}]"] + [f"{k} = {toml_value(v)}" for k, v in table.items()]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def rows(db: Path, sql: str, params: list | tuple = ()) -> list[dict[str, Any]]:
    conn = sqlite3.connect(db, timeout=30)
    conn.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in conn.execute(sql, params).fetchall()]
    except sqlite3.OperationalError as exc:
        if "no such table" in str(exc):
            return []
        raise
    finally:
        conn.close()


def runs(db: Path, site: str | None = None, **where: str) -> list[dict[str, Any]]:
    clauses, params = [], []
    for key, value in ({"site": site} if site else {}).items() | where.items():
        clauses.append(f"{key} = ?")
        params.append(value)
    sql = "SELECT * FROM crawl_runs" + (" WHERE " + " AND ".join(clauses) if clauses else "") + " ORDER BY id"
    return rows(db, sql, params)


def finished(db: Path, site: str, **where: str) -> list[dict[str, Any]]:
    return [r for r in runs(db, site, **where) if r["status"] != "running"]


def assert_no_overlap(run_rows: list[dict[str, Any]]) -> None:
    """Each run starts after the one before it finished (timestamps have one-second resolution)."""
    ordered = sorted(run_rows, key=lambda r: (r["started"], r["id"]))
    for before, after in zip(ordered, ordered[1:]):
        assert before["finished"] is not None, before
        assert after["started"] >= before["finished"], (before, after)


class Daemon:
    """``newsarchive run`` in a child process, its log in a file."""

    def __init__(self, tmp_path: Path, config: Path, db: Path):
        self.db = db
        self.log_path = tmp_path / f"daemon-{time.monotonic_ns()}.log"
        env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSARCHIVE_")} | SECONDS
        with open(self.log_path, "wb") as log:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "crawler.cli", "run", "--config", str(config), "--db", str(db)],
                cwd=REPO, env=env, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT)
        self.started = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        assert wait_for(lambda: self.events("daemon.start") or self.proc.poll() is not None, 20), self.log()
        assert self.proc.poll() is None, self.log()

    def log(self) -> str:
        return self.log_path.read_text("utf-8", "replace")

    def events(self, name: str | None = None) -> list[dict[str, Any]]:
        found = []
        for line in self.log().splitlines():
            if line.startswith("{"):
                try:
                    event = json.loads(line)
                except ValueError:
                    continue
                if name is None or event.get("event") == name:
                    found.append(event)
        return found

    def ended(self, site: str) -> list[dict[str, Any]]:
        """The daemon's run.end lines for ``site``: written once the run's row is final."""
        return [e for e in self.events("run.end") if e.get("site") == site]

    def signal(self, signum: int) -> None:
        self.proc.send_signal(signum)

    def stop(self, timeout: float = 30) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            return self.proc.wait(10)


@pytest.fixture
def world(tmp_path, servers):
    """A fixture server with sites alpha, beta and gamma, and a way to start daemons that are always stopped."""
    server = servers.new()
    sites = {name: Site(server, name) for name in ("alpha", "beta", "gamma")}
    daemons: list[Daemon] = []

    class World:
        db = tmp_path / "archive.db"
        config = tmp_path / "sites.toml"

        def __init__(self):
            self.sites = sites

        def configure(self, names=("alpha", "beta"), schedules: dict[str, str] | None = None,
                      site_options: dict[str, Any] | None = None, **kwargs) -> Path:
            tables = {n: {"url": sites[n].url, **({"schedule": schedules[n]} if schedules and n in schedules else {}),
                          **(site_options or {})} for n in names}
            return write_config(self.config, tables, **kwargs)

        def daemon(self) -> Daemon:
            daemon = Daemon(tmp_path, self.config, self.db)
            daemons.append(daemon)
            return daemon

        def cli(self, *args: str) -> subprocess.CompletedProcess:
            return newsarchive(*args, "--config", str(self.config), "--db", str(self.db), env=SECONDS, timeout=60)

    yield World()
    for site in sites.values():
        site.release()
    for daemon in daemons:
        daemon.stop()


def test_scheduler_module_does_not_import_scrapy():
    code = "import sys, scheduler; print(sorted(m for m in sys.modules if m.split('.')[0] in ('scrapy', 'twisted')))"
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_cron_weekday_numbers_mean_what_they_mean_in_crontab():
    from crawler.cron import cron_trigger

    saturday = datetime(2026, 11, 28, 12, 0, tzinfo=timezone.utc)
    weekdays = cron_trigger("0 9 * * 1-5").get_next_fire_time(None, saturday)
    assert (weekdays.strftime("%A"), weekdays.hour) == ("Monday", 9)
    sunday = cron_trigger("30 6 * * 0").get_next_fire_time(None, saturday)
    assert sunday.strftime("%A %H:%M") == "Sunday 06:30"
    assert cron_trigger("0 0 * * 7").get_next_fire_time(None, saturday).strftime("%A") == "Sunday"


def test_two_sites_crawl_repeatedly_and_never_overlap_themselves(world):
    """Also: a foreground `newsarchive crawl` of a site the daemon is crawling is refused as busy."""
    alpha = world.sites["alpha"]
    world.configure(schedule=EVERY_2S)
    daemon = world.daemon()
    assert wait_for(lambda: all(finished(world.db, s, trigger="schedule") for s in ("alpha", "beta")), 40), \
        daemon.log()

    alpha.hold(alpha.feed)
    assert wait_for(lambda: alpha.waiting, 20), daemon.log()
    other_shell = world.cli("crawl", "alpha")
    alpha.release()
    assert other_shell.returncode == 0, other_shell.stderr
    assert "alpha: busy" in other_shell.stdout

    count = {s: len(finished(world.db, s)) for s in ("alpha", "beta")}
    assert wait_for(lambda: all(len(finished(world.db, s)) >= count[s] + 2 for s in ("alpha", "beta")), 40), \
        daemon.log()
    assert daemon.stop() == 0, daemon.log()
    for site in ("alpha", "beta"):
        site_runs = runs(world.db, site)
        assert {r["status"] for r in site_runs} == {"ok"}, site_runs
        assert {r["trigger"] for r in site_runs} == {"schedule"}
        assert_no_overlap(site_runs)
    articles = rows(world.db, "SELECT site, count(*) AS n, count(DISTINCT url) AS urls FROM articles GROUP BY site")
    assert {(a["site"], a["n"], a["urls"]) for a in articles} == {("alpha", 3, 3), ("beta", 3, 3)}
    ends = daemon.events("run.end")
    assert ends and all("new_articles" in e and "pages" in e and e["status"] == "ok" for e in ends)
    assert len(daemon.events("run.start")) == len(runs(world.db))


def test_trigger_starts_a_crawl_within_5s_and_a_trigger_while_crawling_gives_one_more_run(world):
    alpha = world.sites["alpha"]
    world.configure()
    daemon = world.daemon()

    result = world.cli("trigger", "alpha")
    assert result.returncode == 0, result.stderr
    assert "alpha: crawl requested" in result.stdout
    assert "no `newsarchive run` daemon" not in result.stdout
    assert wait_for(lambda: runs(world.db, "alpha"), 5), daemon.log()  # the crawl has its run row
    assert wait_for(lambda: finished(world.db, "alpha"), 20), daemon.log()
    first = finished(world.db, "alpha")[0]
    assert (first["trigger"], first["status"], first["new_articles"]) == ("manual", "ok", 3)

    alpha.hold(alpha.feed)
    assert world.cli("trigger", "alpha").returncode == 0
    assert wait_for(lambda: alpha.waiting, 20), daemon.log()
    during = [world.cli("trigger", "alpha"), world.cli("trigger", "alpha", "alpha")]
    assert all(r.returncode == 0 for r in during)
    assert "one more run follows" in during[0].stdout
    assert "already requested" in during[1].stdout
    assert len(runs(world.db, "alpha")) == 2  # the held crawl is still the only new one
    alpha.release()

    assert wait_for(lambda: len(finished(world.db, "alpha")) == 3, 30), daemon.log()
    # the daemon has seen every request: a later trigger of another site is served, alpha gets no 4th run
    assert world.cli("trigger", "beta").returncode == 0
    assert wait_for(lambda: finished(world.db, "beta"), 20), daemon.log()
    alpha_runs = runs(world.db, "alpha")
    assert [r["trigger"] for r in alpha_runs] == ["manual"] * 3
    assert_no_overlap(alpha_runs)
    requests = rows(world.db, "SELECT * FROM crawl_requests WHERE site = 'alpha' ORDER BY id")
    assert [r["run_id"] for r in requests] == [r["id"] for r in alpha_runs]

    table = world.cli("sites")
    assert table.returncode == 0, table.stderr
    lines = {line.split()[0]: line for line in table.stdout.splitlines()[1:] if line.strip()}
    assert "SCHEDULE" in table.stdout.splitlines()[0] and "NEXT RUN" in table.stdout.splitlines()[0]
    assert lines["alpha"].split()[1:7] == NEVER.split()
    assert "manual" in lines["alpha"] and " ok " in lines["alpha"]
    assert lines["alpha"].split()[-3:] == ["0", f"{datetime.now(timezone.utc).year + 1}-01-01", "00:00:00"]
    assert lines["beta"].split()[-3:] == ["3", f"{datetime.now(timezone.utc).year + 1}-01-01", "00:00:00"]
    assert "no `newsarchive run` daemon" not in table.stdout

    second = world.cli("run")
    assert second.returncode != 0 and "another `newsarchive run` daemon" in second.stderr
    assert daemon.stop() == 0
    assert "no `newsarchive run` daemon is running" in world.cli("sites").stdout


def test_unknown_site_in_trigger_is_rejected_with_a_clear_message(world):
    world.configure()
    world.db.touch()
    result = world.cli("trigger", "alpha", "nosuchsite")
    assert result.returncode != 0
    assert "unknown site(s) nosuchsite" in result.stderr and "configured: alpha, beta" in result.stderr
    assert "Traceback" not in result.stderr
    assert rows(world.db, "SELECT * FROM crawl_requests") == []


def test_killed_crawl_child_is_recorded_as_failed_and_the_daemon_goes_on(world):
    alpha = world.sites["alpha"]
    world.configure()
    daemon = world.daemon()
    alpha.hold(alpha.articles[-1])
    assert world.cli("trigger", "alpha").returncode == 0
    assert wait_for(lambda: alpha.waiting and runs(world.db, "alpha"), 20), daemon.log()
    victim = runs(world.db, "alpha")[0]
    os.kill(victim["pid"], signal.SIGKILL)
    assert wait_for(lambda: finished(world.db, "alpha"), 15), daemon.log()
    dead = runs(world.db, "alpha")[0]
    assert dead["status"] == "failed" and "SIGKILL" in dead["message"]
    assert wait_for(lambda: not group_alive(victim["pid"]), 10)  # its extraction workers are gone too
    alpha.release()

    assert daemon.proc.poll() is None
    assert world.cli("trigger", "alpha").returncode == 0
    assert wait_for(lambda: len(finished(world.db, "alpha")) == 2, 30), daemon.log()
    again = runs(world.db, "alpha")[1]
    assert again["status"] == "ok", again
    articles = rows(world.db, "SELECT url FROM articles WHERE site = 'alpha'")
    assert sorted(a["url"] for a in articles) == sorted(alpha.server.url(p) for p in alpha.articles)
    assert rows(world.db, "PRAGMA integrity_check") == [{"integrity_check": "ok"}]
    assert daemon.stop() == 0


def test_run_left_running_by_a_killed_foreground_crawl_is_marked_failed_when_the_daemon_starts(world):
    alpha = world.sites["alpha"]
    world.configure()
    alpha.hold(alpha.articles[-1])
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSARCHIVE_")} | SECONDS
    crawl = subprocess.Popen([sys.executable, "-m", "crawler.cli", "crawl", "alpha", "--config", str(world.config),
                              "--db", str(world.db)], cwd=REPO, env=env, stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        assert wait_for(lambda: alpha.waiting and runs(world.db, "alpha"), 30)
    finally:
        os.killpg(crawl.pid, signal.SIGKILL)
        crawl.wait(10)
    alpha.release()
    assert [r["status"] for r in runs(world.db, "alpha")] == ["running"]

    daemon = world.daemon()
    assert [e["site"] for e in daemon.events("run.recovered")] == ["alpha"]
    row = runs(world.db, "alpha")[0]
    assert row["status"] == "failed" and str(crawl.pid) in row["message"], row
    assert daemon.stop() == 0


def test_crawl_over_its_time_limit_is_stopped_and_recorded_as_timeout(world):
    alpha = world.sites["alpha"]
    # long enough for a normal crawl of beta on a loaded machine, far shorter than alpha's hold
    world.configure(daemon={"crawl_timeout": 10, "grace_period": 1})
    daemon = world.daemon()
    alpha.hold(alpha.feed)
    assert world.cli("trigger", "alpha").returncode == 0
    assert wait_for(lambda: daemon.ended("alpha"), 25), daemon.log()
    row = runs(world.db, "alpha")[0]
    assert row["status"] == "timeout" and "crawl_timeout of 10 s" in row["message"], row
    assert daemon.ended("alpha")[0]["status"] == "timeout"
    assert daemon.proc.poll() is None
    assert not group_alive(row["pid"])
    alpha.release()
    assert world.cli("trigger", "beta").returncode == 0
    assert wait_for(lambda: daemon.ended("beta"), 20), daemon.log()
    assert runs(world.db, "beta")[0]["status"] == "ok"


def test_restart_after_missed_slots_runs_exactly_one_catch_up_per_site(world):
    world.configure(schedule=EVERY_2S, daemon={"max_parallel": 1})
    first = world.daemon()
    assert wait_for(lambda: all(finished(world.db, s, trigger="schedule") for s in ("alpha", "beta")), 30), \
        first.log()
    assert first.stop() == 0, first.log()
    slots = rows(world.db, "SELECT site, last_slot FROM schedule_state")
    assert {s["site"] for s in slots} == {"alpha", "beta"}
    latest = max(datetime.fromisoformat(s["last_slot"]) for s in slots).timestamp()
    # wait (by the clock) until each site has missed at least two of its two-second slots
    assert wait_for(lambda: time.time() > latest + 4.5, 10)

    second = world.daemon()
    since = second.started
    assert wait_for(lambda: all(finished(world.db, s, trigger="catch-up")
                                and [r for r in finished(world.db, s, trigger="schedule") if r["started"] >= since]
                                for s in ("alpha", "beta")), 40), second.log()
    assert second.stop() == 0, second.log()
    for site in ("alpha", "beta"):
        catch_ups = runs(world.db, site, trigger="catch-up")
        assert len(catch_ups) == 1, catch_ups
        assert catch_ups[0]["status"] == "ok" and catch_ups[0]["started"] >= since
    assert sorted(e["site"] for e in second.events("schedule.missed")) == ["alpha", "beta"]
    assert_no_overlap(runs(world.db))  # max_parallel = 1: not even two sites at once


def test_sigterm_during_a_crawl_exits_cleanly_and_marks_the_run_interrupted(world):
    alpha = world.sites["alpha"]
    world.configure(daemon={"grace_period": 1})
    daemon = world.daemon()
    alpha.hold(alpha.articles[-1])
    assert world.cli("trigger", "alpha").returncode == 0
    assert wait_for(lambda: alpha.waiting and runs(world.db, "alpha"), 20), daemon.log()
    child = runs(world.db, "alpha")[0]["pid"]
    stopping = time.monotonic()
    daemon.signal(signal.SIGTERM)
    assert daemon.proc.wait(20) == 0, daemon.log()
    assert time.monotonic() - stopping < 10  # two grace periods of 1 s, plus the child's own exit
    row = runs(world.db, "alpha")[0]
    assert row["status"] == "interrupted" and row["finished"], row
    assert not group_alive(child)
    assert rows(world.db, "PRAGMA integrity_check") == [{"integrity_check": "ok"}]
    assert "Traceback" not in daemon.log()
    assert daemon.events("daemon.stop")
    # the request was cut short, so it waits for the next daemon instead of being lost
    assert rows(world.db, "SELECT taken, run_id FROM crawl_requests") == [{"taken": None, "run_id": None}]


def test_sighup_reloads_the_config_and_a_broken_one_keeps_the_old_running(world):
    world.configure(names=("alpha", "beta"), schedules={"alpha": EVERY_2S})
    daemon = world.daemon()
    assert wait_for(lambda: finished(world.db, "alpha"), 20), daemon.log()

    world.config.write_text(world.config.read_text() + "\n[sites.broken\nurl = 1\n", encoding="utf-8")
    daemon.signal(signal.SIGHUP)
    assert wait_for(lambda: daemon.events("config.rejected"), 10), daemon.log()
    assert "TOML" in daemon.events("config.rejected")[0]["message"]
    rejected_at = len(finished(world.db, "alpha"))
    assert wait_for(lambda: len(finished(world.db, "alpha")) >= rejected_at + 2, 30), daemon.log()
    assert {r["status"] for r in runs(world.db, "alpha")} <= {"ok", "running"}

    world.configure(names=("beta", "gamma"), schedules={"beta": EVERY_2S, "gamma": EVERY_2S})
    daemon.signal(signal.SIGHUP)
    assert wait_for(lambda: daemon.events("config.reloaded"), 10), daemon.log()
    reloaded = daemon.events("config.reloaded")[0]
    assert (reloaded["added"], reloaded["removed"], reloaded["rescheduled"]) == ("gamma", "alpha", "beta")
    reloaded_at = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert wait_for(lambda: all(len(finished(world.db, s)) >= 2 for s in ("beta", "gamma")), 40), daemon.log()
    assert daemon.stop() == 0
    assert [r for r in runs(world.db, "alpha") if r["started"] > reloaded_at] == []
    assert {r["status"] for r in runs(world.db)} == {"ok"}


def group_alive(pgid: int) -> bool:
    """Whether any live process (not a zombie) is in process group ``pgid``: a crawl child and
    the extraction workers it started."""
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            state, _ppid, group = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()[:3]
        except (OSError, ValueError):
            continue
        if int(group) == pgid and state != "Z":
            return True
    return False
