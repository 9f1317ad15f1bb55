"""``flash db check`` and ``flash db backup``: is the database sound, and a safe copy of it.

Both work on a database that ``Store.open`` would refuse (a damaged one is what
they are for), so they open the file themselves, read-only for the check.
"""

from __future__ import annotations

import dataclasses
import json
import os
import sqlite3
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Optional

from .._files import replacing
from ..errors import DatabaseDamagedError, SchemaMismatchError, StoreError
from ..schedulers.base import make_scheduler, switch
from ..schedulers.state import CardState
from .records import _memory_from
from .schema import MIGRATIONS
from .scheduling import SchedulerSetting
from .verify import identify
from .counts import GradeCount, grade_count
from .wal import wal_fault
from . import _LIVE_REVIEW, DEFAULT_BUSY_TIMEOUT, SCHEMA_VERSION, _check_db_path, _state_from, one_line, store_error

__all__ = ["BackupReport", "CheckReport", "Mismatch", "backup", "check"]

# the schema that added card_state.memory and the reviews' scheduler columns
_SCHEDULERS_SCHEMA = next(
    n + 1 for n, m in enumerate(MIGRATIONS) if "ALTER TABLE card_state ADD COLUMN memory TEXT" in m)
# the schema that added reviews.origin (reviews given in Anki)
_ANKI_SCHEMA = next(n + 1 for n, m in enumerate(MIGRATIONS) if any("ADD COLUMN origin" in x for x in m))
MAX_LISTED = 20  # integrity problems and log mismatches listed; the rest are counted


@dataclass(frozen=True)
class Mismatch:
    """A card whose stored state or log does not follow from replaying its grades."""

    card_id: str
    review_id: Optional[int]  # the log row that disagrees; None: the card's current state
    message: str

    def __str__(self) -> str:
        where = f"log row {self.review_id}" if self.review_id is not None else "current state"
        return f"{self.card_id}: {where}: {self.message}"


@dataclass
class CheckReport:
    path: Path
    integrity: list[str] = field(default_factory=list)  # ["ok"] when sound
    foreign_keys: int = 0  # rows that point at nothing
    schema_version: int = 0
    cards: int = 0
    grades: int = 0  # live scheduled grades replayed (fewer than counted.grades where a card's replay broke off)
    counted: GradeCount = GradeCount()  # the log's grades, drills and undone answers (store.counts)
    mismatches: list[Mismatch] = field(default_factory=list)
    mismatch_count: int = 0
    schema_problem: str = ""  # tables, columns, indexes or triggers not what the file's version builds

    @property
    def sound(self) -> bool:
        # an older schema is fine (it is migrated when a command next opens it); a newer one is not ours to judge
        return (self.integrity == ["ok"] and not self.foreign_keys and not self.schema_problem
                and 1 <= self.schema_version <= SCHEMA_VERSION)

    @property
    def ok(self) -> bool:
        return self.sound and not self.mismatch_count


