"""`flash review` and friends when SQLite says no: a held lock, a read-only file or folder,
a full disk, a damaged file; and `flash db check` / `flash db backup` from the command line.
Real processes, real files; the unprivileged and full-disk cases run as another user or on
a tiny tmpfs when the machine allows it, and are skipped otherwise."""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from flashcards.stats import GRADES_DEFINITION

from conftest import REPO, terms_deck
from unprivileged import run_unprivileged, shared_folder, unprivileged_prefix

TODAY = "2026-11-23"


def flash_process(*args, cwd: Path, env=None, input=None):
    """``flash ARGS...`` in a subprocess with this checkout's package, optional standard input."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith("FLASH_") and k != "SOURCE_DATE_EPOCH"}
    environ.update(PYTHONPATH=str(REPO), COLUMNS="200", XDG_DATA_HOME=str(cwd / "xdg"))
    environ.update(env or {})
    return subprocess.run([sys.executable, "-m", "flashcards", *map(str, args)], cwd=cwd, env=environ,
                          input=input, capture_output=True, text=True, timeout=120)


def review_process(db, cwd, *extra, env=None):
    environ = {k: v for k, v in os.environ.items() if not k.startswith("FLASH_") and k != "SOURCE_DATE_EPOCH"}
    environ.update(PYTHONPATH=str(REPO), PYTHONUNBUFFERED="1", COLUMNS="200", XDG_DATA_HOME=str(cwd / "xdg"))
    environ.update(env or {})
    return subprocess.Popen(
        [sys.executable, "-m", "flashcards", "review", "--db", str(db), "--today", TODAY, *extra],
        cwd=cwd, env=environ, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )


def read_until(stream, text: str) -> str:
    seen = []
    while True:
        line = stream.readline()
        if not line:
            raise AssertionError(f"no {text!r} in: {''.join(seen)}")
        seen.append(line)
        if text in line:
            return "".join(seen)


def grades(db) -> list[tuple[str, str, int]]:
    conn = sqlite3.connect(str(db))
    try:
        return conn.execute("SELECT card_id, kind, grade FROM reviews ORDER BY id").fetchall()
    finally:
        conn.close()


@pytest.fixture
def imported(tmp_path):
    deck = tmp_path / "many.yaml"
    deck.write_text(terms_deck(5), encoding="utf-8")  # 10 cards
    db = tmp_path / "flash.db"
    result = flash_process("import", deck, "--db", db, "--today", TODAY, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    return db


# -- a locked database ------------------------------------------------------------------


def test_a_grade_survives_a_held_lock_and_goes_in_on_retry(imported, tmp_path):
    proc = review_process(imported, tmp_path, env={"FLASH_BUSY_TIMEOUT": "1"})
    read_until(proc.stdout, "in this session")
    proc.stdin.write("5\n")
    proc.stdin.flush()
    read_until(proc.stdout, "graded 5")
    blocker = sqlite3.connect(str(imported))
    blocker.execute("BEGIN IMMEDIATE")  # e.g. a large import in another terminal
    try:
        proc.stdin.write("4\n")
        proc.stdin.flush()
        shown = read_until(proc.stdout, "is not saved yet")
    finally:
        blocker.rollback()
        blocker.close()
    second = re.search(r"Grade 4 for (\S+) is not saved yet: (\S+) is locked by another process", shown)
    assert second and second.group(2) == str(imported), shown
    assert grades(imported) == [("many/t00/term", "review", 5)]  # nothing half-written
    stdout, stderr = proc.communicate("r\n\n", timeout=60)
    assert proc.returncode == 0, stderr
    assert "graded 4" in stdout
    assert f"waiting for another flash process to finish writing to {imported} ..." in stderr
    assert grades(imported) == [("many/t00/term", "review", 5), (second.group(1), "review", 4)]


def test_quitting_while_locked_says_which_grade_was_not_saved(imported, tmp_path):
    proc = review_process(imported, tmp_path, env={"FLASH_BUSY_TIMEOUT": "0.5"})
    read_until(proc.stdout, "in this session")
    proc.stdin.write("5\n")
    proc.stdin.flush()
    read_until(proc.stdout, "graded 5")
    blocker = sqlite3.connect(str(imported))
    blocker.execute("BEGIN IMMEDIATE")
    try:
        stdout, stderr = proc.communicate("3\nq\n", timeout=60)
    finally:
        blocker.rollback()
        blocker.close()
    assert proc.returncode == 1
    assert "Traceback" not in stderr
    assert re.fullmatch(r"Error: grade 3 for many/\S+ was not saved \(the database stayed locked\); "
                        r"the session ended and every earlier grade is saved", stderr.splitlines()[-1]), stderr
    assert grades(imported) == [("many/t00/term", "review", 5)]


# -- read-only file or folder, as a user root's powers do not hide it from ----------------------


@pytest.fixture
def unprivileged():
    prefix = unprivileged_prefix()
    if prefix is None:
        pytest.skip("no unprivileged user to run as (root without setpriv or 'nobody')")
    return prefix


@pytest.mark.parametrize("what", ["file", "folder"])
def test_a_read_only_database_is_reported_before_the_first_card(unprivileged, what):
    with shared_folder() as folder:
        data = folder / "data"
        data.mkdir()
        data.chmod(0o777)
        db = data / "flash.db"
        deck = folder / "many.yaml"
        deck.write_text(terms_deck(3), encoding="utf-8")
        made = run_unprivileged(unprivileged, ["-m", "flashcards", "import", str(deck), "--db", str(db),
                                               "--today", TODAY], cwd=folder)
        assert made.returncode == 0, made.stderr
        before = db.read_bytes()
        if what == "file":
            data.chmod(0o777)
            db.chmod(0o444)
        else:
            db.chmod(0o666)
            data.chmod(0o555)
        try:
            result = run_unprivileged(unprivileged, ["-m", "flashcards", "review", "--db", str(db),
                                                     "--today", TODAY], cwd=folder, input="5\n\n")
        finally:
            data.chmod(0o777)
        assert result.returncode == 1, result.stdout + result.stderr
        assert "Traceback" not in result.stderr
        expected = {
            "file": f"Error: cannot write to {db}: the file is read-only",
            "folder": f"Error: cannot open {db}: its folder {data} is read-only "
                      "(SQLite keeps flash.db-wal and -shm files there)",
        }
        assert result.stderr.splitlines() == [expected[what]]
        assert result.stdout == ""  # no card was shown
        assert db.read_bytes() == before


# -- a full disk ------------------------------------------------------------------------------


@pytest.fixture
def tiny_disk():
    """A 1 MB tmpfs (root only); skipped where mounting is not allowed."""
    mount = shutil.which("mount")
    if os.geteuid() != 0 or mount is None:
        pytest.skip("mounting a small tmpfs needs root")
    folder = Path(tempfile.mkdtemp(prefix="flash-full-"))
    done = subprocess.run([mount, "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(folder)], capture_output=True)
    if done.returncode != 0:
        folder.rmdir()
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", str(folder)], capture_output=True)
        folder.rmdir()


def test_a_full_disk_ends_the_session_in_one_line_and_keeps_every_earlier_grade(tiny_disk, tmp_path):
    deck = tmp_path / "many.yaml"
    deck.write_text(terms_deck(40), encoding="utf-8")
    db = tiny_disk / "flash.db"
    made = flash_process("import", deck, "--db", db, "--today", TODAY, cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    free_kb = shutil.disk_usage(tiny_disk).free // 1024
    with open(tiny_disk / "filler", "wb") as filler:  # leave room for a few grades only
        filler.write(b"\0" * (free_kb - 150) * 1024)
    result = flash_process("review", "--db", db, "--today", TODAY, "--new", "80", cwd=tmp_path,
                           env={"PYTHONUNBUFFERED": "1"}, input="5\n" * 80 + "\n")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    last = result.stderr.splitlines()[-1]
    assert last.startswith("Error: grade 5 for ") and last.endswith(
        f"was not saved: cannot write to {db}: the disk is full; the session ended and every earlier grade is saved")
    acknowledged = result.stdout.count("graded 5")
    assert acknowledged >= 1
    (tiny_disk / "filler").unlink()
    assert len(grades(db)) == acknowledged
    check = flash_process("db", "check", "--db", db, "--today", TODAY, cwd=tmp_path)
    assert check.returncode == 0, check.stdout


# -- a damaged database -----------------------------------------------------------------------


def damage(db):
    conn = sqlite3.connect(str(db))
    page_size = conn.execute("PRAGMA page_size").fetchone()[0]
    root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 'reviews_day'").fetchone()[0]
    conn.close()
    with open(db, "r+b") as handle:
        handle.seek(page_size * (root - 1))
        handle.write(b"\xff" * 64)


@pytest.mark.parametrize("command", [["review"], ["stats"], ["cards"], ["decks"], ["suspend", "many/t00"]])
def test_a_damaged_database_is_refused_by_every_command(imported, tmp_path, command):
    damage(imported)
    before = imported.read_bytes()
    result = flash_process(*command, "--db", imported, "--today", TODAY, cwd=tmp_path, input="5\n\n")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert len(result.stderr.splitlines()) == 1
    assert result.stderr.startswith(f"Error: {imported} is damaged (")
    assert "Restore your latest backup (made with 'flash db backup FILE')" in result.stderr
    assert imported.read_bytes() == before
    check = flash_process("db", "check", "--db", imported, "--today", TODAY, cwd=tmp_path)
    assert check.returncode == 1
    assert check.stdout.startswith(f"{imported}: integrity: ")
    assert "Traceback" not in check.stderr


# -- db backup while a review runs, then check the copy --------------------------------------------


def test_backup_while_a_review_is_running(imported, tmp_path):
    proc = review_process(imported, tmp_path)
    read_until(proc.stdout, "in this session")
    proc.stdin.write("5\n4\n")
    proc.stdin.flush()
    read_until(proc.stdout, "graded 4")
    copy = tmp_path / "backups" / "flash-copy.db"
    made = flash_process("db", "backup", copy, "--db", imported, "--today", TODAY, cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    assert made.stdout.startswith(f"Backed up {imported} to {copy} (")
    assert made.stdout.rstrip().endswith("10 cards, 2 grades); integrity of the copy: ok")
    stdout, stderr = proc.communicate("3\n\n", timeout=60)  # the review goes on
    assert proc.returncode == 0, stderr
    assert len(grades(imported)) == 3
    assert grades(copy) == grades(imported)[:2]
    check = flash_process("db", "check", "--db", copy, "--today", TODAY, cwd=tmp_path)
    assert check.returncode == 0, check.stdout
    assert check.stdout.splitlines()[-3:] == [
        "replayed 2 grades of 10 cards: 0 disagree with the stored state",
        f"{GRADES_DEFINITION}; the log also holds 0 drills and 0 undone answers", "The database is sound."]
    assert sorted(p.name for p in copy.parent.iterdir()) == ["flash-copy.db"]  # no temp, no -wal


def test_an_unreadable_deck_folder_is_one_problem_not_a_traceback(unprivileged):
    with shared_folder() as folder:
        decks = folder / "decks"
        decks.mkdir()
        (decks / "one.yaml").write_text(terms_deck(1), encoding="utf-8")
        decks.chmod(0o311)  # enter, but not list
        try:
            result = run_unprivileged(unprivileged, ["-m", "flashcards", "import", str(decks), "--db",
                                                     str(folder / "flash.db"), "--today", TODAY], cwd=folder)
        finally:
            decks.chmod(0o777)
        assert result.returncode == 1
        assert "Traceback" not in result.stderr
        assert result.stderr.splitlines() == ["Error: 1 problem in 1 file:", f"{decks}: cannot read: Permission denied"]
        assert not (folder / "flash.db").exists()


def test_undo_after_another_session_graded_the_card_says_why_not_and_changes_nothing(imported, tmp_path):
    proc = review_process(imported, tmp_path)
    read_until(proc.stdout, "in this session")
    proc.stdin.write("5\n")
    proc.stdin.flush()
    read_until(proc.stdout, "graded 5")  # many/t00/term, next due tomorrow
    # another terminal, studying as if it were tomorrow, grades that card again
    other = flash_process("review", "--db", imported, "--today", "2026-11-24", "--limit", "1", cwd=tmp_path,
                          input="3\n\n")
    assert other.returncode == 0, other.stderr
    stdout, stderr = proc.communicate("u\n\n", timeout=60)
    assert proc.returncode == 0, stderr
    assert ("cannot undo grade 5 for many/t00/term: the card was graded again after it (log row 2, on "
            "2026-11-24, e.g. in another session); nothing changed") in " ".join(stdout.split())
    assert "Undid" not in stdout
    assert grades(imported) == [("many/t00/term", "review", 5), ("many/t00/term", "review", 3)]
    check = flash_process("db", "check", "--db", imported, "--today", TODAY, cwd=tmp_path)
    assert check.returncode == 0, check.stdout


def test_a_card_retired_by_an_import_during_the_session_is_skipped(imported, tmp_path):
    proc = review_process(imported, tmp_path)
    read_until(proc.stdout, "in this session")
    smaller = tmp_path / "many.yaml"
    smaller.write_text(terms_deck(5).replace("  - id: t01\n    term: Term 1\n    definition: Definition 1.\n", ""),
                       encoding="utf-8")
    imported_again = flash_process("import", smaller, "--db", imported, "--today", TODAY, cwd=tmp_path)
    assert imported_again.returncode == 0, imported_again.stderr
    stdout, stderr = proc.communicate("5\n" * 10 + "\n", timeout=60)
    assert proc.returncode == 0, stderr
    text = " ".join(stdout.split())
    skipped = re.findall(r"Skipped (many/t01/\w+): it was retired \(its entry left the deck\) since the session "
                         r"began\.", text)
    assert skipped  # the queue held t01's card(s); none was shown or graded
    assert [g for g in grades(imported) if g[0].startswith("many/t01/")] == []
    assert len(grades(imported)) == stdout.count("graded 5") >= 3


def test_db_check_lists_a_state_the_log_does_not_explain(imported, tmp_path):
    done = flash_process("review", "--db", imported, "--today", TODAY, cwd=tmp_path, input="5\n\n")
    assert done.returncode == 0, done.stderr
    conn = sqlite3.connect(str(imported))
    with conn:
        conn.execute("UPDATE card_state SET interval = 16, due = '2026-12-09' WHERE card_id = 'many/t00/term'")
    conn.close()
    result = flash_process("db", "check", "--db", imported, "--today", TODAY, cwd=tmp_path)
    assert result.returncode == 1
    assert result.stdout.splitlines()[2:] == [
        "replayed 1 grades of 10 cards: 1 disagree with the stored state",
        "  many/t00/term: current state: stored state (reps 1, EF 2.60, interval 16, due 2026-12-09) is not "
        "what its grades give (reps 1, EF 2.60, interval 1, due 2026-11-24)",
        f"{GRADES_DEFINITION}; the log also holds 0 drills and 0 undone answers",
    ]
    assert result.stderr == (f"Error: {imported} has problems; restore your latest backup by copying it over "
                             "the file (make backups with 'flash db backup FILE')\n")


def test_at_a_terminal_the_typed_grade_waits_for_r_while_the_database_is_locked(imported, tmp_path):
    from terminal import review_at_a_terminal

    term = review_at_a_terminal(imported, TODAY, tmp_path, FLASH_BUSY_TIMEOUT="0.5")
    wait_for, press, proc = term.wait_for, term.press, term.proc

    try:
        wait_for("any key: show answer")
        blocker = sqlite3.connect(str(imported))
        blocker.execute("BEGIN IMMEDIATE")
        try:
            press(b" ")  # show the answer
            wait_for("Grade 0-5")
            press(b"4")
            wait_for("Grade 4 for many/t00/term is not saved yet")
            wait_for("r: try again · q: quit")
            assert grades(imported) == []
        finally:
            blocker.rollback()
            blocker.close()
        press(b"x")  # not an answer: the grade stays on screen
        press(b"r")
        wait_for("graded 4")
        press(b"q")
        assert proc.wait(timeout=60) == 0
    finally:
        term.close()
    assert grades(imported) == [("many/t00/term", "review", 4)]
