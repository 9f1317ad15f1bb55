"""Cards by the day ``flash review`` will first show them: the one forecast behind the review
summary ("Next due", "Due tomorrow") and ``flash decks`` (``flash stats`` computes the same days
from the cards it reads, with ``flashcards.stats.effective_due``).

A scheduled card (not new, suspended or retired) shows on its due day; an overdue one today; a
buried one not before its burial ends. Functions over a ``Store``.
"""

from __future__ import annotations

from datetime import date
from typing import Optional

__all__ = ["due_by_day", "falls_due_on", "next_due"]


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


_SCHEDULED = "retired = 0 AND suspended = 0 AND due IS NOT NULL"


def falls_due_on(store, day: date, *, today: date, deck: Optional[str] = None) -> int:
    """``due_by_day(...)[day]`` for one ``day`` after ``today``, read from two index ranges (the
    cards due that day and not buried past it, and those whose burial ends that day)."""
    if day <= today:
        raise ValueError(f"{day} is not after {today}")
    in_deck = "AND deck_id = :deck" if deck else ""
    row = store.conn.execute(
        f"""SELECT (SELECT COUNT(*) FROM card_state WHERE due = :day AND {_SCHEDULED} {in_deck}
                      AND (buried_until IS NULL OR buried_until <= :day))
                 + (SELECT COUNT(*) FROM card_state WHERE buried_until = :day AND due < :day AND {_SCHEDULED}
                      {in_deck})""",
        {"day": day.isoformat(), "deck": deck},
    ).fetchone()
    return row[0]


def next_due(store, *, today: date, deck: Optional[str] = None) -> Optional[tuple[date, int]]:
    """The first day after ``today`` in ``due_by_day`` and its count, without reading every card:
    the earliest due day after today of a card not buried past it, or the earliest burial end
    after today of a card due by then, whichever comes first."""
    in_deck = "AND deck_id = :deck" if deck else ""
    params = {"today": today.isoformat(), "deck": deck}
    due = store.conn.execute(
        f"""SELECT MIN(due) FROM card_state WHERE due > :today AND {_SCHEDULED} {in_deck}
              AND (buried_until IS NULL OR buried_until <= due)""", params).fetchone()[0]
    unburied = store.conn.execute(
        f"""SELECT MIN(buried_until) FROM card_state WHERE buried_until > :today AND due < buried_until
              AND {_SCHEDULED} {in_deck}""", params).fetchone()[0]
    days = [date.fromisoformat(d) for d in (due, unburied) if d]
    if not days:
        return None
    first = min(days)
    return first, falls_due_on(store, first, today=today, deck=deck)
