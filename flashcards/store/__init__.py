"""Storage: the only place that speaks SQL. Decks, cards, SM-2 state and the review log.

A ``Store`` wraps one SQLite file through sqlite-utils. Every method that
writes does so in one transaction, so a failure leaves the file as it was, and
every grade is committed before ``record`` returns.
"""

from __future__ import annotations

import json
import os
import sqlite3
import stat
import tempfile
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterable, Iterator, Optional

from ..errors import DatabaseBusyError, DatabaseDamagedError, DatabaseWriteError, GradeRefusedError, StoreError
from ..model import Card, CardKind, Deck, cards_for_deck
from ..sm2 import SESSION_PASS_GRADE, CardState, review
from .schema import MIGRATIONS, SCHEMA_VERSION

if TYPE_CHECKING:
    import sqlite_utils

__all__ = [
    "CardRecord", "DeckSummary", "ReviewRecord", "Store", "SyncReport", "default_db_path",
    "SCHEMA_VERSION", "DEFAULT_BUSY_TIMEOUT", "one_line", "store_error",
]

DEFAULT_BUSY_TIMEOUT = 30.0  # seconds a write waits, in all, for another process's write lock
_FIRST_BUSY_STEP = 0.2  # seconds of silent waiting (another session's commit) before the notice
_BUSY_STEP = 1.0  # SQLite's own busy timeout per later attempt, until busy_timeout has passed
_WRITE_ACTIONS = frozenset(
    getattr(sqlite3, name) for name in (
        "SQLITE_INSERT", "SQLITE_UPDATE", "SQLITE_DELETE", "SQLITE_ALTER_TABLE", "SQLITE_CREATE_INDEX",
        "SQLITE_CREATE_TABLE", "SQLITE_CREATE_TRIGGER", "SQLITE_CREATE_VIEW", "SQLITE_DROP_INDEX",
        "SQLITE_DROP_TABLE", "SQLITE_DROP_TRIGGER", "SQLITE_DROP_VIEW",
    ) if hasattr(sqlite3, name)
)
SYNC_CHECK_BYTES = 16 * 1024 * 1024  # up to this size quick_check runs at open (about 60 ms)


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

    def not_gradable(self, *, today: date, drill: bool) -> Optional[str]:
        """Why this card must not be graded now (None if it may be): it was retired or
        suspended since the session began, or, for a scheduled review, it is no longer
        due (another session graded it)."""
        if self.retired:
            return "it was retired (its entry left the deck) since the session began"
        if self.suspended:
            return "it was suspended since the session began"
        if not drill and self.state.due is not None and self.state.due > today:
            return (f"it was already graded today, e.g. in another session "
                    f"(next due {self.state.due.isoformat()})")
        return None


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


