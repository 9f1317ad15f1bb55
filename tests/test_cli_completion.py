"""Shell completion through click's real protocol: a `flash` process with _FLASH_COMPLETE set,
as bash, zsh and fish run it, completing deck, card, entry, quiz, learner and question ids from
a real database (and nothing, without a word on stderr, when there is no database)."""

from __future__ import annotations

import os
import subprocess
import sys

import click
import pytest

from flashcards.cli import cli

from conftest import PACKAGE_ROOT, SAMPLE_DECK
from test_store_faults_matrix import leaf_commands

TODAY = "2026-03-02"
ROSTER = "name,email\nPriya Natarajan,priya@example.com\nBo Li,bo@example.com\n"


def environment(tmp_path, **extra) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FLASH_")}
    env.update(PYTHONPATH=str(PACKAGE_ROOT), XDG_DATA_HOME=str(tmp_path / "xdg-data"),
               XDG_CONFIG_HOME=str(tmp_path / "xdg-config"), **extra)
    return env


def complete(tmp_path, line: str, **env) -> list[str]:
    """What bash gets for the last word of ``line`` (a trailing space: a new, empty word)."""
    words = line.split() + ([""] if line.endswith(" ") else [])
    result = subprocess.run([sys.executable, "-m", "flashcards"], capture_output=True, text=True, timeout=60,
                            env=environment(tmp_path, COMP_WORDS=" ".join(words), COMP_CWORD=str(len(words) - 1),
                                            _FLASH_COMPLETE="bash_complete", **env))
    assert result.returncode == 0 and result.stderr == "", result.stderr
    return [line.split(",", 1)[1] for line in result.stdout.splitlines() if line]  # type,value lines


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    from click.testing import CliRunner

    tmp = tmp_path_factory.mktemp("completion")
    (tmp / "sample.yaml").write_text(SAMPLE_DECK, encoding="utf-8")
    (tmp / "roster.csv").write_text(ROSTER, encoding="utf-8")
    db = tmp / "flash.db"
    runner = CliRunner(env={"XDG_DATA_HOME": str(tmp / "xdg"), "FLASH_DB": None, "FLASH_TODAY": None})

    def ok(*args):
        result = runner.invoke(cli, ["--db", str(db), "--today", TODAY, *map(str, args)])
        assert result.exit_code == 0, result.output
        return result.output

    ok("import", tmp / "sample.yaml")
    ok("quiz", "roster", "import", tmp / "roster.csv")
    created = ok("quiz", "create", "--title", "Cert", "--questions", "3", "--pass-mark", "80", "--seed", "1",
                 "--roster", "-o", tmp / "papers", tmp / "sample.yaml")
    quiz_id = created.split("Created quiz ", 1)[1].split(":", 1)[0]
    return db, quiz_id


def test_card_and_entry_ids_for_suspend(world, tmp_path):
    db, _ = world
    assert complete(tmp_path, f"flash --db {db} suspend sample/al") == [
        "sample/alpha", "sample/alpha/term", "sample/alpha/definition", "sample/alpha/what_it_does",
        "sample/alpha/whos_behind_it"]
    assert complete(tmp_path, f"flash unsuspend --db {db} sample/d") == [
        "sample/door", "sample/door/holds", "sample/door/breaks"]


def test_deck_ids_from_the_database_flash_db_names(world, tmp_path):
    db, _ = world
    assert complete(tmp_path, "flash scheduler ", FLASH_DB=str(db)) == ["sample"]
    assert complete(tmp_path, "flash review --deck s", FLASH_DB=str(db)) == ["sample"]
    assert complete(tmp_path, f"flash stats --db {db} --deck ") == ["sample"]
    assert complete(tmp_path, f"flash cards --db {db} --deck x") == []
    assert complete(tmp_path, f"flash --db {db} scheduler sample ") == ["sm2", "fsrs"]  # click's own choices


def test_quiz_learner_and_question_ids(world, tmp_path):
    db, quiz_id = world
    assert complete(tmp_path, f"flash --db {db} quiz report ") == [quiz_id]
    assert complete(tmp_path, f"flash --db {db} quiz void {quiz_id} ") == ["bo-li", "priya-natarajan"]
    assert complete(tmp_path, f"flash --db {db} quiz issue {quiz_id} --learner p") == ["priya-natarajan"]
    questions = complete(tmp_path, f"flash --db {db} quiz drop {quiz_id} ")
    assert questions and all(q.startswith("i") for q in questions)


def test_no_database_completes_nothing_and_creates_nothing(tmp_path):
    missing = tmp_path / "none" / "flash.db"
    assert complete(tmp_path, f"flash --db {missing} suspend s") == []
    assert complete(tmp_path, "flash review --deck ") == []  # the default database does not exist either
    assert not missing.parent.exists() and not (tmp_path / "xdg-data").exists()


def test_commands_and_options_complete_too(tmp_path):
    assert complete(tmp_path, "flash sus") == ["suspend"]
    assert "--limit" in complete(tmp_path, "flash review --")


@pytest.mark.parametrize("shell,marker", [("bash", "complete -o nosort -F"), ("zsh", "compdef"),
                                          ("fish", "complete --no-files --command flash")])
def test_the_scripts_the_docs_tell_each_shell_to_load(shell, marker, tmp_path):
    result = subprocess.run([sys.executable, "-m", "flashcards"], capture_output=True, text=True, timeout=60,
                            env=environment(tmp_path, _FLASH_COMPLETE=f"{shell}_source"))
    assert result.returncode == 0 and marker in result.stdout, result.stdout
    assert "_FLASH_COMPLETE" in result.stdout


# every argument or option that takes an id has a completion: a new one is caught here
ID_METAVARS = {"ID", "QUIZ", "LEARNER", "QUESTION", "CARD_OR_ENTRY..."}
ID_NAMES = {"deck"}
NEW_IDS = {"build --id", "quiz recertify --id"}  # ids the command makes, not ones in the database


def test_every_id_parameter_completes_from_the_database(world):
    db, quiz_id = world
    missing = []
    for name in leaf_commands():
        command = cli
        for part in name.split():
            command = command.get_command(click.Context(command), part)
        for param in command.params:
            label = f"{name} {param.opts[0] if param.opts else param.name}"
            if param.metavar not in ID_METAVARS and param.name not in ID_NAMES or label in NEW_IDS:
                continue
            ctx = click.Context(command)
            ctx.params = {"db_path": db, "quiz_ref": quiz_id}
            if not param.shell_complete(ctx, ""):
                missing.append(label)
    assert missing == []
