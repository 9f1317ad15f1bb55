"""Measuring how fair generated questions are (used by ``benchmarks/quiz_fairness.py`` and the tests).

- ``word_match_credit``: what the strategy "pick the option sharing the most
  words with the stem" expects to score on a question: 1/k when the key is
  among k tied best options, 0 when it is not among them. Chance is 1/options.
  The opposite strategy (fewest words) is measured too: a generator that
  merely inverted the cue would be just as unfair.
- per kind (``Fairness.by_kind``), the same over every item of every pool, so a
  small kind cannot hide behind the average;
- ``defects``: what makes a question have two defensible answers: two options
  the same or nearly the same (``flashcards.similar``), or a distractor that
  contains the key (or is contained in it).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Sequence

from ..model import Deck
from .generate import draw, generate, overlap, too_close
from .model import Question


def word_match_credit(question: Question, *, fewest: bool = False) -> float:
    """Expected credit of picking the option sharing the most (``fewest``: the fewest) words with the stem."""
    scores = {o.id: overlap(question.prompt, o.text) for o in question.options}
    best = min(scores.values()) if fewest else max(scores.values())
    tied = [oid for oid, score in scores.items() if score == best]
    return 1 / len(tied) if question.answer in tied else 0.0


def defects(question: Question) -> list[str]:
    found = []
    options = question.options
    for i, a in enumerate(options):
        for b in options[i + 1:]:
            if too_close(a.text, b.text):
                key = question.answer in (a.id, b.id)
                found.append(("distractor too close to the key" if key else "two distractors too close")
                             + f": {a.id} / {b.id}")
    return found


@dataclass(frozen=True)
class KindFairness:
    """One kind over every item of every pool measured (not only those drawn onto papers)."""

    items: int  # items of this kind over all the pools
    word_match: float
    fewest_words: float
    chance: float


@dataclass(frozen=True)
class Fairness:
    quizzes: int
    questions: int
    word_match: float  # expected share correct for the word-matching strategy
    fewest_words: float  # ... for its opposite
    chance: float  # expected share correct guessing at random
    defective_questions: int
    quizzes_with_defect: int
    by_kind: dict = field(default_factory=dict)  # QuestionKind -> KindFairness


def measure(decks: Sequence[Deck], *, quizzes: int = 200, per_quiz: int = 20, first_seed: int = 0) -> Fairness:
    """Fairness over ``quizzes`` random quizzes as papers are made: a pool from the decks, then a draw."""
    credit = fewest = chance = 0.0
    asked = bad = bad_quizzes = 0
    kinds: dict = {}
    for seed in range(first_seed, first_seed + quizzes):
        pool = generate(decks, None, seed=seed, prefix="i")
        for q in pool:
            sums = kinds.setdefault(q.kind, [0, 0.0, 0.0, 0.0])
            sums[0] += 1
            sums[1] += word_match_credit(q)
            sums[2] += word_match_credit(q, fewest=True)
            sums[3] += 1 / len(q.options)
        paper = draw(pool, per_quiz, random.Random(seed))
        flawed = [q for q in paper if defects(q)]
        bad += len(flawed)
        bad_quizzes += bool(flawed)
        for q in paper:
            credit += word_match_credit(q)
            fewest += word_match_credit(q, fewest=True)
            chance += 1 / len(q.options)
            asked += 1
    by_kind = {k: KindFairness(n, m / n, f / n, c / n) for k, (n, m, f, c) in kinds.items()}
    return Fairness(quizzes, asked, credit / asked, fewest / asked, chance / asked, bad, bad_quizzes, by_kind)
