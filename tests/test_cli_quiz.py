"""`flash quiz ...` through the real CLI, with real deck files and SQLite databases in tmp_path.

Every call passes --db and --today; no test touches the user's home or depends on the date.
"""

from __future__ import annotations

import csv
import io
import re
import textwrap
import zipfile
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from flashcards.cli import cli
from flashcards.decks import load_decks
from flashcards.quiz import AnswerSheet, display_order, generate, letter
from flashcards.quiz_formats import load_answers, load_paper, write_answers, write_paper
from flashcards.store import Store
from flashcards.store.quizzes import QuizStore

TODAY = "2026-12-01"

QUIZ_DECK = """\
id: quizdeck
name: Quiz deck
terms:
  - {id: token, term: Token, definition: A word fragment the model reads., tags: [pricing]}
  - {id: weights, term: Weights, definition: The numbers a model learned., tags: [model]}
  - {id: rag, term: RAG, definition: Looking documents up at question time., tags: [rag]}
  - {id: epoch, term: Epoch, definition: One pass over the training data., tags: [training]}
  - {id: inference, term: Inference, definition: Running the model to answer., tags: [model]}
phrases:
  - {id: p1, dont_say: Train it., do_say: What outcome do you need?, why: Finds the need.}
  - {id: p2, dont_say: It is cheap., do_say: It costs hours not months., why: Accurate.}
  - {id: p3, dont_say: Your data is in the model., do_say: Your data stays in retrieval., why: Precise.}
  - {id: p4, dont_say: Just an API call., do_say: Inference scales with use., why: Budget.}
analogs:
  - {id: a1, concept: Fine-tuning, analog: Policy config, holds: Adjusts a base., breaks: Weights change.}
  - {id: a2, concept: Inference, analog: Auth events, holds: Per transaction., breaks: Carries context.}
  - {id: a3, concept: Pre-training, analog: Own IdP, holds: Nobody builds it., breaks: Far costlier.}
  - {id: a4, concept: RAG, analog: Attribute lookup, holds: Looks up at runtime., breaks: No PDP.}
"""


@pytest.fixture
def flash(tmp_path):
    runner = CliRunner(env={"FLASH_DB": None, "FLASH_TODAY": None, "FLASH_DAY_STARTS_AT": None,
                            "XDG_DATA_HOME": str(tmp_path / "xdg-data"), "COLUMNS": "250"})

    def run(*args, input=None):
        return runner.invoke(cli, [str(a) for a in args], input=input)

    return run


@pytest.fixture(autouse=True)
def clock(monkeypatch):
    """A wall clock for answers files that ticks 20 seconds per reading, from 2026-12-01 09:00 UTC."""
    start = datetime(2026, 12, 1, 9, 0, tzinfo=timezone.utc)
    ticks = iter(range(100_000))
    monkeypatch.setattr("flashcards.cli.quiz.now", lambda: start + timedelta(seconds=20 * next(ticks)))


@pytest.fixture
def deck_path(tmp_path):
    path = tmp_path / "quizdeck.yaml"
    path.write_text(textwrap.dedent(QUIZ_DECK), encoding="utf-8")
    return path


@pytest.fixture
def manager_db(tmp_path):
    return tmp_path / "manager.db"


def create(flash, deck_path, db, *extra, questions=6, pass_mark=80, paper=None, seed=11):
    paper = paper or deck_path.parent / "papers" / f"paper-{seed}.quiz.yaml"
    result = flash("quiz", "create", deck_path, "--title", "Cert: Lesson 4", "--questions", questions,
                   "--pass-mark", pass_mark, "--seed", seed, "-o", paper, *extra, "--db", db, "--today", TODAY)
    assert result.exit_code == 0, result.output
    quiz_id = re.search(r"Created quiz (\S+):", result.output).group(1)
    return quiz_id, paper


def key_of(db, quiz_id):
    with Store.open(db, create=False) as store:
        return QuizStore(store).get(quiz_id)


