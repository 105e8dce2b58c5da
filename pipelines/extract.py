"""Turn a fetched page into an article record (or say why it is not one).

``extract_page`` is a pure function of plain data in and plain data out, so it runs in worker
processes: trafilatura holds the GIL for 15-35 ms a page and its ``Document`` cannot be pickled.
``ExtractorPool`` owns those workers for one crawl process.
"""

from __future__ import annotations

import asyncio
import codecs
import collections
import concurrent.futures
import dataclasses
import hashlib
import multiprocessing
import os
import re
from dataclasses import dataclass
from typing import Any

from lxml import etree

from pipelines import authors as credits
from pipelines import boilerplate, pagekind

from pipelines.bylines import script_authors, visible_bylines
from pipelines.dates import (date_from_url, headline_date, pick_modified, pick_published, script_published,
                             visible_date)
from pipelines.metadata import PageMeta, page_metadata
from pipelines.pagekind import listing_reason
from pipelines.titles import pick_title
from pipelines.urls import canonical_url, same_site

HTML_TYPES = ("text/html", "application/xhtml+xml", "text/plain", "")
WORD = re.compile(r"\w+", re.UNICODE)
REFERENCE_MIN_WORDS = 80  # a JSON-LD articleBody shorter than this is a teaser, not the story
MIN_WORDS = 40  # the default word floor of an article; the one definition (crawler/config.py reads it)

# Page furniture removed before extraction, when it is a small part of the page: consent dialogs,
# sign-up boxes, link rails, share bars. Matched on class and id names every CMS uses.
_FURNITURE_NAMES = ("cookie-banner", "cookie-consent", "cookieconsent", "cookie-notice", "cookie-law",
                    "consent-banner", "consent-modal", "privacy-pref", "privacy-banner", "gdpr", "newsletter-signup",
                    "newsletter-form", "newsletter-promo", "inline-newsletter",
                    "signup-form", "related-articles", "related-posts", "related-stories", "related-content",
                    "recirc", "more-stories", "read-more-links", "outbrain", "taboola", "share-bar",
                    "social-share", "sharing-tools", "share-tools", "author-bio", "trending-bar", "most-popular",
                    "caption", "display-card", "age-gate")
# Consent managers by their own names (WordPress plugins, CMP vendors): never the story, whatever
# their size (their settings dialogs describe every cookie at length, longer than a short story)
_CONSENT_NAMES = ("onetrust", "cookiebot", "didomi", "cookie-law-info", "cli-modal", "cky-consent", "cky-modal",
                  "cky-preference", "cookiebanner", "qc-cmp2", "usercentrics", "iubenda-cs-banner", "borlabscookie")
_FURNITURE_NAME = re.compile("|".join(re.escape(name) for name in _FURNITURE_NAMES + _CONSENT_NAMES))
_CONSENT_NAME = re.compile("|".join(re.escape(name) for name in _CONSENT_NAMES))
_TEASERS = "//article | //h2[.//a[@href]] | //h3[.//a[@href]]"


@dataclass(frozen=True)
class ExtractOptions:
    """What extraction needs to know about the site; plain data so it pickles cheaply."""

    site: str
    domains: tuple[str, ...]
    min_words: int = MIN_WORDS
    drop_selectors: tuple[str, ...] = ()
    body_selector: str = ""


def extract_page(body: bytes, url: str, options: ExtractOptions, content_type: str = "",
                 declared_encoding: str | None = None, hints: dict[str, Any] | None = None,
                 trace: dict[str, Any] | None = None) -> dict[str, Any]:
    """Extract one page. Returns ``{"kind": "article", ...fields}``, ``{"kind": "not-article",
    "reason": ...}`` or ``{"kind": "error", "reason": ...}``; never raises on bad input.
    ``trace``: a dict filled with what was decided on the way (for ``pipelines.explain``)."""
    try:
        return _extract(body, url, options, content_type, declared_encoding, hints or {},
                        trace if trace is not None else {})
    except Exception as exc:  # a hostile page must become a recorded error, not a crash
        return {"kind": "error", "reason": "extract-failed", "detail": f"{type(exc).__name__}: {exc}"[:500]}


