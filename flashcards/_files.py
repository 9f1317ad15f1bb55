"""Writing output files (decks, papers, packages, reports, backups) safely.

Rules for every path a user hands us with ``-o`` (or as a backup FILE):

* only a regular file is written: an existing folder, device (``/dev/full``), FIFO
  or socket at the path is refused with a one-line error and left alone;
* a symbolic link is followed: the file it points to is replaced and the link
  stays a link (a link to a folder or a device is refused as above; a dangling
  link is refused, since its target may not be where the user thinks);
* the bytes go to a hidden temporary file beside the target (``.NAME.PID.XXXX.tmp``)
  that is renamed over it, so nobody sees half a file and a failure keeps the old
  one; the temporary file is removed on any failure, and ones left by a killed
  run (their process is gone) are swept the next time that name is written.
"""

from __future__ import annotations

import os
import shutil
import stat
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator, Union

from .errors import FlashcardsError

STALE_AFTER = 24 * 3600  # seconds: a temp file this old is stale even if its pid is alive again
_NAME_PART = 100  # characters of the target's name kept in a temp name (names are limited to 255 bytes)


def output_target(path: Union[str, Path], *, error: type[FlashcardsError] = FlashcardsError) -> Path:
    """The file to write for the output path ``path``: itself, or where its symlink points.

    Raises ``error`` (one line naming the path) if it is, or points to, anything but a
    regular file or nothing, or if the path cannot be examined (too long, no permission).
    """
    path = Path(path)
    try:
        target = Path(os.path.realpath(path)) if path.is_symlink() else path
        if path.is_symlink() and not os.path.lexists(target):
            raise error(f"cannot write {path}: it is a symbolic link to {os.readlink(path)}, which does not exist")
        try:
            mode = os.stat(target).st_mode
        except FileNotFoundError:
            return target
    except OSError as exc:
        raise error(f"cannot write {path}: {exc.strerror or exc}") from exc
    if stat.S_ISREG(mode):
        return target
    what = ("a folder" if stat.S_ISDIR(mode) else "a device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode)
            else "a named pipe (FIFO)" if stat.S_ISFIFO(mode) else "a socket" if stat.S_ISSOCK(mode)
            else "not a regular file")
    raise error(f"cannot write {path}: it is {what}, not a regular file; give a file name")


def _temp_prefix(target: Path) -> str:
    return f".{target.name[:_NAME_PART]}."


def sweep_stale_temps(target: Path) -> list[Path]:
    """Remove temporary files and folders that an earlier, killed write of ``target`` left
    beside it: those whose process is gone, or older than a day. Returns what was removed."""
    prefix = _temp_prefix(target)
    removed = []
    try:
        candidates = [p for p in target.parent.iterdir() if p.name.startswith(prefix) and p.name.endswith(".tmp")]
    except OSError:
        return removed
    for candidate in candidates:
        middle = candidate.name[len(prefix):-len(".tmp")]
        pid_text = middle.split(".", 1)[0]
        try:
            age = time.time() - candidate.lstat().st_mtime
        except OSError:
            continue
        alive = pid_text.isdigit() and _pid_alive(int(pid_text))
        if alive and age < STALE_AFTER:
            continue  # another run writing the same file right now
        if not pid_text.isdigit() and age < 3600:
            continue  # an older temp name without a pid: only when clearly abandoned
        try:
            if candidate.is_dir() and not candidate.is_symlink():
                shutil.rmtree(candidate)
            else:
                candidate.unlink()
            removed.append(candidate)
        except OSError:
            pass
    return removed


def _pid_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # exists, owned by someone else
        return True
    return True


@contextmanager
def replacing(path: Union[str, Path], *, error: type[FlashcardsError] = FlashcardsError) -> Iterator[Path]:
    """Yield a temporary path beside ``path``'s target; on success it is renamed over the
    target, on any failure removed. Missing folders are created; stale temps are swept."""
    path = Path(path)
    target = output_target(path, error=error)
    tmp = None
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        sweep_stale_temps(target)
        fd, name = tempfile.mkstemp(prefix=f"{_temp_prefix(target)}{os.getpid()}.", suffix=".tmp",
                                    dir=target.parent)
        os.close(fd)
        tmp = Path(name)
        yield tmp
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes it private; give it the usual mode
        output_target(path, error=error)  # still a regular file (or nothing) at the last moment
        os.replace(tmp, target)
        tmp = None
    except OSError as exc:
        raise error(f"cannot write {path}: {exc.strerror or exc}") from exc
    finally:
        if tmp is not None:
            tmp.unlink(missing_ok=True)


def write_atomically(path: Union[str, Path], data: Union[str, bytes], *,
                     error: type[FlashcardsError] = FlashcardsError) -> Path:
    """Write ``data`` (text as UTF-8) to ``path``, creating missing folders.

    The bytes go to a temporary file beside ``path`` that is then renamed over
    it, so nobody ever sees half a file and a failure leaves any old file as it
    was. An ``OSError`` becomes ``error("cannot write PATH: reason")``; a path that
    is a folder, device or FIFO is refused (see the module's rules). Returns ``path``.
    """
    path = Path(path)
    payload = data.encode("utf-8") if isinstance(data, str) else data
    with replacing(path, error=error) as tmp:
        with open(tmp, "wb") as handle:
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
    return path


@contextmanager
def scratch_folder(path: Union[str, Path], *, error: type[FlashcardsError] = FlashcardsError) -> Iterator[Path]:
    """A private folder beside ``path`` (named like our temp files, so a killed run's is
    swept later) that is also ``tempfile``'s default folder meanwhile: a library that
    makes its own temp files there (genanki's collection) cannot leave them behind."""
    target = output_target(path, error=error)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        sweep_stale_temps(target)
        folder = Path(tempfile.mkdtemp(prefix=f"{_temp_prefix(target)}{os.getpid()}.", suffix=".tmp",
                                       dir=target.parent))
    except OSError as exc:
        raise error(f"cannot write {path}: {exc.strerror or exc}") from exc
    saved = tempfile.tempdir
    tempfile.tempdir = str(folder)
    try:
        yield folder
    finally:
        tempfile.tempdir = saved
        shutil.rmtree(folder, ignore_errors=True)


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask
