"""Predicted recall in `flash stats`: expected recall today per deck and the cards most at risk."""

from __future__ import annotations

import json
from datetime import date

from conftest import terms_deck

from flashcards.schedulers import FSRS, SM2, CardState

TODAY = "2026-02-01"


def stats_json(invoke, db_path, *extra):
    result = invoke("stats", "--json", "--db", db_path, "--today", TODAY, *extra)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def cards_json(invoke, db_path):
    result = invoke("cards", "--json", "--db", db_path, "--today", TODAY)
    return json.loads(result.stdout)


def two_decks(invoke, db_path, tmp_path):
    """Deck 'a' (SM-2) and deck 'b' (FSRS), each studied for a few days with mixed grades."""
    for name in ("a", "b"):
        path = tmp_path / f"{name}.yaml"
        path.write_text(terms_deck(4, name), encoding="utf-8")
        assert invoke("import", path, "--db", db_path, "--today", "2026-01-01").exit_code == 0
    assert invoke("scheduler", "b", "fsrs", "--db", db_path, "--today", "2026-01-01").exit_code == 0
    for day, grades in (("2026-01-01", "5\n3\n4\n5\n5\n4\n3\n5\n"), ("2026-01-03", "4\n1\n5\n4\n5\n4\n4\n4\n5\n5\n")):
        result = invoke("review", "--db", db_path, "--today", day, "--new", "8", input=grades + "\n")
        assert result.exit_code == 0, result.output


def state_of(card) -> CardState:
    return CardState(repetitions=card["repetitions"], ef=round(card["easiness"] * 100), interval=card["interval"],
                     due=date.fromisoformat(card["due"]), lapses=card["lapses"],
                     last_review=date.fromisoformat(card["last_review"]),
                     stability=card["stability"], difficulty=card["difficulty"])


def test_expected_recall_per_deck_follows_each_decks_scheduler(invoke, db_path, tmp_path):
    two_decks(invoke, db_path, tmp_path)
    recall = stats_json(invoke, db_path)["recall"]
    today = date.fromisoformat(TODAY)
    seen = [c for c in cards_json(invoke, db_path) if c["due"] is not None]
    expected = {}
    for deck, scheduler in (("a", SM2()), ("b", FSRS())):
        ps = [scheduler.recall_probability(state_of(c), today=today) for c in seen if c["deck"] == deck]
        assert ps, deck
        expected[deck] = (len(ps), sum(ps) / len(ps))
    assert [(d["deck"], d["scheduler"], d["cards"]) for d in recall["decks"]] == [
        ("a", "sm2", expected["a"][0]), ("b", "fsrs", expected["b"][0])]
    for d in recall["decks"]:
        assert abs(d["expected"] - expected[d["deck"]][1]) < 1e-12
    # at risk: the lowest probabilities of all, lowest first
    risks = [r["recall"] for r in recall["at_risk"]]
    assert risks == sorted(risks) and len(risks) == min(10, len(seen))
    every = sorted((SM2() if c["deck"] == "a" else FSRS()).recall_probability(state_of(c), today=today) for c in seen)
    assert risks == every[:len(risks)]
    assert {r["scheduler"] for r in recall["at_risk"]} <= {"sm2", "fsrs"}


def test_one_deck_and_the_screen(invoke, db_path, tmp_path):
    two_decks(invoke, db_path, tmp_path)
    only_b = stats_json(invoke, db_path, "--deck", "b")["recall"]
    assert [d["deck"] for d in only_b["decks"]] == ["b"] and all(r["deck"] == "b" for r in only_b["at_risk"])
    screen = invoke("stats", "--db", db_path, "--today", TODAY)
    assert screen.exit_code == 0, screen.output
    text = screen.stdout
    assert "Expected recall today" in text
    deck_b = next(d for d in stats_json(invoke, db_path)["recall"]["decks"] if d["deck"] == "b")
    assert "FSRS" in text and f"{deck_b['expected']:.1%}" in text
    worst = stats_json(invoke, db_path)["recall"]["at_risk"][0]
    assert worst["card"] in text  # ids whole


def test_unseen_decks_have_no_figure(invoke, db_path, tmp_path):
    path = tmp_path / "a.yaml"
    path.write_text(terms_deck(2, "a"), encoding="utf-8")
    assert invoke("import", path, "--db", db_path, "--today", "2026-01-01").exit_code == 0
    recall = stats_json(invoke, db_path)["recall"]
    assert recall == {"decks": [{"deck": "a", "scheduler": "sm2", "cards": 0, "expected": None}], "at_risk": []}
