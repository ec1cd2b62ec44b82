r"""Codings of a panel: validation, the coder × cell arrays, aggregation and round summaries.

A *coding* is one coder's judgement of every cell of a scenario: for each actor and each issue
the actor takes part in, a position (on the issue's scale) and a salience (on [0, 1]),
optionally a plausible range ``[low, high]`` around the position and a short rationale; and
for each actor a capability (non-negative, the scenario's own units). A coding must cover every
participating cell and every actor: a missing cell is an error, never silently filled.

:class:`PanelData` holds K codings as arrays of shape (K, N, D) (positions, salience) and
(K, N) (capability), ``NaN`` where a coder left nothing (only possible for data assembled from
incomplete tables, never from validated codings). :func:`aggregate` turns them into a
scenario: the median of the coders per cell by default, the mean or the symmetric trimmed mean
(``trim`` share cut from each end, :func:`scipy.stats.trim_mean`) as options, and an
``uncertainty:`` block fitted to the coders' spread (:func:`fitted_uncertainty`).
"""

from __future__ import annotations

import csv
import io
import math
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from minilateral.errors import FormatError, OptionError
from minilateral.scenario import Scenario

__all__ = [
    "AGGREGATES",
    "ActorCoding",
    "CellCoding",
    "Coding",
    "PanelData",
    "aggregate",
    "fitted_uncertainty",
    "parse_coding",
    "read_coding",
    "round_summary",
    "validate_coding",
]

AGGREGATES = ("median", "mean", "trimmed")
Aggregate = Literal["median", "mean", "trimmed"]


class CellCoding(BaseModel):
    """One coder's judgement of one actor on one issue."""

    model_config = ConfigDict(extra="forbid")

    actor: str
    issue: str
    position: float = Field(allow_inf_nan=False)
    salience: float = Field(allow_inf_nan=False)
    low: float | None = Field(default=None, allow_inf_nan=False)
    high: float | None = Field(default=None, allow_inf_nan=False)
    rationale: str = Field(default="", max_length=2000)


class ActorCoding(BaseModel):
    """One coder's judgement of one actor's capability."""

    model_config = ConfigDict(extra="forbid")

    actor: str
    capability: float = Field(allow_inf_nan=False)
    rationale: str = Field(default="", max_length=2000)


class Coding(BaseModel):
    """One coder's coding of a whole scenario (what a coder submits in a round)."""

    model_config = ConfigDict(extra="forbid")

    cells: list[CellCoding]
    actors: list[ActorCoding]

    def cell(self, actor: str, issue: str) -> CellCoding | None:
        """The coding of one cell, if present."""
        for c in self.cells:
            if c.actor == actor and c.issue == issue:
                return c
        return None


def _err(message: str, source: str | None, row: int | str | None, field: str) -> FormatError:
    return FormatError(message, path=source, row=row, field=field, exit_code=2)


def validate_coding(
    scenario: Scenario, coding: Coding | Mapping[str, Any], *, source: str | None = None
) -> Coding:
    """Check a coding against the scenario's actors, issues and scales.

    Raises
    ------
    FormatError
        An unknown actor or issue, a cell the actor takes no part in, a duplicate, a value
        outside its scale (position outside the issue's ``[lo, hi]``, salience outside [0, 1],
        negative capability, a range that does not contain the position), or a missing cell or
        actor. The message names the cell (``row``) and the field.
    """
    if not isinstance(coding, Coding):
        try:
            coding = Coding.model_validate(coding)
        except Exception as err:  # pydantic's ValidationError, reworded
            detail: list[Any] = getattr(err, "errors", lambda: [])()
            if detail:
                first = detail[0]
                loc = ".".join(str(p) for p in first["loc"])
                raise _err(first["msg"], source, loc, str(first["loc"][-1])) from None
            raise _err(str(err), source, None, "coding") from None
    issues = {q.name: q for q in scenario.issues}
    actors = {a.name: a for a in scenario.actors}
    seen: set[tuple[str, str]] = set()
    for c in coding.cells:
        row = f"{c.actor} / {c.issue}"
        if c.actor not in actors:
            raise _err(f"unknown actor '{c.actor}'", source, row, "actor")
        if c.issue not in issues:
            raise _err(f"unknown issue '{c.issue}'", source, row, "issue")
        if c.issue not in actors[c.actor].positions:
            raise _err(f"{c.actor} takes no part in issue '{c.issue}'", source, row, "issue")
        if (c.actor, c.issue) in seen:
            raise _err("this cell is coded twice", source, row, "issue")
        seen.add((c.actor, c.issue))
        q = issues[c.issue]
        if not q.lo <= c.position <= q.hi:
            raise _err(
                f"position {c.position:g} is outside the issue's scale {q.lo:g} to {q.hi:g}",
                source,
                row,
                "position",
            )
        if not 0.0 <= c.salience <= 1.0:
            raise _err(f"salience {c.salience:g} is outside 0 to 1", source, row, "salience")
        if (c.low is None) != (c.high is None):
            raise _err("a plausible range needs both low and high", source, row, "low")
        if (
            c.low is not None
            and c.high is not None
            and not q.lo <= c.low <= c.position <= c.high <= q.hi
        ):
            raise _err(
                f"the range {c.low:g} to {c.high:g} must contain the position "
                f"{c.position:g} and lie on the scale {q.lo:g} to {q.hi:g}",
                source,
                row,
                "low",
            )
    missing = [
        f"{a.name} / {issue}"
        for a in scenario.actors
        for issue in a.positions
        if (a.name, issue) not in seen
    ]
    if missing:
        raise _err(
            f"{len(missing)} {'cell' if len(missing) == 1 else 'cells'} not coded: "
            f"{', '.join(missing[:6])}" + (" …" if len(missing) > 6 else ""),
            source,
            missing[0],
            "position",
        )
    coded: set[str] = set()
    for a in coding.actors:
        if a.actor not in actors:
            raise _err(f"unknown actor '{a.actor}'", source, a.actor, "actor")
        if a.actor in coded:
            raise _err("this actor's capability is coded twice", source, a.actor, "capability")
        if a.capability < 0:
            raise _err(f"capability {a.capability:g} is negative", source, a.actor, "capability")
        coded.add(a.actor)
    lacking = [name for name in actors if name not in coded]
    if lacking:
        raise _err(
            f"capability not coded for {', '.join(lacking)}", source, lacking[0], "capability"
        )
    return coding


