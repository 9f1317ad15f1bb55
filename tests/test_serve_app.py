"""The quiz server in process (Starlette's TestClient over the real app and a real SQLite file):
a sitting from link to result, the server's clock, devices, attempts, limits and the manager's page."""

from __future__ import annotations

import re
import warnings

import pytest
from conftest import rows
from servekit import DAY, Clock, LearnerClient, manager_db, manager_token, read_page

from flashcards.quiz.server import ServeSettings, create_app
from flashcards.quiz.sitting import SERVED_GRACE_SECONDS
from flashcards.store import Store
from flashcards.store.quizzes import QuizStore
from flashcards.store.sittings import SittingStore

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # Starlette asks for httpx2, which is not in our stack
    from starlette.testclient import TestClient


@pytest.fixture
def db(tmp_path):
    return tmp_path / "manager.db"


@pytest.fixture
def served(db):
    """Factory: (quiz, {learner id: link token}, clock, client) for a database made with ``manager_db(**kw)``."""
    opened = []

    def make(**kw):
        quiz, tokens = manager_db(db, **kw)
        clock = Clock()
        client = TestClient(create_app(db, ServeSettings(today=DAY), clock=clock))
        client.__enter__()
        opened.append(client)
        return quiz, tokens, clock, client

    yield make
    for client in opened:
        client.__exit__(None, None, None)


def sitting_key(db, learner_id):
    """The shown id of the right option at each position of the learner's latest sitting (the manager's side)."""
    with Store.open(db) as store:
        sitting = SittingStore(store).latest("cert-1", learner_id)
        quizzes = QuizStore(store)
        quiz, paper = quizzes.get("cert-1"), quizzes.paper(sitting.paper_id)
    return [next(s for s, c in q.options if c == quiz.item(q.item_id).answer) for q in paper.questions], paper, quiz


def assert_no_key_and_no_later_question(learner: LearnerClient, db, learner_id):
    """No response the learner received holds an item id, a canonical option id, the paper's token, or the
    prompt of a question after the one it shows."""
    key, paper, quiz = sitting_key(db, learner_id)
    prompts = [" ".join(quiz.item(q.item_id).prompt.split()) for q in paper.questions]
    with Store.open(db) as store:
        token = QuizStore(store).paper(paper.id).token
    for response in learner.responses:
        body = response.text
        assert not re.search(r"\bi\d{2}\b", body), "an item id reached the learner"
        assert not re.search(r"[\"'=]o\d\b", body), "a canonical option id reached the learner"
        assert token not in body
        page = read_page(response.status_code, body)
        number = re.search(r"question (\d+) of", page.text)
        if number:
            shown = int(number.group(1))
            assert prompts[shown - 1] in page.text
            for later in prompts[shown:]:
                if later != prompts[shown - 1]:
                    assert later not in page.text


def test_a_sitting_from_link_to_result(served, db, invoke):
    quiz, tokens, clock, client = served()
    ann = LearnerClient(client)
    signed_in = ann.get(f"/i/{tokens['learner-01']}")
    assert signed_in.status == 200 and signed_in.refresh == "/q/cert-1/"  # the URL moved to holds no token
    cookie = ann.responses[-1].headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie.replace("Strict", "strict")
    assert "Secure" not in cookie  # plain HTTP on localhost
    start = ann.get(signed_in.refresh)
    assert "Start the quiz" in start.text and "Attempts used: 0 of 2" in start.text
    page = ann.start()
    key, paper, _ = sitting_key(db, "learner-01")
    for position in range(4):
        assert f"question {position + 1} of 4" in page.text
        assert f"{10 - (12 * position + 59) // 60}:{(-12 * position) % 60:02d} left" in page.text
        assert len(page.options) == 4 and page.field("position") == str(position)
        clock.advance(12)
        wrong = next(option for option, _ in page.options if option != key[position])
        page = ann.answer(page, option=key[position] if position < 3 else wrong)
    assert page.status == 200
    assert "Passed: 3 of 4 (75%); pass mark 75%." in page.text
    assert "To review (1)" in page.text and "Answer:" not in page.text
    assert_no_key_and_no_later_question(ann, db, "learner-01")
    # stored with the server's times, and counted like a scored file
    answers = rows(db, "SELECT position, shown_at, answered_at, outcome FROM quiz_sitting_answers ORDER BY position")
    assert [a[1:3] for a in answers][0] == ("2026-12-01T09:00:00.000+00:00", "2026-12-01T09:00:12.000+00:00")
    assert [a[3] for a in answers] == ["answered"] * 4
    assert rows(db, "SELECT learner_id, attempt, correct, total, passed, client FROM quiz_attempts") == [
        ("learner-01", 1, 3, 4, 1, "server")]
    result = invoke("quiz", "report", "cert-1", "--db", db, "--today", "2026-12-02", "--certificates", db.parent / "c")
    assert result.exit_code == 0, result.output
    assert re.search(r"Learner 01 .* pass .* 75% .* 3/4 .* 1 of 2 .* server", result.stdout.replace("\t", "  "))
    assert (db.parent / "c" / "cert-1--learner-01.html").exists()


