"""Downloader middlewares: keep the crawler out of private networks; honour Retry-After."""

from __future__ import annotations

import asyncio
import email.utils
import ipaddress
import socket
import time
from urllib.parse import urlsplit

from scrapy import Request, Spider
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.downloadermiddlewares.retry import RetryMiddleware, get_retry_request
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import Response


class PrivateAddressRefused(IgnoreRequest):
    """A request to a loopback/private/link-local address the site's own config did not name."""


def _is_private(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%")[0])
    return not ip.is_global or ip.is_multicast


class PrivateAddressGuard:
    """Refuse requests whose host resolves to a non-public address, unless that host is the one
    the site's configured ``url`` names. A public site can then not redirect or link the crawler
    into the operator's network and get internal pages archived."""

    def __init__(self, crawler):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    async def process_request(self, request: Request, spider: Spider | None = None) -> None:
        spider = spider or self.crawler.spider
        host = (urlsplit(request.url).hostname or "").lower()
        site = getattr(spider, "site", None)
        if not host or (site is not None and host == site.host):
            return None
        try:
            addresses = [host] if _ip_literal(host) else [
                info[4][0] for info in await asyncio.get_running_loop().getaddrinfo(
                    host, None, type=socket.SOCK_STREAM)]
        except (socket.gaierror, UnicodeError):
            return None  # the download itself will report the DNS failure
        if any(_is_private(a) for a in addresses):
            self.crawler.stats.inc_value("newsarchive/private_refused")
            raise PrivateAddressRefused(f"{host} resolves to a private address ({addresses[0]})")
        return None


def _ip_literal(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
        return True
    except ValueError:
        return False


class CrawlDelayMiddleware:
    """Honour robots.txt ``Crawl-delay`` (Scrapy's robots middleware does not): requests to a
    host whose robots.txt asks for N seconds leave at least N seconds apart, and AutoThrottle is
    told not to shorten that."""

    def __init__(self, crawler):
        self.crawler = crawler
        self.delays: dict[str, float | None] = {}
        self.next_slot: dict[str, float] = {}
        self.locks: dict[str, asyncio.Lock] = {}

    @classmethod
    def from_crawler(cls, crawler):
        if not crawler.settings.getbool("ROBOTSTXT_OBEY"):
            raise NotConfigured
        return cls(crawler)

    async def process_request(self, request: Request, spider: Spider | None = None) -> None:
        parts = urlsplit(request.url)
        if request.meta.get("dont_obey_robotstxt") or parts.path == "/robots.txt":
            return None
        netloc = parts.netloc
        if netloc not in self.delays:
            self.delays[netloc] = await self._robots_delay(request)
        delay = self.delays[netloc]
        if not delay:
            return None
        request.meta["autothrottle_dont_adjust_delay"] = True
        lock = self.locks.setdefault(netloc, asyncio.Lock())
        async with lock:
            loop = asyncio.get_running_loop()
            wait = self.next_slot.get(netloc, 0.0) - loop.time()
            if wait > 0:
                await asyncio.sleep(wait)
            self.next_slot[netloc] = loop.time() + delay
        return None

    async def _robots_delay(self, request: Request) -> float | None:
        robots = self.crawler.get_downloader_middleware(RobotsTxtMiddleware)
        parser = await robots.robot_parser(request) if robots else None
        if parser is None:
            return None
        agent = self.crawler.settings.get("ROBOTSTXT_USER_AGENT") or self.crawler.settings.get("USER_AGENT")
        delay = parser.crawl_delay(agent)
        if delay:
            self.crawler.stats.set_value("newsarchive/crawl_delay", float(delay))
        return float(delay) if delay else None


class SiteBackedOff(IgnoreRequest):
    """The site refused us too often this run; its remaining requests are not sent."""


class BlockDetector:
    """Notice refusals (403/429, bot challenges, JavaScript-only shells) as they arrive, mark the
    request (``meta["blocked"]``) for the spider to record, and once the site has refused
    ``block_threshold`` times in a row, send it nothing more this run."""

    def __init__(self, crawler):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def _run(self, spider):
        return getattr(spider or self.crawler.spider, "run", None)

    def process_request(self, request: Request, spider: Spider | None = None) -> None:
        run = self._run(spider)
        if run is not None and run.backed_off and not request.url.endswith("/robots.txt"):
            raise SiteBackedOff("site backed off after repeated refusals")
        return None

    def process_response(self, request: Request, response: Response, spider: Spider | None = None) -> Response:
        run = self._run(spider)
        if run is None or request.url.endswith("/robots.txt") or response.status in (301, 302, 303, 307, 308):
            return response
        from pipelines.blocking import blocked_reason

        reason = blocked_reason(response.status, response.body)
        if reason:
            request.meta["blocked"] = reason
        run.note_answer(blocked=bool(reason))
        return response


class RobotsTxtForbidden(IgnoreRequest):
    """robots.txt disallows the request for our user agent."""


class SharedRobotsTxtMiddleware(RobotsTxtMiddleware):
    """Scrapy's robots.txt middleware, with the parsed robots.txt files shared by the spiders of
    one site's run (they run in turn), so a run asks for each robots.txt once, not once per
    discovery method. Built on the middleware's public methods only; a refusal is raised as
    ``RobotsTxtForbidden`` so it is recognized by its type."""

    async def robot_parser(self, request: Request):
        run = getattr(self.crawler.spider, "run", None)
        if run is None:
            return await super().robot_parser(request)
        netloc = urlsplit(request.url).netloc
        if netloc not in run.robots:
            run.robots[netloc] = asyncio.ensure_future(super().robot_parser(request))
        return await asyncio.shield(run.robots[netloc])

    def process_request_2(self, rp, request: Request) -> None:
        try:
            super().process_request_2(rp, request)
        except IgnoreRequest as exc:
            raise RobotsTxtForbidden(str(exc)) from None


class RetryAfterMiddleware(RetryMiddleware):
    """Scrapy's retry, waiting as long as a 429/503 ``Retry-After`` asks (capped by
    ``RETRY_AFTER_MAX`` seconds; longer waits give up on the page for this run)."""

    def __init__(self, settings):
        super().__init__(settings)
        self.max_wait = settings.getfloat("RETRY_AFTER_MAX", 120.0)

    async def process_response(self, request: Request, response: Response, spider: Spider | None = None):
        if request.meta.get("dont_retry") or response.status not in self.retry_http_codes:
            return response
        wait = retry_after_seconds(response.headers.get(b"Retry-After"))
        if wait is not None:
            if wait > self.max_wait:
                return response
            await asyncio.sleep(wait)
        retry = get_retry_request(request, spider=spider or self.crawler.spider, reason=f"{response.status} retry",
                                  give_up_log_level=self.give_up_log_level)
        return retry or response


def retry_after_seconds(value: bytes | None) -> float | None:
    if not value:
        return None
    text = value.decode("latin-1").strip()
    if text.isdigit():
        return float(text)
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())
