"""Read an analyst's own corpus of posts into one table, with provenance per file.

Four layouts are read (no scraping, no platform API: the analyst brings exports):

``generic`` (``.csv``, ``.jsonl``/``.ndjson``)
    Columns ``id``, ``time`` (ISO 8601; a time without offset is read as UTC), ``author``,
    ``text`` and optional ``url`` (one or more URLs separated by spaces), ``lang``,
    ``repost_of`` (id of the reposted item), ``reply_to``.
``io_archive``
    The column layout of the platforms' published information-operations archives (Twitter's
    "elections integrity" releases): ``tweetid``, ``userid``, ``tweet_time``
    (``YYYY-MM-DD HH:MM``), ``tweet_text``, ``tweet_language``, ``urls`` (a list written as
    ``[u1, u2]``), ``retweet_tweetid``, ``in_reply_to_tweetid``.
``telegram``
    A Telegram Desktop JSON export (``result.json``) of one chat or channel, or of all chats
    (``{"chats": {"list": [...]}}``). ``author`` is ``from_id`` (or the chat's id); URLs come
    from ``link`` and ``text_link`` entities; a forwarded message's ``repost_of`` is
    ``fwd:<forwarded_from>:<hash of its text>``, because an export does not carry the original
    message's id.
``gdelt_events``, ``gdelt_gkg``
    GDELT 2.0 event files (61 tab-separated columns) and Global Knowledge Graph 2.1 files
    (27 columns), plain or zipped. One row is one news article: ``author`` is the source's
    domain, ``url`` the article, ``time`` ``DATEADDED`` / ``DATE``; ``text`` is the page title
    (GKG ``<PAGE_TITLE>``) or, for events, the actor names and CAMEO code.

Every reader returns the same columns (:data:`COLUMNS`); times are UTC seconds since the epoch.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import re
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from minilateral.errors import FormatError, OptionError
from minilateral.forecast import dumps_json

__all__ = [
    "COLUMNS",
    "FORMATS",
    "Corpus",
    "detect_format",
    "file_sha256",
    "load_store",
    "read_corpus",
    "read_file",
    "save_store",
]

COLUMNS = ("id", "time", "author", "text", "url", "lang", "repost_of", "reply_to", "source")
FORMATS = ("generic", "io_archive", "telegram", "gdelt_events", "gdelt_gkg")
_IO_MARKERS = {"tweetid", "userid", "tweet_text", "tweet_time"}
_GENERIC_REQUIRED = ("id", "time", "author", "text")


@dataclass(frozen=True)
class Corpus:
    """Posts of one or more files and the provenance of each file.

    Attributes
    ----------
    posts : pandas.DataFrame
        Columns :data:`COLUMNS`; ``time`` is int64 UTC seconds; missing optional values are
        empty strings; ``source`` is the index of the file in ``files``.
    files : list of dict
        Per file: ``path``, ``format``, ``sha256``, ``rows``, ``read_at``.
    """

    posts: pd.DataFrame
    files: list[dict[str, Any]] = field(default_factory=list)

    @property
    def input_hash(self) -> str:
        """SHA-256 over the files' hashes, in order."""
        h = hashlib.sha256()
        for f in self.files:
            h.update(f["sha256"].encode())
        return h.hexdigest()


def file_sha256(path: Path) -> str:
    """SHA-256 of a file's bytes."""
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def detect_format(path: Path) -> str:
    """The layout of ``path`` from its name and first bytes (see the module notes)."""
    name = path.name.lower()
    if name.endswith((".gkg.csv", ".gkg.csv.zip")):
        return "gdelt_gkg"
    if name.endswith((".export.csv", ".export.csv.zip")):
        return "gdelt_events"
    if name.endswith(".json"):
        return "telegram"
    if name.endswith((".jsonl", ".ndjson")):
        return "generic"
    if name.endswith((".csv", ".tsv", ".txt")):
        with path.open("r", encoding="utf-8-sig", errors="replace") as fh:
            header = fh.readline()
        cols = {c.strip().strip('"').lower() for c in re.split(r"[,\t]", header)}
        if cols >= _IO_MARKERS:
            return "io_archive"
        return "generic"
    raise FormatError(
        f"cannot tell the layout from the file name; pass one of {', '.join(FORMATS)}",
        path=path,
    )


