"""A credit string made into names: "By", roles, degrees, dates and trailing furniture removed,
lists split, wire services and staff credits known by name (one vocabulary for every credit rule)."""

from __future__ import annotations

import html
import re

from pipelines.metadata import squash

MONTHS_DAYS = re.compile(r"\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec|mon|tue|tues|wed|thu|thur|thurs|"
                          r"fri|sat|sun)[a-z]*\.?(?=\W|$)|\b(?:am|pm|at|on|um|le|el)\b", re.I)

# The words a credit starts with in the languages of the web ("Автор:", "Skrevet av", "Yazar:"), and
# the CJK ones, which are followed by a colon or a space but not always by a space ("文：山田太郎",
# "記者 山田太郎"): a label, not part of the name
_CREDIT_WORDS = (r"автор(?:ы)?|текст|подготовил(?:а)?|skrevet\s+a[vf]|skriven\s+av|geschrieben\s+von|verfasst\s+von|"
                 r"geschreven\s+door|[ée]crit\s+par|escrito\s+por|scritto\s+da|a\s+cura\s+di|kirjoittanut|"
                 r"napisa[łl](?:a)?|autor(?:ka|in|es)?|auteure?|autore|yazar|yazan|بقلم|tác\s+giả")
_CJK_CREDIT_WORDS = r"文|作者|著者|筆者|執筆|撰文|撰稿|记者|記者|글|기자|취재"  # not 编辑/編集: an editor is not the writer
_BYLINE_PREFIX = re.compile(
    r"^(?:(?:view\s+all\s+posts|all\s+posts|more\s+stories|articles|posts|stories)\s+by|written\s+by|words\s+by|author|"
    r"posted\s+by|reported\s+by|story\s+by|by|from|von|par|por|por:|de|af|av|door|tekst|texto|text|teksti|"
    r"(?-i:di)(?=\s+\S+\s+\S)|" + _CREDIT_WORDS + r")\s*[:：\-–—]?\s+|"
    r"^(?:" + _CREDIT_WORDS + r"|" + _CJK_CREDIT_WORDS + r")\s*[:：/／・|]\s*|^(?:" + _CJK_CREDIT_WORDS + r")\s+", re.I)
BYLINE_PREFIX = _BYLINE_PREFIX  # also read by the lenient cleaning of credits in scripts without capitals
_NOT_A_NAME = re.compile(
    r"\b(staff|team|editors?|editorial|desk|newsroom|reports?|reporters?|correspondents?|contributors?|admin|"
    r"administrator|guest|published|updated|posted|copied|share|follow|subscribe|comments?|kommentare?|"
    r"commentaires?|comentarios?|says|said|wrote|minutes?|read|"
    r"sponsored|partner|brandroom|company|inc|llc|ltd|news\s+service|wire|bureau|view|edit|profile|articles|posts|"
    r"stories|login|log\s+in|sign|account|more|about|this|e-?mail|bio|home|menu|redazione|redaktion|rédaction|"
    r"redacción|redação|redactie)\b", re.I)
STAFF = re.compile(r"\b(staff|team|desk|newsroom|editors|editorial\s+board|staff\s+reports?|redazione|redaktion|"
                    r"rédaction|redacción|redação|redactie)\b", re.I)
# two-letter degrees are also surnames ("Rui Ma"): without a comma they go only when in capitals
CREDENTIALS = re.compile(r"((,\s*|\s+)(ph\.?d|m\.d|msc|mba|mph|rdn|cdces|cpt|cscs|dvm|esq|pa-c|facs|faap)\.?|"
                          r",\s*(md|ms|ma|rd|ld|rn|jd|np)\.?|\s+(?-i:MD|MS|MA|RD|LD|RN|JD|NP)\.?)+$", re.I)
TRAILING = re.compile(r"\s*(\||•|·|—|–|\s-\s).*$")
DATEISH = re.compile(r"\b(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+\d{1,2}(st|nd|rd|th)?\b.*$|\b\d{1,2}/\d{1,2}/\d{2,4}\b.*$|"
                      r"\b(updated|published|posted)\b.*$|"
                      r"\son\s+(mon|tues?|wed(nes)?|thu(rs)?|fri|sat(ur)?|sun)(day)?\b.*$", re.I)
ROLE = re.compile(r"(^|,?\s+)((senior|chief|staff|contributing|executive|managing|deputy|associate|assistant|"
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
WIRE = re.compile(r"^(the\s+)?(" + "|".join(WIRE_NAMES) + r")(\s+staff)?\.?$", re.I)


def clean_name(value: str) -> str | None:
    """A person's name out of a byline string, or None when it is not one."""
    name = " ".join(html.unescape(value or "").split())
    name = re.sub(r"https?://\S+|\S+@\S+\.\S+|@\w+", " ", name)
    name = re.sub(r"\([^()]*\)|\[[^\[\]]*\]", " ", name)
    name = re.sub(r"\b(link\s+copied|copy\s+link|follow|author\s+profile|contact)\b.*$", "", name, flags=re.I)
    for _ in range(2):
        name = _BYLINE_PREFIX.sub("", name.strip(" -–—:|•,"))
    name = DATEISH.sub("", name)
    name = TRAILING.sub("", name)
    name = ROLE.sub("", name.strip(" ,/"))
    without_agency = _AGENCY_SUFFIX.sub("", name)
    if len(without_agency.split()) >= 2:
        name = without_agency
    words = name.split()
    if len(words) >= 4 and len(words) % 2 == 0 and words[: len(words) // 2] == words[len(words) // 2:]:
        name = " ".join(words[: len(words) // 2])  # "Associated Press Associated Press"
    name = CREDENTIALS.sub("", name.strip(" ,"))
    name = " ".join(name.split()).strip(" ,;:-–—|•")
    # the next sentence's first word; "An" capitalised is also a given name ("Nguyễn Văn An")
    name = re.sub(r"\s+(?:(?i:the|a)|an)$", "", name)
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
    return _AFFILIATION_MARK.sub(lambda m: m.group(0) if MONTHS_DAYS.fullmatch(m.group(1)) or m.group(1).islower()
                                 else m.group(1), value)


def split_names(value: str) -> list[str]:
    value = re.sub(r",?\s*\+\s*\d+\s+more\b.*$", "", value or "", flags=re.I)
    value = _BYLINE_PREFIX.sub("", " ".join(value.split()).strip(" -–—:|•"))
    value = _drop_affiliation_marks(value)
    parts = re.split(r"\s*(?:;|\||\s&\s|\band\b|\bund\b|\bet\b|\by\b|,(?!\s*(?:jr|sr|ph\.?d|md|ii|iii)\b))\s*", value,
                     flags=re.I)
    parts = [p.strip() for p in parts if p and p.strip()]
    return parts[:1] + [p for p in parts[1:] if not _POST_NOMINAL.fullmatch(p) or WIRE.match(p)]


def is_site_name(name: str, keys: set[str]) -> bool:
    squashed = squash(name)
    words = {squash(w) for w in name.split()}
    return any(squashed == k or k in words or (len(k) > 3 and k in squashed) or (len(squashed) > 3 and squashed in k)
               for k in keys)
