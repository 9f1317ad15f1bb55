"""Our Anki note types as data: ids, fields, card templates and styling (no genanki here:
``anki.py`` builds the ``genanki.Model`` objects from these and stays the only module that
imports genanki), the HTML of field text, and which template (ordinal) is which flash card.

Note types are frozen: Anki refuses to update notes whose note type changed fields or templates
(names or count). Text and styling of templates may change (Anki updates a note type with the same
fields and templates when the package's is newer); any change to the *names or number* of fields
or templates needs a new note type id and a new name suffix (" v2"), and creates new notes in Anki.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from typing import Optional

from . import cloze as _cloze
from .anki_cloze import CLOZE_CSS, CLOZE_FIELDS, CLOZE_MODEL_ID, CLOZE_MODEL_NAME, cloze_templates
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
    QUESTION_SEPARATOR,
    TERM_FIELD_QUESTIONS,
    TERM_QUESTION,
    WHY_LABEL,
    CardKind,
)

# Generated once with random.randrange(1 << 30, 1 << 31). Never change them: Anki
# knows our notes by these ids. A note type whose fields or templates change
# (names or count) gets a new id here and a " v2" name, and makes new notes.
TERM_MODEL_ID = 1927195277
PHRASE_MODEL_ID = 1838372813
ANALOG_MODEL_ID = 1566501247
REPLY_MODEL_ID = 1204114267  # phrase rows with a buyer's line (`buyer_says`)
QUESTION_MODEL_ID = 1719460383  # term entries with a `question` (one fact about the term)

SOURCE_LABEL = "Source:"

# Field names per note type, in note order. The first field is the sort field.
# "Entry ID" (deck id/entry id, as in `flash` card ids) is shown on no card.
TERM_FIELDS = (
    "Term", "Definition", "What it does", "Who's behind it", "What makes it distinct",
    "Source", "Entry ID",
)
PHRASE_FIELDS = ("Don't say", "Do say", "Why", "Source", "Entry ID")
REPLY_FIELDS = ("Buyer says", "Do say", "Why", "Source", "Entry ID")
QUESTION_FIELDS = ("Term", "Question", "Answer", "Source", "Entry ID")
QUESTION_TEMPLATE_NAME = "Question → Answer"
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
    CardKind.CLOZE: "Cloze",  # Anki's Cloze note type: one template, a card per deletion
}

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
.buyer-says { border: 2px solid #8c959f; border-left-width: 8px; background-color: #f6f8fa; }
.buyer-says .label { color: #57606a; }
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
.nightMode .buyer-says, .night_mode .buyer-says { border-color: #6e7681; background-color: #262c36; }
.nightMode .buyer-says .label, .night_mode .buyer-says .label { color: #9da7b3; }
.nightMode .do-say, .night_mode .do-say { border-color: #3fb950; background-color: #12301c; }
.nightMode .do-say .label, .night_mode .do-say .label { color: #7ee787; }
.nightMode hr#answer, .night_mode hr#answer { border-top-color: #30363d; }
"""


@dataclass(frozen=True)
class NoteType:
    """One note type: what ``genanki.Model`` is built from."""

    model_id: int
    name: str
    fields: tuple[str, ...]
    templates: tuple[dict, ...]
    css: str
    cloze: bool = False  # Anki's Cloze type: a card per {{cN::...}} number, not per template


# Anki's own markup inside field text: ``[sound:x.mp3]`` plays audio, ``[$]..[/$]``,
# ``[$$]..[/$$]`` and ``[latex]..[/latex]`` become LaTeX images, ``[anki:tts]`` speaks,
# and ``\(..\)`` / ``\[..\]`` are typeset by MathJax. Every one starts with ``[`` or
# ``\``, so writing those two as character references keeps all of it plain text:
# Anki's renderer and the reviewer's MathJax check look at the HTML, where no
# ``[sound:`` or ``\(`` is left, while the learner still reads ``[`` and ``\``.
_ANKI_MARKUP = {"[": "&#91;", "\\": "&#92;"}
_ANKI_MARKUP_RE = re.compile(r"[\[\\]")


def field_html(text: Optional[str]) -> str:
    """Plain text -> Anki field HTML that shows exactly as typed: ``<``, ``>`` and ``&``
    are escaped, so is Anki's own markup (``[sound:``, ``[$]``, ``\\(``...), and line
    breaks stay."""
    if not text:
        return ""
    escaped = html.escape(text, quote=False)
    escaped = _ANKI_MARKUP_RE.sub(lambda m: _ANKI_MARKUP[m.group()], escaped)
    return escaped.replace("\r\n", "\n").replace("\n", "<br>")


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


# The class MathJax skips (its default ``ignoreHtmlClass``): a second guard, for
# clients that typeset every card, on top of the escaping in field_html().
_CARD_CLASS = "fc tex2jax_ignore"


