"""What a build returns (``BuildResult``, ``LessonSummary``, ``Skipped``) and the
entries found before they have ids."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Optional

from ..model import Deck


@dataclass(frozen=True)
class Skipped:
    """Something in a lesson that did not become (all of) an entry.

    ``line`` is 1-based, 0 for the whole file.
    """

    path: str
    line: int
    reason: str

    def __str__(self) -> str:
        if self.line:
            return f"{self.path}:{self.line}: {self.reason}"
        return f"{self.path}: {self.reason}"


@dataclass(frozen=True)
class LessonSummary:
    """What one lesson contributed, before duplicates across lessons were merged."""

    path: str
    title: Optional[str]
    terms: int
    phrases: int
    analogs: int
    skipped: int
    unused: int = 0  # prose sections with paragraphs no entry uses


@dataclass(frozen=True)
class BuildResult:
    deck: Deck
    lessons: tuple[LessonSummary, ...]
    skipped: tuple[Skipped, ...]
    duplicates_merged: int = 0
    # Prose no entry uses: one note per section, at its heading's line (or its first
    # unused paragraph's), naming the paragraphs' lines.
    unused: tuple[Skipped, ...] = ()

    @property
    def terms(self) -> int:
        return len(self.deck.terms)

    @property
    def phrases(self) -> int:
        return len(self.deck.phrases)

    @property
    def analogs(self) -> int:
        return len(self.deck.analogs)


# -- entries before they have ids --------------------------------------------


@dataclass
class _Draft:
    kind: str  # "terms", "phrases" or "analogs"
    line: int
    values: dict  # the entry's text fields, in ENTRY_KINDS order
    base_id: str
    id_key: str  # what the id is derived from (never the changeable text)
    sources: list = field(default_factory=list)


def _unique_id(draft: _Draft, used: set[str]) -> str:
    entry_id = draft.base_id
    if entry_id in used:
        key = f"{draft.id_key}\0{draft.sources[0]}".encode("utf-8")
        digest = hashlib.sha1(key).hexdigest()[:6]
        entry_id = f"{draft.base_id}-{digest}"
        n = 2
        while entry_id in used:
            entry_id = f"{draft.base_id}-{digest}-{n}"
            n += 1
    used.add(entry_id)
    return entry_id
