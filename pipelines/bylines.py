"""Credits the page shows its readers: byline markup, the line under the headline, a labelled
credit ("Written by", "Autor", "作者"), a card's data pair, and names in the page's scripts."""

from __future__ import annotations

import html
import re

from pipelines.metadata import squash
from pipelines.names import MONTHS_DAYS, clean_name, split_names

# byline markup in English and the class names and author-page paths of other languages
# ("autor", "auteur", "forfatter", "verfasser", "/autoren/…", "/skribent/…"); "author" not the start
# of "authorization", "authorize" or "authority" (a payment feature, a form, an agency)
_AUTHOR_WORD = "author(?!i[stz])"
_BYLINE_CLASS = re.compile(f"{_AUTHOR_WORD}|byline|writer|contributor|authname|autor|auteur|forfatter|verfasser", re.I)
_BYLINE_ID = re.compile(f"{_AUTHOR_WORD}|byline|autor", re.I)
_BYLINE_TESTID = re.compile(f"{_AUTHOR_WORD}|byline", re.I)
_AUTHOR_HREF = re.compile(r"/(author|authors|writer|writers|staff|bios?|by|contributors?|journalists?|reporters?|"
                          r"columnists?|autor|autores|autoren|autorin|autore|autori|auteurs?|forfattere?|skribent(er)?|"
                          r"journalisten|redakteur(e|in)?|redaktor)/[^/?#]+", re.I)
_ANY_BYLINE_WORD = re.compile("author|byline|writer|contributor|authname|autor|auteur|forfatter|verfasser", re.I)
_WITH_ATTRIBUTES = "//*[@class or @id or @data-testid or @rel or @itemprop or self::a[@href]]"


def byline_markup(tree) -> list:
    """The page's byline elements in document order: rel/itemprop author, a class, id or test id
    naming an author or byline, and links to an author's page. (Tested in Python: EXSLT regular
    expressions in the XPath cost a callback for every element, twice the time.)"""
    found = []
    for el in tree.xpath(_WITH_ATTRIBUTES):
        get = el.get
        cls, id_, testid = get("class") or "", get("id") or "", get("data-testid") or ""
        if get("rel") == "author" or get("itemprop") == "author" or (
                _ANY_BYLINE_WORD.search(f"{cls} {id_} {testid}") and (
                    _BYLINE_CLASS.search(cls) or _BYLINE_ID.search(id_) or _BYLINE_TESTID.search(testid))) or \
                (el.tag == "a" and _AUTHOR_HREF.search(get("href") or "")):
            found.append(el)
    return found


# byline markup in a sidebar, footer, menu, form, figure or quotation is another's credit; such an
# element that holds the headline is no sidebar but a wrapper of the whole page (an ASP.NET page's
# <form>, a <nav> left unclosed) and says nothing about where the credit stands
OUTSIDE_STORY = ("ancestor::*[self::aside or self::footer or self::nav or self::form or self::figure or self::blockquote]"
                 "[not(.//h1)]")
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


_NOT_AUTHOR_ATTR = re.compile(r"authori[stz]", re.I)
_AUTHOR_ATTR = re.compile(f"{_AUTHOR_WORD}|byline|writer", re.I)


def credits_nobody(tree, name: str, depth: int = 4) -> bool:
    """Whether a name another byline search found (trafilatura's, which may change its case) is
    running text, or is shown only in running text, a quotation or an "authorization" element:
    what ``visible_bylines`` would not take for a credit."""
    if not name or _running_text(name):
        return bool(name)
    nodes = []
    for shown in (name, name.split()[0]):  # the search may join a name from two elements
        nodes = tree.xpath("//body//text()[contains(translate(., 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', "
                           "'abcdefghijklmnopqrstuvwxyz'), $name)]", name=shown.lower())[:5]
        if nodes or len(shown) < 3:
            break
    if not nodes:
        return False
    for node in nodes:
        el = _holder(node, None)
        if el is None:
            return False
        chain = [el, *el.iterancestors()][:depth]
        attrs = [f'{n.get("class") or ""} {n.get("id") or ""} {n.get("href") or ""}' for n in chain]
        if _running_text(_element_text(el)) or _quoted(el) or el.xpath("ancestor::blockquote"):
            continue
        if any(_AUTHOR_ATTR.search(a) for a in attrs) or not any(_NOT_AUTHOR_ATTR.search(a) for a in attrs):
            return False
    return True


