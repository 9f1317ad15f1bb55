"""Every command is documented: help text with an example, and --help that works.

The commands are read from the group itself (flashcards.cli.COMMANDS, loaded
lazily), so a command added later is checked without editing this file.
"""

from __future__ import annotations

from importlib.metadata import version

import click
import pytest

import flashcards
from flashcards.cli import COMMANDS, cli


def walk(command: click.Command, path: tuple[str, ...] = ()):
    """Yield (path, command) for ``command`` and every subcommand below it."""
    yield path, command
    if isinstance(command, click.Group):
        ctx = click.Context(command)
        for name in command.list_commands(ctx):
            sub = command.get_command(ctx, name)
            assert sub is not None, f"{' '.join(path + (name,))} is listed but cannot be loaded"
            yield from walk(sub, path + (name,))


def commands_under(name: str):
    ctx = click.Context(cli)
    command = cli.get_command(ctx, name)
    assert command is not None, f"COMMANDS[{name!r}] = {COMMANDS[name]!r} does not load"
    return list(walk(command, (name,)))


def test_the_group_lists_what_commands_registers():
    assert cli.list_commands(click.Context(cli)) == list(COMMANDS)
    assert {"review", "import", "validate", "decks", "cards"} <= set(COMMANDS)


@pytest.mark.parametrize("name", list(COMMANDS))
def test_every_command_has_help_with_an_example(name):
    for path, command in commands_under(name):
        label = " ".join(path)
        assert command.help, f"flash {label} has no help text"
        assert "Example" in command.help, f"flash {label}: its help has no example"
        assert command.get_short_help_str(), f"flash {label} has no short help"


@pytest.mark.parametrize("name", list(COMMANDS))
def test_every_command_help_exits_zero(runner, name):
    for path, command in commands_under(name):
        for flag in ("--help", "-h"):
            result = runner.invoke(cli, list(path) + [flag])
            assert result.exit_code == 0, (path, flag, result.output)
            assert result.stdout.startswith("Usage: "), (path, result.stdout)
            assert "Example" in result.stdout, path
        for param in command.params:
            if isinstance(param, click.Option) and not param.hidden:
                assert param.help, f"flash {' '.join(path)} {param.opts[0]} has no help text"


def test_group_help_lists_every_command(runner):
    result = runner.invoke(cli, ["--help"])
    assert result.exit_code == 0
    assert result.stdout.startswith("Usage: ")
    assert "Example: flash review" in result.stdout
    listed = result.stdout.split("Commands:", 1)[1]
    for name in COMMANDS:
        assert f"\n  {name} " in listed, name


def test_short_help_flag(runner):
    assert runner.invoke(cli, ["-h"]).stdout == runner.invoke(cli, ["--help"]).stdout


def test_version(runner):
    result = runner.invoke(cli, ["--version"])
    assert result.exit_code == 0
    assert result.stdout == f"flash, version {flashcards.__version__}\n"
    # the installed distribution (named flashdeck on PyPI) carries the same one version
    assert version("flashdeck") == flashcards.__version__


def test_unknown_command(runner):
    result = runner.invoke(cli, ["frobnicate"])
    assert result.exit_code == 2
    assert "No such command 'frobnicate'" in result.stderr
