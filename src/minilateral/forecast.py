"""The result of running a model on a batch of scenarios."""

from __future__ import annotations

import csv
import io
import json
import math
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from minilateral.arrays import BoolArray, FloatArray, IntArray

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "Forecast",
    "dumps_json",
    "jsonable",
]


def jsonable(value: Any) -> Any:
    """Convert NumPy values into JSON-ready Python values (NaN and ±inf become null)."""
    if isinstance(value, np.ndarray):
        return jsonable(value.tolist())
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        return float(value) if math.isfinite(value) else None
    return value


def dumps_json(value: Any, **kwargs: Any) -> str:
    """``json.dumps`` of :func:`jsonable` ``(value)`` with ``allow_nan=False``: always valid JSON.

    NaN and infinities become ``null``; ``kwargs`` go to :func:`json.dumps` (``indent``,
    ``default``, ``separators``, ...).

    >>> dumps_json({"a": float("nan"), "b": [1.5, float("inf")]})
    '{"a": null, "b": [1.5, null]}'
    """
    return json.dumps(jsonable(value), allow_nan=False, **kwargs)


@dataclass(frozen=True)
class Forecast:
    """Outcome (and, for dynamic models, the trajectory) of one model on a batch.

    Attributes
    ----------
    model : str
        Registered model name.
    options : dict
        The model's options as used.
    outcome : ndarray of shape (B, D)
        Forecast per issue on each issue's own scale; NaN where the model gives no forecast.
    actors, issues : tuple of str
        Names in input order.
    rounds : ndarray of int, shape (B,)
        Rounds played (0 for static models).
    converged : ndarray of bool, shape (B,)
        Whether the stopping rule was met (always True for static models).
    trajectory : ndarray of shape (T + 1, B, N, D) or None
        Positions per round on each issue's own scale, round 0 = input, NaN for a
        non-participating cell. Rounds after a batch member stopped repeat its final state.
    diagnostics : dict
        Model-specific extra output (e.g. BDM's per-round median), JSON-ready per batch member
        where the model says so.
    provenance : dict
        Package version, model, options, seed, input hash, data versions and time.
    """

    model: str
    options: dict[str, Any]
    outcome: FloatArray
    actors: tuple[str, ...]
    issues: tuple[str, ...]
    rounds: IntArray
    converged: BoolArray
    trajectory: FloatArray | None = None
    diagnostics: dict[str, Any] = field(default_factory=dict)
    provenance: dict[str, Any] = field(default_factory=dict)

    @property
    def batch_size(self) -> int:
        """B, the number of scenarios forecast."""
        return int(self.outcome.shape[0])

    def with_provenance(self, **entries: Any) -> Forecast:
        """A copy whose provenance is extended by ``entries``."""
        return replace(self, provenance={**self.provenance, **entries})

    def to_dict(self, index: int = 0, *, scenario: dict[str, Any] | None = None) -> dict[str, Any]:
        """The JSON form of batch member ``index``.

        Keys: ``model``, ``options``, ``scenario`` (title and sha256), ``issues``, ``actors``,
        ``outcome``, ``rounds``, ``converged``, ``trajectory`` (dynamic models only),
        model-specific diagnostics, and ``provenance``.
        """
        out: dict[str, Any] = {
            "model": self.model,
            "options": jsonable(self.options),
            "scenario": scenario or {},
            "issues": list(self.issues),
            "actors": list(self.actors),
            "outcome": jsonable(self.outcome[index]),
            "rounds": int(self.rounds[index]),
            "converged": bool(self.converged[index]),
        }
        if self.trajectory is not None:
            out["trajectory"] = jsonable(self._played(index))
        for key, value in self.diagnostics.items():
            out[key] = jsonable(value[index] if isinstance(value, list | np.ndarray) else value)
        out["provenance"] = jsonable(self.provenance)
        return out

    def _played(self, index: int) -> FloatArray:
        """The rounds batch member ``index`` played, (rounds + 1, N, D); needs a trajectory."""
        assert self.trajectory is not None
        return self.trajectory[: int(self.rounds[index]) + 1, index]

    def trajectory_csv(self, index: int = 0, *, source: str = "") -> str:
        """Trajectory of batch member ``index`` in the CSV format of
        ``docs/scenario-format.md#trajectory-csv``.

        Positions are on each issue's own scale, ``%.6f``; a non-participating cell is empty.
        A static model has no trajectory: ``ValueError``.
        """
        if self.trajectory is None:
            raise ValueError(f"model '{self.model}' is static and has no trajectory")
        traj = self._played(index)
        turns = traj.shape[0] - 1
        n, d = traj.shape[1], traj.shape[2]
        options = " ".join(f"{k}={v}" for k, v in self.options.items())
        buf = io.StringIO()
        buf.write(
            f"# minilateral {self.model} trajectory, positions on each issue's own scale; "
            f"N={n} D={d} states={turns + 1} turns={turns}; source={source}; options: {options}\n"
        )
        writer = csv.writer(buf, lineterminator="\n")
        writer.writerow(["turn", "actor", "name", *[f"d{q}" for q in range(d)]])
        for t in range(turns + 1):
            for i in range(n):
                cells = ["" if np.isnan(v) else f"{v:.6f}" for v in traj[t, i]]
                writer.writerow([t, i, self.actors[i].strip(), *cells])
        return buf.getvalue()

    def write_trajectory_csv(self, path: str | Path, index: int = 0, *, source: str = "") -> None:
        """Write :meth:`trajectory_csv` to ``path``."""
        Path(path).write_text(self.trajectory_csv(index, source=source), encoding="utf-8")

    def to_frame(self, index: int | None = None) -> pd.DataFrame:
        """The outcomes as a tidy :class:`pandas.DataFrame`: one row per batch member and issue.

        Columns: ``draw`` (batch index), ``issue``, ``outcome`` (on the issue's own scale),
        ``rounds`` and ``converged``. ``index`` keeps one batch member only.

        >>> from minilateral import forecast, load_scenario
        >>> frame = forecast(load_scenario("gaza"), "compromise").to_frame()
        >>> list(frame.columns)
        ['draw', 'issue', 'outcome', 'rounds', 'converged']
        """
        import pandas as pd

        members = range(self.batch_size) if index is None else [index]
        rows = [
            {
                "draw": b,
                "issue": issue,
                "outcome": float(self.outcome[b, q]),
                "rounds": int(self.rounds[b]),
                "converged": bool(self.converged[b]),
            }
            for b in members
            for q, issue in enumerate(self.issues)
        ]
        return pd.DataFrame(rows, columns=["draw", "issue", "outcome", "rounds", "converged"])

    def _repr_html_(self) -> str:
        """A small HTML table of batch member 0 for Jupyter: each issue's outcome."""
        from minilateral.presentation.display import result_html, table_html

        more = f" (batch of {self.batch_size}; member 0 shown)" if self.batch_size > 1 else ""
        rounds = int(self.rounds[0])
        status = "converged" if bool(self.converged[0]) else "not converged"
        rows = [[issue, f"{self.outcome[0, q]:.2f}"] for q, issue in enumerate(self.issues)]
        return result_html(
            f"{self.model} forecast{more}: {status} after {rounds} rounds.",
            table_html(["Issue", "Outcome"], rows, max_rows=len(rows)),
        )
