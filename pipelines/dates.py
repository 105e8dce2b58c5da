"""Dates as the archive stores them: ISO 8601, in UTC (``...Z``) whenever the source gave a zone."""

from __future__ import annotations

import email.utils
import itertools
import re
import warnings
from datetime import date, datetime, timezone
from typing import Any

from pipelines.metadata import PageMeta, first_value

_URL_DATE = re.compile(r"/(20\d\d|19\d\d)[/-](0?[1-9]|1[0-2])(?:[/-](0?[1-9]|[12]\d|3[01]))?(?=/|$|[-_])")


def normalize_date(value: str | None) -> str | None:
    """``2023-05-01T10:00:00+02:00`` -> ``2023-05-01T08:00:00Z``; a bare date stays a date.
    RFC 822 (feeds) is understood too. Anything unparseable or implausible gives None."""
    value = (value or "").strip()
    if not value:
        return None
    parsed: datetime | date | None = None
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        try:
            parsed = date.fromisoformat(value)
        except ValueError:
            return None
    else:
        try:
            parsed = datetime.fromisoformat(value.replace("Z", "+00:00").replace(" ", "T", 1))
        except ValueError:
            try:
                parsed = email.utils.parsedate_to_datetime(value)
            except (TypeError, ValueError, IndexError):
                try:
                    from dateutil import parser

                    with warnings.catch_warnings():
                        warnings.simplefilter("ignore")  # unknown zone names: parsed as local time
                        parsed = parser.parse(value)
                except (ValueError, OverflowError, TypeError):
                    return None
    year = parsed.year
    if not 1990 <= year <= datetime.now(timezone.utc).year + 1:
        return None
    if isinstance(parsed, datetime):
        if parsed.tzinfo is not None:
            return parsed.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        return parsed.strftime("%Y-%m-%dT%H:%M:%S")
    return parsed.isoformat()


def date_from_url(url: str) -> str | None:
    """``/2023/05/01/story`` -> ``2023-05-01`` (day-less URLs give nothing: too vague)."""
    match = _URL_DATE.search(url)
    if not match or not match.group(3):
        return None
    try:
        return date(int(match.group(1)), int(match.group(2)), int(match.group(3))).isoformat()
    except ValueError:
        return None


# schema.org's datePublished inside a script's string, its quotes escaped once or more: the flight
# data of React server components (Next.js's self.__next_f.push), which builds the JSON-LD in the browser
_ESCAPED_PUBLISHED = re.compile(r'\\+"datePublished\\+"\s*:\s*\\+"((?:19|20)\d\d-\d\d-\d\d[0-9T:.+\-Z ]{0,25})\\+"')


def script_published(html: str) -> str | None:
    """The datePublished a page's scripts carry escaped in a string, when its markup states none."""
    match = _ESCAPED_PUBLISHED.search(html)
    return match.group(1) if match else None


def utc_now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


# -- the story's published date: every reading of the page competes ---------------------------

def pick_published(meta: PageMeta, hints: dict[str, Any], url: str,
                   text_date: Any = None, shown: Any = None, near_headline: Any = None,
                   library: Any = None, scripted: Any = None, updated: Any = None, above: Any = None) -> tuple[str | None, str | None]:
    """The first date the page (or the feed or sitemap that listed it) states, as ISO 8601 UTC,
    with where it came from. ``text_date`` is a callable searched last (dates in the text); by
    default the vote of the three readings below (``text_date_vote``). ``shown`` and ``near_headline`` (callables: the date displayed with the story, the date
    written just under the headline) and ``library`` (htmldate's reading of the page) are the
    evidence the declared date is weighed against: a refreshed story shows its later date, and a
    date two readings of the page agree on beats a declared one nothing on the page repeats.
    ``updated`` (a callable: a date labelled as an update under the headline), ``above`` (the date
    written just above the headline) and then ``scripted``
    (the datePublished a script's data carries) are asked only when nothing above states a date,
    before the text is searched."""
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
    # a page that declares no date and shows only its update's under the headline: that is the story's
    # latest day and its first is unknown; a date found elsewhere in the text is a teaser's more often
    beside_headline = _plausible(normalize_date((updated() if updated is not None else None) or ""))
    if not beside_headline and above is not None and not readings["headline"]:  # a kicker's dateline
        beside_headline = _plausible(normalize_date(above() or ""))
    if beside_headline and not readings["headline"]:
        return beside_headline, "text"
    # asked only when nothing else states a date: the schema.org data a script carries
    scripted_date = _plausible(normalize_date((scripted() if scripted is not None else None) or ""))
    if scripted_date:
        return scripted_date, "script"
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


