"""Rich renderables for ``flash stats``: a calendar heatmap, a forecast bar chart, tables.

Every chart reads without colour: intensity is carried by the glyph
(``·░▒▓█`` for reviews a day, ``▁▂▃▄▅▆▇█`` for bar heights) and colour
only repeats it. Text from decks is escaped, never markup.
"""

from __future__ import annotations

from datetime import date, timedelta
from math import ceil
from typing import Mapping

from rich import box
from rich.console import Group, RenderableType
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from .render import KIND_LABELS, FirstThatFits, compact_table, indented
from .stats import (
    EF_FLOOR, LAPSES, LEECH_LAPSES, MATURE_INTERVAL, RETENTION_DAYS,
    CardCounts, DayActivity, GradeCount, Leech, Retention, Stats, Tally, leech_reasons,
)
from .recall import Recall
from .sm2 import CardState

HEATMAP_WEEKS = 26
HEAT_GLYPHS = "·░▒▓█"  # 0 reviews, then four levels up to the busiest day shown
HEAT_STYLES = ("grey42", "dark_green", "green4", "green3", "bold green1")
BAR_GLYPHS = "▁▂▃▄▅▆▇█"  # eighths of a row
# the same scales for a stream that cannot show those glyphs (PYTHONIOENCODING=ascii, Latin-1)
HEAT_ASCII = ".-+*#"
BAR_ASCII = "__--==##"
BAR_HEIGHT = 6  # rows
WEEKDAYS = ("Mon", "", "Wed", "", "Fri", "", "Sun")
SCHEDULER_LABELS = {"sm2": "SM-2", "fsrs": "FSRS"}
REASON_TEXT = {EF_FLOOR: "E-Factor at the 1.3 floor", LAPSES: f"{LEECH_LAPSES}+ lapses"}


def duration(ms: int) -> str:
    """``42s``, ``12m 05s``, ``2h 03m``."""
    seconds = round(ms / 1000)
    if seconds < 60:
        return f"{seconds}s"
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes}m {seconds:02d}s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h {minutes:02d}m"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


# -- the calendar -------------------------------------------------------------


def heat_level(count: int, peak: int) -> int:
    """0 for no reviews, else 1-4: the quarter of ``peak`` that ``count`` falls in."""
    if count <= 0 or peak <= 0:
        return 0
    return min(4, ceil(4 * count / peak))


def heat_legend(peak: int, *, glyphs: str = HEAT_GLYPHS, note: bool = True) -> Text:
    """``less · ░ 1 ▒ 2 ▓ 3 █ 4-5 more``: which counts each glyph stands for."""
    text = Text("less ")
    text.append(glyphs[0], style=HEAT_STYLES[0])
    text.append(" 0")
    for level in range(1, 5):
        low, high = (level - 1) * peak // 4 + 1, level * peak // 4
        if low > high:
            continue
        text.append("  ")
        text.append(glyphs[level], style=HEAT_STYLES[level])
        text.append(f" {low}" if low == high else f" {low}-{high}")
    text.append("  more (reviews a day)" if note else "  more")
    return text


def heatmap(calendar: Mapping[date, DayActivity], *, today: date, weeks: int = HEATMAP_WEEKS,
            glyphs: str = HEAT_GLYPHS, note: bool = True) -> Text:
    """A calendar of the last ``weeks`` weeks: a column per week (Monday on top), a glyph per day."""
    start = today - timedelta(days=today.weekday(), weeks=weeks - 1)
    counts = {d: a.reviews for d, a in calendar.items() if start <= d <= today}
    peak = max(counts.values(), default=0)
    gutter = 4
    # a month's name over the first week whose Monday is in it; a later name
    # displaces an earlier one it would overlap (so the first column can lose its label)
    placed: list[tuple[int, str]] = []
    for week in range(weeks):
        monday = start + timedelta(weeks=week)
        if week == 0 or monday.month != (monday - timedelta(weeks=1)).month:
            label, pos = monday.strftime("%b"), gutter + 2 * week
            if placed and placed[-1][0] + len(placed[-1][1]) >= pos:
                placed.pop()
            placed.append((pos, label))
    months = [" "] * (gutter + 2 * weeks + 3)
    for pos, label in placed:
        months[pos:pos + len(label)] = label
    text = Text("".join(months).rstrip() + "\n")
    for weekday in range(7):
        text.append(f"{WEEKDAYS[weekday]:<{gutter}}")
        for week in range(weeks):
            day = start + timedelta(weeks=week, days=weekday)
            if day > today:
                break
            level = heat_level(counts.get(day, 0), peak)
            text.append(glyphs[level], style=HEAT_STYLES[level])
            if week < weeks - 1:
                text.append(" ")
        text.append("\n")
    text.append(" " * gutter)
    text.append_text(heat_legend(peak, glyphs=glyphs, note=note))
    return text


# -- the forecast ---------------------------------------------------------------