_CSV_FIELDS = ("actor", "issue", "position", "salience", "capability", "low", "high", "rationale")


def _number(text: str, source: str | None, line: int, field: str) -> float | None:
    text = text.strip()
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        raise _err(f"'{text}' is not a number", source, line, field) from None
    if not math.isfinite(value):
        raise _err(f"'{text}' is not a finite number", source, line, field)
    return value


def parse_coding(text: str, *, fmt: str, source: str | None = None) -> dict[str, Any]:
    """A coding document from CSV or YAML text (not yet validated against a scenario).

    CSV: a header with ``actor, issue, position, salience`` and optionally ``capability, low,
    high, rationale``; one row per cell. An actor's capability may stand on any of its rows
    (rows with a blank issue carry only a capability); values given twice must agree.
    YAML/JSON: ``{cells: [{actor, issue, position, salience, low, high, rationale}], actors:
    [{actor, capability, rationale}]}``.
    """
    if fmt in ("yaml", "yml", "json"):
        import yaml

        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as err:
            raise _err(f"not valid YAML: {err}", source, None, "coding") from None
        if not isinstance(data, dict):
            raise _err(
                "a coding file holds a mapping with 'cells' and 'actors'", source, 1, "cells"
            )
        return data
    if fmt != "csv":
        raise OptionError(f"unknown coding format '{fmt}' (csv, yaml)", field="format")
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip() for h in (reader.fieldnames or [])]
    for need in ("actor", "issue", "position", "salience"):
        if need not in header:
            raise _err(f"the header lacks the column '{need}'", source, 1, need)
    unknown = [h for h in header if h not in _CSV_FIELDS]
    if unknown:
        raise _err(f"unknown column(s) {', '.join(unknown)}", source, 1, unknown[0])
    cells: list[dict[str, Any]] = []
    caps: dict[str, dict[str, Any]] = {}
    for line, raw in enumerate(reader, start=2):
        row = {(k or "").strip(): (v or "") for k, v in raw.items()}
        actor = row.get("actor", "").strip()
        if not actor:
            raise _err("the actor is blank", source, line, "actor")
        cap = _number(row.get("capability", ""), source, line, "capability")
        if cap is not None:
            if actor in caps and caps[actor]["capability"] != cap:
                raise _err(
                    f"{actor}'s capability differs from an earlier row", source, line, "capability"
                )
            caps[actor] = {"actor": actor, "capability": cap}
        issue = row.get("issue", "").strip()
        if not issue:
            continue
        cell: dict[str, Any] = {"actor": actor, "issue": issue}
        for name in ("position", "salience", "low", "high"):
            value = _number(row.get(name, ""), source, line, name)
            if value is None and name in ("position", "salience"):
                raise _err(f"the {name} is blank", source, line, name)
            if value is not None:
                cell[name] = value
        if row.get("rationale", "").strip():
            cell["rationale"] = row["rationale"].strip()
        cells.append(cell)
    return {"cells": cells, "actors": list(caps.values())}


