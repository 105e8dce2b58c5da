"""The daemon behind ``newsarchive run``: every site crawled on its own schedule, manual triggers,
and the run ledger.

Each crawl is a child process (``python -m crawler.runner SITE``): Scrapy's reactor cannot restart
inside one process, and a child isolates crashes and memory. This module never imports Scrapy.

- One APScheduler job per site (its 5-field cron ``schedule``, UTC). ``schedule_state`` remembers
  the last slot of each site, so a restart after missed slots crawls that site once ("catch-up").
- A site never crawls twice at once: the daemon runs one crawl per site, and the child takes the
  site's cross-process lock (``pipelines.locks``) so ``newsarchive crawl`` in a shell is excluded
  too. At most ``[daemon] max_parallel`` crawls run at the same time.
- ``newsarchive trigger SITE`` inserts into ``crawl_requests``; the daemon polls it every
  ``poll_interval`` seconds. Requests for a site that is crawling wait until it ends and then
  give exactly one more run.
- A crawl longer than ``crawl_timeout`` gets SIGTERM, then SIGKILL after ``grace_period``, and is
  recorded as ``timeout``. A child that dies without finishing its run is recorded as ``failed``.
- SIGTERM/SIGINT: stop scheduling, give running crawls ``grace_period`` to finish, then SIGTERM,
  then SIGKILL after another ``grace_period``; runs cut short are ``interrupted``. SIGHUP reloads
  the config; a broken one is rejected and the old one keeps running. Children read a snapshot of
  the last good config, never the file being edited.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import signal
import sqlite3
import sys
import time
from collections import deque
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta, timezone
from pathlib import Path

from apscheduler.events import EVENT_JOB_MAX_INSTANCES, JobSubmissionEvent
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from filelock import FileLock, Timeout

from crawler.config import Config, ConfigError, Site, load_config
from crawler.cron import cron_trigger
from crawler.logs import emit
from pipelines.archive import RUN_COUNTS, Archive, ArchiveError
from pipelines.dates import utc_now
from pipelines.locks import is_busy, lock_dir, site_lock

TIMEZONE = timezone.utc
DAEMON_LOCK = "_daemon"  # a lock name no site can have (site names never start with "_")
SNAPSHOT_NAME = "daemon-config.toml"
# Exit codes of ``python -m crawler.runner`` (that module is not imported: it pulls in Scrapy).
EXIT_BUSY = 4
CHILD_EVENTS_REPLACED = ("crawl.start", "crawl.end")  # the daemon logs its own run.start / run.end
ISO = "%Y-%m-%dT%H:%M:%SZ"


# -- the daemon ---------------------------------------------------------------------------------


@dataclass
class _Run:
    """One crawl of one site by the daemon: queued, then a child process."""

    site: str
    trigger: str  # schedule, manual, catch-up
    requests: list[int] = field(default_factory=list)  # crawl_requests rows this run answers
    spawned: bool = False
    proc: asyncio.subprocess.Process | None = None
    timed_out: bool = False
    limit: float = 0.0  # crawl_timeout when the crawl started
    stopped: bool = False  # stopped by the daemon's shutdown
    task: asyncio.Task | None = None
    output: deque = field(default_factory=lambda: deque(maxlen=5))  # last plain lines of the child


class Daemon:
    def __init__(self, config: Config, db_path: str):
        self.config = config
        self.db_path = os.path.abspath(db_path)
        self.snapshot = lock_dir(db_path) / SNAPSHOT_NAME
        self.runs: dict[str, _Run] = {}
        self.stopping = False
        self.active = 0
        self.archive: Archive | None = None
        self.scheduler: AsyncIOScheduler | None = None
        self._busy_noted: set[str] = set()
        self._stop = asyncio.Event()
        self._hurry = asyncio.Event()  # a second stop signal: do not wait for crawls to finish
        self._wake = asyncio.Event()  # look at crawl_requests now
        self._slots = asyncio.Condition()  # guards ``active`` against max_parallel

    async def run(self) -> None:
        """Run until SIGTERM or SIGINT, then stop cleanly."""
        loop = asyncio.get_running_loop()
        lock = take_daemon_lock(self.db_path)
        try:
            self.archive = Archive.open(self.db_path)
            self.config = write_snapshot(self.config.path, self.snapshot)
            for signum in (signal.SIGTERM, signal.SIGINT):
                loop.add_signal_handler(signum, self._request_stop)
            loop.add_signal_handler(signal.SIGHUP, self._reload)
            self._recover_stale_runs()
            self.scheduler = AsyncIOScheduler(event_loop=loop, timezone=TIMEZONE)
            self.scheduler.add_listener(self._on_slot_skipped, EVENT_JOB_MAX_INSTANCES)
            for site in self.config.sites.values():
                self._add_job(site)
            self.scheduler.start()
            emit("daemon.start", pid=os.getpid(), sites=len(self.config.sites),
                 max_parallel=self.config.daemon.max_parallel, db=self.db_path, config=self.config.path)
            self._catch_up(self.config.sites.values())
            poll = asyncio.create_task(self._poll())
            await self._stop.wait()
            await self._shutdown(poll)
        finally:
            for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
                loop.remove_signal_handler(signum)
            if self.archive is not None:
                self.archive.close()
            self.snapshot.unlink(missing_ok=True)
            lock.release()

    # -- schedules ----------------------------------------------------------------------------

    def _add_job(self, site: Site) -> None:
        self.scheduler.add_job(
            self._on_slot, cron_trigger(site.schedule, TIMEZONE), args=[site.name], id=site.name,
            name=f"crawl {site.name}", max_instances=1, coalesce=True, misfire_grace_time=None,
            replace_existing=True)

    async def _on_slot(self, name: str) -> None:
        self._record_slot(name, datetime.now(TIMEZONE))
        run = self._start(name, "schedule")
        if run is None:
            return
        try:
            await asyncio.shield(run.task)  # the job lasts as long as its crawl (max_instances=1)
        except asyncio.CancelledError:
            pass  # the scheduler is shutting down; _shutdown stops the crawl itself

    def _on_slot_skipped(self, event: JobSubmissionEvent) -> None:
        self._record_slot(event.job_id, datetime.now(TIMEZONE))
        emit("run.skipped", site=event.job_id, trigger="schedule", reason="previous run still going")

    def _catch_up(self, sites) -> None:
        """Crawl once now each site whose schedule had a slot since the last one the daemon saw."""
        now = datetime.now(TIMEZONE)
        for site in sites:
            last = last_slot(self.archive, site.name)
            self._record_slot(site.name, now)
            if last is None:
                continue
            due = cron_trigger(site.schedule, TIMEZONE).get_next_fire_time(None, last + timedelta(microseconds=1))
            if due is not None and due <= now:
                emit("schedule.missed", site=site.name, last_slot=last.strftime(ISO), missed=due.strftime(ISO))
                self._start(site.name, "catch-up")

    def _record_slot(self, name: str, when: datetime) -> None:
        with self.archive.db.conn:
            self.archive.db.execute(
                "INSERT INTO schedule_state (site, last_slot) VALUES (?, ?) "
                "ON CONFLICT(site) DO UPDATE SET last_slot = excluded.last_slot",
                [name, when.astimezone(TIMEZONE).isoformat()])

    # -- runs ---------------------------------------------------------------------------------

    def _start(self, name: str, trigger: str, requests: list[int] = ()) -> _Run | None:
        """Queue a crawl of ``name`` unless it is queued or crawling already."""
        if self.stopping or name not in self.config.sites:
            return None
        current = self.runs.get(name)
        if current is not None:
            emit("run.skipped", site=name, trigger=trigger, reason="crawling" if current.spawned else "queued")
            return None
        run = _Run(name, trigger, list(requests))
        self.runs[name] = run
        run.task = asyncio.create_task(self._execute(run))
        return run

    async def _execute(self, run: _Run) -> None:
        try:
            if not await self._take_slot():
                self._release_requests(run)
                return
            try:
                if run.site not in self.config.sites:  # removed by a reload while queued
                    self._release_requests(run)
                    return
                if is_busy(self.db_path, run.site):
                    emit("run.busy", site=run.site, trigger=run.trigger,
                         message="another process is crawling this site")
                    self._release_requests(run)
                    return
                await self._crawl(run)
            finally:
                async with self._slots:
                    self.active -= 1
                    self._slots.notify_all()
        except Exception as exc:  # a bug in one run must not stop the daemon
            emit("run.error", site=run.site, trigger=run.trigger, message=f"{type(exc).__name__}: {exc}")
        finally:
            self.runs.pop(run.site, None)
            self._wake.set()  # requests that waited for this run

    async def _take_slot(self) -> bool:
        async with self._slots:
            await self._slots.wait_for(lambda: self.stopping or self.active < self.config.daemon.max_parallel)
            if self.stopping:
                return False
            self.active += 1
            return True

    async def _crawl(self, run: _Run) -> None:
        daemon = self.config.daemon
        run.spawned, run.limit = True, daemon.crawl_timeout
        spawned_at = utc_now()
        started = time.monotonic()
        emit("run.start", site=run.site, trigger=run.trigger, requests=len(run.requests) or None)
        # The output pipe is ours, not the transport's: proc.wait() then returns when the child
        # exits, even while its extraction workers still hold the pipe open.
        read_fd, write_fd = os.pipe()
        try:
            proc = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "crawler.runner", run.site, "--config", str(self.snapshot),
                "--db", self.db_path, "--trigger", run.trigger,
                stdin=asyncio.subprocess.DEVNULL, stdout=write_fd, stderr=asyncio.subprocess.STDOUT,
                start_new_session=True)
        except BaseException:
            os.close(read_fd)
            raise
        finally:
            os.close(write_fd)
        run.proc = proc
        if self.stopping:  # the daemon began to stop while this crawl was starting
            run.stopped = True
            proc.send_signal(signal.SIGTERM)
        output = asyncio.StreamReader(limit=1 << 20)
        pipe, _ = await asyncio.get_running_loop().connect_read_pipe(
            lambda: asyncio.StreamReaderProtocol(output), os.fdopen(read_fd, "rb", 0))
        forward = asyncio.create_task(forward_output(output, run.output))
        waiting = asyncio.create_task(proc.wait())
        done, _ = await asyncio.wait([waiting], timeout=daemon.crawl_timeout)
        if not done:
            run.timed_out = True
            emit("run.timeout", site=run.site, pid=proc.pid, limit=daemon.crawl_timeout)
            await stop_child(proc, daemon.grace_period)
        await waiting
        kill_group(proc.pid)  # extraction workers the child may have left behind
        try:
            await asyncio.wait_for(forward, 5)
        except TimeoutError:
            forward.cancel()
        pipe.close()
        row = self._settle(run, proc.returncode, spawned_at)
        seconds = round(time.monotonic() - started, 1)
        if row is None:
            emit("run.end", site=run.site, trigger=run.trigger, status="busy", seconds=seconds,
                 message="another process is crawling this site")
            return
        emit("run.end", site=run.site, run=row["id"], trigger=run.trigger, status=row["status"], seconds=seconds,
             **{k: row[k] for k in RUN_COUNTS}, message=row["message"])

    def _settle(self, run: _Run, code: int, spawned_at: str) -> dict | None:
        """Make the child's crawl_runs row tell what happened; link the requests it answered."""
        db = self.archive.db
        found = list(db["crawl_runs"].rows_where(
            "site = ? AND pid = ? AND started >= ?", [run.site, run.proc.pid, spawned_at],
            order_by="id desc", limit=1))
        row = found[0] if found else None
        if row is None and code == EXIT_BUSY:
            self._release_requests(run)
            return None
        status, reason = "failed", None
        if run.timed_out:
            status, reason = "timeout", f"stopped after the crawl_timeout of {run.limit:g} s"
        elif run.stopped:
            status, reason = "interrupted", "stopped by the daemon's shutdown"
        ended = f"crawl process {describe_exit(code)}"
        with db.conn:
            if row is None:
                detail = f": {run.output[-1]}" if run.output else ""
                message = "; ".join(filter(None, [reason, f"{ended} before starting the run{detail}"]))
                run_id = db["crawl_runs"].insert({
                    "site": run.site, "started": spawned_at, "finished": utc_now(), "status": status,
                    "trigger": run.trigger, "pid": run.proc.pid, "message": message[:500]}).last_pk
            else:
                run_id = row["id"]
                if row["status"] == "running":
                    db["crawl_runs"].update(run_id, {"status": status, "finished": utc_now(),
                                                     "message": "; ".join(filter(None, [reason, ended]))})
                elif run.timed_out:
                    db["crawl_runs"].update(run_id, {"status": "timeout", "message": reason})
            row = db["crawl_runs"].get(run_id)
            if run.requests:
                if row["status"] == "interrupted":
                    self._release_requests(run)  # asked for but cut short: the next daemon crawls it
                else:
                    marks = ",".join("?" * len(run.requests))
                    db.execute(f"UPDATE crawl_requests SET run_id = ? WHERE id IN ({marks})",
                               [run_id, *run.requests])
        return row

    def _release_requests(self, run: _Run) -> None:
        if run.requests:
            marks = ",".join("?" * len(run.requests))
            with self.archive.db.conn:
                self.archive.db.execute(
                    f"UPDATE crawl_requests SET taken = NULL, run_id = NULL WHERE id IN ({marks})", run.requests)
            run.requests = []

    def _recover_stale_runs(self) -> None:
        """Runs left 'running' by a crawl process that is gone (killed together with a daemon)."""
        db = self.archive.db
        for row in list(db["crawl_runs"].rows_where("status = 'running'")):
            if is_busy(self.db_path, row["site"]):
                continue
            with db.conn:
                db["crawl_runs"].update(row["id"], {
                    "status": "failed", "finished": utc_now(),
                    "message": f"crawl process (pid {row['pid']}) ended without finishing its run"})
            emit("run.recovered", site=row["site"], run=row["id"], status="failed")

    # -- manual triggers ------------------------------------------------------------------------

    async def _poll(self) -> None:
        while not self.stopping:
            try:
                self._take_requests()
            except sqlite3.Error as exc:
                emit("requests.error", message=str(exc))
            try:
                await asyncio.wait_for(self._wake.wait(), self.config.daemon.poll_interval)
            except TimeoutError:
                pass
            self._wake.clear()

    def _take_requests(self) -> None:
        db = self.archive.db
        pending: dict[str, list[int]] = {}
        for request_id, site in db.execute(
                "SELECT id, site FROM crawl_requests WHERE taken IS NULL ORDER BY id").fetchall():
            pending.setdefault(site, []).append(request_id)
        for site, ids in pending.items():
            if site not in self.config.sites:
                self._mark_taken(ids)
                emit("request.dropped", site=site, message="site is not in the config")
                continue
            current = self.runs.get(site)
            if current is not None:
                if not current.spawned:  # still queued: this request rides along
                    self._mark_taken(ids)
                    current.requests += ids
                continue  # crawling: one more run once it ends
            if is_busy(self.db_path, site):
                if site not in self._busy_noted:
                    self._busy_noted.add(site)
                    emit("request.waiting", site=site, message="another process is crawling this site")
                continue
            self._busy_noted.discard(site)
            self._mark_taken(ids)
            self._start(site, "manual", ids)

    def _mark_taken(self, ids: list[int]) -> None:
        marks = ",".join("?" * len(ids))
        with self.archive.db.conn:
            self.archive.db.execute(f"UPDATE crawl_requests SET taken = ? WHERE id IN ({marks})", [utc_now(), *ids])

    # -- signals --------------------------------------------------------------------------------

    def _request_stop(self) -> None:
        if self._stop.is_set():
            self._hurry.set()  # a second signal: stop the crawls now
        self._stop.set()

    def _reload(self) -> None:
        if self.stopping:
            return
        try:
            new = write_snapshot(self.config.path, self.snapshot)
        except ConfigError as exc:
            emit("config.rejected", path=self.config.path, message=str(exc))
            return
        old = self.config
        added = [s for name, s in new.sites.items() if name not in old.sites]
        removed = [name for name in old.sites if name not in new.sites]
        rescheduled = [s for name, s in new.sites.items() if name in old.sites and s.schedule != old.sites[name].schedule]
        self.config = new
        for name in removed:
            self.scheduler.remove_job(name)
        for site in rescheduled:
            self.scheduler.reschedule_job(site.name, trigger=cron_trigger(site.schedule, TIMEZONE))
        for site in added:
            self._add_job(site)
        self._catch_up(added)
        asyncio.ensure_future(self._notify_slots())  # max_parallel may have changed
        emit("config.reloaded", path=new.path, sites=len(new.sites),
             added=",".join(s.name for s in added) or None, removed=",".join(removed) or None,
             rescheduled=",".join(s.name for s in rescheduled) or None)

    async def _notify_slots(self) -> None:
        async with self._slots:
            self._slots.notify_all()

    async def _shutdown(self, poll: asyncio.Task) -> None:
        self.stopping = True
        self.scheduler.shutdown(wait=False)  # cancels waiting jobs; their crawls are shielded tasks
        poll.cancel()
        await self._notify_slots()  # queued runs give up (and hand back their requests)
        runs = list(self.runs.values())
        tasks = [r.task for r in runs]
        grace = self.config.daemon.grace_period
        crawling = [r.site for r in runs if r.spawned]
        emit("daemon.stopping", crawling=",".join(crawling) or None, grace=grace if crawling else None)
        if tasks:
            all_done = asyncio.gather(*tasks, return_exceptions=True)
            hurry = asyncio.create_task(self._hurry.wait())
            await asyncio.wait([all_done, hurry], timeout=grace, return_when=asyncio.FIRST_COMPLETED)
            hurry.cancel()
            for run in runs:
                if run.proc is not None and run.proc.returncode is None:
                    run.stopped = True
                    run.proc.send_signal(signal.SIGTERM)
            await asyncio.wait([all_done], timeout=grace)
            for run in runs:
                if run.proc is not None and run.proc.returncode is None:
                    kill_group(run.proc.pid)
            await all_done
        emit("daemon.stop")


