"""`flash quiz ...` through the real CLI, with real deck files, roster CSVs and SQLite databases in tmp_path.

Every call passes --db and --today; no test touches the user's home or depends on the date.
"""

from __future__ import annotations

import csv
import io
import json
import re
import textwrap
import zipfile
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from click.testing import CliRunner

from flashcards.cli import cli
from flashcards.decks import load_decks
from flashcards.quiz.generate import generate
from flashcards.quiz.model import letter
from flashcards.quiz.papers import load_paper, read_answers, sign
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
    tick = lambda: start + timedelta(seconds=20 * next(ticks))  # noqa: E731
    monkeypatch.setattr("flashcards.cli.quiz.now", tick)  # the manager's side
    monkeypatch.setattr("flashcards.cli.quiz_take.now", tick)  # the learner's


@pytest.fixture
def deck_path(tmp_path):
    path = tmp_path / "quizdeck.yaml"
    path.write_text(textwrap.dedent(QUIZ_DECK), encoding="utf-8")
    return path


@pytest.fixture
def db(tmp_path):
    return tmp_path / "manager.db"


def write_roster(path: Path, *names: str, extra: str = "") -> Path:
    lines = ["name,email,team"] + [f"{n},{n.lower().replace(' ', '.')}@example.com,East" for n in names]
    path.write_text("\n".join(lines) + "\n" + extra, encoding="utf-8")
    return path


@pytest.fixture
def team(flash, tmp_path, db):
    """Ann Lee, Bob Roe and Cy Diaz on the roster."""
    result = flash("quiz", "roster", "import", write_roster(tmp_path / "team.csv", "Ann Lee", "Bob Roe", "Cy Diaz"),
                   "--db", db, "--today", TODAY)
    assert result.exit_code == 0, result.output
    return ["ann-lee", "bob-roe", "cy-diaz"]


def create(flash, deck_path, db, *extra, questions=6, pass_mark=80, seed=11, folder=None, who=("--roster",)):
    folder = folder or deck_path.parent / "papers"
    result = flash("quiz", "create", deck_path, "--title", "Cert: Lesson 4", "--questions", questions,
                   "--pass-mark", pass_mark, "--seed", seed, "-o", folder, *who, *extra, "--db", db, "--today", TODAY)
    assert result.exit_code == 0, result.output
    quiz_id = re.search(r"Created quiz (\S+):", result.output).group(1)
    return quiz_id, folder


def stored(db, quiz_id):
    with Store.open(db, create=False) as store:
        quizzes = QuizStore(store)
        return quizzes.get(quiz_id), {p.learner.id: p for p in quizzes.papers(quiz_id)}


def paper_of(folder, quiz_id, learner_id) -> Path:
    return folder / f"{quiz_id}--{learner_id}.paper.json"


def script(db, paper_path, right) -> str:
    """The lines a learner types: the key where ``right(n)`` (n from 0), else the first wrong canonical option."""
    paper = load_paper(paper_path)
    the_quiz, papers = stored(db, paper.quiz_id)
    issued = papers[paper.learner_id]
    lines = []
    for n, (shown, q) in enumerate(zip(paper.questions, issued.questions)):
        key = the_quiz.item(q.item_id).answer
        mapping = dict(q.options)
        wrong = min(c for c in mapping.values() if c != key)  # the same wrong option on every paper
        wanted = key if right(n) else wrong
        index = next(i for i, o in enumerate(shown.options) if mapping[o.id] == wanted)
        lines.append(letter(index))
    return "\n".join(lines) + "\n"


def take(flash, db, paper_path, right=lambda n: True, *extra):
    result = flash("quiz", "take", paper_path, *extra, input=script(db, paper_path, right))
    assert result.exit_code == 0, result.output
    return Path(re.search(r"Answers saved to (\S+) ", result.output).group(1))


def attempts(db, quiz_id):
    with Store.open(db, create=False) as store:
        return QuizStore(store).attempts(quiz_id)


# -- roster ---------------------------------------------------------------------------


def test_roster_import_and_list(flash, tmp_path, db):
    spoof = "Priуa Natarajan,spoof@example.com,\n"  # a Cyrillic у
    evil = '"=HYPERLINK(""x"")\x1b[31m",evil@example.com,\n'
    path = write_roster(tmp_path / "team.csv", "Priya Natarajan", "Ann Lee", extra=spoof + evil)
    result = flash("quiz", "roster", "import", path, "--db", db, "--today", TODAY)
    assert result.exit_code == 0, result.output
    assert "Roster: 4 added, 0 updated, 0 unchanged (4 learners on the roster)." in result.output
    assert re.search(r"Look-alike names: 'Priya Natarajan' \(priya-natarajan, .*\) and 'Priуa Natarajan' "
                     r"\(priya-natarajan-2", result.output)
    assert "Suspicious name: 'Priуa Natarajan' (priya-natarajan-2) mixes Latin with Cyrillic" in result.output
    again = flash("quiz", "roster", "import", path, "--db", db, "--today", TODAY)
    assert "Roster: 0 added, 0 updated, 4 unchanged" in again.output
    listed = flash("quiz", "roster", "list", "--db", db, "--today", TODAY)
    assert listed.exit_code == 0 and "\x1b" not in listed.output
    assert "priya-natarajan" in listed.output and "4 learners." in listed.output
    with Store.open(db) as store:
        names = {row[0]: row[1] for row in store.db.conn.execute("SELECT id, name FROM roster")}
    assert names["hyperlink-x-31m"] == '=HYPERLINK("x") [31m'  # stored cleaned: no escape character


