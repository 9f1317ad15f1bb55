"""The quiz server's ASGI app: ``create_app(db_path, settings)``.

One Starlette app over the manager's database. Pages are thin handlers in
``signin``, ``sitting`` and ``manager``; the rules are in
``flashcards.quiz.sitting`` and the SQL in ``flashcards.store.sittings``.

Every handler is ``async`` and talks to SQLite on the event loop's thread
through one connection: writes are short single transactions, and a single
Uvicorn worker serialises them the way SQLite wants anyway.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Callable, Optional, Union

import jinja2
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles

from ...clock import parse_day_start, study_day
from ...store import Store
from ...store.quizzes import QuizStore
from ...store.sittings import SittingStore
from ..model import clean_text
from . import manager, signin, sitting
from .security import MAX_BODY, BodyLimit, CatchAll, RateLimiter, SecurityHeaders

log = logging.getLogger("flashcards.serve")
HERE = Path(__file__).resolve().parent
Clock = Callable[[], datetime]


@dataclass(frozen=True)
class ServeSettings:
    """How the server runs. ``today`` fixes the day written in the records (``--today``)."""

    trust_header: Optional[str] = None  # e.g. X-Forwarded-Email, set by a sign-in proxy
    managers: tuple[str, ...] = ()  # e-mails the trusted header signs in as the manager
    today: Optional[date] = None
    secure_cookies: Optional[bool] = None  # None: Secure when the request came over HTTPS
    max_body: int = MAX_BODY
    signin_limit: int = 20  # failed sign-ins per address ...
    signin_window: float = 600.0  # ... in this many seconds
    sweep_seconds: float = 30.0  # how often sittings past their deadline are closed
    max_addresses: int = 10_000


def system_clock() -> datetime:
    return datetime.now(timezone.utc)


@dataclass
class Server:
    """What handlers share: the database, the settings, the clock and the sign-in limiter."""

    db_path: Path
    settings: ServeSettings
    clock: Clock
    templates: jinja2.Environment
    limiter: RateLimiter
    _store: Optional[Store] = None
    _secret: Optional[bytes] = None
    sweeper: Optional[asyncio.Task] = field(default=None, repr=False)

    @property
    def store(self) -> Store:
        if self._store is None:
            self._store = Store.open(self.db_path, create=False)
        return self._store

    @property
    def sittings(self) -> SittingStore:
        return SittingStore(self.store)

    @property
    def quizzes(self) -> QuizStore:
        return QuizStore(self.store)

    @property
    def secret(self) -> bytes:
        if self._secret is None:
            self._secret = self.sittings.secret("cookie", now=self.now())
        return self._secret

    def now(self) -> datetime:
        return self.clock()

    def today(self) -> date:
        if self.settings.today is not None:
            return self.settings.today
        hour = parse_day_start(os.environ.get("FLASH_DAY_STARTS_AT"))
        return study_day(self.now().astimezone().replace(tzinfo=None), hour)

    def close(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None

    def render(self, request: Request, name: str, status: int = 200, **context) -> HTMLResponse:
        def url(route: str, **params) -> str:
            return str(request.url_for(route, **params).path)

        html = self.templates.get_template(name).render(url=url, **context)
        return HTMLResponse(html, status_code=status)


def _finalize(value):
    """Every value a template prints: text loses control, bidi and zero-width characters (then autoescape)."""
    if isinstance(value, str):
        return clean_text(value, keep_newlines=True)
    return value


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(HERE / "templates")), autoescape=True,
                             finalize=_finalize, undefined=jinja2.StrictUndefined, auto_reload=False)
    return env


def create_app(db_path: Union[str, Path], settings: Optional[ServeSettings] = None, *,
               clock: Optional[Clock] = None) -> Starlette:
    """The quiz server for the database at ``db_path``. ``clock`` (timezone-aware ``datetime``) is
    the server's clock; tests pass a fixed one."""
    settings = settings or ServeSettings()
    server = Server(Path(db_path), settings, clock or system_clock, _environment(),
                    RateLimiter(settings.signin_limit, settings.signin_window, settings.max_addresses))

    async def sweep() -> None:
        while True:
            await asyncio.sleep(settings.sweep_seconds)
            try:
                server.sittings.close_expired(now=server.now(), today=server.today())
            except Exception:  # noqa: BLE001 - a failed sweep is retried next time; requests close sittings too
                log.exception("closing sittings past their deadline failed")

    @contextlib.asynccontextmanager
    async def lifespan(app):
        server.sittings.close_expired(now=server.now(), today=server.today())
        server.sweeper = asyncio.create_task(sweep())
        try:
            yield
        finally:
            server.sweeper.cancel()
            server.close()

    async def http_error(request: Request, exc: HTTPException) -> Response:
        return server.render(request, "message.html", status=exc.status_code, title=_TITLES.get(exc.status_code,
                             "Error"), message=exc.detail if exc.detail and exc.status_code < 500 else "")

    routes = signin.routes() + sitting.routes() + manager.routes() + [
        Mount("/static", app=StaticFiles(directory=str(HERE / "static")), name="static"),
    ]
    app = Starlette(
        routes=routes,
        middleware=[Middleware(SecurityHeaders), Middleware(CatchAll, log=lambda e: log.error(
            "error answering a request", exc_info=e)), Middleware(BodyLimit, max_body=settings.max_body)],
        exception_handlers={HTTPException: http_error},
        lifespan=lifespan,
    )
    app.state.server = server
    return app


_TITLES = {400: "Bad request", 403: "Not allowed", 404: "Not found", 405: "Not allowed", 409: "Already done",
           413: "Too large", 415: "Not a form", 429: "Too many attempts"}
