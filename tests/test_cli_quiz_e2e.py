"""The issue's "Done when", end to end through the CLI, as a new user would do it.

A manager creates a 20-question quiz from the shipped deck with an 80% pass
mark; three learners take it with scripted answers (one perfect, one failing,
one who edits the answers file afterwards); the manager scores, reports with
item analysis, CSV and certificates, and exports GIFT and QTI. The paper
never holds the key.
"""

from __future__ import annotations

import csv
import re
import zipfile
from datetime import datetime, timedelta, timezone
from xml.etree import ElementTree as ET

import pytest
import yaml
from click.testing import CliRunner

from flashcards.cli import cli
from flashcards.quiz import display_order, letter
from flashcards.quiz_formats import load_paper
from flashcards.store import Store
from flashcards.store.quizzes import QuizStore

TODAY = "2026-12-01"
QTI = "{http://www.imsglobal.org/xsd/imsqti_v2p1}"


@pytest.fixture(autouse=True)
def clock(monkeypatch):
    start = datetime(2026, 12, 1, 9, 0, tzinfo=timezone.utc)
    ticks = iter(range(100_000))
    monkeypatch.setattr("flashcards.cli.quiz.now", lambda: start + timedelta(seconds=15 * next(ticks)))


def test_done_when(tmp_path):
    runner = CliRunner(env={"FLASH_DB": None, "FLASH_TODAY": None, "FLASH_DAY_STARTS_AT": None,
                            "XDG_DATA_HOME": str(tmp_path / "xdg"), "COLUMNS": "250"})
    manager_db = tmp_path / "manager.db"
    exports = tmp_path / "exports"

    def flash(*args, input=None, ok=True):
        result = runner.invoke(cli, [str(a) for a in args] + ["--db", str(manager_db), "--today", TODAY],
                               input=input)
        if ok:
            assert result.exit_code == 0, result.output
        return result

    # -- the manager creates the quiz from the shipped deck -----------------
    created = flash("quiz", "create", "--title", "Lesson 4 certification", "--questions", "20",
                    "--pass-mark", "80", "--attempts", "2", "--seed", "2026",
                    "-o", exports / "lesson4.quiz.yaml")
    quiz_id = re.search(r"Created quiz (\S+):", created.output).group(1)
    paper_path = exports / "lesson4.quiz.yaml"
    with Store.open(manager_db) as store:
        the_quiz = QuizStore(store).get(quiz_id)
    assert len(the_quiz.questions) == 20 and the_quiz.pass_mark == 80
    assert the_quiz.deck_ids == ("lesson-04-ai-lifecycle",)

    # -- the paper holds no key ---------------------------------------------
    paper_text = paper_path.read_text(encoding="utf-8")
    data = yaml.safe_load(paper_text)
    assert [set(q) for q in data["questions"]] == [{"id", "kind", "prompt", "options"}] * 20
    assert not re.search(r"^\s*-?\s*(answer|correct|key|entry_id|card_id)\s*:", paper_text, re.M)
    assert "lesson-04-ai-lifecycle" not in paper_text
    paper, checksum = load_paper(paper_path)
    assert checksum == the_quiz.paper_checksum

    # -- three learners take it -----------------------------------------------
    def answers(learner, right):
        lines = []
        for q in paper.questions:
            key = the_quiz.key[q.id]
            wanted = key if right(q) else next(o.id for o in q.options if o.id != key)
            lines.append(letter([o.id for o in display_order(q, quiz_id, learner)].index(wanted)))
        return "\n".join(lines) + "\n"

    def take(learner, right):
        result = flash("quiz", "take", paper_path, "--learner", learner, input=answers(learner, right))
        assert "Question 20 of 20" in result.output and "Review your answers" in result.output
        return exports / f"lesson4.{learner.lower().replace(' ', '-')}.answers.yaml"

    ava = take("Ava Perfect", lambda q: True)
    ben = take("Ben Fails", lambda q: int(q.id[1:]) <= 12)  # 12 of 20: 60%
    cal = take("Cal Tamper", lambda q: int(q.id[1:]) <= 10)
    # Cal edits his answers file afterwards, copying what Ava chose for the last ten questions
    ava_choices = yaml.safe_load(ava.read_text(encoding="utf-8"))["answers"]
    text = cal.read_text(encoding="utf-8")
    for n in range(11, 21):
        text = re.sub(rf"(q{n:02d}: )o\d", rf"\g<1>{ava_choices[f'q{n:02d}']}", text)
    cal.write_text(text, encoding="utf-8")

    # -- the manager scores the batch -----------------------------------------
    scored = flash("quiz", "score", ava, ben, cal, ok=False)
    assert scored.exit_code == 1
    lines = scored.output.splitlines()
    assert "pass 20/20 (100%)" in next(line for line in lines if ava.name in line)
    assert "fail 12/20 (60%)" in next(line for line in lines if ben.name in line)
    assert "the answers file was edited after it was written" in next(line for line in lines if cal.name in line)
    assert "2 of 3 files scored, 1 rejected." in scored.output
    again = flash("quiz", "score", ava)  # sent twice: flagged, not counted
    assert "already scored as Ava Perfect's attempt 1 on 2026-12-01; not counted again" in again.output

    # -- report with item analysis, CSV and certificates ----------------------
    report = flash("quiz", "report", quiz_id, "--csv", exports / "results.csv", "--certificates", exports / "certs")
    out = report.output
    assert "Pass rate: 1 of 2 learners (50%)" in out
    rows = {q.id: [c.strip() for c in next(line for line in out.splitlines() if f"│ {q.id} " in line)
                   .split("│")[1:-1]] for q in the_quiz.questions}
    for n in range(1, 13):  # both right: facility 100%, discrimination undefined
        assert rows[f"q{n:02d}"][3:6] == ["100%", "–", "–"]
    for n in range(13, 21):  # only Ava right: facility 50%, discrimination 100%, Ben's pick shown
        assert rows[f"q{n:02d}"][3:5] == ["50%", "100%"]
        assert rows[f"q{n:02d}"][5].startswith("1× ")
    assert "Not counted" in out and "Cal Tamper" in out
    with open(exports / "results.csv", newline="", encoding="utf-8") as fh:
        results = [(r["learner"], r["score_percent"], r["result"], r["attempt"]) for r in csv.DictReader(fh)]
    assert results == [("Ava Perfect", "100.0", "pass", "1"), ("Ben Fails", "60.0", "fail", "1")]
    assert [p.name for p in (exports / "certs").iterdir()] == [f"{quiz_id}--ava-perfect.html"]

    listed = flash("quiz", "list")
    assert re.search(rf"{quiz_id} .*│ +20 │ +80% │ +2 \(max 2 each\) │ +2 │ +50% \(1/2\)", listed.output)

    # -- exports for an LMS ---------------------------------------------------
    flash("quiz", "export", quiz_id, "--format", "gift", "-o", exports / "lesson4.gift.txt")
    gift = (exports / "lesson4.gift.txt").read_text(encoding="utf-8")
    blocks = re.findall(r"^::.*?^}$", gift, re.S | re.M)
    assert len(blocks) == 20
    assert all(len(re.findall(r"^\t=", b, re.M)) == 1 for b in blocks)
    flash("quiz", "export", quiz_id, "--format", "qti", "-o", exports / "lesson4.qti.zip")
    with zipfile.ZipFile(exports / "lesson4.qti.zip") as zf:
        assert "imsmanifest.xml" in zf.namelist()
        items = [n for n in zf.namelist() if n.startswith("items/")]
        assert len(items) == 20
        for name in items:
            item = ET.fromstring(zf.read(name))
            assert len(list(item.iter(f"{QTI}correctResponse"))) == 1
            qid = name.removeprefix("items/").removesuffix(".xml")
            assert next(item.iter(f"{QTI}value")).text == the_quiz.key[qid]
