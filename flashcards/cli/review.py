"""`flash review`: the daily session."""

from __future__ import annotations

import sys
import time
from datetime import timedelta
from typing import Optional, Union

import click

from ._common import CONTEXT_SETTINGS, common_options, console, now, open_store, resolve_today

UNDO = "undo"
BURY = "bury"
QUIT = None
Answer = Union[int, str, None]
REVEAL = "reveal"  # any other key at the front: show the back
COMMAND_KEYS = {"q": QUIT, "Q": QUIT, "\x1b": QUIT, "u": UNDO, "U": UNDO, "b": BURY, "B": BURY}


class KeyInput:
    """A terminal: one keypress reveals the answer, one keypress grades."""

    interactive = True

    def reveal(self, con) -> Answer:
        con.print("[dim]any key: show answer · u: undo last · b: bury till tomorrow · q: quit[/dim]")
        return COMMAND_KEYS.get(click.getchar(), REVEAL)

    def grade(self, con) -> Answer:
        from ..render import GRADE_HELP

        con.print(f"[bold]Grade 0-5[/bold] [dim]({GRADE_HELP}) · u: undo · b: bury · q: quit[/dim]")
        while True:
            key = click.getchar()
            if len(key) == 1 and key in "012345":
                return int(key)
            if key in COMMAND_KEYS:
                return COMMAND_KEYS[key]


class LineInput:
    """A pipe or file: each line grades the next card (``u`` undoes, ``b`` buries); blank line or EOF ends."""

    interactive = False

    def __init__(self, stream):
        self.stream = stream
        self.line_number = 0

    def reveal(self, con) -> Answer:
        return REVEAL

    def grade(self, con) -> Answer:
        line = self.stream.readline()
        self.line_number += 1
        text = line.strip()
        if not text:
            return QUIT
        if text.lower() in ("u", "undo"):
            return UNDO
        if text.lower() in ("b", "bury"):
            return BURY
        if text in ("0", "1", "2", "3", "4", "5"):
            return int(text)
        raise click.ClickException(
            f"standard input line {self.line_number}: '{text}' is not a grade "
            "(0-5, u to undo, or b to bury); the session stopped and every earlier grade is saved"
        )


@click.command(context_settings=CONTEXT_SETTINGS)
@click.option("--deck", metavar="ID", help="Review only this deck.")
@click.option("--limit", type=click.IntRange(min=1), metavar="N", help="At most N cards this session.")
@click.option("--new", "new_per_day", type=click.IntRange(min=0), default=20, show_default=True,
              metavar="N", help="New cards introduced per day.")
@click.option("--reviews", "reviews_per_day", type=click.IntRange(min=0), default=200, show_default=True,
              metavar="N", help="Due cards reviewed per day (Anki's default); the rest wait, oldest due first.")
@common_options
def review(deck: Optional[str], limit: Optional[int], new_per_day: int, reviews_per_day: int, db_path,
           today) -> None:
    """Review the cards due today, then new ones.

    Due cards come first (oldest due first, at most --reviews a day: the
    summary says how many the cap held back), then up to --new new cards a
    day. Each card shows its front; a key reveals the back; grade it 0-5
    (SM-2: 5 perfect ... 0 blackout). A card graded below 4 comes back later
    in the session. u undoes the last grade, b buries the card until
    tomorrow, q quits. Every grade is saved the moment it is given. A grade
    that makes a card a leech (E-Factor at 1.3, or 8 lapses) is flagged.

    On a database with no cards, the shipped decks are imported first.

    When standard input is not a terminal, each line grades the next card
    (u undoes, b buries); a blank line or end of input ends the session.

    Example: flash review --deck lesson-04-ai-lifecycle --limit 20
    """
    from ..render import card_back, card_front, empty_queue, session_summary
    from ..review import outlook, start_session

    day = resolve_today(today)
    con = console()
    with open_store(db_path) as store:
        if store.is_empty():
            _import_shipped(store, day, con)
        store.require_deck(deck)
        session = start_session(store, today=day, deck=deck, limit=limit, new_per_day=new_per_day,
                                reviews_per_day=reviews_per_day)
        if session.current is None:
            new_cap = store.new_introduced(today=day, deck=deck) >= new_per_day
            con.print(empty_queue(outlook(store, today=day, deck=deck, held_back=session.held_back),
                                  new_cap_reached=new_cap))
            return
        con.print(f"{session.due_count} due · {session.new_count} new · {session.left} in this session")
        keys = KeyInput() if sys.stdin.isatty() else LineInput(sys.stdin)
        interrupted = False
        try:
            _run(session, store, keys, day, con, card_front, card_back)
        except (KeyboardInterrupt, EOFError):
            interrupted = True
        con.print()
        con.print(session_summary(session.summary(), outlook(store, today=day, deck=deck, held_back=session.held_back),
                                  interrupted=interrupted))


def _run(session, store, keys, day, con, card_front, card_back) -> None:
    from ..render_stats import leech_flag
    from ..sm2 import SESSION_PASS_GRADE
    from ..stats import became_leech
    from ..store.stats import bury

    while (card_id := session.current) is not None:
        card = store.card(card_id)
        drill = session.is_drill(card_id)
        con.print(card_front(card, done=session.done, left=session.left, drill=drill))
        started = time.monotonic()
        answer = keys.reveal(con)
        if answer == REVEAL:
            con.print(card_back(card))
            answer = keys.grade(con)
        if answer is QUIT:
            return
        if answer == BURY:
            until = bury(store, card_id, until=day + timedelta(days=1))
            session.bury(card_id)
            con.print(f"[yellow]Buried {card_id} until {until.isoformat()}.[/yellow]")
            continue
        if answer == UNDO:
            review_id = session.undo()
            if review_id is None:
                con.print("[yellow]Nothing to undo in this session.[/yellow]")
            else:
                undone = store.undo(review_id, today=day, now=now())
                con.print(f"[yellow]Undid grade {undone.grade} for {undone.card_id}.[/yellow]")
            continue
        record = store.record(card.id, answer, today=day, now=now(), drill=drill,
                              duration_ms=int((time.monotonic() - started) * 1000))
        session.answer(card_id, answer, record.id)
        con.print(_after_grade(record, requeued=answer < SESSION_PASS_GRADE))
        if not record.drill and became_leech(record.before, record.after):
            con.print(leech_flag(f"{card.deck_id}/{card.entry_id}", record.after))


def _after_grade(record, *, requeued: bool) -> str:
    parts = []
    if not record.drill:
        due = record.after.due
        parts.append(f"next review in {record.after.interval} day{'s' if record.after.interval != 1 else ''} "
                     f"({due.isoformat()}), EF {record.after.ef / 100:.2f}")
    if requeued:
        parts.append("again later in this session")
    return f"[dim]graded {record.grade}: {'; '.join(parts) if parts else 'drill logged'}[/dim]"


def _import_shipped(store, day, con) -> None:
    from ..decks import load_decks, shipped_decks_dir

    reports = store.sync(load_decks([shipped_decks_dir()]), today=day)
    for report in reports:
        con.print(f"First run: imported deck {report.deck_id} ({len(report.added)} cards) into {store.path}")
