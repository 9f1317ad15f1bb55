"""Shared fixtures: a database path, deck files written to tmp_path, and the real CLI.

Every CLI call in these tests passes ``--db`` and ``--today`` (or the FLASH_DB /
FLASH_TODAY variables, when those are what a test is about), and the runner's
environment points XDG_DATA_HOME into tmp_path, so no test touches the user's
home folder or depends on the clock.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

import flashcards
from flashcards.cli import cli

# 2 terms (with some optional fields), 2 phrases, an analog with holds and
# breaks and one with holds only: 4 + 3 + 1 + 1 + 2 + 1 = 12 cards.
SAMPLE_DECK = """\
id: sample
name: Sample deck
description: A small deck for tests.
tags: [test]
terms:
  - id: alpha
    term: Alpha
    definition: The first letter.
    what_it_does: Starts the alphabet.
    whos_behind_it: The Phoenicians.
    tags: [letters]
  - id: beta
    term: Beta
    definition: The second letter.
    what_makes_it_distinct: It comes second.
phrases:
  - id: say-hello
    dont_say: Yo.
    do_say: Hello.
    why: Politeness opens doors.
  - id: say-thanks
    dont_say: K.
    do_say: Thank you.
    why: Gratitude.
analogs:
  - id: door
    concept: Authentication
    analog: A locked door
    holds: Only key holders get in.
    breaks: A door does not log who came in.
  - id: badge
    concept: Authorization
    analog: A building badge
    holds: It says which floors you may visit.
"""

SAMPLE_CARD_IDS = [
    "sample/alpha/term",
    "sample/alpha/definition",
    "sample/alpha/what_it_does",
    "sample/alpha/whos_behind_it",
    "sample/beta/term",
    "sample/beta/definition",
    "sample/beta/what_makes_it_distinct",
    "sample/say-hello/phrase",
    "sample/say-thanks/phrase",
    "sample/door/holds",
    "sample/door/breaks",
    "sample/badge/holds",
]

# One term: a term card and a definition card.
ONE_TERM_DECK = """\
id: one
name: One term
terms:
  - id: t1
    term: Alpha
    definition: The first letter.
