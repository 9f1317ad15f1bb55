"""`flash import`, `validate`, `decks` and `cards` through the real CLI, and their errors."""

from __future__ import annotations

import json
import sqlite3

import pytest

from flashcards.store import SCHEMA_VERSION

TODAY = "2026-03-02"
TOMORROW = "2026-03-03"

# the sample deck, edited: alpha's definition changed, a phrase added, the badge analog removed
EDITED = """\
id: sample
name: Sample deck
terms:
  - id: alpha
    term: Alpha
    definition: The first letter of the Greek alphabet.
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
  - id: say-please
    dont_say: Gimme.
    do_say: Please.
    why: Manners.
analogs:
  - id: door
    concept: Authentication
    analog: A locked door
    holds: Only key holders get in.
    breaks: A door does not log who came in.
"""

BAD = """\
id: bad
name: Bad deck
tags: lesson
phrases:
  - id: p1
    dont_sya: We train it.
    do_say: We fine-tune it.
    why: Accuracy.
analogs:
  - id: a1
    concept: C
    analog: A
"""


def table_rows(text):
    """The rows under the header of the import report, piped: tab-separated cells."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("deck\t")) + 1
    rows = []
    for line in lines[start:]:
        if "\t" not in line:
            break
        rows.append(line.split("\t"))
    return rows


# what rich takes for a terminal (tables, not tab-separated rows), without colour codes
TERMINAL = {"TTY_COMPATIBLE": "1", "TERM": "dumb"}


def tsv_rows(text):
    """The lines that ``flash decks``/``flash cards`` print when piped, split at tabs."""
    return [line.split("\t") for line in text.splitlines()]


def table_header(text):
    for line in text.splitlines():
        if line.startswith("deck\t"):
            return line.split("\t")
    raise AssertionError(f"no table header in:\n{text}")


def terminal_table_rows(text):
    """The body rows of a rich table on a terminal, as lists of stripped cells."""
    return [[cell.strip() for cell in line.strip().strip("│").split("│")]
            for line in text.splitlines() if line.startswith("│")]


def no_traceback(result):
    assert isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output


def db_snapshot(db_path):
    """Every row of every table, read through a separate connection."""
    conn = sqlite3.connect(str(db_path))
    try:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        return {t: conn.execute(f"SELECT * FROM {t} ORDER BY rowid").fetchall() for t in tables}
    finally:
        conn.close()


def cards_json(invoke, db_path, *extra):
    result = invoke("cards", "--json", "--db", db_path, "--today", TODAY, *extra)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


# -- import -------------------------------------------------------------------------


def test_import_report(invoke, db_path, sample_deck, one_term_deck):
    result = invoke("import", sample_deck, one_term_deck, "--db", db_path, "--today", TODAY)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0].strip() == "Imported 2 decks"
    assert table_header(result.stdout) == ["deck", "added", "updated", "retired", "unchanged"]
    assert table_rows(result.stdout) == [["sample", "12", "0", "0", "0"], ["one", "2", "0", "0", "0"]]
    assert result.stderr == ""


def test_import_report_on_a_terminal_is_a_table(invoke, db_path, sample_deck, one_term_deck):
    result = invoke("import", sample_deck, one_term_deck, "--db", db_path, "--today", TODAY, env=TERMINAL)
    assert result.exit_code == 0, result.output
    assert terminal_table_rows(result.stdout) == [["sample", "12", "0", "0", "0"], ["one", "2", "0", "0", "0"]]


def test_reimport_reports_added_updated_retired_unchanged(invoke, db_path, sample_deck, write_deck):
    invoke("import", sample_deck, "--db", db_path, "--today", TODAY)
    again = invoke("import", sample_deck, "--db", db_path, "--today", TODAY)
    assert table_rows(again.stdout) == [["sample", "0", "0", "0", "12"]]

    edited = write_deck(EDITED, "sample.yaml")
    result = invoke("import", edited, "--db", db_path, "--today", TOMORROW)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0].strip() == "Imported 1 deck"
    # alpha's term and definition cards changed; say-please added; badge retired
    assert table_rows(result.stdout) == [["sample", "1", "2", "1", "9"]]


def test_removed_entry_comes_back_with_its_history(invoke, db_path, sample_deck, write_deck):
    original = sample_deck.read_text(encoding="utf-8")
    invoke("import", sample_deck, "--db", db_path, "--today", TODAY)
    invoke("review", "--db", db_path, "--today", TODAY, "--deck", "sample", input="5\n" * 12)
    before = {c["id"]: c for c in cards_json(invoke, db_path)}["sample/badge/holds"]
    assert before["repetitions"] == 1

    write_deck(EDITED, "sample.yaml")
    invoke("import", sample_deck, "--db", db_path, "--today", TODAY)
    retired = {c["id"]: c for c in cards_json(invoke, db_path)}["sample/badge/holds"]
    assert retired["retired"] is True
    assert {k: v for k, v in retired.items() if k != "retired"} == {
        k: v for k, v in before.items() if k != "retired"
    }
    decks = invoke("decks", "--db", db_path, "--today", TOMORROW)
    # piped: id, name, new, due today, learning, total, retired
    # day 1 showed one card per entry (6); badge's retired: 5 seen, 7 new (6 waiting + say-please)
    assert tsv_rows(decks.stdout)[0][2:] == ["7", "5", "5", "12", "1"]

    write_deck(original, "sample.yaml")
    result = invoke("import", sample_deck, "--db", db_path, "--today", TODAY)
    assert result.exit_code == 0, result.output
    # nothing new: one card restored; say-please retired; alpha's two cards edited back
    assert table_rows(result.stdout) == [["sample", "0 (+1 restored)", "2", "1", "9"]]
    assert {c["id"]: c for c in cards_json(invoke, db_path)}["sample/badge/holds"] == before


def test_import_of_an_invalid_deck_set_changes_nothing(invoke, db_path, sample_deck, write_deck):
    invoke("import", sample_deck, "--db", db_path, "--today", TODAY)
    snapshot = db_snapshot(db_path)
    file_bytes = db_path.read_bytes()

    edited = write_deck(EDITED, "edited.yaml")  # valid on its own, but the set is not
    bad = write_deck(BAD, "bad.yaml")
    result = invoke("import", edited, bad, "--db", db_path, "--today", TOMORROW)
    assert result.exit_code == 1
    no_traceback(result)
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert lines[0].startswith("Error: ")
    for problem in (
        f"{bad}:3: 'tags' must be a list, e.g. [pricing, inference]",
        f"{bad}:5: phrase entry needs 'dont_say' (a line not to say) or 'buyer_says' (a line the buyer says)",
        f"{bad}:6: unknown key 'dont_sya' in phrase entry (did you mean 'dont_say'?)",
        f"{bad}:10: analog entry needs 'holds' or 'breaks' (or both)",
    ):
        assert problem in lines or lines[0] == f"Error: {problem}", problem
    assert db_path.read_bytes() == file_bytes
    assert db_snapshot(db_path) == snapshot


def test_failed_import_does_not_create_a_database(invoke, db_path, write_deck):
    bad = write_deck(BAD, "bad.yaml")
    result = invoke("import", bad, "--db", db_path, "--today", TODAY)
    assert result.exit_code == 1
    assert not db_path.exists()


def test_import_missing_path(invoke, db_path, tmp_path):
    missing = tmp_path / "nope.yaml"
    result = invoke("import", missing, "--db", db_path, "--today", TODAY)
    assert result.exit_code == 1
    no_traceback(result)
    assert f"{missing}: no such file or folder" in result.stderr
    assert not db_path.exists()


def test_import_unreadable_deck(invoke, db_path, tmp_path):
    path = tmp_path / "latin1.yaml"
    path.write_bytes("id: x\nname: caf\xe9\n".encode("latin-1"))
    result = invoke("import", path, "--db", db_path, "--today", TODAY)
    assert result.exit_code == 1
    no_traceback(result)
    assert f"{path}:2: not UTF-8 text (invalid continuation byte at byte 15)" in result.stderr


def test_validate_defaults_to_the_shipped_decks_like_its_siblings(invoke, db_path):
    from flashcards.decks import load_decks, shipped_decks_dir
    from flashcards.model import cards_for_deck

    shipped = load_decks([shipped_decks_dir()])
    result = invoke("validate", "--db", db_path, "--today", TODAY)
    assert result.exit_code == 0, result.output
    cards = sum(len(cards_for_deck(d)) for d in shipped)
    assert result.stdout.startswith(f"OK: {len(shipped)} deck")
    assert f"{cards} cards" in result.stdout


def test_import_a_folder(invoke, db_path, write_deck, sample_deck_text):
    write_deck(sample_deck_text, "decks/sample.yaml")
    write_deck("id: two\nname: Two\nphrases:\n  - {id: p, dont_say: a, do_say: b, why: c}\n", "decks/two.yml")
    result = invoke("import", db_path.parent / "decks", "--db", db_path, "--today", TODAY)
    assert result.exit_code == 0, result.output
    assert table_rows(result.stdout) == [["sample", "12", "0", "0", "0"], ["two", "1", "0", "0", "0"]]


# -- validate -----------------------------------------------------------------------


def test_validate_lists_every_problem(invoke, write_deck):
    bad = write_deck(BAD, "bad.yaml")
    worse = write_deck("id: worse\nname: [x]\nterms:\n  - id: t\n    term: T\n", "worse.yaml")
    result = invoke("validate", bad, worse)
    assert result.exit_code == 1
    no_traceback(result)
    assert result.stdout.splitlines() == [
        f"{bad}:3: 'tags' must be a list, e.g. [pricing, inference]",
        f"{bad}:5: phrase entry needs 'dont_say' (a line not to say) or 'buyer_says' (a line the buyer says)",
        f"{bad}:6: unknown key 'dont_sya' in phrase entry (did you mean 'dont_say'?)",
        f"{bad}:10: analog entry needs 'holds' or 'breaks' (or both)",
        f"{worse}:2: 'name' must be text, not a list",
        f"{worse}:4: term entry is missing required field 'definition'",
    ]
    assert result.stderr == "Error: 6 problems in 2 files\n"


def test_validate_syntax_error(invoke, write_deck):
    path = write_deck("id: x\nname: X\nterms:\n  - id: t\n    term: T\n   definition: D\n")
    result = invoke("validate", path)
    assert result.exit_code == 1
    (line,) = result.stdout.splitlines()
    assert line.startswith(f"{path}:6: YAML syntax error: ")
    assert result.stderr == "Error: 1 problem in 1 file\n"


def test_validate_ok(invoke, sample_deck, one_term_deck):
    result = invoke("validate", sample_deck)
    assert result.exit_code == 0, result.output
    assert result.stdout == "OK: 1 deck, 6 entries, 12 cards\n"
    result = invoke("validate", sample_deck, one_term_deck)
    assert result.stdout == "OK: 2 decks, 7 entries, 14 cards\n"


def test_validate_does_not_touch_the_database(invoke, db_path, sample_deck):
    result = invoke("validate", sample_deck, "--db", db_path, "--today", TODAY)
    assert result.exit_code == 0
    assert not db_path.exists()


# -- decks --------------------------------------------------------------------------


def test_decks_table(invoke, db_path, sample_deck, one_term_deck):
    invoke("import", sample_deck, one_term_deck, "--db", db_path, "--today", TODAY)
    # sample: 3 graded today (one of them 1), all due tomorrow
    invoke("review", "--db", db_path, "--today", TODAY, "--deck", "sample", input="5\n1\n4\n\n")
    result = invoke("decks", "--db", db_path, "--today", TODAY)
    assert result.exit_code == 0, result.output
    assert tsv_rows(result.stdout) == [
        ["one", "One term", "2", "0", "0", "2", "0"],
        ["sample", "Sample deck", "9", "0", "3", "12", "0"],
    ]
    tomorrow = invoke("decks", "--db", db_path, "--today", TOMORROW)
    assert tsv_rows(tomorrow.stdout)[1] == ["sample", "Sample deck", "9", "3", "3", "12", "0"]
    # on a terminal: a table, headed by the day
    table = invoke("decks", "--db", db_path, "--today", TODAY, env=TERMINAL)
    lines = [line.rstrip() for line in table.stdout.splitlines()]
    assert lines[0] == f"Decks on {TODAY}"
    assert lines[1].split() == ["deck", "name", "new", "due", "today", "learning", "total"]
    assert lines[3].split() == ["one", "One", "term", "2", "0", "0", "2"]


def test_deck_names_are_not_markup(invoke, db_path, write_deck):
    deck = write_deck("id: marks\nname: '[bold]Loud[/bold] deck'\n", "marks.yaml")
    invoke("import", deck, "--db", db_path, "--today", TODAY)
    result = invoke("decks", "--db", db_path, "--today", TODAY)
    assert tsv_rows(result.stdout) == [["marks", "[bold]Loud[/bold] deck", "0", "0", "0", "0", "0"]]
    table = invoke("decks", "--db", db_path, "--today", TODAY, env=TERMINAL)
    assert "[bold]Loud[/bold] deck" in table.stdout


def test_decks_on_an_empty_database(invoke, db_path):
    from flashcards.store import Store

    Store.open(db_path).close()
    result = invoke("decks", "--db", db_path, "--today", TODAY)
    assert result.exit_code == 0
    # piped, the rows (none) go to stdout and the words to stderr
    assert result.stdout == ""
    assert result.stderr == "No decks yet: run 'flash import PATH' or 'flash review'.\n"
    tty = invoke("decks", "--db", db_path, "--today", TODAY, env=TERMINAL)
    assert tty.stdout == "No decks yet: run 'flash import PATH' or 'flash review'.\n"


@pytest.mark.parametrize("command", [["decks"], ["cards"], ["cards", "--json"]])
def test_missing_database(invoke, db_path, command):
    result = invoke(*command, "--db", db_path, "--today", TODAY)
    assert result.exit_code == 1
    no_traceback(result)
    assert result.stderr == (
        f"Error: no database at {db_path} (run 'flash import' or 'flash review' to create one)\n"
    )
    assert not db_path.exists()


# -- cards --------------------------------------------------------------------------


def test_cards_json(invoke, db_path, sample_deck, one_term_deck, sample_card_ids):
    invoke("import", sample_deck, one_term_deck, "--db", db_path, "--today", TODAY)
    invoke("review", "--db", db_path, "--today", TODAY, "--deck", "sample", input="4\n")
    cards = cards_json(invoke, db_path)
    assert [c["id"] for c in cards] == ["one/t1/term", "one/t1/definition"] + sample_card_ids
    required = {"id", "deck", "kind", "front", "repetitions", "easiness", "interval", "due", "retired"}
    for card in cards:
        assert required <= set(card)
    first = next(c for c in cards if c["id"] == sample_card_ids[0])
    assert {k: first[k] for k in required} == {
        "id": "sample/alpha/term", "deck": "sample", "kind": "term", "front": "Alpha\n\nWhat is it?",
        "repetitions": 1, "easiness": 2.5, "interval": 1, "due": TOMORROW, "retired": False,
    }
    new = next(c for c in cards if c["id"] == "sample/badge/holds")
    assert (new["due"], new["repetitions"], new["easiness"], new["interval"]) == (None, 0, 2.5, 0)

    only = cards_json(invoke, db_path, "--deck", "one")
    assert [c["id"] for c in only] == ["one/t1/term", "one/t1/definition"]


def test_cards_table(invoke, db_path, one_term_deck):
    invoke("import", one_term_deck, "--db", db_path, "--today", TODAY)
    invoke("review", "--db", db_path, "--today", TODAY, input="3\n")
    result = invoke("cards", "--db", db_path, "--today", TODAY)
    assert result.exit_code == 0, result.output
    # piped: id, kind, reps, EF, interval, due, status (- when empty)
    assert tsv_rows(result.stdout) == [
        ["one/t1/term", "term", "1", "2.36", "1", TOMORROW, "-"],
        ["one/t1/definition", "definition", "0", "2.50", "-", "-", "new"],
    ]
    assert invoke("cards", "--plain", "--db", db_path, "--today", TODAY, env=TERMINAL).stdout \
        == result.stdout
    # on a terminal: a table per deck, each card by its id within the deck
    table = invoke("cards", "--db", db_path, "--today", TODAY, env=TERMINAL)
    lines = [line.rstrip() for line in table.stdout.splitlines()]
    assert lines[0] == "deck one (2 cards)"
    assert lines[1].split() == ["card", "EF", "ivl", "due", "status"]
    assert lines[3].split() == ["t1/term", "2.36", "1d", TOMORROW]
    assert lines[4].split() == ["t1/definition", "2.50", "–", "–", "new"]


def test_cards_unknown_deck(invoke, db_path, one_term_deck):
    invoke("import", one_term_deck, "--db", db_path, "--today", TODAY)
    result = invoke("cards", "--deck", "nope", "--db", db_path, "--today", TODAY)
    assert result.exit_code == 1
    assert result.stderr == "Error: no deck with id 'nope' (decks: one)\n"


# -- database errors ----------------------------------------------------------------


@pytest.mark.parametrize("command", [["decks"], ["cards", "--json"], ["review"], ["import", "DECK"]])
def test_corrupt_database(invoke, db_path, sample_deck, command):
    db_path.write_bytes(b"not a database at all " * 200)
    args = [sample_deck if a == "DECK" else a for a in command]
    result = invoke(*args, "--db", db_path, "--today", TODAY)
    assert result.exit_code == 1
    no_traceback(result)
    assert result.stderr == f"Error: {db_path} is not a usable flashcards database (file is not a database)\n"
    assert result.stdout == ""


def test_other_sqlite_database(invoke, db_path):
    conn = sqlite3.connect(str(db_path))
    conn.execute("CREATE TABLE photos (id INTEGER PRIMARY KEY)")
    conn.commit()
    conn.close()
    result = invoke("decks", "--db", db_path, "--today", TODAY)
    assert result.exit_code == 1
    no_traceback(result)
    assert result.stderr == f"Error: {db_path} is an SQLite database, but not a flashcards one\n"


@pytest.mark.parametrize("command", [["decks"], ["review"], ["import", "DECK"]])
def test_newer_schema(invoke, db_path, sample_deck, command):
    invoke("import", sample_deck, "--db", db_path, "--today", TODAY)
    conn = sqlite3.connect(str(db_path))
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 5}")
    conn.commit()
    conn.close()
    args = [sample_deck if a == "DECK" else a for a in command]
    result = invoke(*args, "--db", db_path, "--today", TODAY)
    assert result.exit_code == 1
    no_traceback(result)
    assert result.stderr == (
        f"Error: {db_path} was written by a newer version of flashcards (schema {SCHEMA_VERSION + 5}, "
        f"this version reads up to {SCHEMA_VERSION}); upgrade flashcards\n"
    )


def test_database_path_is_a_folder(invoke, tmp_path):
    result = invoke("decks", "--db", tmp_path, "--today", TODAY)
    assert result.exit_code == 1
    no_traceback(result)
    assert result.stderr == f"Error: {tmp_path} is a folder, not a database file\n"


def test_import_without_paths_brings_in_the_shipped_decks(invoke, db_path):
    from flashcards.decks import load_decks, shipped_decks_dir
    from flashcards.model import cards_for_deck

    shipped = load_decks([shipped_decks_dir()])
    total = sum(len(cards_for_deck(d)) for d in shipped)
    first = invoke("import", "--db", db_path, "--today", TODAY)
    assert first.exit_code == 0, first.output
    cards = json.loads(invoke("cards", "--json", "--db", db_path, "--today", TODAY).output)
    assert len(cards) == total
    assert {c["deck"] for c in cards} == {d.id for d in shipped}
    again = invoke("import", "--db", db_path, "--today", TODAY)
    assert again.exit_code == 0
    for deck in shipped:  # second time: nothing added, updated or retired
        assert [deck.id, "0", "0", "0", str(len(cards_for_deck(deck)))] in table_rows(again.stdout), again.output
