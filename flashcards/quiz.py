"""Certification quizzes: multiple-choice questions from decks, scoring, item analysis.

Pure: no files, no database, no clock. ``generate`` draws questions from decks
with ``random.Random(seed)``, so the same decks, count, kinds and seed always
give the same quiz. A ``Question`` carries its key (``answer``) and the deck
entry and card it came from; a ``PaperQuestion`` is what a learner may see.

Scoring works on canonical option ids (``o1``, ``o2``, ...), never on the
letters a learner saw: ``display_order`` shuffles options per learner.
"""

from __future__ import annotations

import hashlib
import math
import random
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum
from typing import Iterable, Mapping, Optional, Sequence

from .errors import QuizError
from .model import (
    DEFINITION_QUESTION, BREAKS_QUESTION, HOLDS_QUESTION, PHRASE_QUESTION, Analog, CardKind, Deck,
    Entry, Phrase, Term, card_id,
)

MAX_OPTIONS = 4
MIN_OPTIONS = 3
TIME_GRACE_SECONDS = 60  # slack for a clock tick or a slow save before a time limit is enforced


class QuestionKind(str, Enum):
    """What a question asks. The value is what ``--kinds`` takes and the paper shows."""

    WHICH_TERM = "which-term"  # a definition or field -> pick the term
    WHAT_IS = "what-is"  # a term -> pick its definition
    PHRASE = "phrase"  # a "Don't say" line -> pick the "Do say" line
    BREAKS = "breaks"  # an analogy -> pick where it breaks
    HOLDS = "holds"  # an analogy -> pick where it holds


ALL_KINDS: tuple[QuestionKind, ...] = tuple(QuestionKind)
KIND_GROUPS: dict[str, tuple[QuestionKind, ...]] = {
    "terms": (QuestionKind.WHICH_TERM, QuestionKind.WHAT_IS),
    "phrases": (QuestionKind.PHRASE,),
    "analogs": (QuestionKind.BREAKS, QuestionKind.HOLDS),
}
# what each kind needs, for the message when a deck cannot give it
_KIND_NEEDS = {
    QuestionKind.WHICH_TERM: f"at least {MIN_OPTIONS} terms with different names",
    QuestionKind.WHAT_IS: f"at least {MIN_OPTIONS} terms with different names",
    QuestionKind.PHRASE: f"at least {MIN_OPTIONS} phrases",
    QuestionKind.BREAKS: f"at least {MIN_OPTIONS} analogs with 'breaks' text",
    QuestionKind.HOLDS: f"at least {MIN_OPTIONS} analogs with 'holds' text",
}
_FIELD_LABELS = {
    CardKind.DEFINITION: "Definition",
    CardKind.WHAT_IT_DOES: "What it does",
    CardKind.WHOS_BEHIND_IT: "Who's behind it",
    CardKind.WHAT_MAKES_IT_DISTINCT: "What makes it distinct",
}
BLANK = "____"


def parse_kinds(values: Iterable[str]) -> tuple[QuestionKind, ...]:
    """``["terms", "phrase,breaks"]`` -> kinds in their fixed order; raise ``QuizError`` on a typo."""
    chosen: set[QuestionKind] = set()
    for value in values:
        for word in value.replace(",", " ").split():
            word = word.strip().lower()
            if word in KIND_GROUPS:
                chosen.update(KIND_GROUPS[word])
                continue
            try:
                chosen.add(QuestionKind(word))
            except ValueError:
                names = ", ".join([k.value for k in ALL_KINDS] + list(KIND_GROUPS))
                raise QuizError(f"unknown question kind '{word}' (kinds: {names})") from None
    return tuple(k for k in ALL_KINDS if k in chosen)


def normalise_text(text: str) -> str:
    """For comparing options: case and runs of whitespace do not make two texts different."""
    return " ".join(text.split()).casefold()


def normalise_learner(name: str) -> str:
    """Learner names compare case- and whitespace-insensitively: ``' Ann  Lee'`` == ``'ann lee'``."""
    return " ".join((name or "").split()).casefold()


