"""The archive's schema, as numbered migrations. This module is the only one that creates or
alters tables.

Each migration runs once, in order, inside a transaction, and is recorded in ``_migrations``;
running ``migrate`` on an up-to-date archive does nothing. Public names (``articles``,
``articles_fts``, ``url_aliases``, ``crawl_runs``, ``failed_urls``) are what users write SQL
against: add columns, never rename them.
"""

from __future__ import annotations

from collections.abc import Callable

import sqlite_utils

from pipelines.transactions import writing

Migration = Callable[[sqlite_utils.Database], None]
MIGRATIONS: list[tuple[str, Migration]] = []


def migration(fn: Migration) -> Migration:
    MIGRATIONS.append((fn.__name__, fn))
    return fn


@migration
def m001_articles(db: sqlite_utils.Database) -> None:
    db["articles"].create(
        {
            "id": int,
            "url": str,  # canonical URL
            "site": str,
            "title": str,
            "authors": str,  # JSON list of names
            "published": str,  # ISO 8601; UTC ("...Z") when the page gave a zone
            "published_source": str,
            "modified": str,
            "language": str,
            "description": str,
            "tags": str,  # JSON list
            "image": str,
            "body": str,  # plain text, paragraphs separated by blank lines
            "word_count": int,
            "content_hash": str,
            "fetched_url": str,
            "first_seen": str,
            "last_seen": str,
            "updated": str,
            "revisions": int,
        },
        pk="id",
        not_null={"url", "site", "body", "content_hash", "first_seen", "last_seen"},
        defaults={"revisions": 0},
    )
    db["articles"].create_index(["url"], unique=True)
    db["articles"].create_index(["content_hash"])
    db["articles"].create_index(["site", "published"])
    db["articles"].create_index(["published"])
    db["articles"].enable_fts(["title", "body"], create_triggers=True, tokenize="porter")


@migration
def m002_url_aliases(db: sqlite_utils.Database) -> None:
    # Every URL key that led to an article: its own canonical URL and each merged variant.
    db["url_aliases"].create(
        {"url_key": str, "url": str, "article_id": int, "reason": str, "first_seen": str},
        pk="url_key",
        foreign_keys=[("article_id", "articles", "id")],
    )
    db["url_aliases"].create_index(["article_id"])


@migration
def m003_crawl_runs(db: sqlite_utils.Database) -> None:
    db["crawl_runs"].create(
        {
            "id": int,
            "site": str,
            "started": str,
            "finished": str,
            "status": str,  # running, ok, failed, timeout, interrupted
            "trigger": str,  # manual, schedule, catch-up
            "pid": int,
            "requests": int,
            "pages": int,
            "new_articles": int,
            "duplicates": int,
            "not_articles": int,
            "errors": int,
            "blocked": int,
            "skipped": int,
            "message": str,
        },
        pk="id",
        defaults={k: 0 for k in ("requests", "pages", "new_articles", "duplicates",
                                 "not_articles", "errors", "blocked", "skipped")},
    )
    db["crawl_runs"].create_index(["site", "started"])


@migration
def m004_failed_urls(db: sqlite_utils.Database) -> None:
    db["failed_urls"].create(
        {"id": int, "run_id": int, "site": str, "url": str, "reason": str, "detail": str, "at": str},
        pk="id",
        foreign_keys=[("run_id", "crawl_runs", "id")],
    )
    db["failed_urls"].create_index(["site", "reason"])
    db["failed_urls"].create_index(["url"])


@migration
def m005_fetch_state(db: sqlite_utils.Database) -> None:
    # What the crawler knows about each URL it fetched: validators and when to look again.
    db["fetch_state"].create(
        {
            "url": str,
            "site": str,
            "outcome": str,  # article, duplicate, not-article, error, blocked
            "article_id": int,
            "etag": str,
            "last_modified": str,
            "content_hash": str,
            "last_fetched": str,
            "next_check": str,  # NULL: never again
            "hint": str,  # newest lastmod/updated seen in a sitemap or feed
        },
        pk="url",
    )
    db["fetch_state"].create_index(["site", "next_check"])


@migration
def m006_article_versions(db: sqlite_utils.Database) -> None:
    # The earlier versions of an article whose title or body changed on a recheck.
    db["article_versions"].create(
        {"id": int, "article_id": int, "captured_at": str, "title": str, "body": str, "content_hash": str},
        pk="id",
        foreign_keys=[("article_id", "articles", "id")],
    )
    db["article_versions"].create_index(["article_id", "captured_at"])


@migration
def m007_crawl_requests(db: sqlite_utils.Database) -> None:
    # Manual triggers: `newsarchive trigger SITE` inserts, the daemon picks them up.
    db["crawl_requests"].create(
        {"id": int, "site": str, "requested": str, "taken": str, "run_id": int},
        pk="id",
    )
    db["crawl_requests"].create_index(["taken"])


