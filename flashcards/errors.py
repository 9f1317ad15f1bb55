"""Exceptions raised by the library. The CLI turns them into one-line messages."""

from __future__ import annotations

from dataclasses import dataclass

from .text import inert  # also imported from here by the CLI and the store


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
            return inert(f"{self.path}:{self.line}: {self.message}")
        return inert(f"{self.path}: {self.message}")


class DeckError(FlashcardsError):
    """One or more deck files are invalid. ``problems`` lists every problem found."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class SourceError(FlashcardsError):
    """A source document given to ``flash lint --sources`` cannot be read."""


class StoreError(FlashcardsError):
    """The database is missing, corrupt, too new, or refuses an operation."""


class DatabaseBusyError(StoreError):
    """Another process held the database's write lock for longer than we wait."""


class DatabaseWriteError(StoreError):
    """The database cannot be written: read-only file or folder, full disk, I/O error."""


class DatabaseDamagedError(StoreError):
    """The database file is corrupt; nothing is written into it."""


class SchemaMismatchError(StoreError):
    """The file's tables, columns, indexes or triggers are not what its schema version builds.
    ``found`` lists the differences ('missing table decks', 'extra index x', ...)."""

    def __init__(self, message: str, found=()):
        super().__init__(message)
        self.found = list(found)


class WalFaultError(StoreError):
    """The database's -wal or -shm file is missing, cut short or unreadable (the main file may be sound)."""


class GradeRefusedError(StoreError):
    """A grade or an undo that would be wrong now (the card changed since it was shown)."""


class QuizError(FlashcardsError):
    """A quiz cannot be built, taken or scored as asked."""


class BuildError(FlashcardsError):
    """A lesson document cannot be turned into a deck."""


class ExportError(FlashcardsError):
    """An export (Anki package, LMS file) cannot be written."""
