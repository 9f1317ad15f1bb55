"""The store under many hands: two connections on one file, a held write lock, an empty,
damaged or read-only file. Every test uses real SQLite files and real connections."""

from __future__ import annotations

import sqlite3
import threading
import time
from datetime import date, datetime, timedelta, timezone

import pytest

import flashcards.store.opening as store_module
from flashcards.decks import load_deck
from flashcards.errors import (
    DatabaseBusyError,
    DatabaseDamagedError,
    GradeRefusedError,
    StoreError,
)
from flashcards.store import Store
from flashcards.store.maintenance import backup, check
from flashcards.store.stats import set_suspended

from conftest import rows

DAY = date(2026, 3, 2)
NOW = datetime(2026, 3, 2, 9, 30, tzinfo=timezone.utc)
CARD = "sample/alpha/term"


@pytest.fixture
def two(db_path, sample_deck):
    """Two stores (two sessions) on one database holding the sample deck."""
    with Store.open(db_path) as first:
        first.sync([load_deck(sample_deck)], today=DAY)
        with Store.open(db_path) as second:
            yield first, second


def corrupt(db_path, name="reviews_day"):
    """Overwrite the start of one index's root page: the file opens, quick_check fails."""
    page_size = rows(db_path, "PRAGMA page_size")[0][0]
    root = rows(db_path, "SELECT rootpage FROM sqlite_master WHERE name = ?", name)[0][0]
    with open(db_path, "r+b") as handle:
        handle.seek(page_size * (root - 1))
        handle.write(b"\xff" * 64)


# -- grades read and write inside one transaction ------------------------------------


def test_a_card_graded_in_one_session_is_refused_in_the_other(two, db_path):
    first, second = two
    assert second.card(CARD).state.due is None  # both sessions saw it new
    graded = first.record(CARD, 5, today=DAY, now=NOW)
    with pytest.raises(GradeRefusedError, match=r"already graded today.*next due 2026-03-03"):
        second.record(CARD, 2, today=DAY, now=NOW)
    assert rows(db_path, "SELECT card_id, grade FROM reviews") == [(CARD, 5)]
    assert second.card(CARD).state == graded.after  # one schedule step, not two


def test_the_before_state_is_read_inside_the_write(two, db_path):
    # the second session grades the next day from the state the first one wrote, not
    # from a state it read earlier
    first, second = two
    stale = second.card(CARD).state
    lapse = first.record(CARD, 1, today=DAY, now=NOW)
    record = second.record(CARD, 4, today=DAY + timedelta(days=1), now=NOW)
    assert record.before == lapse.after != stale
    assert rows(db_path, "SELECT reps_before, due_before FROM reviews ORDER BY id")[1] == (0, "2026-03-03")
    assert check(db_path).ok


def test_a_drill_may_follow_another_sessions_grade(two, db_path):
    first, second = two
    first.record(CARD, 2, today=DAY, now=NOW)
    drill = second.record(CARD, 4, today=DAY, now=NOW, drill=True)
    assert drill.before == drill.after
    assert rows(db_path, "SELECT kind FROM reviews ORDER BY id") == [("review",), ("drill",)]


def test_retired_and_suspended_cards_are_never_graded(two, db_path, write_deck):
    first, second = two
    write_deck("id: sample\nname: Sample\n", "sample.yaml")  # every entry gone
    second.sync([load_deck(db_path.parent / "sample.yaml")], today=DAY)
    with pytest.raises(GradeRefusedError, match="retired"):
        first.record(CARD, 5, today=DAY, now=NOW)
    with pytest.raises(GradeRefusedError, match="retired"):
        first.record(CARD, 5, today=DAY, now=NOW, drill=True)
    assert rows(db_path, "SELECT COUNT(*) FROM reviews") == [(0,)]


def test_suspended_card_is_refused(two, db_path):
    first, second = two
    set_suspended(second, [CARD], suspended=True)
    with pytest.raises(GradeRefusedError, match="suspended"):
        first.record(CARD, 5, today=DAY, now=NOW)
    assert rows(db_path, "SELECT COUNT(*) FROM reviews") == [(0,)]


def test_undo_is_refused_after_a_later_grade_from_another_session(two, db_path):
    first, second = two
    mine = first.record(CARD, 5, today=DAY, now=NOW)
    theirs = second.record(CARD, 4, today=DAY + timedelta(days=1), now=NOW)
    with pytest.raises(GradeRefusedError, match=rf"cannot undo grade 5 for {CARD}: .*log row {theirs.id}"):
        first.undo(mine.id, today=DAY + timedelta(days=1), now=NOW)
    assert first.card(CARD).state == theirs.after  # their grade stands
    assert rows(db_path, "SELECT COUNT(*) FROM reviews WHERE kind = 'undo'") == [(0,)]
    # undoing their (latest) grade is fine, and restores what my grade made
    second.undo(theirs.id, today=DAY + timedelta(days=1), now=NOW)
    assert first.card(CARD).state == mine.after
    assert check(db_path).ok


