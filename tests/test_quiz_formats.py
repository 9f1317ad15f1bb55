"""Quiz files (flashcards/quiz_formats.py): papers, answers files, GIFT and QTI 2.1."""

from __future__ import annotations

import io
import re
import textwrap
import zipfile
from dataclasses import replace
from xml.etree import ElementTree as ET

import pytest
import yaml

from flashcards.decks import parse_deck
from flashcards.quiz import AnswerSheet, Quiz, generate
from flashcards.quiz_formats import (
    QuizFileError, answers_digest, dump_answers, gift, gift_escape, load_answers, load_paper, paper_checksum,
    qti_package, report_csv, REPORT_COLUMNS, certificate_html, write_answers, write_paper,
)

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
    questions = generate([deck], 10, None, seed=3)
    quiz = Quiz(id="special-quiz", title="Specials: {all} = ~fun~", pass_mark=70, questions=questions,
                seed=3, deck_ids=("special",), max_attempts=2, time_limit=15, created_on="2026-12-01")
    return replace(quiz, paper_checksum=paper_checksum(quiz.paper()))


# -- the paper ------------------------------------------------------------


def test_paper_round_trip(special_quiz, tmp_path):
    path = write_paper(special_quiz.paper(), tmp_path / "p.quiz.yaml")
    paper, checksum = load_paper(path)
    assert paper == special_quiz.paper()
    assert checksum == special_quiz.paper_checksum


def test_paper_holds_no_key(special_quiz, tmp_path):
    path = write_paper(special_quiz.paper(), tmp_path / "p.quiz.yaml")
    text = "\n".join(line for line in path.read_text(encoding="utf-8").splitlines() if not line.startswith("#"))
    data = yaml.safe_load(text)
    assert set(data) == {"format", "version", "quiz_id", "title", "pass_mark", "attempts", "time_limit_minutes",
                         "questions", "checksum"}
    for q in data["questions"]:
        assert set(q) == {"id", "kind", "prompt", "options"}
        for option in q["options"]:
            assert set(option) == {"id", "text"}
    for word in ("answer", "correct", "key", "special/", "card_id", "entry_id", "deck_id"):
        assert word not in text.lower()
    for q in special_quiz.questions:
        assert q.entry_id not in re.findall(r"[a-z0-9-]+", text.replace(q.id, ""))
    # the right option is not always in the same place
    assert len({q.answer for q in special_quiz.questions}) > 1


def _rewrite(path, change):
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")


@pytest.mark.parametrize("change", [
    lambda d: d["questions"][0]["options"][0].update(text="Obviously right"),
    lambda d: d["questions"][1]["options"].reverse(),
    lambda d: d["questions"][2].update(prompt="An easier question?"),
    lambda d: d["questions"].pop(),
    lambda d: d.update(pass_mark=10),
])
def test_altered_paper_is_refused(special_quiz, tmp_path, change):
    path = write_paper(special_quiz.paper(), tmp_path / "p.quiz.yaml")
    _rewrite(path, change)
    with pytest.raises(QuizFileError) as err:
        load_paper(path)
    assert str(err.value) == (f"{path}: the paper was altered after it was issued (its checksum does not match "
                              "its questions); ask your manager for the original")


def test_paper_reformatting_keeps_its_checksum(special_quiz, tmp_path):
    """The checksum covers content, not layout: a paper re-saved by another YAML tool still loads."""
    path = write_paper(special_quiz.paper(), tmp_path / "p.quiz.yaml")
    _rewrite(path, lambda d: None)
    assert load_paper(path)[1] == special_quiz.paper_checksum


def test_not_a_paper(tmp_path):
    deck = tmp_path / "deck.yaml"
    deck.write_text(SPECIAL_DECK, encoding="utf-8")
    with pytest.raises(QuizFileError, match=r"deck.yaml: not a flashcards question paper"):
        load_paper(deck)


# -- answers files --------------------------------------------------------