def _extract(body: bytes, url: str, options: ExtractOptions, content_type: str,
             declared_encoding: str | None, hints: dict[str, Any], trace: dict[str, Any]) -> dict[str, Any]:
    mime = content_type.split(";")[0].strip().lower()
    if mime not in HTML_TYPES or body[:5] == b"%PDF-":
        return {"kind": "not-article", "reason": "not-html", "detail": mime or "unknown type"}
    if not body.strip():
        return {"kind": "not-article", "reason": "empty", "detail": "empty body"}
    if looks_binary(body):
        return {"kind": "error", "reason": "binary", "detail": "binary data served as HTML"}
    text = repair_mojibake(decode_html(body, declared_encoding))
    from trafilatura.utils import load_html

    tree = load_html(text)
    if tree is None:
        return {"kind": "error", "reason": "unparseable", "detail": "not parseable as HTML"}
    meta = page_metadata(tree)
    trace["meta"] = meta
    listing = listing_reason(meta, url, teasers=len(tree.xpath(_TEASERS)))
    if listing:
        return {"kind": "not-article", "reason": "listing", "detail": listing}
    choice = credits.choose_authors(meta, options.domains, bylines=lambda: visible_bylines(tree),
                                    scripts=lambda: script_authors(tree, text), library=credits.library_author(tree))
    authors = trace["authors"] = choice.authors
    trace["author_candidates"] = choice.candidates
    signals = pagekind.PageSignals(meta=meta, url=url, html=body, credited=bool(authors),
                                   shape=pagekind.page_shape(tree))
    refused = pagekind.not_article(signals)
    if refused:
        return {"kind": "not-article", "reason": "page-kind", "detail": f"{refused.name}: {refused.why}"}
    title = pick_title(meta, domains=options.domains)
    trace["title"] = title
    # the dates the page shows, read before extraction edits the tree: it drops the furniture a
    # dateline sits in (a byline bar, a meta row), and htmldate then reads what is left
    shown, near_headline = visible_date(tree), headline_date(tree)
    updated = headline_date(tree, updates=True) if near_headline is None else None
    above = (headline_date(tree, above=True) or headline_date(tree, updates=True, above=True)
             if near_headline is None and not updated else None)
    trace["date_readings"] = {"shown with the story": shown, "under the headline": near_headline,
                              "an update under the headline": updated, "a dateline above the headline": above}
    # a dateline under the headline with no date markup ("10.06.2018 22:00") is a story's sign too;
    # read on pages of og:type article as well, which some rules do not count as a sign
    shown_date = not (signals.article_markup or signals.states_date or signals.credited) and bool(
        date_from_url(url) or shown or near_headline)
    paragraphs, raw = extract_body(tree, url, options, meta, title)
    trace["raw"], trace["paragraphs"] = raw, paragraphs
    if not paragraphs:
        return {"kind": "not-article", "reason": "no-content", "detail": "no main text found"}
    refused = pagekind.not_story(dataclasses.replace(signals, shown_date=shown_date, paragraphs=tuple(paragraphs),
                                                     title=title or ""))
    if refused:
        return {"kind": "not-article", "reason": "page-kind", "detail": f"{refused.name}: {refused.why}"}
    if is_repetitive(raw) or is_repetitive(paragraphs) or is_repetitive(_page_paragraphs(tree)):
        return {"kind": "not-article", "reason": "repetitive", "detail": "the same paragraph over and over"}
    paragraphs = _drop_copies(paragraphs)
    body_text = repair_mojibake("\n\n".join(paragraphs))  # again: mojibake written as entities (&acirc;&euro;)
    words = boilerplate.words(body_text)
    # a news brief that says it is an article (JSON-LD Article, og:type article) may be short
    least = options.min_words // 2 if meta.ld_article and meta.og_type == "article" else options.min_words
    if words < least:
        return {"kind": "not-article", "reason": "too-short", "detail": f"{words} words"}

    canonical = canonical_url(url)
    for candidate in (meta.canonical, meta.og_url):
        # trust the page's own canonical only when it stays on the same site
        if candidate and same_site(candidate, options.domains) and candidate.startswith("http"):
            canonical = canonical_url(candidate)
            break
    published, source = pick_published(meta, hints, url,
                                       shown=lambda: shown, near_headline=lambda: near_headline,
                                       library=lambda: _library_date(load_html(text), url),
                                       scripted=lambda: script_published(text), updated=lambda: updated, above=lambda: above)
    return {
        "kind": "article",
        "url": canonical,
        "fetched_url": url,
        "site": options.site,
        "title": repair_mojibake(title) or None,
        "authors": [repair_mojibake(a) for a in authors],
        "published": published,
        "published_source": source,
        "modified": pick_modified(meta, hints),
        "language": meta.language,
        "description": meta.description and repair_mojibake(meta.description),
        "tags": sorted(set(meta.keywords)),
        "image": meta.image,
        "body": body_text,
        "word_count": words,
        "content_hash": content_hash(body_text),
    }


