"""Accuracy of a model on real outcomes: the DEU III protocol (``specs/bargaining.md`` §6).

Every issue with a valid outcome and at least ``min_actors`` participants (an actor with both a
position and a salience) is forecast; the score is the absolute error on the 0–100 scale. Each
proposal (``prnr``) is one scenario holding its issues, so models that couple issues (the
exchange model, the joint Nash solution) bargain over exactly the issues decided together, and
per-issue models are unaffected. Issues of a proposal whose outcome is invalid still take part
in the bargaining (their positions are data) but are not scored.
"""

from __future__ import annotations

import logging
import warnings
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from minilateral.arrays import FloatArray, ScenarioArrays
from minilateral.errors import ConvergenceWarning, DataError, OptionError
from minilateral.io.deu import ACTORS, DeuData, DeuIssue, council_votes
from minilateral.models.registry import get_model
from minilateral.provenance import provenance

__all__ = ["CAPABILITIES", "DeuReport", "deu_capability", "evaluate_deu"]

log = logging.getLogger(__name__)

CAPABILITIES: tuple[str, ...] = ("equal", "gdp", "council")


@dataclass(frozen=True)
class DeuReport:
    """Scores of one model × capability option on DEU (§6.4).

    ``n``, ``mae`` and ``median_ae`` are the headline numbers; ``details`` holds the rest:
    shares of issues with AE ≤ 5 and ≤ 10, the mean stopping round of dynamic models, the
    issues skipped (invalid outcome, too few actors), those without a forecast, and the
    provenance (package version, model, options, SHA-256 of the DEU file). ``errors``
    and ``forecasts`` map each scored issue (``isnr``) to its absolute error and forecast.
    """

    model: str
    options: dict[str, Any]
    capability: str
    n: int
    mae: float
    median_ae: float
    details: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, float] = field(default_factory=dict)
    forecasts: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """JSON form: ``model``, ``options``, ``capability``, ``n``, ``mae``, ``median_ae`` (null
        when nothing was scored) and ``details``."""
        return {
            "model": self.model,
            "options": self.options,
            "capability": self.capability,
            "n": self.n,
            "mae": None if np.isnan(self.mae) else self.mae,
            "median_ae": None if np.isnan(self.median_ae) else self.median_ae,
            "details": self.details,
        }


def deu_capability(data: DeuData, issue: DeuIssue, capability: str) -> FloatArray:
    """Capabilities of the 30 actors on ``issue`` under option (a), (b) or (c) of §6.3."""
    if capability == "equal":
        return np.ones(len(ACTORS))
    if capability == "gdp":
        if np.isnan(data.gdp).all():
            raise DataError(f"{data.path}: no GDP row, so --capability gdp is not available")
        return data.gdp.copy()
    if capability == "council":
        return council_votes(issue)
    raise OptionError(
        f"unknown capability option '{capability}' (choose from {', '.join(CAPABILITIES)})",
        field="capability",
    )


def _proposal_arrays(data: DeuData, issues: list[DeuIssue], capability: str) -> ScenarioArrays:
    """One scenario (B = 1, N = actors taking part in at least one of its issues, D = issues
    of one proposal) on the 0–100 scale."""
    pos = np.stack([i.positions for i in issues], axis=1)
    sal = np.stack([i.salience for i in issues], axis=1)
    cap = np.stack([deu_capability(data, i, capability) for i in issues], axis=1)
    mask = np.stack([i.participants for i in issues], axis=1)
    lacking = mask & np.isnan(cap)
    if lacking.any():
        log.info("%d actor-issue cell(s) without a capability are dropped", lacking.sum())
        mask &= ~lacking
    # Only the actors that take part in at least one issue of the proposal are actors of its
    # negotiation (member states that had not joined, or stated no position, are not).
    keep = mask.any(axis=1)
    return ScenarioArrays(
        positions=np.where(mask, pos, 0.0)[None, keep],
        salience=np.where(mask, sal, 0.0)[None, keep],
        capability=np.where(mask, cap, 0.0)[None, keep],
        mask=mask[None, keep],
        scale=np.tile([0.0, 100.0], (len(issues), 1)),
        reference=np.array([i.reference for i in issues]),
        actors=tuple(a for a, k in zip(ACTORS, keep, strict=True) if k),
        issues=tuple(i.isnr for i in issues),
    )