def check(path: Path) -> CheckReport:
    """SQLite's full ``integrity_check`` and ``foreign_key_check``, then the log replay:
    each card's live scheduled grades, replayed from a new card through the scheduler each
    grade names (SM-2, or FSRS with its retention and parameters), must give each logged
    before/after state and end at the card's stored state. Where a deck changed scheduler
    between two grades, the state before the later one must be the earlier grades replayed
    with the new scheduler (due date kept, or rescheduled). A card with reviews from Anki
    is replayed in its merged log's order (``anki_log.merged_reviews``: by day), with the
    scheduler of its latest grade; a flash row's logged states there may predate the
    import, so only the final state is compared."""
    path = Path(path)
    _check_db_path(path, create=False)
    wal_fault(path)
    report = CheckReport(path)
    try:
        # read-write, though nothing is written (query_only): a read-only connection would leave
        # -wal and -shm files behind; the last connection to close removes them
        conn = sqlite3.connect(str(path), timeout=DEFAULT_BUSY_TIMEOUT)
        conn.execute("PRAGMA query_only = ON")
    except sqlite3.Error as exc:
        raise store_error(exc, path, "read") from exc
    try:
        try:
            report.schema_version = conn.execute("PRAGMA user_version").fetchone()[0]
            # an Anki collection, another program's file, a newer version: one line, before the
            # integrity check (which cannot read another program's collations)
            identify(conn, path, version=report.schema_version, latest=SCHEMA_VERSION, migrations=MIGRATIONS)
        except SchemaMismatchError as exc:
            report.schema_problem = "; ".join(exc.found[:5]) + (f"; and {len(exc.found) - 5} more"
                                                                 if len(exc.found) > 5 else "")
        except sqlite3.DatabaseError as exc:  # not even the schema can be read
            report.integrity = [one_line(str(exc))]
            return report
        conn.execute("PRAGMA cache_size = -65536")  # checking indexes against tables revisits pages
        try:
            report.integrity = [one_line(row[0]) for row in conn.execute("PRAGMA integrity_check(100)")]
        except sqlite3.DatabaseError as exc:
            report.integrity = [one_line(str(exc))]
            return report
        if report.integrity != ["ok"] or report.schema_problem:
            return report
        if not 1 <= report.schema_version <= SCHEMA_VERSION:
            return report
        report.foreign_keys = len(conn.execute("PRAGMA foreign_key_check").fetchall())
        report.counted = grade_count(conn)
        _replay(conn, report)
    except sqlite3.Error as exc:
        raise store_error(exc, path, "check") from exc
    finally:
        conn.close()
    return report


def _replay(conn: sqlite3.Connection, report: CheckReport) -> None:
    def mismatch(card_id: str, review_id: Optional[int], message: str) -> None:
        report.mismatch_count += 1
        if len(report.mismatches) < MAX_LISTED:
            report.mismatches.append(Mismatch(card_id, review_id, message))

    # schema 5 added the schedulers' columns; an older file is all SM-2
    old = report.schema_version < _SCHEDULERS_SCHEMA
    schedulers = _Schedulers(conn, old=old)
    memory = "NULL" if old else "s.memory"
    logged = "NULL, NULL, 'sm2', NULL, NULL" if old else (
        "r.memory_before, r.memory_after, COALESCE(r.scheduler, 'sm2'), r.retention, r.parameters_id")
    states = {
        row[0]: (dataclasses.replace(_state_from(row[1:7]), **_memory_from(row[7])), row[8])
        for row in conn.execute(
            f"""SELECT s.card_id, s.repetitions, s.ef, s.interval, s.due, s.lapses, s.last_review, {memory},
                      c.deck_id
               FROM card_state s LEFT JOIN cards c ON c.id = s.card_id"""
        )
    }
    report.cards = len(states)
    merged = _anki_cards(conn, report.schema_version)
    rows = conn.execute(
        f"""SELECT r.card_id, r.id, r.day, r.grade,
                   r.reps_before, r.ef_before, r.interval_before, r.due_before, r.lapses_before,
                   r.last_review_before,
                   r.reps_after, r.ef_after, r.interval_after, r.due_after, r.lapses_after, r.last_review_after,
                   {logged}
            FROM reviews r WHERE r.kind = 'review' AND {_LIVE_REVIEW} ORDER BY r.card_id, r.id"""
    )
    current: Optional[str] = None
    state, setting, entries = CardState(), None, []
    broken = False
    for row in rows:
        card_id, review_id, day, grade = row[:4]
        if card_id in merged:
            continue
        if card_id != current:
            if current is not None and not broken:
                _compare_final(current, state, setting, entries, states, schedulers, mismatch)
            current, state, setting, entries, broken = card_id, CardState(), None, [], False
        if broken:
            continue
        report.grades += 1
        logged_before = dataclasses.replace(_state_from(row[4:10]), **_memory_from(row[16]))
        logged_after = dataclasses.replace(_state_from(row[10:16]), **_memory_from(row[17]))
        graded_by = SchedulerSetting(*row[18:21]) if row[18] != "sm2" else SchedulerSetting()
        scheduler = schedulers.get(graded_by)
        if setting is not None and graded_by != setting:
            # the deck changed scheduler (or FSRS its parameters) between these grades: the
            # log was replayed into the new one's memory, due dates kept or rescheduled
            if logged_before not in _switched(scheduler, entries, state):
                mismatch(card_id, review_id, f"logged state before the grade {_show(logged_before)} is not "
                                             f"the earlier grades replayed with {graded_by.name}")
                broken = True
                continue
            state = logged_before
        elif logged_before != state:
            mismatch(card_id, review_id, f"logged state before the grade {_show(logged_before)} is not the "
                                         f"state the earlier grades give {_show(state)}")
            broken = True
            continue
        expected = scheduler.review(state, grade, today=date.fromisoformat(day))
        if logged_after != expected:
            mismatch(card_id, review_id, f"grade {grade} on {day} gives {_show(expected)}, "
                                         f"the log says {_show(logged_after)}")
            broken = True
            continue
        state, setting = expected, graded_by
        entries.append((date.fromisoformat(day), grade))
    if current is not None and not broken:
        _compare_final(current, state, setting, entries, states, schedulers, mismatch)
    for card_id in sorted(merged):
        from .anki_log import merged_reviews, replay_state

        entries = merged_reviews(conn, card_id)
        report.grades += len(entries)
        last = conn.execute(f"""SELECT COALESCE(r.scheduler, 'sm2'), r.retention, r.parameters_id FROM reviews r
                                WHERE r.card_id = ? AND r.kind = 'review' AND {_LIVE_REVIEW}
                                ORDER BY r.day DESC, r.id DESC LIMIT 1""", (card_id,)).fetchone()
        setting = SchedulerSetting(*last) if last and last[0] != "sm2" else SchedulerSetting()
        state = replay_state(schedulers.get(setting), entries)
        _compare_final(card_id, state, setting, entries, states, schedulers, mismatch)
    graded = {row[0] for row in conn.execute(f"SELECT DISTINCT r.card_id FROM reviews r "
                                             f"WHERE r.kind = 'review' AND {_LIVE_REVIEW}")}
    for card_id, (stored, _deck) in states.items():
        if card_id not in graded and stored != CardState():
            mismatch(card_id, None, f"has state {_show(stored)} but no live grade in the log")


