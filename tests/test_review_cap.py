"""The daily review cap (`--reviews N`): oldest due first, the rest held back and counted."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from flashcards.model import Deck, Term
from flashcards.review import DEFAULT_REVIEWS_PER_DAY, outlook, start_session
from flashcards.store import Store

DAY = date(2026, 3, 2)
NOW = datetime(2026, 3, 2, 9, 30, tzinfo=timezone.utc)
LATER = DAY + timedelta(days=20)  # every card below is due by then


def terms(deck_id: str, count: int) -> Deck:
    return Deck(id=deck_id, name=deck_id,
                terms=tuple(Term(id=f"t{n:02d}", term=f"Term {n}", definition=f"Def {n}.") for n in range(count)))


@pytest.fixture
def store(db_path):
    """Decks a and b, 6 terms each (24 cards), every card seen once, due over 12 days."""
    with Store.open(db_path) as s:
        s.sync([terms("a", 6), terms("b", 6)], today=DAY)
        ids = s.new_card_ids(limit=100)
        for n, card_id in enumerate(reversed(ids)):  # the last card gets the oldest due date
            s.record(card_id, 4, today=DAY + timedelta(days=n // 2), now=NOW)
        yield s


def grade(store, session, q, day=LATER):
    card_id = session.current
    record = store.record(card_id, q, today=day, now=NOW, drill=session.is_drill(card_id))
    session.answer(card_id, q, record.id)


def test_cap_takes_the_oldest_due_and_counts_the_rest(store):
    assert DEFAULT_REVIEWS_PER_DAY == 200
    due = store.due_card_ids(today=LATER)
    assert len(due) == store.due_count(today=LATER) == 24
    session = start_session(store, today=LATER, reviews_per_day=5)
    # oldest due first, but a card never straight after its sibling (t05's term and definition)
    assert list(session.queue) == [due[0], due[2], due[1], due[3], due[4]]
    assert (session.due_count, session.held_back, session.new_count) == (5, 19, 0)
    assert session.summary().held_back == 19
    # uncapped (and the default cap, far above 24): every due card
    assert sorted(start_session(store, today=LATER, reviews_per_day=None).queue) == sorted(due)
    assert start_session(store, today=LATER).held_back == 0


def test_reviews_given_today_use_up_the_cap(store):
    session = start_session(store, today=LATER, reviews_per_day=5)
    grade(store, session, 5)
    grade(store, session, 2)  # a scheduled review too; it comes back as a drill, outside the cap
    grade(store, session, 5)
    assert store.reviews_done(today=LATER) == 3
    again = start_session(store, today=LATER, reviews_per_day=5)
    failed = session.history[1].card_id
    assert list(again.queue)[0] == failed and again.is_drill(failed)
    assert sorted(list(again.queue)[1:]) == sorted(store.due_card_ids(today=LATER)[:2])  # siblings apart
    assert (again.due_count, again.held_back) == (2, 19)
    # the day after, the cap is whole again
    assert start_session(store, today=LATER + timedelta(days=1), reviews_per_day=5).due_count == 5


def test_undone_review_gives_its_place_back(store):
    session = start_session(store, today=LATER, reviews_per_day=2)
    grade(store, session, 5)
    store.undo(session.undo(), today=LATER, now=NOW)
    assert store.reviews_done(today=LATER) == 0
    assert start_session(store, today=LATER, reviews_per_day=2).due_count == 2


def test_cap_per_deck(store):
    session = start_session(store, today=LATER, deck="a", reviews_per_day=4)
    assert all(c.startswith("a/") for c in session.queue)
    assert (session.due_count, session.held_back) == (4, 8)
    for _ in range(4):
        grade(store, session, 5)
    assert store.reviews_done(today=LATER, deck="a") == 4
    assert store.reviews_done(today=LATER, deck="b") == 0
    assert start_session(store, today=LATER, deck="a", reviews_per_day=4).due_count == 0
    assert start_session(store, today=LATER, deck="b", reviews_per_day=4).due_count == 4


def test_limit_is_not_counted_as_held_back(store):
    session = start_session(store, today=LATER, reviews_per_day=10, limit=3)
    due = store.due_card_ids(today=LATER)
    assert list(session.queue) == [due[0], due[2], due[1]]  # siblings apart
    assert session.held_back == 14  # 24 due, 10 allowed today; the limit only shortens this sitting


def test_zero_cap_shows_new_cards_only(db_path):
    with Store.open(db_path) as s:
        s.sync([terms("a", 3)], today=DAY)
        first = s.new_card_ids(limit=1)[0]
        s.record(first, 4, today=DAY, now=NOW)
        session = start_session(s, today=DAY + timedelta(days=1), reviews_per_day=0)
        assert first not in session.queue
        # one new card per entry a day: t00's definition, t01's and t02's terms
        assert (session.due_count, session.new_count, session.held_back) == (0, 3, 1)
        assert outlook(s, today=DAY, held_back=session.held_back).held_back == 1


# -- through the CLI ----------------------------------------------------------------


def test_summary_says_how_many_were_held_back(invoke, db_path, store):
    store.close()
    day = LATER.isoformat()
    result = invoke("review", "--db", db_path, "--today", day, "--reviews", "3", input="5\n4\n5\n")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "3 due · 0 new · 3 in this session"
    assert "Reviewed 3 cards, 3 correct (100%)." in lines
    assert ("21 more due cards held back by the daily review cap (they wait, oldest due first; "
            "raise the cap with --reviews N).") in lines

    again = invoke("review", "--db", db_path, "--today", day, "--reviews", "3")
    assert again.exit_code == 0, again.output
    assert again.stdout.splitlines()[:2] == [
        "Nothing to review right now.",
        "21 more due cards held back by the daily review cap (they wait, oldest due first; "
        "raise the cap with --reviews N).",
    ]
    more = invoke("review", "--db", db_path, "--today", day, "--reviews", "5", input="\n")
    assert more.stdout.splitlines()[0] == "2 due · 0 new · 2 in this session"


def test_bad_reviews_option(invoke, db_path):
    result = invoke("review", "--db", db_path, "--today", DAY.isoformat(), "--reviews", "-1")
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1] == "Error: Invalid value for '--reviews': -1 is not in the range x>=0."
    assert not db_path.exists()
