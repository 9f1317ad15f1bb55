"""Running a command as a user without root's powers, for tests about permissions.

CI runs as root, and root writes into read-only files and folders, so a test of
"read-only" must drop to an unprivileged user (``nobody``) in a subprocess. When
the tests already run unprivileged, commands run as they are.
"""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import sys
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator, Optional

import flashcards

# The package under test (the checkout, or site-packages when CI tests the installed package).
PACKAGE_ROOT = Path(flashcards.__file__).resolve().parent.parent


def unprivileged_prefix() -> Optional[list[str]]:
    """The argv prefix that runs a command without root's powers, or None if impossible."""
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    try:
        user = pwd.getpwnam("nobody")
    except KeyError:
        return None
    if setpriv is None:
        return None
    prefix = [setpriv, f"--reuid={user.pw_uid}", f"--regid={user.pw_gid}", "--clear-groups"]
    # the user must reach the interpreter, the package under test and its dependencies
    # (a root-only virtual environment or checkout makes this impossible: then skip)
    probe = subprocess.run(
        prefix + [sys.executable, "-c", "import os, click, rich, yaml, flashcards.cli; print(os.geteuid())"],
        capture_output=True, text=True, cwd="/", env={**os.environ, "PYTHONPATH": str(PACKAGE_ROOT)})
    if probe.returncode != 0 or probe.stdout.strip() != str(user.pw_uid):
        return None
    return prefix


@contextmanager
def shared_folder() -> Iterator[Path]:
    """A fresh folder the unprivileged user can reach (pytest's tmp_path is root-only)."""
    folder = Path(tempfile.mkdtemp(prefix="flash-unpriv-"))
    folder.chmod(0o777)
    try:
        yield folder
    finally:
        for path in [folder, *folder.rglob("*")]:
            if path.is_dir() and not path.is_symlink():
                path.chmod(0o777)
        shutil.rmtree(folder, ignore_errors=True)


def run_unprivileged(prefix: list[str], args: list[str], *, cwd: Path, env: Optional[dict] = None,
                     input: Optional[str] = None, timeout: float = 60) -> subprocess.CompletedProcess:
    """Run ``python ARGS...`` as the unprivileged user, with the package under test."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith("FLASH_")}
    environ.update(PYTHONPATH=str(PACKAGE_ROOT), COLUMNS="200", HOME=str(cwd), XDG_DATA_HOME=str(cwd / "xdg"))
    environ.update(env or {})
    return subprocess.run(prefix + [sys.executable, *args], cwd=cwd, env=environ, input=input,
                          capture_output=True, text=True, timeout=timeout)
