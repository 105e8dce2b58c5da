"""Refusal detection must catch challenges and app shells without flagging real articles."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from fixture_sites import article_html, shared_dir, story
from pipelines.blocking import blocked_reason

CLOUDFLARE = (b"<!DOCTYPE html><html><head><title>Just a moment...</title></head><body>"
              b"<noscript>Enable JavaScript and cookies to continue</noscript>"
              b"<script>window._cf_chl_opt={cvId: '3'};</script></body></html>")
APP_SHELL = (b"<html><head><script src=/app.js></script><script>" + b"window.__STATE__={};" * 200
             + b"</script></head><body><div id=root></div></body></html>")


@pytest.mark.parametrize("status, body, reason", [
    (403, b"Forbidden", "http-403"), (429, b"slow down", "http-429"), (202, b"", "challenge"),
    (200, CLOUDFLARE, "challenge"), (200, APP_SHELL, "js-shell"),
])
def test_refusals_are_recognized(status, body, reason):
    assert blocked_reason(status, body) == reason


def test_a_forum_page_served_inside_noscript_is_not_a_refusal():
    posts = "".join(f"<p>Post {i}: the new crane drivers say the electric winches are quieter and smoother than the old "
                    f"diesel ones, and the quay is calmer at night.</p>" for i in range(8))
    page = (b"<html><head>" + b"<script>window.__STATE__={};</script>" * 100 + b"</head><body>"
            b"<noscript data-path='/t/cranes/12'>" + posts.encode() + b"</noscript></body></html>")
    assert blocked_reason(200, page) is None


def test_an_article_with_a_captcha_comment_form_and_bot_beacon_is_not_a_refusal():
    page = article_html(story("captcha-comments"), extra_head=(
        '<script src="/cdn-cgi/challenge-platform/scripts/jsd/main.js"></script>'
        '<script src="https://www.google.com/recaptcha/api.js"></script>'))
    page = page.replace("</article>", '</article><form><div class="g-recaptcha"></div></form>')
    assert blocked_reason(200, page.encode()) is None


def pages_with_text(corpus: Path) -> list[Path]:
    """Corpus pages whose ground truth gives them a body a reader sees (shells and empty product
    pages of the newer sets have none)."""
    pages = sorted((corpus / "articles").glob("**/*.html.gz"))
    for manifest in ("wcxb-dev.jsonl", "newspaper-fulltext.jsonl"):
        for line in (corpus / manifest).read_text(encoding="utf-8").splitlines():
            entry = json.loads(line)
            truth = corpus / entry["truth"]
            text = (json.loads(truth.read_text(encoding="utf-8"))["ground_truth"].get("main_content")
                    if truth.suffix == ".json" else truth.read_text(encoding="utf-8", errors="replace"))
            if len((text or "").split()) >= 50:
                pages.append(corpus / entry["path"])
    return pages


def test_no_real_page_of_the_corpus_is_taken_for_a_refusal():
    shared = shared_dir()
    if shared is None:
        pytest.skip("../shared (the corpus) is not here")
    pages = pages_with_text(shared / "corpus")
    assert len(pages) > 1000
    flagged = [str(p.relative_to(shared)) for p in pages if blocked_reason(200, gzip.decompress(p.read_bytes()))]
    assert flagged == []


def test_a_forum_thread_served_in_noscript_is_not_a_refusal():
    posts = "".join(f"<p>{sentence}</p>" for sentence in story("forum-thread").paragraphs)
    page = (b"<html><head><script>" + b"window.__APP__={};" * 300 + b"</script></head><body>"
            + f"<noscript><div class=crawler-post>{posts}</div></noscript>".encode() + b"<div id=app></div></body></html>")
    assert blocked_reason(200, page) is None
