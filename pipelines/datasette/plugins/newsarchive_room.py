"""Datasette hooks for the newsarchive reading room (loaded by ``newsarchive serve`` through
Datasette's plugins directory).

Everything an article contains came from a scraped page, so every value is escaped here; the
only markup added is our own (paragraphs, links to archive pages, highlight marks).
"""

from __future__ import annotations

import difflib
import json
import re
from datetime import datetime, timezone

import datasette_atom
from datasette import hookimpl
from datasette.database import QueryInterrupted
from datasette.facets import Facet
from datasette.utils import escape_sqlite, path_with_added_args, path_with_removed_args
from datasette.utils.asgi import Response
from feedgen.feed import FeedGenerator
from markupsafe import Markup, escape

SNIPPET_OPEN, SNIPPET_CLOSE = "\u27ea", "\u27eb"  # what the `search` query's snippet() marks with
_BLANK_LINES = re.compile(r"\n\s*\n")


def paragraphs(text: str | None) -> list[str]:
    """A body's paragraphs: the archive separates them with blank lines."""
    return [p.strip() for p in _BLANK_LINES.split(text or "") if p.strip()]


def http_url(value: str | None) -> str | None:
    """``value`` if it is an http(s) URL safe to put in an href, else None (no javascript:)."""
    value = (value or "").strip()
    return value if re.match(r"https?://[^\s]+$", value, re.I) else None


def highlight(snippet: str) -> Markup:
    text = escape(snippet)
    return Markup(str(text).replace(SNIPPET_OPEN, "<mark>").replace(SNIPPET_CLOSE, "</mark>"))


@hookimpl
def prepare_jinja2_environment(env):
    env.filters["paragraphs"] = paragraphs
    env.filters["http_url"] = http_url
    env.filters["snippet_marks"] = lambda value: highlight(value or "")
    env.filters["word_diff"] = lambda before, after: word_diff(before or "", after or "")


def word_diff(before: str, after: str) -> Markup:
    """The changed paragraphs of two bodies, words removed in <del> and added in <ins>; all text
    escaped."""
    old, new = paragraphs(before), paragraphs(after)
    out = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(a=old, b=new, autojunk=False).get_opcodes():
        if tag == "equal":
            continue
        a, b = " ".join(old[i1:i2]).split(), " ".join(new[j1:j2]).split()
        words = []
        for op, k1, k2, m1, m2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
            if op in ("replace", "delete"):
                words.append(f"<del>{escape(' '.join(a[k1:k2]))}</del>")
            if op in ("replace", "insert"):
                words.append(f"<ins>{escape(' '.join(b[m1:m2]))}</ins>")
            if op == "equal":
                words.append(str(escape(" ".join(a[k1:k2]))))
        out.append("<p>" + " ".join(words) + "</p>")
    return Markup("".join(out) or "<p><em>same text; the title changed</em></p>")


@hookimpl
def render_cell(row, value, column, table, database, datasette):
    if table is None and column == "changes" and isinstance(value, str) and value.startswith("["):
        try:
            before, after = json.loads(value)
        except (ValueError, TypeError):
            return None
        return word_diff(before or "", after or "")
    if table is None and column == "snippet" and isinstance(value, str) and SNIPPET_OPEN in value:
        return highlight(value)
    if table is None and column == "article_id" and isinstance(value, int):
        href = datasette.urls.row(database, "articles", str(value))
        return Markup(f'<a href="{escape(href)}">{value}</a>')
    if column == "title" and isinstance(value, str):
        key = "id" if table == "articles" else "article_id" if table is None else None
        if key and key in row.keys() and isinstance(row[key], int):
            href = datasette.urls.row(database, "articles", str(row[key]))
            return Markup(f'<a href="{escape(href)}">{escape(value)}</a>')
    return None


def render_atom(datasette, request, sql, columns, rows, database, table, query_name, view_name, data):
    """datasette-atom's feed, plus a valid empty feed where it fails on no rows (a search that
    matches nothing yet is still worth following)."""
    if rows:
        return datasette_atom.render_atom(datasette, request, sql, columns, rows, database, table,
                                          query_name, view_name, data)
    title = request.args.get("_feed_title") or sql
    if query_name:
        queries = (datasette.metadata(database=database) or {}).get("queries") or {}
        title = (queries.get(query_name) or {}).get("title") or title
    feed = FeedGenerator()
    feed.id(request.url)
    feed.link(href=request.url, rel="self")
    feed.title(title)
    feed.updated(datetime.now(timezone.utc))
    return Response(feed.atom_str(pretty=True), content_type="application/xml; charset=utf-8", status=200)


@hookimpl(trylast=True)
def register_output_renderer():
    # called after datasette-atom's hook, so this "atom" entry replaces its own
    return {"extension": "atom", "render": render_atom, "can_render": datasette_atom.can_render_atom}


# Arguments a request to the articles table may carry and still be counted from article_days
# (the per site, language and day counts pipelines/schema.py keeps by triggers).
COUNTABLE_FILTERS = {"site": "site", "language": "language"}
PASSIVE_ARGS = {"_facet", "_facet_month", "_facet_counted", "_facet_size", "_sort", "_sort_desc", "_next",
                "_view", "_size", "_shape", "_labels", "_nocount", "_nofacet", "_nosuggest", "_json"}


