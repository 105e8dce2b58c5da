"""Per-site locks across processes: never two crawls of one site at once, whoever starts them."""

from __future__ import annotations

import os
from pathlib import Path

from filelock import FileLock, Timeout


class SiteBusy(Exception):
    """Another process is crawling this site right now."""


def lock_dir(db_path: str | os.PathLike) -> Path:
    return Path(f"{os.path.abspath(db_path)}.locks")


def site_lock(db_path: str | os.PathLike, site: str) -> FileLock:
    directory = lock_dir(db_path)
    directory.mkdir(parents=True, exist_ok=True)
    return FileLock(str(directory / f"{site}.lock"), thread_local=False)


def acquire(db_path: str | os.PathLike, site: str) -> FileLock:
    """Take the site's lock or raise SiteBusy at once."""
    lock = site_lock(db_path, site)
    try:
        lock.acquire(timeout=0)
    except Timeout:
        raise SiteBusy(f"site {site!r} is being crawled by another process") from None
    return lock


def is_busy(db_path: str | os.PathLike, site: str) -> bool:
    """Whether a process holds the site's lock; never, where no lock can be taken at all (a
    read-only folder: nothing can be crawling into it)."""
    try:
        lock = site_lock(db_path, site)
    except OSError:
        return False
    try:
        lock.acquire(timeout=0)
    except Timeout:
        return True
    except OSError:
        return False
    lock.release()
    return False
