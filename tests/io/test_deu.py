"""DEU III reader (``docs/evaluation.md#the-deu-iii-file``) and the Council-vote capabilities."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pytest

from minilateral.errors import FormatError
from minilateral.io.deu import (
    ACTORS,
    HEADER,
    council_votes,
    decision_year,
    parse_deu_date,
    read_deu,
)


@pytest.fixture(scope="module")
def deu(benchmarks: Path):
    return read_deu(benchmarks / "deu3" / "deu3.csv")


def test_file_counts(deu) -> None:
    assert len(deu.issues) == 364
    assert len({i.prnr for i in deu.issues}) == 141
    assert sum(not np.isnan(i.outcome) for i in deu.issues) == 353
    assert sum(not np.isnan(i.reference) for i in deu.issues) == 261
    assert deu.gdp[ACTORS.index("com")] == 4.1
    assert deu.gdp[ACTORS.index("de")] == 4.1
    counts = [int(i.participants.sum()) for i in deu.issues if not np.isnan(i.outcome)]
    assert sum(c >= 3 for c in counts) == 351
    assert sum(i.finact is None for i in deu.issues) == 29
    first = deu.issues[0]
    assert (first.prnr, first.isnr, first.line) == ("d00032", "d00032i1", 3)
    assert first.salience[0] == 0.5  # 50/100


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1930-05-01", date(2001, 5, 30)),
        ("2024-05-17", date(2017, 5, 24)),
        ("26-01-00", date(2000, 1, 26)),
        ("19-07-99", date(1999, 7, 19)),
        ("03-02-2005", date(2005, 2, 3)),
        ("999", None),
        ("31-02-05", None),
    ],
)
def test_dates(text: str, expected: date | None) -> None:
    assert parse_deu_date(text) == expected


def test_council_votes(deu) -> None:
    first = deu.issues[0]  # final act 30 May 2001: pre-Nice votes
    assert decision_year(first) == 2001
    votes = council_votes(first)
    assert votes[ACTORS.index("de")] == 10
    assert np.isnan(votes[ACTORS.index("pl")])
    assert votes[0] == votes[1] == 10  # Commission and Parliament: the largest present
    missing = next(i for i in deu.issues if i.finact is None)
    assert decision_year(missing) == 2007
    assert council_votes(missing)[ACTORS.index("pl")] == 27


def _write(tmp_path: Path, rows: list[list[str]]) -> Path:
    path = tmp_path / "deu.csv"
    head = "\t".join(f'"{h}"' for h in HEADER)
    path.write_text(head + "\n" + "\n".join("\t".join(r) for r in rows) + "\n")
    return path


def _row() -> list[str]:
    row = ["1", "1", '"d1"', '"x"', '"d1i1"', '"Reg"', '"c"', '"COD"', '"QMV"', "1", "1",
           '"01-01-01"', '"01-01-02"']  # fmt: skip
    return row + ["50"] * 30 + ["50"] * 30 + ["", "40"]


def test_malformed_cell_names_line_and_column(tmp_path: Path) -> None:
    row = _row()
    row[HEADER.index("sfr")] = "lots"
    with pytest.raises(FormatError, match="line 2: field 'sfr': 'lots' is not a number"):
        read_deu(_write(tmp_path, [row]))
    row = _row()
    row[HEADER.index("out")] = "140"
    with pytest.raises(FormatError, match="line 2: field 'out': 140 lies outside 0–100"):
        read_deu(_write(tmp_path, [row]))
    with pytest.raises(FormatError, match="line 3: row has 74 fields"):
        read_deu(_write(tmp_path, [_row(), _row()[:-1]]))


def test_bad_header(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text('"prnrnmc"\t"oops"\n')
    with pytest.raises(FormatError, match="column 2 is 'oops', expected 'isnrnmc'"):
        read_deu(path)
