"""Unicode hygiene: the one definition of the characters that text from outside may not carry.

Three uses, one list of characters:

- ``find_hazard`` for input that is refused (deck files: ``decks``): control characters, bidi
  controls (U+202A-202E, U+2066-2069, U+200E/200F, U+061C), zero-width characters (U+200B-200D,
  U+2060, U+FEFF) and the other invisible format characters and fillers. ``nfc`` is the
  normalisation that is always safe for such text (canonical equivalents only: a composed and a
  decomposed ``é`` become one; ``²`` stays ``²``, which NFKC would turn into ``2``).
- ``strip_hazards`` for input that is cleaned and reported (lesson files: ``build``), and
  ``clean_text`` for names and other text shown or compared (the quiz roster, answer files, the
  server's pages, CSV): NFKC, hazards removed, controls to spaces.
- ``inert`` for messages that quote hostile input: each hazard written as ``\\xNN`` or ``\\uNNNN``,
  so a message can neither act on a terminal nor show text in an order other than stored.

Plain functions over ``str``; no I/O.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Optional

BIDI_CONTROLS = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
ZERO_WIDTH = frozenset("\u200b\u200c\u200d\u2060\ufeff")
# invisible characters that are not format characters (letters and marks that draw nothing)
_FILLERS = frozenset("\u034f\u115f\u1160\u17b4\u17b5\u3164\uffa0")
# variation selectors: harmless in deck text (an emoji's presentation) but removed from names
_VARIATION_SELECTORS = re.compile("[\ufe00-\ufe0f]")
_ALLOWED_CONTROLS = "\t\n"
# anything outside printable ASCII, tab and newline: where a look starts (most text has none)
_SUSPECT = re.compile("[^\t\n\x20-\x7e]")


def hazard(ch: str) -> Optional[str]:
    """What kind of unwanted character ``ch`` is ("a bidi control", ...), or None if it is fine.

    Tab and newline are fine; every other control, format, line/paragraph separator,
    surrogate and invisible filler is not."""
    if ch.isprintable() and ch not in _FILLERS:  # the fast path: printable excludes Cc, Cf, Zl, Zp, Cs
        return None
    if ch in _ALLOWED_CONTROLS:
        return None
    if ch in BIDI_CONTROLS:
        return "a bidi control"
    if ch in ZERO_WIDTH:
        return "a zero-width character"
    category = unicodedata.category(ch)
    if category == "Cc":
        return "a control character"
    if category in ("Zl", "Zp"):
        return "a line separator"
    if category in ("Cf", "Cs") or ch in _FILLERS:
        return "an invisible character"
    return None  # e.g. a space other than U+0020 (isprintable() says no to those too)


def find_hazard(text: str) -> Optional[tuple[int, str, str]]:
    """The first unwanted character of ``text`` as ``(index, character, kind)``, or None."""
    start = _SUSPECT.search(text)
    if start is None:  # most deck text: nothing to look at
        return None
    for index in range(start.start(), len(text)):
        kind = hazard(text[index])
        if kind is not None:
            return index, text[index], kind
    return None


def describe(ch: str) -> str:
    """``'U+202E RIGHT-TO-LEFT OVERRIDE'`` (controls have no name in Unicode: just the number)."""
    name = unicodedata.name(ch, "")
    return f"U+{ord(ch):04X} {name}" if name else f"U+{ord(ch):04X}"


def nfc(text: str) -> str:
    """``text`` in Unicode NFC (cheap when it already is)."""
    if text.isascii() or unicodedata.is_normalized("NFC", text):
        return text
    return unicodedata.normalize("NFC", text)


def strip_hazards(text: str) -> tuple[str, list[tuple[int, str]]]:
    """``text`` without its unwanted characters (tab and newline kept), and what was removed as
    ``(index in text, character)``."""
    if _SUSPECT.search(text) is None:
        return text, []
    removed = [(i, ch) for i, ch in enumerate(text) if hazard(ch) is not None]
    if not removed:
        return text, []
    drop = {i for i, _ in removed}
    return "".join(ch for i, ch in enumerate(text) if i not in drop), removed


def clean_text(text: str, *, keep_newlines: bool = False) -> str:
    """``text`` safe to show anywhere and to compare: NFKC, no control/escape/zero-width characters.

    Control characters (C0, C1, DEL, the escape character) and line separators become spaces,
    so an ANSI escape sequence can never reach a terminal, CSV or HTML page; bidi controls,
    zero-width and other invisible characters are removed; runs of spaces collapse (newlines
    kept only with ``keep_newlines``).
    """
    text = _VARIATION_SELECTORS.sub("", unicodedata.normalize("NFKC", text or ""))
    out = []
    for ch in text:
        if ch.isprintable() and ch not in _FILLERS or ch == "\n" and keep_newlines:
            out.append(ch)
        elif unicodedata.category(ch) in ("Cc", "Zl", "Zp", "Cs", "Co", "Zs"):
            out.append(" ")  # a control, a line separator or a private-use character: a space
        elif hazard(ch) is None:
            out.append(ch)  # an unassigned code point
        # bidi, zero-width and other invisible characters: dropped
    text = "".join(out)
    if keep_newlines:
        return "\n".join(" ".join(line.split()) for line in text.split("\n")).strip()
    return " ".join(text.split())


def inert(text: str) -> str:
    """``text`` with control characters written as ``\\xNN`` and bidi, zero-width and other
    invisible characters as ``\\uNNNN``, so printing a message that quotes hostile input can
    neither act on the terminal nor reorder or hide what it shows. Tab and newline stay."""
    if _SUSPECT.search(text) is None:
        return text
    out = []
    for ch in text:
        if hazard(ch) is None:
            out.append(ch)
        else:
            code = ord(ch)
            out.append(f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}")
    return "".join(out)
