"""Quiz report files and LMS exports (flashcards/quiz/report.py, formats.py): CSV, certificates, slips,
GIFT and QTI 2.1."""

from __future__ import annotations

import io
import re
import textwrap
import zipfile
from xml.etree import ElementTree as ET

import pytest

from flashcards.decks import parse_deck
from flashcards.quiz.formats import gift, gift_escape, qti_package
from flashcards.quiz.generate import generate
from flashcards.quiz.model import Quiz
from flashcards.quiz.report import REPORT_COLUMNS, Missed, certificate_html, csv_cell, report_csv, slip_html

# Texts full of GIFT's reserved characters ~ = # { } : and the backslash.
SPECIAL_DECK = r"""
id: special
name: Special characters
terms:
  - id: t1
    term: 'Cost = price: ~tokens'
    definition: 'Billed per {token} #1 \ not per call'
  - id: t2
    term: Plain term
    definition: 'A line: with a colon'
  - id: t3
    term: 'Braces {}'
    definition: 'Equals = sign ~ tilde'
  - id: t4
    term: 'Hash #tag'
    definition: 'Back\slash and "quotes" & <angle>'
phrases:
  - {id: p1, dont_say: 'Say ~this~', do_say: 'Say {that} = better', why: w}
  - {id: p2, dont_say: 'No: never', do_say: 'Yes #1: always', why: w}
  - {id: p3, dont_say: 'A \ B', do_say: 'C = D', why: w}
"""

QTI = "{http://www.imsglobal.org/xsd/imsqti_v2p1}"
CP = "{http://www.imsglobal.org/xsd/imscp_v1p1}"


@pytest.fixture
def special_quiz() -> Quiz:
    deck, problems = parse_deck(textwrap.dedent(SPECIAL_DECK), "special.yaml")
    assert not problems, problems
    questions = generate([deck], 9, None, seed=3)  # every item the deck gives fairly
    return Quiz(id="special-quiz", title="Specials: {all} = ~fun~", pass_mark=70, questions=questions,
                seed=3, deck_ids=("special",), max_attempts=2, time_limit=15, created_on="2026-12-01")


# -- CSV and certificates -------------------------------------------------


def test_report_csv_columns():
    text = report_csv([{"quiz_id": "q", "learner": "Ann, Lee", "status": "pass", "extra": "ignored"}])
    lines = text.splitlines()
    assert lines[0] == ",".join(REPORT_COLUMNS)
    assert lines[1] == 'q,,,"Ann, Lee",,,pass' + "," * (len(REPORT_COLUMNS) - 7)


@pytest.mark.parametrize("value,cell", [
    ("=HYPERLINK(\"http://x\",\"click\")", "'=HYPERLINK(\"http://x\",\"click\")"),
    ("+1+1", "'+1+1"), ("-2+3", "'-2+3"), ("@SUM(A1)", "'@SUM(A1)"), ("\t=1", "'=1"), ("\r=1", "'=1"),
    ("-12.5", "-12.5"), ("Ann Lee", "Ann Lee"), ("Ann\x1b[31mRed", "Ann [31mRed"),
])
def test_csv_cells_are_neutralised_owasp(value, cell):
    """OWASP CSV injection: a cell starting with = + - @ tab or CR gets a leading quote; no control chars."""
    assert csv_cell(value) == cell
    row = report_csv([{"learner": value}]).splitlines()[1]
    assert "\x1b" not in row and not re.search(r"(^|,)[=+@]", row)


def test_slip_shows_missed_concepts_and_answers_only_when_asked():
    missed = [Missed("Tokens", "What are tokens?", "Word <fragments>"), Missed("RAG", "What is RAG?", "Lookup",
                                                                               late=True)]
    common = dict(learner="Ann\x1b[2J Lee", quiz_title="L4", quiz_id="l4", status="fail", correct=18, total=20,
                  pass_mark=95, day="2026-12-01", attempts="1 of 2", missed=missed)
    plain = slip_html(show_answers=False, **common)
    assert "FAIL: 18 of 20 (90%)" in plain and "Tokens" in plain and "What is RAG?" in plain
    assert "Word" not in plain and "Lookup" not in plain and "\x1b" not in plain
    assert "answered after the time limit" in plain
    shown = slip_html(show_answers=True, **common)
    assert "Word &lt;fragments&gt;" in shown and "Lookup" in shown


