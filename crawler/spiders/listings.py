"""Listing pages (the homepage, section fronts): article links one level deep."""

from __future__ import annotations

from typing import Any, AsyncIterator, Iterator
from urllib.parse import urljoin

import scrapy
from courlan.filters import is_navigation_page, is_not_crawlable

from crawler.spiders.base import SiteSpider
from pipelines.urls import url_key


class ListingSpider(SiteSpider):
    name = "listings"

    async def start(self) -> AsyncIterator[scrapy.Request]:
        for url in self.site.pages or (self.site.url,):
            yield scrapy.Request(url, callback=self.parse_listing, errback=self.failed, dont_filter=True)

    def parse_listing(self, response: scrapy.http.Response) -> Iterator[Any]:
        if not isinstance(response, scrapy.http.TextResponse):
            return
        if refusals := self.refused(response):
            yield from refusals
            return
        listing_keys = {url_key(u) for u in (*self.site.pages, self.site.url, response.url)}
        for href in response.xpath("//a/@href").getall():
            url = urljoin(response.url, href.strip())
            if url_key(url) in listing_keys or is_navigation_page(url) or is_not_crawlable(url):
                continue
            request = self.article_request(url, response.url)
            if request is not None:
                yield request
