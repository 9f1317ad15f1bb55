"""The pure progress figures (flashcards.stats): streaks, forecast, retention, counts, leeches."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from flashcards.model import CardKind
from flashcards.sm2 import MIN_EF, CardState, review
from flashcards.stats import (
    EF_FLOOR, LAPSES, LEECH_EF, LEECH_LAPSES, MATURE_INTERVAL, DayActivity, RetentionRow, Tally,
    activity, became_leech, build_stats, card_counts, effective_due, forecast, is_buried, is_due,
    is_leech, leech_reasons, leeches, retention, retention_since, streaks,
)
from flashcards.store import CardRecord

TODAY = date(2026, 11, 23)


def day(offset: int) -> date:
    return TODAY + timedelta(days=offset)


def record(card_id="d/e/term", *, deck="d", entry="e", kind=CardKind.TERM, retired=False, suspended=False,
           buried_until=None, **state) -> CardRecord:
    return CardRecord(
        id=card_id, deck_id=deck, entry_id=entry, kind=kind, front="f", back="b", tags=(), source=None,
        retired=retired, state=CardState(**state), suspended=suspended, buried_until=buried_until,
    )


# -- leeches ----------------------------------------------------------------


def test_leech_constants():
    assert LEECH_EF == MIN_EF == 130
    assert LEECH_LAPSES == 8
    assert MATURE_INTERVAL == 21


@pytest.mark.parametrize("ef, lapses, leech, reasons", [
    (250, 0, False, ()),
    (131, 7, False, ()),
    (130, 0, True, (EF_FLOOR,)),
    (200, 8, True, (LAPSES,)),
    (130, 9, True, (EF_FLOOR, LAPSES)),
])
def test_is_leech(ef, lapses, leech, reasons):
    state = CardState(ef=ef, lapses=lapses, due=TODAY)
    assert is_leech(state) is leech
    assert leech_reasons(state) == reasons


def test_grading_zero_reaches_the_floor_on_the_second_review():
    # 2.50 -0.80 = 1.70, then 1.70 - 0.80 = 0.90, held at 1.30
    first = review(CardState(), 0, today=day(0))
    second = review(first, 0, today=day(1))
    assert (first.ef, first.lapses, is_leech(first)) == (170, 0, False)
    assert (second.ef, second.lapses, is_leech(second)) == (130, 1, True)
    assert became_leech(first, second)
    assert not became_leech(second, review(second, 0, today=day(2)))  # already one


def test_eighth_lapse_makes_a_leech_above_the_floor():
    state = CardState(ef=200, lapses=7, repetitions=3, interval=10, due=day(0))
    after = review(state, 2, today=day(0))
    assert (after.ef, after.lapses) == (168, 8)
    assert became_leech(state, after) and leech_reasons(after) == (LAPSES,)


def test_leeches_worst_first_without_retired():
    records = [
        record("d/a/term", entry="a", ef=130, lapses=2, due=TODAY),
        record("d/b/phrase", entry="b", kind=CardKind.PHRASE, ef=190, lapses=8, due=TODAY, suspended=True),
        record("d/c/term", entry="c", ef=130, lapses=5, due=TODAY),
        record("d/gone/term", entry="gone", ef=130, due=TODAY, retired=True),
        record("d/fine/term", entry="fine", ef=250, lapses=7, due=TODAY),
    ]
    found = leeches(records)
    assert [x.card_id for x in found] == ["d/c/term", "d/a/term", "d/b/phrase"]
    assert found[0].entry == "d/c" and found[2].suspended and found[2].reasons == (LAPSES,)


# -- streaks ------------------------------------------------------------------


def test_streaks_empty():
    s = streaks([], today=TODAY)
    assert (s.current, s.longest) == (0, 0)


def test_streaks_runs_and_gaps():
    days = [day(-d) for d in (0, 1, 2)] + [day(-d) for d in range(5, 12)]  # 3 now, 7 earlier
    s = streaks(days, today=TODAY)
    assert (s.current, s.longest) == (3, 7)


def test_current_streak_survives_until_the_day_ends():
    days = [day(-d) for d in (1, 2, 3, 4)]
    assert streaks(days, today=TODAY).current == 4  # nothing yet today: still alive
    assert streaks(days, today=day(1)).current == 0  # a whole day missed
    assert streaks(days, today=day(1)).longest == 4


def test_streak_ignores_duplicates_and_future_days():
    days = [day(0), day(0), day(-1), day(3), day(4), day(5), day(6)]
    assert (streaks(days, today=TODAY).current, streaks(days, today=TODAY).longest) == (2, 2)


# -- activity -------------------------------------------------------------------


def test_activity_today_and_total():
    calendar = {day(-3): DayActivity(5, 60_000), day(-1): DayActivity(2, 1_500), day(0): DayActivity(4, 30_000),
                day(1): DayActivity(9, 9)}
    a = activity(calendar, today=TODAY)
    assert (a.reviews_today, a.time_today_ms, a.reviews_total, a.time_total_ms, a.days) == (4, 30_000, 11, 91_500, 3)


# -- forecast -------------------------------------------------------------------


def test_effective_due():
    assert effective_due(record(due=day(-4)), TODAY) == TODAY  # overdue: today
    assert effective_due(record(due=day(3)), TODAY) == day(3)
    assert effective_due(record(due=day(0), buried_until=day(1)), TODAY) == day(1)
    assert effective_due(record(due=day(5), buried_until=day(1)), TODAY) == day(5)
    assert effective_due(record(), TODAY) is None  # new
    assert effective_due(record(due=day(1), suspended=True), TODAY) is None
    assert effective_due(record(due=day(1), retired=True), TODAY) is None


def test_forecast_counts_per_day():
    records = [record(due=d) for d in (day(-2), day(0), day(1), day(1), day(29), day(30))]
    records.append(record(due=day(0), buried_until=day(2)))
    counts = forecast(records, today=TODAY)
    assert len(counts) == 30
    assert counts[0] == 2 and counts[1] == 2 and counts[2] == 1 and counts[29] == 1
    assert sum(counts) == 6  # day(30) is outside the 30 days


# -- retention ------------------------------------------------------------------


def rrow(offset, grade, interval_before, deck="d", kind=CardKind.TERM):
    return RetentionRow(day(offset), deck, kind, grade, interval_before)


MIXED_ROWS = [
    rrow(0, 3, 20),  # young pass (20 < 21)
    rrow(0, 2, 20),  # young fail
    rrow(0, 3, 21),  # mature pass (21 is mature)
    rrow(0, 5, 48, deck="e", kind=CardKind.PHRASE),  # mature pass
    rrow(0, 1, 30, deck="e", kind=CardKind.PHRASE),  # mature fail: a mature card that lapsed
]


def test_retention_window_is_thirty_days_ending_today():
    assert retention_since(TODAY) == day(-29)
    r = retention([rrow(-30, 0, 1), rrow(-29, 5, 1), rrow(0, 2, 1), rrow(1, 0, 1)], today=TODAY)
    assert r.overall.young == Tally(1, 2) and r.since == day(-29)


def test_retention_young_and_mature_by_interval_before():
    r = retention(MIXED_ROWS, today=TODAY)
    # young: intervals 20 and 20, one passed; mature: 21, 48 and 30, two passed
    assert r.overall.young == Tally(1, 2)
    assert r.overall.mature == Tally(2, 3)
    assert r.overall.mature.rate == pytest.approx(2 / 3)
    assert Tally().rate is None


def test_retention_split_by_deck_and_kind():
    r = retention(MIXED_ROWS, today=TODAY)
    assert list(r.by_deck) == ["d", "e"]
    assert (r.by_deck["d"].young, r.by_deck["d"].mature) == (Tally(1, 2), Tally(1, 1))
    assert (r.by_deck["e"].young, r.by_deck["e"].mature) == (Tally(0, 0), Tally(1, 2))
    assert list(r.by_kind) == [CardKind.TERM, CardKind.PHRASE]
    assert r.by_kind[CardKind.PHRASE].mature == Tally(1, 2)
    assert (r.by_kind[CardKind.TERM].young, r.by_kind[CardKind.TERM].mature) == (Tally(1, 2), Tally(1, 1))


# -- counts ---------------------------------------------------------------------


def test_card_counts_partition():
    records = [
        record(),  # new
        record(repetitions=0, interval=1, due=day(1), lapses=1),  # learning (lapsed)
        record(repetitions=1, interval=1, due=day(1)),  # learning
        record(repetitions=2, interval=6, due=day(6)),  # young
        record(repetitions=3, interval=20, due=day(6)),  # young
        record(repetitions=4, interval=21, due=day(21)),  # mature
        record(repetitions=4, interval=40, due=day(2), retired=True),  # retired
        record(repetitions=4, interval=40, due=day(2), suspended=True),  # suspended
        record(due=day(0), repetitions=2, interval=6, buried_until=day(1)),  # young, buried
        record(due=day(0), repetitions=2, interval=6, buried_until=day(0)),  # young, burial over
    ]
    c = card_counts(records, today=TODAY)
    assert (c.new, c.learning, c.young, c.mature, c.retired, c.suspended, c.buried) == (1, 2, 4, 1, 1, 1, 1)
    assert c.total == len(records)


def test_is_due_and_is_buried():
    assert is_due(record(due=day(0)), TODAY) and is_due(record(due=day(-3)), TODAY)
    assert not is_due(record(due=day(1)), TODAY)
    assert not is_due(record(), TODAY)
    assert not is_due(record(due=day(0), suspended=True), TODAY)
    assert not is_due(record(due=day(0), buried_until=day(1)), TODAY)
    assert is_due(record(due=day(0), buried_until=day(0)), TODAY)
    assert is_buried(record(buried_until=day(1)), TODAY) and not is_buried(record(buried_until=TODAY), TODAY)


# -- all together ---------------------------------------------------------------


def test_build_stats_to_dict():
    stats = build_stats(
        today=TODAY, deck=None,
        calendar={day(-1): DayActivity(3, 2000), day(0): DayActivity(2, 1000), day(-40): DayActivity(0, 0)},
        retention_rows=[rrow(0, 4, 6)],
        records=[record(repetitions=2, interval=6, due=day(6)), record("d/x/term", entry="x", ef=130, due=day(1))],
    )
    data = stats.to_dict()
    assert data["today"] == "2026-11-23" and data["deck"] is None
    assert data["reviews"] == {"today": 2, "total": 5, "days": 2, "time_today_ms": 1000, "time_total_ms": 3000,
                               "anki_today": 0, "anki_total": 0}
    assert data["streak"] == {"current": 2, "longest": 2}
    assert data["calendar"] == {"2026-11-22": 3, "2026-11-23": 2}
    assert len(data["forecast"]) == 30 and data["forecast"][1] == {"day": "2026-11-24", "due": 1}
    assert data["forecast"][6]["due"] == 1
    assert data["retention"]["all"] == {"young": {"passed": 1, "total": 1, "rate": 1.0},
                                        "mature": {"passed": 0, "total": 0, "rate": None}}
    assert data["retention"]["by_kind"] == {"term": data["retention"]["all"]}
    assert data["cards"]["young"] == 1 and data["cards"]["learning"] == 1 and data["cards"]["total"] == 2
    assert data["leeches"] == [{"card": "d/x/term", "deck": "d", "entry": "d/x", "kind": "term",
                                "easiness": 1.3, "lapses": 0, "suspended": False, "reasons": ["ef_floor"]}]
    assert stats.has_reviews
