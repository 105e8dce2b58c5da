"""Who the page credits as its author: candidates from every source the page has (JSON-LD,
author meta tags, byline markup, trafilatura's author search, names in scripts) compete by
evidence, and the credit the page gives wins, persons first.

A credit is kept as the page gives it, an organisation's, a newsroom's or a wire service's too
("Associated Press", "Acme Team"): researchers track wire copy and house bylines. Never a name
inferred from the site, a photographer's credit, a share label or a section name. The site's own
name counts as a credit only when the page names it as author and no one else.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Callable

from pipelines.bylines import credits_nobody, filed_under
from pipelines.metadata import PageMeta, site_keys, squash
from pipelines.names import BYLINE_PREFIX, CREDENTIALS, DATEISH, ROLE, TRAILING, WIRE, clean_name, is_site_name, split_names

# How much a mention in each source counts. JSON-LD people are the page's own statement; a name
# reached through a graph reference is often the CMS account that posted; an organisation named
# in JSON-LD is often the publisher repeated; a card's "Written by" label names the CMS account, as
# a reference does; a byline shown to readers is strong, the first one most (later ones belong to
# related stories, comments, bios).
WEIGHTS = {"json-ld person": 3.0, "json-ld by reference": 1.5, "json-ld organisation": 1.5, "meta": 2.0,
           "meta label": 1.5, "byline": 2.0, "later byline": 0.75, "trafilatura": 1.0, "script": 0.5}
_FAMILY = {"json-ld person": "json-ld", "json-ld by reference": "json-ld", "json-ld organisation": "json-ld"}
SITE_NAME_FACTOR = 0.4  # a credit that is the site's own name: weaker than any person's
# Sources that alone do not make the site's own name a credit: the CMS template repeats the
# publisher as the JSON-LD author, and scripts name the site's account.
TEMPLATE_SOURCES = {"json-ld organisation", "script"}

# Texts that sit where bylines sit but credit no one.
_LABEL = re.compile(
    r"^(written\s+by|posted\s+by|by|author|authors|autor|autore|auteur|forfatter|yazar|автор|about\s+the\s+author|full\s+bio|bio|read\s+more|learn\s+more|"
    r"see\s+all|view\s+all|more|linkedin|twitter|x|facebook|instagram|email|e-mail|reply|share|follow|comments?|"
    r"\d+\s+comments?|contact|profile|website|home|menu|admin|administrator|webmaster|editor|guest|anonymous|"
    r"unknown|user|null|none|undefined|n/a|staff\s+writer|contributor|last|\W*)$|\bauthor\b|\bcontent\b|"
    r"\bas\s+told(?:\s+to)?\b|[a-z]{3,}\.$|(?<![A-Z])[.!?]\s+\w|\b(?:by|from)$", re.I)
_LINK_PHRASE = re.compile(r"^(?:read\s+more\s+(?:about|from|by)|learn\s+more\s+about|more\s+(?:posts|articles|stories)"
                          r"\s+(?:by|from)|view\s+all\s+(?:posts|articles)\s+by|see\s+more\s+(?:about|from|by)|"
                          r"all\s+posts\s+by|articles\s+by|posts\s+by|insights\s+from|reviewed\s+by)\s+", re.I)
_NOT_CREDIT = re.compile(r"\b(foto|fotos|photo|photos|photograph(?:er|y)?|image|images|picture|bild|illustration|"
                         r"getty|shutterstock|istock|alamy|unsplash|share|tweet|subscribe|follow|folgen|suivez|s[ií]guenos|seguir|"
                         r"teilen|partager|compartir|condividi|поделиться|"
                         r"newsletter|sign\s+in|log\s*in|"
                         r"cookie|min\s+read|minutes?\s+read|read\s+time|updated|published|posted\s+on|says|said|"
                         r"reply|comments?|kommentare?|commentaires?|comentarios?|commenti|commento|reacties|e-?mail|leave|"
                         r"click|here)\b|^(?:the\s+)?(?:home|news|blog|menu|search)$|[:：#@<>{}=|]|\d{3,}", re.I)


_FUNCTION_WORDS = {"to", "the", "a", "an", "of", "or", "for", "with", "in", "on", "at", "your", "our", "my", "this",
                   "that", "is", "are", "was", "you", "we", "it", "einen", "eine", "ein", "den", "dem", "und", "les",
                   "des", "une", "un", "el", "los", "las", "il", "lo"}


# function words that, capitalised, are also given names ("Nguyễn Văn An", "Wang An")
_GIVEN_NAMES = {"An"}


def _function_word(word: str) -> bool:
    return word.casefold() in _FUNCTION_WORDS and word not in _GIVEN_NAMES


@dataclass
class Candidate:
    name: str
    sources: list[str] = field(default_factory=list)
    score: float = 0.0
    person: bool = True
    position: int = 0  # order of first mention (sources are read in order of trust)


def clean_credit(value: str, organisation: bool = False) -> str | None:
    """A credit out of a byline string, as the page writes it: "By", dates, roles, handles and
    trailing site suffixes removed; an organisation's, a team's or a user name kept. None for
    labels, share buttons, photo credits and sentences. ``organisation``: the page declares the
    credit an organisation's, whose name may hold function words ("Center for Drug Research")."""
    text = " ".join((value or "").split()).strip(" -–—:|•,·").strip('"“”„«»')  # a name in quotes, as scripts give it
    if _ABOUT_AUTHOR.search(text):
        return None
    text = _LINK_PHRASE.sub("", text)
    text = _PICTURE_AFTER.split(text)[0] or text  # "Tekst: Kari Nordmann Foto: Ola Berg": the photographer goes
    if _PICTURE_CREDIT.match(text):
        return None
    name = clean_name(text) or _lenient(text, organisation)
    if not name or _LABEL.search(name) or _NOT_CREDIT.search(name) or "©" in name:
        return None
    name = _house_credit(text, name)
    if not organisation and any(_function_word(w) for w in name.split()[1:]):
        return None  # a sentence or a button, not a name
    return name


