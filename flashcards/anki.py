"""Anki export: decks -> ``.apkg`` packages. The only module that imports genanki.

What a package holds, per deck: one note per entry, and the cards of
``model.cards_for_entry`` (a template whose question renders empty makes no
card, which is how optional term fields become optional cards; a cloze entry is
a note of Anki's Cloze type, one card per deletion: ``anki_cloze``). Each entry's
first card is in the lesson's Anki deck (terms in the deck itself, phrases,
analogs and clozes in ``::Phrases``, ``::Analogs`` and ``::Clozes``); its other
cards are in ``<name> (follow-up)`` beside it (see ``FIRST_CARD_SUBDECK`` for why).

Identity, so that re-importing an edited deck updates notes in place:

* note type ids are the literal constants below, generated once;
* Anki deck ids are a hash of the YAML deck id (and sub-deck), never of the
  display name; Anki itself matches decks by name on import;
* note GUIDs are ``genanki.guid_for(deck id, entry id)`` (what 0.1.0 wrote, so
  no learner's notes change identity), except for an entry id containing
  ``__``, whose GUID hashes ``deck id/entry id`` instead (see ``note_guid``);
* every note has a modification stamp (mod). Anki's default import option
  "update if newer" replaces a note only when the package's mod is later than
  the one in the collection, keeps the package's mod on the notes it imports,
  and replaces the note's tags (the learner's own ones too) when it updates.
  Given the memory of earlier exports (``anki_stamps.StampMemory``, kept in the
  database), a note keeps its last stamp unless its content changed, and a
  changed note gets a stamp later than any this database gave the deck (see
  ``anki_stamps``). Without it, every note gets the current time, or one second
  after the newest note of the package being replaced at the same path,
  whichever is later (``next_stamp``). With ``SOURCE_DATE_EPOCH`` (reproducible
  builds) changed notes get exactly that value, and a warning says when it is
  not newer than the deck's last stamp. Cards and note types get the newest
  note stamp of the package.

The package being replaced is also how removed entries reach Anki: every note
of an exported deck that the previous package had and the deck no longer has is
written again, tagged ``flashcards::removed``, its Source saying so, in a deck
of its own beside the lesson's (``<name> (removed)``). Anki never deletes notes
on import; one search (``tag:flashcards::removed``) finds them to suspend or
delete.

The same decks and timestamp always give the same bytes: genanki's SQLite file
is deterministic for a given timestamp, and the zip around it is rewritten with
fixed member times derived from the timestamp.

Note types are frozen: Anki refuses to update notes whose note type changed
fields or templates (names or count). Text and styling of templates may change
(Anki updates a note type with the same fields and templates when the package's
is newer); any change to the *names or number* of fields or templates needs a
new note type id and a new name suffix (" v2"), and creates new notes in Anki.
"""

from __future__ import annotations

import hashlib
import io
import itertools
import sqlite3
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Mapping, Optional, Sequence

import genanki

from ._files import output_target, scratch_folder, write_atomically
from .anki_cloze import cloze_field
from .anki_notetypes import (  # noqa: F401  (names other modules and tests take from here)
    ANALOG_FIELDS,
    ANALOG_MODEL_ID,
    CLOZE_FIELDS,
    CLOZE_MODEL_ID,
    CSS,
    PHRASE_FIELDS,
    PHRASE_MODEL_ID,
    QUESTION_FIELDS,
    QUESTION_MODEL_ID,
    QUESTION_TEMPLATE_NAME,
    REPLY_FIELDS,
    REPLY_MODEL_ID,
    SOURCE_LABEL,
    TEMPLATE_NAMES,
    TERM_FIELD_NAMES,
    TERM_FIELDS,
    TERM_MODEL_ID,
    NoteType,
    card_ord,
    field_html,
    note_type_specs,
    template_card,
    template_kinds,
)
from .anki_previous import (  # noqa: F401  (names other modules and tests take from here)
    MAX_PREVIOUS_BYTES, MODEL_KINDS, NOTE_FIELDS, PreviousNote, PreviousPackage, next_stamp, read_previous,
)
from .anki_stamps import DeckStamps, StampMemory, note_digest, stamp_deck
from .errors import ExportError
from .model import Analog, Cloze, Deck, Entry, Phrase, Term, answer_source, cards_for_entry


