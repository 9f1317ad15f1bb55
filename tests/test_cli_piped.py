"""Every command's output, piped, is plain: whole lines, tables as tab-separated rows, no boxes.

The commands come from the click command tree (as in the fault matrix), so a new command fails
``test_every_command_is_covered`` until it has a way to run here. Each runs on a copy of one
real world (the sample deck imported and reviewed over four days, a roster, a quiz with a
scored sitting and an unscored one) under a folder whose path is far longer than a line, with
stdout not a terminal (click's CliRunner; a few through a real pipe). What it prints must hold no
box-drawing or block character, no path broken over two lines, and each table its
tab-separated header row. The same commands on a terminal still draw their tables.
"""

from __future__ import annotations

import re
import shutil
import signal
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from flashcards.cli import cli
from flashcards.render_plain import BOX_CHARACTERS

from conftest import FLASH_VARIABLES, PACKAGE_ROOT, SAMPLE_DECK, flash_process
from test_store_faults_matrix import leaf_commands

DAY0 = date(2026, 3, 2)
TODAY = (DAY0 + timedelta(days=4)).isoformat()  # the day after four days of review
# two folder names that put every path of the test far past 80 (and 120) columns
LONG = ("a-folder-whose-name-alone-is-long-enough-to-push-a-path-past-the-edge",
        "and-a-second-one-under-it-so-no-terminal-width-could-hold-the-path-whole")
ROSTER = "name,email,team\nPriya Natarajan,priya@example.com,East\nBo Li,bo@example.com,West\n"

# how to run each command so that it succeeds and prints its real output ({deck}, {roster},
# {lesson}, {inbox}, {paper}, {out} are in the world's folder, {quiz} is its quiz); several: several runs
RUNS: dict[str, list[list[str]]] = {
    "review": [[]],
    "undo": [[]],
    "import": [["{deck}"]],
    "validate": [["{deck}"]],
    "lint": [["{deck}"]],
    "decks": [[]],
    "cards": [[]],
    "build": [["{lesson}", "-o", "{out}/draft.yaml"]],
    "stats": [[]],
    "suspend": [["sample/alpha/term"]],
    "unsuspend": [["sample/alpha/term"]],
    "scheduler": [[], ["sample", "fsrs"]],
    "optimize": [["--dry-run"]],
    "export anki": [["{deck}", "-o", "{out}/sample.apkg"]],
    "quiz create": [["--title", "Second", "--questions", "3", "--pass-mark", "80", "--seed", "2", "--roster",
                     "-o", "{out}/papers"]],
    "quiz drop": [["{quiz}", "i01", "--reason", "two right answers"]],
    "quiz export": [["{quiz}", "--format", "gift", "-o", "{out}/quiz.gift"]],
    "quiz extra-attempt": [["{quiz}", "bo-li", "--reason", "fire alarm"]],
    "quiz issue": [["{quiz}", "--learner", "bo-li", "-o", "{out}/issued"]],
    "quiz list": [[]],
    "quiz practice": [["{deck}"]],
    "quiz recertify": [["{quiz}", "--expiring", "30", "-o", "{out}/recert"]],
    "quiz report": [["{quiz}"], ["{quiz}", "--expiring", "30"]],
    "quiz roster import": [["{roster}"]],
    "quiz roster list": [[]],
    "quiz score": [["{inbox}"]],
    "quiz take": [["{paper}", "-o", "{out}/answers.json"]],
    "quiz void": [["{quiz}", "bo-li", "--reason", "left early"]],
    "quiz invite": [["{quiz}", "--csv", "{out}/links.csv"]],
    "db backup": [["{out}/backup.db"]],
    "db check": [[]],
    "db upgrade": [[]],
    "config": [[]],
}
# runs until stopped: started in a real process, read, stopped (test_quiz_serve_prints_whole_lines)
LONG_RUNNING = {"quiz serve"}
INPUT = {"review": "5\n4\n2\n5\n3\n5\n4\n", "quiz take": "A\nB\nA\n\n", "quiz practice": "A\nB\n\n"}

