"""Pairs of alike answers without comparing every pair: an inverted index over words.

``similar_pairs`` finds every pair of word sets whose ``flashcards.similar``
score is at least ``threshold`` (and whose sizes are comparable), by *prefix
filtering*: words are ranked rarest first (by how many of the sets hold them); a
pair that shares at least ``k`` words must share a word among the first
``len - k + 1`` of each set, so only those words are indexed and probed, and only
the sets met through them are compared. Each prefix is ``LONGER`` words longer than it
must be, so a pair that can qualify shares ``1 + LONGER`` words in the prefixes, and pairs
met through fewer are never scored. The partners met, and those met twice, are gathered
with set operations on whole postings (in C), not one partner at a time: most partners are
met once and never looked at in Python. PPJoin's positional filter, one partner at a time,
saved comparisons but cost more than the comparisons it saved; what remains of it is a bound
checked on the few pairs met twice (the shared words outside both prefixes are at most
those outside the one that ends first). A set is indexed under a shorter prefix than it is
probed with (PPJoin's "index prefix"): sets are taken smallest first, so a set indexed is
only met by sets at least as large, which must share more of its words. The least overlap ``k`` a set can have with
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
from bisect import bisect_left
from collections import Counter
from dataclasses import dataclass, field
from itertools import chain
from typing import Hashable, Optional, Sequence

from ..similar import MIN_CONTAINED_WORDS

__all__ = ["MAX_SHARED", "PairSearch", "similar_pairs"]

MAX_SHARED = 100
# words added to each prefix, so that a qualifying pair shares 1 + LONGER of them: a pair met
# through one shared word only is then not compared at all
LONGER = 1


@dataclass
class PairSearch:
    pairs: list[tuple[int, int, float]] = field(default_factory=list)  # (i, j, score), i < j, in order
    compared: int = 0  # pairs whose score was computed


def similar_pairs(sets: Sequence[frozenset[str]], threshold: float, *, min_ratio: float,
                  groups: Sequence[Hashable]) -> PairSearch:
    """Pairs ``(i, j)`` of ``sets`` in different ``groups`` (siblings are skipped) with
    ``min(|A|, |B|) >= min_ratio * max(|A|, |B|)`` and a score of at least ``threshold``."""
    frequency = Counter(chain.from_iterable(sets))
    by_rank = sorted(frequency, key=lambda w: (frequency[w], w))
    rank = {w: r for r, w in enumerate(by_rank)}  # words as numbers, rarest first
    common = sum(1 for w in by_rank if frequency[w] <= MAX_SHARED)  # the ranks from here are too common
    # sets are taken smallest first, so every indexed partner is at most as large, and each word's
    # postings are in order of size: those too small for min_ratio are cut off by a bisection
    postings: list[Optional[list[int]]] = [None] * len(by_rank)  # rank -> the sets indexed under it
    sizes: list[Optional[list[int]]] = [None] * len(by_rank)  # rank -> their sizes, in the same order
    result = PairSearch()
    extras = [0] * len(sets)  # how much longer than they must be each set's prefixes are
    prefixes: list[frozenset[int]] = [frozenset()] * len(sets)  # the ranks each set is indexed under
    outside = [0] * len(sets)  # words of each set beyond its index prefix
    small: set[int] = set()  # indexed sets whose prefixes are not longer: one shared word suffices
    for i in sorted(range(len(sets)), key=lambda k: len(sets[k])):
        n = len(sets[i])
        if not n:
            continue
        ranked = sorted(map(rank.__getitem__, sets[i]))
        smallest = min_ratio * n
        # probing: the least overlap with the smallest partner allowed
        need = max(1, math.ceil(threshold * max(1, math.ceil(smallest - 1e-9)) - 1e-9))
        # with the prefix LONGER words longer, a pair with ``need`` shared words shares 1 + LONGER in it
        extra = extras[i] = LONGER if need > LONGER else 0
        # ranked rarest first: the prefix stops at the first word too common to index
        probe = ranked[:min(n - need + 1 + extra, bisect_left(ranked, common))]
        # indexing: this set is only met by sets at least as large, which need more of it (the
        # same ``extra``, so that the words counted are those the probe prefix would count)
        indexed = min(n - _least_overlap(n, n, threshold) + 1 + extra, len(probe))  # never past the probe
        # the partners met, and those met through two prefix words or more, gathered in C (set
        # operations on whole postings) rather than one partner at a time
        met: set[int] = set()
        twice: set[int] = set()
        for r in probe:
            ids = postings[r]
            if ids is not None:
                cut = bisect_left(sizes[r], smallest)
                partners = ids[cut:] if cut else ids
                if partners:
                    if met:
                        twice.update(met.intersection(partners))
                    met.update(partners)
        for r in probe[:indexed]:
            ids = postings[r]
            if ids is None:
                postings[r] = [i]
                sizes[r] = [n]
            else:
                ids.append(i)
                sizes[r].append(n)
        prefixes[i] = frozenset(probe[:indexed])
        outside[i] = n - indexed
        if not extras[i]:
            small.add(i)
        if not met:
            continue
        # a pair is scored when it shares more prefix words than the smaller of the two extras
        candidates = met if not extra else twice | (met & small)
        probed = frozenset(probe)
        group = groups[i]
        for j in candidates:
            if groups[j] == group:
                continue
            # the shared words outside the two prefixes are at most those outside the one that
            # ends first: a pair whose count cannot make up the overlap its sizes need is not scored
            bound = _least_overlap(n, len(sets[j]), threshold) - max(n - len(probe), outside[j])
            if len(probed & prefixes[j]) < bound:
                continue
            result.compared += 1
            score = _score(sets[i], sets[j])
            if score >= threshold:
                result.pairs.append((min(i, j), max(i, j), score))
    result.pairs.sort()  # once, rather than each set's candidates
    return result


def _least_overlap(larger: int, smaller: int, threshold: float) -> int:
    """The fewest shared words with which sets of these sizes can score ``threshold``: containment
    needs ``threshold * smaller`` (the weaker bound when it applies), Jaccard
    ``threshold * (larger + smaller) / (1 + threshold)``."""
    if smaller >= MIN_CONTAINED_WORDS:
        least = threshold * smaller
    else:
        least = threshold * (larger + smaller) / (1 + threshold)
    return max(1, math.ceil(least - 1e-9))


def _score(a: frozenset[str], b: frozenset[str]) -> float:
    """``flashcards.similar.similarity`` on word sets that are already computed (both non-empty)."""
    shared = len(a & b)
    jaccard = shared / (len(a) + len(b) - shared)
    smaller = min(len(a), len(b))
    containment = shared / smaller if smaller >= MIN_CONTAINED_WORDS else 0.0
    return max(jaccard, containment)