def make_sheet(quiz: Quiz, learner="Ann Lee") -> AnswerSheet:
    return AnswerSheet(quiz.id, quiz.paper_checksum, learner, "2026-12-01T10:00:00+01:00",
                       "2026-12-01T10:09:30+01:00", {q.id: q.options[0].id for q in quiz.questions})


def test_answers_round_trip(special_quiz, tmp_path):
    sheet = make_sheet(special_quiz)
    path = write_answers(sheet, tmp_path / "a.answers.yaml")
    loaded = load_answers(path)
    assert loaded == replace(sheet, digest=answers_digest(sheet))
    assert loaded.digest.startswith("sha256:")


def test_edited_answers_file_is_refused(special_quiz, tmp_path):
    path = write_answers(make_sheet(special_quiz), tmp_path / "a.answers.yaml")
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("q01: o1", "q01: o2"), encoding="utf-8")
    with pytest.raises(QuizFileError) as err:
        load_answers(path)
    assert str(err.value) == f"{path}: the answers file was edited after it was written (its digest does not match)"


def test_edited_paper_checksum_in_answers_is_refused(special_quiz, tmp_path):
    path = write_answers(make_sheet(special_quiz), tmp_path / "a.answers.yaml")
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace(special_quiz.paper_checksum, "sha256:" + "0" * 64), encoding="utf-8")
    with pytest.raises(QuizFileError, match="edited after it was written"):
        load_answers(path)


@pytest.mark.parametrize("cut", [0.3, 0.6, 0.95])
def test_truncated_answers_file_is_refused(special_quiz, tmp_path, cut):
    path = write_answers(make_sheet(special_quiz), tmp_path / "a.answers.yaml")
    data = path.read_bytes()
    path.write_bytes(data[: int(len(data) * cut)])
    with pytest.raises(QuizFileError) as err:
        load_answers(path)
    assert str(err.value).startswith(f"{path}: ")
    assert re.search(r"truncated|damaged|missing|incomplete", str(err.value))


@pytest.mark.parametrize("content,reason", [
    ("", "not a flashcards answers file (the file is empty)"),
    ("just text\n", "not a flashcards answers file"),
    ("id: deck\nname: A deck\n", "not a flashcards answers file (made with 'flash quiz take')"),
    ("format: flashcards-quiz-paper\n", "this is a question paper, not an answers file"),
    ("answers: [unclosed\n", "not valid YAML at line 2: the file is damaged or truncated"),
])
def test_foreign_files_are_named_in_the_error(tmp_path, content, reason):
    path = tmp_path / "odd.yaml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(QuizFileError) as err:
        load_answers(path)
    assert str(err.value) == f"{path}: {reason}"


def test_binary_and_missing_files(tmp_path):
    binary = tmp_path / "photo.jpg"
    binary.write_bytes(b"\xff\xd8\xff\xe0\x00\x10JFIF")
    with pytest.raises(QuizFileError, match="photo.jpg: not a flashcards answers file: it is not UTF-8 text"):
        load_answers(binary)
    with pytest.raises(QuizFileError, match="nope.yaml: cannot read"):
        load_answers(tmp_path / "nope.yaml")


def test_dump_answers_header_names_the_learner(special_quiz):
    assert dump_answers(make_sheet(special_quiz)).startswith("# Answers of Ann Lee to quiz special-quiz.")


# -- CSV and certificates -------------------------------------------------


def test_report_csv_columns():
    text = report_csv([{"quiz_id": "q", "learner": "Ann, Lee", "result": "pass", "extra": "ignored"}])
    lines = text.splitlines()
    assert lines[0] == ",".join(REPORT_COLUMNS)
    assert lines[1] == 'q,,"Ann, Lee",,,,pass,,,,,,'


def test_certificate_escapes_html():
    page = certificate_html(learner="<script>x</script> O'Neil", quiz_title="A & B", quiz_id="q1",
                            score_percent=95, pass_mark=80, day="2026-12-01")
    assert "<script>x" not in page
    assert "&lt;script&gt;x&lt;/script&gt; O&#x27;Neil" in page
    assert "A &amp; B" in page and "95%" in page and "pass mark 80%" in page


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
