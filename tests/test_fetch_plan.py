"""What a crawl on another host knows of the archive (``pipelines.fetch_plan``), and batches that
arrive twice. Real SQLite archives; no broker needed."""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime, timedelta, timezone

from pipelines.archive import Archive, FetchResult
from pipelines.fetch_plan import SitePlan


def article(n: int, site: str = "s", etag: str | None = None) -> FetchResult:
    url = f"https://{site}.example/story-{n}"
    body = " ".join(f"word{n}x{k}" for k in range(120))
    record = {"url": url, "site": site, "title": f"Story {n}", "body": body, "word_count": 120,
              "content_hash": f"{n:016x}", "fetched_url": url, "published": "2026-11-30T08:00:00Z"}
    return FetchResult(url=url, site=site, outcome="article", record=record, fetched=True, etag=etag,
                       last_modified="Mon, 30 Nov 2026 08:00:00 GMT")


def dump(path) -> dict[str, list]:
    conn = sqlite3.connect(path)
    try:
        return {t: conn.execute(f"SELECT * FROM {t} ORDER BY 1").fetchall()
                for t in ("articles", "url_aliases", "fetch_state", "failed_urls", "crawl_runs", "captures")}
    finally:
        conn.close()


def test_a_batch_saved_twice_is_written_once(tmp_path):
    archive = Archive.open(tmp_path / "archive.db")
    run_id = archive.start_run("s", "manual")
    batch = [article(1), article(2),
             FetchResult(url="https://s.example/gone", site="s", outcome="error", reason="http-404", fetched=True)]
    for result in batch:
        result.run_id = run_id
    first = archive.save(batch, fetched={run_id: {"requests": 3, "pages": 3}}, batch_id="b-1")
    before = dump(tmp_path / "archive.db")
    again = archive.save(batch, fetched={run_id: {"requests": 3, "pages": 3}}, batch_id="b-1")
    assert again.repeated and not first.repeated and again.outcomes == first.outcomes == ["new", "new", "error"]
    assert dump(tmp_path / "archive.db") == before  # no second failure row, no doubled counts
    other = archive.save([article(3)], batch_id="b-2")  # a new batch is still written
    assert other.outcomes == ["new"]
    assert archive.run(run_id)["new_articles"] == 2 and archive.run(run_id)["errors"] == 1
    archive.close()


def test_a_site_plan_decides_every_url_as_the_archive_does(tmp_path):
    archive = Archive.open(tmp_path / "archive.db")
    merged = article(4)
    merged.record["requested_url"] = "https://s.example/story-4?utm_source=feed"
    archive.save([article(1, etag='"v1"'), article(2), merged,
                  FetchResult(url="https://s.example/about", site="s", outcome="not-article", fetched=True),
                  FetchResult(url="https://s.example/flaky", site="s", outcome="error", reason="timeout",
                              fetched=True),
                  article(9, site="other")])
    # story-2 is due again: its recheck time has come
    archive.db.execute("UPDATE fetch_state SET next_check = '2000-01-01T00:00:00Z' WHERE url LIKE '%story-2'")
    plan = SitePlan.from_dict(json.loads(json.dumps(archive.site_plan("s").to_dict())))  # as sent on the wire
    urls = ["https://s.example/story-1", "https://s.example/story-2", "https://s.example/story-4",
            "https://s.example/story-4?utm_source=feed", "https://s.example/about", "https://s.example/flaky",
            "https://s.example/new-story"]
    later = (datetime.now(timezone.utc) + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    for url in urls:
        for changed in (None, later):
            assert plan.fetch_plan(url, changed) == archive.fetch_plan(url, changed), (url, changed)
    assert plan.fetch_plan("https://s.example/new-story") == {}  # never seen: fetch it
    assert plan.fetch_plan("https://s.example/story-1") is None  # archived, not due
    assert "If-Modified-Since" in plan.fetch_plan("https://s.example/story-2")  # due: asked conditionally
    assert not any("other.example" in url for url in plan.states)  # only the site's own state travels
    archive.close()
