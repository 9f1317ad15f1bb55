"""Questions from decks: stems that read well, distractors that are fair.

Pure and deterministic: ``random.Random(seed)`` drives every choice, so the
same decks, kinds and seed give the same questions.

Fairness rules for the options of one question:

- the key appears once; no two options are the same or nearly the same
  (``flashcards.similar``, the measure ``flash lint`` uses); no distractor
  contains the key or is contained in it; a distractor never comes from an
  entry that is also a right answer (same term name, same analogy);
- a cloze question (a deletion blanked, the key its words) takes distractors among the deleted
  words of *other* cloze entries, figures for a figure and words for words, never from an entry
  about the same concept (``concepts``: its text names a term this text names too), where the
  other text may teach those words as right for the same blank; a cloze whose words stand
  elsewhere in its own prompt is not asked (``flash lint`` reports it as a leak);
- word matching does not find the key: distractors are chosen among the
  texts that share at least as many words with the stem as the key does, so
  "pick the option that shares the most words with the question" is no
  better than a guess among the tied options (see ``benchmarks/quiz_fairness.py``).
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Optional, Sequence

from ..cloze import Deletion, filled
from ..errors import QuizError
from ..model import (
    ANALOG_LABEL, BREAKS_QUESTION, DEFINITION_QUESTION, HOLDS_QUESTION, PHRASE_QUESTION, CardKind, Cloze, Deck,
    Entry, QUESTION_SEPARATOR, Phrase, Term, card_id, cloze_card_id,
)
from ..similar import NEAR_DUPLICATE, normalise, similarity, words
from .concepts import Vocabulary
from .model import ALL_KINDS, KIND_GROUPS, MAX_OPTIONS, MIN_OPTIONS, Option, Question, QuestionKind, normalise_text

BLANK = "____"
REPLY_QUESTION = "What do you answer?"
CLOZE_QUESTION = "What fills the blank?"
_FIELD_LABELS = {
    CardKind.DEFINITION: "Definition",
    CardKind.WHAT_IT_DOES: "What it does",
    CardKind.WHOS_BEHIND_IT: "Who's behind it",
    CardKind.WHAT_MAKES_IT_DISTINCT: "What makes it distinct",
}
_KIND_NEEDS = {
    QuestionKind.WHICH_TERM: f"at least {MIN_OPTIONS} terms with different names",
    QuestionKind.WHAT_IS: f"at least {MIN_OPTIONS} terms with different names",
    QuestionKind.PHRASE: f"at least {MIN_OPTIONS} phrases",
    QuestionKind.REPLY: f"a buyer line and at least {MIN_OPTIONS} phrases",
    QuestionKind.BREAKS: f"at least {MIN_OPTIONS} analogs with 'breaks' text",
    QuestionKind.HOLDS: f"at least {MIN_OPTIONS} analogs with 'holds' text",
    QuestionKind.CLOZE: f"at least {MIN_OPTIONS} cloze entries about different concepts",
}
# mass nouns read without an article: "What is pre-training?", not "What is a pre-training?"
_MASS_ENDINGS = ("ing", "tion", "sion", "ence", "ance", "ment", "ure", "ity", "ness", "ism")


def what_is_stem(term: str) -> str:
    """A "what is" question that reads well out of context: "What are tokens?", "What is a base model?"."""
    head, _, rest = term.partition(" (")
    suffix = f" ({rest}" if rest else ""
    first = head.split()[0] if head.split() else head
    proper = first.isupper() or any(ch.isdigit() for ch in head) or (len(first) > 1 and first[1:] != first[1:].lower())
    shown = head if proper else head[:1].lower() + head[1:]
    last = head.split()[-1].lower() if head.split() else ""
    if not proper and last.endswith("s") and not last.endswith(("ss", "us", "is")):
        return f"What are {shown}{suffix}?"
    if proper or last.endswith(_MASS_ENDINGS):
        return f"What is {shown}{suffix}?"
    article = "an" if shown[:1].lower() in "aeiou" else "a"
    return f"What is {article} {shown}{suffix}?"


def _mask(text: str, term: str) -> str:
    """Blank out the term (singular, plural, head before a parenthesis): the stem must not name the answer."""
    names = {term}
    head = term.split(" (")[0].strip()
    if len(head) >= 3:
        names.add(head)
    for name in list(names):
        if name.lower().endswith("s") and len(name) > 4:
            names.add(name[:-1])
    for name in sorted(names, key=len, reverse=True):
        text = re.sub(rf"(?<!\w){re.escape(name)}(?:s|es)?(?!\w)", BLANK, text, flags=re.IGNORECASE)
    return text


def _concept(entry: Entry) -> str:
    if isinstance(entry, Term):
        return entry.term
    if isinstance(entry, Phrase):
        buyer = getattr(entry, "buyer_says", None)
        return f"Buyer says: {buyer}" if buyer else f"Don't say: {entry.dont_say}"
    if isinstance(entry, Cloze):
        return filled(entry.parts)
    return f"{entry.concept} ~ {entry.analog}"


@dataclass(frozen=True)
class Candidate:
    kind: QuestionKind
    deck: Deck
    entry: Entry
    card_kind: CardKind
    prompt: str
    correct: str
    pool: str  # which distractor pool
    group: str  # pool items of the same group are also right answers, so never distractors
    partner: str = ""  # the entry's own wrong answer, if it has one (where the analogy breaks, for "holds")
    concepts: frozenset[str] = frozenset()  # what the prompt and key are about (``concepts``)
    avoid: frozenset[str] = frozenset()  # stemmed words no distractor may use (the asked term's name)
    number: int = 0  # a cloze question's deletion (its card is deck/entry/cN), else 0

    @property
    def role(self) -> str:
        """What the key is taught as; a line taught as the same about the same concept is a right answer too."""
        return {QuestionKind.PHRASE: "do_say", QuestionKind.REPLY: "do_say"}.get(self.kind, self.kind.value)

    @property
    def prompt_key(self) -> str:
        return normalise_text(self.prompt)


@dataclass(frozen=True)
class PoolItem:
    deck_id: str
    text: str
    group: str
    concepts: frozenset[str] = frozenset()  # what the line is about
    role: str = ""  # what the lesson teaches it as: "do_say", "dont_say" (wrong), "breaks", "holds"


def candidates(decks: Sequence[Deck]) -> tuple[list[Candidate], dict[str, list[PoolItem]]]:
    """Every question the decks could give, and the distractor pools, in deck order."""
    found: list[Candidate] = []
    pools: dict[str, list[PoolItem]] = {k: [] for k in ("terms", "definitions", "answers", "replies", "analogies",
                                                        "cloze-figures", "cloze-words")}
    seen_terms: set[tuple[str, str]] = set()
    reply_kind = getattr(CardKind, "REPLY", CardKind.PHRASE)
    vocabulary = Vocabulary(decks)
    for deck in decks:
        for term in deck.terms:
            group = normalise_text(term.term)
            if term.question:  # one fact about the term: asked as written, answered from other facts
                pools["answers"].append(PoolItem(deck.id, term.definition, group))
                found.append(Candidate(QuestionKind.WHAT_IS, deck, term, CardKind.TERM,
                                       f"{term.term}{QUESTION_SEPARATOR}{term.question}",
                                       term.definition, "answers", group))
                continue
            if (deck.id, group) not in seen_terms:
                seen_terms.add((deck.id, group))
                pools["terms"].append(PoolItem(deck.id, term.term, group))
            pools["definitions"].append(PoolItem(deck.id, term.definition, group))
            fields = [(CardKind.DEFINITION, term.definition)] + [
                (kind, getattr(term, kind.value))
                for kind in (CardKind.WHAT_IT_DOES, CardKind.WHOS_BEHIND_IT, CardKind.WHAT_MAKES_IT_DISTINCT)
            ]
            for card_kind, text in fields:
                if text:
                    prompt = f"{_FIELD_LABELS[card_kind]}: {_mask(text, term.term)}\n\n{DEFINITION_QUESTION}"
                    found.append(Candidate(QuestionKind.WHICH_TERM, deck, term, card_kind, prompt,
                                           term.term, "terms", group))
            found.append(Candidate(QuestionKind.WHAT_IS, deck, term, CardKind.TERM, what_is_stem(term.term),
                                   term.definition, "definitions", group,
                                   avoid=vocabulary.distinctive_words(term.term)))
        for phrase in deck.phrases:
            group = f"{deck.id}/{phrase.id}"
            pools["replies"].append(PoolItem(deck.id, phrase.do_say, group, vocabulary.concepts(phrase.do_say),
                                             "do_say"))
            if phrase.dont_say:
                pools["replies"].append(PoolItem(deck.id, phrase.dont_say, group, role="dont_say"))
            buyer = getattr(phrase, "buyer_says", None)
            if buyer:
                found.append(Candidate(QuestionKind.REPLY, deck, phrase, reply_kind,
                                       f"The buyer says: \u201c{buyer}\u201d\n\n{REPLY_QUESTION}",
                                       phrase.do_say, "replies", group, phrase.dont_say or "",
                                       concepts=vocabulary.concepts(buyer, phrase.do_say)))
            elif phrase.dont_say:
                found.append(Candidate(QuestionKind.PHRASE, deck, phrase, CardKind.PHRASE,
                                       f"Don't say: \u201c{phrase.dont_say}\u201d\n\n{PHRASE_QUESTION}",
                                       phrase.do_say, "replies", group,
                                       concepts=vocabulary.concepts(phrase.dont_say, phrase.do_say)))
        for analog in deck.analogs:
            group = normalise_text(f"{analog.concept}\n{analog.analog}")
            about = vocabulary.concepts(analog.concept) | {normalise_text(analog.concept)}
            for kind, card_kind, text, question, partner in (
                (QuestionKind.BREAKS, CardKind.BREAKS, analog.breaks, BREAKS_QUESTION, analog.holds),
                (QuestionKind.HOLDS, CardKind.HOLDS, analog.holds, HOLDS_QUESTION, analog.breaks),
            ):
                if text:
                    pools["analogies"].append(PoolItem(deck.id, text, group, about, kind.value))
                    found.append(Candidate(kind, deck, analog, card_kind,
                                           f"{analog.concept}\n{ANALOG_LABEL} {analog.analog}\n\n{question}",
                                           text, "analogies", group, partner or "", concepts=about))
        for entry in deck.clozes:
            _cloze_candidates(deck, entry, vocabulary, found, pools)
    return found, pools


def _cloze_stem(parts: tuple, number: int) -> str:
    """The text with deletion ``number`` as ``____`` (``____ (hint)``), the others filled in."""
    return "".join(p if isinstance(p, str) else p.answer if p.number != number
                   else f"{BLANK} ({p.hint})" if p.hint else BLANK for p in parts)


def _cloze_candidates(deck: Deck, entry: Cloze, vocabulary: Vocabulary, found: list, pools: dict) -> None:
    """One question per deletion of ``entry``, and its deleted words in the pool of their shape
    (a figure: words with a digit; else words), so a figure is offered figures."""
    parts = entry.parts
    group = f"{deck.id}/{entry.id}"
    about = vocabulary.concepts(filled(parts))
    for deletion in (p for p in parts if isinstance(p, Deletion)):
        pool = "cloze-figures" if any(ch.isdigit() for ch in deletion.answer) else "cloze-words"
        pools[pool].append(PoolItem(deck.id, deletion.answer, group, about, QuestionKind.CLOZE.value))
        stem = _cloze_stem(parts, deletion.number)
        if _contains(deletion.answer, stem.replace(BLANK, " ")):
            continue  # the prompt gives its key away
        found.append(Candidate(QuestionKind.CLOZE, deck, entry, CardKind.CLOZE, f"{stem}\n\n{CLOZE_QUESTION}",
                               deletion.answer, pool, group, concepts=about, number=deletion.number))


def _contains(a: str, b: str) -> bool:
    """One text holds the other (normalised, as whole words)."""
    na, nb = f" {normalise(a)} ", f" {normalise(b)} "
    return len(na.strip()) > 0 and len(nb.strip()) > 0 and (na in nb or nb in na)


@lru_cache(maxsize=65536)
def too_close(a: str, b: str) -> bool:
    """The same or nearly the same, or one contains the other: never two options of one question."""
    return normalise_text(a) == normalise_text(b) or similarity(a, b) >= NEAR_DUPLICATE or _contains(a, b)


def eligible(candidate: Candidate, pool: list[PoolItem]) -> list[PoolItem]:
    """Pool items that may be distractors: not another right answer, not too close to the key, no repeats.

    Never a line the deck teaches as a good answer to a prompt about the same concept
    (``flashcards.quiz.concepts``): a line about one of the prompt's concepts is a distractor only
    when the lesson teaches it as something else: a "Don't say" line (marked wrong) for a phrase or
    reply, where an analogy holds for "where does it break?" (and the other way round). A
    definition never uses the asked term's name.
    """
    items: list[PoolItem] = []
    for item in pool:
        if item.group == candidate.group or too_close(item.text, candidate.correct):
            continue
        if item.role == candidate.role and item.concepts & candidate.concepts:
            continue
        if candidate.avoid and Vocabulary.uses_any(item.text, candidate.avoid):
            continue
        if any(too_close(item.text, other.text) for other in items):
            continue
        items.append(item)
    return items


@lru_cache(maxsize=65536)
def overlap(stem: str, text: str) -> int:
    """Content words an option shares with the stem (what a word-matching guesser counts)."""
    return len(words(stem) & words(text))


def _distractor_items(candidate: Candidate, pool: list[PoolItem]) -> list[PoolItem]:
    """The eligible pool items, with the entry's own other side (its partner) among them."""
    items = eligible(candidate, pool)
    if candidate.partner and not too_close(candidate.partner, candidate.correct) and not any(
            too_close(candidate.partner, item.text) for item in items):
        items.insert(0, PoolItem(candidate.deck.id, candidate.partner, "", role="partner"))
    return items