@migration
def m008_schedule_state(db: sqlite_utils.Database) -> None:
    # The daemon's memory of each site's schedule: the last slot it fired (or caught up), so a
    # restart after downtime crawls a site that missed slots exactly once.
    db["schedule_state"].create({"site": str, "last_slot": str}, pk="site")


@migration
def m009_fetch_failures(db: sqlite_utils.Database) -> None:
    # consecutive failed fetches of a URL, for backing off from it across runs
    db["fetch_state"].add_column("failures", int, not_null_default=0)


@migration
def m010_run_health(db: sqlite_utils.Database) -> None:
    # extraction health per run (pipelines/health.py): the run's numbers and whether they collapsed
    # against the site's history
    for column, kind in (("median_words", int), ("no_date_share", float), ("no_author_share", float),
                         ("not_article_share", float), ("health_pages", int), ("health", str),
                         ("health_detail", str)):
        db["crawl_runs"].add_column(column, kind)


@migration
def m011_room_article_days(db: sqlite_utils.Database) -> None:
    # The reading room's counts, kept by triggers so its front page, charts and facets never count
    # a large articles table: articles per site, language and publication day ('' when undated).
    db.execute("""
        CREATE TABLE article_days (
            site TEXT NOT NULL, language TEXT NOT NULL, day TEXT NOT NULL, articles INTEGER NOT NULL,
            PRIMARY KEY (site, language, day)
        )""")
    db.execute("CREATE INDEX article_days_day ON article_days (day)")
    key = {"new": "coalesce(NEW.site, ''), coalesce(NEW.language, ''), coalesce(date(NEW.published), '')",
           "old": "coalesce(OLD.site, ''), coalesce(OLD.language, ''), coalesce(date(OLD.published), '')"}
    add = (f"INSERT INTO article_days (site, language, day, articles) VALUES ({key['new']}, 1) "
           "ON CONFLICT (site, language, day) DO UPDATE SET articles = articles + 1;")
    remove = (f"UPDATE article_days SET articles = articles - 1 WHERE (site, language, day) = ({key['old']});"
              "DELETE FROM article_days WHERE articles <= 0;")
    db.execute(f"CREATE TRIGGER article_days_ai AFTER INSERT ON articles BEGIN {add} END")
    db.execute(f"CREATE TRIGGER article_days_ad AFTER DELETE ON articles BEGIN {remove} END")
    db.execute(f"CREATE TRIGGER article_days_au AFTER UPDATE OF site, language, published ON articles "
               f"BEGIN {remove} {add} END")
    db.execute("""
        INSERT INTO article_days (site, language, day, articles)
        SELECT coalesce(site, ''), coalesce(language, ''), coalesce(date(published), ''), count(*)
        FROM articles GROUP BY 1, 2, 3""")


@migration
def m012_room_indexes(db: sqlite_utils.Database) -> None:
    # the reading room's lookups: a site's last good crawl, runs per day, the language filter
    db["crawl_runs"].create_index(["site", "status", "finished"])
    db["crawl_runs"].create_index(["started"])
    db["articles"].create_index(["language", "published"])


@migration
def m013_room_merged_aliases(db: sqlite_utils.Database) -> None:
    # the newest merged URLs (the room's duplicates query) without reading every canonical alias
    db.execute("CREATE INDEX url_aliases_merged ON url_aliases (first_seen) WHERE reason != 'canonical'")


@migration
def m014_captures(db: sqlite_utils.Database) -> None:
    # One row per WARC record written (pipelines/warc.py): the page as fetched, by file and offset.
    db["captures"].create(
        {
            "id": int,
            "url": str,  # as requested
            "article_id": int,  # NULL: not (or not yet) an article
            "warc": str,  # file name in the WARC folder
            "offset": int,
            "length": int,  # bytes of the (gzipped) record
            "fetched": str,  # WARC-Date, UTC
            "status": int,  # HTTP status
            "digest": str,  # WARC-Payload-Digest
            "content_type": str,
            "record_id": str,  # WARC-Record-ID
            "revisit_of": int,  # captures.id of the record a revisit confirms
            "hints": str,  # JSON: what feeds and sitemaps said of the page (re-extraction uses it)
        },
        pk="id",
    )
    db["captures"].create_index(["article_id", "id"])
    db["captures"].create_index(["url", "id"])


@migration
def m015_reextraction(db: sqlite_utils.Database) -> None:
    # Which extractor made each record, and from which capture, kept apart from the publisher's
    # revisions: a re-extraction (``newsarchive reextract``) sets ``extracted_by`` and
    # ``reextracted``, never ``updated``,
    # ``revisions`` or ``article_versions``. One row per re-extraction in ``extraction_runs``.
    db["articles"].add_column("extracted_by", str)
    db["articles"].add_column("reextracted", str)
    db["articles"].add_column("capture_id", int)  # the capture the current title and body come from
    db["extraction_runs"].create(
        {"id": int, "started": str, "finished": str, "status": str, "dry_run": int, "extractor": str,
         "articles": int, "changed": int, "unchanged": int, "not_articles": int, "failed": int,
         "no_capture": int, "fields": str, "message": str},
        pk="id",
    )


