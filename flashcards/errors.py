"""Exceptions raised by the library. The CLI turns them into one-line messages."""

from __future__ import annotations

from dataclasses import dataclass


class FlashcardsError(Exception):
    """Base class for every error the library raises on purpose."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a deck file, located to a line (1-based, 0 when unknown)."""

    path: str
    line: int
    message: str

    def __str__(self) -> str:
        if self.line:
            return f"{self.path}:{self.line}: {self.message}"
        return f"{self.path}: {self.message}"


class DeckError(FlashcardsError):
    """One or more deck files are invalid. ``problems`` lists every problem found."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class StoreError(FlashcardsError):
    """The database is missing, corrupt, too new, or refuses an operation."""


class QuizError(FlashcardsError):
    """A quiz cannot be built, taken or scored as asked."""


class BuildError(FlashcardsError):
    """A lesson document cannot be turned into a deck."""


class ExportError(FlashcardsError):
    """An export (Anki package, LMS file) cannot be written."""
