"""`flash export anki`: arguments, output, errors (the packages themselves are
checked against real Anki in test_anki_export.py)."""

from __future__ import annotations

import re
import sqlite3
import time
import zipfile
from pathlib import Path

import pytest

from conftest import flash_process
from flashcards.anki import read_previous
from flashcards.cli import cli
from flashcards.decks import load_decks, shipped_decks_dir
from flashcards.model import cards_for_deck

SAMPLE = """\
id: sample-deck
name: Sample deck
terms:
  - id: t1
    term: Inference
    definition: Running a trained model.
    what_it_does: Answers questions.
phrases:
  - id: p1
    dont_say: We train the model.
    do_say: We adapt a trained model.
    why: Nobody here pre-trains.
analogs:
  - id: a1
    concept: Fine-tuning
    analog: Custom attributes
    holds: Both extend a base.
    breaks: One is reversible.
"""

OTHER = """\
id: other-deck
name: Other deck
phrases:
  - id: p1
    dont_say: It's ours.
    do_say: It's yours.
    why: Ownership.
"""

BROKEN = """\
id: broken
name: Broken deck
terms:
  - id: t1
    term: Token
"""


@pytest.fixture
def decks(tmp_path):
    """A folder with two valid deck files."""
    folder = tmp_path / "decks"
    folder.mkdir()
    (folder / "sample.yaml").write_text(SAMPLE, encoding="utf-8")
    (folder / "other.yaml").write_text(OTHER, encoding="utf-8")
    return folder


def export_anki(runner, *args, env=None):
    return runner.invoke(cli, ["export", "anki", *map(str, args)], env=env, catch_exceptions=False)


def run_flash(*args, cwd: Path):
    """`flash export anki` as a process in ``cwd``: the default folder must not depend on it."""
    return flash_process("export", "anki", *args, cwd=cwd)


def row(name: str, notes: int, cards: int) -> re.Pattern:
    return re.compile(rf"^\s*{re.escape(name)}\s+{notes}\s+{cards}\s*$", re.M)


