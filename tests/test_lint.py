"""flash lint: one finding per planted problem, with its line; clean decks stay clean."""

from __future__ import annotations

import textwrap

import pytest
from click.testing import CliRunner

from flashcards.cli import cli
from flashcards.decks import load_deck, load_decks, parse_deck
from flashcards.lint import ADVISORY, MAX_WORDS, lint_decks

LONG = " ".join(["word"] * 30 + ["other"] * 31)  # 61 words

# Every problem below is planted once; the comment gives the line lint must name.
PLANTED = f"""\
id: planted
name: Planted problems
terms:
  - id: alpha
    term: Alpha
    definition: The first letter of the Greek alphabet, used for the first release.
  - id: alpha-again
    term: Alpha
    definition: A software release that only its own developers test.
  - id: tokens
    term: Tokens
    definition: Word fragments; models read and write tokens.
  - id: copy-one
    term: Gamma
    definition: A budget line that grows with every call made in production systems.
  - id: copy-two
    term: Delta
    definition: A budget line that grows with every call made in production systems!
  - id: wordy
    term: Epsilon
    definition: {LONG}
  - id: blank
    term: Zeta
    definition: The sixth letter.
    what_it_does: TBD
phrases:
  - id: echo
    dont_say: We train the model on your data.
    do_say: We train the model on your data!
    why: Nothing changes.
analogs:
  - id: parrot
    concept: Fine-tuning
    analog: Tenant policy configuration in Okta
    holds: Fine-tuning is like tenant policy configuration in Okta.
"""

EXPECTED = [
    (8, "same-question", "alpha-again"),  # "Alpha / What is it?" asked at lines 5 and 8
    (12, "leak", "tokens"),  # the definition holds "tokens"
    (18, "same-answer", "copy-two"),  # the definition of copy-one (line 15), copied
    (21, "long-answer", "wordy"),  # 61 words
    (25, "empty-text", "blank"),  # "TBD"
    (29, "phrase-echo", "echo"),  # Do say = Don't say
    (35, "analog-echo", "parrot"),  # every word of the question comes back
]


@pytest.fixture
def planted(tmp_path):
    path = tmp_path / "planted.yaml"
    path.write_text(PLANTED, encoding="utf-8")
    return path


def test_one_finding_per_planted_problem_with_its_line(planted):
    findings = lint_decks([load_deck(planted)])
    assert [(f.line, f.check, f.entry_id) for f in findings] == EXPECTED
    assert all(str(f).startswith(f"{planted}:{f.line}: ") for f in findings)


def test_messages_name_the_entry_and_what_is_wrong(planted):
    text = {f.check: str(f) for f in lint_decks([load_deck(planted)])}
    assert text["same-question"] == (
        f"{planted}:8: term 'alpha-again': 'alpha-again/term' asks the same question (\"Alpha What is it?\") "
        "as 'alpha/term' (line 5) with a different answer [same-question]")
    assert "the answer of 'copy-two/term' is the same as that of 'copy-one/term' (line 15)" in text["same-answer"]
    assert "contains \"Tokens\"" in text["leak"]
    assert "has 61 words (limit 60)" in text["long-answer"]
    assert "'what_it_does' says nothing: \"TBD\"" in text["empty-text"]
    assert "'do_say' repeats its 'dont_say'" in text["phrase-echo"]
    assert "'holds' repeats 6 of the 6 words of its question" in text["analog-echo"]


def test_max_words_is_a_setting(planted):
    deck = load_deck(planted)
    assert MAX_WORDS == 60
    assert not [f for f in lint_decks([deck], max_words=61) if f.check == "long-answer"]
    short = [f.entry_id for f in lint_decks([deck], max_words=10) if f.check == "long-answer"]
    assert "wordy" in short and "copy-one" in short


def test_same_question_across_decks(tmp_path):
    one = tmp_path / "one.yaml"
    two = tmp_path / "two.yaml"
    one.write_text("id: one\nname: One\nterms:\n  - {id: rag, term: RAG, definition: Retrieval first.}\n")
    two.write_text("id: two\nname: Two\nterms:\n\n  - {id: rag, term: RAG, definition: A cloth for cleaning.}\n")
    (finding,) = lint_decks(load_decks([one, two]))
    assert (finding.path, finding.line, finding.check) == (str(two), 5, "same-question")
    assert f"'rag/term' ({one}:4)" in finding.message


def test_buyer_row_that_parrots_the_buyer():
    deck, _ = parse_deck("id: d\nname: D\nphrases:\n  - id: b\n    buyer_says: How much does it cost?\n"
                         "    do_say: How much does it cost?\n    why: W.\n", "d.yaml")
    (finding,) = lint_decks([deck])
    assert (finding.line, finding.check) == (6, "phrase-echo")  # parsed from text: the reader kept field lines
    assert "repeats the buyer's line" in finding.message


