"""One child process per crawl (``python -m crawler.runner SITE``), as scrapyd's launcher does:
start it, pass its output on, stop it, and say how it ended. This module never imports Scrapy.

The child is told the daemon's pid (``--parent``): it stops by itself when the daemon dies, so a
crashed daemon never leaves crawls behind.
"""

from __future__ import annotations

import asyncio
import ctypes
import json
import os
import signal
import sys
from collections import deque
from dataclasses import dataclass, field

from crawler.logs import emit

CHILD_EVENTS_REPLACED = ("crawl.start", "crawl.end")  # the daemon logs its own run.start / run.end
OUTPUT_LIMIT = 1 << 20  # bytes of one output line


@dataclass
class Child:
    """A running crawl process and the pipe its output comes through."""

    proc: asyncio.subprocess.Process
    site: str
    tail: deque = field(default_factory=lambda: deque(maxlen=5))  # its last error lines
    _pipe: asyncio.BaseTransport | None = None
    _forward: asyncio.Task | None = None

    @property
    def pid(self) -> int:
        return self.proc.pid

    async def wait(self, timeout: float | None = None) -> bool:
        """Wait for the process to exit; False when ``timeout`` passed first."""
        try:
            await asyncio.wait_for(asyncio.shield(self.proc.wait()), timeout)
        except TimeoutError:
            return False
        return True

    async def reap(self) -> int:
        """After exit: end what the child left behind and read its last output; its exit code."""
        code = await self.proc.wait()
        kill_group(self.proc.pid)  # extraction workers the child may have left behind
        if self._forward is not None:
            try:
                await asyncio.wait_for(self._forward, 5)
            except TimeoutError:
                self._forward.cancel()
        if self._pipe is not None:
            self._pipe.close()
        return code

    def terminate(self) -> None:
        try:
            self.proc.send_signal(signal.SIGTERM)
        except ProcessLookupError:
            pass

    async def stop(self, grace: float) -> None:
        """SIGTERM, then SIGKILL to the child's whole process group after ``grace`` seconds."""
        self.terminate()
        if not await self.wait(grace):
            kill_group(self.proc.pid)


async def spawn(site: str, config_path: str, db_path: str, trigger: str) -> Child:
    """Start a crawl of ``site`` in a new session (so its process group can be killed whole)."""
    # The output pipe is ours, not the transport's: proc.wait() then returns when the child
    # exits, even while its extraction workers still hold the pipe open.
    read_fd, write_fd = os.pipe()
    try:
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "crawler.runner", site, "--config", config_path, "--db", db_path,
            "--trigger", trigger, "--parent", str(os.getpid()),
            stdin=asyncio.subprocess.DEVNULL, stdout=write_fd, stderr=asyncio.subprocess.STDOUT,
            start_new_session=True)
    except BaseException:
        os.close(read_fd)
        raise
    finally:
        os.close(write_fd)
    child = Child(proc, site)
    output = asyncio.StreamReader(limit=OUTPUT_LIMIT)
    child._pipe, _ = await asyncio.get_running_loop().connect_read_pipe(
        lambda: asyncio.StreamReaderProtocol(output), os.fdopen(read_fd, "rb", 0))
    child._forward = asyncio.create_task(forward_output(output, child.tail, site))
    return child


async def forward_output(stream: asyncio.StreamReader, tail: deque, site: str | None = None) -> None:
    """Pass a child's output on to the daemon's stderr as events (its own re-emitted, other lines
    as ``crawl.output``), so the daemon's log is one format; error messages are kept in ``tail``."""
    while True:
        try:
            line = await stream.readline()
        except ValueError:  # a line over the stream limit
            await stream.read(OUTPUT_LIMIT)
            continue
        if not line:
            return
        text = line.decode("utf-8", "replace").rstrip()
        event = parse_event(text)
        if event is None:
            if text:
                tail.append(text)
                emit("crawl.output", site=site, line=text)
            continue
        name = event.pop("event")
        event.pop("ts", None)
        event.pop("stream", None)
        if name == "crawl.error" or event.get("level") in ("error", "critical"):
            tail.append(str(event.get("message")))
        if name not in CHILD_EVENTS_REPLACED:
            emit(name, **event)


def parse_event(text: str) -> dict | None:
    if not text.startswith("{"):
        return None
    try:
        event = json.loads(text)
    except ValueError:
        return None
    return event if isinstance(event, dict) and isinstance(event.get("event"), str) else None


def kill_group(pgid: int) -> None:
    try:
        os.killpg(pgid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def describe_exit(code: int | None) -> str:
    if code is None:
        return "did not exit"
    if code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = f"signal {-code}"
        return f"was killed by {name}"
    return f"exited with code {code}"


# Sent by Linux when the thread that started a crawl exits. Not SIGTERM: that one is the daemon's "stop", and when a
# killed daemon's main thread dies before its other threads, this arrives while getppid() still names the daemon.
PARENT_GONE_SIGNAL = signal.SIGUSR1


def die_with_parent(parent: int, signum: int = signal.SIGTERM) -> bool:
    """Ask Linux to send ``signum`` when the parent exits; False when the parent is already gone."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signum, 0, 0, 0)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass  # not Linux: the crawl's parent check covers it
    return os.getppid() == parent
