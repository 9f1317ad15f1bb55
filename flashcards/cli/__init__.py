"""The ``flash`` command line: thin click commands over the library.

Commands live in modules of this package and are imported only when used,
so ``flash --help`` stays fast. Library errors (``FlashcardsError``) become
one-line ``Error: ...`` messages with exit status 1.
"""

from __future__ import annotations

import importlib

import click

from .. import __version__
from ._common import CONTEXT_SETTINGS, global_options

# exit statuses, as documented (flash --help, the docs' exit-code table); 141: standard output
# was a pipe whose reader stopped reading (flash cards | head -1), see _output
EXIT_OK, EXIT_ERROR, EXIT_USAGE, EXIT_INTERRUPTED, EXIT_BROKEN_PIPE = 0, 1, 2, 130, 141

# command name -> "module:attribute", in the order `flash --help` lists them
COMMANDS = {
    "review": "flashcards.cli.review:review",
    "undo": "flashcards.cli.review:undo",
    "import": "flashcards.cli.decks:import_",
    "validate": "flashcards.cli.decks:validate",
    "lint": "flashcards.cli.lint:lint",
    "decks": "flashcards.cli.decks:decks",
    "cards": "flashcards.cli.decks:cards",
    "build": "flashcards.cli.build:build",
    "stats": "flashcards.cli.stats:stats",
    "suspend": "flashcards.cli.stats:suspend",
    "unsuspend": "flashcards.cli.stats:unsuspend",
    "scheduler": "flashcards.cli.schedulers:scheduler",
    "optimize": "flashcards.cli.schedulers:optimize",
    "export": "flashcards.cli.export:export",
    "quiz": "flashcards.cli.quiz:quiz",
    "db": "flashcards.cli.db:db",
    "config": "flashcards.cli.config:config",
}


class FlashGroup(click.Group):
    """A group that loads its commands lazily and turns library errors into click errors."""

    def main(self, *args, **kwargs):
        import sys

        from . import _output
        from ._common import fall_back_to_ascii

        # before anything is printed (help and errors included): no glyph may crash an
        # ASCII or Latin-1 terminal
        fall_back_to_ascii(sys.stdout, sys.stderr)
        if sys.stdout is None:  # started with standard output closed (flash cards >&-): do nothing
            _output.refuse_closed()
        _output.watch()
        try:
            return super().main(*args, **kwargs)
        except _output.StdoutFailed as failed:
            _output.report(failed.error)
        except SystemExit:
            error = _output.failing()  # what is still buffered, written now, while an error can be said
            if error is not None:
                _output.report(error)
            raise

    def make_context(self, info_name, args, parent=None, **extra):
        from . import _output

        try:  # --help and --version print while the arguments are parsed
            return super().make_context(info_name, args, parent=parent, **extra)
        except OSError as exc:
            error = _output.failing()
            if error is None:
                raise
            raise _output.StdoutFailed(error) from exc

    def resolve_command(self, ctx, args):
        name = click.utils.make_str(args[0]) if args else ""
        if args and name not in COMMANDS and not name.startswith("-"):
            import difflib

            close = difflib.get_close_matches(name, list(COMMANDS), n=2, cutoff=0.6)
            hint = f" Did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
            ctx.fail(f"No such command {name!r}.{hint}")
        return super().resolve_command(ctx, args)

    def list_commands(self, ctx):
        return list(COMMANDS)

    def get_command(self, ctx, name):
        target = COMMANDS.get(name)
        if target is None:
            return None
        module, attr = target.split(":")
        return getattr(importlib.import_module(module), attr)

    def invoke(self, ctx):
        import sqlite3

        from ..errors import DeckError, FlashcardsError, inert

        try:
            return super().invoke(ctx)
        except DeckError as exc:
            raise click.ClickException(f"{problem_count(exc.problems)}:\n{exc}") from exc
        except FlashcardsError as exc:
            raise click.ClickException(inert(str(exc))) from exc
        except sqlite3.Error as exc:  # a path the store did not translate: still one line, no traceback
            raise click.ClickException(inert(f"database error: {exc}")) from exc
        except KeyboardInterrupt:  # Ctrl-C outside review (which ends with its summary itself)
            click.echo("Interrupted.", err=True)
            raise click.exceptions.Exit(EXIT_INTERRUPTED) from None
        except OSError as exc:  # standard output failing, or e.g. a path too long for the file system
            from . import _output

            error = _output.failing()
            if error is not None:
                raise _output.StdoutFailed(error) from exc
            where = f"{exc.filename}: " if exc.filename else ""
            raise click.ClickException(inert(f"{where}{exc.strerror or exc}")) from exc


def problem_count(problems) -> str:
    """'3 problems in 2 files'."""
    files = len({p.path for p in problems})
    return (f"{len(problems)} problem{'s' if len(problems) != 1 else ''} "
            f"in {files} file{'s' if files != 1 else ''}")


@click.group(cls=FlashGroup, context_settings=CONTEXT_SETTINGS)
@click.version_option(version=__version__, prog_name="flash")
@global_options
def cli():
    """Spaced-repetition flashcards for sales-enablement lessons.

    Review the shipped decks every day with SM-2 scheduling, export them to
    Anki, and run certification quizzes.

    Every command takes --db PATH (env FLASH_DB) and --today YYYY-MM-DD
    (env FLASH_TODAY), after the command or before it (flash --db X decks).
    Settings: flash config. Exit status: 0 ok, 1 error, 2 usage error,
    130 interrupted, 141 output pipe closed by its reader (flash cards | head).

    Example: flash review
    """