def _anki_cards(conn: sqlite3.Connection, version: int) -> set[str]:
    """Cards with reviews from Anki (none before the schema had them)."""
    if version < _ANKI_SCHEMA:
        return set()
    return {row[0] for row in conn.execute("SELECT DISTINCT card_id FROM reviews WHERE origin = 'anki'")}


class _Schedulers:
    """The schedulers the log names, built once each, and each deck's setting now."""

    def __init__(self, conn: sqlite3.Connection, *, old: bool):
        self.conn = conn
        self.built: dict[SchedulerSetting, object] = {}
        self.decks, self.latest = {}, None
        if not old:
            self.decks = {row[0]: (row[1], row[2]) for row in conn.execute(
                "SELECT deck_id, scheduler, desired_retention FROM deck_schedulers")}
            self.latest = conn.execute("SELECT MAX(id) FROM fsrs_parameters").fetchone()[0]

    def get(self, setting: SchedulerSetting):
        if setting not in self.built:
            parameters = None
            if setting.parameters_id is not None:
                row = self.conn.execute("SELECT parameters FROM fsrs_parameters WHERE id = ?",
                                        (setting.parameters_id,)).fetchone()
                parameters = json.loads(row[0]) if row else None
            self.built[setting] = make_scheduler(setting.name, desired_retention=setting.desired_retention,
                                                 parameters=parameters)
        return self.built[setting]

    def of_deck(self, deck_id: Optional[str]) -> SchedulerSetting:
        name, retention = self.decks.get(deck_id, ("sm2", None))
        return SchedulerSetting(name, retention, self.latest) if name == "fsrs" else SchedulerSetting()


def _switched(scheduler, entries, state) -> list[CardState]:
    return [switch(scheduler, entries, state), switch(scheduler, entries, state, reschedule=True)]


