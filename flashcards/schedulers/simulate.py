"""A seeded simulated learner whose recall follows a known forgetting curve (tests, benchmarks).

The learner is not FSRS and not SM-2, so neither scheduler is graded on its own
model. Each card has a difficulty ``d`` (log-normal around 1). Memory is a
half-life ``h`` in days, recall on day ``t`` after the last review has probability
``2 ** (-t / h)`` (exponential forgetting, as in Ebbinghaus and half-life
regression). A first sight sets ``h = 10 / d``; a recall multiplies it by
``2 + 5 / d * (1 - R) ** 0.5`` (the spacing effect: a harder-won recall grows
memory more); a lapse cuts it to a third (at least 0.4 days). Under SM-2 this
learner recalls about 84% of scheduled reviews, near what Anki users keep.

Reviews follow the scheduler given (SM-2 by default, as in a learner's own log):
the learner comes on the due day, or up to ``max_late`` days late one time in
three. Recalled cards get 3, 4 or 5 (the higher the recall probability, the
likelier 5); forgotten ones 0, 1 or 2.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Optional

from .base import Scheduler
from .state import CardState

__all__ = ["SimulatedReview", "simulate"]


@dataclass(frozen=True)
class SimulatedReview:
    card: int
    day: date
    grade: int
    recall_probability: float  # the learner's true probability (1.0 on first sight)


def simulate(scheduler: Optional[Scheduler] = None, *, cards: int, days: int, start: date = date(2026, 1, 1),
             seed: int = 0, new_per_day: Optional[int] = None, max_late: int = 3) -> list[SimulatedReview]:
    """Every review of ``cards`` cards over ``days`` days, in time order (card order within a day)."""
    if scheduler is None:
        from .sm2 import SM2

        scheduler = SM2()
    rng = random.Random(seed)
    per_day = new_per_day or max(1, math.ceil(cards / max(1, days // 2)))
    reviews: list[SimulatedReview] = []
    for card in range(cards):
        difficulty = math.exp(rng.gauss(0.0, 0.45))
        day = start + timedelta(days=card // per_day)
        end = start + timedelta(days=days)
        state, half_life, seen = CardState(), 0.0, None
        while day < end:
            if seen is None:
                recall, half_life = 1.0, 10.0 / difficulty
                grade = rng.choices((3, 4, 5), weights=(2, 5, 3))[0]
            else:
                recall = 2.0 ** (-(day - seen).days / half_life)
                if rng.random() < recall:
                    half_life *= 2.0 + 5.0 / difficulty * (1.0 - recall) ** 0.5
                    grade = 5 if rng.random() < recall ** 3 else rng.choice((3, 4, 4))
                else:
                    half_life = max(0.4, half_life / 3)
                    grade = rng.choice((0, 1, 2))
            reviews.append(SimulatedReview(card, day, grade, recall))
            state = scheduler.review(state, grade, today=day)
            seen = day
            late = rng.randint(1, max_late) if max_late and rng.random() < 1 / 3 else 0
            day = state.due + timedelta(days=late)
    reviews.sort(key=lambda r: (r.day, r.card))
    return reviews
