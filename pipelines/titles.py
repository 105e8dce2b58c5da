"""The story's headline: the visible <h1> and the metadata titles compete, each cleaned the same way
for every site (site-name prefixes and suffixes, kickers, media tags, host names, section tails)."""

from __future__ import annotations

import html
import re
from urllib.parse import urlsplit

from pipelines.metadata import CJK, WORD, PageMeta, is_site, overlap, site_keys, squash, word_tokens

# -- titles -------------------------------------------------------------------------------------

# " | ", " - ", "｜" (full-width), "_" before a name in another script ("标题_站名")
_SEPARATORS = re.compile(r"\s+[|\-–—:·•»/]\s+|\s*[|｜]\s*|(?<=\S)_(?=[^\x00-\x7f])|\s+[-–—]\s*(?=[^\x00-\x7f])")
_STRIP = " |-–—:·•»/｜_\u3000"
_MEDIA_TAG = re.compile(r"\s*[\[(](video|videos|watch|photos?|pics|gallery|podcast|listen|audio|updated?|"
                        r"exclusive|live|opinion)[\])]\s*$|^(watch|video|photos|listen)\s*:\s*", re.I)



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
    keys = site_keys(site_names or set(), domains)
    words = title.split()
    if len(words) >= 3 and "." in words[0] and is_site(words[0], keys):
        title = " ".join(words[1:])  # the site's host name put before the title with no separator
    for _ in range(3):
        parts = [p for p in _SEPARATORS.split(title) if p]
        if len(parts) < 2:
            break
        if is_site(parts[-1], keys) or squash(parts[-1]) in sections:
            title = title[: title.rfind(parts[-1])].rstrip(_STRIP)
        elif is_site(parts[0], keys):
            title = title[title.find(parts[0]) + len(parts[0]):].lstrip(_STRIP)
        else:
            break
    return _MEDIA_TAG.sub("", title).strip()


_LABELS = {"opinion", "editorial", "analysis", "review", "commentary", "column", "exclusive", "live", "watch",
           "video", "podcast", "photos", "gallery", "explainer", "interview", "breaking", "update", "updated",
           "sponsored", "news", "infographic"}


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
    ta, tb = set(word_tokens(a)), set(word_tokens(b))
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
    words = word_tokens(title)
    for m in _agreed(metas):
        tokens = word_tokens(m)
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
        if prefix and len(word_tokens(prefix)) <= 4 and len(word_tokens(m)) >= (2 if m in _agreed(metas) else 3) and \
                (not prefix.endswith(":") or len(word_tokens(prefix)) == 1 and m in _agreed(metas)) and \
                not any(other.startswith(prefix + " ") for other in metas):
            return m  # a kicker: shown over the headline, in none of the page's titles
    for m in _agreed(metas):
        tail = h1[len(m):] if len(word_tokens(m)) >= 4 and h1.startswith(m) else ""
        if tail[:1] == " " and _FIGURE.search(tail) and not _FIGURE.search(m):
            return m  # a byline's date or a comment count run into the heading
    parts = [p for p in _SEPARATORS.split(h1) if p]
    if len(parts) >= 2:
        for m in metas:
            if overlap(h1, m) >= 0.9:
                continue
            for part in parts:
                rest = len(word_tokens(h1)) - len(word_tokens(part))
                if overlap(part, m) >= 0.9 and len(word_tokens(part)) >= 3 and rest <= 4:
                    return part
    return h1


def _declared_elsewhere(h1: str, metas: list[str]) -> bool:
    """Whether the page's metadata titles agree on a title (two sources give the same words) that
    shares at most a quarter of its words with the <h1>."""
    agreed = {squash(m) for i, m in enumerate(metas) if any(squash(m) == squash(o) for o in metas[i + 1:])}
    return bool(agreed) and all(containment(h1, m) <= 0.25 for m in metas)


_PIPE_TAIL = re.compile(r"\s+\|\s+([^|]+)$")
_TAIL_WORDS = 5  # a part this short after " | " is a tag line, a section or a site name, not the end of the headline


def _drop_pipe_tails(title: str) -> str:
    """``Best Movers in NYC 2025 | Top 19 Companies``: a headline does not use a spaced pipe; what
    follows one, when short beside a headline of its own, is a tag line or a section the heading repeats
    from the title tag."""
    while (tail := _PIPE_TAIL.search(title)) and len(word_tokens(tail.group(1))) <= _TAIL_WORDS and \
            len(word_tokens(title[: tail.start()])) >= _TAIL_WORDS:
        title = title[: tail.start()]
    return title


_HEADLINE_WORDS = 35  # an <h1> longer than this is a paragraph set in a heading's type, not a headline


def pick_title(meta: PageMeta, fallback: str | None = None, domains: tuple[str, ...] = ()) -> str:
    """The visible headline (<h1>): the one that agrees with what the page's metadata calls its
    title, else the page's only or first long one; the cleaned metadata title when there is none."""
    names = meta.site_names
    keys = site_keys(names, domains)
    sections = _sections(meta)
    metas = [_drop_labels(clean_title(t, names, domains, sections)) for t in
             (meta.headline, meta.og_title, meta.twitter_title, meta.html_title, fallback) if t]
    described = " ".join((meta.description or "").split())
    # the page's description put in a title tag: sentences, not a title
    metas = [m for m in metas if m and not is_site(m, keys) and not (m == described and len(word_tokens(m)) > 20)]
    h1s = []
    for h1 in meta.h1s:
        h1 = " ".join(html.unescape(h1).split()).rstrip("¶#🔗 ")
        if len(word_tokens(h1)) >= 2 and len(WORD.findall(h1)) <= _HEADLINE_WORDS and not is_site(h1, keys) \
                and h1 not in h1s:
            h1s.append(h1)
    best, best_score = None, 0.0
    for h1 in h1s:
        if len(word_tokens(h1)) < 3:
            continue
        score = max((containment(h1, m) + (0.01 if m.casefold().startswith(h1.casefold()) else 0.0)
                     for m in metas), default=0.0)  # of two headings a title holds, the one it opens with
        if score > best_score:
            best, best_score = h1, score
    if not (best and best_score >= 0.6):
        long = [h for h in h1s if len(word_tokens(h)) >= 4]
        best = long[0] if long else (h1s[0] if len(h1s) == 1 and len(word_tokens(h1s[0])) >= 3 else None)
        if best and len(metas) >= 2 and _declared_elsewhere(best, metas):
            best = None  # a site name, a menu, a section over the page: not its headline
    if best:
        title = _MEDIA_TAG.sub("", _drop_labels(clean_title(_refine(best, metas), names, domains, sections))).strip()
        title = _drop_pipe_tails(_numbered(title, metas))
        if not re.search(f"[{CJK}\uac00-\ud7af]", title):  # full-width signs belong to CJK text
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
