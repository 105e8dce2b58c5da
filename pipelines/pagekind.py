"""Pages that are not articles, told by what the page says about itself: named rules, each a test
on the page's own signals (JSON-LD @type, og:type, shop markup, the URL) with the reason it
gives. A page that declares itself an article (JSON-LD Article or og:type article) is never
refused here: these rules speak only for pages that do not.

Rules are data (name, what they look at, why), as in ``pipelines/blocking.py``; ``not_article``
returns the first that fires.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable
from urllib.parse import urlsplit

from pipelines.metadata import PageMeta

PRODUCT_TYPES = {"product", "productgroup", "offer", "aggregateoffer", "individualproduct", "productmodel", "car",
                 "vehicle"}
FORUM_TYPES = {"discussionforumposting", "qapage"}
_SHOP = re.compile(rb"add[ -]to[ -](cart|bag|basket)|itemprop=[\"']price[\"']|[\"']price[\"']\s*:\s*[\"']?\d|"
                   rb"data-product-id=|woocommerce-product|shopify-section-product|class=[\"'][^\"']*\bproduct-price\b",
                   re.I)
_FORUM_PATH = re.compile(r"/(threads?|topic|t|forums?|questions|discussions?|viewtopic\.php|showthread\.php|"
                         r"ShowTopic-[^/]*|r/[^/]+/comments)(/|\.|$|\?)", re.I)
_FORUM_HOST = re.compile(r"^(forums?|community|discuss|discourse|answers|boards?)\.", re.I)
_DOCS_HOST = re.compile(r"^(docs?|devdocs|wiki|manual|api|reference|apidocs)\.", re.I)
_DOCS_PATH = re.compile(r"/(docs?|documentation|reference|api|manual|handbook|wiki|javadoc|apidocs|man\d?)(/|$)", re.I)


@dataclass(frozen=True)
class PageSignals:
    """What the rules look at, gathered once per page."""

    meta: PageMeta
    url: str
    html: bytes  # the raw page (shop markup lives in attributes and scripts)
    credited: bool = False  # the page credits an author

    @property
    def declares_article(self) -> bool:
        return self.meta.ld_article or self.meta.og_type == "article"

    @property
    def states_date(self) -> bool:
        return bool(self.meta.published_ld or self.meta.published_meta or self.meta.published_time)


@dataclass(frozen=True)
class Rule:
    name: str
    why: str
    test: Callable[[PageSignals], bool]


RULES = (
    Rule("product markup", "JSON-LD describes a product or an offer, not an article",
         lambda s: bool(s.meta.ld_types & PRODUCT_TYPES)),
    Rule("product og:type", "og:type says product", lambda s: (s.meta.og_type or "").startswith("product")),
    Rule("forum markup", "JSON-LD describes a forum thread or a Q&A page",
         lambda s: bool(s.meta.ld_types & FORUM_TYPES)),
    Rule("forum address", "a forum, thread or Q&A address (forum software's URL shapes)",
         lambda s: bool(_FORUM_HOST.match(urlsplit(s.url).hostname or "") or _FORUM_PATH.search(urlsplit(s.url).path))),
    Rule("shop page", "prices or an add-to-cart button, no publication date, no author",
         lambda s: not s.states_date and not s.credited and bool(_SHOP.search(s.html))),
    Rule("documentation URL", "a docs/reference/manual address, and no publication date",
         lambda s: not s.states_date and bool(_DOCS_HOST.match(urlsplit(s.url).hostname or "")
                                                or _DOCS_PATH.search(urlsplit(s.url).path))),
)


def not_article(signals: PageSignals) -> Rule | None:
    """The first rule saying the page is not an article, or None."""
    if signals.declares_article:
        return None
    return next((rule for rule in RULES if rule.test(signals)), None)


# Not a rule: "no article markup, no date, no credit, not a post's address". Measured on the dev sets
# it refused 50 real articles (42 of wcxb-dev's 710, 7 of htmldate-bbaw's 184) for 102 non-articles:
# an archive that loses one story for every two service pages it keeps out is losing stories.