@pytest.mark.parametrize("content,message", [
    ("who,mail\nAnn,ann@x.io\n", "team.csv:1: the header needs the columns name and email (and optionally team); "
                                 "missing name, email"),
    ("name,email\nAnn,not-an-address\n,b@x.io\nCy,c@x.io\nCy Two,C@X.IO\n",
     "3 problems in the roster:\n{p}:2: 'not-an-address' is not an e-mail address\n{p}:3: the name is empty\n"
     "{p}:5: c@x.io is already on line 4"),
])
def test_roster_problems_name_file_and_line_and_change_nothing(flash, tmp_path, db, content, message):
    path = tmp_path / "team.csv"
    path.write_text(content, encoding="utf-8")
    result = flash("quiz", "roster", "import", path, "--db", db, "--today", TODAY)
    assert result.exit_code == 1
    assert result.output == f"Error: {message.format(p=path) if '{p}' in message else str(tmp_path) + '/' + message}\n"
    with Store.open(db) as store:
        assert store.db.conn.execute("SELECT COUNT(*) FROM roster").fetchone()[0] == 0


# -- create -----------------------------------------------------------------------------


def test_create_writes_one_personal_paper_per_learner_without_the_key(flash, deck_path, db, team):
    quiz_id, folder = create(flash, deck_path, db, "--attempts", "2", "--time-limit", "15")
    the_quiz, papers = stored(db, quiz_id)
    assert sorted(p.name for p in folder.iterdir()) == [f"{quiz_id}--{lid}.paper.json" for lid in team]
    assert set(papers) == set(team)
    assert (the_quiz.per_paper, the_quiz.max_attempts, the_quiz.time_limit) == (6, 2, 15)
    for lid in team:
        path = paper_of(folder, quiz_id, lid)
        paper = load_paper(path)
        assert (paper.learner_id, paper.token, paper.time_limit_seconds) == (lid, papers[lid].token, 900)
        assert len(paper.questions) == 6
        text = path.read_text(encoding="utf-8")
        assert not re.search(r'"(answer|key|correct|item_id|entry_id|card_id|deck_id)"', text)
        assert "quizdeck" not in text
    orders = {lid: [q.item_id for q in papers[lid].questions] for lid in team}
    assert len({tuple(o) for o in orders.values()}) == 3  # drawn and ordered per learner


def test_create_needs_to_know_who_gets_a_paper(flash, deck_path, db, team, tmp_path):
    none = flash("quiz", "create", deck_path, "--title", "T", "--questions", "3", "--pass-mark", "80",
                 "--db", db, "--today", TODAY)
    assert none.exit_code == 2 and "say who gets a paper: --roster" in none.output
    unknown = flash("quiz", "create", deck_path, "--title", "T", "--questions", "3", "--pass-mark", "80",
                    "--learner", "ann-lee", "--learner", "zed", "-o", tmp_path / "out", "--db", db, "--today", TODAY)
    assert unknown.exit_code == 1
    assert unknown.output == "Error: not on the roster: zed (see 'flash quiz roster list')\n"
    assert not (tmp_path / "out").exists()
    quiz_id, folder = create(flash, deck_path, db, who=("--learner", "bob.roe@example.com", "--learner", "cy-diaz"),
                             folder=tmp_path / "two")
    assert sorted(stored(db, quiz_id)[1]) == ["bob-roe", "cy-diaz"]