def script(paper_path, learner, pick) -> str:
    """The lines a learner types: ``pick(paper_question) -> option id`` (or None to skip)."""
    paper, _ = load_paper(paper_path)
    lines = []
    for q in paper.questions:
        wanted = pick(q)
        if wanted is None:
            lines.append("-")
            continue
        order = [o.id for o in display_order(q, paper.quiz_id, learner)]
        lines.append(letter(order.index(wanted)))
    return "\n".join(lines) + "\n"


def right(the_quiz):
    key = the_quiz.key
    return lambda q: key[q.id]


def wrong(the_quiz):
    key = the_quiz.key
    return lambda q: next(o.id for o in q.options if o.id != key[q.id])


def take(flash, paper, learner, pick, *extra, db):
    result = flash("quiz", "take", paper, "--learner", learner, *extra, "--db", db, "--today", TODAY,
                   input=script(paper, learner, pick))
    assert result.exit_code == 0, result.output
    return Path(re.search(r"Answers saved to (\S+) ", result.output).group(1))


# -- create ---------------------------------------------------------------


def test_create_writes_a_paper_without_the_key(flash, deck_path, manager_db):
    quiz_id, paper = create(flash, deck_path, manager_db, "--attempts", "2", "--time-limit", "15")
    the_quiz = key_of(manager_db, quiz_id)
    loaded, checksum = load_paper(paper)
    assert loaded == the_quiz.paper()
    assert checksum == the_quiz.paper_checksum
    assert (loaded.max_attempts, loaded.time_limit, loaded.pass_mark) == (2, 15, 80)
    body = [line for line in paper.read_text(encoding="utf-8").splitlines() if not line.startswith("#")]
    data = yaml.safe_load("\n".join(body))
    for q in data["questions"]:
        assert set(q) == {"id", "kind", "prompt", "options"}
    text = "\n".join(body)
    assert not re.search(r"^\s*-?\s*(answer|correct|key|solution|entry|entry_id|card_id|deck_id)\s*:", text, re.M)
    assert "quizdeck" not in text
    assert len({q.answer for q in the_quiz.questions}) > 1  # the right option moves around


