"""Quiz storage: every SQL statement about the roster, quizzes, papers, attempts and the audit log.

The manager's database holds each quiz with its item pool and key
(``quiz_questions``), every paper issued (its learner, secret token, and
which item and options each question shows), the attempts counted with
their responses (by item and canonical option), the files seen, and an
audit log of the manager's corrections (void, drop, extra attempt).
``QuizStore.submit`` judges and records an answers file in one transaction.

Cards are referred to by their text id ``deck/entry/kind`` only.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Iterable, Optional, Sequence

from ..errors import QuizError
from ..quiz.model import Learner, Option, Question, QuestionKind, Quiz, name_key, passes
from ..quiz.papers import AnswerSheet, IssuedPaper, IssuedQuestion
from ..quiz.roster import RosterRow, learner_id_for, lookalikes, suspicious
from ..quiz.scoring import PriorAttempt, Response, Status, Verdict, judge, score_responses
from . import Store

__all__ = ["AttemptRecord", "AuditRecord", "QuizStore", "QuizSummary", "RejectionRecord", "RosterImport",
           "make_due_today"]


@dataclass(frozen=True)
class AttemptRecord:
    """One counted attempt and the options it chose (item id -> canonical option id)."""

    id: int
    quiz_id: str
    learner: str
    learner_key: str  # the roster id (a normalised name for quizzes made before rosters)
    attempt: int
    started_at: str
    finished_at: str
    correct: int
    total: int
    passed: bool
    digest: str  # the file's signature
    file: str
    scored_on: str
    learner_id: Optional[str] = None
    paper_id: Optional[str] = None
    client: Optional[str] = None
    late: int = 0
    voided: bool = False
    choices: dict[str, Optional[str]] = field(default_factory=dict)
    late_items: frozenset[str] = frozenset()

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
class AuditRecord:
    action: str
    learner_id: Optional[str]
    item_id: Optional[str]
    attempt: Optional[int]
    reason: str
    day: str
    at: str


@dataclass(frozen=True)
class QuizSummary:
    id: str
    title: str
    created_on: str
    questions: int
    pass_mark: int
    max_attempts: Optional[int]
    time_limit: Optional[int]
    attempts: int  # attempts counted (not voided)
    learners: int
    passed: int  # learners with a passing attempt

    @property
    def pass_rate(self) -> Optional[float]:
        return self.passed / self.learners if self.learners else None


@dataclass
class RosterImport:
    added: list[Learner] = field(default_factory=list)
    updated: list[Learner] = field(default_factory=list)
    unchanged: int = 0
    lookalikes: list[tuple[Learner, Learner]] = field(default_factory=list)
    suspicious: list[tuple[Learner, str]] = field(default_factory=list)


@dataclass(frozen=True)
class SeenFile:
    status: str
    reason: str
    file: str
    seen_on: str


def _at(now: datetime) -> str:
    return now.isoformat(timespec="seconds")


class QuizStore:
    """Quizzes and the roster in one flashcards database (the manager's)."""

    def __init__(self, store: Store):
        self.store = store
        self.conn = store.db.conn

    # -- roster -------------------------------------------------------------

    def roster(self) -> list[Learner]:
        return [Learner(*row) for row in self.conn.execute(
            "SELECT id, name, email, team FROM roster ORDER BY name_key, id")]

    def import_roster(self, rows: Sequence[RosterRow], *, today: date) -> RosterImport:
        """Add or update learners, matched by e-mail (so ids stay stable); flag look-alike names."""
        report = RosterImport()
        day = today.isoformat()
        with self.conn:
            existing = {email: Learner(i, n, email, t) for i, n, email, t in self.conn.execute(
                "SELECT id, name, email, team FROM roster")}
            taken = {learner.id for learner in existing.values()}
            for row in rows:
                old = existing.get(row.email)
                if old is None:
                    learner = Learner(learner_id_for(row.name, taken), row.name, row.email, row.team)
                    taken.add(learner.id)
                    self.conn.execute(
                        """INSERT INTO roster (id, name, name_key, email, team, added_on, updated_on)
                           VALUES (?, ?, ?, ?, ?, ?, ?)""",
                        (learner.id, learner.name, name_key(learner.name), learner.email, learner.team, day, day))
                    report.added.append(learner)
                elif (old.name, old.team) != (row.name, row.team):
                    learner = Learner(old.id, row.name, old.email, row.team)
                    self.conn.execute("UPDATE roster SET name = ?, name_key = ?, team = ?, updated_on = ? WHERE id = ?",
                                      (learner.name, name_key(learner.name), learner.team, day, learner.id))
                    report.updated.append(learner)
                else:
                    report.unchanged += 1
        everyone = self.roster()
        touched = {learner.id for learner in report.added + report.updated}
        report.lookalikes = [(a, b) for a, b in lookalikes(everyone) if a.id in touched or b.id in touched]
        report.suspicious = [(learner, why) for learner in everyone
                             if learner.id in touched and (why := suspicious(learner.name))]
        return report

    def learners(self, refs: Iterable[str]) -> list[Learner]:
        """Roster learners by id or e-mail; ``QuizError`` naming any that is not on the roster."""
        everyone = self.roster()
        by_ref = {learner.id: learner for learner in everyone}
        by_ref.update({learner.email: learner for learner in everyone})
        found, unknown = [], []
        for ref in refs:
            learner = by_ref.get(ref.strip().casefold()) or by_ref.get(ref.strip())
            if learner is None:
                unknown.append(ref)
            elif learner not in found:
                found.append(learner)
        if unknown:
            raise QuizError(f"not on the roster: {', '.join(unknown)} (see 'flash quiz roster list')")
        return found

    # -- quizzes --------------------------------------------------------------

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

    def add(self, quiz: Quiz, *, created_at: datetime, papers: Sequence[IssuedPaper] = ()) -> None:
        """Store a quiz, its item pool with the key, and the papers issued, in one transaction."""
        if not quiz.created_on:
            raise ValueError("a stored quiz needs its creation day")
        with self.conn:
            if self.conn.execute("SELECT 1 FROM quizzes WHERE id = ?", (quiz.id,)).fetchone():
                raise QuizError(f"a quiz with id '{quiz.id}' already exists")
            self.conn.execute(
                """INSERT INTO quizzes (id, title, pass_mark, max_attempts, time_limit, seed, kinds, deck_ids,
                   paper_checksum, created_on, created_at, question_count, personal, question_seconds, show_answers,
                   valid_days, recertifies, private_share)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?, '', ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                (quiz.id, quiz.title, quiz.pass_mark, quiz.max_attempts, quiz.time_limit, quiz.seed,
                 json.dumps([k.value for k in quiz.kinds]), json.dumps(list(quiz.deck_ids)),
                 quiz.created_on, _at(created_at), quiz.question_count, int(quiz.personal),
                 quiz.question_seconds, int(quiz.show_answers), quiz.valid_days, quiz.recertifies,
                 quiz.private_share),
            )
            self.conn.executemany(
                """INSERT INTO quiz_questions (quiz_id, position, id, kind, prompt, options, answer, deck_id,
                   entry_id, card_id, concept, tags, private) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                [(quiz.id, position, q.id, q.kind.value, q.prompt,
                  json.dumps([[o.id, o.text] for o in q.options], ensure_ascii=False), q.answer,
                  q.deck_id, q.entry_id, q.card_id, q.concept, json.dumps(list(q.tags)), int(q.private))
                 for position, q in enumerate(quiz.questions)],
            )
            for paper in papers:
                self._add_paper(paper, created_at)

    def add_papers(self, papers: Sequence[IssuedPaper], *, now: datetime) -> None:
        """Record more papers for an existing quiz (a learner added later, a replacement)."""
        with self.conn:
            for paper in papers:
                self._add_paper(paper, now)

    def _add_paper(self, paper: IssuedPaper, now: datetime) -> None:
        self.conn.execute(
            "INSERT INTO quiz_papers (id, quiz_id, learner_id, token, issued_on, issued_at) VALUES (?, ?, ?, ?, ?, ?)",
            (paper.id, paper.quiz_id, paper.learner.id, paper.token, now.date().isoformat(), _at(now)))
        self.conn.executemany(
            "INSERT INTO quiz_paper_questions (paper_id, position, id, item_id, options) VALUES (?, ?, ?, ?, ?)",
            [(paper.id, position, q.id, q.item_id, json.dumps([list(pair) for pair in q.options]))
             for position, q in enumerate(paper.questions)])

    def resolve(self, ref: str) -> str:
        """The id of the quiz ``ref`` names (its id, or the only id starting with it)."""
        ids = self.ids()
        if ref in ids:
            return ref
        matches = [i for i in ids if i.startswith(ref)] if ref else []
        if len(matches) != 1:
            known = ", ".join(ids) or "none created yet"
            what = "more than one quiz id starts with" if matches else "no quiz"
            raise QuizError(f"{what} '{ref}' in {self.store.path} (quizzes: {known})")
        return matches[0]

    def get(self, ref: str) -> Quiz:
        """The quiz with id ``ref`` (or the only one whose id starts with it)."""
        quiz_id = self.resolve(ref)
        row = self.conn.execute(
            """SELECT id, title, pass_mark, max_attempts, time_limit, seed, kinds, deck_ids, created_on,
               question_count, personal, question_seconds, show_answers, valid_days, recertifies, private_share
               FROM quizzes WHERE id = ?""", (quiz_id,),
        ).fetchone()
        questions = tuple(
            Question(
                id=qid, kind=QuestionKind(kind), prompt=prompt,
                options=tuple(Option(oid, text) for oid, text in json.loads(options)),
                answer=answer, deck_id=deck_id, entry_id=entry_id, card_id=card_id, concept=concept,
                tags=tuple(json.loads(tags)), dropped=bool(dropped), private=bool(private),
            )
            for qid, kind, prompt, options, answer, deck_id, entry_id, card_id, concept, tags, dropped, private
            in self.conn.execute(
                """SELECT id, kind, prompt, options, answer, deck_id, entry_id, card_id, concept, tags, dropped,
                   private FROM quiz_questions WHERE quiz_id = ? ORDER BY position""", (quiz_id,),
            )
        )
        (qid, title, pass_mark, max_attempts, time_limit, seed, kinds, deck_ids, created_on, count, personal,
         question_seconds, show_answers, valid_days, recertifies, private_share) = row
        return Quiz(
            id=qid, title=title, pass_mark=pass_mark, questions=questions, seed=seed,
            kinds=tuple(QuestionKind(k) for k in json.loads(kinds)), deck_ids=tuple(json.loads(deck_ids)),
            max_attempts=max_attempts, time_limit=time_limit, created_on=created_on, question_count=count,
            personal=bool(personal), question_seconds=question_seconds, show_answers=bool(show_answers),
            valid_days=valid_days, recertifies=recertifies, private_share=private_share,
        )

    def summaries(self) -> list[QuizSummary]:
        rows = self.conn.execute(
            """SELECT q.id, q.title, q.created_on,
                 COALESCE(q.question_count, (SELECT COUNT(*) FROM quiz_questions qq WHERE qq.quiz_id = q.id)),
                 q.pass_mark, q.max_attempts, q.time_limit,
                 (SELECT COUNT(*) FROM quiz_attempts a WHERE a.quiz_id = q.id AND NOT a.voided),
                 (SELECT COUNT(DISTINCT a.learner_key) FROM quiz_attempts a WHERE a.quiz_id = q.id AND NOT a.voided),
                 (SELECT COUNT(DISTINCT a.learner_key) FROM quiz_attempts a
                  WHERE a.quiz_id = q.id AND a.passed AND NOT a.voided)
               FROM quizzes q ORDER BY q.created_at, q.id"""
        ).fetchall()
        return [QuizSummary(*row) for row in rows]

    # -- papers ---------------------------------------------------------------

    def _papers(self, where: str, args: tuple) -> list[IssuedPaper]:
        rows = self.conn.execute(
            f"""SELECT p.id, p.quiz_id, p.token, r.id, r.name, r.email, r.team, p.issued_at FROM quiz_papers p
                JOIN roster r ON r.id = p.learner_id WHERE {where} ORDER BY p.issued_at, p.rowid""", args,
        ).fetchall()
        questions: dict[str, list[IssuedQuestion]] = {}
        ids = [row[0] for row in rows]
        for start in range(0, len(ids), 500):
            chunk = ids[start:start + 500]
            for paper_id, qid, item_id, options in self.conn.execute(
                f"""SELECT paper_id, id, item_id, options FROM quiz_paper_questions
                    WHERE paper_id IN ({','.join('?' * len(chunk))}) ORDER BY paper_id, position""", chunk,
            ):
                questions.setdefault(paper_id, []).append(
                    IssuedQuestion(qid, item_id, tuple(tuple(pair) for pair in json.loads(options))))
        return [IssuedPaper(pid, quiz_id, Learner(lid, name, email, team), token, tuple(questions.get(pid, ())),
                            issued_at=issued_at)
                for pid, quiz_id, token, lid, name, email, team, issued_at in rows]

    def papers(self, quiz_id: str) -> list[IssuedPaper]:
        return self._papers("p.quiz_id = ?", (quiz_id,))

    def paper(self, paper_id: str) -> Optional[IssuedPaper]:
        found = self._papers("p.id = ?", (paper_id,))
        return found[0] if found else None

    # -- attempts ---------------------------------------------------------------

    def attempts(self, quiz_id: str) -> list[AttemptRecord]:
        """Every counted attempt (voided ones too, marked), with its choices, in the order scored."""
        choices: dict[int, dict[str, Optional[str]]] = {}
        late: dict[int, set[str]] = {}
        for attempt_id, item_id, choice, was_late in self.conn.execute(
            """SELECT r.attempt_id, COALESCE(r.item_id, r.question_id), r.choice, r.late FROM quiz_responses r
               JOIN quiz_attempts a ON a.id = r.attempt_id WHERE a.quiz_id = ?""", (quiz_id,),
        ):
            choices.setdefault(attempt_id, {})[item_id] = choice
            if was_late:
                late.setdefault(attempt_id, set()).add(item_id)
        rows = self.conn.execute(
            """SELECT id, quiz_id, learner, learner_key, attempt, started_at, finished_at, correct, total, passed,
                      digest, file, scored_on, learner_id, paper_id, client, late, voided
               FROM quiz_attempts WHERE quiz_id = ? ORDER BY id""", (quiz_id,)
        ).fetchall()
        return [
            AttemptRecord(*row[:9], passed=bool(row[9]), digest=row[10], file=row[11], scored_on=row[12],
                          learner_id=row[13], paper_id=row[14], client=row[15], late=row[16], voided=bool(row[17]),
                          choices=choices.get(row[0], {}), late_items=frozenset(late.get(row[0], ())))
            for row in rows
        ]

    def rejections(self, quiz_id: str) -> list[RejectionRecord]:
        """Files not counted for this quiz (rejected or already counted), then files that could not be
        tied to any quiz (unreadable, or naming a quiz this database lacks) seen since it was created."""
        rows = self.conn.execute(
            "SELECT learner, file, status, reason, scored_on FROM quiz_rejections WHERE quiz_id = ? ORDER BY id",
            (quiz_id,),
        ).fetchall()
        rows += self.conn.execute(
            """SELECT '', s.file, s.status, s.reason, s.seen_on FROM quiz_files_seen s, quizzes q
               WHERE q.id = ? AND s.quiz_id IS NULL AND s.status = 'rejected' AND s.seen_on >= q.created_on
               ORDER BY s.seen_on, s.file""", (quiz_id,),
        ).fetchall()
        return [RejectionRecord(*row) for row in rows]

    def seen(self, file_hash: str) -> Optional[SeenFile]:
        """What happened to a file with these exact bytes before (None: never seen)."""
        row = self.conn.execute("SELECT status, reason, file, seen_on FROM quiz_files_seen WHERE file_hash = ?",
                                (file_hash,)).fetchone()
        return SeenFile(*row) if row else None

    def record_unreadable(self, *, file_hash: str, file: str, reason: str, today: date,
                          quiz_id: Optional[str] = None, now: Optional[datetime] = None) -> None:
        """Remember a file that could not be read or judged, so re-scoring a folder skips it; with the
        ``quiz_id`` it names (when that quiz is here), it is listed in that quiz's report."""
        if quiz_id is not None and quiz_id not in self.ids():
            quiz_id = None
        with self.conn:
            self._seen(file_hash, quiz_id, Status.REJECTED, reason, file, today)
            if quiz_id is not None and now is not None:
                self._reject(quiz_id, "", file, Status.REJECTED, reason, file_hash or f"file:{file}",
                             today=today, now=now)

    def _seen(self, file_hash: str, quiz_id: Optional[str], status: Status, reason: str, file: str,
              today: date) -> None:
        if file_hash:
            self.conn.execute(
                """INSERT OR REPLACE INTO quiz_files_seen (file_hash, quiz_id, status, reason, file, seen_on)
                   VALUES (?, ?, ?, ?, ?, ?)""", (file_hash, quiz_id, status.value, reason, file, today.isoformat()))

    def allowed(self, quiz: Quiz, learner_id: str) -> Optional[int]:
        """Attempts this learner may have: the quiz's limit plus extra attempts granted (None: no limit)."""
        if quiz.max_attempts is None:
            return None
        extra = self.conn.execute(
            "SELECT COUNT(*) FROM quiz_audit WHERE quiz_id = ? AND action = 'extra-attempt' AND learner_id = ?",
            (quiz.id, learner_id)).fetchone()[0]
        return quiz.max_attempts + extra

    def submit(self, sheet: AnswerSheet, *, file: str, today: date, now: datetime) -> Verdict:
        """Judge an answers file against its quiz and paper and record the outcome, in one transaction.

        A file for a quiz this database does not have raises ``QuizError``;
        anything else is returned as a ``Verdict``: scored (and counted),
        already counted, or rejected (both listed in the report with the reason).
        """
        if sheet.quiz_id not in self.ids():
            raise QuizError(f"unknown quiz '{sheet.quiz_id[:60]}' (not created in {self.store.path})")
        quiz = self.get(sheet.quiz_id)
        with self.conn:
            # IMMEDIATE: a second `flash quiz score` on the same database waits, so two files of one
            # learner scored at once cannot both become the same attempt number
            self.conn.execute("BEGIN IMMEDIATE")
            paper = self.paper(sheet.paper_id)
            if paper is not None and paper.quiz_id != quiz.id:
                paper = None
            prior = [
                PriorAttempt(*row) for row in self.conn.execute(
                    """SELECT COALESCE(learner_id, learner_key), learner, attempt, COALESCE(paper_id, ''), started_at,
                       digest, scored_on FROM quiz_attempts WHERE quiz_id = ? ORDER BY id""", (quiz.id,))
            ]
            others = self.papers(quiz.id) if paper is not None else []
            allowed = self.allowed(quiz, paper.learner.id) if paper is not None else None
            verdict = judge(quiz, sheet, paper, prior, allowed=allowed, other_papers=others, now=now)
            if verdict.status is not Status.SCORED:
                learner = paper.learner.name if paper is not None else sheet.name
                self._reject(quiz.id, learner, file, verdict.status, verdict.reason, sheet.signature,
                             today=today, now=now)
                self._seen(sheet.file_hash, quiz.id, verdict.status, verdict.reason, file, today)
                return verdict
            assert paper is not None
            self.record_attempt(quiz, paper, verdict, started_at=sheet.started_at, finished_at=sheet.finished_at,
                                digest=sheet.signature, file=file, client=sheet.client, today=today, now=now)
            self._seen(sheet.file_hash, quiz.id, Status.SCORED, "", file, today)
        return verdict

    def record_attempt(self, quiz: Quiz, paper: IssuedPaper, verdict: Verdict, *, started_at: str, finished_at: str,
                       digest: str, file: str, client: str, today: date, now: datetime) -> int:
        """Insert a scored attempt and its responses (inside the caller's transaction); returns its row id.

        The one way an attempt is counted: answers files (``submit``) and served
        sittings (``store.sittings``) both come here, so reports, certificates,
        item analysis and ``drop`` treat them alike.
        """
        cursor = self.conn.execute(
            """INSERT INTO quiz_attempts (quiz_id, learner, learner_key, attempt, started_at, finished_at,
               correct, total, passed, digest, file, scored_on, scored_at, learner_id, paper_id, client, late)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            (quiz.id, paper.learner.name, paper.learner.id, verdict.attempt, started_at, finished_at,
             verdict.correct, verdict.total, int(verdict.passed), digest, file, today.isoformat(), _at(now),
             paper.learner.id, paper.id, client, verdict.late),
        )
        self.conn.executemany(
            """INSERT INTO quiz_responses (attempt_id, question_id, choice, correct, item_id, late)
               VALUES (?, ?, ?, ?, ?, ?)""",
            [(cursor.lastrowid, r.question_id, r.choice, int(r.choice == quiz.key.get(r.item_id)), r.item_id,
              int(r.late)) for r in verdict.responses],
        )
        return int(cursor.lastrowid)

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
            (quiz_id, " ".join(learner.split()), file, status.value, reason, digest, today.isoformat(), _at(now)),
        )

    # -- the manager's corrections (each one logged) ----------------------------

    def _log(self, quiz_id: str, action: str, *, learner_id: Optional[str] = None, item_id: Optional[str] = None,
             attempt: Optional[int] = None, reason: str, today: date, now: datetime) -> None:
        self.conn.execute(
            """INSERT INTO quiz_audit (quiz_id, action, learner_id, item_id, attempt, reason, day, at)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?)""",
            (quiz_id, action, learner_id, item_id, attempt, reason, today.isoformat(), _at(now)))

    def audit(self, quiz_id: str) -> list[AuditRecord]:
        return [AuditRecord(*row) for row in self.conn.execute(
            """SELECT action, learner_id, item_id, attempt, reason, day, at FROM quiz_audit
               WHERE quiz_id = ? ORDER BY id""", (quiz_id,))]

    def _learner_on_quiz(self, quiz_id: str, ref: str) -> Learner:
        learner = self.learners([ref])[0]
        if not self.conn.execute("SELECT 1 FROM quiz_papers WHERE quiz_id = ? AND learner_id = ?",
                                 (quiz_id, learner.id)).fetchone():
            raise QuizError(f"{learner.name} ({learner.id}) has no paper for quiz {quiz_id}")
        return learner

    def void(self, quiz_ref: str, learner_ref: str, *, attempt: Optional[int] = None, reason: str = "",
             today: date, now: datetime) -> tuple[Learner, int]:
        """Void a learner's attempt (the latest counted one by default): it no longer counts for a result,
        but still uses one of the attempts allowed (give one back with ``extra_attempt``)."""
        quiz_id = self.resolve(quiz_ref)
        learner = self._learner_on_quiz(quiz_id, learner_ref)
        with self.conn:
            rows = self.conn.execute(
                "SELECT id, attempt FROM quiz_attempts WHERE quiz_id = ? AND learner_id = ? AND NOT voided "
                "ORDER BY attempt", (quiz_id, learner.id)).fetchall()
            if attempt is not None:
                rows = [r for r in rows if r[1] == attempt]
            if not rows:
                which = f"attempt {attempt}" if attempt is not None else "counted attempt"
                raise QuizError(f"{learner.name} ({learner.id}) has no {which} to void in quiz {quiz_id}")
            row_id, number = rows[-1]
            self.conn.execute("UPDATE quiz_attempts SET voided = 1 WHERE id = ?", (row_id,))
            self._log(quiz_id, "void", learner_id=learner.id, attempt=number, reason=reason, today=today, now=now)
        return learner, number

    def extra_attempt(self, quiz_ref: str, learner_ref: str, *, reason: str = "", today: date,
                      now: datetime) -> tuple[Learner, Optional[int]]:
        """Allow a learner one more attempt than the quiz's limit; returns the learner and the new allowance."""
        quiz = self.get(quiz_ref)
        learner = self._learner_on_quiz(quiz.id, learner_ref)
        with self.conn:
            self._log(quiz.id, "extra-attempt", learner_id=learner.id, reason=reason, today=today, now=now)
        return learner, self.allowed(quiz, learner.id)

    def drop(self, quiz_ref: str, item_id: str, *, reason: str = "", today: date,
             now: datetime) -> tuple[Question, int]:
        """Remove an item from scoring and re-score every attempt; returns the item and the attempts re-scored."""
        quiz = self.get(quiz_ref)
        try:
            item = quiz.item(item_id)
        except KeyError:
            raise QuizError(f"quiz {quiz.id} has no question '{item_id}' (items are {quiz.questions[0].id} to "
                            f"{quiz.questions[-1].id}; see 'flash quiz report {quiz.id}')") from None
        if item.dropped:
            raise QuizError(f"question {item_id} of quiz {quiz.id} is already dropped")
        with self.conn:
            self.conn.execute("UPDATE quiz_questions SET dropped = 1 WHERE quiz_id = ? AND id = ?", (quiz.id, item_id))
            rescored = self._rescore(self.get(quiz.id))
            self._log(quiz.id, "drop", item_id=item_id, reason=reason, today=today, now=now)
        return item, rescored

    def _rescore(self, quiz: Quiz) -> int:
        responses: dict[int, list[Response]] = {}
        for attempt_id, qid, item_id, choice in self.conn.execute(
            """SELECT r.attempt_id, r.question_id, COALESCE(r.item_id, r.question_id), r.choice FROM quiz_responses r
               JOIN quiz_attempts a ON a.id = r.attempt_id WHERE a.quiz_id = ?""", (quiz.id,)):
            responses.setdefault(attempt_id, []).append(Response(qid, item_id, choice))
        for attempt_id, given in responses.items():
            correct, total = score_responses(quiz, given)
            self.conn.execute("UPDATE quiz_attempts SET correct = ?, total = ?, passed = ? WHERE id = ?",
                              (correct, total, int(passes(correct, total, quiz.pass_mark)), attempt_id))
        return len(responses)


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
