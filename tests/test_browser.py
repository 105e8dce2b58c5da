"""The reading room in a real headless Chromium (Debian's /usr/bin/chromium), driven by Playwright,
against `newsarchive serve --password --token` on a fixture archive, at 1280×900 (desktop) and
390×844 (phone). Every request a page makes is recorded: anything not on loopback fails the test.
Screenshots of each step land in tests/screenshots/ (gitignored)."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from urllib.parse import urlsplit
import xml.etree.ElementTree as ET

import pytest

from fixture_sites import FixtureServer, wait_for
from room_fixture import PARAGRAPHS, PASSWORD, UNIQUE_TITLE, UNIQUE_WORD, serving_room

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}

if not os.path.exists(CHROMIUM):
    pytest.skip(f"no browser: {CHROMIUM} is not installed (apt-get install chromium)", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright's Python package is not installed")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with serving_room(tmp_path_factory.mktemp("browser"), sign_in=True) as (served, info):
        served.info = info
        yield served


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def open_tab(browser, viewport):
    """A fresh browser context (no cookies) and tab; the checks it records run at close."""
    context = browser.new_context(viewport=viewport)
    outside: list[str] = []
    errors: list[str] = []

    def loopback_only(route):
        if urlsplit(route.request.url).hostname in ("127.0.0.1", "localhost"):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    context.route("**/*", loopback_only)
    tab = context.new_page()
    tab.on("pageerror", lambda exc: errors.append(str(exc)))
    tab.on("dialog", lambda dialog: (errors.append(f"dialog: {dialog.message}"), dialog.dismiss()))
    tab.on("console", lambda msg: errors.append(f"console: {msg.text}") if msg.type == "error" else None)
    return context, tab, outside, errors


@pytest.fixture
def page(browser, server):
    context, tab, outside, errors = open_tab(browser, DESKTOP)
    yield tab
    context.close()
    assert outside == [], "the pages asked for something off this machine"
    assert errors == []


@pytest.fixture
def phone(browser, server):
    context, tab, outside, errors = open_tab(browser, PHONE)
    yield tab
    context.close()
    assert outside == [], "the pages asked for something off this machine"
    assert errors == []


def shoot(page, name: str) -> None:
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def column_texts(page, column: str) -> list[str]:
    return [text.strip() for text in page.locator(f"table.rows-and-columns tbody td.col-{column}").all_inner_texts()]


def list_titles(page) -> list[str]:
    return [t.strip() for t in page.locator("ol.article-list .item-title").all_inner_texts()]


def horizontal_overflow(page) -> int:
    """How many pixels the page is wider than the window (0: no horizontal scrolling)."""
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


def db_rows(server, sql: str) -> list[tuple]:
    conn = sqlite3.connect(server.info["db"], timeout=30)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def sign_in(page, server) -> None:
    page.goto(f"{server.base}/-/login")
    page.fill("input[name=username]", "editor")
    page.fill("input[name=password]", PASSWORD)
    page.locator("form input[type=submit], form button[type=submit]").first.click()
    page.wait_for_url(f"{server.base}/")


def room_pages(server) -> dict[str, str]:
    info = server.info
    return {
        "front page": "/",
        "search": f"/archive/search?q={UNIQUE_WORD}",
        "articles": "/archive/articles",
        "articles search": "/archive/articles?_q=chips",
        "site page": "/archive/articles?site=alpha",
        "article": f"/archive/articles/{info['unique_id']}",
        "revised article": f"/archive/articles/{info['kernel_id']}",
        "latest": "/archive/latest",
        "crawl health": "/archive/crawl_health",
        "articles as a table": "/archive/articles?_view=table",
        "crawl runs": "/archive/crawl_runs",
    }


def test_front_page_search_finds_a_word_only_in_a_body(page, server):
    page.goto(f"{server.base}/")
    sync_api.expect(page.locator("h1")).to_contain_text("Tech news archive")
    assert list_titles(page)[0] == UNIQUE_TITLE  # newest first
    assert page.locator(".room-sites tbody tr").count() == 3  # the sites with articles
    assert "Search 7 articles" in page.locator("form.room-search label").inner_text()
    links = page.locator(".room-more a").all_inner_texts()
    assert links[0] == "articles"  # tables one click away, articles first
    shoot(page, "01-front-page")

    page.fill("#room-q", UNIQUE_WORD)
    page.press("#room-q", "Enter")
    page.wait_for_url(f"**/archive/search?q={UNIQUE_WORD}")
    assert list_titles(page) == [UNIQUE_TITLE]
    assert page.locator("ol.article-list .item-snippet mark").all_inner_texts() == [UNIQUE_WORD]
    assert page.locator("ol.article-list time").inner_text() == "20 May 2024, 09:15 UTC"
    assert page.locator("ol.article-list .item-byline").inner_text() == "Ada Writer and Bo Editor"
    shoot(page, "02-search-body-word")

    page.locator("ol.article-list .item-title a").click()
    page.wait_for_url(f"**/archive/articles/{server.info['unique_id']}")
    assert page.locator(".reading-view h1").inner_text() == UNIQUE_TITLE


def test_authors_are_names_and_pages_fit_the_window(page, server):
    for name, path in room_pages(server).items():
        page.goto(server.base + path)
        text = page.locator("body").inner_text()
        assert '["' not in text, f"{name}: authors shown as JSON"
        assert horizontal_overflow(page) <= 0, f"{name}: scrolls sideways at 1280 px"


def test_phone_pages_fit_the_window(phone, server):
    shots = {"front page": "10-phone-front-page", "search": "11-phone-search", "article": "12-phone-article",
             "site page": "13-phone-site-page"}
    for name, path in room_pages(server).items():
        phone.goto(server.base + path)
        assert horizontal_overflow(phone) <= 0, f"{name}: scrolls sideways at 390 px"
        if name in shots:
            shoot(phone, shots[name])
    phone.goto(f"{server.base}/")
    search = phone.locator("#room-q").bounding_box()
    assert search and search["width"] > 200  # a search box you can type in


def test_coverage_chart_draws_the_days(page, server):
    page.goto(f"{server.base}/")
    canvas = page.locator("#coverage-chart canvas")
    sync_api.expect(canvas.first).to_be_visible()
    days = page.evaluate("window.roomCharts[0].data[0].length")
    totals = page.evaluate("window.roomCharts[0].data[1]")
    assert days == 49 and sum(totals) == 6  # six dated articles, 2 Apr to 20 May
    painted = page.evaluate("""() => {
        const c = document.querySelector('#coverage-chart canvas');
        const px = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        let n = 0; for (let i = 3; i < px.length; i += 4) { if (px[i] > 0) n++; } return n; }""")
    assert painted > 500  # lines and points were drawn, not an empty box
    page.locator("#coverage-chart").scroll_into_view_if_needed()
    shoot(page, "03-coverage-chart")

    page.goto(f"{server.base}/archive/crawl_health")
    assert column_texts(page, "site") == ["beta", "delta", "gamma", "alpha"]
    assert column_texts(page, "health") == ["last run failed", "nothing new", "blocked", "ok"]
    sync_api.expect(page.locator("#health-chart canvas").first).to_be_visible()
    outcomes = [s["label"] for s in page.evaluate("window.roomCharts[0].series.map(s => ({label: s.label}))")][1:]
    assert outcomes == ["failed", "ok"]
    assert page.locator("form.room-request").count() == 0  # nobody signed in: no crawl button
    shoot(page, "07-crawl-health")


def test_site_page_lists_its_articles_with_facets_beside_them(page, server):
    page.goto(f"{server.base}/archive/articles")
    assert len(list_titles(page)) == len(server.info["records"])
    facets = page.locator(".room-facets")
    assert facets.locator(".facet-info[data-column=site]").is_visible()
    assert facets.locator(".facet-info[data-column=published]").is_visible()
    results, side = page.locator(".room-results").bounding_box(), facets.bounding_box()
    assert side["x"] > results["x"] + results["width"] - 1  # beside the list, not above it
    assert page.locator("ol.article-list").bounding_box()["y"] < 400  # the first article is near the top
    shoot(page, "04-articles")

    facets.locator(".facet-info[data-column=site] a", has_text="beta").click()
    page.wait_for_url("**/archive/articles?*site=beta*")
    assert page.locator("ol.article-list .item-site").all_inner_texts() == ["beta", "beta"]
    sync_api.expect(page.locator("h1")).to_have_text("beta")
    assert sum(page.evaluate("window.roomCharts[0].data[1]")) == 2
    shoot(page, "05-site-page")

    page.goto(f"{server.base}/archive/articles")
    page.fill("#room-list-q", UNIQUE_WORD)
    page.press("#room-list-q", "Enter")
    page.wait_for_url(f"**/archive/articles?*_q={UNIQUE_WORD}*")
    assert list_titles(page) == [UNIQUE_TITLE]
    assert page.locator("ol.article-list mark").all_inner_texts() == [UNIQUE_WORD]
    assert page.locator(".room-facets .facet-info[data-column=site] li").all_inner_texts() == ["alpha 1"]


def test_article_page_reads_like_an_article(page, server):
    info = server.info
    page.goto(f"{server.base}/archive/articles/{info['unique_id']}")
    view = page.locator(".reading-view")
    assert view.locator("h1").inner_text() == UNIQUE_TITLE
    assert view.locator(".article-byline").inner_text() == "By Ada Writer and Bo Editor"
    meta = view.locator("dl.article-meta").inner_text()
    assert "20 May 2024, 09:15 UTC (source: meta)" in meta and "words" in meta and "alpha" in meta
    assert view.locator(".article-body p").all_inner_texts() == PARAGRAPHS
    original = page.locator("a.original-link")
    assert original.get_attribute("href") == "https://alpha.example/2024/05/marsupial-robots"
    assert original.is_visible()
    shoot(page, "06-article")

    page.goto(f"{server.base}/archive/articles/{info['kernel_id']}")
    revision = page.locator("#revisions .revision")
    assert revision.count() == 1
    assert revision.locator("ins").all_inner_texts() == ["Update: a fix landed."]
    page.locator("#revisions").scroll_into_view_if_needed()
    shoot(page, "08-article-revisions")


def test_hostile_article_shows_markup_as_text(page, server):
    page.goto(f"{server.base}/archive/articles/{server.info['xss_id']}")
    body = page.locator(".reading-view .article-body p").all_inner_texts()
    assert body[0] == "First paragraph mentions <script>window.__xss_body = 1</script> inline."
    assert '<img src=x onerror="window.__xss_body_img = 1">' in body[1]
    assert "<script>" in page.locator(".reading-view h1").inner_text()
    page.goto(f"{server.base}/")  # the hostile headline in a list
    assert page.evaluate("[window.__xss_title, window.__xss_img, window.__xss_body, window.__xss_body_img]") == [
        None, None, None, None]
    assert page.locator(".reading-view img, .reading-view script, .reading-view b, .article-list img").count() == 0
    page.goto(f"{server.base}/archive/articles/{server.info['xss_id']}")
    shoot(page, "09-hostile-article")


def test_ranked_search_follows_as_atom(page, server):
    page.goto(f"{server.base}/archive/search?q={UNIQUE_WORD}")
    feed_url = page.locator("a", has_text="atom").get_attribute("href")
    response = page.request.get(server.base + feed_url)
    assert response.ok
    feed = ET.fromstring(response.body())
    titles = [e.text for e in feed.iter("{http://www.w3.org/2005/Atom}title")]
    assert titles == ["Search articles", UNIQUE_TITLE]


def test_anonymous_crawl_request_is_refused_and_writes_nothing(page, server):
    page.goto(f"{server.base}/archive/articles?site=alpha")
    assert page.locator("form.room-request").count() == 0
    before = db_rows(server, "SELECT count(*) FROM crawl_requests")
    refused = page.request.post(f"{server.base}/archive/request_crawl", form={"site": "alpha"})
    assert refused.status == 403
    with_token_field = page.request.post(f"{server.base}/archive/request_crawl",
                                         form={"site": "alpha", "csrftoken": "forged"})
    assert with_token_field.status == 403
    assert db_rows(server, "SELECT count(*) FROM crawl_requests") == before


def test_signed_in_request_is_recorded_and_the_daemon_runs_it(page, server, tmp_path):
    from test_scheduler import Daemon, Site, write_config

    sign_in(page, server)
    page.goto(f"{server.base}/archive/articles?site=alpha")
    button = page.locator("form.room-request input[type=submit]")
    sync_api.expect(button).to_have_value("Crawl alpha now")
    shoot(page, "14-site-page-signed-in")
    button.click()
    page.wait_for_url("**/archive/crawl_requests_status*")
    assert column_texts(page, "site")[0] == "alpha"
    assert column_texts(page, "taken")[0] == "waiting for the daemon"
    assert db_rows(server, "SELECT site, taken FROM crawl_requests ORDER BY id DESC LIMIT 1") == [("alpha", None)]
    shoot(page, "15-crawl-requested")

    fixture = FixtureServer().start()
    daemon = None
    try:
        alpha = Site(fixture, "alpha")
        config = write_config(tmp_path / "sites.toml", {"alpha": {"url": alpha.url}})
        daemon = Daemon(tmp_path, config, Path(server.info["db"]))
        assert wait_for(lambda: db_rows(server, "SELECT r.status FROM crawl_requests q JOIN crawl_runs r "
                                                "ON r.id = q.run_id WHERE q.site = 'alpha' AND r.status = 'ok'"),
                        60), daemon.log()
    finally:
        if daemon is not None:
            daemon.stop()
        fixture.close()
    page.reload()
    assert column_texts(page, "run_status")[0] == "ok"
    assert column_texts(page, "run_new_articles")[0] == "3"
    shoot(page, "16-request-became-a-run")
