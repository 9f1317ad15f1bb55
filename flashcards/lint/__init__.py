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
  term is an acronym, as in "RAG (retrieval-augmented generation)"); a cloze card
  whose front holds its deleted words elsewhere (in the text, another deletion shown
  filled in, or its own hint), compared as whole words with plurals folded.
- ``long-answer``: an answer of more than ``MAX_WORDS`` (60) words (``--max-words``).
- ``phrase-echo``: a phrase row whose "Do say" is (nearly) its "Don't say" or the
  buyer's line.
- ``empty-text``: text that says nothing ("...", "-", "TODO", "TBD", "N/A").
- ``analog-echo``: an analog's holds/breaks that repeats ``ANALOG_ECHO`` (60%) or
  more of the words of its own question (concept and analog), so it can be guessed
  by matching words.

- ``ungrounded``: a number, amount, percentage, duration or product or vendor name in
  an answer that occurs in none of the entry's source documents (``--sources`` files or
  the deck's ``sources:`` list; what "occurs" means is in ``grounding.py``); also a
  ``source`` label the deck's list lacks, and a listed document that cannot be read.
- ``interference``: entries whose cards ask different questions with answers alike
  enough to be confused (score at least ``INTERFERENCE``, 0.45, below ``NEAR_DUPLICATE``;
  comparable lengths as for same-answer): one finding per group of entries, at the first.
- ``part-leak``: a definition -> term card whose front gives part of its answer away: a
  word of the term (stems matched, general words such as "model" aside), an acronym
  term's expansion, or a spelt-out term's acronym.
- ``several-facts``: an open prompt ("What does it do?", "Who's behind it?", "What makes
  it distinct?") whose answer has more than one sentence.
- ``enumeration``: an answer listing three or more items ("A, B and C").
- ``speaker``: a phrase row's ``dont_say`` that reads like the buyer's line (a question,
  "we want", "can we", "how much", ...): it belongs in ``buyer_says``.

Checks in ``ADVISORY`` are reported but do not fail ``flash lint --strict`` and are not
counted by ``flash import`` (a new check may start there while the shipped deck is brought
in line; see ``Finding.advisory``). It is empty: every check blocks under ``--strict``.
A listed source document that cannot be read is a finding of ``flash lint`` (its entries'
figures go unchecked; ``Finding.unchecked``): a deck's documents need not travel with it, as
the shipped deck's drafts stay beside the repository.

``flash import`` counts the checks outside ``DECK_WIDE``: those that compare answers across the
entries of the decks (``same-answer``, ``interference``) or read the sources' documents
(``ungrounded``) are ``flash lint``'s. They are most of lint's work (on a 10,000-entry deck, two
thirds of it), and an import, which also writes every card, would otherwise take four times as
long as reading the deck.

Cloze cards take part in every check of one card (``long-answer``, ``enumeration``,
``empty-text`` of a deletion, ``same-question``) but not in ``same-answer`` and
``interference``: a deletion's answer is a fragment ("the weights") that the rest of
its text asks for, so two texts deleting the same words are not two cards to confuse.

No comparison of every pair of cards: alike answers are found through an inverted index
of their words (``pairs.py``). Lines are those of the field a finding is about when the
deck was read from a file, else the entry's line.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Collection, Iterable, Optional, Sequence

from ..cloze import blanked, filled
from ..model import Analog, CardKind, Cloze, Deck, Entry, Phrase, Term, entry_cards
from ..similar import NEAR_DUPLICATE, normalise, similarity, words
from ._cards import OPEN_PROMPTS, FieldLines, LintCard, kind_name, lint_cards, short
from .grounding import ANSWER_FIELDS, Sources, figures
from .pairs import similar_pairs
from .rules import buyer_line, fold, leaked_name, leaked_part, listed_items, sentences

__all__ = ["MAX_WORDS", "ANALOG_ECHO", "INTERFERENCE", "CHECKS", "ADVISORY", "DECK_WIDE", "Finding", "Sources",
           "lint_decks", "count_words"]

MAX_WORDS = 60
ANALOG_ECHO = 0.6
MIN_LENGTH_RATIO = 0.5
# answers scoring this or more (flashcards.similar) but under NEAR_DUPLICATE can be confused
INTERFERENCE = 0.45
# words an analog card's question needs before the echo check applies (a one-word
# question repeated once is not a giveaway)
MIN_ECHO_WORDS = 3
CHECKS = ("same-question", "same-answer", "leak", "part-leak", "long-answer", "phrase-echo", "empty-text",
          "analog-echo", "ungrounded", "interference", "several-facts", "enumeration", "speaker")
ADVISORY: frozenset[str] = frozenset()
# the checks across entries and against the sources' documents, which flash import leaves to flash lint
DECK_WIDE: frozenset[str] = frozenset({"same-answer", "interference", "ungrounded"})
# Text that reads like a placeholder rather than content (compared after normalise()).
PLACEHOLDERS = frozenset({"", "todo", "tbd", "tba", "n a", "na", "none", "null", "nil", "xxx", "fixme",
                          "placeholder", "lorem ipsum", "same", "see above", "etc"})

_ONE_FACT = frozenset({"several-facts", "enumeration"})  # the checks of one fact per card
_LONGEST_PLACEHOLDER = 24  # characters: longer text is never only a placeholder
_TERM_FIELDS = ("definition", "what_it_does", "whos_behind_it", "what_makes_it_distinct")
_TEXT_FIELDS = {
    Term: ("term",) + _TERM_FIELDS + ("source", "note"),
    Phrase: ("dont_say", "buyer_says", "do_say", "why", "source", "note"),
    Analog: ("concept", "analog", "holds", "breaks", "source", "note"),
    Cloze: ("text", "source", "note"),
}


@dataclass(frozen=True)
class Finding:
    path: str
    line: int
    check: str  # one of CHECKS
    entry_id: str
    message: str
    # a listed source document that cannot be read: its entries' figures are not checked
    unchecked: bool = False

    @property
    def advisory(self) -> bool:
        """A finding of a check in ADVISORY: listed, but not failing --strict."""
        return self.check in ADVISORY

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.message} [{self.check}]"


