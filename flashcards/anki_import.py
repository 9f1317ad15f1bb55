"""Reading Anki's files: the answers given in Anki to our notes' cards, mapped to flash cards.

What is read: a deck package exported *with scheduling* (``.apkg``) or a whole
collection (``.colpkg``), in any of Anki's three layouts. Each is a zip holding
an SQLite collection: ``collection.anki2`` (Anki 2.0 and legacy exports),
``collection.anki21`` (legacy 2.1 exports) or ``collection.anki21b`` (Anki 2.1.50
and later: the SQLite file compressed with zstd); a package of the new layout
also holds a stub ``collection.anki2``, so the newest layout present is read.
No Anki code is used: zip, sqlite3 and zstd (``compression.zstd`` from Python
3.14, its backport ``backports.zstd`` before).

The files are untrusted: the collection is unpacked into a private temporary
folder, never beyond ``MAX_COLLECTION_BYTES`` whatever the zip or zstd headers
claim (a zip bomb stops there), opened read-only, checked with SQLite's
``quick_check``, and only plain columns are read. Anything wrong is one
``AnkiImportError`` line naming the file.

How an answer finds its flash card, exactly: Anki keeps the note GUID our export
wrote, which is ``anki.note_guid(deck id, entry id)``; so the GUIDs recomputed
from the database's cards (retired ones too) name the entry, the card's template
ordinal names the card kind (``anki.template_card``: for a cloze note, ordinal N - 1 is
the card ``cN`` of deletion N), and the note's *Entry ID*
field must agree (a cross-check; it also names entries flash does not know).

Anki's four buttons become our grades (``ANKI_GRADES``) so that FSRS's mapping
of grades (0-2 Again, 3 Hard, 4 Good, 5 Easy) gives the button back:

======  =====  ================================================
Again     1    wrong; the answer recognised once shown
Hard      3    correct with serious difficulty
Good      4    correct after hesitation
Easy      5    perfect
======  =====  ================================================

Only answers count: Anki's log rows for manual reschedules ("set due date",
"forget") carry no button and are skipped. Flash moves a card's schedule once a
day, like its own sessions: the first answer of a card's study day is its
scheduled review, later ones that day (Anki's learning steps) are drills.
"""

from __future__ import annotations

import html
import sqlite3
import tempfile
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path
from typing import IO, Iterable, Mapping, Optional

from .clock import study_day
from .errors import FlashcardsError
from .model import CardKind, kind_of_card

__all__ = [
    "ANKI_GRADES", "AnkiAnswer", "AnkiImportError", "AnkiLog", "ImportPlan", "ImportedReview",
    "KnownEntry", "MAX_COLLECTION_BYTES", "known_entries", "plan_import", "read_anki_file",
]

ANKI_GRADES = {1: 1, 2: 3, 3: 4, 4: 5}  # Anki's ease (Again, Hard, Good, Easy) -> our grade 0-5
BUTTONS = {1: "Again", 2: "Hard", 3: "Good", 4: "Easy"}
MAX_COLLECTION_BYTES = 2 * 1024 ** 3  # unpacked; a collection with years of history is a few hundred MB
_CHUNK = 1 << 20
# newest layout first: (member, zstd-compressed, description)
_LAYOUTS = (
    ("collection.anki21b", True, "collection.anki21b: Anki 2.1.50+, zstd"),
    ("collection.anki21", False, "collection.anki21: Anki 2.1, legacy"),
    ("collection.anki2", False, "collection.anki2: Anki 2.0, legacy"),
)
_REVLOG_ANSWER_TYPES = (0, 1, 2, 3)  # learn, review, relearn, filtered; 4 and 5 are manual reschedules


class AnkiImportError(FlashcardsError):
    """An Anki file that cannot be read (one line, naming the file)."""


@dataclass(frozen=True)
class AnkiAnswer:
    """One row of Anki's review log, with the note and template of its card."""

    revlog_id: int  # milliseconds since 1970 when answered; unique in a collection and kept by sync
    ease: int  # 1 Again, 2 Hard, 3 Good, 4 Easy; 0 for a manual reschedule
    type: int  # 0 learn, 1 review, 2 relearn, 3 filtered, 4 manual, 5 rescheduled
    time_ms: int  # time spent on the answer
    guid: Optional[str]  # of the card's note; None when the card is no longer in the collection
    ord: Optional[int]  # the card's template ordinal
    fields: tuple[str, ...] = ()  # the note's fields (HTML)

    @property
    def is_answer(self) -> bool:
        return self.ease in ANKI_GRADES and self.type in _REVLOG_ANSWER_TYPES


@dataclass(frozen=True)
class AnkiLog:
    path: Path
    layout: str  # which collection file was read
    answers: tuple[AnkiAnswer, ...]


def _zstd():
    try:
        from compression import zstd  # type: ignore[import-not-found]  # Python 3.14+
    except ImportError:
        from backports import zstd  # type: ignore[no-redef]
    return zstd


