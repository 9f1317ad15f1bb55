"""The SQL behind stats, suspend and bury (flashcards.store.stats), on real SQLite files."""

from __future__ import annotations

import sqlite3
from datetime import date, datetime, timedelta, timezone

import pytest

from flashcards.decks import load_deck
from flashcards.errors import StoreError
from flashcards.model import CardKind
from flashcards.stats import DayActivity, RetentionRow
from flashcards.store import Store
from flashcards.store.stats import bury, calendar, gather, resolve_cards, retention_rows, set_suspended

D0 = date(2026, 3, 2)
NOW = datetime(2026, 3, 2, 9, 30, tzinfo=timezone.utc)

DECK_A = """\
id: a
name: Deck A
terms:
  - id: t1
    term: One
    definition: The first.
phrases:
  - id: p1
    dont_say: Yo.
    do_say: Hello.
    why: Manners.
"""
DECK_B = """\
id: b
name: Deck B
phrases:
  - id: p1
    dont_say: K.
    do_say: Thanks.
    why: Gratitude.
  - id: p2
    dont_say: Meh.
    do_say: Fine.
    why: Tone.
"""


def day(n: int) -> date:
    return D0 + timedelta(days=n)


@pytest.fixture
def store(tmp_path):
    (tmp_path / "a.yaml").write_text(DECK_A, encoding="utf-8")
    (tmp_path / "b.yaml").write_text(DECK_B, encoding="utf-8")
    with Store.open(tmp_path / "flash.db") as s:
        s.sync([load_deck(tmp_path / "a.yaml"), load_deck(tmp_path / "b.yaml")], today=D0)
        yield s


def state_row(store, card_id):
    return store.db.conn.execute(
        "SELECT repetitions, ef, interval, due, lapses, last_review, suspended, buried_until "
        "FROM card_state WHERE card_id = ?", (card_id,)).fetchone()


# -- the review log as figures ------------------------------------------------------


def test_calendar_counts_live_grades_and_time(store):
    store.record("a/t1/term", 5, today=day(0), now=NOW, duration_ms=4000)
    store.record("a/p1/phrase", 2, today=day(0), now=NOW, duration_ms=6000)
    store.record("a/p1/phrase", 4, today=day(0), now=NOW, drill=True, duration_ms=1000)  # drills count
    undone = store.record("b/p1/phrase", 5, today=day(0), now=NOW, duration_ms=9999)
    store.undo(undone.id, today=day(0), now=NOW)  # neither it nor the undo row counts
    store.record("b/p1/phrase", 3, today=day(1), now=NOW)  # no duration: counts as 0 ms
    store.record("b/p2/phrase", 5, today=day(5), now=NOW, duration_ms=500)  # after "today" below

    assert calendar(store, today=day(1)) == {day(0): DayActivity(3, 11000), day(1): DayActivity(1, 0)}
    assert calendar(store, today=day(1), deck="b") == {day(1): DayActivity(1, 0)}
    assert calendar(store, today=day(9), deck="b") == {day(1): DayActivity(1, 0), day(5): DayActivity(1, 500)}


def test_retention_rows_are_scheduled_reviews_of_seen_cards(store):
    store.record("a/t1/term", 5, today=day(0), now=NOW)  # first sighting: not a retention row
    store.record("a/t1/term", 2, today=day(1), now=NOW)  # interval before: 1
    store.record("a/t1/term", 4, today=day(1), now=NOW, drill=True)  # drill: not counted
    store.record("a/t1/term", 5, today=day(2), now=NOW)  # interval before: 1 (after the lapse)
    store.record("a/t1/term", 5, today=day(3), now=NOW)  # interval before: 1 -> 6 after
    undone = store.record("a/t1/term", 0, today=day(9), now=NOW)
    store.undo(undone.id, today=day(9), now=NOW)
    rows = retention_rows(store, since=day(0), today=day(9))
    assert rows == [
        RetentionRow(day(1), "a", CardKind.TERM, 2, 1),
        RetentionRow(day(2), "a", CardKind.TERM, 5, 1),
        RetentionRow(day(3), "a", CardKind.TERM, 5, 1),
    ]
    assert retention_rows(store, since=day(2), today=day(2)) == rows[1:2]
    assert retention_rows(store, since=day(0), today=day(9), deck="b") == []


def test_gather_puts_it_together(store):
    store.record("a/t1/term", 5, today=day(0), now=NOW, duration_ms=1200)
    stats = gather(store, today=day(0))
    assert stats.activity.reviews_total == 1 and stats.activity.time_total_ms == 1200
    assert stats.counts.new == 4 and stats.counts.learning == 1  # 5 cards in all
    assert stats.forecast[1] == 1
    assert gather(store, today=day(0), deck="b").has_reviews is False


