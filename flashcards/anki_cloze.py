"""Cloze entries as Anki's Cloze note type: the field text and the templates (no genanki here;
``anki_notetypes`` makes the note type of these, and ``anki.py`` stays the only module that
imports genanki).

A cloze entry is one note of the type "Flashcards: Cloze" (``CLOZE_MODEL_ID``), whose *Text*
field writes deletion N as ``{{cN::answer}}`` or ``{{cN::answer::hint}}``: Anki makes one card
per number, card ordinal N - 1, which is how ``flash import --anki`` maps an answer back to the
card ``deck/entry/cN``. Anki shows the blank as ``[...]`` (or ``[hint]``) and the other deletions
filled in, as ``flash review`` does.

The text around and inside deletions is plain text made HTML by ``anki.field_html``; braces and
colons inside it are written as character references, so text can never close a deletion early
or start one (Anki reads the cloze markup from the field's HTML, where no ``}}`` of the text is left).
"""

from __future__ import annotations

from .cloze import Deletion, parse

# Generated once with random.randrange(1 << 30, 1 << 31), like the other note type ids: never change it.
CLOZE_MODEL_ID = 1584048783
CLOZE_MODEL_NAME = "Flashcards: Cloze"
CLOZE_FIELDS = ("Text", "Source", "Entry ID")
CLOZE_TEMPLATE_NAME = "Cloze"

_BRACES = {"{": "&#123;", "}": "&#125;", ":": "&#58;"}
# Anki's cloze styling, in our colours; only this note type has it (the others' CSS stays as it was,
# so their notes are not re-stamped).
CLOZE_CSS = """
.cloze { font-weight: 700; color: #0550ae; }
.nightMode .cloze, .night_mode .cloze { color: #79c0ff; }
"""


def _literal(text: str, field_html) -> str:
    html = field_html(text)
    return "".join(_BRACES.get(ch, ch) for ch in html)


def cloze_field(text: str, field_html) -> str:
    """The *Text* field of a cloze entry's note: ``{{cN::answer[::hint]}}`` per deletion, the rest
    literal. ``field_html`` is ``anki.field_html`` (escapes HTML and Anki's own markup)."""
    out = []
    for part in parse(text):
        if isinstance(part, Deletion):
            hint = f"::{_literal(part.hint, field_html)}" if part.hint else ""
            out.append(f"{{{{c{part.number}::{_literal(part.answer, field_html)}{hint}}}}}")
        else:
            out.append(_literal(part, field_html))
    return "".join(out)


def cloze_templates(card_class: str, source_html: str) -> list[dict]:
    """The one template of a cloze note type: the text blanked, then the text with the answer, and
    the Source (``source_html``, the same block the other note types end with)."""
    text = '<div class="prompt">{{cloze:Text}}</div>'
    return [{
        "name": CLOZE_TEMPLATE_NAME,
        "qfmt": f'<div class="{card_class}">{text}</div>',
        "afmt": f'<div class="{card_class}">{text}{source_html}</div>',
    }]
