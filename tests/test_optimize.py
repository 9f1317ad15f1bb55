"""`flash optimize` and the measures behind it, on a seeded simulated learner."""

from __future__ import annotations

import json
import math
import sys
from datetime import date, datetime, timezone

import pytest
from conftest import rows, terms_deck

from flashcards.optimize import MIN_REVIEWS, histories, log_loss, optimize, predictions, rmse_bins, split_day
from flashcards.schedulers import FSRS, SM2, replay
from flashcards.schedulers.simulate import simulate
from flashcards.store import Store

NOW = datetime(2026, 1, 1, tzinfo=timezone.utc)


def simulated(cards: int, days: int, seed: int):
    return histories((f"c{r.card}", r.day, r.grade) for r in simulate(cards=cards, days=days, seed=seed))


def test_fitted_fsrs_predicts_held_out_reviews_better_than_sm2():
    # a learner whose recall follows a known exponential forgetting curve (neither SM-2's nor FSRS's)
    report = optimize(simulated(300, 300, seed=7))
    assert report.enough and report.reviews > MIN_REVIEWS
    sm2, default, fitted = (report.scores[k] for k in ("sm2", "fsrs-default", "fsrs-fitted"))
    assert sm2.reviews == default.reviews == fitted.reviews > 0.15 * report.reviews
    assert fitted.log_loss < sm2.log_loss
    assert fitted.log_loss < default.log_loss
    assert fitted.rmse_bins < sm2.rmse_bins
    assert len(report.parameters) == 21 and report.parameters != tuple(FSRS().parameters)


def test_the_split_is_by_time():
    cards = simulated(100, 200, seed=3)
    cut = split_day(cards)
    later = [day for reviews in cards.values() for day, _ in reviews[1:] if day >= cut]
    total = sum(len(r) - 1 for r in cards.values())
    assert 0.15 < len(later) / total < 0.25
    assert len(predictions(SM2(), cards, since=cut)) == len(later)


def test_measures_by_hand():
    preds = [(0.9, True), (0.9, False), (0.2, False), (0.2, False)]
    assert log_loss(preds) == pytest.approx(-(math.log(0.9) + math.log(0.1) + 2 * math.log(0.8)) / 4)
    # two bins: 0.9 predicted, 0.5 recalled; 0.2 predicted, 0 recalled
    assert rmse_bins(preds) == pytest.approx(math.sqrt((2 * 0.4 ** 2 + 2 * 0.2 ** 2) / 4))
    assert log_loss([(1.0, False)]) < 14  # a sure miss costs a finite loss


def test_sm2_prediction_is_the_interval_as_the_ninety_percent_point():
    cards = {"a": [(date(2026, 1, 1), 4), (date(2026, 1, 2), 4), (date(2026, 1, 14), 2)]}
    assert predictions(SM2(), cards) == [(pytest.approx(0.9), True), (pytest.approx(0.9 ** 2), False)]


def test_too_few_reviews_keep_the_defaults():
    report = optimize(simulated(10, 30, seed=1))
    assert not report.enough and report.parameters is None
    assert set(report.scores) == {"sm2", "fsrs-default"}


# -- the command, on a real database -------------------------------------------


def learner_database(db_path, deck_path, cards: int, days: int, seed: int = 11) -> int:
    """A database whose log is the simulated learner's, graded through the store: returns reviews."""
    deck_path.write_text(terms_deck(cards, "sim"), encoding="utf-8")
    from flashcards.decks import load_deck

    store = Store.open(db_path)
    try:
        store.sync([load_deck(deck_path)], today=date(2026, 1, 1))
        reviews = simulate(cards=cards, days=days, seed=seed)
        for r in reviews:
            store.record(f"sim/t{r.card:02d}/term", r.grade, today=r.day, now=NOW)
    finally:
        store.close()
    return len(reviews)


