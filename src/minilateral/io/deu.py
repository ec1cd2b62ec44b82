"""Reader of the DEU III data set (``docs/evaluation.md#the-deu-iii-file``): EU legislative issues.

Tab-separated, header names in double quotes, 75 columns: 13 descriptive columns (``prnr``,
``isnr``, ``counvte``, ``intro``, ``finact``, …), then ``p<actor>`` (position 0–100) and
``s<actor>`` (salience 0–100) for the Commission, the Parliament and 28 member states, then
``rp`` (reference point) and ``out`` (outcome). A row whose first 13 fields are empty is the
GDP row (usable as a capability). A blank cell is missing; an actor takes part in an issue iff
both its position and its salience are present. A malformed cell is an error naming its line
and column; a blank ``out`` marks an invalid outcome, which evaluation skips and counts.

References
----------
.. [1] Arregui, J. & Perarnaud, C. (2022). A new dataset on legislative decision-making in the
   European Union: the DEU III dataset. *Journal of European Public Policy*.
   doi:10.1080/13501763.2021.1991983. Data: doi:10.34810/data53.
.. [2] Thomson, R., Stokman, F. N., Achen, C. H. & König, T. (eds) (2006). *The European Union
   Decides*. Cambridge University Press.
"""

from __future__ import annotations

import hashlib
import logging
import math
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import numpy as np

from minilateral.arrays import BoolArray, FloatArray
from minilateral.errors import FormatError
from minilateral.io.validation import csv_row

__all__ = [
    "ACTORS",
    "DeuData",
    "DeuIssue",
    "council_votes",
    "decision_year",
    "parse_deu_date",
    "read_deu",
]

log = logging.getLogger(__name__)

ACTORS: tuple[str, ...] = (
    "com", "ep", "at", "be", "bu", "cr", "cy", "cz", "dk", "ee", "fi", "fr", "de", "el", "hu",
    "ie", "it", "lv", "lt", "lu", "mt", "nl", "pl", "pt", "ro", "si", "sk", "es", "se", "uk",
)  # fmt: skip
_META = (
    "prnrnmc", "isnrnmc", "prnr", "prname", "isnr", "type", "council", "proc", "counvte",
    "proccde", "issues", "intro", "finact",
)  # fmt: skip
HEADER: tuple[str, ...] = (
    *_META, *(f"p{a}" for a in ACTORS), *(f"s{a}" for a in ACTORS), "rp", "out",
)  # fmt: skip
# Option (c) of docs/evaluation.md#capability-options: the decision year when finact is missing or
# unparseable, and the Council votes of the member states by period (BG = bu, HR = cr, EL = el).
_DEFAULT_YEAR = 2007
_PRE_NICE = {"de": 10, "fr": 10, "it": 10, "uk": 10, "es": 8, "be": 5, "el": 5, "nl": 5,
             "pt": 5, "at": 4, "se": 4, "dk": 3, "ie": 3, "fi": 3, "lu": 2}  # fmt: skip
_NICE = {"de": 29, "fr": 29, "it": 29, "uk": 29, "es": 27, "pl": 27, "ro": 14, "nl": 13,
         "be": 12, "cz": 12, "el": 12, "hu": 12, "pt": 12, "at": 10, "bu": 10, "se": 10,
         "dk": 7, "ie": 7, "lt": 7, "sk": 7, "fi": 7, "cr": 7, "ee": 4, "lv": 4, "si": 4,
         "cy": 4, "lu": 4, "mt": 3}  # fmt: skip
_LISBON = {"de": 83.12, "fr": 67.44, "uk": 67.79, "it": 58.97, "es": 48.95, "pl": 37.84,
           "ro": 19.19, "nl": 17.61, "be": 11.57, "el": 10.38, "cz": 10.57, "pt": 10.75,
           "se": 10.37, "hu": 9.73, "at": 8.93, "bu": 6.92, "dk": 5.83, "fi": 5.53, "sk": 5.42,
           "ie": 5.01, "cr": 4.04, "lt": 2.80, "si": 2.11, "lv": 1.86, "ee": 1.33, "cy": 0.90,
           "lu": 0.63, "mt": 0.52}  # fmt: skip


@dataclass(frozen=True)
class DeuIssue:
    """One DEU issue: positions (0–100) and saliences (divided by 100) of the 30 actors, NaN
    where blank; ``council_rule`` is ``counvte`` (``QMV``, ``Unan``, ``QMV(10)``) and
    ``procedure`` is ``proc`` (``COD`` codecision, ``CNS`` consultation)."""

    line: int
    prnr: str
    isnr: str
    council_rule: str
    intro: date | None
    finact: date | None
    positions: FloatArray
    salience: FloatArray
    reference: float
    outcome: float
    procedure: str = ""

    @property
    def participants(self) -> BoolArray:
        """Mask of the actors with both a position and a salience."""
        return ~np.isnan(self.positions) & ~np.isnan(self.salience)


@dataclass(frozen=True)
class DeuData:
    """The issues of a DEU file, its GDP row (NaN if absent), where it came from and the
    SHA-256 of its bytes (for provenance)."""

    path: str
    issues: list[DeuIssue]
    gdp: FloatArray = field(default_factory=lambda: np.full(len(ACTORS), np.nan))
    sha256: str = ""


def _yy(value: int) -> int:
    """Two-digit year: YY ≥ 90 → 19YY, else 20YY (``docs/evaluation.md#the-deu-iii-file``)."""
    return 1900 + value if value >= 90 else 2000 + value