def filed_under(tree) -> set[str]:
    """The texts of the page's tag, category and topic links, squashed: names no credit can have."""
    return {squash(_element_text(a)) for a in tree.xpath("//a[@href]") if _TAXONOMY_HREF.search(a.get("href"))} - {""}


def _holder(node, within):
    """The element a text node sits in (a tail sits in its element's parent)."""
    holder = node.getparent().getparent() if node.is_tail else node.getparent()
    return within if holder is None else holder


def _is_date_text(text: str) -> bool:
    """"Sat, 20 Dec, 2025 - 06:36": a date (a year, with month or day names and numbers only)."""
    return bool(re.search(r"\b(?:19|20)\d\d\b", text)) and not re.sub(r"[\d\W_]+", "", MONTHS_DAYS.sub(" ", text))


# a quotation's or a customer's credit: the person quoted (a testimonial, a pull quote), not the writer
_QUOTE_CLASS = re.compile(r"quote|testimonial|customer", re.I)


def _quoted(el, depth: int = 4) -> bool:
    """Byline markup of a quotation: the element or one of its near ancestors is named for a quote,
    a testimonial or a customer ("Quote__author", "testimonial-author", "customers_author-wrapper")."""
    for node in [el, *el.iterancestors()][:depth]:
        if _QUOTE_CLASS.search(f'{node.get("class") or ""} {node.get("id") or ""}'):
            return True
    return False


# a price ("$50 / mo", "€ 9,99"): a pricing table's "byline" (a subtitle), never a credit
_PRICE = re.compile(r"[$€£¥₹]\s?\d|\d\s?[$€£¥₹]")


def _running_text(text: str) -> bool:
    """A phrase of running text in byline markup, not a credit: a price in it, or, in a script
    with capitals, it starts lowercase and runs on past a comma ("billed annually, or $50 / mo",
    "signing up, I accept ..."). A lowercase handle or name alone ("msmash") is a credit."""
    return bool(_PRICE.search(text)) or (text[0].islower() and bool(re.search(r",\s|\s--?\s", text)))


def visible_bylines(tree, limit: int = 12) -> list[str]:
    """Texts of the page's byline elements, in document order (the story's own come first): the
    author links inside a byline when it has them, else its text; tags, sections and dates in
    byline markup left out."""
    found = byline_markup(tree)
    texts: list[str] = []
    for el in found[: limit * 6]:
        if el.tag in ("meta", "link", "script", "style", "body", "html", "main", "article") or \
                el.xpath(OUTSIDE_STORY) or _photo_credit(el) or _quoted(el):
            continue
        if _files_the_story(el, el):
            continue
        links = [_element_text(a) for a in el.xpath(".//a[@href]") if not _files_the_story(a, el)] \
            if el.tag != "a" else []
        candidates = [t for t in links if t] or [_first_name_part(el)]
        for text in candidates:
            if text and len(text) <= 200 and text not in texts and not _is_date_text(text) and not _running_text(text):
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
                 r"tekst|napisa[łl]|yazan|автор|текст|作者|文|撰文|撰稿|執筆|筆者|記者|记者|글|기자)")
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
            if match and all(len(p.split()) <= 4 for p in split_names(match.group(1))) and not (
                    match.group(1)[0].islower() and " " in match.group(1)):  # more: a name run into words
                return match.group(1)  # "By signing up, ...", "by clicking here": a sentence, not a credit
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
