"""Reliability of a panel: alpha overall and per field, actor and issue; ICC; disagreement.

Positions are put on the unit scale ``(x − lo)/(hi − lo)`` before they are pooled, so that
issues on different scales weigh alike; salience already lies on [0, 1]. Units of the
reliability tables are cells (actor × issue) for positions and salience and actors for
capability. "Overall" pools the position and salience units. The intraclass correlations are
computed on the position cells when every coder coded every cell (else they are omitted).

Disagreement of a cell is the coders' standard deviation on the unit scale (``ddof=0``, so one
coder gives 0); a coder's disagreement is their mean absolute deviation from the cell medians.
"""

from __future__ import annotations

import math
import warnings
from typing import Any, TypedDict

import numpy as np

from minilateral.panels.codings import PanelData
from minilateral.panels.reliability import LEVELS, icc, krippendorff_alpha

__all__ = ["brief_data", "disagreement", "reliability_report"]


class _CellSpread(TypedDict):
    """One disputed cell: the coders' standard deviations of its position and salience."""

    actor: str
    issue: str
    position_sd: float | None
    salience_sd: float | None


class _CoderSpread(TypedDict):
    """One coder's mean absolute deviation from the cell medians."""

    coder: str
    deviation: float | None


def _num(value: float) -> float | None:
    return None if value is None or not math.isfinite(value) else round(float(value), 6)


def _alpha(table: np.ndarray, level: str) -> float | None:
    if table.shape[1] == 0:
        return None
    return _num(krippendorff_alpha(table, level))


def disagreement(data: PanelData) -> dict[str, np.ndarray]:
    """Per-cell spread: ``positions`` and ``salience`` (N, D) sd on the unit scale (NaN where
    the actor takes no part) and ``coders`` (K,) mean absolute deviation from the medians."""
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # cells nobody coded stay NaN
        unit = data.unit_positions
        sd_pos = np.where(data.mask, np.nanstd(unit, axis=0), np.nan)
        sd_sal = np.where(data.mask, np.nanstd(data.salience, axis=0), np.nan)
        dev_pos = np.abs(unit - np.nanmedian(unit, axis=0))[:, data.mask]
        dev_sal = np.abs(data.salience - np.nanmedian(data.salience, axis=0))[:, data.mask]
        coders = np.nanmean(np.concatenate([dev_pos, dev_sal], axis=1), axis=1)
    return {"positions": sd_pos, "salience": sd_sal, "coders": coders}


def reliability_report(data: PanelData, level: str = "interval", top: int = 10) -> dict[str, Any]:
    """Alpha overall, per field, per actor and per issue; ICC; the most disputed cells and
    coders. JSON-ready (``None`` where a value is undefined)."""
    if level not in LEVELS:
        from minilateral.errors import OptionError

        raise OptionError(
            f"unknown level '{level}' (choose from {', '.join(LEVELS)})", field="level"
        )
    k = len(data.coders)
    unit = data.unit_positions
    pos = unit[:, data.mask]  # (K, cells)
    sal = data.salience[:, data.mask]
    cells = [
        (a, q)
        for i, a in enumerate(data.actors)
        for j, q in enumerate(data.issues)
        if data.mask[i, j]
    ]
    fields = {
        "positions": _alpha(pos, level),
        "salience": _alpha(sal, level),
        "capability": _alpha(data.capability, level),
    }
    by_actor = {}
    for i, actor in enumerate(data.actors):
        m = data.mask[i]
        by_actor[actor] = _alpha(
            np.concatenate([unit[:, i, m], data.salience[:, i, m]], axis=1), level
        )
    by_issue = {}
    for j, issue in enumerate(data.issues):
        m = data.mask[:, j]
        by_issue[issue] = _alpha(
            np.concatenate([unit[:, m, j], data.salience[:, m, j]], axis=1), level
        )
    icc_block: dict[str, float | None] | None = None
    if k >= 2 and pos.shape[1] >= 2 and not np.isnan(pos).any():
        icc_block = {key: _num(v) for key, v in icc(pos.T).items()}
    spread = disagreement(data)
    ranked = sorted(
        (
            _CellSpread(
                actor=a,
                issue=q,
                position_sd=_num(spread["positions"][data.actors.index(a), data.issues.index(q)]),
                salience_sd=_num(spread["salience"][data.actors.index(a), data.issues.index(q)]),
            )
            for a, q in cells
        ),
        key=lambda c: -(c["position_sd"] or 0.0) - (c["salience_sd"] or 0.0),
    )
    coders = sorted(
        (
            _CoderSpread(coder=c, deviation=_num(v))
            for c, v in zip(data.coders, spread["coders"], strict=True)
        ),
        key=lambda c: -(c["deviation"] or 0.0),
    )
    return {
        "level": level,
        "coders": k,
        "units": len(cells),
        "alpha": _alpha(np.concatenate([pos, sal], axis=1), level),
        "fields": fields,
        "actors": by_actor,
        "issues": by_issue,
        "icc": icc_block,
        "heatmap": {
            "actors": list(data.actors),
            "issues": list(data.issues),
            "positions": [[_num(v) for v in row] for row in spread["positions"]],
            "salience": [[_num(v) for v in row] for row in spread["salience"]],
        },
        "disputed_cells": ranked[:top],
        "coder_deviation": coders,
    }


def brief_data(data: PanelData, level: str = "interval", top: int = 5) -> dict[str, Any]:
    """What a brief's panel section shows: who coded, alpha, and where coders disagree.

    Returns ``{"coders": [...labels], "alpha": float | None, "level": str, "fields": {...},
    "disputed_cells": [{"actor", "issue", "position_sd", "salience_sd"}, ...]}``; the labels
    are whatever the caller stacked into ``data`` (names or pseudonyms).
    """
    report = reliability_report(data, level, top=top)
    return {
        "coders": list(data.coders),
        "alpha": report["alpha"],
        "level": level,
        "fields": report["fields"],
        "disputed_cells": report["disputed_cells"],
    }
