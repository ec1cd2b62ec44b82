"""Where the reference tables live and how to read them.

The data directory is ``$MINILATERAL_DATA_DIR`` or, when unset, the platform's user data
directory (``platformdirs.user_data_dir("minilateral")``). It holds one ``NAME.parquet`` per
catalogue table and ``manifest.json`` recording, per table, its checksum, row count, origin and
catalogue version. Queries go through DuckDB over the Parquet files.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from minilateral.data.catalog import CATALOG, Table, get_table
from minilateral.errors import DataError
from minilateral.forecast import dumps_json

__all__ = [
    "MISSING_DATA_HINT",
    "TableStatus",
    "data_dir",
    "data_versions",
    "query",
    "read_manifest",
    "read_table",
    "require",
    "status",
    "table_path",
]

MISSING_DATA_HINT = (
    "Install the reference data with `minilateral data download` (from the original public "
    "sources) or `minilateral data import DIR` (from a folder of Parquet files)."
)
MANIFEST = "manifest.json"


def data_dir(path: str | Path | None = None) -> Path:
    """The data directory: ``path``, else ``$MINILATERAL_DATA_DIR``, else the platform default."""
    if path is not None:
        return Path(path).expanduser()
    env = os.environ.get("MINILATERAL_DATA_DIR")
    if env:
        return Path(env).expanduser()
    from platformdirs import user_data_dir

    return Path(user_data_dir("minilateral", appauthor=False))


def table_path(name: str, root: str | Path | None = None) -> Path:
    """Path of the Parquet file of table ``name`` (whether or not it is installed)."""
    return data_dir(root) / get_table(name).filename


def read_manifest(root: str | Path | None = None) -> dict[str, dict[str, Any]]:
    """The manifest of the data directory (empty when there is none)."""
    path = data_dir(root) / MANIFEST
    if not path.is_file():
        return {}
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        raise DataError(f"unreadable manifest: {err}", path=path) from err


def write_manifest(entries: dict[str, dict[str, Any]], root: str | Path | None = None) -> None:
    """Replace the manifest atomically."""
    folder = data_dir(root)
    folder.mkdir(parents=True, exist_ok=True)
    tmp = folder / (MANIFEST + ".tmp")
    tmp.write_text(dumps_json(entries, indent=2, sort_keys=True), encoding="utf-8")
    tmp.replace(folder / MANIFEST)


def require(names: Iterable[str], root: str | Path | None = None) -> dict[str, Path]:
    """Paths of the tables ``names``; :class:`DataError` naming what is missing otherwise."""
    paths = {name: table_path(name, root) for name in names}
    missing = [name for name, path in paths.items() if not path.is_file()]
    if missing:
        raise DataError(
            f"reference table(s) {', '.join(missing)} not installed in {data_dir(root)}. "
            + MISSING_DATA_HINT
        )
    return paths


def read_table(
    name: str, columns: list[str] | None = None, root: str | Path | None = None
) -> pd.DataFrame:
    """Read an installed table into pandas (nullable dtypes as stored)."""
    path = require([name], root)[name]
    try:
        return pd.read_parquet(path, columns=columns)
    except Exception as err:
        raise DataError(f"cannot read table '{name}': {err}", path=path) from err


def query(sql: str, tables: Iterable[str], root: str | Path | None = None, **params: Any):
    """Run ``sql`` in DuckDB with each of ``tables`` available as a view of the same name.

    Returns a pandas DataFrame. Parameters are bound by name (``$name`` in the SQL).
    """
    import duckdb

    paths = require(tables, root)
    con = duckdb.connect()
    try:
        for name, path in paths.items():
            escaped = str(path).replace("'", "''")
            con.execute(f"CREATE VIEW {name} AS SELECT * FROM read_parquet('{escaped}')")
        return con.execute(sql, params or None).df()
    except duckdb.Error as err:
        raise DataError(f"query failed: {err}") from err
    finally:
        con.close()


@dataclass(frozen=True)
class TableStatus:
    """Installation status of one catalogue table."""

    table: Table
    installed: bool
    rows: int | None
    sha256: str | None
    origin: str | None
    first_year: int | None
    last_year: int | None

    def to_dict(self) -> dict[str, Any]:
        """Flat JSON form."""
        t = self.table
        return {
            "table": t.name,
            "installed": self.installed,
            "version": t.version,
            "source": t.source,
            "coverage": f"{t.coverage[0]}-{t.coverage[1]}",
            "rows": self.rows,
            "licence": t.licence,
            "origin": self.origin,
            "sha256": self.sha256,
        }


def status(root: str | Path | None = None) -> list[TableStatus]:
    """What is installed: one :class:`TableStatus` per catalogue table."""
    manifest = read_manifest(root)
    out = []
    for name, table in CATALOG.items():
        entry = manifest.get(name, {})
        installed = table_path(name, root).is_file()
        out.append(
            TableStatus(
                table=table,
                installed=installed,
                rows=entry.get("rows") if installed else None,
                sha256=entry.get("sha256") if installed else None,
                origin=entry.get("origin") if installed else None,
                first_year=table.coverage[0],
                last_year=table.coverage[1],
            )
        )
    return out


def data_versions(names: Iterable[str], root: str | Path | None = None) -> dict[str, str]:
    """``{table: "version (sha256 prefix)"}`` for provenance records."""
    manifest = read_manifest(root)
    out = {}
    for name in names:
        digest = manifest.get(name, {}).get("sha256", "")
        out[name] = f"{get_table(name).version}" + (f" sha256:{digest[:12]}" if digest else "")
    return out
