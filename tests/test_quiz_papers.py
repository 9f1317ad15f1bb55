"""Personal papers, signed answers and the bounded loader (flashcards/quiz/papers.py, scoring.judge).

The attacks of issue 10, each as a test: a colleague's answers copied into one's own paper, a file
re-labelled with another learner, an edited file (answers, or only a timestamp), look-alike names,
and hostile files (alias bomb, huge, deep, not JSON).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from datetime import timedelta
from pathlib import Path

import pytest
from quizkit import START, issue_paper, learners, make_quiz, pick, right_answers, sign_answers

from flashcards.decks import load_decks
from flashcards.quiz.model import Learner
from flashcards.quiz.papers import (
    ANSWERS_FORMAT, MAX_ANSWERS_BYTES, PAPER_FORMAT, QuizFileError, load_paper, paper_document, parse_answers,
    read_answers, sign, signing_bytes, text_block, write_answers, write_paper,
)
from flashcards.quiz.scoring import PriorAttempt, Status, judge

DECKS = Path(__file__).resolve().parents[1] / "decks"


@pytest.fixture(scope="module")
def quiz():
    return make_quiz(load_decks([DECKS]), per_paper=20, max_attempts=2, time_limit=10, pass_mark=80)


@pytest.fixture(scope="module")
def team():
    return learners("Priya Natarajan", "Ann Lee", "Bob Roe")


@pytest.fixture(scope="module")
def papers(quiz, team):
    return {learner.id: issue_paper(quiz, learner) for learner in team}


def verdict_of(quiz, papers, document, *, paper_id=None, prior=(), allowed=2):
    sheet = parse_answers(document, "answers.json")
    paper = next((p for p in papers.values() if p.id == (paper_id or sheet.paper_id)), None)
    return judge(quiz, sheet, paper, list(prior), allowed=allowed, other_papers=list(papers.values()))


def resign(document, token):
    document = {k: v for k, v in document.items() if k != "signature"}
    document["signature"] = sign(document, token)
    return document


# -- the paper ------------------------------------------------------------------------


def test_paper_follows_the_contract_and_holds_no_key(quiz, papers, tmp_path):
    paper = papers["priya-natarajan"]
    document = paper_document(quiz, paper)
    assert set(document) == {"format", "quiz", "paper", "learner", "token", "questions"}
    assert document["format"] == PAPER_FORMAT
    assert document["quiz"] == {"id": "cert-1", "title": "Cert", "pass_mark": 80, "time_limit_seconds": 600,
                                "max_attempts": 2, "question_count": 20}
    assert document["learner"] == {"id": "priya-natarajan", "name": "Priya Natarajan"}
    assert len(document["token"]) == 64 and int(document["token"], 16) >= 0
    assert document["paper"].startswith("p-") and len(document["paper"]) == 18
    assert [q["id"] for q in document["questions"]] == [f"q{n:02d}" for n in range(1, 21)]
    for q in document["questions"]:
        assert set(q) == {"id", "prompt", "options"}
        assert all(set(o) == {"id", "text"} for o in q["options"])
    ids = [o["id"] for q in document["questions"] for o in q["options"]]
    assert len(ids) == len(set(ids)) and all(len(i) >= 6 for i in ids)
    path = write_paper(document, tmp_path)
    assert path.name == "cert-1--priya-natarajan.paper.json"
    text = path.read_text(encoding="utf-8")
    assert not any(word in text for word in ('"answer"', '"key"', '"item', '"o1"', "entry_id", "card_id",
                                             "lesson-04"))
    loaded = load_paper(path)
    assert (loaded.paper_id, loaded.learner_id, loaded.token) == (paper.id, "priya-natarajan", paper.token)
    assert [q.prompt for q in loaded.questions] == [quiz.item(q.item_id).prompt for q in paper.questions]


def test_papers_differ_per_learner(quiz, papers):
    a, b = papers["priya-natarajan"], papers["ann-lee"]
    assert [q.item_id for q in a.questions] != [q.item_id for q in b.questions]
    assert a.token != b.token and a.id != b.id
    ids_a = {shown for q in a.questions for shown, _ in q.options}
    ids_b = {shown for q in b.questions for shown, _ in q.options}
    assert not ids_a & ids_b  # one paper's option ids say nothing about another's


# -- signing (docs/quiz-files.md) ------------------------------------------------------


def test_signature_is_hmac_sha256_over_the_documented_bytes(quiz, papers):
    paper = papers["ann-lee"]
    document = right_answers(quiz, paper, 20)
    assert document["format"] == ANSWERS_FORMAT and document["client"] == "terminal"
    body = {k: v for k, v in document.items() if k != "signature"}
    expected = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode("ascii")
    assert signing_bytes(document) == expected
    assert document["signature"] == hmac.new(bytes.fromhex(paper.token), expected, hashlib.sha256).hexdigest()
    # characters outside ASCII are lower-case \u escapes, surrogate pairs outside the BMP (as JavaScript must)
    assert signing_bytes({"name": "Zoë \U0001f600"}) == b'{"name":"Zo\\u00eb \\ud83d\\ude00"}'


def test_a_genuine_file_scores_and_a_browser_file_alike(quiz, papers):
    paper = papers["ann-lee"]
    verdict = verdict_of(quiz, papers, right_answers(quiz, paper, 17))
    assert (verdict.status, verdict.correct, verdict.total, verdict.passed) == (Status.SCORED, 17, 20, True)
    browser = verdict_of(quiz, papers, right_answers(quiz, paper, 15, client="browser"))
    assert (browser.status, browser.correct, browser.passed) == (Status.SCORED, 15, False)


def test_a_colleagues_answers_copied_into_ones_own_paper_are_rejected(quiz, papers):
    """Bob signs Priya's choices (her option ids) with his own token: the ids are not on his paper."""
    priya, bob = papers["priya-natarajan"], papers["bob-roe"]
    hers = pick(quiz, priya, lambda n: True)
    theirs = dict(zip([q.id for q in bob.questions], hers.values()))
    copied = sign_answers(quiz, bob, {qid: None for qid in theirs})
    copied["answers"] = {qid: {"choice": choice, "at": (START + timedelta(seconds=20)).isoformat()}
                         for qid, choice in theirs.items()}
    verdict = verdict_of(quiz, papers, resign(copied, bob.token))
    assert verdict.status is Status.REJECTED
    assert verdict.reason.startswith(f"question q01 has no option '{theirs['q01']}' on paper {bob.id}")


