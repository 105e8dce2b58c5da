"""The ``newsarchive`` command. Each command is a thin wrapper over one library call; library
errors become ``click.ClickException`` with the fix in the message."""

from __future__ import annotations

import os
import sys

import click

from crawler.config import DEFAULT_DB, ConfigError, config_path, load_config
from crawler.logs import write_line
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
@click.option("--workers", type=click.IntRange(min=1), default=None,
              help="Extraction processes (default: one per core).")
@click.option("-v", "--verbose", is_flag=True, help="Show Scrapy's own log.")
def crawl(sites: tuple[str, ...], config_file: str | None, db_file: str | None, workers: int | None,
          verbose: bool) -> None:
    """Crawl SITES (all configured sites when none are named) into the archive, in the foreground.

    Prints one line per site. Exit status: 0 when every site's run ended ok (failed pages are
    recorded in failed_urls, not fatal) or the site was busy in another crawl; 1 when the config
    or the archive cannot be used; 3 when a site's run failed; 130 after SIGINT, 143 after SIGTERM."""
    from crawler.runner import EXIT_BUSY, EXIT_OK, crawl_sites

    config = _load(config_file)
    try:
        config.select(sites)
        result = crawl_sites(config, sites, db_path(db_file), workers=workers,
                             log_level="INFO" if verbose else "WARNING")
    except (ConfigError, ArchiveError) as exc:
        raise click.ClickException(str(exc)) from None
    for s in result.summaries:
        say(summary_line(s))
    if result.cause:
        say(result.cause)
    if result.error:
        say(f"error: the crawl broke ({result.error}); runs it started are settled as failed next time")
    if result.exit_code not in (EXIT_OK, EXIT_BUSY):  # busy: another crawl has it (cron overlap)
        raise SystemExit(result.exit_code)


def summary_line(s) -> str:
    """One line for one site's run: status, time, counts, and why it did not end ok."""
    c = s.counts
    return (f"{s.site}: {s.status}" + (f" in {s.seconds:.1f}s" if s.run_id else "")
            + (f" - {c['new_articles']} new, {c['duplicates']} duplicates, {c['not_articles']} not articles, "
               f"{c['errors']} errors, {c['blocked']} blocked, {c['skipped']} skipped; "
               f"{c['pages']} pages from {c['requests']} requests" if c else "")
            + (f" ({s.message})" if s.message and s.status != "ok" else "")
            + (f" [extraction collapsed: {s.health['health_detail']}]" if s.health.get("health") == "collapsed"
               else ""))


def say(line: str) -> None:
    """A line on stdout that a closed pipe (``| head -1``) does not turn into a traceback."""
    write_line(line, sys.stdout)


broker_option = click.option(
    "--broker", metavar="URL", default=None, envvar="NEWSARCHIVE_BROKER",
    help="Celery broker of a crawl cluster, e.g. redis://:PASSWORD@10.0.0.5:6379/0 "
         "(default: $NEWSARCHIVE_BROKER; see docs/cluster.md).")


@cli.command()
@config_option
@db_option
@broker_option
def run(config_file: str | None, db_file: str | None, broker: str | None) -> None:
    """Run the daemon: crawl every site on its schedule until stopped (SIGTERM/SIGINT). With
    --broker, crawls go to `newsarchive worker` hosts and this process writes the archive."""
    import scheduler
    from crawler.cluster import ClusterUnavailable, require

    config = _load(config_file)
    try:
        if broker:
            require()
            from crawler.cluster.app import check_broker

            check_broker(broker)
        scheduler.run_daemon(config, db_path(db_file), broker)
    except (ConfigError, ArchiveError, ClusterUnavailable) as exc:
        raise click.ClickException(str(exc)) from None


@cli.command()
@click.option("--broker", metavar="URL", required=True, envvar="NEWSARCHIVE_BROKER",
              help="The cluster's Celery broker, as given to `newsarchive run --broker` (or $NEWSARCHIVE_BROKER).")
@click.option("--name", default=None, metavar="NAME",
              help="This host's name in crawl_runs.worker and in its WARC file names (default: the host name).")
@click.option("--concurrency", type=click.IntRange(min=1), default=1, show_default=True,
              help="Sites crawled at once on this host (each a crawl process).")
@click.option("--workdir", type=click.Path(file_okay=False), default=".", show_default=True,
              help="Where crawls run and write their WARC files (warcs/); never the archive's folder.")
