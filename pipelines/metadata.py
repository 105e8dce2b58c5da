"""What a page declares about itself, read once into a ``PageMeta``: JSON-LD nodes, OpenGraph and
article meta tags, the document title, its language and canonical address. The rules that choose
a field from these readings live with the field: ``titles``, ``dates``, ``authors`` (with
``names`` and ``bylines``) and ``pagekind``."""

from __future__ import annotations

import html
import json
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any


ARTICLE_TYPES = {"article", "newsarticle", "reportagenewsarticle", "blogposting", "techarticle",
                 "analysisnewsarticle", "opinionnewsarticle", "reviewnewsarticle", "backgroundnewsarticle",
                 "report", "liveblogposting", "socialmediaposting", "scholarlyarticle", "advertisercontentarticle",
                 "satiricalarticle", "posting", "review", "medicalwebpage"}
LISTING_TYPES = {"collectionpage", "itemlist", "searchresultspage", "profilepage"}
WORD = re.compile(r"\w+", re.UNICODE)
_PUBLISHED_META = (
    '//meta[@property="article:published_time" or @name="article:published_time" or '
    '@property="og:published_time" or @itemprop="datePublished" or @name="parsely-pub-date" or '
    '@name="pubdate" or @name="publish-date" or @name="publish_date" or @name="sailthru.date" or '
    '@name="dc.date.issued" or @name="DC.date.issued" or @name="date" or @property="bt:pubDate" or '
    '@name="article.published" or @name="cXenseParse:recs:publishtime"]/@content')
# the story's own tags, before the generic ones ("date", "pubdate": often a template's, in any format)
_PUBLISHED_META_ARTICLE = ('//meta[@property="article:published_time" or @name="article:published_time" or '
                           '@property="og:published_time"]/@content')
_MODIFIED_META = ('//meta[@property="article:modified_time" or @name="article:modified_time" or '
                  '@property="og:updated_time" or @itemprop="dateModified" or @name="last-modified"]/@content')
_AUTHOR_META = ('//meta[@name="author" or @property="article:author" or @name="article:author" or '
                '@name="parsely-author" or @name="sailthru.author" or @name="byl" or @name="dc.creator" or '
                '@name="DC.creator"]/@content')
_TIME_PUBLISHED = ('//*[@itemprop="datePublished"]/@datetime | //*[@itemprop="datePublished"]/@content | '
                   '//time[@pubdate]/@datetime | //time[@data-testid="published-timestamp"]/@datetime')


@dataclass
class PageMeta:
    """The page's own statements about itself, raw (cleaning happens when picking)."""

    og_title: str | None = None
    twitter_title: str | None = None
    html_title: str | None = None
    headline: str | None = None  # JSON-LD
    h1s: list[str] = field(default_factory=list)
    site_name: str | None = None
    publisher: str | None = None
    og_type: str | None = None
    ld_types: set[str] = field(default_factory=set)
    ld_article: bool = False
    article_body: str | None = None  # JSON-LD articleBody
    published_ld: str | None = None
    published_meta: str | None = None
    published_time: str | None = None  # <time itemprop=datePublished> and kin
    published_page: str | None = None  # JSON-LD WebPage node of a page with no article node: a date, not a sign of a story
    modified: str | None = None
    ld_authors: list[tuple[str, str]] = field(default_factory=list)  # (name, @type)
    ld_authors_by_ref: bool = False  # named through {"@id"} references: the CMS account, often not the byline
    meta_authors: list[str] = field(default_factory=list)
    label_authors: list[str] = field(default_factory=list)  # a card's "Written by" data (twitter:label1/data1)
    canonical: str | None = None
    og_url: str | None = None
    description: str | None = None
    image: str | None = None
    language: str | None = None
    keywords: list[str] = field(default_factory=list)

    @property
    def site_names(self) -> set[str]:
        return {n for n in (self.site_name, self.publisher) if n}


# "Written by" as the label of a card's data pair (twitter:label1 / twitter:data1, which SEO plugins
# fill in the site's language)
_WRITTEN_BY = re.compile(
    r"written|author|\bby\b|autor|auteur|autore|verfasst|geschrieben|[ée]crit\s+par|escrito|scritto|geschreven|"
    r"skrevet|skriven|kirjoittanut|napisa|napsal|írta|scris|ditulis|yazan|написа|автор|作者|執筆|筆者|작성자|글쓴이|기자",
    re.I)