# Tags: ours all start with TAG_PREFIX ("flashcards::<deck id>::<kind>[::<entry tag>]").
TAG_PREFIX = "flashcards"
REMOVED_TAG = f"{TAG_PREFIX}::removed"
REMOVED_SOURCE = (
    "Removed from the deck. Suspend or delete this note: in Browse, search "
    f"tag:{REMOVED_TAG}, select all, then Suspend or Delete."
)
# Where removed entries go when they are new to a collection: beside the
# lesson's deck, so studying the lesson never shows them.
REMOVED_DECK_SUFFIX = " (removed)"
REMOVED_SUBDECK = "removed"  # the key of its Anki deck id

# Where each entry's *first* card goes (the one a learner should meet first): term ->
# definition cards in the lesson's deck itself, the others in a sub-deck per kind. Anki
# gathers new cards deck by deck, a deck's own cards before its sub-decks' (which come
# alphabetically), so with its default options studying the lesson gives the terms
# first, then analogs, then phrases. "Terms" is the sub-deck 0.1.0 used: its key
# still names an Anki deck id, and learners who imported 0.1.0 keep their cards there.
SUBDECKS = {"term": "Terms", "phrase": "Phrases", "analog": "Analogs", "cloze": "Clozes"}
FIRST_CARD_SUBDECK = {"term": None, "phrase": "Phrases", "analog": "Analogs", "cloze": "Clozes"}  # None: the lesson's
_ENTRY_LISTS = ("terms", "phrases", "analogs", "clozes")  # the YAML lists, in the order their notes are placed
# Every other card of an entry (definition -> term, the term's detail cards, where an
# analogy breaks) goes to a deck of its own *beside* the lesson, so the lesson's deck never
# holds two cards of one entry and Anki, which does not bury siblings by default, cannot
# show one directly after the other. Learners study it once the lesson is under way.
FOLLOW_UP_SUFFIX = " (follow-up)"
FOLLOW_UP_SUBDECK = "follow-up"  # the key of its Anki deck id


# Zip times cannot be earlier than 1980 (DOS dates).
_ZIP_EPOCH = 315532800  # 1980-01-01T00:00:00Z
_ZIP_LATEST = 4354819199  # 2107-12-31T23:59:59Z: the zip format's last representable time


@dataclass(frozen=True)
class SubdeckReport:
    """What one Anki sub-deck of a package holds."""

    name: str  # full Anki deck name, e.g. "Lesson 4: ...::Terms"
    notes: int
    cards: int


@dataclass(frozen=True)
class ExportReport:
    """One YAML deck written to a package (several decks may share one file)."""

    deck_id: str
    deck_name: str
    path: Path
    bytes: int
    subdecks: tuple[SubdeckReport, ...]
    stamp: int = 0  # the note time written (seconds since 1970)
    removed: int = 0  # removed entries written again, tagged flashcards::removed
    warnings: tuple[str, ...] = ()
    notes: int = 0  # one per entry (a note's cards may sit in two Anki decks)
    stamps: Optional[DeckStamps] = None  # every note's stamp and digest, for the database to remember

    @property
    def cards(self) -> int:
        return sum(s.cards for s in self.subdecks)


# -- identity ------------------------------------------------------------------


def anki_deck_id(deck_id: str, subdeck: Optional[str] = None) -> int:
    """A stable Anki deck id for a YAML deck id (and sub-deck name), in genanki's
    recommended range. Never depends on the display name."""
    key = deck_id if subdeck is None else f"{deck_id}::{subdeck}"
    digest = hashlib.sha256(f"flashcards deck {key}".encode("utf-8")).digest()
    return (1 << 30) + int.from_bytes(digest[:8], "big") % (1 << 30)


