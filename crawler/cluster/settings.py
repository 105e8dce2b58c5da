"""The cluster's tunables: one definition each (name, environment variable, default, help).

Every process of a cluster must agree on ``VISIBILITY_TIMEOUT``: Redis hands an unacknowledged
task to another worker after that long, so it must outlast the longest crawl.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

CRAWL_QUEUE = "crawl"
ARCHIVE_QUEUE = "archive"
CRAWL_TASK = "newsarchive.crawl"
ARCHIVE_TASKS = ("begin", "save", "run", "finish", "health", "reasons")
LOCK_PREFIX = "newsarchive:site:"  # + site name: the site is being crawled (redis-py Lock)
STOP_PREFIX = "newsarchive:stop:"  # + task id: the daemon asks that crawl to stop


@dataclass(frozen=True)
class Setting:
    name: str
    env: str
    default: float
    help: str

    def value(self) -> float:
        raw = os.environ.get(self.env)
        if raw is None or raw == "":
            return self.default
        try:
            value = float(raw)
        except ValueError:
            raise ValueError(f"${self.env} must be a number of seconds, not {raw!r}") from None
        if value <= 0:
            raise ValueError(f"${self.env} must be more than 0 seconds, not {raw!r}")
        return value


VISIBILITY_TIMEOUT = Setting(
    "visibility_timeout", "NEWSARCHIVE_VISIBILITY_TIMEOUT", 4 * 3600.0,
    "Seconds after which a crawl task a worker took but never finished (the worker died) goes to "
    "another worker. Must be longer than [daemon] crawl_timeout plus grace_period; the same on every host.")
SITE_LOCK_TTL = Setting(
    "site_lock_ttl", "NEWSARCHIVE_SITE_LOCK_TTL", 60.0,
    "Seconds a site's cross-host lock lives unless its worker renews it (every third of that): how "
    "long a site stays locked after its worker died.")
RPC_TIMEOUT = Setting(
    "rpc_timeout", "NEWSARCHIVE_RPC_TIMEOUT", 300.0,
    "Seconds a crawl on a worker waits for the archive writer to answer (its fetch plan, a batch saved).")

SETTINGS = (VISIBILITY_TIMEOUT, SITE_LOCK_TTL, RPC_TIMEOUT)
