"""`flash stats` through the real CLI: three simulated weeks of a daily habit, hand-computed.

The habit: a deck of 40 phrase cards, one new card a day (--new 1), every
card graded 5. Reviews happen on days 0-9 and 12-20 (days 10 and 11 are
missed). A card graded 5 goes 1 day, then 6 days, then 17 days
(ceil(6 x 2.7)); a card reviewed late starts its next interval from the day
it is reviewed. Card cN is the one introduced on the N-th review day.

    card  reviews on        next due      card  reviews on     next due
    c0    0, 1, 7           24            c10   12, 13, 19     36
    c1    1, 2, 8           25            c11   13, 14, 20     37
    c2    2, 3, 9           26            c12   14, 15         21
    c3    3, 4, 12 (late)   29            c13   15, 16         22
    c4    4, 5, 12 (late)   29            c14   16, 17         23
    c5    5, 6, 12          29            c15   17, 18         24
    c6    6, 7, 13          30            c16   18, 19         25
    c7    7, 8, 14          31            c17   19, 20         26
    c8    8, 9, 15          32            c18   20             21
    c9    9, 12 (late), 18  35

Reviews a day: day 0: 1; days 1-6: 2; days 7-9: 3; day 12: 5 (c10 new, c9,
c3, c4, c5); days 13-15: 3; days 16-17: 2; days 18-20: 3. Total 49 on 19
days (10 cards x 3 + c10, c11 x 3 + c12-c17 x 2 + c18 x 1 = 30 + 6 + 12 + 1).
"""

from __future__ import annotations

import json
import sqlite3
from datetime import date, datetime, timedelta, timezone

import pytest
from click.testing import CliRunner

from flashcards.cli import cli

D0 = date(2026, 9, 1)
REVIEW_DAYS = list(range(0, 10)) + list(range(12, 21))
EXPECTED_CALENDAR = {0: 1, **{d: 2 for d in range(1, 7)}, 7: 3, 8: 3, 9: 3, 12: 5, 13: 3, 14: 3, 15: 3,
                     16: 2, 17: 2, 18: 3, 19: 3, 20: 3}
# due day -> cards, after the day-20 session (see the table above)
EXPECTED_DUE = {21: 2, 22: 1, 23: 1, 24: 2, 25: 2, 26: 2, 29: 3, 30: 1, 31: 1, 32: 1, 35: 1, 36: 1, 37: 1}


def day(n: int) -> str:
    return (D0 + timedelta(days=n)).isoformat()


def habit_deck(count: int = 40) -> str:
    lines = ["id: habit", "name: Habit", "phrases:"]
    for n in range(count):
        lines += [f"  - id: p{n:02d}", f"    dont_say: Old {n}.", f"    do_say: New {n}.", f"    why: Reason {n}."]
    return "\n".join(lines) + "\n"


def make_runner(tmp) -> CliRunner:
    return CliRunner(env={"FLASH_DB": None, "FLASH_TODAY": None, "FLASH_DAY_STARTS_AT": None,
                          "XDG_DATA_HOME": str(tmp / "xdg"), "COLUMNS": "100"})


def run(runner, *args, input=None, env=None):
    result = runner.invoke(cli, [str(a) for a in args], input=input, env=env)
    return result


# what rich takes for a terminal (charts and tables drawn), without colour codes
TERMINAL = {"TTY_COMPATIBLE": "1", "TERM": "dumb"}


@pytest.fixture(scope="module")
def habit(tmp_path_factory):
    """The database after the three weeks; returns a function running `flash ARGS --db DB`."""
    tmp = tmp_path_factory.mktemp("habit")
    deck = tmp / "habit.yaml"
    deck.write_text(habit_deck(), encoding="utf-8")
    db = tmp / "flash.db"
    runner = make_runner(tmp)
    assert run(runner, "import", deck, "--db", db, "--today", day(0)).exit_code == 0
    for n in REVIEW_DAYS:
        result = run(runner, "review", "--new", "1", "--db", db, "--today", day(n), input="5\n" * 10)
        assert result.exit_code == 0, result.output
        assert f"Reviewed {EXPECTED_CALENDAR[n]} card" in result.output

    def flash(*args, input=None, env=None):
        return run(runner, *args, "--db", db, input=input, env=env)

    flash.db = db
    return flash


def stats_json(flash, n, *extra):
    result = flash("stats", "--json", "--today", day(n), *extra)
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_calendar_and_totals(habit):
    data = stats_json(habit, 20)
    assert data["calendar"] == {day(n): c for n, c in EXPECTED_CALENDAR.items()}
    reviews = data["reviews"]
    assert (reviews["today"], reviews["total"], reviews["days"]) == (3, 49, 19)
    # the time figures are the logged durations of the live grades, read back independently
    conn = sqlite3.connect(str(habit.db))
    live = "kind IN ('review', 'drill') AND id NOT IN (SELECT undoes FROM reviews WHERE undoes IS NOT NULL)"
    total, today = conn.execute(
        f"SELECT COALESCE(SUM(duration_ms), 0), COALESCE(SUM(CASE WHEN day = ? THEN duration_ms END), 0) "
        f"FROM reviews WHERE {live}", (day(20),)).fetchone()
    conn.close()
    assert (reviews["time_total_ms"], reviews["time_today_ms"]) == (total, today)