_INITIALS = re.compile(r"[A-Z]{2,3}")


def _runs_on(longer: str, name: str) -> bool:
    """``longer`` is ``name`` (two words or more) with more words run on ("Jane Doe Head Winemaker")."""
    words, more = name.casefold().split(), longer.casefold().split()
    return 2 <= len(words) < len(more) and more[:len(words)] == words


def _sentence(text: str) -> bool:
    words = DATEISH.sub("", _LINK_PHRASE.sub("", text)).split()
    return len(words) >= 3 and any(w.casefold() in _FUNCTION_WORDS for w in words[1:])


def _house_credit(text: str, name: str) -> str:
    """"Acme Contributor", "Our Editors": a one-word name with a role glued on, no comma between,
    is a house credit, kept whole (the role is not a job title after a person's name)."""
    if len(name.split()) != 1:
        return name
    whole = _LINK_PHRASE.sub("", re.sub(r"^(?:(?:written|posted|reported|story|words)\s+by|by)\s*[:\-–—]?\s+", "",
                                        text, flags=re.I))
    role = ROLE.search(whole)
    if role and re.search(r"[\uac00-\ud7a3\u4e00-\u9fff]", role.group(0)):
        return name  # "홍길동 기자": a reporter's title, not a house credit
    if role and whole[:role.start()] == name and not whole[role.start():].lstrip().startswith(",") and \
            len(whole.split()) <= 3:
        return whole
    return name


# a picture credit run on after the writer's in one byline ("Text: A Foto: B", "Texto: A / Fotos: B")
_PICTURE_AFTER = re.compile(r"\s*[/|,;]?\s+(?:foto|fotos|photos?|bild(?:er)?|kuva|zdj[eę]cia?|фото|写真|사진)\s*[:：]",
                            re.I)
_ABOUT_AUTHOR = re.compile(r"\b(this|the|our)\s+(author|writer)\b|\ball\s+(articles|posts|stories)\b", re.I)
_PICTURE_CREDIT = re.compile(r"^(foto|fotos|photo|photos|photograph|bild|image|picture|illustration|credit|"
                             r"video|grafik|graphic)s?\b", re.I)