def extract_body(tree, url: str, options: ExtractOptions, meta: PageMeta, title: str) -> tuple[list[str], list[str]]:
    """The story's paragraphs, and the extractor's raw lines they came from. trafilatura's fast
    pass first; when its output looks wrong (far shorter than the page's text, full of furniture,
    or at odds with the page's own articleBody) a second pass, and the page's articleBody as a
    last resort. Modifies ``tree``."""
    if options.body_selector:
        selected = tree.cssselect(options.body_selector)
        if selected:
            from trafilatura.utils import load_html

            chosen = load_html("<html><body><article>" + "".join(
                _tostring(el) for el in selected) + "</article></body></html>")
            tree = chosen if chosen is not None else tree
    _drop_furniture(tree)
    _paragraph_divs(tree)
    _wrap_loose_text(tree)
    prune = [_css_to_xpath(sel) for sel in options.drop_selectors] or None
    reference = meta.article_body if meta.article_body and boilerplate.words(meta.article_body) >= REFERENCE_MIN_WORDS else None
    ref_shingles = boilerplate.shingles(reference) if reference else set()

    topic = _topic(meta, title)
    raw = _trafilatura(tree, url, prune, **FIRST_READING)
    best = boilerplate.clean(raw, title)
    if topic and _on_topic(best, topic) < STRAY_TOPIC:
        fast_raw = _trafilatura(tree, url, prune, fast=True)
        fast = boilerplate.clean(fast_raw, title)
        if fast and _strayed(best, fast, topic):
            best, raw = fast, fast_raw
    doubt = _doubt(raw, best, tree, ref_shingles)
    for settings in SECOND_OPINIONS if doubt else ():
        other_raw = _trafilatura(tree, url, prune, **settings)
        other = boilerplate.clean(other_raw, title)
        if _better(other, other_raw, best, raw, ref_shingles, topic, doubt):
            best, raw = other, other_raw
        if not _doubt(raw, best, tree, ref_shingles):
            break
    if reference and best:
        _, recall = boilerplate.agreement(boilerplate.shingles("\n".join(best)), ref_shingles)
        if recall < 0.5:
            best = _from_reference(tree, reference, title) or best
    elif reference and not best:
        best = _from_reference(tree, reference, title)
    dek = _standfirst(tree, meta, best)
    best = _key_points(tree, best) + best
    return ([dek] + best if dek else best), raw


