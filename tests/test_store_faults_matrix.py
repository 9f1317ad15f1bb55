"""Every command that opens a database × every way a file can be not what we expect.

The commands come from the click command tree, so a new command is covered as soon as it
exists: the enumeration test fails until it is listed in ``ARGS`` (how to call it so that it
reaches the database) or ``NO_DATABASE``. Each fault is made with real SQLite on a real file:
an index out of step with its table (integrity_check fails, quick_check passes), a missing
table, a missing column, another program's SQLite file, a real Anki collection, a database
from a newer version. Each command must refuse in one line on stderr, exit non-zero, and
leave the file's bytes and its folder as they were. The -wal deleted under a running review
gets its own message, and every grade of that review is kept.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import textwrap
from datetime import date, datetime, timezone

import click
import pytest

from flashcards.cli import cli
from flashcards.decks import load_deck
from flashcards.store import SCHEMA_VERSION, Store

from conftest import PACKAGE_ROOT, SAMPLE_DECK, rows

DAY = date(2026, 3, 2)
NOW = datetime(2026, 3, 2, 9, 30, tzinfo=timezone.utc)

# how to call each command so that it gets as far as opening the database ({deck}, {roster},
# {inbox} and {out} are files in the test's folder); several lists: several calls
ARGS: dict[str, list[list[str]]] = {
    "review": [[]],
    "undo": [[]],
    "import": [["{deck}"]],
    "decks": [[]],
    "cards": [[]],
    "stats": [[]],
    "suspend": [["sample/alpha/term"]],
    "unsuspend": [["sample/alpha/term"]],
    "scheduler": [[], ["sample", "fsrs"]],
    "optimize": [["--dry-run"], []],
    "export anki": [["{deck}", "-o", "{out}.apkg"]],
    "quiz create": [["--title", "T", "--questions", "3", "--pass-mark", "80", "--roster", "-o", "{out}"]],
    "quiz drop": [["q", "q01", "--reason", "r"]],
    "quiz export": [["q", "--format", "gift", "-o", "{out}.gift"]],
    "quiz extra-attempt": [["q", "someone", "--reason", "r"]],
    "quiz issue": [["q", "--learner", "someone", "-o", "{out}"]],
    "quiz list": [[]],
    "quiz practice": [["{deck}"]],
    "quiz recertify": [["q", "--expiring", "30", "-o", "{out}"]],
    "quiz report": [["q"], ["q", "--expiring", "30"]],
    "quiz roster import": [["{roster}"]],
    "quiz roster list": [[]],
    "quiz score": [["{inbox}"]],
    "quiz void": [["q", "someone", "--reason", "r"]],
    "quiz invite": [["q", "--csv", "{out}.csv"]],
    "quiz serve": [["--port", "0"]],
    "db backup": [["{out}.db"]],
    "db check": [[]],
    "db upgrade": [[]],
}
# commands that never open the database (--db accepted but unused, or not taken at all)
NO_DATABASE = {"validate", "lint", "build", "quiz take", "config"}


def leaf_commands() -> list[str]:
    found = []

    def walk(command, path):
        ctx = click.Context(command)
        if isinstance(command, click.Group):
            for name in command.list_commands(ctx):
                walk(command.get_command(ctx, name), [*path, name])
        else:
            found.append(" ".join(path))

    walk(cli, [])
    return found


def invocations() -> list[tuple[str, list[str]]]:
    return [(name, args) for name in leaf_commands() if name not in NO_DATABASE
            for args in ARGS.get(name, [["<not listed>"]])]


def test_every_command_is_listed():
    unlisted = [name for name in leaf_commands() if name not in ARGS and name not in NO_DATABASE]
    assert unlisted == [], f"add these commands to ARGS (how to call them) or NO_DATABASE: {unlisted}"
    assert sorted(set(ARGS) - set(leaf_commands())) == []


# -- the faults -------------------------------------------------------------------


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    """A sound database: the sample deck imported, two grades logged; closed (no -wal)."""
    folder = tmp_path_factory.mktemp("template")
    deck = folder / "sample.yaml"
    deck.write_text(SAMPLE_DECK, encoding="utf-8")
    path = folder / "flash.db"
    with Store.open(path) as store:
        store.sync([load_deck(deck)], today=DAY)
        store.record("sample/alpha/term", 5, today=DAY, now=NOW)
        store.record("sample/beta/term", 3, today=DAY, now=NOW)
    assert sorted(p.name for p in folder.iterdir()) == ["flash.db", "sample.yaml"]
    return path


def _hide_index(path, name, change) -> None:
    """Make index ``name`` miss a change to its table, with SQLite itself: take the index out of
    the schema, change the table (SQLite cannot update an index it does not know), put it back."""
    conn = sqlite3.connect(path)
    entry = conn.execute("SELECT type, name, tbl_name, rootpage, sql FROM sqlite_master WHERE name = ?",
                         (name,)).fetchone()
    conn.execute("PRAGMA writable_schema = ON")
    with conn:
        conn.execute("DELETE FROM sqlite_master WHERE name = ?", (name,))
    conn.close()
    conn = sqlite3.connect(path)
    with conn:
        change(conn)
    conn.close()
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA writable_schema = ON")
    with conn:
        conn.execute("INSERT INTO sqlite_master (type, name, tbl_name, rootpage, sql) VALUES (?, ?, ?, ?, ?)",
                     entry)
    conn.close()


def index_card_state_due(path):
    _hide_index(path, "card_state_due", lambda c: c.execute(
        "UPDATE card_state SET due = '2026-03-05' WHERE card_id = 'sample/beta/definition'"))


def index_reviews_card(path):
    _hide_index(path, "reviews_card", lambda c: c.execute(
        "INSERT INTO reviews (card_id, reviewed_at, day, kind, grade) "
        "VALUES ('sample/beta/definition', '2026-03-02T10:00:00', '2026-03-02', 'drill', 4)"))


def _sql(*statements):
    def apply(path):
        conn = sqlite3.connect(path)
        for statement in statements:
            conn.execute(statement)
        conn.commit()
        conn.close()
    return apply


def foreign_file(path):
    path.unlink()
    _sql("CREATE TABLE photos (id INTEGER PRIMARY KEY, file TEXT)", "INSERT INTO photos (file) VALUES ('a.jpg')",
         "PRAGMA user_version = 3")(path)


def anki_collection(path):
    from anki.collection import Collection

    path.unlink()
    collection = Collection(str(path))
    collection.close()
    for suffix in ("-wal", "-shm"):
        assert not os.path.exists(f"{path}{suffix}")


FAULTS = {
    "index card_state_due": (index_card_state_due, "is damaged (row"),
    "index reviews_card": (index_reviews_card, "is damaged (row"),
    "missing table decks": (_sql("DROP TABLE decks"), "missing table decks"),
    "missing table reviews": (_sql("DROP TABLE reviews"), "missing table reviews"),
    "missing table quizzes": (_sql("DROP TABLE quizzes"), "missing table quizzes"),
    "missing column": (_sql("ALTER TABLE cards DROP COLUMN source"), "missing column cards.source"),
    "foreign file": (foreign_file, "is an SQLite database, but not a flashcards one"),
    "anki collection": (anki_collection, "is an Anki collection, not a flashcards database"),
    "future version": (_sql(f"PRAGMA user_version = {SCHEMA_VERSION + 1}"), "newer version of flashcards"),
}


def test_the_index_faults_are_invisible_to_quick_check(template, tmp_path):
    for make in (index_card_state_due, index_reviews_card):
        path = tmp_path / f"{make.__name__}.db"
        shutil.copy(template, path)
        make(path)
        assert rows(path, "PRAGMA quick_check") == [("ok",)]
        assert rows(path, "PRAGMA integrity_check")[0][0].startswith("row ")


@pytest.fixture
def files(tmp_path):
    (tmp_path / "sample.yaml").write_text(SAMPLE_DECK, encoding="utf-8")
    (tmp_path / "roster.csv").write_text("name,email\nPriya Natarajan,priya@example.com\n", encoding="utf-8")
    (tmp_path / "inbox").mkdir()
    (tmp_path / "out").mkdir()
    return {"deck": str(tmp_path / "sample.yaml"), "roster": str(tmp_path / "roster.csv"),
            "inbox": str(tmp_path / "inbox"), "out": str(tmp_path / "out" / "made")}


def _call(runner, name, args, files, db):
    argv = [*name.split(), *(a.format(**files) for a in args), "--db", str(db), "--today", DAY.isoformat()]
    return runner.invoke(cli, argv, input="")


@pytest.mark.parametrize("fault", FAULTS)
@pytest.mark.parametrize("name,args", invocations(), ids=lambda v: v if isinstance(v, str) else " ".join(v))
def test_a_fault_is_refused_in_one_line_and_changes_nothing(fault, name, args, template, tmp_path, files, runner):
    make, expected = FAULTS[fault]
    db = tmp_path / "db" / "flash.db"
    db.parent.mkdir()
    shutil.copy(template, db)
    make(db)
    before = db.read_bytes()
    result = _call(runner, name, args, files, db)
    assert result.exit_code == 1, (result.stdout, result.stderr)
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"Error: {db}") and expected in lines[0], result.stderr
    if name != "db check":  # the check's report is its output
        assert result.stdout == ""
    assert db.read_bytes() == before
    assert sorted(p.name for p in db.parent.iterdir()) == ["flash.db"]  # no -wal, -shm or journal left
    assert list((tmp_path / "out").iterdir()) == []  # nothing written elsewhere either


# -- the -wal deleted under a running review -----------------------------------------

HOLDER = textwrap.dedent("""
    import sys
    from datetime import date, datetime, timezone
    from flashcards.store import Store
    day, now = date(2026, 3, 2), datetime(2026, 3, 2, 9, 30, tzinfo=timezone.utc)
    store = Store.open(sys.argv[1])
    ids = ["sample/alpha/definition", "sample/alpha/what_it_does", "sample/alpha/whos_behind_it",
           "sample/beta/definition", "sample/beta/what_makes_it_distinct", "sample/say-hello/phrase",
           "sample/say-thanks/phrase", "sample/door/holds"]
    for card in ids[:4]:
        store.record(card, 4, today=day, now=now)
    print("graded", flush=True)
    sys.stdin.readline()  # the test deletes the -wal and runs every command meanwhile
    for card in ids[4:]:
        store.record(card, 4, today=day, now=now)
    store.close()
    print("closed", flush=True)
