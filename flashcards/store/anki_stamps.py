"""The memory of Anki exports: per deck and note GUID, the digest of what was written
and its stamp, and each deck's newest stamp (see ``flashcards.anki_stamps``).
Functions over a ``Store``; the tables are schema migration 5."""

from __future__ import annotations

from typing import Iterable

from ..anki_stamps import DeckStamps, StampMemory
from . import Store

__all__ = ["load_memory", "remember"]


def load_memory(store: Store, deck_ids: Iterable[str]) -> StampMemory:
    """What earlier exports from this database wrote for ``deck_ids``."""
    wanted = sorted(set(deck_ids))
    decks, notes = {}, {}
    for deck_id in wanted:
        row = store.conn.execute("SELECT stamp FROM anki_export_decks WHERE deck_id = ?", (deck_id,)).fetchone()
        if row is not None:
            decks[deck_id] = row[0]
        for guid, digest, stamp in store.conn.execute(
            "SELECT guid, digest, stamp FROM anki_export_notes WHERE deck_id = ?", (deck_id,)
        ):
            notes[(deck_id, guid)] = (digest, stamp)
    return StampMemory(decks, notes)


def remember(store: Store, exported: Iterable[DeckStamps]) -> None:
    """Keep what an export wrote, in one transaction. A deck's stamp never goes back."""
    exported = list(exported)
    with store._write_transaction() as conn:
        for deck in exported:
            conn.execute(
                """INSERT INTO anki_export_decks (deck_id, stamp) VALUES (?, ?)
                   ON CONFLICT(deck_id) DO UPDATE SET stamp = MAX(stamp, excluded.stamp)""",
                (deck.deck_id, deck.stamp),
            )
            conn.executemany(
                """INSERT INTO anki_export_notes (deck_id, guid, digest, stamp) VALUES (?, ?, ?, ?)
                   ON CONFLICT(deck_id, guid) DO UPDATE SET digest = excluded.digest, stamp = excluded.stamp""",
                [(n.deck_id, n.guid, n.digest, n.stamp) for n in deck.notes if n.changed],
            )
