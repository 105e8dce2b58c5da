"""The archive: one SQLite file, opened in WAL mode, written through sqlite-utils.

One ``Archive`` (one connection) per process. Writes come in short batched transactions, so
Datasette readers and other crawl processes never wait long. Deduplication that must hold across
runs and processes happens here, inside the write transaction: an article is found again by any
of its URL keys (``url_aliases``) or by the hash of its body.
"""

from __future__ import annotations

import json
import os
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from datetime import datetime, timedelta, timezone
from typing import Any, Iterable

import sqlite_utils

from pipelines.dates import utc_now
from pipelines.fetch_plan import STATE_COLUMNS, SitePlan, decide, export_plan
from pipelines.health import run_health
from pipelines.ledger import COUNTS, Ledger, RunStatus
from pipelines.locks import is_busy
from pipelines.reextraction import extractor_version
from pipelines.schema import SchemaProblem, inspect, migrate, pending, verify
from pipelines.transactions import writing
from pipelines.urls import url_key

BUSY_TIMEOUT_ENV = "NEWSARCHIVE_BUSY_TIMEOUT"  # seconds a write waits for another writer's lock
DEFAULT_BUSY_TIMEOUT = 30.0
WRITE_ATTEMPTS = 4  # a write that still finds the archive locked is tried again, backing off
FIRST_BACKOFF = 0.5  # seconds, doubled after each attempt
RUN_COUNTS = COUNTS


class ArchiveError(Exception):
    """The archive file cannot be opened or used; the message says which file, why, and what to do."""


class ArchiveBusy(ArchiveError):
    """A write found the archive locked by another process for longer than it waits."""


def busy_timeout() -> float:
    """Seconds a write waits for the lock (``$NEWSARCHIVE_BUSY_TIMEOUT``, default 30)."""
    text = os.environ.get(BUSY_TIMEOUT_ENV, "")
    try:
        value = float(text) if text else DEFAULT_BUSY_TIMEOUT
    except ValueError:
        raise ArchiveError(f"${BUSY_TIMEOUT_ENV}={text!r}: not a number of seconds") from None
    if value < 0:
        raise ArchiveError(f"${BUSY_TIMEOUT_ENV}={text!r}: must be >= 0")
    return value


def is_locked(exc: sqlite3.Error) -> bool:
    text = str(exc).lower()
    return "database is locked" in text or "database is busy" in text or "database table is locked" in text


@dataclass
class FetchResult:
    """What one fetched page turned into, ready to be written."""

    url: str
    site: str
    outcome: str  # article, not-article, error, blocked
    record: dict[str, Any] | None = None
    reason: str | None = None
    detail: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    run_id: int | None = None
    fetched: bool = False  # a response was received (not refused before fetching)
    hint: str | None = None  # when a feed or sitemap last said the page changed
    capture: dict[str, Any] | None = None  # its WARC record (pipelines.warc.Written.row), if captured
    hints: dict[str, Any] | None = None  # what feeds and sitemaps said of it (kept with the capture)


@dataclass
class SaveReport:
    outcomes: list[str] = field(default_factory=list)  # per result: new, duplicate, revised, unchanged, ...
    repeated: bool = False  # the batch had been saved before: nothing was written


DEFAULT_RECHECK = ((86400.0, 3600.0), (7 * 86400.0, 86400.0), (30 * 86400.0, 7 * 86400.0))
NOT_ARTICLE_RECHECK = timedelta(days=7)
MAX_ERROR_BACKOFF = timedelta(days=7)


def recheck_after(born: str | None, now: datetime,
                  policy: tuple[tuple[float, float], ...] = DEFAULT_RECHECK) -> datetime | None:
    """When to look at an article again: often while it is young, then less, then never.
    ``policy`` is (max age, interval) pairs in seconds, youngest first."""
    try:
        when = datetime.fromisoformat((born or "").replace("Z", "+00:00"))
    except ValueError:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    age = (now - when).total_seconds()
    for limit, every in policy:
        if age < limit:
            return now + timedelta(seconds=every)
    return None


def _stamp(when: datetime | None) -> str | None:
    return when.strftime("%Y-%m-%dT%H:%M:%SZ") if when else None


