"""`flash stats`, `flash suspend`, `flash unsuspend`."""

from __future__ import annotations

from typing import Optional

import click

from ._common import (
    CONTEXT_SETTINGS, ascii_only, common_options, console, is_terminal, json_text, open_store, resolve_today,
)
from .completion import complete_card, complete_deck

targets_argument = click.argument("targets", nargs=-1, required=True, metavar="CARD_OR_ENTRY...",
                                  shell_complete=complete_card)


@click.command(context_settings=CONTEXT_SETTINGS)
@click.option("--deck", metavar="ID", help="Only this deck.", shell_complete=complete_deck)
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON instead of charts.")
@common_options
def stats(deck: Optional[str], as_json: bool, db_path, today) -> None:
    """Your progress: streak, forecast, retention and leeches.

    Also a calendar of reviews a day and counts of cards by state.

    The calendar shows live grades (reviews and same-day drills; undone ones
    never count) a day over the last 26 weeks. Retention is the share of
    scheduled reviews graded 3 or more over the last 30 days, for young and
    mature cards (interval before the review under / at least 21 days), by
    deck and by kind of card. Leeches are cards at the 1.3 E-Factor floor or
    with 8 or more lapses: rewrite their entry. Expected recall today is the
    mean probability of recall of each deck's cards seen, by the deck's
    scheduler (FSRS's forgetting curve; for SM-2, exponential forgetting with
    the interval as the 90% point), with the 10 cards most at risk.

    --json prints the same figures: reviews, streak, calendar, forecast,
    retention, cards, leeches and recall.

    Example: flash stats --deck lesson-04-ai-lifecycle
    """
    from ..render_stats import stats_view
    from ..store.stats import gather

    day = resolve_today(today)
    with open_store(db_path, create=False, write=False) as store:
        store.require_deck(deck)
        figures = gather(store, today=day, deck=deck)
    if as_json:
        click.echo(json_text(figures.to_dict()))
        return
    con = console()
    # piped: the charts in ASCII (a pipe gets no block or box glyphs), tables as rows
    con.print(stats_view(figures, width=con.width, ascii=ascii_only(con) or not is_terminal(con)))


@click.command(context_settings=CONTEXT_SETTINGS)
@targets_argument
@common_options
def suspend(targets: tuple[str, ...], db_path, today) -> None:
    """Suspend cards: never shown in review, SM-2 state kept.

    Each CARD_OR_ENTRY is a card id (deck/entry/kind), an entry (deck/entry:
    all its cards) or an entry id found in one deck. All or nothing: if any
    is unknown, nothing changes. 'flash unsuspend' brings them back.

    Example: flash suspend lesson-04-ai-lifecycle/pre-training-a/term
    """
    _set_suspended(targets, db_path, suspended=True)


@click.command(context_settings=CONTEXT_SETTINGS)
@targets_argument
@common_options
def unsuspend(targets: tuple[str, ...], db_path, today) -> None:
    """Unsuspend cards: back in review with the schedule they had.

    CARD_OR_ENTRY is read as for 'flash suspend'. A card whose due day passed
    while it was suspended is due at once.

    Example: flash unsuspend lesson-04-ai-lifecycle/pre-training-a
    """
    _set_suspended(targets, db_path, suspended=False)


def _set_suspended(targets, db_path, *, suspended: bool) -> None:
    from ..store.stats import set_suspended

    with open_store(db_path, create=False) as store:
        report = set_suspended(store, targets, suspended=suspended)
    verb = "Suspended" if suspended else "Unsuspended"
    n = len(report.changed)
    if n:
        click.echo(f"{verb} {n} card{'s' if n != 1 else ''}: {', '.join(report.changed)}")
    if report.unchanged:
        state = "suspended" if suspended else "not suspended"
        click.echo(f"Already {state}: {', '.join(report.unchanged)}")