def clean_learner(name: str) -> str:
    """The name as it will be shown: inner whitespace collapsed. Raise ``QuizError`` if empty."""
    cleaned = " ".join((name or "").split())
    if not cleaned:
        raise QuizError("the learner name is empty")
    return cleaned


# -- questions ----------------------------------------------------------


@dataclass(frozen=True)
class Option:
    id: str  # canonical id on the paper: o1, o2, ...
    text: str


@dataclass(frozen=True)
class PaperQuestion:
    """A question as printed on the paper: nothing in it tells the answer."""

    id: str
    kind: QuestionKind
    prompt: str
    options: tuple[Option, ...]

    def option(self, option_id: str) -> Option:
        for option in self.options:
            if option.id == option_id:
                return option
        raise KeyError(option_id)


@dataclass(frozen=True)
class Question(PaperQuestion):
    """A question with its key and where it came from (manager side only)."""

    answer: str = ""  # the correct option's id
    deck_id: str = ""
    entry_id: str = ""
    card_id: str = ""  # the card to review when this question is missed
    concept: str = ""  # a short human label of the entry (term, "Don't say" line, analogy)
    tags: tuple[str, ...] = ()

    @property
    def correct_option(self) -> Option:
        return self.option(self.answer)

    @property
    def entry_key(self) -> str:
        return f"{self.deck_id}/{self.entry_id}"

    def public(self) -> PaperQuestion:
        return PaperQuestion(self.id, self.kind, self.prompt, self.options)


@dataclass(frozen=True)
class Paper:
    """What learners receive: settings and questions, no key."""

    quiz_id: str
    title: str
    pass_mark: int
    max_attempts: Optional[int]
    time_limit: Optional[int]  # minutes
    questions: tuple[PaperQuestion, ...]

    def question(self, question_id: str) -> PaperQuestion:
        for q in self.questions:
            if q.id == question_id:
                return q
        raise KeyError(question_id)


@dataclass(frozen=True)
class Quiz:
    """A quiz as the manager's database holds it: the paper's settings plus the key."""

    id: str
    title: str
    pass_mark: int  # percent, 0-100
    questions: tuple[Question, ...]
    seed: int = 0
    kinds: tuple[QuestionKind, ...] = ALL_KINDS
    deck_ids: tuple[str, ...] = ()
    max_attempts: Optional[int] = None
    time_limit: Optional[int] = None  # minutes
    created_on: Optional[str] = None
    paper_checksum: str = ""

    def paper(self) -> Paper:
        return Paper(self.id, self.title, self.pass_mark, self.max_attempts, self.time_limit,
                     tuple(q.public() for q in self.questions))

    @property
    def key(self) -> dict[str, str]:
        return {q.id: q.answer for q in self.questions}


@dataclass(frozen=True)
class _Candidate:
    kind: QuestionKind
    deck: Deck
    entry: Entry
    card_kind: CardKind
    prompt: str
    correct: str
    pool: str  # which distractor pool: "terms", "definitions", "do_say", "breaks", "holds"
    group: str  # pool items of the same group are also correct, so never distractors

    @property
    def prompt_key(self) -> str:
        return normalise_text(self.prompt)


@dataclass(frozen=True)
class _PoolItem:
    deck_id: str
    text: str
    group: str


def _mask(text: str, term: str) -> str:
    """Blank out the term, its plural and its head before a parenthesis: the prompt must not name the answer."""
    names = [term]
    head = term.split(" (")[0].strip()
    if head != term and len(head) >= 3:
        names.append(head)
    for name in names:
        text = re.sub(rf"(?<!\w){re.escape(name)}(?:s|es)?(?!\w)", BLANK, text, flags=re.IGNORECASE)
    return text


def _analog_setup(entry: Analog) -> str:
    return f"{entry.concept}\nOkta analog: {entry.analog}"