def test_an_answer_after_the_deadline_is_refused_and_the_sitting_scored(served, db):
    quiz, tokens, clock, client = served(time_limit=1)
    ann = LearnerClient(client, tokens["learner-01"])
    page = ann.start()
    key, _, _ = sitting_key(db, "learner-01")
    page = ann.answer(page, option=key[0])
    clock.advance(60 + SERVED_GRACE_SECONDS + 1)
    refused = ann.answer(page, option=key[1])
    assert refused.status == 409 and "time is up" in refused.text
    assert rows(db, "SELECT position, outcome FROM quiz_sitting_answers ORDER BY position") == [
        (0, "answered"), (1, None)]
    assert rows(db, "SELECT status, closed_by, finished_at FROM quiz_sittings") == [
        ("finished", "deadline", "2026-12-01T09:01:00.000+00:00")]
    assert rows(db, "SELECT correct, total FROM quiz_attempts") == [(1, 4)]
    result = ann.page()
    assert "Time ran out" in result.text and "1 of 4" in result.text


def test_a_sitting_left_open_is_closed_at_startup_and_on_the_next_request(served, db):
    quiz, tokens, clock, client = served(time_limit=1)
    LearnerClient(client, tokens["learner-01"]).start()
    bob = LearnerClient(client, tokens["learner-02"])
    bob.start()
    client.__exit__(None, None, None)
    clock.advance(3600)
    with TestClient(create_app(db, ServeSettings(today=DAY), clock=clock)):
        pass  # start-up alone closes both
    assert rows(db, "SELECT learner_id, status, closed_by FROM quiz_sittings ORDER BY learner_id") == [
        ("learner-01", "finished", "deadline"), ("learner-02", "finished", "deadline")]
    assert rows(db, "SELECT COUNT(*), SUM(correct) FROM quiz_attempts") == [(2, 0)]


def test_a_second_device_and_a_reload_resume_the_same_attempt_with_its_clock(served, db):
    quiz, tokens, clock, client = served()
    phone = LearnerClient(client, tokens["learner-01"])
    first = phone.start()
    clock.advance(30)
    again = phone.page()  # a reload shows the same question, shown at the same time
    assert again.options == first.options and again.field("position") == "0"
    assert rows(db, "SELECT shown_at FROM quiz_sitting_answers") == [("2026-12-01T09:00:00.000+00:00",)]
    phone.answer(again, 1)
    clock.advance(90)
    laptop = LearnerClient(client, tokens["learner-01"])  # new cookie jar, the same link
    resumed = laptop.page()
    assert "question 2 of 4" in resumed.text and "8:00 left" in resumed.text
    assert phone.jar.get("flash_session") != laptop.jar.get("flash_session")
    laptop.answer(resumed, 0)
    stale = phone.answer(first, 2)  # the phone's old page answers question 1 again: not taken
    assert "already answered" in stale.text and "question 3 of 4" in stale.text
    assert rows(db, "SELECT COUNT(*), MAX(attempt) FROM quiz_sittings") == [(1, 1)]
    assert rows(db, "SELECT COUNT(*) FROM quiz_sitting_answers WHERE outcome IS NOT NULL") == [(2,)]


