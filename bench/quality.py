"""Extraction quality: the pipeline's own ``extract_page`` against hand-made ground truth.

    .venv/bin/python bench/quality.py [--set NAME ...] [--limit N] [--half 0|1] [--worst K] [--shared DIR]

``--set`` picks the dev sets (default: all): ``articles``, ``wcxb-dev``, ``htmldate-bbaw``,
``newspaper-fulltext``, ``trafilatura``, ``readability``, ``listings``. Each set gets its own table,
newsarchive next to trafilatura alone on the same pages; ``wcxb-dev`` also counts, per page type,
the pages that are not articles but were taken as articles. ``--half`` keeps the pages of one half of
the sites (``crc32(host) % 2``): a rule that helps one half and hurts the other fits the dev pages.

Prints, for ``corpus/articles/`` (news pages with cleaned text and metadata), body precision /
recall / F1 by 4-gram word shingles (the method of the public article-extraction benchmarks: per
page tp/fp/fn normalised by their sum, precision and recall averaged over pages), title exact
match, published day (±1 day for time zones) and first author, next to trafilatura's
``bare_extraction`` with its defaults run on the same pages in the same process, and the cost per
page of each. Then the worst pages per metric, the trafilatura evaluation snippets ("with" kept,
"without" dropped) and the listing pages of ``corpus/listings/`` (which must not become articles).
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import re
import statistics
import sys
import time
import zlib
from collections import Counter
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pipelines.extract import ExtractOptions, extract_page  # noqa: E402

_TOKEN = re.compile(r"\w+", re.UNICODE)
LISTING_TYPES = {"listing", "collection"}


def shared_dir(explicit: str | None = None) -> Path | None:
    for candidate in (explicit, os.environ.get("NEWSARCHIVE_SHARED"),
                      Path(__file__).resolve().parents[2] / "shared"):
        if candidate and Path(candidate, "corpus").is_dir():
            return Path(candidate)
    return None


# -- scoring ------------------------------------------------------------------------------------

def shingles(text: str, n: int = 4) -> Counter:
    tokens = _TOKEN.findall(text or "")
    return Counter(" ".join(tokens[i:i + n]) for i in range(max(1, len(tokens) - n + 1))
                   if tokens[i:i + n])


def shingle_match(truth: str, output: str) -> tuple[float, float, float]:
    """(tp, fp, fn) of 4-gram shingles, normalised by their sum so long texts weigh no more."""
    t, p = shingles(truth), shingles(output)
    tp = sum((t & p).values())
    fp = sum((p - t).values())
    fn = sum((t - p).values())
    total = tp + fp + fn
    return (tp / total, fp / total, fn / total) if total else (0.0, 0.0, 0.0)


def body_scores(matches: list[tuple[float, float, float]]) -> tuple[float, float, float]:
    precisions = [tp / (tp + fp) for tp, fp, fn in matches if tp + fp > 0]
    recalls = [tp / (tp + fn) for tp, fp, fn in matches if tp + fn > 0]
    precision = statistics.mean(precisions) if precisions else 0.0
    recall = statistics.mean(recalls) if recalls else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def page_f1(match: tuple[float, float, float]) -> float:
    tp, fp, fn = match
    return 2 * tp / (2 * tp + fp + fn) if tp else 0.0


def norm(text: str | None) -> str:
    return " ".join((text or "").split())


_TYPOGRAPHY = str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"', "–": "-", "—": "-", "\u00a0": " "})


def same_title(truth: str, found: str | None, fold: bool = False) -> bool:
    """Exact match after collapsing white space. The dataset's titles are cut at 100 characters,
    so a 100-character truth is compared with the first 100 characters found. ``fold`` also
    equates typographic quotes and dashes with plain ones."""
    truth, found = norm(truth), norm(found)
    if fold:
        truth, found = truth.translate(_TYPOGRAPHY), found.translate(_TYPOGRAPHY)
    if len(truth) == 100:
        found = found[:100]
    return truth == found


def same_day(truth: str, found: str | None) -> bool:
    if not truth or not found:
        return not truth and not found
    try:
        want, got = date.fromisoformat(truth[:10]), date.fromisoformat(found[:10])
    except ValueError:
        return False
    return abs(want - got) <= timedelta(days=1)


def first_author(value) -> str:
    if isinstance(value, list):
        value = value[0] if value else ""
    return norm((value or "").split(",")[0].split(";")[0]).casefold()


# -- running ------------------------------------------------------------------------------------

SHIPPED_CONFIG = Path(__file__).resolve().parents[1] / "sites.toml"


def shipped_options(path: Path = SHIPPED_CONFIG) -> dict[str, ExtractOptions]:
    """The extraction options of the sites the project ships, by domain: a page of one of them is
    extracted with its overrides (drop_selectors, body_selector), as a crawl would."""
    from crawler.config import load_config
    from crawler.context import extract_options

    return {domain: extract_options(site) for site in load_config(path).sites.values()
            for domain in site.allowed_domains}


def _host(url: str) -> str:
    return (urlsplit(url).hostname or "").lower().removeprefix("www.")


def in_half(url: str, half: int | None) -> bool:
    return half is None or zlib.crc32(_host(url).encode()) % 2 == half


def options_for(url: str, shipped: dict[str, ExtractOptions] | None = None) -> ExtractOptions:
    host = _host(url)
    return (shipped or {}).get(host) or ExtractOptions(site=host, domains=(host,))


def trafilatura_alone(body: bytes, url: str) -> dict:
    from trafilatura import bare_extraction

    doc = bare_extraction(body, url=url, with_metadata=True)
    if doc is None:
        return {"kind": "not-article", "body": ""}
    return {"kind": "article", "body": doc.text or "", "title": doc.title, "published": doc.date,
            "authors": [a.strip() for a in (doc.author or "").split(";") if a.strip()]}


def timed(fn, *args):
    started = time.perf_counter()
    result = fn(*args)
    return result, time.perf_counter() - started


def run_articles(corpus: Path, limit: int | None, baseline: bool,
                 shipped: dict[str, ExtractOptions] | None = None, half: int | None = None) -> dict:
    pages = [p for p in json.loads((corpus / "articles" / "news_articles.json").read_text())
             if (corpus / "articles" / "html" / f"{p['html_file']}.html.gz").exists() and in_half(p["link"], half)]
    pages = pages[:limit] if limit else pages
    from htmldate import find_date

    # one-time setup outside the timings: imports, and the date parser's locale tables (seconds),
    # which whichever extractor first needs a date from free text would otherwise pay
    find_date("<html><body><p>Posted 12 Brumaire 2023</p></body></html>", extensive_search=True)

    rows = []
    for page in pages:
        body = gzip.decompress((corpus / "articles" / "html" / f"{page['html_file']}.html.gz").read_bytes())
        url = page["link"]
        options = options_for(url, shipped)
        ours, ours_s = timed(extract_page, body, url, options, "text/html")
        theirs, theirs_s = timed(trafilatura_alone, body, url) if baseline else ({}, 0.0)
        rows.append({"page": page, "ours": ours, "theirs": theirs, "ours_s": ours_s, "theirs_s": theirs_s,
                     "path": corpus / "articles" / "html" / f"{page['html_file']}.html.gz",
                     "shipped": options.site if _host(url) in (shipped or {}) else None})
    return {"rows": rows}


def score(rows: list[dict], key: str) -> dict:
    matches, titles, folded, dates, authors = [], [], [], [], []
    for row in rows:
        page, out = row["page"], row[key]
        article = out.get("kind") == "article"
        matches.append(shingle_match(page["text"], out.get("body", "") if article else ""))
        titles.append(article and same_title(page["title"], out.get("title")))
        folded.append(article and same_title(page["title"], out.get("title"), fold=True))
        dates.append(article and same_day(page["date"], out.get("published")))
        authors.append(article and first_author(out.get("authors")) == first_author(page["authors"]))
    precision, recall, f1 = body_scores(matches)
    n = len(rows) or 1
    return {"precision": precision, "recall": recall, "f1": f1, "title": sum(titles) / n,
            "title_folded": sum(folded) / n,
            "date": sum(dates) / n, "author": sum(authors) / n,
            "not_article": sum(1 for r in rows if r[key].get("kind") != "article"),
            "ms": 1000 * statistics.mean(r[f"{key}_s"] for r in rows) if rows else 0.0,
            "matches": matches, "titles": titles, "dates": dates, "authors": authors}


def run_evaldata(corpus: Path, shipped: dict[str, ExtractOptions] | None = None) -> dict:
    base = corpus / "trafilatura" / "tests"
    data = json.loads((base / "evaldata.json").read_text())
    kept, dropped = {"ours": 0, "theirs": 0}, {"ours": 0, "theirs": 0}
    total_with = total_without = pages = archived_with = archived_kept = 0
    refused: Counter = Counter()
    for url, case in data.items():
        path = next((p for p in (base / "cache" / f"{case['file']}.gz", base / "eval" / f"{case['file']}.gz")
                     if p.exists()), None)
        if path is None:
            continue
        raw = gzip.decompress(path.read_bytes())
        out = extract_page(raw, url, options_for(url, shipped), "text/html")
        if not is_english(out, raw):
            continue
        pages += 1
        theirs = trafilatura_alone(raw, url)
        for key, result in (("ours", out), ("theirs", theirs)):
            text = norm(result.get("body", "")) if result.get("kind") == "article" else ""
            kept[key] += sum(norm(snippet) in text for snippet in case.get("with", []))
            dropped[key] += sum(norm(snippet) not in text for snippet in case.get("without", []))
        total_with += len(case.get("with", []))
        total_without += len(case.get("without", []))
        if out.get("kind") == "article":
            text = norm(out.get("body", ""))
            archived_with += len(case.get("with", []))
            archived_kept += sum(norm(snippet) in text for snippet in case.get("with", []))
        else:
            refused[out.get("reason") or out.get("kind")] += 1
    return {"pages": pages, "n_with": total_with, "n_without": total_without,
            **{f"with_{k}": kept[k] / (total_with or 1) for k in kept},
            **{f"without_{k}": dropped[k] / (total_without or 1) for k in dropped},
            "refused": refused, "with_archived": archived_kept / (archived_with or 1), "n_with_archived": archived_with}


_LANG = re.compile(rb"<html[^>]*\blang=[\"']?([a-zA-Z]{2})", re.I)


def is_english(out: dict, raw: bytes) -> bool:
    if out.get("language"):
        return out["language"] == "en"
    match = _LANG.search(raw[:4096])
    return match is None or match.group(1).lower() == b"en"


def run_readability(corpus: Path) -> dict | None:
    """Mozilla Readability's test pages, scored against Readability.js's own output (a second
    extractor's opinion, not hand-made truth): a check that rules tuned on ``articles/`` do not
    cost bodies elsewhere. The pages carry no URL; each gets an article-like one."""
    from lxml import html as lxml_html

    base = corpus / "readability" / "test" / "test-pages"
    ours, theirs = [], []
    for case in sorted(base.glob("*/source.html.gz")) if base.is_dir() else []:
        expected = case.with_name("expected.html.gz")
        if not expected.exists():
            continue
        tree = lxml_html.fromstring(gzip.decompress(expected.read_bytes()))
        reference = "\n".join(" ".join(el.text_content().split())
                              for el in tree.xpath("//p | //h2 | //h3 | //li | //pre | //blockquote"))
        raw, name = gzip.decompress(case.read_bytes()), case.parent.name
        url = f"https://{name}.example/2020/01/{name}-story"
        for key, out in (("ours", extract_page(raw, url, options_for(url), "text/html")),
                         ("theirs", trafilatura_alone(raw, url))):
            body = out.get("body", "") if out.get("kind") == "article" else ""
            (ours if key == "ours" else theirs).append(shingle_match(reference, body))
    if not ours:
        return None
    return {"pages": len(ours), "ours": body_scores(ours), "theirs": body_scores(theirs)}


def run_listings(corpus: Path, shipped: dict[str, ExtractOptions] | None = None) -> list[dict]:
    base = corpus / "listings"
    types = json.loads((base / "metadata.json").read_text())["files"]
    found = []
    for path in sorted(base.glob("*/html/*.html.gz")):
        file_id = path.name.split(".")[0]
        page_type = types.get(file_id, {}).get("page_type", "?")
        truth = json.loads((path.parents[1] / "ground-truth" / f"{file_id}.json").read_text())
        url = truth["url"]
        out = extract_page(gzip.decompress(path.read_bytes()), url, options_for(url, shipped), "text/html")
        found.append({"id": file_id, "type": page_type, "url": url, "kind": out["kind"],
                      "reason": out.get("reason"), "words": out.get("word_count")})
    return found


# -- the manifest sets (wcxb-dev, htmldate-bbaw, newspaper-fulltext) -----------------------------

MANIFEST_SETS = ("wcxb-dev", "htmldate-bbaw", "newspaper-fulltext")
ALL_SETS = ("articles",) + MANIFEST_SETS + ("trafilatura", "readability", "listings")
_AUTHOR_SPLIT = re.compile(r"\s*(?:,|;|\||&|\band\b|\bund\b)\s*", re.I)


def first_credit(value) -> str:
    """The first name credited, case-folded: of a list, its first item; of a string as a page
    writes it ("A and B", "A, B"), the part before the first separator; "By" dropped."""
    if isinstance(value, list):
        value = value[0] if value else ""
    value = re.sub(r"^\s*by\s+", "", value or "", flags=re.I)
    return norm(_AUTHOR_SPLIT.split(value)[0]).casefold()


def manifest_pages(corpus: Path, name: str, limit: int | None = None, half: int | None = None) -> list[dict]:
    """The pages of a replay manifest with their truth, in the form ``score`` reads: ``text``,
    ``title``, ``date``, ``authors`` (None where the set has no truth for it) and ``page_type``."""
    pages, truths = [], {}
    for n, line in enumerate((corpus / f"{name}.jsonl").read_text().splitlines()):
        entry = json.loads(line)
        if not in_half(entry["url"], half):
            continue
        page = {"id": Path(entry["path"]).name.split(".")[0], "link": entry["url"], "path": corpus / entry["path"],
                "page_type": entry.get("page_type") or "article", "title": None, "date": entry.get("published"),
                "authors": None, "text": None}
        truth = corpus / entry["truth"] if entry.get("truth") else None
        if truth and truth.suffix == ".txt":
            page["text"] = truth.read_text(errors="replace")
        elif truth and name == "wcxb-dev":
            gt = truths.setdefault(truth, json.loads(truth.read_text()))["ground_truth"]
            page.update(title=gt.get("title") or "", authors=gt.get("author") or "",
                        date=gt.get("publish_date") or "", text=gt.get("main_content") or "")
        pages.append(page)
        if limit and len(pages) >= limit:
            break
    return pages


def _load_cache(path: Path | None) -> dict:
    try:
        return json.loads(path.read_text()) if path else {}
    except (OSError, ValueError):
        return {}


def run_manifest(corpus: Path, name: str, limit: int | None, baseline: bool,
                 shipped: dict[str, ExtractOptions] | None = None, cache: Path | None = None,
                 half: int | None = None) -> dict:
    """Extract every page of one manifest set with the pipeline and with trafilatura alone.
    ``cache``: a JSON file keeping trafilatura's results (they do not change between runs of ours)."""
    from htmldate import find_date

    find_date("<html><body><p>Posted 12 Brumaire 2023</p></body></html>", extensive_search=True)
    import trafilatura

    stored = _load_cache(cache)
    key_prefix = f"{trafilatura.__version__}:{name}:"
    rows, hits = [], 0
    pages = manifest_pages(corpus, name, limit, half)
    print(f"{name}: {len(pages)} pages ...", file=sys.stderr)
    for page in pages:
        body = gzip.decompress(page["path"].read_bytes())
        options = options_for(page["link"], shipped)
        ours, ours_s = timed(extract_page, body, page["link"], options, "text/html")
        theirs, theirs_s = {}, 0.0
        if baseline:
            hit = stored.get(key_prefix + page["id"])
            if hit:
                theirs, theirs_s = hit["out"], hit["s"]
                hits += 1
            else:
                theirs, theirs_s = timed(trafilatura_alone, body, page["link"])
                stored[key_prefix + page["id"]] = {"out": theirs, "s": theirs_s}
        rows.append({"page": page, "ours": ours, "theirs": theirs, "ours_s": ours_s, "theirs_s": theirs_s,
                     "path": page["path"], "shipped": None})
    if cache and baseline:
        cache.write_text(json.dumps(stored))
    return {"name": name, "rows": rows, "cached": hits}


def score_set(rows: list[dict], key: str) -> dict:
    """Like ``score``, for pages whose truth lacks some fields: each metric over the pages whose
    truth gives a value; pages whose truth says "none" (no author, no date) apart."""
    matches, titles, dates, authors, no_date, no_author, stored = [], [], [], [], [], [], []
    for row in rows:
        page, out = row["page"], row[key]
        article = out.get("kind") == "article"
        if page.get("text") is not None:
            matches.append(shingle_match(page["text"], out.get("body", "") if article else ""))
            if article and row["ours"].get("kind") == "article" and row["theirs"].get("kind", "article") == "article":
                stored.append(matches[-1])
        if page.get("title") is not None:
            titles.append(article and same_title(page["title"], out.get("title")))
        if page.get("date"):
            dates.append(article and same_day(page["date"], out.get("published")))
        elif page.get("date") is not None and article:
            no_date.append(not out.get("published"))
        if page.get("authors"):
            authors.append(article and first_credit(out.get("authors")) == first_credit(page["authors"]))
        elif page.get("authors") is not None and article:
            no_author.append(not out.get("authors"))
    precision, recall, f1 = body_scores(matches) if matches else (None, None, None)
    return {"precision": precision, "recall": recall, "f1": f1, "n_body": len(matches),
            "f1_stored": body_scores(stored)[2] if stored else None, "n_stored": len(stored),
            "title": sum(titles) / len(titles) if titles else None, "n_title": len(titles),
            "date": sum(dates) / len(dates) if dates else None, "n_date": len(dates),
            "author": sum(authors) / len(authors) if authors else None, "n_author": len(authors),
            "no_date": sum(no_date) / len(no_date) if no_date else None, "n_no_date": len(no_date),
            "no_author": sum(no_author) / len(no_author) if no_author else None, "n_no_author": len(no_author),
            "archived": sum(1 for r in rows if r[key].get("kind") == "article"),
            "ms": 1000 * statistics.mean(r[f"{key}_s"] for r in rows) if rows else 0.0}


_MOJIBAKE = re.compile("Ã[\u0080-\u00bf]|â€|â[\u0080-\u009f]|Â[\u00a0-\u00bf]|\ufffd|Ð[\u0080-\u00bf]|ã\u0081|ì\u009d")


def has_mojibake(text: str | None) -> bool:
    """UTF-8 bytes read as a single-byte charset (``Ã©``, ``â€™``), or replacement characters."""
    return bool(_MOJIBAKE.search(text or ""))


def run_mojibake(corpus: Path) -> dict:
    """Every page of the trafilatura corpus, decoded and extracted: pages stored with mojibake in
    title or body, counted apart for the pages whose bytes are not valid UTF-8."""
    base = corpus / "trafilatura" / "tests"
    found = {"pages": 0, "odd": 0, "ours": [], "ours_odd": 0, "theirs": 0, "theirs_odd": 0}
    urls = {case["file"]: url for url, case in json.loads((base / "evaldata.json").read_text()).items()}
    for path in sorted((base / "cache").glob("*.gz")) + sorted((base / "eval").glob("*.gz")):
        raw = gzip.decompress(path.read_bytes())
        try:
            raw.decode("utf-8")
            odd = False
        except UnicodeDecodeError:
            odd = True
        slug = re.sub(r"[^a-z0-9]+", "-", path.name.removesuffix(".gz").lower()).strip("-")
        url = urls.get(path.name.removesuffix(".gz")) or f"https://{slug[:60]}.example/story"
        out = extract_page(raw, url, options_for(url), "text/html")
        found["pages"] += 1
        found["odd"] += odd
        if out.get("kind") == "article" and (has_mojibake(out.get("title")) or has_mojibake(out.get("body"))):
            found["ours"].append(path.name)
            found["ours_odd"] += odd
        theirs = trafilatura_alone(raw, url)
        if has_mojibake(theirs.get("title")) or has_mojibake(theirs.get("body")):
            found["theirs"] += 1
            found["theirs_odd"] += odd
    return found


def _fmt(value, fmt: str) -> str:
    return "-" if value is None else format(value, fmt)


def report_set(result: dict, worst: int, baseline: bool) -> str:
    """One table for a manifest set: newsarchive and trafilatura alone on the same pages; for
    wcxb-dev, the article pages apart and, per other page type, how many were taken as articles."""
    name, rows = result["name"], result["rows"]
    articles = [r for r in rows if r["page"]["page_type"] == "article"]
    others = [r for r in rows if r["page"]["page_type"] != "article"]
    ours, theirs = score_set(articles, "ours"), (score_set(articles, "theirs") if baseline else None)
    lines = [f"{name}: {len(rows)} pages ({len(articles)} articles)", "",
             f"{'metric (article pages)':<36}{'n':>6}{'newsarchive':>12}{'trafilatura':>13}"]
    for label, key, n in (("body precision", "precision", "n_body"), ("body recall", "recall", "n_body"),
                          ("body F1", "f1", "n_body"), ("  on the pages both store", "f1_stored", "n_stored"),
                          ("title exact", "title", "n_title"),
                          ("published day (+-1)", "date", "n_date"), ("  none given, none found (archived)", "no_date", "n_no_date"),
                          ("first author", "author", "n_author"), ("  none given, none found (archived)", "no_author", "n_no_author")):
        if ours[n]:
            lines.append(f"{label:<36}{ours[n]:>6}{_fmt(ours[key], '.3f'):>12}"
                         f"{_fmt(theirs[key] if theirs else None, '.3f'):>13}")
    lines.append(f"{'archived as articles':<36}{len(articles):>6}{ours['archived']:>12}"
                 f"{_fmt(theirs['archived'] if theirs else None, 'd'):>13}")
    lines.append(f"{'ms per page (mean)':<36}{len(articles):>6}{ours['ms']:>12.1f}"
                 f"{_fmt(theirs['ms'] if theirs else None, '.1f'):>13}")
    if theirs and theirs["ms"]:
        note = "  (trafilatura timed in an earlier run: not comparable)" if result.get("cached") else ""
        lines.append(f"{'cost ratio (ours/traf.)':<36}{'':>6}{ours['ms'] / theirs['ms']:>12.2f}{'<=1.3':>13}{note}")
    if others:
        lines += ["", f"not articles, taken as articles ({len(others)} pages; trafilatura alone returns a text for):",
                  f"  {'page type':<16}{'pages':>6}{'newsarchive':>12}{'trafilatura':>13}"]
        by_type: dict[str, list[dict]] = {}
        for row in others:
            by_type.setdefault(row["page"]["page_type"], []).append(row)
        for page_type, typed in sorted(by_type.items()) + [("all", others)]:
            taken = sum(1 for r in typed if r["ours"].get("kind") == "article")
            theirs_taken = sum(1 for r in typed if r["theirs"].get("kind") == "article") if baseline else None
            lines.append(f"  {page_type:<16}{len(typed):>6}{taken:>12}{_fmt(theirs_taken, 'd'):>13}")
        lines.append(f"  share taken: {sum(1 for r in others if r['ours'].get('kind') == 'article') / len(others):.3f}"
                     " (target <=0.10)")
    for label, truth_key, out_key, ok in (
            ("titles", "title", "title", lambda p, o: same_title(p["title"], o.get("title"))),
            ("dates", "date", "published", lambda p, o: same_day(p["date"], o.get("published"))),
            ("first authors", "authors", "authors",
             lambda p, o: first_credit(o.get("authors")) == first_credit(p["authors"]))):
        misses = [i for i, r in enumerate(articles) if r["page"].get(truth_key)
                  and not (r["ours"].get("kind") == "article" and ok(r["page"], r["ours"]))]
        if not misses:
            continue
        lines += ["", f"{label} wrong: {len(misses)} (first {worst}; id: truth | ours):"]
        for i in misses[:worst]:
            page, out = articles[i]["page"], articles[i]["ours"]
            got = out.get(out_key) if out.get("kind") == "article" else f"[{out.get('kind')}: {out.get('reason')}]"
            if out_key == "published" and out.get("kind") == "article":
                got = f"{got} ({out.get('published_source')})"
            lines.append(f"  {page['id']:>8}: {str(page[truth_key])[:60]!r} | {str(got)[:60]!r}")
        if truth_key == "date":
            limits = _date_limits(articles, misses)
            lines.append("  of these: " + ", ".join(f"{n} {what.strip()}" for what, n in limits.items()))
    lost = [r for r in articles if r["ours"].get("kind") != "article"]
    if lost:
        reasons = Counter(r["ours"].get("reason") for r in lost)
        lines += ["", f"article pages not archived: {len(lost)} (" +
                  ", ".join(f"{n} {why}" for why, n in reasons.most_common()) + ")"]
        for r in lost[:worst]:
            lines.append(f"  {r['page']['id']:>8} {r['ours'].get('reason')}: {r['ours'].get('detail')}"
                         f"  {r['page']['link'][:70]}")
    return "\n".join(lines)


def report_mojibake(found: dict) -> str:
    lines = ["", f"trafilatura/ pages stored with mojibake ({found['pages']} pages, {found['odd']} not valid UTF-8):",
             f"  newsarchive {len(found['ours'])} ({found['ours_odd']} of the odd-encoding ones)   "
             f"trafilatura alone {found['theirs']} ({found['theirs_odd']})"]
    lines += [f"  {name}" for name in found["ours"][:20]]
    return "\n".join(lines)


# -- report -------------------------------------------------------------------------------------

def _body_limits(rows: list[dict], matches: list) -> dict[str, str]:
    """Pages whose truth is a part of what the page shows: the output holds nearly all of the
    truth, and the truth little of the output (the hand-cleaned text stops early)."""
    loss = sum(fp / (tp + fp) for tp, fp, fn in matches if tp + fp)
    partial = [fp / (tp + fp) for tp, fp, fn in matches if tp + fp and tp / (tp + fn or 1) >= 0.9
               and tp / (tp + fp) < 0.7]
    return {"pages with the output holding >=90% of a truth that is <70% of it": len(partial),
            f"of the {loss:.1f} points of precision loss are theirs": f"{sum(partial):.1f}"}


_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December")


def date_spellings(day: date) -> list[str]:
    """The ways a page may write ``day``: ISO, slashed, US and European long and short forms."""
    month, short = _MONTHS[day.month - 1], _MONTHS[day.month - 1][:3]
    d, m, y = day.day, day.month, day.year
    return [day.isoformat(), f"{y}/{m:02d}/{d:02d}", f"{m}/{d}/{y}", f"{m:02d}/{d:02d}/{y}", f"{d:02d}.{m:02d}.{y}",
            f"{month} {d}, {y}", f"{short} {d}, {y}", f"{short}. {d}, {y}", f"{d} {month} {y}", f"{d} {short} {y}",
            f"{month} {d} {y}", f"{short} {d} {y}", f"{d}th {month} {y}", f"{d}st {month} {y}", f"{d}nd {month} {y}",
            f"{d}rd {month} {y}", f"{month} {d}th, {y}", f"{month} {d}st, {y}", f"{month} {d}nd, {y}",
            f"{month} {d}rd, {y}", f"{y}{m:02d}{d:02d}"]


def stated_on_page(truth: str, html_text: str) -> bool:
    """Whether the page writes the truth's day (or the day either side, for time zones) anywhere,
    markup and scripts included."""
    try:
        day = date.fromisoformat(truth[:10])
    except ValueError:
        return False
    text = " ".join(html_text.split()).casefold()
    return any(spelling.casefold() in text for offset in (-1, 0, 1)
               for spelling in date_spellings(day + timedelta(days=offset)))


def _date_limits(rows: list[dict], misses: list[int]) -> dict[str, int]:
    """Why dates miss, each miss counted once, in this order: not an article; the truth is the
    page's modified date; the truth's day is written nowhere on the page (its year differs from
    every date the page states, or the day itself does), which no extractor can match."""
    counts = {"not an article": 0, "truth is the page's modified date": 0,
              "truth's day is written nowhere on the page": 0, "  of which the same day in another year": 0}
    for i in misses:
        truth, out = rows[i]["page"]["date"], rows[i]["ours"]
        if out.get("kind") != "article":
            counts["not an article"] += 1
        elif same_day(truth, out.get("modified")):
            counts["truth is the page's modified date"] += 1
        elif truth and not stated_on_page(truth, _page_text(rows[i])):
            counts["truth's day is written nowhere on the page"] += 1
            if out.get("published") and truth[5:10] == out["published"][5:10]:
                counts["  of which the same day in another year"] += 1
    return counts


def _page_text(row: dict) -> str:
    path = row.get("path")
    return gzip.decompress(path.read_bytes()).decode("utf-8", "replace") if path else ""


def _author_limits(rows: list[dict], misses: list[int]) -> dict[str, int]:
    counts = {"truth empty, page credits someone": 0, "truth is a staff/agency/organisation byline": 0}
    for i in misses:
        truth = first_author(rows[i]["page"]["authors"])
        if not truth:
            counts["truth empty, page credits someone"] += 1
        elif re.search(r"\b(staff|team|press|news|board|tribune|institute|school|university|citizen|ebony)\b", truth):
            counts["truth is a staff/agency/organisation byline"] += 1
    return counts


def _shipped_report(rows: list[dict]) -> list[str]:
    """The same metrics on the pages of the sites ``sites.toml`` ships, extracted with their overrides."""
    by_site: dict[str, list[dict]] = {}
    for row in rows:
        if row.get("shipped"):
            by_site.setdefault(row["shipped"], []).append(row)
    if not by_site:
        return []
    lines = ["", f"shipped sites in articles/ ({sum(map(len, by_site.values()))} pages):",
             f"  {'site':<24}{'pages':>6}{'F1':>7}{'title':>7}{'date':>7}{'author':>8}"]
    for name, site_rows in sorted(by_site.items()) + [("all shipped", [r for v in by_site.values() for r in v])]:
        s = score(site_rows, "ours")
        lines.append(f"  {name:<24}{len(site_rows):>6}{s['f1']:>7.3f}{s['title']:>7.2f}{s['date']:>7.2f}{s['author']:>8.2f}")
    return lines


def report(articles: dict, evaldata: dict | None, listings: list[dict] | None, worst: int, baseline: bool,
           readability: dict | None = None) -> str:
    rows = articles["rows"]
    ours = score(rows, "ours")
    theirs = score(rows, "theirs") if baseline else None
    lines = [f"articles/: {len(rows)} pages", "",
             f"{'metric':<26}{'newsarchive':>12}{'trafilatura':>13}{'target':>9}"]

    def line(label: str, key: str, fmt: str, target: str = "") -> None:
        other = format(theirs[key], fmt) if theirs else "-"
        lines.append(f"{label:<26}{format(ours[key], fmt):>12}{other:>13}{target:>9}")

    line("body precision", "precision", ".3f")
    line("body recall", "recall", ".3f")
    line("body F1", "f1", ".3f", ">=0.96")
    line("title exact", "title", ".3f", ">=0.95")
    line("  quotes/dashes folded", "title_folded", ".3f")
    line("published day (+-1)", "date", ".3f", ">=0.95")
    line("first author", "author", ".3f", ">=0.92")
    line("not an article", "not_article", "d")
    line("ms per page (mean)", "ms", ".1f")
    if theirs and theirs["ms"]:
        lines.append(f"{'cost ratio (ours/traf.)':<26}{ours['ms'] / theirs['ms']:>12.2f}{'':>13}{'<=1.3':>9}")

    lines += ["", f"worst {worst} bodies (F1 p r | id site):"]
    order = sorted(range(len(rows)), key=lambda i: page_f1(ours["matches"][i]))
    for i in order[:worst]:
        tp, fp, fn = ours["matches"][i]
        page = rows[i]["page"]
        p = tp / (tp + fp) if tp + fp else 0.0
        r = tp / (tp + fn) if tp + fn else 0.0
        kind = rows[i]["ours"].get("kind")
        extra = "" if kind == "article" else f"  [{kind}: {rows[i]['ours'].get('reason')}]"
        lines.append(f"  {page_f1(ours['matches'][i]):.3f} {p:.2f} {r:.2f} | {page['id']:>4} {page['link'][:70]}{extra}")
    why = {"matches": lambda misses: _body_limits(rows, ours["matches"]),
           "dates": lambda misses: _date_limits(rows, misses),
           "authors": lambda misses: _author_limits(rows, misses)}
    lines.append("  of all pages: " + ", ".join(f"{n} {what}" for what, n in why["matches"]([]).items()))
    for label, key, truth_key, out_key in (("titles", "titles", "title", "title"),
                                           ("dates", "dates", "date", "published"),
                                           ("first authors", "authors", "authors", "authors")):
        misses = [i for i, ok in enumerate(ours[key]) if not ok]
        lines += ["", f"{label} wrong: {len(misses)} (first {worst}; id: truth | ours):"]
        for i in misses[:worst]:
            page, out = rows[i]["page"], rows[i]["ours"]
            got = out.get(out_key) if out.get("kind") == "article" else f"[{out.get('kind')}]"
            if out_key == "published":
                got = f"{got} ({out.get('published_source')})"
            lines.append(f"  {page['id']:>4}: {str(page[truth_key])[:70]!r} | {str(got)[:70]!r}")
        if key in why:
            limits = why[key](misses)
            lines.append("  of these: " + ", ".join(f"{n} {what.strip()}" for what, n in limits.items()))
            if key == "dates":
                unreachable = limits["truth's day is written nowhere on the page"]
                lines.append(f"  ceiling for any extractor reading the page: ({len(rows)} - {unreachable}) / {len(rows)}"
                             f" = {(len(rows) - unreachable) / (len(rows) or 1):.3f}")

    lines += _shipped_report(rows)
    if evaldata:
        lines += ["", f"trafilatura evaldata ({evaldata['pages']} English pages):  newsarchive  trafilatura",
                  f"  'with' snippets kept ({evaldata['n_with']})      {evaldata['with_ours']:>11.3f}  "
                  f"{evaldata['with_theirs']:>11.3f}",
                  f"  'without' snippets dropped ({evaldata['n_without']}) {evaldata['without_ours']:>7.3f}  "
                  f"{evaldata['without_theirs']:>11.3f}",
                  f"  not stored as articles by newsarchive: {sum(evaldata['refused'].values())} pages ("
                  + ", ".join(f"{n} {why}" for why, n in evaldata["refused"].most_common()) + ")",
                  f"  'with' snippets kept on the pages it stores ({evaldata['n_with_archived']}): "
                  f"{evaldata['with_archived']:.3f}"]
    if readability:
        (p1, r1, f1), (p2, r2, f2) = readability["ours"], readability["theirs"]
        lines += ["", f"readability/ ({readability['pages']} pages; reference: Readability.js output, not hand-made):",
                  f"  body P / R / F1   newsarchive {p1:.3f} / {r1:.3f} / {f1:.3f}   "
                  f"trafilatura {p2:.3f} / {r2:.3f} / {f2:.3f}"]
    if listings is not None:
        bad = [x for x in listings if x["type"] in LISTING_TYPES and x["kind"] == "article"]
        n_listing = sum(1 for x in listings if x["type"] in LISTING_TYPES)
        lines += ["", f"listings/: {n_listing} listing/collection pages, {len(bad)} taken as articles "
                      "(target 0); every page:"]
        for x in listings:
            flag = "  <-- WRONG" if x in bad else ""
            lines.append(f"  {x['id']} {x['type']:<10} {x['kind']:<11} {x['reason'] or x['words'] or '':<10} "
                         f"{x['url'][:60]}{flag}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--shared", default=None, help="the shared/ folder (default: beside the repo)")
    parser.add_argument("--set", dest="sets", action="append", choices=ALL_SETS,
                        help="a dev set to measure (repeatable; default: all)")
    parser.add_argument("--limit", type=int, default=None, help="only the first N pages of each set")
    parser.add_argument("--half", type=int, choices=(0, 1), default=None,
                        help="only the sites of one half (crc32 of the host, mod 2)")
    parser.add_argument("--worst", type=int, default=12, help="worst pages listed per metric")
    parser.add_argument("--no-baseline", action="store_true", help="skip trafilatura alone")
    parser.add_argument("--baseline-cache", default=None,
                        help="JSON file keeping trafilatura's results on the manifest sets between runs")
    parser.add_argument("--articles-only", action="store_true", help="the same as --set articles")
    args = parser.parse_args(argv)
    shared = shared_dir(args.shared)
    if shared is None:
        print("no shared/corpus found (pass --shared or set NEWSARCHIVE_SHARED)", file=sys.stderr)
        return 2
    corpus = shared / "corpus"
    sets = ["articles"] if args.articles_only else (args.sets or list(ALL_SETS))
    baseline = not args.no_baseline
    cache = Path(args.baseline_cache) if args.baseline_cache else None
    shipped = shipped_options()
    out = []
    if "articles" in sets:
        articles = run_articles(corpus, args.limit, baseline, shipped, args.half)
        evaldata = run_evaldata(corpus, shipped) if "trafilatura" in sets else None
        listings = run_listings(corpus, shipped) if "listings" in sets else None
        readability = run_readability(corpus) if "readability" in sets else None
        out.append(report(articles, evaldata, listings, args.worst, baseline, readability))
    else:
        if "trafilatura" in sets:
            e = run_evaldata(corpus, shipped)
            out.append(f"trafilatura evaldata ({e['pages']} English pages):  newsarchive  trafilatura\n"
                       f"  'with' snippets kept ({e['n_with']})      {e['with_ours']:>11.3f}  {e['with_theirs']:>11.3f}\n"
                       f"  'without' snippets dropped ({e['n_without']}) {e['without_ours']:>7.3f}  "
                       f"{e['without_theirs']:>11.3f}\n"
                       f"  not stored as articles by newsarchive: {sum(e['refused'].values())} pages; 'with' kept on "
                       f"the pages it stores ({e['n_with_archived']}): {e['with_archived']:.3f}")
        if "readability" in sets:
            r = run_readability(corpus)
            if r:
                (p1, r1, f1), (p2, r2, f2) = r["ours"], r["theirs"]
                out.append(f"readability/ ({r['pages']} pages): body P / R / F1   newsarchive {p1:.3f} / {r1:.3f} / "
                           f"{f1:.3f}   trafilatura {p2:.3f} / {r2:.3f} / {f2:.3f}")
    if "trafilatura" in sets:
        out.append(report_mojibake(run_mojibake(corpus)))
    for name in MANIFEST_SETS:
        if name in sets and (corpus / f"{name}.jsonl").exists():
            out.append(report_set(run_manifest(corpus, name, args.limit, baseline, shipped, cache, args.half),
                                  args.worst, baseline))
    print("\n\n".join(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