def labelled_authors(tree) -> list[str]:
    """Names a page's card metadata gives under a "Written by" label (``twitter:label1`` =
    "Written by", ``twitter:data1`` = the name), in any language."""
    found = []
    for label in tree.xpath('//meta[starts-with(@name, "twitter:label") or starts-with(@property, "twitter:label")]'):
        key = (label.get("name") or label.get("property") or "").replace("label", "data", 1)
        if not _WRITTEN_BY.search(label.get("content") or "") or not re.fullmatch(r"twitter:data\d", key):
            continue
        for value in tree.xpath(f'//meta[@name="{key}" or @property="{key}"]/@content'):
            value = " ".join(html.unescape(value).split())
            if value and not re.search(r"\d", value) and value not in found:
                found.append(value)
    return found


def first_value(tree, xpath: str) -> str | None:
    for value in tree.xpath(xpath):
        value = " ".join(html.unescape(str(value or "")).split())
        if value:
            return value
    return None


def as_text(value: Any) -> str | None:
    if isinstance(value, list):
        value = next((v for v in value if isinstance(v, str) and v.strip()), None)
    if isinstance(value, dict):
        value = value.get("@value") or value.get("name")
    return " ".join(html.unescape(value).split()) if isinstance(value, str) and value.strip() else None


def node_types(node: dict) -> set[str]:
    types = node.get("@type")
    types = types if isinstance(types, list) else [types]
    return {t.lower() for t in types if isinstance(t, str)}


def _jsonld_nodes(tree) -> list[dict]:
    nodes = []
    for script in tree.xpath('//script[@type="application/ld+json"]/text()'):
        try:
            data = json.loads(script, strict=False)
        except (ValueError, RecursionError):
            continue
        stack = [data]
        while stack:
            node = stack.pop(0)
            if isinstance(node, list):
                stack[:0] = node
            elif isinstance(node, dict):
                nodes.append(node)
                for key in ("@graph", "mainEntity", "mainEntityOfPage"):
                    if isinstance(node.get(key), (dict, list)):
                        stack.append(node[key])
    return nodes


def _ld_people(value: Any, by_id: dict[str, dict] | None = None) -> list[tuple[str, str]]:
    """(name, @type) of each person or organisation named; ``{"@id": ...}`` references (a graph
    that describes each person once) are looked up in ``by_id``."""
    items = value if isinstance(value, list) else [value]
    people = []
    for item in items:
        if isinstance(item, dict) and "name" not in item and isinstance(item.get("@id"), str):
            item = (by_id or {}).get(item["@id"], item)
        if isinstance(item, dict):
            kind = next(iter(node_types(item)), "")
            name = item.get("name")
            if isinstance(name, list):
                name = ", ".join(n for n in name if isinstance(n, str))
            if isinstance(name, str) and name.strip():
                people.append((html.unescape(name).strip(), kind))
        elif isinstance(item, str) and item.strip():
            people.append((html.unescape(item).strip(), ""))
    return people


# elements that end a line where a heading holds them: their text is not run into the next word
_LINE_BREAKING = frozenset({"br", "div", "p", "li", "hr", "section", "header", "figure", "figcaption"})


def heading_text(heading) -> str:
    """A heading's text as shown: a line break or a block inside it (``(US)<br>Your Guide``) parts
    words, as the browser does; scripts, styles and comments inside it are not text."""
    parts: list[str] = []

    def walk(el) -> None:
        breaks = el.tag in _LINE_BREAKING
        if breaks:
            parts.append(" ")
        if isinstance(el.tag, str) and el.tag not in ("script", "style"):
            parts.append(el.text or "")
            for child in el:
                walk(child)
                parts.append(child.tail or "")
        if breaks:
            parts.append(" ")

    walk(heading)
    return " ".join("".join(parts).split())