def count_words(text: str) -> int:
    return len(text.split())


def lint_decks(decks: Iterable[Deck], *, max_words: int = MAX_WORDS,
               sources: Optional[Sequence[str | Path] | Sources] = None,
               checks: Optional[Collection[str]] = None) -> list[Finding]:
    """Every finding in ``decks`` (checked together), sorted by file and line.

    ``sources``: the documents for the ungrounded check (``flash lint --sources``);
    without them each deck's own ``sources:`` list is used, if it has one. A given
    file that cannot be read raises ``DeckError``.

    ``checks``: only the findings of these checks (names in ``CHECKS``; all by default).
    The costly ones left out are not run at all (the sources' documents are not read for an
    unasked ``ungrounded``, alike answers not searched without ``same-answer`` or
    ``interference``): ``flash import`` asks for the checks outside ``ADVISORY`` and ``DECK_WIDE``.
    """
    wanted = frozenset(CHECKS if checks is None else checks)
    if not wanted <= set(CHECKS):
        raise ValueError(f"unknown lint checks: {', '.join(sorted(wanted - set(CHECKS)))}")
    decks = list(decks)
    if not isinstance(sources, Sources):
        sources = Sources(sources)
    lines = FieldLines()
    cards = [card for deck in decks for entry, made in entry_cards(deck) for card in lint_cards(deck, entry, made)]
    findings: list[Finding] = []

    def add(card_or_entry, deck: Deck, field: str, check: str, message: str) -> None:
        entry = card_or_entry.entry if isinstance(card_or_entry, LintCard) else card_or_entry
        findings.append(Finding(deck.path or deck.id, lines.line(deck, entry, field), check, entry.id,
                                f"{kind_name(entry)} '{entry.id}': {message}"))

    # same question, different answers
    by_question: dict[str, list[LintCard]] = {}
    for card in cards:
        by_question.setdefault(normalise(card.question), []).append(card)
    for group in by_question.values():
        if len(group) < 2 or len({normalise(c.answer) for c in group}) < 2:
            continue
        if all(c.kind is CardKind.DEFINITION for c in group):
            continue  # a definition written twice: reported once, as same-answer of the term cards
        second = group[1]
        others = ", ".join(f"'{c.name}'" + lines.at(c, c.question_field, second.deck)
                           for c in group if c is not second)
        add(second, second.deck, second.question_field, "same-question",
            f"'{second.name}' asks the same question (\"{short(second.question)}\") as {others} "
            "with a different answer")

    if not wanted.isdisjoint({"same-answer", "interference"}):
        _alike_answers([c for c in cards if c.kind is not CardKind.CLOZE], add, lines,
                       interference="interference" in wanted)

    grounded = "ungrounded" in wanted
    for deck in decks:
        if grounded and sources.active(deck):
            for line, message in sources.problems(deck):
                findings.append(Finding(deck.path or deck.id, line, "ungrounded", "", message, unchecked=True))
        for entry in deck.entries:
            _entry_checks(deck, entry, add, wanted)
            if grounded and sources.active(deck):
                _grounding(deck, entry, sources, add)

    for card in cards:
        _card_checks(card, add, max_words, wanted)

    return sorted((f for f in findings if f.check in wanted),
                  key=lambda f: (f.path, f.line, CHECKS.index(f.check), f.message))


