"""The database schema, as numbered migrations.

``PRAGMA user_version`` holds the number of migrations applied. A migration
is a list of SQL statements; append new ones, never edit a released one.
"""

from __future__ import annotations

MIGRATIONS: list[list[str]] = [
    # 1: decks, cards, card state, append-only review log
    [
        """CREATE TABLE decks (
            id TEXT PRIMARY KEY,
            name TEXT NOT NULL,
            description TEXT,
            source TEXT,
            path TEXT,
            tags TEXT NOT NULL DEFAULT '[]',
            imported_on TEXT NOT NULL
        )""",
        """CREATE TABLE cards (
            id TEXT PRIMARY KEY,
            deck_id TEXT NOT NULL REFERENCES decks(id),
            entry_id TEXT NOT NULL,
            kind TEXT NOT NULL,
            front TEXT NOT NULL,
            back TEXT NOT NULL,
            tags TEXT NOT NULL DEFAULT '[]',
            source TEXT,
            position INTEGER NOT NULL,
            content_hash TEXT NOT NULL,
            retired INTEGER NOT NULL DEFAULT 0,
            added_on TEXT NOT NULL,
            updated_on TEXT NOT NULL
        )""",
        "CREATE INDEX cards_deck ON cards(deck_id, position)",
        "CREATE INDEX cards_entry ON cards(deck_id, entry_id)",
        # covers the join from card_state when building the review queue
        "CREATE INDEX cards_queue ON cards(id, retired, deck_id, position)",
        """CREATE TABLE card_state (
            card_id TEXT PRIMARY KEY REFERENCES cards(id),
            repetitions INTEGER NOT NULL DEFAULT 0,
            ef INTEGER NOT NULL DEFAULT 250,
            interval INTEGER NOT NULL DEFAULT 0,
            due TEXT,
            lapses INTEGER NOT NULL DEFAULT 0,
            last_review TEXT,
            suspended INTEGER NOT NULL DEFAULT 0,
            buried_until TEXT
        )""",
        "CREATE INDEX card_state_due ON card_state(due)",
        """CREATE TABLE reviews (
            id INTEGER PRIMARY KEY,
            card_id TEXT NOT NULL REFERENCES cards(id),
            reviewed_at TEXT NOT NULL,
            day TEXT NOT NULL,
            kind TEXT NOT NULL CHECK (kind IN ('review', 'drill', 'undo')),
            grade INTEGER CHECK (grade BETWEEN 0 AND 5),
            undoes INTEGER REFERENCES reviews(id),
            duration_ms INTEGER,
            reps_before INTEGER, ef_before INTEGER, interval_before INTEGER,
            due_before TEXT, lapses_before INTEGER, last_review_before TEXT,
            reps_after INTEGER, ef_after INTEGER, interval_after INTEGER,
            due_after TEXT, lapses_after INTEGER, last_review_after TEXT
        )""",
        "CREATE INDEX reviews_card ON reviews(card_id)",
        "CREATE INDEX reviews_day ON reviews(day)",
        "CREATE INDEX reviews_undoes ON reviews(undoes) WHERE undoes IS NOT NULL",
        """CREATE TRIGGER reviews_append_only_update BEFORE UPDATE ON reviews
           BEGIN SELECT RAISE(ABORT, 'the review log is append-only'); END""",
        """CREATE TRIGGER reviews_append_only_delete BEFORE DELETE ON reviews
           BEGIN SELECT RAISE(ABORT, 'the review log is append-only'); END""",
    ],
]

SCHEMA_VERSION = len(MIGRATIONS)
