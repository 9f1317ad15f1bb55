"""Ten simulated weeks through the real CLI: retention young/mature, leeches, suspension, hand-computed.

Four decks, each reviewed on its own (`flash review --deck D`), so every
card's schedule follows from its own grades (SM-2, EF in hundredths):

* steady/calm (phrase): always 5. Days 0, 1, 7, 24, 72: intervals 1, 6, 17
  (ceil(6 x 2.7)), 48 (ceil(17 x 2.8)), then 140; EF 2.60 ... 3.00. The day-72
  review comes after a 48-day interval: a mature review.
* floor/murky (term): the term card is graded 0 on day 0 (new: EF 2.50 -> 1.70,
  no lapse) and on day 1 (EF 1.70 - 0.80 -> held at 1.30, lapse 1): a leech at
  the floor on day 1. Both times it is drilled (4) after. It is then suspended
  and never shown again. The definition card is a sibling: it waits while the term
  card is new or due (one new card per entry a day), so it is first shown on day 7
  and always graded 5: days 7, 24, 72, intervals 1, 6, then 17 (ceil(6 x 2.7)).
* slip/tricky (phrase): 5 on days 0 and 1 (EF 2.70, interval 6), then eight
  cycles of a lapse graded 2 (-0.32; drilled with 4) and two 5s (+0.10 each)
  on days 7-9, 15-17, ..., 55-57, and the eighth lapse on day 63: EF 1.54, 8
  lapses, a leech by lapses, above the floor. Then 5 on days 64, 65, 71
  (intervals 1, 6, then ceil(6 x 1.74) = 11): EF 1.84, due day 82.
* later: entries fresh and old, imported on day 0, never reviewed; on day 10
  the deck file loses old (retired).

On day 72 the 30-day retention window is days 43-72. It holds slip's reviews
on days 47 (fail, interval before 6), 48 and 49 (pass, interval 1), 55 (fail),
56, 57, 63 (fail), 64, 65 (pass, interval 1) and 71 (pass, interval 6): young
7 of 10, all of them phrase cards, plus floor/murky/definition on day 72 after 6
days: young 8 of 11. And the day-72 review of steady/calm (phrase) after 48 days:
mature 1 of 1.
"""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from click.testing import CliRunner

from flashcards.cli import cli

from transcripts import shown

D0 = date(2026, 9, 1)
LAPSE_DAYS = [7 + 8 * k for k in range(8)]  # 7, 15, ..., 63

SESSIONS: dict[int, list[tuple[str, str]]] = {}  # day -> [(deck, piped grades)]


def plan(deck: str, days, grades: str) -> None:
    for n in days:
        SESSIONS.setdefault(n, []).append((deck, grades))


plan("steady", [0, 1, 7, 24, 72], "5\n")
plan("floor", [0, 1], "0\n4\n")  # term 0, term again (a drill) 4; the definition waits
plan("floor", [7, 24, 72], "5\n")  # the definition card alone: the term card is suspended
plan("slip", [0, 1] + [d + i for d in LAPSE_DAYS[:-1] for i in (1, 2)] + [64, 65, 71], "5\n")
plan("slip", LAPSE_DAYS, "2\n4\n")

DECKS = {
    "steady": "id: steady\nname: Steady\nphrases:\n"
              "  - {id: calm, dont_say: Calm A., do_say: Calm B., why: Calm.}\n",
    "floor": "id: floor\nname: Floor\nterms:\n"
             "  - {id: murky, term: Murky, definition: Something badly phrased.}\n",
    "slip": "id: slip\nname: Slip\nphrases:\n"
            "  - {id: tricky, dont_say: Tricky A., do_say: Tricky B., why: Tricky.}\n",
    "later": "id: later\nname: Later\nphrases:\n"
             "  - {id: fresh, dont_say: Fresh A., do_say: Fresh B., why: Fresh.}\n"
             "  - {id: old, dont_say: Old A., do_say: Old B., why: Old.}\n",
}


def day(n: int) -> str:
    return (D0 + timedelta(days=n)).isoformat()


