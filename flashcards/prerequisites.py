"""Which term cards a card relies on, so review can introduce a concept before its uses.

A card relies on a term of its deck when its text (front or back) names the term: the term's name
("Context window", "Tokens" or "token"), or its acronym or expansion when the name gives both
("RAG (retrieval-augmented generation)"). An entry's ``uses:`` list, when given, replaces that for
all of the entry's cards (``uses: []``: none). What a card then needs first is each such term's
first card, its TERM card ("Context window: what is it?"). An entry with a ``question`` (one fact
about a term) introduces no concept: its card needs the term's own entry like any other card.

The text is matched through an index of the terms' names (a dict of word tuples), never term by
term or card by card: the work grows with the deck's words, not with their pairs.

Terms that name each other ("Pre-training: building a model's weights ...", "Weights: ... learned
in pre-training") would each wait for the other; such cycles in what the text says are broken in
deck order (the earlier term comes first), never across a ``uses:`` list (``decks.py`` refuses a
cycle there).
"""

from __future__ import annotations

import heapq
import re
from typing import Iterable, Optional

from .model import CardKind, Deck, Term, card_id, cards_for_entry, entry_cards

__all__ = ["TermIndex", "card_needs", "entry_uses", "suggested_uses", "term_names"]

_WORD = re.compile(r"[a-z0-9]+")
_PARENTHESIS = re.compile(r"^(?P<outer>.*?)\s*\((?P<inner>[^()]*)\)\s*$")
_FOLD = str.maketrans({"\u2018": "'", "\u2019": "'", "\u00a0": " "})


def _words(text: str) -> list[str]:
    if not text.isascii():  # _FOLD maps only non-ASCII characters
        text = text.translate(_FOLD)
    return _WORD.findall(text.lower().replace("'", ""))


def _is_acronym_of(short: str, long: str) -> bool:
    """'RAG' of 'retrieval-augmented generation': the initials of the long form's words."""
    letters = short.replace(".", "").strip()
    if not (2 <= len(letters) <= 8 and letters.isalnum() and letters.upper() == letters and letters.isascii()):
        return False
    return "".join(word[0] for word in _words(long)) == letters.lower()


def term_names(term: Term) -> list[str]:
    """The names a term goes by: its name, and for "RAG (retrieval-augmented generation)" each half.
    A parenthesis that is not an acronym's ("Hosting fee (fine-tuned model)") only qualifies."""
    match = _PARENTHESIS.match(term.term)
    if not match:
        return [term.term]
    outer, inner = match["outer"], match["inner"]
    if _is_acronym_of(inner, outer) or _is_acronym_of(outer, inner):
        return [outer, inner]
    return [outer]


def _variants(words: tuple[str, ...]) -> list[tuple[str, ...]]:
    """The name and its other number on the last word: 'tokens' / 'token', 'context window(s)'."""
    last = words[-1]
    if last.isdigit() or len(last) <= 2:
        return [words]
    other = last[:-1] if last.endswith("s") and len(last) > 3 else last + "s"
    return [words, words[:-1] + (other,)]


class TermIndex:
    """The terms of a deck by their names' words: a dict from each name (a tuple of words) to its
    term, and for each first word the lengths of the names it starts. A text is read once, trying
    at each word those lengths, longest first: the work grows with the text, not with the terms."""

    def __init__(self, terms: Iterable[Term]):
        self._names: dict[tuple[str, ...], str] = {}
        self._line_mentions: dict[str, tuple[str, ...]] = {}
        for term in terms:
            if term.question:  # one fact about a term ("Fine-tuning: Who runs it?") introduces no concept
                continue
            for name in term_names(term):
                words = tuple(_words(name))
                if not words:
                    continue
                for variant in _variants(words):
                    self._names.setdefault(variant, term.id)  # two terms of one name: the first one
        lengths: dict[str, set[int]] = {}  # first word -> the lengths of the names it starts
        for name in self._names:
            lengths.setdefault(name[0], set()).add(len(name))
        self._lengths = {first: sorted(found, reverse=True) for first, found in lengths.items()}
        self._by_length: dict[int, set[tuple[str, ...]]] = {}
        for name in self._names:
            self._by_length.setdefault(len(name), set()).add(name)

    def mentions(self, text: str) -> list[str]:
        """Ids of the terms ``text`` names, in order of first mention. At each place the longest
        name is taken ("fine-tuned weights", not "weights"). A name is read within a line, never
        across a line break (a card's front and back are two texts); cards repeat lines (a term's
        name, a definition, the questions), so each distinct line is read once."""
        cache = self._line_mentions
        found: dict[str, None] = {}
        for line in text.split("\n"):
            named = cache.get(line)
            if named is None:
                named = cache[line] = self._line(_words(line))
            for term_id in named:
                found.setdefault(term_id)
        return list(found)

    def _line(self, words: list[str]) -> tuple[str, ...]:
        # first, in C, every run of words of a name's length that is a name: only the places whose
        # word starts one of those can match (in most lines there is none)
        firsts = set()
        for length, names_of_length in self._by_length.items():
            if length <= len(words):
                firsts.update(name[0] for name in names_of_length.intersection(
                    zip(*[words[k:] for k in range(length)])))
        if not firsts:
            return ()
        found: dict[str, None] = {}
        names, starts, i = self._names, self._lengths, 0
        for place in [p for p, word in enumerate(words) if word in firsts]:
            if place < i:
                continue  # inside a name already taken
            for length in starts[words[place]]:
                term_id = names.get(tuple(words[place:place + length]))
                if term_id is not None:
                    found.setdefault(term_id)
                    i = place + length
                    break
        return tuple(found)


