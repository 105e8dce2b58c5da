"""The daemon behind ``newsarchive run``: every site crawled on its own schedule, manual
triggers, and catch-up after downtime. Its parts live where they say: the child processes in
``crawler.launcher``, the config copy in ``crawler.snapshot``, the requests queue in
``pipelines.crawl_requests``, the run ledger in ``pipelines.ledger``.

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
- A daemon killed with ``kill -9`` leaves nothing behind: its crawl children stop by themselves
  (they watch their parent), and the next daemon settles their runs and serves every manual
  request the dead one had taken but not answered.
- With ``--broker`` (``crawler.cluster``), a crawl is a task on the broker's ``crawl`` queue
  instead of a child, run by a ``newsarchive worker`` host; the daemon waits for its result and
  settles the run as for a child. It also runs the archive writer, the one process that writes
  the archive for the workers, as a child it restarts if it dies. ``max_parallel`` does not apply
  (the workers' concurrency does).
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import sqlite3
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from apscheduler.events import EVENT_JOB_MAX_INSTANCES, JobSubmissionEvent
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from filelock import FileLock, Timeout

from crawler.config import Config, ConfigError, Site
from crawler.cron import cron_trigger
from crawler.launcher import Child, describe_exit, kill_group, spawn
from crawler.logs import emit, install_logging
from crawler.schedules import DAEMON_LOCK, TIMEZONE
from crawler.snapshot import SNAPSHOT_NAME, write_snapshot
from pipelines.archive import Archive, ArchiveError
from pipelines.crawl_requests import CrawlRequests
from pipelines.dates import utc_now
from pipelines.ledger import COUNTS, RunStatus
from pipelines.locks import is_busy, lock_dir, site_lock
from pipelines.transactions import writing

# Exit code of ``python -m crawler.runner`` when the site was busy (that module is not imported:
# it pulls in Scrapy).
EXIT_BUSY = 4
ISO = "%Y-%m-%dT%H:%M:%SZ"
REMOTE_POLL_SECONDS = 1.0  # how often the daemon asks the broker whether a queued crawl ended
REMOTE_STOP_MARGIN = 10.0  # seconds more a stopping daemon waits for workers to report
LOST_CHECK_SECONDS = 5.0  # how often the daemon looks for cluster runs whose worker died


# -- the daemon ---------------------------------------------------------------------------------


@dataclass
class _Run:
    """One crawl of one site by the daemon: queued, then a child process."""

    site: str
    trigger: str  # schedule, manual, catch-up
    requests: list[int] = field(default_factory=list)  # crawl_requests rows this run answers
    spawned: bool = False
    child: Child | None = None
    timed_out: bool = False
    limit: float = 0.0  # crawl_timeout when the crawl started
    stopped: bool = False  # stopped by the daemon's shutdown
    task: asyncio.Task | None = None
    task_id: str | None = None  # the crawl's task on the broker (``--broker``)
    worker: str | None = None  # the cluster worker that ran it


class Daemon:
    def __init__(self, config: Config, db_path: str, broker: str | None = None):
        self.config = config
        self.db_path = os.path.abspath(db_path)
        self.broker = broker  # crawls go to cluster workers through this broker
        self.dispatch = None  # crawler.cluster.dispatch.Dispatcher, with a broker
        self.writer: Child | None = None  # the archive writer process, with a broker
        self.snapshot = lock_dir(db_path) / SNAPSHOT_NAME
        self.runs: dict[str, _Run] = {}
        self.stopping = False
        self.active = 0
        self.archive: Archive | None = None
        self.requests: CrawlRequests | None = None
        self.scheduler: AsyncIOScheduler | None = None
        self._busy_noted: set[str] = set()
        self._stop = asyncio.Event()
        self._hurry = asyncio.Event()  # a second stop signal: do not wait for crawls to finish
        self._wake = asyncio.Event()  # look at crawl_requests now
        self._slots = asyncio.Condition()  # guards ``active`` against max_parallel
        self._writer_done = False
        self._next_lost_check = 0.0

    async def run(self) -> None:
        """Run until SIGTERM or SIGINT, then stop cleanly."""
        loop = asyncio.get_running_loop()
        lock = take_daemon_lock(self.db_path)
        try:
            self.archive = Archive.open(self.db_path)
            self.requests = CrawlRequests(self.archive.db)
            self.config = write_snapshot(self.config.path, self.snapshot)
            for signum in (signal.SIGTERM, signal.SIGINT):
                loop.add_signal_handler(signum, self._request_stop)
            loop.add_signal_handler(signal.SIGHUP, self._reload)
            self._recover()
            writer = await self._start_cluster() if self.broker else None
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
            if writer is not None:
                await self._stop_writer(writer)
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
        with writing(self.archive.db):
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
                if self._busy(run.site):
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
        async with self._slots:  # with a broker the workers' concurrency is the limit
            await self._slots.wait_for(lambda: self.stopping or self.broker is not None
                                       or self.active < self.config.daemon.max_parallel)
            if self.stopping:
                return False
            self.active += 1
            return True

    async def _crawl(self, run: _Run) -> None:
        if self.dispatch is not None:
            return await self._crawl_remote(run)
        daemon = self.config.daemon
        run.spawned, run.limit = True, daemon.crawl_timeout
        spawned_at = utc_now()
        started = time.monotonic()
        emit("run.start", site=run.site, trigger=run.trigger, requests=len(run.requests) or None)
        child = await spawn(run.site, str(self.snapshot), self.db_path, run.trigger)
        run.child = child
        if self.stopping:  # the daemon began to stop while this crawl was starting
            run.stopped = True
            child.terminate()
        if not await child.wait(daemon.crawl_timeout):
            run.timed_out = True
            emit("run.timeout", site=run.site, pid=child.pid, limit=daemon.crawl_timeout)
            await child.stop(daemon.grace_period)
        code = await child.reap()
        row = self._settle(run, code, spawned_at, child.pid, list(child.tail))
        seconds = round(time.monotonic() - started, 1)
        if row is None:
            emit("run.end", site=run.site, trigger=run.trigger, status="busy", seconds=seconds,
                 message="another process is crawling this site")
            return
        emit("run.end", site=run.site, run=row["id"], trigger=run.trigger, status=row["status"], seconds=seconds,
             **{k: row[k] for k in COUNTS}, message=row["message"])

    def _settle(self, run: _Run, code: int | None, spawned_at: str, pid: int | None, tail: list[str],
                row: dict | None = None, ended: str | None = None) -> dict | None:
        """Make the child's crawl_runs row tell what happened; link the requests it answered."""
        ledger = self.archive.ledger
        if row is None and run.worker is None:
            row = ledger.find(run.site, pid, spawned_at)
        if row is None and code == EXIT_BUSY:
            self._release_requests(run)
            return None
        status, reason = RunStatus.FAILED, None
        if run.timed_out:
            status, reason = RunStatus.TIMEOUT, f"stopped after the crawl_timeout of {run.limit:g} s"
        elif run.stopped:
            status, reason = RunStatus.INTERRUPTED, "stopped by the daemon's shutdown"
        where = f" on worker {run.worker}" if run.worker else ""
        ended = ended or f"crawl process{where} {describe_exit(code)}"
        if row is None:
            detail = f": {tail[-1]}" if tail else ""
            message = "; ".join(filter(None, [reason, f"{ended} before starting the run{detail}"]))
            row = ledger.record_unstarted(run.site, run.trigger, None if run.worker else pid, spawned_at, status,
                                          message, worker=run.worker)
        else:
            row = ledger.settle(row["id"], status, "; ".join(filter(None, [reason, ended])))
        if run.requests:
            if row["status"] == RunStatus.INTERRUPTED:
                self._release_requests(run)  # asked for but cut short: the next daemon crawls it
            else:
                self.requests.answer(run.requests, row["id"])
        return row

    async def _crawl_remote(self, run: _Run) -> None:
        """The crawl as a task on the ``crawl`` queue: wait for a worker to run it, then settle."""
        daemon = self.config.daemon
        run.spawned, run.limit = True, daemon.crawl_timeout
        spawned_at = utc_now()
        started = time.monotonic()
        loop = asyncio.get_running_loop()
        run.task_id = await loop.run_in_executor(None, self.dispatch.submit, run.site, run.trigger,
                                                 self.snapshot.read_text(encoding="utf-8"), daemon.crawl_timeout,
                                                 daemon.grace_period)
        emit("run.queued", site=run.site, trigger=run.trigger, task=run.task_id, requests=len(run.requests) or None)
        while True:
            try:
                ended = await loop.run_in_executor(None, self.dispatch.poll, run.task_id)
            except Exception as exc:  # the broker is away: keep waiting, the task is safe there
                emit("broker.error", site=run.site, message=f"{type(exc).__name__}: {exc}"[:300])
                ended = None
            if ended is not None:
                break
            await asyncio.sleep(REMOTE_POLL_SECONDS)
        report = ended.result or {}
        run.worker = report.get("worker") or "unknown"
        run.timed_out, run.stopped = bool(report.get("timed_out")), bool(report.get("stopped")) or run.stopped
        seconds = round(time.monotonic() - started, 1)
        if report.get("busy") or report.get("not_started"):
            self._release_requests(run)
            emit("run.end", site=run.site, trigger=run.trigger, worker=run.worker,
                 status="busy" if report.get("busy") else "not-started", seconds=seconds, message=report.get("message"))
            return
        row = self.archive.ledger.get(report["run_id"]) if report.get("run_id") else None
        code = report.get("code")
        failure = f"crawl task failed on the worker: {ended.error}" if ended.error else None
        row = self._settle(run, code, spawned_at, report.get("pid"), list(report.get("tail") or []), row, failure)
        emit("run.end", site=run.site, run=row["id"], trigger=run.trigger, worker=run.worker, status=row["status"],
             seconds=seconds, **{k: row[k] for k in COUNTS}, message=row["message"])

    async def _start_cluster(self) -> asyncio.Task:
        from crawler.cluster.dispatch import Dispatcher

        self.dispatch = Dispatcher(self.broker)
        self.dispatch.check(self.config.daemon.crawl_timeout, self.config.daemon.grace_period)
        return asyncio.create_task(self._keep_writer())

    async def _keep_writer(self) -> None:
        """The archive writer runs as long as the daemon; one that dies is started again."""
        from crawler.cluster.dispatch import WRITER_RESTART_DELAY, spawn_writer

        while True:
            self.writer = await spawn_writer(self.db_path, self.broker)
            emit("writer.spawned", pid=self.writer.pid)
            code = await self.writer.reap()
            if self._writer_done:
                return
            emit("writer.died", pid=self.writer.pid, message=f"archive writer {describe_exit(code)}; restarting",
                 tail=self.writer.tail[-1] if self.writer.tail else None)
            await asyncio.sleep(WRITER_RESTART_DELAY)

    async def _stop_writer(self, keeper: asyncio.Task) -> None:
        self._writer_done = True
        if self.writer is not None and self.writer.proc.returncode is None:
            await self.writer.stop(self.config.daemon.grace_period)
        try:
            await asyncio.wait_for(keeper, self.config.daemon.grace_period + 5)
        except (TimeoutError, asyncio.CancelledError):
            keeper.cancel()

    def _release_requests(self, run: _Run) -> None:
        self.requests.release(run.requests)
        run.requests = []

    def _recover(self) -> None:
        """What a daemon that died left behind: runs still 'running' whose crawl process is gone
        (settled as failed when the archive opened), and manual requests it took but never ran
        (handed back, so they are served now)."""
        for row in self.archive.settled:
            emit("run.recovered", site=row["site"], run=row["id"], status=row["status"], message=row["message"])
        released = self.requests.recover()
        if released:
            emit("requests.recovered", requests=len(released),
                 message="manual requests a previous daemon took but never ran are served now")

    def _busy(self, site: str) -> bool:
        """Another process crawls ``site``: a local crawl (its file lock), or a cluster worker."""
        return is_busy(self.db_path, site) or (self.dispatch is not None and self.dispatch.lock_held(site) is True)

    # -- manual triggers ------------------------------------------------------------------------

    async def _poll(self) -> None:
        while not self.stopping:
            try:
                self._take_requests()
            except sqlite3.Error as exc:
                emit("requests.error", message=str(exc))
            if self.dispatch is not None and time.monotonic() >= self._next_lost_check:
                self._next_lost_check = time.monotonic() + LOST_CHECK_SECONDS
                try:
                    self._settle_lost_workers()
                except sqlite3.Error as exc:
                    emit("runs.error", message=str(exc))
            try:
                await asyncio.wait_for(self._wake.wait(), self.config.daemon.poll_interval)
            except TimeoutError:
                pass
            self._wake.clear()

    def _settle_lost_workers(self) -> None:
        """Runs on cluster workers still ``running`` whose site lock has expired: their worker died
        (a live crawl's worker renews the lock, and finishes its run before letting it go)."""
        for row in self.archive.ledger.running_on_workers():
            held = self.dispatch.lock_held(row["site"])
            if held is False:  # None: the broker did not answer, so nothing is known
                for settled in self.archive.ledger.settle_lost(
                        row["site"], row["id"] + 1, "its site lock expired (the host died or lost the broker)"):
                    emit("run.recovered", site=settled["site"], run=settled["id"], status=settled["status"],
                         message=settled["message"])

    def _take_requests(self) -> None:
        for site, ids in self.requests.pending().items():
            if site not in self.config.sites:
                self.requests.take(ids)
                emit("request.dropped", site=site, message="site is not in the config")
                continue
            current = self.runs.get(site)
            if current is not None:
                if not current.spawned:  # still queued: this request rides along
                    self.requests.take(ids)
                    current.requests += ids
                continue  # crawling: one more run once it ends
            if self._busy(site):
                if site not in self._busy_noted:
                    self._busy_noted.add(site)
                    emit("request.waiting", site=site, message="another process is crawling this site")
                continue
            self._busy_noted.discard(site)
            self.requests.take(ids)
            self._start(site, "manual", ids)

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
                if run.child is not None and run.child.proc.returncode is None:
                    run.stopped = True
                    run.child.terminate()
                elif run.task_id is not None and not run.task.done():
                    run.stopped = True  # the worker stops it (or never starts it)
                    self.dispatch.stop(run.task_id)
            await asyncio.wait([all_done], timeout=grace + (REMOTE_STOP_MARGIN if self.broker else 0))
            for run in runs:
                if run.child is not None and run.child.proc.returncode is None:
                    kill_group(run.child.pid)
                elif run.task is not None and not run.task.done():
                    run.task.cancel()  # a worker that does not answer: its run is settled when the site runs again
                    emit("run.abandoned", site=run.site, task=run.task_id,
                         message="no answer from its worker; the next run of the site settles it")
            await asyncio.gather(*tasks, return_exceptions=True)
        emit("daemon.stop")


def run_daemon(config: Config, db_path: str, broker: str | None = None) -> None:
    """Run the daemon for ``config`` (re-read from its file) on the archive at ``db_path``; with a
    ``broker``, crawls run on cluster workers (``crawler.cluster``)."""
    install_logging("WARNING")
    logging.getLogger("apscheduler").setLevel(logging.ERROR)  # skipped slots are logged as run.skipped
    asyncio.run(Daemon(config, db_path, broker).run())


def take_daemon_lock(db_path: str) -> FileLock:
    lock = site_lock(db_path, DAEMON_LOCK)
    try:
        lock.acquire(timeout=1)  # `trigger` and `sites` probe this lock for an instant
    except Timeout:
        raise ArchiveError(f"{db_path}: another `newsarchive run` daemon is using this archive") from None
    return lock


def last_slot(archive: Archive, site: str) -> datetime | None:
    row = archive.db.execute("SELECT last_slot FROM schedule_state WHERE site = ?", [site]).fetchone()
    return datetime.fromisoformat(row[0]) if row and row[0] else None