def run_daemon(config: Config, db_path: str) -> None:
    """Run the daemon for ``config`` (re-read from its file) on the archive at ``db_path``."""
    logging.getLogger("apscheduler").setLevel(logging.ERROR)  # skipped slots are logged as run.skipped
    asyncio.run(Daemon(config, db_path).run())


# -- helpers ------------------------------------------------------------------------------------


def take_daemon_lock(db_path: str) -> FileLock:
    lock = site_lock(db_path, DAEMON_LOCK)
    try:
        lock.acquire(timeout=1)  # `trigger` and `sites` probe this lock for an instant
    except Timeout:
        raise ArchiveError(f"{db_path}: another `newsarchive run` daemon is using this archive") from None
    return lock


def daemon_running(db_path: str) -> bool:
    return os.path.exists(db_path) and is_busy(db_path, DAEMON_LOCK)


def write_snapshot(config_path: str, target: Path) -> Config:
    """Load the config and keep a copy of exactly the bytes that passed validation at ``target``:
    crawl children read that copy, so an edit in progress never reaches them."""
    try:
        raw = Path(config_path).read_bytes()
    except OSError as exc:
        raise ConfigError(config_path, f"cannot read config ({exc.strerror or exc})") from None
    config = load_config(config_path)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".partial")
    partial.write_bytes(raw)
    try:
        same = replace(load_config(partial), path=config.path) == config
    except ConfigError:
        same = False
    if not same:
        partial.unlink(missing_ok=True)
        raise ConfigError(config_path, "the file changed while it was read; try again")
    os.replace(partial, target)
    return config


