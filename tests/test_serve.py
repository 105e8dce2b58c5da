"""`newsarchive serve`: the real command, a real Datasette, a real archive file, plain HTTP."""

from __future__ import annotations

import asyncio
import html
import json
import os
import re
import sqlite3
import subprocess
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET
from datetime import datetime
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest

from fixture_sites import assert_clean_exit, publish, robots, rss, run_crawl, story, write_config
from pipelines.archive import Archive, FetchResult
from pipelines.reading_room import build_datasette, datasette_options
from room_fixture import (PARAGRAPHS, PASSWORD, TOKEN, UNIQUE_TITLE, UNIQUE_WORD, article, build_archive, get, get_json,
                          newsarchive_command, serving_room, start_server)

ATOM = "{http://www.w3.org/2005/Atom}"
QUERIES = ("latest", "search", "articles_per_day", "crawl_health", "duplicates", "failed_urls_by_reason",
           "revisions", "revision_diff")


@pytest.fixture(scope="module")
def room(tmp_path_factory):
    with serving_room(tmp_path_factory.mktemp("room")) as (server, info):
        yield server, info


def rows(room, path: str) -> list[dict]:
    server, _ = room
    separator = "&" if "?" in path else "?"
    return get_json(server, f"{path}{separator}_shape=array")


def test_front_page_shows_metadata_and_hides_internal_tables(room):
    server, _ = room
    status, _, page = get(server, "/")
    assert status == 200
    assert "Tech news archive" in page and "copyright of their publishers" in page
    database = get_json(server, "/archive.json")
    visible = {t["name"] for t in database["tables"] if not t["hidden"]}
    hidden = {t["name"] for t in database["tables"] if t["hidden"]}
    assert {"articles", "url_aliases", "crawl_runs", "failed_urls", "article_versions"} <= visible
    assert {"articles_fts", "_migrations", "fetch_state", "crawl_requests"} <= hidden
    assert not any(name.startswith("articles_fts") for name in visible)
    queries = {q["name"]: q for q in database["queries"]}
    assert set(QUERIES) <= set(queries)
    assert not any(q.get("write") for q in queries.values())
    status, _, page = get(server, "/archive/articles?_view=table")
    assert "One row per article" in page
    assert 'data-column-description="Article text, paragraphs separated by blank lines' in page


def test_articles_newest_first_with_site_language_and_month_facets(room):
    server, info = room
    data = get_json(server, "/archive/articles.json?_shape=objects")
    published = [r["published"] for r in data["rows"]]
    dated = [p for p in published if p]
    assert dated == sorted(dated, reverse=True) and published[-1] is None
    assert len(published) == len(info["records"])
    facets = data["facet_results"]
    counts = {name: {v["value"]: v["count"] for v in facets[name]["results"]} for name in facets}
    assert counts["site"] == {"alpha": 3, "beta": 2, "gamma": 2}
    assert counts["language"] == {"en": 6, "de": 1}
    assert facets["published"]["type"] == "month"
    assert counts["published"] == {"2024-05": 4, "2024-04": 2}
    may = next(v for v in facets["published"]["results"] if v["value"] == "2024-05")
    filtered = get_json(server, urlsplit(may["toggle_url"]).path + "?" + urlsplit(may["toggle_url"]).query)
    assert sorted(r["published"][:7] for r in filtered["rows"]) == ["2024-05"] * 4
    chosen = next(v for v in filtered["facet_results"]["published"]["results"] if v["value"] == "2024-05")
    assert chosen["selected"]