def test_acronym_expansions_are_leaks_and_a_qualifier_on_the_front_a_part_leak():
    deck, _ = parse_deck(textwrap.dedent("""\
        id: d
        name: D
        terms:
          - id: rag
            term: RAG (retrieval-augmented generation)
            definition: Retrieval-augmented generation pulls documents into the prompt.
          - id: fee
            term: Hosting fee (fine-tuned model)
            definition: The hourly charge for keeping a fine-tuned model deployed.
        """), "d.yaml")
    # the bracket is part of the answer: "fine-tuned model" on the front gives it away (issue 20)
    assert [(f.entry_id, f.check) for f in lint_decks([deck])] == [("rag", "leak"), ("fee", "part-leak")]


def test_siblings_may_share_words_and_short_names_are_not_copies_but_a_named_part_leaks():
    deck, _ = parse_deck(textwrap.dedent("""\
        id: d
        name: D
        terms:
          - id: nist
            term: NIST AI 600-1
            definition: NIST's generative AI profile.
          - id: memo
            term: Data memorization
            definition: Training data resurfacing in answers.
            what_makes_it_distinct: NIST AI 600-1 flags it as a training-phase risk for any deployment.
        """), "d.yaml")
    # "NIST's" on the front of the card whose answer is "NIST AI 600-1" (issue 20)
    assert [(f.entry_id, f.check) for f in lint_decks([deck])] == [("nist", "part-leak")]


# -- the command -------------------------------------------------------------


def invoke(*args):
    return CliRunner().invoke(cli, ["lint", *args])


def test_cli_lists_findings_and_exits_0_without_strict(planted):
    result = invoke(str(planted))
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[:-1] == [str(f) for f in lint_decks([load_deck(planted)])]
    assert lines[-1] == "7 findings in 1 file (1 deck checked)."


def test_cli_strict_exits_1_with_findings(planted):
    result = invoke("--strict", str(planted))
    assert result.exit_code == 1
    assert result.output.endswith("Error: 7 findings in 1 file (1 deck checked).\n")


def test_cli_shipped_deck_is_clean_under_strict(lessons_dir):
    # every check blocks (issue 20: the audited deck is clean of the checks that started advisory);
    # the drafts are given, as the installed package's deck has none beside it (its `sources:` list
    # names them relative to the checkout's deck, tests/test_shipped_deck.py)
    assert ADVISORY == frozenset()
    result = invoke("--strict", "--sources", *sorted(str(p) for p in lessons_dir.glob("*.txt")))
    assert result.exit_code == 0, result.output
    assert result.output == "OK: no findings in 1 deck.\n"


def test_cli_max_words(planted):
    result = invoke("--max-words", "61", str(planted))
    assert "long-answer" not in result.output
    bad = invoke("--max-words", "0", str(planted))
    assert bad.exit_code == 2 and "Invalid value for '--max-words': must be 1 or more" in bad.output


def test_cli_invalid_deck_is_an_error_not_a_finding(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: bad\nname: Bad\nphrases:\n  - {id: p, do_say: a, why: b}\n", encoding="utf-8")
    result = invoke("--strict", str(bad))
    assert result.exit_code == 1
    assert f"{bad}:4: phrase entry needs 'dont_say'" in result.output
    assert "Traceback" not in result.output


def test_import_prints_a_one_line_lint_count_and_still_imports(planted, tmp_path):
    """Import counts the checks of single entries: the planted same-answer (line 18), an answer
    compared across entries, is flash lint's alone."""
    db = tmp_path / "flash.db"
    result = CliRunner().invoke(cli, ["import", str(planted), "--db", str(db), "--today", "2026-12-01"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1] == (
        "Lint: 6 findings (the decks are imported anyway); see them, with the checks across entries and "
        f"against sources, in: flash lint {planted}")
    assert len(lint_decks([load_deck(planted)])) == 7
    cards = CliRunner().invoke(cli, ["cards", "--json", "--db", str(db), "--today", "2026-12-01"])
    assert '"entry": "parrot"' in cards.output


def test_import_leaves_the_checks_across_entries_to_lint(tmp_path):
    """Answers alike across entries (same-answer, interference) are found by flash lint, and the
    import's line says where to look."""
    deck = tmp_path / "alike.yaml"
    deck.write_text(textwrap.dedent("""\
        id: alike
        name: Alike
        terms:
          - {id: one, term: Hosting fee, definition: A monthly charge for keeping a tuned model deployed.}
          - {id: two, term: Serving cost, definition: A monthly charge for keeping a tuned model deployed.}
        """), encoding="utf-8")
    lint = CliRunner().invoke(cli, ["lint", "--strict", str(deck)])
    assert lint.exit_code == 1 and "[same-answer]" in lint.output
    result = CliRunner().invoke(cli, ["import", str(deck), "--db", str(tmp_path / "f.db"), "--today", "2026-12-01"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1] == (
        f"Lint: no findings (the checks across entries and against sources are flash lint's: flash lint {deck})")


def test_import_of_the_shipped_decks_reports_no_findings(tmp_path):
    result = CliRunner().invoke(cli, ["import", "--db", str(tmp_path / "f.db"), "--today", "2026-12-01"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1] == (
        "Lint: no findings (the checks across entries and against sources are flash lint's: flash lint)")
