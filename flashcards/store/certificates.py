"""What the database says about a quiz's certificates: the report's learner rows, and who renewed
theirs (or can still sit a re-certification) in the quizzes that re-certify it.

A re-certification quiz names the quiz it renews in ``quizzes.recertifies``; a chain (A renewed by
B, B by C) is followed to its end, so a learner who passed any of them has renewed A.
"""

from __future__ import annotations

from typing import NamedTuple

from ..quiz.model import Quiz
from ..quiz.report import learner_rows
from ..quiz.scoring import best_attempts
from .quizzes import QuizStore

__all__ = ["LearnerReport", "learner_report", "recertifications", "renewals", "report_rows"]


class LearnerReport(NamedTuple):
    """A quiz's attempts, each learner's best one, one row per learner (``learner_rows``), and its papers."""

    attempts: list
    best: dict
    rows: list[dict]
    papers: list


def learner_report(quizzes: QuizStore, quiz: Quiz) -> LearnerReport:
    """What ``flash quiz report`` and the manager's report page print about the learners: one reading."""
    attempts = quizzes.attempts(quiz.id)
    papers = quizzes.papers(quiz.id)
    allowed = {p.learner.id: quizzes.allowed(quiz, p.learner.id) for p in papers}
    best = {a.learner_key: a for a in best_attempts(attempts)}
    used: dict[str, int] = {}
    for a in attempts:
        used[a.learner_key] = used.get(a.learner_key, 0) + 1
    rows = learner_rows(quiz, papers, attempts, best, used, allowed, quizzes.roster() if quiz.personal else [])
    return LearnerReport(attempts, best, rows, papers)


def report_rows(quizzes: QuizStore, quiz: Quiz) -> list[dict]:
    """One row per learner, as ``flash quiz report`` prints them (``learner_rows``)."""
    return learner_report(quizzes, quiz).rows


def recertifications(quizzes: QuizStore, quiz_id: str) -> list[str]:
    """The ids of the quizzes that renew ``quiz_id``'s certificates, directly or down a chain, oldest first."""
    found: list[str] = []
    todo = [quiz_id]
    while todo:
        current = todo.pop(0)
        for (child,) in quizzes.conn.execute(
                "SELECT id FROM quizzes WHERE recertifies = ? ORDER BY created_at, id", (current,)):
            if child not in found and child != quiz_id:
                found.append(child)
                todo.append(child)
    return found


def renewals(quizzes: QuizStore, quiz_id: str) -> tuple[dict[str, str], dict[str, str]]:
    """({learner id: the re-certification quiz they passed}, {learner id: one they hold a paper of, have not
    passed, and may still sit}) over every quiz that renews ``quiz_id``."""
    renewed: dict[str, str] = {}
    pending: dict[str, str] = {}
    for child_id in recertifications(quizzes, quiz_id):
        child = quizzes.get(child_id)
        for row in report_rows(quizzes, child):
            learner_id = row["learner_id"]
            if not learner_id:
                continue
            if row["status"] == "pass":
                renewed.setdefault(learner_id, child_id)
            elif row["status"] != "no paper":
                allowed = row["attempts_allowed"]
                if allowed == "" or row["attempts_used"] < allowed:
                    pending.setdefault(learner_id, child_id)
    for learner_id in renewed:
        pending.pop(learner_id, None)
    return renewed, pending