def test_search_box_finds_the_one_article_with_a_body_word(room):
    server, info = room
    found = rows(room, f"/archive/articles.json?_search={UNIQUE_WORD}")
    assert [r["id"] for r in found] == [info["unique_id"]]
    # stems: the singular finds the plural in the body
    assert [r["id"] for r in rows(room, "/archive/articles.json?_search=quokka")] == [info["unique_id"]]
    status, _, page = get(server, f"/archive/articles?_search={UNIQUE_WORD}")
    assert status == 200
    assert f'name="_q" value="{UNIQUE_WORD}"' in page  # the list's own search box keeps the words
    assert UNIQUE_TITLE in page and "Chip makers" not in page
    # the list's search (?_q=): the same matches, facets counted over them
    listed = get_json(server, "/archive/articles.json?_q=quokka&_shape=objects")
    assert [r["id"] for r in listed["rows"]] == [info["unique_id"]]
    assert {v["value"]: v["count"] for v in listed["facet_results"]["site"]["results"]} == {"alpha": 1}


def test_ranked_search_highlights_matches(room):
    server, info = room
    # every filler body mentions chips; the article with "Chip" in its title ranks first
    found = rows(room, "/archive/search.json?q=chips")
    assert len(found) >= 4
    assert found[0]["title"] == "Chip makers report record quarter"
    assert all("\u27eachips\u27eb" in r["snippet"].lower() or "\u27eachip\u27eb" in r["snippet"].lower()
               for r in found)
    status, _, page = get(server, f"/archive/search?q={UNIQUE_WORD}")
    assert status == 200
    assert f"<mark>{UNIQUE_WORD}</mark>" in page
    assert f'<a href="/archive/articles/{info["unique_id"]}">{UNIQUE_TITLE}</a>' in page
    for empty in ("", "%20%20", "%22", "%22%22%22", "NEAR(", "*"):
        status, _, text = get(server, f"/archive/search.json?q={empty}&_shape=array")
        assert (status, json.loads(text)) == (200, [])


def test_latest_of_a_site_and_articles_per_day(room):
    latest_beta = rows(room, "/archive/latest.json?site=beta")
    assert [r["site"] for r in latest_beta] == ["beta", "beta"]
    assert [r["published"] for r in latest_beta] == ["2024-05-18T07:00:00", "2024-04-25T16:30:00Z"]
    assert len(rows(room, "/archive/latest.json?site=")) == 7
    per_day = rows(room, "/archive/articles_per_day.json")
    assert per_day[0] == {"day": "2024-05-20", "site": "alpha", "articles": 1}
    assert {(r["day"], r["site"]) for r in per_day} >= {("2024-04-02", "alpha"), ("2024-05-18", "beta")}
    assert [r["site"] for r in rows(room, "/archive/articles_per_day.json?site=gamma")] == ["gamma"]


def test_crawl_health_puts_failed_blocked_and_idle_sites_first(room):
    health = {r["site"]: r for r in rows(room, "/archive/crawl_health.json")}
    assert health["beta"]["health"] == "last run failed"
    assert health["beta"]["last_message"] == "feed returned HTTP 500"
    assert health["gamma"]["health"] == "blocked"
    assert health["delta"]["health"] == "nothing new"
    assert health["alpha"]["health"] == "ok"
    assert list(health)[-1] == "alpha"


def test_duplicates_failed_urls_and_revisions(room):
    merged = {r["merged_url"]: r for r in rows(room, "/archive/duplicates.json")}
    assert set(merged) == {"https://alpha.example/p/4711", "https://alpha.example/syndicated/chips-copy"}
    assert merged["https://alpha.example/p/4711"]["reason"] == "same-url"
    assert merged["https://alpha.example/syndicated/chips-copy"]["reason"] == "same-body"
    assert {r["canonical_url"] for r in merged.values()} == {"https://alpha.example/2024/05/chips"}
    failed = [(r["site"], r["reason"], r["failures"]) for r in rows(room, "/archive/failed_urls_by_reason.json")]
    assert failed == [("beta", "http-404", 2), ("gamma", "http-403", 1)]
    revised = rows(room, "/archive/revisions.json")
    assert [(r["current_title"], r["revisions"]) for r in revised] == [("Kernel release adds new scheduler", 1)]
    assert revised[0]["current_chars"] > revised[0]["earlier_chars"]


