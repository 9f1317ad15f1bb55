"""Helpers the page modules share: who is asking, their CSRF token, reading a form, cookies."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Optional

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from ..model import Learner
from .security import csrf_ok, csrf_token, parse_form, unsign

if TYPE_CHECKING:
    from .app import Server

SESSION_COOKIE = "flash_session"
MANAGER_COOKIE = "flash_manager"


def server_of(request: Request) -> "Server":
    return request.app.state.server


def client_address(request: Request) -> str:
    """The client's address (Uvicorn puts the forwarded one here when --proxy-headers trusts the proxy)."""
    return request.client.host if request.client else "unknown"


@dataclass(frozen=True)
class Identity:
    learner: Learner
    quiz_id: Optional[str]  # the quiz a link signed in for (None: the trusted header, any of theirs)
    key: str  # what the CSRF token is derived from


def learner_identity(request: Request) -> Optional[Identity]:
    """The learner asking: by the trusted header's e-mail, or by a signed session cookie whose link is live."""
    server = server_of(request)
    header = server.settings.trust_header
    if header:
        email = request.headers.get(header, "").strip().casefold()
        if email:
            learner = server.sittings.learner(email=email)
            if learner is not None:
                return Identity(learner, None, f"header\n{email}")
    session_id = unsign(server.secret, "session", request.cookies.get(SESSION_COOKIE))
    if session_id is None:
        return None
    found_session = server.sittings.session(session_id)
    if found_session is None:
        return None
    quiz_id, learner_id = found_session
    learner = server.sittings.learner(learner_id=learner_id)
    return Identity(learner, quiz_id, f"session\n{session_id}") if learner is not None else None


def is_manager(request: Request) -> Optional[str]:
    """The manager's CSRF key when the request comes from the manager (token cookie or trusted header)."""
    server = server_of(request)
    header = server.settings.trust_header
    if header and server.settings.managers:
        email = request.headers.get(header, "").strip().casefold()
        if email and email in {m.casefold() for m in server.settings.managers}:
            return f"manager-header\n{email}"
    token_hash = server.sittings.manager_token_hash()
    if token_hash is None:
        return None
    value = unsign(server.secret, "manager", request.cookies.get(MANAGER_COOKIE))
    if value is not None and value == token_hash:
        return f"manager\n{token_hash}"
    return None


def csrf_for(request: Request, key: str) -> str:
    return csrf_token(server_of(request).secret, key)


async def form(request: Request, key: str) -> dict[str, str]:
    """The POSTed form, after its CSRF token is checked (403 without a valid one)."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    body = await request.body()
    if content_type != "application/x-www-form-urlencoded" and (content_type or body):
        raise HTTPException(415, "Send the page's form.")
    fields = parse_form(body)
    if fields is None:
        raise HTTPException(400, "The form could not be read.")
    if not csrf_ok(server_of(request).secret, key, fields.get("csrf")):
        raise HTTPException(403, "This form has expired or did not come from this site: reload the page and "
                                 "try again.")
    return fields


def secure(request: Request) -> bool:
    setting = server_of(request).settings.secure_cookies
    return setting if setting is not None else request.url.scheme == "https"


def set_cookie(request: Request, response: Response, name: str, value: str) -> None:
    path = request.scope.get("root_path", "") or "/"
    response.set_cookie(name, value, httponly=True, samesite="strict", secure=secure(request), path=path)


def clear_cookie(request: Request, response: Response, name: str) -> None:
    path = request.scope.get("root_path", "") or "/"
    response.delete_cookie(name, path=path, httponly=True, samesite="strict", secure=secure(request))
