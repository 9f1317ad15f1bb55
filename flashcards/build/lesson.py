"""One lesson file: read, split into sections, each section handed to the reader of its shape."""

from __future__ import annotations

from operator import attrgetter
from pathlib import Path
from typing import Optional

from ..errors import BuildError
from ..text import describe, hazard, nfc, strip_hazards
from ._text import _UNPRINTABLE, _sentences
from .analogs import _MENTIONS_ANALOGY, _Analogs, _find_mapping
from .document import _HEADING_NUMBER, _LESSON_TITLE, _analog_heading, _heading_like, _scan, _Unit
from .fields import _TermSections
from .results import Skipped, _Draft
from .tables import _PhraseTables


MAX_LESSON_BYTES = 16 * 2**20  # a lesson document is a few kB; refuse what cannot be one


class _Lesson(_TermSections, _PhraseTables, _Analogs):
    """One lesson: its units, its sections, the entries found and what was not placed."""

    def __init__(self, path: Path):
        self.path = path
        self.label = str(path)
        self.source = path.name
        try:
            if not path.exists():
                raise BuildError(f"{path}: no such file")
            if not path.is_file():  # a folder, or a FIFO that would block the read forever
                raise BuildError(f"{path}: not a regular file")
            if path.stat().st_size > MAX_LESSON_BYTES:
                raise BuildError(f"{path}: larger than {MAX_LESSON_BYTES // 2**20} MB; not a lesson document")
            text = path.read_text(encoding="utf-8-sig")
        except UnicodeDecodeError as exc:
            raise BuildError(
                f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
        except OSError as exc:
            raise BuildError(f"{path}: cannot read: {exc.strerror or exc}") from None
        self.skipped: list[Skipped] = []
        self.unused: list[Skipped] = []  # prose sections (or their paragraphs) no entry uses
        text = self._printable(text)
        self.units = _scan(text)
        self.terms: list[_Draft] = []
        self.phrases: list[_Draft] = []
        self.analogs: list[_Draft] = []
        self.title, self.title_unit = self._find_title()
        sections = self._sections()
        self.headings = [h for h, _ in sections if h is not None]
        self.term_headings = [h for h, body in sections if self._is_term_section(h, body)]
        self.term_names = [(h.line, self._term_name(h)) for h in self.term_headings]
        for heading, body in sections:
            self._section(heading, body)
        self.skipped.sort(key=lambda s: s.line)

    def _printable(self, text: str) -> str:
        """The text in NFC without characters a deck cannot hold (``text.hazard``: control, bidi,
        zero-width and other invisible characters; and what a YAML file cannot hold), reported."""
        text = nfc(text)
        removed = sorted(set(strip_hazards(text)[1]) | {(m.start(), m.group()) for m in _UNPRINTABLE.finditer(text)})
        if not removed:
            return text
        drop = {i for i, _ in removed}
        cleaned = "".join(ch for i, ch in enumerate(text) if i not in drop)
        index, first = removed[0]
        line = text.count("\n", 0, index) + 1
        count = len(removed)
        if all(hazard(ch) == "a control character" for _, ch in removed):
            what = f"{count} control character{'s' if count != 1 else ''}"
        else:
            what = (f"{count} control, bidi or invisible character{'s' if count != 1 else ''} "
                    f"(the first {describe(first)})")
        self.skip(line, f"removed {what} (a deck cannot hold them)")
        return cleaned

    def drafts(self) -> list[_Draft]:
        by_line = attrgetter("line")
        return sorted(self.terms, key=by_line) + sorted(self.phrases, key=by_line) \
            + sorted(self.analogs, key=by_line)

    def skip(self, line: int, reason: str) -> None:
        self.skipped.append(Skipped(self.label, line, reason))

    # -- structure --

    def _find_title(self) -> tuple[Optional[str], Optional[_Unit]]:
        first = self.units[0] if self.units else None
        if first is not None and first.kind == "text" and _LESSON_TITLE.match(first.text) \
                and len(first.text.split()) <= 15:  # Word's bold title paragraph, then "# 1. Term"
            return first.text, first
        for unit in self.units:
            if unit.kind == "heading" and unit.level == 1 and not _HEADING_NUMBER.match(unit.text):
                return unit.text, unit
        if first is not None and first.kind == "text" and _heading_like(first.text) \
                and first.label is None and not _analog_heading(first.text) \
                and not (len(self.units) > 1 and self.units[1].kind == "field"):
            return first.text, first
        for unit in self.units:
            if unit.kind in ("text", "heading") and _LESSON_TITLE.match(unit.text) \
                    and len(unit.text.split()) <= 15:
                return unit.text, unit
        return None, None

    def _is_heading(self, unit: _Unit) -> bool:
        if unit.kind == "heading":
            return True
        return unit.kind == "text" and unit.label is None and _heading_like(unit.text)

    def _sections(self) -> list[tuple[Optional[_Unit], list[_Unit]]]:
        sections: list[tuple[Optional[_Unit], list[_Unit]]] = [(None, [])]
        for unit in self.units:
            if self._is_heading(unit):
                sections.append((unit, []))
            else:
                sections[-1][1].append(unit)
        return sections

    def _is_term_section(self, heading: Optional[_Unit], body: list[_Unit]) -> bool:
        return heading is not None and heading is not self.title_unit \
            and any(u.kind == "field" for u in body)

    def _section(self, heading: Optional[_Unit], body: list[_Unit]) -> None:
        if self._is_term_section(heading, body):
            self._term_section(heading, body)
            return
        if heading is not None and heading is not self.title_unit:
            analog = _analog_heading(heading.text)
            if analog is not None:
                self._analog_section(heading, body, analog[1])
                return
        unused = []
        for unit in body:
            if unit.kind == "field":
                self.skip(unit.line,
                          f"'{unit.label}' field is not under a heading naming a concept; not used")
                continue
            before = self._progress()
            self._loose(unit)
            if unit.kind == "text" and self._progress() == before:  # neither used nor reported
                unused.append(unit)
        if unused:
            self._report_unused(heading, body, unused)

    def _progress(self) -> tuple[int, int, int]:
        return len(self.skipped), len(self.phrases), len(self.analogs)

    def _report_unused(self, heading: Optional[_Unit], body: list[_Unit], unused: list[_Unit]) -> None:
        """One note per section for its prose that no entry uses, with its lines."""
        if heading is None:
            name = "text before the first heading"
        elif heading is self.title_unit:
            name = f"text under the title '{heading.text}'"
        else:
            name = f"section '{heading.text}'"
        n = len(unused)
        lines = ", ".join(str(u.line) for u in unused)
        paragraphs = f"{n} paragraph{'s' if n != 1 else ''}"
        where = f"line{'s' if n != 1 else ''} {lines}"
        if len(unused) == len(body):
            line = heading.line if heading is not None else unused[0].line
            reason = f"{name} ({paragraphs}, {where}): no entry uses it"
        else:
            line = unused[0].line
            reason = f"{name}: {paragraphs} no entry uses ({where})"
        self.unused.append(Skipped(self.label, line, reason))

    def _loose(self, unit: _Unit, *, where: Optional[str] = None) -> None:
        """A table, or a paragraph outside a term's fields: an analogy, or reported if it
        looks like one (or always, with ``where`` as the reason)."""
        if unit.kind == "table":
            self._table(unit)
            return
        if self._inline_analog(unit):
            return
        if where is not None:
            self.skip(unit.line, where)
        elif _MENTIONS_ANALOGY.search(unit.text):
            mapping = _find_mapping(_sentences(unit.text))
            if mapping is None:
                self.skip(unit.line, "mentions an analogy but no sentence says what is compared "
                                     "with what (e.g. 'X is analogous to Y'); not used")
            else:
                self.skip(unit.line, f"analogy '{mapping.analog}' says neither where it holds nor "
                                     "where it breaks; not used")

    # -- terms --
