"""``newsarchive serve``: the archive in Datasette, set up for reading.

The metadata, templates, stylesheet and plugin hooks live in ``pipelines/datasette/``. The live
archive file is opened mutable (never immutable) so a crawl writing at the same time is seen, not
fought; only a file in a read-only directory, which nothing can be writing, is opened immutable.
Anonymous visitors only read; the one writing query, ``request_crawl``, is for signed-in
users: a person with the password (datasette-auth-passwords) or a script with the token
(datasette-auth-tokens).
"""

from __future__ import annotations

import asyncio
import os
import socket
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from pipelines.archive import Archive, ArchiveError, frozen, read_uri

ROOM_DIR = Path(__file__).with_name("datasette")
METADATA_FILE = ROOM_DIR / "metadata.yml"
METADATA_DB_KEY = "archive"  # how metadata.yml names the database
STATIC_MOUNT = "newsarchive-static"

class ServeError(Exception):
    """The reading room cannot start; the message says why and what to do."""


SETTINGS: dict[str, Any] = {
    "default_page_size": 50,
    "sql_time_limit_ms": 3000,  # ranked full-text search over a large archive
    "facet_time_limit_ms": 150,  # a facet too slow to count (a common word's hits) is skipped, not waited for
    "suggest_facets": False,  # suggestions cost a query per column on every table page
    "truncate_cells_html": 240,  # bodies on table pages: a preview, the row page has it all
    "allow_download": False,
    "allow_sql": True,  # read-only connections: custom SQL can read, never write
    "allow_facet": True,
}


def database_name(db_path: str | os.PathLike) -> str:
    """The name (and URL path) Datasette gives the archive: the file name without extension."""
    return Path(db_path).stem


def metadata(name: str) -> dict[str, Any]:
    """The shipped metadata with the database entry and links under ``name``."""
    data = yaml.safe_load(METADATA_FILE.read_text(encoding="utf-8"))
    data["databases"] = {name: data["databases"].pop(METADATA_DB_KEY)}
    data["description_html"] = data["description_html"].replace(f"/{METADATA_DB_KEY}", f"/{name}")
    for query in data["databases"][name].get("queries", {}).values():
        if "on_success_redirect" in query:
            query["on_success_redirect"] = query["on_success_redirect"].replace(f"/{METADATA_DB_KEY}/", f"/{name}/", 1)
    return data


@dataclass(frozen=True)
class Access:
    """Who may sign in: a person as ``user`` with ``password``, a script with ``token``."""

    user: str = "editor"
    password: str | None = None
    token: str | None = None


PASSWORD_HASH_ENV = "NEWSARCHIVE_PASSWORD_HASH"
TOKEN_ENV = "NEWSARCHIVE_TOKEN"


def plugin_settings(access: Access) -> dict[str, Any]:
    """Configuration for the auth plugins; none at all when nobody may sign in.

    The secrets go into this process's environment and the configuration names them with
    Datasette's ``{"$env": ...}``, so ``/-/metadata`` shows the names, never the hash or token."""
    plugins: dict[str, Any] = {}
    if access.password:
        from datasette_auth_passwords.utils import hash_password

        os.environ[PASSWORD_HASH_ENV] = hash_password(access.password)
        plugins["datasette-auth-passwords"] = {f"{access.user}_password_hash": {"$env": PASSWORD_HASH_ENV}}
    if access.token:
        os.environ[TOKEN_ENV] = access.token
        plugins["datasette-auth-tokens"] = {"tokens": [{"token": {"$env": TOKEN_ENV}, "actor": {"id": "script"}}]}
    return plugins


def datasette_options(db_path: str | os.PathLike, access: Access | None = None,
                      warcs: str | os.PathLike | None = None) -> dict[str, Any]:
    """Keyword arguments for ``datasette.app.Datasette`` serving the archive at ``db_path``."""
    path = str(db_path)
    data = metadata(database_name(path))
    data["plugins"] = plugin_settings(access or Access())
    if warcs:  # the WARC folder, when not warcs/ beside the archive
        data["plugins"]["newsarchive-captures"] = {"directory": os.path.abspath(warcs)}
    return {
        "files": [] if frozen(path) else [path],
        "immutables": [path] if frozen(path) else [],  # never a file a crawl could be writing
        "metadata": data,
        "template_dir": str(ROOM_DIR / "templates"),
        "plugins_dir": str(ROOM_DIR / "plugins"),
        "static_mounts": [(STATIC_MOUNT, str(ROOM_DIR / "static"))],
        "settings": dict(SETTINGS),
        "cors": False,
    }


def check_archive(db_path: str | os.PathLike) -> None:
    """Fail with ArchiveError unless ``db_path`` is a newsarchive archive; bring its schema up
    to date and make sure it is in WAL mode so readers and the crawler never block each other."""
    path = str(db_path)
    if not os.path.exists(path):
        raise ArchiveError(f"{path}: no archive here (run `newsarchive crawl` first, or pass --db)")
    if not os.path.isfile(path):
        raise ArchiveError(f"{path}: not a file")
    try:
        conn = sqlite3.connect(read_uri(path), uri=True)
        try:
            tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise ArchiveError(f"{path}: not a usable SQLite archive ({exc})") from None
    if tables and "_migrations" not in tables:
        raise ArchiveError(f"{path}: an SQLite file, but not a newsarchive archive (no _migrations table)")
    writable = os.access(path, os.W_OK) and os.access(os.path.dirname(os.path.abspath(path)), os.W_OK)
    Archive.open(path, create=False, readonly=not writable).close()


def check_address(host: str, port: int) -> None:
    """Fail with ServeError unless ``host:port`` can be listened on."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise ServeError(f"cannot listen on {host}:{port}: {exc}; pass --host with an address of this machine") \
            from None
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as exc:
            raise ServeError(f"cannot listen on {host}:{port} ({exc.strerror or exc}); pick another --port") from None


def build_datasette(db_path: str | os.PathLike, access: Access | None = None,
                    warcs: str | os.PathLike | None = None):
    """A configured Datasette instance for the archive (not yet started)."""
    from datasette.app import Datasette

    options = datasette_options(db_path, access, warcs)
    return Datasette(options.pop("files"), **options)


def serve(db_path: str | os.PathLike, host: str = "127.0.0.1", port: int = 8001,
          access: Access | None = None, warcs: str | os.PathLike | None = None) -> None:
    """Serve the archive at http://host:port/ until interrupted. A read-only archive file is
    served as it is: mutable when a crawl could still write it, immutable only when its directory
    is read-only too (SQLite cannot read a WAL file there otherwise, and nothing can change it)."""
    import uvicorn

    check_archive(db_path)
    check_address(host, port)
    ds = build_datasette(db_path, access, warcs)
    asyncio.run(ds.invoke_startup())
    uvicorn.run(ds.app(), host=host, port=port, log_level="info", lifespan="on", workers=1)
