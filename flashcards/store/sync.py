"""Deck sync: bringing the stored cards in line with the deck files (``flash import``).

A sync is worked out before the write lock is taken and applied under it (a short writer):

1. *plan*: each deck's cards from the files alone (texts, digests, what each needs first);
2. *diff*: the stored cards of those decks read (in WAL mode a read never waits for a
   writer and never holds one up) and compared with the plan: cards to add, update, move,
   retire;
3. *apply*: under ``BEGIN IMMEDIATE``, the stored cards are read again; if another process
   changed them since the diff (another import), the diff is worked out again from what is
   there now, under the lock, so a stale diff is never applied. Then the writes, as a few
   ``executemany`` statements.

Grades given meanwhile by another session touch only the review log and card states, which a
sync never rewrites for an existing card: they are kept.
"""

from __future__ import annotations

import json
import sqlite3
import time
from dataclasses import dataclass, field
from datetime import date
from typing import Callable, Iterable, Optional

from ..model import Card, Deck, cards_for_deck
from ..prerequisites import card_needs
from .records import SyncReport

__all__ = ["DeckSync"]

# (id, content_hash, retired, position) of each stored card of a deck
_Stored = list[tuple[str, str, int, int]]


def _card_hash(card: Card, sha1, needs: tuple[str, ...] = ()) -> str:
    """A digest of what a card shows and what it needs first; an unchanged card is skipped on
    re-import. (A card that needs nothing has the digest it had before ``needs`` existed.)"""
    payload = "\x1f".join((card.kind.value, card.front, card.back, "\x1e".join(card.tags), card.source or ""))
    if needs:
        payload += "\x1d" + "\x1e".join(needs)
    return sha1(payload.encode("utf-8")).hexdigest()


@dataclass
class _Planned:
    """A deck's cards as the files give them: (card, position, digest, tags JSON, needs JSON)."""

    deck: Deck
    cards: list[tuple[Card, int, str, str, str]]


@dataclass
class _Diff:
    """What applying a plan to the stored cards writes, and the report it makes."""

    report: SyncReport
    inserts: list[tuple] = field(default_factory=list)
    new_states: list[tuple] = field(default_factory=list)
    updates: list[tuple] = field(default_factory=list)
    moves: list[tuple] = field(default_factory=list)
    retire: list[str] = field(default_factory=list)


def _plan(deck: Deck) -> _Planned:
    from hashlib import sha1  # here, not at the top: OpenSSL's load is start-up time review never needs

    needs = card_needs(deck)
    as_json: dict[tuple[str, ...], str] = {}  # tags and needs repeat from card to card: dumped once each

    def dumped(values: tuple[str, ...]) -> str:
        text = as_json.get(values)
        if text is None:
            text = as_json[values] = json.dumps(list(values))
        return text

    cards = []
    for position, card in enumerate(cards_for_deck(deck)):
        needs_first = needs.get(card.id, ())
        cards.append((card, position, _card_hash(card, sha1, needs_first), dumped(card.tags), dumped(needs_first)))
    return _Planned(deck, cards)


def _diff(planned: _Planned, stored: _Stored, today: str) -> _Diff:
    """New cards are added as new; changed cards keep their state; cards whose entry is gone
    are retired (state and history kept); a retired card that comes back is restored."""
    deck = planned.deck
    diff = _Diff(SyncReport(deck.id, deck.name))
    report = diff.report
    existing = {cid: (digest, retired, position) for cid, digest, retired, position in stored}
    for card, position, digest, tags, needs in planned.cards:
        old = existing.pop(card.id, None)
        if old is None:
            diff.inserts.append((card.id, deck.id, card.entry_id, card.kind.value, card.front, card.back, tags,
                                 card.source, position, digest, needs, today, today))
            diff.new_states.append((card.id, deck.id, position))
            report.added.append(card.id)
        elif old[0] != digest or old[1]:
            diff.updates.append((card.front, card.back, tags, card.source, position, digest, needs, today, card.id))
            (report.restored if old[1] else report.updated).append(card.id)
        else:
            report.unchanged += 1
            if old[2] != position:
                diff.moves.append((position, card.id))
    diff.retire = [cid for cid, (_, retired, _) in existing.items() if not retired]
    report.retired.extend(diff.retire)
    return diff


