"""What the `flash quiz` command modules share: writing files, plain output, options."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Optional

import click

from ..render_quiz import clean


def write(path: Path, data) -> Path:
    from .._files import write_atomically
    from ..errors import QuizError

    return write_atomically(path, data, error=QuizError)


def say(out, text: str, style: Optional[str] = None) -> None:
    """Plain text (never markup; control characters removed), not wrapped, so file paths stay whole."""
    text = "\n".join(clean(line) for line in text.split("\n"))
    out.print(text, style=style, markup=False, highlight=False, soft_wrap=True)


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", clean(text).casefold()).strip("-") or "learner"


def quiet_console():
    import io

    from rich.console import Console

    return Console(file=io.StringIO())


class Percent(click.ParamType):
    """``80`` or ``80%``, 0 to 100."""

    name = "PCT"

    def convert(self, value, param, ctx):
        if isinstance(value, int):
            number = value
        else:
            text = str(value).strip().rstrip("%").strip()
            if not text.isdigit():
                self.fail(f"'{value}' is not a whole percentage like 80 or 80%", param, ctx)
            number = int(text)
        if not 0 <= number <= 100:
            self.fail(f"{number} is not between 0 and 100", param, ctx)
        return number


class Share(click.ParamType):
    """A share strictly between 0 and 1: ``0.5`` or ``50%``."""

    name = "SHARE"

    def convert(self, value, param, ctx):
        if isinstance(value, float):
            return value
        text = str(value).strip()
        try:
            number = float(text[:-1]) / 100 if text.endswith("%") else float(text)
        except ValueError:
            self.fail(f"'{clean(text)}' is not a share like 0.5 or 50%", param, ctx)
        if not 0 < number < 1:
            self.fail(f"{clean(text)} is not a share between 0 and 1 (exclusive), like 0.5 or 50%: for a quiz of "
                      "private items only, give their decks as PATH instead", param, ctx)
        return number


kinds_option = click.option(
    "--kinds", multiple=True, metavar="KINDS",
    help="Question kinds, comma-separated or repeated: which-term, what-is, phrase, reply, breaks, holds, "
         "cloze, or the groups terms, phrases, analogs, clozes. [default: all]",
)
paths_argument = click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
html_option = click.option(
    "--html", is_flag=True,
    help="Also write each paper as a web page (<quiz id>--<learner id>.paper.html) to take in a browser, offline.",
)
