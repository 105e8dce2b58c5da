"""Recognizing answers that are a site refusing us rather than a page: bot challenges, and
JavaScript-only shells that carry no article for a crawler."""

from __future__ import annotations

import re

_CHALLENGE = re.compile(
    rb"cf-chl-|challenge-platform|cf_chl_opt|<title>\s*(just a moment|attention required|access denied|"
    rb"are you a robot|verify you are human|security check)|px-captcha|_incapsula_resource|"
    rb"captcha-delivery\.com|g-recaptcha|h-captcha|hcaptcha\.com/1/api|datadome|perimeterx|"
    rb"please (enable|turn on) (javascript|cookies) and (reload|refresh)",
    re.I,
)
# <noscript> is not removed: forum software (Discourse) and some CMSs serve their whole page to
# clients without JavaScript, crawlers included, inside it
_SCRIPT = re.compile(rb"<script\b.*?</script>|<style\b.*?</style>", re.I | re.S)
_TAG = re.compile(rb"<[^>]+>")
_NEEDS_JS = re.compile(rb"(enable|requires?|turn on)\s+javascript|javascript\s+(is\s+)?(required|disabled)", re.I)


_ARTICLE_TEXT = 600  # visible characters: a page with this much text of its own is not a refusal
_SHELL_TEXT = 300  # ... and one with less than this, and only scripts, is an empty app shell


def visible_text_length(body: bytes) -> int:
    return len(b" ".join(_TAG.sub(b" ", _SCRIPT.sub(b" ", body)).split()))


def blocked_reason(status: int, body: bytes) -> str | None:
    """Why this answer is a block rather than a page, or None. Challenge scripts and captcha
    widgets also sit on ordinary article pages (comment forms, bot-detection beacons), so they
    count only on pages with almost no text of their own."""
    if status in (401, 403, 429):
        return f"http-{status}"
    if status == 202:
        return "challenge"
    visible = visible_text_length(body)
    if visible >= _ARTICLE_TEXT:
        return None
    if _CHALLENGE.search(body[:65536]):
        return "challenge"
    if visible < _SHELL_TEXT and (sum(len(m.group(0)) for m in _SCRIPT.finditer(body)) > 2000
                                  or _NEEDS_JS.search(body)):
        return "js-shell"
    return None
