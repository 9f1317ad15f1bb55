"""Rich renderables for the terminal. Text from decks is escaped: it is never markup."""

from __future__ import annotations

from datetime import date
from typing import Iterable, Optional

from rich.console import Group
from rich.markup import escape
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from .model import CardKind
from .review import Outlook, Summary
from .store import CardRecord, DeckSummary, SyncReport

KIND_LABELS = {
    CardKind.TERM: "term",
    CardKind.DEFINITION: "definition",
    CardKind.WHAT_IT_DOES: "what it does",
    CardKind.WHOS_BEHIND_IT: "who's behind it",
    CardKind.WHAT_MAKES_IT_DISTINCT: "what makes it distinct",
    CardKind.PHRASE: "phrase pair",
    CardKind.REPLY: "buyer reply",
    CardKind.HOLDS: "analog: holds",
    CardKind.BREAKS: "analog: breaks",
}

GRADE_HELP = "5 perfect · 4 hesitated · 3 hard · 2 wrong, easy in hindsight · 1 wrong, familiar · 0 blackout"


def card_front(card: CardRecord, *, done: int, left: int, drill: bool) -> Panel:
    title = f"{card.deck_id} · {KIND_LABELS[card.kind]}" + (" · again" if drill else "")
    return Panel(Text(card.front), title=escape(title), title_align="left",
                 subtitle=f"{done} done · {left} left", subtitle_align="right", border_style="cyan")


def card_back(card: CardRecord) -> Panel:
    body = [Text(card.back)]
    if card.source:
        body.append(Text(f"\nsource: {card.source}", style="dim"))
    return Panel(Group(*body), title="answer", title_align="left", border_style="green")


def session_summary(summary: Summary, outlook: Outlook, *, interrupted: bool = False) -> Text:
    lines = []
    if interrupted:
        lines.append("Session interrupted: every grade given so far is saved.")
    rate = f"{summary.correct_rate:.0%}" if summary.correct_rate is not None else "–"
    lines.append(f"Reviewed {summary.reviewed} card{'s' if summary.reviewed != 1 else ''}, "
                 f"{summary.correct} correct ({rate})"
                 + (f", {summary.drills} extra drill{'s' if summary.drills != 1 else ''}" if summary.drills else "")
                 + (f"; {summary.left} left in the queue" if summary.left else "") + ".")
    if summary.held_back:
        lines.append(held_back_line(summary.held_back))
    lines.append(next_due_line(outlook))
    lines.append(f"Due tomorrow: {outlook.due_tomorrow}.")
    return Text("\n".join(lines))


def next_due_line(outlook: Outlook) -> str:
    if outlook.next_due is None:
        if outlook.new_left:
            return "No reviews scheduled yet; new cards are waiting (new cards per day are capped by --new)."
        return "No cards scheduled."
    plural = "s" if outlook.next_due_count != 1 else ""
    return f"Next due: {outlook.next_due.isoformat()} ({outlook.next_due_count} card{plural})."


def held_back_line(held_back: int) -> str:
    return (f"{held_back:,} more due card{'s' if held_back != 1 else ''} held back by the daily review cap "
            "(they wait, oldest due first; raise the cap with --reviews N).")


def empty_queue(outlook: Outlook, *, new_cap_reached: bool) -> Text:
    lines = ["Nothing to review right now."]
    if outlook.held_back:
        lines.append(held_back_line(outlook.held_back))
    if new_cap_reached and outlook.new_left:
        lines.append("Today's new cards are done (raise the cap with --new N).")
    lines.append(next_due_line(outlook))
    return Text("\n".join(lines))


def deck_table(summaries: Iterable[DeckSummary], *, today: date) -> Table:
    table = Table(title=f"Decks on {today.isoformat()}", title_justify="left")
    table.add_column("deck")
    table.add_column("name")
    for column in ("new", "due today", "learning", "total"):
        table.add_column(column, justify="right")
    for s in summaries:
        total = f"{s.total}" + (f" (+{s.retired} retired)" if s.retired else "")
        table.add_row(escape(s.id), escape(s.name), str(s.new), str(s.due), str(s.learning), total)
    return table


def card_status(c: CardRecord, *, today: Optional[date] = None) -> str:
    """``new``, ``retired``, ``suspended``, ``buried to MM-DD`` (past ``today``), plus ``leech``."""
    from .stats import is_leech

    parts = ["retired" if c.retired else ("suspended" if c.suspended else ("new" if c.state.is_new else ""))]
    if c.buried_until and not c.retired and not c.suspended and (today is None or c.buried_until > today):
        parts.append(f"buried to {c.buried_until.strftime('%m-%d')}")
    if is_leech(c.state):
        parts.append("leech")
    return ", ".join(p for p in parts if p)


def cards_table(cards: Iterable[CardRecord], *, today: Optional[date] = None) -> Table:
    table = Table()
    for column in ("card", "kind", "reps", "EF", "interval", "due", "status"):
        table.add_column(column, justify="right" if column in ("reps", "EF", "interval") else "left")
    for c in cards:
        status = card_status(c, today=today)
        table.add_row(
            escape(c.id), KIND_LABELS[c.kind], str(c.state.repetitions), f"{c.state.easiness:.2f}",
            f"{c.state.interval}d" if not c.state.is_new else "–",
            c.state.due.isoformat() if c.state.due else "–", status,
        )
    return table


def sync_table(reports: Iterable[SyncReport], *, title: Optional[str] = None) -> Table:
    table = Table(title=title, title_justify="left")
    table.add_column("deck")
    for column in ("added", "updated", "retired", "unchanged"):
        table.add_column(column, justify="right")
    for r in reports:
        added = f"{len(r.added)}" + (f" (+{len(r.restored)} restored)" if r.restored else "")
        table.add_row(escape(r.deck_id), added, str(len(r.updated)), str(len(r.retired)), str(r.unchanged))
    return table
