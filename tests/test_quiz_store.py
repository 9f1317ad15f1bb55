"""Quiz storage (flashcards/store/quizzes.py) on real SQLite files: roster, papers, attempts, corrections."""

from __future__ import annotations

import dataclasses
import sqlite3
import textwrap
from datetime import date, datetime, timedelta, timezone

import pytest
from quizkit import START, issue_paper, learners, make_quiz, right_answers

from flashcards.decks import parse_deck
from flashcards.errors import QuizError
from flashcards.quiz.papers import parse_answers
from flashcards.quiz.roster import RosterRow
from flashcards.quiz.scoring import Status
from flashcards.store import Store
from flashcards.store.quizzes import QuizStore, make_due_today
from flashcards.store.schema import MIGRATIONS

DAY = date(2026, 12, 1)
NOW = datetime(2026, 12, 1, 9, 30, tzinfo=timezone.utc)  # papers issued, corrections made
SCORED = datetime(2026, 12, 1, 20, 0, tzinfo=timezone.utc)  # answers files scored (after the sittings)

DECK = """\
id: d
name: D
terms:
  - {id: a, term: Alpha, definition: First letter.}
  - {id: b, term: Beta, definition: Second letter.}
  - {id: c, term: Gamma, definition: Third letter.}
  - {id: e, term: Delta, definition: Fourth letter.}
"""


@pytest.fixture
def deck():
    deck, problems = parse_deck(textwrap.dedent(DECK), "d.yaml")
    assert not problems
    return deck


@pytest.fixture
def quiz(deck):
    return make_quiz([deck], per_paper=4, max_attempts=2, time_limit=30)


@pytest.fixture
def store(tmp_path):
    with Store.open(tmp_path / "manager.db") as s:
        yield s


@pytest.fixture
def issued(store, quiz):
    """Ann and Bob on the roster, the quiz stored with a paper for each."""
    quizzes = QuizStore(store)
    quizzes.import_roster([RosterRow(2, "Ann Lee", "ann@example.com", "East"),
                           RosterRow(3, "Bob Roe", "bob@example.com", "")], today=DAY)
    people = {learner.id: learner for learner in quizzes.roster()}
    papers = {lid: issue_paper(quiz, learner) for lid, learner in people.items()}
    quizzes.add(quiz, created_at=NOW, papers=list(papers.values()))
    return papers


def submit(store, quiz, paper, right, *, file, minutes=0, **kwargs):
    doc = right_answers(quiz, paper, right, started=START + timedelta(minutes=minutes), **kwargs)
    sheet = parse_answers(doc, file, file_hash=f"hash-{file}")
    return QuizStore(store).submit(sheet, file=file, today=DAY, now=SCORED)


def build_version(path, version):
    conn = sqlite3.connect(path)
    with conn:
        for number in range(version):
            for statement in MIGRATIONS[number]:
                conn.execute(statement)
        conn.execute(f"PRAGMA user_version = {version}")
    conn.close()


@pytest.mark.parametrize("version", range(1, len(MIGRATIONS)))
def test_every_earlier_version_migrates(tmp_path, version):
    path = tmp_path / "old.db"
    build_version(path, version)
    with Store.open(path) as s:
        assert s.schema_version == len(MIGRATIONS)
        tables = {row[0] for row in s.db.conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"quizzes", "quiz_questions", "quiz_attempts", "roster", "quiz_papers", "quiz_paper_questions",
            "quiz_audit", "quiz_files_seen"} <= tables


