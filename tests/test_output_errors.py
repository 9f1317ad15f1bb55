"""Standard output that cannot be written (issue 23 §5), for every command, in real processes.

Closed (``>&-``): refused before anything is done, exit 1, one line on stderr, the database's bytes
unchanged. Failing (``> /dev/full``): ``Error: cannot write to standard output: ...``, exit 1, no
traceback. A pipe whose reader is gone: quiet, exit 141. And a review whose output pipe closes
half-way keeps every grade it acknowledged an answer for.

The commands come from the click tree (as in the fault matrix): a new command fails
``test_every_command_is_listed`` until it has a line in ``ARGS`` here.
"""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys

import pytest

from conftest import PACKAGE_ROOT, SAMPLE_DECK, rows
from flashcards.cli import EXIT_BROKEN_PIPE, EXIT_ERROR
from test_store_faults_matrix import leaf_commands

TODAY = "2026-03-02"
LESSON = "# Lesson 1: Tokens\n\n## Token\n\nWhat it is: The unit a model reads.\n"
CLOSED = ("Error: standard output is closed: flash prints its results there "
          "(send them to /dev/null to discard them)")
FULL = "Error: cannot write to standard output: No space left on device"

# each command called so that it succeeds and prints to standard output ({...}: see ``made``)
ARGS: dict[str, list[str]] = {
    "review": [],
    "undo": [],
    "import": ["{deck}"],
    "validate": ["{deck}"],
    "lint": ["{deck}"],
    "decks": [],
    "cards": [],
    "build": ["{lesson}", "-o", "{out}.yaml"],
    "stats": [],
    "suspend": ["sample/alpha/term"],
    "unsuspend": ["sample/beta/term"],
    "scheduler": [],
    "optimize": ["--dry-run"],
    "export anki": ["{deck}", "-o", "{out}.apkg"],
    "quiz create": ["{deck}", "--title", "T2", "--questions", "3", "--pass-mark", "80", "--roster", "-o", "{out}"],
    "quiz drop": ["{quiz}", "{question}", "--reason", "a bad item"],
    "quiz export": ["{quiz}", "--format", "gift", "-o", "{out}.gift"],
    "quiz extra-attempt": ["{quiz}", "{learner}", "--reason", "ill"],
    "quiz invite": ["{quiz}", "--csv", "{out}.csv"],
    "quiz issue": ["{quiz}", "--learner", "{learner}", "-o", "{out}"],
    "quiz list": [],
    "quiz practice": ["{deck}"],
    "quiz recertify": ["{quiz}", "--expiring", "30", "-o", "{out}"],
    "quiz report": ["{quiz}"],
    "quiz roster import": ["{roster}"],
    "quiz roster list": [],
    "quiz score": ["{inbox}"],
    "quiz serve": ["--port", "0"],
    "quiz take": ["{paper}", "-o", "{out}.answers.json"],
    "quiz void": ["{quiz}", "{learner}", "--reason", "cheated"],
    "db backup": ["{out}.db"],
    "db check": [],
    "db upgrade": [],
    "config": [],
}
NO_COMMON_OPTIONS = {"lint"}  # lint takes neither --db nor --today
STDIN = {"review": "5\n4\n\n", "quiz take": "A\nB\nC\n", "quiz practice": "A\n"}


def test_every_command_is_listed():
    assert sorted(set(leaf_commands()) ^ set(ARGS)) == []


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    """A database with the sample deck, two grades, a roster of one, a quiz and one scored answers file."""
    from click.testing import CliRunner

    from flashcards.cli import cli

    folder = tmp_path_factory.mktemp("output-template")
    (folder / "sample.yaml").write_text(SAMPLE_DECK, encoding="utf-8")
    (folder / "roster.csv").write_text("name,email\nPriya Natarajan,priya@example.com\n", encoding="utf-8")
    (folder / "lesson.md").write_text(LESSON, encoding="utf-8")
    db = folder / "flash.db"
    runner = CliRunner(env={"XDG_DATA_HOME": str(folder / "xdg"), "XDG_CONFIG_HOME": str(folder / "xdg")})

    def run(*args, input=None):
        result = runner.invoke(cli, [*map(str, args), "--db", str(db), "--today", TODAY], input=input)
        assert result.exit_code == 0, (args, result.output)

    run("import", folder / "sample.yaml")
    run("review", input="5\n3\n\n")
    run("quiz", "roster", "import", folder / "roster.csv")
    run("quiz", "create", folder / "sample.yaml", "--title", "T", "--questions", "3", "--pass-mark", "0",
        "--valid-days", "10", "--roster", "-o", folder / "papers")  # a pass that expires soon: recertify
    (paper,) = (folder / "papers").glob("*.paper.json")
    (folder / "inbox").mkdir()
    run("quiz", "take", paper, "-o", folder / "inbox" / "priya.answers.json", input="A\nB\nC\n")
    run("quiz", "score", folder / "inbox")
    return folder


@pytest.fixture
def made(template, tmp_path):
    """A fresh copy of the template, and the values the ARGS name."""
    folder = tmp_path / "w"
    shutil.copytree(template, folder)
    db = folder / "flash.db"
    (quiz,) = rows(db, "SELECT id FROM quizzes")[0]
    (question,) = rows(db, "SELECT id FROM quiz_questions WHERE quiz_id = ? ORDER BY position LIMIT 1", quiz)[0]
    (folder / "out").mkdir()
    return {"db": db, "folder": folder, "deck": folder / "sample.yaml", "roster": folder / "roster.csv",
            "lesson": folder / "lesson.md", "inbox": folder / "inbox", "out": folder / "out" / "made",
            "paper": next((folder / "papers").glob("*.paper.json")), "quiz": quiz, "question": question,
            "learner": "priya-natarajan"}


