"""The reading room's pages for people (loaded through Datasette's plugins directory): the front
page's data, readable article lists, reader-friendly dates and bylines, the article page's
revisions and the charts' series.

Every query here reads the small ``article_days`` table (kept by triggers, see
pipelines/schema.py) or walks an index with a LIMIT, so pages cost the same on a thousand
articles as on millions. Scraped values are only ever escaped text.
"""

from __future__ import annotations

import json
import re
from datetime import date, datetime, timedelta, timezone
from typing import Any

from datasette import hookimpl
from datasette.filters import FilterArguments
from markupsafe import Markup, escape

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
LATEST_ON_FRONT_PAGE = 12
LEAD_CHARS = 280
CHART_DAYS = 400  # the coverage chart's window, newest day back
HEALTH_DAYS = 90
SEARCH_PARAM = "_q"  # the articles list's own search: the newest SEARCH_LIMIT matches
SEARCH_LIMIT = 2000
_WORD = re.compile(r"\w+", re.UNICODE)


def reader_date(value: str | None) -> str:
    """An ISO 8601 stamp as a reader writes it: '3 Dec 2026, 14:05 UTC'; a bare date as
    '3 Dec 2026'; a time the page gave without a zone without one. Anything else unchanged."""
    text = (value or "").strip()
    if not text:
        return ""
    try:
        when = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return text
    day = f"{when.day} {MONTHS[when.month - 1]} {when.year}"
    if len(text) <= 10:
        return day
    if when.tzinfo is not None:
        return f"{day}, {when.astimezone(timezone.utc):%H:%M} UTC"
    return f"{day}, {when:%H:%M}"


def author_names(value: Any) -> str:
    """A JSON list of names (or a list) as a byline: 'Ada Writer and Bo Editor'."""
    if isinstance(value, str):
        try:
            value = json.loads(value) if value.strip().startswith("[") else [value]
        except ValueError:
            value = [value]
    names = [str(n).strip() for n in (value or []) if str(n).strip()]
    if len(names) <= 2:
        return " and ".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def lead(body: str | None, limit: int = LEAD_CHARS) -> str:
    """The first lines of a body, cut at a word."""
    text = " ".join((body or "").split())
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0] + " …"


def hit_snippet(body: str | None, search: str | None, width: int = 110) -> Markup:
    """Around the first word of ``body`` that starts like a searched word, with every such word
    in <mark>; the lead when none does. Escaped text."""
    text = " ".join((body or "").split())
    terms = [t.casefold() for t in _WORD.findall(search or "") if t.upper() not in ("AND", "OR", "NOT", "NEAR")]
    stems = [t[:max(4, len(t) - 3)] if len(t) > 4 else t for t in terms]
    if not stems:
        return Markup(escape(lead(text)))
    words = [m for m in _WORD.finditer(text) if any(m.group().casefold().startswith(s) for s in stems)]
    if not words:
        return Markup(escape(lead(text)))
    start = max(0, words[0].start() - width)
    end = min(len(text), words[0].end() + width)
    out, pos = [], start
    for m in words:
        if m.start() < start or m.end() > end:
            continue
        out.append(str(escape(text[pos:m.start()])) + f"<mark>{escape(m.group())}</mark>")
        pos = m.end()
    out.append(str(escape(text[pos:end])))
    return Markup(("… " if start else "") + "".join(out) + (" …" if end < len(text) else ""))


def cells_dict(row) -> dict[str, Any]:
    """A table page's display row as {column: raw value}."""
    return {cell["column"]: cell["raw"] for cell in row}


@hookimpl
def prepare_jinja2_environment(env):
    env.filters["reader_date"] = reader_date
    env.filters["author_names"] = author_names
    env.filters["lead"] = lead
    env.filters["hit_snippet"] = hit_snippet
    env.filters["cells_dict"] = cells_dict


def archive_name(datasette) -> str | None:
    """The served archive's database name."""
    return next((name for name in datasette.databases if name != "_internal"), None)


