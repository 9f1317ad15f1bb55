"""Rich renderables for the terminal. Text from decks is escaped: it is never markup, and its
control characters are shown inert (``\\x1b``), so a card stored before decks were checked for
them cannot retitle or clear the terminal."""

from __future__ import annotations

from datetime import date
from typing import Iterable, Optional

from rich import box
from rich.console import Console, ConsoleOptions, Group, RenderableType, RenderResult
from rich.markup import escape
from rich.measure import Measurement
from rich.padding import Padding
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from .errors import inert
from .model import CardKind
from .new_cards import NewCardsToday
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
    CardKind.CLOZE: "cloze",
}

GRADE_HELP = "5 perfect · 4 hesitated · 3 hard · 2 wrong, easy in hindsight · 1 wrong, familiar · 0 blackout"


MEASURE = 80  # panels are at most this wide: answer lines stay readable on a wide terminal


def card_front(card: CardRecord, *, done: int, left: int, drill: bool, width: int = MEASURE) -> RenderableType:
    """The question panel. Its title is the card's id (what ``flash suspend`` takes); on a
    terminal too narrow for the id in the title, the id is a line of its own above it."""
    again = " · again" if drill else ""
    panel_width = min(width, MEASURE)
    fits = len(card.id) + len(again) + 6 <= panel_width
    title = (card.id if fits else KIND_LABELS[card.kind]) + again
    panel = Panel(Text(inert(card.front)), title=escape(title), title_align="left", width=MEASURE,
                  subtitle=f"{done} done · {left} left", subtitle_align="right", border_style="cyan")
    return panel if fits else Group(_id_text(card.id, "cyan"), panel)


def page_breaks(total: int, *, first: int, rest: int) -> list[tuple[int, int]]:
    """``(start, end)`` line ranges for ``total`` lines: ``first`` lines on the first page
    (the room left under the question), ``rest`` on each later page (at least 5 a page)."""
    first, rest = max(5, first), max(5, rest)
    pages = [(0, min(total, first))]
    while pages[-1][1] < total:
        start = pages[-1][1]
        pages.append((start, min(total, start + rest)))
    return pages


def card_back(card: CardRecord) -> Panel:
    body = [Text(inert(card.back))]
    if card.source:
        body.append(Text(f"\nsource: {inert(card.source)}", style="dim"))
    return Panel(Group(*body), title="answer", title_align="left", border_style="green", width=MEASURE)


def _count(n: int, word: str, plural: Optional[str] = None) -> str:
    return f"{n} {word if n == 1 else (plural or word + 's')}"


def session_header(outlook: Outlook, *, in_session: int, limit: Optional[int] = None) -> Text:
    """``20 due · 20 new · 3 in this session (--limit 3)``: today's figures, whatever the limit,
    and the cards that earlier grades below 4 bring back as drills."""
    parts = [f"{outlook.due_today} due", f"{outlook.new_today} new"]
    if outlook.drills_today:
        parts.append(f"{outlook.drills_today} to drill again")
    line = " · ".join(parts) + f" · {in_session} in this session"
    if limit is not None and in_session < outlook.left_today:
        line += f" (--limit {limit})"
    return Text(line)


def drills_note(card_ids: list[str], *, shown: int = 5) -> Text:
    """A second session of the day names the cards it brings back as drills."""
    names = ", ".join(card_ids[:shown]) + (f" and {len(card_ids) - shown} more" if len(card_ids) > shown else "")
    return Text(f"Drills first: graded below 4 earlier today, they come back until graded 4 or 5 "
                f"(a drill leaves the schedule alone): {names}", style="dim")


def still_today_line(outlook: Outlook) -> str:
    """``15 still due today, 20 new cards left for today ('flash review' goes on).``, or
    ``All done for today.``: what is true now, whatever the session's --limit."""
    parts = []
    if outlook.due_today:
        parts.append(f"{outlook.due_today} still due today")
    if outlook.new_today:
        parts.append(f"{_count(outlook.new_today, 'new card')} left for today")
    if outlook.drills_today:
        parts.append(f"{_count(outlook.drills_today, 'card')} to drill again")
    if not parts:
        return "All done for today."
    return ", ".join(parts) + " ('flash review' goes on)."


