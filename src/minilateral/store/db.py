"""Database connection, migrations (Alembic) and backups.

The database is chosen by, in order: an explicit URL, ``MINILATERAL_DB_URL``, or a SQLite file
``minilateral.db`` in the user data directory (``MINILATERAL_DATA_DIR`` or the platform's user
data dir). SQLite connections use WAL journaling, foreign keys and a busy timeout; PostgreSQL is
reached with ``postgresql+psycopg://user:password@host/dbname``.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import platformdirs
from sqlalchemy import Engine, create_engine, event, inspect
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from minilateral.errors import StoreError

if TYPE_CHECKING:
    from alembic.config import Config

__all__ = [
    "Database",
    "MigrationInfo",
    "backup",
    "current_revision",
    "data_dir",
    "database_url",
    "downgrade",
    "history",
    "safe_url",
    "upgrade",
]

_MIGRATIONS = Path(__file__).with_name("migrations")


def data_dir() -> Path:
    """``MINILATERAL_DATA_DIR``, or the platform's user data directory for minilateral."""
    value = os.environ.get("MINILATERAL_DATA_DIR")
    return Path(value).expanduser() if value else Path(platformdirs.user_data_dir("minilateral"))


def database_url(url: str | None = None) -> str:
    """The database URL to use: ``url``, ``MINILATERAL_DB_URL`` or the default SQLite file."""
    if url:
        return url
    env = os.environ.get("MINILATERAL_DB_URL")
    if env:
        return env
    return f"sqlite:///{data_dir() / 'minilateral.db'}"


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _make_engine(url: str) -> Engine:
    try:
        parsed = make_url(url)
    except ArgumentError as err:
        raise StoreError(
            f"invalid database URL: {err}", field="MINILATERAL_DB_URL", exit_code=2
        ) from err
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database or ""
        if database and database != ":memory:" and not database.startswith("file:"):
            Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            parsed,
            connect_args={"check_same_thread": False, "timeout": 30},
            pool_size=20,
            max_overflow=20,
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    try:
        return create_engine(parsed, pool_pre_ping=True, pool_size=10, max_overflow=20)
    except ArgumentError as err:  # e.g. an unknown dialect ("foo://")
        raise StoreError(
            f"invalid database URL: {err}", field="MINILATERAL_DB_URL", exit_code=2
        ) from err
    except ImportError as err:
        raise StoreError(
            f"no database driver for '{parsed.drivername}' ({err}); for PostgreSQL install "
            "'psycopg[binary]' and use postgresql+psycopg://…",
            field="MINILATERAL_DB_URL",
        ) from err


@dataclass
class Database:
    """An engine and its session factory for one database URL."""

    url: str
    engine: Engine
    sessions: sessionmaker[Session]

    @classmethod
    def connect(cls, url: str | None = None) -> Database:
        """Open (lazily) the database at ``url`` (see :func:`database_url`)."""
        resolved = database_url(url)
        engine = _make_engine(resolved)
        return cls(resolved, engine, sessionmaker(engine, expire_on_commit=False))

    @property
    def backend(self) -> str:
        """``sqlite`` or ``postgresql``."""
        return self.engine.dialect.name

    def session(self) -> Session:
        """A new session; use it as a context manager."""
        return self.sessions()

    def upgrade(self, revision: str = "head") -> None:
        """Apply migrations up to ``revision``."""
        upgrade(self, revision)

    def ensure_schema(self) -> None:
        """Migrate to the newest schema if the database is not there yet."""
        if current_revision(self) != head_revision():
            self.upgrade()

    def dispose(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()


# Alembic is imported where migrations are used, not at start-up of every command.
def _config(db: Database) -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(_MIGRATIONS))
    cfg.attributes["engine"] = db.engine
    return cfg


def _run(db: Database, action: Any, revision: str) -> None:
    try:
        action(_config(db), revision)
    except OperationalError as err:
        raise StoreError(f"cannot migrate the database at {safe_url(db.url)}: {err.orig}") from err


def upgrade(db: Database, revision: str = "head") -> None:
    """Apply migrations up to ``revision`` (default: the newest)."""
    from alembic import command

    _run(db, command.upgrade, revision)


def downgrade(db: Database, revision: str = "base") -> None:
    """Revert migrations down to ``revision`` (default: an empty database)."""
    from alembic import command

    _run(db, command.downgrade, revision)


def head_revision() -> str | None:
    """The newest migration shipped with this version of minilateral."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory(str(_MIGRATIONS)).get_current_head()


def current_revision(db: Database) -> str | None:
    """The migration the database is at (``None`` for an empty database)."""
    from alembic.runtime.migration import MigrationContext

    try:
        with db.engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()
    except OperationalError as err:
        raise StoreError(f"cannot open the database at {safe_url(db.url)}: {err.orig}") from err


@dataclass(frozen=True)
class MigrationInfo:
    """One migration: revision id, parent, message and whether the database has it."""

    revision: str
    down_revision: str | None
    message: str
    applied: bool


def history(db: Database | None = None) -> list[MigrationInfo]:
    """Every shipped migration, oldest first, marked applied when ``db`` is at or past it."""
    from alembic.script import ScriptDirectory

    script = ScriptDirectory(str(_MIGRATIONS))
    revisions = list(reversed(list(script.walk_revisions())))
    current = current_revision(db) if db is not None else None
    applied: set[str] = set()
    if current is not None:
        applied = {r.revision for r in script.iterate_revisions(current, "base")}
    return [
        MigrationInfo(
            r.revision,
            r.down_revision
            if isinstance(r.down_revision, str | None)
            else ",".join(r.down_revision),
            r.doc or "",
            r.revision in applied,
        )
        for r in revisions
    ]


def safe_url(url: str) -> str:
    """``url`` with its password hidden, for messages."""
    return make_url(url).render_as_string(hide_password=True)


def backup(db: Database, target: str | Path) -> Path:
    """Write a consistent copy of the database to ``target``.

    SQLite: the online backup API (safe while the server runs), giving a SQLite file.
    PostgreSQL: ``pg_dump`` in its plain SQL format (``pg_dump`` must be on ``PATH``).
    """
    target = Path(target)
    if target.exists():
        raise StoreError("the backup file exists already; choose a new name", path=target)
    target.parent.mkdir(parents=True, exist_ok=True)
    url = make_url(db.url)
    if db.backend == "sqlite":
        if not url.database or url.database == ":memory:":
            raise StoreError("an in-memory database cannot be backed up")
        source = sqlite3.connect(url.database)
        try:
            dest = sqlite3.connect(target)
            with dest:
                source.backup(dest)
            dest.close()
        finally:
            source.close()
        return target
    if db.backend == "postgresql":
        pg_dump = shutil.which("pg_dump")
        if pg_dump is None:
            raise StoreError("pg_dump is not installed; install PostgreSQL's client tools")
        libpq = url.set(drivername="postgresql").render_as_string(hide_password=False)
        proc = subprocess.run(
            [pg_dump, "--no-owner", "--file", str(target), libpq],
            capture_output=True,
            text=True,
            check=False,
        )
        if proc.returncode != 0:
            target.unlink(missing_ok=True)
            raise StoreError(f"pg_dump failed: {proc.stderr.strip()}")
        return target
    raise StoreError(f"backup is not supported for the '{db.backend}' backend")


def table_names(db: Database) -> list[str]:
    """The tables present in the database (for checks and tests)."""
    return sorted(inspect(db.engine).get_table_names())
