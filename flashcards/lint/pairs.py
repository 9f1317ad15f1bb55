"""Pairs of alike answers without comparing every pair: an inverted index over words.

``similar_pairs`` finds every pair of word sets whose ``flashcards.similar``
score is at least ``threshold`` (and whose sizes are comparable), by *prefix
filtering*: words are ranked rarest first (by how many of the sets hold them); a
pair that shares at least ``k`` words must share a word among the first
``len - k + 1`` of each set, so only those words are indexed and probed, and only
the sets met through them are compared. The least overlap ``k`` a set can have with
a partner scoring ``threshold`` follows from the score's definition (containment is
the weaker bound) and from ``min_ratio``.

One approximation keeps the work near linear on large decks: a word held by more
than ``MAX_SHARED`` sets (in the shipped deck no word comes close) is too common to
make two answers candidates on its own; pairs that share only such words among
their rarest are not compared. The number of comparisons made is returned, so tests
can check how it grows.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from typing import Hashable, Sequence

from ..similar import MIN_CONTAINED_WORDS

__all__ = ["MAX_SHARED", "PairSearch", "similar_pairs"]

MAX_SHARED = 200


@dataclass
class PairSearch:
    pairs: list[tuple[int, int, float]] = field(default_factory=list)  # (i, j, score), i < j
    compared: int = 0  # pairs whose score was computed


def similar_pairs(sets: Sequence[frozenset[str]], threshold: float, *, min_ratio: float,
                  groups: Sequence[Hashable]) -> PairSearch:
    """Pairs ``(i, j)`` of ``sets`` in different ``groups`` (siblings are skipped) with
    ``min(|A|, |B|) >= min_ratio * max(|A|, |B|)`` and a score of at least ``threshold``."""
    frequency = Counter(word for words in sets for word in words)
    index: dict[str, list[int]] = {}
    result = PairSearch()
    for i, words in enumerate(sets):
        n = len(words)
        if not n:
            continue
        ranked = sorted(words, key=lambda w: (frequency[w], w))
        smallest_partner = max(1, math.ceil(min_ratio * n - 1e-9))
        need = max(1, math.ceil(threshold * smallest_partner - 1e-9))
        seen: set[int] = set()
        for word in ranked[: n - need + 1]:
            if frequency[word] > MAX_SHARED:
                break  # ranked rarest first: the rest are as common
            postings = index.setdefault(word, [])
            for j in postings:
                if j in seen:
                    continue
                seen.add(j)
                if groups[j] == groups[i]:
                    continue
                other = sets[j]
                m = len(other)
                if min(n, m) < min_ratio * max(n, m):
                    continue
                result.compared += 1
                score = _score(words, other)
                if score >= threshold:
                    result.pairs.append((j, i, score))
            postings.append(i)
    return result


def _score(a: frozenset[str], b: frozenset[str]) -> float:
    """``flashcards.similar.similarity`` on word sets that are already computed (both non-empty)."""
    shared = len(a & b)
    jaccard = shared / (len(a) + len(b) - shared)
    smaller = min(len(a), len(b))
    containment = shared / smaller if smaller >= MIN_CONTAINED_WORDS else 0.0
    return max(jaccard, containment)
