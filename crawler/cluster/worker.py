"""A crawl host (``newsarchive worker``): a Celery worker on the ``crawl`` queue. Each task is one
site's crawl, run as a child process (``python -m crawler.runner SITE --broker URL``, because
Scrapy's reactor cannot restart), while the task holds the site's lock in Redis, renewing it, so
no two hosts ever crawl one site at once. The task ends when the crawl does, or at its
``crawl_timeout`` (SIGTERM, then SIGKILL after ``grace_period``), or when the daemon asks it to
stop; its result tells the daemon how the crawl ended. The task is acknowledged only then: if the
worker dies, the broker gives it to another worker after the visibility timeout.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import deque
from pathlib import Path
from typing import Any

from redis.exceptions import LockError, RedisError

from crawler.cluster.app import make_app, redis_client
from crawler.cluster.settings import CRAWL_QUEUE, CRAWL_TASK, LOCK_PREFIX, SITE_LOCK_TTL, STOP_PREFIX, VISIBILITY_TIMEOUT
from crawler.launcher import describe_exit, kill_group, parse_event
from crawler.logs import emit, install_logging, write_line

STOP_MARGIN = 60.0  # at most this many seconds (a tenth of the visibility timeout at least) a crawl
# ends before the broker would hand its task to another worker


def default_name() -> str:
    return socket.gethostname()


class CrawlTask:
    """Runs one site's crawl for the worker named ``name`` in ``workdir``."""

    def __init__(self, broker: str, name: str, workdir: str, concurrency: int = 1):
        self.broker, self.name, self.workdir = broker, name, os.path.abspath(workdir)
        self.redis = redis_client(broker)
        # the host's cores shared among the crawls it runs at once
        self.extract_workers = max(1, (os.cpu_count() or 1) // max(1, concurrency))

    def __call__(self, task_id: str, site: str, trigger: str, config: str, crawl_timeout: float,
                 grace_period: float) -> dict[str, Any]:
        result: dict[str, Any] = {"worker": self.name, "site": site, "run_id": None, "code": None, "busy": False,
                                  "timed_out": False, "stopped": False, "not_started": False, "tail": [], "pid": None}
        if self.redis.exists(STOP_PREFIX + task_id):
            result.update(not_started=True, message="the daemon stopped before this crawl began")
            return result
        ttl = SITE_LOCK_TTL.value()
        lock = self.redis.lock(LOCK_PREFIX + site, timeout=ttl, blocking=False, thread_local=False)
        if not lock.acquire(blocking=False):
            result.update(busy=True, message="another worker is crawling this site")
            emit("worker.busy", site=site, worker=self.name, message=result["message"])
            return result
        try:
            return self._crawl(task_id, site, trigger, config, crawl_timeout, grace_period, lock, ttl, result)
        finally:
            try:
                lock.release()
            except Exception:  # expired or the broker is gone: it expires by itself
                pass

    def _crawl(self, task_id, site, trigger, config, crawl_timeout, grace_period, lock, ttl, result):
        configs = Path(self.workdir) / ".newsarchive" / "configs"
        configs.mkdir(parents=True, exist_ok=True)
        config_path = configs / f"{task_id}.toml"
        config_path.write_text(config, encoding="utf-8")
        visibility = VISIBILITY_TIMEOUT.value()
        limit = min(float(crawl_timeout), visibility - min(STOP_MARGIN, visibility / 10) - float(grace_period))
        proc = subprocess.Popen(
            [sys.executable, "-m", "crawler.runner", site, "--config", str(config_path), "--broker", self.broker,
             "--worker", self.name, "--trigger", trigger, "--parent", str(os.getpid()),
             "--workers", str(self.extract_workers)],
            cwd=self.workdir, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            start_new_session=True)
        result["pid"] = proc.pid
        tail: deque = deque(maxlen=5)
        reader = threading.Thread(target=self._forward, args=[proc, site, tail, result], daemon=True)
        reader.start()
        emit("worker.crawl", site=site, worker=self.name, pid=proc.pid, trigger=trigger)
        started = renewed = time.monotonic()
        deadline = None  # once the crawl was asked to stop: when it gets SIGKILL
        while True:
            try:
                proc.wait(timeout=1.0)
                break
            except subprocess.TimeoutExpired:
                pass
            now = time.monotonic()
            renewed, stop, lost = self._heartbeat(lock, task_id, renewed, now, ttl)
            if deadline is not None:
                if now > deadline:
                    kill_group(proc.pid)
            elif lost:
                emit("worker.lost", site=site, worker=self.name, message=lost)
                result["stopped"] = True
                deadline = self._terminate(proc, now, grace_period)
            elif stop:
                result["stopped"] = True
                deadline = self._terminate(proc, now, grace_period)
            elif now - started > limit:
                result["timed_out"] = True
                emit("worker.timeout", site=site, worker=self.name, pid=proc.pid, limit=limit)
                deadline = self._terminate(proc, now, grace_period)
        result["code"] = proc.wait()
        kill_group(proc.pid)  # extraction workers it may have left
        reader.join(5)
        result["tail"] = list(tail)
        config_path.unlink(missing_ok=True)
        emit("worker.done", site=site, worker=self.name, run=result["run_id"], ended=describe_exit(result["code"]))
        return result

    def _heartbeat(self, lock, task_id: str, renewed: float, now: float, ttl: float) -> tuple[float, bool, str | None]:
        """Renew the site's lock (every third of its life) and read the stop mark: (when the lock
        was last renewed, whether to stop, why the site is lost). A broker away for less than the
        lock's life loses nothing."""
        try:
            if now - renewed >= ttl / 3:
                lock.reacquire()
                renewed = now
            return renewed, bool(self.redis.exists(STOP_PREFIX + task_id)), None
        except LockError as exc:  # the lock expired: another host may have the site now
            return renewed, False, f"site lock lost: {exc}"
        except RedisError as exc:
            if now - renewed >= ttl:
                return renewed, False, f"site lock not renewed for {ttl:g} s: {exc}"
            return renewed, False, None

    @staticmethod
    def _terminate(proc: subprocess.Popen, now: float, grace: float) -> float:
        try:
            proc.send_signal(signal.SIGTERM)
        except ProcessLookupError:
            pass
        return now + grace

    def _forward(self, proc: subprocess.Popen, site: str, tail: deque, result: dict[str, Any]) -> None:
        """The crawl's output on the worker's stderr, one line each; the run id and errors kept."""
        for raw in proc.stdout:
            text = raw.decode("utf-8", "replace").rstrip()
            event = parse_event(text)
            if event is None:
                if text:
                    tail.append(text)
                    emit("crawl.output", site=site, worker=self.name, line=text)
                continue
            if event.get("event") == "crawl.start" and event.get("run") is not None:
                result["run_id"] = event["run"]
            if event.get("event") == "crawl.error" or event.get("level") in ("error", "critical"):
                tail.append(str(event.get("message")))
            write_line(text, sys.stderr)


def run_worker(broker: str, name: str | None = None, concurrency: int = 1, workdir: str = ".") -> None:
    """Serve the ``crawl`` queue until stopped (SIGTERM: a warm shutdown that lets crawls end)."""
    import logging

    install_logging("WARNING")
    logging.captureWarnings(True)  # Celery's warnings (e.g. running as root) as one log line each
    name = name or default_name()
    app = make_app(broker)
    crawl = CrawlTask(broker, name, workdir, concurrency)
    crawl.redis.ping()  # a wrong address or password is one line now, not a retry loop

    @app.task(name=CRAWL_TASK, bind=True, acks_late=True)
    def crawl_site(self, site: str, trigger: str, config: str, crawl_timeout: float, grace_period: float):
        return crawl(self.request.id, site, trigger, config, crawl_timeout, grace_period)

    emit("worker.start", worker=name, pid=os.getpid(), concurrency=concurrency, workdir=crawl.workdir)
    app.worker_main(["--quiet", "--no-color", "worker", "-Q", CRAWL_QUEUE, "-P", "threads", "-c", str(concurrency), "-n", f"crawl@{name}",
                     "--without-heartbeat", "--without-mingle", "--without-gossip", "-l", "WARNING"])
