"""WARC capture: every article page the crawl receives is kept as received, can be read back by
its ``captures`` row, passes the ecosystem's tools, and survives kill -9."""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from fixture_sites import (REPO, FixtureServer, Request, Response, article_html, assert_clean_exit, listing_html,
                           newsarchive, rss, run_crawl, story, wait_for, write_config)
from pipelines.warc import IDENTICAL_PROFILE, NOT_MODIFIED_PROFILE, SUFFIX, read_record, recover

ALWAYS_DUE = ["100000d:0s"]


class CapturedSite:
    """Two articles: ``/news/a/?id=7`` gzip-encoded with two Set-Cookie headers and an ETag (a
    recrawl gets 304), and ``/news/b/`` without validators (a recrawl gets the same 200)."""

    def __init__(self, server: FixtureServer):
        self.server = server
        self.a_body = article_html(story("warc-a")).encode()
        self.b_body = article_html(story("warc-b")).encode()
        self.a_wire = gzip.compress(self.a_body, mtime=0)
        self.etag = '"' + hashlib.sha1(self.a_body).hexdigest()[:12] + '"'
        server.add("/news/a/", self.article_a)
        server.add("/news/b/", Response(self.b_body))
        links = [server.url("/news/a/?id=7"), server.url("/news/b/")]
        server.add("/feed.xml", rss([(u, None) for u in links]), content_type="application/rss+xml")
        server.add("/", listing_html("Home", links, feeds=[("/feed.xml", "application/rss+xml")]))

    def article_a(self, request: Request) -> Response:
        if request.headers.get("If-None-Match") == self.etag:
            return Response(b"", status=304, content_type=None, headers={"ETag": self.etag})
        return Response(self.a_wire, headers=[("Content-Encoding", "gzip"), ("ETag", self.etag),
                                              ("Set-Cookie", "first=1; Path=/"), ("Set-Cookie", "second=2; Path=/")])


@pytest.fixture
def captured(servers, tmp_path):
    site = CapturedSite(servers.new())
    config = write_config(tmp_path / "sites.toml", {"site": {"url": site.server.url("/"), "recheck": ALWAYS_DUE}})
    return site, config, tmp_path / "archive.db"


def captures(db: Path) -> list[dict]:
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in conn.execute("SELECT * FROM captures ORDER BY id")]
    except sqlite3.OperationalError:  # not created yet
        return []
    finally:
        conn.close()


def record_of(db: Path, row: dict):
    return read_record(db.parent / "warcs", row["warc"], row["offset"], row["length"])


def test_an_article_is_kept_as_received_with_every_header_and_the_request_as_sent(captured):
    site, config, db = captured
    assert_clean_exit(run_crawl(config, db))
    rows = {r["url"].split("/news/")[1]: r for r in captures(db)}
    assert set(rows) == {"a/?id=7", "b/"}
    a = rows["a/?id=7"]
    assert a["status"] == 200 and a["article_id"] and a["revisit_of"] is None
    record = record_of(db, a)
    assert record.rec_type == "response"
    assert record.rec_headers.get_header("WARC-Target-URI") == site.server.url("/news/a/?id=7")
    cookies = [v for k, v in record.http_headers.headers if k.lower() == "set-cookie"]
    assert cookies == ["first=1; Path=/", "second=2; Path=/"]
    assert record.http_headers.get_header("Content-Encoding") == "gzip"
    assert record.raw_stream.read() == site.a_wire, "the body is kept content-encoded, as it came"
    assert record.rec_headers.get_header("WARC-Payload-Digest") == a["digest"]
    with open(db.parent / "warcs" / a["warc"], "rb") as handle:  # the request record follows
        from warcio.archiveiterator import ArchiveIterator
        records = list((r.rec_type, r.http_headers.protocol if r.rec_type == "request" else None,
                        r.http_headers.statusline if r.http_headers else None) for r in ArchiveIterator(handle))
    assert records[0][0] == "warcinfo"
    assert ("request", "GET", "/news/a/?id=7 HTTP/1.1") in records


def test_a_recrawl_writes_revisits_not_copies(captured):
    site, config, db = captured
    assert_clean_exit(run_crawl(config, db))
    first = {r["url"]: r for r in captures(db)}
    assert_clean_exit(run_crawl(config, db))
    later = [r for r in captures(db) if r["id"] not in {f["id"] for f in first.values()}]
    assert len(later) == 2
    for row in later:
        record = record_of(db, row)
        assert record.rec_type == "revisit"
        original = first[row["url"]]
        assert row["revisit_of"] == original["id"]
        assert record.rec_headers.get_header("WARC-Refers-To") == original["record_id"]
        profile = record.rec_headers.get_header("WARC-Profile")
        assert profile == (NOT_MODIFIED_PROFILE if "/a/" in row["url"] else IDENTICAL_PROFILE)
        assert row["length"] < original["length"] or "/a/" in row["url"]


