"""A personal paper as one self-contained HTML page the learner opens in a browser.

``paper_html(paper)`` turns a format-2 paper document (docs/quiz-files.md) into a page
that works offline from a file: its style, script and the paper itself are inline, and a
Content-Security-Policy forbids every network request. The page shows the paper's
questions, keeps the answers in the browser's localStorage across reloads, and finishes
with the signed answers file (``client: "browser"``) that ``flash quiz score`` reads.

The page's HTML, CSS and JavaScript are package data in ``flashcards/quiz/_browser/``.
``write_page`` writes the page beside the paper, as ``<quiz id>--<learner id>.paper.html``.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import re
from collections.abc import Mapping
from functools import lru_cache
from importlib.resources import files
from pathlib import Path
from typing import Union

from .. import __version__
from .._files import write_atomically
from ..errors import QuizError
from ..text import clean_text
from .papers import PAPER_FORMAT, paper_filename

_PLACEHOLDER = re.compile(r"\{\{(\w+)\}\}")
_HEX64 = re.compile(r"[0-9a-fA-F]{64}")


@lru_cache(maxsize=None)
def _asset(name: str) -> str:
    return files("flashcards.quiz").joinpath("_browser", name).read_text(encoding="utf-8")


def _version() -> str:
    return __version__


def _csp_hash(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii") + "'"


def embed_json(document: object) -> str:
    """JSON that can sit inside ``<script type="application/json">`` whatever its strings hold.

    Every non-ASCII character is escaped (the page is pure ASCII, so a mislabelled charset
    cannot garble it), and so are ``<``, ``>`` and ``&``: a string holding ``</script>`` or
    ``<!--`` cannot end or change the script element. These characters only ever occur
    inside JSON strings, where the ``\\uXXXX`` form means the same character.
    """
    text = json.dumps(document, ensure_ascii=True, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def check_paper(paper: object) -> None:
    """Raise QuizError naming the first field that does not follow the format-2 paper contract."""

    def fail(where: str, what: str) -> None:
        raise QuizError(f"not a {PAPER_FORMAT} paper: {where} {what}")

    def text(value: object, where: str) -> None:
        if not isinstance(value, str) or not value.strip():
            fail(where, "must be non-empty text")

    def whole(value: object, where: str, *, optional: bool = False) -> None:
        if value is None and optional:
            return
        if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
            fail(where, "must be a positive whole number" + (" or null" if optional else ""))

    if not isinstance(paper, Mapping):
        fail("the document", "must be a JSON object")
    if paper.get("format") != PAPER_FORMAT:
        fail("format", f"must be {PAPER_FORMAT!r}")
    quiz = paper.get("quiz")
    if not isinstance(quiz, Mapping):
        fail("quiz", "must be an object")
    text(quiz.get("id"), "quiz.id")
    text(quiz.get("title"), "quiz.title")
    pass_mark = quiz.get("pass_mark")
    if isinstance(pass_mark, bool) or not isinstance(pass_mark, int) or not 0 <= pass_mark <= 100:
        fail("quiz.pass_mark", "must be a whole number from 0 to 100")
    whole(quiz.get("time_limit_seconds"), "quiz.time_limit_seconds", optional=True)
    whole(quiz.get("max_attempts"), "quiz.max_attempts", optional=True)
    text(paper.get("paper"), "paper")
    learner = paper.get("learner")
    if not isinstance(learner, Mapping):
        fail("learner", "must be an object")
    text(learner.get("id"), "learner.id")
    text(learner.get("name"), "learner.name")
    token = paper.get("token")
    if not isinstance(token, str) or not _HEX64.fullmatch(token):
        fail("token", "must be 64 hex characters")
    questions = paper.get("questions")
    if not isinstance(questions, list) or not questions:
        fail("questions", "must be a non-empty list")
    question_ids: set[str] = set()
    option_ids: set[str] = set()
    for n, question in enumerate(questions):
        where = f"questions[{n}]"
        if not isinstance(question, Mapping):
            fail(where, "must be an object")
        text(question.get("id"), f"{where}.id")
        if question["id"] in question_ids:
            fail(f"{where}.id", f"repeats {question['id']!r}")
        question_ids.add(question["id"])
        text(question.get("prompt"), f"{where}.prompt")
        options = question.get("options")
        if not isinstance(options, list) or len(options) < 2:
            fail(f"{where}.options", "must list at least two options")
        for m, option in enumerate(options):
            at = f"{where}.options[{m}]"
            if not isinstance(option, Mapping):
                fail(at, "must be an object")
            text(option.get("id"), f"{at}.id")
            text(option.get("text"), f"{at}.text")
            if option["id"] in option_ids:
                fail(f"{at}.id", f"repeats {option['id']!r}")
            option_ids.add(option["id"])
    count = quiz.get("question_count")
    if count is not None and count != len(questions):
        fail("quiz.question_count", f"is {count!r} but the paper holds {len(questions)} questions")


def paper_html(paper: Mapping) -> str:
    """The paper as one self-contained HTML page (a str; pure ASCII).

    Raises QuizError when ``paper`` does not follow the format-2 contract.
    """
    check_paper(paper)
    style = _asset("page.css")
    script = _asset("page.js")
    csp = "; ".join([
        "default-src 'none'",
        f"script-src {_csp_hash(script)}",
        f"style-src {_csp_hash(style)}",
        "img-src data:",
        "base-uri 'none'",
        "form-action 'none'",
    ])
    title = clean_text(f"{paper['quiz']['title']} · {paper['learner']['name']}")
    values = {
        "csp": csp,
        "version": _version(),
        "title": html.escape(title).encode("ascii", "xmlcharrefreplace").decode("ascii"),
        "style": style,
        "script": script,
        "paper": embed_json(dict(paper)),
    }
    # One pass, so nothing inserted is scanned for placeholders again.
    return _PLACEHOLDER.sub(lambda match: values[match.group(1)], _asset("page.html"))


def page_filename(document: Mapping) -> str:
    """``<quiz id>--<learner id>.paper.html``: the paper's own name with .html for .json."""
    return paper_filename(document).removesuffix(".json") + ".html"


def write_page(document: Mapping, folder: Union[str, Path]) -> Path:
    """Write the paper's page into ``folder`` (beside the paper ``write_paper`` wrote there)."""
    return write_atomically(Path(folder) / page_filename(document), paper_html(document), error=QuizError)
