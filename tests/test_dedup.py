"""Deduplication: the same story reached through another URL, or the same body under two URLs,
is one ``articles`` row; the merged URLs are listed in ``url_aliases``; a second crawl adds nothing.

The fixture site is configured as ``http://localhost:PORT/`` so that host-case variants exist.
Its feed, sitemap and listing page link every story through a different variant.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import pytest

from fixture_sites import (Crawl, FixtureServer, Story, article_html, assert_clean_exit, listing_html, robots,
                           rss, run_crawl, story, urlset, write_config)

PUBDATE = "Tue, 05 Mar 2024 17:30:00 GMT"


@dataclass
class Dedup:
    first: Crawl
    second: Crawl
    server: FixtureServer
    base: str
    stories: dict[str, Story]
    hits_after_first: Counter
    rows_after_first: int
    aliases_after_first: int

    def url(self, path: str) -> str:
        return self.base + path

    def rows_for(self, key: str) -> list[dict]:
        """Articles whose body carries the story ``key``."""
        marker = self.stories[key].paragraphs[2]
        return [a for a in self.first.articles() if marker in a["body"]]


@pytest.fixture(scope="module")
def dedup(servers, tmp_path_factory) -> Dedup:
    server = servers.new("127.0.0.1")
    elsewhere = servers.new("127.0.0.2")
    base = f"http://localhost:{server.port}"
    stories = {key: story(f"dedup-{key}") for key in
               ("alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india", "juliet-1",
                "juliet-2")}

    def page(path: str, key: str, **kwargs) -> None:
        server.add(path, article_html(stories[key], **kwargs))

    page("/news/alpha/", "alpha", canonical=base + "/news/alpha/")
    page("/news/bravo/", "bravo", canonical=base + "/news/bravo/")
    page("/news/bravo/amp/", "bravo", canonical=base + "/news/bravo/")
    page("/news/charlie/", "charlie", canonical=base + "/news/charlie/")  # also answers ?amp=1
    page("/news/delta/", "delta", canonical=base + "/news/delta/")
    page("/news/delta/print/", "delta", canonical=base + "/news/delta/")
    page("/?p=4711", "echo", canonical=base + "/news/echo/")  # a WordPress shortlink
    page("/news/echo/", "echo", canonical=base + "/news/echo/")
    page("/mobile/foxtrot.html", "foxtrot", og_url=base + "/news/foxtrot/")
    page("/news/foxtrot/", "foxtrot", og_url=base + "/news/foxtrot/")
    page("/news/golf/", "golf")
    copy = stories["golf"]
    server.add("/syndicated/golf-copy/", article_html(
        Story(copy.slug, copy.title + " (syndicated)", copy.paragraphs, copy.author, copy.published)))
    page("/news/hotel/", "hotel", canonical=f"https://localhost:{server.port}/news/hotel/")
    page("/news/india/", "india", canonical=elsewhere.url("/news/india-original/"))
    page("/read?id=101", "juliet-1")
    page("/read?id=102", "juliet-2")

    feed = ["/news/alpha/?utm_source=rss&utm_medium=feed", "/news/alpha/#comments",
            f"http://LocalHost:{server.port}/news/alpha/", "/news/bravo/amp/", "/news/charlie/?amp=1",
            "/news/delta/print/", "/?p=4711", "/mobile/foxtrot.html", "/news/golf/", "/syndicated/golf-copy/",
            "/news/hotel/", "/news/india/", "/read?id=101", "/read?id=102"]
    sitemap = ["/news/alpha/", "/news/bravo/", "/news/delta/", "/news/foxtrot/",
               f"https://localhost:{server.port}/news/hotel/"]
    listing = ["/news/alpha/?utm_campaign=home&utm_content=hero", "/news/charlie/", "/news/delta/?print=1",
               "/news/echo/", "/news/golf/#top"]
    server.add("/feed.xml", rss([(link, PUBDATE) for link in feed]), content_type="application/rss+xml")
    server.add("/sitemap.xml", urlset([p if p.startswith("http") else base + p for p in sitemap]),
               content_type="application/xml")
    server.add("/latest/", listing_html("Latest", listing))
    server.add("/robots.txt", robots(), content_type="text/plain")

    tmp = tmp_path_factory.mktemp("dedup")
    config = write_config(tmp / "sites.toml", {"dedup": {
        "url": base + "/", "feeds": [base + "/feed.xml"], "sitemaps": [base + "/sitemap.xml"],
        "pages": [base + "/latest/"]}})
    first = run_crawl(config, tmp / "archive.db", workers=2)
    hits = Counter(server.counts)
    rows = len(first.articles())
    aliases = first.rows("SELECT count(*) AS n FROM url_aliases")[0]["n"]
    second = run_crawl(config, tmp / "archive.db", workers=2)
    return Dedup(first, second, server, base, stories, hits, rows, aliases)


def test_crawl_exits_0_with_one_row_per_story(dedup):
    assert_clean_exit(dedup.first)
    assert len(dedup.first.articles()) == dedup.rows_after_first == len(dedup.stories)
    for key in dedup.stories:
        assert len(dedup.rows_for(key)) == 1, key


def test_tracking_parameters_fragments_and_host_case_are_one_article(dedup):
    [row] = dedup.rows_for("alpha")
    assert row["url"] == dedup.url("/news/alpha/")
    fetched = {path: n for path, n in dedup.hits_after_first.items() if path.startswith("/news/alpha/")}
    assert list(fetched) == ["/news/alpha/"], f"variants were fetched separately: {fetched}"
    assert not [u for u in dedup.first.aliases(row["id"]) if "utm_" in u or "#" in u or "LocalHost" in u]


def test_amp_path_variant_is_stored_under_the_article_url(dedup):
    [row] = dedup.rows_for("bravo")
    assert row["url"] == dedup.url("/news/bravo/")
    assert not (dedup.hits_after_first["/news/bravo/amp/"] and dedup.hits_after_first["/news/bravo/"])


def test_amp_query_variant_is_one_article(dedup):
    [row] = dedup.rows_for("charlie")
    assert row["url"] == dedup.url("/news/charlie/")


def test_print_variants_are_one_article(dedup):
    [row] = dedup.rows_for("delta")
    assert row["url"] == dedup.url("/news/delta/")


def test_rel_canonical_on_the_same_site_merges_and_keeps_the_alias(dedup):
    [row] = dedup.rows_for("echo")
    assert row["url"] == dedup.url("/news/echo/")
    assert dedup.url("/?p=4711") in dedup.first.aliases(row["id"])


def test_og_url_on_the_same_site_merges_and_keeps_the_alias(dedup):
    [row] = dedup.rows_for("foxtrot")
    assert row["url"] == dedup.url("/news/foxtrot/")
    assert dedup.url("/mobile/foxtrot.html") in dedup.first.aliases(row["id"])


def test_same_body_under_two_urls_is_one_article_with_both_urls_as_aliases(dedup):
    [row] = dedup.rows_for("golf")
    aliases = dedup.first.rows("SELECT url, reason FROM url_aliases WHERE article_id = ?", [row["id"]])
    urls = {a["url"] for a in aliases}
    assert {dedup.url("/news/golf/"), dedup.url("/syndicated/golf-copy/")} <= urls
    assert "same-body" in {a["reason"] for a in aliases}


def test_https_variant_of_an_archived_http_article_adds_nothing(dedup):
    # loopback has no TLS: the https link must be recognised as the same article, never fetched
    [row] = dedup.rows_for("hotel")
    assert row["url"].endswith("/news/hotel/")
    assert not [f for f in dedup.first.failures() if f["url"].startswith("https://")]


def test_canonical_pointing_to_another_site_is_not_trusted(dedup):
    [row] = dedup.rows_for("india")
    assert row["url"] == dedup.url("/news/india/")


def test_different_query_ids_stay_different_articles(dedup):
    assert dedup.rows_for("juliet-1")[0]["url"] == dedup.url("/read?id=101")
    assert dedup.rows_for("juliet-2")[0]["url"] == dedup.url("/read?id=102")


def test_second_identical_crawl_adds_no_rows(dedup):
    assert_clean_exit(dedup.second)
    assert len(dedup.second.articles()) == dedup.rows_after_first
    assert dedup.second.rows("SELECT count(*) AS n FROM url_aliases")[0]["n"] == dedup.aliases_after_first
    run = dedup.second.run_row("dedup")
    assert run["status"] == "ok" and run["new_articles"] == 0
    assert dedup.second.rows("SELECT count(*) AS n FROM article_versions")[0]["n"] == 0


def test_second_crawl_does_not_download_old_archived_articles_again(dedup):
    indexes = {"/robots.txt", "/feed.xml", "/sitemap.xml", "/latest/"}  # fetched on every crawl
    article_pages = {path: n for path, n in dedup.server.counts.items() if path not in indexes}
    assert article_pages == {path: n for path, n in dedup.hits_after_first.items() if path not in indexes}
