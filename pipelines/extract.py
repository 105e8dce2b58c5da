"""Turn a fetched page into an article record (or say why it is not one).

``extract_page`` is a pure function of plain data in and plain data out, so it runs in worker
processes: trafilatura holds the GIL for 15-35 ms a page and its ``Document`` cannot be pickled.
``ExtractorPool`` owns those workers for one crawl process.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import hashlib
import json
import multiprocessing
import os
import re
from dataclasses import dataclass
from typing import Any

from pipelines.dates import normalize_date, date_from_url
from pipelines.urls import canonical_url, same_site

HTML_TYPES = ("text/html", "application/xhtml+xml", "text/plain", "")
_WORD = re.compile(r"\w+", re.UNICODE)

# Paragraphs that are page furniture, not story: newsletter pitches, share bars, job ads,
# "trending"/"related" rails, photo credits. Matched against whole short paragraphs only.
_BOILERPLATE = re.compile(
    r"""^(
      trending\s*:.* | related\s*(stories|articles|posts|coverage)?\s*:.* | read\s+(more|next)\s*:.* |
      (also\s+)?see\s+also\s*:.* | recommended(\s+for\s+you)?\s*:?.* | most\s+popular.* |
      .*\b(subscribe|sign\s+up)\b.*\b(newsletter|newsletters|inbox|updates|podcast)\b.* |
      .*\bnewsletters?\b.*\b(subscribe|sign\s+up|free)\b.* |
      like\s+what\s+you('|’)re\s+reading.* | job\s+listings\s+on\b.* | find\s+more\s+jobs\b.* |
      .*\bemployers?,?\s+post\s+a\s+job\b.* | (share|tweet)\s+(this|on)\b.{0,40} |
      \(?[^()]{0,80}\b(photo|image|illustration|screenshot|video)\s*(/|:|by|courtesy)\s*[^()]{0,80}\)?\.?
      | advertisement | \(?getty\s+images\)? | click\s+here\s+to\s+.* | follow\s+us\s+on\s+.*
    )$""",
    re.I | re.X,
)
_BOILERPLATE_MAX_WORDS = 30


@dataclass(frozen=True)
class ExtractOptions:
    """What extraction needs to know about the site; plain data so it pickles cheaply."""

    site: str
    domains: tuple[str, ...]
    min_words: int = 60
    drop_selectors: tuple[str, ...] = ()
    body_selector: str = ""


def extract_page(body: bytes, url: str, options: ExtractOptions, content_type: str = "",
                 declared_encoding: str | None = None, hints: dict[str, Any] | None = None) -> dict[str, Any]:
    """Extract one page. Returns ``{"kind": "article", ...fields}``, ``{"kind": "not-article",
    "reason": ...}`` or ``{"kind": "error", "reason": ...}``; never raises on bad input."""
    try:
        return _extract(body, url, options, content_type, declared_encoding, hints or {})
    except Exception as exc:  # a hostile page must become a recorded error, not a crash
        return {"kind": "error", "reason": "extract-failed", "detail": f"{type(exc).__name__}: {exc}"[:500]}


def _extract(body: bytes, url: str, options: ExtractOptions, content_type: str,
             declared_encoding: str | None, hints: dict[str, Any]) -> dict[str, Any]:
    mime = content_type.split(";")[0].strip().lower()
    if mime not in HTML_TYPES or body[:5] == b"%PDF-":
        return {"kind": "not-article", "reason": "not-html", "detail": mime or "unknown type"}
    if not body.strip():
        return {"kind": "not-article", "reason": "empty", "detail": "empty body"}
    if looks_binary(body):
        return {"kind": "error", "reason": "binary", "detail": "binary data served as HTML"}
    text = decode_html(body, declared_encoding)
    from trafilatura import bare_extraction
    from trafilatura.utils import load_html

    tree = load_html(text)
    if tree is None:
        return {"kind": "error", "reason": "unparseable", "detail": "not parseable as HTML"}
    meta = page_metadata(tree)
    if options.body_selector:
        selected = tree.cssselect(options.body_selector)
        if selected:
            tree = load_html("<html><body><article>" + "".join(
                _tostring(el) for el in selected) + "</article></body></html>") or tree
    prune = [_css_to_xpath(sel) for sel in options.drop_selectors] or None
    doc = bare_extraction(
        tree, url=url, include_comments=False, with_metadata=True, favor_precision=True,
        include_tables=False, deduplicate=False, prune_xpath=prune,
    )
    if doc is None or not (doc.text or "").strip():
        return {"kind": "not-article", "reason": "no-content", "detail": "no main text found"}
    paragraphs = clean_paragraphs(doc.text)
    body_text = "\n\n".join(paragraphs)
    words = len(_WORD.findall(body_text))
    if meta.get("type") in {"website", "collectionpage", "itemlist", "searchresultspage"} and words < 300:
        return {"kind": "not-article", "reason": "listing", "detail": f"page type {meta['type']}"}
    if words < options.min_words:
        return {"kind": "not-article", "reason": "too-short", "detail": f"{words} words"}
    if is_repetitive(paragraphs):
        return {"kind": "not-article", "reason": "repetitive", "detail": "the same paragraph over and over"}

    canonical = canonical_url(url)
    for candidate in (meta.get("canonical"), meta.get("og_url")):
        # trust the page's own canonical only when it stays on the same site
        if candidate and same_site(candidate, options.domains) and candidate.startswith("http"):
            canonical = canonical_url(candidate)
            break
    title = clean_title(meta.get("headline") or meta.get("og_title") or doc.title or "", doc.sitename,
                        options.domains)
    published, source = pick_published(meta, doc.date, hints, url)
    authors = split_authors(meta.get("authors") or doc.author or "", doc.sitename)
    return {
        "kind": "article",
        "url": canonical,
        "fetched_url": url,
        "site": options.site,
        "title": title,
        "authors": authors,
        "published": published,
        "published_source": source,
        "modified": normalize_date(meta.get("modified") or hints.get("updated") or ""),
        "language": meta.get("language") or (doc.language or None),
        "description": meta.get("description") or doc.description or None,
        "tags": sorted({t.strip() for t in (doc.tags or []) + (doc.categories or []) if t and t.strip()}),
        "image": meta.get("image") or doc.image or None,
        "body": body_text,
        "word_count": words,
        "content_hash": content_hash(body_text),
    }


def is_repetitive(paragraphs: list[str]) -> bool:
    """Filler, not a story: most paragraphs are copies of a few."""
    if len(paragraphs) < 4:
        return False
    return len(set(paragraphs)) <= len(paragraphs) * 0.4


def looks_binary(body: bytes) -> bool:
    """Binary junk served as text: many control bytes in the first 4 KB."""
    head = body[:4096]
    controls = sum(1 for b in head if b < 9 or 13 < b < 32)
    return controls > len(head) * 0.05


def decode_html(body: bytes, declared: str | None = None) -> str:
    """Decode with the declared charset (header, BOM, meta) when the bytes agree with it; else
    detect. A page that says UTF-8 but is Latin-1 decodes right instead of becoming mojibake."""
    from w3lib.encoding import html_body_declared_encoding, resolve_encoding

    candidates = [declared, html_body_declared_encoding(body), "utf-8", "cp1252"]
    for name in candidates:
        encoding = resolve_encoding(name) if name else None
        if not encoding:
            continue
        try:
            return body.decode(encoding)
        except (UnicodeDecodeError, LookupError):
            continue
    from charset_normalizer import from_bytes

    best = from_bytes(body[:65536]).best()
    encoding = best.encoding if best else "cp1252"
    if encoding in ("latin_1", "iso8859_1", "ascii"):
        encoding = "cp1252"  # what browsers do for "latin-1"
    return body.decode(encoding, errors="replace")


def page_metadata(tree) -> dict[str, Any]:
    """The page's own statements about itself: JSON-LD, OpenGraph/article meta, <html lang>."""
    meta: dict[str, Any] = {}

    def first(xpath: str) -> str | None:
        for value in tree.xpath(xpath):
            value = (value or "").strip()
            if value:
                return value
        return None

    meta["og_title"] = first('//meta[@property="og:title" or @name="og:title"]/@content')
    meta["og_url"] = first('//meta[@property="og:url"]/@content')
    meta["canonical"] = first('//link[@rel="canonical"]/@href')
    meta["description"] = first('//meta[@property="og:description" or @name="description"]/@content')
    meta["image"] = first('//meta[@property="og:image" or @name="twitter:image"]/@content')
    meta["type"] = (first('//meta[@property="og:type"]/@content') or "").lower() or None
    meta["published"] = first(
        '//meta[@property="article:published_time" or @name="article:published_time" or '
        '@itemprop="datePublished" or @name="parsely-pub-date" or @name="pubdate" or '
        '@name="publish-date" or @name="sailthru.date" or @property="og:published_time"]/@content')
    meta["modified"] = first('//meta[@property="article:modified_time" or @itemprop="dateModified"]/@content')
    meta["authors"] = first('//meta[@name="author" or @property="article:author" or @name="parsely-author"]'
                            '/@content')
    if meta["authors"] and meta["authors"].startswith("http"):
        meta["authors"] = None  # a profile URL, not a name
    lang = first("/html/@lang") or first('//meta[@http-equiv="content-language"]/@content')
    meta["language"] = lang.split("-")[0].split("_")[0].lower()[:8] if lang else None
    for node in _jsonld_articles(tree):
        meta["headline"] = meta.get("headline") or _text(node.get("headline"))
        if node.get("datePublished"):
            meta["published_jsonld"] = _text(node["datePublished"])
        if node.get("dateModified") and not meta["modified"]:
            meta["modified"] = _text(node["dateModified"])
        names = _jsonld_names(node.get("author"))
        if names:
            meta["authors"] = ", ".join(names)
        break
    return meta


_ARTICLE_TYPES = {"article", "newsarticle", "reportagenewsarticle", "blogposting", "techarticle",
                  "analysisnewsarticle", "opinionnewsarticle", "reviewnewsarticle", "report", "liveblogposting"}


def _jsonld_articles(tree):
    for script in tree.xpath('//script[@type="application/ld+json"]/text()'):
        try:
            data = json.loads(script)
        except (ValueError, RecursionError):
            continue
        stack = [data]
        while stack:
            node = stack.pop()
            if isinstance(node, list):
                stack.extend(node)
            elif isinstance(node, dict):
                types = node.get("@type")
                types = types if isinstance(types, list) else [types]
                if any(isinstance(t, str) and t.lower() in _ARTICLE_TYPES for t in types):
                    yield node
                stack.extend(v for k, v in node.items() if k in ("@graph", "mainEntity", "itemListElement"))


def _jsonld_names(value) -> list[str]:
    items = value if isinstance(value, list) else [value]
    names = []
    for item in items:
        name = item.get("name") if isinstance(item, dict) else item
        if isinstance(name, str) and name.strip() and not name.startswith("http"):
            names.append(name.strip())
    return names


def _text(value) -> str | None:
    if isinstance(value, list):
        value = value[0] if value else None
    return value.strip() if isinstance(value, str) and value.strip() else None


def clean_paragraphs(text: str) -> list[str]:
    """trafilatura's lines as paragraphs, with page furniture removed."""
    out = []
    for line in text.splitlines():
        line = " ".join(line.split())
        if not line:
            continue
        if len(line.split()) <= _BOILERPLATE_MAX_WORDS and _BOILERPLATE.match(line):
            continue
        out.append(line)
    return out


_TITLE_SEPARATORS = re.compile(r"\s+[|\-–—:·•»]\s+")


def _squash(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


def clean_title(title: str, sitename: str | None, domains: tuple[str, ...] = ()) -> str:
    """Remove a trailing or leading site name (``Story | GeekWire``, ``The Verge - Story``)."""
    title = " ".join(title.split())
    parts = _TITLE_SEPARATORS.split(title)
    if len(parts) < 2:
        return title
    names = {_squash(sitename or "")} | {_squash(d.rsplit(".", 1)[0]) for d in domains}
    names.discard("")

    def is_site(part: str) -> bool:
        squashed = _squash(part)
        return bool(squashed) and any(squashed == n or (len(n) > 3 and (n in squashed or squashed in n))
                                      for n in names)

    if is_site(parts[-1]):
        return title[: title.rfind(parts[-1])].rstrip(" |-–—:·•»")
    if is_site(parts[0]):
        return title[len(parts[0]):].lstrip(" |-–—:·•»")
    return title


def split_authors(value: str, sitename: str | None = None) -> list[str]:
    names = []
    site = (sitename or "").lower()
    for part in re.split(r"\s*(?:,|;|\band\b|&|\|)\s*", value):
        part = re.sub(r"^(by|von|par|por)\s+", "", part.strip(), flags=re.I).strip(" .")
        part = re.sub(r"@\w+", "", part).strip()
        if not part or part.startswith("http") or (site and part.lower() == site) or len(part) > 60:
            continue
        if part not in names:
            names.append(part)
    return names


def pick_published(meta: dict[str, Any], trafilatura_date: str | None, hints: dict[str, Any],
                   url: str) -> tuple[str | None, str | None]:
    for value, source in ((meta.get("published_jsonld"), "json-ld"), (meta.get("published"), "meta"),
                          (hints.get("published"), hints.get("published_source") or "feed"),
                          (trafilatura_date, "text"), (date_from_url(url), "url")):
        normalized = normalize_date(value or "")
        if normalized:
            return normalized, source
    return None, None


def content_hash(body: str) -> str:
    """Hash of the body's words, case-folded: equal for the same story under two URLs."""
    words = " ".join(_WORD.findall(body.casefold()))
    return hashlib.sha256(words.encode()).hexdigest()[:32]


def _tostring(el) -> str:
    from lxml import html

    return html.tostring(el, encoding="unicode")


def _css_to_xpath(selector: str) -> str:
    from cssselect import GenericTranslator

    return GenericTranslator().css_to_xpath(selector)


def _warm_up() -> None:
    import trafilatura  # noqa: F401  (import once per worker, before the first page)


class ExtractorPool:
    """Worker processes for extraction, one per core by default. ``extract`` is awaitable."""

    def __init__(self, workers: int | None = None):
        self.workers = workers or os.cpu_count() or 1
        self._executor: concurrent.futures.ProcessPoolExecutor | None = None

    def start(self) -> None:
        if self._executor is None:
            context = multiprocessing.get_context("forkserver")
            self._executor = concurrent.futures.ProcessPoolExecutor(
                self.workers, mp_context=context, initializer=_warm_up)

    async def extract(self, body: bytes, url: str, options: ExtractOptions, content_type: str = "",
                      declared_encoding: str | None = None, hints: dict | None = None) -> dict[str, Any]:
        self.start()
        future = self._executor.submit(extract_page, body, url, options, content_type, declared_encoding, hints)
        try:
            return await asyncio.wrap_future(future)
        except concurrent.futures.process.BrokenProcessPool as exc:
            self.close()  # a worker died (e.g. out of memory): start fresh for the next page
            return {"kind": "error", "reason": "extract-crashed", "detail": str(exc)[:300]}

    def close(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)
            self._executor = None


class ExtractPipeline:
    """Scrapy item pipeline: PageItem -> FetchResult, extracted in the run's worker pool, so the
    event loop keeps downloading while trafilatura works."""

    def __init__(self, crawler):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    async def process_item(self, item):
        from pipelines.archive import FetchResult
        from pipelines.items import PageItem

        if not isinstance(item, PageItem):
            return item
        run = self.crawler.spider.run
        result = await run.pool.extract(item.body, item.final_url, run.extract_options, item.content_type,
                                        item.declared_encoding, item.hints)
        kind = result["kind"]
        self.crawler.stats.inc_value(f"newsarchive/extract/{result.get('reason', kind)}")
        record = None
        if kind == "article":
            record = {k: v for k, v in result.items() if k != "kind"}
            record["requested_url"] = item.url
        outcome = kind
        if kind == "not-article" and result.get("reason") in ("not-html", "empty", "repetitive"):
            outcome = "skipped"  # suspicious enough to list among failed URLs
        return FetchResult(url=item.url, site=item.site, outcome=outcome, record=record,
                           reason=result.get("reason"), detail=result.get("detail"), etag=item.etag,
                           last_modified=item.last_modified, run_id=item.run_id)
