"""RSS 2.0 and Atom feeds: the configured ones, or those the homepage announces."""

from __future__ import annotations

from typing import Any, AsyncIterator, Iterator
from urllib.parse import urljoin

import feedparser
import scrapy

from crawler.spiders.base import SiteSpider, declares_entities
from pipelines.archive import FetchResult
from pipelines.dates import normalize_date
from pipelines.urls import same_site

FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/rdf+xml", "application/feed+json",
              "application/xml", "text/xml")


class FeedSpider(SiteSpider):
    name = "feeds"

    async def start(self) -> AsyncIterator[scrapy.Request]:
        if self.site.feeds:
            for url in self.site.feeds:
                yield self.feed_request(url)
        else:
            yield scrapy.Request(self.site.url, callback=self.discover, errback=self.failed, dont_filter=True)

    def feed_request(self, url: str) -> scrapy.Request:
        return scrapy.Request(url, callback=self.parse_feed, errback=self.failed, dont_filter=True,
                              meta={"allow_offsite": True})

    def discover(self, response: scrapy.http.Response) -> Iterator[Any]:
        """``<link rel="alternate">`` feeds of the homepage, on the site's own domains."""
        if not isinstance(response, scrapy.http.TextResponse):
            return
        if refusals := self.refused(response):
            yield from refusals
            return
        seen = set()
        for link in response.xpath('//link[contains(concat(" ", normalize-space(@rel), " "), " alternate ")]'):
            kind = (link.attrib.get("type") or "").lower()
            href = link.attrib.get("href")
            if not href or not any(kind.startswith(t) for t in FEED_TYPES[:4]):
                continue
            url = urljoin(response.url, href)
            if url not in seen and same_site(url, self.allowed_domains):
                seen.add(url)
                yield self.feed_request(url)
        self.crawler.stats.set_value("newsarchive/feeds_discovered", len(seen))

    def parse_feed(self, response: scrapy.http.Response) -> Iterator[Any]:
        if refusals := self.refused(response):
            yield from refusals
            return
        if declares_entities(response.body):
            yield FetchResult(url=response.url, site=self.site.name, outcome="error", reason="bad-feed",
                              detail="DOCTYPE with entity declarations refused", run_id=self.run.run_id)
            return
        parsed = feedparser.parse(response.body, response_headers={
            "content-location": response.url,
            "content-type": (response.headers.get(b"Content-Type") or b"application/xml").decode("latin-1")})
        if not any(entry.get("link") or _permalink(entry) for entry in parsed.entries):
            if parsed.bozo:
                yield FetchResult(url=response.url, site=self.site.name, outcome="error", reason="bad-feed",
                                  detail=str(parsed.get("bozo_exception", "unparseable feed"))[:300],
                                  run_id=self.run.run_id)
            return
        for entry in parsed.entries:
            link = entry.get("link") or _permalink(entry)
            if not link:
                continue
            hints = {"published": entry.get("published") or entry.get("updated"), "published_source": "feed",
                     "updated": normalize_date(entry.get("updated") or entry.get("published"))}
            request = self.article_request(link, response.url, {k: v for k, v in hints.items() if v})
            if request is not None:
                yield request


def _permalink(entry: Any) -> str | None:
    for link in entry.get("links", []):
        if link.get("rel", "alternate") == "alternate" and link.get("href"):
            return link["href"]
    guid = entry.get("id")
    if guid and entry.get("guidislink", True) and str(guid).startswith(("http://", "https://", "/")):
        return guid
    return None