class Archive:
    """One connection to the archive. ``open`` it; ``ledger`` is its run ledger."""

    def __init__(self, db: sqlite_utils.Database, path: str):
        self.db = db
        self.path = path
        self.ledger = Ledger(db)
        self.settled: list[dict[str, Any]] = []  # stale runs settled when the archive was opened
        self.on_busy: Callable[[str, int, float], None] | None = None  # (what, attempt, wait) before a retry

    @classmethod
    def open(cls, path: str | os.PathLike, *, create: bool = True, readonly: bool = False) -> "Archive":
        """Open the archive at ``path`` for writing (creating or migrating it when ``create``), or
        for reading only. Raises ArchiveError, with what to do, for a file that is missing,
        read-only, locked, damaged, not an archive, or written by a newer version; such a file
        is never altered. Opening for writing settles the runs of crawl processes that died."""
        path = str(path)
        if not os.path.exists(path) and (readonly or not create):
            raise ArchiveError(f"{path}: no archive here (run `newsarchive crawl` first, or pass --db)")
        directory = os.path.dirname(os.path.abspath(path))
        if not os.path.isdir(directory):
            raise ArchiveError(f"{path}: directory {directory} does not exist")
        if os.path.isdir(path):
            raise ArchiveError(f"{path}: a directory, not an archive file (pass --db with a file)")
        if not readonly:
            _check_writable(path, directory)
        timeout = busy_timeout()
        try:
            target = read_uri(path) if readonly else path
            conn = sqlite3.connect(target, uri=readonly, timeout=timeout, isolation_level=None)
            db = sqlite_utils.Database(conn)
            db.execute(f"PRAGMA busy_timeout = {int(timeout * 1000)}")
            inspect(db)
            if readonly:
                missing = pending(db)
                if missing and db.table_names():
                    raise SchemaProblem(f"made by an older newsarchive and needs {len(missing)} upgrade step(s), "
                                        "but it is open read-only: run `newsarchive sites` once as a user "
                                        "who can write it")
            else:
                if db.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                    db.enable_wal()
                db.execute("PRAGMA synchronous = NORMAL")
                db.execute("PRAGMA foreign_keys = ON")
                migrate(db)
            verify(db)
        except SchemaProblem as exc:
            conn.close()
            raise ArchiveError(f"{path}: {exc}") from None
        except sqlite3.DatabaseError as exc:
            conn.close()
            raise ArchiveError(_database_problem(path, exc, timeout)) from None
        archive = cls(db, path)
        if not readonly:
            archive.settled = archive.ledger.settle_stale(lambda site: not is_busy(path, site))
        return archive

    def close(self) -> None:
        self.db.conn.close()

    @cached_property
    def extractor(self) -> str:
        """What makes this process's records (``articles.extracted_by``)."""
        return extractor_version()

    def retrying(self, what: str, write: Callable[[], Any]) -> Any:
        """Run ``write``; while the archive is locked by another writer, try again with backoff,
        then raise ArchiveBusy."""
        wait = FIRST_BACKOFF
        for attempt in range(1, WRITE_ATTEMPTS + 1):
            try:
                return write()
            except sqlite3.OperationalError as exc:
                if not is_locked(exc):
                    raise
                if attempt == WRITE_ATTEMPTS:
                    raise ArchiveBusy(
                        f"{self.path}: {what} failed: the archive stayed locked by another process's write "
                        f"({WRITE_ATTEMPTS} tries over more than {WRITE_ATTEMPTS * busy_timeout():g} s); "
                        "find the process holding it (fuser " + self.path + ") or raise "
                        f"${BUSY_TIMEOUT_ENV}") from None
                if self.on_busy is not None:
                    self.on_busy(what, attempt, wait)
                time.sleep(wait)
                wait *= 2

    # -- runs -----------------------------------------------------------------------------------

    def start_run(self, site: str, trigger: str = "manual", pid: int | None = None,
                  worker: str | None = None) -> int:
        return self.retrying("starting the run", lambda: self.ledger.start(site, trigger, pid, worker))

    def finish_run(self, run_id: int, status: RunStatus | str, counts: dict[str, int] | None = None,
                   message: str | None = None) -> dict[str, Any]:
        """Finish the run; ``counts`` given here replace the ones it accumulated."""
        return self.retrying("finishing the run",
                             lambda: self.ledger.finish(run_id, RunStatus(status), message, counts))

    def run(self, run_id: int) -> dict[str, Any]:
        return self.ledger.get(run_id)

    # -- what to fetch --------------------------------------------------------------------------

    def fetch_plan(self, url: str, changed: str | None = None, now: str | None = None) -> dict[str, str] | None:
        """The conditional headers to fetch ``url`` with, or None when it is not due
        (``pipelines.fetch_plan.decide``)."""
        state = self.db.execute(f"SELECT {', '.join(STATE_COLUMNS)} FROM fetch_state WHERE url = ?", [url]).fetchone()
        known = state is None and self.db.execute("SELECT 1 FROM url_aliases WHERE url_key = ?",
                                                  [url_key(url)]).fetchone() is not None
        return decide(state, known, changed, now or utc_now())

    def site_plan(self, site: str, captures: bool = False) -> SitePlan:
        """``site``'s fetch plan as data, for a crawl on another host."""
        return export_plan(self.db, site, captures)

    def health(self, run_id: int, site: str) -> dict[str, Any]:
        """The run's extraction health (``pipelines.health``), recorded in its ledger row."""
        return run_health(self.db, run_id, site)

    def failure_reasons(self, run_ids: list[int]) -> dict[int, str]:
        """Each run's most frequent failure reason (``failed_urls``)."""
        marks = ",".join("?" * len(run_ids))
        rows = self.db.execute(
            f"SELECT run_id, reason, count(*) FROM failed_urls WHERE run_id IN ({marks}) "
            "GROUP BY run_id, reason ORDER BY run_id, count(*) DESC", run_ids).fetchall()
        top: dict[int, str] = {}
        for run_id, reason, _ in rows:
            top.setdefault(run_id, reason)
        return top

    # -- writing --------------------------------------------------------------------------------

    def save(self, results: Iterable[FetchResult],
             policy: tuple[tuple[float, float], ...] = DEFAULT_RECHECK,
             fetched: dict[int, dict[str, int]] | None = None,
             captures: list[dict[str, Any]] = (), batch_id: str | None = None) -> SaveReport:
        """Write a batch of fetch results in one transaction, with their outcomes counted in their
        runs' ledger rows (and ``fetched``: run id -> request and page counts so far) and
        ``captures`` that belong to no article (feeds, sitemaps); report what each became. A
        locked archive is waited for (``retrying``). A batch with a ``batch_id`` is written once:
        the same batch saved again (a message delivered twice) changes nothing and gets the first
        report back."""
        results = list(results)
        return self.retrying("saving a batch",
                             lambda: self._save(results, policy, fetched or {}, list(captures), batch_id))

    def _save(self, results: list[FetchResult], policy: tuple[tuple[float, float], ...],
              fetched: dict[int, dict[str, int]], captures: list[dict[str, Any]],
              batch_id: str | None = None) -> SaveReport:
        report = SaveReport()
        now_dt = datetime.now(timezone.utc)
        now = _stamp(now_dt)
        with writing(self.db):
            if batch_id is not None:
                done = self.db.execute("SELECT outcomes FROM saved_batches WHERE id = ?", [batch_id]).fetchone()
                if done is not None:
                    return SaveReport(json.loads(done[0]), repeated=True)
            for capture in captures:
                self._save_capture(capture, None, None)
            for result in results:
                article_id = None
                outcome = result.outcome
                if outcome == "article" and result.record:
                    outcome, article_id = self._save_article(result.record, now)
                elif outcome == "not-modified":
                    article_id = self._not_modified(result.url, now)
                if outcome in ("error", "blocked", "skipped"):
                    self._insert("failed_urls", {"run_id": result.run_id, "site": result.site, "url": result.url,
                                                 "reason": result.reason, "detail": result.detail, "at": now})
                report.outcomes.append(outcome)
                if outcome != "skipped" or result.fetched:
                    self._remember_fetch(result, outcome, article_id, now_dt, policy)
                if result.capture:
                    capture_id = self._save_capture(result.capture, article_id, result.hints)
                    if outcome in ("new", "revised"):  # the capture the record now comes from
                        self.db.execute("UPDATE articles SET capture_id = ? WHERE id = ?", [capture_id, article_id])
            runs: dict[int, list[str]] = {}
            for result, outcome in zip(results, report.outcomes):
                if result.run_id is not None:
                    runs.setdefault(result.run_id, []).append(outcome)
            for run_id in runs.keys() | fetched.keys():
                self.ledger.count(run_id, runs.get(run_id, ()), fetched.get(run_id))
            if batch_id is not None:
                self.db["saved_batches"].insert({"id": batch_id, "run_id": next(iter(runs | fetched), None),
                                                 "saved": now, "outcomes": json.dumps(report.outcomes)})
        return report

    def _insert(self, table: str, row: dict[str, Any]) -> int:
        """One row in, by a plain INSERT: the write path's tables are made by the migrations, and
        sqlite-utils' per-call introspection of them halved the writer's rows per second."""
        columns = ", ".join(f"[{c}]" for c in row)
        return self.db.execute(f"INSERT INTO [{table}] ({columns}) VALUES ({', '.join('?' * len(row))})",
                               list(row.values())).lastrowid

    def _save_capture(self, capture: dict[str, Any], article_id: int | None, hints: dict[str, Any] | None) -> int:
        row = {**capture, "article_id": article_id,
               "hints": json.dumps(hints, ensure_ascii=False, sort_keys=True) if hints else None}
        return self._insert("captures", row)

    def latest_capture(self, url: str) -> dict[str, Any] | None:
        """The newest full (not revisit) capture of ``url``: what a revisit refers to."""
        rows = list(self.db["captures"].rows_where("url = ? AND revisit_of IS NULL", [url], order_by="id desc",
                                                   limit=1))
        return rows[0] if rows else None

    def _remember_fetch(self, result: FetchResult, outcome: str, article_id: int | None, now_dt: datetime,
                        policy: tuple[tuple[float, float], ...]) -> None:
        previous = self.db.execute("SELECT failures, etag, last_modified, content_hash, hint FROM fetch_state "
                                   "WHERE url = ?", [result.url]).fetchone()
        failures = 0
        etag, last_modified = result.etag, result.last_modified
        content = (result.record or {}).get("content_hash")
        if article_id is not None:
            born = self.db.execute("SELECT coalesce(published, first_seen) FROM articles WHERE id = ?",
                                   [article_id]).fetchone()[0]
            next_check = recheck_after(born, now_dt, policy)
            state = "article"
            if outcome == "not-modified" and previous:
                etag, last_modified = etag or previous[1], last_modified or previous[2]
                content = previous[3]
        elif outcome in ("not-article", "skipped"):
            next_check, state = now_dt + NOT_ARTICLE_RECHECK, "not-article"
        else:  # error or blocked: try again, backing off while it keeps failing
            failures = (previous[0] if previous else 0) + 1
            next_check = now_dt + min(timedelta(hours=2 ** (failures - 1)), MAX_ERROR_BACKOFF) \
                if failures > 1 else now_dt
            state = outcome
        row = {"url": result.url, "site": result.site, "outcome": state, "article_id": article_id,
               "etag": etag, "last_modified": last_modified, "content_hash": content,
               "last_fetched": _stamp(now_dt), "next_check": _stamp(next_check), "failures": failures,
               "hint": max(filter(None, (result.hint, previous[4] if previous else None)), default=None)}
        updates = ", ".join(f"{c} = excluded.{c}" for c in row if c != "url")
        self.db.execute(f"INSERT INTO fetch_state ({', '.join(row)}) VALUES ({', '.join('?' * len(row))}) "
                        f"ON CONFLICT(url) DO UPDATE SET {updates}", list(row.values()))

    def _not_modified(self, url: str, now: str) -> int | None:
        """A 304 for an archived article: it is still there, unchanged."""
        row = self.db.execute("SELECT article_id FROM fetch_state WHERE url = ?", [url]).fetchone()
        if row and row[0] is not None:
            self.db.execute("UPDATE articles SET last_seen = ? WHERE id = ?", [now, row[0]])
            return row[0]
        return None

    def _save_article(self, record: dict[str, Any], now: str) -> tuple[str, int]:
        """Insert, merge or recheck one extracted article; return (outcome, article id)."""
        fetched = record.get("requested_url") or record.get("fetched_url") or record["url"]
        urls = dict.fromkeys(u for u in (record["url"], record.get("fetched_url"), fetched) if u)
        keys = {url_key(u): u for u in urls}
        marks = ",".join("?" * len(keys))
        rows = self.db.execute(
            f"SELECT url_key, article_id, reason FROM url_aliases WHERE url_key IN ({marks})", list(keys)).fetchall()
        found = {key: article for key, article, _ in rows}
        # a page merged only for carrying the same body is a copy: refetching it revises nothing
        own_page = any(key == url_key(fetched) and why != "same-body" for key, _, why in rows)
        if found:
            article_id = next(iter(found.values()))
            outcome = self._recheck(article_id, record, now) if own_page else "duplicate"
            reason = "same-url"
        else:
            row = self.db.execute("SELECT id FROM articles WHERE content_hash = ? LIMIT 1",
                                  [record["content_hash"]]).fetchone()
            if row:
                article_id, outcome, reason = row[0], "duplicate", "same-body"
            else:
                article_id, outcome, reason = self._insert_article(record, now), "new", "variant"
        for key, url in keys.items():
            if key not in found:
                alias_reason = "canonical" if outcome == "new" and url == record["url"] else reason
                self.db.execute(
                    "INSERT OR IGNORE INTO url_aliases (url_key, url, article_id, reason, first_seen) "
                    "VALUES (?, ?, ?, ?, ?)", [key, url, article_id, alias_reason, now])
        if outcome in ("duplicate", "unchanged"):
            self.db.execute("UPDATE articles SET last_seen = ? WHERE id = ?", [now, article_id])
        return outcome, article_id

    def _insert_article(self, record: dict[str, Any], now: str) -> int:
        row = {k: record.get(k) for k in (
            "url", "site", "title", "published", "published_source", "modified", "language",
            "description", "image", "body", "word_count", "content_hash", "fetched_url")}
        row["authors"] = json.dumps(record.get("authors") or [], ensure_ascii=False)
        row["tags"] = json.dumps(record.get("tags") or [], ensure_ascii=False)
        row.update(first_seen=now, last_seen=now, updated=now, revisions=0, extracted_by=self.extractor)
        return self._insert("articles", row)

    def _recheck(self, article_id: int, record: dict[str, Any], now: str) -> str:
        """The same URL fetched again: a new revision when title or words changed."""
        old = self.db["articles"].get(article_id)
        if old["content_hash"] == record["content_hash"] and (old["title"] or "") == (record.get("title") or ""):
            return "unchanged"
        self.db["article_versions"].insert(
            {"article_id": article_id, "captured_at": old["updated"] or old["first_seen"], "title": old["title"],
             "body": old["body"], "content_hash": old["content_hash"]})
        self.db["articles"].update(article_id, {
            "title": record.get("title"), "body": record["body"], "content_hash": record["content_hash"],
            "word_count": record.get("word_count"), "modified": record.get("modified") or old["modified"],
            "updated": now, "last_seen": now, "revisions": (old["revisions"] or 0) + 1,
            "extracted_by": self.extractor})
        return "revised"


