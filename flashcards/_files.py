"""Writing output files (decks, papers, packages, reports) safely."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Union

from .errors import FlashcardsError


def write_atomically(path: Union[str, Path], data: Union[str, bytes], *,
                     error: type[FlashcardsError] = FlashcardsError) -> Path:
    """Write ``data`` (text as UTF-8) to ``path``, creating missing folders.

    The bytes go to a temporary file beside ``path`` that is then renamed over
    it, so nobody ever sees half a file and a failure leaves any old file as it
    was. An ``OSError`` becomes ``error("cannot write PATH: reason")``.
    """
    path = Path(path)
    payload = data.encode("utf-8") if isinstance(data, str) else data
    tmp = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        tmp = Path(name)
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes it private; give it the usual mode
        os.replace(tmp, path)
        tmp = None
    except OSError as exc:
        raise error(f"cannot write {path}: {exc.strerror or exc}") from exc
    finally:
        if tmp is not None:
            tmp.unlink(missing_ok=True)
    return path


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask
