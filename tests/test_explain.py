"""``newsarchive explain URL-OR-FILE``: what extraction decided about a page and why, as a user
runs it on a saved file or a live page."""

from __future__ import annotations

import gzip

from fixture_sites import article_html, newsarchive, story


def test_explain_a_saved_page_shows_outcome_candidates_and_kept_lines(tmp_path):
    s = story("cranes-go-electric")
    page = article_html(s).replace("</main>", '<p class="share">Share this story on social media</p></main>')
    saved = tmp_path / "page.html.gz"
    saved.write_bytes(gzip.compress(page.encode()))
    result = newsarchive("explain", str(saved), "--url", f"https://news.example.com/2024/03/05/{s.slug}/")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "outcome: article" in out
    assert f"-> {s.title!r}" in out
    assert "author candidates" in out and s.author in out
    assert f"  + {s.paragraphs[0][:60]}" in out


def test_explain_a_page_that_is_not_an_article_names_the_rule(tmp_path):
    shop = ('<html><head><title>Crane spreader | Example Shop</title><script type="application/ld+json">'
            '{"@type": "Product", "name": "Crane spreader"}</script></head><body><h1>Crane spreader</h1>'
            + "<p>A strong spreader for harbour cranes, rated for forty tonnes, galvanised, in stock now.</p>" * 8
            + "</body></html>")
    saved = tmp_path / "shop.html"
    saved.write_text(shop)
    result = newsarchive("explain", str(saved), "--url", "https://shop.example.com/spreader")
    assert result.returncode == 0, result.stderr
    assert "outcome: not-article (page-kind: product markup" in result.stdout


def test_explain_a_live_page(servers):
    server = servers.new()
    s = story("live-explain")
    url = server.add(f"/2024/03/05/{s.slug}/", article_html(s), content_type="text/html; charset=utf-8")
    result = newsarchive("explain", url)
    assert result.returncode == 0, result.stderr
    assert "outcome: article" in result.stdout


def test_explain_a_missing_file_says_so_in_one_line_and_fails(tmp_path):
    result = newsarchive("explain", str(tmp_path / "nope.html"))
    assert result.returncode != 0
    assert "no such file" in result.stderr and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
