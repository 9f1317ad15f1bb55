"""Which modification stamp each exported Anki note gets. Pure: the clock and the
memory of earlier exports are passed in.

Anki's default import ("Update notes: If newer") replaces a note only when the
package's note is newer than the collection's, and replacing it also replaces
its tags, so a learner's own tags (``marked``, ``leech``, anything they typed)
go. So a note's stamp moves only when its content changed: the database
remembers, per deck and note GUID, a digest of what was written and the stamp
it got (``StampMemory``), whatever the output path. An unchanged note is written
with its remembered stamp, which Anki reads as "the same note" and leaves alone.

A changed note gets the deck's next stamp: now, or one second after the newest
stamp this database (or the package being replaced) ever gave the deck,
whichever is later. So stamps only move forward per deck, and two exports in
one second, to two paths, both update. ``SOURCE_DATE_EPOCH`` fixes the stamp
instead; when that is not later than the deck's last stamp, a collection that
took the last export refuses the changed notes, which ``DeckStamps.refused`` tells.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Mapping, Optional, Sequence

__all__ = ["DeckStamps", "NoteStamp", "StampMemory", "note_digest", "stamp_deck"]


@dataclass(frozen=True)
class StampMemory:
    """What a database remembers of earlier exports of some decks."""

    decks: Mapping[str, int] = field(default_factory=dict)  # deck id -> the newest stamp it was given
    notes: Mapping[tuple[str, str], tuple[str, int]] = field(default_factory=dict)  # (deck, guid) -> digest, stamp


@dataclass(frozen=True)
class NoteStamp:
    deck_id: str
    guid: str
    digest: str
    stamp: int
    changed: bool  # content differs from what this database last exported (or was never exported)


@dataclass(frozen=True)
class DeckStamps:
    """The stamps of one deck's notes in one export."""

    deck_id: str
    notes: tuple[NoteStamp, ...]
    new_stamp: int  # what a changed note of this export gets
    last: Optional[int]  # the newest stamp given to the deck before this export (None: never)

    @property
    def changed(self) -> int:
        return sum(1 for n in self.notes if n.changed)

    @property
    def stamp(self) -> int:
        """The deck's newest stamp after this export."""
        return max((n.stamp for n in self.notes), default=self.new_stamp)

    @property
    def refused(self) -> bool:
        """Whether a collection holding the last export would refuse this export's changed
        notes as not newer (only with a fixed stamp: a chosen one never goes back)."""
        return self.changed > 0 and self.last is not None and self.new_stamp <= self.last


def note_digest(note_type: str, fields: Sequence[str], tags: Sequence[str]) -> str:
    """A digest of everything an import would change in a note: its note type (fields,
    templates and styling, as ``note_type``), field values and tags."""
    payload = "\x1e".join((note_type, "\x1f".join(fields), " ".join(tags)))
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def stamp_deck(deck_id: str, notes: Sequence[tuple[str, str]], memory: Optional[StampMemory], *,
               now: int, fixed: Optional[int] = None, previous: Optional[int] = None) -> DeckStamps:
    """The stamps of a deck's notes, given as ``(guid, digest)``.

    ``now`` is the clock in whole seconds, ``fixed`` a stamp given instead
    (``SOURCE_DATE_EPOCH``), ``previous`` the newest stamp of the package being
    replaced. Without ``memory`` every note counts as changed.
    """
    known = [s for s in ((memory.decks.get(deck_id) if memory else None), previous) if s is not None]
    last = max(known) if known else None
    if fixed is not None:
        new = fixed
    else:
        new = now if last is None or last < now else last + 1
    remembered = memory.notes if memory else {}
    stamped = []
    for guid, digest in notes:
        old = remembered.get((deck_id, guid))
        if old is not None and old[0] == digest:
            stamped.append(NoteStamp(deck_id, guid, digest, old[1], changed=False))
        else:
            stamped.append(NoteStamp(deck_id, guid, digest, new, changed=True))
    return DeckStamps(deck_id, tuple(stamped), new, last)
