"""`flash review` through the real CLI: first run, piped grades, summary, undo, days, a kill."""

from __future__ import annotations

import json
import os
import select
import signal
import sqlite3
import subprocess
import sys
import time
import warnings

import pytest

from flashcards.decks import load_decks, shipped_decks_dir
from flashcards.model import cards_for_deck

TODAY = "2026-03-02"
TOMORROW = "2026-03-03"


# Day 1 of the sample deck: one new card per entry, dealt by kind (see flashcards/review.py).
DAY1 = [
    "sample/alpha/term", "sample/say-hello/phrase", "sample/door/holds",
    "sample/beta/term", "sample/say-thanks/phrase", "sample/badge/holds",
]


@pytest.fixture
def two_terms_deck(write_deck):
    """Two entries, so a session shows two new cards on day 1 (a term's siblings wait)."""
    return write_deck("id: two\nname: Two terms\nterms:\n  - {id: t1, term: Alpha, definition: The first letter.}\n"
                      "  - {id: t2, term: Beta, definition: The second letter.}\n", "two.yaml")


def cards_json(invoke, db_path, today=TODAY, *extra):
    result = invoke("cards", "--json", "--db", db_path, "--today", today, *extra)
    assert result.exit_code == 0, result.output
    return {c["id"]: c for c in json.loads(result.stdout)}


def review_log(db_path):
    conn = sqlite3.connect(str(db_path))
    try:
        return conn.execute("SELECT card_id, kind, grade FROM reviews ORDER BY id").fetchall()
    finally:
        conn.close()


def import_deck(invoke, db_path, path, today=TODAY):
    result = invoke("import", path, "--db", db_path, "--today", today)
    assert result.exit_code == 0, result.output


def no_traceback(result):
    # click's own exits (ClickException, UsageError) end in SystemExit; anything
    # else would be a crash with a traceback
    assert isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output


# -- the first run ------------------------------------------------------------------


def test_first_run_imports_the_shipped_decks(invoke, db_path):
    shipped = load_decks([shipped_decks_dir()])
    assert shipped, "the package ships at least one deck"
    expected = {d.id: len(cards_for_deck(d)) for d in shipped}

    result = invoke("review", "--db", db_path, "--today", TODAY)
    assert result.exit_code == 0, result.output
    for deck_id, count in expected.items():
        assert f"First run: imported deck {deck_id} ({count} cards) into {db_path}" in result.stdout
    assert result.stderr == ""

    cards = cards_json(invoke, db_path)
    assert len(cards) == sum(expected.values())
    assert {c["deck"] for c in cards.values()} == set(expected)
    assert all(c["due"] is None and c["repetitions"] == 0 for c in cards.values())

    # the second run does not import again
    again = invoke("review", "--db", db_path, "--today", TODAY)
    assert again.exit_code == 0
    assert "First run" not in again.stdout


def test_first_run_session_takes_twenty_new_cards(invoke, db_path):
    result = invoke("review", "--db", db_path, "--today", TODAY)
    assert "0 due · 20 new · 20 in this session" in result.stdout.splitlines()


# -- piped grades and the summary --------------------------------------------------


def test_piped_grades_are_saved(invoke, db_path, sample_deck, sample_card_ids):
    import_deck(invoke, db_path, sample_deck)
    rest = [c for c in sample_card_ids if c not in DAY1[:3]]
    sample_card_ids = DAY1[:3] + rest
    result = invoke("review", "--db", db_path, "--today", TODAY, input="5\n2\n4\n")
    assert result.exit_code == 0, result.output
    cards = cards_json(invoke, db_path)
    a, b, c = (cards[i] for i in sample_card_ids[:3])
    assert (a["repetitions"], a["easiness"], a["interval"], a["due"]) == (1, 2.6, 1, TOMORROW)
    assert (b["repetitions"], b["easiness"], b["interval"], b["due"]) == (0, 2.18, 1, TOMORROW)
    assert (c["repetitions"], c["easiness"], c["interval"], c["due"]) == (1, 2.5, 1, TOMORROW)
    assert all(cards[i]["due"] is None for i in sample_card_ids[3:])
    assert review_log(db_path) == [
        (sample_card_ids[0], "review", 5),
        (sample_card_ids[1], "review", 2),
        (sample_card_ids[2], "review", 4),
    ]