def test_time_spent_sums_the_logged_durations(tmp_path):
    """Grades with known durations (through the real store) come back exactly in `flash stats`."""
    from flashcards.decks import load_deck
    from flashcards.store import Store

    deck = tmp_path / "habit.yaml"
    deck.write_text(habit_deck(3), encoding="utf-8")
    db = tmp_path / "flash.db"
    now = datetime(2026, 9, 1, 9, 0, tzinfo=timezone.utc)
    with Store.open(db) as store:
        store.sync([load_deck(deck)], today=D0)
        store.record("habit/p00/phrase", 5, today=D0, now=now, duration_ms=1500)
        store.record("habit/p01/phrase", 2, today=D0 + timedelta(days=1), now=now, duration_ms=2500)
        store.record("habit/p01/phrase", 4, today=D0 + timedelta(days=1), now=now, drill=True, duration_ms=700)
        undone = store.record("habit/p02/phrase", 5, today=D0 + timedelta(days=1), now=now, duration_ms=9000)
        store.undo(undone.id, today=D0 + timedelta(days=1), now=now)
    result = run(make_runner(tmp_path), "stats", "--json", "--db", db, "--today", day(1))
    assert result.exit_code == 0, result.output
    reviews = json.loads(result.output)["reviews"]
    # the undone grade's 9 s do not count; the drill's do
    assert (reviews["time_today_ms"], reviews["time_total_ms"]) == (3200, 4700)


def test_streak_current_and_longest(habit):
    assert stats_json(habit, 20)["streak"] == {"current": 9, "longest": 10}  # days 12-20; days 0-9
    assert stats_json(habit, 21)["streak"] == {"current": 9, "longest": 10}  # nothing yet on day 21
    assert stats_json(habit, 22)["streak"] == {"current": 0, "longest": 10}  # day 21 missed
    assert stats_json(habit, 9)["streak"] == {"current": 10, "longest": 10}  # the log is read up to --today
    assert stats_json(habit, 11)["streak"] == {"current": 0, "longest": 10}


def test_forecast_counts(habit):
    forecast = stats_json(habit, 20)["forecast"]
    assert [f["day"] for f in forecast] == [day(20 + i) for i in range(30)]
    assert {20 + i: f["due"] for i, f in enumerate(forecast) if f["due"]} == EXPECTED_DUE
    assert sum(f["due"] for f in forecast) == 19  # every card seen; new cards are not scheduled
    # a day later, nothing reviewed: day 21's two cards are due today
    assert stats_json(habit, 21)["forecast"][0] == {"day": day(21), "due": 2}


def test_card_counts_retention_and_no_leeches(habit):
    data = stats_json(habit, 20)
    # 21 never seen; c18 seen once (repetitions 1); c0-c17 at intervals 6 or 17
    assert data["cards"] == {"new": 21, "learning": 1, "young": 18, "mature": 0, "retired": 0,
                             "suspended": 0, "buried": 0, "total": 40}
    # 49 grades - 19 first sightings = 30 reviews, all passed, all at intervals 1 or 6
    assert data["retention"]["all"] == {"young": {"passed": 30, "total": 30, "rate": 1.0},
                                        "mature": {"passed": 0, "total": 0, "rate": None}}
    assert data["retention"]["since"] == day(20 - 29) and data["retention"]["until"] == day(20)
    assert data["retention"]["by_deck"] == {"habit": data["retention"]["all"]}
    assert data["retention"]["by_kind"] == {"phrase": data["retention"]["all"]}
    assert data["leeches"] == []


def test_stats_screen(habit):
    result = habit("stats", "--today", day(20), env=TERMINAL)
    assert result.exit_code == 0, result.output
    out = result.output
    assert "Stats for all decks on 2026-09-21" in out
    assert "Reviews, last 26 weeks" in out
    assert "less · 0  ░ 1  ▒ 2  ▓ 3  █ 4-5  more (reviews a day)" in out  # the busiest day had 5
    assert "Streak: 9 days now, longest 10 days" in out
    assert "Today: 3 grades in " in out and "total: 49 grades on 19 days in " in out  # all 5s: no drills
    assert "Today 0 · tomorrow 2 · next 7 days 10 · next 30 days 19; new cards not counted" in out
    assert "100% (30/30)" in out
    assert "21 new · 1 learning · 18 young · 0 mature · 0 retired · 0 suspended" in out
    assert "None: no card sits at the 1.3 E-Factor floor" in out
    # piped, the same figures; the charts in ASCII, the tables as tab-separated rows
    piped = habit("stats", "--today", day(20)).output
    assert "less . 0  - 1  + 2  * 3  # 4-5  more (reviews a day)" in piped
    assert "Today 0 · tomorrow 2 · next 7 days 10 · next 30 days 19; new cards not counted" in piped
    assert "all\t100% (30/30)\t–" in piped.splitlines()