# trafilatura's settings for the first reading: favor_recall keeps the sections its default pass
# cuts (a story's second half after a box, its lists and tables), and costs about its fast pass.
FIRST_READING: dict[str, Any] = {"favor_recall": True}
# the readings asked when the first looks wrong: the default full pass, whose fallback extractors
# recover a story the first reading cut short or took from the wrong block; the better is kept.
SECOND_OPINIONS = ({},)
# a first reading with less than this share of the page's topic words may have strayed: the strict
# (fast) reading is asked, and replaces it when it covers STRAY_MARGIN more of the topic
STRAY_TOPIC = 0.5
STRAY_MARGIN = 0.2
# a second extraction with this many times fewer paragraphs than the first ran the text together
DUMP_SHARE = 5
_KEY_POINT_HEADINGS = {"key points", "key takeaways", "takeaways", "highlights", "story highlights", "in brief",
                       "at a glance", "what to know", "the big picture"}


def _key_points(tree, paragraphs: list[str]) -> list[str]:
    """The newsroom's summary box above a story ("Key Points", "Takeaways": a heading and a short
    list of sentences), when the extraction left it out."""
    if not paragraphs:
        return []
    body = boilerplate.shingles("\n".join(paragraphs))
    for heading in tree.iter("h2", "h3", "h4", "div", "span", "strong", "p", "dt"):
        text = heading.text
        if len(heading) > 1 or not text or len(text) > 40 or \
                " ".join(text.split()).rstrip(":").strip().lower() not in _KEY_POINT_HEADINGS:
            continue
        box = heading.getparent()
        lists = box.xpath(".//ul | .//ol") if box is not None else []
        if not lists and box is not None and box.getparent() is not None:
            lists = box.getparent().xpath(".//ul | .//ol")
        items = [" ".join((li.text_content() or "").split()) for li in lists[0].xpath("./li")] if lists else []
        if not 1 <= len(items) <= 8 or any(boilerplate.words(item) < 6 for item in items):
            continue
        shingled = [(item, boilerplate.shingles(item)) for item in items]
        return [f"- {item}" for item, sh in shingled if len(sh & body) < 0.8 * len(sh)]
    return []


def _standfirst(tree, meta: PageMeta, paragraphs: list[str]) -> str | None:
    """The summary shown under the headline (the page's description, printed in the page above
    the story), when the extraction left it out."""
    description = " ".join((meta.description or "").split())
    if not paragraphs or boilerplate.words(description) < 8 or description.endswith(("...", "…")):
        return None
    if boilerplate.similar(description, paragraphs[0], 0.7) or description in " ".join(paragraphs[:3]):
        return None
    for el in tree.xpath("//body//*[self::p or self::h2 or self::div or self::span][not(*)]"):
        text = " ".join((el.text_content() or "").split())
        if text == description:
            return description
    return None


def _trafilatura(tree, url: str, prune: list[str] | None, fast: bool = False, **settings) -> list[str]:
    from trafilatura import bare_extraction

    doc = bare_extraction(tree, url=url, fast=fast, include_comments=False, include_tables=True,
                          deduplicate=False, with_metadata=False, prune_xpath=prune, **settings)
    text = doc.text if doc is not None else ""
    return [" ".join(line.split()) for line in (text or "").splitlines() if line.strip()]


def _drop_furniture(tree) -> None:
    """Remove consent dialogs, sign-up boxes and link rails that are a small part of the page (a
    named consent manager's dialog whatever its size)."""
    found = [el for el in _NAMED_OR_CAPTION(tree)
             if el.tag not in ("html", "body", "main", "article")
             and (el.tag == "figcaption" or _FURNITURE_NAME.search(f'{el.get("class", "")} {el.get("id", "")}'.lower()))]
    if not found:
        return
    root = tree.getroottree().getroot()
    total = len(root.text_content() or "")
    for el in found:
        # inside furniture already dropped (found in document order, a container before its parts)
        if el.getparent() is None or el.getroottree().getroot() is not root or _HOLDS_STORY(el):
            continue
        if len(el.text_content() or "") <= total * 0.3 or \
                _CONSENT_NAME.search(f'{el.get("class", "")} {el.get("id", "")}'.lower()):
            el.drop_tree()


