"""Unicode hygiene of deck text (issue 23 §4), through the real CLI on real files and databases.

Control, bidi and zero-width characters anywhere in a deck (ids, terms, answers, notes, tags,
keys, ``uses``, source labels) are refused with ``file:line:`` naming the character and the
field, exit 1 and the database untouched; text is read in NFC, so ids and duplicate checks see a
composed and a decomposed "é" as one. The same characters are removed (and reported) from lesson
files by ``flash build`` and written inert in every message that quotes input.
"""

from __future__ import annotations

import sqlite3
import unicodedata

import pytest

from conftest import SAMPLE_DECK, rows
from flashcards.text import clean_text, find_hazard, inert, nfc

TODAY = "2026-11-23"

DECK_HEAD = "id: uni\nname: Unicode deck\n"
TERM = "terms:\n  - id: t\n    term: Token\n    definition: The unit a model reads.\n"

# name -> (deck text, line named, field named, character named)
CASES = {
    "RLO in a term": (DECK_HEAD + 'terms:\n  - id: t\n    term: "Pre\\u202etraining"\n    definition: D.\n',
                      5, "'term'", "U+202E RIGHT-TO-LEFT OVERRIDE"),
    "raw RLO in a definition": (DECK_HEAD + "terms:\n  - id: t\n    term: T\n    definition: a\u202eb\n",
                                6, "'definition'", "U+202E"),
    "zero-width space in a term": (DECK_HEAD + 'terms:\n  - id: t\n    term: "To\\u200bken"\n    definition: D.\n',
                                   5, "'term'", "U+200B ZERO WIDTH SPACE"),
    "zero-width space in an id": (DECK_HEAD + 'terms:\n  - id: "to\\u200bken"\n    term: T\n    definition: D.\n',
                                  4, "'id'", "U+200B"),
    "zero-width joiner in the deck id": ('id: "u\\u200dni"\nname: N\n', 1, "'id'", "U+200D ZERO WIDTH JOINER"),
    "word joiner in the deck name": ('id: uni\nname: "Uni\\u2060code"\n', 2, "'name'", "U+2060 WORD JOINER"),
    "BOM inside a note": (DECK_HEAD + TERM + '    note: "see\\ufeff here"\n', 7, "'note'", "U+FEFF"),
    "LRI in a tag": (DECK_HEAD + 'tags: [ok, "a\\u2066b"]\n', 3, "a tag", "U+2066 LEFT-TO-RIGHT ISOLATE"),
    "PDI in an entry tag": (DECK_HEAD + TERM + '    tags: ["x\\u2069"]\n', 7, "a tag", "U+2069"),
    "LRM in a phrase answer": (DECK_HEAD + 'phrases:\n  - id: p\n    dont_say: "No."\n'
                               '    do_say: "Yes\\u200e."\n    why: W.\n', 6, "'do_say'", "U+200E LEFT-TO-RIGHT MARK"),
    "RLM in an analog": (DECK_HEAD + 'analogs:\n  - id: a\n    concept: C\n    analog: A\n'
                         '    breaks: "x\\u200fy"\n', 7, "'breaks'", "U+200F RIGHT-TO-LEFT MARK"),
    "Arabic letter mark in why": (DECK_HEAD + 'phrases:\n  - id: p\n    dont_say: "No."\n    do_say: "Yes."\n'
                                  '    why: "W\\u061c."\n', 7, "'why'", "U+061C ARABIC LETTER MARK"),
    "LRE/PDF in a source": (DECK_HEAD + TERM + '    source: "\\u202aLesson\\u202c"\n', 7, "'source'", "U+202A"),
    "ZWNJ on the third line of a block note": (DECK_HEAD + TERM + "    note: |\n      one\n      two\n"
                                               "      th\u200cree\n", 10, "'note'", "U+200C ZERO WIDTH NON-JOINER"),
    "zero-width space in a key": (DECK_HEAD + '"na\\u200bme2": x\n', 3, "a key", "U+200B"),
    "zero-width space in uses": (DECK_HEAD + TERM + '    uses: ["t\\u200b"]\n', 7, "an item of 'uses'", "U+200B"),
    "RLO in a source label": (DECK_HEAD + 'sources:\n  - label: "L\\u202e"\n    path: a.txt\n' + TERM,
                              4, "'label'", "U+202E"),
    "a line separator": (DECK_HEAD + TERM + '    note: "a\\u2028b"\n', 7, "'note'", "U+2028 LINE SEPARATOR"),
    "an escape character": (DECK_HEAD + TERM + '    note: "a\\e[2Jb"\n', 7, "'note'", "U+001B"),
    "RLO inside a cloze deletion": (DECK_HEAD + 'clozes:\n  - id: c\n    text: "Prompting {{the in\\u202eput}}."\n',
                                    5, "'text'", "U+202E"),
    "soft hyphen (invisible)": (DECK_HEAD + 'terms:\n  - id: t\n    term: "To\\u00adken"\n    definition: D.\n',
                                5, "'term'", "U+00AD SOFT HYPHEN"),
}


