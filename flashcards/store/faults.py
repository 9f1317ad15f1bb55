"""SQLite failures as one-line messages that say what they mean for the user."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from typing import Optional

from ..errors import DatabaseBusyError, DatabaseDamagedError, DatabaseWriteError, StoreError, WalFaultError

__all__ = ["damaged_message", "one_line", "store_error"]


def one_line(detail: str) -> str:
    """An SQLite check result on one line, without its "*** in database main ***" header."""
    parts = [p.strip() for p in detail.replace("*** in database main ***", "").splitlines()]
    return "; ".join(p for p in parts if p)


def damaged_message(path: Path, detail: str) -> str:
    return (f"{path} is damaged ({detail}); nothing was written to it. Restore your latest backup "
            f"(made with 'flash db backup FILE') by copying it over {path}; 'flash db check' shows details")


_ERROR_KINDS = (  # (primary SQLite result code, words in the message) -> kind
    ("busy", (5, 6), ("database is locked", "database table is locked", "database is busy")),
    ("readonly", (8,), ("readonly database", "read-only")),
    ("full", (13,), ("database or disk is full",)),
    ("damaged", (11, 26), ("malformed", "file is not a database", "corrupt")),
    ("io", (10,), ("disk i/o error",)),
    ("cantopen", (14,), ("unable to open database",)),
)


def _error_kind(exc: sqlite3.Error) -> str:
    code = getattr(exc, "sqlite_errorcode", None)  # Python 3.11+
    text = str(exc).lower()
    for kind, codes, words in _ERROR_KINDS:
        if (code is not None and code & 0xFF in codes) or any(w in text for w in words):
            return kind
    return "other"


def store_error(exc: sqlite3.Error, path: Path, doing: str = "use", *, waited: Optional[float] = None) -> StoreError:
    """A one-line ``StoreError`` saying what an SQLite failure means for the user."""
    from .wal import describe_holders, wal_fault

    kind = _error_kind(exc)
    if kind == "busy":
        how_long = f" for {waited:g} s" if waited else ""
        who = describe_holders(path)
        return DatabaseBusyError(
            f"{path} is locked by another process writing to it{f' ({who})' if who else ''} (waited{how_long}); "
            f"try again when it has finished"
        )
    if kind in ("io", "damaged"):  # a -wal deleted or cut short under a running session looks like this
        try:
            wal_fault(path)
        except WalFaultError as fault:
            return fault
    if kind == "readonly":
        folder = path.parent
        if not os.access(folder, os.W_OK | os.X_OK):
            why = f"its folder {folder} is read-only (SQLite keeps {path.name}-wal and -shm files there)"
        else:
            why = "the file is read-only"
        return DatabaseWriteError(f"cannot {doing} {path}: {why}")
    if kind == "full":
        return DatabaseWriteError(f"cannot {doing} {path}: the disk is full")
    if kind == "io":
        return DatabaseWriteError(f"cannot {doing} {path}: disk I/O error (is the disk full or removed?)")
    if kind == "damaged":
        return DatabaseDamagedError(damaged_message(path, str(exc)))
    if kind == "cantopen":
        return StoreError(f"cannot {doing} {path}: SQLite cannot open it (missing folder or no permission)")
    return StoreError(f"cannot {doing} {path}: {exc}")
