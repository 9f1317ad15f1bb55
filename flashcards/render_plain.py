"""Output for a pipe or a file: every renderable as plain lines, whole.

When stdout is not a terminal (``flash import | less``, ``flash stats > today.txt``, a script),
the CLI prints through :class:`PlainConsole` instead of a rich console: a table becomes its
title, its header and one tab-separated line per row (as ``--plain`` prints); a panel becomes
its title line and its body; no line is wrapped, so an id or a path a user copies back is never
broken; a box-drawing or block glyph left in any text becomes its ASCII stand-in. A terminal
keeps the rich layout, unchanged.
"""

from __future__ import annotations

from typing import Iterator

from rich.console import Console, Group
from rich.padding import Padding
from rich.panel import Panel
from rich.rule import Rule
from rich.table import Table
from rich.text import Text

from .render import FirstThatFits, plain_rows

# box drawing (U+2500-U+257F) and block elements (U+2580-U+259F): what a pipe never gets
BOX_CHARACTERS = frozenset(chr(c) for c in range(0x2500, 0x25A0))
_BOX_STAND_INS = {"─": "-", "━": "-", "│": "|", "┃": "|", "┤": "+", "├": "+", "└": "+", "┘": "+", "┌": "+",
                  "┐": "+", "┼": "+", "╭": "+", "╮": "+", "╰": "+", "╯": "+", "░": "-", "▒": "+", "▓": "*",
                  "█": "#", "▁": "_", "▂": "_", "▃": "-", "▄": "-", "▅": "=", "▆": "=", "▇": "#"}
BOX_TO_ASCII = {ord(c): _BOX_STAND_INS.get(c, "+") for c in BOX_CHARACTERS}
UNBOUNDED = 10_000  # columns: no line of ours is longer


def unboxed(text: str) -> str:
    """``text`` with every box-drawing or block glyph replaced by an ASCII stand-in."""
    return text.translate(BOX_TO_ASCII)


def _text(value: object, console: Console) -> Text:
    """A cell, a title or a line as rich Text (markup in a str is read, as rich would)."""
    if isinstance(value, Text):
        return value
    if isinstance(value, str):
        return console.render_str(value)
    lines = console.render_lines(value, console.options.update(width=UNBOUNDED), pad=False)
    return Text("\n".join("".join(s.text for s in line).rstrip() for line in lines))


def table_lines(table: Table, console: Console) -> Iterator[str]:
    """A table's title, then its header, rows and footer as tab-separated lines."""
    if table.title:
        yield _text(table.title, console).plain
    columns = table.columns
    if table.show_header and any(_text(c.header, console).plain for c in columns):
        yield unboxed("\t".join(" ".join(_text(c.header, console).plain.split()) for c in columns))
    rows: list[list[str]] = []
    cells = [list(c.cells) for c in columns]
    for index in range(table.row_count):
        rows.append([_text(column[index], console).plain for column in cells])
    if table.show_footer:
        rows.append([_text(c.footer, console).plain for c in columns])
    yield from unboxed(plain_rows(rows)).splitlines()
    if table.caption:
        yield _text(table.caption, console).plain


def plain_lines(renderable: object, console: Console) -> Iterator[str]:
    """``renderable`` as text a pipe takes whole (a str is read as markup, as rich reads it)."""
    if isinstance(renderable, Table):
        yield from table_lines(renderable, console)
    elif isinstance(renderable, Panel):
        head = [_text(part, console).plain for part in (renderable.title, renderable.subtitle) if part]
        if head:
            yield unboxed("\t".join(head))
        yield from plain_lines(renderable.renderable, console)
    elif isinstance(renderable, Group):
        for part in renderable.renderables:
            yield from plain_lines(part, console)
    elif isinstance(renderable, FirstThatFits):
        yield from plain_lines(renderable.choices[0], console)
    elif isinstance(renderable, Padding):
        yield from plain_lines(renderable.renderable, console)
    elif isinstance(renderable, Rule):
        if renderable.title:
            yield _text(renderable.title, console).plain
    else:
        yield unboxed(_text(renderable, console).plain)


class PlainConsole(Console):
    """A rich console for a pipe: what it is given is flattened to whole lines of text (see the
    module) and written as is: nothing is wrapped, padded, styled or drawn, and a tab stays a
    tab. Its width is unbounded, so a renderable that asks for it (a card's title, a chart)
    never picks a narrow layout."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("width", UNBOUNDED)
        super().__init__(*args, **kwargs)

    def print(self, *objects, sep: str = " ", end: str = "\n", markup=None, **kwargs) -> None:
        parts = []
        for obj in objects:
            if isinstance(obj, str) and markup is False:
                obj = Text(obj)
            parts.append("\n".join(plain_lines(obj, self)))
        self.file.write(sep.join(parts) + end)
        self.file.flush()
