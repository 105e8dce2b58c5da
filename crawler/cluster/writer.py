"""The archive writer: the one process that writes the archive for a cluster. The daemon
(``newsarchive run --broker``) starts it beside the archive as ``python -m crawler.cluster.writer``
and restarts it if it dies. It consumes the ``archive`` queue one task at a time and knows only
the tasks below; each is a call a crawl makes of ``Archive``, and ``save`` is the same
``Archive.save`` a local crawl uses, so deduplication stays inside one write transaction.
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import socket
import sys
import threading
import time
from typing import Any

from crawler.cluster.app import make_app
from crawler.cluster.settings import ARCHIVE_QUEUE
from crawler.launcher import die_with_parent
from crawler.logs import emit, install_logging
from pipelines.archive import DEFAULT_RECHECK, Archive, FetchResult
from pipelines.ledger import RunStatus

FIELDS = set(FetchResult.__dataclass_fields__)


class Writer:
    """The archive calls of cluster crawls, on one archive connection."""

    def __init__(self, archive: Archive):
        self.archive = archive

    def begin(self, site: str, trigger: str, worker: str, captures: bool = False) -> dict[str, Any]:
        run_id = self.archive.start_run(str(site), str(trigger), worker=str(worker))
        for row in self.archive.retrying("settling lost runs", lambda: self.archive.ledger.settle_lost(
                site, run_id, "its site lock expired and the site was crawled again")):
            emit("run.recovered", site=row["site"], run=row["id"], status=row["status"], message=row["message"])
        plan = self.archive.site_plan(site, bool(captures))
        emit("writer.begin", site=site, run=run_id, worker=worker, known=len(plan.states))
        return {"run_id": run_id, "plan": plan.to_dict()}

    def save(self, batch_id: str, results: list[dict[str, Any]], policy: list[list[float]] | None = None,
             fetched: dict[str, dict[str, int]] | None = None, captures: list[dict[str, Any]] = ()) -> dict[str, Any]:
        batch = [FetchResult(**{k: v for k, v in r.items() if k in FIELDS}) for r in results]
        report = self.archive.save(batch, tuple(tuple(p) for p in policy) if policy else DEFAULT_RECHECK,
                                   {int(k): v for k, v in (fetched or {}).items()}, list(captures), batch_id=batch_id)
        emit("writer.save", batch=batch_id, results=len(batch), repeated=report.repeated or None)
        return {"outcomes": report.outcomes, "repeated": report.repeated}

    def run(self, run_id: int) -> dict[str, Any]:
        return self.archive.run(int(run_id))

    def finish(self, run_id: int, status: str, counts: dict[str, int] | None = None,
               message: str | None = None) -> dict[str, Any]:
        return self.archive.finish_run(int(run_id), RunStatus(status), counts, message)

    def health(self, run_id: int, site: str) -> dict[str, Any]:
        return self.archive.health(int(run_id), site)

    def reasons(self, run_ids: list[int]) -> dict[str, str]:
        return {str(k): v for k, v in self.archive.failure_reasons([int(i) for i in run_ids]).items()}


def register(app, writer: Writer) -> None:
    """The writer's tasks: nothing else on its queue runs (Celery rejects unknown task names)."""
    for name in ("begin", "save", "run", "finish", "health", "reasons"):
        app.task(name=f"newsarchive.archive.{name}", acks_late=True)(getattr(writer, name))


def _watch_parent(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(1.0)
    os.kill(os.getpid(), signal.SIGTERM)  # Celery's warm shutdown: the task in hand is finished


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m crawler.cluster.writer")
    parser.add_argument("--db", required=True)
    parser.add_argument("--broker", required=True)
    parser.add_argument("--parent", type=int, default=None, help="stop when this process (the daemon) ends")
    args = parser.parse_args(argv)
    install_logging("WARNING")
    logging.captureWarnings(True)
    if args.parent:
        if not die_with_parent(args.parent):
            return 1
        threading.Thread(target=_watch_parent, args=[args.parent], daemon=True).start()
    try:
        archive = Archive.open(args.db)
        app = make_app(args.broker)
    except Exception as exc:
        emit("writer.error", message=str(exc))
        return 2
    register(app, Writer(archive))
    emit("writer.start", pid=os.getpid(), db=os.path.abspath(args.db), queue=ARCHIVE_QUEUE)
    try:
        app.worker_main(["--quiet", "--no-color", "worker", "-Q", ARCHIVE_QUEUE, "-P", "solo", "-c", "1", "-n",
                         f"archive@{socket.gethostname()}", "--without-heartbeat", "--without-mingle",
                         "--without-gossip", "-l", "WARNING"])
    finally:
        archive.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
