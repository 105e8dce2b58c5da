"""What every discovery spider does with the article links it finds."""

from __future__ import annotations

import re
from typing import Any, Iterator
from urllib.parse import urljoin

import scrapy
from scrapy.exceptions import (CannotResolveHostError, CloseSpider, DownloadCancelledError,
                               DownloadConnectionRefusedError, DownloadTimeoutError, IgnoreRequest)
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet.error import (ConnectionRefusedError, DNSLookupError, TCPTimedOutError,
                                    TimeoutError as TwistedTimeout)
from twisted.python.failure import Failure

from crawler.context import SiteRun
from crawler.middlewares import PrivateAddressRefused, RobotsTxtForbidden, SiteBackedOff
from pipelines.archive import FetchResult
from pipelines.items import PageItem, declared_charset
from pipelines.urls import canonical_url, same_site, url_key


class SiteSpider(scrapy.Spider):
    """Base for discovery spiders: one site, one run, shared with the site's other spiders."""

    def __init__(self, run: SiteRun, **kwargs: Any):
        super().__init__(name=f"{self.name}:{run.site.name}", **kwargs)
        self.run = run
        self.site = run.site
        self.allowed_domains = list(run.site.allowed_domains)

    # -- links -> article requests -------------------------------------------------------------

    def article_request(self, link: str, base: str, hints: dict[str, Any] | None = None) -> scrapy.Request | None:
        """A request for a candidate article link, or None when it is off-site, filtered, already
        requested in this run, already archived, or over the run's budget."""
        url = urljoin(base, link.strip())
        if not url.startswith(("http://", "https://")) or not same_site(url, self.allowed_domains):
            return None
        linked, url = url.split("#", 1)[0], canonical_url(url)
        if not self.site.url_allowed(url):
            return None
        key = url_key(url)
        if key in self.run.requested:
            return None
        stats = self.crawler.stats
        if self.run.backed_off:
            return None
        hints = hints or {}
        headers = self.run.archive.fetch_plan(url, changed=hints.get("updated"))
        if headers is None:  # not due; another source of this run may still say it changed
            stats.inc_value("newsarchive/known_skipped")
            return None
        if not self.run.budget_left:
            stats.inc_value("newsarchive/over_budget")
            return None
        self.run.requested.add(key)
        # dont_filter: this run's own bookkeeping dedups, and Scrapy's filter would silently drop
        # the second hop of a redirect loop instead of reporting it
        return scrapy.Request(url, callback=self.parse_article, errback=self.failed, dont_filter=True,
                              headers=headers, cb_kwargs={"hints": hints},
                              meta={"handle_httpstatus_list": [304, 202], "linked": linked, "article": True})

    def parse_article(self, response: scrapy.http.Response, hints: dict[str, Any]) -> Iterator[Any]:
        headers = response.headers
        url = response.request.url
        if response.status == 304:
            yield FetchResult(url=url, site=self.site.name, outcome="not-modified", run_id=self.run.run_id,
                              etag=_header(headers, b"ETag"), last_modified=_header(headers, b"Last-Modified"),
                              fetched=True, hint=hints.get("updated"), capture=response.meta.get("capture"),
                              hints=hints or None)
            return
        blocked = response.meta.get("blocked")
        if blocked:
            yield from self.blocked(url, blocked, f"HTTP {response.status}", capture=response.meta.get("capture"))
            return
        content_type = (headers.get(b"Content-Type") or b"").decode("latin-1")
        charset = declared_charset(content_type)
        yield PageItem(
            url=url, final_url=response.url, site=self.site.name, run_id=self.run.run_id,
            body=response.body, content_type=content_type, declared_encoding=charset,
            etag=_header(headers, b"ETag"), last_modified=_header(headers, b"Last-Modified"), hints=hints,
            capture=response.meta.get("capture"))

    def refused(self, response: scrapy.http.Response) -> list[FetchResult]:
        """For discovery pages (homepage, feeds, sitemaps): the block records when the site
        answered with a refusal instead of the page, else an empty list."""
        reason = response.meta.get("blocked")
        return list(self.blocked(response.url, reason, f"HTTP {response.status}")) if reason else []

    # -- failures -------------------------------------------------------------------------------

    def failed(self, failure: Failure) -> Iterator[Any]:
        """Any request that did not give a usable response becomes a recorded error, block or skip."""
        request = getattr(failure, "request", None)
        url = request.url if request is not None else "?"
        if request is not None and request.meta.get("optional") and failure.check(HttpError):
            return
        if failure.check(SiteBackedOff):
            return  # counted once, as the refusals that caused it
        linked = request.meta.get("linked") if request is not None else None
        if linked and linked != request.url and failure.check(HttpError) and \
                failure.value.response.status in (400, 404, 410):
            # the parameters we dropped as tracking mattered to this site: fetch the link as given
            self.crawler.stats.inc_value("newsarchive/fetched_as_linked")
            yield request.replace(url=linked, meta={**request.meta, "linked": None})
            return
        outcome, reason, detail = classify_failure(failure, self.crawler.settings.getint("REDIRECT_MAX_TIMES"))
        redirects = request.meta.get("redirect_urls") if request is not None else None
        if redirects:  # record the URL the site linked to, and where it led
            url, detail = redirects[0], f"{detail} (redirected to {request.url})"[:500]
        if outcome == "blocked":
            yield from self.blocked(url, reason, detail)
            return
        self.crawler.stats.inc_value(f"newsarchive/failure/{reason}")
        yield FetchResult(url=url, site=self.site.name, outcome=outcome, reason=reason, detail=detail,
                          run_id=self.run.run_id)

    def blocked(self, url: str, reason: str, detail: str, capture: dict | None = None) -> Iterator[FetchResult]:
        """Record a refusal; after ``block_threshold`` in a row, stop crawling the site this run."""
        self.crawler.stats.inc_value(f"newsarchive/blocked/{reason}")
        yield FetchResult(url=url, site=self.site.name, outcome="blocked", reason=reason, detail=detail,
                          run_id=self.run.run_id, capture=capture)
        if self.run.backed_off:
            raise CloseSpider("blocked")


