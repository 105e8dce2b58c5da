"""Run crawls: each named site through every discovery spider, into one archive.

``crawl_sites`` runs in the calling process (``newsarchive crawl``). The daemon starts
``python -m crawler.runner`` as a child per crawl instead, because Scrapy's reactor cannot restart
inside one process and a child isolates crashes and memory.

A crawl always ends: a failure of one site (a bug, a locked or broken archive) fails that site's
run and the others go on; a closed output pipe never stops it; SIGTERM or SIGINT stops it cleanly
(runs ``interrupted``), and if that takes longer than ``STOP_DEADLINE`` seconds, or a second
signal comes, the process records its runs as interrupted and exits at once. A child of the daemon
also stops when the daemon dies (``PR_SET_PDEATHSIG`` on Linux, and a parent check everywhere).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import signal
import sqlite3
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from crawler.cluster import ClusterUnavailable
from crawler.config import Config, ConfigError, Site, load_config
from crawler.context import SiteRun
from crawler.launcher import PARENT_GONE_SIGNAL, die_with_parent
from crawler.logs import emit, install_logging
from pipelines.archive import Archive, ArchiveError
from pipelines.extract import ExtractorPool
from pipelines.ledger import COUNTS, RunStatus
from pipelines.locks import SiteBusy, acquire
from pipelines.schema import software_version
from pipelines.warc import WarcFiles, recover

PROGRESS_SECONDS = 10.0
PARENT_CHECK_SECONDS = 1.0
STOP_DEADLINE = 30.0  # seconds a signalled crawl gets to stop cleanly before it exits hard
BUSY = "busy"  # a summary status that is not a run: another process holds the site

# Exit codes of a crawl (``newsarchive crawl`` and ``python -m crawler.runner``)
EXIT_OK, EXIT_ERROR, EXIT_CONFIG, EXIT_FAILED, EXIT_BUSY = 0, 1, 2, 3, 4
EXIT_SIGNAL_BASE = 128  # + the signal's number: 130 for SIGINT, 143 for SIGTERM

# When every site failed for the same reason, the likely cause to tell the user.
COMMON_CAUSES = {
    "dns": "DNS lookup failed for every site: is this machine online?",
    "connection-refused": "every site refused the connection: is this machine online (or behind a proxy)?",
    "timeout": "every site timed out: is this machine online (or behind a proxy)?",
}


@dataclass
class RunSummary:
    site: str
    run_id: int | None
    status: str  # a RunStatus, or "busy"
    counts: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    message: str | None = None
    health: dict[str, Any] = field(default_factory=dict)  # pipelines.health.run_health


@dataclass
class CrawlResult:
    summaries: list[RunSummary]
    signal: int | None = None  # the signal that stopped the crawl
    cause: str | None = None  # when every site failed: the common cause
    error: str | None = None  # the crawl itself broke (a bug): one line

    @property
    def exit_code(self) -> int:
        if self.signal:
            return EXIT_SIGNAL_BASE + self.signal
        statuses = {s.status for s in self.summaries}
        if self.error or statuses & {RunStatus.FAILED, RunStatus.TIMEOUT, RunStatus.INTERRUPTED}:
            return EXIT_FAILED
        if statuses == {BUSY}:
            return EXIT_BUSY
        return EXIT_OK


def site_settings(site: Site) -> dict[str, Any]:
    """Per-site Scrapy settings from the site's config (politeness, limits, identity)."""
    return {
        "USER_AGENT": site.user_agent,
        # one crawler crawls one site: its global limit is the site's, so requests wait in the
        # scheduler (where a back-off can still drop them), not in the downloader
        "CONCURRENT_REQUESTS": site.concurrency,
        "CONCURRENT_REQUESTS_PER_DOMAIN": site.concurrency,
        "CONCURRENT_REQUESTS_PER_IP": 0,
        "DOWNLOAD_DELAY": site.delay,
        "AUTOTHROTTLE_ENABLED": site.autothrottle,
        "AUTOTHROTTLE_START_DELAY": max(site.delay, 0.1),
        "DOWNLOAD_TIMEOUT": site.timeout,
        "DOWNLOAD_MAXSIZE": site.max_bytes,
        "RETRY_TIMES": site.retries,
    }


