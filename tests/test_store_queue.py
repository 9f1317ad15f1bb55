"""The review queue's storage: migration 3 on old databases, and queries answered from one index."""

from __future__ import annotations

import sqlite3
from datetime import date, datetime, timedelta, timezone

import pytest

from flashcards.model import Deck, Term
from flashcards.store import SCHEMA_VERSION, Store
from flashcards.store.forecast import due_by_day, falls_due_on, next_due
from flashcards.store.schema import MIGRATIONS
from flashcards.store.stats import bury, set_suspended

DAY = date(2026, 3, 2)
NOW = datetime(2026, 3, 2, 9, 30, tzinfo=timezone.utc)

# the copies migration 3 adds to card_state
QUEUE_COLUMNS = ("deck_id", "position", "retired")


def terms(deck_id: str, count: int) -> Deck:
    return Deck(id=deck_id, name=deck_id.title(),
                terms=tuple(Term(id=f"t{n}", term=f"Term {n}", definition=f"Definition {n}.") for n in range(count)))


def old_database(path, versions: int) -> None:
    """A database as an earlier release left it: the first ``versions`` migrations and a history
    (two decks, a retired card, scheduled, suspended and buried cards, reviews, a drill, an undo;
    from version 2 on, a scored quiz)."""
    conn = sqlite3.connect(str(path))
    with conn:
        for migration in MIGRATIONS[:versions]:
            for statement in migration:
                conn.execute(statement)
        conn.execute(f"PRAGMA user_version = {versions}")
        for deck in ("alpha", "beta"):
            conn.execute("INSERT INTO decks (id, name, imported_on) VALUES (?, ?, '2026-01-01')", (deck, deck.title()))
            for n in range(3):
                for position, kind in enumerate(("term", "definition")):
                    card_id = f"{deck}/t{n}/{kind}"
                    conn.execute(
                        """INSERT INTO cards (id, deck_id, entry_id, kind, front, back, position, content_hash,
                           retired, added_on, updated_on) VALUES (?, ?, ?, ?, 'F', 'B', ?, 'x', ?, '2026-01-01',
                           '2026-01-01')""",
                        (card_id, deck, f"t{n}", kind, 2 * n + position, int(deck == "beta" and n == 2)),
                    )
                    scheduled = n < 2
                    conn.execute(
                        """INSERT INTO card_state (card_id, repetitions, ef, interval, due, last_review, suspended,
                           buried_until) VALUES (?, ?, 250, ?, ?, ?, ?, ?)""",
                        (card_id, int(scheduled), int(scheduled), f"2026-01-0{2 + n + position}" if scheduled else None,
                         "2026-01-01" if scheduled else None, int(card_id == "alpha/t1/definition"),
                         "2026-01-04" if card_id == "beta/t0/term" else None),
                    )
                    if scheduled:
                        conn.execute(
                            """INSERT INTO reviews (card_id, reviewed_at, day, kind, grade, reps_before, ef_before,
                               interval_before, reps_after, ef_after, interval_after, due_after)
                               VALUES (?, '2026-01-01T10:00:00', '2026-01-01', 'review', 4, 0, 250, 0, 1, 250, 1,
                               '2026-01-02')""",
                            (card_id,),
                        )
        conn.execute("""INSERT INTO reviews (card_id, reviewed_at, day, kind, grade)
                        VALUES ('alpha/t0/term', '2026-01-01T10:01:00', '2026-01-01', 'drill', 3)""")
        conn.execute("""INSERT INTO reviews (card_id, reviewed_at, day, kind, undoes)
                        VALUES ('alpha/t0/term', '2026-01-01T10:02:00', '2026-01-01', 'undo', 13)""")
        if versions >= 2:
            conn.execute("""INSERT INTO quizzes (id, title, pass_mark, seed, kinds, deck_ids, paper_checksum,
                            created_on, created_at) VALUES ('q1', 'Quiz', 80, 7, '[]', '["alpha"]', 'sum',
                            '2026-01-01', '2026-01-01T09:00:00')""")
            conn.execute("""INSERT INTO quiz_questions (quiz_id, position, id, kind, prompt, options, answer,
                            deck_id, entry_id, card_id, concept) VALUES ('q1', 0, 'q1-1', 'definition', 'P?',
                            '[]', 'a', 'alpha', 't0', 'alpha/t0/term', 'Term 0')""")
            conn.execute("""INSERT INTO quiz_attempts (quiz_id, learner, learner_key, attempt, started_at,
                            finished_at, correct, total, passed, digest, file, scored_on, scored_at)
                            VALUES ('q1', 'Ann', 'ann', 1, 's', 'f', 1, 1, 1, 'd1', 'ann.yaml', '2026-01-02', 't')""")
            conn.execute("INSERT INTO quiz_responses VALUES (1, 'q1-1', 'a', 1)")
            conn.execute("""INSERT INTO quiz_rejections (quiz_id, learner, file, status, reason, digest, scored_on,
                            scored_at) VALUES ('q1', 'Bob', 'bob.yaml', 'rejected', 'late', 'd2', '2026-01-02', 't')""")
    conn.close()