_DATE_CLASS = re.compile(r"(^|[\s_-])(date|dateline|published|publish-?date|post-?date|pubdate|timestamp|posted-?on|"
                         r"entry-date|article-date|byline-date|story-date|date-?posted)([\s_-]|$)", re.I)
_DATE_PREFIX = re.compile(r"^(published|posted|first\s+published|date)\s*(on|:)?\s*", re.I)


def visible_date(tree) -> str | None:
    """The date shown near the story: the first <time datetime>, else the first element named
    like a publication date whose text is a date (never an "updated" one)."""
    skip = "ancestor::aside|ancestor::footer|ancestor::nav|ancestor::figure"
    lang = first_value(tree, "/html/@lang")
    english = _month_first(lang)
    for el in tree.xpath("//time[@datetime]")[:10]:
        if el.xpath(skip) or re.search(r"updat|modif", f'{el.get("class", "")} {el.get("itemprop", "")}', re.I) \
                or _labelled_update(el) or _in_teaser(el) or _in_masthead(el):
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
        if not _DATE_CLASS.search(name) or re.search(r"updat|modif", name, re.I) or el.xpath(skip) or _in_teaser(el) \
                or _in_masthead(el):
            continue
        text = ascii_digits(" ".join(" ".join(el.itertext()).split()))
        if not text or len(text) > 60 or not _YEAR.search(text) or re.search(r"updat", text, re.I):
            continue
        value = _DATE_PREFIX.sub("", text)
        written = _written_date(value, month_first=english, lang=lang)
        if written:
            return written
    return _labelled_date(tree, skip, english, lang)


# "published" as a label of its own beside the date, in the languages of the web
PUBLISHED_LABELS = ("published", "published on", "posted", "posted on", "date published", "publication date",
                    "veröffentlicht", "veröffentlicht am", "erschienen am", "publié le", "publié", "publicado",
                    "publicado el", "publicado em", "pubblicato", "pubblicato il", "gepubliceerd", "gepubliceerd op",
                    "opublikowano", "publikováno", "опубликовано", "publicerad", "publiceret", "publisert",
                    "julkaistu", "yayınlanma tarihi", "diterbitkan", "公開日", "发布时间", "發佈時間", "게시일")
_PUBLISHED_LABEL = re.compile(r"(%s)\s*:?" % "|".join(re.escape(label) for label in PUBLISHED_LABELS), re.I)


def _text_after(el) -> str:
    """The text written just after ``el``: its tail, else the next element's text (past comments
    and processing instructions, which hold none a reader sees)."""
    node = el
    while node is not None:
        if node.tail and node.tail.strip():
            return " ".join(node.tail.split())
        node = node.getnext()
        if node is not None and isinstance(node.tag, str):
            return " ".join(" ".join(node.itertext()).split())
    return ""


def _labelled_date(tree, skip: str, month_first: bool, lang: str | None) -> str | None:
    """A date written just after an element that says only "Published" (the label and the date in
    elements of their own, neither named for a date)."""
    for el in tree.iter():
        if not isinstance(el.tag, str) or not el.text or len(el.text) > 40 or \
                not _PUBLISHED_LABEL.fullmatch(el.text.strip()) or len(el) or el.xpath(skip) or _in_teaser(el):
            continue
        written = _written_date(ascii_digits(_text_after(el))[:60], month_first=month_first, lang=lang)
        if written:
            return written
    return None


_ISO_DAY = re.compile(r"\s*(19|20)\d\d-\d\d-\d\d")
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
    iso = normalize_date(text)
    if iso:
        # an ISO timestamp's day may move in its conversion to UTC; it writes its day all the same
        return text if _ISO_DAY.match(text) or _names_day(text, iso) else None
    found = custom_parse(text, "%Y-%m-%d", datetime(1995, 1, 1), datetime.now() + timedelta(days=1))
    return (found if found and _names_day(text, found) else None) or _word_month_date(text, lang)


# a word that may name a month, in any script (Devanagari's vowel signs are no \w: a run of anything
# but digits, spaces and the punctuation of numeric dates)
_MONTH_WORD = re.compile(r"[^\s\d.,:;/|()\[\]-]{3,}")


