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
    # 2: certification quizzes: the quiz and its key, scored attempts, their responses,
    # and answers files that were not counted (with the reason)
    [
        """CREATE TABLE quizzes (
            id TEXT PRIMARY KEY,
            title TEXT NOT NULL,
            pass_mark INTEGER NOT NULL CHECK (pass_mark BETWEEN 0 AND 100),
            max_attempts INTEGER CHECK (max_attempts IS NULL OR max_attempts >= 1),
            time_limit INTEGER CHECK (time_limit IS NULL OR time_limit >= 1),
            seed INTEGER NOT NULL,
            kinds TEXT NOT NULL,
            deck_ids TEXT NOT NULL,
            paper_checksum TEXT NOT NULL,
            created_on TEXT NOT NULL,
            created_at TEXT NOT NULL
        )""",
        """CREATE TABLE quiz_questions (
            quiz_id TEXT NOT NULL REFERENCES quizzes(id),
            position INTEGER NOT NULL,
            id TEXT NOT NULL,
            kind TEXT NOT NULL,
            prompt TEXT NOT NULL,
            options TEXT NOT NULL,
            answer TEXT NOT NULL,
            deck_id TEXT NOT NULL,
            entry_id TEXT NOT NULL,
            card_id TEXT NOT NULL,
            concept TEXT NOT NULL,
            tags TEXT NOT NULL DEFAULT '[]',
            PRIMARY KEY (quiz_id, id),
            UNIQUE (quiz_id, position)
        )""",
        """CREATE TABLE quiz_attempts (
            id INTEGER PRIMARY KEY,
            quiz_id TEXT NOT NULL REFERENCES quizzes(id),
            learner TEXT NOT NULL,
            learner_key TEXT NOT NULL,
            attempt INTEGER NOT NULL,
            started_at TEXT NOT NULL,
            finished_at TEXT NOT NULL,
            correct INTEGER NOT NULL,
            total INTEGER NOT NULL,
            passed INTEGER NOT NULL,
            digest TEXT NOT NULL,
            file TEXT NOT NULL,
            scored_on TEXT NOT NULL,
            scored_at TEXT NOT NULL,
            UNIQUE (quiz_id, learner_key, attempt),
            UNIQUE (quiz_id, digest)
        )""",
        """CREATE TABLE quiz_responses (
            attempt_id INTEGER NOT NULL REFERENCES quiz_attempts(id),
            question_id TEXT NOT NULL,
            choice TEXT,
            correct INTEGER NOT NULL,
            PRIMARY KEY (attempt_id, question_id)
        )""",
        """CREATE TABLE quiz_rejections (
            id INTEGER PRIMARY KEY,
            quiz_id TEXT NOT NULL REFERENCES quizzes(id),
            learner TEXT NOT NULL,
            file TEXT NOT NULL,
            status TEXT NOT NULL CHECK (status IN ('duplicate', 'rejected')),
            reason TEXT NOT NULL,
            digest TEXT NOT NULL,
            scored_on TEXT NOT NULL,
            scored_at TEXT NOT NULL
        )""",
        "CREATE INDEX quiz_attempts_learner ON quiz_attempts(quiz_id, learner_key)",
        "CREATE INDEX quiz_rejections_quiz ON quiz_rejections(quiz_id)",
    ],
    # 3: the review queue without a join. The columns the queue filters and sorts on
    # (retired, deck, position) are copied beside the SM-2 state, so one partial index
    # answers the due count, and another returns the queue's first page in order, each
    # from the index alone: the cost follows the cards shown, not the cards due.
    # Triggers keep the copies equal to `cards` whoever writes there.
    [
        "ALTER TABLE card_state ADD COLUMN deck_id TEXT NOT NULL DEFAULT ''",
        "ALTER TABLE card_state ADD COLUMN position INTEGER NOT NULL DEFAULT 0",
        "ALTER TABLE card_state ADD COLUMN retired INTEGER NOT NULL DEFAULT 0",
        """UPDATE card_state SET (deck_id, position, retired) =
             (SELECT c.deck_id, c.position, c.retired FROM cards c WHERE c.id = card_state.card_id)
           WHERE card_id IN (SELECT id FROM cards)""",
        """CREATE TRIGGER cards_queue_columns AFTER UPDATE OF deck_id, position, retired ON cards
           BEGIN
             UPDATE card_state SET deck_id = NEW.deck_id, position = NEW.position, retired = NEW.retired
             WHERE card_id = NEW.id;
           END""",
        # a state row inserted without the copies (the store always passes them) gets them
        """CREATE TRIGGER card_state_queue_columns AFTER INSERT ON card_state WHEN NEW.deck_id = ''
           BEGIN
             UPDATE card_state SET (deck_id, position, retired) =
               (SELECT c.deck_id, c.position, c.retired FROM cards c WHERE c.id = NEW.card_id)
             WHERE card_id = NEW.card_id AND EXISTS (SELECT 1 FROM cards c WHERE c.id = NEW.card_id);
           END""",
        "DROP INDEX card_state_due",
        "DROP INDEX cards_queue",
        # Partial indexes hold only the cards a queue can show; every column a query
        # reads is in its index (retired and suspended too, constant as they are), so
        # SQLite answers from the index alone and never visits the table.
        # counts: cards due by a day, less those buried past it
        """CREATE INDEX card_state_due ON card_state(due, retired, suspended)
           WHERE retired = 0 AND suspended = 0 AND due IS NOT NULL""",
        """CREATE INDEX card_state_buried ON card_state(buried_until, due, retired, suspended)
           WHERE buried_until IS NOT NULL""",
        # the queue in its order, all decks and one deck
        """CREATE INDEX card_state_queue ON card_state(due, deck_id, position, buried_until, card_id, retired,
           suspended) WHERE retired = 0 AND suspended = 0 AND due IS NOT NULL""",
        """CREATE INDEX card_state_deck_queue ON card_state(deck_id, due, position, buried_until, card_id, retired,
           suspended) WHERE retired = 0 AND suspended = 0 AND due IS NOT NULL""",
        # new cards in deck order
        """CREATE INDEX card_state_new ON card_state(deck_id, position, buried_until, card_id, due, retired,
           suspended) WHERE retired = 0 AND suspended = 0 AND due IS NULL""",
    ],
    # 4: personal papers (docs/quiz-files.md): the roster, one paper per learner with its secret
    # token and which item each of its questions shows, the manager's audit log (void, drop,
    # extra attempt), and columns that tie attempts to roster ids and papers. Cards are referred
    # to by their text id deck/entry/kind only, so these tables do not depend on how cards are keyed.
    [
        """CREATE TABLE roster (
            id TEXT PRIMARY KEY,
            name TEXT NOT NULL,
            name_key TEXT NOT NULL,
            email TEXT NOT NULL UNIQUE,
            team TEXT NOT NULL DEFAULT '',
            added_on TEXT NOT NULL,
            updated_on TEXT NOT NULL
        )""",
        "ALTER TABLE quizzes ADD COLUMN question_count INTEGER",
        "ALTER TABLE quizzes ADD COLUMN personal INTEGER NOT NULL DEFAULT 0",
        "ALTER TABLE quiz_questions ADD COLUMN dropped INTEGER NOT NULL DEFAULT 0",
        """CREATE TABLE quiz_papers (
            id TEXT PRIMARY KEY,
            quiz_id TEXT NOT NULL REFERENCES quizzes(id),
            learner_id TEXT NOT NULL REFERENCES roster(id),
            token TEXT NOT NULL,
            issued_on TEXT NOT NULL,
            issued_at TEXT NOT NULL
        )""",
        "CREATE INDEX quiz_papers_learner ON quiz_papers(quiz_id, learner_id)",
        """CREATE TABLE quiz_paper_questions (
            paper_id TEXT NOT NULL REFERENCES quiz_papers(id),
            position INTEGER NOT NULL,
            id TEXT NOT NULL,
            item_id TEXT NOT NULL,
            options TEXT NOT NULL,
            PRIMARY KEY (paper_id, id)
        )""",
        "ALTER TABLE quiz_attempts ADD COLUMN learner_id TEXT",
        "ALTER TABLE quiz_attempts ADD COLUMN paper_id TEXT",
        "ALTER TABLE quiz_attempts ADD COLUMN client TEXT",
        "ALTER TABLE quiz_attempts ADD COLUMN late INTEGER NOT NULL DEFAULT 0",
        "ALTER TABLE quiz_attempts ADD COLUMN voided INTEGER NOT NULL DEFAULT 0",
        "ALTER TABLE quiz_responses ADD COLUMN item_id TEXT",
        "ALTER TABLE quiz_responses ADD COLUMN late INTEGER NOT NULL DEFAULT 0",
        """CREATE TABLE quiz_audit (
            id INTEGER PRIMARY KEY,
            quiz_id TEXT NOT NULL REFERENCES quizzes(id),
            action TEXT NOT NULL CHECK (action IN ('void', 'drop', 'extra-attempt')),
            learner_id TEXT,
            item_id TEXT,
            attempt INTEGER,
            reason TEXT NOT NULL DEFAULT '',
            day TEXT NOT NULL,
            at TEXT NOT NULL
        )""",
        "CREATE INDEX quiz_audit_quiz ON quiz_audit(quiz_id)",
        # every answers file seen, by the sha256 of its bytes: re-scoring a folder skips them
        """CREATE TABLE quiz_files_seen (
            file_hash TEXT PRIMARY KEY,
            quiz_id TEXT,
            status TEXT NOT NULL CHECK (status IN ('scored', 'duplicate', 'rejected')),
            reason TEXT NOT NULL DEFAULT '',
            file TEXT NOT NULL,
            seen_on TEXT NOT NULL
        )""",
    ],
    # 5: what Anki exports wrote, per deck and note GUID (whatever the output path): a digest of
    # the note's content and the stamp (Anki's note mod) it got, and each deck's newest stamp.
    # An unchanged note keeps its stamp, so Anki keeps the learner's tags on it (flashcards/anki_stamps.py).
    [
        "CREATE TABLE anki_export_decks (deck_id TEXT PRIMARY KEY, stamp INTEGER NOT NULL)",
        """CREATE TABLE anki_export_notes (
            deck_id TEXT NOT NULL,
            guid TEXT NOT NULL,
            digest TEXT NOT NULL,
            stamp INTEGER NOT NULL,
            PRIMARY KEY (deck_id, guid)
        )""",
    ],
    # 6: served sittings (flash quiz serve): per-question limits and whether a learner sees the right
    # answers at the end; one row per sitting with its server-clock start and deadline, one row per
    # question shown (server times it was shown and answered), invite links and sessions stored as
    # SHA-256 hashes only (a copy of the database does not sign anyone in), and the server's secrets.
    [
        """ALTER TABLE quizzes ADD COLUMN question_seconds INTEGER
           CHECK (question_seconds IS NULL OR question_seconds >= 1)""",
        "ALTER TABLE quizzes ADD COLUMN show_answers INTEGER NOT NULL DEFAULT 0",
        """CREATE TABLE serve_secrets (
            name TEXT PRIMARY KEY,
            value TEXT NOT NULL,
            created_at TEXT NOT NULL
        )""",
        """CREATE TABLE quiz_invites (
            token_hash TEXT PRIMARY KEY,
            quiz_id TEXT NOT NULL REFERENCES quizzes(id),
            learner_id TEXT NOT NULL REFERENCES roster(id),
            created_at TEXT NOT NULL,
            revoked_at TEXT,
            revoked_why TEXT
        )""",
        "CREATE INDEX quiz_invites_learner ON quiz_invites(quiz_id, learner_id)",
        """CREATE TABLE quiz_sessions (
            id_hash TEXT PRIMARY KEY,
            quiz_id TEXT NOT NULL REFERENCES quizzes(id),
            learner_id TEXT NOT NULL REFERENCES roster(id),
            invite_hash TEXT REFERENCES quiz_invites(token_hash),
            created_at TEXT NOT NULL
        )""",
        "CREATE INDEX quiz_sessions_invite ON quiz_sessions(invite_hash)",
        """CREATE TABLE quiz_sittings (
            id TEXT PRIMARY KEY,
            quiz_id TEXT NOT NULL REFERENCES quizzes(id),
            learner_id TEXT NOT NULL REFERENCES roster(id),
            paper_id TEXT NOT NULL REFERENCES quiz_papers(id),
            attempt INTEGER NOT NULL,
            started_at TEXT NOT NULL,
            deadline TEXT,
            finished_at TEXT,
            status TEXT NOT NULL CHECK (status IN ('open', 'finished')),
            closed_by TEXT,
            attempt_id INTEGER REFERENCES quiz_attempts(id),
            UNIQUE (quiz_id, learner_id, attempt)
        )""",
        # one sitting in progress per learner and quiz, whatever the number of devices or processes
        "CREATE UNIQUE INDEX quiz_sittings_open ON quiz_sittings(quiz_id, learner_id) WHERE status = 'open'",
        "CREATE INDEX quiz_sittings_deadline ON quiz_sittings(deadline) WHERE status = 'open'",
        """CREATE TABLE quiz_sitting_answers (
            sitting_id TEXT NOT NULL REFERENCES quiz_sittings(id),
            position INTEGER NOT NULL,
            question_id TEXT NOT NULL,
            item_id TEXT NOT NULL,
            shown_at TEXT NOT NULL,
            answered_at TEXT,
            choice TEXT,
            outcome TEXT CHECK (outcome IS NULL OR outcome IN ('answered', 'skipped', 'late')),
            PRIMARY KEY (sitting_id, position)
        )""",
    ],
    # 7: schedulers beside SM-2 (flashcards/schedulers/). Each card's state says which scheduler
    # made it and keeps that scheduler's memory as JSON (FSRS: stability and difficulty; NULL
    # under SM-2); each logged grade says which scheduler, retention and parameters graded it
    # (NULL: SM-2, as every row before this migration) with the memory before and after.
    # A deck's scheduler and desired retention; the FSRS parameters fitted by `flash optimize`
    # (the latest row is in use; none: FSRS's defaults).
    [
        "ALTER TABLE card_state ADD COLUMN scheduler TEXT NOT NULL DEFAULT 'sm2'",
        "ALTER TABLE card_state ADD COLUMN memory TEXT",
        "ALTER TABLE reviews ADD COLUMN scheduler TEXT",
        "ALTER TABLE reviews ADD COLUMN retention REAL",
        "ALTER TABLE reviews ADD COLUMN parameters_id INTEGER",
        "ALTER TABLE reviews ADD COLUMN memory_before TEXT",
        "ALTER TABLE reviews ADD COLUMN memory_after TEXT",
        """CREATE TABLE deck_schedulers (
            deck_id TEXT PRIMARY KEY REFERENCES decks(id),
            scheduler TEXT NOT NULL CHECK (scheduler IN ('sm2', 'fsrs')),
            desired_retention REAL CHECK (desired_retention IS NULL OR desired_retention BETWEEN 0.7 AND 0.99),
            set_on TEXT NOT NULL
        )""",
        """CREATE TABLE fsrs_parameters (
            id INTEGER PRIMARY KEY,
            parameters TEXT NOT NULL,
            reviews INTEGER NOT NULL,
            report TEXT NOT NULL DEFAULT '{}',
            fitted_on TEXT NOT NULL,
            fitted_at TEXT NOT NULL
        )""",
    ],
    # 8: reviews given in Anki (`flash import --anki`): where each logged grade came from, and for
    # Anki's, the id of its row in Anki's review log (milliseconds; unique per card), so a second
    # import of the same file adds nothing. The log stays append-only: the columns only grow.
    [
        "ALTER TABLE reviews ADD COLUMN origin TEXT NOT NULL DEFAULT 'flash' CHECK (origin IN ('flash', 'anki'))",
        "ALTER TABLE reviews ADD COLUMN anki_revlog_id INTEGER",
        """CREATE UNIQUE INDEX reviews_anki_revlog ON reviews(anki_revlog_id, card_id)
           WHERE anki_revlog_id IS NOT NULL""",
    ],
    # 9: what a card needs first (flashcards/prerequisites.py): the TERM card ids, as a JSON list,
    # of the terms its text names or its entry's `uses:` lists; review introduces those first.
    [
        "ALTER TABLE cards ADD COLUMN needs TEXT NOT NULL DEFAULT '[]'",
    ],
    # 10: certificates that expire and pools the learners do not hold (issue 19). A quiz's
    # certificates are valid for valid_days after the day they were earned; a re-certification
    # quiz names the quiz it renews (recertifies). Items from a manager's private deck are marked
    # private, and private_share is the share of each paper drawn from them. The audit log also
    # records link revocations: SQLite cannot change a CHECK in place, so the table is rebuilt
    # with its rows, its ids and its index.
    [
        "ALTER TABLE quizzes ADD COLUMN valid_days INTEGER CHECK (valid_days IS NULL OR valid_days >= 1)",
        "ALTER TABLE quizzes ADD COLUMN recertifies TEXT",
        """ALTER TABLE quizzes ADD COLUMN private_share REAL
           CHECK (private_share IS NULL OR (private_share > 0 AND private_share < 1))""",
        "ALTER TABLE quiz_questions ADD COLUMN private INTEGER NOT NULL DEFAULT 0",
        """CREATE TABLE quiz_audit_10 (
            id INTEGER PRIMARY KEY,
            quiz_id TEXT NOT NULL REFERENCES quizzes(id),
            action TEXT NOT NULL CHECK (action IN ('void', 'drop', 'extra-attempt', 'revoke')),
            learner_id TEXT,
            item_id TEXT,
            attempt INTEGER,
            reason TEXT NOT NULL DEFAULT '',
            day TEXT NOT NULL,
            at TEXT NOT NULL
        )""",
        """INSERT INTO quiz_audit_10 (id, quiz_id, action, learner_id, item_id, attempt, reason, day, at)
           SELECT id, quiz_id, action, learner_id, item_id, attempt, reason, day, at FROM quiz_audit""",
        "DROP TABLE quiz_audit",
        "ALTER TABLE quiz_audit_10 RENAME TO quiz_audit",
        "CREATE INDEX quiz_audit_quiz ON quiz_audit(quiz_id)",
    ],
]

SCHEMA_VERSION = len(MIGRATIONS)
