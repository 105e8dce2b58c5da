"""The reading room in a real headless Chromium (Debian's /usr/bin/chromium), driven by Playwright,
against `newsarchive serve` on a fixture archive. Screenshots of each step land in
tests/screenshots/ (gitignored)."""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlsplit
import xml.etree.ElementTree as ET

import pytest

from room_fixture import PARAGRAPHS, UNIQUE_TITLE, UNIQUE_WORD, serving_room

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"

if not os.path.exists(CHROMIUM):
    pytest.skip(f"no browser: {CHROMIUM} is not installed (apt-get install chromium)", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright's Python package is not installed")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with serving_room(tmp_path_factory.mktemp("browser")) as (served, info):
        served.info = info
        yield served


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, server):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    outside: list[str] = []

    def loopback_only(route):
        if urlsplit(route.request.url).hostname in ("127.0.0.1", "localhost"):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    context.route("**/*", loopback_only)
    errors: list[str] = []
    tab = context.new_page()
    tab.on("pageerror", lambda exc: errors.append(str(exc)))
    tab.on("dialog", lambda dialog: (errors.append(f"dialog: {dialog.message}"), dialog.dismiss()))
    yield tab
    context.close()
    assert outside == [], "the pages asked for something off this machine"
    assert errors == []


def shoot(page, name: str) -> None:
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def column_texts(page, column: str) -> list[str]:
    return [text.strip() for text in page.locator(f"table.rows-and-columns tbody td.col-{column}").all_inner_texts()]


def test_find_an_article_by_a_word_of_its_body(page, server):
    page.goto(f"{server.base}/archive/articles")
    sync_api.expect(page.locator("h1")).to_contain_text("articles")
    assert len(column_texts(page, "title")) == len(server.info["records"])
    assert page.locator(".facet-info[data-column=site]").is_visible()
    assert page.locator(".facet-info[data-column=published]").is_visible()
    shoot(page, "01-articles")

    page.fill("input#_search", UNIQUE_WORD)
    page.press("input#_search", "Enter")
    page.wait_for_url(f"**/archive/articles?*_search={UNIQUE_WORD}*")
    assert column_texts(page, "title") == [UNIQUE_TITLE]
    shoot(page, "02-search-body-word")


def test_filter_by_site(page, server):
    page.goto(f"{server.base}/archive/articles")
    page.locator(".facet-info[data-column=site] a", has_text="beta").click()
    page.wait_for_url("**/archive/articles?*site=beta*")
    assert column_texts(page, "site") == ["beta", "beta"]
    sync_api.expect(page.locator("h3").first).to_contain_text('2 rows where site = "beta"')
    shoot(page, "03-filter-by-site")


def test_open_an_article_and_read_paragraphs(page, server):
    page.goto(f"{server.base}/archive/articles?_search={UNIQUE_WORD}")
    page.locator("td.col-title a", has_text=UNIQUE_TITLE).click()
    page.wait_for_url(f"**/archive/articles/{server.info['unique_id']}")
    assert page.locator(".reading-view h2").inner_text() == UNIQUE_TITLE
    assert page.locator(".reading-view .article-body p").all_inner_texts() == PARAGRAPHS
    original = page.locator("a.original-link")
    assert original.get_attribute("href") == "https://alpha.example/2024/05/marsupial-robots"
    assert original.is_visible()
    shoot(page, "04-article")


def test_hostile_article_shows_markup_as_text(page, server):
    page.goto(f"{server.base}/archive/articles/{server.info['xss_id']}")
    body = page.locator(".reading-view .article-body p").all_inner_texts()
    assert body[0] == "First paragraph mentions <script>window.__xss_body = 1</script> inline."
    assert '<img src=x onerror="window.__xss_body_img = 1">' in body[1]
    assert "<script>" in page.locator(".reading-view h2").inner_text()
    assert page.evaluate("[window.__xss_title, window.__xss_img, window.__xss_body, window.__xss_body_img]") == [
        None, None, None, None]
    assert page.locator(".reading-view img, .reading-view script, .reading-view b").count() == 0
    shoot(page, "05-hostile-article")


def test_ranked_search_follows_as_atom(page, server):
    page.goto(f"{server.base}/archive/search")
    page.fill("input[name=q]", UNIQUE_WORD)
    page.locator("form.sql input[type=submit]").click()
    page.wait_for_url(f"**/archive/search?q={UNIQUE_WORD}*")
    assert page.locator("td.col-snippet mark").all_inner_texts() == [UNIQUE_WORD]
    assert page.locator("td.col-atom_content").first.is_hidden()
    shoot(page, "06-search-snippets")
    feed_url = page.locator("a", has_text="atom").get_attribute("href")
    response = page.request.get(server.base + feed_url)
    assert response.ok
    feed = ET.fromstring(response.body())
    titles = [e.text for e in feed.iter("{http://www.w3.org/2005/Atom}title")]
    assert titles == ["Search articles", UNIQUE_TITLE]


def test_crawl_health(page, server):
    page.goto(f"{server.base}/archive")
    page.locator("a", has_text="Crawl health").click()
    page.wait_for_url("**/archive/crawl_health")
    assert column_texts(page, "site") == ["beta", "delta", "gamma", "alpha"]
    assert column_texts(page, "health") == ["last run failed", "nothing new", "blocked", "ok"]
    shoot(page, "07-crawl-health")
