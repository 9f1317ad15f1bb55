"""Issue 10's "Done when", end to end through the CLI, as the certification walkthrough of docs/manager.md runs it.

A manager imports a roster of 20, creates personal papers from the shipped deck, 17 learners take
them (one forges a colleague's file), the manager scores the inbox folder twice, sees who has not
taken it, voids one attempt, drops one question, and writes certificates and result slips.
"""

from __future__ import annotations

import csv
import json
import re
from datetime import datetime, timedelta, timezone

import pytest
from click.testing import CliRunner

from flashcards.cli import cli
from flashcards.quiz.model import letter
from flashcards.quiz.papers import load_paper
from flashcards.store import Store
from flashcards.store.quizzes import QuizStore

TODAY = "2026-12-01"
NAMES = ["Priya Natarajan", "Ava Perfect", "Ben Fails", "Cal Forger", "Dee Strong", "Eli Moreno", "Fay Chen",
         "Gus Olsen", "Hana Ito", "Ivan Petrov", "Jo Adams", "Kai Lund", "Lea Roux", "Max Berg", "Nia Okafor",
         "Omar Haddad", "Pia Lang", "Quinn Hale", "Rui Costa", "Sara Lind"]


@pytest.fixture(autouse=True)
def clock(monkeypatch):
    start = datetime(2026, 12, 1, 9, 0, tzinfo=timezone.utc)
    ticks = iter(range(100_000))
    tick = lambda: start + timedelta(seconds=15 * next(ticks))  # noqa: E731
    monkeypatch.setattr("flashcards.cli.quiz.now", tick)
    monkeypatch.setattr("flashcards.cli.quiz_take.now", tick)