def test_writes_one_package_per_deck_into_exports(decks, tmp_path):
    result = run_flash("decks/sample.yaml", "decks/other.yaml", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    # one documented place beside the default database, never the folder the user stands in
    assert not (tmp_path / "exports").exists()
    exports = tmp_path / "xdg-data" / "flashcards" / "exports"
    assert sorted(p.name for p in exports.iterdir()) == ["other-deck.apkg", "sample-deck.apkg"]
    size = (exports / "sample-deck.apkg").stat().st_size
    out = result.stdout
    assert re.search(rf"^Wrote {re.escape(str(exports))}/sample-deck\.apkg \({size / 1000:.1f} kB\)", out, re.M)
    assert re.search(rf"^Wrote {re.escape(str(exports))}/other-deck\.apkg \(\d+\.\d kB\)", out, re.M)
    # in the order a learner meets them in Anki: the lesson's deck (terms), its sub-decks,
    # then each entry's other cards in the follow-up deck
    assert re.search(r"^\s*Sample deck\s+1\s+1\s*\n\s*Sample deck::Analogs\s+1\s+1\s*\n"
                     r"\s*Sample deck::Phrases\s+1\s+1\s*\n\s*Sample deck \(follow-up\)\s+2\s+3\s*$", out, re.M)
    assert row("Total", 3, 6).search(out)
    assert row("Other deck::Phrases", 1, 1).search(out)
    assert row("Total", 1, 1).search(out)
    with zipfile.ZipFile(exports / "sample-deck.apkg") as apkg:
        assert apkg.namelist() == ["collection.anki2", "media"]


def test_shipped_decks_by_default(tmp_path):
    result = run_flash(cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    shipped = load_decks([shipped_decks_dir()])
    exports = tmp_path / "xdg-data" / "flashcards" / "exports"
    for deck in shipped:
        assert (exports / f"{deck.id}.apkg").is_file()
        assert f"Wrote {exports}/{deck.id}.apkg (" in result.stdout
    lesson = next(d for d in shipped if d.id == "lesson-04-ai-lifecycle")
    assert row("Total", len(lesson.entries), len(cards_for_deck(lesson))).search(result.stdout)


def test_invalid_deck_stops_the_export_and_writes_nothing(decks, tmp_path):
    (decks / "broken.yaml").write_text(BROKEN, encoding="utf-8")
    result = run_flash("decks", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr == (
        "Error: 1 problem in 1 file:\n"
        "decks/broken.yaml:4: term entry is missing required field 'definition'\n"
    )
    assert not (tmp_path / "exports").exists()


def test_folder_argument_and_single_output_file(runner, decks, tmp_path):
    out = tmp_path / "phone" / "new" / "all.apkg"
    result = export_anki(runner, decks, "-o", out)
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in tmp_path.rglob("*.apkg")) == ["all.apkg"]
    text = result.stdout
    assert text.count("Wrote ") == 1 and f"Wrote {out} (" in text
    assert row("Other deck::Phrases", 1, 1).search(text)
    assert row("Sample deck", 1, 1).search(text)
    assert row("Sample deck (follow-up)", 2, 3).search(text)
    assert row("Total", 4, 7).search(text)


def test_invalid_deck_with_output_file_writes_nothing(runner, decks, tmp_path):
    broken = decks / "broken.yaml"
    broken.write_text(BROKEN, encoding="utf-8")
    result = export_anki(runner, decks, "-o", tmp_path / "out" / "all.apkg")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == (
        f"Error: 1 problem in 1 file:\n{broken}:4: term entry is missing required field 'definition'\n"
    )
    assert not (tmp_path / "out").exists()


def test_missing_path(runner, tmp_path):
    missing = tmp_path / "nope.yaml"
    result = export_anki(runner, missing, "-o", tmp_path / "x.apkg")
    assert result.exit_code == 1
    assert result.stderr == f"Error: 1 problem in 1 file:\n{missing}: no such file or folder\n"
    assert list(tmp_path.iterdir()) == []


def test_source_date_epoch_gives_identical_packages(runner, decks, tmp_path):
    env = {"SOURCE_DATE_EPOCH": "1700000000"}
    assert export_anki(runner, decks, "-o", tmp_path / "a.apkg", env=env).exit_code == 0
    assert export_anki(runner, decks, "-o", tmp_path / "b.apkg", env=env).exit_code == 0
    assert (tmp_path / "a.apkg").read_bytes() == (tmp_path / "b.apkg").read_bytes()
    with zipfile.ZipFile(tmp_path / "a.apkg") as apkg:
        assert apkg.getinfo("collection.anki2").date_time == (2023, 11, 14, 22, 13, 20)


def test_malformed_source_date_epoch_is_an_error(runner, decks, tmp_path):
    result = export_anki(runner, decks, "-o", tmp_path / "a.apkg", env={"SOURCE_DATE_EPOCH": "soon"})
    assert result.exit_code == 1
    assert result.stderr == (
        "Error: SOURCE_DATE_EPOCH must be a whole number of seconds since 1970-01-01 UTC, not 'soon'\n"
    )
    assert not (tmp_path / "a.apkg").exists()


def test_output_must_end_in_apkg(runner, decks, tmp_path):
    out = tmp_path / "deck.zip"
    result = export_anki(runner, decks, "-o", out)
    assert result.exit_code == 1
    assert result.stderr == f"Error: {out}: an Anki package must end in .apkg\n"
    assert not out.exists()


def test_accepts_db_and_today_like_every_command(runner, decks, tmp_path):
    db = tmp_path / "flash.db"
    result = export_anki(runner, decks, "-o", tmp_path / "a.apkg", "--db", db, "--today", "2024-05-01")
    assert result.exit_code == 0, result.output
    assert db.exists()  # it remembers what the export wrote
    result = export_anki(runner, decks, "-o", tmp_path / "b.apkg", "--today", "someday")
    assert result.exit_code == 2
    assert "Invalid value for '--today'" in result.stderr


def test_help(runner):
    result = runner.invoke(cli, ["export", "--help"])
    assert result.exit_code == 0
    assert re.search(r"^\s+anki\s+Write decks as Anki packages", result.stdout, re.M)
    result = runner.invoke(cli, ["export", "anki", "-h"])
    assert result.exit_code == 0
    assert "Example: flash export anki" in result.stdout
    assert "-o, --output FILE" in result.stdout


def test_removed_entries_and_stale_stamps_are_reported(runner, decks, tmp_path):
    out = tmp_path / "all.apkg"
    first = export_anki(runner, decks, "-o", out)
    assert first.exit_code == 0 and "written again" not in first.stdout and first.stderr == ""
    (decks / "other.yaml").write_text(OTHER.replace("  - id: p1", "  - id: p2"), encoding="utf-8")
    result = export_anki(runner, decks, "-o", out)
    assert result.exit_code == 0, result.output
    assert ("1 removed entry written again, tagged flashcards::removed: in Anki, search "
            "tag:flashcards::removed and suspend or delete them.") in result.stdout
    assert row("Other deck::Phrases", 1, 1).search(result.stdout)  # the live deck only

    before = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(read_previous(out)[0].stamp))
    unchanged = export_anki(runner, decks, "-o", out, env={"SOURCE_DATE_EPOCH": "1700000000"})
    assert unchanged.exit_code == 0 and unchanged.stderr == ""  # nothing changed: nothing to refuse
    assert "0 of 5 notes new or changed" in unchanged.stdout
    (decks / "other.yaml").write_text(OTHER.replace("  - id: p1", "  - id: p2").replace("Ownership.", "Owning."),
                                      encoding="utf-8")
    stale = export_anki(runner, decks, "-o", out, env={"SOURCE_DATE_EPOCH": "1700000000"})
    assert stale.exit_code == 0
    assert "1 of 5 notes new or changed" in stale.stdout
    assert stale.stderr == (
        f"Warning: {out}: the time given (2023-11-14 22:13:20 UTC) is not later than the last export "
        f"({before}): Anki's default import (Update notes: If newer) skips 1 changed note as duplicates; "
        "choose Update notes: Always when importing, or export without SOURCE_DATE_EPOCH for learners.\n"
    )


def test_deck_tags_flag(runner, decks, tmp_path):
    (decks / "sample.yaml").write_text(SAMPLE.replace("name: Sample deck", "name: Sample deck\ntags: [lesson]"),
                                       encoding="utf-8")
    for flag in ([], ["--deck-tags"]):
        out = tmp_path / f"a{len(flag)}.apkg"
        result = export_anki(runner, decks / "sample.yaml", "-o", out, *flag)
        assert result.exit_code == 0, result.output
        with zipfile.ZipFile(out) as apkg:
            (tmp_path / "col.sqlite").write_bytes(apkg.read("collection.anki2"))
        conn = sqlite3.connect(tmp_path / "col.sqlite")
        tags = {t for (row_tags,) in conn.execute("SELECT tags FROM notes") for t in row_tags.split()}
        conn.close()
        expected = {"flashcards::sample-deck::term", "flashcards::sample-deck::phrase",
                    "flashcards::sample-deck::analog"}
        if flag:
            expected |= {f"flashcards::sample-deck::{kind}::lesson" for kind in ("term", "phrase", "analog")}
        assert tags == expected, flag


def test_double_colon_in_deck_name_is_refused(runner, decks, tmp_path):
    (decks / "sample.yaml").write_text(SAMPLE.replace("name: Sample deck", "name: Sales::Sample"),
                                       encoding="utf-8")
    result = export_anki(runner, decks, "-o", tmp_path / "a.apkg")
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: 1 problem in 1 file:\n{decks / 'sample.yaml'}:2: deck name 'Sales::Sample' contains '::', "
        "which Anki reads as a sub-deck\n"
    )
    assert not (tmp_path / "a.apkg").exists()
