"""Manual crawl requests (``crawl_requests``): ``newsarchive trigger`` and the reading room add
them, the daemon takes and answers them. Only this module and the reading room's writable
``request_crawl`` query (which only inserts) write that table.

A request is pending (``taken`` NULL), taken by the daemon (``taken`` set), and answered by the
run that served it (``run_id``). A request taken by a daemon that died before answering it is
handed back when the next daemon starts (``recover``), so every request gets exactly one run.
"""

from __future__ import annotations

import sqlite_utils

from pipelines.dates import utc_now
from pipelines.transactions import writing


class CrawlRequests:
    def __init__(self, db: sqlite_utils.Database):
        self.db = db

    def add(self, site: str) -> bool:
        """Request a crawl of ``site``; False when one is already waiting."""
        with writing(self.db):
            if self.db.execute("SELECT 1 FROM crawl_requests WHERE site = ? AND taken IS NULL",
                               [site]).fetchone():
                return False
            self.db["crawl_requests"].insert({"site": site, "requested": utc_now()})
        return True

    def pending(self) -> dict[str, list[int]]:
        """Requests nobody has taken, by site, oldest first."""
        waiting: dict[str, list[int]] = {}
        for request_id, site in self.db.execute(
                "SELECT id, site FROM crawl_requests WHERE taken IS NULL ORDER BY id").fetchall():
            waiting.setdefault(site, []).append(request_id)
        return waiting

    def waiting_sites(self) -> set[str]:
        return set(self.pending())

    def take(self, ids: list[int]) -> None:
        self._update("taken = ?", [utc_now()], ids)

    def release(self, ids: list[int]) -> None:
        """Hand requests back: the next look serves them."""
        self._update("taken = NULL, run_id = NULL", [], ids)

    def answer(self, ids: list[int], run_id: int) -> None:
        self._update("run_id = ?", [run_id], ids)

    def recover(self) -> list[int]:
        """Hand back the requests a previous daemon took but never answered with a run."""
        with writing(self.db):
            ids = [row[0] for row in self.db.execute(
                "SELECT id FROM crawl_requests WHERE taken IS NOT NULL AND run_id IS NULL").fetchall()]
            self._update("taken = NULL", [], ids)
        return ids

    def _update(self, assignments: str, values: list, ids: list[int]) -> None:
        if not ids:
            return
        marks = ",".join("?" * len(ids))
        with writing(self.db):
            self.db.execute(f"UPDATE crawl_requests SET {assignments} WHERE id IN ({marks})", [*values, *ids])
