"""`flash review`: the daily session."""

from __future__ import annotations

import sys
import time
from datetime import timedelta
from typing import Optional, Union

import click

from ._common import (
    CONTEXT_SETTINGS, common_options, console, default_deck_paths, now, open_store, resolve_today, setting_option,
)
from .completion import complete_deck

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
        from rich.markup import escape

        from ..render import GRADE_HELP

        con.print(f"[bold]Grade 0-5[/bold] [dim]({GRADE_HELP}) · u: undo · b: bury · q: quit[/dim]")
        while True:
            key = click.getchar()
            if len(key) == 1 and key in "012345":
                return int(key)
            if key in COMMAND_KEYS:
                return COMMAND_KEYS[key]
            shown = repr(key) if not key.isprintable() or len(key) != 1 else key
            con.print(f"[yellow]{escape(shown)} is not a grade:[/yellow] press 0-5, u (undo), b (bury) or q (quit).")

    def more(self, con, page: int, pages: int) -> bool:
        """Between pages of an answer taller than the screen: any key for the next page,
        q (or Esc) to grade without reading on."""
        con.print(f"[dim]-- answer, page {page} of {pages} · any key: more · q: grade now --[/dim]")
        return click.getchar() not in ("q", "Q", "\x1b")

    def retry(self, con) -> bool:
        """After a grade could not be saved: r retries, q quits."""
        con.print("[bold]r: try again · q: quit[/bold]")
        while True:
            key = click.getchar()
            if key in ("r", "R"):
                return True
            if key in ("q", "Q", "\x1b"):
                return False


class LineInput:
    """A pipe or file: each line grades the next card (``u`` undoes, ``b`` buries); ``q``, a blank line or EOF ends."""

    interactive = False

    def __init__(self, stream):
        self.stream = stream
        self.line_number = 0
        self.pending: Answer = QUIT

    def reveal(self, con) -> Answer:
        # read the grade before the answer is shown: at the end of input (``flash review
        # </dev/null``) the session ends without printing the answer of a card nobody graded
        self.pending = self._read()
        return REVEAL if isinstance(self.pending, int) else self.pending

    def grade(self, con) -> Answer:
        return self.pending

    def _read(self) -> Answer:
        line = self.stream.readline()
        self.line_number += 1
        text = line.strip()
        if not text or text.lower() in ("q", "quit"):
            return QUIT
        if text.lower() in ("u", "undo"):
            return UNDO
        if text.lower() in ("b", "bury"):
            return BURY
        if text in ("0", "1", "2", "3", "4", "5"):
            return int(text)
        raise click.ClickException(
            f"standard input line {self.line_number}: '{text}' is not a grade "
            "(0-5, u to undo, b to bury, or q to quit); the session stopped and every earlier grade is saved"
        )

    def retry(self, con) -> bool:
        """After a grade could not be saved, the next line: r (or retry) tries again,
        anything else (or the end of input) quits."""
        line = self.stream.readline()
        self.line_number += 1
        return line.strip().lower() in ("r", "retry")


@click.command(context_settings=CONTEXT_SETTINGS)
@click.option("--deck", metavar="ID", help="Review only this deck.", shell_complete=complete_deck)
@click.option("--limit", type=click.IntRange(min=1), metavar="N", help="At most N cards this session.")
@setting_option("new_per_day", "--new", type=click.IntRange(min=0), metavar="N", help="New cards introduced per day.")
@setting_option("reviews_per_day", "--reviews", type=click.IntRange(min=0), metavar="N",
                help="Due cards reviewed per day (Anki's default); the rest wait, oldest due first.")
