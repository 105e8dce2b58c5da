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
_SCRIPT = re.compile(rb"<script\b.*?</script>|<style\b.*?</style>|<noscript\b.*?</noscript>", re.I | re.S)
_TAG = re.compile(rb"<[^>]+>")
_NEEDS_JS = re.compile(rb"(enable|requires?|turn on)\s+javascript|javascript\s+(is\s+)?(required|disabled)", re.I)


def blocked_reason(status: int, body: bytes) -> str | None:
    """Why this answer is a block rather than a page, or None."""
    if status in (401, 403, 429):
        return f"http-{status}"
    head = body[:200_000]
    if status == 202:
        return "challenge"
    if _CHALLENGE.search(head[:65536]):
        return "challenge"
    scripts = sum(len(m.group(0)) for m in _SCRIPT.finditer(head))
    visible = len(b" ".join(_TAG.sub(b" ", _SCRIPT.sub(b" ", head)).split()))
    if visible < 300 and (scripts > 2000 or _NEEDS_JS.search(head)):
        return "js-shell"
    return None