def test_revision_diff_shows_what_changed_between_versions(room):
    revised = rows(room, "/archive/revisions.json")
    article_id = revised[0]["article_id"]
    [change] = rows(room, f"/archive/revision_diff.json?article_id={article_id}")
    assert change["revision"] == 1 and change["title_after"] == "Kernel release adds new scheduler"
    server, _ = room
    status, _, page = get(server, f"/archive/revision_diff?article_id={article_id}")
    assert status == 200
    assert "<ins>Update: a fix landed.</ins>" in page
    assert "<del>" not in page  # nothing was removed, only a paragraph added
    status, _, article_page = get(server, f"/archive/articles/{article_id}")
    assert status == 200 and f"/archive/revision_diff?article_id={article_id}" in article_page


def parse_feed(text: str) -> ET.Element:
    feed = ET.fromstring(text.encode())
    assert feed.tag == f"{ATOM}feed"
    for updated in feed.iter(f"{ATOM}updated"):
        assert datetime.fromisoformat(updated.text).tzinfo is not None, updated.text
    return feed


def test_latest_site_and_search_follow_as_atom(room):
    server, info = room
    status, content_type, text = get(server, "/archive/latest.atom")
    assert status == 200 and "xml" in content_type
    feed = parse_feed(text)
    entries = feed.findall(f"{ATOM}entry")
    assert len(entries) == len(info["records"])  # bare dates, naive times and no date all included
    assert entries[0].find(f"{ATOM}title").text == UNIQUE_TITLE
    assert entries[0].find(f"{ATOM}link").get("href") == "https://alpha.example/2024/05/marsupial-robots"
    assert UNIQUE_WORD in entries[0].find(f"{ATOM}content").text
    status, _, text = get(server, "/archive/latest.atom?site=alpha")
    links = [e.find(f"{ATOM}link").get("href") for e in parse_feed(text).findall(f"{ATOM}entry")]
    assert len(links) == 3 and all(link.startswith("https://alpha.example/") for link in links)
    status, _, text = get(server, f"/archive/search.atom?q={UNIQUE_WORD}")
    assert [e.find(f"{ATOM}title").text for e in parse_feed(text).findall(f"{ATOM}entry")] == [UNIQUE_TITLE]
    # a search nothing matches yet is still a feed to follow
    status, _, text = get(server, "/archive/search.atom?q=nothingmatchesthis")
    assert status == 200 and parse_feed(text).findall(f"{ATOM}entry") == []
    status, _, page = get(server, f"/archive/search?q={UNIQUE_WORD}")
    assert f'href="/archive/search.atom?q={UNIQUE_WORD}"' in page


def test_article_page_shows_paragraphs_and_link_to_original(room):
    server, info = room
    status, _, page = get(server, f"/archive/articles/{info['unique_id']}")
    assert status == 200
    body = page.split('<div class="article-body">', 1)[1].split("</div>", 1)[0]
    assert [p.split("</p>")[0].strip() for p in body.split("<p>")[1:]] == PARAGRAPHS
    assert ('<a class="original-link" href="https://alpha.example/2024/05/marsupial-robots"' in page)


def test_scraped_markup_is_never_live_html(room):
    server, info = room
    pages = [f"/archive/articles/{info['xss_id']}", "/archive/articles?site=beta", "/archive/latest?site=beta",
             "/archive/search?q=paragraph+mentions", "/archive/articles?_search=hostile",
             f"/archive/articles/{info['js_url_id']}", "/archive/latest?site=gamma"]
    for path in pages:
        status, _, page = get(server, path)
        assert status == 200, path
        assert "<script>window.__xss" not in page, path
        assert "<img src=x" not in page, path
        assert "<b>bold" not in page, path
        assert 'href="javascript:' not in page.lower(), path
    status, _, page = get(server, f"/archive/articles/{info['xss_id']}")
    assert "&lt;script&gt;window.__xss_body = 1&lt;/script&gt;" in page
    assert "&lt;img src=x onerror=&#34;window.__xss_body_img = 1&#34;&gt;" in page
    assert "<title>Hostile &lt;script&gt;" in page
    status, _, page = get(server, f"/archive/articles/{info['js_url_id']}")
    assert "<code>javascript:alert(document.domain)</code>" in page


