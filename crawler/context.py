"""What the spiders of one site's crawl share: the site, its run, the archive and the workers."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from crawler.config import Site
from pipelines.archive import Archive
from pipelines.extract import ExtractOptions, ExtractorPool


def extract_options(site: Site) -> ExtractOptions:
    """What extraction needs of a site's config (its domains, word floor and overrides)."""
    return ExtractOptions(site=site.name, domains=site.allowed_domains, min_words=site.min_words,
                          drop_selectors=site.drop_selectors, body_selector=site.body_selector)


FETCH_STATS = {"requests": "downloader/request_count", "pages": "response_received_count"}


def fetch_counts(stats: list[dict[str, Any]]) -> dict[str, int]:
    """The run's ``requests`` and ``pages`` from its spiders' Scrapy stats."""
    return {name: sum(int(s.get(key, 0)) for s in stats) for name, key in FETCH_STATS.items()}


@dataclass
class SiteRun:
    site: Site
    run_id: int
    archive: Archive
    pool: ExtractorPool
    requested: set[str] = field(default_factory=set)  # article URL keys requested in this run
    sitemaps: set[str] = field(default_factory=set)  # sitemaps followed in this run
    robots: dict = field(default_factory=dict)  # netloc -> parsed robots.txt, shared by the spiders
    blocked_streak: int = 0
    backed_off: bool = False  # the site keeps refusing us: leave it alone for the rest of the run
    crawler: Any = None  # the Scrapy crawler of the spider running now
    finished_stats: list[dict[str, Any]] = field(default_factory=list)  # stats of the spiders done
    warc: Any = None  # the process's pipelines.warc.WarcFiles, None when capture is off
    capture_discovery: bool = False  # capture homepages, feeds, sitemaps and robots.txt too
    captures: list[dict[str, Any]] = field(default_factory=list)  # discovery captures not yet saved
    not_saved: int = 0  # fetch results lost to a failed write (fetched again next run)
    save_error: str | None = None

    def spider_done(self, stats: dict[str, Any]) -> None:
        self.finished_stats.append(stats)
        self.crawler = None

    def fetched(self) -> dict[str, int]:
        """Requests sent and pages received so far in this run, over all its spiders."""
        current = [self.crawler.stats.get_stats()] if self.crawler is not None and self.crawler.stats else []
        return fetch_counts(self.finished_stats + current)

    def lost(self, results: int, error: str) -> None:
        self.not_saved += results
        self.save_error = error

    def note_answer(self, blocked: bool) -> bool:
        """Count a blocked or good answer; True once the site should be left alone."""
        self.blocked_streak = self.blocked_streak + 1 if blocked else 0
        if self.blocked_streak >= self.site.block_threshold:
            self.backed_off = True
        return self.backed_off

    @cached_property
    def extract_options(self) -> ExtractOptions:
        return extract_options(self.site)

    @property
    def budget_left(self) -> bool:
        return len(self.requested) < self.site.max_articles