def _names_day(text: str, found: str) -> bool:
    """Whether ``text`` writes the day of ``found`` (its ISO reading): a year and a month ("2011-12",
    "12/2019", a season's "2011-12") read by a date parser is given the 1st or today's day, which no
    page wrote. The day must be one of the text's numbers besides the year, and a second one (the
    month) or a month written as a word must be there too."""
    numbers = [int(n) for n in re.findall(r"\d+", text)]
    if found[:4].isdigit() and int(found[:4]) in numbers:
        numbers.remove(int(found[:4]))
    if int(found[8:10]) not in numbers:
        return False
    return len(numbers) >= 2 or bool(_MONTH_WORD.search(text))


def _in_masthead(el) -> bool:
    """A date in the site's banner (role=banner, or a <header> that holds the site's navigation),
    not the story's header (it holds the h1): a newspaper's masthead prints today's date there."""
    return any(not banner.xpath(".//h1") and (banner.get("role") == "banner" or banner.xpath(".//nav|.//*[@role='navigation']"))
               for banner in el.xpath("ancestor::header|ancestor::*[@role='banner']"))


TEASER_DEPTH = 6  # levels above a date searched for the repeated item holding it
_ITEM_TAGS = ("li", "tr", "article")


def _in_teaser(el) -> bool:
    """A date inside one of a run of like items (a slide, a card, a list entry, a views row: an
    ancestor with a sibling of the same tag and class) that links a story and does not hold the
    headline, beside siblings that carry dates too: another story's teaser in a carousel, a
    sidebar or a related rail, which pages often print before the story itself. The story's own
    dateline shares its item with the h1 (the first of an infinite scroll's articles holds it)."""
    for depth, item in enumerate(el.iterancestors()):
        if depth >= TEASER_DEPTH or item.tag in ("body", "html", "main"):
            return False
        if item.xpath(".//h1"):
            return False
        parent = item.getparent()
        if parent is None:
            return False
        kind = (item.tag, item.get("class"))
        # like items: a list's entries, a run of <article> cards, or elements sharing a class
        # (two bare <div>s are no run of items)
        likes = [sib for sib in parent.iterchildren() if sib is not item and (sib.tag, sib.get("class")) == kind]
        if (kind[1] or item.tag in _ITEM_TAGS) and likes:
            # teasers each carry their date; rows of a layout do not
            return _links_a_story(item) and any(_holds_date(sib) for sib in likes[:3])
    return False


TEASER_HEADLINE_WORDS = 4  # a link this long is a headline (a byline's link is a name)


def _links_a_story(item) -> bool:
    """The item links to a story: a heading, or a link whose text reads as a headline."""
    if item.xpath(".//h2|.//h3|.//h4|.//h5|.//h6"):
        return True
    return any(len(" ".join(a.itertext()).split()) >= TEASER_HEADLINE_WORDS for a in item.iter("a") if a.get("href"))


def _holds_date(el) -> bool:
    return bool(el.xpath(".//time")) or any(_DATE_CLASS.search(f'{d.get("class", "")} {d.get("id", "")}')
                                           for d in el.iter() if isinstance(d.tag, str))


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


_TEXT_NODES_AFTER_HEADLINE = 60
_UNREAD = frozenset(("script", "style", "noscript"))  # text no reader sees


def _texts_in(el):
    """The text pieces of ``el`` and its descendants, then its tail, in document order."""
    if isinstance(el.tag, str):  # a comment's or a processing instruction's text is no text
        if el.tag in _UNREAD:
            if el.tail:
                yield el.tail
            return
        if el.text:
            yield el.text
        for child in el:
            yield from _texts_in(child)
    if el.tail:
        yield el.tail


def _texts_after(el, limit: int):
    """The first ``limit`` text pieces after ``el`` in document order (XPath's ``following::text()``
    outside script and style), read lazily: the axis evaluated by XPath visits the whole rest of the
    page before it is cut, which made this the costliest read of a page."""
    levels, read = [el] + list(el.iterancestors()), 0
    # a level whose ancestors include an unread element holds no readable text
    unread = [any(isinstance(a.tag, str) and a.tag in _UNREAD for a in levels[i + 1:]) for i in range(len(levels))]
    for node, hidden in zip(levels, unread):
        if hidden:
            continue
        pieces = [node.tail] if node.tail else []
        for piece in itertools.chain(pieces, *(_texts_in(sib) for sib in node.itersiblings())):
            yield piece
            read += 1
            if read >= limit:
                return


