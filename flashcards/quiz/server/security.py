"""What every response and request of the quiz server goes through.

- ``SecurityHeaders``: a CSP without inline script or style, no framing, no
  sniffing, no referrer, no caching of pages (a question must not come back
  from the browser's cache on another device's back button);
- ``BodyLimit``: a request body is read whole, up to ``max_body`` bytes, before
  the app sees it (413 beyond), so no handler can be made to buffer more;
- ``CatchAll``: any exception becomes a plain 500 page (no stack trace, ever);
- signed values (HMAC-SHA256 with a secret kept in the database) for cookies,
  and CSRF tokens derived from the session, compared in constant time;
- ``RateLimiter``: failed sign-ins per client address in a sliding window, in
  bounded memory (the least recently seen addresses are forgotten first).
"""

from __future__ import annotations

import hashlib
import hmac
import time
from collections import OrderedDict, deque
from typing import Callable, Optional
from urllib.parse import parse_qs

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; form-action 'self'; "
       "frame-ancestors 'none'; base-uri 'none'; object-src 'none'")
HEADERS = [
    (b"content-security-policy", CSP.encode("ascii")),
    (b"x-frame-options", b"DENY"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
]
MAX_BODY = 16_384  # a question's answer is under 200 bytes; the manager's forms a little more
MAX_FIELDS = 20

ERROR_PAGE = (b"<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Server error</title></head>"
              b"<body><h1>Something went wrong</h1><p>The server could not answer this request. Your answers "
              b"so far are saved: reload the page in a moment.</p></body></html>")


class SecurityHeaders:
    """Adds ``HEADERS`` to every response, and ``Cache-Control: no-store`` to every page but static files."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        static = "/static/" in scope.get("path", "")

        async def sending(message):
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                own = {k.lower() for k, _ in headers}  # a page may set a stricter CSP of its own
                headers += [(k, v) for k, v in HEADERS if k not in own]
                if not static:
                    headers = [(k, v) for k, v in headers if k.lower() != b"cache-control"]
                    headers.append((b"cache-control", b"no-store"))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, sending)


async def _plain(send, status: int, body: bytes) -> None:
    await send({"type": "http.response.start", "status": status, "headers": [
        (b"content-type", b"text/html; charset=utf-8"), (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


class BodyLimit:
    """Reads a request's body (at most ``max_body`` bytes) before the app runs; 413 beyond that."""

    def __init__(self, app, max_body: int = MAX_BODY):
        self.app = app
        self.max_body = max_body

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        too_large = (b"<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Too large</title>"
                     b"</head><body><h1>Request too large</h1></body></html>")
        for name, value in scope.get("headers", []):
            if name == b"content-length":
                try:
                    if int(value) > self.max_body:
                        return await _plain(send, 413, too_large)
                except ValueError:
                    return await _plain(send, 400, b"bad content-length")
        chunks, size = [], 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_body:
                return await _plain(send, 413, too_large)
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        sent = False

        async def replay():
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)


class CatchAll:
    """Any exception the app raises becomes a plain 500 page; the stack trace goes to the server's log only."""

    def __init__(self, app, log: Optional[Callable[[BaseException], None]] = None):
        self.app = app
        self.log = log

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        started = False

        async def sending(message):
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, sending)
        except Exception as exc:  # noqa: BLE001 - the last line of defence: nothing may leak
            if self.log is not None:
                self.log(exc)
            if not started:
                await _plain(send, 500, ERROR_PAGE)


# -- signed values and CSRF ---------------------------------------------------------


def mac(secret: bytes, purpose: str, value: str) -> str:
    return hmac.new(secret, f"{purpose}\n{value}".encode("utf-8"), hashlib.sha256).hexdigest()


def sign(secret: bytes, purpose: str, value: str) -> str:
    return f"{value}.{mac(secret, purpose, value)}"


def unsign(secret: bytes, purpose: str, signed: Optional[str]) -> Optional[str]:
    """The value of a signed string, or None if it is missing, malformed or forged."""
    if not signed or len(signed) > 512 or "." not in signed:
        return None
    value, _, given = signed.rpartition(".")
    if not hmac.compare_digest(given.encode("ascii", "replace"), mac(secret, purpose, value).encode("ascii")):
        return None
    return value


def csrf_token(secret: bytes, session_key: str) -> str:
    return mac(secret, "csrf", session_key)


def csrf_ok(secret: bytes, session_key: str, given: Optional[str]) -> bool:
    if not given:
        return False
    return hmac.compare_digest(given.encode("ascii", "replace"), csrf_token(secret, session_key).encode("ascii"))


def parse_form(body: bytes) -> Optional[dict[str, str]]:
    """An urlencoded form's fields (first value of each); None when it is not one we accept."""
    try:
        text = body.decode("utf-8")
        fields = parse_qs(text, keep_blank_values=True, strict_parsing=False, max_num_fields=MAX_FIELDS)
    except (UnicodeDecodeError, ValueError):
        return None
    return {k: v[0] for k, v in fields.items()}


# -- failed sign-ins per address -------------------------------------------------------


class RateLimiter:
    """At most ``limit`` failures per address in ``window`` seconds; then every attempt is refused until
    the oldest failure leaves the window. Remembers at most ``max_addresses`` addresses."""

    def __init__(self, limit: int = 20, window: float = 600.0, max_addresses: int = 10_000,
                 clock: Callable[[], float] = time.monotonic):
        self.limit = limit
        self.window = window
        self.max_addresses = max_addresses
        self.clock = clock
        self._failures: OrderedDict[str, deque] = OrderedDict()

    def _recent(self, address: str) -> deque:
        now = self.clock()
        failures = self._failures.get(address)
        if failures is None:
            return deque()
        while failures and now - failures[0] > self.window:
            failures.popleft()
        return failures

    def blocked(self, address: str) -> bool:
        return len(self._recent(address)) >= self.limit

    def fail(self, address: str) -> None:
        failures = self._recent(address)
        if address not in self._failures:
            self._failures[address] = failures
        self._failures.move_to_end(address)
        failures.append(self.clock())
        while len(failures) > self.limit:
            failures.popleft()
        while len(self._failures) > self.max_addresses:
            self._failures.popitem(last=False)

    def __len__(self) -> int:
        return len(self._failures)
