"""The Python API of the alignment measures: state identifiers and years in, tables out.

Every function takes states as COW codes, COW abbreviations, ISO3 codes, English names or group
names (see :mod:`minilateral.data.states`) and returns an :class:`AlignmentResult`: a pandas
frame, the coverage and gap notes, and provenance. Missing values are NaN with the reason in the
notes, never 0. For example, with the data installed::

    from minilateral import alignment
    alignment.dyads(["TUR", "QAT", "EGY"], range(2010, 2020)).frame
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from minilateral.alignment import indices, votes
from minilateral.alignment.ideal_points import ideal_points as _ideal_points
from minilateral.data.states import resolver
from minilateral.data.store import data_versions, read_table
from minilateral.errors import QueryError
from minilateral.forecast import jsonable
from minilateral.provenance import package_version

__all__ = [
    "DEFAULT_CANDIDATES",
    "AlignmentResult",
    "autonomy",
    "balancing",
    "capabilities",
    "cohesion",
    "complementarity",
    "dyads",
    "ideal_points",
    "parse_years",
    "portfolio_similarity",
]

DEFAULT_CANDIDATES = (
    630,
    640,
    645,
    651,
    652,
    660,
    663,
    666,
    670,
    679,
    690,
    692,
    694,
    696,
    698,
    2,
    365,
    710,
)
"""The default candidate set of balancing: the Middle East core and the three poles
(``docs/alignment.md#balancing``)."""

Root = str | Path | None


@dataclass
class AlignmentResult:
    """A measure's rows, its coverage/gap notes and provenance."""

    frame: pd.DataFrame
    notes: list[str] = field(default_factory=list)
    provenance: dict[str, Any] = field(default_factory=dict)

    def records(self) -> list[dict[str, Any]]:
        """Rows as flat dicts with NaN as ``None`` (JSON ``null``)."""
        return [{k: _plain(v) for k, v in row.items()} for row in self.frame.to_dict("records")]

    def to_dict(self) -> dict[str, Any]:
        """``{"rows": [...], "notes": [...], "provenance": {...}}``."""
        return {"rows": self.records(), "notes": self.notes, "provenance": self.provenance}

    def to_frame(self) -> pd.DataFrame:
        """The rows as a :class:`pandas.DataFrame` (a copy of :attr:`frame`)."""
        return self.frame.copy()

    def _repr_html_(self) -> str:
        """Jupyter: the first rows and a bar chart of the first numeric column after the keys."""
        from minilateral.presentation.display import bar_svg, result_html, table_html

        frame = self.frame
        measure = str(self.provenance.get("measure", "alignment")).replace("_", " ")
        keys = [c for c in frame.columns if c in ("year", "a", "b", "state", "ccode", "name")]
        numeric = [
            c
            for c in frame.select_dtypes("number").columns
            if c not in keys and c not in ("n", "ccode")
        ]
        chart = ""
        if numeric and len(frame):
            labels = [
                " ".join(str(row[k]) for k in keys) or str(i)
                for i, row in enumerate(frame.to_dict("records"))
            ]
            chart = bar_svg(labels, frame[numeric[0]].tolist(), title=str(numeric[0]))
        records = self.records()
        columns = list(frame.columns)
        return result_html(
            f"{measure.capitalize()}: {len(frame)} rows",
            table_html(columns, [[r[c] for c in columns] for r in records]),
            chart,
            self.notes,
        )


def _plain(value: Any) -> Any:
    """JSON-ready value: NaN and ``pd.NA`` become ``None`` (JSON ``null``)."""
    return None if value is pd.NA else jsonable(value)


def parse_years(spec: str | int | Iterable[int]) -> list[int]:
    """``"2010-2019"``, ``"2015"``, ``"2010,2012"`` or an iterable → sorted list of years."""
    if isinstance(spec, int):
        return [spec]
    if not isinstance(spec, str):
        return sorted({int(y) for y in spec})
    years: set[int] = set()
    for part in spec.split(","):
        part = part.strip()
        lo, sep, hi = part.partition("-")
        try:
            a, b = (int(lo), int(hi)) if sep else (int(part), int(part))
        except ValueError:
            raise QueryError(f"'{part}' is not a year or a range Y1-Y2", field="years") from None
        if a > b:
            raise QueryError(f"year range '{part}' runs backwards", field="years")
        years.update(range(a, b + 1))
    return sorted(years)


def _codes(states: Sequence[str | int] | str, root: Root, notes: list[str]) -> list[int]:
    tokens = states.split(",") if isinstance(states, str) else [str(s) for s in states]
    res = resolver(root).resolve(tokens)
    notes += res.warnings
    return res.codes


def _provenance(measure: str, tables: list[str], root: Root, **options: Any) -> dict[str, Any]:
    return {
        "package": "minilateral",
        "version": package_version(),
        "measure": measure,
        "options": {k: _plain(v) for k, v in options.items()},
        "data_versions": data_versions(tables, root),
    }


def _vote_notes(
    rc: votes.RollCalls, frame: pd.DataFrame, years: list[int], name: Callable[[int], str]
) -> list[str]:
    notes = []
    per_year = rc.roll_calls_per_year()
    data_years = rc.years
    last = max(data_years)
    for y in years:
        if y not in per_year.index:
            why = "after the table's last year" if y > last else "no roll calls recorded"
            notes.append(f"{y}: {why} in {rc.table} (data end {last}); measures are null")
    few = frame[(frame["n"] < votes.MIN_JOINT)]
    for row in few.itertuples():
        if int(row.year) in per_year.index:
            notes.append(
                f"{row.year} {name(row.a)}–{name(row.b)}: only {row.n} joint roll calls "
                f"(< {votes.MIN_JOINT}); measures are null"
            )
    if 2022 in years or 2021 in years:
        notes.append(
            "no roll calls between 2021-12-24 and 2022-11-03 in un_votes_ccode "
            "(the March 2022 ES-11 Ukraine votes are missing)"
        )
    return notes


def dyads(
    states: Sequence[str | int] | str,
    years: str | Iterable[int],
    *,
    pooled: bool = False,
    table: str = "un_votes_ccode",
    root: Root = None,
) -> AlignmentResult:
    """UN voting agreement, S, κ and π of every pair of ``states``
    (``docs/alignment.md#the-fields-of-a-dyad-year``).

    Rows ``year, a, b, n`` and :data:`~minilateral.alignment.votes.DYAD_FIELDS`, with
    ``a < b`` (COW codes); one row per pair-year (or per pair when ``pooled``).
    """
    yrs = parse_years(years)  # options first: a bad option is reported before missing data
    notes: list[str] = []
    codes = _codes(states, root, notes)
    if len(codes) < 2:
        raise QueryError("name at least two states", field="states")
    rc = votes.load_votes(table, root)
    frame = votes.dyad_measures(rc, codes, yrs, pooled=pooled)
    if not pooled:
        iu = [(a, b) for k, a in enumerate(sorted(codes)) for b in sorted(codes)[k + 1 :]]
        grid = pd.DataFrame([(y, a, b) for y in yrs for a, b in iu], columns=["year", "a", "b"])
        frame = grid.merge(frame, on=["year", "a", "b"], how="left")
        frame["n"] = frame["n"].fillna(0).astype(np.int64)
    res = resolver(root)
    notes += _vote_notes(rc, frame, yrs, res.name)
    return AlignmentResult(
        frame, notes, _provenance("dyads", [table], root, states=codes, years=yrs, pooled=pooled)
    )


def ideal_points(
    years: str | Iterable[int],
    states: Sequence[str | int] | str | None = None,
    *,
    table: str = "un_votes_ccode",
    root: Root = None,
) -> AlignmentResult:
    """Yearly 1-D ideal points: ``year, ccode, x, z, n_votes`` (all states or ``states``).

    Model and algorithm: ``docs/alignment.md#ideal-points``.
    """
    notes: list[str] = []
    yrs = parse_years(years)
    rc = votes.load_votes(table, root)
    points, diag = _ideal_points(rc, yrs)
    if states is not None:
        codes = _codes(states, root, notes)
        points = points[points["ccode"].isin(codes)]
        for y in yrs:
            for c in codes:
                if not ((points["year"] == y) & (points["ccode"] == c)).any():
                    notes.append(
                        f"{y} {resolver(root).name(c)}: no ideal point (fewer than 20 "
                        "yes/no votes after filtering, or no roll calls)"
                    )
    for d in diag.itertuples():
        notes.append(
            f"{d.year}: {d.n_rollcalls} roll calls after F1, {d.n_states} states after "
            f"F2, {d.n_iter} ECM evaluations (SQUAREM), converged={d.converged}"
        )
    return AlignmentResult(
        points.reset_index(drop=True), notes, _provenance("ideal_points", [table], root, years=yrs)
    )


def capabilities(
    states: Sequence[str | int] | str | None, years: str | Iterable[int], *, root: Root = None
) -> AlignmentResult:
    """CINC (published and recomputed) and component shares (``docs/alignment.md#cinc``)."""
    notes: list[str] = []
    yrs = parse_years(years)
    table = indices.cinc_table(read_table("cow_nmc", root=root))
    frame = table[table["year"].isin(yrs)]
    if states is not None:
        codes = _codes(states, root, notes)
        frame = frame[frame["ccode"].isin(codes)]
        for y in yrs:
            for c in codes:
                if not ((frame["year"] == y) & (frame["ccode"] == c)).any():
                    notes.append(f"{y} {resolver(root).name(c)}: no NMC row (NMC v7.0 ends 2022)")
    for row in frame[frame["n_components"] < 6].itertuples():
        notes.append(
            f"{row.year} {resolver(root).name(row.ccode)}: CINC averages "
            f"{row.n_components} components (missing ones excluded, not zero)"
        )
    ranks = table.assign(rank=table.groupby("year")["cinc"].rank(ascending=False, method="min"))
    frame = frame.merge(ranks[["ccode", "year", "rank"]], on=["ccode", "year"], how="left")
    frame = frame.sort_values(["year", "cinc"], ascending=[True, False]).reset_index(drop=True)
    return AlignmentResult(frame, notes, _provenance("capabilities", ["cow_nmc"], root, years=yrs))


def autonomy(
    states: Sequence[str | int] | str,
    years: str | Iterable[int],
    *,
    with_ideal_points: bool = True,
    root: Root = None,
) -> AlignmentResult:
    """Strategic-autonomy index SAI and SAI_IP of each state and year
    (``docs/alignment.md#strategic-autonomy``)."""
    notes: list[str] = []
    yrs = parse_years(years)
    codes = _codes(states, root, notes)
    rc = votes.load_votes("un_votes_ccode", root)
    dy = votes.dyad_measures(rc, sorted(set(codes) | set(indices.POLES.values())), yrs)
    points = _ideal_points(rc, yrs)[0] if with_ideal_points else None
    frame = indices.autonomy_index(dy, points, codes)
    name = resolver(root).name
    for row in frame[frame["SAI"].isna()].itertuples():
        notes.append(
            f"{row.year} {name(row.state)}: SAI null (a pole affinity has n < 20 or no roll calls)"
        )
    return AlignmentResult(
        frame, notes, _provenance("autonomy", ["un_votes_ccode"], root, states=codes, years=yrs)
    )


def cohesion(
    group: Sequence[str | int] | str, years: str | Iterable[int], *, root: Root = None
) -> AlignmentResult:
    """Group cohesion: agreement, dispersion, bloc test and defection rates per year.

    Measures: ``docs/alignment.md#group-cohesion``.
    """
    notes: list[str] = []
    yrs = parse_years(years)
    codes = _codes(group, root, notes)
    rc = votes.load_votes("un_votes_ccode", root)
    points = _ideal_points(rc, yrs)[0]
    frame = indices.cohesion_table(rc, codes, yrs, points)
    for row in frame[frame["n6"] < votes.MIN_JOINT].itertuples():
        notes.append(
            f"{row.year}: only {row.n6} roll calls on which all members voted "
            "(< 20); bloc test and defection are null"
        )
    notes.append(
        "UNGA voting is a weak test of security alignment: read the trend "
        "of U − U0 and the defection rates"
    )
    return AlignmentResult(
        frame, notes, _provenance("cohesion", ["un_votes_ccode"], root, group=codes, years=yrs)
    )


def complementarity(
    states: Sequence[str | int] | str, year: int, *, root: Root = None
) -> AlignmentResult:
    """Capability complementarity K and K_raw of every pair
    (``docs/alignment.md#complementarity``)."""
    notes: list[str] = []
    codes = _codes(states, root, notes)
    table = indices.cinc_table(read_table("cow_nmc", root=root))
    frame = indices.complementarity_table(table, codes, int(year))
    for row in frame.itertuples():
        if len(row.components) < 6:
            notes.append(f"{year} {row.a}–{row.b}: components used {', '.join(row.components)}")
    if int(year) > int(table["year"].max()):
        notes.append(f"NMC v7.0 ends {int(table['year'].max())}; later years are null")
    return AlignmentResult(
        frame,
        notes,
        _provenance("complementarity", ["cow_nmc"], root, states=codes, year=int(year)),
    )


def balancing(
    coalition: Sequence[str | int] | str,
    year: int,
    *,
    candidates: Sequence[str | int] | str | None = None,
    root: Root = None,
) -> AlignmentResult:
    """Which states a coalition counter-balances in ``year`` (``docs/alignment.md#balancing``)."""
    notes: list[str] = []
    codes = _codes(coalition, root, notes)
    cands = list(DEFAULT_CANDIDATES) if candidates is None else _codes(candidates, root, notes)
    rc = votes.load_votes("un_votes_ccode", root)
    dy = votes.dyad_measures(rc, sorted(set(codes) | set(cands)), [int(year)])
    nmc = read_table("cow_nmc", root=root)
    frame, extra = indices.balancing_table(
        codes,
        cands,
        int(year),
        cinc=nmc,
        rivalries=read_table("tss_rivalries", root=root),
        dyads=dy,
        atop=read_table("atop_alliance", root=root),
    )
    if int(year) > 2022:
        notes.append("CINC runs to 2022: capability classes are unknown after that")
    if int(year) > 2020:
        notes.append("rivalries end in 2020 and are carried forward (coded ongoing)")
    notes.append(
        f"internal rivalries: {', '.join(extra['internal_rivalries']) or 'none'}; "
        f"mean internal kappa_sq: {extra['mean_internal_kappa_sq']}"
    )
    return AlignmentResult(
        frame,
        notes,
        _provenance(
            "balancing",
            ["cow_nmc", "tss_rivalries", "un_votes_ccode", "atop_alliance"],
            root,
            coalition=codes,
            year=int(year),
            candidates=cands,
        ),
    )


def portfolio_similarity(
    states: Sequence[str | int] | str, years: str | Iterable[int], *, root: Root = None
) -> AlignmentResult:
    """ATOP alliance-portfolio similarity S_atop and S_atop_cinc of every pair
    (``docs/alignment.md#atop-portfolio-similarity``)."""
    notes: list[str] = []
    yrs = parse_years(years)
    codes = _codes(states, root, notes)
    frame = indices.atop_similarity(
        read_table("atop_alliance", root=root), read_table("cow_nmc", root=root), codes, yrs
    )
    late = [y for y in yrs if y > 2018]
    if late:
        notes.append(f"ATOP v5.1 ends 2018: {late[0]}–{late[-1]} are null (not carried forward)")
    return AlignmentResult(
        frame,
        notes,
        _provenance(
            "portfolio_similarity", ["atop_alliance", "cow_nmc"], root, states=codes, years=yrs
        ),
    )
