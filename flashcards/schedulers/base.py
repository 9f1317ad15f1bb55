"""The small interface every scheduler meets, and what is built on it alone.

A scheduler is pure: ``review(state, grade, today=...)`` returns a new
``CardState`` from the old one, a grade 0-5 and the day, reading no clock and
changing nothing; ``recall_probability(state, today=...)`` is its estimate that
the card would be recalled on that day. ``name`` is what the store keeps beside
each card's state (``card_state.scheduler``).
"""

from __future__ import annotations

import dataclasses
from datetime import date
from typing import Iterable, NamedTuple, Optional, Protocol, Sequence, Union

from .state import CardState

__all__ = ["LogEntry", "SCHEDULERS", "Scheduler", "make_scheduler", "replay", "switch"]

SCHEDULERS = ("sm2", "fsrs")  # names a deck may choose, SM-2 the default


class Scheduler(Protocol):
    name: str

    def review(self, state: CardState, grade: int, *, today: date) -> CardState: ...

    def recall_probability(self, state: CardState, *, today: date) -> Optional[float]: ...


class LogEntry(NamedTuple):
    """One scheduled review in a card's log: the day it was graded and the grade.
    A plain ``(day, grade)`` tuple does as well. (Same-day drills are not entries:
    they never move a schedule.)"""

    day: date
    grade: int


def replay(scheduler: Scheduler, log_entries: Iterable[Union[LogEntry, tuple]],
           start: Optional[CardState] = None) -> CardState:
    """The state a card reaches when its scheduled reviews are graded again, one by
    one in time order (entries of one day keep their given order), from a new card
    (or from ``start``)."""
    state = start if start is not None else CardState()
    for day, grade in sorted((tuple(e) for e in log_entries), key=lambda e: e[0]):
        state = scheduler.review(state, grade, today=day)
    return state


def switch(scheduler: Scheduler, log_entries: Iterable[Union[LogEntry, tuple]], current: CardState, *,
           reschedule: bool = False) -> CardState:
    """A card's state once its deck has moved to ``scheduler``: its log replayed into
    the new scheduler's memory. The due date and interval stay as they were, unless
    ``reschedule``: then they are the ones the new scheduler gave at the last review
    (a due date that may be past, so the card is due at once)."""
    replayed = replay(scheduler, log_entries)
    if reschedule or current.is_new:
        return replayed
    return dataclasses.replace(replayed, interval=current.interval, due=current.due)


def make_scheduler(name: str, *, desired_retention: Optional[float] = None,
                   parameters: Optional[Sequence[float]] = None) -> Scheduler:
    """The scheduler called ``name`` ('sm2' or 'fsrs'), with FSRS's settings.
    ``ValueError`` for an unknown name or an unusable setting."""
    if name == "sm2":
        from .sm2 import SM2

        return SM2()
    if name == "fsrs":
        from .fsrs import DEFAULT_RETENTION, FSRS

        return FSRS(parameters, desired_retention if desired_retention is not None else DEFAULT_RETENTION)
    raise ValueError(f"unknown scheduler {name!r} (choose {' or '.join(SCHEDULERS)})")