def flash(name, made, *, stdout, close_stdout=False, timeout=60):
    options = [] if name in NO_COMMON_OPTIONS else ["--db", str(made["db"]), "--today", TODAY]
    argv = [*name.split(), *(a.format(**made) for a in ARGS[name]), *options]
    env = {k: v for k, v in os.environ.items() if not k.startswith("FLASH_") and k != "SOURCE_DATE_EPOCH"}
    env.update(PYTHONPATH=str(PACKAGE_ROOT), XDG_DATA_HOME=str(made["folder"] / "xdg"),
               XDG_CONFIG_HOME=str(made["folder"] / "xdg"), COLUMNS="120")
    return subprocess.run([sys.executable, "-m", "flashcards", *argv], cwd=made["folder"], env=env,
                          input=STDIN.get(name, ""), stdout=stdout, stderr=subprocess.PIPE, text=True,
                          timeout=timeout, preexec_fn=(lambda: os.close(1)) if close_stdout else None)


def dump(db) -> list[str]:
    conn = sqlite3.connect(str(db))
    try:
        return list(conn.iterdump())
    finally:
        conn.close()


def test_a_closed_stdout_is_refused_before_anything_is_done(made):
    """Every command, run side by side (the refusal comes before the command is even loaded)."""
    from concurrent.futures import ThreadPoolExecutor

    before = made["db"].read_bytes()
    files = sorted(p.relative_to(made["folder"]) for p in made["folder"].rglob("*"))
    with ThreadPoolExecutor(4) as pool:
        results = dict(zip(ARGS, pool.map(lambda name: flash(name, made, stdout=None, close_stdout=True), ARGS)))
    wrong = {name: (r.returncode, r.stderr) for name, r in results.items()
             if (r.returncode, r.stderr.splitlines()) != (EXIT_ERROR, [CLOSED])}
    assert wrong == {}
    assert made["db"].read_bytes() == before
    assert sorted(p.relative_to(made["folder"]) for p in made["folder"].rglob("*")) == files


@pytest.mark.parametrize("name", list(ARGS))
def test_a_full_stdout_is_an_error_in_one_line(name, made):
    with open("/dev/full", "w") as full:
        result = flash(name, made, stdout=full)
    assert result.returncode == EXIT_ERROR, result.stderr
    assert "Traceback" not in result.stderr and "Exception ignored" not in result.stderr
    assert result.stderr.splitlines()[-1] == FULL, result.stderr  # so the command did print


@pytest.mark.parametrize("name", ["cards", "stats", "review", "quiz report", "quiz serve", "db check"])
def test_a_pipe_closed_by_its_reader_ends_quietly_with_141(name, made):
    read, write = os.pipe()
    os.close(read)  # the reader is gone before the first line (flash cards | head -0)
    try:
        result = flash(name, made, stdout=write)
    finally:
        os.close(write)
    assert result.returncode == EXIT_BROKEN_PIPE, result.stderr
    assert "Traceback" not in result.stderr and "Exception ignored" not in result.stderr
    assert "standard output" not in result.stderr and "Broken pipe" not in result.stderr


@pytest.mark.parametrize("args", [["--help"], ["--version"], ["cards", "--help"], ["quiz", "score", "--help"],
                                  ["db", "check", "--help"]])
def test_help_and_version_into_a_full_stdout(args, tmp_path):
    env = {**os.environ, "PYTHONPATH": str(PACKAGE_ROOT)}
    with open("/dev/full", "w") as full:
        result = subprocess.run([sys.executable, "-m", "flashcards", *args], stdout=full, stderr=subprocess.PIPE,
                                text=True, env=env, cwd=tmp_path, timeout=60)
    assert (result.returncode, result.stderr) == (EXIT_ERROR, FULL + "\n")


def test_a_review_whose_output_pipe_closes_keeps_every_grade_it_showed(made):
    """The reader stops after the first answers: the review ends (141) at its next write; every grade
    it acknowledged ("graded 4: ...") is in the log."""
    grades_before = rows(made["db"], "SELECT COUNT(*) FROM reviews")[0][0]
    env = {k: v for k, v in os.environ.items() if not k.startswith("FLASH_")}
    env.update(PYTHONPATH=str(PACKAGE_ROOT), XDG_DATA_HOME=str(made["folder"] / "xdg"))
    proc = subprocess.Popen([sys.executable, "-m", "flashcards", "review", "--db", str(made["db"]), "--today",
                             "2026-03-09"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env=env, cwd=made["folder"])
    try:
        proc.stdin.write(b"4\n" * 12)
        proc.stdin.close()
        seen = b""
        while seen.count(b"graded ") < 2:  # two grades acknowledged, then the reader leaves
            chunk = proc.stdout.read1(4096)
            if not chunk:
                break
            seen += chunk
        proc.stdout.close()
        err = proc.stderr.read().decode()
        code = proc.wait(timeout=60)
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            proc.wait()
    shown = seen.count(b"graded ")
    stored = rows(made["db"], "SELECT COUNT(*) FROM reviews")[0][0] - grades_before
    assert shown >= 2, seen.decode()
    assert "Traceback" not in err
    assert code in (0, EXIT_BROKEN_PIPE), err  # 0 when the review wrote its last line before the reader left
    assert stored >= shown  # no acknowledged grade is lost
    assert rows(made["db"], "PRAGMA integrity_check") == [("ok",)]
