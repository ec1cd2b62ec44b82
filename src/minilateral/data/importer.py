"""``minilateral data import DIR``: validate Parquet tables and copy them into the data dir.

Each file is read in full (so a truncated or corrupted file is caught), its columns are checked
against the catalogue, and only then is it copied beside its destination and renamed over it.
A bad file is reported by name and leaves the installed copy of that table untouched.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import shutil
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow.parquet as pq

from minilateral.data.catalog import CATALOG, Table
from minilateral.data.store import data_dir, read_manifest, write_manifest
from minilateral.errors import DataError

__all__ = ["ImportReport", "import_tables", "sha256_file", "validate_parquet"]

Progress = Callable[[int, int, str], None]


def sha256_file(path: Path, chunk: int = 1 << 20) -> str:
    """Hex SHA-256 of a file."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while block := fh.read(chunk):
            digest.update(block)
    return digest.hexdigest()


def validate_parquet(path: Path, table: Table) -> int:
    """Read ``path`` in full and check the catalogue's columns; return the row count.

    Raises
    ------
    DataError
        The file is not readable Parquet, or lacks a required column (named in the message).
    """
    try:
        data = pq.read_table(path)
    except Exception as err:
        raise DataError(f"not a readable Parquet file ({err})", path=path) from err
    missing = [c for c in table.columns if c not in data.column_names]
    if missing:
        raise DataError(
            f"table '{table.name}' lacks required column(s) {', '.join(missing)}",
            path=path,
            field=missing[0],
        )
    if data.num_rows == 0:
        raise DataError(f"table '{table.name}' has no rows", path=path)
    return data.num_rows


def install_file(
    src: Path, table: Table, *, root: str | Path | None, origin: str, rows: int
) -> dict[str, object]:
    """Copy a validated file into the data dir atomically; return its manifest entry."""
    folder = data_dir(root)
    folder.mkdir(parents=True, exist_ok=True)
    dest = folder / table.filename
    tmp = folder / (table.filename + ".importing")
    shutil.copyfile(src, tmp)
    digest = sha256_file(tmp)
    tmp.replace(dest)
    return {
        "rows": rows,
        "sha256": digest,
        "origin": origin,
        "version": table.version,
        "installed": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }


@dataclass
class ImportReport:
    """What an import did: tables imported, files skipped and failures (file, message)."""

    imported: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)


def import_tables(
    source: str | Path,
    *,
    root: str | Path | None = None,
    tables: Iterable[str] | None = None,
    progress: Progress | None = None,
) -> ImportReport:
    """Import the catalogue's Parquet tables found in ``source`` into the data directory.

    Parameters
    ----------
    source : str or Path
        Folder holding ``NAME.parquet`` files (e.g. the project's ``shared/data``).
    root : str or Path, optional
        Destination data directory (default :func:`~minilateral.data.store.data_dir`).
    tables : iterable of str, optional
        Only these tables (default: every catalogue table present in ``source``).
    progress : callable, optional
        Called as ``progress(done, total, name)`` after each file.

    Returns
    -------
    ImportReport
        Failures are listed, not raised, so one bad file does not stop the others; the caller
        decides (the CLI exits 1 when any failed).

    Raises
    ------
    DataError
        ``source`` is not a folder or holds no catalogue table.
    """
    src = Path(source).expanduser()
    if not src.is_dir():
        raise DataError("not a folder", path=src, exit_code=2)
    wanted = list(tables) if tables is not None else list(CATALOG)
    unknown = [n for n in wanted if n not in CATALOG]
    if unknown:
        raise DataError(f"unknown table(s): {', '.join(unknown)}", exit_code=2)
    report = ImportReport()
    files = [(name, src / CATALOG[name].filename) for name in wanted]
    present = [(name, path) for name, path in files if path.is_file()]
    report.skipped = [name for name, path in files if not path.is_file()]
    if not present:
        raise DataError(f"no catalogue table (NAME.parquet) found in {src}", exit_code=2)
    manifest = read_manifest(root)
    for done, (name, path) in enumerate(present, start=1):
        table = CATALOG[name]
        try:
            rows = validate_parquet(path, table)
            manifest[name] = install_file(
                path, table, root=root, origin=f"import {path.resolve()}", rows=rows
            )
            report.imported.append(name)
        except (DataError, OSError) as err:
            report.failed.append((str(path), str(err)))
        if progress is not None:
            progress(done, len(present), name)
    write_manifest(manifest, root)
    return report
