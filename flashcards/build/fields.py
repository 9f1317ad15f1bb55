"""Terms: a heading naming a concept, then labelled fields ("What it is: ...")."""

from __future__ import annotations

from typing import Optional

from ._text import slugify
from .document import FIELD_LABELS, _HEADING_NUMBER, _Unit
from .results import _Draft


class _TermSections:
    """The ``_Lesson`` methods that read a term's section."""

    @staticmethod
    def _term_name(heading: _Unit) -> str:
        # "1. AI Agent", "2) Tool call", "3.1 Scopes": exported documents number their headings
        return _HEADING_NUMBER.sub("", heading.text.rstrip(":").strip()).strip()

    def _term_section(self, heading: _Unit, body: list[_Unit]) -> None:
        name = self._term_name(heading)
        fields = [k for k, unit in enumerate(body) if unit.kind == "field"]
        first, last = fields[0], fields[-1]
        for unit in body[:first]:
            self._loose(unit,
                        where=f"text under '{name}' before its first labelled field; not used")

        parts: dict[str, list[str]] = {}
        lines: dict[str, int] = {}
        labels: dict[str, str] = {}
        current: Optional[str] = None
        for unit in body[first:last + 1]:
            if unit.kind == "field":
                if unit.key in parts:
                    self.skip(unit.line, f"second '{unit.label}' field under '{name}' "
                                         f"(first at line {lines[unit.key]}); not used")
                    current = None
                else:
                    parts[unit.key] = [unit.text] if unit.text else []
                    lines[unit.key], labels[unit.key] = unit.line, unit.label
                    current = unit.key
            elif unit.kind == "table":
                self._table(unit)
                current = None
            elif self._inline_analog(unit):
                current = None
            elif unit.label is not None:
                self.skip(unit.line, f"unrecognised field '{unit.label}' under '{name}'; not used")
                current = None
            elif current is not None:
                parts[current].append(unit.text)  # a further paragraph of the field above
            else:
                self.skip(unit.line, f"text under '{name}' after an unused field; not used")
        for k, unit in enumerate(body[last + 1:]):
            if k == 0 and unit.kind == "text" and unit.label is None and current is not None \
                    and not parts[current]:
                parts[current].append(unit.text)  # the last label stood alone on its line
            elif unit.kind == "text" and unit.label is not None:
                self.skip(unit.line, f"unrecognised field '{unit.label}' under '{name}'; not used")
            else:
                self._loose(unit, where=f"paragraph after the fields of '{name}' is not a "
                                        "labelled field; not used")

        values = {"term": name}
        for key in FIELD_LABELS:
            text = "\n\n".join(parts.get(key, []))
            if text:
                values[key] = text
            elif key in parts:
                self.skip(lines[key], f"'{labels[key]}' field under '{name}' is empty; not used")
        if "definition" not in values:
            self.skip(heading.line, f"term '{name}' has no 'What it is' field "
                                    "(a term needs a definition); not used")
            return
        base = slugify(name, max_words=6) or "term"
        self.terms.append(_Draft("terms", heading.line, values, base, name, [self.source]))

    # -- phrases --