def choose_distractors(candidate: Candidate, pool: list[PoolItem], rng: random.Random, count: int) -> list[str]:
    """``count`` distractors: none too close to the key or to each other, chosen so that word matching
    cannot find the key: the key's place among the options, ranked by the words each shares with
    the stem, is left to chance (see below), so neither "the most words" nor "the fewest" finds it.

    Within each group (more, fewer, as many words as the key) those closest to the key's count
    come first, then the entry's own other side (for "where does it hold?", where it breaks: it
    names the same things as the key and tests exactly the distinction the card teaches), then
    the question's own deck, then chance.
    """
    key_overlap = overlap(candidate.prompt, candidate.correct)
    items = _distractor_items(candidate, pool)
    rng.shuffle(items)

    def rank(item: PoolItem) -> tuple[int, int, int]:
        return (abs(overlap(candidate.prompt, item.text) - key_overlap), item.group != "",
                0 if item.deck_id == candidate.deck.id else 1)

    items.sort(key=rank)
    chosen: list[str] = []

    def take(item: PoolItem) -> None:
        if len(chosen) < count and item.text not in chosen and not any(too_close(item.text, t) for t in chosen):
            chosen.append(item.text)

    # where the key falls among the options by shared words is left to chance: a random number of
    # distractors share more words with the stem than the key, the others fewer. When none can
    # share more (or fewer), two that share as many stand in, so the key is not surely the option
    # sharing the most (or the fewest) words.
    shared = {item.text: overlap(candidate.prompt, item.text) for item in items}
    above = [i for i in items if shared[i.text] > key_overlap]
    below = [i for i in items if shared[i.text] < key_overlap]
    equal = [i for i in items if shared[i.text] == key_overlap]
    reserve = min(2, len(equal), count)
    want_above = rng.randrange(count + 1)
    want_above = min(want_above, count - reserve) if not below else want_above
    want_below = count - want_above
    want_below = min(want_below, count - reserve) if not above else want_below
    for group, wanted in ((above, want_above), (below, want_below), (equal, count)):
        for item in group:
            if wanted <= 0:
                break
            before = len(chosen)
            take(item)
            wanted -= len(chosen) - before
    for item in items:
        take(item)
    return chosen


