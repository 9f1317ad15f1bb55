"""`flash import`, `flash validate`, `flash decks`, `flash cards`."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import click

from ._common import (
    CONTEXT_SETTINGS, common_options, console, default_deck_paths, is_terminal, json_text, open_store, resolve_today,
    setting_option, unused_common_options,
)
from .completion import complete_deck

# readable=False: an unreadable file or folder is reported by the deck reader (one problem, exit 1)
paths_argument = click.argument("paths", nargs=-1, required=True,
                                type=click.Path(path_type=Path, readable=False))


@click.command("import", context_settings=CONTEXT_SETTINGS)
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path, readable=False))
@click.option(
    "--anki", "anki_file", type=click.Path(path_type=Path, readable=False), metavar="FILE",
    help="Instead of decks, add the reviews given in Anki to the log: FILE is a deck package "
    "exported with scheduling (.apkg) or a collection (.colpkg).",
)
@common_options
def import_(paths, anki_file, db_path, today) -> None:
    """Validate deck files (or folders of them) and bring the database in line.

    New entries add cards, edited entries update them and keep their review
    history, removed entries retire theirs (history kept; it returns if the
    entry does). All or nothing: if any deck is invalid, nothing changes.
    Without PATHS, the decks shipped with flashcards are imported (after an
    upgrade, this brings their new and edited entries in).

    With --anki FILE, the answers given in Anki (or AnkiDroid, AnkiMobile) to
    our notes are added to the review log instead (Again, Hard, Good, Easy as
    grades 1, 3, 4, 5), each once however often FILE is imported, and the
    cards they touch are re-scheduled from their whole log.

    Example: flash import decks/   or   flash import --anki phone.colpkg
    """
    if anki_file is not None:
        if paths:
            raise click.UsageError("give either deck PATHS or --anki FILE, not both")
        from .anki_import import import_anki

        import_anki(anki_file, db_path)
        return
    from ..decks import load_decks
    from ..render import sync_table

    from ..heap import long_lived

    day = resolve_today(today)
    decks = load_decks(paths or default_deck_paths())  # raises DeckError before the database is touched
    with long_lived():
        with open_store(db_path) as store:
            reports = store.sync(decks, today=day)
            switches = store.apply_deck_schedulers(decks, today=day)
        console().print(sync_table(reports, title=f"Imported {len(reports)} deck{'s' if len(reports) != 1 else ''}"))
        for switch in switches:
            from .schedulers import switch_line

            click.echo(f"Scheduler from the deck file: {switch_line(switch, reschedule=False)}")
        click.echo(lint_line(decks, paths))


def lint_line(decks, paths) -> str:
    """One line for `flash import`: how many findings the checks of single entries have, and how to
    see them with the checks across entries and against sources, which are flash lint's."""
    import shlex

    from ..lint import ADVISORY, CHECKS, DECK_WIDE, lint_decks

    findings = lint_decks(decks, checks=[c for c in CHECKS if c not in ADVISORY and c not in DECK_WIDE])
    n = len(findings)
    where = " ".join(["flash lint", *(shlex.quote(str(p)) for p in paths)])
    if not n:
        return f"Lint: no findings (the checks across entries and against sources are flash lint's: {where})"
    return (f"Lint: {n} finding{'s' if n != 1 else ''} (the decks are imported anyway); see them, with the checks "
            f"across entries and against sources, in: {where}")


@click.command(context_settings=CONTEXT_SETTINGS)
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path, readable=False))
@unused_common_options
def validate(paths, db_path, today) -> None:
    """Check deck files without importing them.

    Prints every problem in every file as FILE:LINE: MESSAGE and exits with
    status 1 if there is any. Without PATHS, the decks of the config's
    `decks` setting, else the shipped decks, as import, lint and export do.

    Example: flash validate decks/lesson-04-ai-lifecycle.yaml
    """
    from ..decks import load_decks
    from ..errors import DeckError
    from ..model import cards_for_deck

    try:
        decks = load_decks(paths or default_deck_paths())
    except DeckError as exc:
        from . import problem_count

        for problem in exc.problems:
            click.echo(str(problem))
        raise click.ClickException(problem_count(exc.problems)) from None
    cards = sum(len(cards_for_deck(d)) for d in decks)
    entries = sum(len(d.entries) for d in decks)
    click.echo(f"OK: {len(decks)} deck{'s' if len(decks) != 1 else ''}, "
               f"{entries} entr{'ies' if entries != 1 else 'y'}, {cards} card{'s' if cards != 1 else ''}")


plain_option = click.option(
    "--plain", is_flag=True,
    help="Print whole rows as tab-separated lines, no header (the default when output is not a terminal).")


@click.command(context_settings=CONTEXT_SETTINGS)
@plain_option
@setting_option("new_per_day", "--new", type=click.IntRange(min=0), metavar="N",
                help="New cards introduced per day (as for flash review).")
@setting_option("reviews_per_day", "--reviews", type=click.IntRange(min=0), metavar="N",
                help="Due cards reviewed per day (as for flash review).")
