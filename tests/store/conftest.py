"""Database fixtures: SQLite always; PostgreSQL from ``MINILATERAL_TEST_PG_URL`` or, when the
Debian ``postgresql`` package is installed, a throw-away local server started for the session."""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from minilateral.store.db import Database


def _start_local_server() -> tuple[str, callable] | None:  # type: ignore[valid-type]
    initdb = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not initdb:
        return None
    bindir = Path(initdb[-1]).parent
    prefix: list[str] = []
    folder = Path(tempfile.mkdtemp(prefix="minilateral-pg-"))
    if os.geteuid() == 0:  # PostgreSQL refuses to run as root
        if shutil.which("runuser") is None:
            return None
        shutil.chown(folder, "postgres")
        prefix = ["runuser", "-u", "postgres", "--"]
    port = 50000 + os.getpid() % 10000
    data = folder / "data"
    try:
        subprocess.run(
            [*prefix, str(bindir / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres"],
            check=True,
            capture_output=True,
            timeout=60,
        )
        subprocess.run(
            [
                *prefix,
                str(bindir / "pg_ctl"),
                "-D",
                str(data),
                "-l",
                str(folder / "log"),
                "-w",
                "-o",
                f"-k {folder} -p {port} -c listen_addresses='' -c fsync=off",
                "start",
            ],
            check=True,
            capture_output=True,
            timeout=60,
        )
    except (subprocess.SubprocessError, OSError):
        shutil.rmtree(folder, ignore_errors=True)
        return None

    def stop() -> None:
        subprocess.run(
            [*prefix, str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
            capture_output=True,
            check=False,
            timeout=60,
        )
        shutil.rmtree(folder, ignore_errors=True)

    return f"postgresql+psycopg://postgres@/postgres?host={folder}&port={port}", stop


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    """A PostgreSQL URL: ``MINILATERAL_TEST_PG_URL`` or a local server for this session."""
    url = os.environ.get("MINILATERAL_TEST_PG_URL")
    if url:
        yield url
        return
    started = _start_local_server()
    if started is None:
        if os.environ.get("CI"):
            pytest.fail("CI is set but no PostgreSQL server: set MINILATERAL_TEST_PG_URL")
        pytest.skip("no PostgreSQL: set MINILATERAL_TEST_PG_URL or install Debian's postgresql")
    url, stop = started
    try:
        yield url
    finally:
        stop()


def _reset_postgres(url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """An empty database on each backend (not migrated)."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'store.db'}"
    else:
        url = request.getfixturevalue("pg_url")
        _reset_postgres(url)
    db = Database.connect(url)
    try:
        yield db
    finally:
        db.dispose()


@pytest.fixture
def db(empty_db: Database) -> Database:
    """A migrated database on each backend."""
    empty_db.upgrade()
    return empty_db
