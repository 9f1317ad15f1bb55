"""Lesson documents -> draft decks.

``build_deck`` reads lesson documents (plain text or Markdown) and pulls out
the three kinds of deck entry:

- terms: a heading naming a concept, followed by labelled fields ("What it
  is", "What it does", "Who's behind it", "What makes it distinct", or close
  variants; plain or bold labels, one per line or as list items);
- phrases: every row of a table whose header has "Don't say" and "Do say"
  columns (and "Why it matters");
- analogs: a section headed like "Okta Analog: TITLE" or "... Concept
  Mapping", or a paragraph that draws an analogy ("X is analogous to Y ...
  The analog breaks on ..."), split into where it holds and where it breaks.

What looks like card material but cannot be placed is reported as a
``Skipped`` note with its line; nothing is invented (a missing "why" or
breaking point stays missing). ``deck_to_yaml`` writes the deck in the
documented deck format, which ``flashcards.decks.parse_deck`` reads back.

Entry ids come from content that survives edits: the term's name, the first
words of the don't-say line, the analog's concept and title. When two entries
would get the same id, later ones get a short hash of that key and the lesson
file name, so rebuilding the same lessons in the same order gives the same ids.
"""

from __future__ import annotations

from .deck_yaml import deck_to_yaml
from .merge import build_deck, draft_header
from ._text import slugify
from .results import BuildResult, LessonSummary, Skipped

__all__ = [
    "BuildResult", "LessonSummary", "Skipped",
    "build_deck", "deck_to_yaml", "draft_header", "slugify",
]