def _one_line(record: logging.LogRecord) -> bool:
    record.exc_info, record.exc_text = None, None
    return True


def _one_line_error(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"[:500]


class LocalAccess:
    """How a crawl on the archive's own host reaches it: the file, and the site locks beside it."""

    def __init__(self, db_path: str):
        self.db_path = db_path

    def open(self) -> Archive:
        return Archive.open(self.db_path)

    def lock(self, site: str):
        """Hold ``site`` for this process; SiteBusy when another process crawls it."""
        return acquire(self.db_path, site)


class CrawlJob:
    """Crawls a list of sites in one process (parallel across sites, spiders in turn per site).
    ``archive`` is an ``Archive`` (or, on a cluster worker, a ``crawler.cluster.remote.RemoteArchive``);
    ``access`` opens another connection to it and takes site locks."""

    def __init__(self, sites: list[Site], archive: Archive, access: LocalAccess, *, trigger: str = "manual",
                 workers: int | None = None, max_sites: int = 8, log_level: str = "WARNING",
                 parent: int | None = None, warc: WarcFiles | None = None, capture_discovery: bool = False):
        self.sites = sites
        self.archive = archive
        self.access = access
        self.trigger = trigger
        self.pool = ExtractorPool(workers)
        self.max_sites = max_sites
        self.log_level = log_level
        self.parent = parent  # the daemon's pid: stop when it is gone
        self.parent_role = "daemon" if isinstance(access, LocalAccess) else "worker"
        self.warc = warc  # the one WARC writer of this process
        self.capture_discovery = capture_discovery
        self.runner = None
        self.stopping = False
        self.stop_reason = "stopped by signal"
        self.signal: int | None = None
        self.active: dict[str, SiteRun] = {}

    def run(self) -> CrawlResult:
        """Install the reactor, crawl, return one summary per site."""
        from scrapy.utils.log import configure_logging
        from scrapy.utils.reactor import install_reactor
        from twisted.python.failure import Failure

        install_reactor("twisted.internet.asyncioreactor.AsyncioSelectorReactor")
        from twisted.internet import defer, reactor

        configure_logging({"LOG_LEVEL": self.log_level, "LOG_INSTALL_ROOT_HANDLER": False})
        install_logging(self.log_level)
        # an unreachable robots.txt is one line, not a traceback (the page requests record the cause)
        logging.getLogger("scrapy.downloadermiddlewares.robotstxt").addFilter(_one_line)
        self.archive.on_busy = lambda what, attempt, wait: emit(
            "archive.busy", what=what, attempt=attempt, retry_in=wait,
            message="the archive is locked by another process's write; trying again")
        result = CrawlResult([])

        def done(value: Any) -> None:
            try:
                if isinstance(value, Failure):
                    result.error = _one_line_error(value.value)
                    emit("crawl.error", message=result.error)
                else:
                    result.summaries.extend(value)
            finally:
                reactor.stop()

        for signum in (signal.SIGTERM, signal.SIGINT, PARENT_GONE_SIGNAL):
            signal.signal(signum, self._on_signal)
        d = defer.Deferred.fromFuture(asyncio.ensure_future(self._main()))
        d.addBoth(done)
        reactor.run(installSignalHandlers=False)
        self.pool.close()
        result.signal = self.signal
        result.cause = common_cause(self.archive, result.summaries)
        return result

    def _on_signal(self, signum: int, frame: Any) -> None:
        from twisted.internet import reactor

        orphaned = signum == PARENT_GONE_SIGNAL or (bool(self.parent) and os.getppid() != self.parent)
        if self.signal is not None:
            if orphaned:  # the daemon's death signals once per thread that exits; the deadline still holds
                return
            self._exit_now("a second signal")  # someone insists: do not wait any longer
        self.signal = signal.SIGTERM if signum == PARENT_GONE_SIGNAL else signum
        timer = threading.Timer(STOP_DEADLINE, self._exit_now, args=[f"not stopped within {STOP_DEADLINE:g} s"])
        timer.daemon = True
        timer.start()
        reason = f"stopped by {signal.Signals(signum).name}"
        if orphaned:  # PR_SET_PDEATHSIG: the daemon died
            reason = f"the {self.parent_role} that started this crawl is gone"
        reactor.callFromThread(self.stop, reason)

    def _exit_now(self, why: str) -> None:
        """Record the active runs as interrupted (on a connection of this thread) and exit."""
        try:
            archive = self.access.open()
            try:
                for context in list(self.active.values()):
                    archive.finish_run(context.run_id, RunStatus.INTERRUPTED,
                                       message=f"{self.stop_reason}; exited hard ({why})")
            finally:
                archive.close()
        except Exception:  # exiting matters more than the ledger; the next opener settles it
            pass
        emit("crawl.exit", reason=why)
        os._exit(EXIT_SIGNAL_BASE + (self.signal or signal.SIGTERM))

    def stop(self, reason: str = "stopped by signal") -> None:
        """Stop all crawls gracefully: pending items are flushed, runs are marked interrupted."""
        if self.stopping:
            return
        self.stopping = True
        self.stop_reason = reason
        emit("crawl.stopping", sites=",".join(self.active) or None, reason=reason)
        if self.runner is not None:
            asyncio.ensure_future(self.runner.stop())

    async def _main(self) -> list[RunSummary]:
        from scrapy.crawler import AsyncCrawlerRunner
        from scrapy.settings import Settings

        settings = Settings()
        settings.setmodule("crawler.settings", priority="project")
        settings.set("LOG_LEVEL", self.log_level)
        self.runner = AsyncCrawlerRunner(settings)
        self.pool.start()
        limit = asyncio.Semaphore(self.max_sites)
        watchers = [asyncio.ensure_future(self._progress())]
        if self.parent:
            watchers.append(asyncio.ensure_future(self._watch_parent()))

        async def one(site: Site) -> RunSummary:
            async with limit:
                return await self._crawl_site(site, settings)

        try:
            return list(await asyncio.gather(*(one(site) for site in self.sites)))
        finally:
            for watcher in watchers:
                watcher.cancel()

    async def _crawl_site(self, site: Site, base_settings) -> RunSummary:
        started = time.monotonic()
        if self.stopping:
            return RunSummary(site.name, None, RunStatus.INTERRUPTED, message=f"not started: {self.stop_reason}")
        try:
            lock = self.access.lock(site.name)
        except SiteBusy as exc:
            emit("crawl.busy", site=site.name, message=str(exc))
            return RunSummary(site.name, None, BUSY, message=str(exc))
        try:
            return await self._crawl_locked(site, base_settings, started)
        except (ArchiveError, sqlite3.Error) as exc:  # this site's run could not be recorded
            message = str(exc) if isinstance(exc, ArchiveError) else f"archive error: {exc}"
            emit("crawl.end", site=site.name, status=RunStatus.FAILED.value, message=message)
            return RunSummary(site.name, None, RunStatus.FAILED, seconds=time.monotonic() - started, message=message)
        except Exception as exc:  # a bug in one site's crawl: that site fails, the others go on
            message = f"crawl broke: {_one_line_error(exc)}"
            emit("crawl.end", site=site.name, status=RunStatus.FAILED.value, message=message)
            return RunSummary(site.name, None, RunStatus.FAILED, seconds=time.monotonic() - started, message=message)
        finally:
            lock.release()

    async def _crawl_locked(self, site: Site, base_settings, started: float) -> RunSummary:
        from scrapy.crawler import Crawler

        from crawler.spiders import DISCOVERY

        run_id = self.archive.start_run(site.name, self.trigger)
        context = SiteRun(site=site, run_id=run_id, archive=self.archive, pool=self.pool, warc=self.warc,
                          capture_discovery=self.capture_discovery)
        self.active[site.name] = context
        emit("crawl.start", site=site.name, run=run_id, trigger=self.trigger)
        status, message = RunStatus.OK, None
        try:
            for spidercls in DISCOVERY:
                if self.stopping or context.backed_off:
                    break
                settings = base_settings.copy()
                settings.setdict(site_settings(site), priority="spider")
                crawler = Crawler(spidercls, settings)
                context.crawler = crawler
                await self.runner.crawl(crawler, run=context)
                context.spider_done(crawler.stats.get_stats())
        except Exception as exc:  # a broken crawl is recorded, the other sites go on
            status, message = RunStatus.FAILED, _one_line_error(exc)
        finally:
            self.active.pop(site.name, None)
        fetched = context.fetched()
        counts = {**{k: self.archive.run(run_id)[k] or 0 for k in COUNTS}, **fetched}
        if context.not_saved:
            status = RunStatus.FAILED
            message = (f"{context.not_saved} fetched pages could not be saved ({context.save_error}); "
                       "the next run fetches them again")
        elif self.stopping and status == RunStatus.OK:
            status, message = RunStatus.INTERRUPTED, self.stop_reason
        elif context.backed_off and status == RunStatus.OK:
            message = "site refused us repeatedly (blocked); backed off for the rest of the run"
        if status == RunStatus.OK and counts["pages"] == 0 and counts["errors"]:
            status, message = RunStatus.FAILED, "no page of the site could be fetched (see failed_urls)"
        row = self.archive.finish_run(run_id, status, fetched, message)
        counts = {k: row[k] or 0 for k in COUNTS}
        try:
            health = self.archive.health(run_id, site.name)
        except (ArchiveError, sqlite3.Error) as exc:
            health = {}
            emit("health.error", site=site.name, run=run_id, message=str(exc))
        summary = RunSummary(site.name, run_id, status, counts, time.monotonic() - started, message, health)
        emit("crawl.end", site=site.name, run=run_id, status=status.value, seconds=round(summary.seconds, 1),
             **counts, message=message)
        return summary

    async def _progress(self) -> None:
        while True:
            await asyncio.sleep(PROGRESS_SECONDS)
            for name, context in list(self.active.items()):
                counts = context.fetched()
                emit("crawl.progress", site=name, pages=counts["pages"], requests=counts["requests"])

    async def _watch_parent(self) -> None:
        while os.getppid() == self.parent:
            await asyncio.sleep(PARENT_CHECK_SECONDS)
        self.stop(f"the {self.parent_role} that started this crawl is gone")


def common_cause(archive: Archive, summaries: list[RunSummary]) -> str | None:
    """When every site's run failed, what they have in common, said so that a user can act."""
    failed = [s for s in summaries if s.status == RunStatus.FAILED]
    if not failed or len(failed) != len(summaries):
        return None
    messages = {s.message for s in failed}
    if len(failed) > 1 and len(messages) == 1 and None not in messages and "failed_urls" not in next(iter(messages)):
        return f"every site failed: {next(iter(messages))}"
    run_ids = [s.run_id for s in failed if s.run_id is not None]
    if len(run_ids) != len(failed):
        return None
    try:
        top = archive.failure_reasons(run_ids)
    except (ArchiveError, sqlite3.Error):
        return None
    reasons = set(top.values())
    if len(top) == len(run_ids) and len(reasons) == 1:
        reason = reasons.pop()
        return COMMON_CAUSES.get(reason, f"every site failed with {reason} (see failed_urls)")
    return None


def crawl_sites(config: Config, names: list[str] | tuple[str, ...], db_path: str, *, trigger: str = "manual",
                workers: int | None = None, log_level: str = "WARNING", parent: int | None = None) -> CrawlResult:
    """Crawl the named sites (all when none) into the archive at ``db_path``."""
    sites = config.select(names)
    if not sites:
        raise ConfigError(config.path, "no sites configured: add a [sites.NAME] table with url = \"...\"")
    archive = Archive.open(db_path)
    for row in archive.settled:
        emit("run.recovered", site=row["site"], run=row["id"], status=row["status"], message=row["message"])
    warc = warc_files(config, db_path)
    try:
        job = CrawlJob(sites, archive, LocalAccess(db_path), trigger=trigger, workers=workers,
                       max_sites=32, log_level=log_level, parent=parent, warc=warc,
                       capture_discovery=config.warc.discovery)
        return job.run()
    finally:
        if warc is not None:
            warc.close()
        archive.close()


def crawl_on_worker(config: Config, names: list[str] | tuple[str, ...], broker: str, worker: str, *,
                    trigger: str = "manual", workers: int | None = None, log_level: str = "WARNING",
                    parent: int | None = None) -> CrawlResult:
    """Crawl the named sites on a cluster worker: the archive is reached only through the
    broker (``crawler.cluster.remote``); WARC files go to the working directory, named after
    the worker."""
    from crawler.cluster.app import make_app
    from crawler.cluster.remote import RemoteAccess

    sites = config.select(names)
    if not sites:
        raise ConfigError(config.path, "no sites configured: add a [sites.NAME] table with url = \"...\"")
    access = RemoteAccess(make_app(broker), worker, captures=config.warc.enabled)
    warc = warc_files(config, os.path.join(os.getcwd(), "archive.db"), worker=worker)
    try:
        job = CrawlJob(sites, access.open(), access, trigger=trigger, workers=workers, max_sites=32,
                       log_level=log_level, parent=parent, warc=warc, capture_discovery=config.warc.discovery)
        return job.run()
    finally:
        if warc is not None:
            warc.close()


def warc_files(config: Config, db_path: str, worker: str | None = None) -> WarcFiles | None:
    """This process's WARC writer (None when ``[warc] enabled = false``), after closing off the
    files a killed crawl left open. On a cluster worker the files carry the worker's name, so the
    files of all hosts can be gathered in one folder."""
    if not config.warc.enabled:
        return None
    folder = Path(config.warc.folder(db_path))
    for path in recover(folder):
        emit("warc.recovered", file=path.name, message="closed off a WARC file a killed crawl left open")
    info = {"software": f"newsarchive/{software_version()}", "format": "WARC File Format 1.1",
            "conformsTo": "https://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/",
            "isPartOf": Path(db_path).name, "robots": "obey", "config": os.path.abspath(config.path),
            "config-sha256": _file_digest(config.path)}
    prefix = f"{config.warc.prefix}-{worker}" if worker else config.warc.prefix
    return WarcFiles(folder, prefix=prefix, max_size=config.warc.max_size, info=info)


def _file_digest(path: str) -> str:
    import hashlib

    try:
        return hashlib.sha256(Path(path).read_bytes()).hexdigest()
    except OSError:
        return ""


def main(argv: list[str] | None = None) -> int:
    """Child-process entry point used by the daemon: ``python -m crawler.runner SITE``."""
    parser = argparse.ArgumentParser(prog="python -m crawler.runner")
    parser.add_argument("sites", nargs="+")
    parser.add_argument("--config", required=True)
    parser.add_argument("--db", help="the archive file (a local crawl)")
    parser.add_argument("--broker", help="a cluster crawl: reach the archive through this broker")
    parser.add_argument("--worker", help="the cluster worker's name (with --broker)")
    parser.add_argument("--trigger", default="schedule")
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--parent", type=int, default=None, help="stop when this process (the daemon) ends")
    args = parser.parse_args(argv)
    if not args.db and not args.broker:
        parser.error("one of --db or --broker is required")
    if args.parent and not die_with_parent(args.parent, PARENT_GONE_SIGNAL):
        return EXIT_SIGNAL_BASE + signal.SIGTERM
    try:
        config = load_config(args.config)
        if args.broker:
            result = crawl_on_worker(config, args.sites, args.broker, args.worker or "worker", trigger=args.trigger,
                                     workers=args.workers, parent=args.parent)
        else:
            result = crawl_sites(config, args.sites, args.db, trigger=args.trigger, workers=args.workers,
                                 parent=args.parent)
    except (ConfigError, ArchiveError, ClusterUnavailable) as exc:
        emit("crawl.error", message=str(exc))
        return EXIT_CONFIG
    return result.exit_code


if __name__ == "__main__":
    sys.exit(main())
