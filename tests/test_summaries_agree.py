"""The figures of one database on one day agree, whichever command states them (issue 22 §5).

A real scripted review of the shipped deck over three days (drills, an undo, a session quit half
way) on a real SQLite file, then the commands' own output compared: review's end-of-session
"N still due today", "Next due: DATE (N cards)" and "Due tomorrow: N (...)" against
`flash stats --json`'s forecast and `flash decks`' due today; `flash decks`' new cards against
what the next review offers, with the reasons for the rest; one count of grades in `flash stats`,
`flash db check` and `flash db backup`, equal to the grades the script gave.
"""

from __future__ import annotations

import json
import re
from datetime import date, timedelta

import pytest

from flashcards.stats import GRADES_DEFINITION

DAY0 = date(2026, 3, 2)
# day -> the lines piped into `flash review` (a blank line quits; u undoes the grade before it)
SCRIPT = {
    0: "5\nu\n5\n2\n4\n3\n5\n5\n4\n5\n2\n5\n5\n4\n5\n5\n5\n5\n4\n5\n5\n5\n5\n5\n5\n5\n5\n",
    1: "5\n4\n5\n2\n5\n5\n",  # more are due, and new cards: quit after six
    2: "4\n5\n5\n1\n5\n5\n5\n5\n",
}


def day(n: int) -> str:
    return (DAY0 + timedelta(days=n)).isoformat()


@pytest.fixture(scope="module")
def studied(tmp_path_factory):
    """The database after the script; each day's review transcript."""
    from click.testing import CliRunner

    from flashcards.cli import cli

    from conftest import FLASH_VARIABLES

    tmp = tmp_path_factory.mktemp("agree")
    runner = CliRunner(env={**{name: None for name in FLASH_VARIABLES}, "XDG_DATA_HOME": str(tmp / "xdg"),
                            "XDG_CONFIG_HOME": str(tmp / "xdg-config")})
    db = tmp / "flash.db"

    def flash(*args, today: int, input=None):
        result = runner.invoke(cli, ["--db", str(db), "--today", day(today), *map(str, args)], input=input)
        assert result.exit_code == 0, (args, result.output)
        return result

    assert flash("import", today=0).exit_code == 0
    transcripts, after = {}, {}
    for n, lines in SCRIPT.items():
        transcripts[n] = flash("review", today=n, input=lines).stdout
        # the other commands on the same database and day, right after that session
        after[n] = {"stats": json.loads(flash("stats", "--json", today=n).stdout),
                    "decks": flash("decks", today=n).stdout}
    flash.db = db
    return flash, transcripts, after


def summary(transcript: str) -> dict:
    """The end-of-session figures review printed."""
    lines = transcript.splitlines()
    out = {"still_due": 0}
    for line in lines:
        if m := re.match(r"(\d+) still due today", line):
            out["still_due"] = int(m.group(1))
        if m := re.match(r"Next due: (\S+) \((\d+) cards?\)\.$", line):
            out["next_due"] = (m.group(1), int(m.group(2)))
        if m := re.match(r"Due tomorrow: (\d+)(?: \((\d+) still due today and (\d+) falling due tomorrow\))?\.$",
                         line):
            total, left, falling = (int(g) if g else None for g in m.groups())
            out["due_tomorrow"] = total
            out["left"], out["falling"] = (left, falling) if left is not None else (0, total)
    return out


def stats_json(flash, n: int) -> dict:
    return json.loads(flash("stats", "--json", today=n).stdout)


def due_today(decks_output: str) -> int:
    """The sum of piped `flash decks`' due-today column."""
    return sum(int(line.split("\t")[3]) for line in decks_output.splitlines())


@pytest.mark.parametrize("n", sorted(SCRIPT))
def test_review_summary_stats_and_decks_agree(studied, n):
    _, transcripts, after = studied
    said = summary(transcripts[n])
    forecast = [f["due"] for f in after[n]["stats"]["forecast"]]
    # what is still due today: review's line, stats' "today" and decks' "due today"
    assert said["still_due"] == said["left"] == forecast[0] == due_today(after[n]["decks"])
    # tomorrow: what is left from today and what falls due tomorrow, as stats forecasts it
    assert said["falling"] == forecast[1]
    assert said["due_tomorrow"] == forecast[0] + forecast[1]
    # the next day with cards falling due, and how many
    later = next(i for i, count in enumerate(forecast) if i > 0 and count)
    assert said["next_due"] == (day(n + later), forecast[later])


def test_a_session_quit_half_way_says_what_is_left(studied):
    _, transcripts, _ = studied
    said = summary(transcripts[1])
    assert said["still_due"] > 0  # the script stops before the day's due cards are done
    assert f"Due tomorrow: {said['due_tomorrow']} ({said['still_due']} still due today and " in transcripts[1]


def test_decks_says_why_new_cards_wait_and_review_offers_what_it_says(studied):
    flash, _, _ = studied
    n = 3  # a day not yet reviewed
    decks = flash("decks", today=n)
    notes = decks.stderr.splitlines()  # piped: the rows on stdout, the notes on stderr
    new_total = sum(int(line.split("\t")[2]) for line in decks.stdout.splitlines())
    shown = re.match(r"Today flash review shows (\d+) due and (\d+) of the (\d+) new cards \(20 new a day\)\.$",
                     notes[0])
    assert shown, notes
    due, offered, total = map(int, shown.groups())
    assert total == new_total
    reasons = dict((why, int(count)) for count, why in re.findall(
        r"(\d+) (by the sibling rule|for a term they need|over the daily cap|buried)", notes[1]))
    assert notes[1].startswith(f"The other {new_total - offered} new cards wait: ")
    assert sum(reasons.values()) == new_total - offered
    assert reasons["by the sibling rule"] > 0 and reasons["over the daily cap"] > 0
    # the review started that day offers exactly that
    header = flash("review", today=n, input="\n").stdout.splitlines()[0]
    assert header.startswith(f"{due} due · {offered} new · ")


def test_one_count_of_grades_in_stats_db_check_and_db_backup(studied, tmp_path):
    flash, transcripts, _ = studied
    text = "".join(transcripts.values())
    scheduled = len(re.findall(r"^graded \d: next review in", text, re.M))
    drills = len(re.findall(r"^graded \d: drill logged", text, re.M))
    undone = len(re.findall(r"^Undid grade", text, re.M))
    assert (drills, undone) > (0, 0)
    last = max(SCRIPT)
    counted = stats_json(flash, last)["grades"]
    assert counted == {"grades": scheduled - undone, "drills": drills, "undone": undone,
                       "today": counted["today"], "definition": GRADES_DEFINITION}
    stats_text = flash("stats", today=last).stdout
    assert f"total: {counted['grades']} grades + {drills} drill{'s' if drills != 1 else ''} on " in stats_text
    check = flash("db", "check", today=last).stdout
    assert f"replayed {counted['grades']} grades of " in check
    assert f"{GRADES_DEFINITION}; the log also holds {drills} drills and {undone} undone answers" in check
    backup = flash("db", "backup", tmp_path / "copy.db", today=last).stdout
    assert f" cards, {counted['grades']} grades); integrity of the copy: ok" in backup