@pytest.fixture(scope="module")
def weeks(tmp_path_factory):
    """Run the plan; return (flash, outputs) with outputs[(day, deck)] the review transcript,
    and outputs[(day, "stats")] the `stats --json` figures taken on days 57 and 63."""
    tmp = tmp_path_factory.mktemp("weeks")
    db = tmp / "flash.db"
    runner = CliRunner(env={"FLASH_DB": None, "FLASH_TODAY": None, "FLASH_DAY_STARTS_AT": None,
                            "XDG_DATA_HOME": str(tmp / "xdg"), "COLUMNS": "200"})

    def flash(*args, input=None):
        result = runner.invoke(cli, [str(a) for a in args] + ["--db", str(db)], input=input)
        assert result.exit_code == 0, result.output
        return result.output

    for name, text in DECKS.items():
        (tmp / f"{name}.yaml").write_text(text, encoding="utf-8")
        flash("import", tmp / f"{name}.yaml", "--today", day(0))
    outputs = {}
    for n in range(0, 73):
        if n == 10:
            (tmp / "later.yaml").write_text(DECKS["later"].split("  - {id: old")[0], encoding="utf-8")
            flash("import", tmp / "later.yaml", "--today", day(n))
        for deck, grades in SESSIONS.get(n, []):
            outputs[(n, deck)] = flash("review", "--deck", deck, "--today", day(n), input=grades)
        if n == 1:
            flash("suspend", "floor/murky/term", "--today", day(n))
        if n in (57, 63):
            outputs[(n, "stats")] = json.loads(flash("stats", "--json", "--today", day(n)))
    return flash, outputs


def stats_json(flash, n, *extra):
    return json.loads(flash("stats", "--json", "--today", day(n), *extra))


def tally(passed, total):
    return {"passed": passed, "total": total, "rate": round(passed / total, 4) if total else None}


def test_every_session_graded_what_was_planned(weeks):
    _, outputs = weeks
    assert "Reviewed 1 card, 0 correct (0%), 1 extra drill." in outputs[(0, "floor")]
    for n in LAPSE_DAYS:
        assert "Reviewed 1 card, 0 correct (0%), 1 extra drill." in outputs[(n, "slip")]
    assert "Reviewed 1 card, 1 correct (100%)." in outputs[(72, "steady")]


def test_leech_flagged_when_the_floor_is_reached(weeks):
    _, outputs = weeks
    flag = "leech: this card keeps slipping (E-Factor at the 1.3 floor); consider rewriting entry floor/murky"
    assert flag in outputs[(1, "floor")]
    assert "leech:" not in outputs[(0, "floor")]  # EF 1.70 after the first 0


def test_leech_flagged_at_the_eighth_lapse(weeks):
    _, outputs = weeks
    assert ("leech: this card keeps slipping (8+ lapses); consider rewriting entry slip/tricky"
            in outputs[(63, "slip")])
    for n in [d for (d, deck) in outputs if deck == "slip" and d != 63]:
        assert "leech:" not in outputs[(n, "slip")], n  # not before, and not again once it is one


def test_leeches_listed_with_their_entry(weeks):
    flash, outputs = weeks
    # as it stood on day 57 (7 lapses, EF 1.86) and day 63 (8th lapse)
    assert [x["card"] for x in outputs[(57, "stats")]["leeches"]] == ["floor/murky/term"]
    assert outputs[(63, "stats")]["leeches"][1] == {
        "card": "slip/tricky/phrase", "deck": "slip", "entry": "slip/tricky", "kind": "phrase",
        "easiness": 1.54, "lapses": 8, "suspended": False, "reasons": ["lapses"]}
    assert stats_json(flash, 72)["leeches"] == [
        {"card": "floor/murky/term", "deck": "floor", "entry": "floor/murky", "kind": "term",
         "easiness": 1.3, "lapses": 1, "suspended": True, "reasons": ["ef_floor"]},
        {"card": "slip/tricky/phrase", "deck": "slip", "entry": "slip/tricky", "kind": "phrase",
         "easiness": 1.84, "lapses": 8, "suspended": False, "reasons": ["lapses"]},
    ]
    out = flash("stats", "--today", day(72))
    assert "2 cards at the 1.3 E-Factor floor or with 8+ lapses; rewrite their entries:" in out
    lines = out[out.index("rewrite their entries:"):].splitlines()
    # piped: each deck's leeches as tab-separated rows under their header
    assert lines[1:7] == [
        "deck floor", "entry to rewrite\tcard\tEF\tlapses", "murky\tterm (suspended)\t1.30\t1",
        "deck slip", "entry to rewrite\tcard\tEF\tlapses", "tricky\tphrase pair\t1.84\t8",
    ]