@common_options
def review(deck: Optional[str], limit: Optional[int], new_per_day: int, reviews_per_day: int, db_path,
           today) -> None:
    """Review the cards due today, then new ones.

    Due cards come first (oldest due first, at most --reviews a day: the
    summary says how many the cap held back), then up to --new new cards a
    day. Each card shows its front; a key reveals the back; grade it 0-5
    (SM-2: 5 perfect ... 0 blackout). A card graded below 4 comes back later
    in the session. u undoes the last grade (before any grade in this
    session, the latest one given today, as 'flash undo' does), b buries the
    card until tomorrow, q quits. Every grade is saved the moment it is
    given. A grade that makes a card a leech (E-Factor at 1.3, or 8 lapses)
    is flagged. An answer taller than the terminal is paged.

    On a database with no cards, the shipped decks are imported first.

    When standard input is not a terminal, each line grades the next card
    (u undoes, b buries); q, a blank line or end of input ends the session.

    Example: flash review --deck lesson-04-ai-lifecycle --limit 20
    """
    from ..render import drills_note, empty_queue, session_header, session_summary
    from ..review import outlook, start_session

    day = resolve_today(today)
    con = console()
    with open_store(db_path) as store:
        store.check_writable()  # a read-only file or folder is said now, not at the first grade
        if store.is_empty():
            _import_shipped(store, day, con)
        store.require_deck(deck)
        session = start_session(store, today=day, deck=deck, limit=limit, new_per_day=new_per_day,
                                reviews_per_day=reviews_per_day)
        before = outlook(store, today=day, deck=deck, new_per_day=new_per_day, held_back=session.held_back)
        if session.current is None:
            new_cap = store.new_introduced(today=day, deck=deck) >= new_per_day
            con.print(empty_queue(before, new_cap_reached=new_cap))
            return
        con.print(session_header(before, in_session=session.left, limit=limit))
        if session.drilled:
            con.print(drills_note([c for c in session.queue if session.is_drill(c)]))
        keys = KeyInput() if sys.stdin.isatty() else LineInput(sys.stdin)
        with Interrupts() as interrupts:
            ended = None
            try:
                _run(session, store, keys, day, con, deck=deck)
            except KeyboardInterrupt:
                ended = "interrupted"
            except EOFError:
                ended = "end of input"
            interrupts.hold()  # from here on a Ctrl-C cannot cut the summary short
            con.print()
            after = outlook(store, today=day, deck=deck, new_per_day=new_per_day, held_back=session.held_back)
            con.print(session_summary(session.summary(), after, interrupted=ended is not None))
    if ended == "interrupted" or interrupts.held:
        raise click.exceptions.Exit(130)  # interrupted, after its summary: the documented status


class Interrupts:
    """SIGINT during a session: the first raises KeyboardInterrupt where the session is (so it
    ends with its summary); once held, every further one is only counted. The previous handler
    comes back on exit. Off the main thread (no signals there) it does nothing."""

    def __init__(self):
        self.armed = True
        self.held = 0
        self.previous = None

    def _handle(self, signum, frame):
        if self.armed:
            self.armed = False
            raise KeyboardInterrupt
        self.held += 1

    def hold(self) -> None:
        self.armed = False

    def __enter__(self) -> "Interrupts":
        import signal

        try:
            self.previous = signal.signal(signal.SIGINT, self._handle)
        except ValueError:  # not the main thread
            self.previous = None
        return self

    def __exit__(self, *exc) -> None:
        import signal

        if self.previous is not None:
            signal.signal(signal.SIGINT, self.previous)


def _run(session, store, keys, day, con, *, deck: Optional[str] = None) -> None:
    # what only a grade or a burial needs is imported then, after the first card is on screen
    from ..render import card_back, card_front
    from ..sm2 import SESSION_PASS_GRADE

    while (card_id := session.current) is not None:
        card = store.card(card_id)
        drill = session.is_drill(card_id)
        skipped = card.not_gradable(today=day, drill=drill)
        if skipped is not None:  # changed by another session or an import since the queue was built
            con.print(f"[yellow]Skipped {card_id}: {skipped}.[/yellow]")
            session.skip(card_id)
            continue
        front = card_front(card, done=session.done, left=session.left, drill=drill, width=con.width)
        con.print(front)
        started = time.monotonic()
        answer = keys.reveal(con)
        if answer == REVEAL:
            show_answer(con, keys, card_back(card), above=front)
            answer = keys.grade(con)
        if answer is QUIT:
            return
        if answer == BURY:
            from ..store.stats import bury

            until = bury(store, card_id, until=day + timedelta(days=1))
            session.bury(card_id)
            con.print(f"[yellow]Buried {card_id} until {until.isoformat()}.[/yellow]")
            continue
        if answer == UNDO:
            _undo(session, store, day, con, deck=deck)
            continue
        record = _save_grade(store, keys, con, card, answer, day=day, drill=drill,
                             duration_ms=int((time.monotonic() - started) * 1000))
        if record is None:
            session.skip(card_id)
            continue
        session.answer(card_id, answer, record.id)
        con.print(_after_grade(record, requeued=answer < SESSION_PASS_GRADE))
        from ..stats import became_leech

        if not record.drill and became_leech(record.before, record.after):
            from ..render_stats import leech_flag

            con.print(leech_flag(f"{card.deck_id}/{card.entry_id}", record.after))