def test_summary(invoke, db_path, sample_deck):
    import_deck(invoke, db_path, sample_deck)
    result = invoke("review", "--db", db_path, "--today", TODAY, input="5\n2\n4\n\n")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "0 due · 6 new · 6 in this session"  # one new card per entry
    assert lines[-4:] == [
        # 4 left: 3 cards never shown and the one graded 2, back for a drill
        "Reviewed 3 cards, 2 correct (67%); 4 left in the queue.",
        "3 new cards left for today, 1 card to drill again ('flash review' goes on).",
        f"Next due: {TOMORROW} (3 cards).",
        "Due tomorrow: 3.",
    ]


def test_summary_counts_drills_apart(invoke, db_path, two_terms_deck):
    import_deck(invoke, db_path, two_terms_deck)
    # t1: 1 (requeued); t2: 5; t1 again (drill): 2, then 4
    result = invoke("review", "--db", db_path, "--today", TODAY, input="1\n5\n2\n4\n")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[-4:] == [
        "Reviewed 2 cards, 1 correct (50%), 2 extra drills.",
        "All done for today.",
        f"Next due: {TOMORROW} (2 cards).",
        "Due tomorrow: 2.",
    ]
    assert review_log(db_path) == [
        ("two/t1/term", "review", 1),
        ("two/t2/term", "review", 5),
        ("two/t1/term", "drill", 2),
        ("two/t1/term", "drill", 4),
    ]
    term = cards_json(invoke, db_path)["two/t1/term"]
    assert (term["repetitions"], term["easiness"], term["interval"]) == (0, 1.96, 1)


def test_piped_review_uses_no_deprecated_click_api(invoke, db_path, one_term_deck):
    import_deck(invoke, db_path, one_term_deck)
    with warnings.catch_warnings():
        # as setup.cfg does: a deprecated call from our own code is an error
        warnings.filterwarnings("error", category=DeprecationWarning, module=r"flashcards\.")
        result = invoke("review", "--db", db_path, "--today", TODAY, input="5\n")
    assert result.exception is None, repr(result.exception)
    assert result.exit_code == 0
    assert review_log(db_path) == [("one/t1/term", "review", 5)]


def test_blank_line_ends_the_session(invoke, db_path, sample_deck):
    import_deck(invoke, db_path, sample_deck)
    result = invoke("review", "--db", db_path, "--today", TODAY, input="5\n\n5\n5\n")
    assert result.exit_code == 0, result.output
    assert len(review_log(db_path)) == 1
    assert "Reviewed 1 card, 1 correct (100%); 5 left in the queue." in result.stdout.splitlines()


def test_empty_queue_says_when_the_next_card_is_due(invoke, db_path, one_term_deck):
    import_deck(invoke, db_path, one_term_deck)
    first = invoke("review", "--db", db_path, "--today", TODAY, input="5\n")
    assert first.exit_code == 0, first.output
    # the definition card waits: its sibling was introduced today
    result = invoke("review", "--db", db_path, "--today", TODAY)
    assert result.exit_code == 0, result.output
    assert result.stdout == f"Nothing to review right now.\nNext due: {TOMORROW} (1 card).\n"


def test_empty_queue_when_the_new_card_cap_is_reached(invoke, db_path, two_terms_deck):
    import_deck(invoke, db_path, two_terms_deck)
    invoke("review", "--db", db_path, "--today", TODAY, "--new", "1", input="5\n")
    result = invoke("review", "--db", db_path, "--today", TODAY, "--new", "1")
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        "Nothing to review right now.\n"
        "Today's new cards are done (1 a day; raise the cap with --new N).\n"
        f"Next due: {TOMORROW} (1 card).\n"
    )
    # raising the cap brings the second card
    more = invoke("review", "--db", db_path, "--today", TODAY, "--new", "2", input="5\n")
    assert "0 due · 1 new · 1 in this session" in more.stdout.splitlines()


def test_new_cap_and_limit_options(invoke, db_path, sample_deck):
    import_deck(invoke, db_path, sample_deck)
    result = invoke("review", "--db", db_path, "--today", TODAY, "--new", "5")
    assert "0 due · 5 new · 5 in this session" in result.stdout.splitlines()
    result = invoke("review", "--db", db_path, "--today", TODAY, "--limit", "3")
    # the header tells the day as it is; the limit only caps the session
    assert "0 due · 6 new · 3 in this session (--limit 3)" in result.stdout.splitlines()  # one per entry