def test_a_relabelled_file_is_rejected(quiz, papers):
    priya, bob = papers["priya-natarajan"], papers["bob-roe"]
    genuine = right_answers(quiz, priya, 20)
    relabelled = {**genuine, "learner": "bob-roe", "name": "Bob Roe"}
    verdict = verdict_of(quiz, papers, relabelled)
    assert verdict.status is Status.REJECTED
    assert verdict.reason == (f"re-labelled: paper {priya.id} was issued to Priya Natarajan (priya-natarajan), "
                              "but the file names learner 'bob-roe'")
    moved = {**relabelled, "paper": bob.id}  # and moved onto Bob's paper: Priya's token does not sign it
    verdict = verdict_of(quiz, papers, moved)
    assert verdict.reason == (f"signed with the token of Priya Natarajan's paper ({priya.id}), "
                              "re-labelled as Bob Roe's")


@pytest.mark.parametrize("field,value", [
    ("started_at", "2026-12-01T10:05:00+00:00"),
    ("finished_at", "2026-12-01T10:01:00+00:00"),
    ("client", "browser"),
    ("name", "priya natarajan"),
])
def test_editing_any_single_field_breaks_the_signature(quiz, papers, field, value):
    genuine = right_answers(quiz, papers["priya-natarajan"], 20)
    assert genuine[field] != value
    verdict = verdict_of(quiz, papers, {**genuine, field: value})
    assert verdict.status is Status.REJECTED
    assert verdict.reason.startswith("the signature does not match: the file was edited after it was signed")


def test_an_edited_answer_is_rejected(quiz, papers):
    paper = papers["priya-natarajan"]
    genuine = right_answers(quiz, paper, 10)
    edited = json.loads(json.dumps(genuine))
    edited["answers"]["q20"]["choice"] = pick(quiz, paper, lambda n: True)["q20"]
    assert verdict_of(quiz, papers, edited).reason.startswith("the signature does not match")


