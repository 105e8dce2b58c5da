"""Dates as the archive stores them: ISO 8601, in UTC (``...Z``) whenever the source gave a zone."""

from __future__ import annotations

import email.utils
import re
import warnings
from datetime import date, datetime, timezone

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


def utc_now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
