"""Which deck concepts a line is about: the rule that keeps good answers out of the distractors.

A distractor must never be a line the deck teaches as a good answer to a
prompt about the same concept. The decks' own vocabulary says what a line is
about: the term names (``Fine-tuning``, ``RAG``; the head and the alias of
``RAG (retrieval-augmented generation)`` both count), matched as whole words
after a light stemming (``fine-tune``, ``fine-tuned`` and ``fine-tuning`` are
one concept; ``pre-trained`` is ``pre-training``).

- Phrase and reply questions: another entry's "Do say" line is a distractor
  only when it names none of the concepts of this prompt (its "Don't say" or
  buyer line) and of its key; "Don't say" lines of other entries, which the
  lesson marks as wrong, always may be (see ``generate.eligible``).
- "What is" questions: another term's definition is a distractor only when it
  uses none of the distinctive words of the asked term's name (words that
  stand in under a quarter of the definitions), so "What are input tokens?"
  is never offered the context window, "the input to one call".
- Analogy questions: texts of analogies whose concept shares a concept
  with this one (the two Fine-tuning analogies) are never distractors.
"""

from __future__ import annotations

import re
from typing import Iterable, Sequence

from ..model import Deck
from ..similar import normalise, words

_SUFFIXES = ("ings", "ing", "ed", "es", "s", "e")


def stem(word: str) -> str:
    """A light stem: ``tuning``, ``tuned``, ``tune`` -> ``tun``; short words stay as they are."""
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


def stems(text: str) -> tuple[str, ...]:
    return tuple(stem(w) for w in normalise(text).split())


def names_of(term: str) -> list[str]:
    """The names a term goes by: ``RAG (retrieval-augmented generation)`` -> the head and the alias."""
    head, _, rest = term.partition("(")
    names = [head.strip()]
    alias = rest.rstrip(") ").strip()
    if alias:
        names.append(alias)
    return [n for n in names if n]


class Vocabulary:
    """The concepts of a set of decks: their term names, as stemmed word sequences."""

    def __init__(self, decks: Sequence[Deck]):
        names: dict[tuple[str, ...], str] = {}
        for deck in decks:
            for term in deck.terms:
                for name in names_of(term.term):
                    key = stems(name)
                    if key:
                        names.setdefault(key, normalise(names_of(term.term)[0]))
        self._names = names
        self._pattern = re.compile(
            r"(?<!\S)(" + "|".join(re.escape(" ".join(k)) for k in sorted(names, key=len, reverse=True)) + r")(?!\S)"
        ) if names else None
        definitions = [term.definition for deck in decks for term in deck.terms]
        counts: dict[str, int] = {}
        for text in definitions:
            for w in {stem(w) for w in words(text)}:
                counts[w] = counts.get(w, 0) + 1
        self._generic = {w for w, n in counts.items() if n * 4 >= len(definitions)} if definitions else set()

    def concepts(self, *texts: str) -> frozenset[str]:
        """The concepts (by the term's head name) that ``texts`` name."""
        found: set[str] = set()
        if self._pattern is None:
            return frozenset()
        for text in texts:
            line = " ".join(stems(text))
            for match in self._pattern.finditer(line):
                found.add(self._names[tuple(match.group(1).split())])
        return frozenset(found)

    def distinctive_words(self, term: str) -> frozenset[str]:
        """The stemmed words of a term's names that stand in under a quarter of the definitions."""
        return frozenset(stem(w) for name in names_of(term) for w in words(name)) - self._generic

    @staticmethod
    def uses_any(text: str, stemmed: Iterable[str]) -> bool:
        wanted = set(stemmed)
        return bool(wanted) and any(stem(w) in wanted for w in words(text))