def _frame(data: dict[str, Any], n: int) -> pd.DataFrame:
    out = {}
    for col in COLUMNS[:-1]:
        if col == "time":
            out[col] = np.asarray(data[col], dtype=np.int64)
        else:
            value = data.get(col)
            out[col] = (
                pd.Series([""] * n, dtype=object)
                if value is None
                else pd.Series(value, dtype=object).fillna("").astype(str).to_numpy(object)
            )
    out["source"] = np.zeros(n, dtype=np.int32)
    return pd.DataFrame(out)


def _parse_times(values: pd.Series, path: Path, column: str, fmt: str | None) -> np.ndarray:
    """UTC seconds; a precise error names the first bad line (1-based, header = line 1)."""
    parsed = pd.to_datetime(values, utc=True, errors="coerce", format=fmt)
    bad = parsed.isna().to_numpy()
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise FormatError(
            f"'{values.iloc[i]}' is not a date and time (expected ISO 8601)",
            path=path,
            row=i + 2,
            field=column,
        )
    return parsed.astype("datetime64[s, UTC]").astype("int64").to_numpy()


def _check_required(df: pd.DataFrame, path: Path, required: Sequence[str], line0: int) -> None:
    missing = [c for c in required if c not in df.columns]
    if missing:
        raise FormatError(
            f"missing column{'s' if len(missing) > 1 else ''} {', '.join(missing)}; "
            f"the file has {', '.join(map(str, df.columns))}",
            path=path,
            row=1,
            field=missing[0],
        )
    for col in required:
        if col == "time":
            continue
        empty = (df[col].isna() | (df[col].astype(str).str.strip() == "")).to_numpy()
        if empty.any():
            i = int(np.flatnonzero(empty)[0])
            raise FormatError("empty value", path=path, row=i + line0, field=col)


def _read_generic(path: Path) -> pd.DataFrame:
    if path.name.lower().endswith((".jsonl", ".ndjson")):
        rows = []
        with path.open("r", encoding="utf-8") as fh:
            for lineno, line in enumerate(fh, 1):
                if not line.strip():
                    continue
                try:
                    rows.append(json.loads(line))
                except json.JSONDecodeError as err:
                    raise FormatError(f"not JSON: {err.msg}", path=path, row=lineno) from err
        df = pd.DataFrame(rows)
        line0 = 1
    else:
        try:
            df = pd.read_csv(path, dtype=str, keep_default_na=False, engine="pyarrow")
        except Exception as err:  # pyarrow's messages name the line
            raise FormatError(f"unreadable CSV: {err}", path=path) from err
        line0 = 2
    df.columns = [str(c).strip().lower() for c in df.columns]
    _check_required(df, path, _GENERIC_REQUIRED, line0)
    times = _parse_times(df["time"].astype(str), path, "time", "ISO8601")
    n = len(df)
    return _frame(
        {
            "id": df["id"],
            "time": times,
            "author": df["author"],
            "text": df["text"],
            "url": df.get("url"),
            "lang": df.get("lang"),
            "repost_of": df.get("repost_of"),
            "reply_to": df.get("reply_to"),
        },
        n,
    )


_LIST_SPLIT = re.compile(r"[\[\]'\",\s]+")


def _read_io_archive(path: Path) -> pd.DataFrame:
    try:
        df = pd.read_csv(path, dtype=str, keep_default_na=False, engine="pyarrow")
    except Exception as err:
        raise FormatError(f"unreadable CSV: {err}", path=path) from err
    df.columns = [str(c).strip().lower() for c in df.columns]
    _check_required(df, path, ("tweetid", "userid", "tweet_time"), 2)
    times = _parse_times(df["tweet_time"], path, "tweet_time", "mixed")
    urls = None
    if "urls" in df.columns:
        urls = df["urls"].str.replace(_LIST_SPLIT, " ", regex=True).str.strip()
    return _frame(
        {
            "id": df["tweetid"],
            "time": times,
            "author": df["userid"],
            "text": df.get("tweet_text"),
            "url": urls,
            "lang": df.get("tweet_language"),
            "repost_of": df.get("retweet_tweetid"),
            "reply_to": df.get("in_reply_to_tweetid"),
        },
        len(df),
    )


def _telegram_text(text: Any) -> tuple[str, list[str]]:
    """Plain text and URLs of a Telegram message's ``text`` (string or list of entities)."""
    if isinstance(text, str):
        return text, []
    parts, urls = [], []
    for piece in text or []:
        if isinstance(piece, str):
            parts.append(piece)
        elif isinstance(piece, dict):
            parts.append(str(piece.get("text", "")))
            if piece.get("type") == "link":
                urls.append(str(piece.get("text", "")))
            elif piece.get("type") == "text_link" and piece.get("href"):
                urls.append(str(piece["href"]))
    return "".join(parts), urls


