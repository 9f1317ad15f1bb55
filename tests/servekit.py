"""Helpers for the quiz server's tests: a manager's database with a roster and a quiz, a clock the
test moves, and a learner's browser-like client that reads the real pages.

Nothing here fakes our code: the database is a real SQLite file set up through ``QuizStore`` and
``SittingStore``; pages are parsed from the HTML the server sent.
"""

from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from html.parser import HTMLParser
from pathlib import Path
from typing import Optional

import httpx

from flashcards.decks import parse_deck
from flashcards.quiz.generate import generate
from flashcards.quiz.model import Quiz
from flashcards.quiz.papers import issue_paper
from flashcards.quiz.roster import RosterRow
from flashcards.store import Store
from flashcards.store.quizzes import QuizStore
from flashcards.store.sittings import SittingStore

DAY = date(2026, 12, 1)
T0 = datetime(2026, 12, 1, 9, 0, tzinfo=timezone.utc)

DECK = """\
id: d
name: D
terms:
  - {id: a, term: Alpha, definition: The first letter of the Greek alphabet.}
  - {id: b, term: Beta, definition: The second letter of the Greek alphabet.}
  - {id: c, term: Gamma, definition: The third letter of the Greek alphabet.}
  - {id: e, term: Delta, definition: The fourth letter of the Greek alphabet.}
  - {id: f, term: Epsilon, definition: The fifth letter of the Greek alphabet.}
  - {id: g, term: Zeta, definition: The sixth letter of the Greek alphabet.}
"""


class Clock:
    """The server's clock in a test: starts at ``T0`` and moves only when told."""

    def __init__(self, start: datetime = T0):
        self.moment = start

    def __call__(self) -> datetime:
        return self.moment

    def advance(self, seconds: float) -> None:
        self.moment += timedelta(seconds=seconds)


def names(count: int) -> list[tuple[str, str]]:
    return [(f"Learner {n:02d}", f"learner{n:02d}@example.com") for n in range(1, count + 1)]


def manager_db(path: Path, *, learners: int = 2, per_paper: int = 4, time_limit: Optional[int] = 10,
               max_attempts: Optional[int] = 2, question_seconds: Optional[int] = None,
               show_answers: bool = False, deck_text: str = DECK,
               valid_days: Optional[int] = None) -> tuple[Quiz, dict[str, str]]:
    """A database with ``learners`` on the roster, one quiz with a paper each, and a personal link each.
    Returns the quiz and {learner id: link token}."""
    deck, problems = parse_deck(textwrap.dedent(deck_text), "d.yaml")
    assert not problems
    items = generate([deck], None, None, 9, prefix="i")
    quiz = Quiz(id="cert-1", title="Greek letters <certification>", pass_mark=75, questions=items, seed=9,
                deck_ids=(deck.id,), created_on=DAY.isoformat(), question_count=per_paper, max_attempts=max_attempts,
                time_limit=time_limit, question_seconds=question_seconds, show_answers=show_answers,
                valid_days=valid_days)
    with Store.open(path) as store:
        quizzes = QuizStore(store)
        quizzes.import_roster([RosterRow(n + 2, name, email, "") for n, (name, email) in enumerate(names(learners))],
                              today=DAY)
        roster = quizzes.roster()
        quizzes.add(quiz, created_at=T0, papers=[issue_paper(quiz, learner) for learner in roster])
        tokens = {learner.id: token for learner, token in SittingStore(store).invite(quiz.id, roster, now=T0)}
        quiz = quizzes.get(quiz.id)
    return quiz, tokens


def manager_token(path: Path) -> str:
    with Store.open(path) as store:
        return SittingStore(store).new_manager_token(now=T0)


# -- reading pages ---------------------------------------------------------------


