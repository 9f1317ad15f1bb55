"""SM-2, exactly: E-Factor deltas, the interval sequence, lapses, and properties."""

from __future__ import annotations

import dataclasses
import math
from fractions import Fraction
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from flashcards.sm2 import (
    INITIAL_EF,
    MIN_EF,
    CardState,
    Quality,
    ef_delta,
    next_ef,
    review,
)

DAY = date(2026, 1, 1)

grades = st.integers(min_value=0, max_value=5)
passing = st.integers(min_value=3, max_value=5)
# Short histories: a dozen perfect grades in a row already push the due date
# past the year 3000 (and date arithmetic overflows after year 9999).
grade_lists = st.lists(grades, max_size=8)
fast = settings(max_examples=75, deadline=None)


def run(sequence, start=DAY):
    """Grade a new card with ``sequence``, each grade on the day the card falls due."""
    state, day, states = CardState(), start, []
    for q in sequence:
        state = review(state, q, today=day)
        states.append(state)
        day = state.due
    return states


# -- tables ---------------------------------------------------------------


def test_constants():
    assert INITIAL_EF == 250
    assert MIN_EF == 130
    new = CardState()
    assert (new.repetitions, new.ef, new.interval, new.due, new.lapses) == (0, 250, 0, None, 0)
    assert new.is_new
    assert new.easiness == 2.5


@pytest.mark.parametrize(
    "quality, delta",
    [(5, 10), (4, 0), (3, -14), (2, -32), (1, -54), (0, -80)],
)
def test_ef_delta_per_grade(quality, delta):
    # EF' = EF + (0.1 - (5-q)(0.08 + (5-q)0.02)), in hundredths
    assert ef_delta(quality) == delta
    assert review(CardState(), quality, today=DAY).ef == INITIAL_EF + delta


@pytest.mark.parametrize(
    "quality, delta",
    [(5, 10), (4, 0), (3, -14), (2, -32), (1, -54), (0, -80)],
)
def test_ef_delta_matches_the_formula(quality, delta):
    exact = 0.1 - (5 - quality) * (0.08 + (5 - quality) * 0.02)
    assert round(exact * 100) == delta


def test_golden_interval_sequence():
    states = run([5, 5, 4, 4, 5, 3])
    assert [s.interval for s in states] == [1, 6, 17, 46, 125, 350]
    assert [s.ef for s in states] == [260, 270, 270, 270, 280, 266]
    assert [s.repetitions for s in states] == [1, 2, 3, 4, 5, 6]
    assert [s.due for s in states] == [
        date(2026, 1, 2),
        date(2026, 1, 8),
        date(2026, 1, 25),
        date(2026, 3, 12),
        date(2026, 7, 15),
        date(2027, 6, 30),
    ]


def test_floats_would_give_351():
    # Why E-Factors are integers: summing the deltas as floats gives 2.8000000000000003,
    # and 125 times that rounds up to 351 days.
    ef = 2.5
    for q in (5, 5, 4, 4, 5):
        ef += 0.1 - (5 - q) * (0.08 + (5 - q) * 0.02)
    assert math.ceil(125 * ef) == 351
    assert run([5, 5, 4, 4, 5, 3])[-1].interval == 350


def test_interval_uses_ef_before_the_update():
    # I(3) = ceil(6 * 2.70) = 17 although grade 3 lowers EF to 2.56 afterwards
    states = run([5, 5, 3])
    assert states[-1].interval == 17
    assert states[-1].ef == 256


def test_failing_grade_restarts_repetitions_but_keeps_ef():
    states = run([5, 5, 5, 1])
    lapsed = states[-1]
    assert lapsed.repetitions == 0
    assert lapsed.interval == 1
    assert lapsed.ef == 280 - 54  # updated, not reset to 250
    assert lapsed.lapses == 1
    # the repetitions start again: 1, 6, then ceil(6 * EF)
    after = run([5, 5, 5, 1, 4, 4, 4])[-3:]
    assert [s.interval for s in after] == [1, 6, math.ceil(6 * 226 / 100)]
    assert [s.ef for s in after] == [226, 226, 226]


def test_lapses_count_only_scheduled_reviews():
    # a new card graded below 3 has not lapsed: it was never learnt
    assert review(CardState(), 0, today=DAY).lapses == 0
    states = run([2, 4, 2, 4, 4, 1, 5])
    assert [s.lapses for s in states] == [0, 0, 1, 1, 1, 2, 2]