# the header row each table prints piped (a line of the output, whole), on the command's first run
HEADERS = {
    "import": "deck\tadded\tupdated\tretired\tunchanged",
    "stats": "card most at risk\trecall\tdue",
    "export anki": "Anki deck\tNotes\tCards",
    "quiz list": "quiz\ttitle\tcreated\tquestions\tpass mark\tattempts scored\tlearners\tpass rate",
    "quiz roster list": "id\tname\temail\tteam",
    "quiz report": "item\tkind\tentry\tseen by\tfacility\tdiscrimination\tmost chosen wrong option\tnote",
    "quiz score": "file\tlearner\tresult\tdetail",
    "quiz take": "#\tquestion\tyour answer",
}


def make_runner(root: Path) -> CliRunner:
    # COLUMNS=80: what a pipe gets from rich when nothing says otherwise
    return CliRunner(env={**{name: None for name in FLASH_VARIABLES}, "COLUMNS": "80",
                          "XDG_DATA_HOME": str(root / "xdg-data"), "XDG_CONFIG_HOME": str(root / "xdg-config")})


def flash(runner, root: Path, *args, today: str = TODAY, input=None):
    # --db and --today before the command: every command takes them there
    return runner.invoke(cli, ["--db", str(root / "flash.db"), "--today", today, *map(str, args)], input=input)


