"""Scoring answers files: the signature, the paper it answers, the attempt limit, fair timing.

Pure: the store passes in the quiz, the paper the file names (as issued),
the attempts already counted and the other papers' tokens; ``judge`` decides.

Offline papers are self-timed: every time in an answers file comes from
the learner's own clock. ``timing_problem`` rejects times that cannot be
true (see there); times that are merely rewritten to look plausible (a
3-hour sitting edited to 10 minutes) cannot be told from real ones, which is
what ``flash quiz serve`` is for.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import Enum
from typing import Iterable, Mapping, Optional, Sequence

from .model import Option, Question, Quiz, looks_alike, name_key, passes
from .papers import AnswerSheet, IssuedPaper, signature_matches

TIME_GRACE_SECONDS = 60  # slack for a clock tick or a slow save
CLOCK_SKEW_SECONDS = 300  # how far the learner's clock may be from the manager's


class Status(str, Enum):
    SCORED = "scored"
    DUPLICATE = "duplicate"  # already counted: not counted again
    REJECTED = "rejected"


@dataclass(frozen=True)
class Response:
    question_id: str  # on the paper
    item_id: str
    choice: Optional[str]  # canonical option id (None: blank, or given after the deadline)
    late: bool = False


@dataclass(frozen=True)
class PriorAttempt:
    """An attempt already counted for this quiz."""

    learner_id: str
    name: str
    attempt: int
    paper_id: str
    started_at: str
    signature: str
    scored_on: str


@dataclass(frozen=True)
class Verdict:
    status: Status
    reason: str = ""
    attempt: int = 0
    responses: tuple[Response, ...] = ()
    correct: int = 0
    total: int = 0
    passed: bool = False
    late: int = 0  # answers dropped for coming after the deadline


def parse_time(text: Optional[str]) -> Optional[datetime]:
    """An ISO 8601 time with an offset, or None."""
    try:
        moment = datetime.fromisoformat(text) if isinstance(text, str) else None
    except ValueError:
        return None
    return moment if moment is not None and moment.tzinfo is not None else None


def _minutes(seconds: float) -> str:
    minutes = seconds / 60
    return f"{minutes:.0f} minute{'s' if round(minutes) != 1 else ''}" if minutes >= 1 else f"{seconds:.0f} s"


def timing_problem(quiz: Quiz, sheet: AnswerSheet, paper: IssuedPaper, now: Optional[datetime]) -> Optional[str]:
    """Why the times in an answers file cannot be true, in one line (None: they can).

    The clients (``flash quiz take``, the ``--html`` page) stamp the start,
    each answer and the finish from the learner's clock, and stop taking
    answers at the time limit. So a file whose times say otherwise was
    edited, or made on a clock that was wrong: its sitting started before
    the paper was issued or finishes after the file was scored (each beyond
    ``CLOCK_SKEW_SECONDS``, the slack between two machines' clocks); an
    answer lies outside its own sitting or comes after the limit (plus
    ``TIME_GRACE_SECONDS``); or a time is one the calendar cannot add the
    limit to (9999-12-31).
    """
    started, finished = parse_time(sheet.started_at), parse_time(sheet.finished_at)
    if started is None or finished is None:
        return "start or finish time is not an ISO 8601 time with an offset"
    skew = timedelta(seconds=CLOCK_SKEW_SECONDS)
    limit = quiz.time_limit_seconds
    issued = parse_time(paper.issued_at)
    try:
        deadline = started + timedelta(seconds=limit + TIME_GRACE_SECONDS) if limit else None
        if issued is not None and started < issued - skew:
            return (f"impossible times: started {sheet.started_at[:40]}, before the paper was issued "
                    f"({paper.issued_at})")
        if now is not None and finished > now + skew:
            return (f"impossible times: finished {sheet.finished_at[:40]}, after the file was scored "
                    f"({now.isoformat(timespec='seconds')})")
        if finished < started:
            return "impossible times: finished before it started"
        for qid, (choice, at) in sorted(sheet.answers.items()):
            if choice is None:
                continue
            when = parse_time(at)
            if when is None:
                return f"question {qid[:20]}: the time of the answer is missing or not an ISO 8601 time with an offset"
            if when < started:
                return (f"answers out of time order: {qid[:20]} answered at {at[:40]}, before the start "
                        f"({sheet.started_at[:40]})")
            if when > finished:
                return (f"answers out of time order: {qid[:20]} answered at {at[:40]}, after the finish "
                        f"({sheet.finished_at[:40]})")
            if deadline is not None and when > deadline:
                return (f"longer than the time limit: {qid[:20]} answered {_minutes((when - started).total_seconds())} "
                        f"after the start (limit {_minutes(limit)})")
    except (OverflowError, ValueError):
        what = f"the {limit // 60}-minute limit" if limit else "a time limit"
        return f"impossible times: the calendar cannot add {what} to {sheet.started_at[:40]}"
    return None


def score_responses(quiz: Quiz, responses: Iterable[Response]) -> tuple[int, int]:
    """(correct, total) over the items still scored (a dropped item counts for nobody)."""
    correct = total = 0
    items = {q.id: q for q in quiz.questions}
    for r in responses:
        item = items.get(r.item_id)
        if item is None or item.dropped:
            continue
        total += 1
        correct += r.choice is not None and r.choice == item.answer
    return correct, total


def judge(quiz: Quiz, sheet: AnswerSheet, paper: Optional[IssuedPaper], prior: Sequence[PriorAttempt], *,
          allowed: Optional[int], other_papers: Sequence[IssuedPaper] = (), now: Optional[datetime] = None) -> Verdict:
    """Decide what an answers file is worth: scored, already counted, or rejected with a reason.

    ``prior`` are the attempts already counted for this quiz (every learner);
    ``allowed`` is how many attempts this learner may have (the quiz's limit
    plus extra attempts the manager granted; None: no limit); ``now`` is when
    the file is scored (the manager's clock): no sitting finishes after it.
    """

    def reject(reason: str) -> Verdict:
        return Verdict(Status.REJECTED, reason)

    if sheet.quiz_id != quiz.id:
        return reject(f"answers are for quiz '{sheet.quiz_id}', not '{quiz.id}'")
    if paper is None:
        return reject(f"names paper '{sheet.paper_id[:40]}', which was not issued for quiz {quiz.id}")
    owner = paper.learner
    if sheet.learner_id != owner.id:
        return reject(f"re-labelled: paper {paper.id} was issued to {owner.name} ({owner.id}), "
                      f"but the file names learner '{sheet.learner_id[:40]}'")
    if not signature_matches(sheet.document, paper.token):
        for other in other_papers:  # was it another learner's genuine file, re-labelled?
            original = {**sheet.document, "paper": other.id, "learner": other.learner.id, "name": other.learner.name}
            if other.id != paper.id and signature_matches(original, other.token):
                return reject(f"signed with the token of {other.learner.name}'s paper ({other.id}), "
                              f"re-labelled as {owner.name}'s")
        return reject("the signature does not match: the file was edited after it was signed, "
                      "or signed without this paper's token")
    if name_key(sheet.name) != name_key(owner.name):
        if looks_alike(sheet.name, owner.name):
            return reject(f"the name is a look-alike of {owner.name} (different letters that look the same)")
        return reject(f"the name on the file is not {owner.name}, to whom paper {paper.id} was issued")
    for p in prior:
        if p.signature == sheet.signature:
            return Verdict(Status.DUPLICATE, f"already counted as {p.name}'s attempt {p.attempt} on {p.scored_on}")
        if p.paper_id == paper.id and p.started_at == sheet.started_at:
            return Verdict(Status.DUPLICATE, f"a second copy of {p.name}'s attempt {p.attempt} "
                                             "(same paper and start time, different answers); not counted")
    shown = {q.id: q for q in paper.questions}
    for qid, (choice, _at) in sheet.answers.items():
        question = shown.get(qid)
        if question is None:
            return reject(f"question '{qid[:20]}' is not on paper {paper.id}")
        if choice is not None and choice not in dict(question.options):
            return reject(f"question {qid} has no option '{choice[:20]}' on paper {paper.id} "
                          "(answers copied from another paper?)")
    used = sum(p.learner_id == owner.id for p in prior)
    if allowed is not None and used >= allowed:
        return reject(f"over the attempt limit: {owner.name} has used {used} of {allowed} "
                      f"attempt{'s' if allowed != 1 else ''}")
    problem = timing_problem(quiz, sheet, paper, now)
    if problem:
        return reject(problem)
    responses = []
    for q in paper.questions:
        choice, _at = sheet.answers.get(q.id, (None, None))
        canonical = dict(q.options).get(choice) if choice is not None else None
        responses.append(Response(q.id, q.item_id, canonical))
    correct, total = score_responses(quiz, responses)
    return Verdict(Status.SCORED, attempt=used + 1, responses=tuple(responses), correct=correct, total=total,
                   passed=passes(correct, total, quiz.pass_mark))


def best_attempts(attempts: Iterable) -> list:
    """The attempt that counts for each learner: the most correct, the earliest of equals.

    ``attempts`` are records with ``learner_key``, ``correct`` and ``voided``,
    in the order they were taken; voided ones never count.
    """
    best: dict[str, object] = {}
    for a in attempts:
        if getattr(a, "voided", False):
            continue
        current = best.get(a.learner_key)
        if current is None or a.correct > current.correct:
            best[a.learner_key] = a
    return sorted(best.values(), key=lambda a: a.learner_key)


# -- item analysis ------------------------------------------------------


MIN_ITEM_LEARNERS = 5  # fewer learners behind an item's facility or discrimination: the figure is not shown


@dataclass(frozen=True)
class ItemStats:
    """One item's figures over the learners whose paper showed it (``responses`` of them).

    ``facility`` and ``discrimination`` are the figures as computed; ``shown_facility`` and
    ``shown_discrimination`` are what a report prints: None below ``MIN_ITEM_LEARNERS``, where
    one learner more or less swings them by 20 points or more.
    """

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
    def enough(self) -> bool:
        return self.responses >= MIN_ITEM_LEARNERS

    @property
    def shown_facility(self) -> Optional[float]:
        return self.facility if self.enough else None

    @property
    def shown_discrimination(self) -> Optional[float]:
        return self.discrimination if self.enough else None

    @property
    def note(self) -> str:
        """A hint for the manager about a question that may be broken or needs reteaching."""
        if self.question.dropped:
            return "dropped: not scored"
        if not self.responses:
            return "not on any paper scored yet"
        if not self.enough:
            return f"seen by {self.responses}: too few for figures ({MIN_ITEM_LEARNERS} needed)"
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
    """Facility, discrimination and option counts per item, over one set of choices per learner.

    Each sheet maps the items on that learner's paper to the canonical option
    chosen (None: blank or late); an item counts only for learners whose paper
    showed it. Each scores 1 (right) or 0, so facility is the share who got it
    right (Moodle's facility index / 100). The rest-of-test score is the
    learner's total on the items still scored, minus this item.
    """
    live = {q.id for q in quiz.questions if not q.dropped}
    totals = [sum(1.0 for iid, c in choices.items() if iid in live and c == quiz.key.get(iid)) for choices in sheets]
    items = []
    for q in quiz.questions:
        shown = [(choices, total) for choices, total in zip(sheets, totals) if q.id in choices]
        column = [1.0 if choices[q.id] == q.answer else 0.0 for choices, _ in shown]
        rest = [total - (x if q.id in live else 0.0) for (_, total), x in zip(shown, column)]
        counts = Counter(choices[q.id] for choices, _ in shown)
        unanswered = counts.pop(None, 0)
        items.append(ItemStats(
            question=q,
            responses=len(shown),
            correct=int(sum(column)),
            facility=_mean(column) if column else None,
            discrimination=discrimination_index(column, rest),
            option_counts=dict(counts),
            unanswered=unanswered,
        ))
    return items


@dataclass(frozen=True)
class PoolAdvice:
    """The pool is too large for the team: some items were seen by fewer than ``MIN_ITEM_LEARNERS``."""

    pool: int  # items still scored
    learners: int
    per_paper: int
    thin_items: int  # items seen by fewer than MIN_ITEM_LEARNERS
    median_seen: float
    suggested_pool: Optional[int]  # the largest pool giving each item MIN_ITEM_LEARNERS on average (None: none can)


def pool_advice(items: Sequence[ItemStats], learners: int, per_paper: int) -> Optional[PoolAdvice]:
    """A note for the report when items have too few learners for figures, with the pool size that would
    give every item at least ``MIN_ITEM_LEARNERS``: papers draw each item with the same chance, so an
    item is seen by ``learners * per_paper / pool`` learners on average."""
    live = [i for i in items if not i.question.dropped]
    thin = [i for i in live if i.responses < MIN_ITEM_LEARNERS]
    if not live or not thin or learners <= 0:
        return None
    seen = sorted(i.responses for i in live)
    middle = len(seen) // 2
    median_seen = seen[middle] if len(seen) % 2 else (seen[middle - 1] + seen[middle]) / 2
    largest = learners * per_paper // MIN_ITEM_LEARNERS
    return PoolAdvice(len(live), learners, per_paper, len(thin), median_seen,
                      largest if largest >= per_paper else None)


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
