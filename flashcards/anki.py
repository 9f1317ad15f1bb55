"""Anki export: decks -> ``.apkg`` packages. The only module that imports genanki.

What a package holds, per deck: the sub-decks ``<deck name>::Terms``,
``::Phrases`` and ``::Analogs``, one note per entry, and the cards of
``model.cards_for_entry`` (a template whose question renders empty makes no
card, which is how optional term fields become optional cards).

Identity, so that re-importing an edited deck updates notes in place:

* note type ids are the literal constants below, generated once;
* Anki deck ids are a hash of the YAML deck id (and sub-deck), never of the
  display name; Anki itself matches decks by name on import;
* note GUIDs are ``genanki.guid_for(deck id, entry id)``;
* every note, card and note type is stamped with the export time (mod). Anki's
  default import option "update if newer" replaces a note only when the
  package's mod is later than the one in the collection, and it keeps the
  package's mod on the notes it imports. Export time therefore has to move
  forward between two exports of an edited deck: with ``SOURCE_DATE_EPOCH``
  (the reproducible-builds convention, usually the last commit's time) it does
  whenever the edit is committed; without it the current time is used.

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
import html
import io
import tempfile
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Mapping, Optional, Sequence

import genanki

from ._files import write_atomically
from .errors import ExportError
from .model import (
    ANALOG_LABEL,
    BREAKS_QUESTION,
    BUYER_SAYS_LABEL,
    DEFINITION_QUESTION,
    DO_SAY_LABEL,
    DONT_SAY_LABEL,
    HOLDS_QUESTION,
    PHRASE_QUESTION,
    REPLY_QUESTION,
    TERM_FIELD_QUESTIONS,
    TERM_QUESTION,
    WHY_LABEL,
    Analog,
    CardKind,
    Deck,
    Entry,
    Phrase,
    Term,
    answer_source,
)

# Generated once with random.randrange(1 << 30, 1 << 31). Never change them: Anki
# knows our notes by these ids. A note type whose fields or templates change
# (names or count) gets a new id here and a " v2" name, and makes new notes.
TERM_MODEL_ID = 1927195277
PHRASE_MODEL_ID = 1838372813
ANALOG_MODEL_ID = 1566501247
REPLY_MODEL_ID = 1204114267  # phrase rows with a buyer's line (`buyer_says`)

SOURCE_LABEL = "Source:"

# Sub-deck names, one per kind of entry, in the order of Deck.entries.
SUBDECKS = {"term": "Terms", "phrase": "Phrases", "analog": "Analogs"}

# Field names per note type, in note order. The first field is the sort field.
# "Entry ID" (deck id/entry id, as in `flash` card ids) is shown on no card.
TERM_FIELDS = (
    "Term", "Definition", "What it does", "Who's behind it", "What makes it distinct",
    "Source", "Entry ID",
)
PHRASE_FIELDS = ("Don't say", "Do say", "Why", "Source", "Entry ID")
REPLY_FIELDS = ("Buyer says", "Do say", "Why", "Source", "Entry ID")
ANALOG_FIELDS = ("Concept", "Analog", "Holds", "Breaks", "Source", "Entry ID")

# The optional term fields that make one card each, in CardKind order.
TERM_FIELD_NAMES = {
    CardKind.WHAT_IT_DOES: "What it does",
    CardKind.WHOS_BEHIND_IT: "Who's behind it",
    CardKind.WHAT_MAKES_IT_DISTINCT: "What makes it distinct",
}

# Card template names per note type, in template (ord) order = CardKind order.
TEMPLATE_NAMES = {
    CardKind.TERM: "Term → Definition",
    CardKind.DEFINITION: "Definition → Term",
    CardKind.WHAT_IT_DOES: "What it does",
    CardKind.WHOS_BEHIND_IT: "Who's behind it",
    CardKind.WHAT_MAKES_IT_DISTINCT: "What makes it distinct",
    CardKind.PHRASE: "Don't say → Do say",
    CardKind.REPLY: "The buyer says → Do say",
    CardKind.HOLDS: "Where it holds",
    CardKind.BREAKS: "Where it breaks",
}

# Zip times cannot be earlier than 1980 (DOS dates).
_ZIP_EPOCH = 315532800  # 1980-01-01T00:00:00Z

CSS = """\
.card {
  font-family: -apple-system, BlinkMacSystemFont, "Segoe UI", Roboto, "Noto Sans",
    "Helvetica Neue", Arial, sans-serif;
  font-size: 20px;
  line-height: 1.5;
  text-align: left;
  color: #1f2328;
  background-color: #ffffff;
  -webkit-text-size-adjust: 100%;
}
.fc { max-width: 34em; margin: 0 auto; padding: 0 0.25em; overflow-wrap: break-word; }
.prompt { font-size: 1.15em; margin: 0.25em 0 0.5em; }
.term { font-weight: 700; }
.question { color: #57606a; font-style: italic; font-size: 0.9em; margin-top: 0.75em; }
.reply { margin: 0.5em 0; }
.label { font-size: 0.8em; font-weight: 700; letter-spacing: 0.02em; text-transform: uppercase; }
.analog { margin: 0.5em 0; }
.analog .label { color: #57606a; }
.say { margin: 0.5em 0; padding: 0.5em 0.75em; border-radius: 6px; }
.say .label { display: block; margin-bottom: 0.15em; }
.dont-say { border: 2px dashed #cf222e; background-color: #fff5f5; font-style: italic; }
.dont-say .label { color: #a40e26; font-style: normal; }
.dont-say .label::before { content: "\\2715\\00a0"; }
.do-say {
  border: 2px solid #1a7f37; border-left-width: 8px; background-color: #f0fff4; font-weight: 600;
}
.do-say .label { color: #116329; }
.do-say .label::before { content: "\\2713\\00a0"; }
.why { margin: 0.75em 0 0.5em; }
.why .label { color: #57606a; display: block; }
.source { margin-top: 1.25em; color: #6e7781; font-size: 0.7em; }
hr#answer { border: none; border-top: 1px solid #d0d7de; max-width: 34em; margin: 1em auto; }

/* Night mode: desktop and AnkiMobile add .nightMode, AnkiDroid adds .night_mode. */
.nightMode.card, .nightMode .card, .night_mode.card, .night_mode .card {
  color: #e6edf3;
  background-color: #1f1f1f;
}
.nightMode .question, .night_mode .question,
.nightMode .analog .label, .night_mode .analog .label,
.nightMode .why .label, .night_mode .why .label { color: #9da7b3; }
.nightMode .source, .night_mode .source { color: #8b949e; }
.nightMode .dont-say, .night_mode .dont-say { border-color: #f85149; background-color: #3b1d1f; }
.nightMode .dont-say .label, .night_mode .dont-say .label { color: #ff9492; }
.nightMode .do-say, .night_mode .do-say { border-color: #3fb950; background-color: #12301c; }
.nightMode .do-say .label, .night_mode .do-say .label { color: #7ee787; }
.nightMode hr#answer, .night_mode hr#answer { border-top-color: #30363d; }
"""


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

    @property
    def notes(self) -> int:
        return sum(s.notes for s in self.subdecks)

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
    """The note GUID of an entry: same deck id and entry id, same note in Anki."""
    return genanki.guid_for(deck_id, entry_id)


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
    return int(raw)


# -- note types ----------------------------------------------------------------


def field_html(text: Optional[str]) -> str:
    """Plain text -> Anki field HTML: ``<``, ``>`` and ``&`` show literally, line breaks stay."""
    if not text:
        return ""
    return html.escape(text, quote=False).replace("\r\n", "\n").replace("\n", "<br>")


# Template building blocks. Template text is HTML; YAML text only ever arrives
# through fields, already escaped by field_html().


def _ref(field: str) -> str:
    """A field reference, ``{{Field}}``."""
    return "{{" + field + "}}"


def _when(field: str, inner: str) -> str:
    """``inner`` only if ``field`` is not empty (so a question side renders empty, no card)."""
    return "{{#" + field + "}}" + inner + "{{/" + field + "}}"


def _div(cls: str, inner: str) -> str:
    return f'<div class="{cls}">{inner}</div>'


def _labelled(cls: str, label: str, inner: str) -> str:
    return _div(cls, f'<span class="label">{html.escape(label, quote=False)}</span> {inner}')


def _question(text: str) -> str:
    return _div("question", html.escape(text, quote=False))


_SOURCE = _when("Source", _labelled("source", SOURCE_LABEL, _ref("Source")))


def _card(kind: CardKind, front: str, back: str, *, only_if: Optional[str] = None) -> dict:
    qfmt = _div("fc", front)
    if only_if:
        qfmt = _when(only_if, qfmt)
    afmt = _ref("FrontSide") + '\n<hr id="answer">\n' + _div("fc", back + _SOURCE)
    return {"name": TEMPLATE_NAMES[kind], "qfmt": qfmt, "afmt": afmt}


def _term_model() -> genanki.Model:
    term = _div("prompt term", _ref("Term"))
    templates = [
        _card(CardKind.TERM, term + _question(TERM_QUESTION), _div("reply", _ref("Definition"))),
        _card(CardKind.DEFINITION,
              _div("prompt", _ref("Definition")) + _question(DEFINITION_QUESTION),
              _div("reply term", _ref("Term"))),
    ]
    for kind, question in TERM_FIELD_QUESTIONS.items():
        field = TERM_FIELD_NAMES[kind]
        front, back = term + _question(question), _div("reply", _ref(field))
        templates.append(_card(kind, front, back, only_if=field))
    return _model(TERM_MODEL_ID, "Flashcards: Term", TERM_FIELDS, templates)


def _phrase_model() -> genanki.Model:
    front = (_labelled("say dont-say", DONT_SAY_LABEL, _ref("Don't say"))
             + _question(PHRASE_QUESTION))
    back = (_labelled("say do-say", DO_SAY_LABEL, _ref("Do say"))
            + _labelled("why", WHY_LABEL, _ref("Why")))
    templates = [_card(CardKind.PHRASE, front, back)]
    return _model(PHRASE_MODEL_ID, "Flashcards: Phrase pair", PHRASE_FIELDS, templates)


def _reply_model() -> genanki.Model:
    front = (_labelled("say buyer-says", BUYER_SAYS_LABEL, "\u201c" + _ref("Buyer says") + "\u201d")
             + _question(REPLY_QUESTION))
    back = (_labelled("say do-say", DO_SAY_LABEL, _ref("Do say"))
            + _labelled("why", WHY_LABEL, _ref("Why")))
    return _model(REPLY_MODEL_ID, "Flashcards: Buyer reply", REPLY_FIELDS, [_card(CardKind.REPLY, front, back)])


def _analog_model() -> genanki.Model:
    setup = _div("prompt term", _ref("Concept")) + _labelled("analog", ANALOG_LABEL, _ref("Analog"))
    templates = [
        _card(CardKind.HOLDS, setup + _question(HOLDS_QUESTION), _div("reply", _ref("Holds")),
              only_if="Holds"),
        _card(CardKind.BREAKS, setup + _question(BREAKS_QUESTION), _div("reply", _ref("Breaks")),
              only_if="Breaks"),
    ]
    return _model(ANALOG_MODEL_ID, "Flashcards: Analog", ANALOG_FIELDS, templates)


def _model(model_id: int, name: str, fields: Sequence[str], templates: list[dict]) -> genanki.Model:
    return genanki.Model(
        model_id, name, fields=[{"name": f} for f in fields], templates=templates, css=CSS,
        sort_field_index=0,
    )


def note_types() -> dict[str, genanki.Model]:
    """The note types, by ``note_kind`` ("term", "phrase", "reply", "analog"). Fresh objects each call."""
    return {"term": _term_model(), "phrase": _phrase_model(), "reply": _reply_model(), "analog": _analog_model()}


def template_kinds(kind: str) -> list[CardKind]:
    """The CardKind of each template (by ord) of the note type for entry ``kind``."""
    return {
        "term": [CardKind.TERM, CardKind.DEFINITION, *TERM_FIELD_NAMES],
        "phrase": [CardKind.PHRASE],
        "reply": [CardKind.REPLY],
        "analog": [CardKind.HOLDS, CardKind.BREAKS],
    }[kind]


# -- notes and decks -----------------------------------------------------------


def note_fields(deck_id: str, entry: Entry) -> list[str]:
    """An entry's field values (HTML), in the order of its note type's fields."""
    if isinstance(entry, Term):
        values = [entry.term, entry.definition, entry.what_it_does, entry.whos_behind_it,
                  entry.what_makes_it_distinct, answer_source(entry)]
    elif isinstance(entry, Phrase):
        cue = entry.buyer_says if entry.buyer_says is not None else entry.dont_say
        values = [cue, entry.do_say, entry.why, answer_source(entry)]
    elif isinstance(entry, Analog):
        values = [entry.concept, entry.analog, entry.holds, entry.breaks, answer_source(entry)]
    else:
        raise TypeError(f"not a deck entry: {entry!r}")
    return [field_html(v) for v in values] + [field_html(entry_ref(deck_id, entry.id))]


def note_tags(deck: Deck, entry: Entry) -> list[str]:
    """The deck's tags, the entry's tags, the entry kind and the deck id, without repeats."""
    return list(dict.fromkeys((*deck.tags, *entry.tags, entry.kind, deck.id)))


def note_kind(entry: Entry) -> str:
    """The key of an entry's note type in ``note_types()``: its kind, or "reply" for a buyer row."""
    return "reply" if isinstance(entry, Phrase) and entry.buyer_says is not None else entry.kind


def subdeck_name(deck: Deck, kind: str) -> str:
    return f"{deck.name}::{SUBDECKS[kind]}"


def build_decks(
    deck: Deck, models: Optional[Mapping[str, genanki.Model]] = None
) -> list[genanki.Deck]:
    """The Anki decks of one YAML deck: the parent (holding the description) and one
    sub-deck per kind of entry it has, notes in YAML order."""
    models = models or note_types()
    description = field_html(deck.description)
    parent = genanki.Deck(anki_deck_id(deck.id), deck.name, description=description)
    result = [parent]
    for kind, entries in (("term", deck.terms), ("phrase", deck.phrases), ("analog", deck.analogs)):
        if not entries:
            continue
        sub = genanki.Deck(anki_deck_id(deck.id, SUBDECKS[kind]), subdeck_name(deck, kind))
        for position, entry in enumerate(entries, start=1):
            sub.add_note(genanki.Note(
                model=models[note_kind(entry)],
                fields=note_fields(deck.id, entry),
                tags=note_tags(deck, entry),
                guid=note_guid(deck.id, entry.id),
                due=position,  # new cards come in YAML order
            ))
        result.append(sub)
    return result


def build_package(decks: Iterable[Deck]) -> genanki.Package:
    """One package holding every deck given. Note/card times are set when it is written."""
    models = note_types()
    anki_decks = [d for deck in decks for d in build_decks(deck, models)]
    return genanki.Package(anki_decks)


def _report(deck: Deck, anki_decks: Sequence[genanki.Deck], path: Path, size: int) -> ExportReport:
    subdecks = tuple(
        SubdeckReport(d.name, len(d.notes), sum(len(n.cards) for n in d.notes))
        for d in anki_decks if d.notes
    )
    return ExportReport(deck.id, deck.name, path, size, subdecks)


# -- writing ---------------------------------------------------------------------


def resolve_timestamp(timestamp: Optional[float]) -> int:
    """The export time in whole seconds: ``timestamp``, or now."""
    value = int(time.time() if timestamp is None else timestamp)
    if value < 0:
        raise ExportError(f"export time must not be before 1970, got {value}")
    return value


def write_package(package: genanki.Package, path: Path, *, timestamp: int) -> int:
    """Write ``package`` to ``path`` reproducibly; returns the file size in bytes.

    genanki writes the SQLite collection with ``timestamp`` as the time of every
    note, card and note type; the zip around it is then rewritten with member
    times taken from ``timestamp`` too, so equal input gives equal bytes. The file
    appears atomically (written next to ``path``, then renamed).
    """
    try:
        with tempfile.TemporaryDirectory(prefix="flashcards-apkg-") as scratch:
            raw = Path(scratch) / "genanki.apkg"
            package.write_to_file(str(raw), timestamp=timestamp)
            data = _rewrite_zip(raw, timestamp)
    except OSError as exc:
        raise ExportError(f"cannot write {path}: {exc.strerror or exc}") from exc
    return write_atomically(path, data, error=ExportError).stat().st_size


def _rewrite_zip(source: Path, timestamp: int) -> bytes:
    date_time = time.gmtime(max(timestamp, _ZIP_EPOCH))[:6]
    target = io.BytesIO()
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(target, "w") as zout:
        for member in zin.infolist():
            info = zipfile.ZipInfo(member.filename, date_time=date_time)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            info.create_system = 3  # unix, whatever the building machine
            zout.writestr(info, zin.read(member.filename))
    return target.getvalue()


def write_packages(
    decks: Sequence[Deck],
    out: Optional[Path] = None,
    out_dir: Path = Path("exports"),
    timestamp: Optional[float] = None,
) -> list[ExportReport]:
    """Write one package per deck (``out_dir/<deck id>.apkg``), or a single package
    with every deck to ``out``. Missing folders are created. Returns one report per
    deck, in the order given.

    ``timestamp`` (seconds since 1970, e.g. ``SOURCE_DATE_EPOCH``) is the time
    given to every note, card and note type, and to the zip members; None means now.
    """
    if not decks:
        raise ExportError("no decks to export")
    ts = resolve_timestamp(timestamp)
    if out is not None:
        out = Path(out)
        if out.suffix.lower() != ".apkg":
            raise ExportError(f"{out}: an Anki package must end in .apkg")
        if out.is_dir():
            raise ExportError(f"{out} is a folder; give a file name ending in .apkg")
        models = note_types()
        per_deck = [(deck, build_decks(deck, models)) for deck in decks]
        package = genanki.Package([d for _, anki_decks in per_deck for d in anki_decks])
        size = write_package(package, out, timestamp=ts)
        return [_report(deck, ds, out, size) for deck, ds in per_deck]

    reports = []
    built = [(deck, build_decks(deck)) for deck in decks]  # build all before writing any
    for deck, anki_decks in built:
        path = Path(out_dir) / f"{deck.id}.apkg"
        size = write_package(genanki.Package(anki_decks), path, timestamp=ts)
        reports.append(_report(deck, anki_decks, path, size))
    return reports
