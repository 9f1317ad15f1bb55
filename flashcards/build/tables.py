"""Phrases: every row of a table with "Don't say", "Do say" and "Why it matters" columns."""

from __future__ import annotations

import re

from ._text import _fold, _unquote, slugify
from .document import _Unit
from .results import _Draft


class _PhraseTables:
    """The ``_Lesson`` method that reads a phrase table."""

    def _table(self, unit: _Unit) -> None:
        (header_line, header), rows = unit.rows[0], unit.rows[1:]
        columns: dict[str, int] = {}
        for index, cell in enumerate(header):
            text = _fold(cell).strip(" :.")
            if re.match(r"^(?:don't|do not|never)\s+say\b|^avoid(?: saying)?$|^instead of$",
                        text):
                columns.setdefault("dont_say", index)
            elif re.match(r"^do say\b|^(?:say instead|say this|instead,? say|try saying|say)$",
                          text):
                columns.setdefault("do_say", index)
            elif re.match(r"^why\b|^reason\b|^rationale\b", text):
                columns.setdefault("why", index)
        count = f"{len(rows)} row{'s' if len(rows) != 1 else ''}"
        if "dont_say" not in columns or "do_say" not in columns:
            if "dont_say" in columns:
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
        for line, cells in rows:
            values = {key: _unquote(cells[index]) if index < len(cells) else ""
                      for key, index in columns.items()}
            missing = [label for key, label in (("dont_say", "Don't say"), ("do_say", "Do say"),
                                                ("why", "Why it matters")) if not values[key]]
            if missing:
                self.skip(line, f"phrase row has no '{missing[0]}' text; not used")
                continue
            values = {key: values[key] for key in ("dont_say", "do_say", "why")}
            base = "dont-say-" + (slugify(values["dont_say"], max_words=4) or "phrase")
            self.phrases.append(
                _Draft("phrases", line, values, base, _fold(values["dont_say"]), [self.source]))

    # -- analogs --
