"""``minilateral data download``: fetch the catalogue's tables from their public sources.

Each source file is downloaded into ``DATA_DIR/.downloads`` as ``FILE.part`` and renamed when
complete; an interrupted download resumes with an HTTP ``Range`` request. Published SHA-256
checksums are verified (a mismatch deletes the file and is reported). The files are then read
(CSV, Excel, R ``.rda``), converted to the catalogue schema — renamed and dropped columns, COW's
-9 recoded to missing, whole-number columns stored as nullable integers, dates as dates — checked
for the catalogue's columns, written as zstd Parquet and installed atomically, like an import.
"""

from __future__ import annotations

import hashlib
import tempfile
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from minilateral.data.catalog import CATALOG, Source, Table
from minilateral.data.importer import install_file, validate_parquet
from minilateral.data.store import data_dir, read_manifest, write_manifest
from minilateral.errors import DataError

__all__ = ["DownloadReport", "convert", "download", "fetch"]

ByteProgress = Callable[[str, int, int | None], None]
_CHUNK = 1 << 16


def fetch(
    url: str,
    dest: Path,
    *,
    sha256: str | None = None,
    progress: ByteProgress | None = None,
    timeout: float = 60.0,
) -> Path:
    """Download ``url`` to ``dest``, resuming from ``dest.part`` and verifying ``sha256``.

    Raises
    ------
    DataError
        HTTP or network failure, or a checksum mismatch (the partial file is then deleted).
    """
    dest.parent.mkdir(parents=True, exist_ok=True)
    if dest.is_file() and (sha256 is None or _sha256(dest) == sha256):
        size = dest.stat().st_size
        if progress is not None:
            progress(url, size, size)
        return dest
    part = dest.with_name(dest.name + ".part")
    offset = part.stat().st_size if part.is_file() else 0
    request = urllib.request.Request(url, headers={"User-Agent": "minilateral"})
    if offset:
        request.add_header("Range", f"bytes={offset}-")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            status = response.status
            if offset and status != 206:  # server ignored the range: start again
                offset = 0
            length = response.headers.get("Content-Length")
            total = offset + int(length) if length is not None else None
            done = offset
            with part.open("ab" if offset else "wb") as fh:
                while block := response.read(_CHUNK):
                    fh.write(block)
                    done += len(block)
                    if progress is not None:
                        progress(url, done, total)
    except urllib.error.HTTPError as err:
        if err.code == 416 and offset:  # nothing left to fetch
            pass
        else:
            raise DataError(f"download failed: HTTP {err.code} {err.reason}", path=url) from err
    except (urllib.error.URLError, OSError) as err:
        raise DataError(f"download failed: {err}; rerun to resume", path=url) from err
    if sha256 is not None:
        digest = _sha256(part)
        if digest != sha256:
            part.unlink()
            raise DataError(f"checksum mismatch: expected sha256 {sha256}, got {digest}", path=url)
    part.replace(dest)
    return dest


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while block := fh.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def _read(path: Path, source: Source, table: Table) -> pd.DataFrame:
    """Read one downloaded file into pandas."""
    fmt = source.format
    try:
        if fmt == "csv":
            return pd.read_csv(path, encoding="utf-8-sig", low_memory=False)
        if fmt == "xlsx":
            return pd.read_excel(path)
        if fmt == "rda":
            import rdata

            converted = rdata.read_rda(path)
            member = source.member or table.name
            if member not in converted:
                raise DataError(f"object '{member}' not in the R data file", path=path)
            return pd.DataFrame(converted[member])
    except ImportError as err:
        raise DataError(
            f"reading .{fmt} files needs the optional dependency '{err.name}': "
            "pip install 'minilateral[download]'",
            path=path,
        ) from err
    except DataError:
        raise
    except Exception as err:
        raise DataError(f"cannot read the downloaded {fmt} file: {err}", path=path) from err
    raise DataError(
        f"no reader for the '{fmt}' format of this source; install the table with "
        "`minilateral data import DIR` instead",
        path=source.url,
    )


def convert(frames: list[pd.DataFrame], table: Table) -> pd.DataFrame:
    """Concatenate source frames and convert them to the catalogue schema of ``table``."""
    df = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0].copy()
    df = df.rename(columns=table.rename)
    df = df.drop(columns=[c for c in table.drop if c in df.columns])
    for col in df.columns:
        series = df[col]
        if pd.api.types.is_datetime64_any_dtype(series):
            df[col] = series.dt.date
        elif pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series):
            values = series.astype("float64")
            if table.missing_codes:
                values = values.mask(values.isin(table.missing_codes))
            finite = values.dropna()
            whole = (
                bool(len(finite))
                and bool(np.all(np.mod(finite, 1) == 0))
                and bool(finite.abs().max() < 2**31)
            )
            df[col] = values.astype("Int32") if whole else values
    missing = [c for c in table.columns if c not in df.columns]
    if missing:
        raise DataError(
            f"converted table '{table.name}' lacks column(s) {', '.join(missing)}; "
            "the source's layout has changed",
            field=missing[0],
        )
    key = [c for c in ("ccode", "ccode1", "ccode2", "year") if c in df.columns]
    return df.sort_values(key, kind="stable").reset_index(drop=True) if key else df


@dataclass
class DownloadReport:
    """Tables installed and failures (table, message)."""

    imported: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)


def download(
    tables: Iterable[str] | None = None,
    *,
    root: str | Path | None = None,
    catalog: Mapping[str, Table] | None = None,
    progress: ByteProgress | None = None,
    timeout: float = 60.0,
) -> DownloadReport:
    """Download, convert and install ``tables`` (default: all) from their public sources.

    Parameters
    ----------
    tables : iterable of str, optional
        Table names (default every catalogue table).
    root : str or Path, optional
        Data directory.
    catalog : mapping, optional
        Catalogue to use (default :data:`~minilateral.data.catalog.CATALOG`); tests pass
        entries pointing at a local server.
    progress : callable, optional
        ``progress(url, bytes_done, bytes_total_or_None)`` while downloading.
    timeout : float, default=60
        Socket timeout in seconds.

    Returns
    -------
    DownloadReport
        One failure does not stop the other tables; installed copies of failed tables are kept.
    """
    cat = dict(catalog or CATALOG)
    names = list(tables) if tables else list(cat)
    unknown = [n for n in names if n not in cat]
    if unknown:
        raise DataError(f"unknown table(s): {', '.join(unknown)}")
    folder = data_dir(root)
    cache = folder / ".downloads"
    report = DownloadReport()
    manifest = read_manifest(root)
    for name in names:
        table = cat[name]
        try:
            if not table.sources:
                raise DataError("the catalogue lists no public source for this table")
            frames = []
            for k, source in enumerate(table.sources):
                local = cache / name / f"{k:03d}-{source.url.rsplit('/', 1)[-1]}"
                fetch(source.url, local, sha256=source.sha256, progress=progress, timeout=timeout)
                frames.append(_read(local, source, table))
            converted = convert(frames, table)
            with tempfile.TemporaryDirectory(dir=folder) as tmp:
                path = Path(tmp) / table.filename
                converted.to_parquet(path, compression="zstd", index=False)
                rows = validate_parquet(path, table)
                manifest[name] = install_file(
                    path,
                    table,
                    root=root,
                    origin="download "
                    + ", ".join(s.url for s in table.sources[:3])
                    + (" ..." if len(table.sources) > 3 else ""),
                    rows=rows,
                )
            report.imported.append(name)
        except (DataError, OSError) as err:
            report.failed.append((name, str(err)))
    write_manifest(manifest, root)
    return report
