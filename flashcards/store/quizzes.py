"""Quiz storage: every SQL statement about quizzes, their keys, attempts and rejections.

The manager's database holds each quiz with its answer key (``quiz_questions.answer``);
papers handed to learners never do. ``QuizStore.submit`` checks and records
an answers file in one transaction, so a batch that stops half-way leaves
every file before it counted exactly once.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Iterable, Optional

from ..errors import QuizError
from ..quiz import (
    AnswerSheet, Option, PriorAttempt, Question, QuestionKind, Quiz, Status, Verdict, judge,
)
from . import Store

__all__ = ["AttemptRecord", "QuizStore", "QuizSummary", "RejectionRecord", "make_due_today"]


@dataclass(frozen=True)
class AttemptRecord:
    """One scored (counted) attempt and the options it chose."""

    id: int
    quiz_id: str
    learner: str
    learner_key: str
    attempt: int
    started_at: str
    finished_at: str
    correct: int
    total: int
    passed: bool
    digest: str
    file: str
    scored_on: str
    choices: dict[str, Optional[str]] = field(default_factory=dict)

    @property
    def percent(self) -> float:
        return 100 * self.correct / self.total if self.total else 0.0


@dataclass(frozen=True)
class RejectionRecord:
    learner: str
    file: str
    status: str
    reason: str
    scored_on: str


@dataclass(frozen=True)
class QuizSummary:
    id: str
    title: str
    created_on: str
    questions: int
    pass_mark: int
    max_attempts: Optional[int]
    time_limit: Optional[int]
    attempts: int  # attempts scored
    learners: int
    passed: int  # learners with a passing attempt

    @property
    def pass_rate(self) -> Optional[float]:
        return self.passed / self.learners if self.learners else None


_ATTEMPT_COLUMNS = """id, quiz_id, learner, learner_key, attempt, started_at, finished_at, correct, total,
    passed, digest, file, scored_on"""


class QuizStore:
    """Quizzes in one flashcards database (the manager's)."""

    def __init__(self, store: Store):
        self.store = store
        self.conn = store.db.conn

    # -- quizzes --------------------------------------------------------

    def ids(self) -> list[str]:
        return [row[0] for row in self.conn.execute("SELECT id FROM quizzes ORDER BY created_at, id")]

    def free_id(self, base: str) -> str:
        """``base``, or ``base-2``, ``base-3``... if taken."""
        taken = set(self.ids())
        candidate, n = base, 1
        while candidate in taken:
            n += 1
            candidate = f"{base}-{n}"
        return candidate

    def add(self, quiz: Quiz, *, created_at: datetime) -> None:
        """Store a quiz and its key. ``quiz.paper_checksum`` and ``created_on`` must be set."""
        if not quiz.paper_checksum or not quiz.created_on:
            raise ValueError("a stored quiz needs its paper checksum and creation day")
        with self.conn:
            if self.conn.execute("SELECT 1 FROM quizzes WHERE id = ?", (quiz.id,)).fetchone():
                raise QuizError(f"a quiz with id '{quiz.id}' already exists")
            self.conn.execute(
                """INSERT INTO quizzes (id, title, pass_mark, max_attempts, time_limit, seed, kinds, deck_ids,
                   paper_checksum, created_on, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                (quiz.id, quiz.title, quiz.pass_mark, quiz.max_attempts, quiz.time_limit, quiz.seed,
                 json.dumps([k.value for k in quiz.kinds]), json.dumps(list(quiz.deck_ids)),
                 quiz.paper_checksum, quiz.created_on, created_at.isoformat(timespec="seconds")),
            )
            self.conn.executemany(
                """INSERT INTO quiz_questions (quiz_id, position, id, kind, prompt, options, answer, deck_id,
                   entry_id, card_id, concept, tags) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                [(quiz.id, position, q.id, q.kind.value, q.prompt,
                  json.dumps([[o.id, o.text] for o in q.options], ensure_ascii=False), q.answer,
                  q.deck_id, q.entry_id, q.card_id, q.concept, json.dumps(list(q.tags)))
                 for position, q in enumerate(quiz.questions)],
            )

    def get(self, ref: str) -> Quiz:
        """The quiz with id ``ref`` (or the only one whose id starts with it)."""
        ids = self.ids()
        if ref in ids:
            quiz_id = ref
        else:
            matches = [i for i in ids if i.startswith(ref)] if ref else []
            if len(matches) != 1:
                known = ", ".join(ids) or "none created yet"
                what = "more than one quiz id starts with" if matches else "no quiz"
                raise QuizError(f"{what} '{ref}' in {self.store.path} (quizzes: {known})")
            quiz_id = matches[0]
        row = self.conn.execute(
            """SELECT id, title, pass_mark, max_attempts, time_limit, seed, kinds, deck_ids, paper_checksum,
               created_on FROM quizzes WHERE id = ?""", (quiz_id,),
        ).fetchone()
        questions = tuple(
            Question(
                id=qid, kind=QuestionKind(kind), prompt=prompt,
                options=tuple(Option(oid, text) for oid, text in json.loads(options)),
                answer=answer, deck_id=deck_id, entry_id=entry_id, card_id=card_id, concept=concept,
                tags=tuple(json.loads(tags)),
            )
            for qid, kind, prompt, options, answer, deck_id, entry_id, card_id, concept, tags in self.conn.execute(
                """SELECT id, kind, prompt, options, answer, deck_id, entry_id, card_id, concept, tags
                   FROM quiz_questions WHERE quiz_id = ? ORDER BY position""", (quiz_id,),
            )
        )
        (qid, title, pass_mark, max_attempts, time_limit, seed, kinds, deck_ids, checksum, created_on) = row
        return Quiz(
            id=qid, title=title, pass_mark=pass_mark, questions=questions, seed=seed,
            kinds=tuple(QuestionKind(k) for k in json.loads(kinds)), deck_ids=tuple(json.loads(deck_ids)),
            max_attempts=max_attempts, time_limit=time_limit, created_on=created_on, paper_checksum=checksum,
        )

    def summaries(self) -> list[QuizSummary]:
        rows = self.conn.execute(
            """SELECT q.id, q.title, q.created_on,
                 (SELECT COUNT(*) FROM quiz_questions qq WHERE qq.quiz_id = q.id),
                 q.pass_mark, q.max_attempts, q.time_limit,
                 (SELECT COUNT(*) FROM quiz_attempts a WHERE a.quiz_id = q.id),
                 (SELECT COUNT(DISTINCT a.learner_key) FROM quiz_attempts a WHERE a.quiz_id = q.id),
                 (SELECT COUNT(DISTINCT a.learner_key) FROM quiz_attempts a WHERE a.quiz_id = q.id AND a.passed)
               FROM quizzes q ORDER BY q.created_at, q.id"""
        ).fetchall()
        return [QuizSummary(*row) for row in rows]

    # -- attempts -------------------------------------------------------

    def attempts(self, quiz_id: str) -> list[AttemptRecord]:
        """Every counted attempt, with its choices, in the order they were scored."""
        choices: dict[int, dict[str, Optional[str]]] = {}
        for attempt_id, question_id, choice in self.conn.execute(
            """SELECT r.attempt_id, r.question_id, r.choice FROM quiz_responses r
               JOIN quiz_attempts a ON a.id = r.attempt_id WHERE a.quiz_id = ?""", (quiz_id,),
        ):
            choices.setdefault(attempt_id, {})[question_id] = choice
        rows = self.conn.execute(
            f"SELECT {_ATTEMPT_COLUMNS} FROM quiz_attempts WHERE quiz_id = ? ORDER BY id", (quiz_id,)
        ).fetchall()
        return [
            AttemptRecord(*row[:9], passed=bool(row[9]), digest=row[10], file=row[11], scored_on=row[12],
                          choices=choices.get(row[0], {}))
            for row in rows
        ]

    def rejections(self, quiz_id: str) -> list[RejectionRecord]:
        rows = self.conn.execute(
            "SELECT learner, file, status, reason, scored_on FROM quiz_rejections WHERE quiz_id = ? ORDER BY id",
            (quiz_id,),
        )
        return [RejectionRecord(*row) for row in rows]

    def submit(self, sheet: AnswerSheet, *, file: str, today: date, now: datetime) -> Verdict:
        """Judge an answers file against its quiz and record the outcome, in one transaction.

        A file for a quiz this database does not have raises ``QuizError``;
        anything else is returned as a ``Verdict``: scored (and counted),
        flagged as a duplicate, or rejected (both kept, with the reason, for
        the report).
        """
        if sheet.quiz_id not in self.ids():
            raise QuizError(f"unknown quiz '{sheet.quiz_id}' (not created in {self.store.path})")
        quiz = self.get(sheet.quiz_id)
        scored_at = now.isoformat(timespec="seconds")
        with self.conn:
            prior = [
                PriorAttempt(learner, key, attempt, started_at, digest, scored_on)
                for learner, key, attempt, started_at, digest, scored_on in self.conn.execute(
                    """SELECT learner, learner_key, attempt, started_at, digest, scored_on FROM quiz_attempts
                       WHERE quiz_id = ? ORDER BY id""", (quiz.id,),
                )
            ]
            verdict = judge(quiz, sheet, prior)
            if verdict.status is not Status.SCORED:
                self._reject(quiz.id, sheet.learner, file, verdict.status, verdict.reason, sheet.digest,
                             today=today, now=now)
                return verdict
            result = verdict.result
            assert result is not None
            cursor = self.conn.execute(
                """INSERT INTO quiz_attempts (quiz_id, learner, learner_key, attempt, started_at, finished_at,
                   correct, total, passed, digest, file, scored_on, scored_at)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                (quiz.id, " ".join(sheet.learner.split()), sheet.learner_key, verdict.attempt, sheet.started_at,
                 sheet.finished_at, result.correct, result.total, int(verdict.passed), sheet.digest, file,
                 today.isoformat(), scored_at),
            )
            self.conn.executemany(
                "INSERT INTO quiz_responses (attempt_id, question_id, choice, correct) VALUES (?, ?, ?, ?)",
                [(cursor.lastrowid, qid, choice, int(ok)) for qid, choice, ok in result.responses],
            )
        return verdict

    def reject(self, quiz_id: str, *, learner: str, file: str, reason: str, digest: str, today: date,
               now: datetime) -> None:
        """List a file that could not be scored (e.g. edited) in the report of the quiz it claims to answer."""
        with self.conn:
            self._reject(quiz_id, learner, file, Status.REJECTED, reason, digest, today=today, now=now)

    def _reject(self, quiz_id: str, learner: str, file: str, status: Status, reason: str, digest: str, *,
                today: date, now: datetime) -> None:
        seen = self.conn.execute(
            "SELECT 1 FROM quiz_rejections WHERE quiz_id = ? AND digest = ? AND reason = ?",
            (quiz_id, digest, reason),
        ).fetchone()
        if seen:  # the same file sent again for the same reason: listed once
            return
        self.conn.execute(
            """INSERT INTO quiz_rejections (quiz_id, learner, file, status, reason, digest, scored_on, scored_at)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?)""",
            (quiz_id, " ".join(learner.split()), file, status.value, reason, digest, today.isoformat(),
             now.isoformat(timespec="seconds")),
        )


def make_due_today(store: Store, card_ids: Iterable[str], *, today: date) -> dict[str, str]:
    """Put cards in today's review queue (a learner missed them in practice), in one transaction.

    Returns each card's outcome: ``"due"`` (now due today), ``"already due"``
    (due on or before today already), ``"retired"`` or ``"missing"`` (not in
    this database: its deck was not imported, or not since the entry was
    added). Suspended cards are made due but stay suspended.
    """
    outcome: dict[str, str] = {}
    day = today.isoformat()
    conn = store.db.conn
    with conn:
        for cid in card_ids:
            row = conn.execute(
                "SELECT c.retired, s.due FROM cards c JOIN card_state s ON s.card_id = c.id WHERE c.id = ?",
                (cid,),
            ).fetchone()
            if row is None:
                outcome[cid] = "missing"
            elif row[0]:
                outcome[cid] = "retired"
            elif row[1] is not None and row[1] <= day:
                outcome[cid] = "already due"
            else:
                conn.execute("UPDATE card_state SET due = ?, buried_until = NULL WHERE card_id = ?", (day, cid))
                outcome[cid] = "due"
    return outcome
