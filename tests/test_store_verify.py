"""Schema verification derived from the migrations, read-only opening, the integrity policy,
and the -wal/-shm faults that are not damage. Real SQLite files, the real CLI."""

from __future__ import annotations

import os
import shutil
import sqlite3
from datetime import date, datetime, timezone

import pytest

import flashcards.store.opening as opening
from flashcards.decks import load_deck
from flashcards.errors import DatabaseDamagedError, SchemaMismatchError, StoreError, WalFaultError
from flashcards.store import SCHEMA_VERSION, Store
from flashcards.store.maintenance import backup
from flashcards.store.schema import MIGRATIONS
from flashcards.store.verify import describe, expected_schema

from conftest import rows
from test_store_faults_matrix import index_card_state_due
from unprivileged import run_unprivileged, shared_folder, unprivileged_prefix

DAY = date(2026, 3, 2)
NOW = datetime(2026, 3, 2, 9, 30, tzinfo=timezone.utc)


@pytest.fixture
def sample_db(db_path, sample_deck):
    with Store.open(db_path) as store:
        store.sync([load_deck(sample_deck)], today=DAY)
        store.record("sample/alpha/term", 5, today=DAY, now=NOW)
    return db_path


def build_version(path, version):
    conn = sqlite3.connect(path)
    with conn:
        for migration in MIGRATIONS[:version]:
            for statement in migration:
                conn.execute(statement)
        conn.execute(f"PRAGMA user_version = {version}")
    conn.close()


# -- what a version must hold comes from its migrations --------------------------------


def test_a_new_database_is_what_the_migrations_build(sample_db):
    conn = sqlite3.connect(sample_db)
    try:
        assert describe(conn) == expected_schema(SCHEMA_VERSION, MIGRATIONS)
    finally:
        conn.close()


def test_a_new_migration_is_verified_with_no_extra_work(sample_db, monkeypatch):
    newer = MIGRATIONS + [["CREATE TABLE extra (id TEXT PRIMARY KEY, n INTEGER NOT NULL)",
                           "CREATE INDEX extra_n ON extra(n)"]]
    monkeypatch.setattr(opening, "MIGRATIONS", newer)
    monkeypatch.setattr(opening, "SCHEMA_VERSION", len(newer))
    with Store.open(sample_db) as store:  # migrated, and the result verified against what `newer` builds
        assert store.schema_version == len(newer)
    conn = sqlite3.connect(sample_db)
    with conn:
        conn.execute("DROP INDEX extra_n")
    conn.close()
    before = sample_db.read_bytes()
    with pytest.raises(SchemaMismatchError, match=r"\(schema 8\): missing index extra_n; nothing was written"
                       .replace("8", str(len(newer)))):
        Store.open(sample_db)
    assert sample_db.read_bytes() == before


@pytest.mark.parametrize("statement,found", [
    ("CREATE INDEX mine ON cards(front)", "extra index mine"),
    ("CREATE TABLE notes_of_mine (x)", "extra table notes_of_mine"),
    ("ALTER TABLE cards ADD COLUMN colour TEXT", "extra column cards.colour"),
    ("DROP TRIGGER reviews_append_only_delete", "missing trigger reviews_append_only_delete"),
])
def test_anything_more_or_less_is_named(sample_db, statement, found):
    conn = sqlite3.connect(sample_db)
    with conn:
        conn.execute(statement)
    conn.close()
    before = sample_db.read_bytes()
    with pytest.raises(SchemaMismatchError) as info:
        Store.open(sample_db, write=False)
    assert info.value.found == [found]
    assert "restore your latest backup" in str(info.value)
    assert sample_db.read_bytes() == before


def test_an_older_file_that_is_not_what_its_version_built_is_not_migrated(db_path):
    build_version(db_path, 3)
    conn = sqlite3.connect(db_path)
    with conn:
        conn.execute("DROP TABLE quiz_rejections")
    conn.close()
    before = db_path.read_bytes()
    with pytest.raises(SchemaMismatchError, match=r"\(schema 3\): missing table quiz_rejections"):
        Store.open(db_path)
    assert db_path.read_bytes() == before
    assert rows(db_path, "PRAGMA user_version") == [(3,)]


# -- commands that only read never migrate --------------------------------------------------


def test_a_read_only_command_leaves_an_older_file_as_it_is_and_db_upgrade_upgrades(db_path, invoke):
    build_version(db_path, 3)
    before = db_path.read_bytes()
    result = invoke("stats", "--db", str(db_path), "--today", "2026-03-02")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"Error: {db_path} has schema 3 from an older flashcards (this one uses {SCHEMA_VERSION}); this command "
        f"only reads, so it leaves the file as it is: run 'flash db upgrade' once (it keeps everything)"]
    assert db_path.read_bytes() == before
    result = invoke("db", "upgrade", "--db", str(db_path))
    assert result.exit_code == 0, result.stderr
    assert result.stdout == f"Upgraded {db_path} from schema 3 to {SCHEMA_VERSION}.\n"
    assert invoke("stats", "--db", str(db_path), "--today", "2026-03-02").exit_code == 0
    upgraded = invoke("db", "upgrade", "--db", str(db_path))
    assert upgraded.stdout == f"{db_path} is up to date (schema {SCHEMA_VERSION}).\n"


