"""Summaries of a sweep: outcome quantiles, band probabilities, convergence; an HTML report.

The report is one self-contained HTML file (Plotly's JavaScript is embedded, so it makes no
network request) with one histogram of the forecast per issue.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from minilateral.errors import OptionError
from minilateral.montecarlo.engine import SweepResult, load_sweep

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["QUANTILES", "IssueSummary", "SweepSummary", "summarize_sweep"]

QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)


@dataclass(frozen=True)
class IssueSummary:
    """The distribution of one issue's forecast over the draws.

    Attributes
    ----------
    name : str
        Issue name.
    lo, hi : float
        The issue's scale.
    mean, sd : float
        Mean and standard deviation of the forecast (draws with a forecast only).
    quantiles : dict of float to float
        Forecast quantiles (linear interpolation, NumPy's default).
    bands : list of (float, float, float)
        ``(band_lo, band_hi, probability)`` for equal-width bands of the scale; the last band is
        closed. Probabilities are shares of the draws with a forecast and sum to 1.
    missing : float
        Share of draws without a forecast (NaN outcome).
    values : ndarray
        The forecasts of every draw (for histograms).
    """

    name: str
    lo: float
    hi: float
    lo_label: str | None
    hi_label: str | None
    mean: float
    sd: float
    quantiles: dict[float, float]
    bands: list[tuple[float, float, float]]
    missing: float
    values: np.ndarray

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (without the raw values)."""
        return {
            "issue": self.name,
            "scale": [self.lo, self.hi],
            "mean": self.mean,
            "sd": self.sd,
            "quantiles": {f"{q:g}": v for q, v in self.quantiles.items()},
            "bands": [{"lo": a, "hi": b, "probability": p} for a, b, p in self.bands],
            "missing": self.missing,
        }


@dataclass(frozen=True)
class SweepSummary:
    """Per-issue outcome distributions and the convergence share of a sweep."""

    sweep: SweepResult
    draws: int
    converged: float
    issues: list[IssueSummary]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form: draws, convergence share, per-issue summaries and the manifest."""
        m = self.sweep.manifest
        return {
            "sweep": str(self.sweep.path),
            "model": m["model"],
            "options": m["options"],
            "seed": m["seed"],
            "draws": self.draws,
            "complete": self.sweep.complete,
            "converged_share": self.converged,
            "issues": [s.to_dict() for s in self.issues],
        }

    def to_frame(self) -> pd.DataFrame:
        """One row per issue: ``issue``, ``lo``, ``hi``, ``mean``, ``sd``, the quantiles
        (columns ``q0.05``, ...) and ``missing`` (draws without an outcome)."""
        import pandas as pd

        return pd.DataFrame(
            [
                {
                    "issue": s.name,
                    "lo": s.lo,
                    "hi": s.hi,
                    "mean": s.mean,
                    "sd": s.sd,
                    **{f"q{q:g}": v for q, v in s.quantiles.items()},
                    "missing": s.missing,
                }
                for s in self.issues
            ]
        )

    def _repr_html_(self) -> str:
        """Jupyter: each issue's mean and spread, and a bar chart of the means (share of scale)."""
        from minilateral.presentation.display import bar_svg, result_html, table_html

        frame = self.to_frame()
        cols = [c for c in frame.columns if c not in ("lo", "hi")]
        shares = [
            (s.mean - s.lo) / (s.hi - s.lo) if s.hi > s.lo else float("nan") for s in self.issues
        ]
        model = self.sweep.manifest.get("model", "")
        return result_html(
            f"Sweep of {model}: {self.draws} draws, {100 * self.converged:.0f} % converged",
            table_html(cols, frame[cols].values.tolist()),
            bar_svg(list(frame["issue"]), shares, title="Mean outcome, share of scale", hi=1.0),
        )


def summarize_sweep(
    sweep: SweepResult | str | Path,
    *,
    bands: int = 5,
    quantiles: tuple[float, ...] = QUANTILES,
) -> SweepSummary:
    """Summarise the forecasts of a sweep (complete or not: the draws written so far).

    Parameters
    ----------
    sweep : SweepResult, str or Path
        The sweep or its directory.
    bands : int, default=5
        Number of equal-width outcome bands per issue scale.
    quantiles : tuple of float
        Quantile levels in [0, 1].

    Examples
    --------
    >>> import tempfile, minilateral as ml
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     done = ml.sweep("gaza", "compromise", draws=200, seed=1, out=tmp + "/s")
    ...     summary = ml.summarize_sweep(done, bands=4)
    >>> summary.draws, len(summary.issues[0].bands)
    (200, 4)
    """
    if bands < 1:
        raise OptionError(f"bands must be at least 1, got {bands}", field="bands")
    if any(not 0.0 <= q <= 1.0 for q in quantiles):
        raise OptionError("quantile levels must lie in [0, 1]", field="quantiles")
    result = sweep if isinstance(sweep, SweepResult) else load_sweep(sweep)
    columns = result.manifest["columns"]["outcomes"]
    table = result.table([*columns, "converged"])
    draws = table.num_rows
    summaries = []
    for issue, column in zip(result.issues, columns, strict=True):
        values = table.column(column).to_numpy(zero_copy_only=False).astype(np.float64)
        ok = values[~np.isnan(values)]
        edges = np.linspace(issue["lo"], issue["hi"], bands + 1)
        counts, _ = np.histogram(ok, bins=edges)
        share = counts / ok.size if ok.size else np.full(bands, np.nan)
        summaries.append(
            IssueSummary(
                name=issue["name"],
                lo=issue["lo"],
                hi=issue["hi"],
                lo_label=issue.get("lo_label"),
                hi_label=issue.get("hi_label"),
                mean=float(ok.mean()) if ok.size else float("nan"),
                sd=float(ok.std(ddof=1)) if ok.size > 1 else float("nan"),
                quantiles={
                    q: float(v)
                    for q, v in zip(
                        quantiles,
                        np.quantile(ok, quantiles) if ok.size else [np.nan] * len(quantiles),
                        strict=True,
                    )
                },
                bands=[
                    (float(a), float(b), float(p))
                    for a, b, p in zip(edges[:-1], edges[1:], share, strict=True)
                ],
                missing=float(1.0 - ok.size / draws),
                values=values,
            )
        )
    converged = float(table.column("converged").to_numpy(zero_copy_only=False).mean())
    return SweepSummary(sweep=result, draws=draws, converged=converged, issues=summaries)