def _read_telegram(path: Path) -> pd.DataFrame:
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as err:
        raise FormatError(f"not JSON: {err.msg}", path=path, row=err.lineno) from err
    if isinstance(doc, dict) and "chats" in doc:
        chats = doc["chats"].get("list", []) if isinstance(doc["chats"], dict) else doc["chats"]
    elif isinstance(doc, dict) and "messages" in doc:
        chats = [doc]
    else:
        raise FormatError(
            "not a Telegram Desktop export (no 'messages' or 'chats' key)", path=path, row=1
        )
    cols: dict[str, list[Any]] = {c: [] for c in COLUMNS[:-1]}
    for ci, chat in enumerate(chats):
        chat_id = str(chat.get("id", ""))
        for mi, msg in enumerate(chat.get("messages", [])):
            if msg.get("type", "message") != "message":
                continue
            where = f"chats[{ci}].messages[{mi}]"
            if "date_unixtime" in msg:
                t = int(msg["date_unixtime"])
            elif "date" in msg:
                try:
                    t = int(
                        dt.datetime.fromisoformat(msg["date"]).replace(tzinfo=dt.UTC).timestamp()
                    )
                except ValueError as err:
                    raise FormatError(
                        f"'{msg['date']}' is not a date and time",
                        path=path,
                        row=where,
                        field="date",
                    ) from err
            else:
                raise FormatError("message without a date", path=path, row=where, field="date")
            text, urls = _telegram_text(msg.get("text", ""))
            fwd = msg.get("forwarded_from")
            repost = ""
            if fwd:
                digest = hashlib.sha1(text.encode("utf-8")).hexdigest()[:16]
                repost = f"fwd:{fwd}:{digest}"
            cols["id"].append(f"{chat_id}/{msg.get('id', mi)}")
            cols["time"].append(t)
            cols["author"].append(str(msg.get("from_id") or chat_id))
            cols["text"].append(text)
            cols["url"].append(" ".join(urls))
            cols["lang"].append("")
            cols["repost_of"].append(repost)
            reply = msg.get("reply_to_message_id")
            cols["reply_to"].append("" if reply is None else f"{chat_id}/{reply}")
    return _frame(cols, len(cols["id"]))


def _open_text(path: Path) -> io.TextIOBase:
    if path.name.lower().endswith(".zip"):
        archive = zipfile.ZipFile(path)
        names = archive.namelist()
        if not names:
            raise FormatError("empty zip archive", path=path)
        return io.TextIOWrapper(archive.open(names[0]), encoding="utf-8", errors="replace")
    return path.open("r", encoding="utf-8", errors="replace")


def _gdelt_rows(path: Path, width: int) -> list[list[str]]:
    rows = []
    with _open_text(path) as fh:
        for lineno, line in enumerate(fh, 1):
            line = line.rstrip("\n\r")
            if not line:
                continue
            cells = line.split("\t")
            if len(cells) != width:
                raise FormatError(
                    f"{len(cells)} tab-separated columns, expected {width} (GDELT 2.0)",
                    path=path,
                    row=lineno,
                )
            rows.append(cells)
    return rows


def _gdelt_time(values: Iterable[str], path: Path, column: str) -> np.ndarray:
    s = pd.Series(list(values), dtype=str)
    parsed = pd.to_datetime(s, format="%Y%m%d%H%M%S", utc=True, errors="coerce")
    bad = parsed.isna().to_numpy()
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise FormatError(
            f"'{s.iloc[i]}' is not YYYYMMDDHHMMSS", path=path, row=i + 1, field=column
        )
    return parsed.astype("datetime64[s, UTC]").astype("int64").to_numpy()


def _domain(url: str) -> str:
    m = re.match(r"^[a-z]+://([^/:?#]+)", url.strip().lower())
    host = m.group(1) if m else url.strip().lower()
    return host[4:] if host.startswith("www.") else host


_TITLE = re.compile(r"<PAGE_TITLE>(.*?)</PAGE_TITLE>", re.DOTALL)


def _read_gdelt_events(path: Path) -> pd.DataFrame:
    rows = _gdelt_rows(path, 61)
    return _frame(
        {
            "id": [r[0] for r in rows],
            "time": _gdelt_time((r[59] for r in rows), path, "DATEADDED"),
            "author": [_domain(r[60]) for r in rows],
            "text": [" ".join(x for x in (r[6], r[26], r[16]) if x) for r in rows],
            "url": [r[60] for r in rows],
        },
        len(rows),
    )


