"""The package an export is about to replace, read back: our notes in it and its newest stamp.

``flash export anki`` writes over the learner's previous package; what that package held (notes
of entries the deck no longer has, the newest modification time) decides the removed notes and the
new package's stamp (``anki.py``). The file is the user's own output, but still read as untrusted:
size-capped, opened read-only, only plain columns read.
"""

from __future__ import annotations

import html
import sqlite3
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from .anki_cloze import CLOZE_FIELDS, CLOZE_MODEL_ID
from .anki_notetypes import (
    ANALOG_FIELDS, ANALOG_MODEL_ID, PHRASE_FIELDS, PHRASE_MODEL_ID, QUESTION_FIELDS, QUESTION_MODEL_ID, REPLY_FIELDS,
    REPLY_MODEL_ID, TERM_FIELDS, TERM_MODEL_ID,
)

__all__ = ["MAX_PREVIOUS_BYTES", "MODEL_KINDS", "NOTE_FIELDS", "PreviousNote", "PreviousPackage", "next_stamp",
           "read_previous"]

# A previous package bigger than this is not read (ours are tens of kB).
MAX_PREVIOUS_BYTES = 64 * 1024 * 1024


# note type id -> note_kind(), and that kind's fields
MODEL_KINDS = {TERM_MODEL_ID: "term", PHRASE_MODEL_ID: "phrase", REPLY_MODEL_ID: "reply", ANALOG_MODEL_ID: "analog",
                QUESTION_MODEL_ID: "question", CLOZE_MODEL_ID: "cloze"}
NOTE_FIELDS = {"term": TERM_FIELDS, "phrase": PHRASE_FIELDS, "reply": REPLY_FIELDS, "analog": ANALOG_FIELDS,
               "question": QUESTION_FIELDS, "cloze": CLOZE_FIELDS}


@dataclass(frozen=True)
class PreviousNote:
    """A note of one of our note types, as a previous package holds it."""

    guid: str
    kind: str  # note_kind(): "term", "question", "phrase", "reply", "analog" or "cloze"
    fields: tuple[str, ...]  # HTML, as written
    mod: int

    @property
    def entry_kind(self) -> str:
        """The YAML kind, as in tags: a buyer reply is a phrase row, a term question a term."""
        return {"reply": "phrase", "question": "term"}.get(self.kind, self.kind)

    @property
    def deck_id(self) -> str:
        return html.unescape(self.fields[-1]).split("/", 1)[0]


@dataclass(frozen=True)
class PreviousPackage:
    """What the file about to be replaced tells: our notes in it, and its stamp."""

    path: Path
    notes: tuple[PreviousNote, ...]

    @property
    def stamp(self) -> Optional[int]:
        return max((n.mod for n in self.notes), default=None)


def read_previous(path: Path) -> tuple[Optional[PreviousPackage], Optional[str]]:
    """The package at ``path`` (our notes and times), or None; with a warning when a
    file is there that cannot be read as a package (it is then simply replaced).

    The file is the user's own output, but still treated as untrusted: size-capped,
    opened read-only, and only plain columns are read.
    """
    path = Path(path)
    if not path.exists():
        return None, None
    if not path.is_file():
        return None, None  # a folder, FIFO or device (opening a FIFO would block): the writer refuses it
    unreadable = (f"{path} is not a package flashcards can read; it is replaced, and no "
                  "removed entries or earlier stamp are taken from it")
    try:
        with zipfile.ZipFile(path) as archive:
            info = archive.getinfo("collection.anki2")
            if info.file_size > MAX_PREVIOUS_BYTES:
                return None, unreadable
            data = archive.read(info)
    except (OSError, KeyError, zipfile.BadZipFile, RuntimeError, ValueError):
        return None, unreadable
    try:
        with tempfile.TemporaryDirectory(prefix="flashcards-previous-") as scratch:
            db = Path(scratch) / "collection.anki2"
            db.write_bytes(data)
            conn = sqlite3.connect(f"{db.as_uri()}?mode=ro", uri=True)
            try:
                rows = conn.execute("SELECT guid, mid, flds, mod FROM notes ORDER BY id").fetchall()
            finally:
                conn.close()
    except (OSError, sqlite3.Error):
        return None, unreadable
    notes = []
    for guid, mid, flds, mod in rows:
        kind = MODEL_KINDS.get(mid)
        if kind is None or not isinstance(guid, str) or not isinstance(flds, str) or not isinstance(mod, int):
            continue  # not one of our current note types: nothing we could write back
        fields = tuple(flds.split("\x1f"))
        if len(fields) != len(NOTE_FIELDS[kind]):
            continue
        notes.append(PreviousNote(guid, kind, fields, mod))
    return PreviousPackage(path, tuple(notes)), None


def next_stamp(previous: Optional[PreviousPackage], now: float) -> int:
    """The stamp of a package written over ``previous``: now, or one second after
    the newest note it has if that is later, so a re-export is always newer."""
    stamp = int(now)
    last = previous.stamp if previous is not None else None
    if last is not None and last >= stamp:
        stamp = last + 1
    return stamp