def test_heatmap_rows(habit):
    # Day 0 is Tuesday 2026-09-01, day 20 Monday 2026-09-21. The last four columns are the weeks
    # of 08-31, 09-07, 09-14 and 09-21. The busiest day had 5 reviews, so a day with n reviews
    # gets level ceil(4n/5): 1 -> ░, 2 -> ▒, 3 -> ▓, 5 -> █.
    out = habit("stats", "--today", day(20), env=TERMINAL).output.splitlines()
    start = next(i for i, line in enumerate(out) if line.startswith("Reviews, last")) + 2
    # Mon: 08-31 (before day 0), 09-07 (day 6: 2), 09-14 (day 13: 3), 09-21 (day 20: 3)
    assert out[start].rstrip().endswith("· ▒ ▓ ▓")
    # Tue: 09-01 day 0 (1 review), 09-08 day 7 (3), 09-15 day 14 (3); this week's Tuesday is tomorrow
    assert out[start + 1].rstrip().endswith("░ ▓ ▓")
    # Fri: 09-04 day 3 (2), 09-11 day 10 (missed), 09-18 day 17 (2)
    assert out[start + 4].rstrip().endswith("▒ · ▒")
    # Sun: 09-06 day 5 (2), 09-13 day 12 (5: the peak), 09-20 day 19 (3)
    assert out[start + 6].rstrip().endswith("▒ █ ▓")


def test_deck_filter_and_unknown_deck(habit):
    assert stats_json(habit, 20, "--deck", "habit")["reviews"]["total"] == 49
    result = habit("stats", "--today", day(20), "--deck", "nope")
    assert result.exit_code == 1
    assert "Error: no deck with id 'nope' (decks: habit)" in result.output


# -- small databases ------------------------------------------------------------------


ONE = """\
id: one
name: One
phrases:
  - id: a
    dont_say: A.
    do_say: Aa.
    why: Why a.
  - id: b
    dont_say: B.
    do_say: Bb.
    why: Why b.
"""


@pytest.fixture
def flash(tmp_path):
    (tmp_path / "one.yaml").write_text(ONE, encoding="utf-8")
    runner = make_runner(tmp_path)
    db = tmp_path / "flash.db"

    def invoke(*args, input=None):
        return run(runner, *args, "--db", db, input=input)

    assert invoke("import", tmp_path / "one.yaml", "--today", day(0)).exit_code == 0
    return invoke


def test_no_reviews_gets_a_friendly_message(flash):
    result = flash("stats", "--today", day(0))
    assert result.exit_code == 0
    assert "No reviews yet: run 'flash review' to start." in result.output
    assert "Cards: 2 new · 0 learning" in result.output
    assert "less ·" not in result.output and "Streak" not in result.output  # no empty grid
    data = json.loads(flash("stats", "--json", "--today", day(0)).output)
    assert data["reviews"]["total"] == 0 and data["calendar"] == {} and data["streak"]["current"] == 0
    assert sum(f["due"] for f in data["forecast"]) == 0


def test_missing_database_is_an_error(tmp_path):
    result = run(make_runner(tmp_path), "stats", "--db", tmp_path / "none.db", "--today", day(0))
    assert result.exit_code == 1 and "Error: no database at" in result.output
    assert not (tmp_path / "none.db").exists()


def test_undone_reviews_do_not_count(flash):
    # a graded 3 (back later in the session), undone, regraded 5; b graded 5
    result = flash("review", "--today", day(0), input="3\nu\n5\n5\n")
    assert result.exit_code == 0, result.output
    assert "Undid grade 3 for one/a/phrase" in result.output
    data = json.loads(flash("stats", "--json", "--today", day(0)).output)
    assert data["reviews"]["total"] == 2 and data["calendar"] == {day(0): 2}
    # day 1: a lapses (0) then is drilled (4); the lapse is undone and a graded 5 instead
    result = flash("review", "--today", day(1), input="0\nu\n5\n5\n")
    assert result.exit_code == 0, result.output
    data = json.loads(flash("stats", "--json", "--today", day(1)).output)
    assert data["calendar"] == {day(0): 2, day(1): 2}
    assert data["retention"]["all"]["young"] == {"passed": 2, "total": 2, "rate": 1.0}
    assert data["streak"] == {"current": 2, "longest": 2}