def test_a_lookalike_name_signed_by_the_learner_is_rejected(quiz, papers):
    paper = papers["priya-natarajan"]
    spoof = resign({**right_answers(quiz, paper, 20), "name": "Priуa Natarajan"}, paper.token)  # Cyrillic у
    assert verdict_of(quiz, papers, spoof).reason == (
        "the name is a look-alike of Priya Natarajan (different letters that look the same)")
    spaced = resign({**right_answers(quiz, paper, 20), "name": "Priya\u200b  Natarajan"}, paper.token)
    assert verdict_of(quiz, papers, spaced).status is Status.SCORED  # zero-width and spaces do not matter


def test_duplicates_and_the_attempt_limit_count_per_roster_id(quiz, papers):
    paper = papers["ann-lee"]
    first = right_answers(quiz, paper, 20)
    prior = [PriorAttempt("ann-lee", "Ann Lee", 1, paper.id, first["started_at"], first["signature"], "2026-12-01")]
    again = verdict_of(quiz, papers, first, prior=prior)
    assert (again.status, again.reason) == (Status.DUPLICATE, "already counted as Ann Lee's attempt 1 on 2026-12-01")
    same_sitting = right_answers(quiz, paper, 12)
    assert "same paper and start time" in verdict_of(quiz, papers, same_sitting, prior=prior).reason
    later = right_answers(quiz, paper, 12, started=START + timedelta(hours=1))
    assert verdict_of(quiz, papers, later, prior=prior).attempt == 2
    prior.append(PriorAttempt("ann-lee", "Ann Lee", 2, paper.id, later["started_at"], later["signature"], "d"))
    third = right_answers(quiz, paper, 12, started=START + timedelta(hours=2))
    assert verdict_of(quiz, papers, third, prior=prior).reason == (
        "over the attempt limit: Ann Lee has used 2 of 2 attempts")
    assert verdict_of(quiz, papers, third, prior=prior, allowed=3).attempt == 3


def test_the_review_screen_left_open_counts_but_an_answer_after_the_limit_is_refused(quiz, papers):
    """10-minute limit: answered in 6 s each, review screen left open for an hour: everything counts.
    The clients stop taking answers at the limit, so an answer after it (+ 1 min grace) means an edited file."""
    paper = papers["bob-roe"]
    quick = right_answers(quiz, paper, 20, seconds_each=6, finished=START + timedelta(hours=1))
    verdict = verdict_of(quiz, papers, quick)
    assert (verdict.status, verdict.correct) == (Status.SCORED, 20)
    slow = right_answers(quiz, paper, 20, seconds_each=40)  # the 17th answer at 680 s
    verdict = verdict_of(quiz, papers, slow)
    assert verdict.status is Status.REJECTED
    assert verdict.reason == "longer than the time limit: q17 answered 11 minutes after the start (limit 10 minutes)"


# -- reading files: the bounded loader ------------------------------------------------


