"""Login rate limiting and the names of the session and CSRF cookies."""

from __future__ import annotations

import threading
import time
from collections import defaultdict, deque

__all__ = ["CSRF_COOKIE", "CSRF_FIELD", "CSRF_HEADER", "SESSION_COOKIE", "LoginLimiter"]

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
