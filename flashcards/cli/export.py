"""``flash export``: decks to other tools (Anki packages)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Optional

import click

from ._common import CONTEXT_SETTINGS, common_options, console, default_deck_paths, default_exports_dir


@click.group(context_settings=CONTEXT_SETTINGS)
def export():
    """Export decks to other tools.

    Example: flash export anki
    """


@export.command(context_settings=CONTEXT_SETTINGS)
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path, readable=False), metavar="[PATH]...")
@click.option(
    "-o", "--output", "out", type=click.Path(path_type=Path), metavar="FILE",
    help="Write one package holding every deck to FILE (.apkg). "
    "[default: $XDG_DATA_HOME/flashcards/exports/<deck id>.apkg, one per deck]",
)
@click.option(
    "--deck-tags", is_flag=True,
    help="Also put the deck's own tags on every note (beneath flashcards::<deck id>::<kind>).",
)
@common_options
def anki(paths: tuple[Path, ...], out: Optional[Path], deck_tags: bool, db_path, today):
    """Write decks as Anki packages for Anki, AnkiDroid and AnkiMobile.

    PATH is a deck file or a folder of them (default: the shipped decks). Each
    deck becomes the Anki deck "<name>" (terms first, then "::Analogs" and
    "::Phrases"), holding each entry's first card, and "<name> (follow-up)" with
    the entries' other cards.
    Re-importing a later export updates the notes in place and keeps Anki's
    progress. The database (--db) remembers what each export wrote, whatever
    the path: a note whose content did not change keeps its time, so Anki
    leaves it and your own tags on it alone; a changed note is stamped now, or
    one second after the deck's last export if that is later, so it is always
    newer. Entries that the package being replaced had and the deck no longer
    has come back tagged flashcards::removed. Set SOURCE_DATE_EPOCH only to
    check byte-identical builds: it becomes the time of changed notes.
    --today is accepted but unused.

    Example: flash export anki decks/ -o lesson-04.apkg
    """
    from ..anki import source_date_epoch, write_packages
    from ..decks import load_decks
    from ..store.anki_stamps import load_memory, remember
    from ._common import open_store

    decks = load_decks(paths or default_deck_paths())
    timestamp = source_date_epoch(os.environ)
    with open_store(db_path) as store:
        store.check_writable()  # before any package is written: the stamps must be kept
        memory = load_memory(store, [d.id for d in decks])
        reports = write_packages(decks, out=out, out_dir=default_exports_dir(), timestamp=timestamp,
                                 deck_tags=deck_tags, memory=memory)
        remember(store, [r.stamps for r in reports if r.stamps is not None])
    render_reports(reports, console())
    for warning in dict.fromkeys(w for r in reports for w in r.warnings):
        click.echo(f"Warning: {warning}", err=True)


def render_reports(reports, out) -> None:
    """One table per package written: its Anki decks with notes and cards, and totals."""
    from rich import box
    from rich.filesize import decimal
    from rich.table import Table

    packages: dict[Path, list] = {}
    for report in reports:
        packages.setdefault(report.path, []).append(report)
    for path, package in packages.items():
        notes = sum(r.notes for r in package)
        cards = sum(r.cards for r in package)
        out.print(f"Wrote {path} ({decimal(package[0].bytes)})", soft_wrap=True, markup=False)
        table = Table(box=box.SIMPLE, show_footer=True)
        table.add_column("Anki deck", footer="Total", overflow="fold")
        table.add_column("Notes", justify="right", footer=str(notes))
        table.add_column("Cards", justify="right", footer=str(cards))
        for report in package:
            for sub in report.subdecks:
                table.add_row(sub.name, str(sub.notes), str(sub.cards))
        out.print(table)
        changed = sum(r.stamps.changed for r in package if r.stamps is not None)
        written = sum(len(r.stamps.notes) for r in package if r.stamps is not None)
        out.print(f"{changed} of {written} notes new or changed since this database's last export "
                  "(the others keep their time, and Anki keeps your tags on them)", soft_wrap=True, markup=False)
        removed = sum(r.removed for r in package)
        if removed:
            out.print(
                f"{removed} removed {'entry' if removed == 1 else 'entries'} written again, tagged "
                "flashcards::removed: in Anki, search tag:flashcards::removed and suspend or delete them.",
                soft_wrap=True, markup=False,
            )