def test_a_store_opened_to_read_refuses_every_write(sample_db):
    store = Store.open(sample_db, write=False)
    with pytest.raises(StoreError, match="this command opened it only to read"):
        with store:
            store.conn.execute("UPDATE card_state SET suspended = 1")
    with Store.open(sample_db, write=False) as again:
        with pytest.raises(StoreError, match="only to read"):
            again.record("sample/beta/term", 4, today=DAY, now=NOW)
    assert rows(sample_db, "SELECT COUNT(*) FROM card_state WHERE suspended = 1") == [(0,)]


# -- integrity: the full check, in the background beyond SYNC_CHECK_BYTES -----------------------


def test_a_large_database_with_a_stale_index_refuses_the_first_write(sample_db, monkeypatch):
    index_card_state_due(sample_db)
    before = sample_db.read_bytes()
    monkeypatch.setattr(opening, "SYNC_CHECK_BYTES", 0)  # as if it were large: checked beside the session
    store = Store.open(sample_db)
    try:
        assert store.card("sample/beta/term").id == "sample/beta/term"  # reading goes on meanwhile
        with pytest.raises(DatabaseDamagedError, match=r"is damaged \(row \d+ missing from index card_state_due\)"):
            store.record("sample/beta/term", 5, today=DAY, now=NOW)
    finally:
        store.close()
    assert sample_db.read_bytes() == before


def test_backup_of_a_damaged_database_keeps_the_good_backup(sample_db, tmp_path):
    good = tmp_path / "backup.db"
    backup(sample_db, good)
    kept = good.read_bytes()
    index_card_state_due(sample_db)
    with pytest.raises(DatabaseDamagedError, match=rf"no backup was written \({good} is as it was\)"):
        backup(sample_db, good)
    assert good.read_bytes() == kept
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []  # no temporary left


# -- the -wal and -shm: faults that are not damage -----------------------------------------


def crashed_copy(source, dest):
    """``dest`` as a killed process leaves it: main file, -wal with commits not yet in it, and -shm."""
    store = Store.open(source)
    for card in ("sample/beta/term", "sample/beta/definition"):
        store.record(card, 4, today=DAY, now=NOW)
    for suffix in ("", "-wal", "-shm"):
        shutil.copy(f"{source}{suffix}", f"{dest}{suffix}")
    store.close()


def test_a_wal_missing_after_a_crash_is_named_and_nothing_is_touched(sample_db, tmp_path, invoke):
    crashed = tmp_path / "crashed" / "flash.db"
    crashed.parent.mkdir()
    crashed_copy(sample_db, crashed)
    os.unlink(f"{crashed}-wal")
    before = {p.name: p.read_bytes() for p in crashed.parent.iterdir()}
    result = invoke("review", "--db", str(crashed), "--today", "2026-03-02", input="")
    assert result.exit_code == 1
    (line,) = result.stderr.splitlines()
    assert line.startswith(f"Error: {crashed}-wal is missing, but {crashed}-shm records ")
    assert "put its -wal file back beside it. Copy all of flash.db* somewhere safe first; nothing was changed" in line
    assert "Restore your latest backup" not in line
    assert {p.name: p.read_bytes() for p in crashed.parent.iterdir()} == before


def test_a_wal_put_back_brings_its_grades(sample_db, tmp_path):
    crashed = tmp_path / "crashed" / "flash.db"
    crashed.parent.mkdir()
    crashed_copy(sample_db, crashed)
    os.rename(f"{crashed}-wal", tmp_path / "moved-wal")
    with pytest.raises(WalFaultError):
        Store.open(crashed)
    os.rename(tmp_path / "moved-wal", f"{crashed}-wal")  # the advice: put it back
    with Store.open(crashed) as store:
        assert store.card("sample/beta/definition").state.due is not None
    assert rows(crashed, "SELECT COUNT(*) FROM reviews") == [(3,)]


def test_an_unreadable_wal_is_named(sample_db):
    prefix = unprivileged_prefix()
    if prefix is None:
        pytest.skip("no unprivileged user to run as (root without setpriv or 'nobody')")
    with shared_folder() as folder:
        db = folder / "flash.db"
        crashed_copy(sample_db, db)
        for path in folder.iterdir():
            path.chmod(0o666)
        os.chmod(f"{db}-wal", 0o000)
        before = db.read_bytes()
        result = run_unprivileged(prefix, ["-m", "flashcards", "stats", "--db", str(db), "--today", "2026-03-02"],
                                  cwd=folder)
        assert result.returncode == 1
        assert result.stderr.splitlines() == [
            f"Error: cannot read {db}-wal (Permission denied), which holds the latest changes to {db}: give your "
            f"user read and write access to it (as to flash.db); do not delete it or restore a backup; nothing "
            f"was changed"]
        assert db.read_bytes() == before
