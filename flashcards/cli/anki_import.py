"""``flash import --anki FILE``: reviews given in Anki brought into the review log."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Optional

import click

from ..text import inert
from ._common import console, open_store


def import_anki(path: Path, db_path: Optional[Path]) -> None:
    """Read the Anki file, map its answers to our cards, append the new ones, and say what happened."""
    from ..anki_import import BUTTONS, known_entries, plan_import, read_anki_file
    from ..clock import parse_day_start
    from ..store.anki_log import add_anki_reviews, known_cards

    try:
        day_start = parse_day_start(os.environ.get("FLASH_DAY_STARTS_AT"))
    except ValueError as exc:
        raise click.UsageError(f"FLASH_DAY_STARTS_AT: {exc}") from None
    log = read_anki_file(path)  # a bad file stops here, before the database is opened
    with open_store(db_path, create=False) as store:
        plan = plan_import(log, known_entries(known_cards(store)), day_start_hour=day_start)
        report = add_anki_reviews(store, plan.reviews)
    out = console()
    out.print(f"Read {path} ({log.layout}): {plan.answers} answers in Anki's review log.",
              soft_wrap=True, markup=False)
    out.print(f"Mapped {len(plan.reviews)} of {plan.answers} to flash cards: {report.added} added to the log, "
              f"{report.already} already there from an earlier import; {report.cards} "
              f"card{'s' if report.cards != 1 else ''} re-derived from {'their' if report.cards != 1 else 'its'} "
              f"merged log.", soft_wrap=True, markup=False)
    if plan.removed:
        out.print(f"{plan.removed} of them are of entries removed from their deck (kept in their retired cards' "
                  "history).", soft_wrap=True, markup=False)
    for reason, count in sorted(plan.skipped.items()):
        out.print(f"Not imported: {count} {'answer' if count == 1 else 'answers'} {reason}.", soft_wrap=True,
                  markup=False)
    for ref, count in sorted(plan.unknown_entries.items()):
        out.print(f"  {inert(ref)}: {count}", soft_wrap=True, markup=False)  # a field of the Anki file
    out.print(f"Buttons: {', '.join(f'{name} -> grade {grade}' for name, grade in _grades(BUTTONS))}. "
              f"The log now holds {report.anki_total} reviews from Anki.", soft_wrap=True, markup=False)


def _grades(buttons):
    from ..anki_import import ANKI_GRADES

    return [(buttons[ease], grade) for ease, grade in ANKI_GRADES.items()]
