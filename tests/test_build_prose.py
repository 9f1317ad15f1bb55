"""`flash build` on lessons written as people write them: analogs in prose (the comparison
sentence names concept and analog, labels dropped from the points), buyer lines in a "Don't say"
column, a Word export, and the prose no entry uses, reported with its lines."""

import re
from pathlib import Path

import pytest

from flashcards.build import build_deck, deck_to_yaml
from flashcards.build.tables import reads_as_buyer
from flashcards.decks import parse_deck

FIXTURES = Path(__file__).parent / "fixtures"
LABEL = re.compile(r"^(?:It|This|The analog(?:y|ue)?) (?:holds|breaks)\b|^Where it (?:holds|breaks)")


def build(name):
    return build_deck([FIXTURES / name])


def unused(result):
    return [(s.line, s.reason) for s in result.unused]


def assert_no_labels(result):
    for analog in result.deck.analogs:
        for text in filter(None, (analog.holds, analog.breaks)):
            for sentence in re.split(r"(?<=[.!?])\s+", text):
                assert not LABEL.match(sentence), (analog.id, sentence)


def test_analogs_in_prose():
    result = build("lesson_analogs_prose.txt")
    session, mau = result.deck.analogs
    assert (session.concept, session.analog) == ("A context window", "An Okta session's maximum lifetime")
    assert session.holds == ("Both cap how much one interaction can carry before it starts over. "
                             "For explaining why long conversations get truncated.")
    assert session.breaks == ("On cost: a session costs the same at minute one and hour eight, while every "
                              "token in the window is billed on every call.")
    # a second paragraph with a comparison of its own, under the same heading, is its own analog
    assert (mau.concept, mau.analog) == ("Tokens", "Monthly active users in Okta's pricing")
    assert mau.holds == "Both meter usage rather than seats. For budgeting."
    assert mau.breaks.startswith("On direction: output tokens cost more than input tokens")
    assert_no_labels(result)
    assert not result.skipped


def test_prose_no_entry_uses_is_reported_with_its_lines():
    result = build("lesson_analogs_prose.txt")
    assert unused(result) == [
        (1, "text under the title 'Lesson 11: Tokens and context' (1 paragraph, line 2): no entry uses it"),
        (11, "section 'Why this matters in a deal' (2 paragraphs, lines 12, 13): no entry uses it"),
    ]
    assert result.lessons[0].unused == 2


def test_buyer_lines_in_a_dont_say_column_and_a_buyer_column():
    result = build("lesson_buyer_lines.md")
    rows = [(p.buyer_says, p.dont_say) for p in result.deck.phrases]
    assert rows == [
        ("Can we just upload our SharePoint?", None),
        (None, "RAG is basically search."),
        ("We need it to cite our policies.", None),
        (None, "You won't need to worry about permissions."),
        ("Our documents change every week.", None),  # the "The buyer says" column
    ]
    assert [p.id for p in result.deck.phrases if p.buyer_says] == [
        "buyer-can-we-just-upload-our", "buyer-we-need-it-to-cite", "buyer-our-documents-change-every-week"]
    # the guess is reported, so a reviewer checks it; a "The buyer says" column needs no guess
    assert [(s.line, s.reason) for s in result.skipped] == [
        (11, "2 of the table's 4 rows under 'Don't say' read as the buyer's line (our/we want/a question, "
             "not said to 'you'): written as buyer_says, check them (lines 13, 15)")]
    assert unused(result)[-1] == (
        24, "section 'Notes for the trainer' (2 paragraphs, lines 26, 28): no entry uses it")
    # the YAML writes buyer_says first and reads back as the same rows
    deck, problems = parse_deck(deck_to_yaml(result.deck), "built.yaml")
    assert problems == []
    assert [(p.buyer_says, p.dont_say) for p in deck.phrases] == rows


@pytest.mark.parametrize("line, buyer", [
    ("How much does training cost?", True),
    ("We own the model", True),
    ("Make it smarter about our domain", True),
    ("Can we retrain it when it gets things wrong?", True),
    ("We can't tell you what it'll cost to run.", False),  # said to "you": the AE
    ("We can customize the model for your use case.", False),
    ("We can go passwordless tomorrow.", False),  # "we can" is a vendor's offer
    ("Fine-tuning is cheap.", False),
    ("Are you sure you need that?", False),
])
def test_reads_as_buyer(line, buyer):
    assert reads_as_buyer(line) is buyer


def test_word_export():
    result = build("lesson_word_export.md")
    # a bold "Lesson N:" paragraph is the title, so the numbered "# 1. Fine-tuned model" is a term
    assert result.deck.name == "Lesson 13: Fine-tuned models in federal accounts"
    assert [t.term for t in result.deck.terms] == ["Fine-tuned model", "Hosting fee"]
    (widget,) = result.deck.analogs
    assert (widget.concept, widget.analog) == ("A fine-tuned model", "A customised Okta sign-in widget")
    assert widget.holds == "Both adapt a shared product to one organisation without rebuilding it."
    assert widget.breaks.startswith("A widget change is undone with one click")
    assert_no_labels(result)
    assert not result.skipped
    assert unused(result) == [
        (1, "text under the title 'Lesson 13: Fine-tuned models in federal accounts' (1 paragraph, line 3): "
            "no entry uses it"),
        (23, "section 'Background' (1 paragraph, line 25): no entry uses it"),
    ]
