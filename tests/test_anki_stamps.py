"""Anki exports that respect the learner (issue 21, section 5): `flash export anki` with a
database remembers each note's content and stamp, so an unchanged note keeps its time and
Anki keeps the learner's own tags on it, and stamps only move forward per deck whatever
the output path. Checked by importing the packages into real Anki collections."""

from __future__ import annotations

import time

from flashcards.anki import write_packages
from flashcards.anki_stamps import StampMemory, stamp_deck
from flashcards.cli import cli
from flashcards.decks import load_deck
from test_anki_export import SAMPLE, deck_file, edited, import_apkg, notes_by_entry

UNCHANGED = "sample-deck/say-it"  # a note edited() leaves alone
CHANGED = "sample-deck/full-term"  # one it edits


def counts(log) -> tuple[int, int, int, int]:
    return len(log.new), len(log.updated), len(log.duplicate), len(log.conflicting)


def export(runner, deck_text: str, tmp_path, out, *, label: str, env=None):
    """`flash export anki DECK -o OUT --db flash.db` in process (so a patched clock applies)."""
    deck = deck_file(tmp_path / label, deck_text)
    result = runner.invoke(cli, ["export", "anki", str(deck), "-o", str(out), "--db", str(tmp_path / "flash.db")],
                           env=env, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result


def tag_in_anki(col, entry: str, *tags: str) -> None:
    note = notes_by_entry(col)[entry]
    for tag in tags:
        note.add_tag(tag)
    col.update_note(note)  # Anki stamps the note with its own (real) clock


def test_an_unchanged_note_keeps_the_learners_tags_across_a_re_export(col, runner, tmp_path, monkeypatch):
    real = time.time()
    monkeypatch.setattr(time, "time", lambda: real - 3600)  # built an hour ago
    export(runner, SAMPLE, tmp_path, tmp_path / "v1.apkg", label="v1")
    assert counts(import_apkg(col, tmp_path / "v1.apkg")) == (5, 0, 0, 0)
    tag_in_anki(col, UNCHANGED, "my-own", "marked")

    monkeypatch.setattr(time, "time", lambda: real + 60)  # the next export, after the learner's tags
    result = export(runner, edited(SAMPLE), tmp_path, tmp_path / "v2.apkg", label="v2")
    assert "3 of 6 notes new or changed since this database's last export" in result.stdout
    assert counts(import_apkg(col, tmp_path / "v2.apkg")) == (1, 2, 3, 0)
    notes = notes_by_entry(col)
    assert {"my-own", "marked"} <= set(notes[UNCHANGED].tags)
    assert notes[CHANGED]["Definition"] == "Running a trained model on new input."

    # the same re-export without the memory (every note restamped, as before) wipes them
    monkeypatch.setattr(time, "time", lambda: real + 120)
    deck = load_deck(deck_file(tmp_path / "v3", edited(SAMPLE)))
    (report,) = write_packages([deck], out=tmp_path / "v3.apkg")
    assert counts(import_apkg(col, report.path)) == (0, 6, 0, 0)
    assert not {"my-own", "marked"} & set(notes_by_entry(col)[UNCHANGED].tags)


def test_two_exports_to_two_paths_within_one_second_both_update(col, runner, tmp_path, monkeypatch):
    now = time.time() + 120  # after anything Anki stamped while the test started
    monkeypatch.setattr(time, "time", lambda: now)
    export(runner, SAMPLE, tmp_path, tmp_path / "a.apkg", label="v1")
    export(runner, edited(SAMPLE), tmp_path, tmp_path / "b.apkg", label="v2")  # same second, another path
    assert counts(import_apkg(col, tmp_path / "a.apkg")) == (5, 0, 0, 0)
    assert counts(import_apkg(col, tmp_path / "b.apkg")) == (1, 2, 3, 0)
    notes = notes_by_entry(col)
    assert notes[CHANGED]["Definition"] == "Running a trained model on new input."
    assert notes[CHANGED].mod == int(now) + 1 and notes[UNCHANGED].mod == int(now)


def test_a_clock_behind_the_last_export_still_updates(col, runner, tmp_path, monkeypatch):
    now = time.time() + 120
    monkeypatch.setattr(time, "time", lambda: now)
    export(runner, SAMPLE, tmp_path, tmp_path / "a.apkg", label="v1")
    import_apkg(col, tmp_path / "a.apkg")
    monkeypatch.setattr(time, "time", lambda: now - 3600)  # the clock went back an hour
    export(runner, edited(SAMPLE), tmp_path, tmp_path / "b.apkg", label="v2")
    assert counts(import_apkg(col, tmp_path / "b.apkg")) == (1, 2, 3, 0)


def test_an_older_source_date_epoch_warns_once_and_names_the_option(col, runner, tmp_path):
    export(runner, SAMPLE, tmp_path, tmp_path / "a.apkg", label="v1")
    import_apkg(col, tmp_path / "a.apkg")
    result = export(runner, edited(SAMPLE), tmp_path, tmp_path / "b.apkg", label="v2",
                    env={"SOURCE_DATE_EPOCH": "1700000000"})
    (line,) = result.stderr.splitlines()
    assert line.startswith(f"Warning: {tmp_path / 'b.apkg'}: the time given (2023-11-14 22:13:20 UTC) "
                           "is not later than the last export")
    assert "skips 3 changed notes as duplicates; choose Update notes: Always when importing" in line
    assert counts(import_apkg(col, tmp_path / "b.apkg")) == (1, 0, 5, 0)  # what the warning said


def test_stamp_deck_keeps_unchanged_notes_and_moves_changed_ones_past_the_last():
    memory = StampMemory({"d": 500}, {("d", "g1"): ("h1", 400), ("d", "g2"): ("h2", 500)})
    stamps = stamp_deck("d", [("g1", "h1"), ("g2", "new"), ("g3", "h3")], memory, now=450)
    assert [(n.guid, n.stamp, n.changed) for n in stamps.notes] == [
        ("g1", 400, False), ("g2", 501, True), ("g3", 501, True)]
    assert (stamps.stamp, stamps.changed, stamps.refused) == (501, 2, False)
    assert stamp_deck("d", [("g1", "h1")], memory, now=900).stamp == 400  # nothing changed: nothing moves
    fixed = stamp_deck("d", [("g2", "new")], memory, now=900, fixed=500)
    assert fixed.refused and fixed.notes[0].stamp == 500
    assert stamp_deck("d", [("g1", "x")], None, now=900, previous=950).notes[0].stamp == 951