@dataclass
class Page:
    status: int
    html: str
    text: str = ""
    inputs: list[dict] = field(default_factory=list)
    labels: dict[str, str] = field(default_factory=dict)
    forms: list[dict] = field(default_factory=list)
    refresh: Optional[str] = None

    def field(self, name: str, form_action: Optional[str] = None) -> Optional[str]:
        for i in self.inputs:
            if i.get("name") == name and (form_action is None or i.get("_form", "").endswith(form_action)):
                return i.get("value")
        return None

    @property
    def options(self) -> list[tuple[str, str]]:
        """(option id, label text) of the radio buttons, in page order."""
        return [(i["value"], self.labels.get(i.get("id", ""), "")) for i in self.inputs if i.get("type") == "radio"]

    def action(self, ending: str) -> Optional[str]:
        for f in self.forms:
            if f.get("action", "").endswith(ending):
                return f["action"]
        return None


class _Reader(HTMLParser):
    def __init__(self, page: Page):
        super().__init__(convert_charrefs=True)
        self.page = page
        self.parts: list[str] = []
        self.label_for: Optional[str] = None
        self.label_text: list[str] = []
        self.form: Optional[str] = None

    def handle_starttag(self, tag, attrs):
        attrs = {k: v or "" for k, v in attrs}
        if tag == "input":
            self.page.inputs.append({**attrs, "_form": self.form or ""})
        elif tag == "form":
            self.form = attrs.get("action", "")
            self.page.forms.append(attrs)
        elif tag == "label":
            self.label_for = attrs.get("for")
            self.label_text = []
        elif tag == "meta" and attrs.get("http-equiv", "").lower() == "refresh":
            match = re.search(r"url=(.*)$", attrs.get("content", ""))
            self.page.refresh = match.group(1) if match else None

    def handle_endtag(self, tag):
        if tag == "label" and self.label_for:
            self.page.labels[self.label_for] = " ".join("".join(self.label_text).split())
            self.label_for = None
        elif tag == "form":
            self.form = None

    def handle_data(self, data):
        self.parts.append(data)
        if self.label_for:
            self.label_text.append(data)


def read_page(status: int, html: str) -> Page:
    page = Page(status, html)
    reader = _Reader(page)
    reader.feed(html)
    page.text = " ".join(" ".join(reader.parts).split())
    return page


class LearnerClient:
    """A learner's device: one cookie jar (a Starlette TestClient or an httpx.Client), reading pages."""

    def __init__(self, client, token: Optional[str] = None, quiz_id: str = "cert-1"):
        self.client = client
        self.jar = httpx.Cookies()  # this device's cookies (several devices may share one test client)
        self.quiz_id = quiz_id
        self.seen: list[Page] = []
        self.responses: list = []
        if token is not None:
            self.sign_in(token)

    def request(self, method: str, url: str, **kwargs):
        self.client.cookies = self.jar
        try:
            response = self.client.request(method, url, follow_redirects=True, **kwargs)
        finally:
            self.jar = httpx.Cookies(self.client.cookies)
        self.responses.append(response)
        return response

    def get(self, url: str) -> Page:
        response = self.request("GET", url)
        page = read_page(response.status_code, response.text)
        self.seen.append(page)
        return page

    def post(self, url: str, data: dict) -> Page:
        response = self.request("POST", url, data=data)
        page = read_page(response.status_code, response.text)
        self.seen.append(page)
        return page

    def sign_in(self, token: str) -> Page:
        page = self.get(f"/i/{token}")
        if page.status == 200 and page.refresh:
            page = self.get(page.refresh)
        return page

    def page(self) -> Page:
        return self.get(f"/q/{self.quiz_id}/")

    def start(self) -> Page:
        page = self.page()
        return self.post(f"/q/{self.quiz_id}/start", {"csrf": page.field("csrf")})

    def answer(self, page: Page, index: Optional[int] = 0, *, option: Optional[str] = None) -> Page:
        """Answer the question on ``page`` with its option at ``index`` (None: skip)."""
        data = {"csrf": page.field("csrf"), "position": page.field("position")}
        if index is None and option is None:
            data["action"] = "skip"
        else:
            data["action"] = "answer"
            data["choice"] = option if option is not None else page.options[index][0]
        return self.post(f"/q/{self.quiz_id}/answer", data)
