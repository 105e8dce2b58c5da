"""The daemon's side of the cluster (``newsarchive run --broker``): put site crawls on the
``crawl`` queue, learn how they ended, ask them to stop, and run the archive writer beside the
archive as a child process."""

from __future__ import annotations

import asyncio
import os
import sys
from dataclasses import dataclass
from typing import Any

from crawler.cluster.app import make_app, redis_client
from crawler.cluster.settings import CRAWL_QUEUE, CRAWL_TASK, LOCK_PREFIX, STOP_PREFIX, VISIBILITY_TIMEOUT
from crawler.launcher import Child, OUTPUT_LIMIT, forward_output

WRITER_RESTART_DELAY = 5.0  # seconds before a writer that died is started again


@dataclass
class Ended:
    """How a queued crawl ended: the worker's report, or why there is none."""

    result: dict[str, Any] | None
    error: str | None = None


class Dispatcher:
    """Crawl tasks of one daemon."""

    def __init__(self, broker: str):
        self.broker = broker
        self.app = make_app(broker)
        self.redis = redis_client(broker)

    def check(self, crawl_timeout: float, grace_period: float) -> None:
        """The broker answers, and no crawl can outlive its task's visibility timeout."""
        from crawler.cluster import ClusterUnavailable

        try:
            self.redis.ping()
        except Exception as exc:
            raise ClusterUnavailable(f"broker {self.broker}: {exc}") from None
        timeout = VISIBILITY_TIMEOUT.value()
        if crawl_timeout + grace_period >= timeout:
            raise ClusterUnavailable(
                f"[daemon] crawl_timeout + grace_period ({crawl_timeout + grace_period:g} s) must be less than "
                f"the visibility timeout ({timeout:g} s), or a long crawl would be handed to a second worker: "
                f"lower crawl_timeout or raise ${VISIBILITY_TIMEOUT.env} on every host")

    def submit(self, site: str, trigger: str, config_text: str, crawl_timeout: float, grace_period: float) -> str:
        result = self.app.send_task(CRAWL_TASK, kwargs={
            "site": site, "trigger": trigger, "config": config_text, "crawl_timeout": crawl_timeout,
            "grace_period": grace_period}, queue=CRAWL_QUEUE)
        return result.id

    def poll(self, task_id: str) -> Ended | None:
        """None while the crawl is queued or running."""
        result = self.app.AsyncResult(task_id)
        if not result.ready():
            return None
        if result.successful():
            value = result.result
            result.forget()
            return Ended(value if isinstance(value, dict) else None)
        error = f"{type(result.result).__name__}: {result.result}"[:500]
        result.forget()
        return Ended(None, error)

    def stop(self, task_id: str) -> None:
        """Ask the crawl to stop (it gets SIGTERM), or never to start if it is still queued."""
        self.redis.set(STOP_PREFIX + task_id, "1", ex=int(VISIBILITY_TIMEOUT.value()))

    def lock_held(self, site: str) -> bool | None:
        """Whether a worker holds ``site``'s lock; None when the broker cannot be asked."""
        try:
            return bool(self.redis.exists(LOCK_PREFIX + site))
        except Exception:
            return None

    def queued(self) -> int:
        """Crawl tasks waiting on the broker."""
        try:
            return int(self.redis.llen(CRAWL_QUEUE))
        except Exception:
            return -1


async def spawn_writer(db_path: str, broker: str) -> Child:
    """Start the archive writer (``python -m crawler.cluster.writer``); its output joins the daemon's."""
    read_fd, write_fd = os.pipe()
    try:
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "crawler.cluster.writer", "--db", db_path, "--broker", broker,
            "--parent", str(os.getpid()), stdin=asyncio.subprocess.DEVNULL, stdout=write_fd,
            stderr=asyncio.subprocess.STDOUT, start_new_session=True)
    except BaseException:
        os.close(read_fd)
        raise
    finally:
        os.close(write_fd)
    child = Child(proc, "archive-writer")
    output = asyncio.StreamReader(limit=OUTPUT_LIMIT)
    child._pipe, _ = await asyncio.get_running_loop().connect_read_pipe(
        lambda: asyncio.StreamReaderProtocol(output), os.fdopen(read_fd, "rb", 0))
    child._forward = asyncio.create_task(forward_output(output, child.tail, None))
    return child