def test_cards_leeches_filter(weeks):
    flash, _ = weeks
    cards = json.loads(flash("cards", "--leeches", "--json", "--today", day(72)))
    assert [(c["id"], c["leech"], c["suspended"]) for c in cards] == [
        ("floor/murky/term", True, True), ("slip/tricky/phrase", True, False)]
    assert "suspended, leech" in flash("cards", "--leeches", "--today", day(72))


def test_retention_young_and_mature_by_deck_and_kind(weeks):
    flash, _ = weeks
    retention = stats_json(flash, 72)["retention"]
    assert (retention["since"], retention["until"]) == (day(43), day(72))
    assert retention["all"] == {"young": tally(8, 11), "mature": tally(1, 1)}
    assert retention["by_deck"] == {
        "floor": {"young": tally(1, 1), "mature": tally(0, 0)},
        "slip": {"young": tally(7, 10), "mature": tally(0, 0)},
        "steady": {"young": tally(0, 0), "mature": tally(1, 1)},
    }
    assert retention["by_kind"] == {
        "definition": {"young": tally(1, 1), "mature": tally(0, 0)},
        "phrase": {"young": tally(7, 10), "mature": tally(1, 1)},
    }
    slip = stats_json(flash, 72, "--deck", "slip")["retention"]
    assert slip["all"] == {"young": tally(7, 10), "mature": tally(0, 0)}
    out = flash("stats", "--today", day(72))
    assert "73% (8/11)" in out and "100% (1/1)" in out


def test_counts_forecast_and_streak_on_day_72(weeks):
    flash, _ = weeks
    data = stats_json(flash, 72)
    # steady/calm at 140 days; slip/tricky at 11 and floor/murky/definition at 17; fresh never seen
    assert data["cards"] == {"new": 1, "learning": 0, "young": 2, "mature": 1, "retired": 1,
                             "suspended": 1, "buried": 0, "total": 6}
    # slip/tricky (due day 82) and floor/murky/definition (day 89) fall in the next 30 days;
    # the suspended card is not forecast
    assert {i: f["due"] for i, f in enumerate(data["forecast"]) if f["due"]} == {10: 1, 17: 1}
    # review days: 0, 1, 7-9, 15-17, ..., 55-57, 63-65, 71, 72
    assert data["streak"] == {"current": 2, "longest": 3}
    # steady 5 + floor 7 (2 + 2 + 1 + 1 + 1) + slip 35 (8 lapse days x 2 + 19 x 1)
    assert (data["reviews"]["today"], data["reviews"]["total"], data["reviews"]["days"]) == (2, 47, 28)


def test_suspended_card_never_shown_and_its_state_kept(weeks):
    flash, outputs = weeks
    for (n, deck), out in outputs.items():
        if deck == "floor" and n > 1:
            assert "floor/murky/term" not in shown(out) and "floor/murky/definition" in shown(out)
    card = {c["id"]: c for c in json.loads(flash("cards", "--deck", "floor", "--json", "--today", day(72)))}
    term = card["floor/murky/term"]
    assert (term["suspended"], term["easiness"], term["lapses"], term["repetitions"], term["interval"],
            term["due"], term["last_review"]) == (True, 1.3, 1, 0, 1, day(2), day(1))
    suspended = json.loads(flash("cards", "--suspended", "--json", "--today", day(72)))
    assert [c["id"] for c in suspended] == ["floor/murky/term"]
