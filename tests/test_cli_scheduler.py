"""`flash scheduler`: a deck moves between SM-2 and FSRS by replaying its log; due dates stay."""

from __future__ import annotations

import dataclasses
import json
import sqlite3
from datetime import date

from conftest import rows

from flashcards.schedulers import FSRS, SM2, CardState, replay

ONE = "id: one\nname: One term\nterms:\n  - {id: t1, term: Alpha, definition: The first letter.}\n"
TERM = "one/t1/term"


def cards(invoke, db_path, today):
    result = invoke("cards", "--json", "--db", db_path, "--today", today)
    assert result.exit_code == 0, result.output
    return {c["id"]: c for c in json.loads(result.stdout)}


def study(invoke, db_path, deck_path, grades, start="2026-01-01"):
    """Import, then grade the term card on each day it falls due; returns the log [(day, grade)]."""
    assert invoke("import", deck_path, "--db", db_path, "--today", start).exit_code == 0
    day, log = start, []
    for grade in grades:
        result = invoke("review", "--db", db_path, "--today", day, "--new", "1", "--limit", "1", input=f"{grade}\n")
        assert result.exit_code == 0, result.output
        log.append((date.fromisoformat(day), grade))
        day = cards(invoke, db_path, day)[TERM]["due"]
    return log


def state_of(card) -> CardState:
    return CardState(repetitions=card["repetitions"], ef=round(card["easiness"] * 100), interval=card["interval"],
                     due=date.fromisoformat(card["due"]) if card["due"] else None, lapses=card["lapses"],
                     last_review=date.fromisoformat(card["last_review"]) if card["last_review"] else None,
                     stability=card["stability"], difficulty=card["difficulty"])


def check_ok(invoke, db_path):
    result = invoke("db", "check", "--db", db_path)
    assert result.exit_code == 0, result.output


def test_switching_replays_the_log_and_keeps_due_dates(invoke, db_path, write_deck):
    log = study(invoke, db_path, write_deck(ONE), [5, 4, 2, 4])
    before = cards(invoke, db_path, "2026-01-01")[TERM]
    assert before["scheduler"] == "sm2" and before["stability"] is None

    result = invoke("scheduler", "one", "fsrs", "--db", db_path, "--today", "2026-02-01")
    assert result.exit_code == 0, result.output
    assert result.stdout == ("one: sm2 -> fsrs (desired retention 0.9, default parameters); "
                             "2 cards re-derived from 4 reviews, due dates kept\n")
    after = cards(invoke, db_path, "2026-02-01")[TERM]
    fsrs_state = replay(FSRS(), log)
    assert after["scheduler"] == "fsrs"
    assert (after["stability"], after["difficulty"]) == (fsrs_state.stability, fsrs_state.difficulty)
    assert (after["due"], after["interval"]) == (before["due"], before["interval"])
    assert (after["repetitions"], after["lapses"]) == (before["repetitions"], before["lapses"])
    check_ok(invoke, db_path)

    # the next grade is FSRS's, from the replayed memory
    day = after["due"]
    assert invoke("review", "--db", db_path, "--today", day, "--new", "0", input="4\n").exit_code == 0
    graded = cards(invoke, db_path, day)[TERM]
    expected = FSRS().review(state_of(after), 4, today=date.fromisoformat(day))
    assert state_of(graded) == expected
    assert rows(db_path, "SELECT scheduler, retention FROM reviews WHERE kind = 'review' ORDER BY id") == [
        (None, None)] * 4 + [("fsrs", 0.9)]
    check_ok(invoke, db_path)

    # and back: SM-2 exactly as if the deck had never left it
    result = invoke("scheduler", "one", "sm2", "--db", db_path, "--today", day)
    assert result.exit_code == 0, result.output
    back = cards(invoke, db_path, day)[TERM]
    sm2_state = replay(SM2(), log + [(date.fromisoformat(day), 4)])
    assert back["scheduler"] == "sm2" and back["stability"] is None
    # SM-2's E-Factor, repetitions and lapses from the whole log; the due date FSRS gave is kept
    assert state_of(back) == dataclasses.replace(sm2_state, due=state_of(graded).due, interval=graded["interval"])
    check_ok(invoke, db_path)


def test_db_check_finds_a_tampered_fsrs_memory(invoke, db_path, write_deck):
    study(invoke, db_path, write_deck(ONE), [5, 4])
    assert invoke("scheduler", "one", "fsrs", "--db", db_path, "--today", "2026-01-01").exit_code == 0
    check_ok(invoke, db_path)
    conn = sqlite3.connect(str(db_path))
    with conn:
        conn.execute("UPDATE card_state SET memory = '{\"stability\": 99.0, \"difficulty\": 5.0}' "
                     "WHERE card_id = ?", (TERM,))
    conn.close()
    result = invoke("db", "check", "--db", db_path)
    assert result.exit_code == 1
    assert f"{TERM}: current state: stored state" in result.output and "stability 99" in result.output


