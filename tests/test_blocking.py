"""Refusal detection must catch challenges and app shells without flagging real articles."""

from __future__ import annotations

import gzip

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


def test_an_article_with_a_captcha_comment_form_and_bot_beacon_is_not_a_refusal():
    page = article_html(story("captcha-comments"), extra_head=(
        '<script src="/cdn-cgi/challenge-platform/scripts/jsd/main.js"></script>'
        '<script src="https://www.google.com/recaptcha/api.js"></script>'))
    page = page.replace("</article>", '</article><form><div class="g-recaptcha"></div></form>')
    assert blocked_reason(200, page.encode()) is None


def test_no_real_page_of_the_corpus_is_taken_for_a_refusal():
    shared = shared_dir()
    if shared is None:
        pytest.skip("../shared (the corpus) is not here")
    pages = sorted((shared / "corpus").glob("**/*.html.gz"))
    assert len(pages) > 400
    flagged = [p.name for p in pages if blocked_reason(200, gzip.decompress(p.read_bytes()))]
    assert flagged == []