def test_deck_option(invoke, db_path, sample_deck, one_term_deck):
    import_deck(invoke, db_path, sample_deck)
    import_deck(invoke, db_path, one_term_deck)
    result = invoke("review", "--db", db_path, "--today", TODAY, "--deck", "one", input="5\n5\n")
    assert result.exit_code == 0, result.output
    assert "0 due · 1 new · 1 in this session" in result.stdout.splitlines()  # the definition waits
    assert {row[0] for row in review_log(db_path)} == {"one/t1/term"}

    unknown = invoke("review", "--db", db_path, "--today", TODAY, "--deck", "nope")
    assert unknown.exit_code == 1
    assert unknown.stderr == "Error: no deck with id 'nope' (decks: one, sample)\n"
    no_traceback(unknown)


# -- SM-2 over simulated days ---------------------------------------------------------


def test_sm2_intervals_over_simulated_days(invoke, db_path, one_term_deck):
    import_deck(invoke, db_path, one_term_deck, today="2026-01-01")
    # (day, grade) -> interval, due, E-Factor after the grade
    steps = [
        ("2026-01-01", 5, 1, "2026-01-02", 2.6),
        ("2026-01-02", 5, 6, "2026-01-08", 2.7),
        ("2026-01-08", 4, 17, "2026-01-25", 2.7),
        ("2026-01-25", 4, 46, "2026-03-12", 2.7),
        ("2026-03-12", 5, 125, "2026-07-15", 2.8),
        ("2026-07-15", 3, 350, "2027-06-30", 2.66),
    ]
    for n, (day, grade, interval, due, ef) in enumerate(steps, start=1):
        # the day before it is due, the card is not shown
        result = invoke("review", "--db", db_path, "--today", day, "--new", "1", "--limit", "1",
                        input=f"{grade}\n")
        assert result.exit_code == 0, result.output
        cards = cards_json(invoke, db_path, day)
        term = cards["one/t1/term"]
        assert (term["repetitions"], term["interval"], term["due"], term["easiness"]) == (
            n, interval, due, ef
        ), day
        assert term["last_review"] == day
        assert cards["one/t1/definition"]["due"] is None  # --limit 1 kept it out
    assert [r[2] for r in review_log(db_path)] == [5, 5, 4, 4, 5, 3]


def test_card_is_not_shown_before_its_due_day(invoke, db_path, one_term_deck):
    import_deck(invoke, db_path, one_term_deck, today="2026-01-01")
    invoke("review", "--db", db_path, "--today", "2026-01-01", input="5\n")
    invoke("review", "--db", db_path, "--today", "2026-01-02", input="5\n")  # next: 6 days
    early = invoke("review", "--db", db_path, "--today", "2026-01-07", "--new", "0")
    assert early.stdout == ("Nothing to review right now.\n"
                            "New cards are off for this session (--new 0).\n"
                            "Next due: 2026-01-08 (1 card).\n")
    on_time = invoke("review", "--db", db_path, "--today", "2026-01-08", "--new", "0")
    assert "1 due · 0 new · 1 in this session" in on_time.stdout.splitlines()
    late = invoke("review", "--db", db_path, "--today", "2026-02-01", "--new", "0")
    assert "1 due · 0 new · 1 in this session" in late.stdout.splitlines()


def test_due_cards_come_oldest_due_first(invoke, db_path, two_terms_deck):
    import_deck(invoke, db_path, two_terms_deck, today="2026-01-01")
    invoke("review", "--db", db_path, "--today", "2026-01-01", "--new", "1", input="5\n")  # t1: due 01-02
    invoke("review", "--db", db_path, "--today", "2026-01-02", input="5\n5\n")  # t1 01-08, t2 01-03
    # on 01-10 t2 (due 01-03) comes before t1 (due 01-08)
    result = invoke("review", "--db", db_path, "--today", "2026-01-10", input="4\n4\n")
    assert result.exit_code == 0, result.output
    assert review_log(db_path)[-2:] == [("two/t2/term", "review", 4), ("two/t1/term", "review", 4)]


# -- environment and bad input ---------------------------------------------------------


def test_env_vars_give_db_and_today(invoke, tmp_path, one_term_deck):
    db = tmp_path / "from-env.db"
    env = {"FLASH_DB": str(db), "FLASH_TODAY": "2026-05-05"}
    result = invoke("import", one_term_deck, env=env)
    assert result.exit_code == 0, result.output
    result = invoke("review", input="5\n", env=env)
    assert result.exit_code == 0, result.output
    assert db.exists()
    assert not (tmp_path / "xdg-data").exists()
    cards = cards_json(invoke, db, "2026-05-05")
    assert cards["one/t1/term"]["last_review"] == "2026-05-05"
    assert cards["one/t1/term"]["due"] == "2026-05-06"
    # an explicit option wins over the variable
    result = invoke("review", "--today", "2026-05-06", input="4\n\n", env=env)
    assert cards_json(invoke, db, "2026-05-06")["one/t1/term"]["last_review"] == "2026-05-06"


