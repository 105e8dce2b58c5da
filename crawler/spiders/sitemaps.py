"""Sitemaps: indexes, urlsets and Google News sitemaps, from the config or robots.txt."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any, Iterator
from urllib.parse import urljoin

import scrapy
from scrapy.spiders import SitemapSpider as ScrapySitemapSpider
from scrapy.utils.sitemap import Sitemap, sitemap_urls_from_robots

from crawler.spiders.base import SiteSpider, declares_entities
from pipelines.archive import FetchResult
from pipelines.dates import normalize_date
from pipelines.urls import same_site


class NewsSitemap(Sitemap):
    """Scrapy's sitemap parser, also keeping a Google News ``news:publication_date``."""

    def _process_sitemap_element(self, elem):
        published = next((child.text.strip() for child in elem.iter()
                          if self._get_tag_name(child) == "publication_date" and child.text), None)
        entry = super()._process_sitemap_element(elem)
        if entry is not None and published:
            entry["news_date"] = published
        return entry


class SitemapSpider(SiteSpider, ScrapySitemapSpider):
    name = "sitemaps"

    def __init__(self, run, **kwargs: Any):
        SiteSpider.__init__(self, run, **kwargs)
        self.sitemap_urls = list(run.site.sitemaps) or [urljoin(run.site.url, "/robots.txt")]

    async def start(self):
        for url in self.sitemap_urls:
            yield scrapy.Request(url, callback=self._parse_sitemap, errback=self.failed, dont_filter=True,
                                 meta={"allow_offsite": True})

    def _parse_sitemap(self, response: scrapy.http.Response) -> Iterator[Any]:
        if response.url.endswith("/robots.txt"):
            urls = list(sitemap_urls_from_robots(response.body, base_url=response.url))
            for url in urls or [urljoin(response.url, "/sitemap.xml")]:
                yield scrapy.Request(url, callback=self._parse_sitemap, errback=self.failed,
                                     meta={"optional": not urls, "allow_offsite": True})
            return
        body = self._get_sitemap_body(response)
        sitemap = NewsSitemap(body) if body and not declares_entities(body) else None
        if sitemap is None or sitemap.type not in ("sitemapindex", "urlset"):
            yield FetchResult(url=response.url, site=self.site.name, outcome="error", reason="bad-sitemap",
                              detail="not a sitemap (or larger than the size cap)", run_id=self.run.run_id)
            return
        entries = list(sitemap)
        if not any(entry.get("loc") for entry in entries) and not _well_formed(body):
            yield FetchResult(url=response.url, site=self.site.name, outcome="error", reason="bad-sitemap",
                              detail="malformed XML without any <loc>", run_id=self.run.run_id)
            return
        oldest = self.oldest_wanted()
        for entry in entries:
            loc = entry.get("loc")
            if not loc:
                continue
            lastmod = normalize_date(entry.get("lastmod"))
            if oldest and lastmod and lastmod[:10] < oldest:
                continue
            if sitemap.type == "sitemapindex":
                url = urljoin(response.url, loc)
                if same_site(url, self.allowed_domains) and url not in self.run.sitemaps:
                    self.run.sitemaps.add(url)
                    yield scrapy.Request(url, callback=self._parse_sitemap, errback=self.failed)
                continue
            hints = {"updated": lastmod}
            if entry.get("news_date"):
                hints.update(published=entry["news_date"], published_source="sitemap")
            request = self.article_request(loc, response.url, {k: v for k, v in hints.items() if v})
            if request is not None:
                yield request

    def oldest_wanted(self) -> str | None:
        if not self.site.lookback_days:
            return None
        return (datetime.now(timezone.utc) - timedelta(days=self.site.lookback_days)).date().isoformat()


def _well_formed(body: bytes) -> bool:
    from lxml import etree

    try:
        etree.fromstring(body, etree.XMLParser(resolve_entities=False, no_network=True))
    except etree.XMLSyntaxError:
        return False
    return True