def read_anki_file(path: Path, *, max_bytes: int = MAX_COLLECTION_BYTES) -> AnkiLog:
    """Every review-log row of the Anki package or collection at ``path``."""
    path = Path(path)
    try:
        if not path.is_file():
            raise AnkiImportError(f"{path}: no such file" if not path.exists() else f"{path}: not a file")
        with tempfile.TemporaryDirectory(prefix="flashcards-anki-") as scratch:
            db = Path(scratch) / "collection.sqlite"
            layout = _unpack(path, db, max_bytes)
            return AnkiLog(path, layout, tuple(_read_log(path, db)))
    except OSError as exc:
        raise AnkiImportError(f"{path}: cannot read it: {exc.strerror or exc}") from exc


def _unpack(path: Path, dest: Path, max_bytes: int) -> str:
    not_anki = f"{path}: not an Anki package or collection (.apkg or .colpkg)"
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, ValueError) as exc:
        raise AnkiImportError(f"{not_anki}: it is not a zip archive") from exc
    with archive:
        names = set(archive.namelist())
        for member, compressed, layout in _LAYOUTS:
            if member in names:
                break
        else:
            raise AnkiImportError(f"{not_anki}: it holds no Anki collection")
        too_big = (f"{path}: its collection unpacks to more than {max_bytes // 1024 ** 2} MB; "
                   "not read (a damaged file or a zip bomb?)")
        try:
            with archive.open(member) as raw, open(dest, "wb") as out:
                if compressed:
                    with _zstd().ZstdFile(raw) as unpacked:
                        _copy_capped(unpacked, out, max_bytes, too_big)
                else:
                    if archive.getinfo(member).file_size > max_bytes:
                        raise AnkiImportError(too_big)
                    _copy_capped(raw, out, max_bytes, too_big)
        except (zipfile.BadZipFile, EOFError, RuntimeError, ValueError, NotImplementedError) as exc:
            raise AnkiImportError(f"{path}: damaged ({member}: {exc})") from exc
        except _zstd().ZstdError as exc:
            raise AnkiImportError(f"{path}: damaged ({member} is not valid zstd: {exc})") from exc
    return layout


def _copy_capped(source: IO[bytes], out: IO[bytes], max_bytes: int, message: str) -> None:
    written = 0
    while chunk := source.read(_CHUNK):
        written += len(chunk)
        if written > max_bytes:
            raise AnkiImportError(message)
        out.write(chunk)


def _read_log(path: Path, db: Path) -> list[AnkiAnswer]:
    with open(db, "rb") as handle:
        if handle.read(16) != b"SQLite format 3\x00":
            raise AnkiImportError(f"{path}: damaged (its collection is not an SQLite database)")
    try:
        conn = sqlite3.connect(f"{db.as_uri()}?mode=ro&immutable=1", uri=True)
    except sqlite3.Error as exc:
        raise AnkiImportError(f"{path}: damaged (cannot open its collection: {exc})") from exc
    try:
        conn.create_collation("unicase", _unicase)  # Anki's own, named in indexes of the newer schema
        check = [row[0] for row in conn.execute("PRAGMA quick_check(1)")]
        if check != ["ok"]:
            raise AnkiImportError(f"{path}: damaged (its collection fails SQLite's check: {check[0]})")
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if not {"revlog", "cards", "notes"} <= tables:
            raise AnkiImportError(f"{path}: not an Anki collection (no review log, cards or notes table)")
        rows = conn.execute(
            """SELECT r.id, r.ease, r.type, r.time, n.guid, c.ord, n.flds
               FROM revlog r LEFT JOIN cards c ON c.id = r.cid LEFT JOIN notes n ON n.id = c.nid
               ORDER BY r.id"""
        ).fetchall()
    except sqlite3.Error as exc:
        raise AnkiImportError(f"{path}: damaged (reading its collection: {exc})") from exc
    finally:
        conn.close()
    answers = []
    for revlog_id, ease, kind, time_ms, guid, ord_, flds in rows:
        if not all(isinstance(v, int) for v in (revlog_id, ease, kind)):
            continue  # not what Anki writes: not an answer we could place
        answers.append(AnkiAnswer(
            revlog_id, ease, kind, time_ms if isinstance(time_ms, int) and time_ms >= 0 else 0,
            guid if isinstance(guid, str) else None, ord_ if isinstance(ord_, int) else None,
            tuple(flds.split("\x1f")) if isinstance(flds, str) else (),
        ))
    return answers


def _unicase(a: str, b: str) -> int:
    a, b = a.casefold(), b.casefold()
    return (a > b) - (a < b)


# -- mapping answers to flash cards -------------------------------------------------

_NOTE_KIND = {  # a card kind -> the note type (``anki.note_kind``) of the entry that has it
    CardKind.TERM: "term", CardKind.DEFINITION: "term", CardKind.WHAT_IT_DOES: "term",
    CardKind.WHOS_BEHIND_IT: "term", CardKind.WHAT_MAKES_IT_DISTINCT: "term",
    CardKind.PHRASE: "phrase", CardKind.REPLY: "reply", CardKind.HOLDS: "analog", CardKind.BREAKS: "analog",
    CardKind.CLOZE: "cloze",
}