def test_a_quiz_from_before_personal_papers_still_reads(tmp_path):
    path = tmp_path / "v2.db"
    build_version(path, 2)
    conn = sqlite3.connect(path)
    with conn:
        conn.execute("""INSERT INTO quizzes VALUES ('old-1', 'Old', 80, 2, NULL, 1, '["what-is"]', '["d"]',
                        'sha256:x', '2026-11-01', '2026-11-01T09:00:00+00:00')""")
        conn.execute("""INSERT INTO quiz_questions VALUES ('old-1', 0, 'q01', 'what-is', 'What is a?',
                        '[["o1", "A"], ["o2", "B"], ["o3", "C"]]', 'o1', 'd', 'a', 'd/a/term', 'Alpha', '[]')""")
        conn.execute("""INSERT INTO quiz_attempts VALUES (1, 'old-1', 'Ann', 'ann', 1, 't0', 't1', 1, 1, 1, 'dg',
                        'ann.yaml', '2026-11-02', 'x')""")
        conn.execute("INSERT INTO quiz_responses VALUES (1, 'q01', 'o1', 1)")
    conn.close()
    with Store.open(path) as s:
        quizzes = QuizStore(s)
        old = quizzes.get("old-1")
        assert not old.personal and old.per_paper == 1 and old.key == {"q01": "o1"}
        [attempt] = quizzes.attempts("old-1")
        assert (attempt.learner, attempt.correct, attempt.choices, attempt.voided) == ("Ann", 1, {"q01": "o1"}, False)


def test_roster_import_keeps_ids_by_email_and_flags_lookalikes(store):
    quizzes = QuizStore(store)
    first = quizzes.import_roster([RosterRow(2, "Priya Natarajan", "priya@example.com", "East"),
                                   RosterRow(3, "Ann Lee", "ann@example.com", "")], today=DAY)
    assert [learner.id for learner in first.added] == ["priya-natarajan", "ann-lee"]
    again = quizzes.import_roster([RosterRow(2, "Priya N. Natarajan", "priya@example.com", "West"),
                                   RosterRow(3, "Ann Lee", "ann@example.com", ""),
                                   RosterRow(4, "Ann Lee", "ann.other@example.com", ""),
                                   RosterRow(5, "Priуa Natarajan", "spoof@example.com", "")],  # Cyrillic у
                                  today=DAY)
    assert [(learner.id, learner.name, learner.team) for learner in again.updated] == [
        ("priya-natarajan", "Priya N. Natarajan", "West")]
    assert again.unchanged == 1
    assert [learner.id for learner in again.added] == ["ann-lee-2", "priya-natarajan-2"]
    flagged = {frozenset((a.id, b.id)) for a, b in again.lookalikes}
    assert frozenset(("ann-lee", "ann-lee-2")) in flagged
    assert [(learner.id, why) for learner, why in again.suspicious] == [
        ("priya-natarajan-2", "mixes Latin with Cyrillic or Greek letters")]
    assert {row[0] for row in store.db.conn.execute("SELECT id FROM roster")} == {
        "priya-natarajan", "ann-lee", "ann-lee-2", "priya-natarajan-2"}


def test_quiz_and_papers_round_trip(store, quiz, issued):
    quizzes = QuizStore(store)
    assert quizzes.get("cert-1") == quiz
    assert quizzes.get("cert") == quiz  # a unique start of the id
    assert quizzes.free_id("cert-1") == "cert-1-2"
    assert {p.id: p for p in quizzes.papers("cert-1")} == {
        p.id: dataclasses.replace(p, issued_at=NOW.isoformat()) for p in issued.values()}
    paper = issued["ann-lee"]
    assert quizzes.paper(paper.id) == dataclasses.replace(paper, issued_at=NOW.isoformat())
    with pytest.raises(QuizError, match="a quiz with id 'cert-1' already exists"):
        quizzes.add(quiz, created_at=NOW)


def test_unknown_quiz_lists_the_known_ones(store, quiz):
    quizzes = QuizStore(store)
    with pytest.raises(QuizError, match=r"no quiz 'x' in .*manager.db \(quizzes: none created yet\)"):
        quizzes.get("x")
    quizzes.add(quiz, created_at=NOW)
    with pytest.raises(QuizError, match=r"\(quizzes: cert-1\)"):
        quizzes.get("x")