def note_guid(deck_id: str, entry_id: str) -> str:
    """The note GUID of an entry: same deck id and entry id, same note in Anki.

    genanki hashes ``deck_id + "__" + entry_id``, which alone is not injective
    (``sales__2025``/``intro`` and ``sales``/``2025__intro`` give one string).
    Ids start with a letter or digit, so when the entry id has no ``__`` the
    *last* ``__`` of that string is the separator and the pair can be read back:
    those GUIDs stay exactly what 0.1.0 wrote. An entry id with ``__`` hashes
    ``deck_id + "/" + entry_id`` instead: ``/`` is in no id, so these strings are
    never equal to each other's or to the first kind's.
    """
    if "__" not in entry_id:
        return genanki.guid_for(deck_id, entry_id)
    return genanki.guid_for(f"{deck_id}/{entry_id}")


def deck_tag(deck_id: str, kind: Optional[str] = None) -> str:
    """``flashcards::<deck id>`` or ``flashcards::<deck id>::<kind>``: every tag we
    write sits under one of these, so ours are told from the learner's own."""
    return f"{TAG_PREFIX}::{deck_id}" if kind is None else f"{TAG_PREFIX}::{deck_id}::{kind}"


def entry_ref(deck_id: str, entry_id: str) -> str:
    """The "Entry ID" field: the prefix of the entry's `flash` card ids."""
    return f"{deck_id}/{entry_id}"


def source_date_epoch(environ: Mapping[str, str]) -> Optional[int]:
    """The ``SOURCE_DATE_EPOCH`` in ``environ`` as seconds, or None when unset or empty."""
    raw = environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not raw:
        return None
    if not raw.isdigit():
        raise ExportError(
            f"SOURCE_DATE_EPOCH must be a whole number of seconds since 1970-01-01 UTC, not {raw!r}"
        )
    if int(raw) > _ZIP_LATEST:
        raise ExportError(
            f"SOURCE_DATE_EPOCH={raw} is after 2107-12-31, the latest time a zip file (an .apkg) can hold"
        )
    return int(raw)


# -- note types (their text and fields: anki_notetypes) ------------------------


def _model(spec: NoteType) -> genanki.Model:
    return genanki.Model(
        spec.model_id, spec.name, fields=[{"name": f} for f in spec.fields], templates=list(spec.templates),
        css=spec.css, sort_field_index=0,
        model_type=genanki.Model.CLOZE if spec.cloze else genanki.Model.FRONT_BACK,
    )


def note_types() -> dict[str, genanki.Model]:
    """The note types, by ``note_kind`` ("term", "question", "phrase", "reply", "analog", "cloze").
    Fresh objects each call."""
    return {kind: _model(spec) for kind, spec in note_type_specs().items()}


# -- notes and decks -----------------------------------------------------------


def note_fields(deck_id: str, entry: Entry) -> list[str]:
    """An entry's field values (HTML), in the order of its note type's fields."""
    if isinstance(entry, Term) and entry.question:
        values = [entry.term, entry.question, entry.definition, answer_source(entry)]
    elif isinstance(entry, Term):
        values = [entry.term, entry.definition, entry.what_it_does, entry.whos_behind_it,
                  entry.what_makes_it_distinct, answer_source(entry)]
    elif isinstance(entry, Phrase):
        cue = entry.buyer_says if entry.buyer_says is not None else entry.dont_say
        values = [cue, entry.do_say, entry.why, answer_source(entry)]
    elif isinstance(entry, Analog):
        values = [entry.concept, entry.analog, entry.holds, entry.breaks, answer_source(entry)]
    elif isinstance(entry, Cloze):  # the Text field carries the {{cN::...}} markup, escaped piece by piece
        return [cloze_field(entry.text, field_html), field_html(answer_source(entry)),
                field_html(entry_ref(deck_id, entry.id))]
    else:
        raise TypeError(f"not a deck entry: {entry!r}")
    return [field_html(v) for v in values] + [field_html(entry_ref(deck_id, entry.id))]