@common_options
def decks(plain: bool, new_per_day: int, reviews_per_day: int, db_path, today) -> None:
    """List decks with their new, due-today, learning and total cards.

    Learning cards are those seen but not yet past their first one-day
    interval (SM-2 repetitions 0 or 1). Under the table: how many of the
    new cards 'flash review' introduces today, and why the others wait (the
    daily cap, the sibling rule: the cards of one entry are not introduced
    on the same day; a term that must come first).

    On a terminal this is a table; piped (or with --plain) each deck is one
    tab-separated line: id, name, new, due today, learning, total, retired
    (the lines on new cards go to stderr).

    Example: flash decks --today 2026-12-01
    """
    from ..new_cards import new_cards_today
    from ..render import deck_rows, deck_table, new_cards_lines, plain_rows

    day = resolve_today(today)
    with open_store(db_path, create=False, write=False) as store:
        summaries = store.deck_summaries(today=day)
        new_today = new_cards_today(store, today=day, new_per_day=new_per_day, reviews_per_day=reviews_per_day)
    notes = new_cards_lines(new_today, new_total=sum(s.new for s in summaries)) if summaries else []
    con = console()
    if plain or not is_terminal(con):
        click.echo(plain_rows(deck_rows(summaries)), nl=False)
        if not summaries:
            click.echo("No decks yet: run 'flash import PATH' or 'flash review'.", err=True)
        for line in notes:
            click.echo(line, err=True)
        return
    if not summaries:
        click.echo("No decks yet: run 'flash import PATH' or 'flash review'.")
        return
    con.print(deck_table(summaries, today=day))
    for line in notes:
        con.print(line, markup=False)


@click.command(context_settings=CONTEXT_SETTINGS)
@click.option("--deck", metavar="ID", help="Only this deck.", shell_complete=complete_deck)
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list instead of a table.")
@plain_option
@click.option("--suspended", "only_suspended", is_flag=True, help="Only suspended cards.")
@click.option("--leeches", "only_leeches", is_flag=True,
              help="Only leeches (E-Factor at the 1.3 floor, or 8+ lapses).")
@click.option("--due", "only_due", is_flag=True, help="Only cards due for review today.")
@common_options
def cards(deck: Optional[str], as_json: bool, plain: bool, only_suspended: bool, only_leeches: bool, only_due: bool,
          db_path, today) -> None:
    """Show every card and its SM-2 state (retired cards included).

    The status column says new, retired, suspended, buried (until a day) or
    leech. --suspended, --leeches and --due keep only those cards (given
    together, cards that are all of them).

    On a terminal, cards are listed deck by deck, each by its id within the
    deck (entry/kind; 'flash suspend' takes that or the full id). Piped (or
    with --plain) each card is one tab-separated line, ids whole: id, kind,
    reps, EF, interval (days), due, status.

    --json prints objects with id, deck, entry, kind, front, back,
    repetitions, easiness, interval, due (YYYY-MM-DD, null when new), lapses,
    last_review, retired, suspended, buried_until (null unless buried past
    today), leech, scheduler (sm2 or fsrs), and FSRS's stability and difficulty
    (null under SM-2).

    Example: flash cards --deck lesson-04-ai-lifecycle --leeches
    """
    from ..render import card_rows, cards_table, plain_rows
    from ..stats import is_due, is_leech

    day = resolve_today(today)
    with open_store(db_path, create=False, write=False) as store:
        store.require_deck(deck)
        records = store.cards(deck=deck)
    records = [
        c for c in records
        if (not only_suspended or c.suspended) and (not only_leeches or is_leech(c.state))
        and (not only_due or is_due(c, day))
    ]
    if as_json:
        click.echo(json_text([card_json(c, day) for c in records]))
        return
    con = console()
    if plain or not is_terminal(con):
        click.echo(plain_rows(card_rows(records, today=day)), nl=False)
    elif records:
        con.print(cards_table(records, today=day))
    if not records:
        # piped, the words go to stderr: a script reading the rows gets none
        click.echo(no_cards_message(deck, only_suspended, only_leeches, only_due),
                   err=plain or not is_terminal(con))


def no_cards_message(deck, only_suspended, only_leeches, only_due) -> str:
    """What an empty ``flash cards`` says instead of an empty table: 'No suspended cards.'"""
    words = ["suspended"] * only_suspended + ["leech"] * only_leeches
    return ("No " + " ".join(words + ["cards"]) + (" due today" if only_due else "")
            + (f" in deck {deck}" if deck else "") + ".")


def card_json(c, today=None) -> dict:
    """A card as ``flash cards --json`` prints it (``buried_until`` only if later than ``today``)."""
    from ..stats import is_buried, is_leech

    s = c.state
    return {
        "id": c.id, "deck": c.deck_id, "entry": c.entry_id, "kind": c.kind.value,
        "front": c.front, "back": c.back, "repetitions": s.repetitions, "easiness": s.ef / 100,
        "interval": s.interval, "due": s.due.isoformat() if s.due else None, "lapses": s.lapses,
        "last_review": s.last_review.isoformat() if s.last_review else None,
        "retired": c.retired, "suspended": c.suspended,
        "buried_until": (c.buried_until.isoformat()
                         if c.buried_until and (today is None or is_buried(c, today)) else None),
        "leech": is_leech(s),
        "scheduler": c.scheduler, "stability": s.stability, "difficulty": s.difficulty,
    }