def _card(kind: CardKind, front: str, back: str, *, only_if: Optional[str] = None,
          name: Optional[str] = None) -> dict:
    qfmt = _div(_CARD_CLASS, front)
    if only_if:
        qfmt = _when(only_if, qfmt)
    afmt = _ref("FrontSide") + '\n<hr id="answer">\n' + _div(_CARD_CLASS, back + _SOURCE)
    return {"name": name or TEMPLATE_NAMES[kind], "qfmt": qfmt, "afmt": afmt}


def _term_model() -> NoteType:
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


def _phrase_model() -> NoteType:
    front = (_labelled("say dont-say", DONT_SAY_LABEL, _ref("Don't say"))
             + _question(PHRASE_QUESTION))
    back = (_labelled("say do-say", DO_SAY_LABEL, _ref("Do say"))
            + _labelled("why", WHY_LABEL, _ref("Why")))
    templates = [_card(CardKind.PHRASE, front, back)]
    return _model(PHRASE_MODEL_ID, "Flashcards: Phrase pair", PHRASE_FIELDS, templates)


def _reply_model() -> NoteType:
    front = (_labelled("say buyer-says", BUYER_SAYS_LABEL, "\u201c" + _ref("Buyer says") + "\u201d")
             + _question(REPLY_QUESTION))
    back = (_labelled("say do-say", DO_SAY_LABEL, _ref("Do say"))
            + _labelled("why", WHY_LABEL, _ref("Why")))
    return _model(REPLY_MODEL_ID, "Flashcards: Buyer reply", REPLY_FIELDS, [_card(CardKind.REPLY, front, back)])


def _question_model() -> NoteType:
    # "<term>:" then the question, as flash review shows "<term>: <question>"
    front = _div("prompt term", _ref("Term") + QUESTION_SEPARATOR.rstrip()) + _div("question", _ref("Question"))
    card = _card(CardKind.TERM, front, _div("reply", _ref("Answer")), name=QUESTION_TEMPLATE_NAME)
    return _model(QUESTION_MODEL_ID, "Flashcards: Term question", QUESTION_FIELDS, [card])


def _analog_model() -> NoteType:
    setup = _div("prompt term", _ref("Concept")) + _labelled("analog", ANALOG_LABEL, _ref("Analog"))
    templates = [
        _card(CardKind.HOLDS, setup + _question(HOLDS_QUESTION), _div("reply", _ref("Holds")),
              only_if="Holds"),
        _card(CardKind.BREAKS, setup + _question(BREAKS_QUESTION), _div("reply", _ref("Breaks")),
              only_if="Breaks"),
    ]
    return _model(ANALOG_MODEL_ID, "Flashcards: Analog", ANALOG_FIELDS, templates)


def _cloze_model() -> NoteType:
    return _model(CLOZE_MODEL_ID, CLOZE_MODEL_NAME, CLOZE_FIELDS, cloze_templates(_CARD_CLASS, _SOURCE),
                  extra_css=CLOZE_CSS, cloze=True)


def _model(model_id: int, name: str, fields, templates: list[dict], *, extra_css: str = "",
           cloze: bool = False) -> NoteType:
    # CSS is read at call time (a test changes it to check that styling updates reach Anki)
    return NoteType(model_id, name, tuple(fields), tuple(templates), CSS + extra_css, cloze)


def note_type_specs() -> dict[str, NoteType]:
    """The note types, by ``anki.note_kind`` ("term", "question", "phrase", "reply", "analog", "cloze")."""
    return {"term": _term_model(), "question": _question_model(), "phrase": _phrase_model(),
            "reply": _reply_model(), "analog": _analog_model(), "cloze": _cloze_model()}


def template_kinds(kind: str) -> list[CardKind]:
    """The CardKind of each template (by ord) of the note type for entry ``kind``."""
    return {
        "term": [CardKind.TERM, CardKind.DEFINITION, *TERM_FIELD_NAMES],
        "question": [CardKind.TERM],
        "phrase": [CardKind.PHRASE],
        "reply": [CardKind.REPLY],
        "analog": [CardKind.HOLDS, CardKind.BREAKS],
        "cloze": [CardKind.CLOZE],  # one template; card N - 1 is deletion N (``template_card``)
    }[kind]


def template_card(kind: str, ord_: int) -> Optional[str]:
    """The last part of the flash card id of template ``ord_`` of note type ``kind``: a CardKind's value,
    or ``c1``, ``c2``, ... for the cards of a cloze note (Anki gives deletion N the ordinal N - 1);
    None for an ordinal the note type does not have."""
    if kind == "cloze":
        return _cloze.card_suffix(ord_ + 1) if 0 <= ord_ < _cloze.MAX_DELETIONS else None
    kinds = template_kinds(kind)
    return kinds[ord_].value if 0 <= ord_ < len(kinds) else None


def card_ord(kind: str, card_id: str) -> int:
    """The Anki card ordinal of the flash card ``card_id`` in a note of type ``kind``."""
    suffix = card_id.rsplit("/", 1)[-1]
    if kind == "cloze":
        return (_cloze.card_number(suffix) or 1) - 1
    return template_kinds(kind).index(CardKind(suffix))
