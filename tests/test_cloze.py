"""The cloze entry kind: `{{...}}` deletions read from real YAML, checked by `flash validate`,
JSON Schema and lint, one card per deletion with a stable id, reviewed through the real CLI."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import jsonschema
import pytest
import yaml

import flashcards
from conftest import rows
from flashcards.cli import cli
from flashcards.cloze import BLANK, MAX_DELETIONS, ClozeSyntaxError, Deletion, blanked, filled, parse
from flashcards.decks import load_deck
from flashcards.lint import lint_decks
from flashcards.model import CardKind, cards_for_deck, kind_of_card

FIXTURE = Path(__file__).parent / "fixtures" / "cloze-deck.yaml"
TODAY = "2026-05-04"
SCHEMA = json.loads((Path(flashcards.__file__).parent / "deck.schema.json").read_text(encoding="utf-8"))


@pytest.fixture
def cloze_deck(tmp_path):
    path = tmp_path / "cloze-deck.yaml"
    shutil.copy(FIXTURE, path)
    return path


def invoke(runner, *args):
    return runner.invoke(cli, [str(a) for a in args])


# -- the text ------------------------------------------------------------------


def test_deletions_are_numbered_in_order_with_optional_hints():
    parts = parse("Prompting changes {{the input::what it reads}}; fine-tuning changes {{ the  weights }}.")
    assert parts == ("Prompting changes ", Deletion("the input", "what it reads", 1), "; fine-tuning changes ",
                     Deletion("the weights", None, 2), ".")
    assert blanked(parts, 1) == "Prompting changes [what it reads]; fine-tuning changes the weights."
    assert blanked(parts, 2) == f"Prompting changes the input; fine-tuning changes {BLANK}."
    assert blanked(parts, 2, "____") == "Prompting changes the input; fine-tuning changes ____."
    assert filled(parts) == "Prompting changes the input; fine-tuning changes the weights."


@pytest.mark.parametrize("text, index, words", [
    ("no deletion here", 0, "no deletion"),
    ("a {{}} b", 2, "deletion 1 is empty"),
    ("a {{  ::hint}} b", 2, "deletion 1 is empty"),
    ("a {{x::}} b", 2, "empty hint"),
    ("a {{x::y::z}} b", 2, "more than one '::'"),
    ("a {{x}} and {{y", 12, "never closed"),
    ("a {{x {{y}} z}}", 6, "inside a deletion"),
    ("a }} b {{c}}", 2, "without an opening"),
    (" ".join("{{w%d}}" % n for n in range(MAX_DELETIONS + 1)), None, f"more than {MAX_DELETIONS} deletions"),
])
def test_broken_texts_are_refused_where_they_break(text, index, words):
    with pytest.raises(ClozeSyntaxError) as caught:
        parse(text)
    assert words in caught.value.message
    # the place of the first broken rule (for too many deletions: the first one too many)
    assert caught.value.index == (text.index("{{w%d}}" % MAX_DELETIONS) if index is None else index)


# -- the deck format -----------------------------------------------------------


def test_each_deletion_is_one_card_with_a_stable_id(cloze_deck):
    deck = load_deck(cloze_deck)
    cards = {c.id: c for c in cards_for_deck(deck) if c.kind is CardKind.CLOZE}
    assert list(cards) == ["cloze-demo/regimes/c1", "cloze-demo/regimes/c2", "cloze-demo/rag-when/c1",
                           "cloze-demo/rag-when/c2", "cloze-demo/job-length/c1", "cloze-demo/window/c1",
                           "cloze-demo/weights-hold/c1"]
    first, second = cards["cloze-demo/regimes/c1"], cards["cloze-demo/regimes/c2"]
    assert first.front == "Prompting changes [what the model reads]; fine-tuning changes the weights."
    assert first.back == "the input"
    assert second.front == "Prompting changes the input; fine-tuning changes [...]."
    assert second.back == "the weights"
    assert second.tags == ("regimes",) and second.source == "Lesson 4 (draft A)"
    assert cards["cloze-demo/rag-when/c1"].source == "Lesson 4 (draft B)\nNote: Draft C says the same of search tools."
    assert {kind_of_card(i) for i in cards} == {CardKind.CLOZE}
    assert kind_of_card("cloze-demo/rag/term") is CardKind.TERM


def test_fixture_is_valid_for_the_schema_too(cloze_deck):
    jsonschema.validate(yaml.safe_load(cloze_deck.read_text(encoding="utf-8")), SCHEMA)


def test_validate_counts_cloze_cards(runner, cloze_deck):
    result = invoke(runner, "validate", cloze_deck)
    assert result.exit_code == 0, result.output
    assert result.output == "OK: 1 deck, 7 entries, 11 cards\n"


BAD = [  # (the entry's text as YAML, the line of the problem within the entry, words of the message)
    ('text: "no deletion at all"', 0, "no deletion"),
    ('text: "a {{ }} b"', 0, "deletion 1 is empty"),
    ('text: "a {{x}} and {{y"', 0, "never closed"),
    ('text: "a {{x {{y}} z}}"', 0, "inside a deletion"),
    ('text: "a }} b {{c}}"', 0, "without an opening"),
    ('text: "{{a::}}"', 0, "empty hint"),
    ("text: " + json.dumps(" ".join("{{w%d}}" % n for n in range(MAX_DELETIONS + 1))), 0,
     f"more than {MAX_DELETIONS} deletions"),
    ("text: |\n      one fine line\n      a {{good}} line\n      a {{broken line", 3, "never closed"),
]


@pytest.mark.parametrize("text, offset, words", BAD)
def test_bad_cloze_text_is_one_line_at_its_line_and_nothing_changes(runner, write_deck, db_path, text, offset, words):
    good = write_deck("id: good\nname: Good\nclozes:\n  - id: fine\n    text: A {{fine}} text.\n", "good.yaml")
    assert invoke(runner, "import", good, "--db", db_path, "--today", TODAY).exit_code == 0
    before = rows(db_path, "SELECT id, front, back FROM cards ORDER BY id")
    bad = write_deck(f"id: bad\nname: Bad\nclozes:\n  - id: ok\n    text: An {{{{ok}}}} one.\n"
                     f"  - id: broken\n    {text}\n", "bad.yaml")
    line = 7 + offset  # the line of "text:" (of the broken line, in a block)
    for command in ("validate", "import"):
        extra = ("--db", db_path, "--today", TODAY) if command == "import" else ()
        result = invoke(runner, command, bad, *extra)
        assert result.exit_code == 1, result.output
        problems = [ln for ln in result.output.splitlines() if not ln.startswith("Error:")]
        assert len(problems) == 1, result.output
        assert problems[0].startswith(f"{bad}:{line}: cloze 'text': ") and words in problems[0], problems[0]
        assert "Traceback" not in result.output
    assert rows(db_path, "SELECT id, front, back FROM cards ORDER BY id") == before


def test_schema_refuses_a_cloze_without_deletion_or_text():
    for entry in ({"id": "x", "text": "no deletion"}, {"id": "x"}, {"id": "x", "text": "a {{b}}", "hint": "c"}):
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate({"id": "d", "name": "D", "clozes": [entry]}, SCHEMA)


def test_editing_the_text_keeps_each_deletions_progress(runner, cloze_deck, db_path):
    assert invoke(runner, "import", cloze_deck, "--db", db_path, "--today", TODAY).exit_code == 0
    # grade every card of the day, then change the words around the deletions and one deletion's answer
    result = runner.invoke(cli, ["review", "--db", str(db_path), "--today", TODAY, "--new", "50"],
                           input="5\n" * 40)
    assert result.exit_code == 0, result.output
    graded = dict(rows(db_path, "SELECT card_id, COUNT(*) FROM reviews GROUP BY card_id"))
    assert "cloze-demo/regimes/c1" in graded or "cloze-demo/regimes/c2" in graded
    state = dict(rows(db_path, "SELECT card_id, repetitions FROM card_state"))
    text = cloze_deck.read_text(encoding="utf-8")
    cloze_deck.write_text(text.replace("Prompting changes", "A prompt only changes")
                          .replace("{{the weights}}", "{{the model's weights}}"), encoding="utf-8")
    result = invoke(runner, "import", cloze_deck, "--db", db_path, "--today", TODAY)
    assert result.exit_code == 0, result.output
    assert dict(rows(db_path, "SELECT card_id, repetitions FROM card_state")) == state
    assert rows(db_path, "SELECT front, back FROM cards WHERE id = 'cloze-demo/regimes/c2'") == [
        ("A prompt only changes the input; fine-tuning changes [...].", "the model's weights")]
    assert rows(db_path, "SELECT COUNT(*) FROM cards WHERE retired = 1") == [(0,)]


def test_a_deletion_dropped_from_the_end_retires_its_card(runner, cloze_deck, db_path):
    assert invoke(runner, "import", cloze_deck, "--db", db_path, "--today", TODAY).exit_code == 0
    text = cloze_deck.read_text(encoding="utf-8")
    cloze_deck.write_text(text.replace("{{current documents}}", "current documents"), encoding="utf-8")
    assert invoke(runner, "import", cloze_deck, "--db", db_path, "--today", TODAY).exit_code == 0
    assert rows(db_path, "SELECT id, retired FROM cards WHERE entry_id = 'rag-when' ORDER BY id") == [
        ("cloze-demo/rag-when/c1", 0), ("cloze-demo/rag-when/c2", 1)]


# -- review, cards, stats -----------------------------------------------------------


def test_review_shows_the_blank_then_the_answer(runner, write_deck, db_path):
    deck = write_deck("id: c\nname: C\nclozes:\n  - id: two\n    text: Prompting changes {{the input}}; "
                      "fine-tuning changes {{the weights::what the model is made of}}.\n    source: Draft A\n")
    assert invoke(runner, "import", deck, "--db", db_path, "--today", TODAY).exit_code == 0
    result = runner.invoke(cli, ["review", "--db", str(db_path), "--today", TODAY], input="4\n")
    assert result.exit_code == 0, result.output
    out = result.output
    # one card of the entry a day (siblings are spread over days, as Anki buries them)
    assert "c/two/c1" in out and "c/two/c2" not in out
    assert "Prompting changes [...]; fine-tuning changes the weights." in out
    answer = out.split("\nanswer\n")[1]  # piped: the answer's title is a line of its own
    assert "the input" in answer and "source: Draft A" in answer
    # c1 is due the next day, so its sibling waits; the day after, c2 shows its hint
    runner.invoke(cli, ["review", "--db", str(db_path), "--today", "2026-05-05"], input="4\n")
    later = runner.invoke(cli, ["review", "--db", str(db_path), "--today", "2026-05-06"], input="4\n")
    assert "c/two/c2" in later.output
    assert "Prompting changes the input; fine-tuning changes [what the model is made of]." in later.output
    assert "the weights" in later.output.split("\nanswer\n")[1]
    assert rows(db_path, "SELECT card_id, grade FROM reviews ORDER BY id") == [
        ("c/two/c1", 4), ("c/two/c1", 4), ("c/two/c2", 4)]


def test_cards_and_stats_name_the_cloze_kind(runner, cloze_deck, db_path):
    assert invoke(runner, "import", cloze_deck, "--db", db_path, "--today", TODAY).exit_code == 0
    result = invoke(runner, "cards", "--db", db_path, "--today", TODAY, "--plain")
    assert result.exit_code == 0
    lines = [ln.split("\t") for ln in result.output.splitlines()]
    assert ["cloze-demo/regimes/c2", "cloze"] == lines[[ln[0] for ln in lines].index("cloze-demo/regimes/c2")][:2]
    data = json.loads(invoke(runner, "cards", "--db", db_path, "--today", TODAY, "--json").output)
    assert {c["kind"] for c in data if c["entry"] == "regimes"} == {"cloze"}
    runner.invoke(cli, ["review", "--db", str(db_path), "--today", TODAY, "--new", "50"],
                  input="5\n" * 40)
    for day in ("2026-05-05", "2026-05-06", "2026-05-07"):
        runner.invoke(cli, ["review", "--db", str(db_path), "--today", day, "--new", "50"],
                      input="5\n" * 40)
    stats = json.loads(invoke(runner, "stats", "--db", db_path, "--today", "2026-05-08", "--json").output)
    assert stats["retention"]["by_kind"]["cloze"]["young"]["total"] >= 7
    table = invoke(runner, "stats", "--db", db_path, "--today", "2026-05-08").output
    assert "cloze" in table


# -- lint ----------------------------------------------------------------------------


def test_lint_is_clean_on_the_fixture(cloze_deck):
    findings = [f for f in lint_decks([load_deck(cloze_deck)]) if f.entry_id not in ("fine-tuning", "rag")]
    assert findings == []


def test_lint_finds_a_leaked_deletion_at_its_line(write_deck):
    path = write_deck("""\
        id: l
        name: L
        clozes:
          - id: clean
            text: RAG fetches {{passages}} at question time.
          - id: leaky
            text: RAG fetches {{documents}} at question time; the documents go to the model.
          - id: shown
            text: Fine-tuning changes {{the weights}}, and {{weights}} are what pre-training made.
          - id: hinted
            text: Training takes {{days::days or weeks}}.
          - id: empty
            text: It takes {{TBD}}.
        """)
    findings = lint_decks([load_deck(path)])
    got = [(f.line, f.check, f.entry_id) for f in findings]
    assert got == [(7, "leak", "leaky"), (9, "leak", "shown"), (11, "leak", "hinted"), (13, "empty-text", "empty")]
    by_entry = {f.entry_id: str(f) for f in findings}
    assert by_entry["leaky"] == (f"{path}:7: cloze 'leaky': the card 'leaky/c1' gives its answer away: \"documents\" "
                                 "stands elsewhere on its front (in the text, another deletion or its hint) [leak]")
    assert "'shown/c2'" in by_entry["shown"]  # c2's front shows "the weights" of c1 filled in


def test_lint_strict_fails_on_a_leak_and_import_says_so(runner, write_deck, db_path):
    path = write_deck("id: l\nname: L\nclozes:\n  - id: leaky\n    text: The {{documents}} are documents.\n")
    result = invoke(runner, "lint", "--strict", path)
    assert result.exit_code == 1 and f"{path}:5: cloze 'leaky'" in result.output


def test_the_builders_yaml_writes_clozes_back_to_the_same_cards(cloze_deck):
    from flashcards.build.deck_yaml import deck_to_yaml
    from flashcards.decks import parse_deck

    deck = load_deck(cloze_deck)
    again, problems = parse_deck(deck_to_yaml(deck), "again.yaml")
    assert problems == [] and again is not None
    assert "clozes:" in deck_to_yaml(deck)
    assert cards_for_deck(again) == cards_for_deck(deck)