_NAMED_OR_CAPTION = etree.XPath("//*[@class or @id] | //figcaption")
_HOLDS_STORY = etree.XPath(".//h1 | .//article | .//main")


_INLINE = ("a", "em", "strong", "i", "b", "span", "br", "sup", "sub", "abbr", "time", "mark", "u", "cite", "q")
_NEXT_TO_PARAGRAPH = "//div[following-sibling::*[1][self::p] or preceding-sibling::*[1][self::p]]"


def _paragraph_divs(tree) -> None:
    """A paragraph written as a bare <div> next to the story's <p>s (an intro, a standfirst) becomes
    a <p>: the extractor skips text-only divs, and with them the story's opening."""
    for el in tree.xpath(_NEXT_TO_PARAGRAPH):
        if any(isinstance(child.tag, str) and child.tag.lower() not in _INLINE for child in el):
            continue
        text = " ".join((el.text_content() or "").split())
        if boilerplate.words(text) >= 20 and text.endswith((".", "!", "?", "”", '"', "。")) and not el.xpath("ancestor::p"):
            el.tag = "p"
            for name in list(el.attrib):
                del el.attrib[name]


def _wrap_loose_text(tree) -> None:
    """Text written straight into a story's container, between its <p>s (after a figure, say),
    goes into a <p> of its own: the extractor reads paragraphs and skips such loose runs."""
    for container in tree.xpath("//div[p]"):
        anchor, lead, run = None, container.text or "", []
        for child in list(container):
            if not isinstance(child.tag, str) or child.tag.lower() in _INLINE:
                run.append(child)
                continue
            _wrap_run(container, anchor, lead, run)
            anchor, lead, run = child, child.tail or "", []
        _wrap_run(container, anchor, lead, run)


def _wrap_run(container, anchor, lead: str, run: list) -> None:
    text = lead + "".join((el.text_content() if isinstance(el.tag, str) else "") + (el.tail or "") for el in run)
    if boilerplate.words(text) < 20 or not re.search(r"[.!?。！？][\"”’)」]?(\s|$)", text):
        return
    paragraph = container.makeelement("p", {})
    paragraph.text = lead
    if anchor is None:
        container.text = None
        container.insert(0, paragraph)
    else:
        anchor.tail = None
        anchor.addnext(paragraph)
    for el in run:
        paragraph.append(el)


def _page_words(tree) -> int:
    """Words in the page's paragraphs outside navigation, sidebars and footers: the most a story
    on this page can have."""
    return sum(boilerplate.words(p.text_content() or "") for p in tree.xpath(
        "//p[not(ancestor::nav or ancestor::footer or ancestor::aside or ancestor::header)]"))


def _main_words(tree) -> int:
    """Words in the page's one <main> or <article> element (scripts, styles, navigation, sidebars
    and footers left out): the text the page itself marks as its content, in whatever elements
    it is written (a checklist in <div>s and tables has no <p>)."""
    for path in ("//main", "//article"):
        found = tree.xpath(path)
        if len(found) == 1:
            return sum(boilerplate.words(t) for t in found[0].xpath(
                ".//text()[not(ancestor::script or ancestor::style or ancestor::noscript or ancestor::nav or "
                "ancestor::aside or ancestor::footer or ancestor::form or ancestor::button)]"))
    return 0


def _page_paragraphs(tree) -> list[str]:
    """The page's own <p> texts of some length (the extractor collapses copies; these do not)."""
    texts = (" ".join((p.text_content() or "").split()) for p in tree.xpath("//p"))
    return [t for t in texts if len(t) >= 40]


