"""Queries: cards, decks and the review queue, read without writing."""

from __future__ import annotations

import json
from datetime import date
from typing import Optional

from ..errors import StoreError
from ..sm2 import SESSION_PASS_GRADE
from .records import (_CARD_COLUMNS, _CARD_FROM, _LIVE_REVIEW, _STATE_AFTER, _STATE_BEFORE, CardRecord, DeckSummary,
                      ReviewRecord, _iso, _record_from_row, _state_from)

__all__ = ["Queries"]


class Queries:
    """What a session, ``flash decks`` and ``flash cards`` read."""

    def deck_summaries(self, *, today: date) -> list[DeckSummary]:
        rows = self.conn.execute(
            """SELECT d.id, d.name, COALESCE(s.new, 0), COALESCE(s.due, 0), COALESCE(s.learning, 0),
                 COALESCE(s.total, 0), COALESCE(s.retired, 0)
               FROM decks d LEFT JOIN (
                 SELECT deck_id,
                   SUM(retired = 0 AND suspended = 0 AND due IS NULL) AS new,
                   SUM(retired = 0 AND suspended = 0 AND due <= :today
                       AND (buried_until IS NULL OR buried_until <= :today)) AS due,
                   SUM(retired = 0 AND due IS NOT NULL AND repetitions <= 1) AS learning,
                   SUM(retired = 0) AS total,
                   SUM(retired = 1) AS retired
                 FROM card_state GROUP BY deck_id
               ) s ON s.deck_id = d.id
               ORDER BY d.id""",
            {"today": today.isoformat()},
        ).fetchall()
        return [DeckSummary(*row) for row in rows]

    # -- cards ----------------------------------------------------------

    def card(self, card_id: str) -> CardRecord:
        row = self.conn.execute(f"SELECT {_CARD_COLUMNS} {_CARD_FROM} WHERE c.id = ?", (card_id,)).fetchone()
        if row is None:
            raise StoreError(f"no card with id '{card_id}'")
        return _record_from_row(row)

    def cards(self, *, deck: Optional[str] = None, include_retired: bool = True) -> list[CardRecord]:
        where, params = [], []
        if deck is not None:
            where.append("c.deck_id = ?")
            params.append(deck)
        if not include_retired:
            where.append("c.retired = 0")
        clause = f"WHERE {' AND '.join(where)}" if where else ""
        rows = self.conn.execute(
            f"SELECT {_CARD_COLUMNS} {_CARD_FROM} {clause} ORDER BY c.deck_id, c.position", params
        )
        return [_record_from_row(row) for row in rows]

    def require_deck(self, deck: Optional[str]) -> None:
        """Raise ``StoreError`` if ``deck`` is given and not in the database."""
        if deck is not None and deck not in self.deck_ids():
            known = ", ".join(self.deck_ids()) or "none imported yet"
            raise StoreError(f"no deck with id '{deck}' (decks: {known})")

    def last_live_review(self, *, today: date, deck: Optional[str] = None) -> Optional[ReviewRecord]:
        """The latest grade (review or drill) logged on ``today`` and not undone, or ``None``:
        what ``flash undo`` takes back (undone, the one before it is next). Grades given in
        Anki (``flash import --anki``) are history, never taken back."""
        row = self.conn.execute(
            f"""SELECT r.id, r.card_id, r.grade, r.kind, {_STATE_BEFORE}, {_STATE_AFTER} FROM reviews r
                {"JOIN cards c ON c.id = r.card_id" if deck else ""}
                WHERE r.day = :today AND r.origin = 'flash' AND {_LIVE_REVIEW}
                  {"AND c.deck_id = :deck" if deck else ""}
                ORDER BY r.id DESC LIMIT 1""",
            {"today": today.isoformat(), "deck": deck},
        ).fetchone()
        if row is None:
            return None
        return ReviewRecord(row[0], row[1], row[2], row[3] == "drill", _state_from(row[4:10]),
                            _state_from(row[10:16]))

    # -- the review queue -------------------------------------------------

    # The queue reads card_state alone: its copies of deck_id, position and retired
    # (schema migration 3) let a partial index answer each query without a join.

    def due_card_ids(self, *, today: date, deck: Optional[str] = None, limit: Optional[int] = None) -> list[str]:
        """Ids of the cards due on or before ``today``, oldest due first (then deck order).

        Read in order from a covering index, so the first ``limit`` cost the
        same however many cards are due.
        """
        sql = f"""SELECT card_id FROM card_state
            WHERE due <= :today AND retired = 0 AND suspended = 0
              AND (buried_until IS NULL OR buried_until <= :today)
              {"AND deck_id = :deck" if deck else ""}
            ORDER BY due, deck_id, position {"LIMIT :limit" if limit is not None else ""}"""
        rows = self.conn.execute(sql, {"today": today.isoformat(), "deck": deck, "limit": limit})
        return [row[0] for row in rows]

    def due_count(self, *, today: date, deck: Optional[str] = None) -> int:
        """How many cards ``due_card_ids`` would return: due by ``today``, not buried past it."""
        params = {"today": today.isoformat(), "deck": deck}
        if deck:
            sql = """SELECT COUNT(*) FROM card_state
                WHERE deck_id = :deck AND due <= :today AND retired = 0 AND suspended = 0
                  AND (buried_until IS NULL OR buried_until <= :today)"""
        else:  # all cards due, less the few buried past today: two index ranges
            sql = """SELECT (SELECT COUNT(*) FROM card_state WHERE due <= :today AND retired = 0 AND suspended = 0)
                - (SELECT COUNT(*) FROM card_state WHERE buried_until > :today AND due <= :today
                   AND retired = 0 AND suspended = 0)"""
        return self.conn.execute(sql, params).fetchone()[0]

    def new_card_ids(self, *, deck: Optional[str] = None, limit: int, today: Optional[date] = None) -> list[str]:
        """Ids of never-reviewed cards, in deck order (given ``today``, without cards buried past it)."""
        if limit <= 0:
            return []
        sql = f"""SELECT card_id FROM card_state
            WHERE due IS NULL AND retired = 0 AND suspended = 0
              {"AND (buried_until IS NULL OR buried_until <= :today)" if today else ""}
              {"AND deck_id = :deck" if deck else ""}
            ORDER BY deck_id, position LIMIT :limit"""
        rows = self.conn.execute(sql, {"deck": deck, "limit": limit, "today": _iso(today)})
        return [row[0] for row in rows]

    def day_new_cards(self, *, today: date, deck: Optional[str] = None) -> tuple[list[str], set[str], dict]:
        """The day's new cards as they stood when the day began, so that one session or several
        deal the same order: (ids in deck order of the cards never reviewed before ``today``,
        not suspended, retired or buried past it; those of them introduced today; card id -> the
        TERM card ids it needs first (``cards.needs``), for the cards that need any)."""
        introduced_sql = f"""SELECT r.card_id FROM reviews r WHERE r.day = :today AND r.kind = 'review'
            AND r.due_before IS NULL AND {_LIVE_REVIEW}"""
        sql = f"""SELECT s.card_id, s.due IS NOT NULL, c.needs FROM card_state s JOIN cards c ON c.id = s.card_id
            WHERE s.retired = 0 AND s.suspended = 0 AND (s.buried_until IS NULL OR s.buried_until <= :today)
              AND (s.due IS NULL OR s.card_id IN ({introduced_sql}))
              {"AND s.deck_id = :deck" if deck else ""}
            ORDER BY s.deck_id, s.position"""
        ids, introduced, needs = [], set(), {}
        for card_id, seen, card_needs in self.conn.execute(sql, {"today": today.isoformat(), "deck": deck}):
            ids.append(card_id)
            if seen:
                introduced.add(card_id)
            if card_needs != "[]":
                needs[card_id] = tuple(json.loads(card_needs))
        return ids, introduced, needs

    def new_introduced(self, *, today: date, deck: Optional[str] = None) -> int:
        """How many new cards had their first review on ``today`` (for the daily new-card cap)."""
        sql = f"""SELECT COUNT(DISTINCT r.card_id) FROM reviews r
            {"JOIN cards c ON c.id = r.card_id" if deck else ""}
            WHERE r.day = :today AND r.kind = 'review' AND r.due_before IS NULL AND {_LIVE_REVIEW}
              {"AND c.deck_id = :deck" if deck else ""}"""
        return self.conn.execute(sql, {"today": today.isoformat(), "deck": deck}).fetchone()[0]

    def reviews_done(self, *, today: date, deck: Optional[str] = None) -> int:
        """How many scheduled cards had their review on ``today`` (for the daily review cap)."""
        sql = f"""SELECT COUNT(DISTINCT r.card_id) FROM reviews r
            {"JOIN cards c ON c.id = r.card_id" if deck else ""}
            WHERE r.day = :today AND r.kind = 'review' AND r.due_before IS NOT NULL AND {_LIVE_REVIEW}
              {"AND c.deck_id = :deck" if deck else ""}"""
        return self.conn.execute(sql, {"today": today.isoformat(), "deck": deck}).fetchone()[0]

    def todays_grades(self, *, today: date, deck: Optional[str] = None) -> dict[str, list[tuple[str, int]]]:
        """Each card's live (not undone) grades on ``today`` in order, as ``(kind, grade)``."""
        grades: dict[str, list[tuple[str, int]]] = {}
        rows = self.conn.execute(
            f"""SELECT r.card_id, r.kind, r.grade FROM reviews r
                {"JOIN cards c ON c.id = r.card_id" if deck else ""}
                WHERE r.day = :today AND {_LIVE_REVIEW} {"AND c.deck_id = :deck" if deck else ""}
                ORDER BY r.id""",
            {"today": today.isoformat(), "deck": deck},
        )
        for card_id, kind, grade in rows:
            grades.setdefault(card_id, []).append((kind, grade))
        return grades

    def pending_drill_ids(self, *, today: date, deck: Optional[str] = None) -> list[str]:
        """Cards graded today whose latest grade was below 4: they come back until graded 4 or 5."""
        ids = [
            cid for cid, grades in self.todays_grades(today=today, deck=deck).items()
            if grades[-1][1] < SESSION_PASS_GRADE
        ]
        records = [self.card(cid) for cid in ids]
        return [r.id for r in records if not r.retired and not r.suspended
                and (r.buried_until is None or r.buried_until <= today)]