def test_attempts_count_at_start_and_an_extra_attempt_reopens(served, db, invoke):
    quiz, tokens, clock, client = served(max_attempts=1)
    ann = LearnerClient(client, tokens["learner-01"])
    page = ann.start()
    first_options = page.options
    for _ in range(4):
        page = ann.answer(page, None)
    assert "Not passed: 0 of 4" in page.text and "Start another attempt" not in page.text
    refused = ann.post("/q/cert-1/start", {"csrf": page.field("csrf")})
    assert refused.status == 409 and "used 1 of 1 attempt" in refused.text
    result = invoke("quiz", "extra-attempt", "cert-1", "learner-01", "--reason", "network", "--db", db,
                    "--today", "2026-12-01")
    assert result.exit_code == 0, result.output
    again = ann.start()
    assert "question 1 of 4" in again.text
    assert {o for o, _ in again.options}.isdisjoint(o for o, _ in first_options)  # a fresh paper per sitting
    assert rows(db, "SELECT attempt, status FROM quiz_sittings ORDER BY attempt") == [(1, "finished"), (2, "open")]
    assert rows(db, "SELECT COUNT(DISTINCT paper_id) FROM quiz_sittings") == [(2,)]


def test_one_sitting_in_progress_per_learner(served, db):
    quiz, tokens, clock, client = served()
    ann = LearnerClient(client, tokens["learner-01"])
    page = ann.start()
    again = ann.post("/q/cert-1/start", {"csrf": page.field("csrf")})  # a second Start (another tab)
    assert again.options == page.options
    assert rows(db, "SELECT COUNT(*) FROM quiz_sittings") == [(1,)]


def test_a_per_question_limit_closes_a_slow_question(served, db):
    quiz, tokens, clock, client = served(question_seconds=30, time_limit=None)
    ann = LearnerClient(client, tokens["learner-01"])
    page = ann.start()
    assert "0:30 for this question" in page.text
    clock.advance(30 + SERVED_GRACE_SECONDS + 1)
    late = ann.answer(page, 0)
    assert "after the question's time limit" in late.text and "question 2 of 4" in late.text
    clock.advance(40)
    moved_on = ann.page()  # left alone past its limit: closed when next looked at
    assert "question 3 of 4" in moved_on.text
    assert rows(db, "SELECT outcome, choice FROM quiz_sitting_answers ORDER BY position") == [
        ("late", None), ("late", None), (None, None)]


def test_the_result_shows_the_right_answers_only_when_the_quiz_says_so(served, db):
    quiz, tokens, clock, client = served(show_answers=True)
    ann = LearnerClient(client, tokens["learner-01"])
    page = ann.start()
    key, paper, quiz = sitting_key(db, "learner-01")
    for _ in range(4):
        page = ann.answer(page, None)
    for q in paper.questions:
        assert f"Answer: {quiz.item(q.item_id).correct_option.text}" in page.text


def test_the_manager_sees_who_is_sitting_finished_or_not_started_and_corrects(served, db):
    quiz, tokens, clock, client = served(learners=3)
    ann = LearnerClient(client, tokens["learner-01"])
    page = ann.start()
    for _ in range(4):
        page = ann.answer(page, 0)
    LearnerClient(client, tokens["learner-02"]).start()
    manager = LearnerClient(client)
    assert manager.get("/manage/q/cert-1/").status == 403
    token = manager_token(db)
    signed_in = manager.get(f"/manage/{token}")
    assert signed_in.refresh == "/manage"
    live = manager.get("/manage/q/cert-1/")
    assert live.status == 200
    assert "1 sitting now · 1 finished · 1 not started" in live.text
    assert re.search(r"Learner 02 learner-02 sitting now question 1 of 4, 10:00 left", live.text)
    assert re.search(r"Learner 03 learner-03 not started", live.text)
    assert "It cannot stop a learner looking answers up in their own copy of the decks" in live.text
    assert (f"This quiz: all {len(quiz.questions)} items come from decks the learners hold, so each one can be "
            "looked up within the per-question limit (none set: --question-seconds).") in live.text
    csrf = live.field("csrf")
    for action, data in [("extra", {"learner": "learner-01"}), ("void", {"learner": "learner-01"}),
                         ("revoke", {"learner": "learner-03"}), ("drop", {"item": "i01"})]:
        done = manager.post(f"/manage/q/cert-1/{action}", {"csrf": csrf, "reason": f"why {action}", **data})
        assert done.status == 200, (action, done.text)
    assert rows(db, "SELECT action, learner_id, item_id, reason FROM quiz_audit ORDER BY id") == [
        ("extra-attempt", "learner-01", None, "why extra"), ("void", "learner-01", None, "why void"),
        ("revoke", "learner-03", None, "why revoke"), ("drop", None, "i01", "why drop")]
    assert rows(db, "SELECT learner_id, revoked_why FROM quiz_invites WHERE revoked_at IS NOT NULL") == [
        ("learner-03", "why revoke")]
    report = manager.get("/manage/q/cert-1/report")
    assert "Item analysis (0 learners)" not in report.text and "Manager's corrections" in report.text
    assert "2026-12-01 revoke learner-03: why revoke" in report.text
    missing = manager.post("/manage/q/cert-1/void", {"csrf": csrf, "learner": "learner-03"})
    assert missing.status == 409 and "no counted attempt to void" in missing.text


