"""WARC capture of what the crawl receives: a downloader middleware that sees each response
before HttpCompressionMiddleware decodes it (priority above 590), so the body is kept as it came
over the wire, with every header and the request as sent.

Article pages are always captured (when the run has a WARC writer); homepages, feeds, sitemaps
and robots.txt only with ``[warc] discovery = true``. A 304 becomes a ``revisit`` record
(server-not-modified) pointing at the capture it confirms; a 200 whose payload digest equals the
URL's last capture becomes a revisit with the identical-payload-digest profile, so recrawling an
unchanged site costs almost no disk. Where each record went is handed to the archive with the
page's fetch result (``captures``), after the record's bytes are flushed.
"""

from __future__ import annotations

import logging
from datetime import datetime, timezone
from urllib.parse import urlsplit

from scrapy import Request, Spider
from scrapy.http import Response

from pipelines.warc import Exchange, payload_digest

CAPTURED = (200, 304)
logger = logging.getLogger(__name__)


def _text(value: bytes | str) -> str:
    return value.decode("latin-1") if isinstance(value, bytes) else value


def _headers(headers) -> list[tuple[str, str]]:
    return [(_text(key), _text(value)) for key, values in headers.items() for value in values]


class WarcCapture:
    def __init__(self, crawler):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_response(self, request: Request, response: Response, spider: Spider | None = None) -> Response:
        run = getattr(spider or self.crawler.spider, "run", None)
        files = getattr(run, "warc", None)
        if files is None or response.status not in CAPTURED:
            return response
        article = bool(request.meta.get("article"))
        if not article and not run.capture_discovery:
            return response
        exchange = Exchange(
            url=response.url, method=request.method,
            request_headers=[("Host", urlsplit(request.url).netloc), *_headers(request.headers)],
            status=response.status, response_headers=_headers(response.headers), body=response.body,
            fetched=datetime.now(timezone.utc), protocol=response.protocol or "HTTP/1.1",
            ip=str(response.ip_address) if response.ip_address else None)
        try:
            previous = run.archive.latest_capture(response.url)
            digest = payload_digest(response.body)
            if response.status == 304:
                written = files.revisit(exchange, previous, not_modified=True)
            elif previous and previous["digest"] == digest:
                written = files.revisit(exchange, previous, not_modified=False)
            else:
                written = files.response(exchange, digest)
        except OSError as exc:  # e.g. a full disk: the page is still archived, its capture is not
            self.crawler.stats.inc_value("newsarchive/warc/failed")
            logger.error("WARC capture of %s failed: %s", response.url, exc)
            return response
        self.crawler.stats.inc_value("newsarchive/warc/records")
        self.crawler.stats.inc_value("newsarchive/warc/revisits" if written.revisit_of or response.status == 304
                                     else "newsarchive/warc/responses")
        if article:
            request.meta["capture"] = written.row()
        else:
            run.captures.append(written.row())
        return response