def test_submit_scores_once_and_keeps_the_choices(store, quiz, issued):
    ann = issued["ann-lee"]
    verdict = submit(store, quiz, ann, 3, file="ann.json")
    assert (verdict.status, verdict.attempt, verdict.passed, verdict.correct) == (Status.SCORED, 1, True, 3)
    again = submit(store, quiz, ann, 3, file="copy.json")
    assert again.status is Status.DUPLICATE
    quizzes = QuizStore(store)
    [attempt] = quizzes.attempts("cert-1")
    assert (attempt.learner, attempt.learner_id, attempt.correct, attempt.total, attempt.client) == (
        "Ann Lee", "ann-lee", 3, 4, "terminal")
    assert set(attempt.choices) == {q.item_id for q in ann.questions}
    assert sum(attempt.choices[q.item_id] == quiz.item(q.item_id).answer for q in ann.questions) == 3
    assert [(r.file, r.status) for r in quizzes.rejections("cert-1")] == [("copy.json", "duplicate")]
    assert quizzes.seen("hash-ann.json").status == "scored"
    assert quizzes.seen("hash-copy.json").status == "duplicate"


def test_a_forged_copy_of_a_sitting_cannot_block_the_genuine_one(store, quiz, issued):
    """The old digest let a forger send a file with someone's name and start time first, and the
    genuine file was then 'not counted'. A forgery now fails the signature and blocks nothing."""
    ann = issued["ann-lee"]
    genuine = right_answers(quiz, ann, 4)
    forged = {**genuine, "signature": "0" * 64}
    verdict = QuizStore(store).submit(parse_answers(forged, "forged", "h1"), file="forged", today=DAY, now=SCORED)
    assert verdict.status is Status.REJECTED and verdict.reason.startswith("the signature does not match")
    counted = QuizStore(store).submit(parse_answers(genuine, "genuine", "h2"), file="genuine", today=DAY, now=SCORED)
    assert (counted.status, counted.correct) == (Status.SCORED, 4)


def test_attempt_limit_extra_attempt_and_void(store, quiz, issued):
    bob = issued["bob-roe"]
    quizzes = QuizStore(store)
    assert submit(store, quiz, bob, 1, file="b1", minutes=0).attempt == 1
    assert submit(store, quiz, bob, 4, file="b2", minutes=40).attempt == 2
    third = submit(store, quiz, bob, 2, file="b3", minutes=80)
    assert third.status is Status.REJECTED
    assert third.reason == "over the attempt limit: Bob Roe has used 2 of 2 attempts"
    learner, allowed = quizzes.extra_attempt("cert", "bob@example.com", reason="network", today=DAY, now=NOW)
    assert (learner.id, allowed) == ("bob-roe", 3)
    assert submit(store, quiz, bob, 2, file="b3", minutes=80).attempt == 3
    # voiding the best attempt: the next best counts; the voided one still used an attempt
    assert quizzes.void("cert-1", "bob-roe", attempt=2, reason="shared screen", today=DAY, now=NOW)[1] == 2
    attempts = quizzes.attempts("cert-1")
    assert [(a.attempt, a.correct, a.voided) for a in attempts] == [(1, 1, False), (2, 4, True), (3, 2, False)]
    [summary] = quizzes.summaries()
    assert (summary.attempts, summary.learners, summary.passed) == (2, 1, 0)
    assert [(a.action, a.learner_id, a.attempt, a.reason) for a in quizzes.audit("cert-1")] == [
        ("extra-attempt", "bob-roe", None, "network"), ("void", "bob-roe", 2, "shared screen")]
    with pytest.raises(QuizError, match="Bob Roe \\(bob-roe\\) has no attempt 2 to void"):
        quizzes.void("cert-1", "bob-roe", attempt=2, today=DAY, now=NOW)
    with pytest.raises(QuizError, match="not on the roster: nobody"):
        quizzes.void("cert-1", "nobody", today=DAY, now=NOW)


