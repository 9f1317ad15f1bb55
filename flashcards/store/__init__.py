"""Storage: the only place that speaks SQL. Decks, cards, SM-2 state and the review log.

A ``Store`` wraps one SQLite file (sqlite3, and sqlite-utils where it helps). Every
method that writes does so in one transaction, so a failure leaves the file as it
was, and every grade is committed before ``record`` returns.

``Store`` is built from rooms, one per reason to change:

- ``opening.py``: paths, creation, migration, the integrity check, the write transaction
- ``sync.py``: deck sync (``flash import``)
- ``queries.py``: cards, decks and the review queue
- ``log.py``: recording and undoing grades
- ``scheduling.py``: each deck's scheduler and settings, switching, fitted FSRS parameters
- ``records.py``: the records they return; ``faults.py``: SQLite errors as one-line messages

Feature stores (``quizzes.py``, ``stats.py``, ``maintenance.py``) are functions or
classes over a ``Store``; the schema is ``schema.py``'s append-only MIGRATIONS.
"""

from __future__ import annotations

from .faults import damaged_message, one_line, store_error
from .log import ReviewLog
from .opening import DEFAULT_BUSY_TIMEOUT, SYNC_CHECK_BYTES, Opening, _check_db_path, default_db_path
from .queries import Queries
from .records import _LIVE_REVIEW, CardRecord, DeckSummary, ReviewRecord, SyncReport, _state_from
from .schema import SCHEMA_VERSION
from .scheduling import Scheduling
from .sync import DeckSync

__all__ = [
    "CardRecord", "DeckSummary", "ReviewRecord", "Store", "SyncReport", "default_db_path",
    "SCHEMA_VERSION", "DEFAULT_BUSY_TIMEOUT", "SYNC_CHECK_BYTES", "damaged_message", "one_line", "store_error",
    # shared with the feature stores in this package
    "_LIVE_REVIEW", "_check_db_path", "_state_from",
]


class Store(Opening, DeckSync, Queries, ReviewLog, Scheduling):
    """One flashcards database file: open it with ``Store.open(path)``."""
