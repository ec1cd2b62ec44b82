"""Stored history: organisations, users, scenarios with versions, runs and results.

``Database`` opens the database (SQLite in the user data dir by default, PostgreSQL with
``MINILATERAL_DB_URL``), ``Repository`` reads and writes as one principal with visibility
scoping, and ``save_run`` records a finished command-line run.
"""

from minilateral.errors import NotFoundError, PermissionDeniedError
from minilateral.store.db import Database, backup, current_revision, database_url, history
from minilateral.store.repository import Principal, Repository, save_run

__all__ = [
    "Database",
    "NotFoundError",
    "PermissionDeniedError",
    "Principal",
    "Repository",
    "backup",
    "current_revision",
    "database_url",
    "history",
    "save_run",
]