def _concept(entry: Entry) -> str:
    if isinstance(entry, Term):
        return entry.term
    if isinstance(entry, Phrase):
        if entry.buyer_says is not None:
            return f"The buyer says: {entry.buyer_says}"
        return f"Don't say: {entry.dont_say}"
    return f"{entry.concept} ~ {entry.analog}"


def _candidates(decks: Sequence[Deck]) -> tuple[list[_Candidate], dict[str, list[_PoolItem]]]:
    """Every question the decks could give, and the distractor pools, in deck order."""
    candidates: list[_Candidate] = []
    pools: dict[str, list[_PoolItem]] = {k: [] for k in ("terms", "definitions", "do_say", "breaks", "holds")}
    seen_terms: set[tuple[str, str]] = set()
    for deck in decks:
        for term in deck.terms:
            group = normalise_text(term.term)
            if (deck.id, group) not in seen_terms:
                seen_terms.add((deck.id, group))
                pools["terms"].append(_PoolItem(deck.id, term.term, group))
            pools["definitions"].append(_PoolItem(deck.id, term.definition, group))
            fields = [(CardKind.DEFINITION, term.definition)] + [
                (kind, getattr(term, kind.value))
                for kind in (CardKind.WHAT_IT_DOES, CardKind.WHOS_BEHIND_IT, CardKind.WHAT_MAKES_IT_DISTINCT)
            ]
            for card_kind, text in fields:
                if text:
                    prompt = f"{_FIELD_LABELS[card_kind]}: {_mask(text, term.term)}\n\n{DEFINITION_QUESTION}"
                    candidates.append(_Candidate(QuestionKind.WHICH_TERM, deck, term, card_kind, prompt,
                                                 term.term, "terms", group))
            candidates.append(_Candidate(QuestionKind.WHAT_IS, deck, term, CardKind.TERM,
                                         f"What is {term.term}?", term.definition, "definitions", group))
        for phrase in deck.phrases:
            group = f"{deck.id}/{phrase.id}"
            pools["do_say"].append(_PoolItem(deck.id, phrase.do_say, group))
            if phrase.dont_say is None:
                continue  # a buyer row: asked by the quiz's buyer variant, not as "Don't say"
            candidates.append(_Candidate(QuestionKind.PHRASE, deck, phrase, CardKind.PHRASE,
                                         f"Don't say: {phrase.dont_say}\n\n{PHRASE_QUESTION}",
                                         phrase.do_say, "do_say", group))
        for analog in deck.analogs:
            group = normalise_text(f"{analog.concept}\n{analog.analog}")
            for kind, card_kind, text, question in (
                (QuestionKind.BREAKS, CardKind.BREAKS, analog.breaks, BREAKS_QUESTION),
                (QuestionKind.HOLDS, CardKind.HOLDS, analog.holds, HOLDS_QUESTION),
            ):
                if text:
                    pools[kind.value].append(_PoolItem(deck.id, text, group))
                    candidates.append(_Candidate(kind, deck, analog, card_kind,
                                                 f"{_analog_setup(analog)}\n\n{question}",
                                                 text, kind.value, group))
    return candidates, pools


def _eligible(candidate: _Candidate, pool: list[_PoolItem]) -> list[_PoolItem]:
    """Pool items that may be distractors: not the answer, not another right answer, no repeats."""
    taken = {normalise_text(candidate.correct)}
    items = []
    for item in pool:
        key = normalise_text(item.text)
        if item.group == candidate.group or key in taken:
            continue
        taken.add(key)
        items.append(item)
    return items


def available(decks: Sequence[Deck], kinds: Sequence[QuestionKind] = ALL_KINDS) -> dict[QuestionKind, int]:
    """How many different questions of each kind the decks can give."""
    candidates, pools = _candidates(decks)
    counts = {kind: 0 for kind in kinds}
    prompts: set[str] = set()
    for c in candidates:
        if c.kind in counts and c.prompt_key not in prompts and \
                len(_eligible(c, pools[c.pool])) >= MIN_OPTIONS - 1:
            prompts.add(c.prompt_key)
            counts[c.kind] += 1
    return counts


