"""What a page says about itself: title, dates, authors, kind — read from JSON-LD, OpenGraph and
article meta tags, the visible headline and byline, and the URL, each cleaned the same way for
every site (site-name suffixes, kickers, "By", handles and staff bylines removed)."""

from __future__ import annotations

import html
import json
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from pipelines.dates import date_from_url, normalize_date

ARTICLE_TYPES = {"article", "newsarticle", "reportagenewsarticle", "blogposting", "techarticle",
                 "analysisnewsarticle", "opinionnewsarticle", "reviewnewsarticle", "backgroundnewsarticle",
                 "report", "liveblogposting", "socialmediaposting", "scholarlyarticle", "advertisercontentarticle",
                 "satiricalarticle", "posting", "review", "medicalwebpage"}
LISTING_TYPES = {"collectionpage", "itemlist", "searchresultspage", "profilepage"}
_WORD = re.compile(r"\w+", re.UNICODE)
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


def _first(tree, xpath: str) -> str | None:
    for value in tree.xpath(xpath):
        value = " ".join(html.unescape(str(value or "")).split())
        if value:
            return value
    return None


def _text(value: Any) -> str | None:
    if isinstance(value, list):
        value = next((v for v in value if isinstance(v, str) and v.strip()), None)
    if isinstance(value, dict):
        value = value.get("@value") or value.get("name")
    return " ".join(html.unescape(value).split()) if isinstance(value, str) and value.strip() else None


def _types(node: dict) -> set[str]:
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
            kind = next(iter(_types(item)), "")
            name = item.get("name")
            if isinstance(name, list):
                name = ", ".join(n for n in name if isinstance(n, str))
            if isinstance(name, str) and name.strip():
                people.append((html.unescape(name).strip(), kind))
        elif isinstance(item, str) and item.strip():
            people.append((html.unescape(item).strip(), ""))
    return people


def page_metadata(tree) -> PageMeta:
    meta = PageMeta()
    meta.og_title = _first(tree, '//meta[@property="og:title" or @name="og:title"]/@content')
    meta.twitter_title = _first(tree, '//meta[@name="twitter:title" or @property="twitter:title"]/@content')
    meta.html_title = _first(tree, "//head/title/text()") or _first(tree, "//title/text()")
    meta.h1s = [" ".join(h.text_content().split()) for h in tree.xpath("//h1")[:6]]
    meta.site_name = _first(tree, '//meta[@property="og:site_name" or @name="application-name"]/@content')
    meta.og_type = (_first(tree, '//meta[@property="og:type"]/@content') or "").lower() or None
    meta.og_url = _first(tree, '//meta[@property="og:url"]/@content')
    meta.canonical = _first(tree, '//link[@rel="canonical"]/@href')
    meta.description = _first(tree, '//meta[@property="og:description" or @name="description"]/@content')
    meta.image = _first(tree, '//meta[@property="og:image" or @name="twitter:image"]/@content')
    meta.published_meta = _first(tree, _PUBLISHED_META_ARTICLE) or _first(tree, _PUBLISHED_META)
    meta.modified = _first(tree, _MODIFIED_META)
    meta.published_time = _first(tree, _TIME_PUBLISHED)
    meta.meta_authors = [a for a in (" ".join(html.unescape(v).split()) for v in tree.xpath(_AUTHOR_META)) if a]
    meta.label_authors = labelled_authors(tree)
    keywords = _first(tree, '//meta[@name="keywords" or @name="news_keywords"]/@content')
    meta.keywords = [k.strip() for k in (keywords or "").split(",") if k.strip()][:30]
    lang = _first(tree, "/html/@lang") or _first(tree, '//meta[@http-equiv="content-language"]/@content')
    meta.language = lang.split("-")[0].split("_")[0].lower()[:8] if lang else None
    nodes = _jsonld_nodes(tree)
    by_id = {n["@id"]: n for n in nodes if isinstance(n.get("@id"), str) and "name" in n}
    for node in nodes:
        types = _types(node)
        meta.ld_types |= types
        if types & {"website", "organization", "newsmediaorganization"} and not meta.publisher:
            meta.publisher = _text(node.get("name")) if "website" not in types else meta.publisher
        if not types & ARTICLE_TYPES or meta.ld_article:
            continue
        meta.ld_article = True
        meta.headline = _text(node.get("headline")) or _text(node.get("name"))
        meta.published_ld = _text(node.get("datePublished")) or _text(node.get("dateCreated"))
        meta.modified = _text(node.get("dateModified")) or meta.modified
        credited = node.get("author") or node.get("creator")
        meta.ld_authors = _ld_people(credited, by_id)
        meta.ld_authors_by_ref = meta.ld_authors != _ld_people(credited)
        body = node.get("articleBody")
        meta.article_body = body if isinstance(body, str) and body.strip() else None
        publisher = node.get("publisher")
        if isinstance(publisher, dict) and "name" not in publisher and isinstance(publisher.get("@id"), str):
            publisher = by_id.get(publisher["@id"], publisher)
        if isinstance(publisher, dict) and _text(publisher.get("name")):
            meta.publisher = _text(publisher.get("name"))
    if not meta.ld_article:
        # a graph without an article node may credit the author on its web page node
        page = next((n for n in nodes if "webpage" in _types(n) and (n.get("author") or n.get("creator"))), None)
        if page is not None:
            credited = page.get("author") or page.get("creator")
            meta.ld_authors = _ld_people(credited, by_id)
            meta.ld_authors_by_ref = meta.ld_authors != _ld_people(credited)
    meta.published_page = _page_node_published(nodes)
    return meta


# -- kind ---------------------------------------------------------------------------------------

def declares_article(meta: PageMeta) -> bool:
    return meta.og_type == "article" or meta.ld_article or bool(meta.published_meta)


def listing_reason(meta: PageMeta, url: str, teasers: int = 0) -> str | None:
    """Why the page is a listing (homepage, section or tag front, collection), or None.
    ``teasers``: how many story cards (article elements, linked headings) the page shows."""
    from courlan.filters import is_navigation_page

    if meta.ld_types & LISTING_TYPES and not meta.ld_article:
        return "collection markup"
    parts = urlsplit(url)
    segments = [s for s in parts.path.split("/") if s and s not in ("index.html", "index.php")]
    query = [q for q in parts.query.split("&") if q and not q.startswith(("utm_", "ref=", "fbclid=", "gclid="))]
    if not segments and not query and meta.og_type != "article":
        return "homepage"  # the posts it lists may carry article markup: only og:type speaks for the page
    # /news, /blog/, /en/aktuelles: a section's front, whatever og:type it prints (a #!/news/slug
    # fragment is a script's route to one story)
    last = re.sub(r"\.(html?|php|aspx?)$", "", segments[-1], flags=re.I) if segments else ""
    if _SECTION.fullmatch(last) and not query and not parts.fragment:
        return "section address"
    if not meta.ld_article and not date_from_url(url) and any(_TAXONOMY.fullmatch(s) for s in segments[:-1]):
        return "category address"  # /category/x/, /tag/x, /author/x/: shop and blog CMSs print og:type article there
    if declares_article(meta):
        return None
    if is_navigation_page(url) and not names_one_page(parts) and teasers != 1:
        return "navigation URL"  # one story card under a /topics/ address: the page is that story
    if len(segments) == 1 and re.fullmatch(r"[a-z]+(-[a-z]+)?", segments[0], re.I) and teasers >= 8:
        return "section front"
    return None