@dataclass(frozen=True)
class KnownEntry:
    """An entry the database has cards of, as an Anki note."""

    deck_id: str
    entry_id: str
    cards: Mapping[str, bool]  # the last part of each card's id (a kind, or c1, c2... for a cloze) -> retired

    @property
    def ref(self) -> str:
        return f"{self.deck_id}/{self.entry_id}"

    @property
    def note_kind(self) -> str:
        kinds = {_NOTE_KIND[kind_of_card(k)] for k in self.cards}
        return "reply" if "reply" in kinds else kinds.pop()


def known_entries(cards: Iterable[tuple[str, str, str, bool]]) -> dict[str, KnownEntry]:
    """Note GUID -> entry, from the database's cards as ``(deck id, entry id, card, retired)``, where
    ``card`` is the last part of the card's id (``term``, ``holds``, ``c2``...)."""
    from .anki import note_guid

    grouped: dict[tuple[str, str], dict[str, bool]] = {}
    for deck_id, entry_id, card, retired in cards:
        grouped.setdefault((deck_id, entry_id), {})[card] = retired
    return {note_guid(d, e): KnownEntry(d, e, kinds) for (d, e), kinds in grouped.items()}


@dataclass(frozen=True)
class ImportedReview:
    """An answer given in Anki, as a grade of a flash card."""

    card_id: str
    revlog_id: int
    grade: int
    at: datetime  # when (aware, local time)
    day: date  # its study day
    duration_ms: int
    retired: bool  # the card's entry was removed from its deck


@dataclass
class ImportPlan:
    """What an Anki file holds for flash: the reviews to add, and what was left out and why."""

    layout: str
    answers: int = 0  # rows of Anki's review log that are answers
    reviews: list[ImportedReview] = field(default_factory=list)
    skipped: Counter = field(default_factory=Counter)  # reason -> answers left out
    unknown_entries: Counter = field(default_factory=Counter)  # entry ref (its Entry ID field) -> answers

    @property
    def removed(self) -> int:
        """Reviews of entries removed from their deck (their retired cards keep them)."""
        return sum(1 for r in self.reviews if r.retired)


SKIP_NOT_OURS = "of notes flashcards did not export"
SKIP_UNKNOWN = "of entries this database does not have"
SKIP_CARD_GONE = "of cards deleted in Anki"
SKIP_MISMATCH = "whose note's Entry ID field disagrees with its GUID"
SKIP_NOT_ANSWER = "manual reschedules (no button pressed)"


def plan_import(log: AnkiLog, entries: Mapping[str, KnownEntry], *, day_start_hour: int,
                tz: Optional[timezone] = None) -> ImportPlan:
    """Map every answer of ``log`` to a flash card of ``entries`` (see ``known_entries``),
    or say why it is left out. Days are study days (``clock.study_day``) in ``tz``
    (default: this computer's local time), starting at ``day_start_hour``."""
    from .anki import TAG_PREFIX, template_card

    plan = ImportPlan(log.layout)
    for answer in log.answers:
        if not answer.is_answer:
            plan.skipped[SKIP_NOT_ANSWER] += 1
            continue
        plan.answers += 1
        if answer.guid is None or answer.ord is None:
            plan.skipped[SKIP_CARD_GONE] += 1
            continue
        entry = entries.get(answer.guid)
        refs = {html.unescape(f) for f in answer.fields}
        if entry is None:
            ours = [r for r in refs if r.count("/") == 1 and not r.startswith(TAG_PREFIX) and " " not in r]
            if ours and _looks_like_ours(answer.guid, ours):
                plan.skipped[SKIP_UNKNOWN] += 1
                plan.unknown_entries[sorted(ours)[0]] += 1
            else:
                plan.skipped[SKIP_NOT_OURS] += 1
            continue
        if entry.ref not in refs:
            plan.skipped[SKIP_MISMATCH] += 1
            continue
        card = template_card(entry.note_kind, answer.ord)
        if card is None or card not in entry.cards:
            plan.skipped[SKIP_UNKNOWN] += 1
            plan.unknown_entries[f"{entry.ref} (card {answer.ord + 1})"] += 1
            continue
        at = datetime.fromtimestamp(answer.revlog_id / 1000, tz=tz or timezone.utc)
        if tz is None:
            at = at.astimezone()
        plan.reviews.append(ImportedReview(
            f"{entry.ref}/{card}", answer.revlog_id, ANKI_GRADES[answer.ease],
            at, study_day(at.replace(tzinfo=None), day_start_hour), answer.time_ms,
            retired=entry.cards[card],
        ))
    return plan


def _looks_like_ours(guid: str, refs: list[str]) -> bool:
    """Whether an unknown note's GUID is the one our export gives its Entry ID field."""
    from .anki import note_guid

    return any(note_guid(*ref.split("/", 1)) == guid for ref in refs)