def _card_hash(card: Card, sha1) -> str:
    """A digest of what a card shows; an unchanged card is skipped on re-import."""
    payload = "\x1f".join((card.kind.value, card.front, card.back, "\x1e".join(card.tags), card.source or ""))
    return sha1(payload.encode("utf-8")).hexdigest()


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
        self.busy_timeout = DEFAULT_BUSY_TIMEOUT
        self.on_wait: Optional[Callable[[str], None]] = None
        self._integrity: Optional[list[str]] = None
        self._check_thread: Optional[threading.Thread] = None
        self._check_conn: Optional[sqlite3.Connection] = None

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
    def open(cls, path: str | Path, *, create: bool = True, busy_timeout: float = DEFAULT_BUSY_TIMEOUT,
             on_wait: Optional[Callable[[str], None]] = None) -> "Store":
        """Open (and if needed create and migrate) the database at ``path``.

        Raises ``StoreError`` for a missing file when ``create`` is false, a
        path that is not a regular file (folder, device, dangling link), an empty
        file, a file that is not a flashcards database, or one from a newer
        version; ``DatabaseDamagedError`` for a corrupt one. A new database is
        built beside ``path`` and moved into place whole, so an empty file at
        ``path`` is never ours.

        ``busy_timeout`` is how long (seconds) a write waits for another
        process's write lock in all; ``on_wait`` is told once, in one line,
        when a write has to wait.
        """
        path = Path(path)
        _check_db_path(path, create=create)
        if not path.exists():
            _create_database(path)
        try:
            conn = sqlite3.connect(str(path), timeout=busy_timeout)
        except sqlite3.Error as exc:
            raise store_error(exc, path, "open") from exc
        store = cls(conn, path)
        store.busy_timeout = busy_timeout
        store.on_wait = on_wait
        try:
            store._prepare()
        except sqlite3.Error as exc:
            conn.close()
            raise store_error(exc, path, "open") from exc
        except BaseException:
            conn.close()
            raise
        return store

    def _prepare(self) -> None:
        conn = self.conn
        if not _looks_like_sqlite(self.path):
            raise StoreError(f"{self.path} is not a usable flashcards database (file is not a database)")
        self._check_version(conn.execute("PRAGMA user_version").fetchone()[0])
        conn.execute("PRAGMA foreign_keys = ON")
        self._start_integrity_check()
        if conn.execute("PRAGMA user_version").fetchone()[0] < SCHEMA_VERSION:
            self._ensure_sound()
            self._migrate(conn)
        # WAL: a grade's commit is one short append, and a reader never blocks the session.
        # synchronous=NORMAL: a commit survives a killed process at once; after a power
        # cut the file is consistent but the last commits before it may be missing.
        if conn.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
            self._ensure_sound()
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
        with self._write_transaction():
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            self._check_version(version)
            for number in range(version, SCHEMA_VERSION):
                for statement in MIGRATIONS[number]:
                    conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    # -- integrity and writing ---------------------------------------------

    def _start_integrity_check(self) -> None:
        """Run ``PRAGMA quick_check`` before anything is written.

        It reads the whole file (about 3.6 ms per MB: 720 ms for the benchmark's
        200 MB database), so a small database is checked now and a large one in a
        background thread while the first card is on screen; the first write
        waits for the verdict (``_ensure_sound``).
        """
        self._integrity: Optional[list[str]] = None
        self._check_thread: Optional[threading.Thread] = None
        self._check_conn: Optional[sqlite3.Connection] = None
        if self.path.stat().st_size <= SYNC_CHECK_BYTES:
            self._integrity = _quick_check(self.conn)
            self._ensure_sound()
            return
        self._check_conn = sqlite3.connect(str(self.path), timeout=_BUSY_STEP, check_same_thread=False)
        result: list[list[str]] = []

        def run() -> None:
            try:
                result.append(_quick_check(self._check_conn))
            except sqlite3.Error as exc:
                result.append([str(exc)])

        self._check_result = result
        self._check_thread = threading.Thread(target=run, name="flash-quick-check", daemon=True)
        self._check_thread.start()
        # writes that do not go through _write_transaction (suspend, bury, quiz scoring) wait
        # for the verdict too: SQLite asks before it prepares any statement that writes
        self.conn.set_authorizer(self._authorize)

    def _authorize(self, action: int, *_args) -> int:
        if action not in _WRITE_ACTIONS:
            return sqlite3.SQLITE_OK
        try:
            self._ensure_sound()
        except DatabaseDamagedError:
            return sqlite3.SQLITE_DENY  # the statement fails; __exit__ says why in one line
        return sqlite3.SQLITE_OK

    def _ensure_sound(self) -> None:
        """Raise ``DatabaseDamagedError`` if the integrity check found damage (waiting for it)."""
        if self._check_thread is not None:
            self._check_thread.join()
            self._check_thread = None
            self._integrity = self._check_result[0] if self._check_result else ["check did not finish"]
            self._check_conn.close()  # type: ignore[union-attr]
            self._check_conn = None
        if self._integrity and self._integrity != ["ok"]:
            raise DatabaseDamagedError(damaged_message(self.path, self._integrity[0]))

    def check_writable(self) -> None:
        """Raise ``DatabaseWriteError`` now if a grade could not be written (read-only file
        or folder), so a session can say so before the first card; nothing is changed."""
        conn = self.conn
        try:
            with self._write_transaction(commit=False, wait_for_check=False):
                version = conn.execute("PRAGMA user_version").fetchone()[0]
                conn.execute(f"PRAGMA user_version = {int(version)}")  # a real write, rolled back
        except sqlite3.Error as exc:
            raise store_error(exc, self.path, "write to") from exc

    @contextmanager
    def _write_transaction(self, *, commit: bool = True, wait_for_check: bool = True) -> Iterator[sqlite3.Connection]:
        """``BEGIN IMMEDIATE`` ... ``COMMIT``: the write lock is taken before anything is
        read, so what a write reads is what it writes over. A busy database is retried
        (SQLite's busy timeout in steps) until ``busy_timeout`` seconds have passed,
        telling ``on_wait`` once. Damage found by the integrity check stops it first
        (``wait_for_check=False`` only for a probe that is always rolled back)."""
        if wait_for_check:
            self._ensure_sound()
        conn = self.conn
        deadline = time.monotonic() + self.busy_timeout
        step = min(self.busy_timeout, _FIRST_BUSY_STEP)  # a short wait is ordinary: said nothing
        told = False
        try:
            while True:
                conn.execute(f"PRAGMA busy_timeout = {int(step * 1000)}")
                try:
                    conn.execute("BEGIN IMMEDIATE")
                    break
                except sqlite3.OperationalError as exc:
                    left = deadline - time.monotonic()
                    if _error_kind(exc) != "busy" or left <= 0:
                        raise store_error(exc, self.path, "write to", waited=self.busy_timeout) from exc
                    if not told and self.on_wait is not None:
                        self.on_wait(f"waiting for another flash process to finish writing to {self.path} ...")
                    told = True
                    step = min(left, _BUSY_STEP)
        finally:
            conn.execute(f"PRAGMA busy_timeout = {int(self.busy_timeout * 1000)}")
        try:
            yield conn
            if commit:
                conn.commit()
            else:
                conn.rollback()
        except sqlite3.Error as exc:  # disk full, I/O error, damage found while writing: one line
            _rollback(conn)
            raise store_error(exc, self.path, "write to") from exc
        except BaseException:
            _rollback(conn)
            raise

    def close(self) -> None:
        if self._check_thread is not None and self._check_conn is not None:
            self._check_conn.interrupt()  # a read-only command need not wait for the verdict
            self._check_thread.join()
            self._check_conn.close()
            self._check_thread = None
        self.conn.close()

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        self.close()
        if isinstance(exc, sqlite3.Error):  # any SQLite failure inside ``with store:``: one line
            if self._integrity and self._integrity != ["ok"]:  # a write the authorizer refused
                raise DatabaseDamagedError(damaged_message(self.path, self._integrity[0])) from exc
            raise store_error(exc, self.path, "use") from exc

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
        reports = []
        with self._write_transaction() as conn:
            for deck in decks:
                reports.append(self._sync_deck(conn, deck, today.isoformat()))
        return reports

    def _sync_deck(self, conn: sqlite3.Connection, deck: Deck, today: str) -> SyncReport:
        from hashlib import sha1  # here, not at the top: OpenSSL's load is start-up time review never needs

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
            digest = _card_hash(card, sha1)
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

    def last_live_review(self, *, today: date, deck: Optional[str] = None) -> Optional[ReviewRecord]:
        """The latest grade (review or drill) logged on ``today`` and not undone, or ``None``:
        what ``flash undo`` takes back (undone, the one before it is next)."""
        row = self.conn.execute(
            f"""SELECT r.id, r.card_id, r.grade, r.kind, {_STATE_BEFORE}, {_STATE_AFTER} FROM reviews r
                {"JOIN cards c ON c.id = r.card_id" if deck else ""}
                WHERE r.day = :today AND {_LIVE_REVIEW} {"AND c.deck_id = :deck" if deck else ""}
                ORDER BY r.id DESC LIMIT 1""",
            {"today": today.isoformat(), "deck": deck},
        ).fetchone()
        if row is None:
            return None
        return ReviewRecord(row[0], row[1], row[2], row[3] == "drill", _state_from(row[4:10]),
                            _state_from(row[10:16]))

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
        the state as it is. The state is read and written inside one
        ``BEGIN IMMEDIATE`` transaction, so two sessions on one database cannot
        grade from the same old state. ``GradeRefusedError`` (nothing written)
        when the card is retired or suspended, or no longer due for a scheduled
        review because another session graded it.
        """
        with self._write_transaction() as conn:
            card = self.card(card_id)
            reason = card.not_gradable(today=today, drill=drill)
            if reason is not None:
                raise GradeRefusedError(f"{card_id} not graded: {reason}")
            before = card.state
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
        """Take back a logged grade: restore the card's state from before it and log the undo.

        Only the card's latest live grade can be taken back: if anything was logged
        for the card after it (a grade from another session, say), the state it
        would restore is stale, so ``GradeRefusedError`` is raised and nothing changes.
        """
        with self._write_transaction() as conn:
            row = conn.execute(
                f"""SELECT r.id, r.card_id, r.grade, r.kind, {_STATE_BEFORE}, {_STATE_AFTER}
                    FROM reviews r WHERE r.id = ? AND {_LIVE_REVIEW}""",
                (review_id,),
            ).fetchone()
            if row is None:
                raise StoreError(f"review {review_id} does not exist or was already undone")
            rid, card_id, grade, kind = row[:4]
            later = conn.execute(
                f"""SELECT r.id, r.day FROM reviews r
                    WHERE r.card_id = ? AND r.id > ? AND {_LIVE_REVIEW} ORDER BY r.id LIMIT 1""",
                (card_id, rid),
            ).fetchone()
            if later is not None:
                raise GradeRefusedError(
                    f"cannot undo grade {grade} for {card_id}: the card was graded again after it "
                    f"(log row {later[0]}, on {later[1]}, e.g. in another session); nothing changed"
                )
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


# -- paths, creation, and SQLite errors as messages ------------------------------------


def _check_db_path(path: Path, *, create: bool) -> None:
    """Refuse, in one line, a ``--db`` path that cannot be a database file."""
    try:
        if path.is_symlink() and not path.exists():
            raise StoreError(f"{path} is a symbolic link to {os.readlink(path)}, which does not exist")
        if not path.exists():
            if not create:
                raise StoreError(f"no database at {path} (run 'flash import' or 'flash review' to create one)")
            return
        mode = path.stat().st_mode
    except OSError as exc:
        raise StoreError(f"cannot use {path} as the database: {exc.strerror or exc}") from exc
    if stat.S_ISDIR(mode):
        raise StoreError(f"{path} is a folder, not a database file")
    if not stat.S_ISREG(mode):
        raise StoreError(f"{path} is not a regular file (a device or a pipe?), so it cannot be the database")
    if path.stat().st_size == 0:
        raise StoreError(
            f"{path} is an empty file (0 bytes), not a flashcards database: a copy that failed? "
            f"Restore your backup over it, or delete it to start afresh"
        )


def _create_database(path: Path) -> None:
    """Build a new, migrated database beside ``path`` and move it into place whole.

    Linking (not renaming) means a database another process created meanwhile is
    kept, and nobody ever sees a half-made or empty file at ``path``.
    """
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(prefix=f".{path.name[:100]}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise StoreError(f"cannot create {path}: {exc.strerror or exc}") from exc
    os.close(fd)
    tmp = Path(name)
    try:
        mask = os.umask(0o022)
        os.umask(mask)
        os.chmod(tmp, 0o666 & ~mask)  # mkstemp makes it private; SQLite would make it 0666 & ~umask
        conn = sqlite3.connect(str(tmp))
        try:
            store = Store(conn, tmp)
            store._migrate(conn)
            conn.execute("PRAGMA journal_mode = WAL")
        finally:
            conn.close()  # the last connection folds the WAL back into the file
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass  # created by another process meanwhile: use theirs
        except OSError:  # a file system without hard links
            if not path.exists():
                os.replace(tmp, path)
    except sqlite3.Error as exc:
        raise store_error(exc, path, "create") from exc
    except OSError as exc:
        raise StoreError(f"cannot create {path}: {exc.strerror or exc}") from exc
    finally:
        for leftover in (tmp, Path(f"{tmp}-wal"), Path(f"{tmp}-shm")):
            leftover.unlink(missing_ok=True)


def _rollback(conn: sqlite3.Connection) -> None:
    if conn.in_transaction:
        try:
            conn.rollback()
        except sqlite3.Error:
            pass  # SQLite rolls back by itself when the connection closes


def _looks_like_sqlite(path: Path) -> bool:
    try:
        with open(path, "rb") as handle:
            return handle.read(16) == b"SQLite format 3\x00"
    except OSError:
        return True  # let SQLite say what is wrong


def _quick_check(conn: sqlite3.Connection) -> list[str]:
    return [one_line(row[0]) for row in conn.execute("PRAGMA quick_check(5)")]


def one_line(detail: str) -> str:
    """An SQLite check result on one line, without its "*** in database main ***" header."""
    parts = [p.strip() for p in detail.replace("*** in database main ***", "").splitlines()]
    return "; ".join(p for p in parts if p)


def damaged_message(path: Path, detail: str) -> str:
    return (f"{path} is damaged ({detail}); nothing was written to it. Restore your latest backup "
            f"(made with 'flash db backup FILE') by copying it over {path}; 'flash db check' shows details")


_ERROR_KINDS = (  # (primary SQLite result code, words in the message) -> kind
    ("busy", (5, 6), ("database is locked", "database table is locked", "database is busy")),
    ("readonly", (8,), ("readonly database", "read-only")),
    ("full", (13,), ("database or disk is full",)),
    ("damaged", (11, 26), ("malformed", "file is not a database", "corrupt")),
    ("io", (10,), ("disk i/o error",)),
    ("cantopen", (14,), ("unable to open database",)),
)


def _error_kind(exc: sqlite3.Error) -> str:
    code = getattr(exc, "sqlite_errorcode", None)  # Python 3.11+
    text = str(exc).lower()
    for kind, codes, words in _ERROR_KINDS:
        if (code is not None and code & 0xFF in codes) or any(w in text for w in words):
            return kind
    return "other"


def store_error(exc: sqlite3.Error, path: Path, doing: str = "use", *, waited: Optional[float] = None) -> StoreError:
    """A one-line ``StoreError`` saying what an SQLite failure means for the user."""
    kind = _error_kind(exc)
    if kind == "busy":
        how_long = f" for {waited:g} s" if waited else ""
        return DatabaseBusyError(
            f"{path} is locked by another process writing to it (waited{how_long}); "
            f"try again when it has finished"
        )
    if kind == "readonly":
        folder = path.parent
        if not os.access(folder, os.W_OK | os.X_OK):
            why = f"its folder {folder} is read-only (SQLite keeps {path.name}-wal and -shm files there)"
        else:
            why = "the file is read-only"
        return DatabaseWriteError(f"cannot {doing} {path}: {why}")
    if kind == "full":
        return DatabaseWriteError(f"cannot {doing} {path}: the disk is full")
    if kind == "io":
        return DatabaseWriteError(f"cannot {doing} {path}: disk I/O error (is the disk full or removed?)")
    if kind == "damaged":
        return DatabaseDamagedError(damaged_message(path, str(exc)))
    if kind == "cantopen":
        return StoreError(f"cannot {doing} {path}: SQLite cannot open it (missing folder or no permission)")
    return StoreError(f"cannot {doing} {path}: {exc}")
