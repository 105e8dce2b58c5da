"""The ``newsarchive`` command. Each command is a thin wrapper over one library call; library
errors become ``click.ClickException`` with the fix in the message."""

from __future__ import annotations

import os

import click

from crawler.config import DEFAULT_DB, ConfigError, config_path, load_config
from pipelines.archive import ArchiveError

config_option = click.option(
    "--config", "config_file", default=None, metavar="FILE",
    help="Sites file (default: $NEWSARCHIVE_CONFIG or ./sites.toml).")
db_option = click.option(
    "--db", "db_file", default=None, metavar="FILE",
    help="Archive file (default: $NEWSARCHIVE_DB or ./archive.db).")


def db_path(explicit: str | None) -> str:
    return explicit or os.environ.get("NEWSARCHIVE_DB") or DEFAULT_DB


def _load(config_file: str | None):
    try:
        return load_config(config_path(config_file))
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None


@click.group()
@click.version_option(package_name="newsarchive")
def cli() -> None:
    """Keep a clean, deduplicated, searchable archive of the tech press."""


@cli.command()
@click.argument("sites", nargs=-1)
@config_option
@db_option
@click.option("--workers", type=int, default=None, help="Extraction processes (default: one per core).")
@click.option("-v", "--verbose", is_flag=True, help="Show Scrapy's own log.")
def crawl(sites: tuple[str, ...], config_file: str | None, db_file: str | None, workers: int | None,
          verbose: bool) -> None:
    """Crawl SITES (all configured sites when none are named) into the archive, in the foreground."""
    from crawler.runner import crawl_sites

    config = _load(config_file)
    try:
        config.select(sites)
        summaries = crawl_sites(config, sites, db_path(db_file), workers=workers,
                                log_level="INFO" if verbose else "WARNING")
    except (ConfigError, ArchiveError) as exc:
        raise click.ClickException(str(exc)) from None
    for s in summaries:
        c = s.counts
        line = (f"{s.site}: {s.status}" + (f" in {s.seconds:.1f}s" if s.run_id else "")
                + (f" - {c['new_articles']} new, {c['duplicates']} duplicates, {c['not_articles']} not articles, "
                   f"{c['errors']} errors, {c['blocked']} blocked, {c['skipped']} skipped; "
                   f"{c['pages']} pages from {c['requests']} requests" if c else "")
                + (f" ({s.message})" if s.message and s.status != "ok" else "")
                + (f" [extraction collapsed: {s.health['health_detail']}]" if s.health.get("health") == "collapsed"
                   else ""))
        click.echo(line)
    if any(s.status == "interrupted" for s in summaries):
        raise SystemExit(130)


@cli.command()
@config_option
@db_option
def run(config_file: str | None, db_file: str | None) -> None:
    """Run the daemon: crawl every site on its schedule until stopped (SIGTERM/SIGINT)."""
    import scheduler

    config = _load(config_file)
    try:
        scheduler.run_daemon(config, db_path(db_file))
    except (ConfigError, ArchiveError) as exc:
        raise click.ClickException(str(exc)) from None


@cli.command()
@click.argument("sites", nargs=-1, required=True)
@config_option
@db_option
def trigger(sites: tuple[str, ...], config_file: str | None, db_file: str | None) -> None:
    """Ask the running daemon to crawl SITES now."""
    import scheduler

    config = _load(config_file)
    try:
        for line in scheduler.request_crawl(config, db_path(db_file), sites):
            click.echo(line)
    except (ConfigError, ArchiveError) as exc:
        raise click.ClickException(str(exc)) from None


@cli.command()
@config_option
@db_option
def sites(config_file: str | None, db_file: str | None) -> None:
    """List sites with their schedule, last run and next run."""
    import scheduler

    config = _load(config_file)
    try:
        click.echo(scheduler.sites_table(config, db_path(db_file)))
    except ArchiveError as exc:
        raise click.ClickException(str(exc)) from None


@cli.command()
@db_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind.")
@click.option("--port", default=8001, show_default=True, type=int)
def serve(db_file: str | None, host: str, port: int) -> None:
    """Open the archive in Datasette (read-only for visitors)."""
    from pipelines.reading_room import serve as serve_archive

    try:
        serve_archive(db_path(db_file), host=host, port=port)
    except ArchiveError as exc:
        raise click.ClickException(str(exc)) from None


@cli.command()
@click.argument("page", metavar="URL-OR-FILE")
@click.option("--url", "page_url", default=None, metavar="URL",
              help="The address a saved FILE was fetched from (default: file://FILE).")
@click.option("--timeout", default=20.0, show_default=True, help="Seconds to wait for a URL.")
def explain(page: str, page_url: str | None, timeout: float) -> None:
    """Show what extraction decides about one page, and why: outcome, page-kind rules, title,
    date and author candidates with their sources, each line kept or dropped with its rule."""
    from pipelines.explain import ExplainError, explain_source

    try:
        for line in explain_source(page, page_url, timeout):
            click.echo(line)
    except ExplainError as exc:
        raise click.ClickException(str(exc)) from None


def main() -> None:
    cli(prog_name="newsarchive")


if __name__ == "__main__":
    main()
