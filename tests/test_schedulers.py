"""The scheduler interface: SM-2 and FSRS behind it, replay, switching, state as data."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from flashcards.schedulers import FSRS, SM2, CardState, LogEntry, make_scheduler, replay, switch
from flashcards.schedulers.fsrs import GRADE_TO_RATING
from flashcards.schedulers.sm2 import review as sm2_review

DAY = date(2026, 1, 1)
grades = st.integers(min_value=0, max_value=5)
histories = st.lists(st.tuples(st.integers(min_value=0, max_value=60), grades), max_size=12)
fast = settings(max_examples=60, deadline=None)


def run(scheduler, sequence, start=DAY):
    """Grade a new card with ``sequence``, each grade on the day the card falls due."""
    state, day, states = CardState(), start, []
    for q in sequence:
        state = scheduler.review(state, q, today=day)
        states.append(state)
        day = state.due
    return states


def log_from(history):
    """(gap in days, grade) pairs as dated log entries from DAY."""
    day, entries = DAY, []
    for gap, grade in history:
        day += timedelta(days=gap)
        entries.append(LogEntry(day, grade))
    return entries


def test_fsrs_golden_intervals_for_good():
    # the same days as fsrs-rs (Rust, FSRS-6 defaults) gives for these grades
    assert [s.interval for s in run(FSRS(), [4] * 7)] == [2, 11, 46, 163, 497, 1346, 3292]


def test_fsrs_golden_with_a_lapse():
    states = run(FSRS(), [4, 4, 4, 1, 4, 4])
    assert [s.interval for s in states] == [2, 11, 46, 3, 8, 19]
    assert [s.repetitions for s in states] == [1, 2, 3, 0, 1, 2]
    assert [s.lapses for s in states] == [0, 0, 0, 1, 1, 1]
    assert all(s.ef == 250 for s in states)  # SM-2's E-Factor is not FSRS's to move


def test_fsrs_grades_map_to_four_ratings():
    assert GRADE_TO_RATING == {0: 1, 1: 1, 2: 1, 3: 2, 4: 3, 5: 4}
    f = FSRS()
    first = [f.review(CardState(), g, today=DAY) for g in range(6)]
    assert first[0] == first[1] == first[2]  # all three wrong grades are Again
    assert [s.interval for s in first[2:]] == sorted(s.interval for s in first[2:])  # Again <= Hard <= Good <= Easy
    assert first[3].stability < first[4].stability < first[5].stability
    with pytest.raises(ValueError):
        f.review(CardState(), 6, today=DAY)


def test_fsrs_settings_are_checked():
    with pytest.raises(ValueError, match="between 0.7 and 0.99"):
        FSRS(desired_retention=0.5)
    with pytest.raises(ValueError, match="21 parameters"):
        FSRS(parameters=[1.0, 2.0])
    with pytest.raises(ValueError, match="unknown scheduler 'leitner'"):
        make_scheduler("leitner")
    assert make_scheduler("fsrs", desired_retention=0.8).desired_retention == 0.8
    assert isinstance(make_scheduler("sm2"), SM2)


@fast
@given(st.lists(grades, min_size=1, max_size=8))
def test_higher_retention_never_lengthens_an_interval(sequence):
    low, high = FSRS(desired_retention=0.8), FSRS(desired_retention=0.95)
    for a, b in zip(run(low, sequence), run(high, sequence)):
        assert b.interval <= a.interval


@fast
@given(histories)
def test_replay_is_grading_one_by_one(history):
    entries = log_from(history)
    for scheduler in (SM2(), FSRS()):
        state = CardState()
        for day, grade in entries:
            state = scheduler.review(state, grade, today=day)
        assert replay(scheduler, entries) == state
        assert replay(scheduler, [tuple(e) for e in reversed(entries)]) == state or len(
            {e.day for e in entries}) < len(entries)  # only same-day entries keep their given order


def test_sm2_behind_the_interface_is_sm2():
    entries = log_from([(0, 5), (1, 4), (6, 3), (15, 1), (1, 5)])
    state = CardState()
    for day, grade in entries:
        state = sm2_review(state, grade, today=day)
    assert replay(SM2(), entries) == state
    assert state.stability is None and state.difficulty is None


def test_switch_keeps_due_dates_unless_rescheduled():
    entries = log_from([(0, 4), (1, 4), (6, 4)])
    current = replay(SM2(), entries)
    moved = switch(FSRS(), entries, current)
    assert (moved.due, moved.interval) == (current.due, current.interval)
    assert moved.stability == replay(FSRS(), entries).stability
    assert moved.last_review == current.last_review
    assert switch(FSRS(), entries, current, reschedule=True) == replay(FSRS(), entries)
    back = switch(SM2(), entries, moved)
    assert back == current  # SM-2 replayed: its E-Factor back, FSRS's memory gone
    assert switch(FSRS(), [], CardState()) == CardState()


def test_sm2_recall_probability_is_ninety_percent_at_the_interval():
    state = replay(SM2(), log_from([(0, 4), (1, 4)]))  # interval 6
    seen = state.last_review
    p = SM2().recall_probability
    assert p(state, today=seen) == 1.0
    assert p(state, today=seen + timedelta(days=6)) == pytest.approx(0.9)
    assert p(state, today=seen + timedelta(days=12)) == pytest.approx(0.81)
    assert p(CardState(), today=DAY) is None


@fast
@given(st.lists(grades, min_size=1, max_size=6), st.sampled_from([0.8, 0.9, 0.95]))
def test_fsrs_recall_on_the_due_day_is_near_the_target(sequence, retention):
    f = FSRS(desired_retention=retention)
    state = run(f, sequence)[-1]
    assert f.recall_probability(state, today=state.last_review) == pytest.approx(1.0)
    at_due = f.recall_probability(state, today=state.due)
    # the interval is whole days (at least 1, at most 100 years), so recall on the due day is near the target
    if 3 < state.interval < f.maximum_interval:
        assert abs(at_due - retention) < 0.03
    assert f.recall_probability(CardState(), today=DAY) is None


@fast
@given(histories)
def test_state_round_trips_through_json(history):
    for scheduler in (SM2(), FSRS()):
        state = replay(scheduler, log_from(history))
        assert CardState.from_dict(json.loads(json.dumps(state.to_dict()))) == state


def test_sm2_sessions_do_not_load_fsrs():
    code = ("import sys, flashcards.schedulers as s; from flashcards.store import Store; "
            "print('fsrs' in sys.modules, 'flashcards.schedulers.fsrs' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "False"]
