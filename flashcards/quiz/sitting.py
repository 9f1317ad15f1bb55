"""A served sitting's rules (``flash quiz serve``): the server's clock, one question at a time.

Pure: the store passes in the quiz, the sitting, its paper and the answers so
far, and the time *now* by the server's clock; these functions decide. Nothing
here reads a clock, a request or a database.

The rules:

- A sitting starts on the server's clock. With a time limit its deadline is
  ``started + limit``; an answer that reaches the server after
  ``deadline + SERVED_GRACE_SECONDS`` is refused, and a sitting still open then
  is closed and scored as it stands (``expired``).
- The attempt counts when the sitting starts (``start_refusal``): a learner
  with an open sitting resumes it (one in progress per learner); one who has
  used every attempt allowed cannot start another.
- Questions come one at a time in the paper's order. The current question is
  the first one not yet answered, skipped or timed out; an answer names the
  position it answers, so a second device or a double click cannot answer a
  question it was not shown.
- With a per-question limit (``Quiz.question_seconds``) an answer given more
  than ``question_seconds + SERVED_GRACE_SECONDS`` after the question was first
  shown counts as unanswered ("late"), and a question left that long is closed
  the next time the sitting is looked at.
- The finished sitting is scored by ``scoring.score_responses`` and
  ``model.passes``, the functions that score answers files.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Optional, Sequence

from .model import Quiz, passes
from .papers import IssuedPaper, IssuedQuestion
from .scoring import Response, Status, Verdict, score_responses

SERVED_GRACE_SECONDS = 5  # network slack: an answer sent at the deadline still arrives in time
ANSWERED, SKIPPED, LATE = "answered", "skipped", "late"
OPEN, FINISHED = "open", "finished"
SERVED_CLIENT = "server"


@dataclass(frozen=True)
class Sitting:
    """One served attempt, as the store keeps it. Times are the server's, timezone-aware."""

    id: str
    quiz_id: str
    learner_id: str
    paper_id: str
    attempt: int
    started_at: datetime
    deadline: Optional[datetime]
    status: str = OPEN
    finished_at: Optional[datetime] = None
    closed_by: str = ""  # "learner" (last question answered), "deadline" or "manager"

    @property
    def is_open(self) -> bool:
        return self.status == OPEN


@dataclass(frozen=True)
class ServedAnswer:
    """A question shown in a sitting; ``outcome`` None while it waits for its answer."""

    position: int
    question_id: str
    item_id: str
    shown_at: datetime
    answered_at: Optional[datetime] = None
    choice: Optional[str] = None  # the canonical option id (None: skipped, late, or not answered yet)
    outcome: Optional[str] = None

    @property
    def seconds(self) -> Optional[float]:
        """How long the learner took over it, by the server's clock (None until answered)."""
        if self.answered_at is None or self.outcome != ANSWERED:
            return None
        return (self.answered_at - self.shown_at).total_seconds()


@dataclass(frozen=True)
class Decision:
    """What an answer is worth: ``accepted`` (stored with ``outcome``/``choice``) or refused with a reason."""

    accepted: bool
    outcome: Optional[str] = None
    choice: Optional[str] = None
    reason: str = ""
    refusal: str = ""  # why refused, for code: "over", "time-up", "stale", "not-shown", "bad-option"

    @property
    def time_up(self) -> bool:
        """The sitting's deadline (and grace) has passed: close it."""
        return self.refusal == "time-up"


def deadline_for(quiz: Quiz, started: datetime) -> Optional[datetime]:
    return started + timedelta(seconds=quiz.time_limit_seconds) if quiz.time_limit_seconds else None


def hard_deadline(sitting: Sitting) -> Optional[datetime]:
    """The last moment an answer is taken: the deadline plus the grace."""
    return sitting.deadline + timedelta(seconds=SERVED_GRACE_SECONDS) if sitting.deadline else None


def expired(sitting: Sitting, now: datetime) -> bool:
    """An open sitting whose time (and grace) is over: close and score it."""
    limit = hard_deadline(sitting)
    return sitting.is_open and limit is not None and now > limit


def seconds_left(sitting: Sitting, now: datetime) -> Optional[int]:
    if sitting.deadline is None:
        return None
    return max(0, int((sitting.deadline - now).total_seconds()))


def start_refusal(quiz: Quiz, *, used: int, allowed: Optional[int]) -> Optional[str]:
    """Why a learner may not start a sitting now (None: they may). ``used`` counts their attempts so far,
    voided ones too (a voided attempt still used one; the manager gives it back with an extra attempt)."""
    if allowed is not None and used >= allowed:
        return (f"you have used {used} of {allowed} attempt{'s' if allowed != 1 else ''} allowed for this quiz; "
                "ask your manager for another")
    return None