class DeckSync:
    """Decks and cards written from deck files, all decks in one transaction."""

    # how long the last ``sync`` held the write lock (seconds), and whether it had to work its
    # diff out again under the lock because another process changed the cards meanwhile
    sync_lock_seconds: Optional[float] = None
    sync_rediffed: bool = False

    def is_empty(self) -> bool:
        return self.conn.execute("SELECT NOT EXISTS (SELECT 1 FROM cards)").fetchone()[0] == 1

    def deck_ids(self) -> list[str]:
        return [row[0] for row in self.conn.execute("SELECT id FROM decks ORDER BY id")]

    def sync(self, decks: Iterable[Deck], *, today: date,
             before_apply: Optional[Callable[[], None]] = None) -> list[SyncReport]:
        """Bring the stored cards in line with ``decks``, all decks in one transaction.

        New cards are added as new; changed cards keep their state; cards whose
        entry is gone are retired (state and history kept); a retired card that
        comes back is restored with its history.

        The plan and the diff are worked out before the write lock is taken, which is
        held only to apply them (see the module docstring): a large import does not keep
        a review in another terminal waiting. If the stored cards changed between the diff
        and the lock, the diff is worked out again under the lock (``sync_rediffed``).
        ``before_apply``, if given, is called between the diff and taking the lock: a seam
        for tests and benchmarks to act as another process would.
        """
        day = today.isoformat()
        plans = [_plan(deck) for deck in decks]
        version = self._data_version()
        try:
            stored = [self._stored(deck.id) for deck in (p.deck for p in plans)]
        except sqlite3.Error:
            self._ensure_sound()  # damage the integrity check found says it better than the failed read
            raise
        diffs = [_diff(plan, rows, day) for plan, rows in zip(plans, stored)]
        if before_apply is not None:
            before_apply()
        self.sync_rediffed = False
        with self._write_transaction() as conn:
            held_from = time.perf_counter()
            # another connection's commit changes data_version: only then can the cards differ
            if self._data_version() != version:
                for index, plan in enumerate(plans):
                    now = self._stored(plan.deck.id)
                    if now != stored[index]:
                        diffs[index] = _diff(plan, now, day)
                        self.sync_rediffed = True
            applied: set[str] = set()
            for index, plan in enumerate(plans):
                if plan.deck.id in applied:  # one deck given twice: the second sees the first's writes
                    diffs[index] = _diff(plan, self._stored(plan.deck.id), day)
                self._apply(conn, plan.deck, diffs[index], day)
                applied.add(plan.deck.id)
        self.sync_lock_seconds = time.perf_counter() - held_from
        return [diff.report for diff in diffs]

    def _data_version(self) -> int:
        return self.conn.execute("PRAGMA data_version").fetchone()[0]

    def _stored(self, deck_id: str) -> _Stored:
        return self.conn.execute(
            "SELECT id, content_hash, retired, position FROM cards WHERE deck_id = ?", (deck_id,)
        ).fetchall()

    @staticmethod
    def _apply(conn: sqlite3.Connection, deck: Deck, diff: _Diff, today: str) -> None:
        conn.execute(
            """INSERT INTO decks (id, name, description, source, path, tags, imported_on)
               VALUES (?, ?, ?, ?, ?, ?, ?)
               ON CONFLICT(id) DO UPDATE SET name = excluded.name, description = excluded.description,
                 source = excluded.source, path = excluded.path, tags = excluded.tags,
                 imported_on = excluded.imported_on""",
            (deck.id, deck.name, deck.description, deck.source, deck.path,
             json.dumps(list(deck.tags)), today),
        )
        if diff.inserts:
            conn.executemany(
                """INSERT INTO cards (id, deck_id, entry_id, kind, front, back, tags, source,
                   position, content_hash, needs, added_on, updated_on)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                diff.inserts,
            )
            conn.executemany("INSERT INTO card_state (card_id, deck_id, position) VALUES (?, ?, ?)",
                             diff.new_states)
        if diff.updates:
            conn.executemany(
                """UPDATE cards SET front = ?, back = ?, tags = ?, source = ?, position = ?,
                   content_hash = ?, needs = ?, retired = 0, updated_on = ? WHERE id = ?""",
                diff.updates,
            )
        if diff.moves:
            conn.executemany("UPDATE cards SET position = ? WHERE id = ?", diff.moves)
        if diff.retire:
            conn.executemany("UPDATE cards SET retired = 1, updated_on = ? WHERE id = ?",
                             [(today, c) for c in diff.retire])