def generate(decks: Sequence[Deck], n: int, kinds: Optional[Sequence[QuestionKind]] = None,
             seed: int = 0, *, options: int = MAX_OPTIONS) -> tuple[Question, ...]:
    """Draw ``n`` multiple-choice questions from ``decks``, deterministically for ``seed``.

    ``kinds`` defaults to every kind the decks can give. Kinds take turns,
    so the mix is even; no entry is asked about twice while fresh ones
    remain; no two questions share a prompt. Each question has ``options``
    options (fewer, but at least ``MIN_OPTIONS``, when the decks lack
    material), the correct one exactly once, no two alike. Distractors are
    real text of the same kind, from the question's own deck first.

    Raises ``QuizError`` when a kind asked for cannot be made at all, or the
    decks give fewer than ``n`` questions of the chosen kinds.
    """
    if n < 1:
        raise QuizError("a quiz needs at least one question")
    if not decks:
        raise QuizError("no decks to draw questions from")
    if not kinds:  # every kind the decks can give
        kinds = tuple(k for k, count in available(decks).items() if count) or ALL_KINDS
    kinds = tuple(kinds)
    counts = available(decks, kinds)
    missing = [k for k in kinds if counts[k] == 0]
    if missing:
        raise QuizError("; ".join(
            f"the decks cannot give '{k.value}' questions (they need {_KIND_NEEDS[k]})" for k in missing
        ))
    total = sum(counts.values())
    if n > total:
        detail = ", ".join(f"{k.value} {counts[k]}" for k in kinds)
        raise QuizError(f"asked for {n} questions, but the decks give at most {total} "
                        f"of the chosen kinds ({detail})")

    rng = random.Random(seed)
    candidates, pools = _candidates(decks)
    by_kind: dict[QuestionKind, list[_Candidate]] = {k: [] for k in kinds}
    for c in candidates:
        if c.kind in by_kind and len(_eligible(c, pools[c.pool])) >= MIN_OPTIONS - 1:
            by_kind[c.kind].append(c)
    for kind in kinds:
        rng.shuffle(by_kind[kind])

    chosen: list[_Candidate] = []
    used_entries: set[tuple[str, str]] = set()
    used_prompts: set[str] = set()
    for fresh_only in (True, False):
        progress = True
        while len(chosen) < n and progress:
            progress = False
            for kind in kinds:
                if len(chosen) == n:
                    break
                for c in by_kind[kind]:
                    entry_key = (c.deck.id, c.entry.id)
                    if c.prompt_key in used_prompts or (fresh_only and entry_key in used_entries):
                        continue
                    chosen.append(c)
                    used_prompts.add(c.prompt_key)
                    used_entries.add(entry_key)
                    progress = True
                    break
    rng.shuffle(chosen)
    width = max(2, len(str(n)))
    return tuple(
        _build(c, f"q{i:0{width}d}", pools[c.pool], rng, options) for i, c in enumerate(chosen, start=1)
    )


def _build(c: _Candidate, qid: str, pool: list[_PoolItem], rng: random.Random, options: int) -> Question:
    eligible = _eligible(c, pool)
    same = [item for item in eligible if item.deck_id == c.deck.id]
    other = [item for item in eligible if item.deck_id != c.deck.id]
    rng.shuffle(same)
    rng.shuffle(other)
    texts = [c.correct] + [item.text for item in (same + other)[: options - 1]]
    rng.shuffle(texts)
    opts = tuple(Option(f"o{i}", text) for i, text in enumerate(texts, start=1))
    answer = next(o.id for o in opts if o.text == c.correct)
    return Question(
        id=qid, kind=c.kind, prompt=c.prompt, options=opts, answer=answer,
        deck_id=c.deck.id, entry_id=c.entry.id, card_id=card_id(c.deck.id, c.entry.id, c.card_kind),
        concept=_concept(c.entry), tags=tuple(c.entry.tags),
    )