def read_coding(path: str | Path, scenario: Scenario) -> Coding:
    """Read and validate a coding file (``.csv``, ``.yaml``, ``.yml`` or ``.json``)."""
    path = Path(path)
    fmt = path.suffix.lower().lstrip(".")
    text = path.read_text(encoding="utf-8-sig")
    return validate_coding(
        scenario, parse_coding(text, fmt=fmt, source=str(path)), source=str(path)
    )


def coding_from_scenario(scenario: Scenario) -> Coding:
    """The scenario's own values as a coding (a starting point for a coder's form)."""
    return Coding(
        cells=[
            CellCoding(actor=a.name, issue=q, position=a.positions[q], salience=a.salience[q])
            for a in scenario.actors
            for q in a.positions
        ],
        actors=[ActorCoding(actor=a.name, capability=a.capability) for a in scenario.actors],
    )


@dataclass(frozen=True)
class PanelData:
    """K codings of one scenario as arrays.

    Attributes
    ----------
    coders : tuple of str
        Coder labels (pseudonyms), length K.
    actors, issues : tuple of str
        The scenario's actors (N) and issues (D).
    lo, hi : ndarray of shape (D,)
        Issue scales.
    mask : ndarray of bool, shape (N, D)
        Participating cells.
    positions, salience : ndarray of shape (K, N, D)
        Coded values (scale units; salience on [0, 1]); ``NaN`` where absent.
    capability : ndarray of shape (K, N)
        Coded capabilities.
    """

    coders: tuple[str, ...]
    actors: tuple[str, ...]
    issues: tuple[str, ...]
    lo: np.ndarray
    hi: np.ndarray
    mask: np.ndarray
    positions: np.ndarray
    salience: np.ndarray
    capability: np.ndarray

    @classmethod
    def from_codings(
        cls, scenario: Scenario, codings: Mapping[str, Coding] | Sequence[tuple[str, Coding]]
    ) -> PanelData:
        """Stack validated codings (coder label → coding) in coder order."""
        items = list(codings.items()) if isinstance(codings, Mapping) else list(codings)
        if not items:
            raise OptionError("the panel has no codings yet", field="codings")
        actors = tuple(scenario.actor_names)
        issues = tuple(scenario.issue_names)
        k, n, d = len(items), len(actors), len(issues)
        ai = {a: i for i, a in enumerate(actors)}
        qi = {q: j for j, q in enumerate(issues)}
        pos, sal, cap = (
            np.full((k, n, d), np.nan),
            np.full((k, n, d), np.nan),
            np.full((k, n), np.nan),
        )
        for c, (_, coding) in enumerate(items):
            for cell in coding.cells:
                pos[c, ai[cell.actor], qi[cell.issue]] = cell.position
                sal[c, ai[cell.actor], qi[cell.issue]] = cell.salience
            for a in coding.actors:
                cap[c, ai[a.actor]] = a.capability
        mask = np.array([[q in a.positions for q in issues] for a in scenario.actors], dtype=bool)
        return cls(
            coders=tuple(label for label, _ in items),
            actors=actors,
            issues=issues,
            lo=np.array([q.lo for q in scenario.issues]),
            hi=np.array([q.hi for q in scenario.issues]),
            mask=mask,
            positions=pos,
            salience=sal,
            capability=cap,
        )

    @property
    def unit_positions(self) -> np.ndarray:
        """Positions on the unit scale ``(x − lo)/(hi − lo)``, shape (K, N, D)."""
        return (self.positions - self.lo) / (self.hi - self.lo)


def _centre(values: np.ndarray, method: str, trim: float, axis: int = 0) -> np.ndarray:
    if method in ("median", "mean"):
        with warnings.catch_warnings():  # cells nobody coded stay NaN
            warnings.simplefilter("ignore", RuntimeWarning)
            return (np.nanmedian if method == "median" else np.nanmean)(values, axis=axis)
    if method == "trimmed":
        if not 0.0 <= trim < 0.5:
            raise OptionError(f"trim must lie in [0, 0.5), got {trim:g}", field="trim")
        from scipy.stats import trim_mean

        moved = np.moveaxis(values, axis, 0)
        out = np.full(moved.shape[1:], np.nan)
        for idx in np.ndindex(*moved.shape[1:]):
            col = moved[(slice(None), *idx)]
            col = col[~np.isnan(col)]
            if col.size:
                out[idx] = trim_mean(col, trim)
        return out
    raise OptionError(
        f"unknown aggregate '{method}' (choose from {', '.join(AGGREGATES)})", field="method"
    )


