"""Fair questions on the shipped deck (issue 10), pinned over fixed seeds.

The full measurement (200 quizzes) is benchmarks/quiz_fairness.py; here 25 quizzes of 20
questions, made as papers are (pool, then a draw), with the figures pinned: a change to the
generator or the deck that moves them must update them here, on purpose.
"""

from __future__ import annotations

import textwrap
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
    # measured on the audited deck of issue 20: 14.3% by most shared words, 22.3% by fewest
    assert figures.questions == 500
    assert figures.word_match < 0.35  # the target
    assert figures.fewest_words < 0.35  # the opposite cue does not work either
    assert figures.chance == 0.25


# Every kind on its own, over every item of 30 pools (issue 19). Before the distractor rule: breaks
# 75.0%, phrase 36.8%, which-term 27.0%, what-is 25.5% by most shared words. On the audited deck of
# issue 20 (its question entries are "what-is" items): which-term 14.6%, what-is 14.3%, phrase 20.8%,
# reply 17.4%, breaks 5.0%, holds 8.6% (fewest words: all under 32%). The deck's wording moves these
# figures, so the test holds the rule and the item counts, computed from the pools.


def test_word_matching_is_under_35_percent_for_every_kind_over_30_seeds():
    from collections import Counter

    decks = load_decks([DECKS])
    figures = measure(decks, quizzes=30, per_quiz=20)
    items = Counter(q.kind for seed in range(30) for q in generate(decks, None, None, seed=seed, prefix="i"))
    assert {k: f.items for k, f in figures.by_kind.items()} == dict(items)
    assert set(items) >= set(QuestionKind) - {QuestionKind.CLOZE}  # the shipped deck has no cloze entries yet
    for kind, f in figures.by_kind.items():
        assert f.word_match < 0.35 and f.fewest_words < 0.35, (kind, f)


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


# -- the distractor rule: never a line the deck teaches as a good answer about the same concept --


@pytest.fixture(scope="module")
def pools():
    decks = load_decks([DECKS])
    return decks[0], [generate(decks, None, None, seed=seed, prefix="i") for seed in range(30)]


def test_the_issues_two_defensible_answers_are_gone(pools):
    deck, all_pools = pools
    phrase = {p.id: p for p in deck.phrases}
    other_pre_training = phrase["dont-say-pre-training-customize-completely"].do_say  # "...OpenAI and Anthropic do"
    context_window = next(t.definition for t in deck.terms if t.term == "Context window")
    for pool in all_pools:
        for q in pool:
            texts = {o.text for o in q.options}
            if q.entry_id == "dont-say-pre-training-too-expensive":
                assert other_pre_training not in texts
            if q.prompt == "What are input tokens?":
                assert context_window not in texts


def test_no_distractor_is_a_good_answer_about_the_same_concept(pools):
    from flashcards.quiz.concepts import Vocabulary

    deck, all_pools = pools
    vocabulary = Vocabulary([deck])
    do_say = {p.do_say: p for p in deck.phrases}
    breaks = {a.breaks: a for a in deck.analogs if a.breaks}
    holds = {a.holds: a for a in deck.analogs if a.holds}
    analog_of = {a.id: a for a in deck.analogs}
    phrase_of = {p.id: p for p in deck.phrases}
    checked = 0
    for pool in all_pools:
        for q in pool:
            distractors = [o.text for o in q.options if o.id != q.answer]
            if q.kind in (QuestionKind.PHRASE, QuestionKind.REPLY):
                entry = phrase_of[q.entry_id]
                about = vocabulary.concepts(entry.buyer_says or entry.dont_say, entry.do_say)
                for text in distractors:
                    if text in do_say:  # another entry's "Do say": about none of this prompt's concepts
                        assert not vocabulary.concepts(text) & about, (q.prompt, text)
                        checked += 1
            if q.kind in (QuestionKind.BREAKS, QuestionKind.HOLDS):
                same_role = breaks if q.kind is QuestionKind.BREAKS else holds
                concept = analog_of[q.entry_id].concept
                for text in distractors:
                    if text in same_role:
                        assert same_role[text].concept != concept, (q.prompt, text)
                        checked += 1
    assert checked > 100


def test_an_item_word_matching_would_find_is_not_asked():
    """Its key repeats the question's words and no other line does: fair distractors cannot exist."""
    from flashcards.decks import parse_deck

    deck, problems = parse_deck(textwrap.dedent("""\
        id: d
        name: D
        phrases:
          - {id: p1, dont_say: Refunds are slow., do_say: Refunds are slow only when the invoice is disputed., why: w}
          - {id: p2, dont_say: It is cheap., do_say: Budget for hosting., why: w}
          - {id: p3, dont_say: Nobody audits it., do_say: Auditors check the logs., why: w}
          - {id: p4, dont_say: Just trust me., do_say: Here is the report., why: w}
        """), "d.yaml")
    assert not problems
    asked = {q.entry_id for q in generate([deck], None, [QuestionKind.PHRASE], seed=1)}
    assert "p1" not in asked and asked == {"p2", "p3", "p4"}