@pytest.mark.parametrize("bad, why", [
    ("2026-02-30", "'2026-02-30': February 2026 has 28 days"),
    ("tomorrow", "'tomorrow' is not a date in the form YYYY-MM-DD"),
    ("02/03/2026", "'02/03/2026' is not a date in the form YYYY-MM-DD"),
    ("", "'' is not a date in the form YYYY-MM-DD"),
    ("9999-12-31", "'9999-12-31' is out of range (days from 1970-01-01 to 2999-12-31)"),
])
def test_bad_today(invoke, db_path, bad, why):
    result = invoke("review", "--db", db_path, "--today", bad)
    assert result.exit_code == 2
    assert result.stderr.endswith(f"Error: Invalid value for '--today': {why}\n")
    no_traceback(result)
    assert not db_path.exists()


def test_bad_flash_today(invoke, db_path):
    result = invoke("review", "--db", db_path, env={"FLASH_TODAY": "2026-13-01"})
    assert result.exit_code == 2
    assert result.stderr.endswith("Error: Invalid value for '--today': '2026-13-01': there is no month 13 "
                                  "(months are 01 to 12) (from FLASH_TODAY)\n")
    no_traceback(result)


@pytest.mark.parametrize(
    "option, value, message",
    [
        ("--limit", "0", "Error: Invalid value for '--limit': 0 is not in the range x>=1."),
        ("--new", "-1", "Error: Invalid value for '--new': -1 is not in the range x>=0."),
        ("--new", "lots", "Error: Invalid value for '--new': 'lots' is not a valid integer range."),
    ],
)
def test_bad_review_options(invoke, db_path, option, value, message):
    result = invoke("review", "--db", db_path, "--today", TODAY, option, value)
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1] == message
    no_traceback(result)
    assert not db_path.exists()


def test_bad_day_start_setting(invoke, db_path):
    # No --today here on purpose: the setting is read only when --today is absent.
    # It is checked before the clock is read or the database opened.
    result = invoke("review", "--db", db_path, env={"FLASH_DAY_STARTS_AT": "25"})
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1] == "Error: FLASH_DAY_STARTS_AT: '25' must be a whole number from 0 to 23"
    no_traceback(result)
    assert not db_path.exists()


def test_deck_text_is_not_markup(invoke, db_path, write_deck):
    deck = write_deck(
        "id: marks\nname: Marks\nterms:\n"
        "  - id: t\n    term: '[bold red]Alpha[/bold red]'\n    definition: '[link=x]first[/link]'\n",
        "marks.yaml",
    )
    import_deck(invoke, db_path, deck)
    result = invoke("review", "--db", db_path, "--today", TODAY, input="5\n")
    assert result.exit_code == 0, result.output
    assert "[bold red]Alpha[/bold red]" in result.stdout
    assert "[link=x]first[/link]" in result.stdout


def test_invalid_grade_line(invoke, db_path, sample_deck):
    sample_card_ids = DAY1
    import_deck(invoke, db_path, sample_deck)
    result = invoke("review", "--db", db_path, "--today", TODAY, input="5\n4\nseven\n3\n")
    assert result.exit_code == 1
    no_traceback(result)
    (message,) = result.stderr.splitlines()
    assert message.startswith("Error: standard input line 3: 'seven' is not a grade (0-5")
    assert message.endswith("the session stopped and every earlier grade is saved")
    assert review_log(db_path) == [(sample_card_ids[0], "review", 5), (sample_card_ids[1], "review", 4)]


def test_undo(invoke, db_path, two_terms_deck):
    import_deck(invoke, db_path, two_terms_deck)
    result = invoke("review", "--db", db_path, "--today", TODAY, input="2\nu\n5\n")
    assert result.exit_code == 0, result.output
    assert "Undid grade 2 for two/t1/term." in result.stdout.splitlines()
    term = cards_json(invoke, db_path)["two/t1/term"]
    # as if the 2 had never been given
    assert (term["repetitions"], term["easiness"], term["lapses"], term["due"]) == (1, 2.6, 0, TOMORROW)
    assert review_log(db_path) == [
        ("two/t1/term", "review", 2),
        ("two/t1/term", "undo", None),
        ("two/t1/term", "review", 5),
    ]
    assert result.stdout.splitlines()[-4] == "Reviewed 1 card, 1 correct (100%); 1 left in the queue."


