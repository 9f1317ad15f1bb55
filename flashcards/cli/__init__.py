"""The ``flash`` command line: thin click commands over the library.

Commands live in modules of this package and are imported only when used,
so ``flash --help`` stays fast. Library errors (``FlashcardsError``) become
one-line ``Error: ...`` messages with exit status 1.
"""

from __future__ import annotations

import importlib

import click

from ._common import CONTEXT_SETTINGS

# command name -> "module:attribute", in the order `flash --help` lists them
COMMANDS = {
    "review": "flashcards.cli.review:review",
    "import": "flashcards.cli.decks:import_",
    "validate": "flashcards.cli.decks:validate",
    "lint": "flashcards.cli.lint:lint",
    "decks": "flashcards.cli.decks:decks",
    "cards": "flashcards.cli.decks:cards",
    "build": "flashcards.cli.build:build",
    "stats": "flashcards.cli.stats:stats",
    "suspend": "flashcards.cli.stats:suspend",
    "unsuspend": "flashcards.cli.stats:unsuspend",
    "export": "flashcards.cli.export:export",
    "quiz": "flashcards.cli.quiz:quiz",
}


class FlashGroup(click.Group):
    """A group that loads its commands lazily and turns library errors into click errors."""

    def list_commands(self, ctx):
        return list(COMMANDS)

    def get_command(self, ctx, name):
        target = COMMANDS.get(name)
        if target is None:
            return None
        module, attr = target.split(":")
        return getattr(importlib.import_module(module), attr)

    def invoke(self, ctx):
        from ..errors import DeckError, FlashcardsError

        try:
            return super().invoke(ctx)
        except DeckError as exc:
            raise click.ClickException(f"{problem_count(exc.problems)}:\n{exc}") from exc
        except FlashcardsError as exc:
            raise click.ClickException(str(exc)) from exc


def problem_count(problems) -> str:
    """'3 problems in 2 files'."""
    files = len({p.path for p in problems})
    return (f"{len(problems)} problem{'s' if len(problems) != 1 else ''} "
            f"in {files} file{'s' if files != 1 else ''}")


@click.group(cls=FlashGroup, context_settings=CONTEXT_SETTINGS)
@click.version_option(package_name="flashcards", prog_name="flash")
def cli():
    """Spaced-repetition flashcards for sales-enablement lessons.

    Review the shipped decks every day with SM-2 scheduling, export them to
    Anki, and run certification quizzes.

    Every command takes --db PATH (env FLASH_DB) and --today YYYY-MM-DD
    (env FLASH_TODAY).

    Example: flash review
    """
