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


def test_no_real_page_of_the_corpus_is_taken_for_a_refusal():
    shared = shared_dir()
    if shared is None:
        pytest.skip("../shared (the corpus) is not here")
    pages = sorted((shared / "corpus").glob("**/*.html.gz"))
    assert len(pages) > 400
    flagged = [p.name for p in pages if blocked_reason(200, gzip.decompress(p.read_bytes()))
               and not _app_shell(p)]
    assert flagged == []


def _app_shell(path) -> bool:
    """A page of the corpus that is an app shell itself (WCXB keeps some on purpose): no text at
    all outside its scripts (a <noscript> "enable JavaScript" note aside), the content rendered by
    JavaScript, which a crawler cannot read."""
    import re

    raw = gzip.decompress(path.read_bytes())
    text = re.sub(rb"<[^>]+>", b" ", re.sub(rb"<(script|style|noscript)\b.*?</\1>", b" ", raw, flags=re.S | re.I))
    return len(b" ".join(text.split())) < 50