def quiz_id_for(title: str, questions: Sequence[Question]) -> str:
    """A readable, stable id: the title's slug and a short digest of the questions."""
    slug = re.sub(r"[^a-z0-9]+", "-", title.casefold()).strip("-")[:40].strip("-") or "quiz"
    digest = hashlib.sha256("\n".join(f"{q.prompt}\n{[o.text for o in q.options]}" for q in questions)
                            .encode("utf-8")).hexdigest()[:6]
    return f"{slug}-{digest}"


def display_order(question: PaperQuestion, quiz_id: str, learner: str) -> tuple[Option, ...]:
    """The order one learner sees a question's options in: shuffled, stable for (quiz, learner)."""
    key = f"{quiz_id}\n{normalise_learner(learner)}\n{question.id}".encode("utf-8")
    rng = random.Random(int.from_bytes(hashlib.sha256(key).digest()[:8], "big"))
    order = list(question.options)
    rng.shuffle(order)
    return tuple(order)


def letter(index: int) -> str:
    return chr(ord("A") + index)


# -- answers and scoring ------------------------------------------------


@dataclass(frozen=True)
class AnswerSheet:
    """A learner's answers to one paper, as their answers file holds them."""

    quiz_id: str
    paper_checksum: str
    learner: str
    started_at: str  # ISO 8601 with offset
    finished_at: str
    choices: Mapping[str, Optional[str]]  # question id -> option id (None: unanswered)
    digest: str = ""  # of everything above, so an edited or duplicated file is recognised

    @property
    def learner_key(self) -> str:
        return normalise_learner(self.learner)


@dataclass(frozen=True)
class Result:
    correct: int
    total: int
    responses: tuple[tuple[str, Optional[str], bool], ...]  # (question id, choice, correct)

    @property
    def percent(self) -> float:
        return 100 * self.correct / self.total if self.total else 0.0


def passes(correct: int, total: int, pass_mark: int) -> bool:
    """Pass when the share correct reaches the mark (integer arithmetic: 16/20 passes 80)."""
    return total > 0 and correct * 100 >= pass_mark * total


def check_choices(paper: Paper, choices: Mapping[str, Optional[str]]) -> list[str]:
    """Problems with a set of choices against the paper (unknown questions or options)."""
    problems = []
    ids = {q.id: q for q in paper.questions}
    for qid, choice in choices.items():
        question = ids.get(qid)
        if question is None:
            problems.append(f"question '{qid}' is not on the paper")
        elif choice is not None and choice not in {o.id for o in question.options}:
            problems.append(f"question '{qid}' has no option '{choice}'")
    return problems


def mark(quiz: Quiz, choices: Mapping[str, Optional[str]]) -> Result:
    """Score choices against the key; a question not answered counts as wrong."""
    responses = tuple(
        (q.id, choices.get(q.id), choices.get(q.id) == q.answer) for q in quiz.questions
    )
    return Result(sum(r[2] for r in responses), len(responses), responses)


@dataclass(frozen=True)
class PriorAttempt:
    """An answers file already accepted or seen for this quiz."""

    learner: str
    learner_key: str
    attempt: int
    started_at: str
    digest: str
    scored_on: str


class Status(str, Enum):
    SCORED = "scored"
    DUPLICATE = "duplicate"  # flagged: already scored, not counted again
    REJECTED = "rejected"


@dataclass(frozen=True)
class Verdict:
    status: Status
    reason: str = ""
    attempt: int = 0
    result: Optional[Result] = None
    passed: bool = False


def _parse_time(text: str) -> Optional[datetime]:
    try:
        return datetime.fromisoformat(text)
    except (TypeError, ValueError):
        return None