def _alike_answers(cards: list[LintCard], add, lines: FieldLines, *, interference: bool = True) -> None:
    """same-answer (one finding per pair of entries) and interference (one per group of entries;
    without ``interference`` the alike answers are searched at NEAR_DUPLICATE only, as same-answer needs)."""
    sets = [words(card.compared) for card in cards]
    groups = [id(c.entry) for c in cards]
    # interference leaves out definition -> term cards: their answers are term names of a few words;
    # copies of a term name are looked for among answers short enough to be compared with one
    asked = [i for i, card in enumerate(cards) if card.kind is not CardKind.DEFINITION]
    alike = similar_pairs([sets[i] for i in asked], INTERFERENCE if interference else NEAR_DUPLICATE,
                          min_ratio=MIN_LENGTH_RATIO,
                          groups=[groups[i] for i in asked])
    names = [i for i, card in enumerate(cards) if card.kind is CardKind.DEFINITION]
    longest = max((len(sets[i]) for i in names), default=0)
    short_ones = names + [i for i in asked if len(sets[i]) * MIN_LENGTH_RATIO <= longest]
    copies = similar_pairs([sets[i] for i in short_ones], NEAR_DUPLICATE, min_ratio=MIN_LENGTH_RATIO,
                           groups=[groups[i] for i in short_ones])
    found = [(short_ones[x], short_ones[y], score) for x, y, score in copies.pairs
             if CardKind.DEFINITION in (cards[short_ones[x]].kind, cards[short_ones[y]].kind)]
    found += [(asked[x], asked[y], score) for x, y, score in alike.pairs if score >= NEAR_DUPLICATE]
    reported: set[tuple[int, int]] = set()
    parent: dict[int, int] = {}  # union-find over card indexes, for interference groups
    scores: dict[int, list[float]] = {}

    def root(i: int) -> int:
        while parent.get(i, i) != i:
            parent[i] = parent.get(parent[i], parent[i])
            i = parent[i]
        return i

    for i, j, score in sorted(found):
        a, b = cards[i], cards[j]
        if a.kind is CardKind.DEFINITION and b.kind is CardKind.DEFINITION:
            continue  # one term name twice: reported once, as same-question of the term cards
        key = (id(a.entry), id(b.entry))
        if key in reported:
            continue
        reported.add(key)
        same = "the same" if normalise(a.compared) == normalise(b.compared) else "nearly the same"
        add(b, b.deck, b.answer_field, "same-answer",
            f"the answer of '{b.name}' is {same} as that of '{a.name}'{lines.at(a, a.answer_field, b.deck)}: "
            f"\"{short(b.compared)}\"")
    for x, y, score in sorted(alike.pairs):
        i, j = asked[x], asked[y]
        a, b = cards[i], cards[j]
        if score < NEAR_DUPLICATE and normalise(a.question) != normalise(b.question):
            ra, rb = root(i), root(j)
            if ra != rb:
                parent[max(ra, rb)] = min(ra, rb)
                scores[min(ra, rb)] = scores.pop(ra, []) + scores.pop(rb, [])
            scores.setdefault(root(i), []).append(score)

    members_of: dict[int, list[int]] = {}
    for i in set(parent) | set(scores):
        members_of.setdefault(root(i), []).append(i)
    for members in members_of.values():
        members = sorted(set(members))
        entries: dict[int, LintCard] = {}
        for i in members:
            entries.setdefault(id(cards[i].entry), cards[i])
        if len(entries) < 2:
            continue
        first, *rest = entries.values()
        found = scores.get(root(members[0]), [])
        low, high = (min(found), max(found)) if found else (INTERFERENCE, INTERFERENCE)
        spread = f"{low:.2f}" if round(low, 2) == round(high, 2) else f"{low:.2f}-{high:.2f}"
        others = ", ".join(f"'{c.name}'" + lines.at(c, c.answer_field, first.deck) for c in rest)
        add(first, first.deck, first.answer_field, "interference",
            f"the answers of '{first.name}' and {others} are alike enough to be confused "
            f"(word overlap {spread}, threshold {INTERFERENCE}): give each a cue or an answer that tells them apart")


