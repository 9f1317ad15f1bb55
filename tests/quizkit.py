"""Helpers shared by the quiz tests: a roster, a quiz with its pool, papers and signed answers.

Nothing here fakes our code: papers are issued by ``issue_paper``, answers are
signed by ``answers_document``; the helpers only choose which options to pick.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Callable, Optional

from flashcards.quiz.generate import generate
from flashcards.quiz.model import Learner, Quiz
from flashcards.quiz.papers import IssuedPaper, answers_document, issue_paper, paper_document, parse_paper

START = datetime(2026, 12, 1, 10, 0, tzinfo=timezone.utc)


def make_quiz(decks, *, per_paper: Optional[int] = None, quiz_id: str = "cert-1", seed: int = 9,
              **settings) -> Quiz:
    items = generate(decks, None, None, seed, prefix="i")
    defaults = dict(id=quiz_id, title="Cert", pass_mark=75, questions=items, seed=seed,
                    deck_ids=tuple(d.id for d in decks), created_on="2026-12-01",
                    question_count=per_paper or len(items))
    defaults.update(settings)
    return Quiz(**defaults)


def learners(*names: str) -> list[Learner]:
    return [Learner(name.lower().replace(" ", "-"), name, f"{name.lower().replace(' ', '.')}@example.com")
            for name in names]


def pick(quiz: Quiz, paper: IssuedPaper, right: Callable[[int], bool]) -> dict[str, Optional[str]]:
    """Question id -> the option id on this paper: the key when ``right(n)`` (n from 0), else a wrong one."""
    choices = {}
    for n, q in enumerate(paper.questions):
        key = quiz.item(q.item_id).answer
        wanted = [shown for shown, canonical in q.options if (canonical == key) == right(n)]
        choices[q.id] = wanted[0]
    return choices


def sign_answers(quiz: Quiz, paper: IssuedPaper, choices: dict, *, started: datetime = START,
                 seconds_each: int = 20, client: str = "terminal", finished: Optional[datetime] = None) -> dict:
    """A signed answers document, each answer ``seconds_each`` after the previous one."""
    view = parse_paper(paper_document(quiz, paper))
    answers = {qid: (choice, started + timedelta(seconds=seconds_each * (n + 1)) if choice else None)
               for n, (qid, choice) in enumerate(choices.items())}
    end = finished or started + timedelta(seconds=seconds_each * (len(choices) + 1))
    return answers_document(view, answers, started=started, finished=end, client=client)


def right_answers(quiz: Quiz, paper: IssuedPaper, count: int, **kwargs) -> dict:
    return sign_answers(quiz, paper, pick(quiz, paper, lambda n: n < count), **kwargs)


__all__ = ["START", "issue_paper", "learners", "make_quiz", "pick", "right_answers", "sign_answers"]