# a section's name as the whole last segment of an address: the section's front page, in the main
# languages of the web (a story's address goes on past it: /news/slug, /blog/123)
SECTION_NAMES = ("news", "blogs?", "articles", "stories", "posts", "press", "press-releases", "newsroom", "latest",
                 "archives?", "issues", "nachrichten", "aktuelles", "aktuell", "neuigkeiten", "meldungen",
                 "actualites", "actualite", "actus", "actualidad", "noticias", "novedades", "nieuws", "notizie",
                 "nyheter", "nyheder", "uutiset", "wiadomosci", "aktualnosci", "aktuality", "novinky", "novosti",
                 "haberler", "berita")
_SECTION = re.compile("|".join(SECTION_NAMES), re.I)
# a segment naming a taxonomy (category, tag, author) before the name of one of its terms; not
# "archive" (date archives lead to stories) nor "topics"/"themen" (an encyclopedia's or a party's articles)
TAXONOMY_NAMES = ("categor(y|ies)", "kategorie(n)?", "kategoria", "categoria", "categorie", "catégorie",
                  "rubrik", "rubrique", "tags?", "schlagworte?", "etiqueta", "auth?ors?", "autor(en)?", "auteur",
                  "autore", "labels?")
_TAXONOMY = re.compile("|".join(TAXONOMY_NAMES), re.I)
_POST_ID = re.compile(r"(^|[?&])(p|page_id|post|id)=\d+/?($|&)")
_NAMING = re.compile(r"auth?ors?|[ck]at|category|categories|kategorie|schlagwort|tags?|topics?|users?|members?", re.I)


def names_one_page(parts) -> bool:
    """Whether a URL whose path reads like navigation (``/archives/``, ``/page/``, ``/topics/``,
    ``?p=``) still names one page: its last segment a numeric post id (``/archives/1234``,
    ``?p=959``) or a slug of three words or more (``/archives/2025/12/16/vibe_coding.html``)."""
    segments = [s for s in parts.path.split("/") if s]
    last = re.sub(r"\.(html?|php|aspx?)$", "", segments[-1], flags=re.I) if segments else ""
    if re.fullmatch(r"\d{3,}", last) and not re.fullmatch(r"(19|20)\d\d", last) or _POST_ID.search(parts.query):
        return True
    if len(segments) >= 2 and _NAMING.fullmatch(segments[-2]):
        return False  # /tag/a-b-c/, /author/jane-doe/: a name, the page lists its posts
    if date_from_url("https://x/" + parts.path) and last and not last.isdigit():
        return True
    return len([w for w in re.split(r"[-_+]", last) if w]) >= 3 and not re.fullmatch(r"(page|seite)[-_]?\d+", last)


# -- titles -------------------------------------------------------------------------------------

# " | ", " - ", "｜" (full-width), "_" before a name in another script ("标题_站名")
_SEPARATORS = re.compile(r"\s+[|\-–—:·•»/]\s+|\s*[|｜]\s*|(?<=\S)_(?=[^\x00-\x7f])|\s+[-–—]\s*(?=[^\x00-\x7f])")
_STRIP = " |-–—:·•»/｜_\u3000"
_MEDIA_TAG = re.compile(r"\s*[\[(](video|videos|watch|photos?|pics|gallery|podcast|listen|audio|updated?|"
                        r"exclusive|live|opinion)[\])]\s*$|^(watch|video|photos|listen)\s*:\s*", re.I)


def squash(text: str) -> str:
    """Letters and digits only, case and accents folded, in any script ("Café-Zeit" and
    "cafezeit", "サイト名" and "サイト名")."""
    folded = unicodedata.normalize("NFKD", (text or "").casefold())
    return re.sub(r"[\W_]", "", "".join(c for c in folded if not unicodedata.combining(c)))


_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
# words, and each Chinese character or kana on its own: scripts written without spaces
_TOKEN = re.compile(rf"[{_CJK}]|[^\W{_CJK}]+")


def _tokens(text: str) -> list[str]:
    return [w.casefold() for w in _TOKEN.findall(text or "")]


def overlap(a: str, b: str) -> float:
    ta, tb = set(_tokens(a)), set(_tokens(b))
    if not ta or not tb:
        return 0.0
    return len(ta & tb) / max(len(ta), len(tb))


def _site_keys(names: set[str], domains: tuple[str, ...]) -> set[str]:
    # a "site name" of more than six words is a page's headline put in the wrong tag, not a name
    keys = {squash(n) for n in names if len(_WORD.findall(n)) <= 6}
    for domain in domains:
        host = domain.lower().removeprefix("www.")
        keys.add(squash(host))
        keys.add(squash(host.rsplit(".", 1)[0]))
        keys.add(squash(host.split(".")[0]))
    return {k for k in keys if len(k) >= 2}


def _is_site(part: str, keys: set[str]) -> bool:
    squashed = squash(part)
    if not squashed:
        return False
    return any(squashed == k or (len(k) > 3 and (k in squashed or squashed in k) and len(squashed) <= len(k) + 12)
               for k in keys)


def _sections(meta: PageMeta) -> frozenset[str]:
    """The folders of the page's own address (``/district/343604``): the section names a title
    may end with."""
    url = meta.canonical or meta.og_url or ""
    folders = urlsplit(url).path.split("/")[1:-1] if url.startswith("http") else []
    return frozenset(squash(f) for f in folders if squash(f) and not squash(f).isdigit() and len(f.split("-")) <= 3)


def clean_title(title: str, site_names: set[str] | None = None, domains: tuple[str, ...] = (),
                sections: frozenset[str] = frozenset()) -> str:
    """Remove a leading or trailing site name (``Story | GeekWire``, ``The Verge - Story``), a
    trailing section named like a folder of the page's address (``Story | District``) and media
    tags (``(video)``, ``[Watch]``)."""
    title = " ".join(html.unescape(title or "").split())
    keys = _site_keys(site_names or set(), domains)
    words = title.split()
    if len(words) >= 3 and "." in words[0] and _is_site(words[0], keys):
        title = " ".join(words[1:])  # the site's host name put before the title with no separator
    for _ in range(3):
        parts = [p for p in _SEPARATORS.split(title) if p]
        if len(parts) < 2:
            break
        if _is_site(parts[-1], keys) or squash(parts[-1]) in sections:
            title = title[: title.rfind(parts[-1])].rstrip(_STRIP)
        elif _is_site(parts[0], keys):
            title = title[title.find(parts[0]) + len(parts[0]):].lstrip(_STRIP)
        else:
            break
    return _MEDIA_TAG.sub("", title).strip()


_LABELS = {"opinion", "editorial", "analysis", "review", "commentary", "column", "exclusive", "live", "watch",
           "video", "podcast", "photos", "gallery", "explainer", "interview", "breaking", "update", "updated",
           "sponsored", "news"}


def _drop_labels(title: str) -> str:
    """``Opinion | Story``, ``Story | Editorial``: a genre label glued on with a separator."""
    parts = [p for p in _SEPARATORS.split(title) if p]
    if len(parts) < 2:
        return title
    if parts[0].strip().lower() in _LABELS:
        title = title[title.find(parts[0]) + len(parts[0]):].lstrip(_STRIP)
    if parts[-1].strip().lower() in _LABELS:
        title = title[: title.rfind(parts[-1])].rstrip(_STRIP)
    return title


def containment(a: str, b: str) -> float:
    """Share of the shorter text's words found in the longer one."""
    ta, tb = set(_tokens(a)), set(_tokens(b))
    if not ta or not tb:
        return 0.0
    return len(ta & tb) / min(len(ta), len(tb))


_FIGURE = re.compile(r"\d")


def _agreed(metas: list[str]) -> list[str]:
    """The metadata titles that another metadata title repeats word for word."""
    return [m for i, m in enumerate(metas) if any(squash(m) == squash(o) for j, o in enumerate(metas) if j != i)]


