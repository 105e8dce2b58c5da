"""Row counts the reading room can afford on a large archive (loaded through Datasette's plugins
directory).

Datasette's database page counts every table with ``select count(*)``, which SQLite answers in
one step its time limit cannot interrupt: on a million articles, counting the full-text index's
shadow tables reads gigabytes and stalls the page for minutes. The archive is served instead
through ``ArchiveDatabase``, which takes the articles' count from ``article_days`` (kept by
triggers), counts other tables only up to ``COUNT_CAP`` rows ("many rows" beyond) and leaves the
full-text index's own tables uncounted.
"""

from __future__ import annotations

import sqlite3

from datasette import hookimpl
from datasette.database import Database, QueryInterrupted

COUNT_CAP = 10_000
MIN_TIME_LIMIT_MS = 50
UNCOUNTED_PREFIX = "articles_fts"


class ArchiveDatabase(Database):
    async def table_counts(self, limit=10):
        counts: dict[str, int | None] = {}
        for table in await self.table_names():
            if table.startswith(UNCOUNTED_PREFIX):
                counts[table] = None
                continue
            sql = ("select coalesce(sum(articles), 0) from article_days" if table == "articles"
                   else f"select count(*) from (select 1 from [{table}] limit {COUNT_CAP + 1})")
            try:
                result = await self.execute(sql, custom_time_limit=max(limit, MIN_TIME_LIMIT_MS))
                count = result.rows[0][0]
            except (QueryInterrupted, sqlite3.DatabaseError):  # too slow or unreadable: "many rows"
                count = None
            if count is not None and count > COUNT_CAP and table != "articles":
                count = None
            counts[table] = count
        return counts


@hookimpl
def startup(datasette):
    for name, db in list(datasette.databases.items()):
        if db.path and db.is_mutable and not isinstance(db, ArchiveDatabase):
            datasette.remove_database(name)
            datasette.add_database(ArchiveDatabase(datasette, db.path, is_mutable=True), name=name, route=db.route)