def test_files_are_closed_with_their_final_name_and_pass_warcio_check_and_cdxj_indexer(captured):
    site, config, db = captured
    assert_clean_exit(run_crawl(config, db))
    folder = db.parent / "warcs"
    files = sorted(folder.iterdir())
    assert files and all(f.name.endswith(SUFFIX) for f in files), files
    bin_dir = Path(sys.executable).parent
    for path in files:
        check = subprocess.run([str(bin_dir / "warcio"), "check", str(path)], capture_output=True, text=True)
        assert check.returncode == 0, check.stdout + check.stderr
    index = subprocess.run([str(bin_dir / "cdxj-indexer"), *map(str, files)], capture_output=True, text=True)
    assert index.returncode == 0, index.stderr
    assert "/news/a/?id=7" in index.stdout or "news/a/?id=7" in index.stdout


def test_files_rotate_at_their_size_limit(servers, tmp_path):
    server = servers.new()
    links = [server.add(f"/news/r{i}/", article_html(story(f"rotate-{i}"))) for i in range(6)]
    server.add("/feed.xml", rss([(u, None) for u in links]), content_type="application/rss+xml")
    server.add("/", listing_html("Home", links, feeds=[("/feed.xml", "application/rss+xml")]))
    config = write_config(tmp_path / "sites.toml", {"site": {"url": server.url("/")}})
    config.write_text(config.read_text() + "\n[warc]\nmax_size = 1048576\n")
    # a megabyte is the smallest limit; make each record larger than that with a big page
    big = article_html(story("rotate-big")).replace("</body>", "<!--" + os.urandom(1_200_000).hex() + "--></body>")
    server.add("/news/r0/", big)
    server.add("/news/r1/", big.replace("rotate-big", "rotate-big-2"))
    assert_clean_exit(run_crawl(config, tmp_path / "archive.db"))
    files = sorted((tmp_path / "warcs").iterdir())
    assert len(files) >= 2, files
    warcs_of_rows = {r["warc"] for r in captures(tmp_path / "archive.db")}
    assert warcs_of_rows <= {f.name for f in files}