def snapshot(path) -> dict[str, tuple[list[str], list[tuple]]]:
    """Every table's columns and rows, in rowid order."""
    conn = sqlite3.connect(str(path))
    try:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        result = {}
        for table in tables:
            columns = [r[1] for r in conn.execute(f"PRAGMA table_info({table})")]
            result[table] = (columns, conn.execute(f"SELECT * FROM {table} ORDER BY rowid").fetchall())
        return result
    finally:
        conn.close()


@pytest.mark.parametrize("versions", [1, 2])
def test_migration_keeps_every_row_of_an_old_database(db_path, versions):
    old_database(db_path, versions)
    before = snapshot(db_path)
    assert len(before["cards"][1]) == 12 and len(before["reviews"][1]) == 10
    with Store.open(db_path) as store:
        assert store.schema_version == SCHEMA_VERSION
    after = snapshot(db_path)
    for table, (columns, rows) in before.items():
        conn = sqlite3.connect(str(db_path))
        kept = conn.execute(f"SELECT {', '.join(columns)} FROM {table} ORDER BY rowid").fetchall()
        conn.close()
        assert kept == rows, table
    # the copies beside the state equal the cards they come from
    states = {r[0]: r for r in after["card_state"][1]}
    columns = after["card_state"][0]
    for card in after["cards"][1]:
        card_row = dict(zip(after["cards"][0], card))
        state_row = dict(zip(columns, states[card_row["id"]]))
        assert {c: state_row[c] for c in QUEUE_COLUMNS} == {c: card_row[c] for c in QUEUE_COLUMNS}


@pytest.mark.parametrize("versions", [1, 2])
def test_migrated_database_queues_like_a_new_one(db_path, versions):
    old_database(db_path, versions)
    day = date(2026, 1, 3)
    with Store.open(db_path) as store:
        # due by the 3rd, oldest first, then deck order; not the suspended, retired or buried card
        assert store.due_card_ids(today=day) == [
            "alpha/t0/term", "alpha/t0/definition", "alpha/t1/term", "beta/t0/definition", "beta/t1/term"]
        assert store.due_count(today=day) == 5
        assert store.due_count(today=day, deck="alpha") == 3
        assert store.due_card_ids(today=day + timedelta(days=1))[1] == "beta/t0/term"  # burial over
        assert store.new_card_ids(limit=10) == ["alpha/t2/term", "alpha/t2/definition"]
        assert [(s.id, s.new, s.due, s.total, s.retired) for s in store.deck_summaries(today=day)] == [
            ("alpha", 2, 3, 6, 0), ("beta", 0, 2, 4, 2)]
        # the triggers keep the copies in line: a re-import retires and restores through `cards`
        store.sync([terms("beta", 1)], today=day)
        assert store.due_card_ids(today=day, deck="beta") == ["beta/t0/definition"]
        store.sync([terms("beta", 3)], today=day)
        assert store.due_card_ids(today=day, deck="beta") == ["beta/t0/definition", "beta/t1/term"]
        assert store.new_card_ids(limit=10, deck="beta") == ["beta/t2/term", "beta/t2/definition"]


