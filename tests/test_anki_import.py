"""`flash import --anki FILE` (issue 21, section 4): a learner studies the shipped lesson in
real Anki for 30 days (tests/anki_study.py), Anki exports what they did, and flash brings
every answer into its review log, mapped to the right card, once."""

from __future__ import annotations

import json
import shutil
import sqlite3
import zipfile
from datetime import date, datetime, timezone
from pathlib import Path

import pytest
from anki.collection import Collection
from anki.import_export_pb2 import ExportAnkiPackageOptions
from click.testing import CliRunner

from anki_study import study
from flashcards.anki import template_kinds
from flashcards.anki_import import AnkiImportError, read_anki_file
from flashcards.cli import cli
from flashcards.model import card_id
from flashcards.schedulers import SM2, make_scheduler, replay
from flashcards.store import Store
from test_anki_export import import_apkg
from test_anki_study_order import KIND_OF_MODEL

DECK = "lesson-04-ai-lifecycle"
DAYS = 30
BUTTON_GRADES = {1: 1, 2: 3, 3: 4, 4: 5}  # docs/anki.md: Again 1, Hard 3, Good 4, Easy 5
FILES = ("study.apkg", "study-legacy.apkg", "study.colpkg", "study-legacy.colpkg")


def flash(*args, env=None):
    runner = CliRunner(env={"FLASH_DB": None, "FLASH_TODAY": None, "FLASH_DAY_STARTS_AT": None, "COLUMNS": "200",
                            **(env or {})})
    return runner.invoke(cli, [str(a) for a in args], catch_exceptions=False)


@pytest.fixture(scope="module")
def studied(tmp_path_factory):
    """A flash database with the shipped decks, the package it exported, 30 days of study of
    it in Anki, and what Anki exported: a package with scheduling and collections, each
    in the current (zstd) and the legacy layout. Returns (folder, answers: revlog id ->
    (flash card id by the Entry ID field and template, Anki's button))."""
    tmp = tmp_path_factory.mktemp("anki-study")
    db = tmp / "flash.db"
    assert flash("import", "--db", db, "--today", "2026-01-01").exit_code == 0
    result = flash("export", "anki", "--db", db, "-o", tmp / "lesson.apkg")
    assert result.exit_code == 0, result.output
    (tmp / "anki").mkdir()
    col_path = tmp / "anki" / "collection.anki2"
    col = Collection(str(col_path))
    try:
        import_apkg(col, tmp / "lesson.apkg")
        name = next(n.name for n in col.decks.all_names_and_ids() if n.name.startswith("Lesson 4:")
                    and "::" not in n.name and "(" not in n.name)
    finally:
        col.close()
    given = study(col_path, [name, f"{name} (follow-up)"], DAYS)
    col = Collection(str(col_path))
    try:
        answers = {}
        for revlog_id, cid, ease in col.db.all("SELECT id, cid, ease FROM revlog"):
            card = col.get_card(cid)
            note = card.note()
            deck_id, entry_id = note["Entry ID"].split("/", 1)
            answers[revlog_id] = (card_id(deck_id, entry_id, template_kinds(KIND_OF_MODEL[note.mid])[card.ord]), ease)
        assert len(answers) == given > 500
        for legacy, suffix in ((False, ""), (True, "-legacy")):
            options = ExportAnkiPackageOptions(with_scheduling=True, with_media=False, legacy=legacy)
            col.export_anki_package(out_path=str(tmp / f"study{suffix}.apkg"), options=options, limit=None)
            col.export_collection_package(str(tmp / f"study{suffix}.colpkg"), include_media=False, legacy=legacy)
            col.reopen()
    finally:
        col.close()
    return tmp, answers


def fresh_db(studied, tmp_path) -> Path:
    folder, _ = studied
    db = tmp_path / "flash.db"
    shutil.copy(folder / "flash.db", db)
    return db


def log_rows(db: Path):
    conn = sqlite3.connect(db)
    try:
        return conn.execute("SELECT anki_revlog_id, card_id, grade, kind, day, origin FROM reviews "
                            "WHERE origin = 'anki' ORDER BY anki_revlog_id").fetchall()
    finally:
        conn.close()