def test_create_output_and_default_paper_path(flash, deck_path, manager_db, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = flash("quiz", "create", deck_path, "--title", "Cert", "--questions", "5", "--pass-mark", "80%",
                   "--seed", "3", "--db", manager_db, "--today", TODAY)
    assert result.exit_code == 0, result.output
    quiz_id = re.search(r"Created quiz (\S+):", result.output).group(1)
    assert re.fullmatch(r"cert-[0-9a-f]{6}", quiz_id)
    assert (tmp_path / "exports" / f"{quiz_id}.quiz.yaml").is_file()
    assert result.output.splitlines()[1] == (
        "5 questions (which-term 1, what-is 1, phrase 1, breaks 1, holds 1) from quizdeck; "
        "pass mark 80%; unlimited attempts; seed 3")
    assert f"the key stays in {manager_db}" in result.output


def test_same_seed_gives_the_same_questions_under_a_new_id(flash, deck_path, manager_db):
    first, _ = create(flash, deck_path, manager_db, seed=5)
    second, _ = create(flash, deck_path, manager_db, seed=5, paper=deck_path.parent / "again.quiz.yaml")
    assert second == f"{first}-2"
    assert key_of(manager_db, first).questions == key_of(manager_db, second).questions


@pytest.mark.parametrize("args,message", [
    (("--questions", "60"), "Error: asked for 60 questions, but the decks give at most 22 of the chosen kinds "
                            "(which-term 5, what-is 5, phrase 4, breaks 4, holds 4)\n"),
    (("--questions", "3", "--kinds", "phrases", "--kinds", "what-is"), None),
    (("--questions", "5", "--kinds", "phrase"), "Error: asked for 5 questions, but the decks give at most 4 "
                                                 "of the chosen kinds (phrase 4)\n"),
    (("--questions", "2", "--kinds", "nonsense"), "Error: unknown question kind 'nonsense' (kinds: which-term, "
                                                   "what-is, phrase, breaks, holds, terms, phrases, analogs)\n"),
])
def test_create_kinds_and_limits(flash, deck_path, manager_db, tmp_path, args, message):
    result = flash("quiz", "create", deck_path, "--title", "T", "--pass-mark", "80", *args,
                   "-o", tmp_path / "p.yaml", "--db", manager_db, "--today", TODAY)
    if message is None:
        assert result.exit_code == 0, result.output
        assert "(what-is 1, phrase 2)" in result.output or "(what-is 2, phrase 1)" in result.output
    else:
        assert result.exit_code == 1
        assert result.output == message
        assert not (tmp_path / "p.yaml").exists()


def test_create_impossible_kind(flash, tmp_path, manager_db):
    deck = tmp_path / "terms.yaml"
    deck.write_text("id: t\nname: T\nterms:\n" + "".join(
        f"  - {{id: t{n}, term: Term {n}, definition: Meaning {n}.}}\n" for n in range(4)), encoding="utf-8")
    result = flash("quiz", "create", deck, "--title", "T", "--questions", "2", "--pass-mark", "80",
                   "--kinds", "breaks", "--db", manager_db, "--today", TODAY)
    assert result.exit_code == 1
    assert result.output == ("Error: the decks cannot give 'breaks' questions "
                             "(they need at least 3 analogs with 'breaks' text)\n")


@pytest.mark.parametrize("mark", ["120", "eighty", "-5"])
def test_create_bad_pass_mark(flash, deck_path, manager_db, mark):
    result = flash("quiz", "create", deck_path, "--title", "T", "--questions", "2", "--pass-mark", mark,
                   "--db", manager_db, "--today", TODAY)
    assert result.exit_code == 2
    assert "--pass-mark" in result.output


# -- take -----------------------------------------------------------------


def test_take_records_canonical_option_ids(flash, deck_path, manager_db):
    quiz_id, paper = create(flash, deck_path, manager_db)
    the_quiz = key_of(manager_db, quiz_id)
    result = flash("quiz", "take", paper, "--learner", "Ann Lee", "--db", manager_db, "--today", TODAY,
                   input=script(paper, "Ann Lee", right(the_quiz)))
    assert result.exit_code == 0, result.output
    assert "Question 1 of 6" in result.output and "Question 6 of 6" in result.output
    assert "Review your answers" in result.output
    answers = paper.parent / "paper-11.ann-lee.answers.yaml"
    assert f"Answers saved to {answers} (6 of 6 answered)" in result.output
    sheet = load_answers(answers)
    assert sheet.choices == the_quiz.key
    assert (sheet.learner, sheet.quiz_id, sheet.paper_checksum) == ("Ann Lee", quiz_id, the_quiz.paper_checksum)
    assert datetime.fromisoformat(sheet.started_at) <= datetime.fromisoformat(sheet.finished_at)
    # a second sitting never overwrites the first
    again = take(flash, paper, "Ann Lee", wrong(the_quiz), db=manager_db)
    assert again == paper.parent / "paper-11.ann-lee.2.answers.yaml"
    assert load_answers(answers).choices == the_quiz.key


def test_two_learners_see_different_letters(flash, deck_path, manager_db, tmp_path):
    quiz_id, paper = create(flash, deck_path, manager_db, questions=12)
    same_letters = "A\n" * 12
    for name in ("Ann", "Bob"):
        result = flash("quiz", "take", paper, "--learner", name, "-o", tmp_path / f"{name}.yaml",
                       "--db", manager_db, "--today", TODAY, input=same_letters)
        assert result.exit_code == 0, result.output
    ann, bob = load_answers(tmp_path / "Ann.yaml"), load_answers(tmp_path / "Bob.yaml")
    assert ann.choices != bob.choices


def test_take_skips_and_writes_nulls(flash, deck_path, manager_db, tmp_path):
    quiz_id, paper = create(flash, deck_path, manager_db)
    result = flash("quiz", "take", paper, "--learner", "Ann", "-o", tmp_path / "a.yaml",
                   "--db", manager_db, "--today", TODAY, input="A\n-\n\nb\nc\nD\n")
    assert result.exit_code == 0, result.output
    assert "(4 of 6 answered)" in result.output
    choices = load_answers(tmp_path / "a.yaml").choices
    assert [c is None for c in choices.values()] == [False, True, True, False, False, False]


@pytest.mark.parametrize("learner", ["", "   ", "\t"])
def test_take_refuses_an_empty_name(flash, deck_path, manager_db, learner):
    _, paper = create(flash, deck_path, manager_db)
    result = flash("quiz", "take", paper, "--learner", learner, "--db", manager_db, "--today", TODAY,
                   input="A\n" * 6)
    assert result.exit_code == 2
    assert "Invalid value for --learner: the learner name is empty" in result.output


def test_take_refuses_an_altered_paper(flash, deck_path, manager_db):
    _, paper = create(flash, deck_path, manager_db)
    paper.write_text(paper.read_text(encoding="utf-8").replace("id: o2", "id: o9", 1), encoding="utf-8")
    result = flash("quiz", "take", paper, "--learner", "Ann", "--db", manager_db, "--today", TODAY, input="A\n" * 6)
    assert result.exit_code == 1
    assert result.output == (f"Error: {paper}: the paper was altered after it was issued (its checksum does not "
                             "match its questions); ask your manager for the original\n")


@pytest.mark.parametrize("lines,message", [
    ("A\nB\nZ\n", "standard input line 3: 'Z' is not a choice from A to D; nothing was written"),
    ("A\nB\n", "standard input ended after 2 answers, but the paper has 6 questions; nothing was written"),
])
def test_take_bad_input_writes_nothing(flash, deck_path, manager_db, lines, message):
    _, paper = create(flash, deck_path, manager_db)
    result = flash("quiz", "take", paper, "--learner", "Ann", "--db", manager_db, "--today", TODAY, input=lines)
    assert result.exit_code == 1
    assert result.output.endswith(f"Error: {message}\n")
    assert not list(paper.parent.glob("*.answers.yaml"))


def test_take_stops_when_time_is_up(flash, deck_path, manager_db, tmp_path, monkeypatch):
    _, paper = create(flash, deck_path, manager_db, "--time-limit", "10")
    clock = iter(datetime(2026, 12, 1, 9, 0, tzinfo=timezone.utc) + timedelta(minutes=3 * n) for n in range(100))
    monkeypatch.setattr("flashcards.cli.quiz.now", lambda: next(clock))
    result = flash("quiz", "take", paper, "--learner", "Ann", "-o", tmp_path / "a.yaml",
                   "--db", manager_db, "--today", TODAY, input="A\n" * 6)
    assert result.exit_code == 0, result.output
    assert "time left" in result.output
    assert "Time is up" in result.output
    choices = load_answers(tmp_path / "a.yaml").choices
    assert 0 < sum(c is not None for c in choices.values()) < 6


# -- score ----------------------------------------------------------------


def test_score_a_batch_with_bad_files(flash, deck_path, manager_db, tmp_path):
    quiz_id, paper = create(flash, deck_path, manager_db, "--attempts", "2")
    the_quiz = key_of(manager_db, quiz_id)
    good = take(flash, paper, "Ann Lee", right(the_quiz), db=manager_db)
    poor = take(flash, paper, "Bob", wrong(the_quiz), db=manager_db)
    edited = take(flash, paper, "Cy", wrong(the_quiz), db=manager_db)
    # Cy changes a wrong answer to the right one by hand
    edited.write_text(re.sub(r"(q01: )o\d", r"\g<1>" + the_quiz.key["q01"], edited.read_text(encoding="utf-8")),
                      encoding="utf-8")
    truncated = tmp_path / "truncated.answers.yaml"
    truncated.write_text(good.read_text(encoding="utf-8")[:300], encoding="utf-8")
    foreign = tmp_path / "notes.txt"
    foreign.write_text("shopping: [milk, eggs]\n", encoding="utf-8")
    # a paper altered and re-checksummed by a learner, then taken
    altered = tmp_path / "altered.quiz.yaml"
    tweaked = the_quiz.paper()
    tweaked = type(tweaked)(tweaked.quiz_id, tweaked.title, 10, tweaked.max_attempts, tweaked.time_limit,
                            tweaked.questions)
    write_paper(tweaked, altered)
    sneaky = take(flash, altered, "Dee", right(the_quiz), db=manager_db)
    # answers for a quiz this database never made
    other_db = tmp_path / "other.db"
    other_id, other_paper = create(flash, deck_path, other_db, seed=99, paper=tmp_path / "other.quiz.yaml")
    stranger = take(flash, other_paper, "Eve", right(key_of(other_db, other_id)), db=other_db)

    files = [good, poor, edited, truncated, foreign, sneaky, stranger]
    result = flash("quiz", "score", *files, "--db", manager_db, "--today", TODAY)
    assert result.exit_code == 1
    out = result.output
    row = {f: next(line for line in out.splitlines() if str(f) in line) for f in files}
    assert "pass 6/6 (100%)" in row[good] and "attempt 1" in row[good]
    assert "fail 0/6 (0%)" in row[poor]
    assert "the answers file was edited after it was written" in row[edited]
    assert "rejected" in row[truncated] and "truncated" in row[truncated]
    assert "not a flashcards answers file" in row[foreign]
    assert "answers are for an altered paper" in row[sneaky]
    assert f"unknown quiz '{other_id}'" in row[stranger]
    assert "2 of 7 files scored, 5 rejected." in out
    assert out.endswith("Error: 5 files rejected (reasons above)\n")
    with Store.open(manager_db) as store:
        attempts = QuizStore(store).attempts(quiz_id)
    assert [(a.learner, a.correct) for a in attempts] == [("Ann Lee", 6), ("Bob", 0)]


def test_resubmission_is_flagged_not_counted(flash, deck_path, manager_db, tmp_path):
    quiz_id, paper = create(flash, deck_path, manager_db)
    the_quiz = key_of(manager_db, quiz_id)
    answers = take(flash, paper, "Ann", right(the_quiz), db=manager_db)
    copy = tmp_path / "copy.yaml"
    copy.write_bytes(answers.read_bytes())
    first = flash("quiz", "score", answers, "--db", manager_db, "--today", TODAY)
    assert first.exit_code == 0, first.output
    again = flash("quiz", "score", answers, copy, "--db", manager_db, "--today", "2026-12-02")
    assert again.exit_code == 0, again.output
    assert again.output.count("already scored as Ann's attempt 1 on 2026-12-01") == 2
    assert "0 of 2 files scored, 2 flagged as already scored." in again.output
    with Store.open(manager_db) as store:
        assert len(QuizStore(store).attempts(quiz_id)) == 1


def test_attempt_limit_and_names_compared_loosely(flash, deck_path, manager_db):
    quiz_id, paper = create(flash, deck_path, manager_db, "--attempts", "2")
    the_quiz = key_of(manager_db, quiz_id)
    files = [take(flash, paper, name, wrong(the_quiz), db=manager_db)
             for name in ("Ann Lee", "  ann   LEE ", "ANN LEE")]
    result = flash("quiz", "score", *files, "--db", manager_db, "--today", TODAY)
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert "attempt 1" in next(line for line in lines if str(files[0]) in line)
    assert "attempt 2" in next(line for line in lines if str(files[1]) in line)
    assert "over the attempt limit: ANN LEE already has 2 of 2 attempts scored" in result.output
    with Store.open(manager_db) as store:
        [summary] = QuizStore(store).summaries()
    assert (summary.learners, summary.attempts) == (1, 2)


def test_over_the_time_limit_is_rejected(flash, deck_path, manager_db, tmp_path):
    quiz_id, paper = create(flash, deck_path, manager_db, "--time-limit", "20")
    the_quiz = key_of(manager_db, quiz_id)
    late = write_answers(AnswerSheet(quiz_id, the_quiz.paper_checksum, "Ann", "2026-12-01T09:00:00+00:00",
                                     "2026-12-01T09:45:00+00:00", the_quiz.key), tmp_path / "late.yaml")
    result = flash("quiz", "score", late, "--db", manager_db, "--today", TODAY)
    assert result.exit_code == 1
    assert "took 45 minutes, over the 20-minute time limit" in result.output


# -- report ---------------------------------------------------------------

# The hand-computed example of tests/test_quiz.py, through the CLI:
#        q01 q02 q03  total   facility: 75%, 50%, 50%
#   L1    1   1   1    3      discrimination: 0%, 58% (57.7), -30% (-30.2)
#   L2    1   1   0    2      pass mark 60: L1 (100%) and L2 (67%) pass, L3 and L4 (33%) fail
#   L3    1   0   0    1
#   L4    0   0   1    1
PATTERN = {"L1": (1, 1, 1), "L2": (1, 1, 0), "L3": (1, 0, 0), "L4": (0, 0, 1)}


def test_report_figures_csv_and_certificates(flash, deck_path, manager_db, tmp_path):
    quiz_id, paper = create(flash, deck_path, manager_db, "--kinds", "what-is", questions=3, pass_mark=60)
    the_quiz = key_of(manager_db, quiz_id)
    files = []
    for learner, marks in PATTERN.items():
        rights = dict(zip([q.id for q in the_quiz.questions], marks))
        files.append(take(flash, paper, learner, lambda q: right(the_quiz)(q) if rights[q.id] else
                          wrong(the_quiz)(q), db=manager_db))
    assert flash("quiz", "score", *files, "--db", manager_db, "--today", TODAY).exit_code == 0

    result = flash("quiz", "report", quiz_id, "--csv", tmp_path / "hr.csv", "--certificates", tmp_path / "certs",
                   "--db", manager_db, "--today", TODAY)
    assert result.exit_code == 0, result.output
    out = result.output
    assert "Pass rate: 2 of 4 learners (50%)" in out
    cells = {q: [c.strip() for c in next(line for line in out.splitlines() if f"│ {q} " in line).split("│")[1:-1]]
             for q in ("q01", "q02", "q03")}
    assert [cells[q][3:5] for q in ("q01", "q02", "q03")] == [["75%", "0%"], ["50%", "58%"], ["50%", "-30%"]]
    assert cells["q03"][6] == "check: weaker scorers did better on it"
    assert cells["q02"][5].startswith("2× ")  # L3 and L4 chose the same wrong option
    assert "Concepts by deck entry (weakest first)" in out and "Concepts by tag (weakest first)" in out

    with open(tmp_path / "hr.csv", newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert list(rows[0]) == ["quiz_id", "quiz_title", "learner", "score_percent", "correct", "questions", "result",
                             "pass_mark", "attempt", "attempts_used", "started_at", "finished_at", "scored_on"]
    assert [(r["learner"], r["score_percent"], r["correct"], r["result"], r["attempt"]) for r in rows] == [
        ("L1", "100.0", "3", "pass", "1"), ("L2", "66.7", "2", "pass", "1"),
        ("L3", "33.3", "1", "fail", "1"), ("L4", "33.3", "1", "fail", "1")]
    assert {r["quiz_id"] for r in rows} == {quiz_id} and {r["scored_on"] for r in rows} == {TODAY}

    certificates = sorted(p.name for p in (tmp_path / "certs").iterdir())
    assert certificates == [f"{quiz_id}--l1.html", f"{quiz_id}--l2.html"]
    page = (tmp_path / "certs" / f"{quiz_id}--l1.html").read_text(encoding="utf-8")
    assert "L1" in page and "Cert: Lesson 4" in page and "100%" in page
    assert "Wrote 2 certificates to" in out


def test_report_best_attempt_counts(flash, deck_path, manager_db):
    quiz_id, paper = create(flash, deck_path, manager_db, "--attempts", "3")
    the_quiz = key_of(manager_db, quiz_id)
    first = take(flash, paper, "Ann", wrong(the_quiz), db=manager_db)
    second = take(flash, paper, "ann", right(the_quiz), db=manager_db)
    assert flash("quiz", "score", first, second, "--db", manager_db, "--today", TODAY).exit_code == 0
    result = flash("quiz", "report", quiz_id[:6], "--csv", "-", "--db", manager_db, "--today", TODAY)
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.output)))
    assert [(r["learner"], r["result"], r["attempt"], r["attempts_used"]) for r in rows] == [("ann", "pass", "2", "2")]


