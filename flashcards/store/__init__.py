"""Storage: the only place that speaks SQL. Decks, cards, SM-2 state and the review log.

A ``Store`` wraps one SQLite file through sqlite-utils. Every method that
writes does so in one transaction, so a failure leaves the file as it was, and
every grade is committed before ``record`` returns.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Iterable, Optional

from ..errors import StoreError
from ..model import Card, CardKind, Deck, cards_for_deck
from ..sm2 import SESSION_PASS_GRADE, CardState, review
from .schema import MIGRATIONS, SCHEMA_VERSION

if TYPE_CHECKING:
    import sqlite_utils

__all__ = [
    "CardRecord", "DeckSummary", "ReviewRecord", "Store", "SyncReport", "default_db_path",
    "SCHEMA_VERSION",
]


def default_db_path() -> Path:
    """``$XDG_DATA_HOME/flashcards/flash.db`` (``~/.local/share`` when unset)."""
    base = os.environ.get("XDG_DATA_HOME") or ""
    if not base and os.name == "nt":
        base = os.environ.get("LOCALAPPDATA", "")
    root = Path(base) if base else Path.home() / ".local" / "share"
    return root / "flashcards" / "flash.db"


@dataclass(frozen=True)
class CardRecord:
    """A card as stored: its text, where it comes from, and its SM-2 state."""

    id: str
    deck_id: str
    entry_id: str
    kind: CardKind
    front: str
    back: str
    tags: tuple[str, ...]
    source: Optional[str]
    retired: bool
    state: CardState
    suspended: bool = False
    buried_until: Optional[date] = None


@dataclass
class SyncReport:
    deck_id: str
    deck_name: str
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    retired: list[str] = field(default_factory=list)
    restored: list[str] = field(default_factory=list)
    unchanged: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.retired or self.restored)


@dataclass(frozen=True)
class ReviewRecord:
    """One row of the review log that ``record`` appended."""

    id: int
    card_id: str
    grade: int
    drill: bool
    before: CardState
    after: CardState


@dataclass(frozen=True)
class DeckSummary:
    id: str
    name: str
    new: int
    due: int
    learning: int
    total: int
    retired: int


def _day(value: Optional[str]) -> Optional[date]:
    return date.fromisoformat(value) if value else None


def _iso(value: Optional[date]) -> Optional[str]:
    return value.isoformat() if value else None


def _card_hash(card: Card) -> str:
    """A digest of what a card shows; an unchanged card is skipped on re-import."""
    payload = "\x1f".join((card.kind.value, card.front, card.back, "\x1e".join(card.tags), card.source or ""))
    return hashlib.sha1(payload.encode("utf-8")).hexdigest()


_CARD_COLUMNS = """c.id, c.deck_id, c.entry_id, c.kind, c.front, c.back, c.tags, c.source, c.retired,
    s.repetitions, s.ef, s.interval, s.due, s.lapses, s.last_review, s.suspended, s.buried_until"""
_CARD_FROM = "FROM cards c JOIN card_state s ON s.card_id = c.id"
# the review/drill rows that were not undone
_LIVE_REVIEW = "r.kind IN ('review', 'drill') AND NOT EXISTS (SELECT 1 FROM reviews u WHERE u.undoes = r.id)"


def _record_from_row(row) -> CardRecord:
    (cid, deck_id, entry_id, kind, front, back, tags, source, retired,
     reps, ef, interval, due, lapses, last_review, suspended, buried_until) = row
    return CardRecord(
        id=cid, deck_id=deck_id, entry_id=entry_id, kind=CardKind(kind), front=front, back=back,
        tags=tuple(json.loads(tags)), source=source, retired=bool(retired),
        state=CardState(repetitions=reps, ef=ef, interval=interval, due=_day(due),
                        lapses=lapses, last_review=_day(last_review)),
        suspended=bool(suspended), buried_until=_day(buried_until),
    )


class Store:
    """One flashcards database file."""

    def __init__(self, conn: sqlite3.Connection, path: Path):
        self.conn = conn
        self.path = path
        self._db: Optional["sqlite_utils.Database"] = None

    @property
    def db(self) -> "sqlite_utils.Database":
        """The connection wrapped by sqlite-utils, imported on first use (it costs
        ~30 ms of start-up, which ``flash review`` does not pay)."""
        if self._db is None:
            import sqlite_utils

            self._db = sqlite_utils.Database(self.conn)
        return self._db

    # -- opening --------------------------------------------------------

    @classmethod
    def open(cls, path: str | Path, *, create: bool = True) -> "Store":
        """Open (and if needed create and migrate) the database at ``path``.

        Raises ``StoreError`` for a missing file when ``create`` is false, a
        file that is not a flashcards database, or one from a newer version.
        """
        path = Path(path)
        if path.is_dir():
            raise StoreError(f"{path} is a folder, not a database file")
        if not path.exists():
            if not create:
                raise StoreError(
                    f"no database at {path} (run 'flash import' or 'flash review' to create one)"
                )
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise StoreError(f"cannot create {path.parent}: {exc.strerror or exc}") from exc
        conn = sqlite3.connect(str(path))
        try:
            store = cls(conn, path)
            store._prepare()
        except sqlite3.DatabaseError as exc:
            conn.close()
            raise StoreError(f"{path} is not a usable flashcards database ({exc})") from exc
        except StoreError:
            conn.close()
            raise
        return store

    def _prepare(self) -> None:
        conn = self.conn
        self._check_version(conn.execute("PRAGMA user_version").fetchone()[0])
        conn.execute("PRAGMA foreign_keys = ON")
        if conn.execute("PRAGMA user_version").fetchone()[0] < SCHEMA_VERSION:
            self._migrate(conn)
        # WAL: a grade's commit is one short append, and a reader never blocks the session.
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")

    def _check_version(self, version: int) -> None:
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"{self.path} was written by a newer version of flashcards "
                f"(schema {version}, this version reads up to {SCHEMA_VERSION}); upgrade flashcards"
            )
        if version == 0:
            tables = self.conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()
            if tables:
                raise StoreError(f"{self.path} is an SQLite database, but not a flashcards one")

    def _migrate(self, conn: sqlite3.Connection) -> None:
        """Apply the missing migrations in one transaction: all of them or none.

        Python's sqlite3 does not open a transaction for DDL by itself, so it is
        begun explicitly (IMMEDIATE: a second process waits instead of racing).
        """
        conn.execute("BEGIN IMMEDIATE")
        try:
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            self._check_version(version)
            for number in range(version, SCHEMA_VERSION):
                for statement in MIGRATIONS[number]:
                    conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            conn.commit()
        except BaseException:
            conn.rollback()
            raise

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @property
    def schema_version(self) -> int:
        return self.conn.execute("PRAGMA user_version").fetchone()[0]

    # -- decks ----------------------------------------------------------

    def is_empty(self) -> bool:
        return self.conn.execute("SELECT NOT EXISTS (SELECT 1 FROM cards)").fetchone()[0] == 1

    def deck_ids(self) -> list[str]:
        return [row[0] for row in self.conn.execute("SELECT id FROM decks ORDER BY id")]

    def sync(self, decks: Iterable[Deck], *, today: date) -> list[SyncReport]:
        """Bring the stored cards in line with ``decks``, all decks in one transaction.

        New cards are added as new; changed cards keep their state; cards whose
        entry is gone are retired (state and history kept); a retired card that
        comes back is restored with its history.
        """
        conn = self.conn
        reports = []
        with conn:
            for deck in decks:
                reports.append(self._sync_deck(conn, deck, today.isoformat()))
        return reports

    def _sync_deck(self, conn: sqlite3.Connection, deck: Deck, today: str) -> SyncReport:
        report = SyncReport(deck.id, deck.name)
        conn.execute(
            """INSERT INTO decks (id, name, description, source, path, tags, imported_on)
               VALUES (?, ?, ?, ?, ?, ?, ?)
               ON CONFLICT(id) DO UPDATE SET name = excluded.name, description = excluded.description,
                 source = excluded.source, path = excluded.path, tags = excluded.tags,
                 imported_on = excluded.imported_on""",
            (deck.id, deck.name, deck.description, deck.source, deck.path,
             json.dumps(list(deck.tags)), today),
        )
        existing = {
            row[0]: (row[1], row[2], row[3])
            for row in conn.execute(
                "SELECT id, content_hash, retired, position FROM cards WHERE deck_id = ?", (deck.id,)
            )
        }
        inserts, updates, moves, new_states = [], [], [], []
        for position, card in enumerate(cards_for_deck(deck)):
            digest = _card_hash(card)
            old = existing.pop(card.id, None)
            if old is None or old[0] != digest or old[1]:
                row = (card.front, card.back, json.dumps(list(card.tags)), card.source, position, digest)
            if old is None:
                inserts.append((card.id, deck.id, card.entry_id, card.kind.value) + row + (today, today))
                new_states.append((card.id, deck.id, position))
                report.added.append(card.id)
            elif old[0] != digest or old[1]:
                updates.append(row + (today, card.id))
                (report.restored if old[1] else report.updated).append(card.id)
            else:
                report.unchanged += 1
                if old[2] != position:
                    moves.append((position, card.id))
        if inserts:
            conn.executemany(
                """INSERT INTO cards (id, deck_id, entry_id, kind, front, back, tags, source,
                   position, content_hash, added_on, updated_on)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                inserts,
            )
            conn.executemany("INSERT INTO card_state (card_id, deck_id, position) VALUES (?, ?, ?)", new_states)
        if updates:
            conn.executemany(
                """UPDATE cards SET front = ?, back = ?, tags = ?, source = ?, position = ?,
                   content_hash = ?, retired = 0, updated_on = ? WHERE id = ?""",
                updates,
            )
        if moves:
            conn.executemany("UPDATE cards SET position = ? WHERE id = ?", moves)
        gone = [cid for cid, (_, retired, _) in existing.items() if not retired]
        if gone:
            conn.executemany(
                "UPDATE cards SET retired = 1, updated_on = ? WHERE id = ?", [(today, c) for c in gone]
            )
            report.retired.extend(gone)
        return report

    def deck_summaries(self, *, today: date) -> list[DeckSummary]:
        rows = self.conn.execute(
            """SELECT d.id, d.name, COALESCE(s.new, 0), COALESCE(s.due, 0), COALESCE(s.learning, 0),
                 COALESCE(s.total, 0), COALESCE(s.retired, 0)
               FROM decks d LEFT JOIN (
                 SELECT deck_id,
                   SUM(retired = 0 AND suspended = 0 AND due IS NULL) AS new,
                   SUM(retired = 0 AND suspended = 0 AND due <= :today
                       AND (buried_until IS NULL OR buried_until <= :today)) AS due,
                   SUM(retired = 0 AND due IS NOT NULL AND repetitions <= 1) AS learning,
                   SUM(retired = 0) AS total,
                   SUM(retired = 1) AS retired
                 FROM card_state GROUP BY deck_id
               ) s ON s.deck_id = d.id
               ORDER BY d.id""",
            {"today": today.isoformat()},
        ).fetchall()
        return [DeckSummary(*row) for row in rows]

    # -- cards ----------------------------------------------------------

    def card(self, card_id: str) -> CardRecord:
        row = self.conn.execute(f"SELECT {_CARD_COLUMNS} {_CARD_FROM} WHERE c.id = ?", (card_id,)).fetchone()
        if row is None:
            raise StoreError(f"no card with id '{card_id}'")
        return _record_from_row(row)

    def cards(self, *, deck: Optional[str] = None, include_retired: bool = True) -> list[CardRecord]:
        where, params = [], []
        if deck is not None:
            where.append("c.deck_id = ?")
            params.append(deck)
        if not include_retired:
            where.append("c.retired = 0")
        clause = f"WHERE {' AND '.join(where)}" if where else ""
        rows = self.conn.execute(
            f"SELECT {_CARD_COLUMNS} {_CARD_FROM} {clause} ORDER BY c.deck_id, c.position", params
        )
        return [_record_from_row(row) for row in rows]

    def require_deck(self, deck: Optional[str]) -> None:
        """Raise ``StoreError`` if ``deck`` is given and not in the database."""
        if deck is not None and deck not in self.deck_ids():
            known = ", ".join(self.deck_ids()) or "none imported yet"
            raise StoreError(f"no deck with id '{deck}' (decks: {known})")

    # -- the review queue -------------------------------------------------

    # The queue reads card_state alone: its copies of deck_id, position and retired
    # (schema migration 3) let a partial index answer each query without a join.

    def due_card_ids(self, *, today: date, deck: Optional[str] = None, limit: Optional[int] = None) -> list[str]:
        """Ids of the cards due on or before ``today``, oldest due first (then deck order).

        Read in order from a covering index, so the first ``limit`` cost the
        same however many cards are due.
        """
        sql = f"""SELECT card_id FROM card_state
            WHERE due <= :today AND retired = 0 AND suspended = 0
              AND (buried_until IS NULL OR buried_until <= :today)
              {"AND deck_id = :deck" if deck else ""}
            ORDER BY due, deck_id, position {"LIMIT :limit" if limit is not None else ""}"""
        rows = self.conn.execute(sql, {"today": today.isoformat(), "deck": deck, "limit": limit})
        return [row[0] for row in rows]

    def due_count(self, *, today: date, deck: Optional[str] = None) -> int:
        """How many cards ``due_card_ids`` would return: due by ``today``, not buried past it."""
        params = {"today": today.isoformat(), "deck": deck}
        if deck:
            sql = """SELECT COUNT(*) FROM card_state
                WHERE deck_id = :deck AND due <= :today AND retired = 0 AND suspended = 0
                  AND (buried_until IS NULL OR buried_until <= :today)"""
        else:  # all cards due, less the few buried past today: two index ranges
            sql = """SELECT (SELECT COUNT(*) FROM card_state WHERE due <= :today AND retired = 0 AND suspended = 0)
                - (SELECT COUNT(*) FROM card_state WHERE buried_until > :today AND due <= :today
                   AND retired = 0 AND suspended = 0)"""
        return self.conn.execute(sql, params).fetchone()[0]

    def new_card_ids(self, *, deck: Optional[str] = None, limit: int, today: Optional[date] = None) -> list[str]:
        """Ids of never-reviewed cards, in deck order (given ``today``, without cards buried past it)."""
        if limit <= 0:
            return []
        sql = f"""SELECT card_id FROM card_state
            WHERE due IS NULL AND retired = 0 AND suspended = 0
              {"AND (buried_until IS NULL OR buried_until <= :today)" if today else ""}
              {"AND deck_id = :deck" if deck else ""}
            ORDER BY deck_id, position LIMIT :limit"""
        rows = self.conn.execute(sql, {"deck": deck, "limit": limit, "today": _iso(today)})
        return [row[0] for row in rows]

    def new_introduced(self, *, today: date, deck: Optional[str] = None) -> int:
        """How many new cards had their first review on ``today`` (for the daily new-card cap)."""
        sql = f"""SELECT COUNT(DISTINCT r.card_id) FROM reviews r
            {"JOIN cards c ON c.id = r.card_id" if deck else ""}
            WHERE r.day = :today AND r.kind = 'review' AND r.due_before IS NULL AND {_LIVE_REVIEW}
              {"AND c.deck_id = :deck" if deck else ""}"""
        return self.conn.execute(sql, {"today": today.isoformat(), "deck": deck}).fetchone()[0]

    def reviews_done(self, *, today: date, deck: Optional[str] = None) -> int:
        """How many scheduled cards had their review on ``today`` (for the daily review cap)."""
        sql = f"""SELECT COUNT(DISTINCT r.card_id) FROM reviews r
            {"JOIN cards c ON c.id = r.card_id" if deck else ""}
            WHERE r.day = :today AND r.kind = 'review' AND r.due_before IS NOT NULL AND {_LIVE_REVIEW}
              {"AND c.deck_id = :deck" if deck else ""}"""
        return self.conn.execute(sql, {"today": today.isoformat(), "deck": deck}).fetchone()[0]

    def todays_grades(self, *, today: date, deck: Optional[str] = None) -> dict[str, list[tuple[str, int]]]:
        """Each card's live (not undone) grades on ``today`` in order, as ``(kind, grade)``."""
        grades: dict[str, list[tuple[str, int]]] = {}
        rows = self.conn.execute(
            f"""SELECT r.card_id, r.kind, r.grade FROM reviews r
                {"JOIN cards c ON c.id = r.card_id" if deck else ""}
                WHERE r.day = :today AND {_LIVE_REVIEW} {"AND c.deck_id = :deck" if deck else ""}
                ORDER BY r.id""",
            {"today": today.isoformat(), "deck": deck},
        )
        for card_id, kind, grade in rows:
            grades.setdefault(card_id, []).append((kind, grade))
        return grades

    def pending_drill_ids(self, *, today: date, deck: Optional[str] = None) -> list[str]:
        """Cards graded today whose latest grade was below 4: they come back until graded 4 or 5."""
        ids = [
            cid for cid, grades in self.todays_grades(today=today, deck=deck).items()
            if grades[-1][1] < SESSION_PASS_GRADE
        ]
        records = [self.card(cid) for cid in ids]
        return [r.id for r in records if not r.retired and not r.suspended
                and (r.buried_until is None or r.buried_until <= today)]

    def next_due(self, *, today: date, deck: Optional[str] = None) -> Optional[tuple[date, int]]:
        """The first day after ``today`` with cards due, and how many fall due that day."""
        row = self.conn.execute(
            f"""SELECT due, COUNT(*) FROM card_state
                WHERE due > :today AND retired = 0 AND suspended = 0 {"AND deck_id = :deck" if deck else ""}
                GROUP BY due ORDER BY due LIMIT 1""",
            {"today": today.isoformat(), "deck": deck},
        ).fetchone()
        return (date.fromisoformat(row[0]), row[1]) if row else None

    def due_on(self, day: date, *, deck: Optional[str] = None) -> int:
        """Cards that will be due on ``day`` (due that day or earlier), if nothing is reviewed before."""
        return self.conn.execute(
            f"""SELECT COUNT(*) FROM card_state WHERE due <= :day AND retired = 0 AND suspended = 0
                {"AND deck_id = :deck" if deck else ""}""",
            {"day": day.isoformat(), "deck": deck},
        ).fetchone()[0]

    # -- grading --------------------------------------------------------

    def record(self, card_id: str, grade: int, *, today: date, now: datetime, drill: bool = False,
               duration_ms: Optional[int] = None) -> ReviewRecord:
        """Grade a card and commit before returning.

        A scheduled review (``drill=False``) moves the card's SM-2 state; a
        drill (an extra pass in the same day's session) is logged and leaves
        the state as it is.
        """
        conn = self.conn
        with conn:
            before = self.card(card_id).state
            after = before if drill else review(before, grade, today=today)
            if not drill:
                conn.execute(
                    """UPDATE card_state SET repetitions = ?, ef = ?, interval = ?, due = ?, lapses = ?,
                       last_review = ?, buried_until = NULL WHERE card_id = ?""",
                    (after.repetitions, after.ef, after.interval, _iso(after.due), after.lapses,
                     _iso(after.last_review), card_id),
                )
            cursor = conn.execute(
                """INSERT INTO reviews (card_id, reviewed_at, day, kind, grade, duration_ms,
                   reps_before, ef_before, interval_before, due_before, lapses_before, last_review_before,
                   reps_after, ef_after, interval_after, due_after, lapses_after, last_review_after)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                (card_id, now.isoformat(timespec="seconds"), today.isoformat(),
                 "drill" if drill else "review", grade, duration_ms,
                 *_state_columns(before), *_state_columns(after)),
            )
        return ReviewRecord(cursor.lastrowid, card_id, grade, drill, before, after)

    def undo(self, review_id: int, *, today: date, now: datetime) -> ReviewRecord:
        """Take back a logged grade: restore the card's state from before it and log the undo."""
        conn = self.conn
        with conn:
            row = conn.execute(
                f"""SELECT r.id, r.card_id, r.grade, r.kind, {_STATE_BEFORE}, {_STATE_AFTER}
                    FROM reviews r WHERE r.id = ? AND {_LIVE_REVIEW}""",
                (review_id,),
            ).fetchone()
            if row is None:
                raise StoreError(f"review {review_id} does not exist or was already undone")
            rid, card_id, grade, kind = row[:4]
            before, after = _state_from(row[4:10]), _state_from(row[10:16])
            conn.execute(
                """UPDATE card_state SET repetitions = ?, ef = ?, interval = ?, due = ?, lapses = ?,
                   last_review = ? WHERE card_id = ?""",
                (*_state_columns(before), card_id),
            )
            conn.execute(
                "INSERT INTO reviews (card_id, reviewed_at, day, kind, undoes) VALUES (?, ?, ?, 'undo', ?)",
                (card_id, now.isoformat(timespec="seconds"), today.isoformat(), rid),
            )
        return ReviewRecord(rid, card_id, grade, kind == "drill", before, after)


_STATE_BEFORE = "r.reps_before, r.ef_before, r.interval_before, r.due_before, r.lapses_before, r.last_review_before"
_STATE_AFTER = "r.reps_after, r.ef_after, r.interval_after, r.due_after, r.lapses_after, r.last_review_after"


def _state_columns(state: CardState) -> tuple:
    return (state.repetitions, state.ef, state.interval, _iso(state.due), state.lapses, _iso(state.last_review))


def _state_from(columns) -> CardState:
    reps, ef, interval, due, lapses, last_review = columns
    return CardState(repetitions=reps, ef=ef, interval=interval, due=_day(due), lapses=lapses,
                     last_review=_day(last_review))
