"""Served sittings' SQL (``flash quiz serve``): invite links, sessions, sittings and their answers.

Links, sessions and the manager's token are kept as SHA-256 hashes only: a
copy of the database signs nobody in. Every write is one transaction, taken
with ``BEGIN IMMEDIATE`` so what it checks is what it writes over; an answer
is committed before the server acknowledges it (WAL, ``synchronous=NORMAL``:
a commit survives a killed process). The rules themselves (deadline, attempt
count, which question is current, scoring) are in ``flashcards.quiz.sitting``.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timezone
from typing import Iterable, Optional, Sequence

from ..errors import QuizError
from ..quiz.model import Learner, Quiz
from ..quiz.papers import IssuedPaper, issue_paper
from ..quiz.sitting import (
    ANSWERED, FINISHED, LATE, OPEN, SERVED_CLIENT, Decision, ServedAnswer, Sitting, current_position,
    deadline_for, expired, judge_answer, served_digest, start_refusal, timed_out, verdict,
)
from . import Store
from .quizzes import QuizStore

__all__ = ["LinkState", "SittingStore", "token_hash"]

TOKEN_BYTES = 32


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


def stamp(moment: datetime) -> str:
    """A server time as stored: UTC, milliseconds."""
    return moment.astimezone(timezone.utc).isoformat(timespec="milliseconds")


def _time(text: Optional[str]) -> Optional[datetime]:
    return datetime.fromisoformat(text) if text else None


@dataclass(frozen=True)
class LinkState:
    learner_id: str
    active: int  # live links
    revoked: int


_SITTING_COLUMNS = "id, quiz_id, learner_id, paper_id, attempt, started_at, deadline, status, finished_at, closed_by"


def _sitting(row) -> Sitting:
    sid, quiz_id, learner_id, paper_id, attempt, started, deadline, status, finished, closed_by = row
    return Sitting(sid, quiz_id, learner_id, paper_id, attempt, _time(started), _time(deadline), status,
                   _time(finished), closed_by or "")


class SittingStore:
    """Served sittings in one flashcards database (the manager's)."""

    def __init__(self, store: Store):
        self.store = store
        self.conn = store.db.conn
        self.quizzes = QuizStore(store)

    # -- secrets ----------------------------------------------------------------

    def secret(self, name: str, *, now: datetime) -> bytes:
        """A random 32-byte secret kept in the database under ``name`` (made on first use)."""
        row = self.conn.execute("SELECT value FROM serve_secrets WHERE name = ?", (name,)).fetchone()
        if row is None:
            with self.conn:
                self.conn.execute("INSERT OR IGNORE INTO serve_secrets (name, value, created_at) VALUES (?, ?, ?)",
                                  (name, secrets.token_hex(32), stamp(now)))
            row = self.conn.execute("SELECT value FROM serve_secrets WHERE name = ?", (name,)).fetchone()
        return bytes.fromhex(row[0])

    def new_manager_token(self, *, now: datetime) -> str:
        """A fresh manager token (its hash replaces the last one: an older manager link stops working)."""
        token = secrets.token_urlsafe(TOKEN_BYTES)
        with self.conn:
            self.conn.execute("INSERT OR REPLACE INTO serve_secrets (name, value, created_at) VALUES (?, ?, ?)",
                              ("manager-token", token_hash(token), stamp(now)))
        return token

    def manager_token_hash(self) -> Optional[str]:
        row = self.conn.execute("SELECT value FROM serve_secrets WHERE name = 'manager-token'").fetchone()
        return row[0] if row else None

    # -- invite links --------------------------------------------------------------

    def learner(self, *, learner_id: Optional[str] = None, email: Optional[str] = None) -> Optional[Learner]:
        """A roster learner by id or by e-mail (None if not on the roster)."""
        column, value = ("id", learner_id) if learner_id is not None else ("email", (email or "").casefold())
        row = self.conn.execute(f"SELECT id, name, email, team FROM roster WHERE {column} = ?", (value,)).fetchone()
        return Learner(*row) if row else None

    def has_paper(self, quiz_id: str, learner_id: str) -> bool:
        return self.conn.execute("SELECT 1 FROM quiz_papers WHERE quiz_id = ? AND learner_id = ? LIMIT 1",
                                 (quiz_id, learner_id)).fetchone() is not None

    def quiz_learners(self, quiz_id: str) -> list[Learner]:
        """Who may sit a quiz: the learners with a paper for it, by name."""
        return [Learner(*row) for row in self.conn.execute(
            """SELECT DISTINCT r.id, r.name, r.email, r.team FROM roster r JOIN quiz_papers p ON p.learner_id = r.id
               WHERE p.quiz_id = ? ORDER BY r.name_key, r.id""", (quiz_id,))]

    def invite(self, quiz_id: str, learners: Sequence[Learner], *, now: datetime) -> list[tuple[Learner, str]]:
        """A new personal link token per learner; a learner's earlier links stop working (one live link each)."""
        made = []
        with self.conn:
            self.conn.execute("BEGIN IMMEDIATE")
            for learner in learners:
                self._revoke(quiz_id, learner.id, now=now, why="replaced by a new link")
                token = secrets.token_urlsafe(TOKEN_BYTES)
                self.conn.execute(
                    "INSERT INTO quiz_invites (token_hash, quiz_id, learner_id, created_at) VALUES (?, ?, ?, ?)",
                    (token_hash(token), quiz_id, learner.id, stamp(now)))
                made.append((learner, token))
        return made

    def revoke(self, quiz_id: str, learner_id: str, *, now: datetime, why: str = "revoked by the manager",
               today: Optional[date] = None) -> int:
        """Revoke a learner's links for a quiz and end the sessions opened with them, logged in the quiz's
        audit log (on ``today``, default the day of ``now``); returns links revoked."""
        with self.conn:
            self.conn.execute("BEGIN IMMEDIATE")
            count = self._revoke(quiz_id, learner_id, now=now, why=why)
            self.conn.execute(
                """INSERT INTO quiz_audit (quiz_id, action, learner_id, reason, day, at)
                   VALUES (?, 'revoke', ?, ?, ?, ?)""",
                (quiz_id, learner_id, why if count else f"{why} (no link was live)",
                 (today or now.date()).isoformat(), stamp(now)))
            return count

    def _revoke(self, quiz_id: str, learner_id: str, *, now: datetime, why: str) -> int:
        self.conn.execute(
            """DELETE FROM quiz_sessions WHERE invite_hash IN (SELECT token_hash FROM quiz_invites
               WHERE quiz_id = ? AND learner_id = ? AND revoked_at IS NULL)""", (quiz_id, learner_id))
        return self.conn.execute(
            """UPDATE quiz_invites SET revoked_at = ?, revoked_why = ?
               WHERE quiz_id = ? AND learner_id = ? AND revoked_at IS NULL""",
            (stamp(now), why, quiz_id, learner_id)).rowcount

    def link(self, token: str) -> Optional[tuple[str, str, str]]:
        """(quiz id, learner id, token hash) of a live link; None for an unknown or revoked one."""
        digest = token_hash(token)
        row = self.conn.execute(
            "SELECT quiz_id, learner_id FROM quiz_invites WHERE token_hash = ? AND revoked_at IS NULL",
            (digest,)).fetchone()
        return (row[0], row[1], digest) if row else None

    def link_states(self, quiz_id: str) -> dict[str, LinkState]:
        return {lid: LinkState(lid, active, revoked) for lid, active, revoked in self.conn.execute(
            """SELECT learner_id, SUM(revoked_at IS NULL), SUM(revoked_at IS NOT NULL) FROM quiz_invites
               WHERE quiz_id = ? GROUP BY learner_id""", (quiz_id,))}

    # -- sessions -----------------------------------------------------------------------

    def add_session(self, session_id: str, *, quiz_id: str, learner_id: str, invite_hash: str,
                    now: datetime) -> None:
        with self.conn:
            self.conn.execute(
                "INSERT INTO quiz_sessions (id_hash, quiz_id, learner_id, invite_hash, created_at) "
                "VALUES (?, ?, ?, ?, ?)", (token_hash(session_id), quiz_id, learner_id, invite_hash, stamp(now)))

    def session(self, session_id: str) -> Optional[tuple[str, str]]:
        """(quiz id, learner id) of a session whose link is still live."""
        row = self.conn.execute(
            """SELECT s.quiz_id, s.learner_id FROM quiz_sessions s JOIN quiz_invites i ON i.token_hash = s.invite_hash
               WHERE s.id_hash = ? AND i.revoked_at IS NULL""", (token_hash(session_id),)).fetchone()
        return (row[0], row[1]) if row else None

    def end_session(self, session_id: str) -> None:
        with self.conn:
            self.conn.execute("DELETE FROM quiz_sessions WHERE id_hash = ?", (token_hash(session_id),))

    # -- sittings -------------------------------------------------------------------------

    def sitting(self, sitting_id: str) -> Optional[Sitting]:
        row = self.conn.execute(f"SELECT {_SITTING_COLUMNS} FROM quiz_sittings WHERE id = ?", (sitting_id,)).fetchone()
        return _sitting(row) if row else None

    def latest(self, quiz_id: str, learner_id: str) -> Optional[Sitting]:
        """The learner's open sitting, or else their last one."""
        row = self.conn.execute(
            f"""SELECT {_SITTING_COLUMNS} FROM quiz_sittings WHERE quiz_id = ? AND learner_id = ?
                ORDER BY status = 'open' DESC, attempt DESC LIMIT 1""", (quiz_id, learner_id)).fetchone()
        return _sitting(row) if row else None

    def sittings(self, quiz_id: str) -> list[tuple[Sitting, int]]:
        """Every sitting of a quiz with how many of its questions are closed, oldest first."""
        return [(_sitting(row[:-1]), row[-1]) for row in self.conn.execute(
            f"""SELECT {', '.join('s.' + c.strip() for c in _SITTING_COLUMNS.split(','))},
                   (SELECT COUNT(*) FROM quiz_sitting_answers a WHERE a.sitting_id = s.id AND a.outcome IS NOT NULL)
                FROM quiz_sittings s WHERE s.quiz_id = ? ORDER BY s.started_at, s.id""", (quiz_id,))]

    def used(self, quiz_id: str, learner_id: str) -> int:
        """Attempts a learner has used: counted attempts (files and finished sittings, voided ones too)
        and a sitting in progress."""
        return self.conn.execute(
            """SELECT (SELECT COUNT(*) FROM quiz_attempts WHERE quiz_id = ? AND learner_id = ?)
                    + (SELECT COUNT(*) FROM quiz_sittings WHERE quiz_id = ? AND learner_id = ? AND status = 'open')""",
            (quiz_id, learner_id, quiz_id, learner_id)).fetchone()[0]

    def start(self, quiz: Quiz, learner: Learner, *, now: datetime) -> tuple[Sitting, bool]:
        """The learner's sitting in progress, or a new one on a fresh paper (the attempt counts now).
        Returns (sitting, started now). Raises ``QuizError`` when no attempt is left."""
        with self.conn:
            self.conn.execute("BEGIN IMMEDIATE")
            row = self.conn.execute(
                f"""SELECT {_SITTING_COLUMNS} FROM quiz_sittings
                    WHERE quiz_id = ? AND learner_id = ? AND status = 'open'""", (quiz.id, learner.id)).fetchone()
            if row is not None:
                return _sitting(row), False
            refusal = start_refusal(quiz, used=self.used(quiz.id, learner.id),
                                    allowed=self.quizzes.allowed(quiz, learner.id))
            if refusal:
                raise QuizError(refusal)
            attempt = 1 + self.conn.execute(
                """SELECT MAX(
                     COALESCE((SELECT MAX(attempt) FROM quiz_attempts WHERE quiz_id = ? AND learner_id = ?), 0),
                     COALESCE((SELECT MAX(attempt) FROM quiz_sittings WHERE quiz_id = ? AND learner_id = ?), 0))""",
                (quiz.id, learner.id, quiz.id, learner.id)).fetchone()[0]
            paper = issue_paper(quiz, learner)  # a fresh draw, order and option ids for every sitting
            self.quizzes._add_paper(paper, now)
            sitting = Sitting(f"s-{secrets.token_hex(8)}", quiz.id, learner.id, paper.id, attempt, now,
                              deadline_for(quiz, now))
            self.conn.execute(
                f"INSERT INTO quiz_sittings ({_SITTING_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (sitting.id, quiz.id, learner.id, paper.id, attempt, stamp(now),
                 stamp(sitting.deadline) if sitting.deadline else None, OPEN, None, None))
        return sitting, True

    def answers(self, sitting_id: str) -> list[ServedAnswer]:
        return [ServedAnswer(position, qid, item_id, _time(shown), _time(answered), choice, outcome)
                for position, qid, item_id, shown, answered, choice, outcome in self.conn.execute(
                    """SELECT position, question_id, item_id, shown_at, answered_at, choice, outcome
                       FROM quiz_sitting_answers WHERE sitting_id = ? ORDER BY position""", (sitting_id,))]

    def view(self, quiz: Quiz, sitting: Sitting, *, now: datetime,
             today: date) -> tuple[Sitting, IssuedPaper, list[ServedAnswer], Optional[ServedAnswer]]:
        """Bring a sitting up to date by the server's clock and return it with its paper, answers and the
        question to show now (recorded as shown, at the first showing): an expired sitting is closed and
        scored, questions past their own limit are closed as late."""
        paper = self.quizzes.paper(sitting.paper_id)
        assert paper is not None
        with self.conn:
            self.conn.execute("BEGIN IMMEDIATE")
            sitting = self.sitting(sitting.id) or sitting
            answers = self.answers(sitting.id)
            if sitting.is_open:
                if expired(sitting, now):
                    sitting = self._finish(quiz, sitting, paper, answers, now=now, today=today, by="deadline")
                    return sitting, paper, answers, None
                for position in timed_out(quiz, answers, now):
                    self._close(sitting.id, position, None, LATE, now)
                answers = self.answers(sitting.id)
                position = current_position(paper, answers)
                if position is None:
                    sitting = self._finish(quiz, sitting, paper, answers, now=now, today=today, by="learner")
                    return sitting, paper, answers, None
                shown = next((a for a in answers if a.position == position), None)
                if shown is None:
                    q = paper.questions[position]
                    self.conn.execute(
                        """INSERT INTO quiz_sitting_answers (sitting_id, position, question_id, item_id, shown_at)
                           VALUES (?, ?, ?, ?, ?)""", (sitting.id, position, q.id, q.item_id, stamp(now)))
                    shown = ServedAnswer(position, q.id, q.item_id, datetime.fromisoformat(stamp(now)))
                    answers.append(shown)
                return sitting, paper, answers, shown
        return sitting, paper, answers, None

    def answer(self, quiz: Quiz, sitting_id: str, *, position: int, shown_option: Optional[str], now: datetime,
               today: date) -> tuple[Decision, Sitting]:
        """Judge and store one answer in one transaction (committed before this returns); the last one
        finishes the sitting and records the attempt. An answer after the deadline closes the sitting."""
        with self.conn:
            self.conn.execute("BEGIN IMMEDIATE")
            sitting = self.sitting(sitting_id)
            if sitting is None:
                raise QuizError("no such sitting")
            paper = self.quizzes.paper(sitting.paper_id)
            assert paper is not None
            answers = self.answers(sitting.id)
            decision = judge_answer(quiz, sitting, paper, answers, position=position, shown_option=shown_option,
                                    now=now)
            if decision.time_up:
                sitting = self._finish(quiz, sitting, paper, answers, now=now, today=today, by="deadline")
            elif decision.accepted:
                self._close(sitting.id, position, decision.choice, decision.outcome, now)
                answers = self.answers(sitting.id)
                if current_position(paper, answers) is None:
                    sitting = self._finish(quiz, sitting, paper, answers, now=now, today=today, by="learner")
        return decision, sitting

    def _close(self, sitting_id: str, position: int, choice: Optional[str], outcome: str, now: datetime) -> None:
        self.conn.execute(
            """UPDATE quiz_sitting_answers SET answered_at = ?, choice = ?, outcome = ?
               WHERE sitting_id = ? AND position = ? AND outcome IS NULL""",
            (stamp(now), choice, outcome, sitting_id, position))

    def _finish(self, quiz: Quiz, sitting: Sitting, paper: IssuedPaper, answers: Sequence[ServedAnswer], *,
                now: datetime, today: date, by: str) -> Sitting:
        """Close a sitting and count its attempt through ``QuizStore.record_attempt`` (inside the caller's
        transaction). Questions left waiting count as unanswered."""
        attempt = sitting.attempt
        taken = {row[0] for row in self.conn.execute(
            "SELECT attempt FROM quiz_attempts WHERE quiz_id = ? AND learner_key = ?", (quiz.id, sitting.learner_id))}
        if attempt in taken:  # an answers file was counted meanwhile under this number
            attempt = max(taken) + 1
        result = verdict(quiz, paper, answers, attempt=attempt)
        finished = now
        if sitting.deadline is not None and by == "deadline":
            finished = min(now, sitting.deadline)
        attempt_id = self.quizzes.record_attempt(
            quiz, paper, result, started_at=stamp(sitting.started_at), finished_at=stamp(finished),
            digest=served_digest(sitting.id), file=f"served sitting {sitting.id}", client=SERVED_CLIENT,
            today=today, now=now)
        self.conn.execute(
            "UPDATE quiz_sittings SET status = ?, finished_at = ?, closed_by = ?, attempt_id = ?, attempt = ? "
            "WHERE id = ?", (FINISHED, stamp(finished), by, attempt_id, attempt, sitting.id))
        return self.sitting(sitting.id)  # type: ignore[return-value]

    def close_expired(self, *, now: datetime, today: date) -> list[Sitting]:
        """Close and score every open sitting past its deadline (at start-up, then now and then)."""
        closed = []
        for (sitting_id,) in self.conn.execute(
                "SELECT id FROM quiz_sittings WHERE status = 'open' AND deadline IS NOT NULL").fetchall():
            sitting = self.sitting(sitting_id)
            if sitting is None or not expired(sitting, now):
                continue
            quiz = self.quizzes.get(sitting.quiz_id)
            closed.append(self.view(quiz, sitting, now=now, today=today)[0])
        return closed

    def attempt_voided(self, sitting: Sitting) -> bool:
        row = self.conn.execute("SELECT voided FROM quiz_attempts a JOIN quiz_sittings s ON s.attempt_id = a.id "
                                "WHERE s.id = ?", (sitting.id,)).fetchone()
        return bool(row and row[0])

    # -- response times (item analysis) --------------------------------------------------

    def response_times(self, quiz_id: str, attempt_ids: Optional[Iterable[int]] = None) -> dict[int, dict[str, float]]:
        """Attempt id -> item id -> seconds from shown to answered, for served sittings' answered questions
        (of the attempts given, or every attempt not voided)."""
        wanted = set(attempt_ids) if attempt_ids is not None else None
        times: dict[int, dict[str, float]] = {}
        for attempt_id, item_id, shown, answered in self.conn.execute(
            """SELECT s.attempt_id, a.item_id, a.shown_at, a.answered_at FROM quiz_sitting_answers a
               JOIN quiz_sittings s ON s.id = a.sitting_id JOIN quiz_attempts t ON t.id = s.attempt_id
               WHERE s.quiz_id = ? AND a.outcome = ? AND NOT t.voided""", (quiz_id, ANSWERED)):
            if wanted is not None and attempt_id not in wanted:
                continue
            seconds = (datetime.fromisoformat(answered) - datetime.fromisoformat(shown)).total_seconds()
            times.setdefault(attempt_id, {})[item_id] = seconds
        return times
