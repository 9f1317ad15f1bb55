"""Siblings kept apart in `flash review` (issue 9, section 3): the shipped deck's first days
through the real CLI, and the session rules on their own."""

from __future__ import annotations

import sqlite3
from collections import deque
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

from flashcards.decks import load_deck
from flashcards.model import cards_for_entry
from flashcards.prerequisites import card_needs
from flashcards.review import ReviewSession, deal_new_cards, entry_key, spread_siblings, start_session
from flashcards.store import Store

DAY = date(2026, 3, 2)
NOW = datetime(2026, 3, 2, 9, 30, tzinfo=timezone.utc)
DECK = "lesson-04-ai-lifecycle"

SHIPPED = Path(__file__).parent.parent / "decks" / f"{DECK}.yaml"


def reviewed(db_path):
    conn = sqlite3.connect(str(db_path))
    try:
        return [row[0] for row in conn.execute("SELECT card_id FROM reviews ORDER BY id")]
    finally:
        conn.close()


def apart(cards) -> bool:
    """No card straight after a sibling, unless only that entry's cards were left."""
    entries = [entry_key(c) for c in cards]
    return all(a != b or set(entries[i:]) == {a} for i, (a, b) in enumerate(zip(entries, entries[1:])))


def test_shipped_deck_day_one_covers_twenty_entries_with_no_sibling_after_another(invoke, db_path):
    """The documented order, as rules that hold whatever the shipped deck holds: one new card per
    entry, in turns by card kind (every kind whose cards open an entry takes part), no card after
    its sibling, and (issue 20) a term's card before any card that needs it."""
    result = invoke("review", "--db", db_path, "--today", DAY.isoformat(), input="5\n" * 20)
    assert result.exit_code == 0, result.output
    assert "0 due · 20 new · 20 in this session" in result.stdout.splitlines()
    shown = reviewed(db_path)
    assert apart(shown)
    assert len({entry_key(c) for c in shown}) == 20  # no two new cards from one entry
    deck = load_deck(SHIPPED)
    opening_kinds = {cards_for_entry(deck.id, e)[0].kind.value for e in deck.entries}
    assert {c.rsplit("/", 1)[1] for c in shown} == opening_kinds
    needs = card_needs(deck)
    assert all(p in shown[:i] for i, c in enumerate(shown) for p in needs.get(c, ()))


def test_sessions_of_one_card_take_turns_by_kind_too(invoke, db_path, tmp_path):
    whole = tmp_path / "whole.db"
    assert invoke("review", "--db", whole, "--today", DAY.isoformat(), input="5\n" * 20).exit_code == 0
    for _ in range(5):
        result = invoke("review", "--db", db_path, "--today", DAY.isoformat(), "--limit", "1", input="5\n")
        assert result.exit_code == 0, result.output
    assert reviewed(db_path) == reviewed(whole)[:5]


def test_shipped_deck_later_days_bring_siblings_forward_card_first_and_never_two_a_day(invoke, db_path):
    assert invoke("import", "--db", db_path, "--today", DAY.isoformat()).exit_code == 0
    day = DAY
    seen: dict[str, list[str]] = {}
    for _ in range(8):
        before = len(reviewed(db_path))
        # grade 2 every fifth card, so drills are in the queue too
        grades = "".join("2\n" if n % 5 == 4 else "5\n" for n in range(60)) + "5\n" * 60
        result = invoke("review", "--db", db_path, "--today", day.isoformat(), input=grades)
        assert result.exit_code == 0, result.output
        today = reviewed(db_path)[before:]
        assert apart(today), day  # drills included, while another card is left
        new = [c for c in dict.fromkeys(today) if not any(c in cards for cards in seen.values())]
        assert len({entry_key(c) for c in new}) == len(new), day
        seen[day.isoformat()] = new
        day += timedelta(days=1)
    pre = [c for cards in seen.values() for c in cards if "/pre-training-a/" in c]
    assert pre[:2] == [f"{DECK}/pre-training-a/term", f"{DECK}/pre-training-a/definition"]
    days_of = {c: d for d, cards in seen.items() for c in cards}
    assert len({days_of[c] for c in pre}) == len(pre)  # one a day