def _numbered(title: str, metas: list[str]) -> str:
    """A headline whose metadata titles agree on the same words plus figures (``8 Recent Trends``,
    ``Best Tutors 2025``): the list count or year the page shows apart from the heading."""
    words = _tokens(title)
    for m in _agreed(metas):
        tokens = _tokens(m)
        if len(tokens) > len(words) and {w for w in words if w.isdigit()} <= set(tokens) and \
                [w for w in tokens if not w.isdigit()] == [w for w in words if not w.isdigit()]:
            return m
    return title


def _complete(metas: list[str]) -> str:
    """The first metadata title, or the longer one it is a cut-off copy of (``… (Including``)."""
    first = metas[0]
    for m in metas[1:]:
        if len(m) > len(first) and m.startswith(first) and re.match(r" \w", m[len(first):]):
            return m
    return first


def _refine(h1: str, metas: list[str]) -> str:
    """An <h1> with a kicker or section glued on (``Opinion What I'll…``, ``Politics | Story``)
    gives way to the meta title it ends with."""
    for m in metas:
        prefix = h1[: -len(m)].strip() if m and h1.endswith(m) else ""
        if prefix and len(_tokens(prefix)) <= 4 and len(_tokens(m)) >= (2 if m in _agreed(metas) else 3) and \
                (not prefix.endswith(":") or len(_tokens(prefix)) == 1 and m in _agreed(metas)) and \
                not any(other.startswith(prefix + " ") for other in metas):
            return m  # a kicker: shown over the headline, in none of the page's titles
    for m in _agreed(metas):
        tail = h1[len(m):] if len(_tokens(m)) >= 4 and h1.startswith(m) else ""
        if tail[:1] == " " and _FIGURE.search(tail) and not _FIGURE.search(m):
            return m  # a byline's date or a comment count run into the heading
    parts = [p for p in _SEPARATORS.split(h1) if p]
    if len(parts) >= 2:
        for m in metas:
            if overlap(h1, m) >= 0.9:
                continue
            for part in parts:
                rest = len(_tokens(h1)) - len(_tokens(part))
                if overlap(part, m) >= 0.9 and len(_tokens(part)) >= 3 and rest <= 4:
                    return part
    return h1


def _declared_elsewhere(h1: str, metas: list[str]) -> bool:
    """Whether the page's metadata titles agree on a title (two sources give the same words) that
    shares at most a quarter of its words with the <h1>."""
    agreed = {squash(m) for i, m in enumerate(metas) if any(squash(m) == squash(o) for o in metas[i + 1:])}
    return bool(agreed) and all(containment(h1, m) <= 0.25 for m in metas)


_HEADLINE_WORDS = 35  # an <h1> longer than this is a paragraph set in a heading's type, not a headline


def pick_title(meta: PageMeta, fallback: str | None = None, domains: tuple[str, ...] = ()) -> str:
    """The visible headline (<h1>): the one that agrees with what the page's metadata calls its
    title, else the page's only or first long one; the cleaned metadata title when there is none."""
    names = meta.site_names
    keys = _site_keys(names, domains)
    sections = _sections(meta)
    metas = [_drop_labels(clean_title(t, names, domains, sections)) for t in
             (meta.headline, meta.og_title, meta.twitter_title, meta.html_title, fallback) if t]
    described = " ".join((meta.description or "").split())
    # the page's description put in a title tag: sentences, not a title
    metas = [m for m in metas if m and not _is_site(m, keys) and not (m == described and len(_tokens(m)) > 20)]
    h1s = []
    for h1 in meta.h1s:
        h1 = " ".join(html.unescape(h1).split()).rstrip("¶#🔗 ")
        if len(_tokens(h1)) >= 2 and len(_WORD.findall(h1)) <= _HEADLINE_WORDS and not _is_site(h1, keys) \
                and h1 not in h1s:
            h1s.append(h1)
    best, best_score = None, 0.0
    for h1 in h1s:
        if len(_tokens(h1)) < 3:
            continue
        score = max((containment(h1, m) + (0.01 if m.casefold().startswith(h1.casefold()) else 0.0)
                     for m in metas), default=0.0)  # of two headings a title holds, the one it opens with
        if score > best_score:
            best, best_score = h1, score
    if not (best and best_score >= 0.6):
        long = [h for h in h1s if len(_tokens(h)) >= 4]
        best = long[0] if long else (h1s[0] if len(h1s) == 1 and len(_tokens(h1s[0])) >= 3 else None)
        if best and len(metas) >= 2 and _declared_elsewhere(best, metas):
            best = None  # a site name, a menu, a section over the page: not its headline
    if best:
        title = _MEDIA_TAG.sub("", _drop_labels(clean_title(_refine(best, metas), names, domains, sections))).strip()
        title = _numbered(title, metas)
        if not re.search(f"[{_CJK}\uac00-\ud7af]", title):  # full-width signs belong to CJK text
            title = re.sub("[\uff01-\uff5e]", lambda c: chr(ord(c.group()) - 0xfee0), title)
        if title.isupper() or title.islower():  # set in capitals or small letters: the metadata's spelling
            same = [m[:len(title)] for m in metas if m[:len(title)].casefold() == title.casefold() and
                    (len(m) == len(title) or not m[len(title)].isalnum())]
            near = [m for m in metas if overlap(m, title) >= 0.85] if title.isupper() else []
            title = (same + near + [title])[0]
        return title
    if metas:  # a heading too short to be taken alone still shows where the title ends ("Coffee - Site")
        parts = [p.strip(_STRIP) for p in _SEPARATORS.split(metas[0]) if p.strip(_STRIP)]
        shown = {squash(h) for h in meta.h1s if h}
        for part in (parts[0], parts[-1]) if len(parts) >= 2 else ():
            if squash(part) in shown:
                return part
    return _complete(metas) if metas else ""


# -- dates --------------------------------------------------------------------------------------

def pick_published(meta: PageMeta, hints: dict[str, Any], url: str,
                   text_date: Any = None, shown: Any = None, near_headline: Any = None,
                   library: Any = None) -> tuple[str | None, str | None]:
    """The first date the page (or the feed or sitemap that listed it) states, as ISO 8601 UTC,
    with where it came from. ``text_date`` is a callable searched last (dates in the text); by
    default the vote of the three readings below (``text_date_vote``). ``shown`` and ``near_headline`` (callables: the date displayed with the story, the date
    written just under the headline) and ``library`` (htmldate's reading of the page) are the
    evidence the declared date is weighed against: a refreshed story shows its later date, and a
    date two readings of the page agree on beats a declared one nothing on the page repeats."""
    candidates = (
        (meta.published_ld, "json-ld"),
        (meta.published_meta, "meta"),
        (meta.published_time, "meta"),
        (meta.published_page, "json-ld"),
        (hints.get("published"), hints.get("published_source") or "feed"),
        (date_from_url(url), "url"),
    )
    readings = _Readings(shown, near_headline, library)
    for value, source in candidates:
        normalized = _plausible(normalize_date(value or ""))
        if normalized:
            if source in ("json-ld", "meta") and (shown is not None or near_headline is not None):
                return (_shown_instead(meta, normalized, readings) or _seen_instead(meta, normalized, url, readings)
                        or (normalized, source))
            return normalized, source
    if text_date is None and (shown is not None or near_headline is not None):
        def text_date() -> str | None:
            return text_date_vote(*(lambda name=name: (readings[name] or (None, None))[1]
                                    for name in ("headline", "shown", "library")))
    if text_date is not None:
        normalized = _plausible(normalize_date(text_date() or ""))
        if normalized:
            return normalized, "text"
    return None, None