def evaluate_deu(
    data: DeuData,
    model: str,
    *,
    options: dict[str, Any] | None = None,
    capability: str = "equal",
    min_actors: int = 3,
) -> DeuReport:
    """Forecast every eligible DEU issue with ``model`` and score it (§6.2–6.4).

    Parameters
    ----------
    data : DeuData
        From :func:`minilateral.io.deu.read_deu`.
    model : str
        A registered model name; ``options`` are its options (text values are coerced).
    capability : {"equal", "gdp", "council"}, default="equal"
        §6.3 (a) equal, (b) the GDP row, (c) Council votes by decision year.
    min_actors : int, default=3
        Issues with fewer participants are skipped (3 gives the headline n = 351; 1 gives 353).
        A model that declares a larger ``min_actors`` (BDM: 3) raises it; the value used is
        reported in ``details``.

    Returns
    -------
    DeuReport
    """
    instance = get_model(model, **(options or {}))
    if capability not in CAPABILITIES:
        deu_capability(data, data.issues[0], capability)  # raises the OptionError
    if min_actors < 1:
        raise OptionError("min_actors must be at least 1", field="min-actors")
    min_actors = max(min_actors, getattr(type(instance), "min_actors", 1))
    invalid = [i.isnr for i in data.issues if np.isnan(i.outcome)]
    few = [i.isnr for i in data.issues if i.participants.sum() < min_actors]
    proposals: dict[str, list[DeuIssue]] = {}
    for issue in data.issues:
        if issue.participants.sum() >= min_actors:
            proposals.setdefault(issue.prnr, []).append(issue)
    forecasts: dict[str, float] = {}
    rounds: dict[str, int] = {}
    capped = 0
    for issues in proposals.values():
        arrays = _proposal_arrays(data, issues, capability)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", ConvergenceWarning)
            result = instance.forecast(arrays)
        capped += sum(issubclass(w.category, ConvergenceWarning) for w in caught)
        per_issue = result.diagnostics.get("issue_rounds")
        for q, issue in enumerate(issues):
            forecasts[issue.isnr] = float(result.outcome[0, q])
            rounds[issue.isnr] = int(per_issue[0, q] if per_issue is not None else result.rounds[0])
    scored = [i for i in data.issues if i.isnr in forecasts and not np.isnan(i.outcome)]
    no_forecast = [i.isnr for i in scored if np.isnan(forecasts[i.isnr])]
    errors = {
        i.isnr: abs(forecasts[i.isnr] - i.outcome)
        for i in scored
        if not np.isnan(forecasts[i.isnr])
    }
    ae = np.array(list(errors.values()))
    n = int(ae.size)
    details: dict[str, Any] = {
        "min_actors": min_actors,
        "issues_in_file": len(data.issues),
        "skipped_invalid_outcome": len(invalid),
        "skipped_too_few_actors": len([k for k in few if k not in invalid]),
        "no_forecast": len(no_forecast),
        "no_forecast_issues": no_forecast,
        "within_5": float(np.mean(ae <= 5)) if n else None,
        "within_10": float(np.mean(ae <= 10)) if n else None,
    }
    if type(instance).dynamic:
        details["mean_rounds"] = float(np.mean([rounds[k] for k in errors])) if n else None
        details["proposals_capped"] = capped
    details["provenance"] = provenance(
        model=model,
        options=instance.get_params(),
        seed=None,
        input_hash=data.sha256,
        data_versions={"deu": Path(data.path).name, "capability": capability},
    )
    if log.isEnabledFor(logging.INFO):
        log.info("rounds used: %s", dict(Counter(rounds.values())))
    return DeuReport(
        model=model,
        options=instance.get_params(),
        capability=capability,
        n=n,
        mae=float(ae.mean()) if n else float("nan"),
        median_ae=float(np.median(ae)) if n else float("nan"),
        details=details,
        errors=errors,
        forecasts={k: forecasts[k] for k in errors},
    )