def note_tags(deck: Deck, entry: Entry, *, deck_tags: bool = False) -> list[str]:
    """``flashcards::<deck id>::<kind>`` and the entry's own tags beneath it; the
    deck's tags too (beneath it as well) only with ``deck_tags``."""
    kind_tag = deck_tag(deck.id, entry.kind)
    own = (*deck.tags, *entry.tags) if deck_tags else entry.tags
    return list(dict.fromkeys((kind_tag, *(f"{kind_tag}::{tag}" for tag in own))))


def note_kind(entry: Entry) -> str:
    """The key of an entry's note type in ``note_types()``: its kind, "reply" for a buyer row,
    "question" for a term entry with a question."""
    if isinstance(entry, Term) and entry.question:
        return "question"
    return "reply" if isinstance(entry, Phrase) and entry.buyer_says is not None else entry.kind


def subdeck_name(deck: Deck, kind: str) -> str:
    """The Anki deck of an entry kind's first cards: the lesson's deck for terms."""
    sub = FIRST_CARD_SUBDECK[kind]
    return deck.name if sub is None else f"{deck.name}::{sub}"


def follow_up_deck_name(deck: Deck) -> str:
    return f"{deck.name}{FOLLOW_UP_SUFFIX}"


def removed_deck_name(deck: Deck) -> str:
    return f"{deck.name}{REMOVED_DECK_SUFFIX}"


def _first_card_deck_id(deck: Deck, kind: str) -> int:
    sub = FIRST_CARD_SUBDECK[kind]
    return anki_deck_id(deck.id) if sub is None else anki_deck_id(deck.id, sub)


@dataclass(frozen=True)
class CardPlace:
    """Where one card of a package goes: the Anki deck and new-card position."""

    guid: str  # of its note
    ord: int  # its template
    deck_id: int  # Anki deck id
    deck_name: str
    due: int  # new-card position: Anki gathers a deck's new cards by it


def card_places(deck: Deck) -> list[CardPlace]:
    """Every card of ``deck``, placed: an entry's first card (in ``cards_for_entry``
    order) in its kind's deck at the entry's position; its other cards in the
    follow-up deck, all second cards first, then all third cards, and so on."""
    places = []
    stride = len(deck.entries) + 1
    follow_up = (anki_deck_id(deck.id, FOLLOW_UP_SUBDECK), follow_up_deck_name(deck))
    for list_name in _ENTRY_LISTS:
        kind = list_name[:-1]
        first = (_first_card_deck_id(deck, kind), subdeck_name(deck, kind))
        for position, entry in enumerate(getattr(deck, list_name), start=1):
            guid, note_type = note_guid(deck.id, entry.id), note_kind(entry)
            for rank, card in enumerate(cards_for_entry(deck.id, entry)):
                did, name = first if rank == 0 else follow_up
                places.append(CardPlace(guid, card_ord(note_type, card.id), did, name, rank * stride + position))
    return places


