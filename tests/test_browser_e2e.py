"""Issue 11 end to end: `flash quiz create --html`, the pages taken in chromium, `flash quiz score`.

A manager with a roster of two creates personal papers with their web pages. Ava takes hers in a
browser, reloads half-way, finishes and downloads the answers file; Priya runs out of time and
pastes the text block into an e-mail instead. The real CLI scores both, once, and the report says
they used the browser. The browser's clock is Playwright's, fixed, so the times are known.
"""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta, timezone

from browser_support import (  # noqa: F401 (the *_fixture names register the browser and tab fixtures)
    PHONE, browser_fixture, decode_block, download_answers, reference_signature, shot, tab_fixture, text,
)

from flashcards.store import Store
from flashcards.store.quizzes import QuizStore

TODAY = "2026-12-01"
START = datetime(2026, 12, 1, 10, 0, tzinfo=timezone.utc)


def take(page, quiz, paper, right: int, *, reload_at: int | None = None, stop_after: int | None = None):
    """Answer ``paper`` on ``page``: the first ``right`` questions with the key, the rest wrongly;
    reload the tab before question ``reload_at`` (1-based); stop after ``stop_after`` answers."""
    page.get_by_role("button", name="Start").click()
    for n, question in enumerate(paper.questions):
        if n + 1 == reload_at:
            page.reload()
            assert text(page, "#progress") == f"{n} of {len(paper.questions)} answered"
        assert text(page, "#question-heading") == f"Question {n + 1} of {len(paper.questions)}"
        key = quiz.item(question.item_id).answer
        shown = [s for s, canonical in question.options if (canonical == key) == (n < right)][0]
        page.locator(f"input[value='{shown}']").check()
        if stop_after is not None and n + 1 == stop_after:
            return
        page.get_by_role("button", name="Next" if n + 1 < len(paper.questions) else "Review answers").click()


def test_papers_as_pages_taken_in_a_browser_and_scored_by_the_cli(tab, tmp_path, invoke, monkeypatch):
    db = tmp_path / "manager.db"
    manager_clock = [START - timedelta(hours=1)]  # papers issued before the sittings, scored after them
    monkeypatch.setattr("flashcards.cli.quiz.now", lambda: manager_clock[0])

    def flash(*args, ok=True):
        result = invoke(*args, "--db", db, "--today", TODAY)
        assert (result.exit_code == 0) == ok, result.output
        return result

    roster = tmp_path / "team.csv"
    roster.write_text("name,email,team\nAva Perfect,ava@example.com,East\nPriya Natarajan,priya@example.com,West\n",
                      encoding="utf-8")
    flash("quiz", "roster", "import", roster)
    papers_dir = tmp_path / "papers"
    created = flash("quiz", "create", "--title", "Lesson 4 certification", "--questions", "6", "--pass-mark", "80",
                    "--time-limit", "2", "--roster", "--seed", "2026", "--html", "-o", papers_dir)
    assert "Wrote 2 web pages beside them" in created.output
    quiz_id = re.search(r"Created quiz (\S+):", created.output).group(1)
    pages = sorted(p.name for p in papers_dir.glob("*.paper.html"))
    assert pages == [f"{quiz_id}--ava-perfect.paper.html", f"{quiz_id}--priya-natarajan.paper.html"]
    with Store.open(db) as store:
        quizzes = QuizStore(store)
        quiz = quizzes.get(quiz_id)
        issued = {p.learner.id: p for p in quizzes.papers(quiz_id)}

    # Each page carries exactly its learner's paper document, the one written beside it.
    for learner in issued:
        page_text = (papers_dir / f"{quiz_id}--{learner}.paper.html").read_text(encoding="ascii")
        embedded = re.search(r'<script type="application/json" id="paper-data">(.*?)</script>', page_text).group(1)
        paper_json = (papers_dir / f"{quiz_id}--{learner}.paper.json").read_text(encoding="utf-8")
        assert json.loads(embedded) == json.loads(paper_json)

    inbox = tmp_path / "inbox"
    inbox.mkdir()

    # Ava: 5 of 6 right, a reload before question 4, the file downloaded.
    ava_tab = tab()
    ava_tab.page.clock.install(time=START)
    page = ava_tab.open(papers_dir / f"{quiz_id}--ava-perfect.paper.html")
    assert text(page, "#fact-learner") == "Ava Perfect"
    assert text(page, "#fact-time") == "2 minutes"
    take(page, quiz, issued["ava-perfect"], right=5, reload_at=4)
    page.get_by_role("button", name="Finish and sign").click()
    ava, ava_file = download_answers(page, inbox)
    assert ava_file.name == f"{quiz_id}--ava-perfect.answers.json"
    assert ava["client"] == "browser" and ava["started_at"] == "2026-12-01T10:00:00+00:00"

    # Priya: 3 right, then the clock runs out; she pastes the block into an e-mail.
    priya_tab = tab(PHONE)
    priya_tab.page.clock.install(time=START)
    page = priya_tab.open(papers_dir / f"{quiz_id}--priya-natarajan.paper.html")
    take(page, quiz, issued["priya-natarajan"], right=6, stop_after=3)
    shot(page, "e2e-question")
    page.clock.fast_forward("02:01")
    assert text(page, "#finish-heading") == "Time is up: your answers are signed"
    block = page.input_value("#answers-block")
    priya = decode_block(block)
    assert priya["signature"] == reference_signature(priya, issued["priya-natarajan"].token)
    (inbox / "priya-mail.txt").write_text(f"Hi Maria,\n\nmy answers:\n\n{block}\nPriya\n", encoding="utf-8")

    manager_clock[0] = START + timedelta(hours=3)
    scored = flash("quiz", "score", inbox)
    rows = {line.split("\t")[1]: line for line in scored.output.splitlines() if line.count("\t") >= 3}  # piped rows
    assert "pass 5/6 (83%)" in rows["Ava Perfect"] and "attempt 1 (browser)" in rows["Ava Perfect"]
    assert "fail 3/6 (50%)" in rows["Priya Natarajan"] and "attempt 1 (browser)" in rows["Priya Natarajan"]
    assert "2 of 2 new files scored" in scored.output
    assert "Nothing new" in flash("quiz", "score", inbox).output

    report = flash("quiz", "report", quiz_id, "--csv", "-").output
    lines = [line.split(",") for line in report.strip().splitlines()]
    header = lines[0]
    got = {row[header.index("learner_id")]: (row[header.index("status")], row[header.index("correct")],
                                             row[header.index("client")]) for row in lines[1:]}
    assert got == {"ava-perfect": ("pass", "5", "browser"), "priya-natarajan": ("fail", "3", "browser")}

    # An answers file edited after the page signed it is rejected by the scorer.
    ava["answers"]["q06"]["choice"] = [s for s, c in issued["ava-perfect"].questions[5].options
                                       if c == quiz.item(issued["ava-perfect"].questions[5].item_id).answer][0]
    forged = tmp_path / "forged" / "ava.answers.json"
    forged.parent.mkdir()
    forged.write_text(json.dumps(ava), encoding="utf-8")
    rejected = flash("quiz", "score", forged, ok=False)
    assert "rejected" in rejected.output and "signature" in rejected.output, rejected.output