def show_answer(con, keys, answer, *, above) -> None:
    """Print the answer panel; on a terminal too short for it under the question (``above``),
    page it: the first page fits under the question, each page waits for a key."""
    from rich.segment import Segment, Segments

    from ..render import page_breaks

    if not (keys.interactive and con.is_terminal):
        con.print(answer)
        return
    lines = con.render_lines(answer, con.options, pad=False)
    reserved = 2  # the key line under the first page, the grade prompt under the last
    first = con.height - len(con.render_lines(above, con.options, pad=False)) - 1 - reserved
    pages = page_breaks(len(lines), first=first, rest=con.height - reserved)
    for number, (start, end) in enumerate(pages, 1):
        if number > 1 and not keys.more(con, number, len(pages)):
            return
        con.print(Segments([segment for line in lines[start:end] for segment in (*line, Segment.line())]), end="")


def _undo(session, store, day, con, *, deck: Optional[str] = None) -> None:
    """``u``: take back the session's last grade in the store first, then in the queue: a
    refusal (the card was graded again elsewhere since) leaves both as they are. With no
    grade in this session, the latest one given today (as ``flash undo`` does): its card
    comes back first."""
    from rich.markup import escape

    from ..errors import GradeRefusedError, inert

    review_id = session.last_record_id
    earlier = None
    if review_id is None:
        earlier = store.last_live_review(today=day, deck=deck)
        if earlier is None:
            con.print("[yellow]Nothing to undo today.[/yellow]")
            return
        review_id = earlier.id
    try:
        undone = store.undo(review_id, today=day, now=now())
    except GradeRefusedError as exc:
        con.print(f"[yellow]{escape(inert(str(exc)))}[/yellow]")
        return
    if earlier is None:
        session.undo()
        con.print(f"[yellow]Undid grade {undone.grade} for {escape(undone.card_id)}.[/yellow]")
        return
    session.put_back(undone.card_id, drill=undone.card_id in store.pending_drill_ids(today=day, deck=deck))
    con.print(f"[yellow]Undid grade {undone.grade} for {escape(undone.card_id)} "
              f"(from an earlier session today).[/yellow]")


def _save_grade(store, keys, con, card, answer: int, *, day, drill: bool, duration_ms: int):
    """Record ``answer`` for ``card``; the grade survives a failed write.

    A busy database is waited for by the store (with a notice); if the lock is still
    held, the grade stays on screen and the user retries or quits (quitting ends the
    session with exit 1 saying the grade was not saved). A card another session
    graded, retired or suspended meanwhile is refused and skipped (None). Any other
    failure (read-only, disk full, damaged) ends the session in one line; every
    earlier grade is already committed.
    """
    from rich.markup import escape

    from ..errors import DatabaseBusyError, GradeRefusedError, StoreError, inert

    while True:
        try:
            return store.record(card.id, answer, today=day, now=now(), drill=drill, duration_ms=duration_ms)
        except GradeRefusedError as exc:
            con.print(f"[yellow]Grade {answer} not saved: {escape(inert(str(exc)))}.[/yellow]")
            return None
        except DatabaseBusyError as exc:
            con.print(f"[red]Grade {answer} for {card.id} is not saved yet: {escape(inert(str(exc)))}[/red]")
            if keys.retry(con):
                continue
            raise StoreError(f"grade {answer} for {card.id} was not saved (the database stayed locked); "
                             "the session ended and every earlier grade is saved") from exc
        except StoreError as exc:
            raise StoreError(f"grade {answer} for {card.id} was not saved: {exc}; "
                             "the session ended and every earlier grade is saved") from exc


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
    from ..decks import load_decks

    reports = store.sync(load_decks(default_deck_paths()), today=day)
    for report in reports:
        con.print(f"First run: imported deck {report.deck_id} ({len(report.added)} cards) into {store.path}")


@click.command(context_settings=CONTEXT_SETTINGS)
@click.option("--deck", metavar="ID", help="Only a grade given to a card of this deck.", shell_complete=complete_deck)
@common_options
def undo(deck: Optional[str], db_path, today) -> None:
    """Take back the latest grade given today, even after its session ended.

    The card gets back the SM-2 state it had before that grade, and the
    grade stops counting anywhere (stats, today's new cards); the log keeps
    it, marked undone. Run it again to take back the grade before. Same as u
    as the first key of a 'flash review'.

    Example: flash undo
    """
    day = resolve_today(today)
    with open_store(db_path, create=False) as store:
        store.require_deck(deck)
        last = store.last_live_review(today=day, deck=deck)
        if last is None:
            where = f" in deck {deck}" if deck else ""
            click.echo(f"Nothing to undo: no grade given on {day.isoformat()}{where} is left to take back.")
            return
        undone = store.undo(last.id, today=day, now=now())
    state = undone.before
    back_to = "new again" if state.is_new else f"due {state.due.isoformat()} again"
    kind = "drill " if undone.drill else ""
    click.echo(f"Undid {kind}grade {undone.grade} for {undone.card_id}: "
               f"{'its schedule was not moved by it' if undone.drill else back_to}.")