def test_undo_with_nothing_to_undo(invoke, db_path, two_terms_deck):
    import_deck(invoke, db_path, two_terms_deck)
    result = invoke("review", "--db", db_path, "--today", TODAY, input="u\n5\n5\n")
    assert result.exit_code == 0, result.output
    assert "Nothing to undo today." in result.stdout.splitlines()
    assert [r[2] for r in review_log(db_path)] == [5, 5]


def test_corrupt_database(invoke, db_path):
    db_path.write_bytes(b"garbage, not SQLite " * 100)
    result = invoke("review", "--db", db_path, "--today", TODAY)
    assert result.exit_code == 1
    assert result.stderr == f"Error: {db_path} is not a usable flashcards database (file is not a database)\n"
    no_traceback(result)


# -- a killed session loses nothing graded ---------------------------------------------


def start_review(db_path, tmp_path, grades: bytes):
    """Run `python -m flashcards review` with a pipe for stdin, send ``grades``, and
    return once the next card is on screen (the session waits for a grade)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("FLASH_")}
    env.update(XDG_DATA_HOME=str(tmp_path / "xdg-data"), PYTHONUNBUFFERED="1", COLUMNS="100")
    proc = subprocess.Popen(
        [sys.executable, "-m", "flashcards", "review", "--db", str(db_path), "--today", TODAY],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
    )
    proc.stdin.write(grades)
    proc.stdin.flush()
    marker = b"%d done" % len(grades.splitlines())
    output = b""
    deadline = time.monotonic() + 15
    # piped, a card's answer shows once its grade is read: the session waits at the next front
    while not (marker in output and b"left" in output.split(marker, 1)[1]):
        if time.monotonic() > deadline or proc.poll() is not None:
            stop(proc)
            raise AssertionError(output.decode(errors="replace"))
        ready, _, _ = select.select([proc.stdout], [], [], 0.2)
        if ready:
            output += os.read(proc.stdout.fileno(), 65536)
    return proc


def stop(proc, sig=signal.SIGKILL):
    """Send ``sig``, wait, and return (stdout, stderr) still unread."""
    try:
        proc.send_signal(sig)
        out, err = proc.communicate(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    return out.decode(), err.decode()


def test_killed_session_keeps_every_grade(invoke, db_path, sample_deck, tmp_path):
    sample_card_ids = DAY1
    import_deck(invoke, db_path, sample_deck)
    proc = start_review(db_path, tmp_path, b"5\n3\n")
    stop(proc, signal.SIGKILL)
    assert proc.returncode == -signal.SIGKILL
    assert review_log(db_path) == [(sample_card_ids[0], "review", 5), (sample_card_ids[1], "review", 3)]
    cards = cards_json(invoke, db_path)
    assert cards[sample_card_ids[0]]["repetitions"] == 1
    assert cards[sample_card_ids[1]]["easiness"] == 2.36
    assert cards[sample_card_ids[2]]["due"] is None
    # the same day, the card graded 3 comes back first, as a drill
    resumed = invoke("review", "--db", db_path, "--today", TODAY, input="5\n")
    assert resumed.exit_code == 0, resumed.output
    assert review_log(db_path)[-1] == (sample_card_ids[1], "drill", 5)


def test_ctrl_c_ends_with_a_summary(invoke, db_path, sample_deck, tmp_path):
    sample_card_ids = DAY1
    import_deck(invoke, db_path, sample_deck)
    proc = start_review(db_path, tmp_path, b"4\n")
    out, err = stop(proc, signal.SIGINT)
    assert proc.returncode == 130, err  # interrupted: the documented status, after the summary
    assert "Traceback" not in err
    assert out.splitlines()[-5:] == [
        "Session interrupted: every grade given so far is saved.",
        "Reviewed 1 card, 1 correct (100%); 5 left in the queue.",
        "5 new cards left for today ('flash review' goes on).",
        f"Next due: {TOMORROW} (1 card).",
        "Due tomorrow: 1.",
    ]
    assert review_log(db_path) == [(sample_card_ids[0], "review", 4)]


def test_q_on_piped_input_ends_the_session_keeping_earlier_grades(invoke, one_term_deck, db_path):
    import sqlite3

    assert invoke("import", str(one_term_deck), "--db", str(db_path), "--today", TODAY).exit_code == 0
    result = invoke("review", "--db", str(db_path), "--today", TODAY, input="5\nq\n4\n")
    assert result.exit_code == 0, result.output
    assert "Reviewed 1 card" in result.output
    conn = sqlite3.connect(str(db_path))
    assert conn.execute("SELECT grade FROM reviews").fetchall() == [(5,)]  # the line after q is never read
    conn.close()