def last_slot(archive: Archive, site: str) -> datetime | None:
    row = archive.db.execute("SELECT last_slot FROM schedule_state WHERE site = ?", [site]).fetchone()
    return datetime.fromisoformat(row[0]) if row and row[0] else None


async def forward_output(stream: asyncio.StreamReader, tail: deque) -> None:
    """Pass a child's output on to the daemon's stderr: its log events re-emitted (so they read
    well on a terminal), other lines as they are; the last plain lines are kept in ``tail``."""
    while True:
        try:
            line = await stream.readline()
        except ValueError:  # a line over the stream limit
            await stream.read(1 << 20)
            continue
        if not line:
            return
        text = line.decode("utf-8", "replace").rstrip()
        event = parse_event(text)
        if event is None:
            if text:
                tail.append(text)
                print(text, file=sys.stderr, flush=True)
        else:
            name = event.pop("event")
            event.pop("ts", None)
            event.pop("stream", None)
            if name not in CHILD_EVENTS_REPLACED:
                emit(name, **event)


def parse_event(text: str) -> dict | None:
    if not text.startswith("{"):
        return None
    try:
        event = json.loads(text)
    except ValueError:
        return None
    return event if isinstance(event, dict) and isinstance(event.get("event"), str) else None


async def stop_child(proc: asyncio.subprocess.Process, grace: float) -> None:
    """SIGTERM, then SIGKILL to the child's whole process group after ``grace`` seconds."""
    try:
        proc.send_signal(signal.SIGTERM)
    except ProcessLookupError:
        return
    try:
        await asyncio.wait_for(proc.wait(), grace)
    except TimeoutError:
        kill_group(proc.pid)