def test_drop_rescores_everyone_and_is_logged(store, quiz, issued):
    ann, bob = issued["ann-lee"], issued["bob-roe"]
    submit(store, quiz, ann, 3, file="a")  # wrong on its 4th question
    submit(store, quiz, bob, 4, file="b")
    missed = ann.questions[3].item_id
    quizzes = QuizStore(store)
    item, rescored = quizzes.drop("cert-1", missed, reason="ambiguous", today=DAY, now=NOW)
    assert (item.id, rescored) == (missed, 2)
    scores = {a.learner_id: (a.correct, a.total, a.passed) for a in quizzes.attempts("cert-1")}
    assert scores["ann-lee"] == (3, 3, True)
    bob_saw = missed in {q.item_id for q in bob.questions}
    assert scores["bob-roe"] == ((3, 3, True) if bob_saw else (4, 4, True))
    assert quizzes.get("cert-1").item(missed).dropped
    assert [(a.action, a.item_id) for a in quizzes.audit("cert-1")] == [("drop", missed)]
    with pytest.raises(QuizError, match="already dropped"):
        quizzes.drop("cert-1", missed, today=DAY, now=NOW)
    with pytest.raises(QuizError, match="has no question 'i99'"):
        quizzes.drop("cert-1", "i99", today=DAY, now=NOW)


def test_submit_for_an_unknown_quiz_raises(store, quiz):
    paper = issue_paper(quiz, learners("Ann")[0])
    sheet = parse_answers(right_answers(quiz, paper, 4), "a.json")
    with pytest.raises(QuizError, match="unknown quiz 'cert-1' \\(not created in .*manager.db\\)"):
        QuizStore(store).submit(sheet, file="a.json", today=DAY, now=SCORED)


def test_make_due_today(store, deck):
    store.sync([deck], today=date(2026, 11, 1))
    conn = store.db.conn
    with conn:
        conn.execute("UPDATE card_state SET due = '2026-12-20', interval = 30 WHERE card_id = 'd/b/term'")
        conn.execute("UPDATE card_state SET due = '2026-11-20' WHERE card_id = 'd/c/term'")
        conn.execute("UPDATE cards SET retired = 1 WHERE id = 'd/e/term'")
        # due exactly today and buried until tomorrow: already due, and practice leaves it buried
        conn.execute("UPDATE card_state SET due = '2026-12-01', buried_until = '2026-12-02' "
                     "WHERE card_id = 'd/a/definition'")
    outcome = make_due_today(store, ["d/a/term", "d/b/term", "d/c/term", "d/e/term", "x/y/term", "d/a/definition"],
                             today=DAY)
    assert outcome == {"d/a/term": "due", "d/b/term": "due", "d/c/term": "already due",
                       "d/e/term": "retired", "x/y/term": "missing", "d/a/definition": "already due"}
    state = {row[0]: row[1:] for row in conn.execute("SELECT card_id, due, buried_until FROM card_state")}
    assert state["d/a/term"][0] == state["d/b/term"][0] == "2026-12-01"
    assert state["d/c/term"][0] == "2026-11-20"
    assert state["d/a/definition"] == ("2026-12-01", "2026-12-02")


def test_two_scorers_at_once_number_attempts_without_clashing(tmp_path, deck):
    """Two `flash quiz score` processes on one database: each file is judged and recorded in one
    IMMEDIATE transaction, so attempt numbers never clash and neither scorer fails."""
    import threading

    quiz = make_quiz([deck], per_paper=4)
    path = tmp_path / "manager.db"
    with Store.open(path) as s:
        quizzes = QuizStore(s)
        quizzes.import_roster([RosterRow(2, "Ann Lee", "ann@example.com", "")], today=DAY)
        paper = issue_paper(quiz, quizzes.roster()[0])
        quizzes.add(quiz, created_at=NOW, papers=[paper])
    errors: list[BaseException] = []

    def scorer(offset: int) -> None:
        try:
            with Store.open(path) as s:
                for n in range(6):
                    doc = right_answers(quiz, paper, n % 5, started=START + timedelta(minutes=10 * (2 * n + offset)))
                    QuizStore(s).submit(parse_answers(doc, "f", f"h{offset}-{n}"), file=f"f{offset}-{n}", today=DAY,
                                        now=SCORED)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=scorer, args=(k,)) for k in (0, 1)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with Store.open(path) as s:
        assert sorted(a.attempt for a in QuizStore(s).attempts("cert-1")) == list(range(1, 13))