class Room:
    """Queries behind the room's pages, for one archive; each a short indexed read."""

    def __init__(self, datasette, database: str):
        self.ds = datasette
        self.database = database
        self.db = datasette.get_database(database)

    async def rows(self, sql: str, params: dict | None = None) -> list[dict[str, Any]]:
        result = await self.db.execute(sql, params or {})
        return [dict(r) for r in result.rows]

    async def latest(self, limit: int = LATEST_ON_FRONT_PAGE) -> list[dict[str, Any]]:
        return await self.rows(
            "select id, site, title, authors, published, substr(body, 1, 800) as body from articles "
            "order by published desc, id desc limit :n", {"n": limit})

    async def sites(self) -> list[dict[str, Any]]:
        return await self.rows("""
            with sites as (
              select site, sum(articles) as articles, max(nullif(day, '')) as latest_day
              from article_days group by site
            )
            select s.site, s.articles, s.latest_day,
              (select max(finished) from crawl_runs r where r.site = s.site and r.status = 'ok') as last_ok,
              (select status from crawl_runs r where r.site = s.site order by started desc limit 1) as last_status
            from sites s order by s.articles desc, s.site""")

    async def total(self) -> int:
        rows = await self.rows("select coalesce(sum(articles), 0) as n from article_days")
        return rows[0]["n"]

    async def coverage(self, site: str | None = None) -> dict[str, Any]:
        """Articles per publication day over the chart's window: days, the total and (for the
        whole archive) one series per site."""
        where = "day != ''" + (" and site = :site" if site else "")
        rows = await self.rows(f"""
            select day, site, sum(articles) as articles from article_days
            where {where} and day >= (select date(max(day), '-{CHART_DAYS} days') from article_days
                                      where {where} and day <= date('now', '+1 day'))
              and day <= date('now', '+1 day')
            group by day, site order by day""", {"site": site})
        return series(rows, "day", "site", "articles", total_label=None if site else "all sites")

    async def crawl_health(self, site: str | None = None) -> dict[str, Any]:
        """Finished crawl runs per day by outcome over the last HEALTH_DAYS days of runs."""
        where = "status != 'running'" + (" and site = :site" if site else "")
        rows = await self.rows(f"""
            select date(started) as day, status, count(*) as runs from crawl_runs
            where started >= (select date(max(started), '-{HEALTH_DAYS} days') from crawl_runs) and {where}
            group by day, status order by day""", {"site": site})
        return series(rows, "day", "status", "runs", total_label=None)

    async def versions(self, article_id: int) -> list[dict[str, Any]]:
        return await self.rows(
            "select captured_at, title, body from article_versions where article_id = :id "
            "order by captured_at, id", {"id": article_id})

    async def site_runs(self, site: str) -> dict[str, Any]:
        rows = await self.rows("""
            select
              (select max(finished) from crawl_runs where site = :site and status = 'ok') as last_ok,
              (select count(*) from crawl_requests where site = :site and taken is null) as waiting""",
            {"site": site})
        return rows[0]


def series(rows: list[dict[str, Any]], x: str, group: str, value: str, total_label: str | None) -> dict[str, Any]:
    """Long rows (x, group, value) as chart columns: every x once, one list per group (0 where a
    group has nothing), and a total first when ``total_label`` is given."""
    xs = every_day(sorted({r[x] for r in rows}))
    groups = sorted({r[group] or "" for r in rows})
    at = {v: i for i, v in enumerate(xs)}
    columns = {g: [0] * len(xs) for g in groups}
    for r in rows:
        columns[r[group] or ""][at[r[x]]] += r[value] or 0
    out = [{"label": g, "values": columns[g]} for g in groups]
    if total_label is not None:
        out.insert(0, {"label": total_label, "values": [sum(c[i] for c in columns.values()) for i in range(len(xs))]})
    return {"x": xs, "series": out}


def every_day(days: list[str]) -> list[str]:
    """The days from the first to the last of ``days`` (ISO dates), none missing, so a day
    without articles is drawn as 0 rather than bridged; a single day comes with its neighbours."""
    if not days:
        return []
    try:
        first, last = date.fromisoformat(days[0]), date.fromisoformat(days[-1])
    except ValueError:
        return days
    if first == last:  # one day alone has no width to draw: show it between its neighbours
        first, last = first - timedelta(days=1), last + timedelta(days=1)
    return [(first + timedelta(days=k)).isoformat() for k in range((last - first).days + 1)]


def chart_json(data: dict[str, Any]) -> Markup:
    """Chart data for a <script type="application/json"> element (no '</' can close it)."""
    return Markup(json.dumps(data).replace("<", "\\u003c"))


@hookimpl
def extra_template_vars(template, database, table, request, datasette):
    name = database or archive_name(datasette)
    if name is None or name == "_internal":
        return {}
    room = Room(datasette, name)
    return {"room": room, "room_database": name, "chart_json": chart_json}


# Columns of the ready-made queries that hold a UTC time stamp, shown in reader terms.
QUERY_TIMES = {"last_run", "last_run_with_new", "running_since", "requested", "taken", "run_started",
               "run_finished", "merged_at", "version_archived", "latest_change", "changed_at", "last_at"}


@hookimpl
def render_cell(value, column, table):
    if column == "authors" and isinstance(value, str) and value.lstrip().startswith("["):
        return author_names(value)
    if table is None and column in QUERY_TIMES and isinstance(value, str) and value[:1].isdigit():
        return Markup(f'<time datetime="{escape(value)}">{escape(reader_date(value))}</time>')
    return None


@hookimpl
def filters_from_request(request, table):
    """``?_q=words`` on the articles table: the articles matching, newest archived first, at most
    SEARCH_LIMIT of them, so counting, faceting and sorting a common word's matches stays cheap
    (Datasette's own ``?_search=`` takes every match)."""
    words = (request.args.get(SEARCH_PARAM) or "").strip()
    if table != "articles" or not words:
        return None
    return FilterArguments(
        [f"id in (select rowid from articles_fts where articles_fts match escape_fts(:room_q) "
         f"order by rowid desc limit {SEARCH_LIMIT})"],
        {"room_q": words}, [f'search matches "{words}"'], {"room_search": words, "room_search_limit": SEARCH_LIMIT})