def test_passing_grade_three_does_not_restart():
    states = run([5, 3])
    assert states[-1].repetitions == 2
    assert states[-1].interval == 6


def test_ef_floor():
    states = run([0, 0, 0, 0])
    assert [s.ef for s in states] == [170, 130, 130, 130]
    assert next_ef(MIN_EF, 0) == MIN_EF
    assert next_ef(140, 3) == MIN_EF
    assert next_ef(MIN_EF, 5) == MIN_EF + 10


def test_interval_at_min_ef():
    state = CardState(repetitions=2, ef=MIN_EF, interval=6, due=DAY)
    assert review(state, 4, today=DAY).interval == 8  # ceil(7.8)


def test_review_records_the_day():
    state = review(CardState(), 4, today=DAY)
    assert state.last_review == DAY
    assert state.due == DAY + timedelta(days=1)
    assert not state.is_new


@pytest.mark.parametrize("bad", [-1, 6, 10, "5", None])
def test_invalid_grade_raises_value_error(bad):
    with pytest.raises(ValueError):
        review(CardState(), bad, today=DAY)


def test_quality_names():
    assert [int(q) for q in Quality] == [0, 1, 2, 3, 4, 5]
    assert Quality.PERFECT == 5 and Quality.BLACKOUT == 0


# -- properties -------------------------------------------------------------


@fast
@given(grade_lists)
def test_ef_never_below_floor_and_on_the_grid(sequence):
    for state in run(sequence):
        assert isinstance(state.ef, int)
        assert state.ef >= MIN_EF
        # every delta and the floor are multiples of 0.02 from 2.5
        assert (state.ef - INITIAL_EF) % 2 == 0


@fast
@given(grade_lists, st.integers(min_value=0, max_value=2))
def test_failing_grade_means_repetitions_zero_interval_one(sequence, q):
    before = run(sequence)[-1] if sequence else CardState()
    after = review(before, q, today=DAY)
    assert after.repetitions == 0
    assert after.interval == 1
    assert after.ef == max(MIN_EF, before.ef + ef_delta(q))
    assert after.lapses == before.lapses + (0 if before.is_new else 1)


@fast
@given(grade_lists, st.lists(passing, min_size=1, max_size=4))
def test_intervals_never_shrink_while_passing(history, passes):
    states = run(history + passes)
    intervals = [s.interval for s in states[len(history):]]
    previous = states[len(history) - 1].interval if history else 0
    for interval in intervals:
        assert interval >= previous
        previous = interval
    assert [s.repetitions for s in states[len(history):]] == list(
        range(states[len(history)].repetitions, states[len(history)].repetitions + len(passes))
    )


@fast
@given(grade_lists, grades, st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 1, 1)))
def test_review_is_pure_and_matches_the_published_rules(sequence, q, day):
    before = run(sequence)[-1] if sequence else CardState()
    snapshot = dataclasses.asdict(before)
    after = review(before, q, today=day)
    assert dataclasses.asdict(before) == snapshot  # the input is left alone
    assert after == reference_review(before, q, day)


def reference_review(state, q, day):
    """SM-2 straight from Wozniak's text, with exact fractions instead of integer hundredths:
    an oracle written independently of flashcards.sm2."""
    ef = Fraction(state.ef, 100)
    new_ef = max(Fraction(13, 10), ef + Fraction(1, 10) - (5 - q) * (Fraction(8, 100) + (5 - q) * Fraction(2, 100)))
    if q < 3:
        reps, interval = 0, 1
        lapses = state.lapses + (0 if state.due is None else 1)
    else:
        reps, lapses = state.repetitions + 1, state.lapses
        interval = {1: 1, 2: 6}.get(reps) or min(36500, math.ceil(state.interval * ef))
    return CardState(repetitions=reps, ef=int(new_ef * 100), interval=interval,
                     due=day + timedelta(days=interval), lapses=lapses, last_review=day)


@fast
@given(grade_lists, grades, st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 1, 1)))
def test_due_is_today_plus_interval(sequence, q, day):
    before = run(sequence)[-1] if sequence else CardState()
    after = review(before, q, today=day)
    assert after.due == day + timedelta(days=after.interval)
    assert after.interval >= 1
    assert after.last_review == day