def test_reschedule_moves_due_dates_to_the_new_schedulers(invoke, db_path, write_deck):
    log = study(invoke, db_path, write_deck(ONE), [5, 5, 5])
    result = invoke("scheduler", "one", "fsrs", "--retention", "0.8", "--reschedule", "--db", db_path,
                    "--today", "2026-02-01")
    assert result.exit_code == 0, result.output
    assert result.stdout.endswith("1 due date moved\n")
    card = cards(invoke, db_path, "2026-02-01")[TERM]
    assert state_of(card) == replay(FSRS(desired_retention=0.8), log)
    assert invoke("scheduler", "one", "--db", db_path).stdout == (
        "one: fsrs (desired retention 0.8, default parameters)\n")
    check_ok(invoke, db_path)


def test_bad_requests_change_nothing(invoke, db_path, write_deck):
    study(invoke, db_path, write_deck(ONE), [5])
    snapshot = rows(db_path, "SELECT * FROM card_state ORDER BY card_id")
    bad = invoke("scheduler", "one", "fsrs", "--retention", "0.5", "--db", db_path)
    assert bad.exit_code == 2
    assert "Invalid value for '--retention': desired retention must be between 0.7 and 0.99, not 0.5" in bad.stderr
    sm2 = invoke("scheduler", "one", "sm2", "--retention", "0.9", "--db", db_path)
    assert sm2.exit_code == 2 and "SM-2 has no desired retention" in sm2.stderr
    unknown = invoke("scheduler", "nope", "fsrs", "--db", db_path)
    assert unknown.exit_code == 1
    assert unknown.stderr == "Error: no deck with id 'nope' (decks: one)\n"
    name = invoke("scheduler", "one", "leitner", "--db", db_path)
    assert name.exit_code == 2 and "'leitner' is not one of 'sm2', 'fsrs'" in name.stderr
    assert rows(db_path, "SELECT * FROM card_state ORDER BY card_id") == snapshot
    assert rows(db_path, "SELECT COUNT(*) FROM deck_schedulers") == [(0,)]


def test_undo_across_a_switch_is_refused(invoke, db_path, write_deck):
    study(invoke, db_path, write_deck(ONE), [5])
    assert invoke("scheduler", "one", "fsrs", "--db", db_path, "--today", "2026-01-01").exit_code == 0
    result = invoke("undo", "--db", db_path, "--today", "2026-01-01")
    assert result.exit_code == 1
    assert "its deck changed scheduler since" in result.stderr
    assert rows(db_path, "SELECT COUNT(*) FROM reviews WHERE kind = 'undo'") == [(0,)]


def test_environment_gives_the_database_and_the_day(runner, tmp_path, write_deck):
    from flashcards.cli import cli

    db = tmp_path / "env.db"
    env = {"FLASH_DB": str(db), "FLASH_TODAY": "2026-01-01"}
    assert runner.invoke(cli, ["import", str(write_deck(ONE))], env=env).exit_code == 0
    assert runner.invoke(cli, ["scheduler", "one", "fsrs"], env=env).exit_code == 0
    assert rows(db, "SELECT deck_id, scheduler, set_on FROM deck_schedulers") == [("one", "fsrs", "2026-01-01")]


def test_the_deck_file_names_the_scheduler(invoke, db_path, write_deck):
    log = study(invoke, db_path, write_deck(ONE), [5, 4])
    before = cards(invoke, db_path, "2026-01-10")[TERM]
    path = write_deck("scheduler: fsrs\ndesired_retention: 0.85\n" + ONE)
    result = invoke("import", path, "--db", db_path, "--today", "2026-01-10")
    assert result.exit_code == 0, result.output
    assert ("Scheduler from the deck file: one: sm2 -> fsrs (desired retention 0.85, default parameters); "
            "2 cards re-derived from 2 reviews, due dates kept") in result.stdout
    after = cards(invoke, db_path, "2026-01-10")[TERM]
    assert after["stability"] == replay(FSRS(), log).stability and after["due"] == before["due"]
    again = invoke("import", path, "--db", db_path, "--today", "2026-01-11")
    assert "Scheduler from the deck file" not in again.stdout  # already so: nothing to do
    # a file without the key leaves the deck's scheduler alone
    assert "Scheduler" not in invoke("import", write_deck(ONE), "--db", db_path).stdout
    shown = invoke("scheduler", "one", "--db", db_path).stdout
    assert shown == "one: fsrs (desired retention 0.85, default parameters)\n"
    check_ok(invoke, db_path)


def test_bad_scheduler_keys_name_the_file_and_line(invoke, db_path, write_deck):
    for text, line, message in (
        ("scheduler: leitner\n", 1, "'scheduler' must be sm2 or fsrs, not 'leitner'"),
        ("scheduler: fsrs\ndesired_retention: 2\n", 2, "'desired_retention' must be a number from 0.7 to 0.99"),
        ("desired_retention: 0.9\n", 1, "'desired_retention' is FSRS's: add 'scheduler: fsrs'"),
    ):
        path = write_deck(text + ONE, "bad.yaml")
        result = invoke("import", path, "--db", db_path)
        assert result.exit_code == 1
        assert f"{path}:{line}: {message}" in result.stderr
    assert not db_path.exists()
