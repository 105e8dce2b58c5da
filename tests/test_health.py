"""Extraction health per site: a run whose bodies shrink or whose pages stop being articles
against the site's own history is flagged in crawl_runs and in the crawl summary."""

from __future__ import annotations

import html
import json
from datetime import datetime, timedelta, timezone

import pytest

from fixture_sites import assert_clean_exit, robots, rss, run_crawl, story, write_config
from pipelines.archive import Archive
from pipelines.health import run_health


def _stamp(when: datetime) -> str:
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")


def add_run(archive: Archive, site: str, day: int, bodies: list[int], *, not_articles: int = 0,
            dated: bool = True, authored: bool = True, status: str = "ok") -> int:
    """A finished run on day ``day`` that wrote articles of the given word counts."""
    start = datetime(2024, 3, 1, tzinfo=timezone.utc) + timedelta(days=day)
    db = archive.db
    run_id = db["crawl_runs"].insert({"site": site, "started": _stamp(start), "finished": _stamp(start + timedelta(minutes=5)),
                                      "status": status, "trigger": "schedule", "new_articles": len(bodies),
                                      "not_articles": not_articles, "duplicates": 0}).last_pk
    for i, words in enumerate(bodies):
        db["articles"].insert({
            "url": f"https://{site}.example/{day}/{i}", "site": site, "title": f"Story {day}-{i}",
            "authors": json.dumps(["Mara Lind"] if authored else []),
            "published": "2024-03-01T08:00:00Z" if dated else None, "body": "word " * words,
            "word_count": words, "content_hash": f"{site}-{day}-{i}", "first_seen": _stamp(start + timedelta(minutes=1)),
            "last_seen": _stamp(start + timedelta(minutes=1)), "updated": _stamp(start + timedelta(minutes=1)),
            "revisions": 0})
    run_health(db, run_id, site)  # as the runner does when a run finishes
    return run_id


@pytest.fixture()
def archive(tmp_path):
    archive = Archive.open(tmp_path / "archive.db")
    yield archive
    archive.close()


NORMAL = [420, 610, 380, 505, 450, 700]


def test_a_run_like_the_sites_history_is_healthy_and_its_numbers_are_recorded(archive):
    for day in range(3):
        add_run(archive, "quay", day, NORMAL)
    run_id = add_run(archive, "quay", 3, NORMAL, not_articles=1)
    result = run_health(archive.db, run_id, "quay")
    assert result["health"] == "ok"
    row = archive.db["crawl_runs"].get(run_id)
    assert row["median_words"] == 477
    assert row["not_article_share"] == round(1 / 7, 3)
    assert (row["no_date_share"], row["no_author_share"]) == (0.0, 0.0)
    assert row["health"] == "ok" and row["health_detail"] is None


def test_bodies_shrinking_to_half_are_flagged(archive):
    for day in range(3):
        add_run(archive, "quay", day, NORMAL)
    run_id = add_run(archive, "quay", 3, [120, 140, 90, 200, 150])
    result = run_health(archive.db, run_id, "quay")
    assert result["health"] == "collapsed"
    assert "median body 140 words" in result["health_detail"]
    assert archive.db["crawl_runs"].get(run_id)["health"] == "collapsed"


def test_pages_turning_into_not_articles_are_flagged(archive):
    for day in range(3):
        add_run(archive, "quay", day, NORMAL, not_articles=1)
    run_id = add_run(archive, "quay", 3, NORMAL[:2], not_articles=9)
    result = run_health(archive.db, run_id, "quay")
    assert result["health"] == "collapsed"
    assert "82% not articles" in result["health_detail"]


def test_dates_and_authors_vanishing_are_flagged(archive):
    for day in range(3):
        add_run(archive, "quay", day, NORMAL)
    run_id = add_run(archive, "quay", 3, NORMAL, dated=False, authored=False)
    detail = run_health(archive.db, run_id, "quay")["health_detail"]
    assert "without a date" in detail and "without an author" in detail


def test_no_verdict_without_history_or_with_too_few_pages(archive):
    first = add_run(archive, "quay", 0, [100, 90, 80, 70, 60])
    assert run_health(archive.db, first, "quay")["health"] is None
    for day in range(1, 4):
        add_run(archive, "quay", day, NORMAL)
    small = add_run(archive, "quay", 4, [50, 40])
    assert run_health(archive.db, small, "quay")["health"] is None


def test_history_is_the_sites_own(archive):
    for day in range(3):
        add_run(archive, "longform", day, [3000, 2800, 3500, 3100, 2900])
        add_run(archive, "briefs", day, [150, 170, 160, 140, 180])
    run_id = add_run(archive, "briefs", 3, [150, 160, 170, 140, 155])
    assert run_health(archive.db, run_id, "briefs")["health"] == "ok"


def test_failed_runs_are_neither_judged_nor_history(archive):
    for day in range(3):
        add_run(archive, "quay", day, [100, 110, 90, 95, 105], status="failed")
    run_id = add_run(archive, "quay", 3, NORMAL)
    assert run_health(archive.db, run_id, "quay")["health"] is None


# -- end to end: a site redesign noticed by `newsarchive crawl` -------------------------------

def full_page(s) -> str:
    e = html.escape
    paragraphs = "".join(f"<p>{e(p)}</p>" for p in s.paragraphs)
    return (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{e(s.title)}</title>'
            f'<meta property="og:type" content="article"><meta name="author" content="{e(s.author)}">'
            f'<meta property="article:published_time" content="{s.published}"></head><body>'
            f'<main><article><h1>{e(s.title)}</h1><div class="story">{paragraphs}</div></article></main></body></html>')


def redesigned_page(s) -> str:
    """After the redesign the story text moved into a script-rendered app shell: only a teaser
    paragraph is left in the HTML."""
    e = html.escape
    teaser = " ".join(s.paragraphs[0].split()[:45])
    return (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{e(s.title)}</title>'
            f'<meta property="og:type" content="article"></head><body><div id="app"><h1>{e(s.title)}</h1>'
            f"<p>{e(teaser)}</p><p>{e(' '.join(s.paragraphs[1].split()[:30]))}</p></div></body></html>")


def test_a_redesign_that_breaks_extraction_is_flagged_in_the_crawl_summary(servers, tmp_path):
    server = servers.new()
    server.add("/robots.txt", robots(), content_type="text/plain")
    server.add("/", "<html><body><p>Quay News</p></body></html>")
    config = write_config(tmp_path / "sites.toml", {"quay": {"url": server.url("/"),
                                                             "feeds": [server.url("/feed.xml")]}})
    db = tmp_path / "archive.db"
    outputs = []
    for run, make in enumerate([full_page, full_page, full_page, redesigned_page]):
        paths = [f"/2024/03/run{run}-story-{i}/" for i in range(6)]
        for path in paths:
            server.add(path, make(story(f"run{run}-story-{path[-2]}")))
        server.add("/feed.xml", rss([(p, None) for p in paths]), content_type="application/rss+xml")
        crawl = run_crawl(config, db, "quay")
        assert_clean_exit(crawl)
        outputs.append(crawl.result.stdout)
    runs = crawl.rows("SELECT * FROM crawl_runs WHERE site = 'quay' ORDER BY id")
    assert [r["health"] for r in runs] == [None, None, "ok", "collapsed"]
    assert all(r["median_words"] > 150 for r in runs[:3]) and runs[3]["median_words"] < 100
    assert "extraction collapsed" not in "".join(outputs[:3])
    assert "extraction collapsed: median body" in outputs[3]