class _Readings:
    """The dates the page shows, each read once and only when asked for: (day, value) or None."""

    def __init__(self, shown: Any = None, near_headline: Any = None, library: Any = None) -> None:
        self._sources = {"shown": shown, "headline": near_headline, "library": library}
        self._read: dict[str, tuple[str, str] | None] = {}

    def __getitem__(self, name: str) -> tuple[str, str] | None:
        if name not in self._read:
            source = self._sources.get(name)
            value = _plausible(normalize_date((source() if source is not None else None) or ""))
            self._read[name] = (value[:10], value) if value else None
        return self._read[name]

    def day(self, name: str) -> str | None:
        reading = self[name]
        return reading[0] if reading else None


def _same_day(a: str | None, b: str | None, slack: int = 1) -> bool:
    """Two ISO days at most ``slack`` apart (a UTC conversion moves a late-evening story by one)."""
    from datetime import date

    if not a or not b:
        return False
    try:
        return abs((date.fromisoformat(a[:10]) - date.fromisoformat(b[:10])).days) <= slack
    except ValueError:
        return False


def _seen_instead(meta: PageMeta, published: str, url: str, readings: _Readings) -> tuple[str, str] | None:
    """A date two readings of the page agree on (the date shown with the story, the one under the
    headline, htmldate's) when nothing shown on the page repeats the declared one: the declared
    date is then a template's or a re-save's, the shown one the story's."""
    shown, headline = readings.day("shown"), readings.day("headline")
    if not any(day and not _same_day(day, published) for day in (shown, headline)):
        return None
    others = [_plausible(normalize_date(v or "")) for v in (meta.published_ld, meta.published_meta,
                                                            meta.published_time)]
    support = [shown, headline, date_from_url(url)] + [o for o in others if o and o != published]
    if any(_same_day(published, day) for day in support):
        return None
    library = readings.day("library")  # a vote for a shown date only: it reads the declared one too
    for name in ("headline", "shown"):
        day = readings.day(name)
        if day and sum(_same_day(day, other) for other in (shown, headline, library)) >= 2:
            return readings[name][1], "text"
    return None


def _day(value: str | None) -> str | None:
    return (_plausible(normalize_date(value or "")) or "")[:10] or None


def text_date_vote(first: Any, second: Any, last: Any) -> str | None:
    """The date of a page that declares none, from three readings of its text (callables, most
    trusted first): when the first two disagree, the one the third agrees with, else the first.
    The third (the costly one) is read only to settle a disagreement or when the others are silent."""
    a, b = first(), second()
    day_a, day_b = _day(a), _day(b)
    if day_a and day_b and not _same_day(day_a, day_b):
        day_c = _day(last())
        return b if _same_day(day_b, day_c) and not _same_day(day_a, day_c) else a
    if day_a or day_b:
        return a if day_a else b
    return last()


def _page_node_published(nodes: list[dict]) -> str | None:
    """The datePublished of the page's WebPage node, when no article node dates the story (SEO
    plugins describe a post as a WebPage with its dates, and leave out the Article)."""
    if any(_types(n) & ARTICLE_TYPES for n in nodes):
        return None
    page = next((n for n in nodes if "webpage" in _types(n) and _text(n.get("datePublished"))), None)
    return _text(page.get("datePublished")) if page is not None else None


_DATE_CLASS = re.compile(r"(^|[\s_-])(date|dateline|published|publish-?date|post-?date|pubdate|timestamp|posted-?on|"
                         r"entry-date|article-date|byline-date|story-date|date-?posted)([\s_-]|$)", re.I)
_DATE_PREFIX = re.compile(r"^(published|posted|first\s+published|date)\s*(on|:)?\s*", re.I)


def visible_date(tree) -> str | None:
    """The date shown near the story: the first <time datetime>, else the first element named
    like a publication date whose text is a date (never an "updated" one)."""
    skip = "ancestor::aside|ancestor::footer|ancestor::nav|ancestor::figure"
    lang = _first(tree, "/html/@lang")
    english = _month_first(lang)
    for el in tree.xpath("//time[@datetime]")[:10]:
        if el.xpath(skip) or re.search(r"updat|modif", f'{el.get("class", "")} {el.get("itemprop", "")}', re.I) \
                or _labelled_update(el):
            continue
        text = " ".join(" ".join(el.itertext()).split())
        updated = re.search(r"(last\s+)?updated", text, re.I)
        if updated:
            # "Posted: Dec 22, 2023 | Last Updated: January 2": the datetime is the update's
            before = _DATE_PREFIX.sub("", text[:updated.start()].strip(" |·•,;-–—"))
            if before and normalize_date(before):
                return before
            continue
        if normalize_date(el.get("datetime")):
            return el.get("datetime")
    for el in tree.xpath("//*[@class or @id]"):
        name = f'{el.get("class", "")} {el.get("id", "")}'
        if not _DATE_CLASS.search(name) or re.search(r"updat|modif", name, re.I) or el.xpath(skip):
            continue
        text = ascii_digits(" ".join(" ".join(el.itertext()).split()))
        if not text or len(text) > 60 or not _YEAR.search(text) or re.search(r"updat", text, re.I):
            continue
        value = _DATE_PREFIX.sub("", text)
        written = _written_date(value, month_first=english, lang=lang)
        if written:
            return written
    return None


_DOTTED = re.compile(r"(?<![\d.])(\d{1,2})\.\s?(\d{1,2})\.\s?((?:19|20)\d\d)(?![\d.])")
# decimal digits of other scripts (Arabic-Indic, Persian, Devanagari, Bengali, Thai, full-width) as ASCII
_DIGITS = {zero + i: str(i) for zero in (0x660, 0x6F0, 0x966, 0x9E6, 0xE50, 0xFF10) for i in range(10)}
_YEAR = re.compile(r"(?<!\d)(19|20)\d\d(?!\d)")
# a day, a month written as a word and a year, in either order, as most languages write them
# ("3 марта 2025 г.", "3 de marzo de 2025", "3 ottobre 2025", "Μαρτίου 3, 2025")
_WORD_MONTH = re.compile(r"(?<!\d)(?:\d{1,2}\.?\s*(?:de\s+)?[^\W\d_][^\s\d,.]{2,}\.?,?\s*(?:de\s+)?|"
                         r"[^\W\d_][^\s\d,.]{2,}\.?\s+\d{1,2},?\s+)(?:19|20)\d\d(?!\d)")
_NUMERIC = re.compile(r"(?<![\d/])(\d{1,2})/(\d{1,2})/((?:19|20)\d\d)(?![\d/])")
WORD_MONTH_LANGUAGES = ("ru", "uk", "es", "pt", "it", "fr", "de", "nl", "pl", "cs", "el", "tr", "ar", "hi", "id", "vi",
                        "ro", "hu", "sv", "nb", "da", "fi")
_DAY_FIRST_ENGLISH = ("en-gb", "en-au", "en-nz", "en-ie", "en-in", "en-za", "en-pk", "en-ng", "en-ke", "en-sg")


def _month_first(lang: str | None) -> bool:
    """American English writes a numeric date month first ("09/10/2024" is September 10); the
    rest of the world, British and Commonwealth English included, day first."""
    lang = (lang or "en").lower().replace("_", "-")
    return lang.startswith("en") and not lang.startswith(_DAY_FIRST_ENGLISH)


def _month_first_date(text: str) -> str | None:
    """A slashed date read month first ("09/10/2024"), unless its first number is no month."""
    from datetime import date

    match = _NUMERIC.search(text)
    if not match:
        return None
    a, b, year = int(match.group(1)), int(match.group(2)), int(match.group(3))
    month, day = (a, b) if a <= 12 else (b, a)
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        return None


