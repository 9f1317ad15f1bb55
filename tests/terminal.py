"""`flash review` on a pseudo-terminal, for the tests that need a real terminal (raw keys,
Ctrl-C as a key, the retry prompt)."""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
import termios
import time
from dataclasses import dataclass, field

from conftest import PACKAGE_ROOT


@dataclass
class Terminal:
    proc: subprocess.Popen
    master: int
    screen: list = field(default_factory=list)

    def wait_for(self, text: str) -> None:
        deadline = time.monotonic() + 60
        while text not in " ".join("".join(self.screen).split()):
            assert time.monotonic() < deadline, f"no {text!r} on screen: {''.join(self.screen)}"
            ready, _, _ = select.select([self.master], [], [], 1)
            if ready:
                try:
                    self.screen.append(os.read(self.master, 65536).decode("utf-8", "replace"))
                except OSError:  # the child closed the terminal
                    break

    def press(self, key: bytes) -> None:
        # click.getchar puts the terminal in raw mode with TCSAFLUSH, dropping keys typed
        # before: wait until it is listening, then wait for the key to be taken
        deadline = time.monotonic() + 60
        while termios.tcgetattr(self.master)[3] & termios.ICANON:
            assert time.monotonic() < deadline, "the review never waited for a key"
            time.sleep(0.02)
        os.write(self.master, key)
        taken = time.monotonic() + 1  # the read ends raw mode, unless the next read starts at once
        while not termios.tcgetattr(self.master)[3] & termios.ICANON and time.monotonic() < taken:
            time.sleep(0.01)

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        os.close(self.master)


def review_at_a_terminal(db_path, today: str, cwd, **env) -> Terminal:
    """Start `flash review --db DB --today DAY` with a pseudo-terminal as stdin, stdout and stderr."""
    master, slave = pty.openpty()
    environ = {k: v for k, v in os.environ.items() if not k.startswith("FLASH_") and k != "SOURCE_DATE_EPOCH"}
    environ.update(PYTHONPATH=str(PACKAGE_ROOT), COLUMNS="120", TERM="dumb", NO_COLOR="1",
                   XDG_DATA_HOME=str(cwd / "xdg"), XDG_CONFIG_HOME=str(cwd / "xdg-config"), **env)
    proc = subprocess.Popen([sys.executable, "-m", "flashcards", "review", "--db", str(db_path), "--today", today],
                            stdin=slave, stdout=slave, stderr=slave, env=environ, cwd=cwd, close_fds=True)
    os.close(slave)
    return Terminal(proc, master)