def build_decks(
    deck: Deck,
    models: Optional[Mapping[str, genanki.Model]] = None,
    *,
    deck_tags: bool = False,
    removed: Sequence[PreviousNote] = (),
) -> list[genanki.Deck]:
    """The Anki decks of one YAML deck: the lesson's deck (holding the description and
    the terms' notes), a sub-deck per other kind of entry it has, the follow-up deck,
    notes in YAML order, and, if ``removed`` has notes, the deck of removed entries
    (see ``removed_notes``). genanki puts every card in its note's deck;
    ``write_package`` then moves each card to its place (``card_places``)."""
    models = models or note_types()
    description = field_html(deck.description)
    parent = genanki.Deck(anki_deck_id(deck.id), deck.name, description=description)
    result = [parent]
    for list_name in _ENTRY_LISTS:
        kind, entries = list_name[:-1], getattr(deck, list_name)
        if not entries:
            continue
        if FIRST_CARD_SUBDECK[kind] is None:
            target = parent
        else:
            target = genanki.Deck(_first_card_deck_id(deck, kind), subdeck_name(deck, kind))
            result.append(target)
        for position, entry in enumerate(entries, start=1):
            target.add_note(genanki.Note(
                model=models[note_kind(entry)],
                fields=note_fields(deck.id, entry),
                tags=note_tags(deck, entry, deck_tags=deck_tags),
                guid=note_guid(deck.id, entry.id),
                due=position,  # new cards come in YAML order
            ))
    if any(place.deck_name == follow_up_deck_name(deck) for place in card_places(deck)):
        result.append(genanki.Deck(anki_deck_id(deck.id, FOLLOW_UP_SUBDECK), follow_up_deck_name(deck)))
    if removed:
        gone = genanki.Deck(anki_deck_id(deck.id, REMOVED_SUBDECK), removed_deck_name(deck))
        for position, old in enumerate(removed, start=len(deck.entries) + 1):
            gone.add_note(genanki.Note(
                model=models[old.kind], fields=removed_fields(old), guid=old.guid,
                tags=[REMOVED_TAG, deck_tag(deck.id, old.entry_kind)], due=position,
            ))
        result.append(gone)
    return result


def build_package(decks: Iterable[Deck]) -> genanki.Package:
    """One package holding every deck given. Note/card times are set when it is written."""
    models = note_types()
    anki_decks = [d for deck in decks for d in build_decks(deck, models)]
    return genanki.Package(anki_decks)


# -- the package being replaced (read in anki_previous.py) ----------------------


def removed_fields(note: PreviousNote) -> list[str]:
    """The note's fields with Source saying it was removed (the text stays, so the
    learner still sees what the card was about)."""
    values = list(note.fields)
    values[NOTE_FIELDS[note.kind].index("Source")] = field_html(REMOVED_SOURCE)
    return values


def removed_notes(deck: Deck, previous: Optional[PreviousPackage]) -> list[PreviousNote]:
    """Notes of ``deck`` in the previous package whose entry the deck no longer has,
    in GUID order (so the same inputs always give the same package)."""
    if previous is None:
        return []
    live = {note_guid(deck.id, e.id) for e in deck.entries}
    gone = {n.guid: n for n in previous.notes if n.deck_id == deck.id and n.guid not in live}
    return [gone[guid] for guid in sorted(gone)]


# -- writing ---------------------------------------------------------------------


def resolve_timestamp(timestamp: Optional[float]) -> int:
    """The export time in whole seconds: ``timestamp``, or now."""
    value = int(time.time() if timestamp is None else timestamp)
    if value < 0:
        raise ExportError(f"export time must not be before 1970, got {value}")
    if value > _ZIP_LATEST:
        raise ExportError(f"export time must not be after 2107 (the zip format's limit), got {value}")
    return value


