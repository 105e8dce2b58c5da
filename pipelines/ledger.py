"""The run ledger: one row in ``crawl_runs`` per crawl of one site. This module is the only one
that writes that table.

A run is started by the crawl process (``start``), counts what it did as it goes (``count``, in
the same transaction as the rows it saved, so a killed run still shows what it did), and is
finished by it (``finish``). The daemon settles the row with what it saw of the child's end
(``settle``, ``record_unstarted``); whoever opens the archive for writing settles the rows of
crawl processes that died (``settle_stale``).
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Callable, Iterable
from enum import StrEnum
from typing import Any

import sqlite_utils

from pipelines.dates import utc_now
from pipelines.transactions import writing


class RunStatus(StrEnum):
    RUNNING = "running"
    OK = "ok"
    FAILED = "failed"
    TIMEOUT = "timeout"
    INTERRUPTED = "interrupted"


# The run's counts, in the order people read them; outcomes of saved pages map onto them.
COUNTS = ("requests", "pages", "new_articles", "duplicates", "not_articles", "errors", "blocked", "skipped")
OUTCOME_COUNTS = {"new": "new_articles", "duplicate": "duplicates", "not-article": "not_articles",
                  "error": "errors", "blocked": "blocked", "skipped": "skipped"}
FETCH_COUNTS = ("requests", "pages")  # from the downloader, not from saved pages
HEALTH_COLUMNS = ("median_words", "no_date_share", "no_author_share", "not_article_share", "health_pages",
                  "health", "health_detail")
PROCESS_DIED = "process died"
MESSAGE_LIMIT = 500


class Ledger:
    """``crawl_runs`` of one archive connection. Methods that write open their own transaction,
    except ``count``, which joins the caller's (``Archive.save``)."""

    def __init__(self, db: sqlite_utils.Database):
        self.db = db

    @property
    def table(self) -> sqlite_utils.db.Table:
        return self.db["crawl_runs"]

    def start(self, site: str, trigger: str, pid: int | None = None, worker: str | None = None) -> int:
        """A new ``running`` row. A run on a cluster worker names the ``worker`` and has no pid
        (its process is on another host)."""
        with writing(self.db):
            return self.table.insert({"site": site, "started": utc_now(), "status": RunStatus.RUNNING.value,
                                      "trigger": trigger, "pid": None if worker else (pid or os.getpid()),
                                      "worker": worker}).last_pk

    def count(self, run_id: int, outcomes: Iterable[str], fetched: dict[str, int] | None = None) -> None:
        """Add saved pages' outcomes to the run's counts and set its fetch counts (``requests``,
        ``pages``) to ``fetched``; runs inside the caller's transaction."""
        added = Counter(OUTCOME_COUNTS[o] for o in outcomes if o in OUTCOME_COUNTS)
        sets = [f"{column} = coalesce({column}, 0) + ?" for column in added]
        values: list[Any] = list(added.values())
        for column in FETCH_COUNTS:
            if fetched and column in fetched:
                sets.append(f"{column} = ?")
                values.append(int(fetched[column]))
        if sets:
            self.db.execute(f"UPDATE crawl_runs SET {', '.join(sets)} WHERE id = ?", [*values, run_id])

    def finish(self, run_id: int, status: RunStatus, message: str | None = None,
               counts: dict[str, int] | None = None) -> dict[str, Any]:
        """End the run; ``counts`` given (any of COUNTS) replace what it accumulated."""
        values: dict[str, Any] = {"status": RunStatus(status).value, "finished": utc_now(), "message": _cut(message)}
        values.update({k: int(v) for k, v in (counts or {}).items() if k in COUNTS})
        with writing(self.db):
            self.table.update(run_id, values)
        return self.get(run_id)

    def settle(self, run_id: int, status: RunStatus, message: str) -> dict[str, Any]:
        """The daemon's word on a run whose process has ended: a run still ``running`` (or
        settled by someone else as "process died") takes ``status``; a timeout always shows."""
        row = self.get(run_id)
        if row["status"] == RunStatus.RUNNING or (row["status"] == RunStatus.FAILED
                                                and (row["message"] or "").startswith(PROCESS_DIED)):
            values = {"status": RunStatus(status).value, "message": _cut(message)}
            if not row["finished"]:
                values["finished"] = utc_now()
            with writing(self.db):
                self.table.update(run_id, values)
        elif status == RunStatus.TIMEOUT:
            with writing(self.db):
                self.table.update(run_id, {"status": RunStatus.TIMEOUT.value, "message": _cut(message)})
        return self.get(run_id)

    def record_unstarted(self, site: str, trigger: str, pid: int | None, started: str, status: RunStatus,
                         message: str, worker: str | None = None) -> dict[str, Any]:
        """A crawl process that ended before it could start its run: a finished row says so."""
        with writing(self.db):
            run_id = self.table.insert({"site": site, "started": started, "finished": utc_now(),
                                        "status": RunStatus(status).value, "trigger": trigger, "pid": pid,
                                        "worker": worker, "message": _cut(message)}).last_pk
        return self.get(run_id)

    def record_health(self, run_id: int, values: dict[str, Any]) -> None:
        with writing(self.db):
            self.table.update(run_id, {k: values.get(k) for k in HEALTH_COLUMNS})

    def settle_stale(self, site_free: Callable[[str], bool]) -> list[dict[str, Any]]:
        """Finish as failed ("process died") every ``running`` row whose process is gone and whose
        site lock is free; return the rows settled. Runs on cluster workers are not this host's to
        judge (``settle_lost``)."""
        settled = []
        for row in list(self.table.rows_where("status = ? AND worker IS NULL", [RunStatus.RUNNING.value])):
            if process_alive(row["pid"]) or not site_free(row["site"]):
                continue
            with writing(self.db):
                changed = self.db.execute(
                    "UPDATE crawl_runs SET status = ?, finished = ?, message = ? WHERE id = ? AND status = ?",
                    [RunStatus.FAILED.value, utc_now(), f"{PROCESS_DIED} (pid {row['pid']})", row["id"],
                     RunStatus.RUNNING.value]).rowcount
            if changed:
                settled.append(self.get(row["id"]))
        return settled

    def running_on_workers(self) -> list[dict[str, Any]]:
        return list(self.table.rows_where("status = ? AND worker IS NOT NULL", [RunStatus.RUNNING.value]))

    def settle_lost(self, site: str, before: int, message: str) -> list[dict[str, Any]]:
        """Finish as failed the cluster runs of ``site`` still ``running`` that began before run
        ``before``: a new run of a site means the worker of any older one lost the site's lock
        (it died, or lost the broker for longer than the lock lives)."""
        rows = list(self.table.rows_where("site = ? AND status = ? AND worker IS NOT NULL AND id < ?",
                                          [site, RunStatus.RUNNING.value, before]))
        for row in rows:
            with writing(self.db):
                self.table.update(row["id"], {"status": RunStatus.FAILED.value, "finished": utc_now(),
                                              "message": _cut(f"{PROCESS_DIED} on worker {row['worker']}: {message}")})
        return [self.get(row["id"]) for row in rows]

    def get(self, run_id: int) -> dict[str, Any]:
        return self.table.get(run_id)

    def find(self, site: str, pid: int, since: str) -> dict[str, Any] | None:
        """The run a crawl process ``pid`` started for ``site`` at or after ``since``."""
        rows = list(self.table.rows_where("site = ? AND pid = ? AND started >= ?", [site, pid, since],
                                          order_by="id desc", limit=1))
        return rows[0] if rows else None

    def latest(self, site: str) -> dict[str, Any] | None:
        rows = list(self.table.rows_where("site = ?", [site], order_by="id desc", limit=1))
        return rows[0] if rows else None

    def is_running(self, site: str) -> bool:
        return self.db.execute("SELECT 1 FROM crawl_runs WHERE site = ? AND status = ?",
                               [site, RunStatus.RUNNING.value]).fetchone() is not None


def process_alive(pid: int | None) -> bool:
    """Whether ``pid`` is a live crawl process of ours (not a reused pid of another program)."""
    if not pid:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            cmdline = f.read()
        with open(f"/proc/{pid}/stat", "rb") as f:
            state = f.read().rsplit(b")", 1)[-1].split()[0]
    except OSError:
        return True  # no /proc here: trust the pid
    return state != b"Z" and (b"crawler" in cmdline or b"newsarchive" in cmdline)


def _cut(message: str | None) -> str | None:
    return message[:MESSAGE_LIMIT] if message else message