def replayed_states_match(db: Path) -> int:
    """Every card's stored state is SM-2's replay of its log (reviews by day, then time); returns cards checked."""
    conn = sqlite3.connect(db)
    try:
        rows = conn.execute("SELECT card_id, day, reviewed_at, id, grade FROM reviews WHERE kind = 'review' "
                            "ORDER BY card_id, day, reviewed_at, id").fetchall()
    finally:
        conn.close()
    logs: dict[str, list] = {}
    for cid, day, _, _, grade in rows:
        logs.setdefault(cid, []).append((date.fromisoformat(day), grade))
    with Store.open(db) as store:
        for cid, log in logs.items():
            assert store.card(cid).state == replay(SM2(), log), cid
    return len(logs)


@pytest.mark.parametrize("name", FILES)
def test_thirty_days_in_anki_come_home_exactly_once(studied, tmp_path, name):
    folder, answers = studied
    db = fresh_db(studied, tmp_path)
    result = flash("import", "--anki", folder / name, "--db", db)
    assert result.exit_code == 0, result.output
    n = len(answers)
    assert f"Mapped {n} of {n} to flash cards: {n} added to the log, 0 already there" in result.stdout
    assert "Not imported" not in result.stdout

    rows = log_rows(db)
    assert len(rows) == n
    for revlog_id, cid, grade, kind, day, origin in rows:
        expected_card, ease = answers[revlog_id]
        assert (cid, grade) == (expected_card, BUTTON_GRADES[ease])
    # one scheduled review per card and study day, the day's other answers drills
    reviews = {(cid, day) for _, cid, _, kind, day, _ in rows if kind == "review"}
    assert len(reviews) == sum(1 for _, _, _, kind, _, _ in rows if kind == "review")
    assert reviews == {(cid, day) for _, cid, _, _, day, _ in rows}
    assert len({day for *_, day, _ in rows}) == DAYS
    assert replayed_states_match(db) == len({cid for _, cid, *_ in rows})
    check = flash("db", "check", "--db", db)
    assert check.exit_code == 0 and "0 disagree with the stored state" in check.stdout, check.output

    before = _dump(db)
    again = flash("import", "--anki", folder / name, "--db", db)
    assert again.exit_code == 0
    assert f"Mapped {n} of {n} to flash cards: 0 added to the log, {n} already there" in again.stdout
    assert _dump(db) == before

    stats = json.loads(flash("stats", "--json", "--db", db, "--today", datetime.now().date().isoformat()).stdout)
    assert stats["reviews"]["total"] == stats["reviews"]["anki_total"] == n


def _dump(db: Path):
    conn = sqlite3.connect(db)
    try:
        return (conn.execute("SELECT * FROM reviews ORDER BY id").fetchall(),
                conn.execute("SELECT * FROM card_state ORDER BY card_id").fetchall())
    finally:
        conn.close()


def test_terminal_and_phone_reviews_merge_in_time_order(studied, tmp_path):
    """Cards reviewed in flash before the Anki study began: their merged log starts with
    flash's grade, and the state is the replay of both."""
    folder, answers = studied
    db = fresh_db(studied, tmp_path)
    first = min(answers) / 1000
    day_before = datetime.fromtimestamp(first - 2 * 86_400).date()
    graded = sorted({cid for cid, _ in answers.values()})[:3]
    with Store.open(db) as store:
        for cid in graded:
            store.record(cid, 5, today=day_before, now=datetime.fromtimestamp(first - 2 * 86_400, timezone.utc))
    result = flash("import", "--anki", folder / "study.colpkg", "--db", db)
    assert result.exit_code == 0, result.output
    replayed_states_match(db)
    with Store.open(db) as store:
        for cid in graded:
            assert store.card(cid).state.lapses == replay(SM2(), [(day_before, 5)] + [
                (date.fromisoformat(day), grade) for _, c, grade, kind, day, _ in log_rows(db)
                if c == cid and kind == "review"]).lapses
    check = flash("db", "check", "--db", db)
    assert check.exit_code == 0 and "0 disagree with the stored state" in check.stdout, check.output


