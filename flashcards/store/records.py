"""The store's records: a card with its scheduler's state, a logged grade, a deck's counts, a sync's changes.

Also the SQL fragments and row converters the rooms share (``_LIVE_REVIEW``: grades not undone).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from typing import Optional

from ..model import CardKind
from ..schedulers.state import CardState, memory_fields

__all__ = ["CardRecord", "DeckSummary", "ReviewRecord", "SyncReport"]


@dataclass(frozen=True)
class CardRecord:
    """A card as stored: its text, where it comes from, and its state (``scheduler`` made it)."""

    id: str
    deck_id: str
    entry_id: str
    kind: CardKind
    front: str
    back: str
    tags: tuple[str, ...]
    source: Optional[str]
    retired: bool
    state: CardState
    suspended: bool = False
    buried_until: Optional[date] = None
    scheduler: str = "sm2"

    def not_gradable(self, *, today: date, drill: bool) -> Optional[str]:
        """Why this card must not be graded now (None if it may be): it was retired or
        suspended since the session began, or, for a scheduled review, it is no longer
        due (another session graded it)."""
        if self.retired:
            return "it was retired (its entry left the deck) since the session began"
        if self.suspended:
            return "it was suspended since the session began"
        if not drill and self.state.due is not None and self.state.due > today:
            return (f"it was already graded today, e.g. in another session "
                    f"(next due {self.state.due.isoformat()})")
        return None


@dataclass
class SyncReport:
    deck_id: str
    deck_name: str
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    retired: list[str] = field(default_factory=list)
    restored: list[str] = field(default_factory=list)
    unchanged: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.retired or self.restored)


@dataclass(frozen=True)
class ReviewRecord:
    """One row of the review log that ``record`` appended."""

    id: int
    card_id: str
    grade: int
    drill: bool
    before: CardState
    after: CardState


@dataclass(frozen=True)
class DeckSummary:
    id: str
    name: str
    new: int
    due: int
    learning: int
    total: int
    retired: int


def _day(value: Optional[str]) -> Optional[date]:
    return date.fromisoformat(value) if value else None


def _iso(value: Optional[date]) -> Optional[str]:
    return value.isoformat() if value else None


_CARD_COLUMNS = """c.id, c.deck_id, c.entry_id, c.kind, c.front, c.back, c.tags, c.source, c.retired,
    s.repetitions, s.ef, s.interval, s.due, s.lapses, s.last_review, s.suspended, s.buried_until,
    s.scheduler, s.memory"""
_CARD_FROM = "FROM cards c JOIN card_state s ON s.card_id = c.id"
# the review/drill rows that were not undone
_LIVE_REVIEW = "r.kind IN ('review', 'drill') AND NOT EXISTS (SELECT 1 FROM reviews u WHERE u.undoes = r.id)"


def _record_from_row(row) -> CardRecord:
    (cid, deck_id, entry_id, kind, front, back, tags, source, retired,
     reps, ef, interval, due, lapses, last_review, suspended, buried_until, scheduler, memory) = row
    return CardRecord(
        id=cid, deck_id=deck_id, entry_id=entry_id, kind=CardKind(kind), front=front, back=back,
        tags=tuple(json.loads(tags)), source=source, retired=bool(retired),
        state=CardState(repetitions=reps, ef=ef, interval=interval, due=_day(due),
                        lapses=lapses, last_review=_day(last_review), **_memory_from(memory)),
        suspended=bool(suspended), buried_until=_day(buried_until), scheduler=scheduler,
    )


_STATE_BEFORE = "r.reps_before, r.ef_before, r.interval_before, r.due_before, r.lapses_before, r.last_review_before"
_STATE_AFTER = "r.reps_after, r.ef_after, r.interval_after, r.due_after, r.lapses_after, r.last_review_after"


def _state_columns(state: CardState) -> tuple:
    return (state.repetitions, state.ef, state.interval, _iso(state.due), state.lapses, _iso(state.last_review))


def _state_from(columns) -> CardState:
    reps, ef, interval, due, lapses, last_review = columns
    return CardState(repetitions=reps, ef=ef, interval=interval, due=_day(due), lapses=lapses,
                     last_review=_day(last_review))


def _memory_json(state: CardState) -> Optional[str]:
    """A state's scheduler memory as stored (``card_state.memory``, ``reviews.memory_*``)."""
    memory = state.memory
    return json.dumps(memory) if memory is not None else None


def _memory_from(text: Optional[str]) -> dict:
    return memory_fields(json.loads(text) if text else None)
