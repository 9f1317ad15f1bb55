"""Predicted recall: how much of each deck a learner would recall today, and the cards most at risk.

Each card's probability is its deck's scheduler's (``recall_probability``): FSRS's
forgetting curve, or for SM-2 srs-benchmark's derivation, exponential forgetting
with the interval as the 90% point. Only cards seen at least once and neither
retired nor suspended count; a deck's figure is the mean over its cards.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass
from datetime import date
from typing import Iterable, Mapping, Optional

from .schedulers.base import Scheduler

__all__ = ["AT_RISK", "AtRisk", "DeckRecall", "Recall", "predicted_recall"]

AT_RISK = 10  # cards listed as most at risk


@dataclass(frozen=True)
class DeckRecall:
    deck_id: str
    scheduler: str
    cards: int  # cards seen, live
    expected: Optional[float]  # mean probability of recall today (None: no card seen yet)


@dataclass(frozen=True)
class AtRisk:
    card_id: str
    deck_id: str
    recall: float
    due: date
    scheduler: str


@dataclass(frozen=True)
class Recall:
    decks: list[DeckRecall]
    at_risk: list[AtRisk]  # lowest probability first

    def to_dict(self) -> dict:
        return {
            "decks": [{"deck": d.deck_id, "scheduler": d.scheduler, "cards": d.cards, "expected": d.expected}
                      for d in self.decks],
            "at_risk": [{"card": a.card_id, "deck": a.deck_id, "recall": a.recall, "due": a.due.isoformat(),
                         "scheduler": a.scheduler} for a in self.at_risk],
        }


def predicted_recall(records: Iterable, schedulers: Mapping[str, Scheduler], *, today: date,
                     at_risk: int = AT_RISK) -> Recall:
    """Expected recall on ``today`` per deck (of ``schedulers``, in its order) and the ``at_risk`` cards
    least likely to be recalled. ``records`` are the store's ``CardRecord``s."""
    totals: dict[str, list] = {deck_id: [0.0, 0] for deck_id in schedulers}
    scored = []
    for record in records:
        scheduler = schedulers.get(record.deck_id)
        if scheduler is None or record.retired or record.suspended or record.state.is_new:
            continue
        p = scheduler.recall_probability(record.state, today=today)
        if p is None:
            continue
        totals[record.deck_id][0] += p
        totals[record.deck_id][1] += 1
        scored.append((p, record.id, record))
    decks = [DeckRecall(deck_id, schedulers[deck_id].name, n, total / n if n else None)
             for deck_id, (total, n) in totals.items()]
    risky = heapq.nsmallest(at_risk, scored, key=lambda s: (s[0], s[1]))
    return Recall(decks, [AtRisk(r.id, r.deck_id, p, r.state.due, schedulers[r.deck_id].name) for p, _, r in risky])