def page_metadata(tree) -> PageMeta:
    meta = PageMeta()
    meta.og_title = first_value(tree, '//meta[@property="og:title" or @name="og:title"]/@content')
    meta.twitter_title = first_value(tree, '//meta[@name="twitter:title" or @property="twitter:title"]/@content')
    meta.html_title = first_value(tree, "//head/title/text()") or first_value(tree, "//title/text()")
    meta.h1s = [heading_text(h) for h in tree.xpath("//h1")[:6]]
    meta.site_name = first_value(tree, '//meta[@property="og:site_name" or @name="application-name"]/@content')
    meta.og_type = (first_value(tree, '//meta[@property="og:type"]/@content') or "").lower() or None
    meta.og_url = first_value(tree, '//meta[@property="og:url"]/@content')
    meta.canonical = first_value(tree, '//link[@rel="canonical"]/@href')
    meta.description = first_value(tree, '//meta[@property="og:description" or @name="description"]/@content')
    meta.image = first_value(tree, '//meta[@property="og:image" or @name="twitter:image"]/@content')
    meta.published_meta = first_value(tree, _PUBLISHED_META_ARTICLE) or first_value(tree, _PUBLISHED_META)
    meta.modified = first_value(tree, _MODIFIED_META)
    meta.published_time = first_value(tree, _TIME_PUBLISHED)
    meta.meta_authors = [a for a in (" ".join(html.unescape(v).split()) for v in tree.xpath(_AUTHOR_META)) if a]
    meta.label_authors = labelled_authors(tree)
    keywords = first_value(tree, '//meta[@name="keywords" or @name="news_keywords"]/@content')
    meta.keywords = [k.strip() for k in (keywords or "").split(",") if k.strip()][:30]
    lang = first_value(tree, "/html/@lang") or first_value(tree, '//meta[@http-equiv="content-language"]/@content')
    meta.language = lang.split("-")[0].split("_")[0].lower()[:8] if lang else None
    nodes = _jsonld_nodes(tree)
    by_id = {n["@id"]: n for n in nodes if isinstance(n.get("@id"), str) and "name" in n}
    for node in nodes:
        types = node_types(node)
        meta.ld_types |= types
        if types & {"website", "organization", "newsmediaorganization"} and not meta.publisher:
            meta.publisher = as_text(node.get("name")) if "website" not in types else meta.publisher
        if not types & ARTICLE_TYPES or meta.ld_article:
            continue
        meta.ld_article = True
        meta.headline = as_text(node.get("headline")) or as_text(node.get("name"))
        meta.published_ld = as_text(node.get("datePublished")) or as_text(node.get("dateCreated"))
        meta.modified = as_text(node.get("dateModified")) or meta.modified
        credited = node.get("author") or node.get("creator")
        meta.ld_authors = _ld_people(credited, by_id)
        meta.ld_authors_by_ref = meta.ld_authors != _ld_people(credited)
        body = node.get("articleBody")
        meta.article_body = body if isinstance(body, str) and body.strip() else None
        publisher = node.get("publisher")
        if isinstance(publisher, dict) and "name" not in publisher and isinstance(publisher.get("@id"), str):
            publisher = by_id.get(publisher["@id"], publisher)
        if isinstance(publisher, dict) and as_text(publisher.get("name")):
            meta.publisher = as_text(publisher.get("name"))
    if not meta.ld_article:
        # a graph without an article node may credit the author on its web page node
        page = next((n for n in nodes if "webpage" in node_types(n) and (n.get("author") or n.get("creator"))), None)
        if page is not None:
            credited = page.get("author") or page.get("creator")
            meta.ld_authors = _ld_people(credited, by_id)
            meta.ld_authors_by_ref = meta.ld_authors != _ld_people(credited)
    meta.published_page = page_node_published(nodes)
    return meta


def page_node_published(nodes: list[dict]) -> str | None:
    """The datePublished of the page's WebPage node, when no article node dates the story (SEO
    plugins describe a post as a WebPage with its dates, and leave out the Article)."""
    if any(node_types(n) & ARTICLE_TYPES for n in nodes):
        return None
    page = next((n for n in nodes if "webpage" in node_types(n) and as_text(n.get("datePublished"))), None)
    return as_text(page.get("datePublished")) if page is not None else None


# -- names shared by the title and author rules --------------------------------------------

def squash(text: str) -> str:
    """Letters and digits only, case and accents folded, in any script ("Café-Zeit" and
    "cafezeit", "サイト名" and "サイト名")."""
    folded = unicodedata.normalize("NFKD", (text or "").casefold())
    return re.sub(r"[\W_]", "", "".join(c for c in folded if not unicodedata.combining(c)))


CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
# words, and each Chinese character or kana on its own: scripts written without spaces
_TOKEN = re.compile(rf"[{CJK}]|[^\W{CJK}]+")


def word_tokens(text: str) -> list[str]:
    return [w.casefold() for w in _TOKEN.findall(text or "")]


def overlap(a: str, b: str) -> float:
    ta, tb = set(word_tokens(a)), set(word_tokens(b))
    if not ta or not tb:
        return 0.0
    return len(ta & tb) / max(len(ta), len(tb))


def site_keys(names: set[str], domains: tuple[str, ...]) -> set[str]:
    # a "site name" of more than six words is a page's headline put in the wrong tag, not a name
    keys = {squash(n) for n in names if len(WORD.findall(n)) <= 6}
    for domain in domains:
        host = domain.lower().removeprefix("www.")
        keys.add(squash(host))
        keys.add(squash(host.rsplit(".", 1)[0]))
        keys.add(squash(host.split(".")[0]))
    return {k for k in keys if len(k) >= 2}


def is_site(part: str, keys: set[str]) -> bool:
    squashed = squash(part)
    if not squashed:
        return False
    return any(squashed == k or (len(k) > 3 and (k in squashed or squashed in k) and len(squashed) <= len(k) + 12)
               for k in keys)