def test_a_state_row_inserted_without_the_copies_gets_them(db_path):
    with Store.open(db_path) as store:
        store.sync([terms("d", 2)], today=DAY)
        conn = store.conn
        with conn:
            conn.execute("""INSERT INTO cards (id, deck_id, entry_id, kind, front, back, position, content_hash,
                            added_on, updated_on) VALUES ('d/x/term', 'd', 'x', 'term', 'F', 'B', 9, 'h', 'd', 'd')""")
            conn.execute("INSERT INTO card_state (card_id) VALUES ('d/x/term')")
        assert conn.execute("SELECT deck_id, position, retired FROM card_state WHERE card_id = 'd/x/term'"
                            ).fetchone() == ("d", 9, 0)
        assert store.new_card_ids(limit=10)[-1] == "d/x/term"


# -- counts agree with the queue ----------------------------------------------------


@pytest.fixture
def busy(db_path):
    """Two decks of 10 terms (20 cards each), every card reviewed once over ten days."""
    with Store.open(db_path) as store:
        store.sync([terms("a", 10), terms("b", 10)], today=DAY)
        for n, card_id in enumerate(store.new_card_ids(limit=100)):
            store.record(card_id, 4, today=DAY + timedelta(days=n % 10), now=NOW)
        yield store


def test_due_count_is_the_length_of_the_queue(busy):
    set_suspended(busy, ["a/t0"], suspended=True)
    bury(busy, "b/t1/term", until=DAY + timedelta(days=12))
    busy.sync([terms("a", 10), terms("b", 8)], today=DAY)  # retires b/t8, b/t9
    for offset in range(0, 14):
        day = DAY + timedelta(days=offset)
        for deck in (None, "a", "b"):
            ids = busy.due_card_ids(today=day, deck=deck)
            assert busy.due_count(today=day, deck=deck) == len(ids), (day, deck)
            assert ids == sorted(ids, key=lambda c: (busy.card(c).state.due, c.split("/")[0]))
            assert busy.due_card_ids(today=day, deck=deck, limit=5) == ids[:5]
            # the forecast's today (the overdue cards included) is the queue, burials respected
            assert due_by_day(busy, today=day, deck=deck).get(day, 0) == len(ids), (day, deck)
    day = DAY + timedelta(days=11)
    assert "b/t1/term" not in busy.due_card_ids(today=day)
    assert due_by_day(busy, today=day)[DAY + timedelta(days=12)] >= 1  # it falls due when its burial ends


def test_the_quick_forecast_figures_are_the_full_forecasts(busy):
    # a card buried past its due day, one buried till a day it is due before, suspended, retired
    set_suspended(busy, ["a/t0"], suspended=True)
    bury(busy, "b/t1/term", until=DAY + timedelta(days=12))
    bury(busy, "a/t3/term", until=DAY + timedelta(days=1))
    busy.sync([terms("a", 10), terms("b", 8)], today=DAY)
    for offset in range(0, 14):
        day = DAY + timedelta(days=offset)
        for deck in (None, "a", "b"):
            days = due_by_day(busy, today=day, deck=deck)
            later = [(d, n) for d, n in days.items() if d > day]
            assert next_due(busy, today=day, deck=deck) == (later[0] if later else None), (day, deck)
            for ahead in (1, 2, 5):
                target = day + timedelta(days=ahead)
                assert falls_due_on(busy, target, today=day, deck=deck) == days.get(target, 0), (day, deck, ahead)


def test_queue_and_due_count_read_one_index_without_sorting(busy):
    # what makes the cost follow the cards shown: SQLite reads an index range in
    # order and stops at the limit, never visiting the table or sorting
    statements = []
    busy.conn.set_trace_callback(statements.append)  # the SQL as run, values bound
    busy.due_card_ids(today=DAY, limit=200)
    busy.due_card_ids(today=DAY, deck="a", limit=200)
    busy.new_card_ids(limit=20)
    busy.due_count(today=DAY)
    busy.due_count(today=DAY, deck="b")
    busy.conn.set_trace_callback(None)
    plans = [" | ".join(row[3] for row in busy.conn.execute(f"EXPLAIN QUERY PLAN {sql}")) for sql in statements]
    assert "USING COVERING INDEX card_state_queue" in plans[0]
    assert "USING COVERING INDEX card_state_deck_queue" in plans[1]
    assert "USING COVERING INDEX card_state_new" in plans[2]
    assert "USING COVERING INDEX card_state_due" in plans[3] and "card_state_buried" in plans[3]
    assert "USING COVERING INDEX card_state_deck_queue" in plans[4]
    for plan in plans:
        assert "TEMP B-TREE" not in plan and "COVERING INDEX" in plan, plan
