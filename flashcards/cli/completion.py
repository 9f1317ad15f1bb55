"""Shell completion of what lives in the database: deck ids, card and entry ids, quiz ids,
learner ids, a quiz's question ids.

Click runs the completion protocol (``_FLASH_COMPLETE=bash_source flash`` prints the bash
script; zsh_source and fish_source likewise); these functions are the ``shell_complete`` of the
arguments and options that take such ids. Each opens the database the command would use
(``--db`` before or after the command, FLASH_DB, the config's ``database``, else the default)
for reading only, never creating or changing it, and offers nothing when it cannot be read: a
completion never prints an error into the shell.
"""

from __future__ import annotations

import sqlite3
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator, Optional

import click

from ._common import GLOBAL

LIMIT = 500  # more matches than a shell shows usefully


def _db_path(ctx: click.Context) -> Optional[Path]:
    """The database the command being completed would open."""
    import os

    node: Optional[click.Context] = ctx
    while node is not None:
        if node.params.get("db_path"):
            return Path(node.params["db_path"])
        node = node.parent
    given = ctx.find_root().meta.get(GLOBAL, {}).get("db_path")
    if given:
        return Path(given)
    if os.environ.get("FLASH_DB"):
        return Path(os.environ["FLASH_DB"])
    from ..config import resolve
    from ..store import default_db_path

    try:
        configured = resolve("database").value
    except Exception:  # noqa: BLE001 - a bad config file: complete from the default database
        configured = None
    return Path(configured) if configured else default_db_path()


@contextmanager
def _reading(ctx: click.Context) -> Iterator[Optional[sqlite3.Connection]]:
    """The database's connection, read-only; None when there is none to read."""
    from ..errors import FlashcardsError
    from ..store import Store

    path = _db_path(ctx)
    if path is None or not path.is_file():
        yield None
        return
    try:
        store = Store.open(path, create=False, write=False)
    except (FlashcardsError, sqlite3.Error, OSError):
        yield None
        return
    try:
        yield store.conn
    finally:
        store.close()


def _matching(ctx: click.Context, sql: str, *params) -> list[str]:
    """The first column of ``sql`` (its last placeholder is the LIMIT) over the database."""
    with _reading(ctx) as conn:
        if conn is None:
            return []
        try:
            rows = conn.execute(sql, (*params, LIMIT)).fetchall()
        except sqlite3.Error:
            return []
    return [row[0] for row in rows]


_STARTS = "substr({0}, 1, length(?)) = ?"  # starts with: (incomplete, incomplete)


def complete_deck(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[str]:
    """Deck ids (``--deck``, ``flash scheduler DECK``)."""
    return _matching(ctx, f"SELECT id FROM decks WHERE {_STARTS.format('id')} ORDER BY id LIMIT ?",
                     incomplete, incomplete)


def complete_card(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[str]:
    """Card ids (deck/entry/kind) and entries (deck/entry) of cards not retired: what
    ``flash suspend`` and ``flash unsuspend`` take. An entry first, then its cards."""
    sql = f"""SELECT name FROM (
                  SELECT deck_id || '/' || entry_id AS name, deck_id, MIN(position) AS position, 0 AS card
                  FROM cards WHERE retired = 0 GROUP BY deck_id, entry_id
                  UNION ALL SELECT id, deck_id, position, 1 FROM cards WHERE retired = 0)
              WHERE {_STARTS.format('name')} ORDER BY deck_id, position, card LIMIT ?"""
    return _matching(ctx, sql, incomplete, incomplete)


def complete_quiz(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[str]:
    """Quiz ids, newest first."""
    return _matching(ctx, f"SELECT id FROM quizzes WHERE {_STARTS.format('id')} ORDER BY rowid DESC LIMIT ?",
                     incomplete, incomplete)


def complete_learner(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[str]:
    """Learner ids on the roster."""
    return _matching(ctx, f"SELECT id FROM roster WHERE {_STARTS.format('id')} ORDER BY id LIMIT ?",
                     incomplete, incomplete)


def complete_question(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[str]:
    """The question ids of the quiz given before it on the command line (``flash quiz drop QUIZ Q``)."""
    quiz = ctx.params.get("quiz_ref")
    if not quiz:
        return []
    return _matching(ctx, f"SELECT id FROM quiz_questions WHERE quiz_id = ? AND {_STARTS.format('id')} "
                     "ORDER BY position LIMIT ?", quiz, incomplete, incomplete)
