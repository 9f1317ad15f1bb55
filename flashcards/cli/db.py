"""`flash db check` and `flash db backup`: look after the database file."""

from __future__ import annotations

from pathlib import Path

import click

from ._common import CONTEXT_SETTINGS, busy_timeout, common_options, open_store


@click.group(context_settings=CONTEXT_SETTINGS)
def db() -> None:
    """Check the database, back it up (safe while a review runs), or upgrade its schema.

    Example: flash db backup ~/flash-backup.db
    """


def _db(db_path):
    from ..store import default_db_path

    return Path(db_path) if db_path else default_db_path()


@db.command(context_settings=CONTEXT_SETTINGS)
@common_options
def check(db_path, today) -> None:
    """Check the database: SQLite's integrity check and the review log.

    Runs SQLite's full integrity_check and foreign_key_check, then replays
    every card's grades through SM-2 from a new card: each logged state and
    the card's stored state must follow. Reads only; exits 1 if anything is
    wrong (restore a backup then: copy it over the database file).

    Example: flash db check --db ~/flash.db
    """
    from ..errors import inert
    from ..store import SCHEMA_VERSION
    from ..stats import GRADES_DEFINITION
    from ..store.maintenance import check as run_check

    report = run_check(_db(db_path))
    integrity = "ok" if report.integrity == ["ok"] else "; ".join(report.integrity[:5])
    click.echo(inert(f"{report.path}: integrity: {integrity}"))
    if report.integrity == ["ok"]:
        click.echo(f"schema version: {report.schema_version} (this flashcards: {SCHEMA_VERSION}); "
                   f"dangling references: {report.foreign_keys}")
    if report.schema_problem:
        click.echo(inert(f"schema: {report.schema_problem}"))
    if report.sound:
        counted = report.counted
        click.echo(f"replayed {counted.grades:,} grades of {report.cards:,} cards: "
                   f"{report.mismatch_count} disagree with the stored state")
        for mismatch in report.mismatches:
            click.echo(inert(f"  {mismatch}"))
        if report.mismatch_count > len(report.mismatches):
            click.echo(f"  ... and {report.mismatch_count - len(report.mismatches)} more")
        click.echo(f"{GRADES_DEFINITION}; the log also holds {counted.drills:,} drills "
                   f"and {counted.undone:,} undone answers")
    if not report.ok:
        if report.integrity != ["ok"]:
            what = f"is damaged ({report.integrity[0]});"
        elif report.schema_problem:
            what = f"does not have the tables of a flashcards database (schema {report.schema_version}): " \
                   f"{report.schema_problem};"
        else:
            what = "has problems;"
        raise click.ClickException(inert(
            f"{report.path} {what} restore your latest backup by copying it over the file "
            "(make backups with 'flash db backup FILE')"
        ))
    click.echo("The database is sound.")


@db.command(context_settings=CONTEXT_SETTINGS)
@click.argument("file", type=click.Path(path_type=Path, readable=False))
@common_options
def backup(file: Path, db_path, today) -> None:
    """Copy the database to FILE, safely even while a review is running.

    Uses SQLite's online backup API: FILE is one consistent snapshot, written
    beside FILE and renamed into place, a single self-contained file. The
    copy must pass SQLite's full integrity check (indexes included) before it
    replaces FILE, so a damaged database never overwrites a good backup; files
    that are not flashcards databases are refused. To restore, copy it over
    the database file while no flash command runs.

    Example: flash db backup ~/backups/flash-$(date +%F).db
    """
    from ..errors import inert
    from ..store.maintenance import backup as run_backup

    report = run_backup(_db(db_path), file, busy_timeout=busy_timeout())
    size = f"{report.size / 1e6:,.1f} MB" if report.size >= 1e6 else f"{report.size / 1e3:,.1f} kB"
    line = (f"Backed up {report.source} to {report.path} ({size}, "
            f"{report.cards:,} cards, {report.grades:,} grades); integrity of the copy: {report.integrity}")
    click.echo(inert(line))


@db.command(context_settings=CONTEXT_SETTINGS)
@common_options
def upgrade(db_path, today) -> None:
    """Upgrade a database made by an older flashcards to this version's schema.

    Commands that write (review, import, ...) upgrade it too; commands that
    only read (stats, cards, decks, ...) never change the file and ask for
    this instead. The upgrade is one transaction: all of it or nothing, and
    nothing is lost.

    Example: flash db upgrade --db ~/flash.db
    """
    from ..errors import inert

    with open_store(db_path, create=False) as store:
        version = store.schema_version
        if store.migrated_from is None:
            click.echo(inert(f"{store.path} is up to date (schema {version})."))
        else:
            click.echo(inert(f"Upgraded {store.path} from schema {store.migrated_from} to {version}."))
