"""What the daemon will do, for the ``trigger`` and ``sites`` commands: ask for crawls, and each
site's schedule with its last and next run. Plain data; the CLI formats it. No Scrapy here."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime, timezone

from crawler.config import Config
from crawler.cron import cron_trigger
from pipelines.archive import Archive
from pipelines.crawl_requests import CrawlRequests
from pipelines.locks import is_busy

TIMEZONE = timezone.utc
DAEMON_LOCK = "_daemon"  # a lock name no site can have (site names never start with "_")


@dataclass
class Requested:
    site: str
    added: bool  # False: one was already waiting
    crawling: bool  # the site is crawling now, so the request gives one more run after it


@dataclass
class SiteStatus:
    site: str
    schedule: str
    last_run: dict | None  # its newest crawl_runs row
    next_run: datetime | None  # the schedule's next slot (None: never)
    requested: bool  # a manual request is waiting


def daemon_running(db_path: str) -> bool:
    return os.path.exists(db_path) and is_busy(db_path, DAEMON_LOCK)


def request_crawl(config: Config, db_path: str, names: tuple[str, ...] | list[str]) -> list[Requested]:
    """Ask the running daemon (or the next one) to crawl the named sites now."""
    sites = list(dict.fromkeys(site.name for site in config.select(names)))
    archive = Archive.open(db_path, create=False)
    try:
        requests = CrawlRequests(archive.db)
        return [Requested(name, archive.retrying("requesting a crawl", lambda: requests.add(name)),
                          archive.ledger.is_running(name)) for name in sites]
    finally:
        archive.close()


def site_statuses(config: Config, db_path: str, now: datetime | None = None) -> list[SiteStatus]:
    """Every configured site with its schedule, last run and next run."""
    now = now or datetime.now(TIMEZONE)
    last: dict[str, dict] = {}
    requested: set[str] = set()
    if os.path.exists(db_path):
        writable = os.access(db_path, os.W_OK) and os.access(os.path.dirname(os.path.abspath(db_path)), os.W_OK)
        archive = Archive.open(db_path, readonly=not writable, create=False)
        try:
            last = {name: row for name in config.sites if (row := archive.ledger.latest(name))}
            requested = CrawlRequests(archive.db).waiting_sites()
        finally:
            archive.close()
    return [SiteStatus(name, site.schedule, last.get(name),
                       cron_trigger(site.schedule, TIMEZONE).get_next_fire_time(None, now), name in requested)
            for name, site in config.sites.items()]