def test_reviews_of_entries_the_database_lacks_are_counted_and_named(studied, tmp_path):
    folder, answers = studied
    db = fresh_db(studied, tmp_path)
    gone = sorted({cid.rsplit("/", 1)[0] for cid, _ in answers.values()})[0]  # deck/entry
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA foreign_keys = OFF")
    entry = gone.split("/", 1)[1]
    conn.execute("DELETE FROM card_state WHERE card_id IN (SELECT id FROM cards WHERE entry_id = ?)", (entry,))
    conn.execute("DELETE FROM cards WHERE entry_id = ?", (entry,))  # a database that never had the entry
    conn.commit()
    conn.close()
    lost = sum(1 for cid, _ in answers.values() if cid.startswith(gone + "/"))
    result = flash("import", "--anki", folder / "study.apkg", "--db", db)
    assert result.exit_code == 0, result.output
    n = len(answers)
    assert f"Mapped {n - lost} of {n} to flash cards" in result.stdout
    assert f"Not imported: {lost} answers of entries this database does not have." in result.stdout
    assert f"  {gone}: {lost}" in result.stdout


def test_reviews_of_removed_entries_are_kept_in_their_retired_cards(studied, tmp_path):
    folder, answers = studied
    db = fresh_db(studied, tmp_path)
    removed = sorted({cid.rsplit("/", 1)[0] for cid, _ in answers.values()})[0]
    conn = sqlite3.connect(db)
    conn.execute("UPDATE cards SET retired = 1 WHERE deck_id || '/' || entry_id = ?", (removed,))
    conn.commit()
    conn.close()
    count = sum(1 for cid, _ in answers.values() if cid.startswith(removed + "/"))
    result = flash("import", "--anki", folder / "study.apkg", "--db", db)
    assert result.exit_code == 0
    assert f"{count} of them are of entries removed from their deck" in result.stdout
    assert len(log_rows(db)) == len(answers)


# -- bad input: one line, exit 1, nothing changed ---------------------------------------------


