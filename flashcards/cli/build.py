"""`flash build`: lesson documents -> a draft deck file."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import click

from ._common import CONTEXT_SETTINGS, console, unused_common_options


def _check_id(ctx, param, value: Optional[str]) -> Optional[str]:
    from ..decks import ID_PATTERN, ID_RULE

    if value is not None and not ID_PATTERN.match(value):
        raise click.BadParameter(f"'{value}' is not a valid id ({ID_RULE})", ctx=ctx, param=param)
    return value


@click.command(context_settings=CONTEXT_SETTINGS)
@click.argument("lessons", metavar="LESSON...", nargs=-1, required=True,
                type=click.Path(path_type=Path))  # checked by the builder: one line, exit 1
@click.option("-o", "--output", type=click.Path(path_type=Path),
              help="Deck file to write. [default: decks/ID.yaml]")
@click.option("--id", "deck_id", metavar="ID", callback=_check_id,
              help="Deck id. [default: from the lesson title]")
@click.option("--name", metavar="NAME", help="Deck name. [default: the lesson title]")
@click.option("--force", is_flag=True, help="Overwrite the output file if it exists.")
@unused_common_options
def build(lessons: tuple[Path, ...], output: Optional[Path], deck_id: Optional[str],
          name: Optional[str], force: bool, db_path, today) -> None:
    """Turn lesson documents (plain text or Markdown) into a draft deck.

    Finds terms (a heading, then "What it is:", "What it does:", "Who's
    behind it:", "What makes it distinct:"), phrase pairs (tables with "Don't
    say" and "Do say" columns; a "Don't say" line in the buyer's voice, or a
    "The buyer says" column, becomes a buyer line) and Okta analogs (the
    comparison sentence names the concept and the analog; the rest is where
    it holds and where it breaks). Several lessons merge into one deck; exact
    duplicates are merged. Prints what it found and, as FILE:LINE: REASON,
    everything it could not place, each prose section no entry uses, and the
    draft's `flash lint` findings. Review the draft, then validate and import
    it.

    Example: flash build lessons/lesson-07.md --id lesson-07-passwordless
    """
    from rich.markup import escape
    from rich.table import Table

    from ..build import build_deck, deck_to_yaml, draft_header
    from ..decks import parse_deck
    from .._files import output_target, write_atomically
    from ..errors import BuildError
    from ..lint import lint_decks

    result = build_deck(list(lessons), deck_id=deck_id, name=name)
    out = output if output is not None else Path("decks") / f"{result.deck.id}.yaml"

    table = Table(title=f"Deck {escape(result.deck.id)}", title_justify="left")
    table.add_column("lesson")
    for heading in ("terms", "phrase pairs", "analogs", "skipped", "unused"):
        table.add_column(heading, justify="right")
    for lesson in result.lessons:
        table.add_row(escape(Path(lesson.path).name), str(lesson.terms), str(lesson.phrases),
                      str(lesson.analogs), str(lesson.skipped), str(lesson.unused))
    if len(result.lessons) > 1:
        table.add_section()
        table.add_row("deck", str(result.terms), str(result.phrases), str(result.analogs),
                      str(len(result.skipped)), str(len(result.unused)))

    if not result.deck.entries:
        console().print(table)
        for note in result.skipped + result.unused:
            click.echo(str(note))
        raise click.ClickException("found no terms, phrase tables or analogs: nothing to write")
    output_target(out, error=BuildError)  # a folder, device or FIFO is refused, --force or not
    if out.exists() and not force:
        raise click.ClickException(f"{out} exists (use --force to overwrite)")

    text = deck_to_yaml(result.deck, header=draft_header(result))
    _deck, problems = parse_deck(text, str(out))
    if problems:  # a bug in the builder: never write a deck that does not validate
        raise BuildError("the built deck does not validate:\n"
                              + "\n".join(str(p) for p in problems))
    write_atomically(out, text, error=BuildError)

    console().print(table)
    if result.duplicates_merged:
        n = result.duplicates_merged
        click.echo(f"{n} exact duplicate{'s' if n != 1 else ''} merged.")
    if result.skipped:
        click.echo("Not placed in any entry:")
        for note in result.skipped:
            click.echo(str(note))
    if result.unused:
        n = len(result.unused)
        click.echo(f"Prose no entry uses ({n} section{'s' if n != 1 else ''}; add cards for what "
                   "matters, or leave it out):")
        for note in result.unused:
            click.echo(str(note))
    findings = lint_decks([_deck])
    if findings:
        click.echo(f"Lint: {len(findings)} finding{'s' if len(findings) != 1 else ''} in the draft "
                   "(fix them while you review it; flash lint lists them again):")
        for finding in findings:
            click.echo(str(finding))
    else:
        click.echo("Lint: no findings in the draft.")
    click.echo(f"Wrote {out}. Review it, then: flash validate {out} && flash import {out}")
