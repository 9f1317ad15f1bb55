"""Re-import change detection: every field a card carries, tags and source included,
must reach the database when it is the only thing edited (issue 16's mutants: a
card hash that forgets tags or source would leave these cards stale)."""

from __future__ import annotations

import sqlite3

import pytest

from conftest import SAMPLE_DECK

DAY = "2026-03-02"
ALPHA_CARDS = ["sample/alpha/term", "sample/alpha/definition", "sample/alpha/what_it_does",
               "sample/alpha/whos_behind_it"]


def stored(db_path, card_id):
    conn = sqlite3.connect(str(db_path))
    try:
        return conn.execute("SELECT tags, source, updated_on FROM cards WHERE id = ?", (card_id,)).fetchone()
    finally:
        conn.close()


@pytest.fixture
def imported(invoke, write_deck, db_path):
    path = write_deck(SAMPLE_DECK, "sample.yaml")
    result = invoke("import", str(path), "--db", str(db_path), "--today", DAY)
    assert result.exit_code == 0, result.output
    # a grade, so we can check that the update keeps the card's history
    result = invoke("review", "--db", str(db_path), "--today", DAY, "--new", "1", input="5\n\n")
    assert result.exit_code == 0, result.output
    return path


def reimport(invoke, path, db_path, text):
    path.write_text(text, encoding="utf-8")
    result = invoke("import", str(path), "--db", str(db_path), "--today", "2026-03-03")
    assert result.exit_code == 0, result.output


def updated_on(db_path, day):
    conn = sqlite3.connect(str(db_path))
    try:
        return [r[0] for r in conn.execute("SELECT id FROM cards WHERE updated_on = ? ORDER BY position", (day,))]
    finally:
        conn.close()


@pytest.mark.parametrize("before, after, column, expected", [
    ("    tags: [letters]\n", "    tags: [letters, greek]\n", 0, '["letters", "greek"]'),
    ("    tags: [letters]\n", "    tags: [letters]\n    source: Lesson 1 (draft A)\n", 1, "Lesson 1 (draft A)"),
])
def test_editing_only_tags_or_source_updates_the_entry_cards(invoke, imported, db_path, before, after,
                                                              column, expected):
    assert SAMPLE_DECK.count(before) == 1
    reimport(invoke, imported, db_path, SAMPLE_DECK.replace(before, after))
    assert updated_on(db_path, "2026-03-03") == ALPHA_CARDS
    for card_id in ALPHA_CARDS:
        row = stored(db_path, card_id)
        assert row[column] == expected
        assert row[2] == "2026-03-03"
    # the other cards were left alone
    assert stored(db_path, "sample/beta/term")[2] == DAY


def test_the_update_keeps_the_graded_cards_state(invoke, imported, db_path):
    conn = sqlite3.connect(str(db_path))
    due_before = conn.execute("SELECT due, repetitions FROM card_state WHERE card_id = ?",
                              ("sample/alpha/term",)).fetchone()
    conn.close()
    assert due_before == ("2026-03-03", 1)
    reimport(invoke, imported, db_path, SAMPLE_DECK.replace("[letters]", "[letters, greek]"))
    conn = sqlite3.connect(str(db_path))
    assert conn.execute("SELECT due, repetitions FROM card_state WHERE card_id = ?",
                        ("sample/alpha/term",)).fetchone() == due_before
    conn.close()