def ascii_digits(text: str) -> str:
    return text.translate(_DIGITS)


def _word_month_date(text: str, lang: str | None = None) -> str | None:
    """A date whose month is a word in a language htmldate does not read (Russian, Arabic,
    Spanish, Italian, Greek, Polish, Hindi...), by dateparser (htmldate's own dependency), in
    the page's language when it declares one."""
    match = _WORD_MONTH.search(text)
    if not match:
        return None
    from dateparser import parse

    # the page's language, then the languages whose month names htmldate lacks (not dateparser's
    # detection across all its locales: ~0.3 s a call)
    declared = lang.split("-")[0].lower() if lang and lang[:2].isalpha() else None
    settings = {"PREFER_DAY_OF_MONTH": "first", "REQUIRE_PARTS": ["day", "month", "year"], "STRICT_PARSING": True}
    tries = [[declared]] if declared else []
    if declared not in WORD_MONTH_LANGUAGES:
        tries.append(list(WORD_MONTH_LANGUAGES))
    for langs in tries:
        try:
            found = parse(match.group(0).rstrip(",. "), languages=langs, settings=settings)
        except Exception:
            found = None
        if found:
            return found.strftime("%Y-%m-%d")
    return None


def _written_date(text: str, month_first: bool = False, lang: str | None = None) -> str | None:
    """The day a short text writes in full (day, month and year), as ISO, in the languages htmldate
    reads ("3. März 2025", "29 juin 2019"); a dotted numeric date is day first ("12.11.2025"),
    except on English pages (American ones write "09.10.2024" for September 10)."""
    from datetime import datetime, timedelta

    from htmldate.extractors import custom_parse

    text = ascii_digits(text or "")
    if not text or len(text) > 80 or not _YEAR.search(text) or len(re.findall(r"\d+", text)) < 2:
        return None  # a month and a year ("April 2024") name no day
    dotted = None if month_first else _DOTTED.search(text)
    if dotted:
        try:
            return datetime(int(dotted.group(3)), int(dotted.group(2)), int(dotted.group(1))).strftime("%Y-%m-%d")
        except ValueError:
            return None
    cjk = _CJK_DATE.search(text)
    if cjk:
        return f"{cjk.group(1)}-{int(cjk.group(2)):02d}-{int(cjk.group(3)):02d}"
    if normalize_date(text):
        return text
    return (custom_parse(text, "%Y-%m-%d", datetime(1995, 1, 1), datetime.now() + timedelta(days=1))
            or _word_month_date(text, lang))


def _labelled_update(el) -> bool:
    """A <time> inside a container named for an update ("updated_at", "modified-date")."""
    return any(re.search(r"updat|modif", f'{parent.get("class", "")} {parent.get("id", "")}', re.I)
               for parent in el.xpath("ancestor::*[position() <= 2]"))


# "updated" as pages write it, in the languages of the web: a date after one is not the story's first
_UPDATED = re.compile(r"updat|modif|aktualisiert|geändert|mis\s+à\s+jour|actualiz|aggiornat|atualizad|bijgewerkt|"
                      r"oppdatert|uppdaterad|opdateret|päivitetty|zaktualizowan|aktualizov|frissítve|güncellen|"
                      r"обновлен|оновлен|更新|업데이트|수정", re.I)
_CJK_DATE = re.compile(r"((?:19|20)\d\d)\s*[年년.]\s*(\d{1,2})\s*[月월.]\s*(\d{1,2})\s*[日일]?")
_TEXT_AFTER_HEADLINE = 300  # characters of text read after the headline: the byline and dateline sit there


def headline_date(tree) -> str | None:
    """The date written in the lines just after the headline (the dateline beside the byline,
    with no date markup), as ISO; never one labelled as an update."""
    from datetime import datetime, timedelta

    from htmldate.extractors import custom_parse

    latest = datetime.now() + timedelta(days=1)
    lang = _first(tree, "/html/@lang")
    month_first = (lang or "").lower().replace("_", "-").startswith("en-us")  # a bare "en" is British as often
    for h1 in tree.xpath("//h1")[:2]:
        read, previous = 0, ""
        for node in h1.xpath("following::text()[not(ancestor::script or ancestor::style or ancestor::noscript)]")[:60]:
            text = ascii_digits(" ".join(str(node).split()))
            if not text:
                continue
            read += len(text)
            if read > _TEXT_AFTER_HEADLINE:
                break
            # a day, a month and a year ("4 Feb 2025", "12.12.2025"), never a year alone
            if len(text) <= 80 and _YEAR.search(text) and len(re.findall(r"\d+", text)) >= 2 and \
                    not _UPDATED.search(previous + " " + text):
                cjk = _CJK_DATE.search(text)
                found = (f"{cjk.group(1)}-{int(cjk.group(2)):02d}-{int(cjk.group(3)):02d}" if cjk else
                         (month_first and _month_first_date(text))
                         or custom_parse(text, "%Y-%m-%d", datetime(1995, 1, 1), latest)
                         or _word_month_date(text, lang))
                if found and normalize_date(found):
                    return found
            previous = text[-40:]
    return None


def _shown_instead(meta: PageMeta, published: str, readings: _Readings) -> tuple[str, str] | None:
    """A later date the page also declares (modified, a second published tag) when it is the
    one displayed with the story (or written under its headline) and the declared one is not."""
    later = {}
    for value in (meta.modified, meta.published_meta, meta.published_time):
        normalized = _plausible(normalize_date(value or ""))
        if normalized and normalized[:10] > published[:10]:
            later.setdefault(normalized[:10], normalized)
    if not later:
        return None
    shown, headline = readings.day("shown"), readings.day("headline")
    if _same_day(shown, published) or _same_day(headline, published):
        return None
    for day in (shown, headline):
        if day in later:
            return later[day], "text"
    return None


def pick_modified(meta: PageMeta, hints: dict[str, Any]) -> str | None:
    return _plausible(normalize_date(meta.modified or "")) or _plausible(normalize_date(hints.get("updated") or ""))


def _plausible(value: str | None) -> str | None:
    from datetime import datetime, timedelta, timezone

    if not value:
        return None
    tomorrow = (datetime.now(timezone.utc) + timedelta(days=1)).strftime("%Y-%m-%d")
    return value if value[:10] <= tomorrow else None


# -- authors ------------------------------------------------------------------------------------

_BYLINE_PREFIX = re.compile(
    r"^(?:(?:view\s+all\s+posts|all\s+posts|more\s+stories|articles|posts|stories)\s+by|written\s+by|words\s+by|author|"
    r"posted\s+by|reported\s+by|story\s+by|by|from|von|par|por|por:|de|af|av|door|tekst|texto|text|teksti|"
    r"(?-i:di)(?=\s+\S+\s+\S))\s*[:\-–—]?\s+", re.I)
_NOT_A_NAME = re.compile(
    r"\b(staff|team|editors?|editorial|desk|newsroom|reports?|reporters?|correspondents?|contributors?|admin|"
    r"administrator|guest|published|updated|posted|copied|share|follow|subscribe|comments?|kommentare?|"
    r"commentaires?|comentarios?|says|said|wrote|minutes?|read|"
    r"sponsored|partner|brandroom|company|inc|llc|ltd|news\s+service|wire|bureau|view|edit|profile|articles|posts|"
    r"stories|login|log\s+in|sign|account|more|about|this|e-?mail|bio|home|menu|redazione|redaktion|rédaction|"
    r"redacción|redação|redactie)\b", re.I)