def forecast_chart(counts: list[int], *, today: date, height: int = BAR_HEIGHT, glyphs: str = BAR_GLYPHS) -> Text:
    """Cards due per day as vertical bars, two columns a day, today on the left."""
    peak = max(counts, default=0)
    if peak == 0:
        return Text(f"Nothing due in the next {len(counts)} days.")
    units = height * 8
    bars = [0 if n == 0 else max(1, round(n * units / peak)) for n in counts]
    width = len(str(peak))
    text = Text()
    for row in range(height):
        floor = (height - 1 - row) * 8
        text.append(f"{peak:>{width}} ┤" if row == 0 else f"{'':>{width}} │")
        for bar in bars:
            fill = min(8, max(0, bar - floor))
            text.append((glyphs[fill - 1] if fill else " ") + " ", style="cyan" if fill else "")
        text.rstrip()
        text.append("\n")
    text.append(f"{0:>{width}} └" + "─" * (2 * len(counts)) + "\n")
    labels = [" "] * (width + 2 + 2 * len(counts) + 5)
    for i in range(0, len(counts), 7):
        label = (today + timedelta(days=i)).strftime("%m-%d")
        pos = width + 2 + 2 * i
        labels[pos:pos + len(label)] = label
    text.append("".join(labels).rstrip())
    return text


def forecast_line(counts: list[int]) -> str:
    return (f"Today {counts[0] if counts else 0} · tomorrow {counts[1] if len(counts) > 1 else 0}"
            f" · next 7 days {sum(counts[:7])} · next {len(counts)} days {sum(counts)}"
            "; new cards not counted")


# -- tables and lines -----------------------------------------------------------


def _tally(t: Tally) -> str:
    return "–" if t.rate is None else f"{t.rate:.0%} ({t.passed}/{t.total})"


def retention_table(retention: Retention) -> Table:
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
    table.add_column("")
    table.add_column(f"young (<{MATURE_INTERVAL}d)", justify="right")
    table.add_column(f"mature ({MATURE_INTERVAL}d+)", justify="right")
    table.add_row("all", _tally(retention.overall.young), _tally(retention.overall.mature))
    if len(retention.by_deck) > 1:
        table.add_section()
        for deck, split in retention.by_deck.items():
            table.add_row(f"deck {escape(deck)}", _tally(split.young), _tally(split.mature))
    table.add_section()
    for kind, split in retention.by_kind.items():
        table.add_row(KIND_LABELS[kind], _tally(split.young), _tally(split.mature))
    return table


def counts_line(counts: CardCounts) -> str:
    line = (f"{counts.new} new · {counts.learning} learning · {counts.young} young · "
            f"{counts.mature} mature · {counts.retired} retired · {counts.suspended} suspended")
    if counts.buried:
        line += f" · {counts.buried} buried until a later day"
    return line


def leech_table(leeches: list[Leech]) -> RenderableType:
    """One table per deck, so the entry ids to rewrite are shown whole. The figure that makes
    each card a leech (EF at the floor, lapses at the limit) is bold. Where a deck's table
    does not fit, its leeches are blocks: ``deck/entry`` on a line, the card and figures below."""
    parts: list[RenderableType] = []
    for deck in dict.fromkeys(x.deck_id for x in leeches):
        table = compact_table()
        rows = [x for x in leeches if x.deck_id == deck]
        # the entry id is what to fix: never wrapped nor cut; the card kind wraps instead
        table.add_column("entry to rewrite", no_wrap=True)
        table.add_column("card", min_width=6, overflow="fold")
        table.add_column("EF", justify="right", no_wrap=True)
        table.add_column("lapses", justify="right", no_wrap=True)
        blocks: list[RenderableType] = []
        for x in rows:
            card = KIND_LABELS[x.kind] + (" (suspended)" if x.suspended else "")
            ef = Text(f"{x.ef / 100:.2f}", style="bold" if EF_FLOOR in x.reasons else "")
            lapses = Text(str(x.lapses), style="bold" if LAPSES in x.reasons else "")
            table.add_row(escape(x.entry_id), card, ef, lapses)
            blocks += [Text(f"{x.deck_id}/{x.entry_id}", style="bold", overflow="fold"),
                       indented(Text.assemble(f"{card} · EF ", ef, " · ", _plural(x.lapses, "lapse")))]
        parts += [Text(f"deck {deck}"), FirstThatFits(table, Group(*blocks))]
    return Group(*parts)