def frozen(path: str) -> bool:
    """Whether no process can be changing the file: its directory is read-only, so no writer can
    have a write-ahead log beside it. Only such a file may be opened immutable."""
    directory = os.path.dirname(os.path.abspath(path))
    return not os.access(directory, os.W_OK) and not os.path.exists(f"{path}-wal")


def read_uri(path: str) -> str:
    """The URI that reads the archive without writing: immutable only when ``frozen`` (SQLite can
    then not make the shared-memory file a read-only connection to a WAL file needs)."""
    return f"file:{path}?immutable=1" if frozen(path) else f"file:{path}?mode=ro"


def _check_writable(path: str, directory: str) -> None:
    if os.path.exists(path) and not os.access(path, os.W_OK):
        raise ArchiveError(f"{path}: read-only for this user, and crawling writes to it: make it writable "
                           f"(chmod u+w {path}, or run as its owner); `newsarchive serve` can read it as it is")
    if not os.access(directory, os.W_OK):
        raise ArchiveError(f"{path}: its directory {directory} is read-only for this user, and the archive "
                           "needs it for its write-ahead log and locks: make it writable, or move the archive")


def _database_problem(path: str, exc: sqlite3.DatabaseError, timeout: float) -> str:
    text = str(exc)
    if is_locked(exc):
        return (f"{path}: locked by another process's write for more than {timeout:g} s; find it "
                f"(fuser {path}) and let it finish, or raise ${BUSY_TIMEOUT_ENV}")
    if "readonly" in text.replace("-", "").replace(" ", "").lower():
        return (f"{path}: read-only ({text}): make the file and its directory writable; "
                "`newsarchive serve` can read it as it is")
    return f"{path}: not a usable SQLite archive ({text})"