def test_undo_after_an_undone_drill_of_the_same_card(two):
    first, _ = two
    graded = first.record(CARD, 2, today=DAY, now=NOW)
    drill = first.record(CARD, 4, today=DAY, now=NOW, drill=True)
    first.undo(drill.id, today=DAY, now=NOW)
    first.undo(graded.id, today=DAY, now=NOW)  # the drill after it was undone: allowed
    assert first.card(CARD).state.due is None


# -- a busy database ----------------------------------------------------------------


def test_a_held_write_lock_is_waited_for_then_reported(two, db_path):
    first, _ = two
    notices = []
    first.busy_timeout, first.on_wait = 1.5, notices.append
    blocker = sqlite3.connect(str(db_path))
    blocker.execute("BEGIN IMMEDIATE")
    try:
        started = time.monotonic()
        with pytest.raises(DatabaseBusyError) as info:
            first.record(CARD, 5, today=DAY, now=NOW)
        waited = time.monotonic() - started
    finally:
        blocker.rollback()
        blocker.close()
    assert 1.4 <= waited < 5
    assert str(info.value) == (f"{db_path} is locked by another process writing to it (waited for 1.5 s); "
                               "try again when it has finished")
    assert notices == [f"waiting for another flash process to finish writing to {db_path} ..."]
    assert rows(db_path, "SELECT COUNT(*) FROM reviews") == [(0,)]
    first.record(CARD, 5, today=DAY, now=NOW)  # the lock is gone: the same grade goes in
    assert rows(db_path, "SELECT grade FROM reviews") == [(5,)]


def test_a_lock_released_while_waiting_lets_the_grade_in(two, db_path):
    first, _ = two
    first.busy_timeout = 10
    blocker = sqlite3.connect(str(db_path), check_same_thread=False)
    blocker.execute("BEGIN IMMEDIATE")
    release = threading.Timer(1.2, blocker.rollback)
    release.start()
    try:
        record = first.record(CARD, 4, today=DAY, now=NOW)
    finally:
        release.join()
        blocker.close()
    assert rows(db_path, "SELECT id, grade FROM reviews") == [(record.id, 4)]


# -- empty, damaged, odd paths ------------------------------------------------------------


@pytest.mark.parametrize("create", [True, False])
def test_an_empty_file_is_not_a_new_database(db_path, create):
    db_path.write_bytes(b"")
    with pytest.raises(StoreError, match=r"is an empty file \(0 bytes\), not a flashcards database"):
        Store.open(db_path, create=create)
    assert db_path.read_bytes() == b""
    assert sorted(p.name for p in db_path.parent.iterdir()) == ["flash.db"]


def test_a_new_database_appears_whole(db_path):
    Store.open(db_path).close()
    assert rows(db_path, "PRAGMA journal_mode") == [("wal",)]
    assert rows(db_path, "PRAGMA user_version") == [(store_module.SCHEMA_VERSION,)]
    assert [p.name for p in db_path.parent.iterdir() if p.name.endswith(".tmp")] == []


def test_a_damaged_database_is_refused_before_anything_is_written(two, db_path):
    first, second = two
    first.record(CARD, 5, today=DAY, now=NOW)
    first.close()
    second.close()
    corrupt(db_path)
    before = db_path.read_bytes()
    with pytest.raises(DatabaseDamagedError, match=r"is damaged \(.*\); nothing was written to it. "
                                                   r"Restore your latest backup"):
        Store.open(db_path)
    assert db_path.read_bytes() == before


def test_a_large_damaged_database_is_checked_before_the_first_write(two, db_path, monkeypatch):
    # above SYNC_CHECK_BYTES the check runs beside the session; the first write waits for it
    first, second = two
    first.close()
    second.close()
    corrupt(db_path)
    before = db_path.read_bytes()
    monkeypatch.setattr(store_module, "SYNC_CHECK_BYTES", 0)
    store = Store.open(db_path)
    try:
        assert store.card("sample/beta/term").id == "sample/beta/term"  # reading still works
        with pytest.raises(DatabaseDamagedError):
            store.record("sample/beta/term", 5, today=DAY, now=NOW)
    finally:
        store.close()
    assert db_path.read_bytes() == before


