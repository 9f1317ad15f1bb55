"""CLI conventions (issue 22): global options before the subcommand, the config file and
`flash config`, the exit-code table, and the folder rules for --db and XDG paths."""

from __future__ import annotations

import re
import sqlite3

import pytest

from conftest import flash_process
from terminal import review_at_a_terminal
from flashcards.cli import EXIT_ERROR, EXIT_INTERRUPTED, EXIT_OK, EXIT_USAGE, cli

TODAY = "2026-03-02"


def config_file(tmp_path, text: str):
    path = tmp_path / "xdg-config" / "flashcards" / "config.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def new_cards_shown(db_path) -> int:
    conn = sqlite3.connect(db_path)
    try:
        return conn.execute("SELECT COUNT(*) FROM reviews WHERE kind = 'review'").fetchone()[0]
    finally:
        conn.close()


def test_the_exit_code_table():
    assert (EXIT_OK, EXIT_ERROR, EXIT_USAGE, EXIT_INTERRUPTED) == (0, 1, 2, 130)
    assert "0 ok, 1 error, 2 usage error," in cli.help and "130 interrupted" in cli.help


def test_global_options_before_the_subcommand(invoke, db_path, sample_deck):
    assert invoke("--db", db_path, "--today", TODAY, "import", sample_deck).exit_code == 0
    result = invoke("--db", db_path, "--today", TODAY, "decks")
    assert result.exit_code == 0, result.output
    assert "sample" in result.stdout
    # the same database as with --db after the subcommand
    assert invoke("decks", "--db", db_path, "--today", TODAY).stdout == result.stdout


def test_an_option_after_the_subcommand_wins_over_one_before(invoke, tmp_path, sample_deck):
    first, second = tmp_path / "first.db", tmp_path / "second.db"
    assert invoke("--db", first, "import", sample_deck, "--db", second, "--today", TODAY).exit_code == 0
    assert second.exists() and not first.exists()


def test_a_global_today_is_checked(invoke, db_path):
    result = invoke("--today", "2026-02-30", "decks", "--db", db_path)
    assert result.exit_code == EXIT_USAGE
    assert "Invalid value for '--today'" in result.stderr


def test_the_config_file_sets_new_cards_per_day_and_flash_config_names_it(invoke, db_path, sample_deck, tmp_path):
    path = config_file(tmp_path, "# my settings\nnew_per_day = 3\n")
    assert invoke("import", sample_deck, "--db", db_path, "--today", TODAY).exit_code == 0
    result = invoke("review", "--db", db_path, "--today", TODAY, input="5\n" * 20)
    assert result.exit_code == 0, result.output
    assert new_cards_shown(db_path) == 3
    shown = invoke("config", "--db", db_path)
    assert shown.exit_code == 0, shown.output
    rows = {line.split("\t")[0]: line.split("\t")[1:] for line in shown.stdout.splitlines()}
    assert rows["new_per_day"] == ["3", "file", f"{path}:2"]
    assert rows["reviews_per_day"] == ["200", "default", ""]
    assert rows["database"] == [str(db_path), "option", "--db"]


def test_precedence_option_over_environment_over_file(invoke, db_path, sample_deck, tmp_path):
    config_file(tmp_path, "new_per_day = 3\n")
    assert invoke("import", sample_deck, "--db", db_path, "--today", TODAY).exit_code == 0
    env = {"FLASH_NEW": "4"}
    shown = invoke("config", env=env)
    assert "new_per_day\t4\tenvironment\tFLASH_NEW" in shown.stdout
    result = invoke("review", "--new", "2", "--db", db_path, "--today", TODAY, input="5\n" * 20, env=env)
    assert result.exit_code == 0, result.output
    assert new_cards_shown(db_path) == 2


def test_the_config_database_is_used(invoke, sample_deck, tmp_path):
    where = tmp_path / "elsewhere.db"
    config_file(tmp_path, f'database = "{where}"\n')
    assert invoke("import", sample_deck, "--today", TODAY).exit_code == 0
    assert where.is_file()
    assert f"database\t{where}\tfile\t" in invoke("config").stdout