def fair(candidate: Candidate, pool: list[PoolItem]) -> bool:
    """Enough distractors, and word matching cannot be sure of the key: some distractor shares more
    words with the stem than the key does, or two share as many.

    Otherwise the key, sharing the most words with its question, would be found by word matching
    at least half the time, so the item is not asked (for the decks' authors: reword the key so it
    does not repeat the question's words, or add lines the lesson marks as wrong).
    """
    items = _distractor_items(candidate, pool)
    key_overlap = overlap(candidate.prompt, candidate.correct)
    shared = [overlap(candidate.prompt, i.text) for i in items]
    return len(items) >= MIN_OPTIONS - 1 and (
        any(n > key_overlap for n in shared) or sum(n == key_overlap for n in shared) >= 2)


def available(decks: Sequence[Deck], kinds: Sequence[QuestionKind] = ALL_KINDS) -> dict[QuestionKind, int]:
    """How many different questions of each kind the decks can give."""
    found, pools = candidates(decks)
    counts = {kind: 0 for kind in kinds}
    prompts: set[str] = set()
    for c in found:
        if c.kind in counts and c.prompt_key not in prompts and fair(c, pools[c.pool]):
            prompts.add(c.prompt_key)
            counts[c.kind] += 1
    return counts


def _check(decks: Sequence[Deck], n: Optional[int], kinds: Optional[Sequence[QuestionKind]]
           ) -> tuple[tuple[QuestionKind, ...], dict[QuestionKind, int]]:
    if n is not None and n < 1:
        raise QuizError("a quiz needs at least one question")
    if not decks:
        raise QuizError("no decks to draw questions from")
    if not kinds:  # every kind the decks can give
        kinds = tuple(k for k, count in available(decks).items() if count) or ALL_KINDS
    kinds = tuple(kinds)
    counts = available(decks, kinds)
    # a group ("phrases") asks for what the decks have of it: no buyer lines, no 'reply' questions
    kinds = tuple(k for k in kinds if counts[k] or not any(
        k in group and any(counts.get(other) for other in group if other in kinds) for group in KIND_GROUPS.values()))
    counts = {k: counts[k] for k in kinds}
    missing = [k for k in kinds if counts[k] == 0]
    if missing:
        raise QuizError("; ".join(
            f"the decks cannot give '{k.value}' questions (they need {_KIND_NEEDS[k]})" for k in missing
        ))
    total = sum(counts.values())
    if n is not None and n > total:
        detail = ", ".join(f"{k.value} {counts[k]}" for k in kinds)
        raise QuizError(f"asked for {n} questions, but the decks give at most {total} "
                        f"of the chosen kinds ({detail})")
    return kinds, counts