def test_visitors_read_but_cannot_write(room):
    server, info = room
    before = get_json(server, "/archive/articles.json?_shape=array&_col=title")
    for sql in ("update articles set title = 'defaced'", "delete from articles",
                "with x as (select 1) update articles set title = 'defaced'"):
        status, _, text = get(server, "/archive.json?sql=" + quote(sql))
        assert status == 400
        assert "must be a SELECT" in text or "attempt to write a readonly database" in text
    assert get_json(server, "/archive/articles.json?_shape=array&_col=title") == before
    assert get_json(server, "/archive.json?sql=select+count(*)+as+n+from+articles&_shape=array") == [
        {"n": len(info["records"])}]
    databases = get_json(server, "/-/databases.json")
    assert [(d["name"], d["is_mutable"]) for d in databases] == [("archive", True)]
    assert f"Uvicorn running on {server.base}" in server.log.read_text()
    assert server.base.startswith("http://127.0.0.1:")


def test_a_crawl_writing_meanwhile_causes_no_errors(tmp_path):
    db = tmp_path / "archive.db"
    build_archive(db)
    server = start_server(db, tmp_path / "serve.log")
    per_batch, min_batches, min_requests = 4, 30, 60
    errors: list[BaseException] = []
    requests_done = threading.Semaphore(0)
    read = threading.Event()  # the reader made a request since the last batch: writes and reads interleave
    written: list[int] = []

    def crawl() -> None:
        # keeps writing until the reader has made enough requests, so the two overlap
        try:
            archive = Archive.open(db)
            run = archive.start_run("live")
            b = 0
            while b < min_batches or not requests_done.acquire(blocking=False):
                archive.save([FetchResult(url=f"https://live.example/{b}/{i}", site="live", outcome="article",
                                          record=article("live", f"{b}/{i}", f"Live story {b}.{i}",
                                                         f"Wombat number {b} {i} reports.\n\nMore text {b} {i}.",
                                                         f"2024-06-{1 + b % 28:02d}T10:00:00Z"), run_id=run)
                              for i in range(per_batch)])
                written.append(per_batch)
                b += 1
                read.wait(10)
                read.clear()
            archive.finish_run(run, "ok", {"new_articles": sum(written)})
            archive.close()
        except BaseException as exc:  # reported by the main thread
            errors.append(exc)

    writer = threading.Thread(target=crawl)
    paths = ["/archive/articles?_search=wombat", "/archive/articles.json?_facet=site", "/archive/latest.atom",
             "/archive/crawl_health.json", "/archive/search.json?q=wombat", "/archive/articles",
             "/archive/search.atom?q=wombat", "/archive/articles_per_day.json"]
    failures, made, seen_during_writes = [], 0, set()
    deadline = time.monotonic() + 120
    try:
        writer.start()
        while writer.is_alive() and time.monotonic() < deadline:
            path = paths[made % len(paths)]
            status, _, text = get(server, path)
            if status != 200:
                failures.append((path, status, text[:300]))
            elif path.endswith("_facet=site"):
                seen_during_writes.add(json.loads(text)["filtered_table_rows_count"])
            made += 1
            read.set()
            if made >= min_requests:
                requests_done.release()
        requests_done.release()
        writer.join()
        assert not errors, errors
        assert failures == []
        assert len(seen_during_writes) > 1  # the readers saw the archive grow while the crawl wrote
        total = sum(written)
        count = get_json(server, "/archive/articles.json?site=live&_size=0")["filtered_table_rows_count"]
        assert count == total
        assert len(get_json(server, "/archive/search.json?q=wombat&_shape=array")) == min(50, total)
        health = {r["site"]: r["health"] for r in get_json(server, "/archive/crawl_health.json?_shape=array")}
        assert health["live"] == "ok"
        assert "Traceback" not in server.log.read_text()
    finally:
        server.stop()


