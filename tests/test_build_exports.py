"""Lessons as Google Docs and Word export them (issue 9, section 4): escaped punctuation, bold
and numbered headings, analog points as bulleted "Where it holds:" / "Where it breaks:" lines."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from flashcards.build import build_deck
from flashcards.build.analogs import _labelled_points
from flashcards.build.document import _HEADING_NUMBER
from flashcards.cli import cli
from flashcards.decks import load_deck

FIXTURE = Path(__file__).parent / "fixtures" / "lesson_gdocs_export.md"


@pytest.fixture(scope="module")
def built():
    return build_deck([FIXTURE])


def test_numbered_bold_headings_give_the_bare_term(built):
    deck = built.deck
    assert deck.name == "Lesson 9: Agents in the identity stack"
    assert [(t.id, t.term) for t in deck.terms] == [("ai-agent", "AI Agent"), ("tool-call", "Tool call")]


def test_escaped_punctuation_is_plain_text(built):
    agent = built.deck.terms[0]
    assert agent.definition == "Software that plans and takes actions toward a goal on a user's behalf."
    assert agent.what_it_does == "It calls tools and APIs (search, tickets, e-mail) in a loop until the goal is met."
    assert agent.whos_behind_it == "Model vendors and platform teams - OpenAI, Anthropic, Microsoft."
    texts = [v for e in built.deck.entries for v in vars(e).values() if isinstance(v, str)]
    assert not [t for t in texts if "\\" in t or "**" in t]
    assert built.deck.phrases[0].dont_say == "The agent logs in as you."


def test_bulleted_analog_points_lose_their_labels(built):
    (analog,) = built.deck.analogs
    # the comparison sentence ("An AI agent is analogous to a service account ...") is the analog,
    # neither dropped nor copied into holds; the heading's title gives only the id
    assert (analog.concept, analog.analog) == ("An AI agent", "A service account with delegated access")
    assert analog.id == "analog-ai-agent-service-accounts"
    assert analog.holds == "Both act without a person at the keyboard, under credentials someone granted."
    assert analog.breaks == "A service account runs fixed code; an agent decides at run time which tools to call."
    assert not built.skipped
    assert [(s.line, s.reason) for s in built.unused] == [
        (1, "text under the title 'Lesson 9: Agents in the identity stack' (1 paragraph, line 3): no entry uses it")]


@pytest.mark.parametrize("heading, term", [
    ("1. AI Agent", "AI Agent"), ("2) Tool call", "Tool call"), ("3.1 Scopes", "Scopes"),
    ("3.1. Scopes", "Scopes"), ("5G networks", "5G networks"), ("1984 rules", "1984 rules"),
    ("Pre-training", "Pre-training"),
])
def test_heading_numbers(heading, term):
    assert _HEADING_NUMBER.sub("", heading) == term


def test_labelled_points():
    assert _labelled_points("X is like Y. It holds on cost.") is None  # prose: the sentence rules apply
    assert _labelled_points("X is like Y. Where it breaks: y is stateless.") == ("X is like Y.", "Y is stateless.")
    assert _labelled_points("X is like Y. Holds: cost. Breaks: state.") == ("Cost.", "State.")


def test_build_lists_the_drafts_lint_findings(tmp_path):
    lesson = tmp_path / "lesson.md"
    long = " ".join(["word"] * 70)
    lesson.write_text(FIXTURE.read_text(encoding="utf-8").replace(
        "in a loop until the goal is met\\.", f"in a loop until the goal is met\\. {long}"), encoding="utf-8")
    out = tmp_path / "draft.yaml"
    result = CliRunner().invoke(cli, ["build", str(lesson), "-o", str(out)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    at = lines.index("Lint: 1 finding in the draft (fix them while you review it; flash lint lists them again):")
    assert lines[at + 1].startswith(f"{out}:")
    assert lines[at + 1].endswith("has 86 words (limit 60): split it or move context to 'note' [long-answer]")
    assert load_deck(out).terms[0].id == "ai-agent"

    clean = CliRunner().invoke(cli, ["build", str(FIXTURE), "-o", str(tmp_path / "clean.yaml")])
    assert "Lint: no findings in the draft." in clean.output.splitlines()
