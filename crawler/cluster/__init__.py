"""Crawls on many hosts (``newsarchive run --broker``, ``newsarchive worker``), through Celery.

The unit of work is one site's crawl, as on one machine: the daemon on the archive host puts a
task per site on the ``crawl`` queue (``dispatch``); a worker on a crawl host takes it, holds the
site's lock in Redis for as long as it crawls, and runs the crawl as a child process
(``worker``). That child never opens the archive: it gets its site's fetch plan from the archive
writer and sends its results there in batches through the ``archive`` queue (``remote``). The
writer (``writer``), one process beside the archive started by the daemon, applies them with the
same ``Archive.save`` as a local crawl, once per batch. docs/cluster.md says how to run it.
"""

from __future__ import annotations

INSTALL_HINT = "the cluster needs Celery and redis-py: pip install 'newsarchive[cluster]'"


class ClusterUnavailable(Exception):
    """Celery or redis-py is not installed, or the broker URL is unusable; the message says why."""


def require() -> None:
    """Raise ClusterUnavailable (with what to install) unless Celery and redis-py import."""
    try:
        import celery  # noqa: F401
        import redis  # noqa: F401
    except ImportError:
        raise ClusterUnavailable(INSTALL_HINT) from None