def _zip(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def _claims_size(path: Path, member: str, size: int) -> Path:
    """Rewrite the central directory so ``member`` claims ``size`` unpacked bytes (a forged header)."""
    data = bytearray(path.read_bytes())
    at = data.rfind(b"PK\x01\x02")
    assert data[at + 46: at + 46 + len(member)] == member.encode()
    data[at + 24: at + 28] = size.to_bytes(4, "little")
    path.write_bytes(bytes(data))
    return path


def bad_files(folder: Path, tmp_path: Path) -> dict[str, tuple[Path, str]]:
    real = zipfile.ZipFile(folder / "study-legacy.colpkg").read("collection.anki21")
    text = tmp_path / "notes.apkg"
    text.write_text("not a package\n")
    garbage = b"SQLite format 3\x00" + bytes(range(256)) * 64
    return {
        "text": (text, f"Error: {text}: not an Anki package or collection (.apkg or .colpkg): it is not a zip archive"),
        "empty zip": (_zip(tmp_path / "empty.colpkg", {"media": b"{}"}),
                      f"Error: {tmp_path / 'empty.colpkg'}: not an Anki package or collection (.apkg or .colpkg): "
                      "it holds no Anki collection"),
        "bomb": (_claims_size(_zip(tmp_path / "bomb.colpkg", {"collection.anki21": b"\0" * 1000}),
                              "collection.anki21", 0xFFFFFFF0),
                 f"Error: {tmp_path / 'bomb.colpkg'}: its collection unpacks to more than 2048 MB; not read "
                 "(a damaged file or a zip bomb?)"),
        "garbage sqlite": (_zip(tmp_path / "garbage.colpkg", {"collection.anki21": garbage}),
                           f"Error: {tmp_path / 'garbage.colpkg'}: damaged ("),
        "truncated": (_zip(tmp_path / "cut.colpkg", {"collection.anki21": real[: len(real) // 2]}),
                      f"Error: {tmp_path / 'cut.colpkg'}: damaged ("),
        "bad zstd": (_zip(tmp_path / "zstd.colpkg", {"collection.anki21b": b"\x28\xb5\x2f\xfd" + b"\xff" * 64}),
                     f"Error: {tmp_path / 'zstd.colpkg'}: damaged (collection.anki21b"),
        "not a collection": (_zip(tmp_path / "other.apkg", {"collection.anki2": _sqlite(tmp_path)}),
                             f"Error: {tmp_path / 'other.apkg'}: not an Anki collection (no review log, cards or "
                             "notes table)"),
    }


def _sqlite(tmp_path: Path) -> bytes:
    path = tmp_path / "plain.sqlite"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE t (x)")
    conn.commit()
    conn.close()
    return path.read_bytes()


@pytest.mark.parametrize("case", ["text", "empty zip", "bomb", "garbage sqlite", "truncated", "bad zstd",
                                  "not a collection"])
def test_a_bad_file_is_one_line_exit_1_and_changes_nothing(studied, tmp_path, case):
    folder, _ = studied
    db = fresh_db(studied, tmp_path)
    path, message = bad_files(folder, tmp_path)[case]
    before = db.read_bytes()
    result = flash("import", "--anki", path, "--db", db)
    assert result.exit_code == 1
    assert result.stderr.startswith(message) and result.stderr.count("\n") == 1, result.stderr
    assert "Traceback" not in result.output
    assert db.read_bytes() == before
    assert not list(tmp_path.glob("*-wal"))
    missing = tmp_path / "none.db"
    assert flash("import", "--anki", path, "--db", missing).exit_code == 1 and not missing.exists()


def test_a_zstd_bomb_stops_at_the_limit(tmp_path):
    from flashcards.anki_import import _zstd

    bomb = _zip(tmp_path / "bomb.colpkg", {"collection.anki21b": _zstd().compress(b"\0" * (8 << 20))})
    assert bomb.stat().st_size < 10_000
    with pytest.raises(AnkiImportError, match=r"unpacks to more than 1 MB; not read"):
        read_anki_file(bomb, max_bytes=1 << 20)


def test_anki_and_paths_together_is_a_usage_error(studied, tmp_path):
    folder, _ = studied
    result = flash("import", "decks/", "--anki", folder / "study.apkg", "--db", tmp_path / "x.db")
    assert result.exit_code == 2
    assert "give either deck PATHS or --anki FILE, not both" in result.stderr


def test_an_fsrs_deck_replays_the_merged_log_with_fsrs(studied, tmp_path):
    folder, answers = studied
    db = fresh_db(studied, tmp_path)
    assert flash("scheduler", DECK, "fsrs", "--db", db, "--today", "2026-01-01").exit_code == 0
    result = flash("import", "--anki", folder / "study.apkg", "--db", db)
    assert result.exit_code == 0, result.output
    conn = sqlite3.connect(db)
    rows = conn.execute("SELECT card_id, day, grade FROM reviews WHERE kind = 'review' "
                        "ORDER BY card_id, day").fetchall()
    conn.close()
    logs: dict[str, list] = {}
    for cid, day, grade in rows:
        logs.setdefault(cid, []).append((date.fromisoformat(day), grade))
    fsrs = make_scheduler("fsrs")
    with Store.open(db) as store:
        for cid, log in logs.items():
            state = store.card(cid).state
            assert state == replay(fsrs, log) and state.stability is not None, cid
    check = flash("db", "check", "--db", db)
    assert check.exit_code == 0 and "0 disagree with the stored state" in check.stdout, check.output
    # switching back replays the merged log with SM-2, and the check agrees
    assert flash("scheduler", DECK, "sm2", "--db", db, "--today", "2026-01-01").exit_code == 0
    check = flash("db", "check", "--db", db)
    assert check.exit_code == 0 and "0 disagree with the stored state" in check.stdout, check.output


def test_flash_undo_never_takes_back_an_answer_given_in_anki(studied, tmp_path):
    folder, answers = studied
    db = fresh_db(studied, tmp_path)
    assert flash("import", "--anki", folder / "study.apkg", "--db", db).exit_code == 0
    last_day = max(day for *_, day, _ in log_rows(db))
    before = _dump(db)
    result = flash("undo", "--db", db, "--today", last_day)
    assert result.exit_code == 0 and "Nothing to undo" in result.output, result.output
    assert _dump(db) == before
    text = flash("stats", "--db", db, "--today", last_day).stdout
    counted = json.loads(flash("stats", "--json", "--db", db, "--today", last_day).stdout)["grades"]
    assert counted["grades"] + counted["drills"] == len(answers) and counted["undone"] == 0
    drills = f" + {counted['drills']} drill{'s' if counted['drills'] != 1 else ''}" if counted["drills"] else ""
    assert f"total: {counted['grades']} grades{drills} ({len(answers)} in Anki)" in text
