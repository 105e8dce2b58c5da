"""The archive as a crawl on a cluster worker sees it: the same calls a crawl makes of
``pipelines.archive.Archive``, answered by the archive writer through the ``archive`` queue.
The crawl asks for its site's fetch plan once, when its run begins, and decides each URL from it
locally; results go in batches, each with an id so that a batch delivered twice is written once.
"""

from __future__ import annotations

import uuid
from dataclasses import asdict
from typing import Any, Callable, Iterable

from crawler.cluster.settings import ARCHIVE_QUEUE, RPC_TIMEOUT
from pipelines.archive import ArchiveError, FetchResult, SaveReport
from pipelines.fetch_plan import SitePlan
from pipelines.ledger import RunStatus


class RemoteArchive:
    """One crawl process's connection to the archive writer (``crawler.cluster.writer``)."""

    def __init__(self, app, worker: str, captures: bool = False):
        self.app = app
        self.worker = worker
        self.captures = captures  # ask for the newest WARC captures too (capture is on)
        self.path = f"the archive writer (through {ARCHIVE_QUEUE!r} queue)"
        self.plan = SitePlan("")
        self.settled: list[dict[str, Any]] = []
        self.on_busy: Callable[[str, int, float], None] | None = None
        self.timeout = RPC_TIMEOUT.value()

    def call(self, task: str, **kwargs: Any) -> Any:
        """Ask the writer; its answer, or ArchiveError when it failed or did not answer in time."""
        from celery.exceptions import TimeoutError as CeleryTimeout

        try:
            result = self.app.send_task(f"newsarchive.archive.{task}", kwargs=kwargs, queue=ARCHIVE_QUEUE)
            return result.get(timeout=self.timeout, disable_sync_subtasks=False)
        except CeleryTimeout:
            raise ArchiveError(f"the archive writer did not answer {task!r} within {self.timeout:g} s "
                               "(is `newsarchive run --broker` running on the archive host?)") from None
        except Exception as exc:  # a broker error, or the writer's own error passed back
            raise ArchiveError(f"archive writer: {task} failed: {type(exc).__name__}: {exc}"[:500]) from None

    # -- runs -----------------------------------------------------------------------------------

    def start_run(self, site: str, trigger: str = "manual", pid: int | None = None) -> int:
        reply = self.call("begin", site=site, trigger=trigger, worker=self.worker, captures=self.captures)
        plan = SitePlan.from_dict(reply["plan"])
        self.plan.states.update(plan.states)
        self.plan.keys |= plan.keys
        self.plan.captures.update(plan.captures)
        return int(reply["run_id"])

    def run(self, run_id: int) -> dict[str, Any]:
        return self.call("run", run_id=run_id)

    def finish_run(self, run_id: int, status: RunStatus | str, counts: dict[str, int] | None = None,
                   message: str | None = None) -> dict[str, Any]:
        return self.call("finish", run_id=run_id, status=str(RunStatus(status)), counts=counts, message=message)

    def health(self, run_id: int, site: str) -> dict[str, Any]:
        return self.call("health", run_id=run_id, site=site)

    def failure_reasons(self, run_ids: list[int]) -> dict[int, str]:
        return {int(k): v for k, v in self.call("reasons", run_ids=list(run_ids)).items()}

    # -- what to fetch --------------------------------------------------------------------------

    def fetch_plan(self, url: str, changed: str | None = None, now: str | None = None) -> dict[str, str] | None:
        return self.plan.fetch_plan(url, changed, now)

    def latest_capture(self, url: str) -> dict[str, Any] | None:
        return self.plan.latest_capture(url)

    # -- writing --------------------------------------------------------------------------------

    def save(self, results: Iterable[FetchResult], policy: tuple[tuple[float, float], ...] = (),
             fetched: dict[int, dict[str, int]] | None = None, captures: list[dict[str, Any]] = (),
             batch_id: str | None = None) -> SaveReport:
        reply = self.call("save", batch_id=batch_id or uuid.uuid4().hex, results=[asdict(r) for r in results],
                          policy=[list(p) for p in policy] or None,
                          fetched={str(k): v for k, v in (fetched or {}).items()}, captures=list(captures))
        return SaveReport(list(reply["outcomes"]), bool(reply.get("repeated")))

    def close(self) -> None:
        pass


class NoLock:
    """A site lock already held: on a worker the site's Redis lock is taken by the worker task
    (``crawler.cluster.worker``) before the crawl process starts, and released after it ends."""

    def release(self) -> None:
        pass


class RemoteAccess:
    """How a crawl on a cluster worker reaches the archive (the runner's ``LocalAccess`` elsewhere)."""

    def __init__(self, app, worker: str, captures: bool = False):
        self.app, self.worker, self.captures = app, worker, captures

    def open(self) -> RemoteArchive:
        return RemoteArchive(self.app, self.worker, self.captures)

    def lock(self, site: str) -> NoLock:
        return NoLock()