def kill_group(pgid: int) -> None:
    try:
        os.killpg(pgid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def describe_exit(code: int | None) -> str:
    if code is None:
        return "did not exit"
    if code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = f"signal {-code}"
        return f"was killed by {name}"
    return f"exited with code {code}"


# -- the commands' library side -----------------------------------------------------------------


def request_crawl(config: Config, db_path: str, names: tuple[str, ...] | list[str]) -> list[str]:
    """Ask the running daemon to crawl the named sites now; one line per site to show the user."""
    sites = list(dict.fromkeys(site.name for site in config.select(names)))
    archive = Archive.open(db_path, create=False)
    lines = []
    try:
        db = archive.db
        with db.conn:
            for name in sites:
                waiting = db.execute("SELECT id FROM crawl_requests WHERE site = ? AND taken IS NULL",
                                     [name]).fetchone()
                if waiting:
                    lines.append(f"{name}: already requested, waiting for the daemon")
                    continue
                db["crawl_requests"].insert({"site": name, "requested": utc_now()})
                crawling = db.execute("SELECT 1 FROM crawl_runs WHERE site = ? AND status = 'running'",
                                      [name]).fetchone()
                lines.append(f"{name}: crawl requested"
                             + ("; it is crawling now, so one more run follows" if crawling else ""))
    finally:
        archive.close()
    if not daemon_running(db_path):
        lines.append(f"note: no `newsarchive run` daemon is running on {db_path}; the request waits for one "
                     "(or crawl in the foreground now: newsarchive crawl SITE)")
    return lines


def sites_table(config: Config, db_path: str) -> str:
    """Every configured site with its schedule, last run (time, status, new articles) and next run."""
    now = datetime.now(TIMEZONE)
    last: dict[str, dict] = {}
    requested: set[str] = set()
    if os.path.exists(db_path):
        archive = Archive.open(db_path, create=False)
        try:
            for name in config.sites:
                rows = list(archive.db["crawl_runs"].rows_where("site = ?", [name], order_by="id desc", limit=1))
                if rows:
                    last[name] = rows[0]
            requested = {row[0] for row in archive.db.execute(
                "SELECT DISTINCT site FROM crawl_requests WHERE taken IS NULL").fetchall()}
        finally:
            archive.close()
    header = ("SITE", "SCHEDULE", "LAST RUN (UTC)", "TRIGGER", "STATUS", "NEW", "NEXT RUN (UTC)")
    table = [header]
    for name, site in config.sites.items():
        run = last.get(name)
        upcoming = cron_trigger(site.schedule, TIMEZONE).get_next_fire_time(None, now)
        next_run = upcoming.strftime("%Y-%m-%d %H:%M:%S") if upcoming else "never"
        if name in requested:
            next_run = "after this run (requested)" if run and run["status"] == "running" else "requested, now"
        if run is None:
            table.append((name, site.schedule, "never", "-", "-", "-", next_run))
            continue
        started = run["started"].replace("T", " ").rstrip("Z")
        new = "-" if run["status"] == "running" else str(run["new_articles"] or 0)
        table.append((name, site.schedule, started, run["trigger"] or "-", run["status"], new, next_run))
    widths = [max(len(row[i]) for row in table) for i in range(len(header))]
    lines = ["  ".join(cell.rjust(w) if i == 5 else cell.ljust(w) for i, (cell, w) in enumerate(zip(row, widths))).rstrip()
             for row in table]
    if not config.sites:
        lines.append(f"no sites in {config.path}")
    if not daemon_running(db_path):
        lines.append(f"no `newsarchive run` daemon is running on {db_path}: schedules apply while one runs")
    return "\n".join(lines)
