"""Run crawls: each named site through every discovery spider, into one archive.

``crawl_sites`` runs in the calling process (``newsarchive crawl``). The daemon starts
``python -m crawler.runner`` as a child per crawl instead, because Scrapy's reactor cannot restart
inside one process and a child isolates crashes and memory.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import signal
import sys
import time
from dataclasses import dataclass, field
from typing import Any

from crawler.config import Config, ConfigError, Site, load_config
from crawler.context import SiteRun
from crawler.logs import emit
from pipelines.archive import Archive, ArchiveError
from pipelines.extract import ExtractorPool
from pipelines.health import run_health
from pipelines.locks import SiteBusy, acquire

STAT_FOR_COUNT = {
    "requests": ("downloader/request_count",),
    "pages": ("response_received_count",),
    "new_articles": ("newsarchive/outcome/new",),
    "duplicates": ("newsarchive/outcome/duplicate",),
    "not_articles": ("newsarchive/outcome/not-article",),
    "errors": ("newsarchive/outcome/error",),
    "blocked": ("newsarchive/outcome/blocked",),
    "skipped": ("newsarchive/outcome/skipped",),
}
PROGRESS_SECONDS = 10.0


@dataclass
class RunSummary:
    site: str
    run_id: int | None
    status: str  # ok, failed, interrupted, busy
    counts: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    message: str | None = None
    health: dict[str, Any] = field(default_factory=dict)  # pipelines.health.run_health


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


def counts_from_stats(stats: list[dict[str, Any]]) -> dict[str, int]:
    return {name: sum(int(s.get(key, 0)) for s in stats for key in keys)
            for name, keys in STAT_FOR_COUNT.items()}


def _one_line(record: logging.LogRecord) -> bool:
    record.exc_info, record.exc_text = None, None
    return True


class CrawlJob:
    """Crawls a list of sites in one process (parallel across sites, spiders in turn per site)."""

    def __init__(self, sites: list[Site], archive: Archive, db_path: str, *, trigger: str = "manual",
                 workers: int | None = None, max_sites: int = 8, log_level: str = "WARNING"):
        self.sites = sites
        self.archive = archive
        self.db_path = db_path
        self.trigger = trigger
        self.pool = ExtractorPool(workers)
        self.max_sites = max_sites
        self.log_level = log_level
        self.runner = None
        self.stopping = False
        self.active: dict[str, tuple[SiteRun, list]] = {}

    def run(self) -> list[RunSummary]:
        """Install the reactor, crawl, return one summary per site."""
        from scrapy.utils.log import configure_logging
        from scrapy.utils.reactor import install_reactor

        install_reactor("twisted.internet.asyncioreactor.AsyncioSelectorReactor")
        from twisted.internet import defer, reactor

        configure_logging({"LOG_LEVEL": self.log_level, "LOG_FORMAT": "%(asctime)s %(name)s %(levelname)s: %(message)s"})
        # an unreachable robots.txt is one line, not a traceback (the page requests record the cause)
        logging.getLogger("scrapy.downloadermiddlewares.robotstxt").addFilter(_one_line)
        results: list[RunSummary] = []

        def done(value):
            if isinstance(value, list):
                results.extend(value)
            elif hasattr(value, "printTraceback"):
                value.printTraceback(file=sys.stderr)
            reactor.stop()

        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda *_: reactor.callFromThread(self.stop))
        d = defer.Deferred.fromFuture(asyncio.ensure_future(self._main()))
        d.addBoth(done)
        reactor.run(installSignalHandlers=False)
        self.pool.close()
        return results

    def stop(self) -> None:
        """Stop all crawls gracefully: pending items are flushed, runs are marked interrupted."""
        if self.stopping:
            return
        self.stopping = True
        emit("crawl.stopping", sites=",".join(self.active) or None)
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
        progress = asyncio.ensure_future(self._progress())

        async def one(site: Site) -> RunSummary:
            async with limit:
                return await self._crawl_site(site, settings)

        try:
            return list(await asyncio.gather(*(one(site) for site in self.sites)))
        finally:
            progress.cancel()

    async def _crawl_site(self, site: Site, base_settings) -> RunSummary:
        from scrapy.crawler import Crawler

        from crawler.spiders import DISCOVERY

        started = time.monotonic()
        if self.stopping:
            return RunSummary(site.name, None, "interrupted", message="not started: stopping")
        try:
            lock = acquire(self.db_path, site.name)
        except SiteBusy as exc:
            emit("crawl.busy", site=site.name, message=str(exc))
            return RunSummary(site.name, None, "busy", message=str(exc))
        try:
            run_id = self.archive.start_run(site.name, self.trigger)
            context = SiteRun(site=site, run_id=run_id, archive=self.archive, pool=self.pool)
            stats: list[dict[str, Any]] = []
            self.active[site.name] = (context, stats)
            emit("crawl.start", site=site.name, run=run_id, trigger=self.trigger)
            status, message = "ok", None
            try:
                for spidercls in DISCOVERY:
                    if self.stopping or context.backed_off:
                        break
                    settings = base_settings.copy()
                    settings.setdict(site_settings(site), priority="spider")
                    crawler = Crawler(spidercls, settings)
                    await self.runner.crawl(crawler, run=context)
                    stats.append(crawler.stats.get_stats())
            except Exception as exc:  # a broken crawl is recorded, the other sites go on
                status, message = "failed", f"{type(exc).__name__}: {exc}"[:500]
            if self.stopping and status == "ok":
                status, message = "interrupted", "stopped by signal"
            elif context.backed_off and status == "ok":
                message = "site refused us repeatedly (blocked); backed off for the rest of the run"
            counts = counts_from_stats(stats)
            if status == "ok" and counts["pages"] == 0 and counts["errors"]:
                status, message = "failed", "no page of the site could be fetched (see failed_urls)"
            self.archive.finish_run(run_id, status, counts, message)
            health = run_health(self.archive.db, run_id, site.name)
            summary = RunSummary(site.name, run_id, status, counts, time.monotonic() - started, message, health)
            emit("crawl.end", site=site.name, run=run_id, status=status, seconds=round(summary.seconds, 1),
                 **counts, message=message)
            return summary
        finally:
            self.active.pop(site.name, None)
            lock.release()

    async def _progress(self) -> None:
        while True:
            await asyncio.sleep(PROGRESS_SECONDS)
            for name, (context, stats) in list(self.active.items()):
                current = [c.stats.get_stats() for c in self.runner.crawlers
                           if getattr(c.spider, "run", None) is context]
                counts = counts_from_stats(stats + current)
                emit("crawl.progress", site=name, pages=counts["pages"], new=counts["new_articles"],
                     errors=counts["errors"])


def crawl_sites(config: Config, names: list[str] | tuple[str, ...], db_path: str, *, trigger: str = "manual",
                workers: int | None = None, log_level: str = "WARNING") -> list[RunSummary]:
    """Crawl the named sites (all when none) into the archive at ``db_path``."""
    sites = config.select(names)
    archive = Archive.open(db_path)
    try:
        job = CrawlJob(sites, archive, db_path, trigger=trigger, workers=workers,
                       max_sites=32, log_level=log_level)
        return job.run()
    finally:
        archive.close()


EXIT_OK, EXIT_CONFIG, EXIT_FAILED, EXIT_BUSY, EXIT_INTERRUPTED = 0, 2, 3, 4, 5


def main(argv: list[str] | None = None) -> int:
    """Child-process entry point used by the daemon: ``python -m crawler.runner SITE``."""
    parser = argparse.ArgumentParser(prog="python -m crawler.runner")
    parser.add_argument("sites", nargs="+")
    parser.add_argument("--config", required=True)
    parser.add_argument("--db", required=True)
    parser.add_argument("--trigger", default="schedule")
    parser.add_argument("--workers", type=int, default=None)
    args = parser.parse_args(argv)
    try:
        config = load_config(args.config)
        summaries = crawl_sites(config, args.sites, args.db, trigger=args.trigger, workers=args.workers)
    except (ConfigError, ArchiveError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    statuses = {s.status for s in summaries}
    if "interrupted" in statuses:
        return EXIT_INTERRUPTED
    if "failed" in statuses:
        return EXIT_FAILED
    if statuses == {"busy"}:
        return EXIT_BUSY
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