def session_summary(summary: Summary, outlook: Outlook, *, interrupted: bool = False) -> Text:
    lines = []
    if interrupted:
        lines.append("Session interrupted: every grade given so far is saved.")
    rate = f"{summary.correct_rate:.0%}" if summary.correct_rate is not None else "–"
    lines.append(f"Reviewed {summary.reviewed} card{'s' if summary.reviewed != 1 else ''}, "
                 f"{summary.correct} correct ({rate})"
                 + (f", {summary.drills} extra drill{'s' if summary.drills != 1 else ''}" if summary.drills else "")
                 + (f"; {summary.left} left in the queue" if summary.left else "") + ".")
    lines.append(still_today_line(outlook))
    if summary.held_back:
        lines.append(held_back_line(summary.held_back))
    lines.append(next_due_line(outlook))
    lines.append(due_tomorrow_line(outlook))
    return Text("\n".join(lines))


def due_tomorrow_line(outlook: Outlook) -> str:
    """``Due tomorrow: 12 (10 still due today and 2 falling due tomorrow).``: tomorrow's count
    says what it holds, so it agrees with the lines above it and with ``flash stats``."""
    left = outlook.left_from_today
    if not left:
        return f"Due tomorrow: {outlook.due_tomorrow}."
    return (f"Due tomorrow: {outlook.due_tomorrow} ({left} still due today and "
            f"{outlook.falls_due_tomorrow} falling due tomorrow).")


def next_due_line(outlook: Outlook) -> str:
    """The first day after today that cards fall due, and how many fall due that day."""
    if outlook.next_due is None:
        if outlook.left_from_today:
            return "No card falls due after today yet."
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
    if outlook.new_per_day == 0 and outlook.new_left:
        lines.append("New cards are off for this session (--new 0).")
    elif new_cap_reached and outlook.new_left:
        lines.append(f"Today's new cards are done ({outlook.new_per_day} a day; raise the cap with --new N).")
    lines.append(next_due_line(outlook))
    return Text("\n".join(lines))


# -- tables that never cut an identifier ---------------------------------------------


class FirstThatFits:
    """The first of ``choices`` whose narrowest rendering fits the width, else the last one.

    A table whose identifier column may not wrap is only shown when the whole id fits;
    otherwise a layout of one block per row takes its place (ids on a line of their own)."""

    def __init__(self, *choices: RenderableType):
        self.choices = choices

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        unbounded = options.update_width(10_000)
        for choice in self.choices[:-1]:
            if Measurement.get(console, unbounded, choice).minimum <= options.max_width:
                yield choice
                return
        yield self.choices[-1]

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        return Measurement.get(console, options, self.choices[-1])


def _id_text(text: str, style: str = "") -> Text:
    """An identifier: never wrapped inside, never cut (folded only when a line cannot hold it)."""
    return Text(text, style=style, no_wrap=False, overflow="fold")


def indented(text: "str | Text") -> Padding:
    """A block's detail line: indented by two, wrapped lines too."""
    return Padding(text if isinstance(text, Text) else Text(text), (0, 0, 0, 2))


def compact_table(**kwargs) -> Table:
    """A table with a rule under its header and two spaces between columns."""
    return Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, padding=(0, 1, 0, 0), **kwargs)


def plain_rows(rows: Iterable[Iterable[object]]) -> str:
    """Tab-separated lines, whole (what ``--plain`` and piped output print); a tab or line
    break inside a value becomes a space, an empty value a ``-``."""
    lines = []
    for row in rows:
        cells = [" ".join(str(cell).split()) if cell not in (None, "") else "-" for cell in row]
        lines.append("\t".join(cells))
    return "".join(line + "\n" for line in lines)


def deck_table(summaries: Iterable[DeckSummary], *, today: date) -> RenderableType:
    """Decks for a terminal: the deck id (what ``--deck`` takes) is never cut; the name wraps.
    Too narrow for that, each deck is a block of three lines."""
    summaries = list(summaries)
    table = compact_table(title=f"Decks on {today.isoformat()}", title_justify="left", title_style="")
    table.add_column("deck", no_wrap=True)
    table.add_column("name", min_width=10, ratio=1)
    for column in ("new", "due today", "learning", "total"):
        table.add_column(column, justify="right", no_wrap=True)
    blocks = [Text(f"Decks on {today.isoformat()}")]
    for s in summaries:
        total = f"{s.total}" + (f" (+{s.retired} retired)" if s.retired else "")
        table.add_row(escape(s.id), Text(s.name), str(s.new), str(s.due), str(s.learning), total)
        blocks += [Text(""), _id_text(s.id, "bold"), indented(s.name),
                   indented(f"{s.new} new · {s.due} due today · {s.learning} learning · {total} total")]
    return FirstThatFits(table, Group(*blocks))


