"""Fitting FSRS to a learner's own log, and scoring the schedulers on it (``flash optimize``).

The measures are srs-benchmark's: log loss (the mean of -log p for a recalled card
and -log(1 - p) for a forgotten one; lower is better) and RMSE(bins), here the
calibration error over 20 equal-width bins of predicted recall: the square root of
the review-weighted mean of (mean prediction - share recalled)^2 over the bins.
(srs-benchmark bins by interval, review count and lapses instead; the idea, how far
predictions stand from what happened, is the same.) A review counts as recalled
when graded 3 or more; a card's first review predicts nothing and is left out.

SM-2 has no probability of its own: it is given srs-benchmark's, exponential
forgetting with the scheduled interval as the 90% point (``schedulers.sm2``).

The log is split by time: the earliest 80% of the reviews that have a prediction
fit the parameters, the latest 20% (from ``split_day`` on) are predicted, each from
everything the card went through before it. The parameters stored are then fitted
on the whole log.

The fitting is fsrs-rs's (``fsrs-rs-python``, the ``optimizer`` extra), imported
only here and only when there is enough to fit.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Iterable, Mapping, Optional, Sequence

from .errors import FlashcardsError
from .schedulers.base import Scheduler
from .schedulers.fsrs import DEFAULT_PARAMETERS, FSRS, GRADE_TO_RATING
from .schedulers.sm2 import PASSING_GRADE, SM2
from .schedulers.state import CardState

__all__ = [
    "BINS", "MIN_REVIEWS", "TEST_SHARE", "OptimizerMissingError", "OptimizeReport", "Scores", "fit", "histories",
    "log_loss", "optimize", "predictions", "require_optimizer", "rmse_bins", "split_day",
]

MIN_REVIEWS = 400  # reviews with an earlier review of the same card; fewer: keep FSRS's defaults
TEST_SHARE = 0.2  # the latest share of those reviews held out to score the schedulers
BINS = 20
_EPS = 1e-6  # predictions are kept within [eps, 1 - eps] so a sure miss costs a finite loss
EXTRA = "pip install 'flashdeck[optimizer]'"

History = Sequence[tuple[date, int]]  # one card's scheduled reviews in time order


class OptimizerMissingError(FlashcardsError):
    """The optimizer extra (fsrs-rs-python) is not installed."""


@dataclass(frozen=True)
class Scores:
    log_loss: float
    rmse_bins: float
    reviews: int


@dataclass
class OptimizeReport:
    reviews: int  # reviews with a prediction (an earlier review of the same card)
    cards: int
    enough: bool  # at least MIN_REVIEWS: parameters fitted
    split_day: Optional[date] = None
    scores: dict[str, Scores] = field(default_factory=dict)  # "sm2", "fsrs-default", "fsrs-fitted"
    parameters: Optional[tuple[float, ...]] = None  # fitted on the whole log

    def to_dict(self) -> dict:
        return {
            "reviews": self.reviews, "cards": self.cards, "enough": self.enough, "min_reviews": MIN_REVIEWS,
            "split_day": self.split_day.isoformat() if self.split_day else None,
            "scores": {name: asdict(s) for name, s in self.scores.items()},
            "parameters": list(self.parameters) if self.parameters else None,
        }


def histories(log: Iterable[tuple[str, date, int]]) -> dict[str, list[tuple[date, int]]]:
    """``(card_id, day, grade)`` rows (``Store.scheduled_log``) as each card's reviews in time order."""
    cards: dict[str, list[tuple[date, int]]] = {}
    for card_id, day, grade in log:
        cards.setdefault(card_id, []).append((day, grade))
    for reviews in cards.values():
        reviews.sort(key=lambda r: r[0])  # stable: one day's reviews keep their log order
    return cards