def take_turns(by_kind: dict, n: int, entry_of, prompt_of) -> list:
    """Kinds take turns, so the mix is even; within a kind, an entry not asked about yet comes first;
    no prompt twice. The lists are shuffled beforehand."""
    chosen: list = []
    used_entries: set = set()
    used_prompts: set = set()
    progress = True
    while len(chosen) < n and progress:
        progress = False
        for kind in by_kind:
            if len(chosen) == n:
                break
            left = [c for c in by_kind[kind] if prompt_of(c) not in used_prompts]
            pick = next((c for c in left if entry_of(c) not in used_entries), left[0] if left else None)
            if pick is None:
                continue
            chosen.append(pick)
            used_prompts.add(prompt_of(pick))
            used_entries.add(entry_of(pick))
            progress = True
    return chosen


def generate(decks: Sequence[Deck], n: Optional[int], kinds: Optional[Sequence[QuestionKind]] = None,
             seed: int = 0, *, options: int = MAX_OPTIONS, prefix: str = "q") -> tuple[Question, ...]:
    """Draw ``n`` questions (``None``: every question the decks give) deterministically for ``seed``.

    Kinds take turns, so the mix is even; no entry is asked about twice while
    fresh ones remain; no two questions share a prompt. Each question has
    ``options`` options (fewer, but at least ``MIN_OPTIONS``, when the decks
    lack material) chosen by ``choose_distractors``.

    Raises ``QuizError`` when a kind asked for cannot be made at all, or the
    decks give fewer than ``n`` questions of the chosen kinds.
    """
    kinds, counts = _check(decks, n, kinds)
    if n is None:
        n = sum(counts.values())
    rng = random.Random(seed)
    found, pools = candidates(decks)
    by_kind: dict[QuestionKind, list[Candidate]] = {k: [] for k in kinds}
    for c in found:
        if c.kind in by_kind and fair(c, pools[c.pool]):
            by_kind[c.kind].append(c)
    for kind in kinds:
        rng.shuffle(by_kind[kind])
    chosen = take_turns(by_kind, n, lambda c: (c.deck.id, c.entry.id), lambda c: c.prompt_key)
    rng.shuffle(chosen)
    width = max(2, len(str(n)))
    return tuple(_build(c, f"{prefix}{i:0{width}d}", pools[c.pool], rng, options)
                 for i, c in enumerate(chosen, start=1))


