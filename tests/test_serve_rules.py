"""The served sitting's rules (flashcards/quiz/sitting.py) and response-time analysis (quiz/pace.py): pure."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from servekit import DECK
from quizkit import learners, make_quiz

from flashcards.decks import parse_deck
from flashcards.quiz.pace import implausible, item_medians
from flashcards.quiz.papers import issue_paper
from flashcards.quiz.sitting import (
    ANSWERED, LATE, SERVED_GRACE_SECONDS, SKIPPED, ServedAnswer, Sitting, current_position, deadline_for, expired,
    judge_answer, missed, start_refusal, timed_out, verdict,
)

T = datetime(2026, 12, 1, 9, 0, tzinfo=timezone.utc)


def setup(**settings):
    deck, _ = parse_deck(DECK, "d.yaml")
    quiz = make_quiz([deck], per_paper=3, **settings)
    paper = issue_paper(quiz, learners("Ann Lee")[0])
    sitting = Sitting("s-1", quiz.id, "ann-lee", paper.id, 1, T, deadline_for(quiz, T))
    return quiz, paper, sitting


def shown(paper, position, at, **kw):
    q = paper.questions[position]
    return ServedAnswer(position, q.id, q.item_id, at, **kw)


def right(quiz, paper, position):
    q = paper.questions[position]
    key = quiz.item(q.item_id).answer
    return next(s for s, c in q.options if c == key)


def test_deadline_is_the_start_plus_the_limit_and_answers_after_it_and_the_grace_are_refused():
    quiz, paper, sitting = setup(time_limit=10)
    assert sitting.deadline == T + timedelta(minutes=10)
    answers = [shown(paper, 0, T)]
    at_grace = T + timedelta(minutes=10, seconds=SERVED_GRACE_SECONDS)
    ok = judge_answer(quiz, sitting, paper, answers, position=0, shown_option=right(quiz, paper, 0), now=at_grace)
    assert ok.accepted and ok.outcome == ANSWERED and ok.choice == quiz.item(paper.questions[0].item_id).answer
    late = judge_answer(quiz, sitting, paper, answers, position=0, shown_option=right(quiz, paper, 0),
                        now=at_grace + timedelta(milliseconds=1))
    assert not late.accepted and late.time_up and "time is up" in late.reason
    assert not expired(sitting, at_grace) and expired(sitting, at_grace + timedelta(seconds=1))


def test_only_the_current_question_can_be_answered_and_only_with_its_options():
    quiz, paper, sitting = setup(time_limit=None)
    answers = [shown(paper, 0, T, answered_at=T, choice=None, outcome=SKIPPED), shown(paper, 1, T)]
    assert current_position(paper, answers) == 1
    stale = judge_answer(quiz, sitting, paper, answers, position=0, shown_option=None, now=T)
    assert not stale.accepted and stale.refusal == "stale"
    other = paper.questions[0].options[0][0]  # an option id of another question
    bad = judge_answer(quiz, sitting, paper, answers, position=1, shown_option=other, now=T)
    assert not bad.accepted and bad.refusal == "bad-option"
    unseen = judge_answer(quiz, sitting, paper, answers[:1], position=1, shown_option=None, now=T)
    assert not unseen.accepted and unseen.refusal == "not-shown"
    skip = judge_answer(quiz, sitting, paper, answers, position=1, shown_option=None, now=T)
    assert skip.accepted and skip.outcome == SKIPPED and skip.choice is None


def test_per_question_limit_makes_a_slow_answer_late_and_closes_a_question_left_open():
    quiz, paper, sitting = setup(time_limit=None, question_seconds=30)
    answers = [shown(paper, 0, T)]
    in_time = T + timedelta(seconds=30 + SERVED_GRACE_SECONDS)
    assert judge_answer(quiz, sitting, paper, answers, position=0, shown_option=right(quiz, paper, 0),
                        now=in_time).outcome == ANSWERED
    slow = judge_answer(quiz, sitting, paper, answers, position=0, shown_option=right(quiz, paper, 0),
                        now=in_time + timedelta(seconds=1))
    assert slow.accepted and slow.outcome == LATE and slow.choice is None
    assert timed_out(quiz, answers, in_time) == [] and timed_out(quiz, answers, in_time + timedelta(seconds=1)) == [0]


def test_attempts_count_at_start():
    quiz, _, _ = setup(max_attempts=2)
    assert start_refusal(quiz, used=1, allowed=2) is None
    assert "used 2 of 2 attempts" in start_refusal(quiz, used=2, allowed=2)
    assert start_refusal(quiz, used=9, allowed=None) is None


def test_verdict_scores_with_the_file_scoring_functions_and_lists_what_was_missed():
    quiz, paper, sitting = setup(time_limit=10)
    key0 = quiz.item(paper.questions[0].item_id).answer
    answers = [shown(paper, 0, T, answered_at=T, choice=key0, outcome=ANSWERED),
               shown(paper, 1, T, answered_at=T, choice=None, outcome=LATE)]  # question 3 never shown
    result = verdict(quiz, paper, answers, attempt=1)
    assert (result.correct, result.total, result.late, result.passed) == (1, 3, 1, False)
    assert [r.choice for r in result.responses] == [key0, None, None]
    assert [m.concept for m in missed(quiz, result)] == [quiz.item(q.item_id).concept for q in paper.questions[1:]]


def test_item_medians_and_implausible_sittings():
    times = {n: {"i01": 20.0 + n, "i02": 30.0 + n} for n in range(1, 6)}
    times[6] = {"i01": 1.0, "i02": 2.5}  # every answer under 3 s
    times[7] = {"i01": 4.0, "i02": 5.0}  # far faster than the team (median about 25 s)
    medians = item_medians(times)
    assert medians["i01"] == (22.0, 7) and medians["i02"] == (32.0, 7)
    flags = implausible(times)
    assert set(flags) == {6, 7}
    assert flags[6].reason == "every answer under 3 s"
    assert "under 25% of the team's" in flags[7].reason
    assert implausible({1: {"i01": 4.0}, 2: {"i01": 40.0}}) == {}  # too few sittings to compare with a team
