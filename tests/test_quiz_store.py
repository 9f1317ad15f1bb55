"""Quiz storage (flashcards/store/quizzes.py) on real SQLite files."""

from __future__ import annotations

import sqlite3
import textwrap
from dataclasses import replace
from datetime import date, datetime, timezone

import pytest

from flashcards.decks import parse_deck
from flashcards.errors import QuizError
from flashcards.quiz import AnswerSheet, Quiz, Status, generate
from flashcards.quiz_formats import paper_checksum, seal
from flashcards.store import Store
from flashcards.store.quizzes import QuizStore, make_due_today
from flashcards.store.schema import MIGRATIONS

DAY = date(2026, 12, 1)
NOW = datetime(2026, 12, 1, 9, 30, tzinfo=timezone.utc)

DECK = """\
id: d
name: D
terms:
  - {id: a, term: Alpha, definition: First.}
  - {id: b, term: Beta, definition: Second.}
  - {id: c, term: Gamma, definition: Third.}
  - {id: e, term: Delta, definition: Fourth.}
"""


@pytest.fixture
def deck():
    deck, problems = parse_deck(textwrap.dedent(DECK), "d.yaml")
    assert not problems
    return deck


@pytest.fixture
def quiz(deck) -> Quiz:
    made = Quiz(id="cert-1", title="Cert", pass_mark=75, questions=generate([deck], 4, None, seed=9), seed=9,
                deck_ids=("d",), max_attempts=2, time_limit=30, created_on=DAY.isoformat())
    return replace(made, paper_checksum=paper_checksum(made.paper()))


@pytest.fixture
def store(tmp_path):
    with Store.open(tmp_path / "manager.db") as s:
        yield s


def sheet_for(quiz, learner, right: int, hour: int = 10) -> AnswerSheet:
    """Answers with the first ``right`` questions right and the rest wrong."""
    choices = {}
    for n, q in enumerate(quiz.questions):
        wrong = next(o.id for o in q.options if o.id != q.answer)
        choices[q.id] = q.answer if n < right else wrong
    return seal(AnswerSheet(quiz.id, quiz.paper_checksum, learner, f"2026-12-01T{hour}:00:00+00:00",
                            f"2026-12-01T{hour}:20:00+00:00", choices))


def test_migration_2_adds_quiz_tables_to_a_version_1_database(tmp_path):
    path = tmp_path / "old.db"
    conn = sqlite3.connect(path)
    with conn:
        for statement in MIGRATIONS[0]:
            conn.execute(statement)
        conn.execute("PRAGMA user_version = 1")
    conn.close()
    with Store.open(path) as s:
        assert s.schema_version == len(MIGRATIONS) >= 2
        tables = {row[0] for row in s.db.conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"quizzes", "quiz_questions", "quiz_attempts", "quiz_responses", "quiz_rejections"} <= tables


def test_quiz_round_trips_with_its_key(store, quiz):
    quizzes = QuizStore(store)
    quizzes.add(quiz, created_at=NOW)
    assert quizzes.get("cert-1") == quiz
    assert quizzes.get("cert") == quiz  # a unique start of the id
    assert quizzes.free_id("cert-1") == "cert-1-2"
    with pytest.raises(QuizError, match="a quiz with id 'cert-1' already exists"):
        quizzes.add(quiz, created_at=NOW)


def test_unknown_quiz_lists_the_known_ones(store, quiz):
    quizzes = QuizStore(store)
    with pytest.raises(QuizError, match=r"no quiz 'x' in .*manager.db \(quizzes: none created yet\)"):
        quizzes.get("x")
    quizzes.add(quiz, created_at=NOW)
    with pytest.raises(QuizError, match=r"\(quizzes: cert-1\)"):
        quizzes.get("x")


def test_submit_scores_once_and_keeps_the_choices(store, quiz):
    quizzes = QuizStore(store)
    quizzes.add(quiz, created_at=NOW)
    ann = sheet_for(quiz, "Ann Lee", right=3)
    verdict = quizzes.submit(ann, file="ann.yaml", today=DAY, now=NOW)
    assert (verdict.status, verdict.attempt, verdict.passed, verdict.result.correct) == (Status.SCORED, 1, True, 3)
    again = quizzes.submit(ann, file="copy-of-ann.yaml", today=DAY, now=NOW)
    assert again.status is Status.DUPLICATE
    quizzes.submit(ann, file="copy-of-ann.yaml", today=DAY, now=NOW)  # listed once, not twice
    [attempt] = quizzes.attempts("cert-1")
    assert (attempt.learner, attempt.correct, attempt.total, attempt.passed) == ("Ann Lee", 3, 4, True)
    assert attempt.choices == dict(ann.choices)
    assert [(r.file, r.status) for r in quizzes.rejections("cert-1")] == [("copy-of-ann.yaml", "duplicate")]


def test_attempt_limit_and_summaries(store, quiz):
    quizzes = QuizStore(store)
    quizzes.add(quiz, created_at=NOW)
    for n, right in enumerate((1, 2, 4)):
        quizzes.submit(sheet_for(quiz, " bob  ", right, hour=10 + n),
                       file=f"bob{n}.yaml", today=DAY, now=NOW)
    quizzes.submit(sheet_for(quiz, "Cy", 4), file="cy.yaml", today=DAY, now=NOW)
    assert [(a.learner, a.attempt, a.correct) for a in quizzes.attempts("cert-1")] == [
        ("bob", 1, 1), ("bob", 2, 2), ("Cy", 1, 4)]
    [rejection] = quizzes.rejections("cert-1")
    assert rejection.reason == "over the attempt limit: bob already has 2 of 2 attempts scored"
    [summary] = quizzes.summaries()
    assert (summary.questions, summary.attempts, summary.learners, summary.passed) == (4, 3, 2, 1)
    assert summary.pass_rate == 0.5


def test_submit_for_an_unknown_quiz_raises(store, quiz):
    with pytest.raises(QuizError, match="unknown quiz 'cert-1' \\(not created in .*manager.db\\)"):
        QuizStore(store).submit(sheet_for(quiz, "Ann", 4), file="a.yaml", today=DAY, now=NOW)


def test_make_due_today(store, deck):
    store.sync([deck], today=date(2026, 11, 1))
    conn = store.db.conn
    with conn:
        conn.execute("UPDATE card_state SET due = '2026-12-20', interval = 30 WHERE card_id = 'd/b/term'")
        conn.execute("UPDATE card_state SET due = '2026-11-20' WHERE card_id = 'd/c/term'")
        conn.execute("UPDATE cards SET retired = 1 WHERE id = 'd/e/term'")
    outcome = make_due_today(store, ["d/a/term", "d/b/term", "d/c/term", "d/e/term", "x/y/term"], today=DAY)
    assert outcome == {"d/a/term": "due", "d/b/term": "due", "d/c/term": "already due",
                       "d/e/term": "retired", "x/y/term": "missing"}
    state = {row[0]: row[1] for row in conn.execute("SELECT card_id, due FROM card_state")}
    assert state["d/a/term"] == state["d/b/term"] == "2026-12-01"
    assert state["d/c/term"] == "2026-11-20"
