"""Quiz screens and tables for a terminal (rich): the take screen, the score table, the report's tables.

Rendering only: each function takes what the quiz domain and the store
computed and returns a rich renderable; nothing here reads the clock, the
database or the keyboard (``flashcards.cli.quiz`` and ``flashcards.cli.quiz_take``
do). Every text from outside goes through ``clean`` (no control, escape or
zero-width characters) and, inside tables, through rich's markup escape.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Optional, Sequence

from rich.console import Group
from rich.markup import escape
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from .quiz.model import clean_text, letter


def clean(text) -> str:
    """Anything from outside (names, file names, reasons quoting a file) as safe plain text."""
    return clean_text(str(text))


def cell(text) -> str:
    return escape(clean(text))


def plural(n: int, word: str) -> str:
    return f"{n} {word}{'s' if n != 1 else ''}"


def short(text: str, width: int = 48) -> str:
    flat = clean(text)
    return flat if len(flat) <= width else flat[: width - 1] + "…"


# -- taking a paper, practising --------------------------------------------------------


def time_left(deadline: Optional[datetime], moment: datetime) -> str:
    if deadline is None:
        return ""
    seconds = max(0, int((deadline - moment).total_seconds()))
    return f"time left {seconds // 60}:{seconds % 60:02d}"


def question_panel(prompt: str, options, *, title: str, subtitle: str = "") -> Panel:
    choices = Table.grid(padding=(0, 1))
    choices.add_column(style="bold", no_wrap=True)
    choices.add_column()
    for index, option in enumerate(options):
        choices.add_row(f"{letter(index)})", Text(clean_text(option.text)))
    return Panel(Group(Text(clean_text(prompt, keep_newlines=True)), Text(""), choices), title=title,
                 title_align="left", subtitle=subtitle or None, subtitle_align="right", border_style="cyan")


def review_table(paper, choices, left: str = "") -> Table:
    """The answers given so far (``choices``: question id -> (option index or None, when))."""
    table = Table(title=f"Review your answers{f' ({left})' if left else ''}", title_justify="left")
    for column in ("#", "question", "your answer"):
        table.add_column(column)
    for number, q in enumerate(paper.questions, start=1):
        index = choices[q.id][0]
        answer = f"{letter(index)}) {short(q.options[index].text, 40)}" if index is not None else None
        table.add_row(str(number), escape(short(q.prompt, 50)), escape(answer) if answer else "[red]—[/red]")
    return table


# -- the manager's tables ----------------------------------------------------------------


def roster_table(learners) -> Table:
    table = Table()
    for column in ("id", "name", "email", "team"):
        table.add_column(column)
    for learner in learners:
        table.add_row(cell(learner.id), cell(learner.name), cell(learner.email), cell(learner.team))
    return table


_OUTCOMES = {"pass": "[green]pass[/green]", "fail": "[yellow]fail[/yellow]",
             "duplicate": "[yellow]not counted[/yellow]", "rejected": "[red]rejected[/red]"}


def score_table(results, day: date) -> Table:
    """One row per new answers file (``flashcards.store.quiz_inbox.FileResult``)."""
    table = Table(title=f"Scored on {day.isoformat()}", title_justify="left")
    for column in ("file", "learner", "result", "detail"):
        table.add_column(column, overflow="fold" if column == "file" else None)
    for r in results:
        result = _OUTCOMES[r.outcome]
        if r.outcome in ("pass", "fail"):
            result += f" {r.correct}/{r.total} ({100 * r.correct / max(r.total, 1):.0f}%)"
        table.add_row(cell(r.file), cell(r.learner), result, cell(r.detail))
    return table


def quiz_list_table(summaries) -> Table:
    table = Table()
    numbers = ("questions", "pass mark", "attempts scored", "learners", "pass rate")
    for column in ("quiz", "title", "created") + numbers:
        table.add_column(column, justify="right" if column in numbers else "left")
    for s in summaries:
        rate = f"{s.pass_rate:.0%} ({s.passed}/{s.learners})" if s.pass_rate is not None else "–"
        allowed = f" (max {s.max_attempts} each)" if s.max_attempts else ""
        table.add_row(cell(s.id), cell(s.title), s.created_on, str(s.questions), f"{s.pass_mark}%",
                      f"{s.attempts}{allowed}", str(s.learners), rate)
    return table


def quiz_heading(the_quiz) -> Text:
    per = f"{the_quiz.per_paper} questions per paper from {len(the_quiz.questions)} items" if the_quiz.personal \
        else f"{len(the_quiz.questions)} questions"
    limits = [per, f"pass mark {the_quiz.pass_mark}%",
              f"{the_quiz.max_attempts} attempts" if the_quiz.max_attempts else "unlimited attempts"]
    if the_quiz.time_limit:
        limits.append(f"{the_quiz.time_limit}-minute limit")
    if the_quiz.valid_days:
        limits.append(f"certificates valid {plural(the_quiz.valid_days, 'day')}")
    if the_quiz.recertifies:
        limits.append(f"renews {clean(the_quiz.recertifies)}")
    secret = sum(q.private for q in the_quiz.questions)
    if secret:
        share = f", {the_quiz.private_share:.0%} of each paper" if the_quiz.private_share else ""
        limits.append(f"{secret} private items{share}")
    dropped = [q.id for q in the_quiz.questions if q.dropped]
    if dropped:
        limits.append(f"dropped: {', '.join(dropped)}")
    return Text(f"Quiz {clean(the_quiz.id)}: {clean(the_quiz.title)}\n{' · '.join(limits)} · "
                f"created {the_quiz.created_on}")


_STATUSES = {"pass": "[green]pass[/green]", "fail": "[red]fail[/red]", "not taken": "[dim]not taken[/dim]",
             "no paper": "[dim]no paper[/dim]", "voided": "[yellow]voided[/yellow]"}


def learner_table(rows: Sequence[dict], *, expiry: bool = False) -> Table:
    table = Table(title="Learners", title_justify="left")
    columns = ["learner", "id", "team", "result", "score", "correct", "attempts used", "client", "date"]
    if expiry:
        columns.append("expires")
    for column in columns:
        table.add_column(column, justify="right" if column in ("score", "correct") else "left")
    for r in rows:
        taken = r["status"] in ("pass", "fail")
        limit = f" of {r['attempts_allowed']}" if r["attempts_allowed"] != "" else ""
        values = [cell(r["learner"]), cell(r["learner_id"]), cell(r["team"]), _STATUSES[r["status"]],
                  f"{float(r['score_percent']):.0f}%" if taken else "–",
                  f"{r['correct']}/{r['questions']}" if taken else "–",
                  f"{r['attempts_used']}{limit}", cell(r.get("client", "")) or "–", r.get("day", "–")]
        if expiry:
            values.append(r.get("expires_on") or "–")
        table.add_row(*values)
    return table


def audit_table(audit, names: dict) -> Table:
    table = Table(title="Manager's corrections", title_justify="left")
    for column in ("on", "action", "learner", "question", "attempt", "reason"):
        table.add_column(column)
    for a in audit:
        who = f"{names.get(a.learner_id, a.learner_id)} ({a.learner_id})" if a.learner_id else "–"
        table.add_row(a.day, a.action, cell(who), cell(a.item_id or "–"),
                      str(a.attempt) if a.attempt else "–", cell(a.reason or "–"))
    return table


def rejection_table(rejections) -> Table:
    table = Table(title="Not counted", title_justify="left")
    for column in ("file", "learner", "why", "on"):
        table.add_column(column, overflow="fold" if column == "file" else None)
    for r in rejections:
        table.add_row(cell(r.file), cell(r.learner) or "–", cell(r.reason), r.scored_on)
    return table


def item_table(items, learners: int) -> Table:
    """Facility and discrimination with the learners behind each ("seen by"); not shown below 5."""
    table = Table(title=f"Item analysis ({plural(learners, 'learner')}; figures for items seen by at least 5)",
                  title_justify="left")
    numbers = ("seen by", "facility", "discrimination")
    for column in ("item", "kind", "entry") + numbers + ("most chosen wrong option", "note"):
        # the entry id is what the deck author looks up: whole (folded on a narrow terminal), never cut
        table.add_column(column, justify="right" if column in numbers else "left",
                         overflow="fold" if column == "entry" else "ellipsis")
    for item in items:
        q = item.question
        wrong = item.top_wrong
        table.add_row(
            q.id, q.kind.value, escape(q.entry_id), str(item.responses),
            f"{item.shown_facility:.0%}" if item.shown_facility is not None else "–",
            f"{item.shown_discrimination:.0f}%" if item.shown_discrimination is not None else "–",
            escape(f"{wrong[1]}× {short(wrong[0].text)}") if wrong else "–",
            escape(item.note),
        )
    return table


def pool_note(advice) -> str:
    """One paragraph on a pool too large for the team (``flashcards.quiz.scoring.PoolAdvice``)."""
    text = (f"Too few learners per item: {advice.thin_items} of {advice.pool} items were seen by fewer than 5 "
            f"learners (median {advice.median_seen:g}), so their figures are not shown. ")
    if advice.suggested_pool is None:
        return text + (f"With {plural(advice.learners, 'learner')} and {advice.per_paper} questions per paper no "
                       "pool gives every item 5 learners: report again when more have sat it.")
    return text + (f"With {plural(advice.learners, 'learner')} and {advice.per_paper} questions per paper, a pool "
                   f"of at most {advice.suggested_pool} items (quiz create --pool {advice.suggested_pool}) gives "
                   "every item at least 5 learners on average.")


def concept_table(stats, title: str, by: str) -> Table:
    table = Table(title=title, title_justify="left")
    columns = ("concept", "entry") if by == "entry" else ("tag",)
    for column in columns + ("items", "correct", "facility"):
        table.add_column(column, justify="right" if column in ("correct", "facility") else "left")
    for s in stats:
        names = (escape(short(s.label, 40)), escape(s.key.split("/", 1)[-1])) if by == "entry" else (escape(s.key),)
        table.add_row(*names, ", ".join(s.questions), f"{s.correct}/{s.responses}",
                      f"{s.facility:.0%}" if s.facility is not None else "–")
    return table