def entry_uses(deck: Deck, entry, index: Optional[TermIndex] = None) -> list[str]:
    """The term ids an entry's text names (itself left out), in order of mention: what the builder
    writes as ``uses:``."""
    index = index or TermIndex(deck.terms)
    text = "\n".join(c.front + "\n" + c.back for c in cards_for_entry(deck.id, entry))
    return [t for t in index.mentions(text) if t != entry.id]


def card_needs(deck: Deck) -> dict[str, tuple[str, ...]]:
    """Card id -> the TERM card ids to introduce before it, for every card that needs any."""
    index = TermIndex(deck.terms)
    term_card = {t.id: card_id(deck.id, t.id, CardKind.TERM) for t in deck.terms}
    needs: dict[str, list[str]] = {}
    explicit: set[tuple[str, str]] = set()
    for entry, cards in entry_cards(deck):
        for card in cards:
            if entry.uses is not None:
                used = [u for u in entry.uses if u != entry.id and u in term_card]
                explicit.update((card.id, term_card[u]) for u in used)
            else:
                used = [u for u in index.mentions(card.front + "\n" + card.back) if u != entry.id]
            if used:
                needs[card.id] = [term_card[u] for u in used]
    rank = _term_order(list(term_card.values()), needs, explicit)
    result = {}
    for card, prerequisites in needs.items():
        if card in rank:  # a term card: keep only what comes before it (cycles broken)
            prerequisites = [p for p in prerequisites if rank[p] < rank[card]]
        if prerequisites:
            result[card] = tuple(prerequisites)
    return result


def _term_order(term_cards: list[str], needs: dict[str, list[str]],
                explicit: set[tuple[str, str]]) -> dict[str, int]:
    """A rank for each term card: every prerequisite first where possible (Kahn's order, deck order
    among the ready ones); in a cycle, the earliest card in deck order whose ``uses:`` are met goes
    first, dropping what its text named."""
    position = {c: i for i, c in enumerate(term_cards)}
    waiting: dict[str, set[str]] = {}
    dependents: dict[str, list[str]] = {}
    for card in term_cards:
        pre = {p for p in needs.get(card, ()) if p in position and p != card}
        waiting[card] = pre
        for p in pre:
            dependents.setdefault(p, []).append(card)
    ready = [position[c] for c in term_cards if not waiting[c]]
    heapq.heapify(ready)
    rank: dict[str, int] = {}
    scan = 0  # for forced picks: term cards in deck order, skipping ranked ones
    while len(rank) < len(term_cards):
        if ready:
            card = term_cards[heapq.heappop(ready)]
            if card in rank:
                continue
        else:  # a cycle: take the earliest card none of whose unmet needs were written in 'uses'
            while term_cards[scan] in rank:
                scan += 1
            card = next((c for c in term_cards[scan:] if c not in rank
                         and not any((c, p) in explicit for p in waiting[c])), term_cards[scan])
        rank[card] = len(rank)
        for dependent in dependents.get(card, ()):
            pre = waiting[dependent]
            pre.discard(card)
            if not pre and dependent not in rank:
                heapq.heappush(ready, position[dependent])
    return rank


def suggested_uses(deck: Deck) -> dict[str, tuple[str, ...]]:
    """Entry id -> the term ids its text names, for a ``uses:`` list the builder writes (entries
    that name none are left out). A term lists only terms that come before it in the order
    ``card_needs`` keeps, so the lists never go round in a circle."""
    index = TermIndex(deck.terms)
    term_card = {t.id: card_id(deck.id, t.id, CardKind.TERM) for t in deck.terms}
    named = {entry.id: [u for u in entry_uses(deck, entry, index) if u in term_card] for entry in deck.entries}
    rank = _term_order(list(term_card.values()),
                       {term_card[t]: [term_card[u] for u in named[t]] for t in term_card}, set())
    result = {}
    for entry_id, used in named.items():
        if entry_id in term_card:
            used = [u for u in used if rank[term_card[u]] < rank[term_card[entry_id]]]
        if used:
            result[entry_id] = tuple(used)
    return result