def test_the_report_gives_median_response_times_and_flags_implausibly_fast_sittings(served, db, invoke):
    quiz, tokens, clock, client = served(learners=6)
    for n, learner_id in enumerate(sorted(tokens)):
        learner = LearnerClient(client, tokens[learner_id])
        page = learner.start()
        for _ in range(4):
            clock.advance(1 if n == 0 else 20 + n)  # learner 01 answers every question in a second
            page = learner.answer(page, 0)
    result = invoke("quiz", "report", "cert-1", "--db", db, "--today", "2026-12-01")
    assert result.exit_code == 0, result.output
    assert "Response times of served sittings (best attempts)" in result.stdout
    out = result.stdout.replace("\t", "  ")  # piped: tab-separated rows
    fast = out.split("Implausibly fast sittings", 1)[1]
    assert re.search(r"Learner 01 .* 1 .* every answer under 3 s", fast)
    assert "Learner 02" not in fast
    times = re.findall(r"(i\d\d) .* (\d+) .* (\d+\.\d)\s", out.split("Response times", 1)[1])
    assert times and all(float(seconds) >= 1.0 for _, _, seconds in times)
    report = LearnerClient(client)
    report.get(f"/manage/{manager_token(db)}")
    page = report.get("/manage/q/cert-1/report")
    assert "Learner 01, attempt 1: every answer under 3 s" in page.text
    # the note on a pool too large for the team, with the pool size that gives every item 5 learners: as the CLI's
    note = re.search(r"Too few learners per item: .*", result.stdout).group(0).strip()
    assert "(quiz create --pool 4) gives every item at least 5 learners on average." in note
    shown = " ".join(page.text.split()).replace("( ", "(").replace(" )", ")")  # the page's text around <code>
    assert note in shown


def test_the_managers_report_and_certificates_show_when_certificates_end(served, db, invoke):
    quiz, tokens, clock, client = served(learners=2, valid_days=365)
    ann = LearnerClient(client, tokens["learner-01"])
    page = ann.start()
    key, _, _ = sitting_key(db, "learner-01")
    for position in range(4):
        clock.advance(12)
        page = ann.answer(page, option=key[position])
    assert "Passed: 4 of 4" in page.text
    manager = LearnerClient(client)
    manager.get(f"/manage/{manager_token(db)}")
    report = manager.get("/manage/q/cert-1/report")
    assert "Certificates are valid 365 days from the day they were earned." in report.text
    assert re.search(r"Learner 01 pass 4/4 server 2026-12-01 certificate \S+ 2027-12-01", report.text), report.text
    certificate = client.get("/manage/q/cert-1/certificate/learner-01")
    assert certificate.status_code == 200 and "Valid until <strong>2027-12-01</strong>" in certificate.text
    listed = invoke("quiz", "report", "cert-1", "--expiring", "30", "--db", db, "--today", "2027-11-20")
    assert listed.exit_code == 0 and re.search(r"Learner 01 .* 2026-12-01 .* 2027-12-01 .* in 11 days",
                                               listed.stdout.replace("\t", "  "))
