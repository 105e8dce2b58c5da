"""Cron expressions as APScheduler triggers, with cron's own meaning of weekday numbers.

A schedule is a 5-field crontab expression (minute hour day month weekday), in UTC. APScheduler
3.x numbers weekdays from Monday = 0 while cron uses Sunday = 0 (and 7), so numeric weekdays are
rewritten as names before they reach APScheduler. Tests may set ``NEWSARCHIVE_TEST_SECONDS=1`` to
allow a 6-field expression whose first field is seconds. This module does not import Scrapy.
"""

from __future__ import annotations

import os
from datetime import tzinfo

from apscheduler.triggers.cron import CronTrigger

TEST_SECONDS_ENV = "NEWSARCHIVE_TEST_SECONDS"
_DAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")


def seconds_allowed() -> bool:
    return os.environ.get(TEST_SECONDS_ENV) == "1"


def cron_trigger(expr: str, timezone: tzinfo | str = "UTC") -> CronTrigger:
    """The trigger for a cron expression; ValueError says what is wrong with a bad one."""
    values = expr.split()
    second = "0"
    if len(values) == 6 and seconds_allowed():
        second, values = values[0], values[1:]
    if len(values) != 5:
        raise ValueError("needs 5 fields: minute hour day month weekday")
    minute, hour, day, month, weekday = values
    return CronTrigger(second=second, minute=minute, hour=hour, day=day, month=month,
                       day_of_week=cron_weekdays(weekday), timezone=timezone)


def cron_weekdays(field: str) -> str:
    """Cron's weekday field (0 and 7 = Sunday, names allowed) as APScheduler 3.x weekday names."""
    if field in ("*", "?"):
        return "*"
    days: set[int] = set()
    for part in field.lower().split(","):
        span, _, step_text = part.partition("/")
        try:
            step = int(step_text) if step_text else 1
        except ValueError:
            raise ValueError(f"bad weekday step {step_text!r}") from None
        if step < 1:
            raise ValueError(f"bad weekday step {step_text!r}")
        if span == "*":
            first, last = 0, 6
        elif "-" in span:
            first_text, last_text = span.split("-", 1)
            first, last = _day(first_text), _day(last_text)
        else:
            first = _day(span)
            last = 6 if step_text else first
        if last < first:
            raise ValueError(f"bad weekday range {span!r}")
        days.update(day % 7 for day in range(first, last + 1, step))
    if len(days) == 7:
        return "*"
    return ",".join(_DAYS[day] for day in sorted(days))


def _day(text: str) -> int:
    if text.isdigit() and int(text) <= 7:
        return int(text)
    if text in _DAYS:
        return _DAYS.index(text)
    raise ValueError(f"bad weekday {text!r} (use 0-7 or sun-sat)")
