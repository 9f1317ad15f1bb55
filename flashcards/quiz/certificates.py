"""Certificates that expire, and the re-certification quiz for the learners whose certificates end.

A quiz created with ``valid_days`` gives certificates that end ``valid_days`` after the day they
were earned (the day of the best passing attempt, as printed on the certificate): earned on
2026-12-01 and valid 365 days, it ends on 2027-12-01. ``expiring`` picks the learners whose
certificate ends within ``within`` days of ``today`` (already ended ones included: they need it
most), leaving out those who have renewed it in a re-certification quiz and those who already
hold a paper of one they can still sit. ``recertification`` makes the new quiz: the same pool
(less dropped items) with the same settings, naming the quiz it renews.

Pure: no clock, no I/O; ``today`` is passed in.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Mapping, Optional, Sequence

from ..errors import QuizError
from .model import Quiz
from .pools import check_split

__all__ = ["Expiring", "ExpiringList", "expires_on", "expiring", "recertification", "when"]


def expires_on(earned: str, valid_days: Optional[int]) -> Optional[date]:
    """The day a certificate earned on ``earned`` (YYYY-MM-DD) ends; None if it never does or the day is
    unreadable (or the calendar cannot add the days to it)."""
    if not valid_days or not earned:
        return None
    try:
        return date.fromisoformat(earned[:10]) + timedelta(days=valid_days)
    except (ValueError, OverflowError):
        return None


@dataclass(frozen=True)
class Expiring:
    learner_id: str
    learner: str
    email: str
    team: str
    earned: str  # the day on the certificate
    expires: date
    days_left: int  # negative: ended that many days ago


@dataclass(frozen=True)
class ExpiringList:
    by: date  # the last day counted (today + within)
    due: tuple[Expiring, ...]  # to re-certify, soonest first
    renewed: Mapping[str, str]  # learner id -> the quiz they renewed it in (not in ``due``)
    pending: Mapping[str, str]  # learner id -> the re-certification quiz they can still sit (not in ``due``)


def when(days_left: int) -> str:
    """'in 12 days', 'today', 'ended 3 days ago'."""
    if days_left == 0:
        return "today"
    count = abs(days_left)
    span = f"{count} day{'s' if count != 1 else ''}"
    return f"in {span}" if days_left > 0 else f"ended {span} ago"


def expiring(rows: Sequence[Mapping], *, today: date, within: int, renewed: Mapping[str, str] = {},
             pending: Mapping[str, str] = {}) -> ExpiringList:
    """The learners of report ``rows`` (``flashcards.quiz.report.learner_rows``, with ``expires_on``)
    whose certificate ends on or before ``today + within`` days."""
    if within < 0:
        raise QuizError("--expiring takes a number of days, 0 or more")
    by = today + timedelta(days=within)
    due, skipped_renewed, skipped_pending = [], {}, {}
    for r in rows:
        ends = r.get("expires_on")
        if r.get("status") != "pass" or not ends or not r.get("learner_id"):
            continue
        ends = date.fromisoformat(ends)
        if ends > by:
            continue
        learner_id = r["learner_id"]
        if learner_id in renewed:
            skipped_renewed[learner_id] = renewed[learner_id]
        elif learner_id in pending:
            skipped_pending[learner_id] = pending[learner_id]
        else:
            due.append(Expiring(learner_id, r["learner"], r.get("email", ""), r.get("team", ""), r.get("day", ""),
                                ends, (ends - today).days))
    due.sort(key=lambda e: (e.expires, e.learner.casefold(), e.learner_id))
    return ExpiringList(by, tuple(due), skipped_renewed, skipped_pending)


def recertification(quiz: Quiz, *, quiz_id: str, title: str, today: date) -> Quiz:
    """The re-certification quiz of ``quiz``: its pool less the dropped items, its settings, ``recertifies``
    set to it. Raises ``QuizError`` when the items left cannot fill a paper."""
    live = tuple(q for q in quiz.questions if not q.dropped)
    per_paper = quiz.per_paper
    if per_paper > len(live):
        raise QuizError(f"quiz {quiz.id} has {len(live)} items left after the dropped ones, fewer than the "
                        f"{per_paper} questions of a paper")
    made = replace(quiz, id=quiz_id, title=title, questions=live, created_on=today.isoformat(),
                   question_count=per_paper, personal=True, recertifies=quiz.id)
    check_split(made)
    return made