def write_package(package: genanki.Package, path: Path, *, timestamp: int,
                  places: Sequence[CardPlace] = (), note_mods: Mapping[str, int] = {}) -> int:
    """Write ``package`` to ``path`` reproducibly; returns the file size in bytes.

    genanki writes the SQLite collection with ``timestamp`` as the time of every
    note, card and note type (and as the start of its note and card ids); each card
    of ``places`` is then moved to its deck and position, and each note of
    ``note_mods`` (GUID -> stamp) gets its own time. The zip around it gets
    member times taken from ``timestamp`` too, so equal input gives equal bytes.
    The file appears atomically (written next to ``path``, then renamed).
    """
    try:
        # the collection is built in a scratch folder beside path (swept if a run is killed),
        # which is also tempfile's folder meanwhile, so nothing is left behind elsewhere
        with scratch_folder(path, error=ExportError) as scratch:
            db = Path(scratch) / "collection.anki2"
            conn = sqlite3.connect(db)
            try:
                package.write_to_db(conn.cursor(), timestamp, itertools.count(int(timestamp * 1000)))
                conn.executemany(
                    "UPDATE cards SET did = ?, due = ? WHERE ord = ? AND nid = (SELECT id FROM notes WHERE guid = ?)",
                    [(p.deck_id, p.due, p.ord, p.guid) for p in places],
                )
                conn.executemany("UPDATE notes SET mod = ? WHERE guid = ? AND mod != ?",
                                 [(mod, guid, mod) for guid, mod in note_mods.items()])
                conn.commit()
            finally:
                conn.close()
            data = _zip({"collection.anki2": db.read_bytes(), "media": b"{}"}, timestamp)
    except (OSError, sqlite3.Error) as exc:
        reason = getattr(exc, "strerror", None) or exc
        raise ExportError(f"cannot write {path}: {reason}") from exc
    return write_atomically(path, data, error=ExportError).stat().st_size


def _zip(members: Mapping[str, bytes], timestamp: int) -> bytes:
    date_time = time.gmtime(max(timestamp, _ZIP_EPOCH))[:6]
    target = io.BytesIO()
    with zipfile.ZipFile(target, "w") as zout:
        for name, payload in members.items():
            info = zipfile.ZipInfo(name, date_time=date_time)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            info.create_system = 3  # unix, whatever the building machine
            zout.writestr(info, payload)
    return target.getvalue()


def _plan(decks: Sequence[Deck], path: Path, timestamp: Optional[float], deck_tags: bool,
          memory: Optional[StampMemory]):
    """Everything one package needs before it is written: its Anki decks, card places
    and note stamps per YAML deck, the package's stamp, and warnings."""
    if path.is_dir():
        raise ExportError(f"{path} is a folder; give a file name ending in .apkg")
    previous, warning = read_previous(path)
    warnings = [warning] if warning else []
    now = time.time()
    fixed = None if timestamp is None else resolve_timestamp(timestamp)
    previous_stamp = previous.stamp if previous is not None else None
    models = note_types()
    model_digests = {kind: _model_digest(model) for kind, model in models.items()}
    per_deck = []
    for deck in decks:
        removed = removed_notes(deck, previous)
        anki_decks = build_decks(deck, models, deck_tags=deck_tags, removed=removed)
        digests = [(note.guid, note_digest(model_digests[MODEL_KINDS[note.model.model_id]], note.fields, note.tags))
                   for anki_deck in anki_decks for note in anki_deck.notes]
        stamps = stamp_deck(deck.id, digests, memory, now=int(now), fixed=fixed, previous=previous_stamp)
        per_deck.append((deck, anki_decks, card_places(deck), len(removed), stamps))
    refused = [s for *_, s in per_deck if s.refused]
    if refused:
        last = max(s.last for s in refused)  # type: ignore[type-var]
        changed = sum(s.changed for s in refused)
        warnings.append(
            f"{path}: the time given ({_utc(refused[0].new_stamp)}) is not later than the last export "
            f"({_utc(last)}): Anki's default import (Update notes: If newer) skips {changed} changed "
            f"note{'s' if changed != 1 else ''} as duplicates; choose Update notes: Always when importing, "
            "or export without SOURCE_DATE_EPOCH for learners."
        )
    stamp = max((s.stamp for *_, s in per_deck), default=fixed if fixed is not None else int(now))
    if stamp > now + 86_400:
        warnings.append(f"{path}: stamped {_utc(stamp)}, more than a day ahead of this computer's clock: "
                        "notes Anki takes from it refuse every package built before then")
    return per_deck, stamp, tuple(warnings)


