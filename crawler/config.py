"""Sites as data: load and validate ``sites.toml``.

A site is a TOML table ``[sites.NAME]``; adding one never needs code. Errors name the file, the
site and the key, so a user can fix the config without reading a traceback. This module does not
import Scrapy: the daemon uses it too.
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from pipelines.extract import MIN_WORDS

DEFAULT_CONFIG = "sites.toml"
DEFAULT_DB = "archive.db"
DEFAULT_USER_AGENT = "newsarchive/0.1 (+https://github.com/newsarchive/newsarchive)"


class ConfigError(Exception):
    """A config that cannot be used; the message names file, site and key."""

    def __init__(self, path: str | os.PathLike, message: str, site: str | None = None,
                 key: str | None = None):
        self.path, self.site, self.key = str(path), site, key
        where = self.path
        if site:
            where += f": [sites.{site}]"
        if key:
            where += f" key '{key}'"
        super().__init__(f"{where}: {message}")


@dataclass(frozen=True)
class Site:
    """One configured site. Tunables default from ``[defaults]``."""

    name: str
    url: str
    feeds: tuple[str, ...] = ()
    sitemaps: tuple[str, ...] = ()
    pages: tuple[str, ...] = ()
    allow: tuple[str, ...] = ()
    deny: tuple[str, ...] = ()
    domains: tuple[str, ...] = ()
    schedule: str = "*/30 * * * *"
    user_agent: str = DEFAULT_USER_AGENT
    concurrency: int = 2
    delay: float = 1.0
    autothrottle: bool = True
    timeout: float = 20.0
    retries: int = 2
    max_bytes: int = 10 * 1024 * 1024
    max_articles: int = 2000
    lookback_days: int = 0
    min_words: int = MIN_WORDS
    drop_selectors: tuple[str, ...] = ()
    body_selector: str = ""
    recheck: tuple[str, ...] = ("1d:1h", "7d:1d", "30d:7d")  # "AGE:EVERY"; older: never
    block_threshold: int = 3  # blocked answers in a row before the site is left alone this run

    @property
    def recheck_policy(self) -> tuple[tuple[float, float], ...]:
        """(max age, recheck interval) pairs in seconds, youngest first."""
        return tuple(sorted(tuple(parse_duration(x) for x in rule.split(":")) for rule in self.recheck))

    @property
    def host(self) -> str:
        return (urlsplit(self.url).hostname or "").lower()

    @property
    def allowed_domains(self) -> tuple[str, ...]:
        """The site's own domain(s): the homepage host without ``www.`` plus any extra."""
        host = self.host
        base = host[4:] if host.startswith("www.") else host
        return tuple(dict.fromkeys((base, *self.domains)))

    def url_allowed(self, url: str) -> bool:
        """Whether ``url`` passes the site's allow/deny patterns (not the domain check)."""
        if self.deny and any(re.search(p, url) for p in self.deny):
            return False
        return not self.allow or any(re.search(p, url) for p in self.allow)


@dataclass(frozen=True)
class Daemon:
    """``[daemon]``: how ``newsarchive run`` schedules crawls."""

    max_parallel: int = field(default_factory=lambda: os.cpu_count() or 1)
    crawl_timeout: float = 3600.0
    grace_period: float = 30.0
    poll_interval: float = 2.0


@dataclass(frozen=True)
class Warc:
    """``[warc]``: every fetched article page kept as received, in WARC files."""

    enabled: bool = True
    directory: str = ""  # default: warcs/ beside the archive file
    max_size: int = 1_000_000_000  # bytes before a file is closed and the next one begun
    discovery: bool = False  # also keep homepages, feeds, sitemaps and robots.txt
    prefix: str = "newsarchive"  # file names: PREFIX-TIMESTAMP-SERIAL.warc.gz

    def folder(self, db_path: str) -> str:
        """Where the files go: ``directory`` (relative to the archive file), or warcs/ beside it."""
        base = os.path.dirname(os.path.abspath(db_path))
        return os.path.join(base, self.directory or "warcs")


@dataclass(frozen=True)
class Config:
    path: str
    sites: dict[str, Site]
    daemon: Daemon
    warc: Warc = field(default_factory=Warc)

    def select(self, names: tuple[str, ...] | list[str]) -> list[Site]:
        """The named sites (all when none are named); unknown names raise ConfigError."""
        if not names:
            return list(self.sites.values())
        unknown = [n for n in names if n not in self.sites]
        if unknown:
            known = ", ".join(self.sites) or "none"
            raise ConfigError(self.path, f"unknown site(s) {', '.join(unknown)}; configured: {known}")
        return [self.sites[n] for n in names]


# The range each numeric site setting accepts: beyond it a value is a typo, not a choice.
NUMBER_RANGES: dict[str, tuple[float, float]] = {
    "concurrency": (1, 64),  # requests at once to one site
    "delay": (0, 3600),  # seconds between requests
    "timeout": (0.1, 3600),  # seconds for one download
    "retries": (0, 20),
    "max_bytes": (1024, 1 << 30),  # a page's size cap, decompressed too
    "max_articles": (1, 10_000_000),  # article requests per run
    "lookback_days": (0, 100_000),  # 0: all
    "min_words": (0, 100_000),
    "block_threshold": (1, 1000),
}

