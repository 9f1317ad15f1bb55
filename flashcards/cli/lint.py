"""`flash lint`: quality checks on deck files (flashcards/lint.py), as FILE:LINE: MESSAGE."""

from __future__ import annotations

from pathlib import Path

import click

from ._common import CONTEXT_SETTINGS, default_deck_paths


class _Files(click.Option):
    """A repeatable option that also takes the words after it, up to the next option or "--",
    so ``--sources lessons/*.txt`` reads every file the shell expands."""

    def add_to_parser(self, parser, ctx):
        result = super().add_to_parser(parser, ctx)
        for name in self.opts:
            option = parser._long_opt.get(name) or parser._short_opt.get(name)
            if option is not None:
                previous = option.process

                def process(value, state, previous=previous):
                    previous(value, state)
                    while state.rargs and not state.rargs[0].startswith("-"):
                        previous(state.rargs.pop(0), state)

                option.process = process
        return result


def _positive(ctx, param, value: int) -> int:
    if value < 1:
        raise click.BadParameter("must be 1 or more", ctx=ctx, param=param)
    return value


@click.command(context_settings=CONTEXT_SETTINGS)
@click.argument("paths", metavar="[PATH]...", nargs=-1, type=click.Path(path_type=Path))
@click.option("--strict", is_flag=True, help="Exit with status 1 when there is any finding.")
@click.option("--max-words", type=int, default=60, show_default=True, callback=_positive,
              help="Longest answer, in words, before it is a finding.")
@click.option("--sources", "sources", cls=_Files, multiple=True, metavar="FILE...",
              type=click.Path(path_type=Path, exists=True, dir_okay=False),
              help="Source documents: every figure and name in an answer must occur in one of its "
                   "entry's sources (ungrounded). Takes the files after it up to the next option or '--'. "
                   "Without it, a deck's own 'sources:' list is used.")
def lint(paths: tuple[Path, ...], strict: bool, max_words: int, sources: tuple[Path, ...]) -> None:
    """Check that deck files teach well (the shipped decks without PATH).

    Valid decks can still teach badly. Each finding is FILE:LINE: MESSAGE
    [CHECK], naming the entry: the same question with different answers
    (same-question), two entries with the same or nearly the same answer
    (same-answer), a definition card that contains its term (leak), an
    answer over --max-words words (long-answer), a "Do say" that repeats its
    "Don't say" or the buyer's line (phrase-echo), text that says nothing
    (empty-text), an analog answer made of its question's words
    (analog-echo), a figure or name in no source (ungrounded), alike answers
    to different questions (interference), part of the answer on a definition
    card's front (part-leak), an open prompt with several sentences
    (several-facts), a list of three or more items (enumeration), a "Don't
    say" in the buyer's voice (speaker). Decks given together are checked
    together. Exit status 0, or 1 with --strict when there are findings (or a
    deck or source is unreadable).

    Example: flash lint --strict --sources lessons/*.txt -- decks/
    """
    from ..decks import load_decks
    from ..errors import inert
    from ..lint import lint_decks

    from ..heap import long_lived

    decks = load_decks(paths or default_deck_paths())  # an invalid deck is an error (exit 1)
    with long_lived():
        findings = lint_decks(decks, max_words=max_words, sources=list(sources))  # an unreadable source: exit 1
        if findings:  # one write, not one per finding: a large deck has thousands
            click.echo("\n".join(inert(str(finding)) for finding in findings))
    count = len(decks)
    what = f"{count} deck{'s' if count != 1 else ''}"
    advisory = sum(f.advisory for f in findings)
    note = f" ({advisory} advisory finding{'s' if advisory != 1 else ''} above)" if advisory else ""
    blocking = [f for f in findings if not f.advisory]
    if not blocking:
        click.echo(f"OK: no findings in {what}{note}.")
        return
    files = len({f.path for f in blocking})
    summary = (f"{len(blocking)} finding{'s' if len(blocking) != 1 else ''} in "
               f"{files} file{'s' if files != 1 else ''} ({what} checked){note}.")
    if strict:
        raise click.ClickException(summary)
    click.echo(summary)