def _model_digest(model: genanki.Model) -> str:
    """What of a note type an import compares: name, fields, templates and styling."""
    parts = [model.name, *(f["name"] for f in model.fields),
             *(f"{t['name']}\x1f{t['qfmt']}\x1f{t['afmt']}" for t in model.templates), model.css]
    return hashlib.sha256("\x1e".join(parts).encode("utf-8")).hexdigest()


def _utc(stamp: int) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(stamp))


def write_packages(
    decks: Sequence[Deck],
    out: Optional[Path] = None,
    out_dir: Path = Path("exports"),
    timestamp: Optional[float] = None,
    *,
    deck_tags: bool = False,
    memory: Optional[StampMemory] = None,
) -> list[ExportReport]:
    """Write one package per deck (``out_dir/<deck id>.apkg``), or a single package
    with every deck to ``out``. Missing folders are created. Returns one report per
    deck, in the order given; each report's ``stamps`` is what ``memory`` should
    remember next time.

    ``memory`` (what the database remembers of earlier exports) keeps the stamp
    of every note whose content did not change, so Anki leaves it (and the
    learner's tags on it) alone; changed notes get a stamp later than any given
    to their deck before. Without it every note is stamped. ``timestamp``
    (seconds since 1970, e.g. ``SOURCE_DATE_EPOCH``) is the stamp given to
    changed notes instead of now; the newest note stamp is also the time of
    cards, note types and the zip members. Entries that the package being
    replaced had and the deck no longer has are written again, tagged
    ``flashcards::removed``. ``deck_tags`` puts the deck's tags on every note.
    """
    if not decks:
        raise ExportError("no decks to export")
    if out is not None:
        out = Path(out)
        output_target(out, error=ExportError)  # a folder, device or FIFO first: the clearer message
        if out.suffix.lower() != ".apkg":
            raise ExportError(f"{out}: an Anki package must end in .apkg")
        groups = [(out, list(decks))]
    else:
        groups = [(Path(out_dir) / f"{deck.id}.apkg", [deck]) for deck in decks]

    planned = [(path, *_plan(group, path, timestamp, deck_tags, memory)) for path, group in groups]
    reports = []  # everything is built before anything is written
    for path, per_deck, stamp, warnings in planned:
        package = genanki.Package([d for _, anki_decks, *_ in per_deck for d in anki_decks])
        places = [p for _, _, deck_places, *_ in per_deck for p in deck_places]
        mods = {n.guid: n.stamp for *_, stamps in per_deck for n in stamps.notes}
        size = write_package(package, path, timestamp=stamp, places=places, note_mods=mods)
        for deck, _, deck_places, removed, stamps in per_deck:
            reports.append(_report(deck, deck_places, path, size, stamp, removed, warnings, stamps))
    return reports


def _report(deck: Deck, places: Sequence[CardPlace], path: Path, size: int,
            stamp: int, removed: int, warnings: tuple[str, ...], stamps: DeckStamps) -> ExportReport:
    """One row per Anki deck holding cards of the live deck, in the order a learner
    meets them: the lesson's deck, its sub-decks, then the follow-up deck."""
    notes: dict[str, set[str]] = {}
    cards: dict[str, int] = {}
    for place in places:
        notes.setdefault(place.deck_name, set()).add(place.guid)
        cards[place.deck_name] = cards.get(place.deck_name, 0) + 1
    order = [deck.name, *(subdeck_name(deck, k) for k in ("analog", "cloze", "phrase")), follow_up_deck_name(deck)]
    names = sorted(cards, key=lambda name: order.index(name) if name in order else len(order))
    subdecks = tuple(SubdeckReport(name, len(notes[name]), cards[name]) for name in names)
    return ExportReport(deck.id, deck.name, path, size, subdecks, stamp, removed, warnings,
                        notes=len({place.guid for place in places}), stamps=stamps)