def question_limit(quiz: Quiz, answer: ServedAnswer) -> Optional[datetime]:
    """When the per-question limit (with the grace) of a shown question ends."""
    if not quiz.question_seconds:
        return None
    return answer.shown_at + timedelta(seconds=quiz.question_seconds + SERVED_GRACE_SECONDS)


def question_seconds_left(quiz: Quiz, answer: ServedAnswer, now: datetime) -> Optional[int]:
    if not quiz.question_seconds:
        return None
    return max(0, int((answer.shown_at + timedelta(seconds=quiz.question_seconds) - now).total_seconds()))


def current_position(paper: IssuedPaper, answers: Sequence[ServedAnswer]) -> Optional[int]:
    """The position (0-based) of the question to show now; None when every question is closed."""
    closed = {a.position for a in answers if a.outcome is not None}
    for position in range(len(paper.questions)):
        if position not in closed:
            return position
    return None


def timed_out(quiz: Quiz, answers: Sequence[ServedAnswer], now: datetime) -> list[int]:
    """Positions of shown questions left unanswered past their per-question limit."""
    out = []
    for a in answers:
        limit = question_limit(quiz, a)
        if a.outcome is None and limit is not None and now > limit:
            out.append(a.position)
    return out


def judge_answer(quiz: Quiz, sitting: Sitting, paper: IssuedPaper, answers: Sequence[ServedAnswer], *,
                 position: int, shown_option: Optional[str], now: datetime) -> Decision:
    """Decide an answer (``shown_option`` None: the learner skips) to the question at ``position``."""
    if not sitting.is_open:
        return Decision(False, reason="this sitting is over: answers are no longer taken", refusal="over")
    if expired(sitting, now):
        return Decision(False, reason="time is up: this answer reached the server after the time limit and "
                                      "was not counted", refusal="time-up")
    current = current_position(paper, answers)
    if current is None or position != current:
        return Decision(False, reason="that question was already answered (on another device or tab?); "
                                      "here is the next one", refusal="stale")
    shown = next((a for a in answers if a.position == position), None)
    if shown is None:
        return Decision(False, reason="that question has not been shown yet", refusal="not-shown")
    question: IssuedQuestion = paper.questions[position]
    canonical = None
    if shown_option is not None:
        canonical = dict(question.options).get(shown_option)
        if canonical is None:
            return Decision(False, reason="that is not one of this question's options", refusal="bad-option")
    limit = question_limit(quiz, shown)
    if limit is not None and now > limit:
        return Decision(True, LATE, None, reason=f"that answer came after the {quiz.question_seconds}-second "
                                                 "limit for the question and was not counted")
    if canonical is None:
        return Decision(True, SKIPPED, None)
    return Decision(True, ANSWERED, canonical)


def verdict(quiz: Quiz, paper: IssuedPaper, answers: Sequence[ServedAnswer], *, attempt: int) -> Verdict:
    """Score a closed sitting with the functions that score answers files: a question never answered,
    skipped or late counts as wrong; late answers are counted in ``late``."""
    by_position = {a.position: a for a in answers}
    responses = []
    late = 0
    for position, q in enumerate(paper.questions):
        a = by_position.get(position)
        is_late = a is not None and a.outcome == LATE
        late += is_late
        choice = a.choice if a is not None and a.outcome == ANSWERED else None
        responses.append(Response(q.id, q.item_id, choice, is_late))
    correct, total = score_responses(quiz, responses)
    return Verdict(Status.SCORED, attempt=attempt, responses=tuple(responses), correct=correct, total=total,
                   passed=passes(correct, total, quiz.pass_mark), late=late)


@dataclass(frozen=True)
class MissedItem:
    concept: str
    prompt: str
    answer: str  # the right answer's text: shown only when the quiz says so


def missed(quiz: Quiz, result: Verdict) -> list[MissedItem]:
    """The questions a learner got wrong (dropped items left out), in paper order."""
    out = []
    for r in result.responses:
        try:
            item = quiz.item(r.item_id)
        except KeyError:
            continue
        if not item.dropped and r.choice != item.answer:
            out.append(MissedItem(item.concept, item.prompt, item.correct_option.text))
    return out


def served_digest(sitting_id: str) -> str:
    """What stands for an answers file's signature in ``quiz_attempts`` (unique per sitting)."""
    return f"served:{sitting_id}"
