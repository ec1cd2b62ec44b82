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
    upload_timeout_s : float, default=10
        Time budget of parsing one uploaded file (in a worker thread); longer is refused (400).
    upload_workers : int, default=2
        Threads parsing uploads; more uploads at once wait (within their time budget).
    trusted_proxies : tuple of str, default=()
        Addresses of reverse proxies whose ``X-Forwarded-For`` header names the client (for
        login throttling). Empty: the header is ignored and the peer address is the client.
    login_backoff_s : float, default=1
        First delay after a run of failed sign-ins; it doubles with each further failure.
    login_client_usernames : int, default=20
        Failed sign-ins one client may make, over all usernames, within ``login_window_s``
        before it is slowed down (stops spraying many accounts from one address).
    digits : {"latn", "arab"}, default="latn"
        Digits of numbers and dates on Arabic pages: Western (0-9) or Arabic-Indic (٠-٩).
    """

    db_url: str | None = None
    migrate: bool = True
    load_library: bool = True
    workers: int = 2
    max_upload_bytes: int = 5 * 1024 * 1024
    login_attempts: int = 10
    login_window_s: float = 300.0
    secure_cookies: bool = False
    upload_timeout_s: float = 10.0
    upload_workers: int = 2
    trusted_proxies: tuple[str, ...] = ()
    login_backoff_s: float = 1.0
    login_client_usernames: int = 20
    digits: str = "latn"

    def __post_init__(self) -> None:
        from minilateral.i18n import check_digits

        check_digits(self.digits, field="digits")
