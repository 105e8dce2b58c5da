"""``newsarchive crawl`` as a user runs it: exit codes, one summary line per site, clear errors for
unknown sites and unusable archives, and the NEWSARCHIVE_CONFIG / NEWSARCHIVE_DB variables."""

from __future__ import annotations

import json
import re
import sqlite3

import pytest

from fixture_sites import (Crawl, FixtureServer, article_html, newsarchive, robots, rss, run_crawl, story,
                           write_config)


def small_site(servers, name: str, broken_links: int = 0) -> tuple[FixtureServer, dict]:
    """A site with two articles in its feed (and ``broken_links`` links that 404)."""
    server = servers.new()
    links = []
    for n in range(2):
        links.append(server.add(f"/news/{name}-{n}/", article_html(story(f"cli-{name}-{n}"))))
    links += [server.url(f"/news/{name}-gone-{n}/") for n in range(broken_links)]
    server.add("/feed/", rss([(link, None) for link in links]), content_type="application/rss+xml")
    server.add("/robots.txt", robots(), content_type="text/plain")
    server.add("/", "<html><body><p>home</p></body></html>")
    return server, {"url": server.url("/"), "feeds": [server.url("/feed/")]}


def test_crawl_exits_0_when_pages_fail_and_prints_one_line_per_site(servers, tmp_path):
    alpha, alpha_cfg = small_site(servers, "alpha", broken_links=1)
    beta, beta_cfg = small_site(servers, "beta")
    config = write_config(tmp_path / "sites.toml", {"alpha": alpha_cfg, "beta": beta_cfg})
    crawl = run_crawl(config, tmp_path / "archive.db")
    assert crawl.result.returncode == 0, crawl.result.stderr
    assert "Traceback" not in crawl.result.stderr
    lines = crawl.result.stdout.strip().splitlines()
    assert len(lines) == 2
    summary = {line.split(":", 1)[0]: line for line in lines}
    assert re.search(r"^alpha: ok\b.*\b2 new\b.*\b1 errors\b", summary["alpha"]), summary
    assert re.search(r"^beta: ok\b.*\b2 new\b.*\b0 errors\b", summary["beta"]), summary
    assert [f["url"] for f in crawl.failures("alpha")] == [alpha.url("/news/alpha-gone-0/")]
    assert len(crawl.articles("alpha")) == len(crawl.articles("beta")) == 2
    runs = crawl.rows("SELECT site, status, new_articles, errors, finished FROM crawl_runs ORDER BY site")
    assert [(r["site"], r["status"], r["new_articles"], r["errors"]) for r in runs] == [
        ("alpha", "ok", 2, 1), ("beta", "ok", 2, 0)]
    assert all(r["finished"] for r in runs)
    events = [json.loads(line) for line in crawl.result.stderr.splitlines() if line.startswith("{")]
    assert {(e["event"], e.get("site")) for e in events} >= {("crawl.start", "alpha"), ("crawl.end", "beta")}


def test_crawl_of_named_sites_leaves_the_others_alone(servers, tmp_path):
    alpha, alpha_cfg = small_site(servers, "only-alpha")
    beta, beta_cfg = small_site(servers, "not-beta")
    config = write_config(tmp_path / "sites.toml", {"alpha": alpha_cfg, "beta": beta_cfg})
    crawl = run_crawl(config, tmp_path / "archive.db", "alpha")
    assert crawl.result.returncode == 0, crawl.result.stderr
    assert [line.split(":")[0] for line in crawl.result.stdout.strip().splitlines()] == ["alpha"]
    assert beta.hits_under("/") == 0
    assert {a["site"] for a in crawl.articles()} == {"alpha"}


def test_unknown_site_name_is_a_clear_error(servers, tmp_path):
    _, alpha_cfg = small_site(servers, "known")
    config = write_config(tmp_path / "sites.toml", {"alpha": alpha_cfg})
    db = tmp_path / "archive.db"
    result = newsarchive("crawl", "alhpa", "--config", str(config), "--db", str(db))
    assert result.returncode != 0 and "Traceback" not in result.stderr
    assert "alhpa" in result.stderr and "alpha" in result.stderr and str(config) in result.stderr
    assert not db.exists()


@pytest.mark.parametrize("kind", ["missing-directory", "directory", "not-sqlite"])
def test_unusable_db_path_is_a_clear_error(servers, tmp_path, kind):
    _, cfg = small_site(servers, f"db-{kind}")
    config = write_config(tmp_path / "sites.toml", {"site": cfg})
    if kind == "missing-directory":
        db = tmp_path / "no" / "such" / "dir" / "archive.db"
    elif kind == "directory":
        db = tmp_path / "a-directory"
        db.mkdir()
    else:
        db = tmp_path / "notes.txt"
        db.write_text("my notes, not an archive\n" * 100)
    before = db.read_bytes() if db.is_file() else None
    result = newsarchive("crawl", "--config", str(config), "--db", str(db))
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and str(db) in lines[0], result.stderr
    if before is not None:
        assert db.read_bytes() == before, "the crawler damaged a file that is not an archive"


def test_environment_variables_name_config_and_archive(servers, tmp_path):
    _, cfg = small_site(servers, "env")
    config = write_config(tmp_path / "elsewhere.toml", {"envsite": cfg})
    workdir = tmp_path / "work"
    workdir.mkdir()
    db = tmp_path / "from-env.db"
    result = newsarchive("crawl", "--workers", "1", cwd=workdir,
                         env={"NEWSARCHIVE_CONFIG": str(config), "NEWSARCHIVE_DB": str(db)})
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("envsite: ok")
    assert len(Crawl(result, db).articles("envsite")) == 2
    assert not (workdir / "archive.db").exists()

    flag_db = tmp_path / "from-flag.db"
    result = newsarchive("crawl", "--workers", "1", "--db", str(flag_db), cwd=workdir,
                         env={"NEWSARCHIVE_CONFIG": str(config), "NEWSARCHIVE_DB": str(db)})
    assert result.returncode == 0, result.stderr
    assert flag_db.exists(), "--db must win over NEWSARCHIVE_DB"


def test_defaults_are_sites_toml_and_archive_db_in_the_working_directory(servers, tmp_path):
    _, cfg = small_site(servers, "cwd")
    write_config(tmp_path / "sites.toml", {"here": cfg})
    result = newsarchive("crawl", "--workers", "1", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    conn = sqlite3.connect(tmp_path / "archive.db")
    try:
        assert conn.execute("SELECT count(*) FROM articles WHERE site = 'here'").fetchone()[0] == 2
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    finally:
        conn.close()


def test_missing_default_config_names_the_file(tmp_path):
    result = newsarchive("crawl", cwd=tmp_path)
    assert result.returncode != 0 and "Traceback" not in result.stderr
    assert "sites.toml" in result.stderr
    assert not (tmp_path / "archive.db").exists()
