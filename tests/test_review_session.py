"""A day's review session: queue order, the same-day drill rule, undo, the new-card cap."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from flashcards.clock import parse_day, parse_day_start, study_day
from flashcards.decks import load_deck
from flashcards.review import DEFAULT_NEW_PER_DAY, outlook, start_session
from flashcards.sm2 import CardState
from flashcards.store import Store

DAY = date(2026, 3, 2)
NOW = datetime(2026, 3, 2, 9, 30, tzinfo=timezone.utc)


@pytest.fixture
def store(db_path, sample_deck):
    with Store.open(db_path) as s:
        s.sync([load_deck(sample_deck)], today=DAY)
        yield s


def grade(store, session, q, day=DAY):
    """Grade the card on screen the way the CLI does: record, then tell the session."""
    card_id = session.current
    assert card_id is not None
    record = store.record(card_id, q, today=day, now=NOW, drill=session.is_drill(card_id))
    session.answer(card_id, q, record.id)
    return record


# Day 1 of the sample deck: one new card per entry (the forward card), dealt by card kind
# (terms, phrases, holds), each kind in deck order.
DAY1 = [
    "sample/alpha/term", "sample/say-hello/phrase", "sample/door/holds",
    "sample/beta/term", "sample/say-thanks/phrase", "sample/badge/holds",
]


def review_log(store):
    return store.db.conn.execute("SELECT card_id, kind, grade FROM reviews ORDER BY id").fetchall()


# -- building the queue -----------------------------------------------------------


def test_first_session_is_one_new_card_per_entry_dealt_by_kind(store, sample_card_ids):
    session = start_session(store, today=DAY)
    assert list(session.queue) == DAY1
    assert (session.new_count, session.due_count, session.left, session.done) == (6, 0, 6, 0)
    assert DEFAULT_NEW_PER_DAY == 20
    assert set(DAY1) <= set(sample_card_ids)


def test_siblings_come_on_later_days_forward_card_first(store):
    day, seen = DAY, []
    while True:
        session = start_session(store, today=day)
        shown = list(session.queue)
        entries = [c.rsplit("/", 1)[0] for c in shown]
        assert all(a != b for a, b in zip(entries, entries[1:])), shown  # never straight after a sibling
        new = [c for c in shown if c not in seen]
        assert len({c.rsplit("/", 1)[0] for c in new}) == len(new)  # one new card per entry a day
        seen += new
        while session.current is not None:
            grade(store, session, 5, day)
        if len(seen) == 12:
            break
        day += timedelta(days=1)
    # each entry's cards arrive in the entry's card order: term, definition, then the other fields
    assert [c for c in seen if "/alpha/" in c] == [
        "sample/alpha/term", "sample/alpha/definition", "sample/alpha/what_it_does", "sample/alpha/whos_behind_it"]
    assert [c for c in seen if "/door/" in c] == ["sample/door/holds", "sample/door/breaks"]


def test_queue_order(store, sample_card_ids):
    ids = sample_card_ids
    store.record(ids[5], 5, today=DAY, now=NOW)  # due DAY+1
    store.record(ids[0], 5, today=DAY + timedelta(days=2), now=NOW)  # due DAY+3
    store.record(ids[3], 5, today=DAY + timedelta(days=1), now=NOW)  # due DAY+2
    today = DAY + timedelta(days=10)
    store.record(ids[8], 2, today=today, now=NOW)  # a new card failed today: a pending drill

    session = start_session(store, today=today, new_per_day=3)
    # pending drill, then due cards oldest due first, then new cards (3 a day, 1 already used) from
    # entries with no card in the queue: the day's deal in turns by kind (hello, door, thanks, ...)
    # without the phrase introduced today; a card never straight after its sibling (alpha's two)
    hello, door = "sample/say-hello/phrase", "sample/door/holds"
    assert list(session.queue) == [ids[8], ids[5], ids[3], hello, ids[0], door]
    assert (session.due_count, session.new_count) == (3, 2)
    assert session.is_drill(ids[8])
    assert not session.is_drill(ids[5])

    assert list(start_session(store, today=today, new_per_day=3, limit=2).queue) == [ids[8], ids[5]]
    assert list(start_session(store, today=today, new_per_day=3, limit=5).queue) == [
        ids[8], ids[5], ids[3], hello, ids[0]
    ]
    # only siblings left to follow each other: kept in due order
    assert list(start_session(store, today=today, new_per_day=0).queue) == [ids[8], ids[5], ids[3], ids[0]]


def test_deck_filter(store, write_deck, sample_card_ids):
    other = load_deck(write_deck("id: other\nname: Other\nterms:\n  - {id: x, term: X, definition: Y}\n", "o.yaml"))
    store.sync([other], today=DAY)
    assert list(start_session(store, today=DAY, deck="other").queue) == ["other/x/term"]
    assert list(start_session(store, today=DAY, new_per_day=14).queue) == [
        "other/x/term", "sample/say-hello/phrase", "sample/door/holds", "sample/alpha/term",
        "sample/say-thanks/phrase", "sample/badge/holds", "sample/beta/term",
    ]


def test_answer_must_be_for_the_current_card(store, sample_card_ids):
    session = start_session(store, today=DAY)
    with pytest.raises(ValueError):
        session.answer(sample_card_ids[1], 5, 1)


# -- the drill rule ------------------------------------------------------------------


def test_card_below_four_comes_back_as_a_drill(store):
    sample_card_ids = DAY1
    first = sample_card_ids[0]
    session = start_session(store, today=DAY, limit=3)
    assert list(session.queue) == sample_card_ids[:3]

    grade(store, session, 3)  # passes SM-2, but not the session
    after_first = store.card(first).state
    assert (after_first.repetitions, after_first.ef, after_first.interval) == (1, 236, 1)
    assert list(session.queue) == sample_card_ids[1:3] + [first]
    assert session.is_drill(first)

    grade(store, session, 5)
    grade(store, session, 4)
    assert session.current == first
    drill = grade(store, session, 1)
    assert drill.drill
    assert store.card(first).state == after_first  # a drill does not reschedule
    assert list(session.queue) == [first]
    drill = grade(store, session, 4)
    assert drill.drill
    assert store.card(first).state == after_first
    assert session.current is None

    assert review_log(store) == [
        (first, "review", 3),
        (sample_card_ids[1], "review", 5),
        (sample_card_ids[2], "review", 4),
        (first, "drill", 1),
        (first, "drill", 4),
    ]
    summary = session.summary()
    assert (summary.reviewed, summary.correct, summary.drills, summary.left) == (3, 3, 2, 0)
    assert summary.correct_rate == 1.0


def test_grade_five_or_four_is_not_drilled(store, sample_card_ids):
    session = start_session(store, today=DAY, limit=2)
    grade(store, session, 5)
    grade(store, session, 4)
    assert session.current is None
    assert not session.drilled


def test_failed_card_lapses_once_however_often_drilled(store, sample_card_ids):
    card = sample_card_ids[0]
    store.record(card, 5, today=DAY, now=NOW)
    tomorrow = DAY + timedelta(days=1)
    session = start_session(store, today=tomorrow, new_per_day=0)
    assert list(session.queue) == [card]
    grade(store, session, 0, tomorrow)
    for _ in range(3):
        assert session.current == card and session.is_drill(card)
        grade(store, session, 1, tomorrow)
    grade(store, session, 5, tomorrow)
    state = store.card(card).state
    assert (state.repetitions, state.interval, state.lapses, state.ef) == (0, 1, 1, 260 - 80)
    assert state.due == tomorrow + timedelta(days=1)
    summary = session.summary()
    assert (summary.reviewed, summary.correct, summary.drills) == (1, 0, 4)
    assert summary.correct_rate == 0.0


# -- undo ----------------------------------------------------------------------------


def test_undo_within_session(store):
    a, b = DAY1[:2]
    session = start_session(store, today=DAY, limit=2)
    grade(store, session, 5)
    record = grade(store, session, 2)
    assert list(session.queue) == [b]  # requeued for a drill

    review_id = session.undo()
    assert review_id == record.id
    store.undo(review_id, today=DAY, now=NOW)
    assert list(session.queue) == [b]  # back in front, once
    assert not session.is_drill(b)
    assert store.card(b).state == CardState()

    review_id = session.undo()
    store.undo(review_id, today=DAY, now=NOW)
    assert list(session.queue) == [a, b]
    assert store.card(a).state == CardState()
    assert session.undo() is None
    assert store.new_introduced(today=DAY) == 0

    grade(store, session, 4)
    grade(store, session, 4)
    assert session.current is None
    assert [(r[1], r[2]) for r in review_log(store)] == [
        ("review", 5), ("review", 2), ("undo", None), ("undo", None), ("review", 4), ("review", 4)
    ]


def test_undo_a_drill_keeps_it_a_drill(store, sample_card_ids):
    a = sample_card_ids[0]
    session = start_session(store, today=DAY, limit=1)
    grade(store, session, 2)
    state = store.card(a).state
    grade(store, session, 3)  # drill, requeued again
    store.undo(session.undo(), today=DAY, now=NOW)
    assert list(session.queue) == [a]
    assert session.is_drill(a)
    assert store.card(a).state == state
    grade(store, session, 5)
    assert store.card(a).state == state
    assert session.current is None


# -- across sessions ----------------------------------------------------------------


def test_new_card_cap_across_sessions(db_path, many_terms_deck):
    with Store.open(db_path) as store:
        store.sync([load_deck(many_terms_deck(25))], today=DAY)  # 25 entries, 50 cards
        first = start_session(store, today=DAY)
        assert first.new_count == 20
        assert all(c.endswith("/term") for c in first.queue)
        for _ in range(12):
            grade(store, first, 5)

        second = start_session(store, today=DAY)
        assert second.new_count == 8
        assert list(second.queue) == list(first.queue)
        for _ in range(8):
            grade(store, second, 5)
        assert start_session(store, today=DAY).current is None
        assert store.new_introduced(today=DAY) == 20

        # the 20 terms are due: their definitions wait; the 5 entries not seen yet start
        tomorrow = DAY + timedelta(days=1)
        third = start_session(store, today=tomorrow)
        assert (third.due_count, third.new_count) == (20, 5)


def test_interrupted_session_resumes_pending_drills(store):
    sample_card_ids = DAY1
    a, b = sample_card_ids[:2]
    session = start_session(store, today=DAY, limit=3)
    grade(store, session, 2)
    grade(store, session, 3)
    after_b = store.card(b).state
    # the session stops here (quit, crash); later the same day:
    resumed = start_session(store, today=DAY, limit=3)
    assert list(resumed.queue)[:2] == [a, b]
    assert resumed.is_drill(a) and resumed.is_drill(b)
    grade(store, resumed, 4)
    grade(store, resumed, 1)
    assert store.card(b).state == after_b
    door = "sample/door/holds"  # the third card: dealt from the entries not seen today, holds' turn
    assert resumed.current == door
    grade(store, resumed, 5)
    assert resumed.current == b
    grade(store, resumed, 5)
    assert resumed.current is None
    assert store.pending_drill_ids(today=DAY) == []
    assert list(start_session(store, today=DAY, limit=3).queue) == [
        "sample/beta/term", "sample/say-thanks/phrase", "sample/badge/holds"]
    # the next day old drills are forgotten: only what is due counts
    tomorrow = DAY + timedelta(days=1)
    assert list(start_session(store, today=tomorrow, new_per_day=0).queue) == [a, b, door]


def test_pending_drill_of_a_retired_card_is_dropped(store, write_deck, sample_card_ids):
    badge = "sample/badge/holds"
    store.record(badge, 1, today=DAY, now=NOW)
    assert start_session(store, today=DAY).current == badge
    store.sync([load_deck(write_deck("id: sample\nname: Sample deck\n", "sample.yaml"))], today=DAY)
    assert start_session(store, today=DAY).current is None


def test_outlook(store, sample_card_ids):
    store.record(sample_card_ids[0], 5, today=DAY, now=NOW)
    store.record(sample_card_ids[1], 5, today=DAY, now=NOW)
    store.record(sample_card_ids[2], 5, today=DAY, now=NOW)
    store.record(sample_card_ids[2], 5, today=DAY + timedelta(days=1), now=NOW)
    view = outlook(store, today=DAY)
    assert (view.next_due, view.next_due_count, view.due_tomorrow, view.new_left) == (
        DAY + timedelta(days=1), 2, 2, 1
    )


# -- which day it is ----------------------------------------------------------------


@pytest.mark.parametrize(
    "now, start, day",
    [
        (datetime(2026, 3, 2, 3, 59), 4, date(2026, 3, 1)),
        (datetime(2026, 3, 2, 4, 0), 4, date(2026, 3, 2)),
        (datetime(2026, 3, 2, 23, 59), 4, date(2026, 3, 2)),
        (datetime(2026, 3, 2, 0, 30), 0, date(2026, 3, 2)),
        (datetime(2026, 3, 2, 5, 0), 6, date(2026, 3, 1)),
    ],
)
def test_study_day_starts_at_four_by_default(now, start, day):
    assert study_day(now, start) == day


def test_day_start_setting():
    assert parse_day_start(None) == 4
    assert parse_day_start("") == 4
    assert parse_day_start("0") == 0
    assert parse_day_start("23") == 23
    for bad in ("24", "-1", "four"):
        with pytest.raises(ValueError) as info:
            parse_day_start(bad)
        assert str(info.value) == f"'{bad}' is not an hour from 0 to 23"


def test_parse_day():
    assert parse_day("2026-03-02") == DAY
    with pytest.raises(ValueError) as info:
        parse_day("2026-02-30")
    assert str(info.value) == "'2026-02-30': February 2026 has 28 days"
    assert parse_day("2024-02-29") == date(2024, 2, 29)
    for bad, message in [
        ("2026-13-01", "'2026-13-01': there is no month 13 (months are 01 to 12)"),
        ("2026-04-31", "'2026-04-31': April 2026 has 30 days"),
        ("2026-2-3", "'2026-2-3' is not a date in the form YYYY-MM-DD"),
        ("9999-12-31", "'9999-12-31' is out of range (days from 1970-01-01 to 2999-12-31)"),
    ]:
        with pytest.raises(ValueError) as info:
            parse_day(bad)
        assert str(info.value) == message
