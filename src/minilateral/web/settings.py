"""Settings of the web application."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Settings:
    """Web application settings.

    Parameters
    ----------
    db_url : str or None, default=None
        Database URL; ``None`` uses ``MINILATERAL_DB_URL`` or the default SQLite file.
    migrate : bool, default=True
        Apply migrations at start-up.
    load_library : bool, default=True
        Store the embedded scenario library as public examples at start-up.
    workers : int, default=2
        Threads executing runs.
    max_upload_bytes : int, default=5 MiB
        Larger uploads are refused with 413.
    login_attempts : int, default=10
        Failed logins allowed per account and client within ``login_window_s``.
    login_window_s : float, default=300
        Window of the login rate limit, in seconds.
    secure_cookies : bool, default=False
        Send the session cookie only over HTTPS (set behind a TLS proxy).
    """

    db_url: str | None = None
    migrate: bool = True
    load_library: bool = True
    workers: int = 2
    max_upload_bytes: int = 5 * 1024 * 1024
    login_attempts: int = 10
    login_window_s: float = 300.0
    secure_cookies: bool = False
