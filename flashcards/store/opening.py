"""Opening a database: paths, creation, migration, the integrity check, and the write transaction.

Every write goes through ``_write_transaction`` (``BEGIN IMMEDIATE``, busy retries, one-line
errors) and waits for the integrity verdict first; the other rooms of ``Store`` build on it.
"""

from __future__ import annotations

import os
import sqlite3
import stat
import tempfile
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterator, Optional

from ..errors import DatabaseDamagedError, SchemaMismatchError, StoreError
from .faults import _error_kind, damaged_message, one_line, store_error
from .schema import MIGRATIONS, SCHEMA_VERSION
from .verify import describe, differences, expected_schema, identify, schema_message
from .wal import wal_fault

if TYPE_CHECKING:
    import sqlite_utils

__all__ = ["DEFAULT_BUSY_TIMEOUT", "SYNC_CHECK_BYTES", "Opening", "default_db_path"]

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
# Up to this size the full integrity_check runs at open, before anything else (about 100 ms
# at 8 MB; benchmarks/integrity_cost.py); a larger database is checked in the background
# and every write waits for the verdict. See README, "Your data is safe".
SYNC_CHECK_BYTES = 8 * 1024 * 1024
CHECK_CACHE_KIB = 64 * 1024  # the check's page cache: checking indexes against tables revisits pages


def default_db_path() -> Path:
    """``$XDG_DATA_HOME/flashcards/flash.db`` (``~/.local/share`` when unset or relative: the
    XDG base directory spec says a relative path is invalid and must be ignored)."""
    base = os.environ.get("XDG_DATA_HOME") or ""
    if base and not os.path.isabs(base):
        base = ""
    if not base and os.name == "nt":
        base = os.environ.get("LOCALAPPDATA", "")
    root = Path(base) if base else Path.home() / ".local" / "share"
    return root / "flashcards" / "flash.db"


