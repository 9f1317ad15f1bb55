"""The review log: recording a grade and taking one back, each in one transaction."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime
from typing import Optional

from ..errors import GradeRefusedError, StoreError
from .records import (_LIVE_REVIEW, _STATE_AFTER, _STATE_BEFORE, ReviewRecord, _iso, _memory_from, _memory_json,
                      _state_columns, _state_from)

__all__ = ["ReviewLog"]


class ReviewLog:
    """Grades appended to the log (``reviews``) with the card's state moved in the same transaction."""

    # -- grading --------------------------------------------------------

    def record(self, card_id: str, grade: int, *, today: date, now: datetime, drill: bool = False,
               duration_ms: Optional[int] = None) -> ReviewRecord:
        """Grade a card and commit before returning.

        A scheduled review (``drill=False``) moves the card's state with its deck's
        scheduler (``deck_scheduler``: SM-2 unless switched); a
        drill (an extra pass in the same day's session) is logged and leaves
        the state as it is. The state is read and written inside one
        ``BEGIN IMMEDIATE`` transaction, so two sessions on one database cannot
        grade from the same old state. ``GradeRefusedError`` (nothing written)
        when the card is retired or suspended, or no longer due for a scheduled
        review because another session graded it.
        """
        with self._write_transaction() as conn:
            card = self.card(card_id)
            reason = card.not_gradable(today=today, drill=drill)
            if reason is not None:
                raise GradeRefusedError(f"{card_id} not graded: {reason}")
            before = card.state
            setting = self.deck_scheduler(card.deck_id)
            after = before if drill else self.scheduler(setting).review(before, grade, today=today)
            if not drill:
                conn.execute(
                    """UPDATE card_state SET repetitions = ?, ef = ?, interval = ?, due = ?, lapses = ?,
                       last_review = ?, buried_until = NULL, scheduler = ?, memory = ? WHERE card_id = ?""",
                    (after.repetitions, after.ef, after.interval, _iso(after.due), after.lapses,
                     _iso(after.last_review), setting.name, _memory_json(after), card_id),
                )
            logged = setting if setting.name != "sm2" else None
            cursor = conn.execute(
                """INSERT INTO reviews (card_id, reviewed_at, day, kind, grade, duration_ms,
                   reps_before, ef_before, interval_before, due_before, lapses_before, last_review_before,
                   reps_after, ef_after, interval_after, due_after, lapses_after, last_review_after,
                   scheduler, retention, parameters_id, memory_before, memory_after)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                (card_id, now.isoformat(timespec="seconds"), today.isoformat(),
                 "drill" if drill else "review", grade, duration_ms,
                 *_state_columns(before), *_state_columns(after),
                 logged and logged.name, logged and logged.desired_retention, logged and logged.parameters_id,
                 _memory_json(before), _memory_json(after)),
            )
        return ReviewRecord(cursor.lastrowid, card_id, grade, drill, before, after)

    def undo(self, review_id: int, *, today: date, now: datetime) -> ReviewRecord:
        """Take back a logged grade: restore the card's state from before it and log the undo.

        Only the card's latest live grade can be taken back: if anything was logged
        for the card after it (a grade from another session, say), the state it
        would restore is stale, so ``GradeRefusedError`` is raised and nothing changes.
        """
        with self._write_transaction() as conn:
            row = conn.execute(
                f"""SELECT r.id, r.card_id, r.grade, r.kind, {_STATE_BEFORE}, {_STATE_AFTER},
                      r.memory_before, r.memory_after, COALESCE(r.scheduler, 'sm2')
                    FROM reviews r WHERE r.id = ? AND r.origin = 'flash' AND {_LIVE_REVIEW}""",
                (review_id,),
            ).fetchone()
            if row is None:
                raise StoreError(f"review {review_id} does not exist, was already undone, or was given in Anki")
            rid, card_id, grade, kind = row[:4]
            later = conn.execute(
                f"""SELECT r.id, r.day FROM reviews r
                    WHERE r.card_id = ? AND r.id > ? AND {_LIVE_REVIEW} ORDER BY r.id LIMIT 1""",
                (card_id, rid),
            ).fetchone()
            if later is not None:
                raise GradeRefusedError(
                    f"cannot undo grade {grade} for {card_id}: the card was graded again after it "
                    f"(log row {later[0]}, on {later[1]}, e.g. in another session); nothing changed"
                )
            deck_id = conn.execute("SELECT deck_id FROM cards WHERE id = ?", (card_id,)).fetchone()[0]
            if kind == "review" and self.deck_scheduler(deck_id).name != row[18]:
                raise GradeRefusedError(
                    f"cannot undo grade {grade} for {card_id}: its deck changed scheduler since "
                    f"(the state before the grade is {row[18]}'s); nothing changed"
                )
            before = dataclasses.replace(_state_from(row[4:10]), **_memory_from(row[16]))
            after = dataclasses.replace(_state_from(row[10:16]), **_memory_from(row[17]))
            conn.execute(
                """UPDATE card_state SET repetitions = ?, ef = ?, interval = ?, due = ?, lapses = ?,
                   last_review = ?, memory = ? WHERE card_id = ?""",
                (*_state_columns(before), _memory_json(before), card_id),
            )
            conn.execute(
                "INSERT INTO reviews (card_id, reviewed_at, day, kind, undoes) VALUES (?, ?, ?, 'undo', ?)",
                (card_id, now.isoformat(timespec="seconds"), today.isoformat(), rid),
            )
        return ReviewRecord(rid, card_id, grade, kind == "drill", before, after)
