"""Scrapy item pipeline that writes fetch results to the archive in batched transactions."""

from __future__ import annotations

import asyncio
import logging
import sqlite3

from pipelines.archive import ArchiveError, FetchResult

logger = logging.getLogger(__name__)

BATCH_SIZE = 100
BATCH_SECONDS = 1.0


class StorePipeline:
    """Buffers FetchResults and saves them in one short transaction per batch (at most
    ``BATCH_SIZE`` items or ``BATCH_SECONDS`` old), counting what each became in the stats and
    in the run's ledger row. A batch that cannot be written (the archive stayed locked through
    every retry) is counted as not saved, which fails the run; the crawl goes on."""

    def __init__(self, crawler):
        self.crawler = crawler
        self.buffer: list[FetchResult] = []
        self._timer: asyncio.TimerHandle | None = None

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_item(self, item):
        if not isinstance(item, FetchResult):
            return item
        self.buffer.append(item)
        if len(self.buffer) >= BATCH_SIZE:
            self.flush()
        elif self._timer is None:
            self._timer = asyncio.get_running_loop().call_later(BATCH_SECONDS, self.flush)
        return item

    def flush(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        batch, self.buffer = self.buffer, []
        run = self.crawler.spider.run
        captures, run.captures = run.captures, []
        if not batch and not captures:
            return
        try:
            report = run.archive.save(batch, policy=run.site.recheck_policy, fetched={run.run_id: run.fetched()},
                                      captures=captures)
        except (ArchiveError, sqlite3.Error) as exc:  # this batch is lost; its pages are fetched next run
            run.lost(len(batch), str(exc))
            self.crawler.stats.inc_value("newsarchive/not_saved", len(batch))
            logger.error("%d fetch results of run %s not saved: %s", len(batch), run.run_id, exc)
            return
        for outcome in report.outcomes:
            self.crawler.stats.inc_value(f"newsarchive/outcome/{outcome}")

    def close_spider(self) -> None:
        self.flush()
