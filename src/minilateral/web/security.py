"""Login rate limiting, the request size limit, and the names of the session and CSRF
cookies."""

from __future__ import annotations

import json
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
]

SESSION_COOKIE = "minilateral_session"
CSRF_COOKIE = "minilateral_csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"


class LoginLimiter:
    """Allow at most ``attempts`` failed logins per key (account and client) per ``window``.

    Failures are kept in memory (one server process); a success clears the key.
    """

    def __init__(self, attempts: int, window: float) -> None:
        self.attempts = attempts
        self.window = window
        self._failures: dict[str, deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def _prune(self, key: str, now: float) -> deque[float]:
        failures = self._failures[key]
        while failures and now - failures[0] > self.window:
            failures.popleft()
        return failures

    def retry_after(self, key: str) -> int:
        """Seconds until ``key`` may try again; 0 when it may try now."""
        now = time.monotonic()
        with self._lock:
            failures = self._prune(key, now)
            if len(failures) < self.attempts:
                return 0
            return max(1, int(self.window - (now - failures[0])) + 1)

    def failed(self, key: str) -> None:
        """Record a failed attempt."""
        with self._lock:
            self._failures[key].append(time.monotonic())

    def succeeded(self, key: str) -> None:
        """Forget the failures of ``key``."""
        with self._lock:
            self._failures.pop(key, None)


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
