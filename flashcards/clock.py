"""Which day it is, for a learner: injectable, and with Anki's late-night rule.

A study day starts at 4 am local time by default (``FLASH_DAY_STARTS_AT``),
so a session just after midnight still counts for the evening's day.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Optional

DEFAULT_DAY_START_HOUR = 4


def parse_day(text: str) -> date:
    """Parse ``YYYY-MM-DD``; raise ``ValueError`` with a readable message otherwise."""
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(f"'{text}' is not a date in the form YYYY-MM-DD") from None


def parse_day_start(text: Optional[str]) -> int:
    """Parse an hour 0-23 (the ``FLASH_DAY_STARTS_AT`` setting)."""
    if text is None or not text.strip():
        return DEFAULT_DAY_START_HOUR
    try:
        hour = int(text)
    except ValueError:
        hour = -1
    if not 0 <= hour <= 23:
        raise ValueError(f"'{text}' is not an hour from 0 to 23")
    return hour


def study_day(now: datetime, day_start_hour: int = DEFAULT_DAY_START_HOUR) -> date:
    """The study day that ``now`` (local time) belongs to."""
    return (now - timedelta(hours=day_start_hour)).date()