_STAFF = re.compile(r"\b(staff|team|desk|newsroom|editors|editorial\s+board|staff\s+reports?|redazione|redaktion|"
                    r"rédaction|redacción|redação|redactie)\b", re.I)
# two-letter degrees are also surnames ("Rui Ma"): without a comma they go only when in capitals
_CREDENTIALS = re.compile(r"((,\s*|\s+)(ph\.?d|m\.d|msc|mba|mph|rdn|cdces|cpt|cscs|dvm|esq|pa-c|facs|faap)\.?|"
                          r",\s*(md|ms|ma|rd|ld|rn|jd|np)\.?|\s+(?-i:MD|MS|MA|RD|LD|RN|JD|NP)\.?)+$", re.I)
_TRAILING = re.compile(r"\s*(\||•|·|—|–|\s-\s).*$")
_DATEISH = re.compile(r"\b(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+\d{1,2}(st|nd|rd|th)?\b.*$|\b\d{1,2}/\d{1,2}/\d{2,4}\b.*$|"
                      r"\b(updated|published|posted)\b.*$|"
                      r"\son\s+(mon|tues?|wed(nes)?|thu(rs)?|fri|sat(ur)?|sun)(day)?\b.*$", re.I)
_ROLE = re.compile(r"(^|,?\s+)((senior|chief|staff|contributing|executive|managing|deputy|associate|assistant|"
                   r"national|political|business|sports|tech|technology|science|health|crime|news|features|"
                   r"freelance|guest|port|city|local)\s+)*(columnist|writer|editor|reporter|correspondent|contributor|"
                   r"analyst|critic|producer|photographer|author)s?$|"
                   r"\s*(?:선임|수석|객원|전문)?(?:기자|특파원|논설위원|편집위원)$|\s*(?:記者|记者|特派員|编辑|編集委員)$", re.I)
_AGENCY_SUFFIX = re.compile(r"(?<=\w)\s*,?\s+(the\s+)?(associated\s+press|reuters|afp|bloomberg|usa\s+today(\s+network)?)$", re.I)
# Wire services: credited on copy they supply, but not people.
# News agencies and wire services, as bylines name them (one vocabulary for every credit rule)
WIRE_NAMES = (r"associated\s+press", "ap", "afp", r"agence\s+france[- ]presse", "reuters", "ani", "pti", "ians", "upi",
              "dpa", "efe", "ansa", r"canadian\s+press", r"press\s+association", r"pa\s+media", r"bloomberg(\s+news)?",
              "xinhua", r"kyodo(\s+news)?", "tass", "aap", "ntb", "tt", "sda", "apa", "epd", "kna", "yonhap", "jiji",
              r"cnn\s+wire", r"news\s+agencies", "agencies", r"wire\s+services?")
_WIRE = re.compile(r"^(the\s+)?(" + "|".join(WIRE_NAMES) + r")(\s+staff)?\.?$", re.I)


