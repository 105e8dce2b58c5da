"""What a crawl needs to know of the archive before it fetches a URL: is it due, and with which
conditional headers. One rule (``decide``), read either from the archive itself
(``Archive.fetch_plan``) or from a ``SitePlan``: the plan of one site, exported by the archive host
for a crawl that runs on another machine (``newsarchive worker``) and never opens the archive.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import sqlite_utils

from pipelines.dates import utc_now
from pipelines.urls import url_key

STATE_COLUMNS = ("next_check", "outcome", "etag", "last_modified", "last_fetched", "hint")
CAPTURE_COLUMNS = ("id", "url", "digest", "fetched", "record_id")  # what a WARC revisit refers to


def decide(state: tuple | None, known: bool, changed: str | None, now: str) -> dict[str, str] | None:
    """None when the URL needs no fetch now: archived (under any alias, ``known``) or judged not an
    article, and not yet due for a recheck, unless a feed or sitemap says it ``changed`` since we
    last fetched it. Otherwise the conditional request headers to send. ``state`` is the URL's
    ``fetch_state`` row in ``STATE_COLUMNS`` order."""
    if state is None:
        return None if known else {}
    next_check, outcome, etag, last_modified, last_fetched, hint = state
    due = next_check is not None and next_check <= now
    # a feed/sitemap date newer than the one it gave last time (or than our fetch) means "changed"
    changed_since = hint or last_fetched
    if not due and not (changed and changed_since and changed > changed_since):
        return None
    if outcome != "article":
        return {}
    headers = {}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    return headers


@dataclass
class SitePlan:
    """One site's fetch state, URL keys and latest captures, as plain data (JSON on the wire)."""

    site: str
    states: dict[str, list] = field(default_factory=dict)  # url -> STATE_COLUMNS values
    keys: set[str] = field(default_factory=set)  # url keys of the site's archived articles
    captures: dict[str, dict[str, Any]] = field(default_factory=dict)  # url -> its newest full capture

    def fetch_plan(self, url: str, changed: str | None = None, now: str | None = None) -> dict[str, str] | None:
        state = self.states.get(url)
        return decide(tuple(state) if state else None, url_key(url) in self.keys, changed, now or utc_now())

    def latest_capture(self, url: str) -> dict[str, Any] | None:
        return self.captures.get(url)

    def to_dict(self) -> dict[str, Any]:
        return {"site": self.site, "states": self.states, "keys": sorted(self.keys), "captures": self.captures}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "SitePlan":
        return cls(data["site"], dict(data["states"]), set(data["keys"]), dict(data["captures"]))


def export_plan(db: sqlite_utils.Database, site: str, captures: bool = False) -> SitePlan:
    """The plan of ``site`` read from the archive (its newest captures only when ``captures``)."""
    plan = SitePlan(site)
    for url, *state in db.execute(f"SELECT url, {', '.join(STATE_COLUMNS)} FROM fetch_state WHERE site = ?", [site]):
        plan.states[url] = state
    plan.keys = {key for (key,) in db.execute(
        "SELECT url_key FROM url_aliases WHERE article_id IN (SELECT id FROM articles WHERE site = ?)", [site])}
    if captures:
        columns = ", ".join(f"c.{c}" for c in CAPTURE_COLUMNS)
        rows = db.execute(
            f"SELECT {columns} FROM captures c JOIN (SELECT max(id) AS id FROM captures WHERE revisit_of IS NULL "
            "AND url IN (SELECT url FROM fetch_state WHERE site = ?) GROUP BY url) newest ON c.id = newest.id",
            [site])
        for row in rows:
            capture = dict(zip(CAPTURE_COLUMNS, row))
            plan.captures[capture["url"]] = capture
    return plan