# -- naming cards -------------------------------------------------------------------


def test_resolve_card_entry_and_entry_id(store):
    assert resolve_cards(store, ["a/t1/term"]) == ["a/t1/term"]
    assert resolve_cards(store, ["a/t1"]) == ["a/t1/term", "a/t1/definition"]
    assert resolve_cards(store, ["t1"]) == ["a/t1/term", "a/t1/definition"]
    assert resolve_cards(store, ["p2", "b/p2/phrase"]) == ["b/p2/phrase"]  # no duplicates


def test_resolve_names_every_unknown_target(store):
    with pytest.raises(StoreError) as err:
        resolve_cards(store, ["a/t1", "nope", "a/t1/nokind", "zz/p1"])
    assert str(err.value).startswith("no card or entry 'nope', 'a/t1/nokind', 'zz/p1' (")
    assert str(err.value).endswith("nothing was changed")


def test_resolve_refuses_an_entry_id_in_two_decks(store):
    with pytest.raises(StoreError, match=r"'p1' is an entry in decks a, b \(write it as a/p1\)"):
        resolve_cards(store, ["p1"])


# -- suspend -----------------------------------------------------------------------


def test_suspend_keeps_state_and_reports_changes(store):
    store.record("a/t1/term", 5, today=day(0), now=NOW)
    before = state_row(store, "a/t1/term")
    report = set_suspended(store, ["a/t1"], suspended=True)
    assert report.changed == ["a/t1/term", "a/t1/definition"] and report.unchanged == []
    assert state_row(store, "a/t1/term") == before[:6] + (1, None)
    again = set_suspended(store, ["a/t1/term", "b/p2"], suspended=True)
    assert again.changed == ["b/p2/phrase"] and again.unchanged == ["a/t1/term"]
    assert store.due_card_ids(today=day(5)) == []
    assert "a/t1/definition" not in store.new_card_ids(limit=10)
    set_suspended(store, ["t1"], suspended=False)
    assert state_row(store, "a/t1/term") == before
    assert store.due_card_ids(today=day(5)) == ["a/t1/term"]


def test_suspend_is_all_or_nothing(store, tmp_path):
    with pytest.raises(StoreError, match="'missing'"):
        set_suspended(store, ["a/t1/term", "missing"], suspended=True)
    conn = sqlite3.connect(str(tmp_path / "flash.db"))
    try:
        assert conn.execute("SELECT COUNT(*) FROM card_state WHERE suspended = 1").fetchone() == (0,)
    finally:
        conn.close()


# -- bury --------------------------------------------------------------------------


def test_bury_hides_a_card_until_the_day_given(store):
    store.record("a/t1/term", 5, today=day(0), now=NOW)  # due day 1
    assert bury(store, "a/t1/term", until=day(2)) == day(2)
    assert bury(store, "b/p1/phrase", until=day(1)) == day(1)  # a new card
    assert "a/t1/term" not in store.due_card_ids(today=day(1))
    assert store.due_card_ids(today=day(2)) == ["a/t1/term"]
    assert "b/p1/phrase" not in store.new_card_ids(limit=10, today=day(0))
    assert "b/p1/phrase" in store.new_card_ids(limit=10, today=day(1))
    summaries = {s.id: s for s in store.deck_summaries(today=day(1))}
    assert (summaries["a"].due, summaries["b"].new) == (0, 2)  # buried: not due today


def test_bury_leaves_todays_drills_alone_and_a_grade_ends_it(store):
    store.record("a/p1/phrase", 1, today=day(0), now=NOW)  # below 4: a pending drill today
    assert store.pending_drill_ids(today=day(0)) == ["a/p1/phrase"]
    bury(store, "a/p1/phrase", until=day(1))
    assert store.pending_drill_ids(today=day(0)) == []
    assert state_row(store, "a/p1/phrase")[7] == day(1).isoformat()
    store.record("a/p1/phrase", 5, today=day(1), now=NOW)
    assert state_row(store, "a/p1/phrase")[7] is None


def test_bury_unknown_card(store):
    with pytest.raises(StoreError, match="no card with id 'a/zz/term'"):
        bury(store, "a/zz/term", until=day(1))


def test_deck_summaries_leave_suspended_cards_out_of_new_and_due(store):
    set_suspended(store, ["b/p1"], suspended=True)
    summaries = {s.id: s for s in store.deck_summaries(today=day(0))}
    assert (summaries["b"].new, summaries["b"].total) == (1, 2)
