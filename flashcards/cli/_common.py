"""What every command shares: --db and --today, opening the store, the console."""

from __future__ import annotations

import functools
import os
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Optional

import click

if TYPE_CHECKING:  # imported lazily at run time to keep `flash --help` fast
    from rich.console import Console

    from ..store import Store

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


def _parse_today(ctx, param, value: Optional[str]) -> Optional[date]:
    if value is None:
        return None
    from ..clock import parse_day

    try:
        return parse_day(value)
    except ValueError as exc:
        source = ctx.get_parameter_source(param.name)
        where = " (from FLASH_TODAY)" if source == click.core.ParameterSource.ENVIRONMENT else ""
        raise click.BadParameter(f"{exc}{where}", ctx=ctx, param=param) from None


def db_option(f):
    """``--db PATH`` (env ``FLASH_DB``); default ``$XDG_DATA_HOME/flashcards/flash.db``."""
    return click.option(
        "--db", "db_path", type=click.Path(dir_okay=False, path_type=Path), envvar="FLASH_DB",
        help="Database file. [env: FLASH_DB; default: $XDG_DATA_HOME/flashcards/flash.db]",
    )(f)


def today_option(f):
    """``--today YYYY-MM-DD`` (env ``FLASH_TODAY``); default: the study day now."""
    return click.option(
        "--today", "today", callback=_parse_today, envvar="FLASH_TODAY", metavar="YYYY-MM-DD",
        help="Act as if today were this day. [env: FLASH_TODAY; default: today, "
        "with days starting at 4 am (FLASH_DAY_STARTS_AT)]",
    )(f)


def common_options(f):
    """Both ``--db`` and ``--today``: every command that touches the database takes them."""
    return db_option(today_option(f))


def resolve_today(today: Optional[date]) -> date:
    """The ``--today`` value, or the current study day."""
    if today is not None:
        return today
    from ..clock import parse_day_start, study_day

    try:
        hour = parse_day_start(os.environ.get("FLASH_DAY_STARTS_AT"))
    except ValueError as exc:
        raise click.UsageError(f"FLASH_DAY_STARTS_AT: {exc}") from None
    return study_day(datetime.now(), hour)


def now() -> datetime:
    """Wall-clock time for log timestamps (never used to decide what is due)."""
    return datetime.now().astimezone()


def open_store(db_path: Optional[Path], *, create: bool = True) -> "Store":
    from ..store import Store, default_db_path

    return Store.open(db_path or default_db_path(), create=create)


def console() -> "Console":
    """A rich console on stdout (created per command, so CliRunner captures it)."""
    from rich.console import Console

    return Console(highlight=False)


def error_console() -> "Console":
    from rich.console import Console

    return Console(stderr=True, highlight=False)


def with_store(create: bool = True):
    """Decorator: replace ``db_path`` by an open ``store`` and close it afterwards."""

    def decorate(f):
        @functools.wraps(f)
        def wrapper(*args, db_path=None, **kwargs):
            store = open_store(db_path, create=create)
            try:
                return f(*args, store=store, **kwargs)
            finally:
                store.close()

        return wrapper

    return decorate