def counted_filters(request, table: str | None) -> tuple[str, dict] | None:
    """The WHERE clause and parameters over ``article_days`` that select what the articles table
    shows for this request, when its only filters are a site, a language and a date prefix; None
    when the table must be counted itself (a search, any other filter)."""
    if table != "articles":
        return None
    clauses, params = [], {}
    for key in request.args.keys():
        values = request.args.getlist(key)
        if key in PASSIVE_ARGS:
            continue
        if len(values) != 1:
            return None
        if key in COUNTABLE_FILTERS:
            clauses.append(f"{COUNTABLE_FILTERS[key]} = :f_{key}")
            params[f"f_{key}"] = values[0]
        elif key == "published__startswith" and re.fullmatch(r"\d{4}(-\d{0,2}(-\d{0,2})?)?", values[0]):
            clauses.append("substr(day, 1, length(:f_day)) = :f_day")
            params["f_day"] = values[0]
        else:
            return None
    return " and ".join(clauses) or "1", params


class CountedFacet(Facet):
    """A column facet (``{"counted": "site"}``, shown like Datasette's own) answered from
    ``article_days`` when the request allows (see ``counted_filters``), by counting the rows
    otherwise; selecting a value filters with ``column=value`` as a column facet does."""

    type = "counted"

    async def suggest(self):
        return []

    async def facet_results(self):
        results, timed_out = [], []
        args = dict(self.get_querystring_pairs())
        size = self.get_facet_size()
        counted = counted_filters(self.request, self.table)
        for source_and_config in self.get_configs():
            config = source_and_config["config"]
            column = config.get("column") or config["simple"]
            col = escape_sqlite(column)
            if counted and column in COUNTABLE_FILTERS.values():
                where, params = counted
                sql = (f"select {col} as value, sum(articles) as count from article_days "
                       f"where {where} and {col} != '' group by value order by count desc, value limit {size + 1}")
            else:
                params = self.params
                sql = (f"select {col} as value, count(*) as count from ({self.sql}) where {col} is not null "
                       f"group by value order by count desc, value limit {size + 1}")
            try:
                rows = await self.ds.execute(self.database, sql, params, truncate=False,
                                             custom_time_limit=self.ds.setting("facet_time_limit_ms"))
            except QueryInterrupted:
                timed_out.append(column)
                continue
            values = []
            for row in rows.rows[:size]:
                selected = args.get(column) == str(row["value"])
                path = (path_with_removed_args(self.request, {column: str(row["value"])}) if selected
                        else path_with_added_args(self.request, {column: row["value"]}))
                values.append({"value": row["value"], "label": row["value"], "count": row["count"],
                               "toggle_url": self.ds.absolute_url(self.request, path), "selected": selected})
            results.append({"name": column, "type": "column", "results": values,
                            "hideable": source_and_config["source"] != "metadata",
                            "toggle_url": path_with_removed_args(self.request, {"_facet_counted": column}),
                            "truncated": len(rows) > size})
        return results, timed_out


class MonthFacet(Facet):
    """Facet an ISO 8601 date column by month (``2024-05``); selecting a month filters with
    ``column__startswith``. Configure as ``{"month": "published"}``. The articles table's
    ``published`` months come from ``article_days`` when the request allows."""

    type = "month"

    async def suggest(self):
        return []

    async def facet_results(self):
        results, timed_out = [], []
        args = dict(self.get_querystring_pairs())
        size = self.get_facet_size()
        counted = counted_filters(self.request, self.table)
        for source_and_config in self.get_configs():
            config = source_and_config["config"]
            column = config.get("column") or config["simple"]
            if counted and column == "published":
                where, params = counted
                sql = f"""
                    select substr(day, 1, 7) as value, sum(articles) as count from article_days
                    where {where} and day != '' group by value order by value desc limit {size + 1}
                """
            else:
                params = self.params
                sql = f"""
                    select substr({escape_sqlite(column)}, 1, 7) as value, count(*) as count
                    from ({self.sql})
                    where {escape_sqlite(column)} glob '[12][0-9][0-9][0-9]-[01][0-9]*'
                    group by value order by value desc limit {size + 1}
                """
            try:
                rows = await self.ds.execute(
                    self.database, sql, params, truncate=False,
                    custom_time_limit=self.ds.setting("facet_time_limit_ms"))
            except QueryInterrupted:
                timed_out.append(column)
                continue
            key = f"{column}__startswith"
            values = []
            for row in rows.rows[:size]:
                selected = args.get(key) == row["value"]
                path = (path_with_removed_args(self.request, {key: row["value"]}) if selected
                        else path_with_added_args(self.request, {key: row["value"]}))
                values.append({"value": row["value"], "label": row["value"], "count": row["count"],
                               "toggle_url": self.ds.absolute_url(self.request, path),
                               "selected": selected})
            results.append({"name": column, "type": self.type, "results": values,
                            "hideable": source_and_config["source"] != "metadata",
                            "toggle_url": path_with_removed_args(self.request, {"_facet_month": column}),
                            "truncated": len(rows) > size})
        return results, timed_out


@hookimpl
def register_facet_classes():
    return [MonthFacet, CountedFacet]
