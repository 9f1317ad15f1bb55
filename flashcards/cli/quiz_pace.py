"""The report's response-time tables: per-item median answer time of served sittings, and sittings
flagged as implausibly fast (``flashcards.quiz.pace``). Only served sittings have server times."""

from __future__ import annotations

from typing import Mapping, Sequence


def pace_tables(the_quiz, attempts: Sequence, counted: Sequence, times: Mapping[int, Mapping[str, float]]) -> list:
    """Rich tables for ``flash quiz report``: nothing when no served sitting has been scored."""
    from rich.markup import escape
    from rich.table import Table

    from ..quiz.model import clean_text
    from ..quiz.pace import implausible, item_medians

    if not times:
        return []
    medians = item_medians({a.id: times[a.id] for a in counted if a.id in times})
    table = Table(title="Response times of served sittings (best attempts)", title_justify="left")
    for column in ("item", "entry", "answers timed", "median seconds"):
        table.add_column(column, justify="right" if column in ("answers timed", "median seconds") else "left")
    for q in the_quiz.questions:
        if q.id in medians:
            seconds, count = medians[q.id]
            table.add_row(q.id, escape(clean_text(q.entry_id)), str(count), f"{seconds:.1f}")
    tables = [table]
    flags = implausible(times)
    flagged = [a for a in attempts if a.id in flags]
    if flagged:
        fast = Table(title="Implausibly fast sittings", title_justify="left")
        for column in ("learner", "attempt", "why"):
            fast.add_column(column)
        for a in flagged:
            fast.add_row(escape(clean_text(a.learner)), str(a.attempt), escape(flags[a.id].reason))
        tables.append(fast)
    return tables
