"""Phrases: every row of a table with "Don't say" (or "The buyer says"), "Do say" and "Why it
matters" columns.

Lessons often head a column "Don't say" and fill it with what the buyer says ("How much does
training cost?", "We own the model"): a line in the buyer's voice (we/our, or a question) that
is not addressed to "you" becomes ``buyer_says``, and the table's line reports how many did.
"""

from __future__ import annotations

import re

from ._text import _fold, _unquote, slugify
from .document import _Unit
from .results import _Draft

_DONT_SAY_HEADER = re.compile(r"^(?:don't|do not|never)\s+say\b|^avoid(?: saying)?$|^instead of$")
_BUYER_HEADER = re.compile(
    r"^(?:(?:when|if)\s+)?(?:the\s+|a\s+|your\s+)?(?:buyer|customer|prospect|client)(?:\s+says?|'s line)?$"
    r"|^(?:when|if)\s+they\s+say$|^they say$|^buyer line$|^what the (?:buyer|customer) says$")
_DO_SAY_HEADER = re.compile(r"^do say\b|^(?:say instead|say this|instead,? say|try saying|say|you say|answer|reply)$")
_SECOND_PERSON = re.compile(r"\b(?:you|your|yours|yourself|you'd|you're|you'll|you've|y'all)\b")
# The buyer's voice: "our data", "we want", "we own", "can we"; never "we can"/"we could", a
# vendor's offer that an AE makes.
_BUYER_VOICE = re.compile(
    r"\b(?:our|ours|us|ourselves)\b|\bwe(?:'re|'ve)\b"
    r"|\bwe\s+(?:(?:really\s+|just\s+|already\s+|also\s+)?(?:want|need|own|have|don't|do not|are|were|use|"
    r"plan|tried|think|heard|already|just))\b")


def reads_as_buyer(line: str) -> bool:
    """Whether a "Don't say" line is in the buyer's voice: it speaks as the buyer ("our data",
    "we want", "we own") or asks a question, and is not addressed to "you" (an AE's line to a
    buyer says "you"; an AE's offer says "we can")."""
    folded = _fold(line)
    if _SECOND_PERSON.search(folded):
        return False
    return bool(_BUYER_VOICE.search(folded)) or folded.rstrip(" \"'.").endswith("?")


def _lines(lines: list[int]) -> str:
    return ", ".join(map(str, lines))


class _PhraseTables:
    """The ``_Lesson`` method that reads a phrase table."""

    def _table(self, unit: _Unit) -> None:
        (header_line, header), rows = unit.rows[0], unit.rows[1:]
        columns: dict[str, int] = {}
        for index, cell in enumerate(header):
            text = _fold(cell).strip(" :.")
            if _DONT_SAY_HEADER.match(text):
                columns.setdefault("dont_say", index)
            elif _BUYER_HEADER.match(text):
                columns.setdefault("buyer_says", index)
            elif _DO_SAY_HEADER.match(text):
                columns.setdefault("do_say", index)
            elif re.match(r"^why\b|^reason\b|^rationale\b", text):
                columns.setdefault("why", index)
        cue = "buyer_says" if "buyer_says" in columns and "dont_say" not in columns else "dont_say"
        cue_label = "The buyer says" if cue == "buyer_says" else "Don't say"
        count = f"{len(rows)} row{'s' if len(rows) != 1 else ''}"
        if cue not in columns or "do_say" not in columns:
            if cue in columns:
                what = "no 'Do say' column"
            elif "do_say" in columns:
                what = "no 'Don't say' column"
            else:
                what = "not a phrase table (no 'Don't say' and 'Do say' columns)"
            self.skip(header_line, f"table: {what}; its {count} not used")
            return
        if "why" not in columns:
            self.skip(header_line, "phrase table has no 'Why it matters' column "
                                   f"(a phrase needs one); its {count} not used")
            return
        buyer_lines = []
        for line, cells in rows:
            values = {key: _unquote(cells[index]) if index < len(cells) else ""
                      for key, index in columns.items() if key in (cue, "do_say", "why")}
            missing = [label for key, label in ((cue, cue_label), ("do_say", "Do say"),
                                                ("why", "Why it matters")) if not values[key]]
            if missing:
                self.skip(line, f"phrase row has no '{missing[0]}' text; not used")
                continue
            said = values[cue]
            if cue == "buyer_says" or reads_as_buyer(said):
                if cue == "dont_say":
                    buyer_lines.append(line)
                values = {"buyer_says": said, "do_say": values["do_say"], "why": values["why"]}
                base = "buyer-" + (slugify(said, max_words=5) or "line")
            else:
                values = {"dont_say": said, "do_say": values["do_say"], "why": values["why"]}
                base = "dont-say-" + (slugify(said, max_words=4) or "phrase")
            self.phrases.append(_Draft("phrases", line, values, base, _fold(said), [self.source]))
        if buyer_lines:
            n = len(buyer_lines)
            self.skip(header_line, f"{n} of the table's {count} under 'Don't say' read as the buyer's "
                                   "line (our/we want/a question, not said to 'you'): written as "
                                   f"buyer_says, check them (line{'s' if n != 1 else ''} "
                                   f"{_lines(buyer_lines)})")
