"""Sign-in pages: a learner's personal link, the landing page, signing out.

Opening ``/i/<token>`` checks the link (hashed in the database, not revoked),
opens a session (a random id, stored hashed, in a signed HttpOnly SameSite=Strict
cookie) and moves on to the quiz's page, whose URL holds no token. It moves on
with a page that refreshes at once rather than a 303: a link clicked in a mail
is a cross-site navigation, and a browser does not send a Strict cookie on the
redirect that ends it, but does on a navigation the site's own page starts.

Failed sign-ins (a wrong or revoked link, a wrong manager token) count per
client address; past the limit every sign-in from there is refused for a while.
"""

from __future__ import annotations

import secrets

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from ._web import SESSION_COOKIE, clear_cookie, client_address, form, learner_identity, server_of, set_cookie
from .security import sign, unsign


def refused_while_limited(request: Request) -> None:
    if server_of(request).limiter.blocked(client_address(request)):
        raise HTTPException(429, "Too many failed sign-ins from this address: wait a few minutes and open your "
                                 "link again.")


async def home(request: Request) -> Response:
    server = server_of(request)
    who = learner_identity(request)
    if who is None:
        return server.render(request, "home.html", learner=None, quizzes=[])
    if who.quiz_id is not None:
        return RedirectResponse(request.url_for("quiz", quiz_id=who.quiz_id).path, status_code=303)
    quizzes = [q for q in server.quizzes.summaries() if server.sittings.has_paper(q.id, who.learner.id)]
    return server.render(request, "home.html", learner=who.learner, quizzes=quizzes)


async def link(request: Request) -> Response:
    server = server_of(request)
    refused_while_limited(request)
    token = request.path_params["token"]
    found = server.sittings.link(token) if len(token) <= 100 else None
    if found is None:
        server.limiter.fail(client_address(request))
        raise HTTPException(404, "This link does not work: it may have been replaced or revoked, or copied only in "
                                 "part. Ask your manager for your link.")
    quiz_id, learner_id, invite_hash = found
    session_id = secrets.token_urlsafe(32)
    server.sittings.add_session(session_id, quiz_id=quiz_id, learner_id=learner_id, invite_hash=invite_hash,
                                now=server.now())
    target = request.url_for("quiz", quiz_id=quiz_id).path
    response = server.render(request, "moving_on.html", target=target, title="Signed in")
    set_cookie(request, response, SESSION_COOKIE, sign(server.secret, "session", session_id))
    return response


async def signout(request: Request) -> Response:
    server = server_of(request)
    who = learner_identity(request)
    if who is not None:
        await form(request, who.key)
        session_id = unsign(server.secret, "session", request.cookies.get(SESSION_COOKIE))
        if session_id is not None:
            server.sittings.end_session(session_id)
    response = RedirectResponse(request.url_for("home").path, status_code=303)
    clear_cookie(request, response, SESSION_COOKIE)
    return response


async def no_icon(request: Request) -> Response:
    return Response(status_code=204)  # browsers ask for one; the pages have none


def routes() -> list[Route]:
    return [
        Route("/", home, name="home"),
        Route("/favicon.ico", no_icon, name="favicon"),
        Route("/i/{token}", link, name="link"),
        Route("/signout", signout, methods=["POST"], name="signout"),
    ]