@pytest.fixture
def database(tmp_path, invoke):
    deck = tmp_path / "seed" / "sample.yaml"
    deck.parent.mkdir()
    deck.write_text(SAMPLE_DECK, encoding="utf-8")
    db = tmp_path / "flash.db"
    assert invoke("import", deck, "--db", db, "--today", TODAY).exit_code == 0
    assert invoke("review", "--db", db, "--today", TODAY, input="5\n3\n\n").exit_code == 0
    return db


def dump(db) -> list[str]:
    conn = sqlite3.connect(str(db))
    try:
        return list(conn.iterdump())
    finally:
        conn.close()


@pytest.mark.parametrize("command", ["validate", "import"])
@pytest.mark.parametrize("case", list(CASES))
def test_hidden_characters_are_refused_with_file_line_field_and_character(case, command, tmp_path, invoke,
                                                                          database):
    text, line, field, character = CASES[case]
    deck = tmp_path / "decks" / "uni.yaml"
    deck.parent.mkdir()
    deck.write_text(text, encoding="utf-8")
    before = dump(database)
    result = invoke(command, deck, "--db", database, "--today", TODAY)
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    said = result.stdout + result.stderr
    messages = [m for m in said.splitlines() if m.startswith(f"{deck}:{line}: ")]
    assert messages, said
    assert f"{field} contains {character}" in messages[0]
    assert "not allowed in deck text" in messages[0]
    # the message quotes nothing raw: no hidden character reaches the terminal
    assert find_hazard(said) is None
    assert dump(database) == before


def test_token_and_its_zero_width_twin_are_not_two_entries(tmp_path, invoke, db_path):
    """The issue's case: 'Token' and 'To\\u200bken' looked the same and imported as two entries."""
    deck = tmp_path / "twins.yaml"
    deck.write_text(DECK_HEAD + "terms:\n  - id: token\n    term: Token\n    definition: The unit a model reads.\n"
                    "  - id: token-2\n    term: \"To\\u200bken\"\n    definition: What a model reads.\n",
                    encoding="utf-8")
    result = invoke("import", deck, "--db", db_path, "--today", TODAY)
    assert result.exit_code == 1
    assert f"{deck}:8: 'term' contains U+200B ZERO WIDTH SPACE" in result.stdout + result.stderr
    assert not db_path.exists() or rows(db_path, "SELECT count(*) FROM cards") == [(0,)]


def test_text_is_stored_in_nfc_and_a_decomposed_copy_changes_nothing(tmp_path, invoke, db_path):
    composed = DECK_HEAD + "terms:\n  - id: cafe\n    term: Caf\u00e9\n    definition: A place for r\u00e9sum\u00e9s.\n"
    decomposed = unicodedata.normalize("NFD", composed)
    assert decomposed != composed
    deck = tmp_path / "uni.yaml"
    deck.write_text(decomposed, encoding="utf-8")
    assert invoke("import", deck, "--db", db_path, "--today", TODAY).exit_code == 0
    (front,) = rows(db_path, "SELECT front FROM cards WHERE kind = 'term'")[0]
    assert front.startswith("Caf\u00e9\n")  # composed: one code point for é
    stored = dump(db_path)
    deck.write_text(composed, encoding="utf-8")
    result = invoke("import", deck, "--db", db_path, "--today", TODAY)
    assert result.exit_code == 0, result.output
    assert dump(db_path) == stored  # the same text: nothing updated


