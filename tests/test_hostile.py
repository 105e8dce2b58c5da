"""Hostile input: every bad URL becomes a recorded error or skip, never a crash or a garbage article,
and the good articles of the same crawl are archived regardless.

One crawl of one fixture site (plus a server on a second loopback address standing in for the
operator's internal network) serves every case; each test asserts on its own URL.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

import pytest

from fixture_sites import (Response, Story, article_html, assert_clean_exit, billion_laughs, gzip_bomb, robots,
                           rss, run_crawl, story, write_config)

MAX_BYTES = 100_000
ACCENTED = ("The café on Rue Saint-Honoré where José Muñoz and Zoë Brontë first sketched the idea still "
            "keeps a naïve drawing of the prototype above the crème brûlée counter, façade and all.")
CURLY = ("“We’re not done yet,” she said — the €40 million round is only the start, and the team’s "
         "next milestone is a pilot in Malmö.")


@dataclass
class Hostile:
    crawl: object
    site: object
    inside: object
    good: dict[str, Story]
    urls: dict[str, str]


def _with(s: Story, sentence: str) -> Story:
    return Story(s.slug, s.title, s.paragraphs[:2] + [sentence] + s.paragraphs[2:], s.author, s.published)


@pytest.fixture(scope="module")
def hostile(servers, tmp_path_factory) -> Hostile:
    site = servers.new("127.0.0.1")
    inside = servers.new("127.0.0.2")  # "the operator's network": a host the site's config does not name
    secret = story("internal-quarterly-report")
    inside.add("/admin/report/", article_html(secret))
    inside.add("/robots.txt", robots(), content_type="text/plain")

    good = {slug: story(slug) for slug in ("sturdy-first", "sturdy-second", "sturdy-third")}
    for slug, s in good.items():
        site.add(f"/news/{slug}/", article_html(s))

    latin = _with(story("accented-latin-one"), ACCENTED)
    good["accented-latin-one"] = latin
    site.add("/news/accented-latin-one/", Response(article_html(latin, charset="utf-8").encode("latin-1"),
                                                   content_type="text/html; charset=utf-8"))
    curly = _with(story("curly-windows-quotes"), CURLY)
    good["curly-windows-quotes"] = curly
    site.add("/news/curly-windows-quotes/", Response(article_html(curly, charset=None).encode("cp1252"),
                                                     content_type="text/html"))
    busy = story("busy-then-fine")
    good["busy-then-fine"] = busy
    site.add("/news/busy-then-fine/", lambda req: Response(article_html(busy).encode()) if req.count > 1 else
             Response(b"<html><body>Try again soon</body></html>", status=503, headers={"Retry-After": "1"}))

    big = story("oversized-page")
    filler = "".join(f"<p>{' '.join(big.paragraphs)} {i}</p>" for i in range(200))
    site.add("/hostile/too-big/", article_html(big).replace("</article>", filler + "</article>"))
    site.add("/hostile/gzip-bomb/", Response(gzip_bomb(20 * MAX_BYTES),
                                             headers={"Content-Encoding": "gzip"}))
    site.add("/hostile/junk/", Response(random.Random(7).randbytes(20_000)))
    site.add("/hostile/loop-a/", Response(status=302, headers={"Location": "/hostile/loop-b/"}))
    site.add("/hostile/loop-b/", Response(status=302, headers={"Location": "/hostile/loop-a/"}))
    site.add("/hostile/stall/", Response(article_html(story("stalled-story")).encode(), delay=8))
    site.add("/hostile/empty/", Response(b""))
    site.add("/hostile/broken/", Response(b"<html><body>Internal error</body></html>", status=500))
    site.add("/hostile/report.pdf", Response(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n",
                                             content_type="application/pdf"))
    site.add("/hostile/go-inside/", Response(status=302, headers={"Location": inside.url("/admin/report/")}))
    site.add("/private/staff-only/", article_html(story("staff-only-memo")))

    hostile_paths = ["/hostile/too-big/", "/hostile/gzip-bomb/", "/hostile/junk/", "/hostile/loop-a/",
                     "/hostile/stall/", "/hostile/empty/", "/hostile/missing/", "/hostile/broken/",
                     "/hostile/report.pdf", "/hostile/go-inside/", "/private/staff-only/"]
    feed_links = [f"/news/{slug}/" for slug in good] + hostile_paths
    site.add("/feed.xml", rss([(link, "Tue, 05 Mar 2024 17:30:00 GMT") for link in feed_links]),
             content_type="application/rss+xml")
    site.add("/feeds/malformed.xml", "<rss version='2.0'><channel><item><title>Half a feed <<<& \x00",
             content_type="application/rss+xml")
    site.add("/feeds/laughs.xml", billion_laughs("rss"), content_type="application/rss+xml")
    site.add("/sitemaps/laughs.xml", billion_laughs("urlset"), content_type="application/xml")
    site.add("/sitemaps/malformed.xml", "<urlset><url><loc>", content_type="application/xml")
    site.add("/robots.txt", robots(disallow=["/private/"]), content_type="text/plain")
    site.add("/", "<html><body><p>Home</p></body></html>")

    tmp = tmp_path_factory.mktemp("hostile")
    config = write_config(tmp / "sites.toml", {"hostile": {
        "url": site.url("/"),
        "feeds": [site.url("/feed.xml"), site.url("/feeds/malformed.xml"), site.url("/feeds/laughs.xml")],
        "sitemaps": [site.url("/sitemaps/laughs.xml"), site.url("/sitemaps/malformed.xml")],
        "pages": [site.url("/")],
        "timeout": 1, "max_bytes": MAX_BYTES, "retries": 1,
    }})
    crawl = run_crawl(config, tmp / "archive.db")
    return Hostile(crawl, site, inside, good, {p: site.url(p) for p in hostile_paths})


def _no_article_from(h: Hostile, path: str) -> None:
    rows = h.crawl.rows("SELECT url, fetched_url FROM articles")
    assert not [r for r in rows if path in r["url"] or path in (r["fetched_url"] or "")], rows


def _reasons(h: Hostile, path: str) -> list[str]:
    return h.crawl.failure_for(h.urls[path])


def test_crawl_of_a_hostile_site_exits_0_and_archives_every_good_article(hostile):
    assert_clean_exit(hostile.crawl)
    archived = {a["url"]: a for a in hostile.crawl.articles("hostile")}
    expected = {hostile.site.url(f"/news/{slug}/") for slug in hostile.good}
    assert set(archived) == expected
    for slug, s in hostile.good.items():
        body = archived[hostile.site.url(f"/news/{slug}/")]["body"]
        assert body.split("\n\n") == s.paragraphs
    run = hostile.crawl.run_row("hostile")
    assert run["status"] == "ok" and run["new_articles"] == len(expected) and run["errors"] >= 5


@pytest.mark.parametrize("path, reasons", [
    ("/hostile/too-big/", {"too-large"}),
    ("/hostile/gzip-bomb/", {"too-large"}),
    ("/hostile/junk/", {"binary"}),
    ("/hostile/loop-a/", {"redirect-loop"}),
    ("/hostile/stall/", {"timeout"}),
    ("/hostile/empty/", {"empty"}),
    ("/hostile/missing/", {"http-404"}),
    ("/hostile/broken/", {"http-500"}),
    ("/hostile/report.pdf", {"not-html"}),
], ids=lambda v: v if isinstance(v, str) else None)
def test_hostile_url_is_recorded_with_its_reason_and_never_archived(hostile, path, reasons):
    recorded = _reasons(hostile, path)
    assert recorded and set(recorded) <= reasons, hostile.crawl.failures()
    _no_article_from(hostile, path)


def test_latin1_bytes_declared_utf8_are_decoded_right(hostile):
    body = hostile.crawl.rows("SELECT body FROM articles WHERE url LIKE '%/accented-latin-one/'")[0]["body"]
    assert ACCENTED in body
    assert "\ufffd" not in body and "Ã" not in body


def test_cp1252_page_without_charset_is_decoded_right(hostile):
    row = hostile.crawl.rows("SELECT body FROM articles WHERE url LIKE '%/curly-windows-quotes/'")[0]
    assert CURLY in row["body"]
    assert "\ufffd" not in row["body"] and "â€" not in row["body"]


def test_503_with_retry_after_is_retried_and_archived(hostile):
    assert hostile.site.hits("/news/busy-then-fine/") >= 2  # the 503, then the retry
    assert hostile.crawl.rows("SELECT id FROM articles WHERE url LIKE '%/busy-then-fine/'")
    assert not hostile.crawl.failure_for(hostile.site.url("/news/busy-then-fine/"))


@pytest.mark.parametrize("path", ["/feeds/malformed.xml", "/feeds/laughs.xml"])
def test_malformed_and_entity_laden_feeds_are_recorded_errors(hostile, path):
    assert hostile.crawl.failure_for(hostile.site.url(path)) == ["bad-feed"]
    assert hostile.site.hits_under("/never/") == 0
    assert not [a for a in hostile.crawl.articles() if "lol" in a["body"]]


@pytest.mark.parametrize("path", ["/sitemaps/malformed.xml", "/sitemaps/laughs.xml"])
def test_malformed_and_entity_laden_sitemaps_are_recorded_errors(hostile, path):
    assert hostile.crawl.failure_for(hostile.site.url(path)) == ["bad-sitemap"]
    assert not [a for a in hostile.crawl.articles() if "lol" in a["url"]]


def test_redirect_into_another_private_host_is_refused(hostile):
    assert hostile.inside.hits("/admin/report/") == 0
    assert _reasons(hostile, "/hostile/go-inside/") == ["private-address"]
    _no_article_from(hostile, "/admin/report/")
    assert not hostile.crawl.rows("SELECT id FROM articles WHERE body LIKE '%Internal Quarterly Report%'")


def test_robots_txt_disallow_is_obeyed(hostile):
    assert hostile.site.hits_under("/private/") == 0
    assert _reasons(hostile, "/private/staff-only/") == ["robots.txt"]
    _no_article_from(hostile, "/private/")