def _doubt(raw: list[str], cleaned: list[str], tree, ref_shingles: set[str]) -> str | None:
    """Why an extraction looks wrong enough to ask for a second opinion (None: it looks fine)."""
    words = sum(boilerplate.words(p) for p in cleaned)
    if not cleaned:
        return "empty"
    if boilerplate.furniture_share(raw) > 0.3:
        return "furniture"
    if ref_shingles:
        precision, recall = boilerplate.agreement(boilerplate.shingles("\n".join(cleaned)), ref_shingles)
        return "unlike its articleBody" if recall < 0.6 else None
    page = _page_words(tree)
    if page >= 150 and words < page * 0.3:
        return "far shorter than the page"
    main = _main_words(tree)
    if main >= 300 and words < main * 0.3:
        return "far shorter than the page"
    # a short story alone is no doubt: asking the default reading of every story under 350 words
    # changed 2 of 1,250 dev articles (one better, one worse) and cost a tenth of the page budget
    return None


def _better(new: list[str], new_raw: list[str], old: list[str], old_raw: list[str], ref_shingles: set[str],
            topic: set[str], doubt: str | None = None) -> bool:
    """Whether a second extraction beats the first: closer to the page's articleBody when it has
    one; else more story words, either extending the first or more on the page's topic."""
    if not new:
        return False
    if not old:
        return True
    new_sh, old_sh = boilerplate.shingles("\n".join(new)), boilerplate.shingles("\n".join(old))
    if ref_shingles:
        return _f1(*boilerplate.agreement(new_sh, ref_shingles)) > _f1(*boilerplate.agreement(old_sh, ref_shingles)) + 0.02

    def good(ps: list[str], raw: list[str]) -> float:
        return sum(boilerplate.words(p) for p in ps) * (1 - boilerplate.furniture_share(raw))

    if good(new, new_raw) <= good(old, old_raw) * 1.1:
        return False
    if len(old) >= 5 and len(new) * DUMP_SHARE < len(old):
        return False  # the page's text run together (a fallback's dump), rails and all
    if doubt == "far shorter than the page" and good(new, new_raw) >= 3 * good(old, old_raw):
        return True  # the first pass took a fragment (a box, a teaser); the second found the page's text
    _, kept = boilerplate.agreement(new_sh, old_sh)
    if kept >= 0.7:
        return True  # the same story, with more of it
    return _on_topic(new, topic) > _on_topic(old, topic) + 0.15


def _strayed(lenient: list[str], strict: list[str], topic: set[str]) -> bool:
    """Whether the lenient reading left the strict one's block for another (a consent text, a
    rail): it holds little of the strict reading, and is further off the page's topic."""
    _, kept = boilerplate.agreement(boilerplate.shingles("\n".join(lenient)), boilerplate.shingles("\n".join(strict)))
    return kept < 0.7 and _on_topic(strict, topic) > _on_topic(lenient, topic) + STRAY_MARGIN


def _topic(meta: PageMeta, title: str) -> set[str]:
    """The words a page uses to say what it is about (title and description)."""
    text = f"{title} {meta.description or ''} {meta.og_title or ''}"
    return {w for w in (t.casefold() for t in WORD.findall(text)) if len(w) >= 4 and not w.isdigit()}


def _on_topic(paragraphs: list[str], topic: set[str]) -> float:
    """Share of the topic words found in the text's first 400 words."""
    if not topic:
        return 0.0
    head = " ".join(paragraphs)
    seen = {w.casefold() for w in WORD.findall(head)[:400]}
    return len(topic & seen) / len(topic)


