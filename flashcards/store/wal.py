"""The files beside the database, and who holds it: WAL and lock faults named for what they are.

In WAL mode a database is three files: ``flash.db``, ``flash.db-wal`` (the latest commits,
copied into the main file at checkpoints) and ``flash.db-shm`` (an index of the -wal, shared
by the processes that have it open). Deleting or cutting short the -wal while commits in it
are not yet in the main file makes SQLite report an I/O error or "malformed": the main file
is sound, and restoring a backup would throw the latest grades away. ``wal_fault`` looks
before SQLite opens anything and says what is wrong and what loses nothing; ``holders``
names the other processes that have the database open (Linux: from /proc).
"""

from __future__ import annotations

import os
import struct
from pathlib import Path
from typing import Optional

from ..errors import WalFaultError

__all__ = ["describe_holders", "holders", "wal_fault"]

_HEADER = struct.Struct("=IIIBBHIIIIIIII")  # SQLite's WalIndexHdr, in the machine's byte order
_WAL_HEADER_BYTES = 32
_FRAME_HEADER_BYTES = 24
_WAL_INDEX_VERSION = 3007000
_BACKFILL_OFFSET = 96  # WalCkptInfo.nBackfill, after the two header copies


def _unchecked_frames(shm: Path) -> Optional[tuple[int, int]]:
    """(frames the -shm says the -wal holds, bytes those frames take) for commits not yet copied
    into the main file, or None when the -shm is absent, unreadable, or not a trustworthy index."""
    try:
        with open(shm, "rb") as handle:
            data = handle.read(_BACKFILL_OFFSET + 4)
    except OSError:
        return None
    if len(data) < _BACKFILL_OFFSET + 4 or data[:48] != data[48:96]:
        return None  # absent, or being rewritten this moment: nothing we can tell from it
    version, _, _, is_init, _, page_size, max_frame = _HEADER.unpack(data[:48])[:7]
    if version != _WAL_INDEX_VERSION or not is_init:
        return None
    page_size = 65536 if page_size == 1 else page_size
    (backfilled,) = struct.unpack("=I", data[_BACKFILL_OFFSET:_BACKFILL_OFFSET + 4])
    if max_frame <= backfilled:
        return None  # every commit in the -wal is in the main file too: the -wal holds nothing to lose
    return max_frame - backfilled, _WAL_HEADER_BYTES + max_frame * (_FRAME_HEADER_BYTES + page_size)


def wal_fault(path: Path) -> None:
    """Raise ``WalFaultError`` if the -wal or -shm beside ``path`` is unreadable, or the -wal is
    missing or shorter than the -shm says while it holds commits not yet in the main file.
    Reads only; call it before SQLite opens the file (SQLite would create a new, empty -wal)."""
    wal, shm = Path(f"{path}-wal"), Path(f"{path}-shm")
    for extra, holds in ((wal, "the latest changes to"), (shm, "the index of the -wal of")):
        try:
            with open(extra, "rb"):
                pass
        except FileNotFoundError:
            continue
        except OSError as exc:
            raise WalFaultError(
                f"cannot read {extra} ({exc.strerror or exc}), which holds {holds} {path}: give your user read "
                f"and write access to it (as to {path.name}); do not delete it or restore a backup; nothing was "
                f"changed"
            ) from exc
    frames = _unchecked_frames(shm)
    if frames is None:
        return
    count, needed = frames
    try:
        size = wal.stat().st_size
    except FileNotFoundError:
        size = None
    except OSError:
        return
    if size is not None and size >= needed:
        return
    what = f"{wal} is missing" if size is None else f"{wal} is cut short ({size:,} of {needed:,} bytes)"
    who = describe_holders(path)
    if who:
        raise WalFaultError(
            f"{what} while {who} has {path} open; the latest changes ({count} pages) live on in that process: "
            f"let it finish and quit normally and they are written into {path}. Do not restore a backup or "
            f"delete {shm.name}; nothing was changed"
        )
    raise WalFaultError(
        f"{what}, but {shm} records {count} changed pages in it that are not yet in {path}: if you moved or "
        f"copied the database, put its -wal file back beside it. Copy all of {path.name}* somewhere safe first; "
        f"nothing was changed (without the -wal those changes are gone: deleting {shm.name} opens {path} "
        f"as it was before them)"
    )


def holders(path: Path) -> list[tuple[int, str]]:
    """Other processes with ``path`` (or its -wal or -shm) open: (pid, command line). Linux only
    (an empty list elsewhere, or when /proc cannot be read)."""
    proc = Path("/proc")
    if not proc.is_dir():
        return []
    try:
        real = os.path.realpath(path)
    except OSError:
        return []
    targets = {real, f"{real}-wal", f"{real}-shm", f"{real}-wal (deleted)"}
    found: list[tuple[int, str]] = []
    me = os.getpid()
    try:
        pids = [int(p.name) for p in proc.iterdir() if p.name.isdigit() and int(p.name) != me]
    except OSError:
        return []
    for pid in pids:
        try:
            fds = os.listdir(f"/proc/{pid}/fd")
        except OSError:
            continue
        for fd in fds:
            try:
                if os.readlink(f"/proc/{pid}/fd/{fd}") in targets:
                    found.append((pid, _command_line(pid)))
                    break
            except OSError:
                continue
    return found


def _command_line(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as handle:
            words = handle.read(4096).split(b"\0")
    except OSError:
        return "?"
    text = " ".join(" ".join(w.decode("utf-8", "replace").split()) for w in words if w)  # one line
    if " -m flashcards" in text:  # python -m flashcards review: what the user typed was flash review
        text = "flash" + text.split(" -m flashcards", 1)[1]
    return text[:60] + ("..." if len(text) > 60 else "")


def describe_holders(path: Path) -> str:
    """'process 1234 (flash review)' or 'processes 12 (sqlite3 flash.db) and 34 (...)', '' if none."""
    found = holders(path)
    if not found:
        return ""
    shown = " and ".join(f"{pid} ({command})" for pid, command in found[:3])
    more = f" and {len(found) - 3} more" if len(found) > 3 else ""
    return f"process{'es' if len(found) > 1 else ''} {shown}{more}"
