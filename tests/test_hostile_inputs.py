"""A corpus of hostile inputs, run through the real CLI on a real database.

Every case must end with exit status 1, an `Error: ...` line (path and option cases:
that one line only; deck cases: with `file:line:` naming where), no traceback, no raw control character on
the terminal, and the database exactly as it was. Deck cases run through both
`flash validate` and `flash import`; path and option cases through the command named.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest

from conftest import SAMPLE_DECK

TODAY = "2026-11-23"
OK_DECK = "id: other\nname: Other\nterms:\n  - id: t\n    term: T\n    definition: D.\n"


def _deck(body: str) -> bytes:
    return body.encode("utf-8")


# name -> ({file name: bytes}, line that must be named as "file:line:" for the first file)
DECK_CASES = {
    "nested 26,000 levels in flow style (52 kB)": (
        {"d.yaml": _deck("id: x\nname: y\nterms: " + "[" * 26000 + "]" * 26000 + "\n")}, 3),
    "nested 26,000 levels in block style": ({"d.yaml": _deck("id: x\nname: y\nterms:\n" + "- " * 26000 + "a\n")}, 4),
    "nested mappings 30 deep": ({"d.yaml": _deck("id: x\nname: y\nterms:\n" + "".join(
        " " * (2 * i) + f"k{i}:\n" for i in range(30)) + " " * 60 + "v\n")}, 24),
    "an alias": ({"d.yaml": _deck("id: x\nname: &n N\ndescription: *n\n")}, 3),
    "a billion laughs": ({"d.yaml": _deck("id: x\nname: y\na: &a [l, l, l, l, l, l, l, l, l]\n"
                                          "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
                                          "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\n")}, 4),
    "a NUL byte": ({"d.yaml": b"id: x\nname: a\x00b\n"}, 2),
    "a raw escape character": ({"d.yaml": b"id: x\nname: ok\ndescription: \x1b[2Jcleared\n"}, 3),
    "an OSC title escape written as \\e": ({"d.yaml": _deck('id: x\nname: "\\e]0;owned\\a"\n')}, 2),
    "a clear-screen escape in a definition": (
        {"d.yaml": _deck('id: x\nname: y\nterms:\n  - id: t\n    term: T\n    definition: "a\\e[2Jb"\n')}, 6),
    "a C1 control character (CSI)": ({"d.yaml": _deck('id: x\nname: "\\u009b31m red"\n')}, 2),
    "a bell in a block scalar, third line": (
        {"d.yaml": _deck('id: x\nname: y\ndescription: |\n  one\n  two\n  th\x07ree\n')}, 6),
    "an escape in a key": ({"d.yaml": _deck('id: x\nname: y\n"\\e[31mkey": v\n')}, 3),
    "an escape in a tag": ({"d.yaml": _deck('id: x\nname: y\ntags: [ok, "b\\ead"]\n')}, 3),
    "not UTF-8 (Latin-1), bad byte on line 3": ({"d.yaml": "id: x\nname: y\ndescription: café\n".encode("latin-1")}, 3),
    "UTF-16": ({"d.yaml": "id: x\nname: y\n".encode("utf-16")}, 1),
    "an empty file": ({"d.yaml": b""}, 1),
    "only a comment": ({"d.yaml": b"# nothing\n"}, 1),
    "a list, not a mapping": ({"d.yaml": b"- id: x\n"}, 1),
    "a bare scalar": ({"d.yaml": b"just text\n"}, 1),
    "an unclosed flow sequence": ({"d.yaml": b"id: x\nname: y\ntags: [a, b\n"}, 3),
    "a tab-indented block": ({"d.yaml": b"id: x\nname: y\nterms:\n\t- id: t\n"}, 4),
    "one deck id in two files": ({"d.yaml": _deck("name: A\nid: same\n"), "e.yaml": _deck("id: same\nname: B\n")}, 2),
    "a missing name and an unknown key": ({"d.yaml": b"id: x\nnmae: y\n"}, 1),
}


@pytest.fixture
def database(tmp_path, invoke):
    deck = tmp_path / "seed" / "sample.yaml"
    deck.parent.mkdir()
    deck.write_text(SAMPLE_DECK, encoding="utf-8")
    db = tmp_path / "flash.db"
    result = invoke("import", deck, "--db", db, "--today", TODAY)
    assert result.exit_code == 0, result.output
    result = invoke("review", "--db", db, "--today", TODAY, input="5\n3\n\n")
    assert result.exit_code == 0, result.output
    return db


def snapshot(db: Path) -> list[str]:
    conn = sqlite3.connect(str(db))
    try:
        return list(conn.iterdump())
    finally:
        conn.close()


def assert_refused(result, before, db):
    output = result.stdout + result.stderr
    assert result.exit_code == 1, output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in output
    assert "\x1b" not in output and "\x07" not in output and "\x9b" not in output
    assert any(line.startswith("Error: ") for line in result.stderr.splitlines())
    assert snapshot(db) == before


@pytest.mark.parametrize("command", ["validate", "import"])
@pytest.mark.parametrize("case", list(DECK_CASES))
def test_hostile_deck(case, command, tmp_path, invoke, database):
    files, line = DECK_CASES[case]
    folder = tmp_path / "hostile"
    folder.mkdir()
    for name, data in files.items():
        (folder / name).write_bytes(data)
    (folder / "good.yaml").write_text(OK_DECK, encoding="utf-8")  # all or nothing: not imported either
    before = snapshot(database)
    result = invoke(command, folder, "--db", database, "--today", TODAY)
    assert_refused(result, before, database)
    first = sorted(files)[0 if case != "one deck id in two files" else 1]
    expected = line if case != "one deck id in two files" else 1
    assert f"{folder / first}:{expected}: " in result.stdout + result.stderr


def path_cases(tmp_path: Path, db: Path) -> dict:
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    empty = tmp_path / "empty.db"
    empty.write_bytes(b"")
    garbage = tmp_path / "garbage.db"
    garbage.write_bytes(b"not a database " * 200)
    dangling = tmp_path / "dangling.db"
    dangling.symlink_to(tmp_path / "nowhere" / "flash.db")
    out_link = tmp_path / "out-link.apkg"
    out_link.symlink_to(tmp_path / "nowhere" / "x.apkg")
    deck = tmp_path / "seed" / "sample.yaml"
    long_name = "x" * 300
    return {
        "--db names a folder": (["decks", "--db", tmp_path], {}, f"Error: {tmp_path} is a folder, not a database file"),
        "--db is a dangling symlink": (["review", "--db", dangling], {}, f"Error: {dangling} is a symbolic link to "),
        "--db is a 0-byte file": (["stats", "--db", empty], {}, f"Error: {empty} is an empty file (0 bytes)"),
        "--db is a 0-byte file (review would have re-initialised it)": (
            ["review", "--db", empty], {}, f"Error: {empty} is an empty file (0 bytes)"),
        "--db is not SQLite": (["cards", "--db", garbage], {}, f"Error: {garbage} is not a usable flashcards"),
        "--db is a FIFO": (["decks", "--db", fifo], {}, f"Error: {fifo} is not a regular file"),
        "--db name of 300 characters": (["decks", "--db", tmp_path / f"{long_name}.db"], {}, "Error: cannot use "),
        "-o name of 300 characters": (["export", "anki", deck, "-o", tmp_path / f"{long_name}.apkg", "--db", db],
                                      {}, "File name too long"),
        "-o is a FIFO": (["export", "anki", deck, "-o", tmp_path / "fifo.apkg", "--db", db], {"fifo": "fifo.apkg"},
                         "it is a named pipe (FIFO), not a regular file"),
        "-o is a dangling symlink": (["export", "anki", deck, "-o", out_link, "--db", db], {},
                                     "which does not exist"),
        "SOURCE_DATE_EPOCH=99999999999999": (["export", "anki", deck, "-o", tmp_path / "o.apkg", "--db", db],
                                             {"SOURCE_DATE_EPOCH": "99999999999999"},
                                             "Error: SOURCE_DATE_EPOCH=99999999999999 is after 2107-12-31"),
        "FLASH_BUSY_TIMEOUT=soon": (["review", "--db", db], {"FLASH_BUSY_TIMEOUT": "soon"},
                                    "Error: FLASH_BUSY_TIMEOUT='soon' is not a number of seconds"),
        "a deck path that is a FIFO": (["import", fifo, "--db", db], {}, f"{fifo}: not a regular file"),
        "a deck path of 300 characters": (["validate", tmp_path / f"{long_name}.yaml"], {},
                                          "File name too long"),
        "db backup onto the database": (["db", "backup", db, "--db", db], {}, "onto itself"),
        "db backup to a folder": (["db", "backup", tmp_path, "--db", db], {}, "it is a folder, not a regular file"),
        "db check of a 0-byte file": (["db", "check", "--db", empty], {}, "is an empty file (0 bytes)"),
        "-o is a folder": (["export", "anki", deck, "-o", tmp_path, "--db", db], {},
                           "it is a folder, not a regular file"),
        "build -o is a folder": (["build", LESSON, "-o", tmp_path], {}, "it is a folder, not a regular file"),
        "build of a lesson that is a FIFO": (["build", fifo], {}, f"Error: {fifo}: not a regular file"),
        "build of a missing lesson": (["build", tmp_path / "nope.md"], {}, "nope.md: no such file"),
    }


PATH_CASE_NAMES = [
    "--db names a folder", "--db is a dangling symlink", "--db is a 0-byte file",
    "--db is a 0-byte file (review would have re-initialised it)", "--db is not SQLite", "--db is a FIFO",
    "--db name of 300 characters", "-o name of 300 characters", "-o is a FIFO", "-o is a dangling symlink",
    "SOURCE_DATE_EPOCH=99999999999999", "FLASH_BUSY_TIMEOUT=soon", "a deck path that is a FIFO",
    "a deck path of 300 characters", "db backup onto the database", "db backup to a folder",
    "db check of a 0-byte file", "-o is a folder", "build -o is a folder", "build of a lesson that is a FIFO",
    "build of a missing lesson",
]
LESSON = Path(__file__).parent / "fixtures" / "lesson_markdown.md"


@pytest.mark.parametrize("case", PATH_CASE_NAMES)
def test_hostile_path_or_option(case, tmp_path, invoke, database):
    cases = path_cases(tmp_path, database)
    assert sorted(cases) == sorted(PATH_CASE_NAMES)
    args, env, expected = cases[case]
    if env.get("fifo"):
        os.mkfifo(tmp_path / env.pop("fifo"))
    files_before = sorted(p.name for p in tmp_path.rglob("*"))
    before = snapshot(database)
    sizes = {p: p.lstat().st_size for p in tmp_path.iterdir()}
    result = invoke(*args, "--today", TODAY, env=env)
    assert_refused(result, before, database)
    if args[0] in ("import", "validate"):  # deck paths are listed like every deck problem
        assert expected in result.stdout + result.stderr
    else:
        assert len(result.stderr.splitlines()) == 1, result.stderr
        assert expected in result.stderr
    assert sorted(p.name for p in tmp_path.rglob("*")) == files_before  # nothing created, nothing left
    assert {p: p.lstat().st_size for p in tmp_path.iterdir()} == sizes


def test_escape_sequences_stored_by_an_older_version_are_shown_inert(invoke, one_term_deck, db_path):
    """Decks are now refused with control characters, but a database written before that may hold
    them: review shows them as \\x1b, never raw, so the terminal is not retitled or cleared."""
    import sqlite3

    assert invoke("import", str(one_term_deck), "--db", str(db_path), "--today", "2026-03-02").exit_code == 0
    conn = sqlite3.connect(str(db_path))
    with conn:
        conn.execute("UPDATE cards SET front = ?, back = ?, source = ? WHERE kind = 'term'",
                     ("Alpha\x1b]0;pwned\x07", "The first\x1b[2J letter.", "old\x1b[31m"))
    conn.close()
    result = invoke("review", "--db", str(db_path), "--today", "2026-03-02", input="5\n\n")
    assert result.exit_code == 0, result.output
    assert "\x1b" not in result.output and "\x07" not in result.output
    assert "Alpha\\x1b]0;pwned\\x07" in result.output
    assert "The first\\x1b[2J letter." in result.output
