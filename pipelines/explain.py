"""What extraction decided about one page, and why: the outcome, the page-kind rules, every
metadata candidate with its source and the winner, and each line the extractor found, kept or
dropped with the rule that dropped it. ``newsarchive explain`` prints it."""

from __future__ import annotations

from typing import Any

from pipelines import boilerplate, pagekind
from pipelines.extract import ExtractOptions, extract_page
from pipelines.dates import normalize_date

# the named rules a line of the extractor's output can fall to, in the order they are asked
LINE_RULES = (
    ("furniture", boilerplate.is_furniture),
    ("closing credit or bio", boilerplate.is_closing),
    ("sign-up pitch", boilerplate.is_pitch),
    ("byline", boilerplate.is_byline),
    ("dateline", boilerplate.is_dateline),
)


def why_dropped(line: str, kept: list[str]) -> str:
    """The rule a dropped line falls to ("outside the story" when it was cut with the head or
    tail of the extraction rather than by a named rule)."""
    if line in kept:
        return "repeat"
    for name, test in LINE_RULES:
        if test(line):
            return name
    return "outside the story (head or tail trimmed)"


def explain(body: bytes, url: str, options: ExtractOptions | None = None, content_type: str = "text/html",
            declared_encoding: str | None = None) -> dict[str, Any]:
    """Extract ``body`` as a crawl would and return the result with the trace of its decisions."""
    host = (url.split("//", 1)[-1].split("/", 1)[0].split(":")[0] or "local").removeprefix("www.")
    options = options or ExtractOptions(site=host, domains=(host,))
    trace: dict[str, Any] = {}
    result = extract_page(body, url, options, content_type, declared_encoding, trace=trace)
    return {"result": result, "trace": trace, "url": url}


def report(explained: dict[str, Any]) -> list[str]:
    """``explain``'s answer as lines of text."""
    result, trace = explained["result"], explained["trace"]
    lines = [f"url: {explained['url']}", f"outcome: {result['kind']}" +
             (f" ({result.get('reason')}: {result.get('detail')})" if result["kind"] != "article" else
              f" ({result.get('word_count')} words)")]
    meta = trace.get("meta")
    if meta is not None:
        signals = pagekind.PageSignals(meta=meta, url=explained["url"], html=b"")
        lines += ["", "page:", f"  declares an article: {signals.declares_article} (JSON-LD types: "
                               f"{', '.join(sorted(meta.ld_types)) or 'none'}; og:type: {meta.og_type or 'none'})"]
        if trace.get("paragraphs"):
            share, long_paragraphs = pagekind.prose_share(trace["paragraphs"])
            lines.append(f"  prose: {share:.0%} of the words in running sentences, {long_paragraphs} long paragraphs")
        lines += ["", "title candidates:"]
        for source, value in (("json-ld headline", meta.headline), ("og:title", meta.og_title),
                              ("twitter:title", meta.twitter_title), ("<title>", meta.html_title)) + \
                tuple(("<h1>", h) for h in meta.h1s):
            if value:
                lines.append(f"  {source:<18} {value!r}")
        if "title" in trace:
            lines.append(f"  -> {trace['title']!r}")
        lines += ["", "date candidates:"]
        declared = (("json-ld", meta.published_ld), ("meta", meta.published_meta),
                    ("time element", meta.published_time), ("modified", meta.modified))
        for source, value in (*declared, *trace.get("date_readings", {}).items()):
            if value:
                lines.append(f"  {source:<18} {value!r} -> {normalize_date(value)}")
        if result["kind"] == "article":
            lines.append(f"  -> {result.get('published')} ({result.get('published_source')})")
    if "author_candidates" in trace:
        lines += ["", "author candidates (score: sources):"]
        for cand in trace["author_candidates"]:
            kind = "person" if cand.person else "organisation"
            lines.append(f"  {cand.score:5.2f} {cand.name!r} ({kind}; {', '.join(cand.sources)})")
        lines.append(f"  -> {trace.get('authors')}")
    if "raw" in trace:
        kept = trace["paragraphs"]
        lines += ["", f"lines the extractor found ({len(trace['raw'])}; + kept, - dropped with the rule):"]
        seen: list[str] = []
        for line in trace["raw"]:
            short = line if len(line) <= 100 else line[:97] + "..."
            if line in kept and line not in seen:
                lines.append(f"  + {short}")
            else:
                lines.append(f"  - [{why_dropped(line, seen)}] {short}")
            seen.append(line)
        added = [p for p in kept if p not in trace["raw"]]
        for line in added:
            lines.append(f"  + [added: standfirst, key points or the page's articleBody] {line[:100]}")
    return lines


class ExplainError(Exception):
    """The page could not be read: the message says why and what to do."""


def explain_source(page: str, url: str | None = None, timeout: float = 20.0) -> list[str]:
    """``explain`` a saved file (gzipped or not) or a URL fetched now, as lines of text."""
    import gzip
    import os

    if page.startswith(("http://", "https://")):
        import urllib.error
        import urllib.request

        request = urllib.request.Request(page, headers={"User-Agent": "newsarchive-explain/0.1"})
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                body = response.read(10 * 1024 * 1024)
                content_type = response.headers.get("Content-Type", "text/html")
                charset = response.headers.get_content_charset()
                final = response.geturl()
        except (urllib.error.URLError, OSError, ValueError) as exc:
            raise ExplainError(f"could not fetch {page}: {getattr(exc, 'reason', exc)} (check the address, "
                               "or save the page and pass the file)") from None
        return report(explain(body, url or final, content_type=content_type, declared_encoding=charset))
    if not os.path.isfile(page):
        raise ExplainError(f"{page}: no such file (pass a saved page, or an http(s):// address)")
    with open(page, "rb") as handle:
        body = handle.read()
    if body[:2] == b"\x1f\x8b":
        try:
            body = gzip.decompress(body)
        except (OSError, EOFError) as exc:
            raise ExplainError(f"{page}: not a readable gzip file ({exc})") from None
    return report(explain(body, url or f"file://{os.path.abspath(page)}"))
