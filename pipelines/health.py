"""Extraction health per site: is this run's extraction as good as the site's own history?

A site redesign rarely breaks a crawl outright: pages still download, but the body shrinks to a
teaser, dates and bylines vanish, or stories start to look like listings. Each run records the
median body length, the share of articles without a date or an author and the share of pages
judged not to be articles; a run whose numbers collapse against the site's earlier runs is
flagged in ``crawl_runs`` (``health = 'collapsed'``, with the reason in ``health_detail``).
"""

from __future__ import annotations

import json
import statistics
from typing import Any

import sqlite_utils

from pipelines.ledger import Ledger

MIN_PAGES = 5  # fewer extracted pages than this say nothing about a run
HISTORY_RUNS = 10  # earlier runs the current one is compared with
MIN_HISTORY = 2  # earlier runs needed before anything is flagged


def measure(db: sqlite_utils.Database, run_id: int, site: str) -> dict[str, Any]:
    """The run's numbers: articles written during it (new or revised) and its not-article count."""
    run = db["crawl_runs"].get(run_id)
    # the run's window; times have whole seconds, so a second shared with the site's previous run
    # is left to that run
    previous = db.execute("SELECT max(finished) FROM crawl_runs WHERE site = ? AND id < ?", [site, run_id]).fetchone()[0]
    rows = db.execute(
        "SELECT word_count, published, authors FROM articles WHERE site = ? AND updated >= ? AND updated <= ? "
        "AND (? IS NULL OR updated > ?)",
        [site, run["started"], run["finished"] or run["started"], previous, previous]).fetchall()
    words = [r[0] or 0 for r in rows]
    articles = len(rows)
    pages = articles + (run["duplicates"] or 0) + (run["not_articles"] or 0)
    no_author = sum(1 for r in rows if not json.loads(r[2] or "[]"))
    return {
        "articles": articles,
        "pages": pages,
        "median_words": int(statistics.median(words)) if words else None,
        "no_date_share": round(sum(1 for r in rows if not r[1]) / articles, 3) if articles else None,
        "no_author_share": round(no_author / articles, 3) if articles else None,
        "not_article_share": round((run["not_articles"] or 0) / pages, 3) if pages else None,
    }


def judge(current: dict[str, Any], history: list[dict[str, Any]]) -> list[str]:
    """What collapsed in ``current`` against the median of earlier runs (empty: nothing)."""
    if current["pages"] < MIN_PAGES or len(history) < MIN_HISTORY:
        return []
    problems = []

    def past(key: str) -> float | None:
        values = [h[key] for h in history if h.get(key) is not None]
        return statistics.median(values) if len(values) >= MIN_HISTORY else None

    words, usual_words = current["median_words"], past("median_words")
    if usual_words and current["articles"] >= MIN_PAGES and words is not None and words < usual_words / 2:
        problems.append(f"median body {words} words, usually {int(usual_words)}")
    share, usual_share = current["not_article_share"], past("not_article_share")
    if share is not None and usual_share is not None and share >= max(usual_share + 0.3, usual_share * 2):
        problems.append(f"{share:.0%} not articles, usually {usual_share:.0%}")
    for key, label in (("no_date_share", "without a date"), ("no_author_share", "without an author")):
        value, usual = current[key], past(key)
        if value is not None and usual is not None and current["articles"] >= MIN_PAGES and value >= usual + 0.5:
            problems.append(f"{value:.0%} {label}, usually {usual:.0%}")
    return problems


def run_health(db: sqlite_utils.Database, run_id: int, site: str) -> dict[str, Any]:
    """Measure a finished run, compare it with the site's earlier successful runs, and record both
    in its ``crawl_runs`` row. Returns the numbers with ``health`` (``ok``, ``collapsed`` or
    ``None`` when there is too little to judge) and ``health_detail``."""
    current = measure(db, run_id, site)
    history = [dict(zip(("median_words", "no_date_share", "no_author_share", "not_article_share"), row))
               for row in db.execute(
                   "SELECT median_words, no_date_share, no_author_share, not_article_share FROM crawl_runs "
                   "WHERE site = ? AND id < ? AND status = 'ok' AND health_pages >= ? ORDER BY id DESC LIMIT ?",
                   [site, run_id, MIN_PAGES, HISTORY_RUNS]).fetchall()]
    status = db["crawl_runs"].get(run_id)["status"]
    problems = judge(current, history) if status == "ok" else []
    judged = status == "ok" and current["pages"] >= MIN_PAGES and len(history) >= MIN_HISTORY
    health = "collapsed" if problems else ("ok" if judged else None)
    result = {**current, "health": health, "health_detail": "; ".join(problems) or None}
    Ledger(db).record_health(run_id, {**current, "health_pages": current["pages"], "health": health,
                                      "health_detail": result["health_detail"]})
    return result