def _build(c: Candidate, qid: str, pool: list[PoolItem], rng: random.Random, options: int) -> Question:
    texts = [c.correct] + choose_distractors(c, pool, rng, options - 1)
    rng.shuffle(texts)
    opts = tuple(Option(f"o{i}", text) for i, text in enumerate(texts, start=1))
    answer = next(o.id for o in opts if o.text == c.correct)
    return Question(
        id=qid, kind=c.kind, prompt=c.prompt, options=opts, answer=answer,
        deck_id=c.deck.id, entry_id=c.entry.id,
        card_id=(cloze_card_id(c.deck.id, c.entry.id, c.number) if c.number
                 else card_id(c.deck.id, c.entry.id, c.card_kind)),
        concept=_concept(c.entry), tags=tuple(c.entry.tags),
    )


def kind_quotas(sizes: dict, n: int, rng: random.Random) -> dict:
    """How many of ``n`` questions each kind gets: its share of the pool, rounded at random.

    Kind k gets ``n * size_k / total`` questions, rounded down or up with the chance that keeps
    that mean (systematic sampling: the counts add up to ``n``). So every item of the pool is
    equally likely to be on a paper, whatever its kind: the 6 items of a small kind no longer
    land on every paper because kinds take turns.
    """
    total = sum(sizes.values())
    quotas = {k: 0 for k in sizes}
    if not total or n <= 0:
        return quotas
    offset = rng.random()
    cumulative = 0.0
    previous = 0
    for kind, size in sizes.items():
        cumulative += n * size / total
        reached = min(n, int(cumulative + offset))
        quotas[kind] = reached - previous
        previous = reached
    quotas[next(iter(sizes))] += n - previous  # float rounding never loses a question
    return quotas