def test_report_unknown_quiz_and_empty(flash, deck_path, manager_db):
    quiz_id, _ = create(flash, deck_path, manager_db)
    missing = flash("quiz", "report", "nope", "--db", manager_db, "--today", TODAY)
    assert missing.exit_code == 1
    assert missing.output == f"Error: no quiz 'nope' in {manager_db} (quizzes: {quiz_id})\n"
    empty = flash("quiz", "report", quiz_id, "--db", manager_db, "--today", TODAY)
    assert empty.exit_code == 0
    assert "No attempts scored yet" in empty.output


# -- list and export ------------------------------------------------------


def test_list(flash, deck_path, manager_db):
    assert flash("quiz", "list", "--db", manager_db, "--today", TODAY).exit_code == 1  # no database yet
    quiz_id, paper = create(flash, deck_path, manager_db, "--attempts", "2")
    the_quiz = key_of(manager_db, quiz_id)
    files = [take(flash, paper, "Ann", right(the_quiz), db=manager_db),
             take(flash, paper, "Bob", wrong(the_quiz), db=manager_db)]
    flash("quiz", "score", *files, "--db", manager_db, "--today", TODAY)
    result = flash("quiz", "list", "--db", manager_db, "--today", TODAY)
    assert result.exit_code == 0
    line = next(line for line in result.output.splitlines() if quiz_id in line)
    cells = [c.strip() for c in line.split("│")[1:-1]]
    assert cells == [quiz_id, "Cert: Lesson 4", TODAY, "6", "80%", "2 (max 2 each)", "2", "50% (1/2)"]