def predictions(scheduler: Scheduler, cards: Mapping[str, History], *,
                since: Optional[date] = None) -> list[tuple[float, bool]]:
    """``(predicted recall, recalled)`` for every review (on or after ``since``) that follows an
    earlier review of its card, the card's state replayed from its whole history before it."""
    out = []
    for reviews in cards.values():
        state = CardState()
        for day, grade in reviews:
            if not state.is_new and (since is None or day >= since):
                p = scheduler.recall_probability(state, today=day)
                if p is not None:
                    out.append((p, grade >= PASSING_GRADE))
            state = scheduler.review(state, grade, today=day)
    return out


def log_loss(preds: Sequence[tuple[float, bool]]) -> float:
    total = 0.0
    for p, recalled in preds:
        p = min(max(p, _EPS), 1 - _EPS)
        total -= math.log(p if recalled else 1 - p)
    return total / len(preds)


def rmse_bins(preds: Sequence[tuple[float, bool]], bins: int = BINS) -> float:
    sums: dict[int, list[float]] = {}
    for p, recalled in preds:
        b = sums.setdefault(min(int(p * bins), bins - 1), [0.0, 0.0, 0])
        b[0] += p
        b[1] += recalled
        b[2] += 1
    squared = sum(n * (sp / n - sy / n) ** 2 for sp, sy, n in sums.values())
    return math.sqrt(squared / len(preds))


def scores(scheduler: Scheduler, cards: Mapping[str, History], *, since: Optional[date] = None) -> Scores:
    preds = predictions(scheduler, cards, since=since)
    return Scores(log_loss(preds), rmse_bins(preds), len(preds))


def predictable(cards: Mapping[str, History]) -> list[date]:
    """The days of the reviews that have a prediction, sorted."""
    return sorted(day for reviews in cards.values() for day, _ in reviews[1:])


def split_day(cards: Mapping[str, History], test_share: float = TEST_SHARE) -> date:
    """The first held-out day: reviews from it on are (about) the latest ``test_share``."""
    days = predictable(cards)
    return days[min(len(days) - 1, int(len(days) * (1 - test_share)))]


def require_optimizer():
    """The fitting library (fsrs-rs-python), or ``OptimizerMissingError`` naming the extra."""
    try:
        import fsrs_rs_python
    except ImportError as exc:
        raise OptimizerMissingError(f"flash optimize needs the optimizer extra (fsrs-rs-python): {EXTRA}") from exc
    return fsrs_rs_python


def fit(cards: Mapping[str, History], *, before: Optional[date] = None) -> tuple[float, ...]:
    """FSRS-6 parameters fitted (by fsrs-rs) to the reviews before ``before`` (all without it)."""
    rs = require_optimizer()
    items = []
    for reviews in cards.values():
        steps, last = [], None
        for day, grade in reviews:
            if before is not None and day >= before:
                break
            steps.append(rs.FSRSReview(GRADE_TO_RATING[grade], 0 if last is None else (day - last).days))
            last = day
        for end in range(2, len(steps) + 1):
            item = rs.FSRSItem(steps[:end])
            if item.long_term_review_cnt() > 0:
                items.append(item)
    if not items:
        return DEFAULT_PARAMETERS
    return tuple(rs.FSRS(list(DEFAULT_PARAMETERS)).compute_parameters(items))


def optimize(cards: Mapping[str, History]) -> OptimizeReport:
    """Score SM-2, FSRS with default parameters and FSRS fitted on the earlier part of the log
    on its held-out latest part, then fit on the whole log. Below ``MIN_REVIEWS`` nothing is
    fitted (``enough`` is false) and the scores of SM-2 and FSRS's defaults are still given."""
    count = len(predictable(cards))
    report = OptimizeReport(reviews=count, cards=len(cards), enough=count >= MIN_REVIEWS)
    if count == 0:
        return report
    cut = report.split_day = split_day(cards)
    report.scores["sm2"] = scores(SM2(), cards, since=cut)
    # (desired retention moves due dates, not predicted recall: the defaults' target is used)
    report.scores["fsrs-default"] = scores(FSRS(), cards, since=cut)
    if not report.enough:
        return report
    held_out_fit = fit(cards, before=cut)
    report.scores["fsrs-fitted"] = scores(FSRS(held_out_fit), cards, since=cut)
    report.parameters = fit(cards)
    return report
