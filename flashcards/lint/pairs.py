"""Pairs of alike answers without comparing every pair: an inverted index over words.

``similar_pairs`` finds every pair of word sets whose ``flashcards.similar``
score is at least ``threshold`` (and whose sizes are comparable), by *prefix
filtering*: words are ranked rarest first (by how many of the sets hold them); a
pair that shares at least ``k`` words must share a word among the first
``len - k + 1`` of each set, so only those words are indexed and probed, and only
the sets met through them are compared; a partner is dropped as soon as the words
it has shared so far plus those left in both cannot reach ``k`` (PPJoin's positional
filter). Each prefix is ``LONGER`` words longer than it must be, so a pair that can
qualify shares ``1 + LONGER`` words in the prefixes, and pairs met through fewer are
never scored. The least overlap ``k`` a set can have with
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
from itertools import islice
from dataclasses import dataclass, field
from typing import Hashable, Sequence

from ..similar import MIN_CONTAINED_WORDS

__all__ = ["MAX_SHARED", "PairSearch", "similar_pairs"]

MAX_SHARED = 100
# words added to each prefix, so that a qualifying pair shares 1 + LONGER of them: a pair met
# through one shared word only is then not compared at all
LONGER = 1


@dataclass
class PairSearch:
    pairs: list[tuple[int, int, float]] = field(default_factory=list)  # (i, j, score), i < j
    compared: int = 0  # pairs whose score was computed


def similar_pairs(sets: Sequence[frozenset[str]], threshold: float, *, min_ratio: float,
                  groups: Sequence[Hashable]) -> PairSearch:
    """Pairs ``(i, j)`` of ``sets`` in different ``groups`` (siblings are skipped) with
    ``min(|A|, |B|) >= min_ratio * max(|A|, |B|)`` and a score of at least ``threshold``."""
    frequency = Counter(word for words in sets for word in words)
    rank = {w: r for r, w in enumerate(sorted(frequency, key=lambda w: (frequency[w], w)))}
    # sets are taken smallest first, so every indexed partner is at most as large, and those too
    # small for min_ratio sit at the front of each word's postings, skipped by a moving start
    index: dict[str, list[tuple[int, int, int, int]]] = {}  # word -> (set, size, position, need)
    starts: dict[str, int] = {}
    result = PairSearch()
    pruned = -len(sets) - 1
    extras = [0] * len(sets)
    for i in sorted(range(len(sets)), key=lambda k: len(sets[k])):
        words = sets[i]
        n = len(words)
        if not n:
            continue
        ranked = sorted(words, key=rank.__getitem__)
        smallest = min_ratio * n
        need = max(1, math.ceil(threshold * max(1, math.ceil(smallest - 1e-9)) - 1e-9))
        # with the prefix LONGER words longer, a pair with ``need`` shared words shares 1 + LONGER in it
        extra = extras[i] = LONGER if need > LONGER else 0
        overlap: dict[int, int] = {}  # partner -> shared words met so far (pruned when it cannot reach the need)
        group = groups[i]
        for p, word in enumerate(ranked[: n - need + 1 + extra]):
            if frequency[word] > MAX_SHARED:
                break  # ranked rarest first: the rest are as common
            postings = index.get(word)
            if postings is None:
                postings = index[word] = []
            else:
                start = starts.get(word, 0)
                while start < len(postings) and postings[start][1] < smallest:
                    start += 1
                starts[word] = start
                left = n - p
                for j, m, q, need_j in islice(postings, start, None):
                    count = overlap.get(j, 0)
                    if count < 0:
                        continue
                    # positional filter: shared words so far plus those left in both is the most there can be
                    if count + (left if left < m - q else m - q) < need_j or groups[j] == group:
                        overlap[j] = pruned
                    else:
                        overlap[j] = count + 1
            postings.append((i, n, p, max(1, math.ceil(threshold * n - 1e-9))))
        for j, count in overlap.items():
            if count > min(extra, extras[j]):
                result.compared += 1
                score = _score(words, sets[j])
                if score >= threshold:
                    result.pairs.append((min(i, j), max(i, j), score))
    return result


def _score(a: frozenset[str], b: frozenset[str]) -> float:
    """``flashcards.similar.similarity`` on word sets that are already computed (both non-empty)."""
    shared = len(a & b)
    jaccard = shared / (len(a) + len(b) - shared)
    smaller = min(len(a), len(b))
    containment = shared / smaller if smaller >= MIN_CONTAINED_WORDS else 0.0
    return max(jaccard, containment)
