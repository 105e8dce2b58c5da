"""Sitemaps: indexes, urlsets and Google News sitemaps, from the config or robots.txt."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any, Iterator
from urllib.parse import urljoin

import scrapy
from scrapy.utils.gz import gunzip
from scrapy.utils.sitemap import Sitemap, sitemap_urls_from_robots

from crawler.spiders.base import SiteSpider, declares_entities
from pipelines.archive import FetchResult
from pipelines.dates import normalize_date
from pipelines.urls import same_site


def sitemap_body(response: scrapy.http.Response, max_size: int) -> bytes | None:
    """The sitemap's XML: gunzipped when the file itself is gzip (``.xml.gz``), within
    ``max_size``; None when it cannot be had."""
    body = response.body
    if body[:2] != b"\x1f\x8b":
        return body
    try:
        return gunzip(body, max_size=max_size)
    except (OSError, ValueError, EOFError):  # corrupt, or larger than the cap once decompressed
        return None


def news_dates(body: bytes) -> dict[str, str]:
    """Google News ``news:publication_date`` by ``<loc>``."""
    if b"publication_date" not in body:
        return {}
    from lxml import etree

    try:
        root = etree.fromstring(body, etree.XMLParser(resolve_entities=False, no_network=True, recover=True))
    except etree.XMLSyntaxError:
        return {}
    if root is None:
        return {}
    dates = {}
    for url in root.iter("{*}url"):
        loc, published = url.findtext("{*}loc"), url.findtext(".//{*}publication_date")
        if loc and published:
            dates[loc.strip()] = published.strip()
    return dates


class SitemapSpider(SiteSpider):
    """Sitemaps through Scrapy's public sitemap utilities (``Sitemap``, ``sitemap_urls_from_robots``)."""

    name = "sitemaps"

    def __init__(self, run, **kwargs: Any):
        SiteSpider.__init__(self, run, **kwargs)
        self.sitemap_urls = list(run.site.sitemaps) or [urljoin(run.site.url, "/robots.txt")]

    async def start(self):
        for url in self.sitemap_urls:
            yield scrapy.Request(url, callback=self.parse_sitemap, errback=self.failed, dont_filter=True,
                                 meta={"allow_offsite": True})

    def parse_sitemap(self, response: scrapy.http.Response) -> Iterator[Any]:
        if response.url.endswith("/robots.txt"):
            urls = list(sitemap_urls_from_robots(response.body, base_url=response.url))
            for url in urls or [urljoin(response.url, "/sitemap.xml")]:
                yield scrapy.Request(url, callback=self.parse_sitemap, errback=self.failed,
                                     meta={"optional": not urls, "allow_offsite": True})
            return
        body = sitemap_body(response, self.crawler.settings.getint("DOWNLOAD_MAXSIZE"))
        sitemap = Sitemap(body) if body and not declares_entities(body) else None
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
        published = news_dates(body) if sitemap.type == "urlset" else {}
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
                    yield scrapy.Request(url, callback=self.parse_sitemap, errback=self.failed)
                continue
            hints = {"updated": lastmod}
            if loc in published:
                hints.update(published=published[loc], published_source="sitemap")
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
