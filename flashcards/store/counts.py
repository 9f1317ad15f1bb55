"""One count of grades, for every command that states one (``flash stats``, ``flash db check``,
``flash db backup``): the single source, so their figures cannot drift apart again.

A **grade** is an answer that counts toward scheduling: the day's first answer to a card
(``kind = 'review'``, from flash or from Anki), not taken back with undo. Two kinds of answer
are logged but are not grades: **drills** (a card answered again the same day after a grade
below 4, which leaves its schedule alone) and **undone** answers (taken back; the log keeps
them, marked). Before this, ``flash stats`` counted grades and drills together, ``db check``
the grades it replayed, and ``db backup`` every row, undone ones included.
"""

from __future__ import annotations

import sqlite3
from datetime import date
from typing import Optional

from ..stats import GRADES_DEFINITION, GradeCount

__all__ = ["GRADES_DEFINITION", "GradeCount", "grade_count"]


def grade_count(conn: sqlite3.Connection, *, since: Optional[date] = None, until: Optional[date] = None,
                deck: Optional[str] = None) -> GradeCount:
    """The log's grades, drills and undone answers (given on days from ``since`` to ``until``, of
    ``deck``; None: no bound, every deck)."""
    where = ["r.kind IN ('review', 'drill')"]
    params: dict = {}
    if since is not None:
        where.append("r.day >= :since")
        params["since"] = since.isoformat()
    if until is not None:
        where.append("r.day <= :until")
        params["until"] = until.isoformat()
    if deck is not None:
        where.append("r.card_id IN (SELECT id FROM cards WHERE deck_id = :deck)")
        params["deck"] = deck
    row = conn.execute(
        f"""SELECT COALESCE(SUM(kind = 'review' AND NOT undone), 0), COALESCE(SUM(kind = 'drill' AND NOT undone), 0),
                   COALESCE(SUM(undone), 0)
            FROM (SELECT r.kind, EXISTS (SELECT 1 FROM reviews u WHERE u.undoes = r.id) AS undone
                  FROM reviews r WHERE {" AND ".join(where)})""",
        params,
    ).fetchone()
    return GradeCount(*row)
