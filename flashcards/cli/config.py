"""`flash config`: every effective setting and where it came from."""

from __future__ import annotations

import click

from ._common import GLOBAL, CONTEXT_SETTINGS, console, is_terminal, unused_common_options


@click.command(context_settings=CONTEXT_SETTINGS)
@click.option("--path", "path_only", is_flag=True, help="Print only the config file's path.")
@unused_common_options
@click.pass_context
def config(ctx, path_only, db_path, today) -> None:
    """Show every setting in force and where it came from.

    Precedence, highest first: a command-line option, an environment
    variable, the config file, the built-in default. The file is TOML at
    FLASH_CONFIG, else $XDG_CONFIG_HOME/flashcards/config.toml (an unset or
    relative XDG_CONFIG_HOME means ~/.config). Settings: database,
    new_per_day, reviews_per_day, day_starts_at, decks. Piped, each
    setting is one tab-separated line: name, value, source, where.

    Example: flash config
    """
    from rich.markup import escape

    from ..config import config_path, effective, load

    path = config_path()
    if path_only:
        click.echo(str(path))
        return
    found = load()
    given = (ctx.get_parameter_source("db_path") == click.core.ParameterSource.COMMANDLINE
             or ctx.find_root().meta.get(GLOBAL, {}).get("db_path") is not None)
    values = effective({"database": db_path} if given else {})
    rows = [(v.name, _show(v.value), v.source, v.where) for v in values]
    con = console()
    if not is_terminal(con):
        for row in rows:
            click.echo("\t".join(row))
        return
    state = "" if found.values or path.is_file() else " (not found: every setting has its default)"
    con.print(f"Config file: {escape(str(path))}{state}")
    width = max(len(r[0]) for r in rows)
    for name, value, source, where in rows:
        origin = f"{source} ({where})" if where else source
        con.print(f"  {name:<{width}}  {escape(value)}  [dim]{escape(origin)}[/dim]")


def _show(value) -> str:
    if value is None:
        return "(none)"
    if isinstance(value, tuple):
        return ", ".join(str(v) for v in value)
    return str(value)