def draw(items: Sequence[Question], n: int, rng: random.Random) -> list[Question]:
    """One learner's ``n`` questions from a quiz's pool, shuffled.

    Each kind gets its share of the pool (``kind_quotas``), so each item is about equally likely
    to be on a paper; within a kind, an entry not asked about yet comes first; no prompt twice.
    """
    live = [q for q in items if not q.dropped]
    if n > len(live):
        raise QuizError(f"a paper needs {n} questions but the pool has {len(live)}")
    kinds = [k for k in ALL_KINDS if any(q.kind is k for q in live)]
    by_kind = {k: [q for q in live if q.kind is k] for k in kinds}
    for k in kinds:
        rng.shuffle(by_kind[k])
    quotas = kind_quotas({k: len(by_kind[k]) for k in kinds}, n, rng)
    chosen: list[Question] = []
    used_entries: set[str] = set()
    used_prompts: set[str] = set()
    for k in kinds:
        left = by_kind[k]
        for _ in range(quotas[k]):
            fresh = [q for q in left if normalise_text(q.prompt) not in used_prompts]
            pick = next((q for q in fresh if q.entry_key not in used_entries), fresh[0] if fresh else None)
            if pick is None:
                break
            chosen.append(pick)
            left.remove(pick)
            used_entries.add(pick.entry_key)
            used_prompts.add(normalise_text(pick.prompt))
    if len(chosen) < n:  # a kind ran out of distinct prompts: the others fill in
        rest = [q for k in kinds for q in by_kind[k] if normalise_text(q.prompt) not in used_prompts]
        rng.shuffle(rest)
        chosen += take_turns({"rest": rest}, n - len(chosen), lambda q: q.entry_key,
                             lambda q: normalise_text(q.prompt))
    rng.shuffle(chosen)
    return chosen


def quiz_id_for(title: str, code: str) -> str:
    """A readable id: the title's slug and a short random ``code``. Never the seed: with the seed and
    the decks anyone could rebuild the pool and its key."""
    slug = re.sub(r"[^a-z0-9]+", "-", title.casefold()).strip("-")[:40].strip("-") or "quiz"
    return f"{slug}-{code}"