def _compare_final(card_id, state, setting, entries, states, schedulers, mismatch) -> None:
    stored, deck_id = states.get(card_id, (None, None))
    if stored is None:
        mismatch(card_id, None, "has grades in the log but no stored state")
        return
    now = schedulers.of_deck(deck_id)
    if now != setting and stored in _switched(schedulers.get(now), entries, state):
        return  # the deck switched after the last grade: the log replayed with the scheduler it has now
    if stored != state:
        mismatch(card_id, None, f"stored state {_show(stored)} is not what its grades give {_show(state)}")


def _show(state: CardState) -> str:
    due = state.due.isoformat() if state.due else "new"
    memory = "" if state.stability is None else f", stability {state.stability:.4g}, difficulty {state.difficulty:.4g}"
    return f"(reps {state.repetitions}, EF {state.ef / 100:.2f}, interval {state.interval}, due {due}{memory})"


@dataclass(frozen=True)
class BackupReport:
    source: Path
    path: Path
    size: int
    cards: int
    grades: int  # store.counts.grade_count: the same figure flash stats and db check give
    integrity: str  # "ok" or the first problem SQLite's quick_check found in the copy


def backup(path: Path, dest: Path, *, busy_timeout: float = DEFAULT_BUSY_TIMEOUT) -> BackupReport:
    """Copy the database at ``path`` to ``dest`` with SQLite's online backup API.

    The copy is one consistent snapshot taken in a single step, while other
    processes (a running review) go on reading and writing; it is written beside
    ``dest`` and renamed into place, and it is a self-contained file (rollback
    journal mode, no ``-wal`` beside it), ready to be copied back over a database.

    Only a flashcards database whose schema is what its version builds is copied
    (``StoreError`` for another program's file, an Anki collection or a newer
    version), and the copy must pass SQLite's full ``integrity_check`` (indexes
    included) before it replaces ``dest``: a damaged database never overwrites a
    good backup (``DatabaseDamagedError``, ``dest`` left as it was).
    """
    path, dest = Path(path), Path(dest)
    _check_db_path(path, create=False)
    wal_fault(path)
    try:
        if dest.exists() and os.path.samefile(path, dest):
            raise StoreError(f"cannot back up {path} onto itself; give another FILE")
    except OSError as exc:
        raise StoreError(f"cannot write {dest}: {exc.strerror or exc}") from exc
    try:
        source = sqlite3.connect(str(path), timeout=busy_timeout)
    except sqlite3.Error as exc:
        raise store_error(exc, path, "read") from exc
    try:
        version = source.execute("PRAGMA user_version").fetchone()[0]
        if identify(source, path, version=version, latest=SCHEMA_VERSION, migrations=MIGRATIONS) is None:
            raise StoreError(f"{path} is an empty SQLite database with no flashcards in it; nothing to back up")
        with replacing(dest, error=StoreError) as tmp:
            copy = sqlite3.connect(str(tmp))
            try:
                source.backup(copy)
                copy.execute("PRAGMA journal_mode = DELETE")
                copy.execute("PRAGMA cache_size = -65536")  # checking indexes against tables revisits pages
                integrity = one_line(copy.execute("PRAGMA integrity_check(1)").fetchone()[0])
                if integrity != "ok":
                    raise DatabaseDamagedError(
                        f"{path} is damaged ({integrity}); no backup was written ({dest} is as it was). "
                        f"Restore your latest backup by copying it over {path}; 'flash db check' shows details")
                cards = _count(copy, "SELECT COUNT(*) FROM cards")
                try:
                    grades = grade_count(copy).grades
                except sqlite3.DatabaseError:
                    grades = 0
            finally:
                copy.close()
                for suffix in ("-wal", "-shm", "-journal"):
                    Path(f"{tmp}{suffix}").unlink(missing_ok=True)
            with open(tmp, "rb+") as handle:
                os.fsync(handle.fileno())
    except sqlite3.Error as exc:
        raise store_error(exc, path, "back up") from exc
    finally:
        source.close()
    return BackupReport(path, dest, dest.stat().st_size, cards, grades, integrity)


def _count(conn: sqlite3.Connection, sql: str) -> int:
    try:
        return conn.execute(sql).fetchone()[0]
    except sqlite3.DatabaseError:
        return 0
