"""Structured log lines on stderr: one per unit of work; readable on a terminal, JSON otherwise."""

from __future__ import annotations

import json
import sys
import time
from typing import Any, TextIO


def emit(event: str, *, stream: TextIO | None = None, **fields: Any) -> None:
    stream = stream or sys.stderr
    if _is_tty(stream):
        parts = [time.strftime("%H:%M:%S"), event]
        parts += [f"{k}={_short(v)}" for k, v in fields.items() if v is not None]
        line = " ".join(parts)
    else:
        line = json.dumps({"ts": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "event": event,
                           **{k: v for k, v in fields.items() if v is not None}}, ensure_ascii=False,
                          default=str)
    print(line, file=stream, flush=True)


def _is_tty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def _short(value: Any) -> str:
    text = str(value)
    return f'"{text}"' if " " in text else text