def test_create_default_folder_pool_and_summary(flash, deck_path, db, team, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = flash("quiz", "create", deck_path, "--title", "Cert", "--questions", "5", "--pass-mark", "80%",
                   "--pool", "10", "--seed", "3", "--roster", "--db", db, "--today", TODAY)
    assert result.exit_code == 0, result.output
    quiz_id = re.search(r"Created quiz (\S+):", result.output).group(1)
    assert re.fullmatch(r"cert-[0-9a-f]{6}", quiz_id)  # a random code, not the seed (3)
    # beside the default database, never in the folder the manager stands in
    assert not (tmp_path / "exports").exists()
    exports = tmp_path / "xdg-data" / "flashcards" / "exports"
    assert len(list((exports / quiz_id).glob("*.paper.json"))) == 3
    assert f"Wrote 3 personal papers to {exports / quiz_id}/ (no key in them" in result.output
    assert result.output.splitlines()[1] == (
        "Pool of 10 items (which-term 2, what-is 2, phrase 2, breaks 2, holds 2) from quizdeck; 5 per paper; "
        "pass mark 80%; unlimited attempts; seed 3")
    assert f"the key and the learners' tokens stay in {db}" in result.output
    assert len(stored(db, quiz_id)[0].questions) == 10


def test_issue_a_paper_to_a_learner_added_later(flash, deck_path, db, team, tmp_path):
    quiz_id, folder = create(flash, deck_path, db)
    flash("quiz", "roster", "import", write_roster(tmp_path / "new.csv", "Dana New"), "--db", db, "--today", TODAY)
    missed = flash("quiz", "report", quiz_id, "--csv", "-", "--db", db, "--today", TODAY)
    assert {r["learner_id"]: r["status"] for r in csv.DictReader(io.StringIO(missed.output))}["dana-new"] == "no paper"
    shown = flash("quiz", "report", quiz_id, "--db", db, "--today", TODAY)
    assert f"1 learner on the roster without a paper for this quiz: flash quiz issue {quiz_id}" in shown.output
    result = flash("quiz", "issue", quiz_id, "--learner", "dana.new@example.com", "-o", folder, "--db", db,
                   "--today", TODAY)
    assert result.exit_code == 0, result.output
    assert result.output == f"Wrote {paper_of(folder, quiz_id, 'dana-new')}\n"
    _, papers = stored(db, quiz_id)
    assert sorted(papers) == sorted(team + ["dana-new"])
    answers = take(flash, db, paper_of(folder, quiz_id, "dana-new"))
    scored = flash("quiz", "score", answers, "--db", db, "--today", TODAY)
    assert scored.exit_code == 0 and "pass 6/6 (100%)" in scored.output
    unknown = flash("quiz", "issue", quiz_id, "--learner", "nobody", "-o", folder, "--db", db, "--today", TODAY)
    assert unknown.exit_code == 1 and "not on the roster: nobody" in unknown.output


@pytest.mark.parametrize("args,message", [
    (("--questions", "3", "--pool", "60"), "Error: asked for 60 questions, but the decks give at most 21 of the "
                                           "chosen kinds (which-term 5, what-is 5, phrase 3, breaks 4, holds 4)\n"),
    (("--questions", "3", "--kinds", "phrases", "--kinds", "what-is"), None),
    (("--questions", "5", "--kinds", "phrase"), "Error: Invalid value for --questions: the decks give 3 items of "
                                                "the chosen kinds, fewer than 5\n"),
    (("--questions", "2", "--kinds", "nonsense"), "Error: unknown question kind 'nonsense' (kinds: which-term, "
                                                   "what-is, phrase, reply, breaks, holds, cloze, terms, phrases, "
                                                   "analogs, clozes)\n"),
])
def test_create_kinds_and_limits(flash, deck_path, db, team, tmp_path, args, message):
    result = flash("quiz", "create", deck_path, "--title", "T", "--pass-mark", "80", "--roster", *args,
                   "-o", tmp_path / "out", "--db", db, "--today", TODAY)
    with Store.open(db) as store:
        kinds = [row[0] for row in store.db.conn.execute("SELECT DISTINCT kind FROM quiz_questions ORDER BY kind")]
    if message is None:
        assert result.exit_code == 0, result.output
        assert kinds == ["phrase", "what-is"]  # the pool holds exactly the kinds asked for
        assert "(what-is 5, phrase 3)" in result.output
    else:
        assert result.exit_code in (1, 2)
        assert result.output == message if result.exit_code == 1 else result.output.endswith(message)
        assert kinds == [] and not (tmp_path / "out").exists()


@pytest.mark.parametrize("mark", ["120", "eighty", "-5"])
def test_create_bad_pass_mark_changes_nothing(flash, deck_path, db, team, mark):
    result = flash("quiz", "create", deck_path, "--title", "T", "--questions", "2", "--pass-mark", mark, "--roster",
                   "--db", db, "--today", TODAY)
    assert result.exit_code == 2
    assert "Invalid value for '--pass-mark'" in result.output
    with Store.open(db) as store:
        assert store.db.conn.execute("SELECT COUNT(*) FROM quizzes").fetchone()[0] == 0


# -- take ---------------------------------------------------------------------------------


def test_take_writes_signed_answers_with_this_papers_option_ids(flash, deck_path, db, team):
    quiz_id, folder = create(flash, deck_path, db)
    the_quiz, papers = stored(db, quiz_id)
    path = paper_of(folder, quiz_id, "ann-lee")
    result = flash("quiz", "take", path, input=script(db, path, lambda n: True))
    assert result.exit_code == 0, result.output
    assert "Ann Lee (ann-lee)" in result.output.splitlines()[0]
    assert "Question 1 of 6" in result.output and "Question 6 of 6" in result.output
    assert "Review your answers" in result.output
    answers = folder / f"{quiz_id}--ann-lee.answers.json"
    assert f"Answers saved to {answers} (6 of 6 answered)" in result.output
    document = json.loads(answers.read_text(encoding="utf-8"))
    assert document["signature"] == sign(document, papers["ann-lee"].token)
    assert (document["learner"], document["name"], document["client"]) == ("ann-lee", "Ann Lee", "terminal")
    for q in papers["ann-lee"].questions:
        canonical = dict(q.options)[document["answers"][q.id]["choice"]]
        assert canonical == the_quiz.item(q.item_id).answer
    assert datetime.fromisoformat(document["started_at"]) < datetime.fromisoformat(document["finished_at"])
    again = take(flash, db, path, lambda n: False)  # a second sitting never overwrites the first
    assert again == folder / f"{quiz_id}--ann-lee.2.answers.json"
    assert json.loads(answers.read_text(encoding="utf-8")) == document


def test_take_skips_and_writes_nulls_and_a_text_block(flash, deck_path, db, team, tmp_path):
    quiz_id, folder = create(flash, deck_path, db)
    result = flash("quiz", "take", paper_of(folder, quiz_id, "bob-roe"), "-o", tmp_path / "b.json", "--text-block",
                   input="A\n-\n\nb\nc\nD\n")
    assert result.exit_code == 0, result.output
    assert "(4 of 6 answered)" in result.output
    document = json.loads((tmp_path / "b.json").read_text(encoding="utf-8"))
    assert [a["choice"] is None for a in document["answers"].values()] == [False, True, True, False, False, False]
    assert [a["at"] is None for a in document["answers"].values()] == [False, True, True, False, False, False]
    block = result.output[result.output.index("-----BEGIN"):]
    (tmp_path / "mail.txt").write_text("pasted:\n" + block, encoding="utf-8")
    assert read_answers(tmp_path / "mail.txt").document == document


def test_take_refuses_a_damaged_paper(flash, deck_path, db, team):
    quiz_id, folder = create(flash, deck_path, db)
    path = paper_of(folder, quiz_id, "ann-lee")
    path.write_text(path.read_text(encoding="utf-8")[:200], encoding="utf-8")
    result = flash("quiz", "take", path, input="A\n" * 6)
    assert result.exit_code == 1
    assert result.output.startswith(f"Error: {path}: not valid JSON at line ")


@pytest.mark.parametrize("lines,message", [
    ("A\nB\nZ\n", "standard input line 3: 'Z' is not a choice from A to D; nothing was written"),
    ("A\nB\n", "standard input ended after 2 answers, but the paper has 6 questions; nothing was written"),
])
def test_take_bad_input_writes_nothing(flash, deck_path, db, team, lines, message):
    quiz_id, folder = create(flash, deck_path, db)
    result = flash("quiz", "take", paper_of(folder, quiz_id, "ann-lee"), input=lines)
    assert result.exit_code == 1
    assert result.output.endswith(f"Error: {message}\n")
    assert not list(folder.glob("*.answers.json"))


def test_take_shows_time_left_and_stops_when_time_is_up(flash, deck_path, db, team, tmp_path, monkeypatch):
    quiz_id, folder = create(flash, deck_path, db, "--time-limit", "10")
    clock = iter(datetime(2026, 12, 1, 9, 0, tzinfo=timezone.utc) + timedelta(minutes=3 * n) for n in range(100))
    monkeypatch.setattr("flashcards.cli.quiz_take.now", lambda: next(clock))
    result = flash("quiz", "take", paper_of(folder, quiz_id, "ann-lee"), "-o", tmp_path / "a.json", input="A\n" * 6)
    assert result.exit_code == 0, result.output
    assert re.search(r"to go · time left \d+:\d\d$", result.output, re.M)  # on every question (piped: whole lines)
    assert "Time is up" in result.output
    assert re.search(r"Review your answers \(time left \d+:\d\d\)", result.output)
    answers = json.loads((tmp_path / "a.json").read_text(encoding="utf-8"))["answers"]
    assert 0 < sum(a["choice"] is not None for a in answers.values()) < 6


# -- score ----------------------------------------------------------------------------------


def test_score_a_batch_with_bad_files(flash, deck_path, db, team, tmp_path, monkeypatch):
    quiz_id, folder = create(flash, deck_path, db, "--attempts", "2")
    the_quiz, papers = stored(db, quiz_id)
    good = take(flash, db, paper_of(folder, quiz_id, "ann-lee"))
    poor = take(flash, db, paper_of(folder, quiz_id, "bob-roe"), lambda n: False)
    edited = take(flash, db, paper_of(folder, quiz_id, "cy-diaz"), lambda n: False)
    doc = json.loads(edited.read_text(encoding="utf-8"))  # Cy moves his start time by hand
    doc["started_at"] = "2026-12-01T08:59:00+00:00"
    edited.write_text(json.dumps(doc), encoding="utf-8")
    relabelled = tmp_path / "relabelled.json"  # Ann's file, re-labelled as Cy's
    relabelled.write_text(good.read_text(encoding="utf-8").replace('"ann-lee"', '"cy-diaz"')
                          .replace("Ann Lee", "Cy Diaz"), encoding="utf-8")
    truncated = tmp_path / "truncated.json"
    truncated.write_text(good.read_text(encoding="utf-8")[:300], encoding="utf-8")
    foreign = tmp_path / "notes.txt"
    foreign.write_text("shopping: [milk, eggs]\n", encoding="utf-8")
    other_db = tmp_path / "other.db"
    flash("quiz", "roster", "import", write_roster(tmp_path / "t2.csv", "Eve Ng"), "--db", other_db, "--today", TODAY)
    other_id, other_folder = create(flash, deck_path, other_db, seed=99, folder=tmp_path / "other")
    stranger = take(flash, other_db, paper_of(other_folder, other_id, "eve-ng"))

    monkeypatch.chdir(tmp_path)  # short relative paths keep each table row on one line
    files = [f.relative_to(tmp_path) for f in (good, poor, edited, relabelled, truncated, foreign, stranger)]
    good, poor, edited, relabelled, truncated, foreign, stranger = files
    result = flash("quiz", "score", *files, "--db", db, "--today", TODAY)
    assert result.exit_code == 1
    out = result.output
    row = {f: next(line for line in out.splitlines() if str(f) in line) for f in files}
    assert "pass 6/6 (100%)" in row[good] and "attempt 1" in row[good] and "(terminal)" in row[good]
    assert "fail 0/6 (0%)" in row[poor]
    assert "the signature does not match" in row[edited]
    assert f"re-labelled: paper {papers['ann-lee'].id} was" in out
    assert "not valid JSON" in row[truncated]
    assert "not a flashcards answers file" in row[foreign]
    assert f"unknown quiz '{other_id}'" in row[stranger]
    assert "2 of 7 new files scored, 5 rejected." in out
    assert out.endswith("Error: 5 files rejected (reasons above)\n")
    assert [(a.learner_id, a.correct) for a in attempts(db, quiz_id)] == [("ann-lee", 6), ("bob-roe", 0)]
    again = flash("quiz", "score", *files, "--db", db, "--today", TODAY)  # every file seen: nothing new
    assert again.exit_code == 0
    assert again.output == ("Nothing new: 7 files seen before, skipped: 2 already counted, 5 already rejected "
                            "(--retry to judge them again).\n")


def test_scoring_a_folder_twice_scores_only_new_files(flash, deck_path, db, team, tmp_path):
    quiz_id, folder = create(flash, deck_path, db)
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for lid in ("ann-lee", "bob-roe"):
        take(flash, db, paper_of(folder, quiz_id, lid)).rename(inbox / f"{lid}.json")
    (inbox / "junk.txt").write_text("hello", encoding="utf-8")
    first = flash("quiz", "score", inbox, "--db", db, "--today", TODAY)
    assert first.exit_code == 1 and "2 of 3 new files scored, 1 rejected." in first.output
    again = flash("quiz", "score", inbox, "--db", db, "--today", "2026-12-02")
    assert again.exit_code == 0, again.output
    assert again.output == ("Nothing new: 3 files seen before, skipped: 2 already counted, 1 already rejected "
                            "(--retry to judge them again).\n")
    copy = inbox / "ann-copy.json"  # the same answers under another file name: counted once
    copy.write_text(json.dumps(json.loads((inbox / "ann-lee.json").read_text(encoding="utf-8"))), encoding="utf-8")
    take(flash, db, paper_of(folder, quiz_id, "cy-diaz")).rename(inbox / "cy.json")
    third = flash("quiz", "score", inbox, "--db", db, "--today", "2026-12-02")
    assert third.exit_code == 0, third.output
    assert "1 of 2 new files scored, 1 already counted under another file." in third.output
    assert "already counted as Ann Lee's attempt 1 on 2026-12-01" in third.output
    assert third.output.endswith("3 files seen before, skipped: 2 already counted, 1 already rejected "
                                 "(--retry to judge them again).\n")
    assert sorted(a.learner_id for a in attempts(db, quiz_id)) == ["ann-lee", "bob-roe", "cy-diaz"]


def test_attempt_limit_counts_roster_ids_and_extra_attempt_reopens(flash, deck_path, db, team):
    quiz_id, folder = create(flash, deck_path, db, "--attempts", "1")
    path = paper_of(folder, quiz_id, "ann-lee")
    first, second = take(flash, db, path, lambda n: False), take(flash, db, path)
    result = flash("quiz", "score", first, second, "--db", db, "--today", TODAY)
    assert result.exit_code == 1
    assert "over the attempt limit: Ann Lee has used 1 of 1 attempt" in result.output
    extra = flash("quiz", "extra-attempt", quiz_id, "ann-lee", "--reason", "fire drill", "--db", db, "--today", TODAY)
    assert extra.output == "Extra attempt for Ann Lee (ann-lee): now 2 attempts; logged in the report.\n"
    retried = flash("quiz", "score", "--retry", second, "--db", db, "--today", TODAY)
    assert retried.exit_code == 0, retried.output
    assert "pass 6/6 (100%)" in retried.output and "attempt 2" in retried.output
    assert [(a.attempt, a.correct) for a in attempts(db, quiz_id)] == [(1, 0), (2, 6)]


def test_a_browser_file_scores_alike_and_the_report_names_the_client(flash, deck_path, db, team, tmp_path):
    quiz_id, folder = create(flash, deck_path, db)
    _, papers = stored(db, quiz_id)
    answers = take(flash, db, paper_of(folder, quiz_id, "bob-roe"))
    doc = json.loads(answers.read_text(encoding="utf-8"))
    doc["client"] = "browser"
    doc["signature"] = sign(doc, papers["bob-roe"].token)
    browser = tmp_path / "from-browser.json"
    browser.write_text(json.dumps(doc, ensure_ascii=True), encoding="utf-8")
    result = flash("quiz", "score", browser, "--db", db, "--today", TODAY)
    assert result.exit_code == 0, result.output
    assert "(browser)" in result.output
    report = flash("quiz", "report", quiz_id, "--csv", "-", "--db", db, "--today", TODAY)
    rows = {r["learner_id"]: r for r in csv.DictReader(io.StringIO(report.output))}
    assert rows["bob-roe"]["client"] == "browser"


# -- report, corrections ----------------------------------------------------------------------

# Every paper shows the same 3 items (a pool of 3 what-is items), each in its own order:
#        i1 i2 i3  total   facility: 75%, 50%, 50%
#   L1    1  1  1    3     discrimination: 0%, 58% (57.7), -30% (-30.2)
#   L2    1  1  0    2     pass mark 60: L1 (100%) and L2 (67%) pass, L3 and L4 (33%) fail
#   L3    1  0  0    1
#   L4    0  0  1    1
PATTERN = {"l1": (1, 1, 1), "l2": (1, 1, 0), "l3": (1, 0, 0), "l4": (0, 0, 1)}


@pytest.fixture
def scored_four(flash, deck_path, db, tmp_path):
    flash("quiz", "roster", "import", write_roster(tmp_path / "four.csv", "L1", "L2", "L3", "L4", "L5"),
          "--db", db, "--today", TODAY)
    quiz_id, folder = create(flash, deck_path, db, "--kinds", "what-is", "--pool", "3", "--attempts", "2",
                             questions=3, pass_mark=60)
    the_quiz, papers = stored(db, quiz_id)
    items = [q.id for q in the_quiz.questions]
    files = []
    for lid, marks in PATTERN.items():
        rights = dict(zip(items, marks))
        order = [q.item_id for q in papers[lid].questions]
        files.append(take(flash, db, paper_of(folder, quiz_id, lid), lambda n: bool(rights[order[n]])))
    assert flash("quiz", "score", *files, "--db", db, "--today", TODAY).exit_code == 0
    return quiz_id, items


def cells(out: str, key: str) -> list[str]:
    """The cells of the table row whose first cell is ``key`` (piped: tab-separated)."""
    return next(line for line in out.splitlines() if line.startswith(f"{key}\t")).split("\t")


def test_report_figures_csv_certificates_and_slips(flash, db, tmp_path, scored_four):
    quiz_id, items = scored_four
    result = flash("quiz", "report", quiz_id, "--csv", tmp_path / "hr.csv", "--certificates", tmp_path / "certs",
                   "--slips", tmp_path / "slips", "--db", db, "--today", TODAY)
    assert result.exit_code == 0, result.output
    out = result.output
    assert "Pass rate: 2 of 4 learners (50%); 1 not taken yet" in out
    assert cells(out, "L5")[3] == "not taken"
    rows = [cells(out, i) for i in items]
    # 4 learners behind each item: facility and discrimination are not shown (5 needed)
    assert [r[3:6] for r in rows] == [["4", "–", "–"]] * 3
    assert rows[2][7] == "seen by 4: too few for figures (5 needed)"
    assert rows[1][6].startswith("2× ")  # L3 and L4 chose the same wrong option
    assert ("Too few learners per item: 3 of 3 items were seen by fewer than 5 learners (median 4), so their "
            "figures are not shown. With 4 learners and 3 questions per paper no pool gives every item 5 "
            "learners: report again when more have sat it.") in out
    assert "Concepts by deck entry (weakest first)" in out and "Concepts by tag (weakest first)" in out

    with open(tmp_path / "hr.csv", newline="", encoding="utf-8") as fh:
        csv_rows = list(csv.DictReader(fh))
    assert [(r["learner"], r["status"], r["score_percent"], r["correct"], r["attempts_used"], r["attempts_allowed"])
            for r in csv_rows] == [("L1", "pass", "100.0", "3", "1", "2"), ("L2", "pass", "66.7", "2", "1", "2"),
                                   ("L3", "fail", "33.3", "1", "1", "2"), ("L4", "fail", "33.3", "1", "1", "2"),
                                   ("L5", "not taken", "", "", "0", "2")]
    assert re.fullmatch(r"[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}", csv_rows[0]["certificate"])

    assert sorted(p.name for p in (tmp_path / "certs").iterdir()) == [f"{quiz_id}--l1.html", f"{quiz_id}--l2.html"]
    page = (tmp_path / "certs" / f"{quiz_id}--l1.html").read_text(encoding="utf-8")
    assert "L1" in page and "Cert: Lesson 4" in page and "100%" in page and csv_rows[0]["certificate"] in page
    assert len(list((tmp_path / "slips").iterdir())) == 5
    slip = (tmp_path / "slips" / f"{quiz_id}--l3.html").read_text(encoding="utf-8")
    assert "FAIL: 1 of 3 (33%)" in slip and "To review (2)" in slip and "correct answer" not in slip
    assert "Not taken yet." in (tmp_path / "slips" / f"{quiz_id}--l5.html").read_text(encoding="utf-8")
    shown = flash("quiz", "report", quiz_id, "--slips", tmp_path / "s2", "--show-answers", "--db", db, "--today", TODAY)
    assert "(with the correct answers)" in shown.output
    assert "correct answer" in (tmp_path / "s2" / f"{quiz_id}--l3.html").read_text(encoding="utf-8")


# Six learners on a pool of 3 what-is items (every paper shows all 3):
#        i1 i2 i3
SIX = {"s1": (1, 1, 1), "s2": (1, 1, 0), "s3": (1, 0, 0), "s4": (0, 0, 1), "s5": (1, 1, 1), "s6": (0, 0, 0)}


def sit(flash, deck_path, db, tmp_path, pattern, *extra, questions=3):
    names = [k.upper() for k in pattern]
    flash("quiz", "roster", "import", write_roster(tmp_path / "six.csv", *names), "--db", db, "--today", TODAY)
    quiz_id, folder = create(flash, deck_path, db, "--kinds", "what-is", *extra, questions=questions, pass_mark=60)
    the_quiz, papers = stored(db, quiz_id)
    files = []
    for lid, marks in pattern.items():
        order = [q.item_id for q in papers[lid].questions]
        rights = {item: mark for item, mark in zip([q.id for q in the_quiz.questions], marks)}
        files.append(take(flash, db, paper_of(folder, quiz_id, lid), lambda n: bool(rights.get(order[n], 0))))
    assert flash("quiz", "score", *files, "--db", db, "--today", TODAY).exit_code == 0
    return quiz_id, [q.id for q in the_quiz.questions]


def test_item_figures_with_the_learners_behind_them(flash, deck_path, db, tmp_path):
    import statistics

    quiz_id, items = sit(flash, deck_path, db, tmp_path, SIX, "--pool", "3")
    out = flash("quiz", "report", quiz_id, "--db", db, "--today", TODAY).output
    assert "Item analysis (6 learners; figures for items seen by at least 5)" in out
    marks = list(SIX.values())
    for n, item in enumerate(items):
        row = cells(out, item)
        x = [m[n] for m in marks]
        rest = [sum(m) - m[n] for m in marks]
        assert row[3] == "6"  # the learners behind both figures
        assert row[4] == f"{sum(x) / 6:.0%}"
        assert row[5] == f"{100 * statistics.correlation(x, rest):.0f}%"  # Python's own Pearson correlation
    assert "Too few learners per item" not in out


def test_a_pool_too_large_for_the_team_says_which_pool_would_do(flash, deck_path, db, tmp_path):
    quiz_id, items = sit(flash, deck_path, db, tmp_path, SIX, "--pool", "5", questions=2)
    out = flash("quiz", "report", quiz_id, "--db", db, "--today", TODAY).output
    seen = [int(cells(out, item)[3]) for item in items]
    assert sum(seen) == 12  # 6 learners x 2 questions, spread over 5 items
    thin = sum(n < 5 for n in seen)
    assert thin >= 3
    assert (f"Too few learners per item: {thin} of 5 items were seen by fewer than 5 learners") in out
    assert ("With 6 learners and 2 questions per paper, a pool of at most 2 items (quiz create --pool 2) gives "
            "every item at least 5 learners on average.") in out


def test_void_drop_and_extra_attempt_are_applied_and_logged(flash, db, scored_four):
    quiz_id, items = scored_four
    voided = flash("quiz", "void", quiz_id, "l1", "--reason", "sat it with L2", "--db", db, "--today", TODAY)
    assert voided.exit_code == 0, voided.output
    assert voided.output == "Voided attempt 1 of L1 (l1); logged in the report.\n"
    dropped = flash("quiz", "drop", quiz_id, items[2], "--reason", "two defensible answers", "--db", db,
                    "--today", TODAY)
    assert dropped.exit_code == 0, dropped.output
    assert "re-scored 4 attempts." in dropped.output
    flash("quiz", "extra-attempt", quiz_id, "l1", "--db", db, "--today", TODAY)
    report = flash("quiz", "report", quiz_id, "--db", db, "--today", TODAY)
    out = report.output
    assert cells(out, "L1")[3] == "voided"
    # without i3: L2 2/2 and L3 1/2 (50%) ... L4 0/2
    assert cells(out, "L2")[3:6] == ["pass", "100%", "2/2"]
    assert cells(out, "L3")[3:6] == ["fail", "50%", "1/2"]
    assert cells(out, "L4")[3:6] == ["fail", "0%", "0/2"]
    assert cells(out, "L1")[6] == "1 of 3"
    assert "Manager's corrections" in out
    log = [line for line in out.splitlines() if re.search(r"(?:^|\t)(void|drop|extra-attempt)\t", line)]
    assert [re.search(r"(?:^|\t)(void|drop|extra-attempt)\t", line).group(1) for line in log] == [
        "void", "drop", "extra-attempt"]
    assert "two defensible answers" in out and f"dropped: {items[2]}" in out
    assert cells(out, items[2])[7] == "dropped: not scored"
    assert "Pass rate: 1 of 3 learners (33%)" in out
    bad = flash("quiz", "drop", quiz_id, "i99", "--db", db, "--today", TODAY)
    assert bad.exit_code == 1 and "has no question 'i99'" in bad.output


def test_report_unknown_quiz_and_empty(flash, deck_path, db, team):
    quiz_id, _ = create(flash, deck_path, db)
    missing = flash("quiz", "report", "nope", "--db", db, "--today", TODAY)
    assert missing.exit_code == 1
    assert missing.output == f"Error: no quiz 'nope' in {db} (quizzes: {quiz_id})\n"
    empty = flash("quiz", "report", quiz_id, "--db", db, "--today", TODAY)
    assert empty.exit_code == 0
    assert "No attempts scored yet: run 'flash quiz score FILE-OR-FOLDER'. 3 not taken yet." in empty.output


def test_names_with_formulas_and_escapes_are_neutralised(flash, deck_path, db, tmp_path):
    roster = tmp_path / "evil.csv"
    roster.write_text('name,email\n"=HYPERLINK(""http://x"",""win"")",evil@example.com\n'
                      '"Mal\x1b[2J\x1b]0;owned\x07lory",mal@example.com\n', encoding="utf-8")
    flash("quiz", "roster", "import", roster, "--db", db, "--today", TODAY)
    quiz_id, folder = create(flash, deck_path, db)
    with Store.open(db) as store:
        ids = [row[0] for row in store.db.conn.execute("SELECT id FROM roster ORDER BY id")]
    files = [take(flash, db, paper_of(folder, quiz_id, lid)) for lid in ids]
    scored = flash("quiz", "score", *files, "--db", db, "--today", TODAY)
    assert scored.exit_code == 0 and "\x1b" not in scored.output and "\x07" not in scored.output
    report = flash("quiz", "report", quiz_id, "--csv", tmp_path / "r.csv", "--certificates", tmp_path / "c",
                   "--db", db, "--today", TODAY)
    assert "\x1b" not in report.output
    text = (tmp_path / "r.csv").read_text(encoding="utf-8")
    assert "\x1b" not in text and not re.search(r'(^|,)"?[=+@-]', text, re.M)
    assert "'=HYPERLINK" in text
    for page in (tmp_path / "c").iterdir():
        assert "\x1b" not in page.read_text(encoding="utf-8")


# -- list and export ---------------------------------------------------------------------------


def test_list(flash, deck_path, db, team):
    assert flash("quiz", "list", "--db", tmp_db := db.with_name("none.db"), "--today", TODAY).exit_code == 1
    assert not tmp_db.exists()
    quiz_id, folder = create(flash, deck_path, db, "--attempts", "2")
    files = [take(flash, db, paper_of(folder, quiz_id, "ann-lee")),
             take(flash, db, paper_of(folder, quiz_id, "bob-roe"), lambda n: False)]
    flash("quiz", "score", *files, "--db", db, "--today", TODAY)
    result = flash("quiz", "list", "--db", db, "--today", TODAY)
    assert result.exit_code == 0
    line = next(line for line in result.output.splitlines() if quiz_id in line)
    assert line.split("\t") == [quiz_id, "Cert: Lesson 4", TODAY, "6", "80%",
                                                           "2 (max 2 each)", "2", "50% (1/2)"]


def test_export_gift_and_qti(flash, deck_path, db, team, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    quiz_id, _ = create(flash, deck_path, db, "--pool", "8")
    gift = flash("quiz", "export", quiz_id, "--format", "gift", "--db", db, "--today", TODAY)
    assert gift.exit_code == 0, gift.output
    exports = tmp_path / "xdg-data" / "flashcards" / "exports"
    assert f"Wrote {exports}/{quiz_id}.gift.txt (8 questions; answer key included" in gift.output
    assert (exports / f"{quiz_id}.gift.txt").read_text(encoding="utf-8").count("\n\t=") == 8
    assert not (tmp_path / "exports").exists()
    qti = flash("quiz", "export", quiz_id, "--format", "qti", "-o", tmp_path / "lms" / "q.zip",
                "--db", db, "--today", TODAY)
    assert qti.exit_code == 0, qti.output
    with zipfile.ZipFile(tmp_path / "lms" / "q.zip") as zf:
        assert sorted(n for n in zf.namelist() if n.startswith("items/")) == [f"items/i0{n}.xml" for n in range(1, 9)]


# -- practice -------------------------------------------------------------------------------------


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
    assert card.front.splitlines()[0][:40] in review.output


def test_practice_right_answers_schedule_nothing(flash, deck_path, tmp_path):
    learner_db = tmp_path / "learner.db"
    flash("import", deck_path, "--db", learner_db, "--today", "2026-11-01")
    with Store.open(learner_db) as store:
        before = store.db.conn.execute("SELECT card_id, due, buried_until FROM card_state ORDER BY card_id").fetchall()
    questions = generate(load_decks([deck_path]), 3, None, seed=8)
    lines = "".join(letter([o.id for o in q.options].index(q.answer)) + "\n" for q in questions)
    result = flash("quiz", "practice", deck_path, "--questions", "3", "--seed", "8",
                   "--db", learner_db, "--today", TODAY, input=lines)
    assert result.exit_code == 0, result.output
    assert result.output.count("Right.") == 3
    assert "Practice: 3 of 3 right." in result.output
    assert "due today" not in result.output
    with Store.open(learner_db) as store:
        after = store.db.conn.execute("SELECT card_id, due, buried_until FROM card_state ORDER BY card_id").fetchall()
        logged = store.db.conn.execute("SELECT COUNT(*) FROM reviews").fetchone()[0]
    assert after == before and logged == 0


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


# -- help ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("command", [
    ("create",), ("issue",), ("take",), ("score",), ("report",), ("list",), ("export",), ("practice",), ("void",),
    ("drop",), ("extra-attempt",), ("roster", "import"), ("roster", "list"),
])
def test_every_quiz_command_has_help_with_an_example(flash, command):
    result = flash("quiz", *command, "--help")
    assert result.exit_code == 0
    assert "Example: flash quiz" in result.output
    assert "--db" in result.output and "--today" in result.output


def test_quiz_is_listed_in_flash_help(flash):
    result = flash("--help")
    assert result.exit_code == 0
    # the command list, not the group's description (which mentions quizzes anyway)
    assert re.search(r"^  quiz\s+Certification quizzes: a roster, personal papers", result.output, re.M)
    sub = flash("quiz", "--help")
    assert sub.exit_code == 0
    assert {"roster", "create", "issue", "take", "score", "report", "void", "drop", "extra-attempt", "list",
            "export", "practice"} <= set(re.findall(r"^  ([a-z-]+)\s", sub.output, re.M))