def clean_name(value: str) -> str | None:
    """A person's name out of a byline string, or None when it is not one."""
    name = " ".join(html.unescape(value or "").split())
    name = re.sub(r"https?://\S+|\S+@\S+\.\S+|@\w+", " ", name)
    name = re.sub(r"\([^()]*\)|\[[^\[\]]*\]", " ", name)
    name = re.sub(r"\b(link\s+copied|copy\s+link|follow|author\s+profile|contact)\b.*$", "", name, flags=re.I)
    for _ in range(2):
        name = _BYLINE_PREFIX.sub("", name.strip(" -–—:|•,"))
    name = _DATEISH.sub("", name)
    name = _TRAILING.sub("", name)
    name = _ROLE.sub("", name.strip(" ,/"))
    without_agency = _AGENCY_SUFFIX.sub("", name)
    if len(without_agency.split()) >= 2:
        name = without_agency
    words = name.split()
    if len(words) >= 4 and len(words) % 2 == 0 and words[: len(words) // 2] == words[len(words) // 2:]:
        name = " ".join(words[: len(words) // 2])  # "Associated Press Associated Press"
    name = _CREDENTIALS.sub("", name.strip(" ,"))
    name = " ".join(name.split()).strip(" ,;:-–—|•")
    name = re.sub(r"\s+(the|a|an)$", "", name, flags=re.I)  # the next sentence's first word
    if not name or len(name) > 50 or re.search(r"[\d*@#<>{}=]", name):
        return None
    words = name.split()
    if len(words) > 5:
        return None
    if len(words) == 1:
        token = words[0]
        if re.search(r"[._]", token.rstrip(".")) or token.islower():
            return None  # a user name ("heather.eastman.1232"), not a name
    if _NOT_A_NAME.search(name):
        return None
    if not any(c.isupper() for c in name):
        return None
    return name


# A part of a credit list that is a degree or a post-nominal ("DVM", "FACLM", "Ph.D.", "M.A.",
# "VTS (Behavior)"), not a second person
_POST_NOMINAL = re.compile(r"(?:(?:[A-Z]{2,6}|[A-Z][a-z]?\.(?:[A-Z][a-z]?\.)+|Ph\.?D\.?|M\.?Sc\.?)(?:\s*\([^()]*\))?\s*)+")
# footnote marks tying a name to an affiliation ("Jane Doe 1", "Jane Doe1,2", "Jane Doe*")
_AFFILIATION_MARK = re.compile(r"(?:^|(?<=\s))([^\W\d_][^\W\d_'’.-]+)\s*(?:\d{1,2}(?:\s*,\s*\d{1,2})*|[*†‡§¹²³⁴⁵⁶⁷⁸⁹⁰]+)\s*(?=,|;|$)")


def _drop_affiliation_marks(value: str) -> str:
    return _AFFILIATION_MARK.sub(lambda m: m.group(0) if _MONTHS_DAYS.fullmatch(m.group(1)) or m.group(1).islower()
                                 else m.group(1), value)


def split_names(value: str) -> list[str]:
    value = re.sub(r",?\s*\+\s*\d+\s+more\b.*$", "", value or "", flags=re.I)
    value = _BYLINE_PREFIX.sub("", " ".join(value.split()).strip(" -–—:|•"))
    value = _drop_affiliation_marks(value)
    parts = re.split(r"\s*(?:;|\||\s&\s|\band\b|\bund\b|\bet\b|\by\b|,(?!\s*(?:jr|sr|ph\.?d|md|ii|iii)\b))\s*", value,
                     flags=re.I)
    parts = [p.strip() for p in parts if p and p.strip()]
    return parts[:1] + [p for p in parts[1:] if not _POST_NOMINAL.fullmatch(p) or _WIRE.match(p)]


def _is_site_name(name: str, keys: set[str]) -> bool:
    squashed = squash(name)
    words = {squash(w) for w in name.split()}
    return any(squashed == k or k in words or (len(k) > 3 and k in squashed) or (len(squashed) > 3 and squashed in k)
               for k in keys)


def _owners(site_names: set[str]) -> set[str]:
    """Whose site it is, when its name says so (``Daniel Lemire's blog``)."""
    return {squash(m.group(1)) for n in site_names if (m := re.match(r"^(\w[\w.' -]+?)['’]s\s+\w", n))}


def _names(values: list[str], keys: set[str], owners: set[str] = frozenset()) -> list[str]:
    names: list[str] = []
    for value in values:
        for part in split_names(value):
            name = clean_name(part)
            if name and not _WIRE.match(name) and (squash(name) in owners or not _is_site_name(name, keys)) \
                    and name not in names:
                names.append(name)
    return names


_BYLINE_XPATH = (
    '//*[@rel="author" or @itemprop="author" or re:test(@class, "author|byline|writer|contributor|authname", "i") or '
    're:test(@id, "author|byline", "i") or re:test(@data-testid, "author|byline", "i")] | '
    '//a[re:test(@href, "/(author|authors|writer|writers|staff|bios?|by|contributors?|journalists?|reporters?|'
    'columnists?)/[^/?#]+", "i")]'
)
_REGEX_NS = {"re": "http://exslt.org/regular-expressions"}
_SCRIPT_AUTHOR = re.compile(r"""["']?\bauthors?["']?\s*[:=]\s*["']([A-Z][^"'<>{}\[\]]{2,60})["']""")


def _element_text(el) -> str:
    return " ".join(" ".join(el.itertext()).split())


def _shown_length(el) -> int:
    return len(" ".join(" ".join(el.xpath(".//text()[not(ancestor::style or ancestor::script)]")).split()))


_INLINE = ("a", "span", "em", "i", "small", "strong", "b", "cite", "font")


def _photo_credit(el) -> bool:
    """A "By …" link that credits a picture: it sits in a short caption (mostly other text) right
    beside an image. A byline block, with or without its author's avatar, is not one."""
    if el.tag not in _INLINE:
        return False
    caption = el.getparent()
    while caption is not None and caption.tag in _INLINE:
        caption = caption.getparent()
    if caption is None or caption.tag in ("body", "article", "main", "header") or caption.xpath(".//img|.//picture"):
        return False
    size = _shown_length(caption)
    if not (120 <= size <= 600 and _shown_length(el) < 0.3 * size):
        return False
    block = caption.getparent()
    for _ in range(2):
        if block is None or block.tag in ("body", "article", "main", "header") or block.xpath(".//h1"):
            return False
        if block.xpath(".//img|.//picture"):
            return True
        block = block.getparent()
    return False


def _first_name_part(el) -> str:
    """A byline element's text; when it sets the name apart from the rest (``<span>Jane Doe</span>
    <span>Senior Analyst</span>``, a date, a label), the first of its parts that is a name. The
    tags and categories it links to are not part of it."""
    nodes = el.xpath(".//text()[not(ancestor::script or ancestor::style)]")
    if el.xpath(".//a[@href]"):
        nodes = [x for x in nodes if not _files_the_story(_holder(x, el), el)]
    texts = [" ".join(str(x).split()) for x in nodes]
    whole = " ".join(" ".join(texts).split())
    parts = [t for t in texts if t and not _LABEL_ALONE.fullmatch(t)]
    if len(parts) < 2:
        return whole
    return next((p for p in parts if 2 <= len(p.split()) <= 4 and clean_name(p) == p), whole)


# A byline's link or part that files the story rather than credits it: a tag, category, topic or
# section page ("/tag/personal-finance", "?content_topic=9", class "byline__category")
_TAXONOMY_HREF = re.compile(r"(?:^|[/?&_-])(?:tags?|tagged|categor(?:y|ies)|topics?|sections?|kategorien?|schlagworte?|"
                            r"themen?|rubri[kq]\w*|categorias?|categorie|etiquetas?|temas?|emne)(?:[/=]|$)", re.I)
_TAXONOMY_CLASS = re.compile(r"(?:^|[_-])(?:tags?|categor(?:y|ies)|topics?)(?=\s|$)", re.I)
_MONTHS_DAYS = re.compile(r"\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec|mon|tue|tues|wed|thu|thur|thurs|"
                          r"fri|sat|sun)[a-z]*\.?(?=\W|$)|\b(?:am|pm|at|on|um|le|el)\b", re.I)


def _files_the_story(el, within) -> bool:
    """A tag, category or section link (or its wrapper up to ``within``) inside a byline."""
    node = el
    while node is not None:
        if _TAXONOMY_HREF.search(node.get("href") or "") or _TAXONOMY_CLASS.search(node.get("class") or ""):
            return True
        if node is within:
            break
        node = node.getparent()
    return False


def filed_under(tree) -> set[str]:
    """The texts of the page's tag, category and topic links, squashed: names no credit can have."""
    return {squash(_element_text(a)) for a in tree.xpath("//a[@href]") if _TAXONOMY_HREF.search(a.get("href"))} - {""}


def _holder(node, within):
    """The element a text node sits in (a tail sits in its element's parent)."""
    holder = node.getparent().getparent() if node.is_tail else node.getparent()
    return within if holder is None else holder


def _is_date_text(text: str) -> bool:
    """"Sat, 20 Dec, 2025 - 06:36": a date (a year, with month or day names and numbers only)."""
    return bool(re.search(r"\b(?:19|20)\d\d\b", text)) and not re.sub(r"[\d\W_]+", "", _MONTHS_DAYS.sub(" ", text))


def visible_bylines(tree, limit: int = 12) -> list[str]:
    """Texts of the page's byline elements, in document order (the story's own come first): the
    author links inside a byline when it has them, else its text; tags, sections and dates in
    byline markup left out."""
    try:
        found = tree.xpath(_BYLINE_XPATH, namespaces=_REGEX_NS)
    except Exception:  # lxml without EXSLT regular expressions: the plain selectors still work
        found = tree.xpath('//*[@rel="author" or @itemprop="author"]')
    texts: list[str] = []
    for el in found[: limit * 6]:
        if el.tag in ("meta", "link", "script", "style", "body", "html", "main", "article") or \
                el.xpath("ancestor::aside|ancestor::footer|ancestor::nav|ancestor::form|ancestor::figure") or \
                _photo_credit(el):
            continue
        if _files_the_story(el, el):
            continue
        links = [_element_text(a) for a in el.xpath(".//a[@href]") if not _files_the_story(a, el)] \
            if el.tag != "a" else []
        candidates = [t for t in links if t] or [_first_name_part(el)]
        for text in candidates:
            if text and len(text) <= 200 and text not in texts and not _is_date_text(text):
                texts.append(text)
        if len(texts) >= limit:
            break
    shown = headline_byline(tree) or (None if texts else card_byline(tree))
    if shown and shown not in texts:
        texts.append(shown)
    return texts


_NOT_NAME_WORD = (r"(?!(?i:(?:jan|feb|mar|apr|may|june?|july?|aug|sept?|oct|nov|dec)[a-z]*\.?\s+\d|"
                  r"(?:special|updated|published|posted|staff|on|for|in|at)\b))")
_TEXT_BYLINE = re.compile(r"(?:^|[\s|])(?:by|By|BY):?\s+([A-Z][\w'’.-]+(?:\s+" + _NOT_NAME_WORD + r"[A-Z][\w'’.-]+){1,3})")
_EMBEDDED_AUTHOR = re.compile(r'"authors?"\s*:\s*\[?\s*(?:\{[^{}]{0,200}?"name"\s*:\s*"([^"]{3,60})"|"([^"]{3,60})")')


def headline_byline(tree) -> str | None:
    """"by Jane Doe" written in the text just after the headline (no byline markup): behind a
    byline word in its own element first (the element ends the name), else in the running text."""
    labelled = labelled_byline(tree)
    if labelled:
        return labelled
    for h1 in tree.xpath("//h1")[:2]:
        parent = h1.getparent()
        if parent is None:
            continue
        text = " ".join(" ".join(parent.itertext()).split())
        head = " ".join(" ".join(h1.itertext()).split())
        after = text[text.find(head) + len(head):][:300] if head and head in text else ""
        match = _TEXT_BYLINE.search(after)
        if match:
            return match.group(1)
    return None


# The words that introduce a byline, in the languages of the web ("By", "Von", "Par", "Door", "Av" ...)
_CREDIT_LABEL = (r"(?:(?:written|words|story|reported|text|posted)\s+by|by|von|(?:text|geschrieben)\s+von|"
                 r"(?:[ée]crit\s+)?par|(?:escrito\s+)?por|texto|(?:scritto\s+)?da|di|a\s+cura\s+di|(?:geschreven\s+)?door|"
                 r"(?:skrevet\s+|skriven\s+)?av|(?:skrevet\s+)?af|kirjoittanut|teksti|autor(?:ka)?|auteur|autore|author|"
                 r"tekst|napisa[łl]|yazan|автор|текст|作者|文|記者|记者|글|기자)")
_LABEL_ALONE = re.compile(rf"{_CREDIT_LABEL}\s*[:：]?", re.I)
_LABEL_AND_NAME = re.compile(rf"{_CREDIT_LABEL}(?:\s*[:：・/／]\s*|\s+)(\S.{{1,58}})", re.I)
# a Korean or Japanese byline puts the title after the name ("홍길동 기자", "山田太郎記者")
_NAME_THEN_TITLE = re.compile(r"([\uac00-\ud7a3]{2,5}|[\u4e00-\u9fff]{2,5})\s*(?:선임|수석|객원|전문)?(?:기자|특파원|記者|记者)"
                              r"(?:\s*[\w.+-]+@[\w.-]+)?")


def labelled_byline(tree, reach: int = 600) -> str | None:
    """A credit written in the lines after the headline behind a byline word, with no byline
    markup: "By" then "Jane Doe" in the next element, or "Written by Jane Doe" in one; ``reach``
    characters of text are read (a standfirst may come first)."""
    for h1 in tree.xpath("//h1")[:2]:
        read, labelled = 0, False
        for node in h1.xpath("following::text()[not(ancestor::script or ancestor::style or ancestor::noscript)]")[:40]:
            text = " ".join(str(node).split())
            if not text:
                continue
            read += len(text)
            if read > reach:
                break
            if labelled and len(text) <= 60:
                return text
            labelled = bool(_LABEL_ALONE.fullmatch(text))
            match = None if labelled else _LABEL_AND_NAME.fullmatch(text)
            if match and all(len(p.split()) <= 4 for p in split_names(match.group(1))):  # more: a name run into words
                return match.group(1)
            titled = _NAME_THEN_TITLE.fullmatch(text)
            if titled:
                return titled.group(1)
    return None


# Labels that credit whatever follows them wherever they stand (a card under the story, an "Author"
# heading in a facts box): explicit words only, not a bare "by" that also sits in comments and captions
_CARD_LABEL = re.compile(
    r"(?:(?:written|article|words|story|text)\s+by|about\s+the\s+authors?|authors?|author\s*\(s\)|contributors?|"
    r"geschrieben\s+von|verfasst\s+von|verfasser(?:in)?|autor(?:in|es|ka|ze)?|auteur(?:e|s)?|[ée]crit\s+par|"
    r"escrito\s+por|autore|autori|scritto\s+da|auteur|geschreven\s+door|skrevet\s+a[vf]|skriven\s+av|forfatter|"
    r"författare|kirjoittaja|作者|著者|執筆者?|筆者|글쓴이|저자|작성자)\s*[:：]?", re.I)
_CARD_CREDIT = re.compile(
    r"(?:written|article|words)\s+by|geschrieben\s+von|verfasst\s+von|[ée]crit\s+par|escrito\s+por|scritto\s+da|"
    r"geschreven\s+door|skrevet\s+a[vf]|skriven\s+av", re.I)
_CARD_CREDIT_AND_NAME = re.compile(rf"(?:{_CARD_CREDIT.pattern})\s*[:：]?\s+(\S.{{1,58}})", re.I)
_NOT_THE_STORYS = re.compile(r"(?:^|[\s_-])(?:comments?|commentlist|replies|reply|respond|related|recommend\w*|popular|"
                             r"trending|more-from|read-next|up-next)(?=$|[\s_-])", re.I)


def card_byline(tree, scan: int = 4000) -> str | None:
    """The first credit a page gives behind an explicit label anywhere in its text ("Author" above
    the name in a facts box, "Written by Jane Doe" in a card after the story), for pages whose
    headline has no byline; comments, related stories and navigation left out. ``scan``: text
    nodes read."""
    nodes = tree.xpath("//body//text()[not(ancestor::script or ancestor::style or ancestor::noscript or "
                       "ancestor::nav or ancestor::form or ancestor::select or ancestor::button)]")[:scan]
    for i, node in enumerate(nodes):
        text = " ".join(str(node).split())
        if not text or len(text) > 70:
            continue
        if text[0].islower():
            continue  # "Jane Doe, author": a role after a name, not a label
        match = _CARD_CREDIT_AND_NAME.fullmatch(text)
        name = match.group(1) if match and len(match.group(1).split()) <= 4 else None
        if name is None and _CARD_LABEL.fullmatch(text):
            name = next((t for t in (" ".join(str(n).split()) for n in nodes[i + 1:i + 4])
                         if t and not re.fullmatch(r"[A-Z]{1,3}", t)), None)  # an avatar's initials go first
            name = name if name and len(name) <= 60 and not _CARD_LABEL.fullmatch(name) else None
        if name and not _in_other_content(_holder(node, node.getparent())):
            return name
    return None


def _in_other_content(el) -> bool:
    for node in [el, *el.iterancestors()]:
        if node.tag in ("aside", "footer") and node.xpath(".//h1"):
            return False
        if _NOT_THE_STORYS.search(f'{node.get("class") or ""} {node.get("id") or ""}'):
            return True
    return False


def script_authors(tree, text: str = "") -> list[str]:
    """``author: "Jane Doe"`` in the page's inline scripts (analytics configs) and embedded JSON
    data: a last resort."""
    found = []
    for script in tree.xpath('//script[not(@type="application/ld+json")]/text()'):
        for match in _SCRIPT_AUTHOR.finditer(script[:20000]):
            if match.group(1) not in found:
                found.append(match.group(1))
    if not found and text:
        match = _EMBEDDED_AUTHOR.search(html.unescape(text) if "&quot;" in text else text)
        name = match and (match.group(1) or match.group(2))
        if name and not name.isupper():
            found.append(name)
    return found[:3]


def pick_authors(meta: PageMeta, domains: tuple[str, ...] = (), bylines: Any = None,
                 scripts: Any = None) -> list[str]:
    """Names of the people who wrote the story: JSON-LD people first, then meta tags, then the
    visible byline (``bylines``: a callable, read only when needed), then a credited agency, then
    names in the page's scripts (``scripts``: a callable)."""
    keys = _site_keys(meta.site_names, domains)
    owners = _owners(meta.site_names)
    people = _names([n for n, kind in meta.ld_authors if kind in ("person", "")], keys, owners)
    if people and not meta.ld_authors_by_ref:
        return people
    from_meta = _names([a for a in meta.meta_authors if not a.startswith("http")], keys, owners)
    if from_meta or people:
        return from_meta or people
    if any(_STAFF.search(n) for n, _ in meta.ld_authors) or any(_STAFF.search(a) for a in meta.meta_authors):
        return []  # the page credits its staff, not a person: a byline further down is someone else's
    if bylines is not None:
        for text in bylines():
            names = [n for n in _names([text], keys, owners) if len(n.split()) >= 2]
            if names:
                return names
    if any(_WIRE.match(n.strip()) for n, _ in meta.ld_authors) or any(_WIRE.match(a) for a in meta.meta_authors):
        return []  # wire copy: the agency is credited, no person
    if scripts is not None:
        return [n for n in _names(scripts(), keys, owners) if len(n.split()) >= 2][:3]
    return []
