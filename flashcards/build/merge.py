"""Lessons -> one draft deck: read each lesson, merge exact duplicates, give entries ids."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Optional, Sequence, Union

from ..decks import ENTRY_KINDS, ID_PATTERN, ID_RULE
from ..errors import BuildError
from ..model import Deck
from ..prerequisites import suggested_uses
from ._text import slugify
from .lesson import _Lesson
from .results import BuildResult, LessonSummary, Skipped, _Draft, _unique_id


def build_deck(
    lessons: Sequence[Union[str, Path]],
    *,
    deck_id: Optional[str] = None,
    name: Optional[str] = None,
) -> BuildResult:
    """Read lesson files and merge what they teach into one draft deck.

    The deck's name is ``name``, else the first lesson title found (a Markdown
    H1, a title-like first line, or a "Lesson N: ..." line); its id is
    ``deck_id``, else a slug of the name. Raises ``BuildError`` if a file
    cannot be read or ``deck_id`` is not a valid id.
    """
    if not lessons:
        raise BuildError("no lesson files given")
    if deck_id is not None and not ID_PATTERN.match(deck_id):
        raise BuildError(f"deck id '{deck_id}' is not a valid id ({ID_RULE})")
    readers = [_Lesson(Path(p)) for p in lessons]

    title = next((r.title for r in readers if r.title), None)
    name = name.strip() if name and name.strip() else title
    if deck_id is None and name:
        deck_id = slugify(name, max_chars=60) or None
    if name is None or deck_id is None:
        first = readers[0]
        first.skipped.insert(0, Skipped(
            first.label, 0,
            "no title found (a Markdown '# Title', a title-like first line or a "
            f"'Lesson N: ...' line); the deck is named after {first.path.name}: "
            "use --id and --name",
        ))
        name = name or first.path.stem
        deck_id = deck_id or slugify(first.path.stem, max_chars=60) or "lesson"

    drafts: dict[str, list[_Draft]] = {kind: [] for kind in ENTRY_KINDS}
    seen: dict[tuple, _Draft] = {}
    merged = 0
    for reader in readers:
        for draft in reader.drafts():
            key = (draft.kind, tuple(draft.values.items()))
            if key in seen:
                merged += 1
                if reader.source not in seen[key].sources:
                    seen[key].sources.append(reader.source)
                continue
            seen[key] = draft
            drafts[draft.kind].append(draft)

    used: set[str] = set()
    entries: dict[str, list] = {}
    for kind, kind_drafts in drafts.items():
        cls = ENTRY_KINDS[kind][0]
        entries[kind] = [
            cls(id=_unique_id(d, used), source=", ".join(d.sources), **d.values)
            for d in kind_drafts
        ]

    sources = list(dict.fromkeys(r.source for r in readers))
    deck = Deck(
        id=deck_id, name=name, source=", ".join(sources),
        terms=tuple(entries["terms"]), phrases=tuple(entries["phrases"]),
        analogs=tuple(entries["analogs"]),
    )
    deck = _with_uses(deck)
    summaries = tuple(
        LessonSummary(
            path=r.label, title=r.title, terms=len(r.terms), phrases=len(r.phrases),
            analogs=len(r.analogs), skipped=len(r.skipped), unused=len(r.unused),
        )
        for r in readers
    )
    skipped = tuple(s for r in readers for s in r.skipped)
    unused = tuple(s for r in readers for s in sorted(r.unused, key=lambda s: s.line))
    return BuildResult(deck=deck, lessons=summaries, skipped=skipped, duplicates_merged=merged,
                       unused=unused)


def _with_uses(deck: Deck) -> Deck:
    """Each entry's ``uses:``: the terms of the deck its text names (``prerequisites``), so review
    introduces them first. The reviewer of the draft corrects the lists."""
    uses = suggested_uses(deck)
    if not uses:
        return deck

    def filled(items):
        return tuple(replace(e, uses=uses[e.id]) if e.id in uses else e for e in items)

    return replace(deck, terms=filled(deck.terms), phrases=filled(deck.phrases), analogs=filled(deck.analogs))


def draft_header(result: BuildResult) -> str:
    """Comment text for the top of a built deck: where it came from and what was not placed."""
    lines = [
        "Draft deck written by `flash build` from: "
        + ", ".join(s.path for s in result.lessons),
        "Review every entry against the lesson, then `flash validate` and `flash import` it.",
    ]
    if result.skipped:
        lines.append("Not placed in any entry (check these in the lesson):")
        lines.extend(f"  {s}" for s in result.skipped)
    if result.unused:
        lines.append("Prose no entry uses (add cards for what matters, or leave it out):")
        lines.extend(f"  {s}" for s in result.unused)
    return "\n".join(lines)
