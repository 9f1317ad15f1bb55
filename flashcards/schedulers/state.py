"""Where a card stands, whichever scheduler moves it: plain data, JSON both ways.

The schedule fields (``repetitions``, ``interval``, ``due``, ``lapses``,
``last_review``) mean the same under every scheduler, so the review queue, the
deck counts and the leech rules read them without knowing which one is in use.
The rest is a scheduler's own memory: SM-2's E-Factor ``ef`` (kept, unchanged,
by FSRS), and FSRS's ``stability`` and ``difficulty`` (None until FSRS has
graded the card or replayed its log).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date
from typing import Any, Optional

INITIAL_EF = 250  # SM-2's E-Factor of a new card: 2.5, in hundredths


@dataclass(frozen=True)
class CardState:
    """A card's state. ``due is None`` means the card is new."""

    repetitions: int = 0  # reviews graded 3 or more in a row (0 after a lapse)
    ef: int = INITIAL_EF  # SM-2's E-Factor in hundredths
    interval: int = 0  # days from the last review to ``due``
    due: Optional[date] = None
    lapses: int = 0  # times a scheduled review was graded below 3
    last_review: Optional[date] = None
    stability: Optional[float] = None  # FSRS: days until recall falls to 90%
    difficulty: Optional[float] = None  # FSRS: 1 (easy) to 10 (hard)

    @property
    def is_new(self) -> bool:
        return self.due is None

    @property
    def easiness(self) -> float:
        """The E-Factor as a number, for display only."""
        return self.ef / 100

    @property
    def memory(self) -> Optional[dict[str, float]]:
        """FSRS's memory as JSON-ready data (None when it has none)."""
        if self.stability is None or self.difficulty is None:
            return None
        return {"stability": self.stability, "difficulty": self.difficulty}

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["due"] = self.due.isoformat() if self.due else None
        data["last_review"] = self.last_review.isoformat() if self.last_review else None
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "CardState":
        values = dict(data)
        for key in ("due", "last_review"):
            if values.get(key):
                values[key] = date.fromisoformat(values[key])
        return cls(**values)


def memory_fields(memory: Optional[dict[str, float]]) -> dict[str, Optional[float]]:
    """``CardState`` keyword arguments for a stored memory dict (None: no memory)."""
    if not memory:
        return {"stability": None, "difficulty": None}
    return {"stability": float(memory["stability"]), "difficulty": float(memory["difficulty"])}
