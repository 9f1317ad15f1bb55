"""Which scheduler grades a deck, with what settings, and switching a deck from one to another.

The arithmetic is the schedulers' (``flashcards.schedulers``): this room only keeps
each deck's choice (``deck_schedulers``), the fitted FSRS parameters
(``fsrs_parameters``), and rewrites card states that a scheduler computed.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Iterator, Optional, Sequence

from ..errors import StoreError
from ..schedulers.base import Scheduler, make_scheduler, switch
from .records import _LIVE_REVIEW, _iso, _memory_json, _memory_from, _state_from

__all__ = ["SchedulerSetting", "Scheduling", "SwitchReport", "FittedParameters"]


@dataclass(frozen=True)
class SchedulerSetting:
    """What grades a deck: the scheduler's name and, for FSRS, the desired retention and the
    ``fsrs_parameters`` row in use (None: FSRS's defaults). Logged with every grade."""

    name: str = "sm2"
    desired_retention: Optional[float] = None
    parameters_id: Optional[int] = None


@dataclass(frozen=True)
class FittedParameters:
    id: int
    parameters: tuple[float, ...]
    reviews: int
    report: dict
    fitted_on: date


@dataclass(frozen=True)
class SwitchReport:
    deck_id: str
    before: SchedulerSetting
    after: SchedulerSetting
    cards: int  # card states rewritten
    reviews: int  # logged grades replayed into them
    moved: int  # cards whose due date moved (only with reschedule)


class Scheduling:
    """Per-deck scheduler settings and the switch between schedulers."""

    # -- reading the settings -------------------------------------------

    def fitted_parameters(self) -> Optional[FittedParameters]:
        """The latest parameters ``flash optimize`` stored, or None (FSRS's defaults)."""
        row = self.conn.execute(
            "SELECT id, parameters, reviews, report, fitted_on FROM fsrs_parameters ORDER BY id DESC LIMIT 1"
        ).fetchone()
        if row is None:
            return None
        return FittedParameters(row[0], tuple(json.loads(row[1])), row[2], json.loads(row[3]),
                                date.fromisoformat(row[4]))

    def _parameters(self, parameters_id: Optional[int]) -> Optional[tuple[float, ...]]:
        if parameters_id is None:
            return None
        row = self.conn.execute("SELECT parameters FROM fsrs_parameters WHERE id = ?", (parameters_id,)).fetchone()
        if row is None:
            raise StoreError(f"FSRS parameters {parameters_id} are missing from {self.path}")
        return tuple(json.loads(row[0]))

    def deck_scheduler(self, deck_id: str) -> SchedulerSetting:
        """The setting that grades ``deck_id`` now (SM-2 unless the deck was switched)."""
        row = self.conn.execute(
            "SELECT scheduler, desired_retention FROM deck_schedulers WHERE deck_id = ?", (deck_id,)
        ).fetchone()
        if row is None or row[0] == "sm2":
            return SchedulerSetting()
        fitted = self.fitted_parameters()
        return SchedulerSetting(row[0], row[1], fitted.id if fitted else None)

    def deck_schedulers(self) -> dict[str, SchedulerSetting]:
        return {deck_id: self.deck_scheduler(deck_id) for deck_id in self.deck_ids()}

    def scheduler(self, setting: SchedulerSetting) -> Scheduler:
        """The scheduler for ``setting`` (built once per store and setting)."""
        cache = self.__dict__.setdefault("_schedulers", {})
        if setting not in cache:
            cache[setting] = make_scheduler(setting.name, desired_retention=setting.desired_retention,
                                            parameters=self._parameters(setting.parameters_id))
        return cache[setting]

    # -- the log, as a scheduler reads it ---------------------------------

    def scheduled_log(self, *, deck: Optional[str] = None) -> Iterator[tuple[str, date, int]]:
        """Every live scheduled grade as ``(card_id, day, grade)``, by card and then in log order
        (drills and undone grades left out); a card with reviews from Anki in its merged log's
        order, by day (``anki_log``: reviews imported later may be earlier)."""
        rows = self.conn.execute(
            f"""SELECT r.card_id, r.day, r.grade FROM reviews r
                {"JOIN cards c ON c.id = r.card_id" if deck else ""}
                WHERE r.kind = 'review' AND {_LIVE_REVIEW} {"AND c.deck_id = :deck" if deck else ""}
                ORDER BY r.card_id, CASE WHEN EXISTS (SELECT 1 FROM reviews a WHERE a.card_id = r.card_id
                  AND a.origin = 'anki') THEN r.day ELSE '' END, r.id""",
            {"deck": deck},
        )
        for card_id, day, grade in rows:
            yield card_id, date.fromisoformat(day), grade

    # -- switching ------------------------------------------------------

    def set_scheduler(self, deck_id: str, name: str, *, today: date, desired_retention: Optional[float] = None,
                      reschedule: bool = False) -> SwitchReport:
        """Grade ``deck_id`` with ``name`` from now on, in one transaction: each card's log is
        replayed into the new scheduler's memory; due dates stay unless ``reschedule``.
        ``ValueError`` for an unknown scheduler or retention out of range."""
        if name == "sm2" and desired_retention is not None:
            raise ValueError("SM-2 has no desired retention (--retention is for fsrs)")
        with self._write_transaction() as conn:
            self.require_deck(deck_id)
            before = self.deck_scheduler(deck_id)
            if name == "fsrs" and desired_retention is None:
                desired_retention = before.desired_retention  # a deck already on FSRS keeps its target
            if name == "sm2":
                conn.execute("DELETE FROM deck_schedulers WHERE deck_id = ?", (deck_id,))
            else:
                from ..schedulers.fsrs import DEFAULT_RETENTION, check_retention

                desired_retention = check_retention(desired_retention or DEFAULT_RETENTION)
                conn.execute(
                    """INSERT INTO deck_schedulers (deck_id, scheduler, desired_retention, set_on) VALUES (?, ?, ?, ?)
                       ON CONFLICT(deck_id) DO UPDATE SET scheduler = excluded.scheduler,
                         desired_retention = excluded.desired_retention, set_on = excluded.set_on""",
                    (deck_id, name, desired_retention, today.isoformat()),
                )
            after = self.deck_scheduler(deck_id)
            cards, reviews, moved = self._rederive(deck_id, after, reschedule=reschedule)
        return SwitchReport(deck_id, before, after, cards, reviews, moved)

    def apply_deck_schedulers(self, decks, *, today: date) -> list[SwitchReport]:
        """Move each deck whose file names a scheduler (``Deck.scheduler``) to it, with its desired
        retention, where that differs from what the deck has; due dates kept."""
        reports = []
        for deck in decks:
            if deck.scheduler is None:
                continue
            now = self.deck_scheduler(deck.id)
            if deck.scheduler == now.name and (deck.scheduler == "sm2" or deck.desired_retention in (
                    None, now.desired_retention)):
                continue
            reports.append(self.set_scheduler(deck.id, deck.scheduler, today=today,
                                              desired_retention=deck.desired_retention))
        return reports

    def store_parameters(self, parameters: Sequence[float], *, reviews: int, report: dict, today: date,
                         now: datetime) -> int:
        """Keep fitted FSRS parameters (they grade every FSRS deck from now on) and re-derive the
        memory of every FSRS deck's cards with them, due dates unchanged. Returns the cards re-derived."""
        from ..schedulers.fsrs import check_parameters

        values, cards = list(check_parameters(parameters)), 0
        with self._write_transaction() as conn:
            conn.execute(
                """INSERT INTO fsrs_parameters (parameters, reviews, report, fitted_on, fitted_at)
                   VALUES (?, ?, ?, ?, ?)""",
                (json.dumps(values), reviews, json.dumps(report), today.isoformat(), now.isoformat(timespec="seconds")),
            )
            for deck_id, setting in self.deck_schedulers().items():
                if setting.name == "fsrs":
                    cards += self._rederive(deck_id, setting, reschedule=False)[0]
        return cards

    def _rederive(self, deck_id: str, setting: SchedulerSetting, *, reschedule: bool) -> tuple[int, int, int]:
        """Inside a write transaction: every card state of ``deck_id`` replayed with ``setting``."""
        scheduler = self.scheduler(setting)
        logs: dict[str, list[tuple[date, int]]] = {}
        for card_id, day, grade in self.scheduled_log(deck=deck_id):
            logs.setdefault(card_id, []).append((day, grade))
        states = self.conn.execute(
            """SELECT card_id, repetitions, ef, interval, due, lapses, last_review, memory
               FROM card_state WHERE deck_id = ?""", (deck_id,)
        ).fetchall()
        updates, moved = [], 0
        for row in states:
            current = dataclasses.replace(_state_from(row[1:7]), **_memory_from(row[7]))
            new = switch(scheduler, logs.get(row[0], ()), current, reschedule=reschedule)
            moved += new.due != current.due
            updates.append((new.repetitions, new.ef, new.interval, _iso(new.due), new.lapses, _iso(new.last_review),
                            setting.name, _memory_json(new), row[0]))
        self.conn.executemany(
            """UPDATE card_state SET repetitions = ?, ef = ?, interval = ?, due = ?, lapses = ?, last_review = ?,
               scheduler = ?, memory = ? WHERE card_id = ?""", updates,
        )
        return len(updates), sum(len(v) for v in logs.values()), moved
