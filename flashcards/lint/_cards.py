"""The cards as lint sees them (question, answer, the fields they are written in) and field lines."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Optional, Sequence

import yaml
from yaml.nodes import MappingNode, ScalarNode, SequenceNode

from ..cloze import card_suffix
from ..model import Analog, Card, CardKind, Cloze, Deck, Entry, Phrase, Term, cards_for_entry

_LISTS = {"terms": Term, "phrases": Phrase, "analogs": Analog, "clozes": Cloze}
# the generic questions of a term's optional fields: "open prompts" that many answers fit
OPEN_PROMPTS = (CardKind.WHAT_IT_DOES, CardKind.WHOS_BEHIND_IT, CardKind.WHAT_MAKES_IT_DISTINCT)


@dataclass(frozen=True)
class LintCard:
    """What lint needs of a card: question and answer text and where they are written."""

    deck: Deck
    entry: Entry
    kind: CardKind
    question: str
    answer: str  # the part the learner recalls (for phrases "Do say" and "Why it matters")
    compared: str  # the part compared with other entries' answers (for phrases "Do say" alone)
    question_field: str
    answer_field: str
    number: int = 0  # a cloze card's deletion (1 for the first), else 0

    @property
    def name(self) -> str:
        return f"{self.entry.id}/{card_suffix(self.number) if self.number else self.kind.value}"


def lint_cards(deck: Deck, entry: Entry, made: Optional[Sequence[Card]] = None) -> list[LintCard]:
    """The entry's cards as lint sees them; ``made``: its cards (``cards_for_entry``), if already made."""
    made = cards_for_entry(deck.id, entry) if made is None else made
    if isinstance(entry, Cloze):  # one card per deletion: the text, blanked there, asks for the deleted words
        return [LintCard(deck, entry, c.kind, c.front, c.back, c.back, "text", "text", number)
                for number, c in enumerate(made, start=1)]
    fronts = {c.kind: c.front for c in made}  # the question as the learner sees it

    def card(kind, answer, qfield, afield):
        compared = entry.do_say if isinstance(entry, Phrase) else answer
        return LintCard(deck, entry, kind, fronts[kind], answer, compared, qfield, afield)

    if isinstance(entry, Term) and entry.question:  # one fact: no definition -> term card
        return [card(CardKind.TERM, entry.definition, "question", "definition")]
    if isinstance(entry, Term):
        cards = [
            card(CardKind.TERM, entry.definition, "term", "definition"),
            card(CardKind.DEFINITION, entry.term, "definition", "term"),
        ]
        for kind in OPEN_PROMPTS:
            text = getattr(entry, kind.value)
            if text:
                cards.append(card(kind, text, "term", kind.value))
        return cards
    if isinstance(entry, Phrase):
        if entry.buyer_says is not None:
            return [card(CardKind.REPLY, f"{entry.do_say} {entry.why}", "buyer_says", "do_say")]
        return [card(CardKind.PHRASE, f"{entry.do_say} {entry.why}", "dont_say", "do_say")]
    return [card(kind, getattr(entry, kind.value), "concept", kind.value)
            for kind in (CardKind.HOLDS, CardKind.BREAKS) if getattr(entry, kind.value)]


def kind_name(entry: Entry) -> str:
    return {Term: "term", Phrase: "phrase", Analog: "analog", Cloze: "cloze"}[type(entry)]


def short(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


class FieldLines:
    """Line of each field of each entry: kept by the deck reader, else read once per deck file
    (safe compose, no objects built)."""

    def __init__(self):
        self._cache: dict[str, dict[tuple[str, str], int]] = {}

    def line(self, deck: Deck, entry: Entry, field: str) -> int:
        if not deck.path:
            return entry.line
        lines = deck.field_lines
        if lines is None:
            if deck.path not in self._cache:
                self._cache[deck.path] = _read_field_lines(deck.path)
            lines = self._cache[deck.path]
        return lines.get((entry.id, field), entry.line)

    def at(self, card: LintCard, field: str, here: Deck) -> str:
        """" (line N)" for a card in the deck ``here``, " (FILE:N)" for one in another deck."""
        line = self.line(card.deck, card.entry, field)
        if card.deck is here or card.deck.path == here.path:
            return f" (line {line})" if line else ""
        return f" ({card.deck.path or card.deck.id}:{line})" if line else f" ({card.deck.path or card.deck.id})"


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