def test_flash_optimize_prints_the_comparison_and_stores_the_parameters(invoke, db_path, tmp_path):
    learner_database(db_path, tmp_path / "sim.yaml", cards=150, days=240)
    assert invoke("scheduler", "sim", "fsrs", "--db", db_path, "--today", "2026-09-01").exit_code == 0
    result = invoke("optimize", "--db", db_path, "--today", "2026-09-01")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].startswith("FSRS fitted to ") and lines[0].endswith(" reviews of 150 cards.")
    assert lines[1].startswith("Held out: the ") and "each predicted from the card's reviews before it" in lines[1]
    assert lines[3].split() == ["log", "loss", "RMSE(bins)"]
    table = {line[:15].strip(): [float(x) for x in line[15:].split()] for line in lines[4:7]}
    assert list(table) == ["SM-2", "FSRS, default", "FSRS, fitted"]
    assert table["FSRS, fitted"][0] < table["SM-2"][0]
    assert lines[-1].startswith("Stored the parameters fitted on all ")
    assert "(1 deck on FSRS, 300 cards re-derived, due dates kept)" in lines[-1]

    (parameters, reviews, report, fitted_on), = rows(
        db_path, "SELECT parameters, reviews, report, fitted_on FROM fsrs_parameters")
    assert fitted_on == "2026-09-01" and len(json.loads(parameters)) == 21
    assert json.loads(report)["scores"]["fsrs-fitted"]["log_loss"] == pytest.approx(table["FSRS, fitted"][0], abs=1e-4)
    # the FSRS deck's memory is its log replayed with the fitted parameters
    store = Store.open(db_path, create=False)
    try:
        log = histories(store.scheduled_log())["sim/t00/term"]
        card = store.card("sim/t00/term")
    finally:
        store.close()
    expected = replay(FSRS(json.loads(parameters)), log)
    assert (card.state.stability, card.state.difficulty) == (expected.stability, expected.difficulty)
    assert invoke("scheduler", "sim", "--db", db_path).stdout == (
        "sim: fsrs (desired retention 0.9, fitted parameters)\n")
    assert invoke("db", "check", "--db", db_path).exit_code == 0


def test_dry_run_and_json_store_nothing(invoke, db_path, tmp_path):
    learner_database(db_path, tmp_path / "sim.yaml", cards=150, days=240)
    result = invoke("optimize", "--dry-run", "--json", "--db", db_path)
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["enough"] and data["stored"] is False and len(data["parameters"]) == 21
    assert set(data["scores"]) == {"sm2", "fsrs-default", "fsrs-fitted"}
    assert rows(db_path, "SELECT COUNT(*) FROM fsrs_parameters") == [(0,)]


def test_below_the_minimum_it_says_so_and_keeps_the_defaults(invoke, db_path, tmp_path):
    learner_database(db_path, tmp_path / "sim.yaml", cards=20, days=40)
    result = invoke("optimize", "--db", db_path, "--today", "2026-02-10")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Only ")
    assert f"follow an earlier review of the same card; FSRS needs {MIN_REVIEWS} to fit its parameters: " \
           "keeping the defaults.\n" in result.stdout
    assert rows(db_path, "SELECT COUNT(*) FROM fsrs_parameters") == [(0,)]


def test_a_missing_optimizer_extra_is_one_line(invoke, db_path, tmp_path, monkeypatch):
    learner_database(db_path, tmp_path / "sim.yaml", cards=150, days=240)
    monkeypatch.setitem(sys.modules, "fsrs_rs_python", None)  # as if not installed: import fails
    result = invoke("optimize", "--db", db_path)
    assert result.exit_code == 1
    assert result.stderr == ("Error: flash optimize needs the optimizer extra (fsrs-rs-python): "
                             "pip install 'flashdeck[optimizer]'\n")
    assert rows(db_path, "SELECT COUNT(*) FROM fsrs_parameters") == [(0,)]


def test_review_never_imports_the_optimizer(tmp_path):
    import subprocess

    from conftest import PACKAGE_ROOT

    code = ("import sys; from flashcards.cli import cli; from click.testing import CliRunner; "
            f"r = CliRunner().invoke(cli, ['review', '--db', r'{tmp_path / 'g.db'}', '--today', '2026-01-05'], "
            "input='5\\n\\n'); assert r.exit_code == 0, r.output; "
            "print(sorted(m for m in ('fsrs_rs_python', 'flashcards.optimize', 'torch') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path,
                         env={"PYTHONPATH": str(PACKAGE_ROOT), "XDG_DATA_HOME": str(tmp_path)})
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"