_TEXT_NODES_ABOVE_HEADLINE = 6  # pieces of text read above the headline: a kicker's dateline sits there


def _texts_above(h1, limit: int) -> list[str]:
    """The last ``limit`` text pieces before ``h1``, nearest first (the preceding axis counts back);
    none from the site's masthead (today's date) or another story's teaser."""
    pieces = h1.xpath("preceding::text()[normalize-space()][not(ancestor::script or ancestor::style or "
                      f"ancestor::noscript)][position() <= {limit}]")[::-1]
    return [str(t) for t in pieces if not (_in_masthead(t.getparent()) or _in_teaser(t.getparent()))]


def headline_date(tree, updates: bool = False, above: bool = False) -> str | None:
    """The date written in the lines just after the headline (the dateline beside the byline,
    with no date markup), as ISO; one labelled as an update ("Last updated: Dec 12") only with
    ``updates``; with ``above``, the date written in the few lines just before it (a kicker's)."""
    from datetime import datetime, timedelta

    from htmldate.extractors import custom_parse

    latest = datetime.now() + timedelta(days=1)
    lang = first_value(tree, "/html/@lang")
    month_first = (lang or "").lower().replace("_", "-").startswith("en-us")  # a bare "en" is British as often
    marked = None
    for h1 in tree.xpath("//h1")[:2]:
        read, previous = 0, ""
        if above:  # nearest first, each with the piece written before it (its label)
            pieces = _texts_above(h1, _TEXT_NODES_ABOVE_HEADLINE + 1)
            pairs = zip(pieces[:_TEXT_NODES_ABOVE_HEADLINE], pieces[1:] + [""])
        else:
            pairs = ((node, None) for node in _texts_after(h1, _TEXT_NODES_AFTER_HEADLINE))
        for node, label in pairs:
            if label is not None:
                previous = ascii_digits(" ".join(label.split()))[-40:]
            text = ascii_digits(" ".join(node.split()))
            if not text:
                continue
            read += len(text)
            if read > _TEXT_AFTER_HEADLINE:
                break
            # a day, a month and a year ("4 Feb 2025", "12.12.2025"), never a year alone
            if len(text) <= 80 and _YEAR.search(text) and len(re.findall(r"\d+", text)) >= 2 and \
                    (updates or not _UPDATED.search(previous + " " + text)):
                if marked is None:
                    marked = _time_marks(tree)
                cjk = _CJK_DATE.search(text)
                found = _ordered_by_markup(text, marked.get(text)) or (
                    f"{cjk.group(1)}-{int(cjk.group(2)):02d}-{int(cjk.group(3)):02d}" if cjk else
                    (month_first and _month_first_date(text))
                    or custom_parse(text, "%Y-%m-%d", datetime(1995, 1, 1), latest)
                    or _word_month_date(text, lang))
                if found and normalize_date(found) and _names_day(text, found):
                    return found
            previous = text[-40:]
    return None


_TIME_MARKS = 20  # <time> elements read for the day their datetime attribute writes
_NUMBERS_DATE = re.compile(r"(?<![\d/.-])(\d{1,2})[/.-](\d{1,2})[/.-]((?:19|20)\d\d)(?![\d/.-])")


def _time_marks(tree) -> dict[str, str]:
    """The text of each <time datetime> (as the headline search reads it) and the day its attribute
    writes."""
    marks = {}
    for el in tree.xpath("//time[@datetime]")[:_TIME_MARKS]:
        day = _ISO_DAY.match(el.get("datetime") or "")
        text = ascii_digits(" ".join(" ".join(el.itertext()).split()))
        if day and text and normalize_date(day.group(0).strip()):
            marks.setdefault(text, day.group(0).strip())
    return marks


def _ordered_by_markup(text: str, marked: str | None) -> str | None:
    """The day of a numeric dateline whose order no language tells ("03/01/2017": March 1st or
    January 3rd) when its <time> element's datetime is one of its two readings. A datetime that is
    neither (a stale or a modified one) does not overrule what the text writes."""
    from datetime import date

    match = _NUMBERS_DATE.search(text) if marked else None
    if not match:
        return None
    a, b, year = int(match.group(1)), int(match.group(2)), int(match.group(3))
    readings = set()
    for month, day in ((a, b), (b, a)):
        try:
            readings.add(date(year, month, day).isoformat())
        except ValueError:
            pass
    return marked if marked in readings else None


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
