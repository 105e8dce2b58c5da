"""Structured log lines on stderr: one per unit of work; readable on a terminal, JSON otherwise.

Every line a process writes goes through here: our own events (``emit``) and, once
``install_logging`` has run, every record of Python's logging (Scrapy, Twisted, APScheduler,
warnings), so ``jq`` can read a whole journal. Writing never raises: when stderr is a closed pipe
(``newsarchive crawl ... 2>&1 | head -1``, or a daemon that died), the line is dropped and the
process goes on to finish its work and exit.
"""

from __future__ import annotations

import errno
import json
import logging
import os
import sys
import time
from typing import Any, TextIO


def emit(event: str, *, stream: TextIO | None = None, **fields: Any) -> None:
    stream = stream or sys.stderr
    write_line(format_event(event, fields, tty=_is_tty(stream)), stream)


def format_event(event: str, fields: dict[str, Any], *, tty: bool) -> str:
    if tty:
        parts = [time.strftime("%H:%M:%S"), event]
        parts += [f"{k}={_short(v)}" for k, v in fields.items() if v is not None]
        return " ".join(parts)
    return json.dumps({"ts": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "event": event,
                       **{k: v for k, v in fields.items() if v is not None}}, ensure_ascii=False, default=str)


def write_line(line: str, stream: TextIO) -> None:
    """Write one line; a stream whose reader is gone is silenced instead of raising."""
    try:
        print(line, file=stream, flush=True)
    except (BrokenPipeError, ValueError):  # ValueError: the stream was closed
        _silence(stream)
    except OSError as exc:
        if exc.errno not in (errno.EPIPE, errno.EIO, errno.EBADF):
            raise
        _silence(stream)


def _silence(stream: TextIO) -> None:
    """Point the stream's descriptor at /dev/null, so later writes (and the interpreter's last
    flush at exit) succeed quietly."""
    try:
        fd = stream.fileno()
    except (OSError, ValueError, AttributeError):
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, fd)
    finally:
        os.close(devnull)


class EventHandler(logging.Handler):
    """A logging handler that writes each record as one event line (``event: "log"``), JSON
    when not on a terminal; a traceback becomes one ``error`` field, never extra lines."""

    def __init__(self, stream: TextIO | None = None):
        super().__init__()
        self.stream = stream

    def emit(self, record: logging.LogRecord) -> None:
        stream = self.stream or sys.stderr
        try:
            fields: dict[str, Any] = {"level": record.levelname.lower(), "logger": record.name,
                                      "message": record.getMessage()}
            if record.exc_info and record.exc_info[1] is not None:
                exc = record.exc_info[1]
                fields["error"] = f"{type(exc).__name__}: {exc}"
            line = format_event("log", fields, tty=_is_tty(stream))
        except Exception:  # a record that cannot be formatted must not stop the crawl
            return
        write_line(line, stream)


def install_logging(level: str = "WARNING", stream: TextIO | None = None) -> None:
    """Route every log record of this process (Scrapy's included) through ``EventHandler``."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        root.removeHandler(handler)
    handler = EventHandler(stream)
    handler.setLevel(level)
    root.addHandler(handler)
    root.setLevel(level)
    logging.captureWarnings(True)


def _is_tty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def _short(value: Any) -> str:
    text = str(value)
    return f'"{text}"' if " " in text else text
