"""`flash scheduler` (which scheduler grades a deck) and `flash optimize` (fit FSRS to your log)."""

from __future__ import annotations

from typing import Optional

import click

from ._common import CONTEXT_SETTINGS, common_options, now, open_store, resolve_today
from .completion import complete_deck


def _describe(setting) -> str:
    if setting.name == "sm2":
        return "sm2"
    parameters = "fitted parameters" if setting.parameters_id is not None else "default parameters"
    return f"fsrs (desired retention {setting.desired_retention:g}, {parameters})"


@click.command(context_settings=CONTEXT_SETTINGS)
@click.argument("deck", required=False, shell_complete=complete_deck)
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
        with open_store(db_path, create=False, write=False) as store:
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
    click.echo(switch_line(report, reschedule=reschedule))


def switch_line(report, *, reschedule: bool) -> str:
    """'one: sm2 -> fsrs (desired retention 0.9, default parameters); 2 cards re-derived from 4 reviews, ...'"""
    due = f"{report.moved} due date{'s' if report.moved != 1 else ''} moved" if reschedule else "due dates kept"
    return (f"{report.deck_id}: {_describe(report.before)} -> {_describe(report.after)}; "
            f"{report.cards} card{'s' if report.cards != 1 else ''} re-derived from "
            f"{report.reviews} review{'s' if report.reviews != 1 else ''}, {due}")


_LABELS = {"sm2": "SM-2", "fsrs-default": "FSRS, default", "fsrs-fitted": "FSRS, fitted"}


@click.command(context_settings=CONTEXT_SETTINGS)
@click.option("--dry-run", is_flag=True, help="Print the comparison; store nothing.")
@click.option("--json", "as_json", is_flag=True, help="Print the figures and parameters as JSON.")
@common_options
def optimize(dry_run: bool, as_json: bool, db_path, today) -> None:
    """Fit FSRS's parameters to your own review log, and compare the schedulers on it.

    The log is split by time: FSRS is fitted on the earliest 80% of your
    reviews, then SM-2, FSRS with its default parameters and FSRS fitted
    predict the latest 20%, each review from what the card went through
    before it. Printed: log loss and RMSE(bins), lower is better (the
    measures of srs-benchmark). The parameters fitted on the whole log are
    then stored; they grade every deck on FSRS from then on (memory
    re-derived from the log, due dates kept). It takes 400 reviews that
    follow an earlier review of the same card; with fewer, it says so and
    keeps the defaults. Needs the optimizer extra:
    pip install 'flashdeck[optimizer]'.

    Example: flash optimize --dry-run
    """
    from ..optimize import MIN_REVIEWS, histories, require_optimizer
    from ..optimize import optimize as run

    day = resolve_today(today)
    with open_store(db_path, create=False, write=not dry_run) as store:  # a dry run only reads
        cards = histories(store.scheduled_log())
        if sum(max(0, len(r) - 1) for r in cards.values()) >= MIN_REVIEWS:
            require_optimizer()  # a missing extra is said before any work
        report = run(cards)
        stored = None
        if report.enough and not dry_run:
            stored = store.store_parameters(report.parameters, reviews=report.reviews, report=report.to_dict(),
                                            today=day, now=now())
        fsrs_decks = [d for d, s in store.deck_schedulers().items() if s.name == "fsrs"]
    if as_json:
        from ._common import json_text

        click.echo(json_text(dict(report.to_dict(), stored=stored is not None)))
        return
    if report.enough:
        click.echo(f"FSRS fitted to {report.reviews:,} reviews of {report.cards:,} cards.")
    else:
        click.echo(f"Only {report.reviews:,} review{'s' if report.reviews != 1 else ''} follow an earlier review "
                   f"of the same card; FSRS needs {MIN_REVIEWS} to fit its parameters: keeping the defaults.")
    if report.scores:
        held = next(iter(report.scores.values())).reviews
        click.echo(f"Held out: the {held:,} reviews from {report.split_day.isoformat()} on, "
                   f"each predicted from the card's reviews before it.")
        click.echo("")
        click.echo(f"{'':<15}{'log loss':>10}{'RMSE(bins)':>12}")
        for name, s in report.scores.items():
            click.echo(f"{_LABELS[name]:<15}{s.log_loss:>10.4f}{s.rmse_bins:>12.4f}")
        click.echo("")
    if not report.enough:
        return
    if dry_run:
        click.echo("Dry run: nothing stored.")
        return
    decks = (f"{len(fsrs_decks)} deck{'s' if len(fsrs_decks) != 1 else ''} on FSRS, {stored:,} "
             f"card{'s' if stored != 1 else ''} re-derived, due dates kept" if fsrs_decks
             else "no deck is on FSRS yet: 'flash scheduler DECK fsrs' moves one")
    click.echo(f"Stored the parameters fitted on all {report.reviews:,} reviews; they grade every FSRS deck "
               f"from now on ({decks}).")