def test_duplicate_checks_compare_after_normalisation(tmp_path, invoke):
    deck = tmp_path / "labels.yaml"
    deck.write_text(DECK_HEAD + "sources:\n  - label: Caf\u00e9 notes\n    path: a.txt\n"
                    "  - label: Cafe\u0301 notes\n    path: b.txt\n" + TERM, encoding="utf-8")
    result = invoke("validate", deck)
    assert result.exit_code == 1
    said = result.stdout + result.stderr
    assert f"{deck}:6: source label 'Caf\u00e9 notes' is listed twice (first at line 4)" in said


def test_lint_sees_a_composed_and_a_decomposed_term_as_one_question(tmp_path, invoke):
    deck = tmp_path / "twins.yaml"
    deck.write_text(DECK_HEAD + "terms:\n  - id: one\n    term: Caf\u00e9 pricing\n    definition: Pay per seat.\n"
                    "  - id: two\n    term: Cafe\u0301 pricing\n    definition: Pay for what is used.\n",
                    encoding="utf-8")
    result = invoke("lint", deck)
    assert "same-question" in result.output, result.output


def test_a_leading_byte_order_mark_and_emoji_presentation_are_fine(tmp_path, invoke, db_path):
    deck = tmp_path / "bom.yaml"
    deck.write_text("\ufeff" + DECK_HEAD + "terms:\n  - id: t\n    term: \"\u26a0\ufe0f Warning\"\n"
                    "    definition: A sign.\n", encoding="utf-8")
    result = invoke("import", deck, "--db", db_path, "--today", TODAY)
    assert result.exit_code == 0, result.output
    (front,) = rows(db_path, "SELECT front FROM cards WHERE kind = 'term'")[0]
    assert front.startswith("\u26a0\ufe0f Warning\n")


def test_a_file_name_with_a_bidi_control_is_quoted_inert(tmp_path, invoke):
    missing = tmp_path / "lesson\u202elmth.yaml"
    result = invoke("validate", missing)
    assert result.exit_code == 1
    said = result.stdout + result.stderr
    assert "\u202e" not in said
    assert "lesson\\u202elmth.yaml: no such file or folder" in said


def test_build_removes_and_reports_hidden_characters_from_a_lesson(tmp_path, invoke):
    lesson = tmp_path / "lesson.md"
    lesson.write_text("# Lesson 1: Tokens\n\n## To\u200bken\n\nWhat it is: The unit a model re\u202eads.\n"
                      "\n## Cafe\u0301\n\nWhat it is: A place.\n", encoding="utf-8")
    out = tmp_path / "built.yaml"
    result = invoke("build", lesson, "-o", out)
    assert result.exit_code == 0, result.output
    assert "removed 2 control, bidi or invisible characters (the first U+200B ZERO WIDTH SPACE)" in result.output
    built = out.read_text(encoding="utf-8")
    assert find_hazard(built) is None and "Token" in built and "Caf\u00e9" in built
    assert invoke("validate", out).exit_code == 0


def test_one_definition_of_hidden_characters_for_every_input():
    hidden = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c\u200b\u200c\u200d\u2060\ufeff"
    for ch in hidden + "\x00\x1b\x7f\x9b":
        assert find_hazard(f"a{ch}b") == (1, ch, find_hazard(ch)[2])
        assert clean_text(f"Priya{ch}N") in ("PriyaN", "Priya N")  # the roster and answer files
        assert ch not in inert(f"a{ch}b")  # messages
    assert find_hazard("tab\tand\nnewline, caf\u00e9, \u26a0\ufe0f, \u4e2d\u6587") is None
    assert nfc("Cafe\u0301") == "Caf\u00e9" and nfc("m\u00b2") == "m\u00b2"  # NFC, never NFKC