""")


def test_a_deleted_wal_under_a_running_review_is_named_and_loses_nothing(template, tmp_path, files, runner):
    db = tmp_path / "db" / "flash.db"
    db.parent.mkdir()
    shutil.copy(template, db)
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(db)], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True, env={**os.environ, "PYTHONPATH": str(PACKAGE_ROOT)})
    try:
        assert holder.stdout.readline().strip() == "graded"
        os.unlink(f"{db}-wal")
        main_file = db.read_bytes()
        wrong = []
        for name, args in invocations():
            result = _call(runner, name, args, files, db)
            lines = result.stderr.splitlines()
            if not (result.exit_code == 1 and len(lines) == 1 and f"{db}-wal is missing while process "
                    f"{holder.pid}" in lines[0] and "let it finish" in lines[0] and "restore" not in
                    lines[0].replace("Do not restore", "")):
                wrong.append((name, args, result.exit_code, result.stderr))
            assert db.read_bytes() == main_file
            assert not os.path.exists(f"{db}-wal")  # no command put a new, empty -wal in its place
        assert wrong == []
        holder.stdin.write("\n")
        holder.stdin.flush()
        assert holder.stdout.readline().strip() == "closed"
    finally:
        holder.kill() if holder.poll() is None else None
        holder.wait()
    # the review's eight grades and the template's two are all in the main file, and it is sound
    assert rows(db, "SELECT COUNT(*) FROM reviews") == [(10,)]
    assert rows(db, "PRAGMA integrity_check") == [("ok",)]
    result = runner.invoke(cli, ["db", "check", "--db", str(db)])
    assert result.exit_code == 0, result.output
