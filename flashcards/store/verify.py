"""Schema verification: is this file the flashcards database this version understands?

The expectation is derived from the migrations themselves: ``expected_schema(n)`` applies
the first ``n`` of ``schema.MIGRATIONS`` to an empty in-memory database once and reads back
its tables (with their columns), indexes, triggers and views. A file of version ``n`` must
hold exactly those objects, so a new migration is verified with no extra work: append it,
and every database is compared against what it builds.

``identify`` runs before anything is written or migrated and refuses, in one line, a file
that is not ours: an Anki collection, another program's SQLite file, a future version,
or a flashcards file whose tables, columns, indexes or triggers differ from its version's.
"""

from __future__ import annotations

import re
import sqlite3
from functools import lru_cache
from pathlib import Path
from typing import Optional, Sequence

from ..errors import SchemaMismatchError, StoreError

__all__ = ["Schema", "describe", "differences", "expected_schema", "identify"]

# (type, name) -> what must match: a table's columns, an index's or trigger's SQL
Schema = dict[tuple[str, str], object]

CORE_TABLES = frozenset({"decks", "cards", "card_state", "reviews"})  # in every flashcards database
ANKI_TABLES = frozenset({"col", "notes", "cards", "revlog"})
_INTERNAL = ("sqlite_stat", "sqlite_sequence")  # SQLite's own tables (ANALYZE, AUTOINCREMENT)
_LISTED = 4  # differences named in the message; the rest are counted


def describe(conn: sqlite3.Connection) -> Schema:
    """The schema of ``conn``'s main database, in a form two databases can be compared by."""
    schema: Schema = {}
    objects = conn.execute("SELECT type, name, tbl_name, sql FROM main.sqlite_master").fetchall()
    for kind, name, table, sql in objects:
        if name.startswith(_INTERNAL):
            continue
        if kind == "table":
            schema[kind, name] = tuple(
                (col_name, col_type.upper(), bool(notnull), default, pk)
                for _, col_name, col_type, notnull, default, pk in conn.execute(
                    "SELECT * FROM pragma_table_info(?)", (name,))
            )
        elif sql is None:  # an index SQLite made for a UNIQUE or PRIMARY KEY constraint
            columns = tuple(row[2] for row in conn.execute("SELECT * FROM pragma_index_info(?)", (name,)))
            schema[kind, name] = (table, columns)
        else:
            schema[kind, name] = (table, _normal_sql(sql))
    return schema


def _normal_sql(sql: str) -> str:
    return re.sub(r"\s+", " ", sql).strip()


@lru_cache(maxsize=8)
def _expected(migrations: tuple[tuple[str, ...], ...]) -> Schema:
    conn = sqlite3.connect(":memory:")
    try:
        for migration in migrations:
            for statement in migration:
                conn.execute(statement)
        return describe(conn)
    finally:
        conn.close()


def expected_schema(version: int, migrations: Sequence[Sequence[str]]) -> Schema:
    """What the first ``version`` migrations build (computed once per process)."""
    return _expected(tuple(tuple(m) for m in migrations[:version]))


def differences(actual: Schema, expected: Schema) -> list[str]:
    """What ``actual`` lacks or has beyond ``expected``, as short phrases ('missing table decks')."""
    found: list[str] = []
    for key in sorted(expected.keys() - actual.keys(), key=_order):
        found.append(f"missing {key[0]} {key[1]}")
    for key in sorted(actual.keys() - expected.keys(), key=_order):
        found.append(f"extra {key[0]} {key[1]}")
    for key in sorted(actual.keys() & expected.keys(), key=_order):
        if actual[key] == expected[key]:
            continue
        kind, name = key
        if kind != "table":
            found.append(f"{kind} {name} differs")
            continue
        have = {col[0]: col for col in actual[key]}  # type: ignore[union-attr]
        want = {col[0]: col for col in expected[key]}  # type: ignore[union-attr]
        columns = [f"missing column {name}.{c}" for c in want if c not in have]
        columns += [f"extra column {name}.{c}" for c in have if c not in want]
        columns += [f"column {name}.{c} differs" for c in want if c in have and have[c] != want[c]]
        found += columns or [f"table {name} has its columns in another order"]
    return found


_KIND_ORDER = {"table": 0, "index": 1, "trigger": 2, "view": 3}


def _order(key: tuple[str, str]) -> tuple[int, str]:
    return _KIND_ORDER.get(key[0], 9), key[1]


def _listing(found: list[str]) -> str:
    shown = "; ".join(found[:_LISTED])
    return shown + (f"; and {len(found) - _LISTED} more" if len(found) > _LISTED else "")


def identify(conn: sqlite3.Connection, path: Path, *, version: int, latest: int,
             migrations: Sequence[Sequence[str]]) -> Optional[Schema]:
    """Refuse (``StoreError``) a file that is not a flashcards database of a version this one knows,
    or whose schema is not what its version's migrations build. Returns the file's schema, or
    None for a new, empty database (version 0, no tables). Reads only."""
    actual = describe(conn)
    tables = {name for kind, name in actual if kind == "table"}
    if ANKI_TABLES <= tables:
        raise StoreError(f"{path} is an Anki collection, not a flashcards database; give --db a flashcards "
                         f"database (nothing was changed)")
    if version == 0 and not actual:
        return None
    if not tables & CORE_TABLES:
        raise StoreError(f"{path} is an SQLite database, but not a flashcards one")
    if version > latest:
        raise StoreError(
            f"{path} was written by a newer version of flashcards "
            f"(schema {version}, this version reads up to {latest}); upgrade flashcards"
        )
    if version == 0:
        raise StoreError(f"{path} is an SQLite database, but not a flashcards one")
    found = differences(actual, expected_schema(version, migrations))
    if found:
        raise SchemaMismatchError(schema_message(path, version, found), found)
    return actual


def schema_message(path: Path, version: int, found: list[str]) -> str:
    return (f"{path} does not have the tables of a flashcards database (schema {version}): {_listing(found)}; "
            f"nothing was written to it. Another program changed it: restore your latest backup "
            f"by copying it over {path}")