class Opening:
    """Opening, migrating, verifying and closing one database file; the write transaction."""

    def __init__(self, conn: sqlite3.Connection, path: Path):
        self.conn = conn
        self.path = path
        self._db: Optional["sqlite_utils.Database"] = None
        self.busy_timeout = DEFAULT_BUSY_TIMEOUT
        self.on_wait: Optional[Callable[[str], None]] = None
        self._integrity: Optional[list[str]] = None
        self._check_thread: Optional[threading.Thread] = None
        self._check_conn: Optional[sqlite3.Connection] = None
        self._check_error: Optional[sqlite3.Error] = None
        self.read_only = False
        self.migrated_from: Optional[int] = None  # the schema version this open upgraded from
        self._refused_write = False

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
    def open(cls, path: str | Path, *, create: bool = True, write: bool = True,
             busy_timeout: float = DEFAULT_BUSY_TIMEOUT, on_wait: Optional[Callable[[str], None]] = None):
        """Open (and if needed create and migrate) the database at ``path``.

        Raises ``StoreError`` for a missing file when ``create`` is false, a
        path that is not a regular file (folder, device, dangling link), an empty
        file, a file that is not a flashcards database (another program's, an Anki
        collection), one from a newer version, or one whose tables, columns,
        indexes or triggers are not what its version's migrations build
        (``SchemaMismatchError``); ``WalFaultError`` for a missing, cut short or
        unreadable -wal or -shm; ``DatabaseDamagedError`` for a corrupt file
        (SQLite's full integrity_check, indexes included). All of this is decided
        before anything is written or migrated. A new database is built beside
        ``path`` and moved into place whole, so an empty file at ``path`` is never ours.

        ``write=False`` opens for reading only: nothing is migrated or changed (an
        older schema is refused with advice), and any statement that would write fails.

        ``busy_timeout`` is how long (seconds) a write waits for another
        process's write lock in all; ``on_wait`` is told once, in one line,
        when a write has to wait.
        """
        path = Path(path)
        _check_db_path(path, create=create)
        if not path.exists():
            _create_database(path)
        wal_fault(path)  # before SQLite opens it: SQLite would put a new, empty -wal in place of a missing one
        try:
            conn = sqlite3.connect(str(path), timeout=busy_timeout)
        except sqlite3.Error as exc:
            raise store_error(exc, path, "open") from exc
        store = cls(conn, path)
        store.busy_timeout = busy_timeout
        store.on_wait = on_wait
        try:
            store._prepare(write=write)
        except sqlite3.Error as exc:
            conn.close()
            raise store_error(exc, path, "open") from exc
        except BaseException:
            conn.close()
            raise
        return store

    def _prepare(self, *, write: bool) -> None:
        conn = self.conn
        if not _looks_like_sqlite(self.path):
            raise StoreError(f"{self.path} is not a usable flashcards database (file is not a database)")
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        schema = identify(conn, self.path, version=version, latest=SCHEMA_VERSION, migrations=MIGRATIONS)
        if not write:
            if schema is None:
                raise StoreError(f"{self.path} is an empty SQLite database with no flashcards in it yet "
                                 f"(run 'flash import' to add decks)")
            if version < SCHEMA_VERSION:
                raise StoreError(
                    f"{self.path} has schema {version} from an older flashcards (this one uses {SCHEMA_VERSION}); "
                    f"this command only reads, so it leaves the file as it is: run 'flash db upgrade' once "
                    f"(it keeps everything)"
                )
            self.read_only = True
        conn.execute("PRAGMA foreign_keys = ON")
        self._start_integrity_check()
        if self.read_only:
            return
        if version < SCHEMA_VERSION:
            self._ensure_sound()
            self._migrate(conn)
            self.migrated_from = version
        # WAL: a grade's commit is one short append, and a reader never blocks the session.
        # synchronous=NORMAL: a commit survives a killed process at once; after a power
        # cut the file is consistent but the last commits before it may be missing.
        if conn.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
            self._ensure_sound()
            conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")

    def _migrate(self, conn: sqlite3.Connection) -> None:
        """Apply the missing migrations in one transaction: all of them or none.

        Python's sqlite3 does not open a transaction for DDL by itself, so it is
        begun explicitly (IMMEDIATE: a second process waits instead of racing).
        The file is identified again inside the transaction (another process may
        have migrated it meanwhile), and the result must be exactly what the
        migrations build in an empty database, or nothing is committed.
        """
        with self._write_transaction():
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            identify(conn, self.path, version=version, latest=SCHEMA_VERSION, migrations=MIGRATIONS)
            for number in range(version, SCHEMA_VERSION):
                for statement in MIGRATIONS[number]:
                    conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            found = differences(describe(conn), expected_schema(SCHEMA_VERSION, MIGRATIONS))
            if found:
                raise SchemaMismatchError(schema_message(self.path, SCHEMA_VERSION, found), found)

    # -- integrity and writing ---------------------------------------------

    def _start_integrity_check(self) -> None:
        """Run SQLite's full ``PRAGMA integrity_check`` before anything is written.

        Unlike ``quick_check`` it also checks every index entry against its table
        (an index out of step with its table is damage a write would spread). It
        costs about 10 ms for 1 MB, 80-110 ms for 10 MB and 3 s for 200 MB
        (benchmarks/integrity_cost.py), so a database up to ``SYNC_CHECK_BYTES``
        is checked now, and a larger one in a background thread while the first
        card is on screen; every write waits for the verdict (``_ensure_sound``).
        """
        self._integrity = None
        self._check_thread = None
        self._check_conn = None
        self._check_error = None
        if self.path.stat().st_size <= SYNC_CHECK_BYTES:
            self._integrity = _full_check(self.conn)
            self._ensure_sound()
            if self.read_only:
                self.conn.set_authorizer(self._authorize)
            return
        self._check_conn = sqlite3.connect(str(self.path), timeout=_BUSY_STEP, check_same_thread=False)
        result: list[object] = []

        def run() -> None:
            try:
                result.append(_full_check(self._check_conn))
            except sqlite3.Error as exc:
                result.append(exc)

        self._check_result = result
        self._check_thread = threading.Thread(target=run, name="flash-integrity-check", daemon=True)
        self._check_thread.start()
        # writes that do not go through _write_transaction (suspend, bury, quiz scoring) wait
        # for the verdict too: SQLite asks before it prepares any statement that writes
        self.conn.set_authorizer(self._authorize)

    def _authorize(self, action: int, *_args) -> int:
        if action not in _WRITE_ACTIONS:
            return sqlite3.SQLITE_OK
        if self.read_only:
            self._refused_write = True
            return sqlite3.SQLITE_DENY  # a read-only command never writes; __exit__ says so
        try:
            self._ensure_sound()
        except StoreError:
            return sqlite3.SQLITE_DENY  # the statement fails; __exit__ says why in one line
        return sqlite3.SQLITE_OK

    def _ensure_sound(self) -> None:
        """Raise ``DatabaseDamagedError`` if the integrity check found damage (waiting for it),
        or the check's own failure (an I/O error, say) as one line."""
        if self._check_thread is not None:
            self._check_thread.join()
            self._check_thread = None
            outcome = self._check_result[0] if self._check_result else ["check did not finish"]
            if isinstance(outcome, sqlite3.Error):
                if _error_kind(outcome) == "damaged":
                    self._integrity = [one_line(str(outcome))]
                else:
                    self._check_error = outcome
                    self._integrity = None
            else:
                self._integrity = outcome  # type: ignore[assignment]
            self._check_conn.close()  # type: ignore[union-attr]
            self._check_conn = None
        if self._check_error is not None:
            raise store_error(self._check_error, self.path, "check")
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
        if self.read_only:
            raise StoreError(f"cannot write to {self.path}: this command opened it only to read "
                             f"(a bug in flashcards; nothing was written)")
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

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        self.close()
        if isinstance(exc, sqlite3.Error):  # any SQLite failure inside ``with store:``: one line
            if self._refused_write:
                raise StoreError(f"cannot write to {self.path}: this command opened it only to read "
                                 f"(a bug in flashcards; nothing was written)") from exc
            if self._integrity and self._integrity != ["ok"]:  # a write the authorizer refused
                raise DatabaseDamagedError(damaged_message(self.path, self._integrity[0])) from exc
            if self._check_error is not None:
                raise store_error(self._check_error, self.path, "check") from exc
            raise store_error(exc, self.path, "use") from exc

    @property
    def schema_version(self) -> int:
        return self.conn.execute("PRAGMA user_version").fetchone()[0]


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
            store = Opening(conn, tmp)
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


def _full_check(conn: sqlite3.Connection) -> list[str]:
    """SQLite's full integrity check (its first five findings), with a page cache large enough
    that checking each index against its table does not read the same pages again and again."""
    (cache,) = conn.execute("PRAGMA cache_size").fetchone()
    conn.execute(f"PRAGMA cache_size = -{CHECK_CACHE_KIB}")
    try:
        return [one_line(row[0]) for row in conn.execute("PRAGMA integrity_check(5)")]
    finally:
        conn.execute(f"PRAGMA cache_size = {cache}")
