"""Re-extraction on the archive side: which articles have a capture to extract again, what
changed, and the ledger of re-extractions (``extraction_runs``). This module is the only one that
writes that table, and re-extraction changes records only through ``apply``: the fields
extraction makes, with ``extracted_by`` and ``reextracted``, never the publisher's revision
history (``updated``, ``revisions``, ``article_versions``).
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Iterator

import sqlite_utils

from pipelines.dates import utc_now
from pipelines.transactions import writing

# The article columns extraction decides (identity columns url and site are never changed).
FIELDS = ("title", "authors", "published", "published_source", "modified", "language", "description", "tags",
          "image", "body")
DERIVED = ("word_count", "content_hash")  # follow the body
# What a crawl takes from an article's first capture only: a publisher's revision (a recheck that
# changed title or body) updates title, body and modified, never these.
FIRST_CAPTURE_FIELDS = ("authors", "published", "published_source", "language", "description", "tags", "image")


def extractor_version() -> str:
    """What makes a record: our version and trafilatura's."""
    from importlib.metadata import PackageNotFoundError, version

    def of(name: str) -> str:
        try:
            return version(name)
        except PackageNotFoundError:
            return "unknown"

    return f"newsarchive {of('newsarchive')}; trafilatura {of('trafilatura')}"


@dataclass
class Source:
    """One full capture to extract: where its record is, and what feeds and sitemaps said."""

    url: str  # the capture's URL (the page as fetched)
    warc: str
    offset: int
    length: int
    hints: dict[str, Any]


@dataclass
class Candidate:
    """An article and the captures its record is re-extracted from: the one its current title
    and body come from, and for a revised article also the first (what a crawl took the
    first-capture fields from)."""

    article_id: int
    site: str
    latest: Source
    first: Source | None
    current: dict[str, Any]  # the record's FIELDS now

    @property
    def url(self) -> str:
        return self.latest.url


@dataclass
class Tally:
    articles: int = 0
    changed: int = 0
    unchanged: int = 0
    not_articles: int = 0
    failed: int = 0
    no_capture: int = 0
    fields: Counter = field(default_factory=Counter)
    examples: list[dict[str, Any]] = field(default_factory=list)


def as_stored(result: dict[str, Any]) -> dict[str, Any]:
    """An extraction result in the form the articles table stores it."""
    values = {k: result.get(k) for k in FIELDS + DERIVED}
    values["authors"] = json.dumps(result.get("authors") or [], ensure_ascii=False)
    values["tags"] = json.dumps(result.get("tags") or [], ensure_ascii=False)
    return values


def merged(latest: dict[str, Any], first: dict[str, Any] | None) -> dict[str, Any]:
    """The record a crawl would have made from these captures: the first capture's fields where
    revisions never change them, the latest capture's for the rest."""
    if first is None or first.get("kind") != "article":
        return latest
    result = {**latest, **{k: first.get(k) for k in FIRST_CAPTURE_FIELDS}}
    result["modified"] = latest.get("modified") or first.get("modified")
    return result


def changes(current: dict[str, Any], result: dict[str, Any]) -> dict[str, Any]:
    """The stored values that re-extraction would change (with the body's derived columns)."""
    new = as_stored(result)
    changed = {k: new[k] for k in FIELDS if (current.get(k) or None) != (new[k] or None)}
    if "body" in changed:
        changed.update({k: new[k] for k in DERIVED})
    return changed


class Reextraction:
    def __init__(self, db: sqlite_utils.Database):
        self.db = db

    def candidates(self, sites: list[str] = (), since: str | None = None,
                   ids: list[int] = ()) -> tuple[list[Candidate], int]:
        """Articles to re-extract, each with its latest full capture (a revisit stands for the
        capture it confirms), and the number of chosen articles that have no capture at all."""
        where, params = [], []
        if sites:
            where.append(f"a.site IN ({','.join('?' * len(sites))})")
            params += list(sites)
        if ids:
            where.append(f"a.id IN ({','.join('?' * len(ids))})")
            params += list(ids)
        # the capture the record comes from (a crawl's new article or latest revision); for
        # archives older than that column, the article's latest capture
        latest = "coalesce(a.capture_id, (SELECT max(id) FROM captures WHERE article_id = a.id))"
        first = "(SELECT min(id) FROM captures WHERE article_id = a.id AND revisit_of IS NULL AND status = 200)"
        sql = (f"SELECT a.id, a.site, {', '.join('a.' + f for f in FIELDS)}, a.revisions, c.id, c.revisit_of, "
               f"c.fetched, {first} FROM articles a LEFT JOIN captures c ON c.id = {latest}"
               + (" WHERE " + " AND ".join(where) if where else "") + " ORDER BY a.id")
        found, missing = [], 0
        for row in self.db.execute(sql, params).fetchall():
            article_id, site, *values = row
            current = dict(zip(FIELDS, values[:len(FIELDS)]))
            revisions, capture_id, revisit_of, fetched, first_id = values[len(FIELDS):]
            if capture_id is None:
                missing += 1
                continue
            if since and (fetched or "") < since:
                continue
            source = self._source(revisit_of or capture_id)
            if source is None:
                missing += 1
                continue
            earliest = self._source(first_id) if revisions and first_id not in (None, revisit_of or capture_id) else None
            found.append(Candidate(article_id, site, source, earliest, current))
        return found, missing

    def _source(self, capture_id: int | None) -> Source | None:
        row = self.db.execute("SELECT url, warc, offset, length, hints FROM captures WHERE id = ?",
                              [capture_id]).fetchone() if capture_id is not None else None
        if row is None:
            return None
        url, warc, offset, length, hints = row
        return Source(url, warc, offset, length, json.loads(hints or "{}"))

    def start(self, dry_run: bool) -> int:
        with writing(self.db):
            return self.db["extraction_runs"].insert(
                {"started": utc_now(), "status": "running", "dry_run": int(dry_run),
                 "extractor": extractor_version()}).last_pk

    def apply(self, updates: list[tuple[int, dict[str, Any]]]) -> None:
        """Write re-extracted values of a batch of articles in one transaction."""
        stamp, made_by = utc_now(), extractor_version()
        with writing(self.db):
            for article_id, values in updates:
                self.db["articles"].update(article_id, {**values, "extracted_by": made_by, "reextracted": stamp})

    def finish(self, run_id: int, tally: Tally, status: str = "ok", message: str | None = None) -> None:
        with writing(self.db):
            self.db["extraction_runs"].update(run_id, {
                "finished": utc_now(), "status": status, "articles": tally.articles, "changed": tally.changed,
                "unchanged": tally.unchanged, "not_articles": tally.not_articles, "failed": tally.failed,
                "no_capture": tally.no_capture, "fields": json.dumps(dict(tally.fields), sort_keys=True),
                "message": message})


def batches(items: list, size: int) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start:start + size]
