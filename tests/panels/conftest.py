"""The web fixtures of ``tests/web`` (a fresh app with users of organisations A and B)."""

from tests.web.conftest import migrated_db, web  # noqa: F401