def worker(broker: str, name: str | None, concurrency: int, workdir: str) -> None:
    """Run a crawl host of a cluster: take site crawls from the broker's crawl queue until stopped."""
    from crawler.cluster import ClusterUnavailable, require

    try:
        require()
        from crawler.cluster.app import check_broker
        from crawler.cluster.worker import run_worker

        check_broker(broker)
        os.makedirs(workdir, exist_ok=True)
        run_worker(broker, name, concurrency, workdir)
    except ClusterUnavailable as exc:
        raise click.ClickException(str(exc)) from None
    except OSError as exc:
        raise click.ClickException(f"--workdir {workdir}: {exc.strerror}") from None
    except Exception as exc:
        if type(exc).__module__.startswith("redis"):
            raise click.ClickException(f"broker {broker}: {exc}") from None
        raise


@cli.command()
@click.argument("sites", nargs=-1, required=True)
@config_option
@db_option
def trigger(sites: tuple[str, ...], config_file: str | None, db_file: str | None) -> None:
    """Ask the running daemon to crawl SITES now."""
    from crawler.schedules import daemon_running, request_crawl

    config = _load(config_file)
    path = db_path(db_file)
    try:
        requested = request_crawl(config, path, sites)
    except (ConfigError, ArchiveError) as exc:
        raise click.ClickException(str(exc)) from None
    for r in requested:
        if not r.added:
            say(f"{r.site}: already requested, waiting for the daemon")
        else:
            say(f"{r.site}: crawl requested" + ("; it is crawling now, so one more run follows" if r.crawling else ""))
    if not daemon_running(path):
        say(f"note: no `newsarchive run` daemon is running on {path}; the request waits for one "
            "(or crawl in the foreground now: newsarchive crawl SITE)")


@cli.command()
@config_option
@db_option
def sites(config_file: str | None, db_file: str | None) -> None:
    """List sites with their schedule, last run and next run."""
    from crawler.schedules import daemon_running, site_statuses

    config = _load(config_file)
    path = db_path(db_file)
    try:
        statuses = site_statuses(config, path)
    except ArchiveError as exc:
        raise click.ClickException(str(exc)) from None
    say(sites_table(statuses))
    if not config.sites:
        say(f"no sites in {config.path}")
    if not daemon_running(path):
        say(f"no `newsarchive run` daemon is running on {path}: schedules apply while one runs")


def sites_table(statuses) -> str:
    header = ("SITE", "SCHEDULE", "LAST RUN (UTC)", "TRIGGER", "STATUS", "NEW", "NEXT RUN (UTC)")
    table = [header]
    for s in statuses:
        run = s.last_run
        next_run = s.next_run.strftime("%Y-%m-%d %H:%M:%S") if s.next_run else "never"
        if s.requested:
            next_run = "after this run (requested)" if run and run["status"] == "running" else "requested, now"
        if run is None:
            table.append((s.site, s.schedule, "never", "-", "-", "-", next_run))
            continue
        started = run["started"].replace("T", " ").rstrip("Z")
        new = "-" if run["status"] == "running" else str(run["new_articles"] or 0)
        table.append((s.site, s.schedule, started, run["trigger"] or "-", run["status"], new, next_run))
    workers = [(s.last_run or {}).get("worker") for s in statuses]
    if any(workers):  # a cluster: which host ran each site's last run
        header = (*header, "WORKER")
        table = [header] + [(*row, worker or "-") for row, worker in zip(table[1:], workers)]
    widths = [max(len(row[i]) for row in table) for i in range(len(header))]
    return "\n".join("  ".join(cell.rjust(w) if i == 5 else cell.ljust(w) for i, (cell, w) in enumerate(zip(row, widths))).rstrip()
                     for row in table)


@cli.command()
@db_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind.")
@click.option("--port", default=8001, show_default=True, type=click.IntRange(1, 65535), help="Port to listen on.")
@click.option("--password", is_flag=True,
              help="Let a person sign in (/-/login) to ask for crawls: the password comes from "
                   "$NEWSARCHIVE_PASSWORD, or is asked for here.")
@click.option("--user", default="editor", show_default=True, help="The name to sign in with (with --password).")
@click.option("--token", is_flag=True,
              help="Let scripts ask for crawls with 'Authorization: Bearer TOKEN', TOKEN from $NEWSARCHIVE_TOKEN.")
