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


class BodySizeLimit:
    """ASGI middleware: refuse a request whose declared ``Content-Length`` exceeds ``limit``
    bytes with 413 before its body is read (uploads without a length are checked as read)."""

    def __init__(self, app: Any, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            length = dict(scope.get("headers") or []).get(b"content-length", b"0")
            if length.isdigit() and int(length) > self.limit:
                body = json.dumps(
                    {
                        "code": "too_large",
                        "message": f"the request is larger than {self.limit // 1024 // 1024} MB",
                        "errors": [],
                    }
                ).encode()
                await send(
                    {
                        "type": "http.response.start",
                        "status": 413,
                        "headers": [
                            (b"content-type", b"application/json"),
                            (b"content-length", str(len(body)).encode()),
                        ],
                    }
                )
                await send({"type": "http.response.body", "body": body})
                return
        await self.app(scope, receive, send)