@pytest.mark.parametrize("text, message", [
    ("new_per_day = 3\nreviews_per_day = 'many'\n", ":2: reviews_per_day must be a whole number from 0 to 99999"),
    ("new_per_day = 3\n\ncolour = 'blue'\n", ":3: unknown setting 'colour'"),
    ("new_per_day = \n", ":1: "),
    ("day_starts_at = 24\n", ":1: day_starts_at must be a whole number from 0 to 23"),
])
def test_a_bad_config_file_is_one_line_with_its_line(invoke, db_path, sample_deck, tmp_path, text, message):
    path = config_file(tmp_path, text)
    result = invoke("review", "--db", db_path, "--today", TODAY, input="")
    assert result.exit_code == EXIT_ERROR
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert result.stderr.startswith(f"Error: {path}{message}")
    assert "Traceback" not in result.output
    assert not db_path.exists()  # nothing was touched


def test_flash_config_shows_where_the_file_is_looked_for(invoke, tmp_path):
    expected = tmp_path / "xdg-config" / "flashcards" / "config.toml"
    assert invoke("config", "--path").stdout == f"{expected}\n"
    assert invoke("config", "--path", env={"FLASH_CONFIG": str(tmp_path / "my.toml")}).stdout == \
        f"{tmp_path / 'my.toml'}\n"


def test_a_relative_xdg_config_home_is_ignored(invoke, tmp_path):
    from pathlib import Path

    result = invoke("config", "--path", env={"XDG_CONFIG_HOME": "relative/config"})
    assert result.stdout == f"{Path.home() / '.config' / 'flashcards' / 'config.toml'}\n"


def test_a_relative_xdg_data_home_is_ignored(tmp_path):
    from pathlib import Path

    home = tmp_path / "home"
    home.mkdir()
    result = flash_process("config", cwd=tmp_path, env={"XDG_DATA_HOME": "rel", "HOME": str(home)})
    assert result.returncode == 0, result.stderr
    expected = Path(home) / ".local" / "share" / "flashcards" / "flash.db"
    assert "database\t(none)\tdefault\t" in result.stdout
    result = flash_process("decks", cwd=tmp_path, env={"XDG_DATA_HOME": "rel", "HOME": str(home)})
    assert f"no database at {expected} " in result.stderr
    assert not (tmp_path / "rel").exists()


def test_a_db_in_a_folder_that_does_not_exist_is_an_error(invoke, tmp_path, sample_deck):
    typo = tmp_path / "no-such-folder" / "flash.db"
    result = invoke("import", sample_deck, "--db", typo, "--today", TODAY)
    assert result.exit_code == EXIT_ERROR
    assert result.stderr == (f"Error: --db {typo}: the folder {typo.parent} does not exist "
                             "(create it first, or check the path)\n")
    assert not typo.parent.exists()


def test_the_default_database_folder_is_created(invoke, tmp_path, sample_deck):
    result = invoke("import", sample_deck, "--today", TODAY)
    assert result.exit_code == 0, result.output
    assert (tmp_path / "xdg-data" / "flashcards" / "flash.db").is_file()


def test_usage_errors_exit_2(invoke):
    result = invoke("review", "--new", "-1")
    assert result.exit_code == EXIT_USAGE
    assert re.search(r"Invalid value for '--new'", result.stderr)


def test_a_wrong_key_at_the_grade_says_which_keys_there_are(invoke, db_path, sample_deck, tmp_path):
    assert invoke("import", sample_deck, "--db", db_path, "--today", TODAY).exit_code == 0
    term = review_at_a_terminal(db_path, TODAY, tmp_path)
    proc, wait_for, press, close = term.proc, term.wait_for, term.press, term.close
    try:
        wait_for("any key: show answer")
        press(b" ")
        wait_for("Grade 0-5")
        press(b"7")
        wait_for("7 is not a grade: press 0-5, u (undo), b (bury) or q (quit).")
        press(b"x")
        wait_for("x is not a grade:")
        press(b"5")
        wait_for("graded 5")
        press(b"q")
        assert proc.wait(timeout=60) == EXIT_OK
    finally:
        close()


def test_ctrl_c_at_a_terminal_ends_with_the_summary_and_exit_130(invoke, db_path, sample_deck, tmp_path):
    assert invoke("import", sample_deck, "--db", db_path, "--today", TODAY).exit_code == 0
    term = review_at_a_terminal(db_path, TODAY, tmp_path)
    proc, wait_for, press, close = term.proc, term.wait_for, term.press, term.close
    try:
        wait_for("any key: show answer")
        press(b"\x03")
        wait_for("Session interrupted: every grade given so far is saved.")
        assert proc.wait(timeout=60) == EXIT_INTERRUPTED
    finally:
        close()
