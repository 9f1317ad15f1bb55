"""Pools the learners do not hold: `quiz create --private PATH --private-share S`.

The pool mixes the shipped decks' items with a manager's private deck; every paper holds the share
asked for; the errors say what is wrong in one line and create nothing. Real deck files, the real
CLI, real SQLite files in tmp_path.
"""

from __future__ import annotations

import json
import random
import re
import sqlite3
import textwrap
from collections import Counter
from dataclasses import replace

import pytest
from servekit import DECK as PRIVATE_DECK
from test_cli_quiz import QUIZ_DECK, stored, write_roster

from flashcards.decks import parse_deck
from flashcards.errors import QuizError
from flashcards.quiz.generate import generate
from flashcards.quiz.model import Quiz
from flashcards.quiz.pools import draw_paper, mixed_pool, paper_split

TODAY = "2026-12-01"


def deck(text):
    parsed, problems = parse_deck(textwrap.dedent(text), "deck.yaml")
    assert not problems
    return parsed


@pytest.fixture
def files(tmp_path):
    shipped = tmp_path / "shipped.yaml"
    shipped.write_text(textwrap.dedent(QUIZ_DECK), encoding="utf-8")
    private = tmp_path / "private" / "cert-items.yaml"
    private.parent.mkdir()
    private.write_text(textwrap.dedent(PRIVATE_DECK), encoding="utf-8")
    return shipped, private


@pytest.fixture
def team(invoke, tmp_path):
    db = tmp_path / "manager.db"
    roster = write_roster(tmp_path / "team.csv", *[f"Learner {chr(65 + n)}" for n in range(6)])
    assert invoke("quiz", "roster", "import", roster, "--db", db, "--today", TODAY).exit_code == 0
    return db


def create(invoke, db, *args):
    return invoke("quiz", "create", "--title", "Cert", "--pass-mark", "80", "--roster", "--seed", "5",
                  *args, "--db", db, "--today", TODAY)


# -- the rules -------------------------------------------------------------------------------


def test_a_paper_holds_the_share_rounded_half_up_and_at_least_one_of_each():
    assert paper_split(10, 0.5) == (5, 5)
    assert paper_split(5, 0.5) == (3, 2)
    assert paper_split(10, 0.01) == (1, 9) and paper_split(10, 0.99) == (9, 1)
    assert paper_split(10, None) is None
    with pytest.raises(QuizError, match="needs at least 2 questions"):
        paper_split(1, 0.5)


def test_the_mixed_pool_keeps_each_side_to_its_own_decks():
    shipped, private = deck(QUIZ_DECK), deck(PRIVATE_DECK)
    items = mixed_pool([shipped], [private], pool_size=None, kinds=None, seed=3, share=0.5)
    secret = [q for q in items if q.private]
    assert {q.deck_id for q in secret} == {"d"} and all(q.id.startswith("p") for q in secret)
    assert {q.deck_id for q in items if not q.private} == {"quizdeck"}
    assert len(items) == len({q.id for q in items})
    assert len(secret) == len(generate([private], None, None, 3))
    # no private line is an option of a shipped question, and the other way round
    private_texts = {o.text for q in secret for o in q.options}
    assert not any(o.text in private_texts for q in items if not q.private for o in q.options)
    sized = mixed_pool([shipped], [private], pool_size=8, kinds=None, seed=3, share=0.25)
    assert Counter(q.private for q in sized) == {False: 6, True: 2}


def test_every_paper_draws_the_share_from_the_private_items():
    items = mixed_pool([deck(QUIZ_DECK)], [deck(PRIVATE_DECK)], pool_size=None, kinds=None, seed=3, share=0.4)
    quiz = Quiz(id="q", title="Q", pass_mark=80, questions=items, question_count=5, private_share=0.4)
    for seed in range(30):
        paper = draw_paper(quiz, random.Random(seed))
        assert len(paper) == 5 and sum(q.private for q in paper) == 2
        assert len({q.id for q in paper}) == 5
    # issue_paper draws every paper through it: offline papers and each served sitting alike
    from flashcards.quiz.model import Learner
    from flashcards.quiz.papers import issue_paper

    secret = {q.id for q in items if q.private}
    for _ in range(10):
        issued = issue_paper(quiz, Learner("ann", "Ann", "ann@example.com"))
        assert sum(q.item_id in secret for q in issued.questions) == 2


def test_a_deck_on_both_sides_or_a_side_without_the_kinds_is_refused():
    shipped, private = deck(QUIZ_DECK), deck(PRIVATE_DECK)
    with pytest.raises(QuizError, match="deck quizdeck is given both as a deck to draw from and with --private"):
        mixed_pool([shipped], [shipped], pool_size=None, kinds=None, seed=1, share=0.5)
    from flashcards.quiz.model import parse_kinds

    with pytest.raises(QuizError, match="the private decks give no questions of phrase, reply"):
        mixed_pool([shipped], [private], pool_size=None, kinds=parse_kinds(["phrases"]), seed=1, share=0.5)
    with pytest.raises(QuizError, match="a pool of 20 with a private share of 0.9 needs 18 private items, but the "
                                        "private decks give 12 of the chosen kinds"):
        mixed_pool([shipped], [private], pool_size=20, kinds=None, seed=1, share=0.9)