def serve_command(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(newsarchive_command() + ["serve", *args], capture_output=True, text=True, timeout=60,
                          cwd=Path(__file__).resolve().parents[1])


def test_serve_refuses_a_missing_or_foreign_file(tmp_path):
    missing = serve_command("--db", str(tmp_path / "nothing.db"), "--port", "1")
    assert missing.returncode == 1 and "no archive here" in missing.stderr and "newsarchive crawl" in missing.stderr
    text = tmp_path / "notes.db"
    text.write_text("this is not a database, just some notes " * 100)
    garbage = serve_command("--db", str(text), "--port", "1")
    assert garbage.returncode == 1 and "not a usable SQLite archive" in garbage.stderr
    other = tmp_path / "other.db"
    with sqlite3.connect(other) as conn:
        conn.execute("create table people (name text)")
    foreign = serve_command("--db", str(other), "--port", "1")
    assert foreign.returncode == 1 and "not a newsarchive archive" in foreign.stderr
    with sqlite3.connect(other) as conn:
        assert [r[0] for r in conn.execute("select name from sqlite_master")] == ["people"]
    assert "Traceback" not in missing.stderr + garbage.stderr + foreign.stderr


def test_metadata_follows_the_file_name(tmp_path):
    db = tmp_path / "news-2024.db"
    build_archive(db)
    options = datasette_options(db)
    assert list(options["metadata"]["databases"]) == ["news-2024"] and options["immutables"] == []
    ds = build_datasette(db)

    async def fetch():
        await ds.invoke_startup()
        table = await ds.client.get("/news-2024/articles.json?_search=" + UNIQUE_WORD)
        index = await ds.client.get("/")
        return table.json(), index.text

    table, index = asyncio.run(fetch())
    assert [r[3] for r in table["rows"]] == [UNIQUE_TITLE]
    assert {"site", "language", "published"} <= set(table["facet_results"])
    assert 'href="/news-2024/articles"' in index


def test_crawl_then_serve_a_newcomer_finds_an_article(servers, tmp_path):
    site = servers.new()
    site.add("/robots.txt", robots(), content_type="text/plain")
    stories = {slug: story(slug) for slug in ("zephyr-lantern", "copper-meadow")}
    for slug, s in stories.items():
        publish(site, f"/news/{slug}/", s)
    site.add("/feed/", rss([(f"/news/{slug}/", "Tue, 05 Mar 2024 17:30:00 GMT") for slug in stories]),
             content_type="application/rss+xml")
    db = tmp_path / "archive.db"
    config = write_config(tmp_path / "sites.toml", {"fixturenews": {"url": site.url("/"), "feeds": [site.url("/feed/")]}})
    assert_clean_exit(run_crawl(config, db))
    server = start_server(db, tmp_path / "serve.log")
    try:
        wanted = stories["zephyr-lantern"]
        found = get_json(server, "/archive/articles.json?_search=zephyr&_shape=array")
        assert [r["title"] for r in found] == [wanted.title]
        status, _, page = get(server, f"/archive/articles/{found[0]['id']}")
        body = page.split('<div class="article-body">', 1)[1].split("</div>", 1)[0]
        shown = [p.split("</p>")[0].strip() for p in body.split("<p>")[1:]]
        assert [html.unescape(p) for p in shown] == wanted.paragraphs
        assert f'href="{site.url("/news/zephyr-lantern/")}"' in page
        feed = parse_feed(get(server, "/archive/search.atom?q=zephyr")[2])
        assert [e.find(f"{ATOM}title").text for e in feed.findall(f"{ATOM}entry")] == [wanted.title]
        health = get_json(server, "/archive/crawl_health.json?_shape=array")
        assert [(r["site"], r["health"]) for r in health] == [("fixturenews", "ok")]
    finally:
        server.stop()


@pytest.fixture(scope="module")
def signed_room(tmp_path_factory):
    with serving_room(tmp_path_factory.mktemp("signed"), sign_in=True) as (server, info):
        yield server, info


def post(server, path: str, fields: dict[str, str], headers: dict[str, str] | None = None) -> tuple[int, str]:
    request = urllib.request.Request(server.base + path, data=urllib.parse.urlencode(fields).encode(),
                                     headers=headers or {}, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


def crawl_requests(info) -> list[tuple]:
    conn = sqlite3.connect(info["db"], timeout=30)
    try:
        return conn.execute("SELECT site, taken FROM crawl_requests ORDER BY id").fetchall()
    finally:
        conn.close()


def test_a_script_with_the_token_asks_for_a_crawl_once(signed_room):
    server, info = signed_room
    bearer = {"Authorization": f"Bearer {TOKEN}", "Accept": "application/json"}
    status, text = post(server, "/archive/request_crawl", {"site": "gamma"}, bearer)
    assert status == 200 and json.loads(text)["ok"], text
    assert crawl_requests(info) == [("gamma", None)]
    post(server, "/archive/request_crawl", {"site": "gamma"}, bearer)  # already waiting: not twice
    post(server, "/archive/request_crawl", {"site": "no-such-site"}, bearer)  # never crawled nor archived
    assert crawl_requests(info) == [("gamma", None)]
    status, _ = post(server, "/archive/request_crawl", {"site": "beta"},
                     {"Authorization": "Bearer wrong-token", "Accept": "application/json"})
    assert status == 403
    status, _ = post(server, "/archive/request_crawl", {"site": "beta"})
    assert status == 403  # anonymous
    assert crawl_requests(info) == [("gamma", None)]
    listed = get_json(server, "/archive/crawl_requests_status.json?_shape=array")
    assert [(r["site"], r["taken"]) for r in listed] == [("gamma", "waiting for the daemon")]
    # the secrets never show: Datasette's metadata names where they come from
    status, _, text = get(server, "/-/metadata.json")
    assert status == 200 and TOKEN not in text and "pbkdf2" not in text
    # anonymous visitors do not even see the query
    status, _, _ = get(server, "/archive/request_crawl")
    assert status == 403
    assert "request_crawl" not in {q["name"] for q in get_json(server, "/archive.json")["queries"]}


def test_a_signed_in_person_needs_the_csrf_token(signed_room):
    server, info = signed_room
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor())
    with opener.open(server.base + "/-/login", timeout=30) as response:
        page = response.read().decode()
    csrf = re.search(r'name="csrftoken" value="([^"]+)"', page).group(1)
    login = urllib.parse.urlencode({"username": "editor", "password": PASSWORD, "csrftoken": csrf}).encode()
    with opener.open(server.base + "/-/login", data=login, timeout=30) as response:
        assert response.status == 200
    before = crawl_requests(info)
    forged = urllib.parse.urlencode({"site": "alpha"}).encode()
    with pytest.raises(urllib.error.HTTPError) as refused:
        opener.open(server.base + "/archive/request_crawl", data=forged, timeout=30)
    assert refused.value.code == 403
    assert crawl_requests(info) == before
    with opener.open(server.base + "/archive/articles?site=alpha", timeout=30) as response:
        page = response.read().decode()
    assert 'action="/archive/request_crawl"' in page
    csrf = re.search(r'name="csrftoken" value="([^"]+)"', page).group(1)
    real = urllib.parse.urlencode({"site": "alpha", "csrftoken": csrf}).encode()
    with opener.open(server.base + "/archive/request_crawl", data=real, timeout=30) as response:
        assert response.url.endswith("/archive/crawl_requests_status")
    assert crawl_requests(info)[-1] == ("alpha", None)


def test_serve_token_without_a_token_is_one_clear_line(tmp_path):
    db = tmp_path / "archive.db"
    build_archive(db)
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSARCHIVE_")}
    result = subprocess.run(newsarchive_command() + ["serve", "--db", str(db), "--token"], capture_output=True,
                            text=True, timeout=60, cwd=Path(__file__).resolve().parents[1], env=env)
    assert result.returncode != 0
    assert "NEWSARCHIVE_TOKEN" in result.stderr and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
