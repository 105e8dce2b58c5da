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