@pytest.fixture(scope="module")
def world(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("world").joinpath(*LONG)
    root.mkdir(parents=True)
    (root / "sample.yaml").write_text(SAMPLE_DECK, encoding="utf-8")
    (root / "roster.csv").write_text(ROSTER, encoding="utf-8")
    shutil.copy(Path(__file__).parent / "fixtures" / "lesson_markdown.md", root / "lesson.md")
    runner = make_runner(root)

    def ok(*args, **kwargs):
        result = flash(runner, root, *args, **kwargs)
        assert result.exit_code == 0, (args, result.output)
        return result

    ok("import", root / "sample.yaml", today=DAY0.isoformat())
    for n in range(4):  # grades below 4 make drills, a 2 a lapse
        ok("review", today=(DAY0 + timedelta(days=n)).isoformat(), input="5\n2\n4\n5\n3\n4\n5\n5\n5\n5\n5\n5\n")
    ok("quiz", "roster", "import", root / "roster.csv")
    created = ok("quiz", "create", "--title", "Cert", "--questions", "3", "--pass-mark", "80", "--seed", "1",
                 "--valid-days", "365", "--roster", "-o", root / "papers", root / "sample.yaml")
    quiz_id = re.search(r"Created quiz (\S+):", created.output).group(1)
    (root / "scored").mkdir()
    (root / "inbox").mkdir()
    ok("quiz", "take", root / "papers" / f"{quiz_id}--bo-li.paper.json", "-o", root / "scored" / "bo.json",
       input="A\nA\nA\n\n")
    ok("quiz", "score", root / "scored")
    ok("quiz", "take", root / "papers" / f"{quiz_id}--priya-natarajan.paper.json", "-o",
       root / "inbox" / "priya.json", input="B\nB\nB\n\n")
    (root / "quiz-id").write_text(quiz_id, encoding="utf-8")
    return root


@pytest.fixture
def here(world, tmp_path) -> Path:
    """A copy of the world under this test's own long folder (commands may change it)."""
    root = tmp_path.joinpath(*LONG)
    shutil.copytree(world, root)
    (root / "out").mkdir()
    return root


def fill(args, root: Path) -> list[str]:
    quiz_id = (root / "quiz-id").read_text(encoding="utf-8")
    places = {"deck": root / "sample.yaml", "roster": root / "roster.csv", "lesson": root / "lesson.md",
              "inbox": root / "inbox", "out": root / "out", "quiz": quiz_id,
              "paper": root / "papers" / f"{quiz_id}--priya-natarajan.paper.json"}
    return [a.format(**places) for a in args]


def broken_paths(text: str, roots) -> list[str]:
    """Paths under ``roots`` that only appear once line breaks (and the indent after them) are
    taken out: a path the output broke over two lines."""
    joined = re.sub(r"[ \t]*\n[ \t]*", "", text)
    return [str(root) for root in roots if joined.count(str(root)) > text.count(str(root))]


def assert_plain(name: str, text: str, roots, *, header: bool = True) -> None:
    boxes = sorted({c for c in text if c in BOX_CHARACTERS})
    assert boxes == [], f"flash {name} piped prints box or block characters {boxes}:\n{text}"
    assert broken_paths(text, roots) == [], f"flash {name} piped breaks a path over two lines:\n{text}"
    if header and name in HEADERS:
        assert HEADERS[name] in text.splitlines(), f"flash {name} piped has no row {HEADERS[name]!r}:\n{text}"


def test_every_command_is_covered():
    missing = [name for name in leaf_commands() if name not in RUNS and name not in LONG_RUNNING]
    assert missing == [], f"add these commands to RUNS (how to run them here): {missing}"
    assert sorted(set(RUNS) | LONG_RUNNING) == sorted(leaf_commands())


def test_the_world_is_longer_than_any_line(here):
    assert len(str(here / "flash.db")) > 200


@pytest.mark.parametrize("name,args", [(name, args) for name in RUNS for args in RUNS[name]],
                         ids=lambda v: v if isinstance(v, str) else " ".join(v))
def test_piped_output_is_plain(name, args, here, world):
    result = flash(make_runner(here), here, *name.split(), *fill(args, here), input=INPUT.get(name, ""))
    assert result.exit_code == 0, (result.stdout, result.stderr)
    assert result.stdout.strip(), f"flash {name} printed nothing"
    assert_plain(name, result.stdout, roots=(here, world), header=args == RUNS[name][0])
    assert_plain(name, result.stderr, roots=(here, world), header=False)


@pytest.mark.parametrize("name,args", [("import", ["{deck}"]), ("stats", []), ("export anki", ["{deck}", "-o",
                                       "{out}/sample.apkg"]), ("quiz report", ["{quiz}"])], ids=str)
def test_through_a_real_pipe(name, args, here, world):
    result = flash_process(*name.split(), *fill(args, here), "--db", here / "flash.db", "--today", TODAY,
                           cwd=here, env={"COLUMNS": "80"})
    assert result.returncode == 0, result.stderr
    assert_plain(name, result.stdout, roots=(here, world))
    assert result.stderr == ""


def _wait_until_serving(url: str, seconds: float = 30) -> None:
    import time

    import httpx

    deadline = time.monotonic() + seconds
    while True:
        try:
            httpx.get(url, timeout=2)
            return
        except httpx.HTTPError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def test_quiz_serve_prints_whole_lines(here, world):
    import os

    env = {k: v for k, v in os.environ.items() if not k.startswith("FLASH_")}
    env.update(COLUMNS="80", PYTHONPATH=str(PACKAGE_ROOT), XDG_DATA_HOME=str(here / "xdg-data"),
               XDG_CONFIG_HOME=str(here / "xdg-config"))
    server = subprocess.Popen([sys.executable, "-m", "flashcards", "quiz", "serve", "--port", "0",
                               "--db", str(here / "flash.db"), "--today", TODAY], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True, env=env, cwd=here)
    try:
        lines = [server.stdout.readline() for _ in range(4)]
        assert lines[-1].startswith("Learners' links:"), (lines, server.poll())
        _wait_until_serving(re.search(r" on (http://\S+/) ", lines[0]).group(1))
    finally:
        server.send_signal(signal.SIGINT)  # once it answers: a Ctrl-C during its start-up imports may be lost
        try:
            out, err = server.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            raise
    text = "".join(lines) + out
    assert_plain("quiz serve", text, roots=(here, world))
    assert_plain("quiz serve", err, roots=(here, world), header=False)
    assert f"Serving the quizzes in {here / 'flash.db'} on http://127.0.0.1:" in text


# -- a terminal keeps its tables -------------------------------------------------------

TERMINAL = {"TTY_COMPATIBLE": "1", "TERM": "dumb", "COLUMNS": "100"}


@pytest.mark.parametrize("name,args,drawn", [
    ("import", ["{deck}"], "┃ deck"),
    ("decks", [], "────"),
    ("export anki", ["{deck}", "-o", "{out}/sample.apkg"], "────"),
    ("quiz report", ["{quiz}"], "│ bo-li "),
], ids=lambda v: v if isinstance(v, str) else None)
def test_a_terminal_still_gets_tables(name, args, drawn, here):
    runner = make_runner(here)
    result = runner.invoke(cli, [*name.split(), *fill(args, here), "--db", str(here / "flash.db"), "--today", TODAY],
                           env=TERMINAL)
    assert result.exit_code == 0, result.output
    assert drawn in result.stdout
    assert "\t" not in result.stdout