def judge(quiz: Quiz, sheet: AnswerSheet, prior: Sequence[PriorAttempt]) -> Verdict:
    """Decide what to do with an answers file: score it, flag it as a resubmission, or reject it.

    ``prior`` are the attempts already counted for this quiz (every learner).
    An answers file counts once: the same file again, or the same sitting
    (learner and start time) edited and sent again, is flagged and not
    counted. Attempts beyond the quiz's limit and sittings longer than its
    time limit are rejected.
    """

    def reject(reason: str) -> Verdict:
        return Verdict(Status.REJECTED, reason)

    if sheet.quiz_id != quiz.id:
        return reject(f"answers are for quiz '{sheet.quiz_id}', not '{quiz.id}'")
    if sheet.paper_checksum != quiz.paper_checksum:
        return reject(f"answers are for an altered paper: its checksum does not match quiz '{quiz.id}'")
    if not sheet.learner_key:
        return reject("the learner name is empty")
    problems = check_choices(quiz.paper(), sheet.choices)
    if problems:
        return reject("; ".join(problems))
    for p in prior:
        if p.digest == sheet.digest:
            return Verdict(Status.DUPLICATE, f"already scored as {p.learner}'s attempt {p.attempt} "
                                             f"on {p.scored_on}; not counted again")
        if p.learner_key == sheet.learner_key and p.started_at == sheet.started_at:
            return Verdict(Status.DUPLICATE, f"a second copy of {p.learner}'s attempt {p.attempt} "
                                             f"(same start time, different answers); not counted")
    used = sum(p.learner_key == sheet.learner_key for p in prior)
    if quiz.max_attempts is not None and used >= quiz.max_attempts:
        return reject(f"over the attempt limit: {' '.join(sheet.learner.split())} already has {used} of "
                      f"{quiz.max_attempts} attempt{'s' if quiz.max_attempts != 1 else ''} scored")
    started, finished = _parse_time(sheet.started_at), _parse_time(sheet.finished_at)
    if started is None or finished is None or (started.tzinfo is None) != (finished.tzinfo is None):
        return reject("start or finish time is not an ISO 8601 timestamp")
    if finished < started:
        return reject("finish time is before start time")
    if quiz.time_limit is not None:
        taken = (finished - started).total_seconds()
        if taken > quiz.time_limit * 60 + TIME_GRACE_SECONDS:
            return reject(f"took {math.ceil(taken / 60)} minutes, "
                          f"over the {quiz.time_limit}-minute time limit")
    result = mark(quiz, sheet.choices)
    return Verdict(Status.SCORED, attempt=used + 1, result=result,
                   passed=passes(result.correct, result.total, quiz.pass_mark))


def best_attempts(attempts: Iterable) -> list:
    """The attempt that counts for each learner: the most correct, the earliest of equals.

    ``attempts`` are records with ``learner_key`` and ``correct``, in the order
    they were taken; the result is ordered by learner.
    """
    best: dict[str, object] = {}
    for a in attempts:
        current = best.get(a.learner_key)
        if current is None or a.correct > current.correct:
            best[a.learner_key] = a
    return sorted(best.values(), key=lambda a: a.learner_key)


# -- item analysis ------------------------------------------------------


@dataclass(frozen=True)
class ItemStats:
    question: Question
    responses: int
    correct: int
    facility: Optional[float]  # share correct, 0-1 (None without responses)
    discrimination: Optional[float]  # Moodle's discrimination index, -100..100 (None when undefined)
    option_counts: Mapping[str, int] = field(default_factory=dict)  # option id -> times chosen
    unanswered: int = 0

    @property
    def top_wrong(self) -> Optional[tuple[Option, int]]:
        """The most chosen wrong option and how often (ties: the earlier option on the paper)."""
        best: Optional[tuple[Option, int]] = None
        for option in self.question.options:
            count = self.option_counts.get(option.id, 0)
            if option.id != self.question.answer and count and (best is None or count > best[1]):
                best = (option, count)
        return best

    @property
    def note(self) -> str:
        """A hint for the manager about a question that may be broken or needs reteaching."""
        if not self.responses:
            return ""
        if self.discrimination is not None and self.discrimination < 0:
            return "check: weaker scorers did better on it"
        if self.facility == 0:
            return "nobody got it right: reteach or check"
        if self.facility is not None and self.facility < 0.5:
            return "reteach"
        return ""


