"""Quality checks on decks: SuperMemo's rules for formulating knowledge as findings with lines.

A deck can be valid (``decks.py`` accepts it) and still teach badly. ``lint_decks``
looks at the cards a deck yields and reports, as ``file:line: message`` naming the
entry:

- ``same-question``: cards (in one deck or across the decks given) that ask the same
  question and expect different answers; one finding per repeated question, at the
  second place it is asked. (Definition -> term cards are left to ``same-answer``: a
  definition written under two terms is one problem, reported once.)
- ``same-answer``: two entries with a pair of cards whose answers are the same or
  nearly the same (``flashcards.similar.similarity`` at least ``NEAR_DUPLICATE``, 0.8,
  between answers of comparable length: the shorter has at least ``MIN_LENGTH_RATIO``,
  half, of the longer's content words, so a term named inside a longer answer is not a
  copy), e.g. one definition copied under two terms; one finding per pair of entries.
  For phrase rows the answer compared is the "Do say" line.
- ``leak``: a definition -> term card whose question contains the term, so the
  answer is on the front (plurals folded; a bracketed name counts when it or the
  term is an acronym, as in "RAG (retrieval-augmented generation)").
- ``long-answer``: an answer of more than ``MAX_WORDS`` (60) words (``--max-words``).
- ``phrase-echo``: a phrase row whose "Do say" is (nearly) its "Don't say" or the
  buyer's line.
- ``empty-text``: text that says nothing ("...", "-", "TODO", "TBD", "N/A").
- ``analog-echo``: an analog's holds/breaks that repeats ``ANALOG_ECHO`` (60%) or
  more of the words of its own question (concept and analog), so it can be guessed
  by matching words.

Lines are those of the field a finding is about when the deck was read from a file,
else the entry's line. No I/O beyond re-reading deck files for field lines.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Optional

import yaml
from yaml.nodes import MappingNode, ScalarNode, SequenceNode

from .model import Analog, CardKind, Deck, Entry, Phrase, Term, cards_for_entry
from .similar import NEAR_DUPLICATE, normalise, similarity, words

__all__ = ["MAX_WORDS", "ANALOG_ECHO", "CHECKS", "Finding", "lint_decks", "count_words"]

MAX_WORDS = 60
ANALOG_ECHO = 0.6
MIN_LENGTH_RATIO = 0.5
# words an analog card's question needs before the echo check applies (a one-word
# question repeated once is not a giveaway)
MIN_ECHO_WORDS = 3
CHECKS = ("same-question", "same-answer", "leak", "long-answer", "phrase-echo", "empty-text", "analog-echo")
# Text that reads like a placeholder rather than content (compared after normalise()).
PLACEHOLDERS = frozenset({"", "todo", "tbd", "tba", "n a", "na", "none", "null", "nil", "xxx", "fixme",
                          "placeholder", "lorem ipsum", "same", "see above", "etc"})

_TERM_FIELDS = ("definition", "what_it_does", "whos_behind_it", "what_makes_it_distinct")
_TEXT_FIELDS = {
    Term: ("term",) + _TERM_FIELDS + ("source", "note"),
    Phrase: ("dont_say", "buyer_says", "do_say", "why", "source", "note"),
    Analog: ("concept", "analog", "holds", "breaks", "source", "note"),
}
_ACRONYM = re.compile(r"^[A-Z][A-Z0-9]+s?$")
_LISTS = {"terms": Term, "phrases": Phrase, "analogs": Analog}


@dataclass(frozen=True)
class Finding:
    path: str
    line: int
    check: str  # one of CHECKS
    entry_id: str
    message: str

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.message} [{self.check}]"


@dataclass(frozen=True)
class _Card:
    """What lint needs of a card: question and answer text and where they are written."""

    deck: Deck
    entry: Entry
    kind: CardKind
    question: str
    answer: str  # the part the learner recalls (for phrases "Do say" and "Why it matters")
    compared: str  # the part compared with other entries' answers (for phrases "Do say" alone)
    question_field: str
    answer_field: str

    @property
    def name(self) -> str:
        return f"{self.entry.id}/{self.kind.value}"


def count_words(text: str) -> int:
    return len(text.split())


def lint_decks(decks: Iterable[Deck], *, max_words: int = MAX_WORDS) -> list[Finding]:
    """Every finding in ``decks`` (checked together), sorted by file and line."""
    decks = list(decks)
    lines = _FieldLines()
    cards = [card for deck in decks for entry in deck.entries for card in _cards(deck, entry)]
    findings: list[Finding] = []

    def add(card_or_entry, deck: Deck, field: str, check: str, message: str) -> None:
        entry = card_or_entry.entry if isinstance(card_or_entry, _Card) else card_or_entry
        findings.append(Finding(deck.path or deck.id, lines.line(deck, entry, field), check, entry.id,
                                f"{_kind_name(entry)} '{entry.id}': {message}"))

    # same question, different answers
    by_question: dict[str, list[_Card]] = {}
    for card in cards:
        by_question.setdefault(normalise(card.question), []).append(card)
    for group in by_question.values():
        if len({normalise(c.answer) for c in group}) < 2:
            continue
        if all(c.kind is CardKind.DEFINITION for c in group):
            continue  # a definition written twice: reported once, as same-answer of the term cards
        second = group[1]
        others = ", ".join(f"'{c.name}'" + _at(lines, c, c.question_field, second.deck)
                           for c in group if c is not second)
        add(second, second.deck, second.question_field, "same-question",
            f"'{second.name}' asks the same question (\"{_short(second.question)}\") as {others} "
            "with a different answer")

    # same or nearly the same answers in two entries
    reported: set[tuple[int, int]] = set()
    for i, a in enumerate(cards):
        for b in cards[i + 1:]:
            if a.entry is b.entry:
                continue  # siblings may overlap
            if a.kind is CardKind.DEFINITION and b.kind is CardKind.DEFINITION:
                continue  # one term name twice: reported once, as same-question of the term cards
            key = (id(a.entry), id(b.entry))
            if key in reported or not _comparable(a.compared, b.compared):
                continue
            if similarity(a.compared, b.compared) < NEAR_DUPLICATE:
                continue
            reported.add(key)
            same = "the same" if normalise(a.compared) == normalise(b.compared) else "nearly the same"
            add(b, b.deck, b.answer_field, "same-answer",
                f"the answer of '{b.name}' is {same} as that of '{a.name}'{_at(lines, a, a.answer_field, b.deck)}: "
                f"\"{_short(b.compared)}\"")

    for deck in decks:
        for entry in deck.entries:
            for field in _TEXT_FIELDS[type(entry)]:
                text = getattr(entry, field)
                if text is not None and normalise(text) in PLACEHOLDERS:
                    add(entry, deck, field, "empty-text", f"'{field}' says nothing: \"{_short(text)}\"")
            if isinstance(entry, Term):
                leaked = _leaked_name(entry)
                if leaked:
                    add(entry, deck, "definition", "leak",
                        f"the definition -> term card gives its answer away: the definition contains \"{leaked}\"")
            if isinstance(entry, Phrase):
                cue_field = "buyer_says" if entry.buyer_says is not None else "dont_say"
                cue = getattr(entry, cue_field)
                if cue and similarity(cue, entry.do_say) >= NEAR_DUPLICATE:
                    label = "the buyer's line" if cue_field == "buyer_says" else "its 'dont_say'"
                    add(entry, deck, "do_say", "phrase-echo", f"'do_say' repeats {label}: \"{_short(entry.do_say)}\"")

    for card in cards:
        n = count_words(card.answer)
        if n > max_words:
            add(card, card.deck, card.answer_field, "long-answer",
                f"the answer of '{card.name}' has {n} words (limit {max_words}): split it or move context to 'note'")
        if card.kind in (CardKind.HOLDS, CardKind.BREAKS):
            asked = words(f"{card.entry.concept} {card.entry.analog}")
            if len(asked) >= MIN_ECHO_WORDS:
                echoed = asked & words(card.answer)
                share = len(echoed) / len(asked)
                if share >= ANALOG_ECHO:
                    add(card, card.deck, card.answer_field, "analog-echo",
                        f"'{card.answer_field}' repeats {len(echoed)} of the {len(asked)} words of its question "
                        f"({', '.join(sorted(echoed))}): it can be guessed by matching words")

    return sorted(findings, key=lambda f: (f.path, f.line, CHECKS.index(f.check), f.message))


# -- cards as lint sees them ------------------------------------------------


def _cards(deck: Deck, entry: Entry) -> list[_Card]:
    fronts = {c.kind: c.front for c in cards_for_entry(deck.id, entry)}  # the question as the learner sees it

    def card(kind, _question, answer, qfield, afield):
        compared = entry.do_say if isinstance(entry, Phrase) else answer
        return _Card(deck, entry, kind, fronts[kind], answer, compared, qfield, afield)

    if isinstance(entry, Term):
        cards = [
            card(CardKind.TERM, entry.term, entry.definition, "term", "definition"),
            card(CardKind.DEFINITION, entry.definition, entry.term, "definition", "term"),
        ]
        for kind in (CardKind.WHAT_IT_DOES, CardKind.WHOS_BEHIND_IT, CardKind.WHAT_MAKES_IT_DISTINCT):
            text = getattr(entry, kind.value)
            if text:
                cards.append(card(kind, f"{entry.term}\n{kind.value}", text, "term", kind.value))
        return cards
    if isinstance(entry, Phrase):
        if entry.buyer_says is not None:
            return [card(CardKind.REPLY, f"buyer says {entry.buyer_says}", f"{entry.do_say} {entry.why}",
                         "buyer_says", "do_say")]
        return [card(CardKind.PHRASE, f"don't say {entry.dont_say}", f"{entry.do_say} {entry.why}",
                     "dont_say", "do_say")]
    setup = f"{entry.concept}\n{entry.analog}"
    return [card(kind, f"{setup}\n{kind.value}", getattr(entry, kind.value), "concept", kind.value)
            for kind in (CardKind.HOLDS, CardKind.BREAKS) if getattr(entry, kind.value)]


def _comparable(a: str, b: str) -> bool:
    na, nb = len(words(a)), len(words(b))
    return min(na, nb) >= MIN_LENGTH_RATIO * max(na, nb)


def _leaked_name(term: Term) -> Optional[str]:
    """The term if the definition contains it, plurals folded (see the module docstring)."""
    main = re.sub(r"\([^)]*\)", " ", term.term).strip()
    names = [main]
    for inner in re.findall(r"\(([^)]*)\)", term.term):
        if _ACRONYM.match(main) or _ACRONYM.match(inner.strip()):
            names.append(inner)
    definition = f" {_fold(term.definition)} "
    for name in names:
        folded = _fold(name)
        if folded and f" {folded} " in definition:
            return name.strip()
    return None


def _fold(text: str) -> str:
    """normalise() with a crude singular form, so "token" finds "tokens"."""
    return " ".join(w[:-1] if len(w) > 3 and w.endswith("s") and not w.endswith("ss") else w
                    for w in normalise(text).split())


def _kind_name(entry: Entry) -> str:
    return {Term: "term", Phrase: "phrase", Analog: "analog"}[type(entry)]


def _short(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _at(lines: "_FieldLines", card: _Card, field: str, here: Deck) -> str:
    line = lines.line(card.deck, card.entry, field)
    if card.deck is here or card.deck.path == here.path:
        return f" (line {line})" if line else ""
    return f" ({card.deck.path or card.deck.id}:{line})" if line else f" ({card.deck.path or card.deck.id})"


class _FieldLines:
    """Line of each field of each entry, read once per deck file (safe compose, no objects built)."""

    def __init__(self):
        self._cache: dict[str, dict[tuple[str, str], int]] = {}

    def line(self, deck: Deck, entry: Entry, field: str) -> int:
        if not deck.path:
            return entry.line
        if deck.path not in self._cache:
            self._cache[deck.path] = _read_field_lines(deck.path)
        return self._cache[deck.path].get((entry.id, field), entry.line)


def _read_field_lines(path: str) -> dict[tuple[str, str], int]:
    try:
        text = Path(path).read_text(encoding="utf-8")
        root = yaml.compose(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return {}
    lines: dict[tuple[str, str], int] = {}
    if not isinstance(root, MappingNode):
        return lines
    for key, value in root.value:
        if not (isinstance(key, ScalarNode) and key.value in _LISTS and isinstance(value, SequenceNode)):
            continue
        for item in value.value:
            if not isinstance(item, MappingNode):
                continue
            keys = {k.value: k for k, _v in item.value if isinstance(k, ScalarNode)}
            entry_id = dict((k.value, v) for k, v in item.value if isinstance(k, ScalarNode)).get("id")
            if not isinstance(entry_id, ScalarNode):
                continue
            for name, key_node in keys.items():
                lines[(entry_id.value.strip(), name)] = key_node.start_mark.line + 1  # the line of "field:"
    return lines
