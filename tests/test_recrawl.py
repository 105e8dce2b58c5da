"""Recrawling like a good citizen: conditional requests, revisions, Crawl-delay, Retry-After and
blocking, against real fixture sites over HTTP."""

from __future__ import annotations

import hashlib
import threading
import time
from datetime import datetime, timedelta, timezone
from dataclasses import dataclass, field

import pytest

from fixture_sites import (FixtureServer, Request, Response, Story, article_html, assert_clean_exit,
                           listing_html, robots, rss, run_crawl, story, urlset, write_config)

ALWAYS_DUE = ["100000d:0s"]  # every article is due for a recheck on every crawl


@dataclass
class LiveSite:
    """A fixture site whose articles can be edited between crawls; answers 304 to a matching
    If-None-Match and records when each request arrived."""

    server: FixtureServer
    stories: dict[str, Story] = field(default_factory=dict)
    full: dict[str, int] = field(default_factory=dict)  # 200 answers per article path
    not_modified: dict[str, int] = field(default_factory=dict)
    times: list[tuple[float, str]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def path(self, slug: str) -> str:
        return f"/news/{slug}/"

    def publish(self, slug: str) -> None:
        self.stories[slug] = story(slug)
        self.server.add(self.path(slug), self.article_handler(slug))
        self.refresh_indexes()

    def refresh_indexes(self) -> None:
        links = [self.server.url(self.path(s)) for s in self.stories]
        self.server.add("/feed.xml", rss([(u, None) for u in links]), content_type="application/rss+xml")
        self.server.add("/", listing_html("Home", links, feeds=[("application/rss+xml", "/feed.xml")]))

    def page(self, slug: str) -> bytes:
        return article_html(self.stories[slug]).encode()

    def article_handler(self, slug: str):
        def handle(request: Request) -> Response:
            body = self.page(slug)
            etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
            with self.lock:
                self.times.append((time.monotonic(), request.path))
                if request.headers.get("If-None-Match") == etag:
                    self.not_modified[slug] = self.not_modified.get(slug, 0) + 1
                    return Response(b"", status=304, content_type=None, headers={"ETag": etag})
                self.full[slug] = self.full.get(slug, 0) + 1
            return Response(body, headers={"ETag": etag})
        return handle

    def reset_counts(self) -> None:
        with self.lock:
            self.full.clear()
            self.not_modified.clear()


def live_site(servers, n: int) -> LiveSite:
    site = LiveSite(servers.new())
    site.server.add("/robots.txt", robots(), content_type="text/plain")
    for i in range(n):
        site.publish(f"recrawl-story-{i}")
    return site


def test_unchanged_site_recrawl_downloads_almost_nothing_and_adds_nothing(servers, tmp_path):
    site = live_site(servers, 20)
    config = write_config(tmp_path / "sites.toml", {"live": {"url": site.server.url("/"), "recheck": ALWAYS_DUE}})
    db = tmp_path / "archive.db"
    first = run_crawl(config, db, "live")
    assert_clean_exit(first)
    assert len(first.articles()) == 20
    site.reset_counts()

    second = run_crawl(config, db, "live")
    assert_clean_exit(second)
    assert sum(site.full.values()) <= 1, f"re-downloaded in full: {site.full}"
    assert sum(site.not_modified.values()) == 20  # every recheck was a conditional request
    assert len(second.articles()) == 20
    assert second.rows("SELECT count(*) AS n FROM article_versions")[0]["n"] == 0
    assert second.run_row("live")["new_articles"] == 0


def test_old_articles_are_not_rechecked_at_all(servers, tmp_path):
    site = live_site(servers, 5)  # the stories were published in 2024: past every recheck age
    config = write_config(tmp_path / "sites.toml", {"old": {"url": site.server.url("/")}})
    db = tmp_path / "archive.db"
    assert_clean_exit(run_crawl(config, db, "old"))
    site.reset_counts()
    assert_clean_exit(run_crawl(config, db, "old"))
    assert site.full == {} and site.not_modified == {}


def test_edited_articles_get_exactly_one_revision_and_new_ones_are_archived(servers, tmp_path):
    site = live_site(servers, 6)
    config = write_config(tmp_path / "sites.toml", {"edits": {"url": site.server.url("/"), "recheck": ALWAYS_DUE}})
    db = tmp_path / "archive.db"
    assert_clean_exit(run_crawl(config, db, "edits"))

    edited = ["recrawl-story-1", "recrawl-story-4"]
    for slug in edited:
        s = site.stories[slug]
        s.paragraphs[1] += " Update: the company has since corrected the figures it gave."
        s.title = "Updated: " + s.title
    spaced = site.stories["recrawl-story-2"]
    spaced.paragraphs = [p.replace(" ", "  ") for p in spaced.paragraphs]  # whitespace only
    site.publish("recrawl-story-new")

    second = run_crawl(config, db, "edits")
    assert_clean_exit(second)
    revisions = {r["url"].rstrip("/").rsplit("/", 1)[1]: r["revisions"] for r in second.articles()}
    assert revisions["recrawl-story-new"] == 0
    assert {slug for slug, n in revisions.items() if n} == set(edited)
    assert all(revisions[slug] == 1 for slug in edited)
    versions = second.rows("SELECT v.title, a.title AS now_title, a.first_seen, a.updated FROM article_versions v "
                           "JOIN articles a ON a.id = v.article_id")
    assert len(versions) == 2
    assert all(not v["title"].startswith("Updated:") and v["now_title"].startswith("Updated:") for v in versions)
    assert second.run_row("edits")["new_articles"] == 1


def test_sitemap_lastmod_moves_a_recheck_forward(servers, tmp_path):
    site = live_site(servers, 3)
    urls = [site.server.url(site.path(s)) for s in site.stories]
    site.server.add("/sitemap.xml", urlset(urls, lastmod="2024-03-05"), content_type="application/xml")
    site.server.add("/robots.txt", robots(sitemaps=[site.server.url("/sitemap.xml")]), content_type="text/plain")
    config = write_config(tmp_path / "sites.toml", {"maps": {"url": site.server.url("/")}})
    db = tmp_path / "archive.db"
    assert_clean_exit(run_crawl(config, db, "maps"))
    site.reset_counts()

    changed = "recrawl-story-0"
    site.stories[changed].paragraphs[0] += " This paragraph was extended after publication."
    body = urlset([u for u in urls if changed not in u], lastmod="2024-03-05")
    after_first_crawl = (datetime.now(timezone.utc) + timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    fresh = urlset([u for u in urls if changed in u], lastmod=after_first_crawl)
    site.server.add("/sitemap.xml", body.replace("</urlset>", fresh.split("<urlset", 1)[1].split(">", 1)[1]),
                    content_type="application/xml")
    second = run_crawl(config, db, "maps")
    assert_clean_exit(second)
    assert site.full == {changed: 1}
    [row] = second.rows("SELECT revisions FROM articles WHERE url LIKE ?", [f"%{changed}%"])
    assert row["revisions"] == 1


def test_robots_crawl_delay_spaces_requests(servers, tmp_path):
    site = live_site(servers, 4)
    site.server.add("/robots.txt", "User-agent: *\nCrawl-delay: 1\n", content_type="text/plain")
    config = write_config(tmp_path / "sites.toml", {"slow": {"url": site.server.url("/"), "concurrency": 4}})
    db = tmp_path / "archive.db"
    assert_clean_exit(run_crawl(config, db, "slow"))
    times = sorted(t for t, _ in site.times)
    assert len(times) == 4
    gaps = [b - a for a, b in zip(times, times[1:])]
    assert min(gaps) >= 0.95, f"requests closer than the Crawl-delay: {gaps}"


def test_retry_after_is_honoured_on_503(servers, tmp_path):
    server = servers.new()
    arrivals: list[float] = []
    page = article_html(story("busy-then-fine")).encode()

    def busy_once(request: Request) -> Response:
        arrivals.append(time.monotonic())
        if request.count == 1:
            return Response(b"busy", status=503, headers={"Retry-After": "2"})
        return Response(page)

    server.add("/robots.txt", robots(), content_type="text/plain")
    server.add("/news/busy/", busy_once)
    server.add("/", listing_html("Home", [server.url("/news/busy/")]))
    config = write_config(tmp_path / "sites.toml", {"busy": {"url": server.url("/")}})
    crawl = run_crawl(config, tmp_path / "archive.db", "busy")
    assert_clean_exit(crawl)
    assert len(crawl.articles()) == 1
    assert len(arrivals) == 2 and arrivals[1] - arrivals[0] >= 1.9


CHALLENGE = (b"<!DOCTYPE html><html><head><title>Just a moment...</title></head><body>"
             b"<div id=\"challenge\">Checking your browser before accessing the site.</div>"
             b"<script src=\"/cdn-cgi/challenge-platform/h/b/orchestrate/chl_page/v1\"></script>"
             b"</body></html>")


@pytest.mark.parametrize("answer", [
    Response(CHALLENGE, status=403), Response(CHALLENGE, status=200), Response(CHALLENGE, status=202),
    Response(b"<html><head><script>" + b"var app = {};" * 400 + b"</script></head><body><div id=root></div>"
             b"<noscript>You need to enable JavaScript to run this app.</noscript></body></html>"),
], ids=["403", "200-challenge", "202", "js-shell"])
def test_a_site_that_refuses_us_is_recorded_as_blocked_and_stores_nothing(servers, tmp_path, answer):
    server = servers.new()
    server.add("/robots.txt", robots(), content_type="text/plain")
    links = [server.url(f"/news/story-{i}/") for i in range(12)]
    server.add("/", listing_html("Home", links))
    for link in links:
        server.add(link[len(server.base):], answer)
    config = write_config(tmp_path / "sites.toml", {"walled": {"url": server.url("/"), "block_threshold": 3,
                                                                   "concurrency": 1}})
    crawl = run_crawl(config, tmp_path / "archive.db", "walled")
    assert_clean_exit(crawl)
    assert crawl.articles() == []
    run = crawl.run_row("walled")
    assert run["blocked"] >= 3
    assert {f["reason"] for f in crawl.failures("walled")} & {"challenge", "js-shell", "http-403"}
    assert server.hits_under("/news/") <= 3 + 1, "kept hammering a site that refuses us"


def test_robots_txt_rules_are_fetched_once_per_run_not_once_per_discovery_method(servers, tmp_path):
    site = live_site(servers, 3)
    urls = [site.server.url(site.path(s)) for s in site.stories]
    site.server.add("/sitemap.xml", urlset(urls), content_type="application/xml")
    site.server.add("/robots.txt", robots(sitemaps=[site.server.url("/sitemap.xml")]), content_type="text/plain")
    config = write_config(tmp_path / "sites.toml", {"once": {"url": site.server.url("/")}})
    crawl = run_crawl(config, tmp_path / "archive.db", "once")
    assert_clean_exit(crawl)
    assert len(crawl.articles()) == 3
    # once for its rules (shared by the three discovery spiders), once read for its Sitemap: lines
    assert site.server.hits("/robots.txt") == 2