def _f1(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r else 0.0


def _from_reference(tree, reference: str, title: str) -> list[str]:
    """The page's own articleBody, cut into the page's paragraphs where they can be found."""
    ref_shingles = boilerplate.shingles(reference)
    found = []
    for el in tree.xpath("//p | //h2 | //h3 | //li"):
        text = " ".join((el.text_content() or "").split())
        if not text or (found and text == found[-1]):
            continue
        sh = boilerplate.shingles(text)
        if boilerplate.words(text) >= 4 and len(sh & ref_shingles) >= 0.8 * len(sh):
            found.append(text)
    if found:
        _, recall = boilerplate.agreement(boilerplate.shingles("\n".join(found)), ref_shingles)
        if recall >= 0.7:
            return boilerplate.clean(found, title)
    lines = [" ".join(line.split()) for line in reference.splitlines() if line.strip()]
    return boilerplate.clean(lines, title)


def _library_date(tree, url: str) -> str | None:
    """htmldate's reading of the page, or None where all it found is a year: its text search falls
    back to a copyright line or a lone year and answers January 1st of it, which is no day the page
    gives (a January 1st that the page's markup states is kept)."""
    from htmldate import find_date

    try:
        found = find_date(tree, url=url, original_date=True, extensive_search=True, outputformat="%Y-%m-%d")
        if found and found.endswith("-01-01") and \
                find_date(tree, url=url, original_date=True, extensive_search=False, outputformat="%Y-%m-%d") != found:
            return None
        return found
    except Exception:
        return None


def _drop_copies(paragraphs: list[str]) -> list[str]:
    """A long paragraph the page prints again (a second copy of the story) is kept once."""
    seen: set[str] = set()
    kept = []
    for p in paragraphs:
        if p in seen:
            continue
        if boilerplate.words(p) >= 12:
            seen.add(p)
        kept.append(p)
    return kept


# a paragraph printed this many times is filler; a story the page carries whole two or three times
# (desktop, mobile and print copies) repeats each paragraph fewer times
FILLER_COPIES = 4


def is_repetitive(paragraphs: list[str]) -> bool:
    """Filler, not a story: most paragraphs are copies of a few, and the paragraphs printed over
    and over hold most of the words."""
    if len(paragraphs) < 4:
        return False
    counts = collections.Counter(paragraphs)
    words = {p: boilerplate.words(p) for p in counts}
    if len(counts) >= 8 and sum(words.values()) >= 150:
        return False
    if len(counts) > len(paragraphs) * 0.4:
        return False
    filler = sum(words[p] * n for p, n in counts.items() if n >= FILLER_COPIES)
    return filler > sum(words[p] * n for p, n in counts.items()) / 2


def looks_binary(body: bytes) -> bool:
    """Binary junk served as text: many control bytes in the first 4 KB."""
    head = body[:4096]
    controls = sum(1 for b in head if b < 9 or 13 < b < 32)
    return controls > len(head) * 0.05


_SINGLE_BYTE = re.compile(r"^(cp125\d|latin_?\d|iso8859_\d+|ascii|mac_roman|koi8_[ru]|cp1252|windows_125\d)$")
_MULTIBYTE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")


def decode_html(body: bytes, declared: str | None = None) -> str:
    """Decode a page, trusting the bytes over the label where they disagree:

    - valid multi-byte UTF-8 beats a declared single-byte charset (iso-8859-1/-15,
      windows-1252): such byte pairs are all but never real Latin-1 text;
    - bytes declared UTF-8 that are not: mostly UTF-8 with a few stray Latin-1 bytes (a template
      in one charset, an include in the other) decode per sequence, each stray byte as
      windows-1252; mostly single-byte text decodes as windows-1252;
    - otherwise the declared charset (header, BOM, meta), else detection.
    """
    from w3lib.encoding import html_body_declared_encoding, resolve_encoding

    labels = [resolve_encoding(name) for name in (declared, html_body_declared_encoding(body)) if name]
    labels = [label for label in labels if label]
    multibyte = not body.isascii() and _MULTIBYTE.search(body) is not None
    if multibyte:
        try:
            text = body.decode("utf-8")
            if not labels or labels[0] in ("utf-8", "utf8") or _SINGLE_BYTE.match(labels[0].replace("-", "_")):
                return text
        except UnicodeDecodeError:
            stray = len(body.decode("utf-8", errors="replace").split("\ufffd")) - 1
            if (not labels or labels[0] in ("utf-8", "utf8")) and len(_MULTIBYTE.findall(body)) >= 2 * stray:
                return _utf8_with_stray_bytes(body)
    for name in labels + ["utf-8", "cp1252"]:
        if name in ("utf-8", "utf8") and not multibyte and re.search(rb"[\x80-\xff]", body):
            continue  # high bytes and no UTF-8 sequence among them: single-byte text labelled UTF-8
        try:
            return body.decode(name)
        except (UnicodeDecodeError, LookupError):
            continue
    from charset_normalizer import from_bytes

    best = from_bytes(body[:65536]).best()
    encoding = best.encoding if best else "cp1252"
    if encoding in ("latin_1", "iso8859_1", "ascii"):
        encoding = "cp1252"  # what browsers do for "latin-1"
    return body.decode(encoding, errors="replace")


# UTF-8 read as windows-1252 or latin-1 and saved again: "â€™" or "â\x80\x99" for "’", "Ã©" for
# "é". The start of such a run: a lead byte's letter followed by a continuation byte's character.
_DOUBLY_ENCODED = re.compile("[ÂÃâ][\u0080-\u00bf€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ]")


RUN_REACH = 2000  # characters of a long text node (a script's data) read either side of a run


def repair_mojibake(text: str) -> str:
    """Text the site itself stored twice encoded (its database or template read UTF-8 as
    windows-1252 and wrote it out as UTF-8): the runs of mojibake decoded back (ftfy), the rest of
    the page as it was. Pages without such a run are returned unchanged, at the cost of a search."""
    if not ("â€" in text or "â\x80" in text or "Ã" in text or "Â" in text):
        return text  # plain tests first ("â" alone is French, Portuguese ...): a scan for a class costs ms
    import ftfy

    # only the text between tags that holds a run: ftfy weighs its whole input, which on a page of
    # minified markup (one line of a megabyte) costs a few hundred ms
    pieces, done = [], 0
    for run in _DOUBLY_ENCODED.finditer(text):
        if run.start() < done:
            continue
        start = max(text.rfind(">", 0, run.start()), text.rfind("\n", 0, run.start()),
                    text.rfind(" ", 0, max(done, run.start() - RUN_REACH))) + 1
        ends = [i for i in (text.find("<", run.end()), text.find("\n", run.end()),
                            text.find(" ", run.end() + RUN_REACH)) if i >= 0]
        end = min(ends) if ends else len(text)
        pieces += [text[done:start], ftfy.fix_encoding(text[start:end])]
        done = end
    return "".join(pieces) + text[done:] if pieces else text


def _stray_byte(exc: UnicodeDecodeError) -> tuple[str, int]:
    bad = exc.object[exc.start:exc.end]
    return "".join(chr(b) if bytes([b]) in _UNDEFINED_CP1252 else bytes([b]).decode("cp1252") for b in bad), exc.end


_UNDEFINED_CP1252 = {b"\x81", b"\x8d", b"\x8f", b"\x90", b"\x9d"}
codecs.register_error("newsarchive-stray-cp1252", _stray_byte)


def _utf8_with_stray_bytes(body: bytes) -> str:
    """UTF-8, each byte that is not part of a valid sequence read as windows-1252 (latin-1 for
    the five bytes windows-1252 leaves undefined)."""
    return body.decode("utf-8", errors="newsarchive-stray-cp1252")


def content_hash(body: str) -> str:
    """Hash of the body's words, case-folded: equal for the same story under two URLs."""
    words = " ".join(WORD.findall(body.casefold()))
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
                           last_modified=item.last_modified, run_id=item.run_id, fetched=True,
                           hint=item.hints.get("updated"), capture=item.capture, hints=item.hints or None)