@migration
def m016_cluster(db: sqlite_utils.Database) -> None:
    # Crawls run by cluster workers (``newsarchive worker``): the host that ran each run, and the
    # batches the archive writer has saved, so a batch delivered twice is written once.
    db["crawl_runs"].add_column("worker", str)
    db["saved_batches"].create({"id": str, "run_id": int, "saved": str, "outcomes": str}, pk="id")
    db["saved_batches"].create_index(["run_id"])


def schema_version() -> int:
    """This version's schema: the number of migrations, kept in the file as PRAGMA user_version."""
    return len(MIGRATIONS)



class SchemaProblem(Exception):
    """The file is not an archive this version can use; the message says why and what to do."""


def software_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("newsarchive")
    except PackageNotFoundError:
        return "unknown"


def inspect(db: sqlite_utils.Database) -> None:
    """Refuse, without writing anything, a SQLite file that is not an archive (it has tables but
    no ``_migrations``) and an archive written by a newer version of newsarchive."""
    tables = set(db.table_names())
    if tables and "_migrations" not in tables:
        shown = ", ".join(sorted(tables)[:5]) + (", ..." if len(tables) > 5 else "")
        raise SchemaProblem(f"a SQLite database, but not a newsarchive archive (its tables: {shown}); it was "
                            "left as it is: pass --db with a new or an archive file")
    if not tables:
        return
    known = {name for name, _ in MIGRATIONS}
    columns = {c.name for c in db["_migrations"].columns}
    rows = db.execute("SELECT name" + (", version" if "version" in columns else ", NULL")
                      + " FROM _migrations").fetchall()
    unknown = [(name, made_by) for name, made_by in rows if name not in known]
    stored = db.execute("PRAGMA user_version").fetchone()[0]
    if unknown or stored > schema_version():
        needs = max((v for _, v in unknown if v), default=None)
        schema = max(stored, len(rows))
        raise SchemaProblem(
            f"written by a newer newsarchive (archive schema {schema}"
            + (f", made by newsarchive {needs}" if needs else "")
            + f"; this is newsarchive {software_version()} with schema {schema_version()}): upgrade newsarchive"
            + (f" to {needs} or later" if needs else "") + " to use it; the file was left as it is")


def migrate(db: sqlite_utils.Database) -> list[str]:
    """Apply pending migrations; return the names applied. Call ``inspect`` first."""
    db.execute(
        "CREATE TABLE IF NOT EXISTS _migrations (name TEXT PRIMARY KEY, applied TEXT NOT NULL, version TEXT)"
    )
    if "version" not in {c.name for c in db["_migrations"].columns}:
        db.execute("ALTER TABLE _migrations ADD COLUMN version TEXT")
    done = {row[0] for row in db.execute("SELECT name FROM _migrations").fetchall()}
    applied = []
    made_by = software_version()
    for name, fn in MIGRATIONS:
        if name in done:
            continue
        with writing(db):
            fn(db)
            db.execute(
                "INSERT INTO _migrations (name, applied, version) "
                "VALUES (?, strftime('%Y-%m-%dT%H:%M:%SZ','now'), ?)",
                [name, made_by],
            )
        applied.append(name)
    if db.execute("PRAGMA user_version").fetchone()[0] != schema_version():
        db.execute(f"PRAGMA user_version = {schema_version()}")
    return applied


def pending(db: sqlite_utils.Database) -> list[str]:
    """Migrations the archive has not had yet."""
    if "_migrations" not in db.table_names():
        return [name for name, _ in MIGRATIONS]
    done = {row[0] for row in db.execute("SELECT name FROM _migrations").fetchall()}
    return [name for name, _ in MIGRATIONS if name not in done]


def expected_columns() -> dict[str, set[str]]:
    """Every table the migrations make, with its columns (built in memory)."""
    scratch = sqlite_utils.Database(memory=True)
    try:
        migrate(scratch)
        return {name: {c.name for c in scratch[name].columns} for name in scratch.table_names()}
    finally:
        scratch.close()


def verify(db: sqlite_utils.Database) -> None:
    """Refuse an archive that lacks a table or a column its migrations made (it was damaged or
    edited by hand): writing to it would lose data."""
    present = set(db.table_names())
    for table, columns in expected_columns().items():
        if table not in present:
            raise SchemaProblem(f"damaged: table {table} is missing (schema {schema_version()} has it); "
                                "restore the file from a backup")
        missing = sorted(columns - {c.name for c in db[table].columns})
        if missing:
            raise SchemaProblem(f"damaged: table {table} lacks column(s) {', '.join(missing)}; "
                                "restore the file from a backup")