def _lenient(text: str, organisation: bool = False) -> str | None:
    text = re.sub(r"https?://\S+|\S+@\S+\.\S+", " ", text)
    text = re.sub(r"\([^()]*\)|\[[^\[\]]*\]", " ", text)
    text = re.sub(r"^(?:(?:written|posted|reported|story|words)\s+by|by|from|author)\s*[:\-–—]?\s+", "", text.strip(),
                  flags=re.I)
    text = BYLINE_PREFIX.sub("", text)
    text = DATEISH.sub("", text)
    text = TRAILING.sub("", text)
    text = ROLE.sub("", text.strip(" ,/"))
    text = CREDENTIALS.sub("", text.strip(" ,"))
    text = " ".join(text.split()).strip(" ,;:-–—|•")
    if not text or len(text) > (70 if organisation else 50) or len(text.split()) > (8 if organisation else 5):
        return None  # longer: a sentence; an organisation's name may run to a few more words
    if not re.search(r"\w", text) or re.fullmatch(r"[\d\W_]+", text):
        return None
    if not organisation and any(_function_word(w) for w in text.split()[1:]):
        return None  # a sentence, not a name
    return text


_CJK_NAME = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7a3]{2,}")


def _full_name(text: str) -> bool:
    """Two words or more, or a name in a script written without spaces ("山田太郎", "홍길동"): what
    a weak source must give to count (one Latin word from it is a tag or a handle)."""
    return len(text.split()) >= 2 or bool(_CJK_NAME.search(text))


def _plain_word(text: str) -> bool:
    """One lowercase word ("manga", "this"): a tag or a label more often than a user name."""
    words = text.split()
    return len(words) == 1 and words[0].islower() and not WIRE.match(words[0])


def _handle(name: str) -> bool:
    """A user name ("kffjdoe", "jane.doe", "brandon-acme"): one token, lowercase or joined by dots,
    hyphens, underscores or digits."""
    return " " not in name and (name.islower() or bool(re.search(r"[._\d]|-.*[a-z]-|^[a-z]+-[a-z]+$", name)))


def _is_organisation(name: str, kind: str) -> bool:
    return kind not in ("person", "") or bool(WIRE.match(name)) or \
        bool(re.search(r"\b(team|staff|desk|newsroom|editors?|editorial|press|news|media|inc|llc|ltd|group|"
                       r"agency|magazine|journal|times|post|daily|redaktion|redazione|rédaction)\b", name, re.I))


@dataclass
class AuthorChoice:
    """The chosen credits and every candidate weighed, for ``explain``."""

    authors: list[str]
    candidates: list[Candidate]