_LIST_KEYS = {"feeds", "sitemaps", "pages", "allow", "deny", "domains", "drop_selectors", "recheck"}
_SITE_KEYS = {f.name for f in fields(Site)} - {"name"}
_DEFAULT_KEYS = _SITE_KEYS - {"url", "feeds", "sitemaps", "pages", "domains"}
_DAEMON_KEYS = {f.name for f in fields(Daemon)}
DAEMON_RANGES: dict[str, tuple[float, float]] = {
    "max_parallel": (1, 256), "crawl_timeout": (1, 7 * 86400), "grace_period": (0.1, 3600),
    "poll_interval": (0.1, 3600)}
_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


def config_path(explicit: str | None = None) -> str:
    return explicit or os.environ.get("NEWSARCHIVE_CONFIG") or DEFAULT_CONFIG


def load_config(path: str | os.PathLike | None = None) -> Config:
    """Read and validate a sites file; raise ConfigError with file, site and key on any problem."""
    path = str(path or config_path())
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise ConfigError(path, f"cannot read config ({exc.strerror or exc})") from None
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise ConfigError(path, f"not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    except tomllib.TOMLDecodeError as exc:
        site, key = _syntax_error_place(raw.decode("utf-8"), str(exc))
        raise ConfigError(path, f"TOML syntax error: {exc}", site=site, key=key) from None
    return parse_config(data, path)


def _syntax_error_place(text: str, message: str) -> tuple[str | None, str | None]:
    """The ``[sites.NAME]`` table and the key of the line a TOML syntax error points at. A broken
    table header belongs to the table it starts, never to the one before it."""
    match = re.search(r"at line (\d+)", message)
    lines = text.splitlines()[: int(match.group(1))] if match else []
    if lines and lines[-1].lstrip().startswith("["):
        header = re.match(r"\s*\[+\s*sites\.([\w.-]+)", lines[-1])
        return (header.group(1) if header else None), None
    key = re.match(r"\s*([\w.-]+)\s*=", lines[-1]) if lines else None
    site = next((m.group(1) for line in reversed(lines) if (m := re.match(r"\s*\[\s*sites\.([\w.-]+)\s*\]", line))),
                None)
    return site, key.group(1) if key else None


def parse_config(data: dict[str, Any], path: str = "<config>") -> Config:
    unknown = set(data) - {"sites", "defaults", "daemon", "warc"}
    if unknown:
        raise ConfigError(path, f"unknown top-level table(s): {', '.join(sorted(unknown))} "
                                "(expected [defaults], [daemon], [warc], [sites.NAME])")
    defaults = _table(data, "defaults", path)
    for key in defaults:
        if key not in _DEFAULT_KEYS:
            raise ConfigError(path, f"unknown key in [defaults] (allowed: {', '.join(sorted(_DEFAULT_KEYS))})",
                              key=f"defaults.{key}")
    daemon = _daemon(_table(data, "daemon", path), path)
    sites_table = _table(data, "sites", path)
    sites: dict[str, Site] = {}
    for name, table in sites_table.items():
        if not isinstance(table, dict):
            raise ConfigError(path, "must be a table: write [sites.NAME] with url = \"...\"", site=name)
        sites[name] = _site(name, {**defaults, **table}, set(table), path)
    return Config(path=path, sites=sites, daemon=daemon, warc=_warc(_table(data, "warc", path), path))


def _table(data: dict, key: str, path: str) -> dict:
    value = data.get(key, {})
    if not isinstance(value, dict):
        raise ConfigError(path, f"[{key}] must be a table", key=key)
    return value


def _daemon(table: dict, path: str) -> Daemon:
    values: dict[str, Any] = {}
    for key, value in table.items():
        if key not in _DAEMON_KEYS:
            raise ConfigError(path, f"unknown key in [daemon] (allowed: {', '.join(sorted(_DAEMON_KEYS))})",
                              key=f"daemon.{key}")
        low, high = DAEMON_RANGES[key]
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not low <= value <= high \
                or (key == "max_parallel" and value != int(value)):
            noun = "a whole number" if key == "max_parallel" else "a number"
            raise ConfigError(path, f"must be {noun} from {low:g} to {high:g}, got {value!r}", key=f"daemon.{key}")
        values[key] = int(value) if key == "max_parallel" else float(value)
    return Daemon(**values)


def _warc(table: dict, path: str) -> Warc:
    kinds = {f.name: f.type for f in fields(Warc)}
    values: dict[str, Any] = {}
    for key, value in table.items():
        if key not in kinds:
            raise ConfigError(path, f"unknown key in [warc] (allowed: {', '.join(sorted(kinds))})", key=f"warc.{key}")
        kind = kinds[key]
        if kind == "bool" and not isinstance(value, bool):
            raise ConfigError(path, f"must be true or false, got {value!r}", key=f"warc.{key}")
        if kind == "int" and (isinstance(value, bool) or not isinstance(value, int) or not 1 << 20 <= value <= 1 << 40):
            raise ConfigError(path, f"must be a whole number of bytes from 1 MiB to 1 TiB, got {value!r}",
                              key=f"warc.{key}")
        if kind == "str" and (not isinstance(value, str) or (key == "prefix" and not _NAME_RE.match(value))):
            raise ConfigError(path, f"must be a {'file-name prefix (letters, digits, - _ .)' if key == 'prefix' else 'path'}"
                                    f", got {value!r}", key=f"warc.{key}")
        values[key] = value
    return Warc(**values)


def _site(name: str, table: dict, own_keys: set[str], path: str) -> Site:
    if not _NAME_RE.match(name):
        raise ConfigError(path, "site names use letters, digits, '-', '_' and '.'", site=name)
    for key in table:
        if key not in _SITE_KEYS:
            hint = f" (allowed: {', '.join(sorted(_SITE_KEYS))})"
            raise ConfigError(path, "unknown key" + hint, site=name, key=key)
    if "url" not in table:
        raise ConfigError(path, "missing required key: the site's homepage URL", site=name, key="url")
    values: dict[str, Any] = {"name": name}
    types = {f.name: f.type for f in fields(Site)}
    for key, value in table.items():
        values[key] = _value(name, key, value, types[key], path)
    for key in ("url", "feeds", "sitemaps", "pages"):
        urls = [values[key]] if key == "url" else values.get(key, ())
        for url in urls:
            parts = urlsplit(url)
            if parts.scheme not in ("http", "https") or not parts.hostname:
                raise ConfigError(path, f"not an http(s) URL: {url!r}", site=name, key=key)
    for key in ("allow", "deny"):
        for pattern in values.get(key, ()):
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ConfigError(path, f"bad regex {pattern!r}: {exc}", site=name, key=key) from None
    if "schedule" in values:
        problem = cron_problem(values["schedule"])
        if problem:
            key = "schedule" if "schedule" in own_keys else "defaults.schedule"
            raise ConfigError(path, f"bad cron expression {values['schedule']!r}: {problem}", site=name, key=key)
    for rule in values.get("recheck", ()):
        parts = rule.split(":")
        try:
            if len(parts) != 2:
                raise ValueError("write AGE:EVERY")
            for part in parts:
                parse_duration(part)
        except ValueError as exc:
            raise ConfigError(path, f"bad recheck rule {rule!r} ({exc}); e.g. \"7d:1d\" = daily while "
                                    "younger than 7 days", site=name, key="recheck") from None
    for key in ("drop_selectors", "body_selector"):
        selectors = values.get(key, ())
        for selector in [selectors] if isinstance(selectors, str) else selectors:
            if selector and (problem := selector_problem(selector)):
                raise ConfigError(path, f"bad CSS selector {selector!r}: {problem}", site=name, key=key)
    return Site(**values)


def _value(site: str, key: str, value: Any, kind: str, path: str) -> Any:
    def fail(expected: str) -> ConfigError:
        return ConfigError(path, f"must be {expected}, got {value!r}", site=site, key=key)

    if key in _LIST_KEYS:
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            raise fail("a list of strings")
        return tuple(value)
    if kind == "bool":
        if not isinstance(value, bool):
            raise fail("true or false")
        return value
    if kind in ("int", "float"):
        low, high = NUMBER_RANGES[key]
        noun = "a whole number" if kind == "int" else "a number"
        expected = f"{noun} from {low:g} to {high:g}"
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise fail(expected)
        if kind == "int" and value != int(value):
            raise fail(expected)
        if not low <= value <= high:
            raise fail(expected)
        return int(value) if kind == "int" else float(value)
    if not isinstance(value, str) or (key != "body_selector" and not value.strip()):
        raise fail("a non-empty string")
    return value.strip()


_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


def parse_duration(text: str) -> float:
    """``90s``, ``30m``, ``1h``, ``7d``, ``2w`` -> seconds."""
    text = text.strip().lower()
    if len(text) < 2 or text[-1] not in _UNITS:
        raise ValueError(f"{text!r} is not a duration like 30m, 1h, 7d")
    try:
        number = float(text[:-1])
    except ValueError:
        raise ValueError(f"{text!r} is not a duration like 30m, 1h, 7d") from None
    if number < 0:
        raise ValueError(f"{text!r} is negative")
    return number * _UNITS[text[-1]]


def cron_problem(expr: str) -> str | None:
    """Why a 5-field cron expression is invalid or never fires, or None when it is fine."""
    from datetime import datetime, timezone

    from crawler.cron import cron_trigger

    try:
        trigger = cron_trigger(expr)
    except ValueError as exc:
        return str(exc)
    if trigger.get_next_fire_time(None, datetime.now(timezone.utc)) is None:
        return "it never fires (no such date)"
    return None


def selector_problem(selector: str) -> str | None:
    from cssselect import GenericTranslator, SelectorError

    try:
        GenericTranslator().css_to_xpath(selector)
    except SelectorError as exc:
        return str(exc)
    return None