def recall_view(recall: Recall) -> RenderableType:
    """Expected recall today per deck, then the cards least likely to be recalled (ids whole)."""
    decks = compact_table()
    decks.add_column("expected recall", justify="right", no_wrap=True)
    decks.add_column("of cards seen", justify="right", no_wrap=True)
    decks.add_column("scheduler", no_wrap=True)
    decks.add_column("deck", no_wrap=True)
    lines: list[RenderableType] = []
    for d in recall.decks:
        expected = f"{d.expected:.1%}" if d.expected is not None else "-"
        decks.add_row(expected, str(d.cards), SCHEDULER_LABELS.get(d.scheduler, d.scheduler), escape(d.deck_id))
        lines.append(Text(f"{d.deck_id}: {expected} of {_plural(d.cards, 'card')} seen "
                          f"({SCHEDULER_LABELS.get(d.scheduler, d.scheduler)})", overflow="fold"))
    parts: list[RenderableType] = [FirstThatFits(decks, Group(*lines))]
    if recall.at_risk:
        risky = compact_table()
        risky.add_column("card most at risk", no_wrap=True)
        risky.add_column("recall", justify="right", no_wrap=True)
        risky.add_column("due", no_wrap=True)
        blocks: list[RenderableType] = []
        for a in recall.at_risk:
            risky.add_row(escape(a.card_id), f"{a.recall:.0%}", a.due.isoformat())
            blocks += [Text(a.card_id, style="bold", overflow="fold"),
                       indented(Text(f"recall {a.recall:.0%} · due {a.due.isoformat()}"))]
        parts += [Text(""), FirstThatFits(risky, Group(*blocks))]
    return Group(*parts)


def leech_flag(entry: str, state: CardState) -> Text:
    """The line ``flash review`` prints when a grade makes a card a leech."""
    why = " and ".join(REASON_TEXT[r] for r in leech_reasons(state))
    text = Text("leech: ", style="bold magenta")
    text.append(f"this card keeps slipping ({why}); consider rewriting entry {entry}")
    return text


def no_reviews(stats: Stats) -> Text:
    where = f" in deck {stats.deck}" if stats.deck else ""
    return Text(
        f"No reviews yet{where}: run 'flash review' to start. Your calendar, streak, forecast "
        f"and retention appear here after the first session.\nCards: {counts_line(stats.counts)}"
    )


def _heading(title: str) -> Text:
    return Text(f"\n{title}", style="bold")


def stats_view(stats: Stats, *, weeks: int = HEATMAP_WEEKS, width: int = 80, ascii: bool = False) -> RenderableType:
    """The whole ``flash stats`` screen (or the friendly message when nothing was reviewed).

    On a narrow screen the calendar shows fewer weeks and the forecast fewer days, so that
    no chart wraps; ``ascii`` draws them with ASCII stand-ins for a stream that cannot
    show block glyphs."""
    weeks = max(1, min(weeks, (width - 7) // 2))  # a month's name may reach 3 columns past the last week
    peak = max(stats.forecast, default=0)
    days = max(1, min(len(stats.forecast), (width - len(str(peak)) - 3) // 2))
    scope = f"deck {stats.deck}" if stats.deck else "all decks"
    header = Text(f"Stats for {scope} on {stats.today.isoformat()}", style="bold")
    if not stats.has_reviews:
        return Group(header, no_reviews(stats))
    a, s = stats.activity, stats.streaks
    parts: list[RenderableType] = [
        header,
        _heading(f"Reviews, last {weeks} weeks"),
        heatmap(stats.calendar, today=stats.today, weeks=weeks, glyphs=HEAT_ASCII if ascii else HEAT_GLYPHS,
                note=weeks >= 24),  # a narrow calendar's legend has no room for its note
        Text(f"Streak: {_plural(s.current, 'day')} now, longest {_plural(s.longest, 'day')}"),
        Text(f"Today: {answers(stats.grades_today)}{_in_anki(a.anki_today)} in {duration(a.time_today_ms)} · "
             f"total: {answers(stats.grades)}{_in_anki(a.anki_total)} on {_plural(a.days, 'day')} "
             f"in {duration(a.time_total_ms)}"),
        _heading(f"Due in the next {days} days"),
        forecast_chart(stats.forecast[:days], today=stats.today, glyphs=BAR_ASCII if ascii else BAR_GLYPHS),
        Text(forecast_line(stats.forecast)),
        _heading(f"Retention, last {RETENTION_DAYS} days (share of reviews graded 3+)"),
    ]
    if stats.retention.overall.young.total or stats.retention.overall.mature.total:
        parts.append(retention_table(stats.retention))
    else:
        parts.append(Text("No reviews of cards seen before in this window yet."))
    parts += [_heading("Cards"), Text(counts_line(stats.counts)), _heading("Leeches")]
    if stats.leeches:
        parts.append(Text(f"{_plural(len(stats.leeches), 'card')} at the 1.3 E-Factor floor or with "
                          f"{LEECH_LAPSES}+ lapses; rewrite their entries:"))
        parts.append(leech_table(stats.leeches))
    else:
        parts.append(Text(f"None: no card sits at the 1.3 E-Factor floor or has {LEECH_LAPSES}+ lapses."))
    if stats.recall is not None and stats.recall.decks:
        parts += [_heading("Expected recall today (each deck's scheduler; SM-2: interval as the 90% point)"),
                  recall_view(stats.recall)]
    return Group(*parts)


def answers(count: GradeCount) -> str:
    """``203 grades + 11 drills``: the one count of grades (``GRADES_DEFINITION``), drills apart."""
    text = _plural(count.grades, "grade")
    return text + (f" + {_plural(count.drills, 'drill')}" if count.drills else "")


def _in_anki(count: int) -> str:
    """' (12 in Anki)' when some of the reviews were given in Anki, else nothing."""
    return f" ({count} in Anki)" if count else ""
