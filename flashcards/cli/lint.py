"""`flash lint`: quality checks on deck files (flashcards/lint.py), as FILE:LINE: MESSAGE."""

from __future__ import annotations

from pathlib import Path

import click

from ._common import CONTEXT_SETTINGS


def _positive(ctx, param, value: int) -> int:
    if value < 1:
        raise click.BadParameter("must be 1 or more", ctx=ctx, param=param)
    return value


@click.command(context_settings=CONTEXT_SETTINGS)
@click.argument("paths", metavar="[PATH]...", nargs=-1, type=click.Path(path_type=Path))
@click.option("--strict", is_flag=True, help="Exit with status 1 when there is any finding.")
@click.option("--max-words", type=int, default=60, show_default=True, callback=_positive,
              help="Longest answer, in words, before it is a finding.")
def lint(paths: tuple[Path, ...], strict: bool, max_words: int) -> None:
    """Check that deck files teach well (the shipped decks without PATH).

    Valid decks can still teach badly. Each finding is FILE:LINE: MESSAGE
    [CHECK], naming the entry: the same question with different answers
    (same-question), two entries with the same or nearly the same answer
    (same-answer), a definition card that contains its term (leak), an
    answer over --max-words words (long-answer), a "Do say" that repeats its
    "Don't say" or the buyer's line (phrase-echo), text that says nothing
    (empty-text), an analog answer made of its question's words
    (analog-echo). Decks given together are checked together. Exit status 0,
    or 1 with --strict when there are findings (or a deck is invalid).

    Example: flash lint --strict decks/
    """
    from ..decks import load_decks, shipped_decks_dir
    from ..lint import lint_decks

    decks = load_decks(paths or [shipped_decks_dir()])  # an invalid deck is an error (exit 1)
    findings = lint_decks(decks, max_words=max_words)
    for finding in findings:
        click.echo(str(finding))
    count = len(decks)
    what = f"{count} deck{'s' if count != 1 else ''}"
    if not findings:
        click.echo(f"OK: no findings in {what}.")
        return
    files = len({f.path for f in findings})
    summary = (f"{len(findings)} finding{'s' if len(findings) != 1 else ''} in "
               f"{files} file{'s' if files != 1 else ''} ({what} checked).")
    if strict:
        raise click.ClickException(summary)
    click.echo(summary)
