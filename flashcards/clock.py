"""Which day it is, for a learner: injectable, and with Anki's late-night rule.

A study day starts at 4 am local time by default (``FLASH_DAY_STARTS_AT``),
so a session just after midnight still counts for the evening's day.
"""

from __future__ import annotations

import calendar
import re
from datetime import date, datetime, timedelta
from typing import Optional

DEFAULT_DAY_START_HOUR = 4
# The days a study day may be: a scheduled interval (up to 100 years, sm2.MAX_INTERVAL) or
# 26 weeks of stats calendar must still be a date Python can represent.
EARLIEST_DAY = date(1970, 1, 1)
LATEST_DAY = date(2999, 12, 31)
_DAY_FORM = re.compile(r"(\d{4})-(\d{2})-(\d{2})")


def parse_day(text: str) -> date:
    """Parse ``YYYY-MM-DD``; raise ``ValueError`` with a readable message otherwise
    (saying what is wrong: the form, the month, the day of that month, or the range)."""
    match = _DAY_FORM.fullmatch(text.strip())
    if match is None:
        raise ValueError(f"'{text}' is not a date in the form YYYY-MM-DD")
    year, month, day = (int(part) for part in match.groups())
    if not 1 <= month <= 12:
        raise ValueError(f"'{text}': there is no month {month} (months are 01 to 12)")
    days = calendar.monthrange(year, month)[1] if year >= 1 else 31
    if not 1 <= day <= days:
        raise ValueError(f"'{text}': {calendar.month_name[month]} {year} has {days} days")
    if year < 1:
        raise ValueError(f"'{text}': there is no year 0")
    parsed = date(year, month, day)
    if not EARLIEST_DAY <= parsed <= LATEST_DAY:
        raise ValueError(f"'{text}' is out of range (days from {EARLIEST_DAY.isoformat()} "
                         f"to {LATEST_DAY.isoformat()})")
    return parsed


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
