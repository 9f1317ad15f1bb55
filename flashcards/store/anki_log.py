"""Reviews given in Anki, in the review log: the cards Anki's notes can be, adding the
reviews, and re-deriving each touched card's state from its merged log.

Functions over a ``Store``. The log stays append-only: an Anki review is a new row
(``origin = 'anki'``, ``anki_revlog_id`` = its id in Anki's log, unique per card, so
importing a file twice adds nothing), never a change to an existing one.

A card's **merged log** is its live grades, flash's and Anki's, in time order: by
study day, then by the moment graded. The first grade of a day is the scheduled
review that moves the schedule, later ones that day are drills (as in a flash
session): an Anki answer is logged as a ``review`` when the card has no live review
that day, as a ``drill`` otherwise (so a card has at most one review a day, and
the merged log's reviews are in day order). After an import each touched card's
state is its deck's scheduler's replay of the merged log's reviews from a new card
(``merged_reviews``, ``replay_state``); the Anki rows carry the states before and
after them in that replay, and the scheduler setting, as every graded row does.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Iterable, Sequence

from ..anki_import import ImportedReview
from ..schedulers import CardState, Scheduler
from . import Store
from .records import _LIVE_REVIEW, _iso, _memory_json, _state_columns

__all__ = ["AnkiImportReport", "add_anki_reviews", "known_cards", "merged_reviews", "replay_state"]


@dataclass(frozen=True)
class AnkiImportReport:
    added: int  # reviews added to the log
    already: int  # reviews an earlier import added
    cards: int  # cards whose state was re-derived
    anki_total: int  # reviews from Anki in the log now


def known_cards(store: Store) -> list[tuple[str, str, str, bool]]:
    """Every card of the database, retired ones too: ``(deck id, entry id, card, retired)``, ``card``
    being the last part of its id (its kind, or ``c1``, ``c2``... for the deletions of a cloze)."""
    rows = store.conn.execute("SELECT deck_id, entry_id, id, retired FROM cards ORDER BY id")
    return [(deck_id, entry_id, cid.rsplit("/", 1)[1], bool(retired)) for deck_id, entry_id, cid, retired in rows]


def _moment(reviewed_at: str) -> float:
    """A logged time as seconds since 1970 (a time without offset is local time)."""
    try:
        moment = datetime.fromisoformat(reviewed_at)
    except (TypeError, ValueError):
        return 0.0
    if moment.tzinfo is None:
        moment = moment.astimezone()
    return moment.timestamp()


def _live_rows(conn, card_id: str) -> list[tuple]:
    """The card's live grades as sort keys: ``(day, moment, id, kind, grade)``."""
    rows = conn.execute(
        f"""SELECT r.day, r.reviewed_at, r.id, r.kind, r.grade FROM reviews r
            WHERE r.card_id = ? AND {_LIVE_REVIEW}""",
        (card_id,),
    )
    return [(date.fromisoformat(day), _moment(at), rid, kind, grade) for day, at, rid, kind, grade in rows]


def merged_reviews(conn, card_id: str) -> list[tuple[date, int]]:
    """The card's scheduled reviews in the merged log's order, as ``(day, grade)``."""
    return [(day, grade) for day, _, _, kind, grade in sorted(_live_rows(conn, card_id)) if kind == "review"]


def replay_state(scheduler: Scheduler, reviews: Iterable[tuple[date, int]]) -> CardState:
    """The state ``reviews`` (in order) give a new card."""
    state = CardState()
    for day, grade in reviews:
        state = scheduler.review(state, grade, today=day)
    return state


def add_anki_reviews(store: Store, reviews: Sequence[ImportedReview]) -> AnkiImportReport:
    """Append the reviews not imported before and re-derive the touched cards' states,
    all in one transaction."""
    with store._write_transaction() as conn:
        seen = {(rid, cid) for rid, cid in conn.execute(
            "SELECT anki_revlog_id, card_id FROM reviews WHERE anki_revlog_id IS NOT NULL")}
        fresh: dict[str, list[ImportedReview]] = {}
        already = 0
        for review in reviews:
            key = (review.revlog_id, review.card_id)
            if key in seen:
                already += 1
                continue
            seen.add(key)
            fresh.setdefault(review.card_id, []).append(review)
        for card_id, added in fresh.items():
            _merge(store, conn, card_id, added)
        total = conn.execute("SELECT COUNT(*) FROM reviews WHERE origin = 'anki'").fetchone()[0]
    return AnkiImportReport(sum(len(v) for v in fresh.values()), already, len(fresh), total)


def _merge(store: Store, conn, card_id: str, added: list[ImportedReview]) -> None:
    deck_id = conn.execute("SELECT deck_id FROM cards WHERE id = ?", (card_id,)).fetchone()[0]
    setting = store.deck_scheduler(deck_id)
    scheduler = store.scheduler(setting)
    logged = (setting.name, setting.desired_retention, setting.parameters_id) if setting.name != "sm2" else (
        None, None, None)
    # (day, moment, order, kind or None for a new row, grade, the new row)
    entries: list[tuple] = [(day, moment, 0, rid, kind, grade, None)
                            for day, moment, rid, kind, grade in _live_rows(conn, card_id)]
    entries += [(r.day, _moment(r.at.isoformat(timespec="seconds")), 1, r.revlog_id, None, r.grade, r)
                for r in added]
    entries.sort(key=lambda e: e[:4])
    reviewed_days = {e[0] for e in entries if e[4] == "review"}
    state = CardState()
    rows = []
    for day, _, _, _, kind, grade, new in entries:
        if new is not None:
            kind = "drill" if day in reviewed_days else "review"
            if kind == "review":
                reviewed_days.add(day)
        before = state
        if kind == "review":
            state = scheduler.review(state, grade, today=day)
        if new is not None:
            rows.append((card_id, new.at.isoformat(timespec="seconds"), day.isoformat(), kind, grade,
                         new.duration_ms, *_state_columns(before), *_state_columns(state), *logged,
                         _memory_json(before), _memory_json(state), new.revlog_id))
    conn.executemany(
        """INSERT INTO reviews (card_id, reviewed_at, day, kind, grade, duration_ms,
           reps_before, ef_before, interval_before, due_before, lapses_before, last_review_before,
           reps_after, ef_after, interval_after, due_after, lapses_after, last_review_after,
           scheduler, retention, parameters_id, memory_before, memory_after, origin, anki_revlog_id)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'anki', ?)""",
        rows,
    )
    conn.execute(
        """UPDATE card_state SET repetitions = ?, ef = ?, interval = ?, due = ?, lapses = ?, last_review = ?,
           scheduler = ?, memory = ? WHERE card_id = ?""",
        (state.repetitions, state.ef, state.interval, _iso(state.due), state.lapses, _iso(state.last_review),
         setting.name, _memory_json(state), card_id),
    )
