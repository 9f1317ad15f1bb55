"""`flash scheduler` (which scheduler grades a deck) and `flash optimize` (fit FSRS to your log)."""

from __future__ import annotations

from typing import Optional

import click

from ._common import CONTEXT_SETTINGS, common_options, open_store, resolve_today


def _describe(setting) -> str:
    if setting.name == "sm2":
        return "sm2"
    parameters = "fitted parameters" if setting.parameters_id is not None else "default parameters"
    return f"fsrs (desired retention {setting.desired_retention:g}, {parameters})"


@click.command(context_settings=CONTEXT_SETTINGS)
@click.argument("deck", required=False)
@click.argument("name", required=False, type=click.Choice(["sm2", "fsrs"]), metavar="[sm2|fsrs]")
@click.option("--retention", type=float, metavar="R",
              help="FSRS's desired retention: the recall probability when a card falls due (0.7-0.99, default 0.9).")
@click.option("--reschedule", is_flag=True,
              help="Also move due dates to the ones the new scheduler gives (default: due dates stay).")
@common_options
def scheduler(deck: Optional[str], name: Optional[str], retention: Optional[float], reschedule: bool,
              db_path, today) -> None:
    """Show or choose the scheduler of a deck: sm2 (the default) or fsrs.

    With no NAME, print the scheduler of DECK (of every deck without DECK).
    Switching replays each card's review log into the new scheduler's memory
    and keeps every due date, unless --reschedule: then each card is due when
    the new scheduler would have put it at its last review (cards past that
    day are due at once). Switching back to sm2 replays SM-2 exactly.

    Example: flash scheduler lesson-04-ai-lifecycle fsrs --retention 0.9
    """
    day = resolve_today(today)
    if name is None:
        if retention is not None or reschedule:
            raise click.UsageError("--retention and --reschedule need a scheduler: flash scheduler DECK fsrs ...")
        with open_store(db_path, create=False) as store:
            store.require_deck(deck)
            for deck_id in [deck] if deck else store.deck_ids():
                click.echo(f"{deck_id}: {_describe(store.deck_scheduler(deck_id))}")
        return
    if name == "sm2" and retention is not None:
        raise click.BadParameter("SM-2 has no desired retention; --retention is for fsrs", param_hint="'--retention'")
    if retention is not None:
        from ..schedulers.fsrs import check_retention

        try:
            check_retention(retention)
        except ValueError as exc:
            raise click.BadParameter(str(exc), param_hint="'--retention'") from exc
    with open_store(db_path, create=False) as store:
        report = store.set_scheduler(deck, name, today=day, desired_retention=retention, reschedule=reschedule)
    due = f"{report.moved} due date{'s' if report.moved != 1 else ''} moved" if reschedule else "due dates kept"
    click.echo(f"{report.deck_id}: {_describe(report.before)} -> {_describe(report.after)}; "
               f"{report.cards} card{'s' if report.cards != 1 else ''} re-derived from "
               f"{report.reviews} review{'s' if report.reviews != 1 else ''}, {due}")
