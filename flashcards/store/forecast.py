"""Cards by the day ``flash review`` will first show them: the one forecast behind the review
summary ("Next due", "Due tomorrow") and ``flash decks`` (``flash stats`` computes the same days
from the cards it reads, with ``flashcards.stats.effective_due``).

A scheduled card (not new, suspended or retired) shows on its due day; an overdue one today; a
buried one not before its burial ends. Functions over a ``Store``.
"""

from __future__ import annotations

from datetime import date
from typing import Optional

__all__ = ["due_by_day"]


def due_by_day(store, *, today: date, deck: Optional[str] = None) -> dict[date, int]:
    """Day -> how many scheduled cards ``flash review`` first shows that day, if nothing is
    reviewed before (``today`` holds the overdue ones); days in order, ``today`` onwards."""
    rows = store.conn.execute(
        f"""SELECT MAX(due, :today, COALESCE(buried_until, '')) AS day, COUNT(*) FROM card_state
            WHERE due IS NOT NULL AND retired = 0 AND suspended = 0 {"AND deck_id = :deck" if deck else ""}
            GROUP BY day ORDER BY day""",
        {"today": today.isoformat(), "deck": deck},
    )
    return {date.fromisoformat(day): n for day, n in rows}
