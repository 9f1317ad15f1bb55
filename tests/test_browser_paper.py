"""The HTML paper as a document: self-contained, safely embedded, refusing broken papers.

What the page does when a browser runs it is in test_browser_page.py."""

from __future__ import annotations

import base64
import copy
import fnmatch
import hashlib
import json
import re
import tomllib
from pathlib import Path

import pytest
from browser_support import HOSTILE, make_paper

from flashcards.quiz.browser import embed_json, paper_html
from flashcards.errors import QuizError

REPO = Path(__file__).resolve().parent.parent


def scripts(page: str) -> list[tuple[str, str]]:
    return re.findall(r"<script([^>]*)>(.*?)</script>", page, flags=re.S)


def test_the_paper_round_trips_through_the_page_unchanged():
    paper = make_paper()
    page = paper_html(paper)
    (data_attrs, data), (code_attrs, code) = scripts(page)
    assert 'type="application/json"' in data_attrs and 'id="paper-data"' in data_attrs
    assert json.loads(data) == paper
    assert code_attrs == ""


def test_hostile_text_cannot_end_the_data_script_or_add_markup():
    paper = make_paper()
    assert "</script>" in paper["questions"][1]["prompt"]
    page = paper_html(paper)
    data = scripts(page)[0][1]
    for raw in ("<", ">", "&", "\u2028", "\u2029"):
        assert raw not in data
    # Exactly the template's two script elements and no element from the paper's text.
    assert page.count("</script>") == 2
    assert page.count("<script") == 2
    assert "<img" not in page and "<b>" not in page
    assert HOSTILE not in page


def test_embed_json_escapes_line_separators_and_markup():
    text = embed_json({"a": "x\u2028y\u2029z</script>&"})
    assert text == '{"a":"x\\u2028y\\u2029z\\u003c/script\\u003e\\u0026"}'
    assert json.loads(text) == {"a": "x\u2028y\u2029z</script>&"}