def test_a_recertification_keeps_the_private_items_and_share_and_checks_what_is_left():
    from datetime import date

    from flashcards.quiz.certificates import recertification

    items = mixed_pool([deck(QUIZ_DECK)], [deck(PRIVATE_DECK)], pool_size=None, kinds=None, seed=3, share=0.5)
    quiz = Quiz(id="q", title="Q", pass_mark=80, questions=items, question_count=4, private_share=0.5,
                valid_days=365)
    again = recertification(quiz, quiz_id="q2", title="Q again", today=date(2027, 11, 1))
    assert again.private_share == 0.5 and [q.private for q in again.questions] == [q.private for q in items]
    dropped = tuple(q if not q.private else replace(q, dropped=True) for q in items)
    with pytest.raises(QuizError, match="each paper needs 2 private questions .* but the pool has 0 private items"):
        recertification(replace(quiz, questions=dropped), quiz_id="q3", title="Q", today=date(2027, 11, 1))


def test_the_managers_page_says_how_much_of_each_paper_the_learners_do_not_hold():
    from flashcards.quiz.server.manager import pool_line

    items = mixed_pool([deck(QUIZ_DECK)], [deck(PRIVATE_DECK)], pool_size=None, kinds=None, seed=3, share=0.5)
    quiz = Quiz(id="q", title="Q", pass_mark=80, questions=items, question_count=6, private_share=0.5)
    assert pool_line(quiz) == ("This quiz: 3 of every paper's 6 questions come from 12 private items the learners "
                               "do not hold; the other 3 from decks they hold.")
    assert "12 of its" in pool_line(replace(quiz, private_share=None))


# -- through the CLI ---------------------------------------------------------------------------


def test_create_mixes_shipped_and_private_items_by_share(invoke, team, files, tmp_path):
    shipped, private = files
    result = create(invoke, team, shipped, "--private", private.parent, "--private-share", "50%",
                    "--questions", "6", "-o", tmp_path / "papers")
    assert result.exit_code == 0, result.output
    quiz_id = re.search(r"Created quiz (\S+):", result.output).group(1)
    the_quiz, papers = stored(team, quiz_id)
    secret = {q.id for q in the_quiz.questions if q.private}
    assert the_quiz.private_share == 0.5 and secret and all(i.startswith("p") for i in secret)
    assert set(the_quiz.deck_ids) == {"quizdeck", "d"}
    assert (f"{len(secret)} of the items are private (ids p01...) from d; each paper: 3 private, 3 shipped"
            in result.output)
    for paper in papers.values():
        assert sum(q.item_id in secret for q in paper.questions) == 3
    shown = invoke("quiz", "report", quiz_id, "--db", team, "--today", TODAY)
    assert f"· {len(secret)} private items, 50% of each paper ·" in shown.output
    # the papers (what a learner holds) name no item, no deck and no private flag
    text = next((tmp_path / "papers").iterdir()).read_text(encoding="utf-8")
    assert '"private"' not in text and "p01" not in text and '"d"' not in json.dumps(json.loads(text)["quiz"])


def test_create_without_a_share_draws_from_the_whole_pool(invoke, team, files, tmp_path):
    shipped, private = files
    result = create(invoke, team, shipped, "--private", private, "--questions", "6", "-o", tmp_path / "p")
    assert result.exit_code == 0, result.output
    assert "papers draw from the whole pool (no --private-share)" in result.output


@pytest.mark.parametrize("args,code,message", [
    (["--private-share", "0.5"], 2, "Error: --private-share needs --private PATH (the decks of your own to mix in)"),
    (["--private", "{private}", "--private-share", "1.5"], 2,
     "Invalid value for '--private-share': 1.5 is not a share between 0 and 1 (exclusive), like 0.5 or 50%"),
    (["--private", "{private}", "--private-share", "0"], 2, "is not a share between 0 and 1"),
    (["--private", "{private}", "--private-share", "half"], 2,
     "Invalid value for '--private-share': 'half' is not a share like 0.5 or 50%"),
    (["--private", "{private}", "--private-share", "nan"], 2, "is not a share between 0 and 1"),
    (["--private", "{missing}"], 2, "Invalid value for '--private': Path '{missing}' does not exist."),
    (["--private", "{shipped}"], 1, "deck quizdeck is given both as a deck to draw from and with --private"),
    (["--private", "{empty}"], 1, "{empty}: folder holds no .yaml or .yml deck files"),
    (["--private", "{broken}"], 1, "{broken}:1:"),
    (["--private", "{private}", "--private-share", "0.9", "--questions", "20"], 1,
     "each paper needs 18 private questions (a share of 0.9 of 20), but the pool has 12 private items"),
])
def test_create_refuses_bad_shares_and_paths_and_creates_nothing(invoke, team, files, tmp_path, args, code,
                                                                 message):
    shipped, private = files
    names = {"private": private, "shipped": shipped, "missing": tmp_path / "nowhere.yaml",
             "empty": tmp_path / "empty", "broken": tmp_path / "broken.yaml"}
    names["empty"].mkdir()
    names["broken"].write_text("id: [unclosed\n", encoding="utf-8")
    args = [a.format(**names) for a in args]
    if "--questions" not in args:
        args += ["--questions", "4"]
    result = create(invoke, team, shipped, *args, "-o", tmp_path / "papers")
    assert result.exit_code == code, result.output
    assert message.format(**names) in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "papers").exists()
    assert sqlite3.connect(team).execute("SELECT COUNT(*) FROM quizzes").fetchone() == (0,)
