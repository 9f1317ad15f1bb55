"""Cloze text: ``{{...}}`` deletions in an entry's ``text``, read and shown.

A cloze entry's text holds one or more deletions, each ``{{answer}}`` or
``{{answer::hint}}``. Each deletion is one card, numbered by its place in the
text (the first deletion is card ``c1``, the second ``c2``, ...): the card's
front shows the text with that deletion blanked as ``[...]`` (or ``[hint]``)
and every other deletion filled in; its back is the deleted text.

The rules a text must meet (``parse`` raises ``ClozeSyntaxError`` with the
offending character's index, so the deck reader can name its line):

- at least one deletion, at most ``MAX_DELETIONS``;
- ``{{`` opens a deletion, ``}}`` closes it; no ``{{`` inside a deletion (no nesting),
  no ``}}`` outside one, no deletion left open;
- a deletion's answer is not empty; a hint, when ``::`` is written, is not empty either;
  at most one ``::`` per deletion.

Plain data, no I/O: used by the deck model, lint, the Anki export and the quiz.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional, Union

__all__ = ["MAX_DELETIONS", "BLANK", "ClozeSyntaxError", "Deletion", "parse", "blanked", "filled",
           "card_suffix", "card_number"]

# One fact per card: a text with more deletions than this is a list, better split into entries.
MAX_DELETIONS = 10
BLANK = "[...]"
OPEN, CLOSE, HINT = "{{", "}}", "::"
_SUFFIX = "c"  # a cloze card's id ends in c1, c2, ...: the number Anki's Cloze note type uses too


class ClozeSyntaxError(ValueError):
    """A cloze text that breaks a rule; ``index`` is where, in the text."""

    def __init__(self, message: str, index: int = 0):
        super().__init__(message)
        self.message = message
        self.index = index


@dataclass(frozen=True)
class Deletion:
    answer: str
    hint: Optional[str] = None
    number: int = 1  # 1 for the text's first deletion


Part = Union[str, Deletion]


def parse(text: str) -> tuple[Part, ...]:
    """``text`` as literal pieces and deletions, in order. Raises ``ClozeSyntaxError``."""
    parts: list[Part] = []
    position = 0
    number = 0
    while True:
        start = text.find(OPEN, position)
        stray = text.find(CLOSE, position)
        if stray != -1 and (start == -1 or stray < start):
            raise ClozeSyntaxError(f"'}}}}' without an opening '{{{{' (near \"{_near(text, stray)}\")", stray)
        if start == -1:
            break
        end = text.find(CLOSE, start + len(OPEN))
        nested = text.find(OPEN, start + len(OPEN))
        if end == -1:
            raise ClozeSyntaxError(f"deletion opened with '{{{{' is never closed with '}}}}' "
                                   f"(near \"{_near(text, start)}\")", start)
        if nested != -1 and nested < end:
            raise ClozeSyntaxError(f"a deletion inside a deletion: '{{{{' within '{{{{...}}}}' "
                                   f"(near \"{_near(text, nested)}\"); nested deletions are not allowed", nested)
        number += 1
        if number > MAX_DELETIONS:
            raise ClozeSyntaxError(f"more than {MAX_DELETIONS} deletions: one fact per card; "
                                   "split the text into several entries", start)
        inner = text[start + len(OPEN):end]
        parts.append(text[position:start])
        parts.append(_deletion(inner, number, start))
        position = end + len(CLOSE)
    parts.append(text[position:])
    if number == 0:
        raise ClozeSyntaxError("no deletion: mark what the learner recalls with {{...}}, "
                               "e.g. \"RAG retrieves {{documents}} at query time\"", 0)
    return tuple(p for p in parts if not isinstance(p, str) or p)


def _deletion(inner: str, number: int, index: int) -> Deletion:
    answer, sep, hint = inner.partition(HINT)
    if HINT in hint:
        raise ClozeSyntaxError(f"deletion {number} has more than one '::' (write {{{{answer::hint}}}})", index)
    if not answer.strip():
        raise ClozeSyntaxError(f"deletion {number} is empty: write the text to recall between '{{{{' and '}}}}'",
                               index)
    if sep and not hint.strip():
        raise ClozeSyntaxError(f"deletion {number} has an empty hint after '::' (drop the '::' or write a hint)",
                               index)
    return Deletion(" ".join(answer.split()), " ".join(hint.split()) if sep else None, number)


def _near(text: str, index: int, width: int = 24) -> str:
    piece = " ".join(text[index:index + width].split())
    return piece.replace('"', "'")


def deletions(parts: tuple[Part, ...]) -> list[Deletion]:
    return [p for p in parts if isinstance(p, Deletion)]


def blanked(parts: tuple[Part, ...], number: int, blank: str = BLANK) -> str:
    """The front of card ``number``: that deletion as ``[...]`` (``[hint]``), the others filled in.

    ``blank`` is what stands for a deletion without a hint (the quiz writes ``____``)."""
    out = []
    for part in parts:
        if isinstance(part, str):
            out.append(part)
        elif part.number == number:
            out.append(f"[{part.hint}]" if part.hint else blank)
        else:
            out.append(part.answer)
    return "".join(out)


def filled(parts: tuple[Part, ...]) -> str:
    """The text with every deletion filled in (what the entry says)."""
    return "".join(p if isinstance(p, str) else p.answer for p in parts)


def card_suffix(number: int) -> str:
    """The last part of a cloze card's id: ``c1`` for the first deletion."""
    return f"{_SUFFIX}{number}"


def card_number(suffix: str) -> Optional[int]:
    """``c3`` -> 3; None for anything else (the suffix of a card of another kind)."""
    if suffix.startswith(_SUFFIX) and suffix[1:].isdigit() and not suffix[1:].startswith("0"):
        return int(suffix[1:])
    return None