def _read_gdelt_gkg(path: Path) -> pd.DataFrame:
    rows = _gdelt_rows(path, 27)
    texts = []
    for r in rows:
        m = _TITLE.search(r[26])
        texts.append(m.group(1).strip() if m else r[7].replace(";", " ").strip())
    return _frame(
        {
            "id": [r[0] for r in rows],
            "time": _gdelt_time((r[1] for r in rows), path, "DATE"),
            "author": [r[3] or _domain(r[4]) for r in rows],
            "text": texts,
            "url": [r[4] for r in rows],
        },
        len(rows),
    )


_READERS = {
    "generic": _read_generic,
    "io_archive": _read_io_archive,
    "telegram": _read_telegram,
    "gdelt_events": _read_gdelt_events,
    "gdelt_gkg": _read_gdelt_gkg,
}


def read_file(path: str | Path, fmt: str = "auto") -> tuple[pd.DataFrame, dict[str, Any]]:
    """Posts of one file and its provenance record.

    Parameters
    ----------
    path : str or Path
        The file.
    fmt : {"auto", "generic", "io_archive", "telegram", "gdelt_events", "gdelt_gkg"}
        Its layout; ``auto`` looks at the name and the header (:func:`detect_format`).

    Raises
    ------
    FormatError
        The file does not fit the layout; the message names file, line and field.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no such file")
    if fmt != "auto" and fmt not in FORMATS:
        raise OptionError(
            f"unknown format '{fmt}'; choose auto or {', '.join(FORMATS)}", field="format"
        )
    layout = detect_format(path) if fmt == "auto" else fmt
    posts = _READERS[layout](path)
    dup = posts["id"].duplicated().to_numpy()
    if dup.any():
        i = int(np.flatnonzero(dup)[0])
        raise FormatError(
            f"duplicate post id '{posts['id'].iloc[i]}'", path=path, row=i + 2, field="id"
        )
    record = {
        "path": str(path),
        "format": layout,
        "sha256": file_sha256(path),
        "rows": len(posts),
        "read_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }
    return posts, record


def read_corpus(paths: str | Path | Sequence[str | Path], fmt: str = "auto") -> Corpus:
    """Posts of several files (in order) as one :class:`Corpus`.

    Post ids must be unique across files; ``source`` records each post's file.
    """
    if isinstance(paths, str | Path):
        paths = [paths]
    frames, files = [], []
    for i, p in enumerate(paths):
        posts, record = read_file(p, fmt)
        posts["source"] = np.int32(i)
        frames.append(posts)
        files.append(record)
    if not frames:
        raise OptionError("no input files", field="paths")
    posts = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
    if len(frames) > 1:
        dup = posts["id"].duplicated().to_numpy()
        if dup.any():
            i = int(np.flatnonzero(dup)[0])
            raise FormatError(
                f"post id '{posts['id'].iloc[i]}' appears in more than one file",
                path=files[int(posts["source"].iloc[i])]["path"],
                field="id",
            )
    return Corpus(posts=posts, files=files)


def save_store(corpus: Corpus, folder: str | Path) -> Path:
    """Write the corpus as Parquet, one file per source file, plus ``provenance.json``.

    The folder is queryable with DuckDB (``read_parquet('FOLDER/*.parquet')``).
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("part-*.parquet"):
        old.unlink()
    for i, record in enumerate(corpus.files):
        part = corpus.posts[corpus.posts["source"] == i]
        part.to_parquet(folder / f"part-{i:04d}-{record['sha256'][:12]}.parquet", index=False)
    tmp = folder / "provenance.json.tmp"
    tmp.write_text(dumps_json({"files": corpus.files}, indent=2), encoding="utf-8")
    tmp.replace(folder / "provenance.json")
    return folder


def load_store(folder: str | Path) -> Corpus:
    """Read a folder written by :func:`save_store` (through DuckDB)."""
    import duckdb

    folder = Path(folder)
    prov = folder / "provenance.json"
    if not prov.is_file():
        raise FormatError("not a narratives store (no provenance.json)", path=folder)
    files = json.loads(prov.read_text(encoding="utf-8"))["files"]
    con = duckdb.connect()
    try:
        posts = con.execute(
            "select * exclude (file_row_number) from read_parquet(?, file_row_number = true) "
            "order by source, file_row_number",
            [str(folder / "part-*.parquet")],
        ).df()
    finally:
        con.close()
    posts["time"] = posts["time"].astype(np.int64)
    return Corpus(posts=posts, files=files)
