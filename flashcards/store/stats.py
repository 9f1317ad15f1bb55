"""The SQL behind ``flash stats``, suspending and burying. Functions over a ``Store``.

Reading: the review log is read through ``_LIVE_REVIEW`` (grades not undone)
and only up to the ``today`` given, and the figures are computed by the pure
functions of ``flashcards.stats``. Writing: suspend, unsuspend and bury touch
``card_state.suspended`` / ``buried_until`` only, never the SM-2 state, and
each call is one transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Iterable, Optional

from ..errors import StoreError
from ..model import CardKind
from ..stats import DayActivity, RetentionRow, Stats, build_stats, retention_since
from . import _LIVE_REVIEW, Store
from .counts import grade_count

__all__ = ["SuspendReport", "bury", "calendar", "gather", "resolve_cards", "retention_rows", "set_suspended"]


def calendar(store: Store, *, today: date, deck: Optional[str] = None) -> dict[date, DayActivity]:
    """Live grades (reviews and drills) and their time, per day, up to ``today``."""
    rows = store.db.conn.execute(
        f"""SELECT r.day, COUNT(*), COALESCE(SUM(r.duration_ms), 0), SUM(r.origin = 'anki') FROM reviews r
            {"JOIN cards c ON c.id = r.card_id" if deck else ""}
            WHERE {_LIVE_REVIEW} AND r.day <= :today {"AND c.deck_id = :deck" if deck else ""}
            GROUP BY r.day ORDER BY r.day""",
        {"today": today.isoformat(), "deck": deck},
    )
    return {date.fromisoformat(day): DayActivity(n, ms, anki) for day, n, ms, anki in rows}


def retention_rows(store: Store, *, since: date, today: date, deck: Optional[str] = None) -> list[RetentionRow]:
    """Live scheduled reviews from ``since`` to ``today`` of cards that had been seen before."""
    rows = store.db.conn.execute(
        f"""SELECT r.day, c.deck_id, c.kind, r.grade, r.interval_before
            FROM reviews r JOIN cards c ON c.id = r.card_id
            WHERE r.kind = 'review' AND r.due_before IS NOT NULL AND {_LIVE_REVIEW}
              AND r.day BETWEEN :since AND :today {"AND c.deck_id = :deck" if deck else ""}
            ORDER BY r.id""",
        {"since": since.isoformat(), "today": today.isoformat(), "deck": deck},
    )
    return [RetentionRow(date.fromisoformat(day), deck_id, CardKind(kind), grade, interval)
            for day, deck_id, kind, grade, interval in rows]


def gather(store: Store, *, today: date, deck: Optional[str] = None) -> Stats:
    """Every ``flash stats`` figure for ``deck`` (all decks when None) as of ``today``.

    The review log is read up to ``today``; the card counts, forecast and
    leeches come from the cards' current state.
    """
    return build_stats(
        today=today,
        deck=deck,
        calendar=calendar(store, today=today, deck=deck),
        retention_rows=retention_rows(store, since=retention_since(today), today=today, deck=deck),
        records=store.cards(deck=deck),
        schedulers={d: store.scheduler(store.deck_scheduler(d)) for d in ([deck] if deck else store.deck_ids())},
        grades=grade_count(store.db.conn, until=today, deck=deck),
        grades_today=grade_count(store.db.conn, since=today, until=today, deck=deck),
    )


# -- suspend, unsuspend, bury -----------------------------------------------------


@dataclass(frozen=True)
class SuspendReport:
    cards: list[str]  # every card the targets named, in order
    changed: list[str]  # those whose flag this call changed

    @property
    def unchanged(self) -> list[str]:
        return [c for c in self.cards if c not in set(self.changed)]


def resolve_cards(store: Store, targets: Iterable[str]) -> list[str]:
    """Card ids for ``targets``: each a card id (``deck/entry/kind``), an entry
    (``deck/entry``), a card by its id within its deck (``entry/kind``, as ``flash
    cards`` lists it under the deck) or a bare entry id (those two must be in one deck only).

    Raises ``StoreError`` naming every target that matches nothing (with the nearest
    ids, if any are close), before anything is changed.
    """
    conn = store.db.conn
    found: list[str] = []
    unknown: list[str] = []
    ambiguous: list[str] = []
    for target in targets:
        target = target.strip().strip("/")
        if conn.execute("SELECT 1 FROM cards WHERE id = ?", (target,)).fetchone():
            ids = [target]
        elif "/" in target:
            deck_id, _, entry_id = target.partition("/")
            ids = [row[0] for row in conn.execute(
                "SELECT id FROM cards WHERE deck_id = ? AND entry_id = ? ORDER BY position",
                (deck_id, entry_id))]
            if not ids and "/" not in entry_id:  # entry/kind, the id within a deck
                rows = conn.execute("SELECT id, deck_id FROM cards WHERE entry_id = ? AND kind = ? ORDER BY deck_id",
                                    (deck_id, entry_id)).fetchall()
                if len(rows) > 1:
                    decks = [deck for _, deck in rows]
                    ambiguous.append(f"'{target}' is a card in decks {', '.join(decks)} "
                                     f"(write it as {decks[0]}/{target})")
                    continue
                ids = [row[0] for row in rows]
        else:
            rows = conn.execute(
                "SELECT id, deck_id FROM cards WHERE entry_id = ? ORDER BY deck_id, position", (target,)
            ).fetchall()
            decks = sorted({deck_id for _, deck_id in rows})
            if len(decks) > 1:
                ambiguous.append(f"'{target}' is an entry in decks {', '.join(decks)} "
                                 f"(write it as {decks[0]}/{target})")
                continue
            ids = [row[0] for row in rows]
        if not ids:
            unknown.append(target)
        found.extend(i for i in ids if i not in found)
    problems = []
    if unknown:
        problems.append(
            f"no card or entry {', '.join(repr(t) for t in unknown)} "
            "(give a card id deck/entry/kind, an entry deck/entry, or an entry id; see 'flash cards')"
        )
        problems.extend(hint for hint in (_nearest(conn, t) for t in unknown) if hint)
    problems.extend(ambiguous)
    if problems:
        raise StoreError("; ".join(problems) + "; nothing was changed")
    return found


CUT_MARKS = ("…", "...")


def _nearest(conn, target: str) -> str:
    """``did you mean 'x'?`` for an unknown target: ids it is the cut-off start of (a table
    that shortened it with '…'), else ids or entries spelled nearly the same."""
    import difflib

    cut = next((target[:-len(mark)] for mark in CUT_MARKS if target.endswith(mark)), None)
    if cut is not None:
        rows = conn.execute("SELECT id FROM cards WHERE substr(id, 1, length(:p)) = :p "
                            "OR substr(deck_id || '/' || entry_id, 1, length(:p)) = :p ORDER BY deck_id, position",
                            {"p": cut}).fetchall()
        starts = [row[0] for row in rows]
        if 0 < len(starts) <= 3:
            return (f"'{target}' looks cut short: did you mean {' or '.join(repr(s) for s in starts)}? "
                    "('flash cards --plain' prints whole ids)")
        if starts:
            return (f"'{target}' looks cut short: {len(starts)} cards start that way "
                    "('flash cards --plain' prints whole ids)")
        return f"'{target}' looks cut short ('flash cards --plain' prints whole ids)"
    names: set[str] = set()
    for card_id, deck_id, entry_id in conn.execute("SELECT id, deck_id, entry_id FROM cards"):
        names.update((card_id, f"{deck_id}/{entry_id}", entry_id, card_id[len(deck_id) + 1:]))
    close = difflib.get_close_matches(target, sorted(names), n=3, cutoff=0.75)
    return f"did you mean {' or '.join(repr(c) for c in close)} (for '{target}')?" if close else ""


def set_suspended(store: Store, targets: Iterable[str], *, suspended: bool) -> SuspendReport:
    """Suspend (or unsuspend) every card the targets name, all or nothing.

    A suspended card is never shown in review; its SM-2 state is kept as it
    is, so unsuspending picks the schedule up where it was.
    """
    conn = store.db.conn
    with conn:
        ids = resolve_cards(store, targets)
        flag = 1 if suspended else 0
        changed = [
            cid for cid in ids
            if conn.execute("SELECT suspended FROM card_state WHERE card_id = ?", (cid,)).fetchone()[0] != flag
        ]
        conn.executemany("UPDATE card_state SET suspended = ? WHERE card_id = ?", [(flag, c) for c in changed])
    return SuspendReport(cards=ids, changed=changed)


def bury(store: Store, card_id: str, *, until: date) -> date:
    """Hide a card from review until ``until`` (it shows again on that day); state untouched.

    A scheduled grade clears the burial (``Store.record``).
    """
    conn = store.db.conn
    with conn:
        cursor = conn.execute(
            "UPDATE card_state SET buried_until = ? WHERE card_id = ?", (until.isoformat(), card_id)
        )
        if cursor.rowcount == 0:
            raise StoreError(f"no card with id '{card_id}'")
    return until