def test_certificate_escapes_html():
    page = certificate_html(learner="<script>x</script> O'Neil", quiz_title="A & B", quiz_id="q1",
                            score_percent=95, pass_mark=80, day="2026-12-01")
    assert "<script>x" not in page
    assert "&lt;script&gt;x&lt;/script&gt; O&#x27;Neil" in page
    assert "A &amp; B" in page and "95%" in page and "pass mark 80%" in page
    assert "\x1b" not in certificate_html(learner="Ann\x1b]0;pwned\x07", quiz_title="T", quiz_id="q",
                                          score_percent=90, pass_mark=80, day="d")


# -- GIFT -----------------------------------------------------------------


def parse_gift(text: str):
    """A small GIFT reader (enough for multiple choice): [(title, question text, [(is_right, answer)])]."""
    questions = []
    lines = [line for line in text.split("\n") if not line.startswith("//") and not line.startswith("$CATEGORY")]
    source = "\n".join(lines)
    i, n = 0, len(source)

    def read_until(stops):
        nonlocal i
        out = []
        while i < n and source[i] not in stops:
            if source[i] == "\\" and i + 1 < n:
                nxt = source[i + 1]
                out.append("\n" if nxt == "n" else nxt)
                i += 2
                continue
            out.append(source[i])
            i += 1
        return "".join(out)

    while True:
        start = source.find("::", i)
        if start < 0:
            break
        i = start + 2
        title = read_until(":")
        assert source[i:i + 2] == "::", "title not closed"
        i += 2
        body = read_until("{")
        assert body.startswith("[plain]")
        i += 1  # {
        answers = []
        while True:
            read_until("~=}")  # whitespace between answers
            if source[i] == "}":
                i += 1
                break
            mark = source[i]
            i += 1
            answers.append((mark == "=", read_until("~=}").strip()))
        questions.append((title, body[len("[plain]"):].rstrip(), answers))
    return questions


def test_gift_escape_follows_moodle():
    assert gift_escape("a~b=c#d{e}f:g\\h\ni\rj") == "a\\~b\\=c\\#d\\{e\\}f\\:g\\\\h\\ni" + "j"


def test_gift_parses_back_to_the_quiz(special_quiz):
    text = gift(special_quiz)
    parsed = parse_gift(text)
    assert len(parsed) == len(special_quiz.questions)
    for q, (title, body, answers) in zip(special_quiz.questions, parsed):
        assert title == f"{q.id} {q.kind.value} ({q.deck_id}/{q.entry_id})"
        assert body == q.prompt
        assert [a for _, a in answers] == [o.text for o in q.options]
        assert [right for right, _ in answers].count(True) == 1
        assert answers[[o.id for o in q.options].index(q.answer)] == (True, q.correct_option.text)
    # the special characters really were in there, escaped
    assert "\\{token\\} \\#1 \\\\ not per call" in text
    assert "Cost \\= price\\: \\~tokens" in text


# -- QTI 2.1 --------------------------------------------------------------


def test_qti_package(special_quiz):
    data = qti_package(special_quiz)
    assert data == qti_package(special_quiz)  # hermetic: same bytes every time
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        names = zf.namelist()
        assert "imsmanifest.xml" in names and "test.xml" in names
        item_files = sorted(n for n in names if n.startswith("items/"))
        assert item_files == sorted(f"items/{q.id}.xml" for q in special_quiz.questions)
        manifest = ET.fromstring(zf.read("imsmanifest.xml"))
        assert manifest.tag == f"{CP}manifest"
        items = [r for r in manifest.iter(f"{CP}resource") if r.get("type") == "imsqti_item_xmlv2p1"]
        assert sorted(r.get("href") for r in items) == item_files
        for r in items:
            assert [f.get("href") for f in r.iter(f"{CP}file")] == [r.get("href")]
        test = ET.fromstring(zf.read("test.xml"))
        assert [ref.get("href") for ref in test.iter(f"{QTI}assessmentItemRef")] == [
            f"items/{q.id}.xml" for q in special_quiz.questions]
        for q in special_quiz.questions:
            item = ET.fromstring(zf.read(f"items/{q.id}.xml"))  # well-formed
            assert item.tag == f"{QTI}assessmentItem"
            values = [v.text for v in item.iter(f"{QTI}correctResponse")
                      for v in v.iter(f"{QTI}value")]
            assert values == [q.answer]
            choices = {c.get("identifier"): c.text for c in item.iter(f"{QTI}simpleChoice")}
            assert choices == {o.id: o.text for o in q.options}
            interaction = next(item.iter(f"{QTI}choiceInteraction"))
            assert interaction.get("maxChoices") == "1"
            paragraphs = ["".join(p.itertext()) for p in item.find(f"{QTI}itemBody").iter(f"{QTI}p")]
            assert paragraphs == ["".join(chunk.split("\n")) for chunk in q.prompt.split("\n\n")]