def _mean(values: Sequence[float]) -> float:
    return sum(values) / len(values)


def discrimination_index(item: Sequence[float], rest: Sequence[float]) -> Optional[float]:
    """Moodle's discrimination index for one question, in percent (-100..100).

    This is the definition of Moodle's quiz statistics report
    (``question/classes/statistics/questions/calculator.php``, and the Moodle
    docs page "Quiz statistics calculations"): the Pearson product-moment
    correlation between the score on this question and the score on the
    *rest of the test* (total minus this question) across attempts, times
    100::

        D = 100 * C(x, X - x) / sqrt(V(x) * V(X - x))

    with sample covariance and variances (n - 1 in each, which cancels).
    It is undefined (``None``) with fewer than two attempts or when either
    score does not vary, as in Moodle.
    """
    n = len(item)
    if n != len(rest):
        raise ValueError("item and rest-of-test scores must have one value per attempt")
    if n < 2:
        return None
    mx, my = _mean(item), _mean(rest)
    cov = sum((x - mx) * (y - my) for x, y in zip(item, rest)) / (n - 1)
    vx = sum((x - mx) ** 2 for x in item) / (n - 1)
    vy = sum((y - my) ** 2 for y in rest) / (n - 1)
    if vx * vy <= 0:
        return None
    return 100 * cov / math.sqrt(vx * vy)


def item_analysis(quiz: Quiz, sheets: Sequence[Mapping[str, Optional[str]]]) -> list[ItemStats]:
    """Facility, discrimination and option counts per question over one set of choices per learner.

    Each question scores 1 (right) or 0 (wrong or unanswered), so facility is
    the share of learners who got it right (Moodle's facility index / 100).
    """
    scores = [[1.0 if choices.get(q.id) == q.answer else 0.0 for q in quiz.questions] for choices in sheets]
    totals = [sum(row) for row in scores]
    items = []
    for index, q in enumerate(quiz.questions):
        column = [row[index] for row in scores]
        counts = Counter(choices.get(q.id) for choices in sheets)
        unanswered = counts.pop(None, 0)
        items.append(ItemStats(
            question=q,
            responses=len(sheets),
            correct=int(sum(column)),
            facility=_mean(column) if column else None,
            discrimination=discrimination_index(column, [t - x for t, x in zip(totals, column)]),
            option_counts=dict(counts),
            unanswered=unanswered,
        ))
    return items


@dataclass(frozen=True)
class ConceptStats:
    """How a group of questions (one deck entry, or one tag) went."""

    key: str  # "deck/entry" or the tag
    label: str
    questions: tuple[str, ...]  # question ids
    responses: int
    correct: int

    @property
    def facility(self) -> Optional[float]:
        return self.correct / self.responses if self.responses else None


def concept_analysis(items: Sequence[ItemStats], *, by: str = "entry") -> list[ConceptStats]:
    """Aggregate item results per deck entry (``by="entry"``) or per tag (``by="tag"``).

    Facility is pooled: correct responses over all responses to the group's
    questions. Weakest first, so the top rows are what to reteach.
    """
    if by not in ("entry", "tag"):
        raise ValueError("by must be 'entry' or 'tag'")
    groups: dict[str, list[ItemStats]] = {}
    labels: dict[str, str] = {}
    for item in items:
        q = item.question
        keys = [q.entry_key] if by == "entry" else list(q.tags)
        for key in keys:
            groups.setdefault(key, []).append(item)
            labels.setdefault(key, q.concept if by == "entry" else key)
    stats = [
        ConceptStats(key, labels[key], tuple(i.question.id for i in group),
                     sum(i.responses for i in group), sum(i.correct for i in group))
        for key, group in groups.items()
    ]
    return sorted(stats, key=lambda s: (s.facility if s.facility is not None else 2.0, s.label, s.key))
