"""``newsarchive reextract``: today's extraction run again over what was fetched.

Each chosen article's latest capture is read back from its WARC file by offset (no scanning),
extracted in the same worker pool a crawl uses, with the same site options and the hints feeds
and sitemaps gave at fetch time, and the record is updated where the result differs. The change
is recorded as re-extraction (``extracted_by``, ``reextracted``, a row in ``extraction_runs``),
never as a revision by the publisher. Running it twice over the same code changes nothing.
"""

from __future__ import annotations

import asyncio
import sys
from dataclasses import dataclass
from pathlib import Path

from crawler.config import Config, Site
from crawler.context import extract_options
from crawler.logs import write_line
from pipelines.archive import Archive
from pipelines.extract import ExtractorPool
from pipelines.items import declared_charset
from pipelines.reextraction import FIELDS, Candidate, Reextraction, Source, Tally, batches, changes, merged
from pipelines.warc import decoded_body, read_record

BATCH = 200  # records updated per transaction
EXAMPLES = 5  # changes shown by --dry-run
PROGRESS_EVERY = 50


@dataclass
class Outcome:
    tally: Tally
    run_id: int | None  # the extraction_runs row (None for a dry run)
    dry_run: bool


def reextract(config: Config, db_path: str, sites: list[str] | tuple[str, ...] = (), since: str | None = None,
              ids: list[int] | tuple[int, ...] = (), dry_run: bool = False, workers: int | None = None) -> Outcome:
    """Re-extract the chosen articles (all with a capture when nothing is chosen)."""
    config.select(sites)  # unknown site names are a config error
    archive = Archive.open(db_path, create=False)
    try:
        ledger = Reextraction(archive.db)
        candidates, missing = ledger.candidates(list(sites), since, list(ids))
        run_id = None if dry_run else ledger.start(dry_run)
        pool = ExtractorPool(workers)
        try:
            tally = asyncio.run(_run(config, archive, ledger, candidates, pool, dry_run))
        finally:
            pool.close()
        tally.no_capture = missing
        if run_id is not None:
            ledger.finish(run_id, tally)
        return Outcome(tally, run_id, dry_run)
    finally:
        archive.close()


def options_for(config: Config, candidate: Candidate):
    site = config.sites.get(candidate.site) or Site(name=candidate.site, url=candidate.url)
    return extract_options(site)


async def _run(config: Config, archive: Archive, ledger: Reextraction, candidates: list[Candidate],
               pool: ExtractorPool, dry_run: bool) -> Tally:
    folder = Path(config.warc.folder(archive.path))
    tally = Tally()
    pending: list[tuple[int, dict]] = []
    limit = asyncio.Semaphore(pool.workers * 4)
    pool.start()

    async def extract(candidate: Candidate, source: Source) -> dict:
        try:
            record = read_record(folder, source.warc, source.offset, source.length)
            body = decoded_body(record)
            content_type = record.http_headers.get_header("Content-Type") or ""
        except Exception as exc:  # a missing or damaged file: that article is counted, the rest go on
            return {"kind": "error", "reason": "capture-unreadable", "detail": str(exc)}
        return await pool.extract(body, source.url, options_for(config, candidate), content_type,
                                  declared_charset(content_type), source.hints)

    async def one(candidate: Candidate) -> tuple[Candidate, dict]:
        async with limit:
            result = await extract(candidate, candidate.latest)
            if candidate.first is not None and result.get("kind") == "article":
                result = merged(result, await extract(candidate, candidate.first))
            return candidate, result

    tty = sys.stderr.isatty()
    for done, future in enumerate(asyncio.as_completed([one(c) for c in candidates]), 1):
        candidate, result = await future
        tally.articles += 1
        if result.get("kind") != "article":
            if result.get("kind") == "error":
                tally.failed += 1
            else:
                tally.not_articles += 1  # kept as it is: re-extraction never deletes an article
        else:
            changed = changes(candidate.current, result)
            if changed:
                tally.changed += 1
                tally.fields.update(k for k in changed if k in FIELDS)
                if len(tally.examples) < EXAMPLES:
                    tally.examples.append({"id": candidate.article_id, "changes": {
                        k: (candidate.current.get(k), changed[k]) for k in changed if k in FIELDS}})
                pending.append((candidate.article_id, changed))
            else:
                tally.unchanged += 1
        if not dry_run and len(pending) >= BATCH:
            archive.retrying("saving re-extracted records", lambda batch=pending: ledger.apply(batch))
            pending = []
        if tty and (done % PROGRESS_EVERY == 0 or done == len(candidates)):
            write_line(f"\rre-extracting: {done}/{len(candidates)}, {tally.changed} changed", sys.stderr)
    if not dry_run:
        for batch in batches(pending, BATCH):
            archive.retrying("saving re-extracted records", lambda batch=batch: ledger.apply(batch))
    return tally