def test_done_when(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    runner = CliRunner(env={"FLASH_DB": None, "FLASH_TODAY": None, "FLASH_DAY_STARTS_AT": None,
                            "XDG_DATA_HOME": str(tmp_path / "xdg"), "COLUMNS": "250"})
    manager_db = tmp_path / "manager.db"

    def flash(*args, input=None, ok=True):
        result = runner.invoke(cli, [str(a) for a in args] + ["--db", str(manager_db), "--today", TODAY],
                               input=input)
        if ok:
            assert result.exit_code == 0, result.output
        return result

    # -- roster and personal papers -----------------------------------------------------
    roster = tmp_path / "team.csv"
    roster.write_text("name,email,team\n" + "".join(
        f"{n},{n.lower().replace(' ', '.')}@example.com,{'East' if i % 2 else 'West'}\n" for i, n in enumerate(NAMES)),
        encoding="utf-8")
    assert "20 added" in flash("quiz", "roster", "import", roster).output
    created = flash("quiz", "create", "--title", "Lesson 4 certification", "--questions", "20", "--pass-mark", "80",
                    "--attempts", "2", "--time-limit", "30", "--roster", "--seed", "2026")
    quiz_id = re.search(r"Created quiz (\S+):", created.output).group(1)
    papers_dir = tmp_path / "xdg" / "flashcards" / "exports" / quiz_id
    assert len(list(papers_dir.glob("*.paper.json"))) == 20
    with Store.open(manager_db) as store:
        quizzes = QuizStore(store)
        the_quiz = quizzes.get(quiz_id)
        issued = {p.learner.id: p for p in quizzes.papers(quiz_id)}
    assert the_quiz.deck_ids == ("lesson-04-ai-lifecycle",) and the_quiz.per_paper == 20

    # -- 17 learners take their own paper; 3 never do -----------------------------------------
    def take(learner_id, right_count):
        path = papers_dir / f"{quiz_id}--{learner_id}.paper.json"
        paper = load_paper(path)
        lines = []
        for n, (shown, q) in enumerate(zip(paper.questions, issued[learner_id].questions)):
            key, mapping = the_quiz.item(q.item_id).answer, dict(q.options)
            wanted = key if n < right_count else min(c for c in mapping.values() if c != key)
            lines.append(letter([mapping[o.id] for o in shown.options].index(wanted)))
        result = flash("quiz", "take", path, input="\n".join(lines) + "\n")
        assert "Question 20 of 20" in result.output and "Review your answers (time left" in result.output
        return papers_dir / f"{quiz_id}--{learner_id}.answers.json"

    ids = [n.lower().replace(" ", "-") for n in NAMES]
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for n, learner_id in enumerate(ids[:17]):
        take(learner_id, 20 - n % 6).rename(inbox / f"{learner_id}.json")  # 20, 19, ... 15 right
    # Cal forges Ava's perfect answers under his own name: the signature is Ava's paper's, not his
    ava = json.loads((inbox / "ava-perfect.json").read_text(encoding="utf-8"))
    forged = {**ava, "learner": "cal-forger", "name": "Cal Forger", "paper": issued["cal-forger"].id}
    (inbox / "cal-forger.json").write_text(json.dumps(forged), encoding="utf-8")

    # -- score the inbox, twice -------------------------------------------------------------
    first = flash("quiz", "score", inbox, ok=False)
    assert first.exit_code == 1
    assert "16 of 17 new files scored, 1 rejected." in first.output
    assert "signed with the token of Ava Perfect's paper" in first.output
    again = flash("quiz", "score", inbox)
    assert again.output == ("Nothing new: 17 files seen before, skipped: 16 already counted, 1 already rejected "
                            "(--retry to judge them again).\n")

    # -- who has not taken it -------------------------------------------------------------------
    report = flash("quiz", "report", quiz_id, "--csv", "results.csv")
    with open("results.csv", newline="", encoding="utf-8") as fh:
        rows = {r["learner_id"]: r for r in csv.DictReader(fh)}
    assert len(rows) == 20
    assert sorted(lid for lid, r in rows.items() if r["status"] == "not taken") == sorted(
        ids[17:] + ["cal-forger"])
    passed = sorted(lid for lid, r in rows.items() if r["status"] == "pass")
    assert passed == sorted(lid for n, lid in enumerate(ids[:17]) if 20 - n % 6 >= 16 and lid != "cal-forger")
    assert "Pass rate: 14 of 16 learners (88%); 4 not taken yet" in report.output

    # -- void one attempt, drop one question ---------------------------------------------------
    flash("quiz", "void", quiz_id, "dee-strong", "--reason", "answered with a colleague")
    # the item missed most often: every learner's last questions are the wrong ones, so pick one that was missed
    missed = {item for r in QuizStore(Store.open(manager_db)).attempts(quiz_id) for item, c in r.choices.items()
              if c != the_quiz.item(item).answer}
    item = sorted(missed)[0]
    dropped = flash("quiz", "drop", quiz_id, item, "--reason", "two defensible answers")
    assert "re-scored 16 attempts" in dropped.output

    # -- certificates and slips -----------------------------------------------------------------
    final = flash("quiz", "report", quiz_id, "--csv", "final.csv", "--certificates", "certificates",
                  "--slips", "slips")
    with open("final.csv", newline="", encoding="utf-8") as fh:
        final_rows = {r["learner_id"]: r for r in csv.DictReader(fh)}
    assert final_rows["dee-strong"]["status"] == "voided"
    for lid, r in final_rows.items():
        if r["status"] in ("pass", "fail"):
            assert int(r["questions"]) in (19, 20)
    assert "Manager's corrections" in final.output and "answered with a colleague" in final.output
    certificates = sorted(p.name for p in (tmp_path / "certificates").iterdir())
    assert certificates == sorted(f"{quiz_id}--{lid}.html" for lid, r in final_rows.items() if r["status"] == "pass")
    assert len(list((tmp_path / "slips").iterdir())) == 20
    code = final_rows["priya-natarajan"]["certificate"]
    assert code in (tmp_path / "certificates" / f"{quiz_id}--priya-natarajan.html").read_text(encoding="utf-8")