def test_deal_takes_turns_by_kind_and_skips_busy_entries():
    waiting = ["d/t1/term", "d/t1/definition", "d/t2/term", "d/t2/definition", "d/p1/phrase", "d/p2/phrase",
               "d/b1/reply", "d/a1/holds", "d/a1/breaks"]
    assert deal_new_cards(waiting, 20) == ["d/t1/term", "d/p1/phrase", "d/b1/reply", "d/a1/holds",
                                           "d/t2/term", "d/p2/phrase"]
    assert deal_new_cards(waiting, 3) == ["d/t1/term", "d/p1/phrase", "d/b1/reply"]
    # t1 seen today: its definition waits; t2 offers its term
    assert deal_new_cards(waiting[1:], 20, busy={"d/t1"}) == ["d/t2/term", "d/p1/phrase", "d/b1/reply",
                                                              "d/a1/holds", "d/p2/phrase"]
    # the term card done on an earlier day: the definition is the entry's first waiting card
    assert deal_new_cards(["d/t1/definition", "d/t2/term"], 20) == ["d/t2/term", "d/t1/definition"]
    assert deal_new_cards(waiting, 0) == []
    # the turns go on across sessions: with 1 new card introduced today, phrases deal first
    assert deal_new_cards(waiting, 3, turn=1) == ["d/p1/phrase", "d/b1/reply", "d/a1/holds"]
    assert deal_new_cards(waiting, 2, turn=4) == ["d/t1/term", "d/p1/phrase"]


def test_spread_keeps_order_except_where_a_sibling_would_follow():
    assert spread_siblings(["d/a/term", "d/a/definition", "d/b/term"]) == ["d/a/term", "d/b/term", "d/a/definition"]
    assert spread_siblings(["d/a/term", "d/b/term", "d/a/definition"]) == ["d/a/term", "d/b/term", "d/a/definition"]
    assert spread_siblings(["d/a/term", "d/a/definition"]) == ["d/a/term", "d/a/definition"]  # nothing else left
    assert spread_siblings(["x/a/term", "y/a/term"]) == ["x/a/term", "y/a/term"]  # other deck: not siblings


def test_a_drill_never_comes_straight_after_its_sibling_while_another_card_is_left():
    session = ReviewSession(queue=deque(["d/a/term", "d/b/term", "d/a/definition"]))
    session.answer("d/a/term", 2, 1)  # back of the queue: b, a/definition, a/term
    session.answer("d/b/term", 2, 2)  # a/definition, a/term, b
    assert list(session.queue) == ["d/a/definition", "d/a/term", "d/b/term"]
    session.answer("d/a/definition", 5, 3)
    assert list(session.queue) == ["d/b/term", "d/a/term"]  # b comes forward, not a's term
    session.answer("d/b/term", 5, 4)
    assert session.current == "d/a/term"  # only a sibling left: it comes
    session.answer("d/a/term", 5, 5)
    assert session.current is None


def test_bury_keeps_siblings_apart_too():
    session = ReviewSession(queue=deque(["d/a/term", "d/b/term", "d/a/definition",
                                                                   "d/c/term"]))
    session.answer("d/a/term", 5, 1)
    session.bury("d/b/term")
    assert session.current == "d/c/term"


def test_a_card_due_today_keeps_its_entrys_new_cards_back(db_path, sample_deck):
    with Store.open(db_path) as store:
        store.sync([load_deck(sample_deck)], today=DAY)
        store.record("sample/alpha/term", 5, today=DAY, now=NOW)
        tomorrow = DAY + timedelta(days=1)
        session = start_session(store, today=tomorrow)
        assert session.current == "sample/alpha/term"  # due
        assert not [c for c in session.queue if c.startswith("sample/alpha/") and c != "sample/alpha/term"]
        assert apart(list(session.queue))