@click.option("--warcs", metavar="DIR", default=None,
              help="The WARC folder, when [warc] directory moved it (default: warcs/ beside the archive).")
def serve(db_file: str | None, host: str, port: int, password: bool, user: str, token: bool,
          warcs: str | None) -> None:
    """Open the archive in Datasette (read-only for visitors; signed-in users may ask for crawls)."""
    from pipelines.reading_room import Access, ServeError, serve as serve_archive

    secret = None
    if password:
        secret = os.environ.get("NEWSARCHIVE_PASSWORD") or click.prompt(
            f"Password for {user}", hide_input=True, confirmation_prompt=True)
    script_token = os.environ.get("NEWSARCHIVE_TOKEN") if token else None
    if token and not script_token:
        raise click.ClickException("--token needs the token in $NEWSARCHIVE_TOKEN (e.g. export NEWSARCHIVE_TOKEN=$(openssl rand -hex 24))")
    try:
        serve_archive(db_path(db_file), host=host, port=port,
                      access=Access(user=user, password=secret, token=script_token), warcs=warcs)
    except (ArchiveError, ServeError) as exc:
        raise click.ClickException(str(exc)) from None


@cli.command()
@click.argument("sites", nargs=-1)
@config_option
@db_option
@click.option("--since", metavar="DATE", default=None,
              help="Only articles whose latest capture was fetched on or after DATE (YYYY-MM-DD).")
@click.option("--id", "ids", type=click.IntRange(min=1), multiple=True, metavar="N",
              help="Only the article with this id (repeat for more).")
@click.option("--dry-run", is_flag=True, help="Print what would change (counts per field, a few examples); write nothing.")
@click.option("--workers", type=click.IntRange(min=1), default=None, help="Extraction processes (default: one per core).")
def reextract(sites: tuple[str, ...], config_file: str | None, db_file: str | None, since: str | None,
              ids: tuple[int, ...], dry_run: bool, workers: int | None) -> None:
    """Extract archived articles again from their WARC captures, with today's extraction, and
    update the records whose result changed (SITES: only these sites)."""
    from datetime import date

    from crawler.reextract import reextract as run_reextract

    if since is not None:
        try:
            date.fromisoformat(since)
        except ValueError:
            raise click.BadParameter(f"{since!r} is not a date like 2026-11-30", param_hint="--since") from None
    config = _load(config_file)
    try:
        outcome = run_reextract(config, db_path(db_file), sites, since, ids, dry_run, workers)
    except (ConfigError, ArchiveError) as exc:
        raise click.ClickException(str(exc)) from None
    t = outcome.tally
    fields = ", ".join(f"{name} {count}" for name, count in t.fields.most_common()) or "none"
    say(("dry run, nothing written: " if dry_run else "") + f"{t.articles} articles re-extracted: "
        f"{t.changed} {'would change' if dry_run else 'changed'} (fields: {fields}), {t.unchanged} unchanged, "
        f"{t.not_articles} no longer taken for articles (kept), {t.failed} failed, {t.no_capture} without a capture")
    if dry_run:
        for example in t.examples:
            parts = [f"{k}: {_short(old)!r} -> {_short(new)!r}" for k, (old, new) in example["changes"].items()]
            say(f"  article {example['id']}: " + "; ".join(parts))
    if t.failed:
        raise SystemExit(3)


def _short(value, limit: int = 60):
    text = "" if value is None else str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


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
    """Run the command; any error is one line on stderr and a non-zero exit."""
    try:
        cli.main(prog_name="newsarchive", standalone_mode=False)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.Abort:
        write_line("Aborted.", sys.stderr)
        sys.exit(1)
    except click.ClickException as exc:
        hint = ""
        if isinstance(exc, click.UsageError) and exc.ctx is not None:
            hint = f" (see '{exc.ctx.command_path} --help')"
        write_line(f"Error: {exc.format_message()}{hint}", sys.stderr)
        sys.exit(exc.exit_code)
    except Exception as exc:  # a bug: still one line, and a failing exit
        write_line(f"Error: newsarchive failed unexpectedly ({type(exc).__name__}: {exc}); this is a bug, "
                   "please report it with the command you ran", sys.stderr)
        sys.exit(70)


if __name__ == "__main__":
    main()
