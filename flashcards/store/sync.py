"""Deck sync: bringing the stored cards in line with the deck files (``flash import``)."""

from __future__ import annotations

import json
import sqlite3
from datetime import date
from typing import Iterable

from ..model import Card, Deck, cards_for_deck
from ..prerequisites import card_needs
from .records import SyncReport

__all__ = ["DeckSync"]


def _card_hash(card: Card, sha1, needs: tuple[str, ...] = ()) -> str:
    """A digest of what a card shows and what it needs first; an unchanged card is skipped on
    re-import. (A card that needs nothing has the digest it had before ``needs`` existed.)"""
    payload = "\x1f".join((card.kind.value, card.front, card.back, "\x1e".join(card.tags), card.source or ""))
    if needs:
        payload += "\x1d" + "\x1e".join(needs)
    return sha1(payload.encode("utf-8")).hexdigest()


class DeckSync:
    """Decks and cards written from deck files, all decks in one transaction."""

    def is_empty(self) -> bool:
        return self.conn.execute("SELECT NOT EXISTS (SELECT 1 FROM cards)").fetchone()[0] == 1

    def deck_ids(self) -> list[str]:
        return [row[0] for row in self.conn.execute("SELECT id FROM decks ORDER BY id")]

    def sync(self, decks: Iterable[Deck], *, today: date) -> list[SyncReport]:
        """Bring the stored cards in line with ``decks``, all decks in one transaction.

        New cards are added as new; changed cards keep their state; cards whose
        entry is gone are retired (state and history kept); a retired card that
        comes back is restored with its history.
        """
        reports = []
        with self._write_transaction() as conn:
            for deck in decks:
                reports.append(self._sync_deck(conn, deck, today.isoformat()))
        return reports

    def _sync_deck(self, conn: sqlite3.Connection, deck: Deck, today: str) -> SyncReport:
        from hashlib import sha1  # here, not at the top: OpenSSL's load is start-up time review never needs

        report = SyncReport(deck.id, deck.name)
        conn.execute(
            """INSERT INTO decks (id, name, description, source, path, tags, imported_on)
               VALUES (?, ?, ?, ?, ?, ?, ?)
               ON CONFLICT(id) DO UPDATE SET name = excluded.name, description = excluded.description,
                 source = excluded.source, path = excluded.path, tags = excluded.tags,
                 imported_on = excluded.imported_on""",
            (deck.id, deck.name, deck.description, deck.source, deck.path,
             json.dumps(list(deck.tags)), today),
        )
        existing = {
            row[0]: (row[1], row[2], row[3])
            for row in conn.execute(
                "SELECT id, content_hash, retired, position FROM cards WHERE deck_id = ?", (deck.id,)
            )
        }
        inserts, updates, moves, new_states = [], [], [], []
        needs = card_needs(deck)
        as_json: dict[tuple[str, ...], str] = {}  # tags and needs repeat from card to card: dumped once each
        for position, card in enumerate(cards_for_deck(deck)):
            card_needs_first = needs.get(card.id, ())
            digest = _card_hash(card, sha1, card_needs_first)
            old = existing.pop(card.id, None)
            if old is None or old[0] != digest or old[1]:
                tags = as_json.get(card.tags) or as_json.setdefault(card.tags, json.dumps(list(card.tags)))
                row = (card.front, card.back, tags, card.source, position, digest,
                       as_json.get(card_needs_first)
                       or as_json.setdefault(card_needs_first, json.dumps(list(card_needs_first))))
            if old is None:
                inserts.append((card.id, deck.id, card.entry_id, card.kind.value) + row + (today, today))
                new_states.append((card.id, deck.id, position))
                report.added.append(card.id)
            elif old[0] != digest or old[1]:
                updates.append(row + (today, card.id))
                (report.restored if old[1] else report.updated).append(card.id)
            else:
                report.unchanged += 1
                if old[2] != position:
                    moves.append((position, card.id))
        if inserts:
            conn.executemany(
                """INSERT INTO cards (id, deck_id, entry_id, kind, front, back, tags, source,
                   position, content_hash, needs, added_on, updated_on)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                inserts,
            )
            conn.executemany("INSERT INTO card_state (card_id, deck_id, position) VALUES (?, ?, ?)", new_states)
        if updates:
            conn.executemany(
                """UPDATE cards SET front = ?, back = ?, tags = ?, source = ?, position = ?,
                   content_hash = ?, needs = ?, retired = 0, updated_on = ? WHERE id = ?""",
                updates,
            )
        if moves:
            conn.executemany("UPDATE cards SET position = ? WHERE id = ?", moves)
        gone = [cid for cid, (_, retired, _) in existing.items() if not retired]
        if gone:
            conn.executemany(
                "UPDATE cards SET retired = 1, updated_on = ? WHERE id = ?", [(today, c) for c in gone]
            )
            report.retired.extend(gone)
        return report