def classify_failure(failure: Failure, max_redirects: int = 20) -> tuple[str, str, str]:
    """(outcome, reason, detail) for a failed request, judged by the exception's type and the
    request's state, never by message text."""
    exc = failure.value
    request = getattr(failure, "request", None)
    text = str(exc)[:300] or type(exc).__name__
    if failure.check(HttpError):
        status = exc.response.status
        outcome = "blocked" if status in (401, 403, 429) else "error"
        return outcome, f"http-{status}", f"HTTP {status}"
    if failure.check(PrivateAddressRefused):
        return "skipped", "private-address", text
    if failure.check(RobotsTxtForbidden):
        return "skipped", "robots.txt", "disallowed by robots.txt"
    if failure.check(DownloadCancelledError):  # the download passed DOWNLOAD_MAXSIZE
        return "error", "too-large", text
    if failure.check(IgnoreRequest):
        if request is not None and request.meta.get("redirect_times", 0) >= max_redirects:
            return "error", "redirect-loop", text
        if exc.__cause__ is not None:  # HttpCompressionMiddleware: decompressed past DOWNLOAD_MAXSIZE
            return "error", "too-large", text
        return "skipped", "ignored", text
    if failure.check(DownloadTimeoutError, TwistedTimeout, TCPTimedOutError):
        return "error", "timeout", text
    if failure.check(CannotResolveHostError, DNSLookupError):
        return "error", "dns", text
    if failure.check(DownloadConnectionRefusedError, ConnectionRefusedError):
        return "error", "connection-refused", text
    return "error", type(exc).__name__.lower(), text


_INTERNAL_DTD = re.compile(rb"<!DOCTYPE[^>\[]*\[", re.I)


def declares_entities(body: bytes) -> bool:
    """XML with an internal DTD subset, where entity bombs live; real feeds and sitemaps have none."""
    return bool(_INTERNAL_DTD.search(body[:4096]))


def _header(headers, name: bytes) -> str | None:
    value = headers.get(name)
    return value.decode("latin-1") if value else None
