"""Downloader middlewares: keep the crawler out of private networks; honour Retry-After."""

from __future__ import annotations

import asyncio
import email.utils
import ipaddress
import socket
import time
from urllib.parse import urlsplit

from scrapy import Request, Spider
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.exceptions import IgnoreRequest
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
        return self._retry(request, f"{response.status} retry") or response


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
