"""SuperMemo SM-2, exactly, as a pure function of (state, grade, day).

E-Factors live on a 0.02 grid, so they are kept as integer hundredths
(``250`` is 2.5): no float ever drifts an interval by a day.

The rules, from Wozniak's 1990 description of SM-2:

* EF' = EF + (0.1 - (5-q) * (0.08 + (5-q) * 0.02)), never below 1.3,
  applied after every graded repetition;
* I(1) = 1, I(2) = 6, I(n) = I(n-1) * EF for n > 2, where EF is the
  E-Factor before this repetition's update; a fractional interval is
  rounded up (and capped at 100 years, far beyond any real history);
* q < 3 starts the repetitions again (next interval one day); EF still takes
  this grade's update and is never reset to 2.5.
"""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta
from enum import IntEnum
from typing import Optional

from .state import INITIAL_EF, CardState

__all__ = [
    "FIRST_INTERVAL", "INITIAL_EF", "MAX_INTERVAL", "MIN_EF", "PASSING_GRADE", "SECOND_INTERVAL",
    "SESSION_PASS_GRADE", "SM2", "CardState", "Quality", "ef_delta", "next_ef", "recall_probability", "review",
]

NAME = "sm2"
MIN_EF = 130  # 1.3, in hundredths
FIRST_INTERVAL = 1
SECOND_INTERVAL = 6
PASSING_GRADE = 3  # below this the repetitions restart
SESSION_PASS_GRADE = 4  # below this the card is drilled again in the same session
MAX_INTERVAL = 36500  # days (100 years, Anki's cap too): keeps due dates representable


class Quality(IntEnum):
    """SM-2's response grades."""

    BLACKOUT = 0  # complete blackout
    WRONG_REMEMBERED = 1  # incorrect, but the answer was recognised
    WRONG_EASY = 2  # incorrect, but the answer seemed easy to recall
    HARD = 3  # correct with serious difficulty
    HESITANT = 4  # correct after hesitation
    PERFECT = 5  # perfect response


def ef_delta(quality: int) -> int:
    """The E-Factor change for a grade, in hundredths (exact: +10, 0, -14, -32, -54, -80)."""
    d = 5 - quality
    return 10 - d * (8 + 2 * d)


def next_ef(ef: int, quality: int) -> int:
    return max(MIN_EF, ef + ef_delta(quality))


def review(state: CardState, quality: int, *, today: date) -> CardState:
    """Return the state after grading ``state`` with ``quality`` on ``today``.

    Pure: the input is not changed and nothing reads the clock.
    """
    q = Quality(quality)  # raises ValueError outside 0..5
    if q < PASSING_GRADE:
        repetitions = 0
        interval = FIRST_INTERVAL
        lapses = state.lapses + (0 if state.is_new else 1)
    else:
        if state.repetitions == 0:
            interval = FIRST_INTERVAL
        elif state.repetitions == 1:
            interval = SECOND_INTERVAL
        else:
            # ceil(interval * ef / 100) in integers
            interval = min(MAX_INTERVAL, -(-state.interval * state.ef // 100))
        repetitions = state.repetitions + 1
        lapses = state.lapses
    return dataclasses.replace(
        state,
        repetitions=repetitions,
        ef=next_ef(state.ef, q),
        interval=interval,
        due=today + timedelta(days=interval),
        lapses=lapses,
        last_review=today,
    )


def recall_probability(state: CardState, *, today: date) -> Optional[float]:
    """SM-2 states no probability; this is the one srs-benchmark derives for it: exponential
    forgetting with the scheduled interval as the 90% point, R = 0.9 ** (elapsed / interval).
    None for a new card (nothing to recall yet)."""
    if state.last_review is None or state.interval <= 0:
        return None
    elapsed = max(0, (today - state.last_review).days)
    return 0.9 ** (elapsed / state.interval)


class SM2:
    """SM-2 behind the scheduler interface (``flashcards.schedulers.base.Scheduler``).

    It has no settings: ``desired_retention`` is not SM-2's to choose.
    """

    name = NAME

    def review(self, state: CardState, grade: int, *, today: date) -> CardState:
        return review(state, grade, today=today)

    def recall_probability(self, state: CardState, *, today: date) -> Optional[float]:
        return recall_probability(state, today=today)

    def __repr__(self) -> str:
        return "SM2()"
