"""Standard output that cannot take what is written to it: one line and a non-zero exit, no traceback.

- closed before the command starts (``flash cards >&-``): refused before anything is done or opened
  (exit 1), so no file can take standard output's place;
- failing (``> /dev/full``, a file system full, an I/O error): ``Error: cannot write to standard
  output: No space left on device`` on stderr, exit 1, at the first write that fails (at the latest
  when the command ends and its output is flushed);
- a pipe whose reader is gone (``flash cards | head -1``): quiet, exit 141 (128 + SIGPIPE, what a
  shell reports for any program that a closed pipe stops), as ``git`` and the coreutils do.

What a command committed before the failure stays committed (a review's grades, an import): the
failure only stops the command, it never rolls back what was already written to the database.
"""

from __future__ import annotations

import errno
import io
import os
import sys
from typing import NoReturn, Optional


class StdoutFailed(Exception):
    """Raised from inside click's machinery so that ``report`` (in ``FlashGroup.main``) ends the run."""

    def __init__(self, error: OSError):
        super().__init__(str(error))
        self.error = error


class _Descriptor(io.RawIOBase):
    """Standard output's file descriptor, remembering the first write it refused (a write that
    bypasses the buffer leaves nothing to fail again at the next flush: only this sees it).
    Closing it never closes the descriptor (``sys.__stdout__`` owns that)."""

    def __init__(self, fd: int):
        super().__init__()
        self.fd = fd
        self.error: Optional[OSError] = None

    def writable(self) -> bool:
        return True

    def fileno(self) -> int:
        return self.fd

    def isatty(self) -> bool:
        return os.isatty(self.fd)

    def write(self, data) -> Optional[int]:
        try:
            return os.write(self.fd, data)
        except BlockingIOError:  # a non-blocking descriptor that is full: the buffer tries again
            return None
        except OSError as error:
            if self.error is None:
                self.error = error
            raise


_watched: Optional[_Descriptor] = None


def watch() -> None:
    """Make ``sys.stdout`` a stream like the one Python gave (same encoding, error handler and
    buffering) over a ``_Descriptor``, so a refused write is known to be standard output's.
    Only the interpreter's own standard output is replaced: CliRunner's or pytest's stay as they are."""
    global _watched
    stream = sys.stdout
    if stream is None or stream is not sys.__stdout__:
        return
    try:
        fd = stream.fileno()
        stream.flush()
    except (AttributeError, OSError, ValueError):
        return
    raw = _Descriptor(fd)
    sys.stdout = io.TextIOWrapper(io.BufferedWriter(raw), encoding=stream.encoding, errors=stream.errors,
                                  line_buffering=stream.line_buffering, write_through=False)
    _watched = raw


def failing() -> Optional[OSError]:
    """The error standard output gave, or gives when what it still holds is flushed; None when it
    took everything."""
    stream = sys.stdout
    if stream is not None:
        try:
            stream.flush()
        except OSError as error:
            return _watched.error if _watched is not None and _watched.error is not None else error
        except ValueError:  # closed by the command itself: nothing more can fail
            pass
    return _watched.error if _watched is not None else None


def _discard() -> None:
    """Point standard output's descriptor at /dev/null: the interpreter's last flush of what could
    not be written then neither fails nor prints "Exception ignored"."""
    try:
        fd = sys.stdout.fileno()
    except (AttributeError, OSError, ValueError):  # not a file descriptor (CliRunner's stream)
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, fd)
    finally:
        os.close(devnull)


def _say(message: str) -> None:
    try:
        print(message, file=sys.stderr, flush=True)
    except (OSError, ValueError, AttributeError):  # stderr failing too: the exit status says it
        pass


def report(error: OSError) -> NoReturn:
    """End the run for a failing standard output (see the module's docstring)."""
    _discard()
    if error.errno == errno.EPIPE:
        from . import EXIT_BROKEN_PIPE

        sys.exit(EXIT_BROKEN_PIPE)
    _say(f"Error: cannot write to standard output: {error.strerror or error}")
    sys.exit(1)


def refuse_closed() -> NoReturn:
    _say("Error: standard output is closed: flash prints its results there "
         "(send them to /dev/null to discard them)")
    sys.exit(1)
