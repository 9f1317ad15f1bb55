"""Fair questions on the shipped deck (issue 10), pinned over fixed seeds.

The full measurement (200 quizzes) is benchmarks/quiz_fairness.py; here 25 quizzes of 20
questions, made as papers are (pool, then a draw), with the figures pinned: a change to the
generator or the deck that moves them must update them here, on purpose.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from flashcards.decks import load_decks
from flashcards.quiz.fairness import defects, measure, word_match_credit
from flashcards.quiz.generate import generate
from flashcards.quiz.model import Option, Question, QuestionKind

DECKS = Path(__file__).resolve().parents[1] / "decks"


@pytest.fixture(scope="module")
def figures():
    return measure(load_decks([DECKS]), quizzes=25, per_quiz=20)


def test_word_matching_does_not_find_the_key(figures):
    assert figures.questions == 500
    assert round(figures.word_match, 4) == 0.3357  # pinned; the target is under 35%
    assert round(figures.fewest_words, 4) == 0.1883  # the opposite cue does not work either
    assert figures.word_match < 0.35 and figures.fewest_words < 0.35
    assert figures.chance == 0.25


def test_no_question_has_two_defensible_answers(figures):
    assert (figures.defective_questions, figures.quizzes_with_defect) == (0, 0)


def test_every_item_of_the_pool_is_clean():
    for q in generate(load_decks([DECKS]), None, None, seed=1, prefix="i"):
        assert defects(q) == [], q


def _question(prompt, key, *others):
    options = (Option("o1", key),) + tuple(Option(f"o{n}", t) for n, t in enumerate(others, start=2))
    return Question("q1", QuestionKind.WHAT_IS, prompt, options, answer="o1")


def test_the_measures_themselves():
    q = _question("What is a token?", "A token is a word fragment.", "Weights are numbers.", "A pass over data.")
    assert word_match_credit(q) == 1.0 and word_match_credit(q, fewest=True) == 0.0
    tied = _question("What is a token?", "A word fragment.", "Numbers.", "A pass over data.")
    assert word_match_credit(tied) == pytest.approx(1 / 3)
    near = _question("What is RAG?", "Looking documents up at question time.",
                     "Looking the documents up at question time!", "Something else entirely here.")
    assert defects(near) == ["distractor too close to the key: o1 / o2"]
    inside = _question("Which?", "Bills per token", "It bills per token consumed, monthly and in arrears.", "Other")
    assert defects(inside) == ["distractor too close to the key: o1 / o2"]
