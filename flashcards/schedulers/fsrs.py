"""FSRS-6 (the Free Spaced Repetition Scheduler) behind our scheduler interface.

The arithmetic is py-fsrs's (the ``fsrs`` package, pure Python), imported when an
FSRS card is first graded or asked about, so a session of SM-2 decks never loads it.
Our reviews are whole days: FSRS runs without learning or relearning steps (a
failed card comes back in the same session as a drill, which leaves the schedule
alone, as under SM-2) and without fuzz, so a replay of the log gives the same state.

Grades (our 0-5, SM-2's scale) map to FSRS's four ratings as SM-2 reads them:

====  ==========================================  ============
 0-2  wrong (0 blackout, 1 recognised, 2 easy)     Again (1)
  3   correct with serious difficulty              Hard (2)
  4   correct after hesitation                     Good (3)
  5   perfect                                      Easy (4)
====  ==========================================  ============

``repetitions`` and ``lapses`` move as under SM-2 (a grade below 3 is a lapse of a
card that was not new and restarts the run of passes); the E-Factor is SM-2's and
is left as it was.
"""

from __future__ import annotations

import dataclasses
from datetime import date, datetime, time, timedelta, timezone
from typing import TYPE_CHECKING, Optional, Sequence

from .sm2 import MAX_INTERVAL, PASSING_GRADE, Quality
from .state import CardState

if TYPE_CHECKING:
    import fsrs as py_fsrs

__all__ = [
    "DEFAULT_PARAMETERS", "DEFAULT_RETENTION", "FSRS", "GRADE_TO_RATING", "MAX_RETENTION", "MIN_RETENTION",
    "NAME", "check_parameters", "check_retention",
]

NAME = "fsrs"
# FSRS-6's 21 default parameters (py-fsrs 6.x and fsrs-rs share them), fitted by the
# FSRS authors on srs-benchmark's ~10k Anki users
DEFAULT_PARAMETERS: tuple[float, ...] = (
    0.212, 1.2931, 2.3065, 8.2956, 6.4133, 0.8334, 3.0194, 0.001, 1.8722, 0.1666, 0.796, 1.4835,
    0.0614, 0.2629, 1.6483, 0.6014, 1.8729, 0.5425, 0.0912, 0.0658, 0.1542,
)
DEFAULT_RETENTION = 0.9
MIN_RETENTION, MAX_RETENTION = 0.7, 0.99  # Anki's range for desired retention
# our grade -> FSRS rating (1 Again, 2 Hard, 3 Good, 4 Easy)
GRADE_TO_RATING = {0: 1, 1: 1, 2: 1, 3: 2, 4: 3, 5: 4}


def check_retention(value: float) -> float:
    """``value`` if it is a usable desired retention, else ``ValueError`` saying the range."""
    value = float(value)
    if not MIN_RETENTION <= value <= MAX_RETENTION:
        raise ValueError(f"desired retention must be between {MIN_RETENTION} and {MAX_RETENTION}, not {value:g}")
    return value


def check_parameters(parameters: Sequence[float]) -> tuple[float, ...]:
    values = tuple(float(p) for p in parameters)
    if len(values) != len(DEFAULT_PARAMETERS):
        raise ValueError(f"FSRS-6 takes {len(DEFAULT_PARAMETERS)} parameters, not {len(values)}")
    return values


def _at(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=timezone.utc)


class FSRS:
    """FSRS-6 with ``parameters`` (the defaults, or a learner's fitted ones) aiming at
    ``desired_retention`` (the recall probability on the day a card falls due)."""

    name = NAME

    def __init__(self, parameters: Optional[Sequence[float]] = None,
                 desired_retention: float = DEFAULT_RETENTION, *, maximum_interval: int = MAX_INTERVAL):
        self.parameters = check_parameters(parameters if parameters is not None else DEFAULT_PARAMETERS)
        self.desired_retention = check_retention(desired_retention)
        self.maximum_interval = maximum_interval
        self._scheduler: Optional["py_fsrs.Scheduler"] = None

    @property
    def engine(self) -> "py_fsrs.Scheduler":
        if self._scheduler is None:
            from fsrs import Scheduler

            self._scheduler = Scheduler(
                parameters=self.parameters, desired_retention=self.desired_retention, learning_steps=(),
                relearning_steps=(), maximum_interval=self.maximum_interval, enable_fuzzing=False,
            )
        return self._scheduler

    def _card(self, state: CardState):
        from fsrs import Card, State

        if state.stability is None or state.difficulty is None or state.last_review is None:
            return Card(card_id=0, state=State.Learning, step=0)
        due = state.due or state.last_review
        return Card(card_id=0, state=State.Review, step=None, stability=state.stability,
                    difficulty=state.difficulty, due=_at(due), last_review=_at(state.last_review))

    def review(self, state: CardState, grade: int, *, today: date) -> CardState:
        """The state after grading ``state`` with ``grade`` (0-5) on ``today``. Pure."""
        from fsrs import Rating

        q = Quality(grade)  # raises ValueError outside 0..5
        card, _log = self.engine.review_card(self._card(state), Rating(GRADE_TO_RATING[q]), _at(today))
        interval = max(1, (card.due.date() - today).days)
        passed = q >= PASSING_GRADE
        return dataclasses.replace(
            state,
            repetitions=state.repetitions + 1 if passed else 0,
            interval=interval,
            due=today + timedelta(days=interval),
            lapses=state.lapses + (0 if passed or state.is_new else 1),
            last_review=today,
            stability=card.stability,
            difficulty=card.difficulty,
        )

    def recall_probability(self, state: CardState, *, today: date) -> Optional[float]:
        """FSRS-6's forgetting curve: the probability of recalling the card on ``today``."""
        if state.stability is None or state.last_review is None:
            return None
        return self.engine.get_card_retrievability(self._card(state), _at(today))

    def __repr__(self) -> str:
        custom = "" if self.parameters == DEFAULT_PARAMETERS else ", fitted parameters"
        return f"FSRS(desired_retention={self.desired_retention:g}{custom})"
