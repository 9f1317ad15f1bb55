"""The deck model: entries as written in YAML, and the cards they yield.

Everything here is plain data. Cards carry plain text (never HTML); renderers
(terminal, Anki) escape it for their medium.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Optional, Union

from . import cloze as _cloze


class CardKind(str, Enum):
    """What a card asks. The value is the last part of the card id, so never rename one."""

    TERM = "term"  # term -> definition
    DEFINITION = "definition"  # definition -> term
    WHAT_IT_DOES = "what_it_does"
    WHOS_BEHIND_IT = "whos_behind_it"
    WHAT_MAKES_IT_DISTINCT = "what_makes_it_distinct"
    PHRASE = "phrase"  # don't say -> do say (+ why)
    REPLY = "reply"  # the buyer says -> do say (+ why)
    HOLDS = "holds"  # where does the analogy hold?
    BREAKS = "breaks"  # where does the analogy break?
    CLOZE = "cloze"  # a text with one deletion blanked (card ids end in c1, c2, ...: ``cloze.card_suffix``)


# The question each optional term field answers, shared by every renderer
# (terminal review, Anki templates, quizzes) so a card reads the same everywhere.
TERM_FIELD_QUESTIONS = {
    CardKind.WHAT_IT_DOES: "What does it do?",
    CardKind.WHOS_BEHIND_IT: "Who's behind it?",
    CardKind.WHAT_MAKES_IT_DISTINCT: "What makes it distinct?",
}
TERM_QUESTION = "What is it?"
# A term entry with a ``question`` teaches one fact about the term rather than its meaning:
# its one card asks "<term>: <question>" and its ``definition`` is the answer.
QUESTION_SEPARATOR = ": "
DEFINITION_QUESTION = "Which term is this?"
PHRASE_QUESTION = "What do you say instead?"
REPLY_QUESTION = "What do you answer?"
HOLDS_QUESTION = "Where does the analogy hold?"
BREAKS_QUESTION = "Where does the analogy break?"
# Labels inside phrase and analog cards.
DONT_SAY_LABEL = "Don't say:"
BUYER_SAYS_LABEL = "The buyer says:"
DO_SAY_LABEL = "Do say:"
WHY_LABEL = "Why it matters:"
ANALOG_LABEL = "Okta analog:"
# An entry's optional ``note`` (which draft gave which figure) follows its source on the
# answer side under this label; it is context, never part of what the learner recalls.
NOTE_LABEL = "Note:"


@dataclass(frozen=True)
class Term:
    id: str
    term: str
    definition: str
    what_it_does: Optional[str] = None
    whos_behind_it: Optional[str] = None
    what_makes_it_distinct: Optional[str] = None
    tags: tuple[str, ...] = ()
    source: Optional[str] = None
    note: Optional[str] = None
    # term entries whose concepts this entry relies on (``uses:``); None: not given, so
    # review infers them from the text (``flashcards.prerequisites``); (): none
    uses: Optional[tuple[str, ...]] = None
    # a question about the term that ``definition`` answers ("Who runs it?"): the entry then
    # yields one card, "<term>: <question>" -> definition, and no definition -> term card
    question: Optional[str] = None
    line: int = 0

    kind = "term"


@dataclass(frozen=True, kw_only=True)
class Phrase:
    """A phrase row. Exactly one of ``dont_say`` (a line the AE should not say:
    a PHRASE card) and ``buyer_says`` (a line the buyer says: a REPLY card) is
    set; ``decks.py`` reports a row with both or neither at its line."""

    id: str
    dont_say: Optional[str] = None
    do_say: str
    why: str
    buyer_says: Optional[str] = None
    tags: tuple[str, ...] = ()
    source: Optional[str] = None
    note: Optional[str] = None
    # term entries whose concepts this entry relies on (``uses:``); None: not given, so
    # review infers them from the text (``flashcards.prerequisites``); (): none
    uses: Optional[tuple[str, ...]] = None
    line: int = 0

    kind = "phrase"


@dataclass(frozen=True)
class Analog:
    id: str
    concept: str
    analog: str
    holds: Optional[str] = None
    breaks: Optional[str] = None
    tags: tuple[str, ...] = ()
    source: Optional[str] = None
    note: Optional[str] = None
    # term entries whose concepts this entry relies on (``uses:``); None: not given, so
    # review infers them from the text (``flashcards.prerequisites``); (): none
    uses: Optional[tuple[str, ...]] = None
    line: int = 0

    kind = "analog"


@dataclass(frozen=True)
class Cloze:
    """A text with ``{{...}}`` deletions (``flashcards.cloze``): one card per deletion."""

    id: str
    text: str
    tags: tuple[str, ...] = ()
    source: Optional[str] = None
    note: Optional[str] = None
    # term entries whose concepts this entry relies on (``uses:``); None: not given, so
    # review infers them from the text (``flashcards.prerequisites``); (): none
    uses: Optional[tuple[str, ...]] = None
    line: int = 0

    kind = "cloze"

    @property
    def parts(self) -> tuple:
        """The text as literal pieces and ``cloze.Deletion``s (the deck reader checked it parses)."""
        return _cloze.parse(self.text)

    @property
    def deletions(self) -> list:
        return _cloze.deletions(self.parts)


Entry = Union[Term, Phrase, Analog, Cloze]


@dataclass(frozen=True)
class SourceDocument:
    """One item of a deck's ``sources:`` list: a source label as entries write it in
    ``source`` (e.g. "Lesson 4 (draft A)") and the document(s) it names, as written
    (relative paths are relative to the deck file's folder; ``flash lint`` resolves them)."""

    label: str
    paths: tuple[str, ...]
    line: int = 0


@dataclass(frozen=True)
class Deck:
    id: str
    name: str
    description: Optional[str] = None
    source: Optional[str] = None
    tags: tuple[str, ...] = ()
    terms: tuple[Term, ...] = ()
    phrases: tuple[Phrase, ...] = ()
    analogs: tuple[Analog, ...] = ()
    clozes: tuple[Cloze, ...] = ()
    sources: tuple[SourceDocument, ...] = ()
    scheduler: Optional[str] = None  # 'sm2' or 'fsrs': flash import moves the deck to it (None: as it is)
    desired_retention: Optional[float] = None  # FSRS's target, with scheduler 'fsrs'
    path: Optional[str] = field(default=None, compare=False)
    # (entry id, field name) -> line of "field:" in the deck file, when read from one
    field_lines: Optional[dict] = field(default=None, compare=False, repr=False)
    # each entry with its cards, made once (``entry_cards``): import, lint and the order all read them
    _cards: Optional[list] = field(default=None, init=False, compare=False, repr=False)

    @property
    def entries(self) -> tuple[Entry, ...]:
        return self.terms + self.phrases + self.analogs + self.clozes


@dataclass(frozen=True)
class Card:
    """One question/answer pair. ``id`` is ``deck/entry/kind`` (``deck/entry/c1``, ``c2``, ... for
    the deletions of a cloze) and never changes when the entry's text is edited, so review
    history follows the entry."""

    id: str
    deck_id: str
    entry_id: str
    kind: CardKind
    front: str
    back: str
    tags: tuple[str, ...] = ()
    source: Optional[str] = None  # where it comes from, plus the entry's note (see ``answer_source``)


def answer_source(entry: "Entry") -> Optional[str]:
    """The provenance line shown after a card's answer: the entry's ``source``,
    then, on a line of its own, its ``note`` labelled ``Note:``. Neither is part of the answer."""
    if not entry.note:
        return entry.source
    if not entry.source:
        return f"{NOTE_LABEL} {entry.note}"
    return f"{entry.source}\n{NOTE_LABEL} {entry.note}"


def card_id(deck_id: str, entry_id: str, kind: CardKind) -> str:
    return f"{deck_id}/{entry_id}/{kind.value}"


def cloze_card_id(deck_id: str, entry_id: str, number: int) -> str:
    """The id of a cloze entry's card for its deletion ``number`` (1 for the first): ``deck/entry/c1``.
    Editing the text keeps the ids as long as the deletions keep their order."""
    return f"{deck_id}/{entry_id}/{_cloze.card_suffix(number)}"


def kind_of_card(card_id: str) -> CardKind:
    """The kind of a card from its id: the last part (``term``, ``holds``, ...), or CLOZE for ``c1``, ``c2``..."""
    suffix = card_id.rsplit("/", 1)[-1]
    if _cloze.card_number(suffix) is not None:
        return CardKind.CLOZE
    return CardKind(suffix)


def cards_for_entry(deck_id: str, entry: Entry) -> list[Card]:
    """The cards an entry yields, in a fixed order."""

    def make(kind: CardKind, front: str, back: str, number: int = 0) -> Card:
        return Card(
            id=cloze_card_id(deck_id, entry.id, number) if number else card_id(deck_id, entry.id, kind),
            deck_id=deck_id,
            entry_id=entry.id,
            kind=kind,
            front=front,
            back=back,
            tags=entry.tags,
            source=answer_source(entry),
        )

    if isinstance(entry, Term) and entry.question:
        return [make(CardKind.TERM, f"{entry.term}{QUESTION_SEPARATOR}{entry.question}", entry.definition)]
    if isinstance(entry, Term):
        cards = [
            make(CardKind.TERM, f"{entry.term}\n\n{TERM_QUESTION}", entry.definition),
            make(CardKind.DEFINITION, f"{entry.definition}\n\n{DEFINITION_QUESTION}", entry.term),
        ]
        for kind, question in TERM_FIELD_QUESTIONS.items():
            text = getattr(entry, kind.value)
            if text:
                cards.append(make(kind, f"{entry.term}\n\n{question}", text))
        return cards
    if isinstance(entry, Phrase):
        back = f"{DO_SAY_LABEL} {entry.do_say}\n\n{WHY_LABEL} {entry.why}"
        if entry.buyer_says is not None:
            front = f"{BUYER_SAYS_LABEL} \u201c{entry.buyer_says}\u201d\n\n{REPLY_QUESTION}"
            return [make(CardKind.REPLY, front, back)]
        return [make(CardKind.PHRASE, f"{DONT_SAY_LABEL} {entry.dont_say}\n\n{PHRASE_QUESTION}", back)]
    if isinstance(entry, Analog):
        setup = f"{entry.concept}\n{ANALOG_LABEL} {entry.analog}"
        cards = []
        if entry.holds:
            cards.append(make(CardKind.HOLDS, f"{setup}\n\n{HOLDS_QUESTION}", entry.holds))
        if entry.breaks:
            cards.append(make(CardKind.BREAKS, f"{setup}\n\n{BREAKS_QUESTION}", entry.breaks))
        return cards
    if isinstance(entry, Cloze):
        parts = entry.parts
        return [make(CardKind.CLOZE, _cloze.blanked(parts, d.number), d.answer, d.number)
                for d in _cloze.deletions(parts)]
    raise TypeError(f"not a deck entry: {entry!r}")


def entry_cards(deck: Deck) -> list[tuple[Entry, tuple[Card, ...]]]:
    """Each entry of ``deck`` with the cards it yields (``cards_for_entry``), made once per deck:
    cards are a function of the deck alone, and a large import reads them three times."""
    if deck._cards is None:
        object.__setattr__(deck, "_cards", [(e, tuple(cards_for_entry(deck.id, e))) for e in deck.entries])
    return deck._cards


def cards_for_deck(deck: Deck) -> list[Card]:
    return [card for _entry, cards in entry_cards(deck) for card in cards]