"""


def terms_deck(count: int, deck_id: str = "many") -> str:
    """A deck of ``count`` terms with no optional fields (2 cards each)."""
    lines = [f"id: {deck_id}", f"name: {count} terms", "terms:"]
    for n in range(count):
        lines += [f"  - id: t{n:02d}", f"    term: Term {n}", f"    definition: Definition {n}."]
    return "\n".join(lines) + "\n"


REPO = Path(__file__).resolve().parent.parent
# The folder holding the `flashcards` package these tests import: the checkout when run from
# it, site-packages when CI runs the suite against the installed package. Subprocesses get the
# same one, so a test never mixes the two.
PACKAGE_ROOT = Path(flashcards.__file__).resolve().parent.parent


def flash_process(*args, cwd: Path, env: dict | None = None, timeout: float = 120, input: str | None = None):
    """Run ``flash ARGS...`` as a separate process in ``cwd``, for behaviour that depends on
    the working folder (tests never change their own). Uses the package under test; the
    FLASH_* variables and SOURCE_DATE_EPOCH of the caller are dropped, ``env`` is added;
    ``input`` is its standard input (none: an empty one)."""
    environ = {k: v for k, v in os.environ.items()
               if k != "SOURCE_DATE_EPOCH" and not k.startswith("FLASH_")}
    environ.update(COLUMNS="200", XDG_DATA_HOME=str(cwd / "xdg-data"), XDG_CONFIG_HOME=str(cwd / "xdg-config"),
                   PYTHONPATH=str(PACKAGE_ROOT))
    environ.update(env or {})
    return subprocess.run([sys.executable, "-m", "flashcards", *map(str, args)], cwd=cwd,
                          env=environ, capture_output=True, text=True, timeout=timeout,
                          input=input if input is not None else "")


def rows(db_path, sql, *params):
    """Read a database file through a second, independent connection."""
    conn = sqlite3.connect(str(db_path))
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


REPO = Path(__file__).resolve().parent.parent


def under_ci() -> bool:
    """CI sets the CI variable: there a missing prerequisite is a failure, never a skip."""
    return os.environ.get("CI", "").lower() not in ("", "0", "false")


def lessons_path() -> Path:
    """Where the Lesson 4 drafts are: FLASH_LESSONS, else ../shared/lessons beside the repository."""
    value = os.environ.get("FLASH_LESSONS")
    return Path(value) if value else REPO.parent / "shared" / "lessons"


@pytest.fixture(scope="session")
def lessons_dir() -> Path:
    """The shared Lesson 4 drafts (read, never copied into the repository). Absent, the tests
    that need them skip with the reason; under CI they fail, so CI never silently skips them."""
    path = lessons_path()
    if not (path.is_dir() and any(path.glob("*.txt"))):
        why = f"the Lesson 4 drafts are not at {path} (set FLASH_LESSONS to their folder)"
        if under_ci():
            pytest.fail(why)
        pytest.skip(why)
    return path


# every variable the CLI reads: a developer's own settings never reach a test
FLASH_VARIABLES = ("FLASH_DB", "FLASH_TODAY", "FLASH_DAY_STARTS_AT", "FLASH_CONFIG", "FLASH_NEW", "FLASH_REVIEWS",
                   "FLASH_DECKS", "FLASH_BUSY_TIMEOUT")


@pytest.fixture
def db_path(tmp_path):
    return tmp_path / "flash.db"


@pytest.fixture
def runner(tmp_path):
    # Unset the FLASH_* variables a developer may have exported, keep XDG data and
    # config inside tmp_path (no config file of the user's applies), and give rich a
    # wide console so lines are not wrapped.
    return CliRunner(env={
        **{name: None for name in FLASH_VARIABLES},
        "XDG_DATA_HOME": str(tmp_path / "xdg-data"),
        "XDG_CONFIG_HOME": str(tmp_path / "xdg-config"),
        "COLUMNS": "200",
    })


@pytest.fixture
def write_deck(tmp_path):
    """Write YAML text (dedented) to ``tmp_path/name`` and return the path."""

    def write(text: str, name: str = "deck.yaml"):
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
        return path

    return write


@pytest.fixture
def sample_deck_text():
    return SAMPLE_DECK


@pytest.fixture
def sample_deck(write_deck):
    """The sample deck written to ``tmp_path/sample.yaml``."""
    return write_deck(SAMPLE_DECK, "sample.yaml")


@pytest.fixture
def invoke(runner):
    """Run ``flash ARGS...`` in-process; returns click's Result (stdout and stderr apart)."""

    def run(*args, input=None, env=None):
        return runner.invoke(cli, [str(a) for a in args], input=input, env=env)

    return run


@pytest.fixture
def sample_card_ids():
    return list(SAMPLE_CARD_IDS)


@pytest.fixture
def one_term_deck(write_deck):
    """A one-term deck (2 cards) written to ``tmp_path/one.yaml``."""
    return write_deck(ONE_TERM_DECK, "one.yaml")


@pytest.fixture
def many_terms_deck(write_deck):
    """Factory: a deck of N plain terms written to ``tmp_path/<deck_id>.yaml``."""

    def make(count: int, deck_id: str = "many"):
        return write_deck(terms_deck(count, deck_id), f"{deck_id}.yaml")

    return make


@pytest.fixture
def col(tmp_path):
    """A fresh, empty Anki collection (the real ``anki`` package, a test extra) in ``tmp_path/anki``,
    closed after the test; the Anki tests import our packages into it."""
    from anki.collection import Collection

    (tmp_path / "anki").mkdir()
    collection = Collection(str(tmp_path / "anki" / "collection.anki2"))
    yield collection
    collection.close()
