"""Login throttling, the request size limit, security headers, and the names of the session
and CSRF cookies."""

from __future__ import annotations

import json
import math
import threading
import time
from collections import defaultdict, deque
from typing import Any

__all__ = [
    "CSRF_COOKIE",
    "CSRF_FIELD",
    "CSRF_HEADER",
    "SESSION_COOKIE",
    "BodySizeLimit",
    "LoginLimiter",
    "SecurityHeaders",
    "client_address",
]

SESSION_COOKIE = "minilateral_session"
CSRF_COOKIE = "minilateral_csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"


def client_address(peer: str | None, forwarded_for: str | None, trusted: tuple[str, ...]) -> str:
    """The client's address: the peer, or, when the peer is a trusted proxy, the last address
    in ``X-Forwarded-For`` that is not itself a trusted proxy.

    With no trusted proxies the header is ignored: a client could otherwise claim any address
    and so escape per-client limits.
    """
    host = peer or "?"
    if host not in trusted or not forwarded_for:
        return host
    hops = [h.strip() for h in forwarded_for.split(",") if h.strip()]
    for hop in reversed(hops):
        if hop not in trusted:
            return hop[:64]
    return host


class _Failures:
    """Failed sign-ins of one key inside the window, and the back-off they impose."""

    def __init__(self, threshold: int, window: float, backoff: float) -> None:
        self.threshold = threshold
        self.window = window
        self.backoff = backoff
        self.times: dict[str, deque[float]] = defaultdict(deque)

    def _prune(self, key: str, now: float) -> deque[float]:
        times = self.times[key]
        while times and now - times[0] > self.window:
            times.popleft()
        if not times:
            self.times.pop(key, None)
        return times

    def wait(self, key: str, now: float) -> float:
        """Seconds ``key`` must wait: 0 below the threshold, then backoff · 2^(excess)."""
        if key not in self.times:
            return 0.0
        times = self._prune(key, now)
        excess = len(times) - self.threshold
        if excess < 0:
            return 0.0
        delay = min(self.window, self.backoff * 2.0 ** min(excess, 30))
        return max(0.0, times[-1] + delay - now)


class LoginLimiter:
    """Throttle failed sign-ins per account and client, per client, and per account.

    Keys are ``(username, client)`` pairs (:func:`login_key`). Three counts of failures inside
    ``window`` seconds are kept: of the pair (threshold ``attempts``), of the client over all
    usernames (``client_usernames``: stops spraying many accounts from one address) and of the
    username over all clients (``5 * attempts``: stops a guesser rotating addresses). Past a
    threshold each further failure doubles a back-off starting at ``backoff`` seconds (capped at
    ``window``); during it every attempt of that key is refused with 429, after it the right
    password works again, so no one can lock a colleague out for longer than the back-off their
    own failures earned. Failures are kept in memory (one server process); a success clears
    those of the pair and of the account.
    """

    def __init__(
        self,
        attempts: int,
        window: float,
        *,
        backoff: float = 1.0,
        client_usernames: int = 20,
    ) -> None:
        self.attempts = attempts
        self.window = window
        self._pair = _Failures(attempts, window, backoff)
        self._client = _Failures(client_usernames, window, backoff)
        self._user = _Failures(5 * attempts, window, backoff)
        self._lock = threading.Lock()

    def retry_after(self, key: tuple[str, str]) -> int:
        """Whole seconds until ``key`` may try again; 0 when it may try now."""
        user, client = key
        now = time.monotonic()
        with self._lock:
            wait = max(
                self._pair.wait(f"{user}|{client}", now),
                self._client.wait(client, now),
                self._user.wait(user, now),
            )
        return 0 if wait <= 0 else max(1, math.ceil(wait))

    def failed(self, key: tuple[str, str]) -> None:
        """Record a failed attempt."""
        user, client = key
        now = time.monotonic()
        with self._lock:
            self._pair.times[f"{user}|{client}"].append(now)
            self._client.times[client].append(now)
            self._user.times[user].append(now)

    def succeeded(self, key: tuple[str, str]) -> None:
        """Forget the failures of the pair and of the account."""
        user, client = key
        with self._lock:
            self._pair.times.pop(f"{user}|{client}", None)
            self._user.times.pop(user, None)


def _too_large(limit: int) -> tuple[dict[str, Any], dict[str, Any]]:
    body = json.dumps(
        {
            "code": "too_large",
            "message": f"the request is larger than {limit / 1024 / 1024:.1f} MB",
            "errors": [],
        }
    ).encode()
    start = {
        "type": "http.response.start",
        "status": 413,
        "headers": [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
            (b"connection", b"close"),
        ],
    }
    return start, {"type": "http.response.body", "body": body}


class BodySizeLimit:
    """ASGI middleware: refuse a request body over ``limit`` bytes with 413, before the app.

    A declared ``Content-Length`` over the limit is refused before anything is read. A body
    without one (``Transfer-Encoding: chunked``) is read here, at most ``limit`` bytes, and
    refused as soon as it grows past the limit; otherwise it is handed on whole. So no request
    reaches authentication or form parsing with more than ``limit`` bytes buffered, however the
    body is framed.
    """

    def __init__(self, app: Any, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        length = headers.get(b"content-length")
        if length is not None:
            if not length.isdigit() or int(length) > self.limit:
                for message in _too_large(self.limit):
                    await send(message)
                return
            await self.app(scope, receive, send)
            return
        if b"transfer-encoding" not in headers:
            await self.app(scope, receive, send)
            return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":  # the client went away
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.limit:
                for reply in _too_large(self.limit):
                    await send(reply)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        replayed = False

        async def replay() -> dict[str, Any]:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": b"".join(chunks), "more_body": False}
            return await receive()

        await self.app(scope, replay, send)


SECURITY_HEADERS = [
    (
        b"content-security-policy",
        b"default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
        b"img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; "
        b"object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'",
    ),
    (b"x-frame-options", b"DENY"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
]
"""Sent with every response: no inline or foreign script, no framing, no MIME sniffing."""


class SecurityHeaders:
    """ASGI middleware adding :data:`SECURITY_HEADERS` to every HTTP response."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                present = {k.lower() for k, _ in message.get("headers", [])}
                extra = [(k, v) for k, v in SECURITY_HEADERS if k not in present]
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        await self.app(scope, receive, send_with_headers)