def test_answers_round_trip_as_json_and_as_a_pasted_text_block(quiz, papers, tmp_path):
    document = right_answers(quiz, papers["ann-lee"], 20)
    path = write_answers(document, tmp_path / "a.answers.json")
    assert read_answers(path).document == document
    mail = tmp_path / "mail.txt"
    block = text_block(document)
    assert all(len(line) <= 64 for line in block.splitlines()[1:-1])
    quoted = "\n".join("> " + line for line in block.splitlines())
    mail.write_text(f"Hi,\n\nhere are my answers:\n\n{quoted}\n\nPriya\n", encoding="utf-8")
    assert read_answers(mail).document == document
    cut = tmp_path / "cut.txt"
    cut.write_text(block[: len(block) // 2], encoding="utf-8")
    with pytest.raises(QuizFileError, match="has no END line"):
        read_answers(cut)


ALIAS_BOMB = """a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
"""


def test_a_yaml_alias_bomb_is_refused_in_under_a_second(tmp_path):
    path = tmp_path / "bomb.answers.yaml"
    path.write_text(ALIAS_BOMB, encoding="utf-8")
    assert len(ALIAS_BOMB.encode()) < 1024
    started = time.perf_counter()
    with pytest.raises(QuizFileError, match="not a flashcards answers file: it is not a JSON object"):
        read_answers(path)
    assert time.perf_counter() - started < 1.0


@pytest.mark.parametrize("content,reason", [
    ("[" * 100_000 + "]" * 100_000, "it is not a JSON object"),
    ('{"a":' * 50 + "1" + "}" * 50, "nested deeper than 8 levels"),
    ('{"format": "flashcards-answers/2", "n": NaN}', "it holds NaN, which JSON does not allow"),
    ('{"format": "flashcards-answers/2", "n": ' + "9" * 5000 + "}",
     "it holds a 5,000-digit number (no paper or answers file has one)"),
    ('{"format": "flashcards-answers/2"', "not valid JSON at line 1"),
    ("", "the file is empty"),
    ('{"format": "flashcards-paper/2"}', "this is a paper, not an answers file"),
    ('{"format": "flashcards-answers/2", "quiz": "q"}', "'paper' is missing or not text"),
])
def test_hostile_or_damaged_files_are_refused_cleanly(tmp_path, content, reason):
    path = tmp_path / "x.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(QuizFileError) as err:
        read_answers(path)
    assert reason in str(err.value) and str(path) in str(err.value)


def test_a_format_1_yaml_file_says_so(tmp_path):
    old = tmp_path / "old.answers.yaml"
    old.write_text("# Answers of Ann\nformat: flashcards-quiz-answers\nversion: 1\nquiz_id: q\n", encoding="utf-8")
    with pytest.raises(QuizFileError, match="a YAML file from before personal papers \\(format 1\\)"):
        read_answers(old)
    with pytest.raises(QuizFileError, match="before personal papers"):
        load_paper(old)


def test_huge_and_binary_files_are_refused_without_reading_them_whole(tmp_path):
    huge = tmp_path / "huge.json"
    with open(huge, "wb") as fh:
        fh.write(b'{"a": "' + b"x" * (MAX_ANSWERS_BYTES * 50) + b'"}')
    started = time.perf_counter()
    with pytest.raises(QuizFileError, match="too large for an answers file"):
        read_answers(huge)
    assert time.perf_counter() - started < 1.0
    binary = tmp_path / "b.json"
    binary.write_bytes(b"{\xff\xfe\x00")
    with pytest.raises(QuizFileError, match="not UTF-8"):
        read_answers(binary)
    with pytest.raises(QuizFileError, match="cannot read"):
        read_answers(tmp_path / "missing.json")


def test_a_damaged_paper_is_refused(tmp_path, quiz, papers):
    document = paper_document(quiz, papers["ann-lee"])
    path = write_paper({**document, "token": "not hex"}, tmp_path)
    with pytest.raises(QuizFileError, match="the paper's token is damaged"):
        load_paper(path)
    path.write_text(json.dumps({**document, "questions": "x"}), encoding="utf-8")
    with pytest.raises(QuizFileError, match="incomplete or damaged"):
        load_paper(path)


def test_a_block_of_garbage_is_refused(tmp_path):
    path = tmp_path / "mail.txt"
    path.write_text("-----BEGIN FLASHCARDS ANSWERS-----\n!!!!\n-----END FLASHCARDS ANSWERS-----\n")
    with pytest.raises(QuizFileError, match="not base64"):
        read_answers(path)
    path.write_text("-----BEGIN FLASHCARDS ANSWERS-----\n" + base64.b64encode(b"[1]").decode()
                    + "\n-----END FLASHCARDS ANSWERS-----\n")
    with pytest.raises(QuizFileError, match="not a JSON object"):
        read_answers(path)


def test_learner_dataclass_is_what_the_paper_names():
    assert Learner("a", "A", "a@x.io").team == ""


def test_option_ids_follow_the_draws_whatever_the_hash_seed():
    """The ids come in the order drawn, not a set's order (which changes with PYTHONHASHSEED), so the
    same draws give the same paper: what keeps the docs' seeded quiz examples the same on every run."""
    import ast
    import os
    import subprocess
    import sys

    from conftest import PACKAGE_ROOT

    code = "import random; from flashcards.quiz.papers import _option_ids; print(_option_ids(6, random.Random(7)))"
    runs = {subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                           env={**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": str(PACKAGE_ROOT)}).stdout
            for seed in ("1", "2", "3")}
    assert len(runs) == 1 and len(set(ast.literal_eval(runs.pop()))) == 6
