"""URL identity: which URLs name the same article.

``canonical_url`` is what we store and show (tracking parameters and fragments gone, host lower
case, default port dropped, query sorted). ``url_key`` goes further for deduplication: it also
forgets the scheme and a leading ``www.``, and maps AMP and print variants onto the article.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from w3lib.url import canonicalize_url

TRACKING_PARAMS = frozenset((
    "fbclid", "gclid", "dclid", "msclkid", "mc_cid", "mc_eid", "igshid", "yclid", "_ga", "_gl",
    "ocid", "cmpid", "cmp", "ncid", "sr_share", "share", "src", "ref", "ref_src", "ref_url",
    "taid", "guccounter", "guce_referrer", "guce_referrer_sig", "mbid", "rss", "spm",
    "smid", "soc_src", "soc_trk", "__twitter_impression", "wt_mc", "s_cid", "trk",
))
_TRACKING_PREFIXES = ("utm_", "at_", "pk_", "mtm_", "hsa_", "oly_", "vero_")
_VARIANT_PARAMS = {"amp", "outputtype", "print", "output", "view", "page"}
_AMP_PATH = re.compile(r"(/amp)+/?$|/amp(?=/)|\.amp(?=\.html?$|$)", re.I)
_PRINT_PATH = re.compile(r"/print/?$", re.I)


def _is_tracking(name: str) -> bool:
    lower = name.lower()
    return lower in TRACKING_PARAMS or lower.startswith(_TRACKING_PREFIXES)


def canonical_url(url: str) -> str:
    """The URL we store: no tracking parameters or fragment, normalized host and port."""
    parts = urlsplit(url.strip())
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _is_tracking(k)]
    netloc = (parts.hostname or "").lower()
    if parts.port and (parts.scheme, parts.port) not in (("http", 80), ("https", 443)):
        netloc += f":{parts.port}"
    cleaned = urlunsplit((parts.scheme.lower(), netloc, parts.path or "/", urlencode(query), ""))
    return canonicalize_url(cleaned, keep_fragments=False)


def url_key(url: str) -> str:
    """A key equal for every variant of one article's URL (scheme, www., AMP, print, tracking)."""
    parts = urlsplit(canonical_url(url))
    host = parts.netloc.lower()
    for prefix in ("www.", "amp.", "m.", "mobile."):
        if host.startswith(prefix):
            host = host[len(prefix):]
            break
    path = _PRINT_PATH.sub("", _AMP_PATH.sub("", parts.path)) or "/"
    if len(path) > 1:
        path = path.rstrip("/")
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
             if k.lower() not in _VARIANT_PARAMS]
    query_string = urlencode(query)
    return f"//{host}{path}" + (f"?{query_string}" if query_string else "")


def same_site(url: str, domains: tuple[str, ...] | list[str]) -> bool:
    """Whether ``url`` is on one of the site's domains (or a subdomain of one)."""
    host = (urlsplit(url).hostname or "").lower()
    return any(host == d or host.endswith("." + d) for d in domains)