def test_a_folder_a_dangling_link_and_a_fifo_are_refused(tmp_path):
    with pytest.raises(StoreError, match="is a folder, not a database file"):
        Store.open(tmp_path)
    link = tmp_path / "link.db"
    link.symlink_to(tmp_path / "gone" / "flash.db")
    with pytest.raises(StoreError, match=r"is a symbolic link to .*gone/flash.db, which does not exist"):
        Store.open(link)
    import os
    fifo = tmp_path / "pipe.db"
    os.mkfifo(fifo)
    with pytest.raises(StoreError, match="is not a regular file"):
        Store.open(fifo)
    assert not (tmp_path / "gone").exists()


# -- db check and db backup ---------------------------------------------------------------


def test_check_finds_a_stale_before_state(two, db_path):
    first, _ = two
    first.record(CARD, 5, today=DAY, now=NOW)
    first.record(CARD, 5, today=DAY + timedelta(days=1), now=NOW)
    assert check(db_path).ok
    # what the old record() could write: a second grade logged from the state before the first
    # (the append-only trigger is lifted for it and put back: a missing trigger is a schema fault of its own)
    conn = sqlite3.connect(str(db_path))
    (trigger,) = conn.execute("SELECT sql FROM sqlite_master WHERE name = 'reviews_append_only_update'").fetchone()
    with conn:
        conn.execute("DROP TRIGGER reviews_append_only_update")
        conn.execute("UPDATE reviews SET reps_before = 0, due_before = NULL WHERE id = 2")
        conn.execute(trigger)
    conn.close()
    report = check(db_path)
    assert not report.ok and report.sound
    assert report.mismatch_count == 1
    assert str(report.mismatches[0]).startswith(f"{CARD}: log row 2: logged state before the grade")


def test_check_finds_a_state_the_log_does_not_explain(two, db_path):
    first, _ = two
    first.record(CARD, 5, today=DAY, now=NOW)
    conn = sqlite3.connect(str(db_path))
    with conn:
        conn.execute("UPDATE card_state SET interval = 16, due = '2026-03-18' WHERE card_id = ?", (CARD,))
    conn.close()
    report = check(db_path)
    assert [str(m) for m in report.mismatches] == [
        f"{CARD}: current state: stored state (reps 1, EF 2.60, interval 16, due 2026-03-18) is not what "
        f"its grades give (reps 1, EF 2.60, interval 1, due 2026-03-03)"
    ]


def test_check_reports_damage(two, db_path):
    first, second = two
    first.close()
    second.close()
    corrupt(db_path)
    report = check(db_path)
    assert not report.sound and report.integrity != ["ok"]


def test_backup_while_a_write_transaction_is_open(two, db_path, tmp_path):
    first, second = two
    first.record(CARD, 5, today=DAY, now=NOW)
    conn = second.db.conn
    conn.execute("BEGIN IMMEDIATE")  # a session in the middle of writing a grade
    conn.execute("UPDATE card_state SET interval = 99 WHERE card_id = 'sample/beta/term'")
    try:
        report = backup(db_path, tmp_path / "copy.db", busy_timeout=2)
    finally:
        conn.rollback()
    assert report.integrity == "ok" and report.cards == 12 and report.grades == 1
    copy = tmp_path / "copy.db"
    assert rows(copy, "PRAGMA journal_mode") == [("delete",)]
    assert rows(copy, "SELECT card_id, grade FROM reviews") == [(CARD, 5)]
    assert rows(copy, "SELECT interval FROM card_state WHERE card_id = 'sample/beta/term'") == [(0,)]
    assert check(copy).ok
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


def test_backup_onto_the_database_itself_is_refused(two, db_path):
    with pytest.raises(StoreError, match="onto itself"):
        backup(db_path, db_path)


def test_a_large_damaged_database_refuses_writes_outside_record_too(two, db_path, monkeypatch):
    # suspend, bury and quiz scoring write with their own transactions: SQLite's authorizer
    # makes each write statement wait for the background verdict, and refuses it on damage
    first, second = two
    first.close()
    second.close()
    corrupt(db_path)
    before = db_path.read_bytes()
    monkeypatch.setattr(store_module, "SYNC_CHECK_BYTES", 0)
    with pytest.raises(DatabaseDamagedError, match=r"is damaged \(.*\); nothing was written to it"):
        with Store.open(db_path) as store:
            set_suspended(store, [CARD], suspended=True)
    assert db_path.read_bytes() == before


def test_a_large_sound_database_takes_writes_outside_record(two, db_path, monkeypatch):
    first, second = two
    first.close()
    second.close()
    monkeypatch.setattr(store_module, "SYNC_CHECK_BYTES", 0)
    with Store.open(db_path) as store:
        set_suspended(store, [CARD], suspended=True)
        assert store.card(CARD).suspended
