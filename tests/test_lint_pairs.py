"""The index behind same-answer and interference: the pairs every-pair comparison would find,
with comparisons that grow about linearly with the deck, not with its square."""

from __future__ import annotations

import random

import pytest

from flashcards.lint import pairs
from flashcards.lint.pairs import MAX_SHARED, similar_pairs
from flashcards.similar import MIN_CONTAINED_WORDS

THRESHOLDS = (0.45, 0.8)


def answers(count: int, seed: int = 1) -> tuple[list[frozenset[str]], list[tuple[int, int]]]:
    """Word sets drawn from a Zipf-like vocabulary (so common words are shared as in real
    answers), with about 3% planted near-copies of the answer before (two words changed)."""
    rng = random.Random(seed)
    vocabulary = [f"w{i}" for i in range(20_000)]
    weights = [1 / (rank + 1) ** 1.05 for rank in range(len(vocabulary))]
    sets: list[frozenset[str]] = []
    planted = []
    for _ in range(count):
        if sets and rng.random() < 0.03:
            words = sorted(sets[-1])
            rng.shuffle(words)
            words[-2:] = rng.choices(vocabulary, weights, k=2)
            planted.append((len(sets) - 1, len(sets)))
            sets.append(frozenset(words))
        else:
            sets.append(frozenset(rng.choices(vocabulary, weights, k=rng.randint(8, 18))))
    return sets, planted


def qualifies(a: frozenset[str], b: frozenset[str], threshold: float) -> bool:
    """The definition, written out: comparable sizes and flashcards.similar's score."""
    if min(len(a), len(b)) < 0.5 * max(len(a), len(b)):
        return False
    shared = len(a & b)
    containment = shared / min(len(a), len(b)) if min(len(a), len(b)) >= MIN_CONTAINED_WORDS else 0
    return max(shared / len(a | b), containment) >= threshold


def every_pair(sets, threshold, groups):
    return {(i, j) for i in range(len(sets)) for j in range(i + 1, len(sets))
            if groups[i] != groups[j] and qualifies(sets[i], sets[j], threshold)}


@pytest.mark.parametrize("threshold", THRESHOLDS)
def test_without_the_common_word_cap_it_finds_what_comparing_every_pair_finds(threshold, monkeypatch):
    monkeypatch.setattr(pairs, "MAX_SHARED", 10**9)  # the filters alone are exact
    sets, _ = answers(400)
    groups = [i // 3 for i in range(len(sets))]  # siblings: three cards to an entry
    assert max(sum(w in s for s in sets) for w in set().union(*sets)) > MAX_SHARED  # common words are shared
    search = similar_pairs(sets, threshold, min_ratio=0.5, groups=groups)
    assert {(i, j) for i, j, _ in search.pairs} == every_pair(sets, threshold, groups)
    assert search.compared < len(sets) * (len(sets) - 1) / 2 / 20


def test_comparisons_grow_about_linearly_and_planted_copies_are_found():
    compared = []
    for count in (2_000, 8_000):
        sets, planted = answers(count)
        search = similar_pairs(sets, 0.45, min_ratio=0.5, groups=list(range(count)))
        found = {(i, j) for i, j, _ in search.pairs}
        reachable = [(i, j) for i, j in planted if qualifies(sets[i], sets[j], 0.45)]
        assert sum(p in found for p in reachable) >= 0.85 * len(reachable)  # the MAX_SHARED approximation
        compared.append(search.compared)
    assert compared[1] < 8 * compared[0]  # four times the answers: every pair would be sixteen times
    assert MAX_SHARED == 100