def new_cards_lines(today: NewCardsToday, *, new_total: int) -> list[str]:
    """What ``flash review`` shows today and why the other new cards wait (under ``flash decks``)."""
    earlier = f"; {today.introduced} introduced earlier today" if today.introduced else ""
    lines = [f"Today flash review shows {today.due - today.due_held_back} due and {today.offered} of the "
             f"{new_total} new cards ({today.per_day} new a day{earlier})."]
    reasons = []
    if today.siblings:
        reasons.append(f"{today.siblings} by the sibling rule (the cards of one entry are not introduced on the "
                       "same day, nor beside a card of it due or graded today)")
    if today.prerequisites:
        reasons.append(f"{today.prerequisites} for a term they need, which cannot come first today (teaching order)")
    if today.over_cap:
        reasons.append(f"{today.over_cap} over the daily cap (--new N, config new_per_day)")
    buried = new_total - today.waiting
    if buried > 0:
        reasons.append(f"{buried} buried until a later day")
    if reasons:
        lines.append(f"The other {new_total - today.offered} new cards wait: " + "; ".join(reasons) + ".")
    if today.due_held_back:
        lines.append(held_back_line(today.due_held_back))
    return lines


def deck_rows(summaries: Iterable[DeckSummary]) -> list[tuple]:
    """``id, name, new, due today, learning, total, retired`` per deck (for ``--plain``)."""
    return [(s.id, s.name, s.new, s.due, s.learning, s.total, s.retired) for s in summaries]


def card_status(c: CardRecord, *, today: Optional[date] = None) -> str:
    """``new``, ``retired``, ``suspended``, ``buried to MM-DD`` (past ``today``), plus ``leech``."""
    from .stats import is_leech

    parts = ["retired" if c.retired else ("suspended" if c.suspended else ("new" if c.state.is_new else ""))]
    if c.buried_until and not c.retired and not c.suspended and (today is None or c.buried_until > today):
        parts.append(f"buried to {c.buried_until.strftime('%m-%d')}")
    if is_leech(c.state):
        parts.append("leech")
    return ", ".join(p for p in parts if p)


def _card_figures(c: CardRecord) -> tuple[str, str, str, str]:
    """reps, EF, interval, due as shown."""
    s = c.state
    return (str(s.repetitions), f"{s.easiness:.2f}", f"{s.interval}d" if not s.is_new else "–",
            s.due.isoformat() if s.due else "–")


def cards_table(cards: Iterable[CardRecord], *, today: Optional[date] = None) -> RenderableType:
    """Cards for a terminal, one table per deck: a card is shown by its id within the deck
    (``entry/kind``, which ``flash suspend`` takes too), whole, with its E-Factor, interval,
    due day and status. Where that does not fit, the deck's cards are blocks: the full id
    on a line, the figures on the next."""
    cards = list(cards)
    parts: list[RenderableType] = []
    for deck in dict.fromkeys(c.deck_id for c in cards):
        rows = [c for c in cards if c.deck_id == deck]
        table = compact_table()
        table.add_column("card", no_wrap=True)
        table.add_column("EF", justify="right", no_wrap=True)
        table.add_column("ivl", justify="right", no_wrap=True)
        table.add_column("due", no_wrap=True)
        table.add_column("status", min_width=6)
        blocks: list[RenderableType] = []
        for c in rows:
            reps, ef, interval, due = _card_figures(c)
            status = card_status(c, today=today)
            table.add_row(escape(c.id[len(deck) + 1:]), ef, interval, due, status)
            blocks += [_id_text(c.id, "bold"),
                       indented(f"reps {reps} · EF {ef} · interval {interval} · due {due}"
                                + (f" · {status}" if status else ""))]
        if parts:
            parts.append(Text(""))
        parts.append(Text(f"deck {deck} ({len(rows)} card{'s' if len(rows) != 1 else ''})", style="bold"))
        parts.append(FirstThatFits(table, Group(*blocks)))
    return Group(*parts)


def card_rows(cards: Iterable[CardRecord], *, today: Optional[date] = None) -> list[tuple]:
    """``id, kind, reps, EF, interval (days), due, status`` per card (for ``--plain``)."""
    return [(c.id, c.kind.value, c.state.repetitions, f"{c.state.easiness:.2f}",
             "" if c.state.is_new else c.state.interval, c.state.due.isoformat() if c.state.due else "",
             card_status(c, today=today)) for c in cards]


def sync_table(reports: Iterable[SyncReport], *, title: Optional[str] = None) -> Table:
    table = Table(title=title, title_justify="left")
    table.add_column("deck")
    for column in ("added", "updated", "retired", "unchanged"):
        table.add_column(column, justify="right")
    for r in reports:
        added = f"{len(r.added)}" + (f" (+{len(r.restored)} restored)" if r.restored else "")
        table.add_row(escape(r.deck_id), added, str(len(r.updated)), str(len(r.retired)), str(r.unchanged))
    return table
