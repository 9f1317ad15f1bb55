"""Scoring a batch of answers files (`flash quiz score inbox/`): each file on its own.

Every file gets one result and one line: scored, already counted, or not
counted with its reason. A file that cannot be read, or whose times cannot
be true, is recorded like any rejected file, so scoring the folder again
skips it and the quiz's report lists it under "Not counted"; one bad file
never stops the others. Files are judged in the order they were finished,
so attempt numbers follow the sittings.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Callable, Optional, Sequence

from ..errors import QuizError
from ..quiz.papers import MAX_ANSWERS_BYTES, AnswerSheet, QuizFileError, answer_files, named_quiz, read_answers
from ..quiz.scoring import Status, parse_time
from .quizzes import QuizStore


@dataclass(frozen=True)
class FileResult:
    file: str
    learner: str
    outcome: str  # "pass", "fail", "duplicate" (already counted under another file) or "rejected"
    detail: str  # the attempt and client, or why it does not count
    correct: int = 0
    total: int = 0


@dataclass
class InboxRun:
    results: list[FileResult] = field(default_factory=list)  # the new files, in the order given
    skipped: dict[str, int] = field(default_factory=lambda: {"scored": 0, "duplicate": 0, "rejected": 0})

    @property
    def rejected(self) -> int:
        return sum(r.outcome == "rejected" for r in self.results)

    @property
    def duplicates(self) -> int:
        return sum(r.outcome == "duplicate" for r in self.results)

    @property
    def counted(self) -> int:
        return sum(r.outcome in ("pass", "fail") for r in self.results)


def _head(path: Path) -> Optional[bytes]:
    try:
        with open(path, "rb") as handle:
            return handle.read(MAX_ANSWERS_BYTES + 1)
    except OSError:
        return None


def _time_key(text: str) -> tuple[int, float]:
    moment = parse_time(text)
    try:
        return (0, moment.timestamp()) if moment is not None else (1, 0.0)
    except (OverflowError, ValueError, OSError):
        return (1, 0.0)


def score_files(quizzes: QuizStore, paths: Sequence[Path], *, retry: bool, today: date,
                now: Callable[[], datetime]) -> InboxRun:
    """Judge and record each answers file of ``paths`` (folders: the files in them); see the module."""
    run = InboxRun()
    results: dict[int, FileResult] = {}
    unreadable: list[tuple[int, Path, str, str, Optional[str]]] = []  # index, file, hash, reason, quiz named
    loaded: list[tuple[int, Path, AnswerSheet]] = []
    for index, file in enumerate(answer_files(paths)):
        try:
            sheet = read_answers(file)
        except QuizFileError as exc:
            raw = _head(file)
            digest = hashlib.sha256(raw).hexdigest() if raw is not None else ""
            seen = quizzes.seen(digest) if digest else None
            if seen is not None and not retry:
                run.skipped["rejected"] += 1
                continue
            unreadable.append((index, file, digest, exc.reason, named_quiz(raw) if raw else None))
            continue
        seen = quizzes.seen(sheet.file_hash)
        if seen is not None and (seen.status != "rejected" or not retry):
            run.skipped[seen.status] += 1
            continue
        loaded.append((index, file, sheet))
    known = set(quizzes.ids())
    batch_quizzes = {sheet.quiz_id for _, _, sheet in loaded} & known
    for index, file, digest, reason, named in unreadable:
        quiz_id = named if named in known else (next(iter(batch_quizzes)) if len(batch_quizzes) == 1 else None)
        quizzes.record_unreadable(file_hash=digest, file=str(file), reason=reason, today=today, quiz_id=quiz_id,
                                  now=now())
        results[index] = FileResult(str(file), "", "rejected", reason)
    several = len({sheet.quiz_id for _, _, sheet in loaded}) > 1
    loaded.sort(key=lambda item: (_time_key(item[2].finished_at), item[0]))
    for index, file, sheet in loaded:
        try:
            verdict = quizzes.submit(sheet, file=str(file), today=today, now=now())
        except (QuizError, ArithmeticError, ValueError) as exc:  # a quiz this database did not create
            reason = str(exc) if isinstance(exc, QuizError) else f"could not be judged ({type(exc).__name__}: {exc})"
            quizzes.record_unreadable(file_hash=sheet.file_hash, file=str(file), reason=reason, today=today,
                                      quiz_id=sheet.quiz_id, now=now())
            results[index] = FileResult(str(file), sheet.name, "rejected", reason)
            continue
        if verdict.status is Status.SCORED:
            quiz_note = f" of quiz {sheet.quiz_id}" if several else ""
            results[index] = FileResult(str(file), sheet.name, "pass" if verdict.passed else "fail",
                                        f"attempt {verdict.attempt}{quiz_note} ({sheet.client})",
                                        verdict.correct, verdict.total)
        else:
            outcome = "duplicate" if verdict.status is Status.DUPLICATE else "rejected"
            results[index] = FileResult(str(file), sheet.name, outcome, verdict.reason)
    run.results = [results[i] for i in sorted(results)]
    return run