def test_the_page_is_ascii_and_needs_nothing_from_the_network():
    page = paper_html(make_paper())
    assert page.isascii()
    assert not re.search(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", page, flags=re.I)
    assert "http://" not in page and "https://" not in page
    assert "<link" not in page and "@import" not in page


def test_the_content_security_policy_allows_only_the_page_own_script_and_style():
    page = paper_html(make_paper())
    csp = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', page).group(1)
    code = scripts(page)[1][1]
    style = re.search(r"<style>(.*?)</style>", page, flags=re.S).group(1)

    def digest(text):
        return base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()

    assert "default-src 'none'" in csp
    assert f"script-src 'sha256-{digest(code)}'" in csp
    assert f"style-src 'sha256-{digest(style)}'" in csp


def test_the_title_is_escaped():
    page = paper_html(make_paper())
    title = re.search(r"<title>(.*?)</title>", page).group(1)
    assert title.startswith("Lesson 4 &lt;certification&gt; &amp; co")
    assert "&#128512;" in title  # the learner's emoji, as a character reference in an ASCII page


def broken(change):
    paper = make_paper()
    change(paper)
    return paper


@pytest.mark.parametrize("paper, message", [
    (["not", "an", "object"], "the document must be a JSON object"),
    (broken(lambda p: p.update(format="flashcards-paper/1")), "format must be 'flashcards-paper/2'"),
    (broken(lambda p: p["quiz"].pop("title")), "quiz.title must be non-empty text"),
    (broken(lambda p: p["quiz"].update(pass_mark=101)), "quiz.pass_mark must be a whole number from 0 to 100"),
    (broken(lambda p: p["quiz"].update(time_limit_seconds=0)), "quiz.time_limit_seconds must be a positive"),
    (broken(lambda p: p["quiz"].update(time_limit_seconds=1.5)), "quiz.time_limit_seconds must be a positive"),
    (broken(lambda p: p.update(token="abc")), "token must be 64 hex characters"),
    (broken(lambda p: p["learner"].update(name="  ")), "learner.name must be non-empty text"),
    (broken(lambda p: p.update(questions=[])), "questions must be a non-empty list"),
    (broken(lambda p: p["questions"][1].update(id="q01")), "questions[1].id repeats 'q01'"),
    (broken(lambda p: p["questions"][2].update(options=p["questions"][2]["options"][:1])),
     "questions[2].options must list at least two options"),
    (broken(lambda p: p["questions"][3]["options"][2].update(id=p["questions"][0]["options"][0]["id"])),
     "questions[3].options[2].id repeats"),
    (broken(lambda p: p["quiz"].update(question_count=5)), "quiz.question_count is 5 but the paper holds 4"),
])
def test_a_paper_off_the_contract_is_refused_with_the_field_named(paper, message):
    with pytest.raises(QuizError, match=re.escape("not a flashcards-paper/2 paper: " + message)):
        paper_html(paper)


def test_null_limits_are_allowed():
    paper = make_paper(time_limit_seconds=None)
    paper["quiz"]["max_attempts"] = None
    assert json.loads(scripts(paper_html(paper))[0][1]) == paper


def test_rendering_does_not_change_the_paper():
    paper = make_paper()
    before = copy.deepcopy(paper)
    paper_html(paper)
    assert paper == before


def test_the_page_assets_are_package_data():
    # The page is built from files in flashcards/quiz/_browser/; an installed package needs them
    # (CI also runs these tests against the installed package).
    setuptools = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    assert "flashcards.quiz._browser" in setuptools["packages"]
    patterns = setuptools["package-data"]["flashcards.quiz._browser"]
    assets = sorted(p.name for p in (REPO / "flashcards" / "quiz" / "_browser").iterdir() if p.name != "__pycache__")
    assert assets == ["page.css", "page.html", "page.js"]
    assert all(any(fnmatch.fnmatch(name, pattern) for pattern in patterns) for name in assets)


@pytest.mark.parametrize("ci, outcome", [("true", pytest.fail.Exception), ("1", pytest.fail.Exception),
                                         ("", pytest.skip.Exception), (None, pytest.skip.Exception)])
def test_a_missing_browser_fails_under_ci_and_skips_elsewhere(monkeypatch, tmp_path, ci, outcome):
    import browser_support

    pytest.importorskip("playwright")  # without it, that is what is reported missing
    monkeypatch.setattr(browser_support, "CHROMIUM", str(tmp_path / "no-chromium"))
    if ci is None:
        monkeypatch.delenv("CI", raising=False)
    else:
        monkeypatch.setenv("CI", ci)
    with pytest.raises(outcome, match="no-chromium is missing"):
        browser_support.browser_or_skip()


def embedded_paper(page_path: Path) -> dict:
    return json.loads(scripts(page_path.read_text(encoding="ascii"))[0][1])


def test_create_and_issue_write_a_page_beside_each_paper_only_with_html(tmp_path, invoke):
    db = tmp_path / "flash.db"
    roster = tmp_path / "team.csv"
    roster.write_text("name,email\nAva Perfect,ava@example.com\nBen Fails,ben@example.com\n", encoding="utf-8")

    def flash(*args):
        result = invoke(*args, "--db", db, "--today", "2026-12-01")
        assert result.exit_code == 0, result.output
        return result.output

    flash("quiz", "roster", "import", roster)
    plain = flash("quiz", "create", "--title", "Plain", "--questions", "3", "--pass-mark", "80", "--learner",
                  "ava@example.com", "-o", tmp_path / "plain")
    assert "web page" not in plain
    assert [p.name.split("--")[1] for p in (tmp_path / "plain").iterdir()] == ["ava-perfect.paper.json"]

    out = flash("quiz", "create", "--title", "Lesson 4 certification", "--questions", "3", "--pass-mark", "80",
                "--learner", "ava@example.com", "--html", "-o", tmp_path / "papers")
    quiz_id = re.search(r"Created quiz (\S+):", out).group(1)
    assert "Wrote 1 web page beside them" in out
    issued = flash("quiz", "issue", quiz_id, "--learner", "ben@example.com", "--html", "-o", tmp_path / "later")
    assert f"later/{quiz_id}--ben-fails.paper.json" in issued and f"later/{quiz_id}--ben-fails.paper.html" in issued
    for folder, learner in (("papers", "ava-perfect"), ("later", "ben-fails")):
        paper = json.loads((tmp_path / folder / f"{quiz_id}--{learner}.paper.json").read_text(encoding="utf-8"))
        assert embedded_paper(tmp_path / folder / f"{quiz_id}--{learner}.paper.html") == paper
        assert paper["learner"]["id"] == learner


def test_take_given_the_web_page_says_to_open_it_in_a_browser(tmp_path, invoke):
    page = tmp_path / "cert--ava.paper.html"
    page.write_text(paper_html(make_paper()), encoding="ascii")
    result = invoke("quiz", "take", page, "--db", tmp_path / "flash.db", "--today", "2026-12-01")
    assert result.exit_code == 1
    assert result.output.strip().endswith(
        "not a flashcards paper: it is a paper's web page, to open in a browser "
        "(flash quiz take reads the .paper.json beside it)")
    assert "Traceback" not in result.output


def test_the_start_screen_says_plainly_that_the_paper_is_self_timed():
    page = paper_html(make_paper())
    start = page[page.index('id="screen-start"'):page.index('id="screen-question"')]
    note = re.sub(r"\s+", " ", re.search(r'<li id="note-self-timed">(.*?)</li>', start, re.S).group(1))
    assert note.startswith("This paper is self-timed: the clock is this device's own, and every question is in this "
                           "file from the start.")
