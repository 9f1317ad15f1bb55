"""The SQLite store: opening and migrating, syncing decks, the review log, undo."""

from __future__ import annotations

import sqlite3
from datetime import date, datetime, timedelta, timezone

import pytest

import flashcards.store.opening as store_module
from flashcards.decks import load_deck
from flashcards.errors import StoreError
from flashcards.model import Deck, Term
from flashcards.sm2 import CardState
from flashcards.store import SCHEMA_VERSION, Store
from flashcards.store.forecast import due_by_day
from flashcards.store.schema import MIGRATIONS

from conftest import rows

DAY = date(2026, 3, 2)
NOW = datetime(2026, 3, 2, 9, 30, tzinfo=timezone.utc)


@pytest.fixture
def store(db_path):
    with Store.open(db_path) as s:
        yield s


@pytest.fixture
def synced(store, sample_deck):
    """The store with the sample deck imported on DAY."""
    store.sync([load_deck(sample_deck)], today=DAY)
    return store


# -- opening ----------------------------------------------------------------


def test_open_creates_and_migrates(db_path):
    assert not db_path.exists()
    with Store.open(db_path) as s:
        assert s.schema_version == SCHEMA_VERSION == len(MIGRATIONS)
        assert s.is_empty()
        assert s.deck_ids() == []
    assert rows(db_path, "PRAGMA user_version") == [(SCHEMA_VERSION,)]
    tables = {r[0] for r in rows(db_path, "SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"decks", "cards", "card_state", "reviews"} <= tables


def test_open_creates_missing_folders(tmp_path):
    path = tmp_path / "a" / "b" / "flash.db"
    Store.open(path).close()
    assert path.is_file()


def test_reopen_keeps_data(db_path, sample_deck):
    with Store.open(db_path) as s:
        s.sync([load_deck(sample_deck)], today=DAY)
    with Store.open(db_path, create=False) as s:
        assert s.deck_ids() == ["sample"]
        assert len(s.cards()) == 12


def test_missing_file_without_create(db_path):
    with pytest.raises(StoreError) as info:
        Store.open(db_path, create=False)
    assert str(info.value) == (
        f"no database at {db_path} (run 'flash import' or 'flash review' to create one)"
    )
    assert not db_path.exists()


def test_folder_instead_of_file(tmp_path):
    with pytest.raises(StoreError) as info:
        Store.open(tmp_path)
    assert str(info.value) == f"{tmp_path} is a folder, not a database file"


def test_corrupt_file(db_path):
    db_path.write_bytes(b"this is not an SQLite database, just some bytes " * 50)
    before = db_path.read_bytes()
    with pytest.raises(StoreError) as info:
        Store.open(db_path)
    assert str(info.value) == f"{db_path} is not a usable flashcards database (file is not a database)"
    assert db_path.read_bytes() == before


def test_other_sqlite_database(db_path):
    conn = sqlite3.connect(str(db_path))
    conn.execute("CREATE TABLE photos (id INTEGER PRIMARY KEY, name TEXT)")
    conn.commit()
    conn.close()
    with pytest.raises(StoreError) as info:
        Store.open(db_path)
    assert str(info.value) == f"{db_path} is an SQLite database, but not a flashcards one"
    assert rows(db_path, "SELECT name FROM sqlite_master WHERE type = 'table'") == [("photos",)]


def test_newer_schema(db_path):
    Store.open(db_path).close()
    conn = sqlite3.connect(str(db_path))
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.commit()
    conn.close()
    with pytest.raises(StoreError) as info:
        Store.open(db_path)
    assert str(info.value) == (
        f"{db_path} was written by a newer version of flashcards (schema {SCHEMA_VERSION + 1}, "
        f"this version reads up to {SCHEMA_VERSION}); upgrade flashcards"
    )
    assert rows(db_path, "PRAGMA user_version") == [(SCHEMA_VERSION + 1,)]


def test_migrates_a_version_one_database(db_path):
    # a database as the first release wrote it: migration 1 only, one graded card
    conn = sqlite3.connect(str(db_path))
    with conn:
        for statement in MIGRATIONS[0]:
            conn.execute(statement)
        conn.execute("PRAGMA user_version = 1")
        conn.execute("INSERT INTO decks (id, name, imported_on) VALUES ('old', 'Old', '2026-01-01')")
        conn.execute(
            """INSERT INTO cards (id, deck_id, entry_id, kind, front, back, position, content_hash,
               added_on, updated_on) VALUES ('old/t/term', 'old', 't', 'term', 'F', 'B', 0, 'x',
               '2026-01-01', '2026-01-01')"""
        )
        conn.execute(
            """INSERT INTO card_state (card_id, repetitions, ef, interval, due, last_review)
               VALUES ('old/t/term', 1, 260, 1, '2026-01-02', '2026-01-01')"""
        )
        conn.execute(
            """INSERT INTO reviews (card_id, reviewed_at, day, kind, grade, reps_before, ef_before,
               interval_before, reps_after, ef_after, interval_after, due_after)
               VALUES ('old/t/term', '2026-01-01T10:00:00', '2026-01-01', 'review', 5, 0, 250, 0,
               1, 260, 1, '2026-01-02')"""
        )
    conn.close()

    with Store.open(db_path) as s:
        assert s.schema_version == SCHEMA_VERSION
        card = s.card("old/t/term")
        assert card.state == CardState(repetitions=1, ef=260, interval=1, due=date(2026, 1, 2),
                                       last_review=date(2026, 1, 1))
        assert s.due_card_ids(today=date(2026, 1, 2)) == ["old/t/term"]
    assert rows(db_path, "SELECT card_id, grade FROM reviews") == [("old/t/term", 5)]


def test_failed_migration_changes_nothing(db_path, monkeypatch):
    # A migration is all or nothing: if one of its statements fails, the
    # earlier ones are rolled back too, and a fixed release can migrate later.
    Store.open(db_path).close()
    broken = MIGRATIONS + [["CREATE TABLE extra (x TEXT)", "THIS IS NOT SQL"]]
    monkeypatch.setattr(store_module, "MIGRATIONS", broken)
    monkeypatch.setattr(store_module, "SCHEMA_VERSION", len(broken))
    with pytest.raises(StoreError):
        Store.open(db_path)
    assert rows(db_path, "PRAGMA user_version") == [(len(MIGRATIONS),)]
    assert rows(db_path, "SELECT name FROM sqlite_master WHERE name = 'extra'") == []

    fixed = MIGRATIONS + [["CREATE TABLE extra (x TEXT)"]]
    monkeypatch.setattr(store_module, "MIGRATIONS", fixed)
    with Store.open(db_path) as s:
        assert s.schema_version == len(fixed)


# -- sync ---------------------------------------------------------------------


def test_sync_adds_new_cards(store, sample_deck, sample_card_ids):
    (report,) = store.sync([load_deck(sample_deck)], today=DAY)
    assert (report.deck_id, report.deck_name) == ("sample", "Sample deck")
    assert report.added == sample_card_ids
    assert (report.updated, report.retired, report.restored, report.unchanged) == ([], [], [], 0)
    cards = store.cards()
    assert [c.id for c in cards] == sample_card_ids
    assert all(c.state == CardState() and not c.retired for c in cards)
    assert store.card("sample/door/breaks").back == "A door does not log who came in."


def test_sync_again_is_unchanged(synced, sample_deck):
    (report,) = synced.sync([load_deck(sample_deck)], today=DAY + timedelta(days=1))
    assert not report.changed
    assert report.unchanged == 12


EDITED = """\
id: sample
name: Sample deck, second edition
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
  - id: gamma
    term: Gamma
    definition: The third letter.
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
"""


def test_sync_updates_adds_and_retires(synced, write_deck):
    (report,) = synced.sync([load_deck(write_deck(EDITED, "sample.yaml"))], today=DAY)
    # the definition feeds the term card's back and the definition card's front
    assert report.updated == ["sample/alpha/term", "sample/alpha/definition"]
    assert report.added == ["sample/gamma/term", "sample/gamma/definition"]
    assert report.retired == ["sample/badge/holds"]
    assert report.restored == []
    assert report.unchanged == 9
    assert synced.card("sample/alpha/term").back == "The first letter of the Greek alphabet."
    assert synced.card("sample/badge/holds").retired
    assert synced.deck_summaries(today=DAY)[0].name == "Sample deck, second edition"


def test_edited_entry_keeps_state_and_log(synced, write_deck, db_path):
    first = synced.record("sample/alpha/term", 5, today=DAY, now=NOW)
    state = synced.card("sample/alpha/term").state
    assert state.repetitions == 1
    synced.sync([load_deck(write_deck(EDITED, "sample.yaml"))], today=DAY + timedelta(days=1))
    card = synced.card("sample/alpha/term")
    assert card.back == "The first letter of the Greek alphabet."
    assert card.state == state
    assert rows(db_path, "SELECT id, card_id, grade FROM reviews") == [(first.id, "sample/alpha/term", 5)]


def test_retired_card_keeps_state_but_leaves_the_queue(synced, write_deck):
    synced.record("sample/badge/holds", 4, today=DAY, now=NOW)
    state = synced.card("sample/badge/holds").state
    tomorrow = DAY + timedelta(days=1)
    assert "sample/badge/holds" in synced.due_card_ids(today=tomorrow)

    synced.sync([load_deck(write_deck(EDITED, "sample.yaml"))], today=DAY)
    card = synced.card("sample/badge/holds")
    assert card.retired and card.state == state
    assert "sample/badge/holds" not in synced.due_card_ids(today=tomorrow)
    assert "sample/badge/holds" not in synced.new_card_ids(limit=100)
    assert due_by_day(synced, today=DAY) == {}
    assert "sample/badge/holds" in [c.id for c in synced.cards()]
    assert "sample/badge/holds" not in [c.id for c in synced.cards(include_retired=False)]
    (summary,) = synced.deck_summaries(today=tomorrow)
    assert (summary.total, summary.retired) == (13, 1)


def test_restored_card_brings_back_its_history(synced, write_deck, sample_deck, db_path):
    synced.record("sample/badge/holds", 5, today=DAY, now=NOW)
    state = synced.card("sample/badge/holds").state
    synced.sync([load_deck(write_deck(EDITED, "edited.yaml"))], today=DAY)
    (report,) = synced.sync([load_deck(sample_deck)], today=DAY + timedelta(days=1))
    assert report.restored == ["sample/badge/holds"]
    assert report.retired == ["sample/gamma/term", "sample/gamma/definition"]
    assert report.updated == ["sample/alpha/term", "sample/alpha/definition"]
    card = synced.card("sample/badge/holds")
    assert not card.retired
    assert card.state == state
    assert synced.due_card_ids(today=DAY + timedelta(days=1)) == ["sample/badge/holds"]
    assert rows(db_path, "SELECT card_id, grade FROM reviews") == [("sample/badge/holds", 5)]


def test_sync_is_all_or_nothing(synced, write_deck, db_path):
    # The second deck holds two entries with the same id (the reader would
    # refuse it; built by hand it reaches the database and fails there).
    good = load_deck(write_deck(EDITED, "sample.yaml"))
    broken = Deck(id="broken", name="Broken", terms=(
        Term(id="x", term="A", definition="B"),
        Term(id="x", term="C", definition="D"),
    ))
    before = rows(db_path, "SELECT * FROM cards ORDER BY id"), rows(db_path, "SELECT * FROM decks")
    with pytest.raises((sqlite3.IntegrityError, StoreError)):
        synced.sync([good, broken], today=DAY + timedelta(days=1))
    after = rows(db_path, "SELECT * FROM cards ORDER BY id"), rows(db_path, "SELECT * FROM decks")
    assert after == before
    assert synced.deck_ids() == ["sample"]
    assert not synced.card("sample/badge/holds").retired


# -- the review log -----------------------------------------------------------


def test_record_writes_state_and_log(synced, db_path):
    record = synced.record("sample/alpha/term", 5, today=DAY, now=NOW, duration_ms=1200)
    assert (record.card_id, record.grade, record.drill) == ("sample/alpha/term", 5, False)
    assert record.before == CardState()
    assert record.after == CardState(repetitions=1, ef=260, interval=1, due=DAY + timedelta(days=1),
                                     last_review=DAY)
    assert synced.card("sample/alpha/term").state == record.after
    assert rows(
        db_path,
        """SELECT card_id, reviewed_at, day, kind, grade, duration_ms,
                  reps_before, ef_before, interval_before, due_before,
                  reps_after, ef_after, interval_after, due_after FROM reviews""",
    ) == [("sample/alpha/term", "2026-03-02T09:30:00+00:00", "2026-03-02", "review", 5, 1200,
           0, 250, 0, None, 1, 260, 1, "2026-03-03")]


def test_record_commits_before_returning(synced, db_path):
    synced.record("sample/alpha/term", 4, today=DAY, now=NOW)
    # the store is still open: another connection already sees the grade
    assert rows(db_path, "SELECT card_id, grade FROM reviews") == [("sample/alpha/term", 4)]
    assert rows(db_path, "SELECT repetitions, due FROM card_state WHERE card_id = 'sample/alpha/term'") == [
        (1, "2026-03-03")
    ]


def test_drill_is_logged_but_leaves_the_state(synced, db_path):
    synced.record("sample/alpha/term", 2, today=DAY, now=NOW)
    state = synced.card("sample/alpha/term").state
    drill = synced.record("sample/alpha/term", 1, today=DAY, now=NOW, drill=True)
    assert drill.drill and drill.before == drill.after == state
    assert synced.card("sample/alpha/term").state == state
    assert rows(db_path, "SELECT kind, grade FROM reviews ORDER BY id") == [("review", 2), ("drill", 1)]


def test_invalid_grade_is_refused_and_not_logged(synced, db_path):
    with pytest.raises(ValueError):
        synced.record("sample/alpha/term", 6, today=DAY, now=NOW)
    assert rows(db_path, "SELECT COUNT(*) FROM reviews") == [(0,)]
    assert synced.card("sample/alpha/term").state == CardState()


def test_unknown_card(synced):
    with pytest.raises(StoreError) as info:
        synced.record("sample/nope/term", 5, today=DAY, now=NOW)
    assert str(info.value) == "no card with id 'sample/nope/term'"


@pytest.mark.parametrize(
    "sql",
    ["UPDATE reviews SET grade = 0", "DELETE FROM reviews", "UPDATE reviews SET card_id = 'x' WHERE id = 1"],
)
def test_review_log_is_append_only(synced, db_path, sql):
    synced.record("sample/alpha/term", 5, today=DAY, now=NOW)
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        with synced.db.conn:
            synced.db.conn.execute(sql)
    # the same holds for any other connection to the file
    conn = sqlite3.connect(str(db_path))
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        conn.execute(sql)
    conn.close()
    assert rows(db_path, "SELECT card_id, grade FROM reviews") == [("sample/alpha/term", 5)]


def test_undo_restores_state_and_appends(synced, db_path):
    first = synced.record("sample/alpha/term", 5, today=DAY, now=NOW)
    second = synced.record("sample/alpha/term", 1, today=DAY + timedelta(days=1), now=NOW)
    assert synced.card("sample/alpha/term").state.repetitions == 0
    undone = synced.undo(second.id, today=DAY + timedelta(days=1), now=NOW)
    assert undone.id == second.id and undone.grade == 1
    assert synced.card("sample/alpha/term").state == first.after
    assert rows(db_path, "SELECT id, kind, grade, undoes FROM reviews ORDER BY id") == [
        (first.id, "review", 5, None),
        (second.id, "review", 1, None),
        (second.id + 1, "undo", None, second.id),
    ]
    with pytest.raises(StoreError) as info:
        synced.undo(second.id, today=DAY, now=NOW)
    assert str(info.value) == f"review {second.id} does not exist, was already undone, or was given in Anki"


def test_undo_of_a_first_review_makes_the_card_new_again(synced):
    record = synced.record("sample/beta/term", 3, today=DAY, now=NOW)
    synced.undo(record.id, today=DAY, now=NOW)
    assert synced.card("sample/beta/term").state == CardState()
    assert synced.new_introduced(today=DAY) == 0
    assert synced.new_card_ids(limit=12)[4] == "sample/beta/term"


def test_new_cap_counts_cards_introduced_today(synced, sample_card_ids):
    tomorrow = DAY + timedelta(days=1)
    synced.record(sample_card_ids[0], 5, today=DAY, now=NOW)
    synced.record(sample_card_ids[1], 1, today=DAY, now=NOW)
    synced.record(sample_card_ids[1], 2, today=DAY, now=NOW, drill=True)
    synced.record(sample_card_ids[1], 4, today=DAY, now=NOW, drill=True)
    assert synced.new_introduced(today=DAY) == 2
    assert synced.new_introduced(today=DAY, deck="sample") == 2
    assert synced.new_introduced(today=DAY, deck="other") == 0
    # a scheduled review the next day is not an introduction
    synced.record(sample_card_ids[0], 5, today=tomorrow, now=NOW)
    assert synced.new_introduced(today=tomorrow) == 0
    synced.record(sample_card_ids[2], 5, today=tomorrow, now=NOW)
    assert synced.new_introduced(today=tomorrow) == 1
    assert synced.new_card_ids(limit=100) == sample_card_ids[3:]


def test_queue_queries(synced, sample_card_ids):
    later = DAY + timedelta(days=10)
    synced.record(sample_card_ids[5], 5, today=DAY, now=NOW)  # due DAY+1
    synced.record(sample_card_ids[0], 5, today=DAY + timedelta(days=2), now=NOW)  # due DAY+3
    synced.record(sample_card_ids[3], 4, today=DAY + timedelta(days=1), now=NOW)  # due DAY+2
    assert synced.due_card_ids(today=later) == [sample_card_ids[i] for i in (5, 3, 0)]
    assert synced.due_card_ids(today=later, limit=2) == [sample_card_ids[i] for i in (5, 3)]
    assert synced.due_card_ids(today=DAY + timedelta(days=2)) == [sample_card_ids[i] for i in (5, 3)]
    assert synced.due_card_ids(today=DAY) == []
    assert due_by_day(synced, today=DAY) == {DAY + timedelta(days=n): 1 for n in (1, 2, 3)}
    # overdue cards fall on the day asked about
    assert due_by_day(synced, today=DAY + timedelta(days=2)) == {DAY + timedelta(days=2): 2,
                                                                  DAY + timedelta(days=3): 1}


def test_deck_summaries(synced, sample_card_ids):
    synced.record(sample_card_ids[0], 5, today=DAY, now=NOW)
    synced.record(sample_card_ids[0], 5, today=DAY + timedelta(days=1), now=NOW)  # reps 2: not learning
    synced.record(sample_card_ids[1], 5, today=DAY, now=NOW)
    synced.record(sample_card_ids[2], 1, today=DAY, now=NOW)
    (summary,) = synced.deck_summaries(today=DAY + timedelta(days=1))
    assert (summary.id, summary.name) == ("sample", "Sample deck")
    assert (summary.new, summary.due, summary.learning, summary.total, summary.retired) == (9, 2, 2, 12, 0)


def test_require_deck(synced):
    synced.require_deck(None)
    synced.require_deck("sample")
    with pytest.raises(StoreError) as info:
        synced.require_deck("nope")
    assert str(info.value) == "no deck with id 'nope' (decks: sample)"
