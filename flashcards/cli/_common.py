"""What every command shares: --db and --today, opening the store, the console."""

from __future__ import annotations

import codecs
import functools
import os
import sys
import unicodedata
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Optional

import click

from ..errors import FlashcardsError

if TYPE_CHECKING:  # imported lazily at run time to keep `flash --help` fast
    from rich.console import Console

    from ..store import Store

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


# Where the root group keeps --db and --today given before the subcommand (flash --db X decks).
GLOBAL = "flashcards.global"


def _given_before(ctx, name: str):
    return ctx.find_root().meta.get(GLOBAL, {}).get(name)


def _from_command_line(ctx, param) -> bool:
    return ctx.get_parameter_source(param.name) == click.core.ParameterSource.COMMANDLINE


def _parse_today(ctx, param, value: Optional[str]) -> Optional[date]:
    """--today after the subcommand, else before it, else FLASH_TODAY; None: the clock decides."""
    if not _from_command_line(ctx, param) and _given_before(ctx, "today") is not None:
        return _given_before(ctx, "today")
    if value is None:
        return None
    from ..clock import parse_day

    try:
        return parse_day(value)
    except ValueError as exc:
        source = ctx.get_parameter_source(param.name)
        where = " (from FLASH_TODAY)" if source == click.core.ParameterSource.ENVIRONMENT else ""
        raise click.BadParameter(f"{exc}{where}", ctx=ctx, param=param) from None


def _resolve_db(ctx, param, value: Optional[Path]) -> Optional[Path]:
    """--db after the subcommand, else before it, else FLASH_DB, else the config file's
    ``database``; None: the default path."""
    if _from_command_line(ctx, param):
        return value
    before = _given_before(ctx, "db_path")
    if before is not None:
        return before
    if value is not None:  # from FLASH_DB
        return value
    from ..config import resolve

    return resolve("database").value


def db_option(f, *, hidden: bool = False):
    """``--db PATH`` (env ``FLASH_DB``, config ``database``); default ``$XDG_DATA_HOME/flashcards/flash.db``."""
    return click.option(
        # no dir_okay=False: a folder is refused by Store.open as one line, exit 1, like other bad paths
        "--db", "db_path", type=click.Path(path_type=Path, readable=False), envvar="FLASH_DB",
        callback=_resolve_db,
        help="Database file. [env: FLASH_DB; config: database; default: $XDG_DATA_HOME/flashcards/flash.db]",
        hidden=hidden,
    )(f)


def today_option(f, *, hidden: bool = False):
    """``--today YYYY-MM-DD`` (env ``FLASH_TODAY``); default: the study day now."""
    return click.option(
        "--today", "today", callback=_parse_today, envvar="FLASH_TODAY", metavar="YYYY-MM-DD",
        help="Act as if today were this day. [env: FLASH_TODAY; default: today, "
        "with days starting at 4 am (FLASH_DAY_STARTS_AT, config day_starts_at)]", hidden=hidden,
    )(f)


def global_options(f):
    """``--db`` and ``--today`` on the root group: given before the subcommand, they apply to it
    (an option after the subcommand still wins)."""

    def keep(ctx, param, value):
        if value is not None:
            if param.name == "today":
                from ..clock import parse_day

                try:
                    value = parse_day(value)
                except ValueError as exc:
                    raise click.BadParameter(str(exc), ctx=ctx, param=param) from None
            ctx.meta.setdefault(GLOBAL, {})[param.name] = value
        return value

    f = click.option("--today", "today", callback=keep, expose_value=False, is_eager=True, metavar="YYYY-MM-DD",
                     help="Act as if today were this day (for every command).")(f)
    return click.option("--db", "db_path", callback=keep, expose_value=False, is_eager=True,
                        type=click.Path(path_type=Path, readable=False), metavar="PATH",
                        help="Database file (for every command).")(f)


def setting_option(name: str, *flags: str, **kwargs):
    """An option whose default comes from the environment, the config file or the built-in
    default, in that order (flashcards.config): ``--new`` and ``--reviews`` of review."""
    from ..config import SETTINGS

    setting = SETTINGS[name]

    def resolve(ctx, param, value):
        from ..config import resolve

        try:
            return resolve(name, value, option_name=flags[0]).value
        except FlashcardsError as exc:
            raise click.ClickException(str(exc)) from None

    kwargs["help"] = (f"{kwargs.get('help', '')} [default: {setting.default}; env: {setting.env}; "
                      f"config: {name}]").strip()
    return click.option(*flags, name, callback=resolve, **kwargs)


def common_options(f):
    """Both ``--db`` and ``--today``: every command that touches the database takes them."""
    return db_option(today_option(f))


def unused_common_options(f):
    """``--db`` and ``--today`` for a command that uses neither: still accepted (and a bad
    date still refused), so scripts that pass them to every command keep working, but not
    listed in its --help."""
    return db_option(today_option(f, hidden=True), hidden=True)


def resolve_today(today: Optional[date]) -> date:
    """The ``--today`` value, or the current study day (days start at ``day_starts_at``)."""
    if today is not None:
        return today
    from ..clock import study_day
    from ..config import resolve

    try:
        hour = resolve("day_starts_at").value
    except FlashcardsError as exc:
        raise click.UsageError(str(exc)) from None
    return study_day(datetime.now(), hour)


def default_exports_dir() -> Path:
    """Where exports go without -o: ``exports/`` beside the default database
    (``$XDG_DATA_HOME/flashcards/exports``), never the folder you stand in."""
    from ..store import default_db_path

    return default_db_path().parent / "exports"


