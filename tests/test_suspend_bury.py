"""`flash suspend` / `flash unsuspend`, `b` (bury until tomorrow) in `flash review`, `flash cards` filters."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from click.testing import CliRunner

from flashcards.cli import cli

from transcripts import shown

D0 = date(2026, 3, 2)

# a term (term + definition cards) and two phrases, in two decks
DECK_ONE = """\
id: one
name: One
terms:
  - id: t
    term: Tee
    definition: A letter after S.
phrases:
  - id: a
    dont_say: Say A.
    do_say: Say Aa.
    why: Why a.
"""
DECK_TWO = """\
id: two
name: Two
phrases:
  - id: a
    dont_say: Say Two A.
    do_say: Say Two Aa.
    why: Why two a.
"""


def day(n: int) -> str:
    return (D0 + timedelta(days=n)).isoformat()


@pytest.fixture
def flash(tmp_path):
    runner = CliRunner(env={"FLASH_DB": None, "FLASH_TODAY": None, "FLASH_DAY_STARTS_AT": None,
                            "XDG_DATA_HOME": str(tmp_path / "xdg"), "COLUMNS": "200"})
    db = tmp_path / "flash.db"

    def invoke(*args, input=None):
        return runner.invoke(cli, [str(a) for a in args] + ["--db", str(db)], input=input)

    (tmp_path / "one.yaml").write_text(DECK_ONE, encoding="utf-8")
    (tmp_path / "two.yaml").write_text(DECK_TWO, encoding="utf-8")
    assert invoke("import", tmp_path / "one.yaml", tmp_path / "two.yaml", "--today", day(0)).exit_code == 0
    return invoke


def cards(flash, n=0, *filters):
    result = flash("cards", "--json", "--today", day(n), *filters)
    assert result.exit_code == 0, result.output
    return {c["id"]: c for c in json.loads(result.output)}


# -- suspend and unsuspend ------------------------------------------------------------


def test_suspend_by_card_id(flash):
    result = flash("suspend", "one/t/term", "--today", day(0))
    assert result.exit_code == 0, result.output
    assert result.output == "Suspended 1 card: one/t/term\n"
    assert [c for c, v in cards(flash).items() if v["suspended"]] == ["one/t/term"]


def test_suspend_by_entry_and_by_entry_id(flash):
    result = flash("suspend", "one/t", "--today", day(0))
    assert result.output == "Suspended 2 cards: one/t/term, one/t/definition\n"
    result = flash("suspend", "t", "one/a/phrase", "--today", day(0))
    assert result.exit_code == 0
    assert result.output == ("Suspended 1 card: one/a/phrase\n"
                             "Already suspended: one/t/term, one/t/definition\n")
    assert sorted(cards(flash, 0, "--suspended")) == ["one/a/phrase", "one/t/definition", "one/t/term"]


def test_unknown_ids_are_an_error_and_change_nothing(flash):
    result = flash("suspend", "one/t/term", "nope", "one/zz", "--today", day(0))
    assert result.exit_code == 1
    assert result.output.startswith("Error: no card or entry 'nope', 'one/zz' (give a card id deck/entry/kind")
    assert result.output.rstrip().endswith("nothing was changed")
    assert not any(c["suspended"] for c in cards(flash).values())


def test_an_entry_id_in_two_decks_must_name_its_deck(flash):
    result = flash("suspend", "a", "--today", day(0))
    assert result.exit_code == 1
    assert "'a' is an entry in decks one, two (write it as one/a)" in result.output
    assert not any(c["suspended"] for c in cards(flash).values())


def test_suspended_card_is_never_shown_and_keeps_its_state(flash):
    out = flash("review", "--deck", "one", "--today", day(0), input="5\n5\n5\n").output
    assert shown(out) == ["one/t/term", "one/a/phrase"]  # the definition waits: one new card per entry
    before = cards(flash)["one/a/phrase"]
    flash("suspend", "one/a", "--today", day(0))
    out = flash("review", "--deck", "one", "--today", day(1), input="5\n5\n5\n").output
    assert shown(out) == ["one/t/term"]  # one/a/phrase was due too
    out = flash("review", "--deck", "one", "--today", day(9), input="5\n5\n5\n").output
    assert "phrase pair" not in out
    assert cards(flash, 9)["one/a/phrase"] == before | {"suspended": True}
    assert flash("decks", "--today", day(9)).exit_code == 0
    # back, with the schedule it had: due since day 1, so due at once
    assert flash("unsuspend", "one/a/phrase", "--today", day(9)).output == "Unsuspended 1 card: one/a/phrase\n"
    assert cards(flash, 9)["one/a/phrase"] == before
    assert list(cards(flash, 9, "--due")) == ["one/a/phrase"]
    out = flash("review", "--deck", "one", "--today", day(9), input="5\n").output
    assert shown(out) == ["one/a/phrase"]
    assert flash("unsuspend", "one/a/phrase", "--today", day(9)).output == "Already not suspended: one/a/phrase\n"


def test_suspended_new_card_is_not_introduced(flash):
    flash("suspend", "two/a", "--today", day(0))
    out = flash("review", "--deck", "two", "--today", day(0), input="5\n").output
    assert "Nothing to review right now." in out
    data = json.loads(flash("stats", "--json", "--today", day(0)).output)
    assert (data["cards"]["new"], data["cards"]["suspended"]) == (3, 1)


def test_suspend_help_ends_with_an_example(flash):
    for command in ("suspend", "unsuspend", "stats"):
        result = CliRunner().invoke(cli, [command, "--help"])
        assert result.exit_code == 0
        assert "Example: flash " in result.output and "--db" in result.output and "--today" in result.output


# -- bury ---------------------------------------------------------------------------


def test_b_buries_until_tomorrow(flash):
    out = flash("review", "--deck", "two", "--today", day(0), input="b\n").output
    assert f"Buried two/a/phrase until {day(1)}." in out
    assert "Reviewed 0 cards" in out
    # not again today, in any session
    assert "Nothing to review right now." in flash("review", "--deck", "two", "--today", day(0),
                                                   input="\n").output
    # all decks: deck one's 2 new cards (one per entry), not the buried one
    assert "0 due · 2 new · 2 in this session" in flash("review", "--today", day(0), input="\n").output
    assert cards(flash)["two/a/phrase"]["buried_until"] == day(1)
    assert "new, buried to 03-03" in flash("cards", "--today", day(0)).output
    data = json.loads(flash("stats", "--json", "--today", day(0)).output)
    assert data["cards"]["buried"] == 1 and data["reviews"]["total"] == 0  # a burial is not a review
    # tomorrow it is back
    assert cards(flash, 1)["two/a/phrase"]["buried_until"] is None
    out = flash("review", "--deck", "two", "--today", day(1), input="5\n").output
    assert shown(out) == ["two/a/phrase"]
    assert cards(flash, 1)["two/a/phrase"]["repetitions"] == 1


def test_b_buries_a_due_card_and_its_drill(flash):
    # day 0: term 2 (back later today), phrase 5, then the term's drill: b (the definition waits)
    out = flash("review", "--deck", "one", "--today", day(0), input="2\n5\nb\n").output
    assert shown(out) == ["one/t/term", "one/a/phrase", "one/t/term · again"]
    assert f"Buried one/t/term until {day(1)}." in out
    assert "Reviewed 2 cards, 1 correct (50%)." in out  # the burial left nothing in the queue
    assert "Nothing to review right now." in flash("review", "--deck", "one", "--today", day(0),
                                                   input="\n").output
    # day 1: both are due; bury the first, grade the other
    assert list(cards(flash, 1, "--due")) == ["one/t/term", "one/a/phrase"]
    out = flash("review", "--deck", "one", "--today", day(1), input="b\n5\n").output
    assert shown(out) == ["one/t/term", "one/a/phrase"]
    assert f"Buried one/t/term until {day(2)}." in out
    term = cards(flash, 1)["one/t/term"]
    assert (term["due"], term["buried_until"], term["repetitions"]) == (day(1), day(2), 0)  # state kept
    assert list(cards(flash, 1, "--due")) == []
    decks = flash("decks", "--today", day(1)).output
    assert "one\tOne\t1\t0\t" in decks  # new 1 (the definition), due today 0: the buried card waits
    # day 2: shown again, and a grade ends the burial
    out = flash("review", "--deck", "one", "--today", day(2), input="5\n").output
    assert shown(out) == ["one/t/term"]
    assert cards(flash, 2)["one/t/term"]["buried_until"] is None


def test_b_on_a_piped_line_is_the_only_new_word(flash):
    result = flash("review", "--deck", "two", "--today", day(0), input="x\n")
    assert result.exit_code == 1
    assert "'x' is not a grade (0-5, u to undo, b to bury, or q to quit)" in result.output


# -- flash cards filters ----------------------------------------------------------


def test_cards_filters_combine(flash):
    flash("review", "--deck", "one", "--today", day(0), input="0\n5\n4\n")  # term 0 (EF 1.70), phrase, drill 4
    flash("review", "--deck", "one", "--today", day(1), input="0\n5\n4\n")  # term 0 again: EF 1.30
    flash("suspend", "one/a/phrase", "--today", day(1))
    all_cards = cards(flash, 2)
    assert set(all_cards["one/t/term"]) >= {"buried_until", "leech", "suspended", "retired", "lapses"}
    assert [c for c, v in all_cards.items() if v["leech"]] == ["one/t/term"]
    assert list(cards(flash, 2, "--leeches")) == ["one/t/term"]
    # due on day 2: the term (interval 1 after its lapse), not the definition and phrase (6 days)
    assert list(cards(flash, 2, "--due")) == ["one/t/term"]
    assert list(cards(flash, 2, "--due", "--leeches")) == ["one/t/term"]
    # day 7: the phrase falls due, but it is suspended (the definition is still new: its sibling
    # has been due every day since)
    assert all_cards["one/a/phrase"]["due"] == day(7)
    assert all_cards["one/t/definition"]["due"] is None
    assert list(cards(flash, 7, "--due")) == ["one/t/term"]
    assert list(cards(flash, 7, "--suspended", "--due")) == []
    assert list(cards(flash, 2, "--suspended", "--leeches")) == []
    table = flash("cards", "--today", day(2)).output
    assert "leech" in table and "suspended" in table