def fitted_uncertainty(data: PanelData) -> dict[str, Any]:
    """An ``uncertainty:`` block fitted to the coders' spread, cell by cell.

    Position and salience of each participating cell get a truncated normal whose standard
    deviation is the coders' sample standard deviation (``ddof=1``; positions on the unit scale,
    as the block expects); capability gets a median-preserving lognormal factor with σ the
    sample standard deviation of the coders' log capabilities (0 when any is 0). Cells where
    all coders agree get no noise. One coder gives no spread: every entry is then 0.
    """
    k = len(data.coders)
    ddof = 1 if k > 1 else 0
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # cells nobody coded stay NaN
        sd_pos = np.nan_to_num(np.nanstd(data.unit_positions, axis=0, ddof=ddof))
        sd_sal = np.nan_to_num(np.nanstd(data.salience, axis=0, ddof=ddof))
        logs = np.log(np.where(data.capability > 0, data.capability, np.nan))
        sig = np.nan_to_num(np.nanstd(logs, axis=0, ddof=ddof))
    cells: dict[str, dict[str, Any]] = {}
    for i, actor in enumerate(data.actors):
        for j, issue in enumerate(data.issues):
            if data.mask[i, j]:
                cells.setdefault(actor, {})[issue] = {
                    "positions": {"dist": "truncnormal", "sd": round(float(sd_pos[i, j]), 6)},
                    "salience": {"dist": "truncnormal", "sd": round(float(sd_sal[i, j]), 6)},
                }
    return {
        "actors": {
            actor: {"capability": {"dist": "lognormal", "sigma": round(float(sig[i]), 6)}}
            for i, actor in enumerate(data.actors)
        },
        "cells": cells,
    }


def aggregate(
    scenario: Scenario,
    data: PanelData,
    *,
    method: Aggregate | str = "median",
    trim: float = 0.2,
    uncertainty: bool = True,
    title: str | None = None,
) -> Scenario:
    """The panel's scenario: each cell the ``method`` of the coders' values.

    Positions, saliences and capabilities are replaced; everything else (issues, sources,
    per-issue capabilities, options) is kept. With ``uncertainty=True`` the scenario's
    ``uncertainty:`` block becomes :func:`fitted_uncertainty` of the panel.
    """
    pos = _centre(data.positions, method, trim)
    sal = np.clip(_centre(data.salience, method, trim), 0.0, 1.0)
    cap = np.maximum(_centre(data.capability, method, trim), 0.0)
    payload = scenario.model_dump(mode="json")
    for i, actor in enumerate(payload["actors"]):
        for j, issue in enumerate(data.issues):
            if issue in actor["positions"]:
                actor["positions"][issue] = round(float(pos[i, j]), 6)
                actor["salience"][issue] = round(float(sal[i, j]), 6)
        actor["capability"] = round(float(cap[i]), 6)
    if uncertainty:
        payload["uncertainty"] = fitted_uncertainty(data)
    if title:
        payload["title"] = title
    return Scenario.model_validate(payload)


def round_summary(
    data: PanelData,
    rationales: Mapping[tuple[str, str], Sequence[str]] | None = None,
    ranges: Mapping[tuple[str, str], Sequence[tuple[float, float]]] | None = None,
) -> dict[str, Any]:
    """The anonymised summary of a closed round: per cell the median, quartiles and range of
    the coders' values, the medians of the plausible ranges coders gave (``plausible``, or
    ``None`` when nobody gave one) and their rationales, with no coder named.

    Rationales are sorted alphabetically, so their order reveals nothing about who wrote them.
    """
    rationales = rationales or {}
    ranges = ranges or {}

    def plausible(pairs: Sequence[tuple[float, float]]) -> dict[str, float | int] | None:
        if not pairs:
            return None
        lows, highs = zip(*pairs, strict=True)
        return {
            "n": len(pairs),
            "low": round(float(np.median(lows)), 6),
            "high": round(float(np.median(highs)), 6),
        }

    def stats(values: np.ndarray) -> dict[str, float | int]:
        v = values[~np.isnan(values)]
        q1, med, q3 = np.quantile(v, [0.25, 0.5, 0.75])
        return {
            "n": int(v.size),
            "median": round(float(med), 6),
            "q1": round(float(q1), 6),
            "q3": round(float(q3), 6),
            "min": round(float(v.min()), 6),
            "max": round(float(v.max()), 6),
        }

    cells = []
    for i, actor in enumerate(data.actors):
        for j, issue in enumerate(data.issues):
            if not data.mask[i, j]:
                continue
            cells.append(
                {
                    "actor": actor,
                    "issue": issue,
                    "position": stats(data.positions[:, i, j]),
                    "salience": stats(data.salience[:, i, j]),
                    "plausible": plausible(ranges.get((actor, issue), [])),
                    "rationales": sorted(r for r in rationales.get((actor, issue), []) if r),
                }
            )
    actors = [
        {
            "actor": actor,
            "capability": stats(data.capability[:, i]),
            "rationales": sorted(r for r in rationales.get((actor, ""), []) if r),
        }
        for i, actor in enumerate(data.actors)
    ]
    return {"coders": len(data.coders), "cells": cells, "actors": actors}