def default_deck_paths() -> list[Path]:
    """The decks a command uses when given none: the config's ``decks``, else the shipped ones."""
    from ..config import resolve
    from ..decks import shipped_decks_dir

    configured = resolve("decks").value
    return list(configured) if configured else [shipped_decks_dir()]


def now() -> datetime:
    """Wall-clock time for log timestamps (never used to decide what is due)."""
    return datetime.now().astimezone()


def busy_timeout() -> float:
    """Seconds a write waits for another process's lock: ``FLASH_BUSY_TIMEOUT`` or 30."""
    from ..store import DEFAULT_BUSY_TIMEOUT

    raw = os.environ.get("FLASH_BUSY_TIMEOUT", "").strip()
    if not raw:
        return DEFAULT_BUSY_TIMEOUT
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not 0 <= value <= 3600:
        raise click.ClickException(f"FLASH_BUSY_TIMEOUT={raw!r} is not a number of seconds from 0 to 3600")
    return value


def open_store(db_path: Optional[Path], *, create: bool = True, write: bool = True) -> "Store":
    """Open the database (``write=False``: a command that only reads, which never migrates or
    changes the file); a write that must wait for another process says so on stderr."""
    from ..store import Store, default_db_path

    def waiting(message: str) -> None:
        error_console().print(f"[dim]{message}[/dim]")

    if db_path is not None and create and not db_path.parent.is_dir() and db_path != default_db_path():
        # a mistyped folder must not silently become a fresh, empty database
        raise click.ClickException(f"--db {db_path}: the folder {db_path.parent} does not exist "
                                   "(create it first, or check the path)")
    return Store.open(db_path or default_db_path(), create=create, write=write, busy_timeout=busy_timeout(),
                      on_wait=waiting)


# -- output on any terminal -------------------------------------------------------

# What a glyph becomes on a stream whose encoding cannot show it (PYTHONIOENCODING=ascii,
# a Latin-1 terminal). Anything not listed loses its accents, or becomes '?'.
ASCII_STAND_INS = {
    "·": "|", "…": "...", "–": "-", "—": "--", "‘": "'", "’": "'", "“": '"', "”": '"',
    "→": "->", "←": "<-", "×": "x", "≥": ">=", "≤": "<=", "•": "*", "✓": "ok", "✗": "x",
    "─": "-", "━": "-", "│": "|", "┃": "|", "┤": "+", "├": "+", "└": "+", "┘": "+", "┌": "+",
    "┐": "+", "┼": "+", "╭": "+", "╮": "+", "╰": "+", "╯": "+", "\u00a0": " ",
}
ERROR_HANDLER = "flashcards-ascii"


def ascii_stand_in(char: str) -> str:
    """An ASCII spelling of ``char``: a listed stand-in, the letter without its accents, or '?'."""
    if char in ASCII_STAND_INS:
        return ASCII_STAND_INS[char]
    bare = "".join(c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c))
    return bare if bare and bare.isascii() else "?"


def _stand_ins(exc: UnicodeError):
    if not isinstance(exc, UnicodeEncodeError):
        raise exc
    return "".join(ascii_stand_in(c) for c in exc.object[exc.start:exc.end]), exc.end


codecs.register_error(ERROR_HANDLER, _stand_ins)


def can_encode(encoding: Optional[str], text: str) -> bool:
    try:
        text.encode(encoding or "utf-8")
    except (UnicodeEncodeError, LookupError):
        return False
    return True


def json_text(data) -> str:
    """JSON for stdout: non-ASCII text as is, or escaped when the stream cannot encode it."""
    import json

    text = json.dumps(data, indent=2, ensure_ascii=False)
    if not can_encode(getattr(sys.stdout, "encoding", None), text):
        text = json.dumps(data, indent=2)
    return text


def fall_back_to_ascii(*streams) -> None:
    """Make text streams that cannot show our glyphs write ASCII stand-ins instead of raising
    ``UnicodeEncodeError`` (every ``click.echo`` and rich console then writes safely)."""
    for stream in streams:
        encoding = getattr(stream, "encoding", None)
        if encoding and not can_encode(encoding, "·…–—│") and hasattr(stream, "reconfigure"):
            try:
                stream.reconfigure(errors=ERROR_HANDLER)
            except (ValueError, OSError):  # a closed or detached stream: nothing will be written
                pass


def console() -> "Console":
    """A rich console on stdout (created per command, so CliRunner captures it); when stdout is
    not a terminal, a plain one: tables as tab-separated rows, no boxes, no wrapped lines."""
    from rich.console import Console

    fall_back_to_ascii(sys.stdout)
    con = Console(highlight=False)
    if con.is_terminal:
        return con
    from ..render_plain import PlainConsole

    return PlainConsole(highlight=False)


def error_console() -> "Console":
    """The same for stderr."""
    from rich.console import Console

    fall_back_to_ascii(sys.stderr)
    con = Console(stderr=True, highlight=False)
    if con.is_terminal:
        return con
    from ..render_plain import PlainConsole

    return PlainConsole(stderr=True, highlight=False)


def ascii_only(con: "Console") -> bool:
    """True when the console's stream cannot show the glyphs of charts and panels."""
    return not can_encode(con.encoding, "·░▒▓█▁▂▃▄▅▆▇")


def is_terminal(con: "Console") -> bool:
    """Whether tables are for a person (rich's view: a tty, or TTY_COMPATIBLE=1)."""
    return con.is_terminal


def with_store(create: bool = True):
    """Decorator: replace ``db_path`` by an open ``store`` and close it afterwards."""

    def decorate(f):
        @functools.wraps(f)
        def wrapper(*args, db_path=None, **kwargs):
            with open_store(db_path, create=create) as store:  # __exit__ turns SQLite errors into one line
                return f(*args, store=store, **kwargs)

        return wrapper

    return decorate