def test_export_gift_qti_and_paper(flash, deck_path, manager_db, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    quiz_id, paper = create(flash, deck_path, manager_db)
    the_quiz = key_of(manager_db, quiz_id)
    gift = flash("quiz", "export", quiz_id, "--format", "gift", "--db", manager_db, "--today", TODAY)
    assert gift.exit_code == 0, gift.output
    assert f"Wrote exports/{quiz_id}.gift.txt (6 questions; answer key included" in gift.output
    text = (tmp_path / "exports" / f"{quiz_id}.gift.txt").read_text(encoding="utf-8")
    assert text.count("\n\t=") == 6
    qti = flash("quiz", "export", quiz_id, "--format", "qti", "-o", tmp_path / "lms" / "q.zip",
                "--db", manager_db, "--today", TODAY)
    assert qti.exit_code == 0, qti.output
    with zipfile.ZipFile(tmp_path / "lms" / "q.zip") as zf:
        assert sorted(n for n in zf.namelist() if n.startswith("items/")) == [
            f"items/q0{n}.xml" for n in range(1, 7)]
    again = flash("quiz", "export", quiz_id, "--format", "paper", "-o", tmp_path / "reissued.yaml",
                  "--db", manager_db, "--today", TODAY)
    assert again.exit_code == 0
    assert load_paper(tmp_path / "reissued.yaml")[1] == the_quiz.paper_checksum


# -- practice -------------------------------------------------------------


def test_practice_makes_a_missed_card_due_today(flash, deck_path, tmp_path):
    learner_db = tmp_path / "learner.db"
    assert flash("import", deck_path, "--db", learner_db, "--today", "2026-11-01").exit_code == 0
    # one scheduled review far in the future for every card, so nothing is due or new on TODAY
    with Store.open(learner_db) as store, store.db.conn as conn:
        conn.execute("UPDATE card_state SET due = '2027-06-01', repetitions = 3, interval = 90, "
                     "last_review = '2026-11-01'")
    [question] = generate(load_decks([deck_path]), 1, None, seed=4)
    missed = next(o for o in question.options if o.id != question.answer)
    answer = letter([o.id for o in question.options].index(missed.id))
    result = flash("quiz", "practice", deck_path, "--questions", "1", "--seed", "4",
                   "--db", learner_db, "--today", TODAY, input=f"{answer}\n")
    assert result.exit_code == 0, result.output
    assert "Not quite. The answer is" in result.output
    assert f"{question.card_id} is due today in your review." in result.output
    assert "Practice: 0 of 1 right." in result.output

    review = flash("review", "--new", "0", "--db", learner_db, "--today", TODAY, input="\n")
    assert review.exit_code == 0, review.output
    assert "1 due" in review.output
    with Store.open(learner_db) as store:
        card = store.card(question.card_id)
    assert card.state.due.isoformat() == TODAY
    first_line_of_front = card.front.splitlines()[0]
    assert first_line_of_front[:40] in review.output


def test_practice_right_answers_schedule_nothing(flash, deck_path, tmp_path):
    learner_db = tmp_path / "learner.db"
    flash("import", deck_path, "--db", learner_db, "--today", "2026-11-01")
    questions = generate(load_decks([deck_path]), 3, None, seed=8)
    lines = "".join(letter([o.id for o in q.options].index(q.answer)) + "\n" for q in questions)
    result = flash("quiz", "practice", deck_path, "--questions", "3", "--seed", "8",
                   "--db", learner_db, "--today", TODAY, input=lines)
    assert result.exit_code == 0, result.output
    assert result.output.count("Right.") == 3
    assert "Practice: 3 of 3 right." in result.output
    assert "due today" not in result.output


def test_practice_stops_at_a_blank_line(flash, deck_path, tmp_path):
    learner_db = tmp_path / "learner.db"
    flash("import", deck_path, "--db", learner_db, "--today", "2026-11-01")
    result = flash("quiz", "practice", deck_path, "--db", learner_db, "--today", TODAY, input="\n")
    assert result.exit_code == 0
    assert "Practice: 0 of 0 right." in result.output


def test_practice_needs_the_deck_imported(flash, deck_path, tmp_path):
    learner_db = tmp_path / "learner.db"
    missing_db = flash("quiz", "practice", deck_path, "--db", learner_db, "--today", TODAY, input="A\n")
    assert missing_db.exit_code == 1
    assert missing_db.output.startswith(f"Error: no database at {learner_db}")
    other = tmp_path / "other.yaml"
    other.write_text("id: other\nname: Other\nterms:\n  - {id: x, term: X, definition: Y.}\n", encoding="utf-8")
    flash("import", other, "--db", learner_db, "--today", TODAY)
    result = flash("quiz", "practice", deck_path, "--db", learner_db, "--today", TODAY, input="A\n")
    assert result.exit_code == 1
    assert result.output == (f"Error: deck 'quizdeck' is not imported into {learner_db}, so missed questions "
                             f"could not be scheduled: run 'flash import {deck_path}' first\n")


# -- help -----------------------------------------------------------------


@pytest.mark.parametrize("command", ["create", "take", "score", "report", "list", "export", "practice"])
def test_every_quiz_command_has_help_with_an_example(flash, command):
    result = flash("quiz", command, "--help")
    assert result.exit_code == 0
    assert "Example: flash quiz" in result.output
    assert "--db" in result.output and "--today" in result.output


def test_quiz_is_listed_in_flash_help(flash):
    result = flash("--help")
    assert "quiz" in result.output