def _entry_checks(deck: Deck, entry: Entry, add, wanted: Collection[str] = CHECKS) -> None:
    for field in _TEXT_FIELDS[type(entry)]:
        text = getattr(entry, field)
        if text is not None and len(text) <= _LONGEST_PLACEHOLDER and normalise(text) in PLACEHOLDERS:
            add(entry, deck, field, "empty-text", f"'{field}' says nothing: \"{short(text)}\"")
    if isinstance(entry, Term) and not entry.question:  # a question entry has no definition -> term card
        leaked = leaked_name(entry)
        if leaked:
            add(entry, deck, "definition", "leak",
                f"the definition -> term card gives its answer away: the definition contains \"{leaked}\"")
        elif "part-leak" in wanted:
            part = leaked_part(entry)
            if part:
                add(entry, deck, "definition", "part-leak",
                    f"the definition -> term card gives part of its answer away: the definition contains "
                    f"\"{part}\" (the term is \"{entry.term}\")")
    if isinstance(entry, Cloze):
        _cloze_checks(deck, entry, add)
    if isinstance(entry, Phrase):
        cue_field = "buyer_says" if entry.buyer_says is not None else "dont_say"
        cue = getattr(entry, cue_field)
        if cue and similarity(cue, entry.do_say) >= NEAR_DUPLICATE:
            label = "the buyer's line" if cue_field == "buyer_says" else "its 'dont_say'"
            add(entry, deck, "do_say", "phrase-echo", f"'do_say' repeats {label}: \"{short(entry.do_say)}\"")
        why = buyer_line(entry) if "speaker" in wanted else None
        if why:
            add(entry, deck, "dont_say", "speaker",
                f"'dont_say' reads like the buyer's line ({why}): \"{short(entry.dont_say)}\"; "
                "make it 'buyer_says' (the card then asks what you answer)")


def _cloze_checks(deck: Deck, entry: Cloze, add) -> None:
    """A deletion that says nothing, or whose words the card's front shows elsewhere."""
    parts = entry.parts
    for deletion in (p for p in parts if not isinstance(p, str)):
        name = f"'{entry.id}/c{deletion.number}'"
        if normalise(deletion.answer) in PLACEHOLDERS:
            add(entry, deck, "text", "empty-text", f"deletion {deletion.number} says nothing: \"{deletion.answer}\"")
            continue
        answer = fold(deletion.answer)
        if answer and f" {answer} " in f" {fold(blanked(parts, deletion.number))} ":
            add(entry, deck, "text", "leak",
                f"the card {name} gives its answer away: \"{short(deletion.answer)}\" stands elsewhere on its "
                "front (in the text, another deletion or its hint)")


def _card_checks(card: LintCard, add, max_words: int, wanted: Collection[str] = CHECKS) -> None:
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
    if card.kind is CardKind.DEFINITION or _ONE_FACT.isdisjoint(wanted):
        return
    text = card.entry.do_say if isinstance(card.entry, Phrase) else card.answer
    if card.kind in OPEN_PROMPTS:
        count = len(sentences(text))
        if count > 1:
            add(card, card.deck, card.answer_field, "several-facts",
                f"the open prompt '{card.name}' is answered with {count} sentences: one fact per card "
                "(split it, or give the front the context that makes one answer right)")
            return
    items = listed_items(text)
    if items:
        shown = "; ".join(short(i, 30) for i in items[:4]) + ("; ..." if len(items) > 4 else "")
        add(card, card.deck, card.answer_field, "enumeration",
            f"the answer of '{card.name}' lists {len(items)} items ({shown}): one fact per card "
            "(split it, or make it a cloze)")


def _grounding(deck: Deck, entry: Entry, sources: Sources, add) -> None:
    documents, why = sources.for_entry(deck, entry)
    if why:
        add(entry, deck, "source", "ungrounded", why)
    if not documents:
        return
    for field in ANSWER_FIELDS[type(entry)]:
        text = filled(entry.parts) if isinstance(entry, Cloze) else getattr(entry, field)
        if not text:
            continue
        for figure in figures(text):
            if not any(doc.grounds(figure) for doc in documents):
                add(entry, deck, field, "ungrounded", f"'{figure.text}' is in none of the entry's sources")