def choose_authors(meta: PageMeta, domains: tuple[str, ...] = (), bylines: Callable[[], list[str]] | None = None,
                   scripts: Callable[[], list[str]] | None = None,
                   library: Callable[[], str | None] | None = None) -> AuthorChoice:
    """Weigh every credit the page gives and return the best supported, with its co-credits from
    the same source (persons first). ``bylines``, ``scripts`` and ``library`` (trafilatura's
    author search) are callables, asked only when they can change the outcome: ``bylines`` unless
    the metadata names a person, ``library`` and ``scripts`` while no candidate is strong."""
    keys = site_keys(meta.site_names, domains)
    found: dict[str, Candidate] = {}
    groups: list[tuple[str, list[tuple[str, str]]]] = []  # (source, [(name, candidate key)])

    def add(source: str, raw: list[tuple[str, str]]) -> None:
        names: list[tuple[str, bool]] = []
        for value, kind in raw:
            parts = split_names(value) if kind in ("person", "") or source != "json-ld organisation" else [value]
            if len(parts) > 1 and _sentence(parts[0]):
                continue  # "Top contributors for A and B": a sentence that names people, not a credit
            for part in parts:
                name = clean_credit(part, organisation=kind not in ("person", "") and source == "json-ld organisation")
                if not name or any(squash(name) == squash(n) for n, _ in names):
                    continue
                if source in ("byline", "later byline") and _INITIALS.fullmatch(name) and not WIRE.match(name):
                    continue  # an avatar's initials ("NB") beside the name
                names.append((name, not _is_organisation(name, kind)))
        weight = WEIGHTS[source]
        keyed = []
        for name, person in names:
            key = _match(found, name)
            keyed.append((name, key))
            cand = found.setdefault(key, Candidate(name=name, person=person, position=len(found)))
            if source.endswith("byline") and _runs_on(cand.name, name):
                cand.name = name  # the page also shows the name alone: the rest was a job title run into it
            factor = SITE_NAME_FACTOR if is_site_name(name, keys) else 1.0
            if source not in cand.sources:
                cand.sources.append(source)
                cand.score += weight * factor
            cand.person = cand.person and person
        if keyed:
            groups.append((source, keyed))

    ld_people = [(n, k) for n, k in meta.ld_authors if k in ("person", "")]
    ld_orgs = [(n, k) for n, k in meta.ld_authors if k not in ("person", "")]
    add("json-ld by reference" if meta.ld_authors_by_ref else "json-ld person", ld_people)
    add("json-ld organisation", ld_orgs)
    add("meta", [(a, "") for a in meta.meta_authors if not a.startswith("http")])
    add("meta label", [(a, "") for a in meta.label_authors])
    settled = any(c.person and c.score >= 2.0 and not is_site_name(c.name, keys) for c in found.values())
    if bylines is not None and not settled:  # a byline cannot outvote a person the metadata names
        first = True  # the first byline that credits anyone is the story's; later ones often are not
        for text in bylines()[:8]:
            before = len(groups)
            weak = not first or _plain_word(text)
            add("later byline" if weak else "byline", [(text, "")])
            first = first and (len(groups) == before or weak)

    def strong() -> bool:
        return any(c.score >= 1.0 for c in found.values())

    if not strong() and library is not None:
        add("trafilatura", [(a, "") for a in (library() or "").split(";") if _full_name(a)])
    if not strong() and scripts is not None:
        add("script", [(s, "") for s in scripts() if _full_name(s)])
    candidates = sorted(found.values(), key=lambda c: (-c.score, c.position))
    if not candidates:
        return AuthorChoice([], [])
    winner = candidates[0]
    if not winner.person:  # persons first: a person the page credits well beats a house or wire credit
        winner = next((c for c in candidates if c.person and c.score >= 2.0), winner)
    if _handle(winner.name):  # the CMS account that posted it; the page also names a person
        winner = next((c for c in candidates if c.person and c.score >= 1.5 and len(c.name.split()) >= 2 and
                       not is_site_name(c.name, keys)), winner)
    if is_site_name(winner.name, keys) and (set(winner.sources) <= TEMPLATE_SOURCES or (
            set(winner.sources) <= TEMPLATE_SOURCES | {"json-ld person"} and len(winner.name.split()) == 1)):
        return AuthorChoice([], candidates)  # a one-word brand as JSON-LD Person: the CMS account's default
    if winner.score < 1.0 and (len(candidates) > 1 or winner.sources == ["later byline"]):
        return AuthorChoice([], candidates)  # weak and contested, or only seen far from the story
    # the winner's co-credits: the other names of the most trusted source that gives the winner
    winner_key = next(k for k, c in found.items() if c is winner)
    family = _FAMILY.get(winner.sources[0], winner.sources[0])
    index = next(i for i, (src, names) in enumerate(groups) if src == winner.sources[0] and
                 any(k == winner_key for _, k in names))
    group = [item for i, (src, names) in enumerate(groups) for item in names
             if i == index or (family.startswith("json-ld") and _FAMILY.get(src) == family)]
    names = [winner.name] + [found[k].name for _, k in group if k != winner_key and not is_site_name(found[k].name, keys)]
    people = [n for n in names if _candidate(found, n).person]
    orgs = [n for n in names if n not in people]
    return AuthorChoice((people + orgs)[:8], candidates)


def _candidate(found: dict[str, Candidate], name: str) -> Candidate:
    return found[_match(found, name)]


def _match(found: dict, name: str) -> str:
    """The key under which ``name`` is already a candidate (same letters, or one is the other's
    first words: "Jean Aufranc (CNX)" and "Jean Aufranc"), else ``name`` itself."""
    squashed = squash(name)
    words = name.casefold().split()
    for key in found:
        other = key.casefold().split()
        if squash(key) == squashed:
            return key
        shorter, longer = (words, other) if len(words) <= len(other) else (other, words)
        if len(shorter) >= 2 and longer[: len(shorter)] == shorter:
            return key
    return name


def library_author(tree) -> Callable[[], str | None]:
    """trafilatura's own author search (its byline XPaths), as a callable read only when needed."""

    def search() -> str | None:
        try:
            from trafilatura.metadata import extract_author

            found = extract_author(tree)
        except Exception:
            return None
        if not found:
            return None
        topics = filed_under(tree)  # its byline search also reads the tag links a byline holds
        return "; ".join(a for a in found.split(";") if squash(clean_credit(a) or a) not in topics and
                         not credits_nobody(tree, clean_credit(a) or a.strip())) or None

    return search