def parse_deu_date(text: str) -> date | None:
    """A DEU date, or None if missing (``999``) or unparseable.

    Date rules: ``docs/evaluation.md#the-deu-iii-file``.

    ``dd-mm-yy`` and ``dd-mm-yyyy`` read directly; a spreadsheet-mangled ``YYYY-MM-DD`` is a
    ``dd-mm-yy`` read backwards: day = YYYY mod 100, month = MM, year from DD.

    Examples
    --------
    >>> parse_deu_date("1930-05-01")
    datetime.date(2001, 5, 30)
    >>> parse_deu_date("26-01-00")
    datetime.date(2000, 1, 26)
    """
    parts = text.strip().split("-")
    if len(parts) != 3 or not all(p.isdigit() for p in parts):
        return None
    a, b, c = parts
    try:
        if len(a) == 4:
            return date(_yy(int(c)), int(b), int(a) % 100)
        year = int(c) if len(c) == 4 else _yy(int(c))
        return date(year, int(b), int(a))
    except ValueError:
        return None


def decision_year(issue: DeuIssue) -> int:
    """Year of the final act; 2007 when it is missing or unparseable."""
    return issue.finact.year if issue.finact is not None else _DEFAULT_YEAR


def council_votes(issue: DeuIssue) -> FloatArray:
    """Council-vote capabilities of the 30 actors on ``issue``, NaN where none.

    Table: ``docs/evaluation.md#capability-options``.

    Pre-Nice votes up to 2004, Nice votes 2005–2014, Lisbon population weights from 2015. The
    Commission and the Parliament get the largest member-state value among the issue's
    participants.
    """
    year = decision_year(issue)
    table = _PRE_NICE if year <= 2004 else _NICE if year <= 2014 else _LISBON
    votes = np.array([table.get(code, np.nan) for code in ACTORS], dtype=float)
    present = issue.participants.copy()
    present[:2] = False
    members = votes[present & ~np.isnan(votes)]
    votes[:2] = members.max() if members.size else np.nan
    return votes


def _cell(text: str, path: str, line: int, column: str) -> float:
    """A 0–100 number, NaN if blank; anything else is an error naming line and column."""
    text = text.strip()
    if not text:
        return math.nan
    try:
        value = float(text)
    except ValueError:
        raise FormatError(f"'{text}' is not a number", path=path, row=line, field=column) from None
    if not (math.isfinite(value) and 0.0 <= value <= 100.0):
        raise FormatError(f"{text} lies outside 0–100", path=path, row=line, field=column)
    return value


def read_deu(path: str | Path) -> DeuData:
    """Read a DEU III file (``docs/evaluation.md#the-deu-iii-file``).

    Raises
    ------
    FormatError
        Wrong header, wrong number of fields, or a malformed cell (with line and column).
    """
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise FormatError("no such file", path=path) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise FormatError(f"not a UTF-8 text file ({err.reason})", path=path) from err
    rows = [
        csv_row(raw_line, path, n, delimiter="\t", quotechar='"')
        for n, raw_line in enumerate(text.splitlines(), start=1)
    ]
    if not rows:
        raise FormatError("the file is empty", path=path)
    header = tuple(c.strip() for c in rows[0])
    if header != HEADER:
        wrong = next(
            (f"column {k + 1} is '{h}', expected '{e}'"
             for k, (h, e) in enumerate(zip(header, HEADER, strict=False)) if h != e),
            f"{len(header)} columns, expected {len(HEADER)}",
        )  # fmt: skip
        raise FormatError(f"not a DEU III header: {wrong}", path=path, row=1)
    name = str(path)
    n = len(ACTORS)
    p0 = len(_META)
    issues: list[DeuIssue] = []
    gdp = np.full(n, np.nan)
    for line, row in enumerate(rows[1:], start=2):
        if not any(c.strip() for c in row):
            continue
        if len(row) != len(HEADER):
            raise FormatError(
                f"row has {len(row)} fields, the header {len(HEADER)}", path=path, row=line
            )
        if not any(c.strip() for c in row[: len(_META)]):
            gdp = np.array([_gdp(row[p0 + k], name, line, HEADER[p0 + k]) for k in range(n)])
            continue
        values = [_cell(row[k], name, line, HEADER[k]) for k in range(p0, len(HEADER))]
        positions = np.array(values[:n])
        salience = np.array(values[n : 2 * n]) / 100.0
        issues.append(
            DeuIssue(
                line=line,
                prnr=row[2].strip(),
                isnr=row[4].strip(),
                council_rule=row[8].strip(),
                intro=parse_deu_date(row[11]),
                finact=parse_deu_date(row[12]),
                positions=positions,
                salience=salience,
                reference=values[-2],
                outcome=values[-1],
                procedure=row[7].strip(),
            )
        )
    if not issues:
        raise FormatError("the file has no issues", path=path)
    return DeuData(path=name, issues=issues, gdp=gdp, sha256=hashlib.sha256(raw).hexdigest())


def _gdp(text: str, path: str, line: int, column: str) -> float:
    text = text.strip()
    try:
        value = float(text)
    except ValueError:
        raise FormatError(
            f"GDP row: '{text}' is not a number", path=path, row=line, field=column
        ) from None
    if not (math.isfinite(value) and value >= 0):
        raise FormatError(f"GDP row: {text} is not >= 0", path=path, row=line, field=column)
    return value