def test_kill_9_leaves_every_capture_readable_and_the_next_crawl_closes_the_open_file(servers, tmp_path):
    import threading

    server = servers.new()
    gate = threading.Event()
    links = [server.add(f"/news/k{i}/", article_html(story(f"kill-{i}"))) for i in range(3)]

    def held(request: Request) -> Response:
        gate.wait(30)
        return Response(article_html(story("kill-held")).encode())

    server.add("/news/held/", held)
    links.append(server.url("/news/held/"))
    server.add("/feed.xml", rss([(u, None) for u in links]), content_type="application/rss+xml")
    server.add("/", listing_html("Home", links, feeds=[("/feed.xml", "application/rss+xml")]))
    config = write_config(tmp_path / "sites.toml", {"site": {"url": server.url("/")}})
    db = tmp_path / "archive.db"
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSARCHIVE_")}
    crawl = subprocess.Popen([sys.executable, "-m", "crawler.cli", "crawl", "--config", str(config), "--db", str(db),
                              "--workers", "1"], cwd=REPO, env=env, stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        assert wait_for(lambda: db.exists() and len(captures(db)) >= 3, 60)
    finally:
        os.killpg(crawl.pid, signal.SIGKILL)
        crawl.wait(10)
        gate.set()
    folder = tmp_path / "warcs"
    open_files = list(folder.glob("*.open"))
    assert len(open_files) == 1
    with open(open_files[0], "ab") as handle:  # a record cut short by the kill
        handle.write(gzip.compress(b"WARC/1.1\r\nWARC-Type: response\r\n")[:20])
    for row in captures(db):
        assert record_of(db, row).rec_type == "response"
    assert recover(folder) == [open_files[0].with_name(open_files[0].name[:-len(".open")])]
    closed = open_files[0].with_name(open_files[0].name[:-len(".open")])
    check = subprocess.run([str(Path(sys.executable).parent / "warcio"), "check", str(closed)], capture_output=True,
                           text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    for row in captures(db):
        assert record_of(db, row).rec_type == "response"
    again = run_crawl(config, db)
    assert_clean_exit(again)
    assert not list(folder.glob("*.open"))


def test_capture_can_be_switched_off(captured):
    site, config, db = captured
    config.write_text(config.read_text() + "\n[warc]\nenabled = false\n")
    assert_clean_exit(run_crawl(config, db))
    assert captures(db) == [] and not (db.parent / "warcs").exists()


@pytest.fixture
def crawled(servers, tmp_path):
    """A crawled site of six articles (one gzip-encoded): the archive as a fresh crawl leaves it."""
    server = servers.new()
    links = [server.add(f"/news/x{i}/", article_html(story(f"reextract-{i}"))) for i in range(5)]
    CapturedSite(server)  # its gzip-encoded article joins the five
    links.append(server.url("/news/a/?id=7"))
    server.add("/feed.xml", rss([(u, None) for u in links]), content_type="application/rss+xml")
    server.add("/", listing_html("Home", links, feeds=[("/feed.xml", "application/rss+xml")]))
    config = write_config(tmp_path / "sites.toml", {"site": {"url": server.url("/")}})
    db = tmp_path / "archive.db"
    assert_clean_exit(run_crawl(config, db))
    return config, db, articles(db)


def articles(db: Path) -> dict[int, dict]:
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    try:
        return {r["id"]: dict(r) for r in conn.execute(
            "SELECT id, title, body, authors, published, word_count, content_hash, revisions, updated FROM articles")}
    finally:
        conn.close()


def reextract(config: Path, db: Path, *args: str) -> subprocess.CompletedProcess:
    return newsarchive("reextract", *args, "--config", str(config), "--db", str(db), "--workers", "1")


def test_reextract_over_unchanged_code_changes_nothing(crawled):
    config, db, before = crawled
    result = reextract(config, db)
    assert result.returncode == 0, result.stderr
    assert f"{len(before)} articles re-extracted: 0 changed" in result.stdout, result.stdout
    assert articles(db) == before


def test_reextract_restores_corrupted_records_and_only_those_without_making_revisions(crawled):
    config, db, before = crawled
    broken = sorted(before)[:3]
    conn = sqlite3.connect(db)
    for article_id in broken:
        conn.execute("UPDATE articles SET title = 'garbled', body = 'lost text' WHERE id = ?", [article_id])
    conn.commit()
    conn.close()
    result = reextract(config, db)
    assert result.returncode == 0, result.stderr
    assert "3 changed (fields: title 3, body 3)" in result.stdout or "3 changed (fields: body 3, title 3)" in result.stdout, \
        result.stdout
    assert articles(db) == before, "exactly the corrupted records are restored to what the crawl made"
    conn = sqlite3.connect(db)
    assert conn.execute("SELECT count(*) FROM article_versions").fetchone()[0] == 0
    marked = {row[0] for row in conn.execute("SELECT id FROM articles WHERE reextracted IS NOT NULL")}
    run = conn.execute("SELECT status, changed, fields FROM extraction_runs").fetchall()
    conn.close()
    assert marked == set(broken)
    assert run[0][0] == "ok" and run[0][1] == 3 and json.loads(run[0][2]) == {"title": 3, "body": 3}


def test_reextract_dry_run_says_what_would_change_and_writes_nothing(crawled):
    config, db, before = crawled
    victim = sorted(before)[0]
    conn = sqlite3.connect(db)
    conn.execute("UPDATE articles SET title = 'garbled' WHERE id = ?", [victim])
    conn.commit()
    conn.close()
    garbled = articles(db)
    result = reextract(config, db, "--dry-run", "--id", str(victim))
    assert result.returncode == 0, result.stderr
    assert "dry run, nothing written: 1 articles re-extracted: 1 would change (fields: title 1)" in result.stdout
    assert f"article {victim}: title: 'garbled' -> " in result.stdout
    assert articles(db) == garbled
    conn = sqlite3.connect(db)
    assert conn.execute("SELECT count(*) FROM extraction_runs").fetchone()[0] == 0
    conn.close()


def test_reextract_with_a_bad_date_is_one_line(crawled):
    config, db, _ = crawled
    result = reextract(config, db, "--since", "yesterday")
    assert result.returncode != 0 and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and "--since" in result.stderr


def test_the_archived_page_is_shown_without_running_it_or_loading_anything(servers, tmp_path):
    if not os.path.exists("/usr/bin/chromium"):
        pytest.skip("no browser: /usr/bin/chromium is not installed (apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api")
    from room_fixture import get, start_server

    server = servers.new()
    hostile = article_html(story("warc-script")).replace(
        "</body>", f'<img id="pixel" src="{server.url("/pixel.gif")}"><script>document.title = "SCRIPT RAN";'
                   'document.body.setAttribute("data-ran", "yes");</script></body>')
    link = server.add("/news/scripted/", hostile)
    server.add("/pixel.gif", Response(b"GIF89a", content_type="image/gif"))
    server.add("/feed.xml", rss([(link, None)]), content_type="application/rss+xml")
    server.add("/", listing_html("Home", [link], feeds=[("/feed.xml", "application/rss+xml")]))
    config = write_config(tmp_path / "sites.toml", {"site": {"url": server.url("/")}})
    db = tmp_path / "archive.db"
    assert_clean_exit(run_crawl(config, db))
    row = captures(db)[0]
    served = start_server(db, tmp_path / "serve.log")
    try:
        status, _, page = get(served, f"/archive/articles/{row['article_id']}")
        assert status == 200 and f"/-/captures/{row['id']}" in page, page[:3000]
        pixel_hits = server.hits("/pixel.gif")
        with sync_api.sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path="/usr/bin/chromium",
                                                 args=["--headless", "--no-sandbox", "--disable-gpu"])
            try:
                tab = browser.new_page()
                loaded: list[str] = []  # what the browser actually received (CSP stops the rest)
                tab.on("response", lambda answer: loaded.append(answer.url))
                response = tab.goto(served.base + f"/-/captures/{row['id']}")
                assert response.status == 200
                assert "sandbox" in response.headers["content-security-policy"]
                tab.screenshot(path=str(tmp_path / "capture.png"))
                assert tab.title() != "SCRIPT RAN"
                assert tab.evaluate("document.body.getAttribute('data-ran')") is None
                assert story("warc-script").paragraphs[0][:40] in tab.inner_text("body")
            finally:
                browser.close()
        assert loaded == [served.base + f"/-/captures/{row['id']}"], loaded
        assert server.hits("/pixel.gif") == pixel_hits, "the site was never asked for anything"
    finally:
        served.stop()


def test_reextract_of_a_revised_article_keeps_what_a_crawl_keeps_from_its_first_capture(servers, tmp_path):
    server = servers.new()
    pages = {"body": article_html(story("revised-once", published="2024-03-05T09:30:00Z")).encode()}
    link = server.add("/news/revised/", lambda request: Response(pages["body"]))
    server.add("/feed.xml", rss([(link, None)]), content_type="application/rss+xml")
    server.add("/", listing_html("Home", [link], feeds=[("/feed.xml", "application/rss+xml")]))
    config = write_config(tmp_path / "sites.toml", {"site": {"url": server.url("/"), "recheck": ALWAYS_DUE}})
    db = tmp_path / "archive.db"
    assert_clean_exit(run_crawl(config, db))
    edited = story("revised-once", published="2024-04-01T10:00:00Z")  # the site re-dates its edit
    edited.paragraphs.append("An editor's note was added to this story after it was first published.")
    pages["body"] = article_html(edited).encode()
    assert_clean_exit(run_crawl(config, db))
    before = articles(db)
    assert [a["revisions"] for a in before.values()] == [1]
    assert next(iter(before.values()))["published"].startswith("2024-03-05")
    result = reextract(config, db)
    assert result.returncode == 0, result.stderr
    assert "1 articles re-extracted: 0 changed" in result.stdout, result.stdout
    assert articles(db) == before


def test_reextract_uses_the_capture_a_record_came_from_not_a_later_unchanged_fetch(servers, tmp_path):
    server = servers.new()
    text = story("stamped")
    stamp = {"modified": "2024-03-06T08:00:00Z"}
    link = server.add("/news/stamped/", lambda request: Response(article_html(text, extra_head=(
        f'<meta property="article:modified_time" content="{stamp["modified"]}">')).encode()))
    server.add("/feed.xml", rss([(link, None)]), content_type="application/rss+xml")
    server.add("/", listing_html("Home", [link], feeds=[("/feed.xml", "application/rss+xml")]))
    config = write_config(tmp_path / "sites.toml", {"site": {"url": server.url("/"), "recheck": ALWAYS_DUE}})
    db = tmp_path / "archive.db"
    assert_clean_exit(run_crawl(config, db))
    stamp["modified"] = "2024-05-01T08:00:00Z"  # a new stamp, the same story: the crawl keeps the record
    assert_clean_exit(run_crawl(config, db))
    before = articles(db)
    assert len(captures(db)) == 2 and [a["revisions"] for a in before.values()] == [0]
    result = reextract(config, db)
    assert result.returncode == 0, result.stderr
    assert "1 articles re-extracted: 0 changed" in result.stdout, result.stdout
