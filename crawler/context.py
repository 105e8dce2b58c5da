"""What the spiders of one site's crawl share: the site, its run, the archive and the workers."""

from __future__ import annotations

from dataclasses import dataclass, field

from crawler.config import Site
from pipelines.archive import Archive
from pipelines.extract import ExtractOptions, ExtractorPool


@dataclass
class SiteRun:
    site: Site
    run_id: int
    archive: Archive
    pool: ExtractorPool
    requested: set[str] = field(default_factory=set)  # URL keys requested in this run

    @property
    def extract_options(self) -> ExtractOptions:
        site = self.site
        return ExtractOptions(site=site.name, domains=site.allowed_domains, min_words=site.min_words,
                              drop_selectors=site.drop_selectors, body_selector=site.body_selector)

    @property
    def budget_left(self) -> bool:
        return len(self.requested) < self.site.max_articles
