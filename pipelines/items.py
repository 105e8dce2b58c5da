"""The items spiders hand to the pipelines."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class PageItem:
    """A fetched page, not yet extracted."""

    url: str  # as requested (canonicalized link)
    final_url: str  # after redirects
    site: str
    run_id: int
    body: bytes
    content_type: str = ""
    declared_encoding: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    hints: dict[str, Any] = field(default_factory=dict)  # dates from feeds and sitemaps
    capture: dict[str, Any] | None = None  # where the response went in the WARC files (pipelines.warc.Written.row)


def declared_charset(content_type: str) -> str | None:
    """The ``charset=`` of a Content-Type header, if any."""
    lowered = content_type.lower()
    if "charset=" not in lowered:
        return None
    return lowered.split("charset=", 1)[1].split(";")[0].strip(" \"'") or None
