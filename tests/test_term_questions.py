"""A term entry with a ``question``: one fact about a term, asked with the context that makes one
answer right (issue 20: "Fine-tuning: who runs it?" rather than the open "Who's behind it?")."""

from __future__ import annotations

from flashcards.decks import parse_deck
from flashcards.lint import lint_decks
from flashcards.model import CardKind, cards_for_deck
from flashcards.quiz.generate import candidates, generate

DECK = """\
id: d
name: D
terms:
  - id: pt
    term: Pre-training
    definition: Building a model's weights from scratch on massive datasets.
  - id: ft
    term: Fine-tuning
    definition: Adjusting an existing model's weights with a smaller, domain-specific dataset.
  - id: inf
    term: Inference
    definition: Running a trained model on a live input to produce an output.
  - id: pt-time
    term: Pre-training
    question: How long does a frontier run take?
    definition: Months.
  - id: ft-who
    term: Fine-tuning
    question: Who runs it?
    definition: The enterprise or agency, on a vendor's base model.
  - id: inf-billing
    term: Inference
    question: What unit is it billed in?
    definition: Tokens.
  - id: ft-data
    term: Fine-tuning
    question: Whose data changes the model?
    definition: The customer's own examples.
"""


def deck():
    parsed, problems = parse_deck(DECK, "d.yaml")
    assert problems == []
    return parsed


def test_a_question_entry_yields_one_card_asking_it():
    cards = {c.entry_id: c for c in cards_for_deck(deck()) if c.entry_id == "ft-who"}
    (card,) = cards.values()
    assert card.id == "d/ft-who/term" and card.kind is CardKind.TERM
    assert card.front == "Fine-tuning: Who runs it?"
    assert card.back == "The enterprise or agency, on a vendor's base model."
    # the plain entries keep both cards
    assert {c.kind for c in cards_for_deck(deck()) if c.entry_id == "ft"} == {CardKind.TERM, CardKind.DEFINITION}


def test_a_question_takes_no_detail_fields():
    text = DECK + "    what_it_does: Shifts behavior.\n"
    parsed, problems = parse_deck(text, "d.yaml")
    assert parsed is None
    assert [(p.line, p.message) for p in problems] == [
        (29, "term entry has both 'question' and 'what_it_does': an entry with a question teaches one fact "
             "(its definition answers the question)")]


def test_lint_sees_the_question_not_a_definition_card():
    """Facts about one term are not 'the same question', and a fact naming its term is no leak."""
    assert lint_decks([deck()]) == []
    leaky = DECK.replace("definition: The customer's own examples.",
                         "definition: The customer's own examples change Fine-tuning's weights.")
    parsed, _ = parse_deck(leaky, "d.yaml")
    assert [f.check for f in lint_decks([parsed])] == []


def test_the_quiz_asks_the_question_and_draws_distractors_from_other_facts():
    found, pools = candidates([deck()])
    question = next(c for c in found if c.entry.id == "ft-who")
    assert question.prompt == "Fine-tuning: Who runs it?" and question.pool == "answers"
    assert {p.text for p in pools["answers"]} >= {"Months.", "Tokens."}
    # facts never stand in for definitions
    assert "Months." not in {p.text for p in pools["definitions"]}
    asked = [q for q in generate([deck()], None, None, seed=3, prefix="q") if q.prompt == question.prompt]
    for q in asked:
        texts = [o.text for o in q.options]
        assert texts.count(question.correct) == 1
        assert "The customer's own examples." not in texts  # another fact about the same term: never a distractor
