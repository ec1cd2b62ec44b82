"""Accuracy of a model on real outcomes: the DEU III protocol (``docs/evaluation.md``).

Every issue with a valid outcome and at least ``min_actors`` participants (an actor with both a
position and a salience) is forecast; the score is the absolute error on the 0–100 scale. Each
proposal (``prnr``) is one scenario holding its issues, so models that couple issues (the
exchange model, the joint Nash solution) bargain over exactly the issues decided together, and
per-issue models are unaffected. Issues of a proposal whose outcome is invalid still take part
in the bargaining (their positions are data) but are not scored.
"""

from __future__ import annotations

import json
import logging
import warnings
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from minilateral.arrays import BoolArray, FloatArray, IntArray, ScenarioArrays
from minilateral.errors import ConvergenceWarning, DataError, OptionError
from minilateral.io.deu import ACTORS, DeuData, DeuIssue, council_votes
from minilateral.models.registry import get_model
from minilateral.provenance import provenance

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["CAPABILITIES", "DeuReport", "deu_capability", "evaluate_deu"]

log = logging.getLogger(__name__)

CAPABILITIES: tuple[str, ...] = ("equal", "gdp", "council")


@dataclass(frozen=True)
class DeuReport:
    """Scores of one model × capability option on DEU (``docs/evaluation.md#metrics``).

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

    def to_frame(self) -> pd.DataFrame:
        """One row per scored case: ``case`` (DEU ``isnr``, or ``scenario:issue``),
        ``forecast`` and ``error`` (absolute, percent of the issue's scale)."""
        import pandas as pd

        return pd.DataFrame(
            [(k, self.forecasts.get(k, float("nan")), e) for k, e in self.errors.items()],
            columns=["case", "forecast", "error"],
        )


def deu_capability(data: DeuData, issue: DeuIssue, capability: str) -> FloatArray:
    """Capabilities of the 30 actors on ``issue`` under option (a), (b) or (c)
    (``docs/evaluation.md#capability-options``)."""
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
    keep = np.asarray(mask.any(axis=1))  # numpy's stubs type `any(axis=...)` as bool | array
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
    """Forecast every eligible DEU issue with ``model`` and score it
    (``docs/evaluation.md#what-is-scored``, ``docs/evaluation.md#metrics``).

    Parameters
    ----------
    data : DeuData
        From :func:`minilateral.io.deu.read_deu`.
    model : str
        A registered model name; ``options`` are its options (text values are coerced).
    capability : {"equal", "gdp", "council"}, default="equal"
        (a) equal, (b) the GDP row, (c) Council votes by decision year.
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


# -- many predictors on one issue set, and cross-validation by proposal ------------------------
#: The base predictors of the accuracy table and of cross-validation: every registered model at
#: its default options (fixed a priori), each under every capability option.
BASE_MODELS: tuple[str, ...] = (
    "mean", "weighted-mean", "compromise", "median", "weighted-median", "nash", "bdm",
    "exchange", "smp",
)  # fmt: skip
BENCHMARK = "compromise/council"


@dataclass(frozen=True)
class DeuTable:
    """Forecasts of several predictors on the same scored DEU issues, aligned.

    ``forecasts[label]`` is an array over ``issues`` (the scored issues in file order);
    ``y`` their outcomes; ``groups`` their proposals (the cross-validation groups).
    """

    issues: list[DeuIssue]
    y: FloatArray
    groups: tuple[str, ...]
    forecasts: dict[str, FloatArray]
    reports: dict[str, DeuReport]


def predictor_label(model: str, capability: str, options: dict[str, Any] | None = None) -> str:
    """``model/capability`` (``model[k=v …]/capability`` with options)."""
    opts = " ".join(f"{k}={v}" for k, v in (options or {}).items())
    return f"{model}[{opts}]/{capability}" if opts else f"{model}/{capability}"


def deu_table(
    data: DeuData,
    models: tuple[str, ...] = BASE_MODELS,
    capabilities: tuple[str, ...] = CAPABILITIES,
) -> DeuTable:
    """Score ``models`` (default options) under ``capabilities`` and align their forecasts.

    Raises
    ------
    DataError
        If the predictors do not forecast the same issues (cross-validation needs one set).
    """
    reports: dict[str, DeuReport] = {}
    for model in models:
        for capability in capabilities:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ConvergenceWarning)
                reports[predictor_label(model, capability)] = evaluate_deu(
                    data, model, capability=capability
                )
    keys = [set(r.forecasts) for r in reports.values()]
    if any(k != keys[0] for k in keys):
        raise DataError(f"{data.path}: the predictors do not forecast the same issues")
    issues = [i for i in data.issues if i.isnr in keys[0]]
    return DeuTable(
        issues=issues,
        y=np.array([i.outcome for i in issues]),
        groups=tuple(i.prnr for i in issues),
        forecasts={
            label: np.array([r.forecasts[i.isnr] for i in issues]) for label, r in reports.items()
        },
        reports=reports,
    )


def group_folds(groups: tuple[str, ...] | list[str], k: int, seed: int = 0) -> IntArray:
    """Fold of every item: groups shuffled with ``default_rng(seed)``, fold = rank mod ``k``.

    Items of one group always share a fold.

    Raises
    ------
    OptionError
        If ``k`` < 2 or exceeds the number of groups.
    """
    names = sorted(set(groups))
    if not 2 <= k <= len(names):
        raise OptionError(
            f"--cv needs between 2 and {len(names)} folds (one group per fold at most), got {k}",
            field="cv",
        )
    order = np.random.default_rng(seed).permutation(names)
    fold_of = {name: rank % k for rank, name in enumerate(order)}
    return np.array([fold_of[g] for g in groups], dtype=np.int64)


def _mae(pred: FloatArray, y: FloatArray) -> float:
    return float(np.mean(np.abs(pred - y)))


def stack_weights(f: FloatArray, y: FloatArray) -> FloatArray:
    """Convex weights ``w`` (≥ 0, Σ = 1) minimising ``mean |y − wᵀf|``: a linear program.

    ``f`` has shape (M predictors, n issues). Solved with SciPy's HiGHS (least absolute
    deviations with the simplex constraint).
    """
    from scipy.optimize import linprog

    m, n = f.shape
    # variables: w (m), e_plus (n), e_minus (n); y − fᵀw = e_plus − e_minus
    cost = np.concatenate([np.zeros(m), np.ones(2 * n)])
    a_eq = np.block([[f.T, np.eye(n), -np.eye(n)], [np.ones((1, m)), np.zeros((1, 2 * n))]])
    b_eq = np.concatenate([y, [1.0]])
    res = linprog(cost, A_eq=a_eq, b_eq=b_eq, bounds=(0, None), method="highs")
    if not res.success:  # pragma: no cover - the program is always feasible and bounded
        raise DataError(f"stacking failed: {res.message}")
    w = np.clip(res.x[:m], 0.0, None)
    return w / w.sum()


@dataclass(frozen=True)
class _Cells:
    """Per-issue actor arrays (issues × 30) for the compromise-type candidates."""

    x: FloatArray
    s: FloatArray
    council: FloatArray
    m: BoolArray
    unanimity: BoolArray
    consultation: BoolArray
    rp: FloatArray


def _cells(data: DeuData, issues: list[DeuIssue]) -> _Cells:
    council = np.stack([deu_capability(data, i, "council") for i in issues])
    m = np.stack([i.participants for i in issues]) & ~np.isnan(council)
    return _Cells(
        x=np.nan_to_num(np.stack([i.positions for i in issues])),
        s=np.nan_to_num(np.stack([i.salience for i in issues])),
        council=np.nan_to_num(council),
        m=m,
        unanimity=np.array([i.council_rule.lower().startswith("unan") for i in issues]),
        consultation=np.array([i.procedure.upper() == "CNS" for i in issues]),
        rp=np.array([i.reference for i in issues]),
    )


def weighted_compromise(cells: _Cells, capability: FloatArray) -> FloatArray:
    """The compromise model per issue with the given capabilities (issues × 30): the c·s
    weighted mean, falling back to the salience-weighted and then the plain mean when all
    weights are 0, as :class:`~minilateral.models.baselines.CompromiseModel` does."""
    out = np.full(cells.m.shape[0], np.nan)
    for weights in (capability * cells.s, cells.s, np.ones_like(cells.s)):
        w = np.where(cells.m, weights, 0.0)
        total = w.sum(axis=1)
        fill = np.isnan(out) & (total > 0)
        out[fill] = (w[fill] * cells.x[fill]).sum(axis=1) / total[fill]
    return out


def _actor_weighted(cells: _Cells, w_com: float, w_cod: float, w_cns: float) -> FloatArray:
    """Council-vote compromise with the Commission's and the Parliament's weights multiplied."""
    cap = cells.council.copy()
    cap[:, 0] *= w_com
    cap[:, 1] *= np.where(cells.consultation, w_cns, w_cod)
    return weighted_compromise(cells, cap)


def procedure_compromise(cells: _Cells) -> FloatArray:
    """Candidate ``procedure`` (fixed, nothing fitted): Council votes under QMV and equal
    capabilities under unanimity (every member state holds a veto), and the Parliament's
    weight 0 under consultation (CNS), where it has no veto."""
    cap = np.where(cells.unanimity[:, None], 1.0, cells.council)
    cap[:, 1] = np.where(cells.consultation, 0.0, cap[:, 1])
    return weighted_compromise(cells, cap)


_PULLS = np.round(np.arange(0.0, 0.5001, 0.05), 2)
_ALPHAS = np.round(np.linspace(0.0, 1.0, 11), 1)
_ACTOR_GRID = (0.0, 0.5, 1.0, 2.0, 4.0)


def _pull(base: FloatArray, cells: _Cells, lam_qmv: float, lam_unan: float) -> FloatArray:
    lam = np.where(cells.unanimity, lam_unan, lam_qmv)
    has = ~np.isnan(cells.rp)
    return np.where(has, base + lam * (np.where(has, cells.rp, 0.0) - base), base)


def _fit_pull(
    base: FloatArray, cells: _Cells, y: FloatArray, train: BoolArray
) -> tuple[float, float]:
    """λ_QMV and λ_Unan of ``reference-pull`` with the lowest training MAE (each rule's issues
    separately; the two are separable)."""
    lams = []
    for rule in (False, True):
        sel = train & (cells.unanimity == rule)
        scores = [_mae(_pull(base, cells, lam, lam)[sel], y[sel]) if sel.any() else 0.0
                  for lam in _PULLS]  # fmt: skip
        lams.append(float(_PULLS[int(np.argmin(scores))]))
    return lams[0], lams[1]


def _generic_candidates(
    forecasts: dict[str, FloatArray], y: FloatArray, fold: IntArray, benchmark: str
) -> tuple[dict[str, FloatArray], dict[str, list[Any]]]:
    """Out-of-sample predictions of ``benchmark``, ``select``, ``average``, ``blend`` and
    ``stack`` (docs/accuracy.md) and what each fold chose."""
    labels = list(forecasts)
    f = np.stack([forecasts[k] for k in labels])  # (M, n)
    b = labels.index(benchmark)
    names = (benchmark, "select", "average", "blend", "stack")
    pred = {name: np.full(y.shape, np.nan) for name in names}
    choices: dict[str, list[Any]] = {name: [] for name in names}
    pred[benchmark] = f[b].copy()
    pred["average"] = f.mean(axis=0)
    mix = _ALPHAS[:, None, None] * f[b] + (1 - _ALPHAS[:, None, None]) * f[None]  # (A, M, n)
    for k in np.unique(fold):
        train, test = fold != k, fold == k
        best = int(np.argmin(np.abs(f[:, train] - y[train]).mean(axis=1)))
        pred["select"][test] = f[best, test]
        choices["select"].append(labels[best])
        score = np.abs(mix[:, :, train] - y[train]).mean(axis=2)
        a, m = np.unravel_index(int(np.argmin(score)), score.shape)
        pred["blend"][test] = mix[a, m, test]
        choices["blend"].append(f"{_ALPHAS[a]:.1f}·{benchmark} + {1 - _ALPHAS[a]:.1f}·{labels[m]}")
        w = stack_weights(f[:, train], y[train])
        pred["stack"][test] = (w @ f)[test]
        choices["stack"].append(
            {labels[j]: round(float(w[j]), 3) for j in np.flatnonzero(w > 1e-3)}
        )
    return pred, choices


def cross_validate_deu(
    data: DeuData, folds: int = 10, seed: int = 0, table: DeuTable | None = None
) -> dict[str, Any]:
    """The pre-registered candidates of docs/accuracy.md, cross-validated by proposal.

    Returns ``{"best": {"predictor", "mae", "median_ae"}, "candidates": [{"predictor", "mae",
    "median_ae", "choices"}, …], "benchmark", "n", "folds", "seed", "groups"}``; every MAE is
    out of sample (each fold's choices made on the other folds). ``choices`` lists what each
    fold chose (candidates that fit something).
    """
    table = table or deu_table(data)
    y = table.y
    fold = group_folds(table.groups, folds, seed)
    cells = _cells(data, table.issues)
    base = table.forecasts[BENCHMARK]
    pred, choices = _generic_candidates(table.forecasts, y, fold, BENCHMARK)
    actor_grid = [(a, c, n) for a in _ACTOR_GRID for c in _ACTOR_GRID for n in _ACTOR_GRID]
    actor_fc = np.stack([_actor_weighted(cells, *w) for w in actor_grid])
    for name in ("reference-pull", "actor-weights", "actor-weights+pull"):
        pred[name], choices[name] = np.full(y.shape, np.nan), []
    pred["procedure"], choices["procedure"] = procedure_compromise(cells), []
    for k in range(folds):
        train, test = fold != k, fold == k
        lq, lu = _fit_pull(base, cells, y, train)
        pred["reference-pull"][test] = _pull(base, cells, lq, lu)[test]
        choices["reference-pull"].append({"QMV": lq, "Unan": lu})
        g = int(np.argmin(np.abs(actor_fc[:, train] - y[train]).mean(axis=1)))
        weights = dict(zip(("com", "ep_cod", "ep_cns"), actor_grid[g], strict=True))
        pred["actor-weights"][test] = actor_fc[g, test]
        choices["actor-weights"].append(weights)
        lq, lu = _fit_pull(actor_fc[g], cells, y, train)
        pred["actor-weights+pull"][test] = _pull(actor_fc[g], cells, lq, lu)[test]
        choices["actor-weights+pull"].append({**weights, "QMV": lq, "Unan": lu})
    order = (BENCHMARK, "select", "average", "blend", "stack", "procedure", "reference-pull",
             "actor-weights", "actor-weights+pull")  # fmt: skip
    return _cv_result({n: pred[n] for n in order}, choices, y, folds, seed, BENCHMARK, table.groups)


# -- calibration of Monte Carlo intervals on DEU ---------------------------------------------
#: Monte Carlo draws per proposal in the calibration of docs/accuracy.md (fewer for the slow
#: dynamic models, to bound the cost).
CALIBRATION_DRAWS: dict[str, int] = {"bdm": 32, "exchange": 16, "smp": 16}
DEFAULT_DRAWS = 64


def deu_ensembles(
    data: DeuData,
    model: str,
    *,
    capability: str = "council",
    scales: tuple[float, ...] | None = None,
    draws: int | None = None,
    seed: int = 0,
    min_actors: int = 3,
) -> tuple[list[DeuIssue], dict[float, FloatArray]]:
    """Monte Carlo forecast ensembles of ``model`` on the scored DEU issues, per noise scale.

    Every proposal is perturbed with :func:`minilateral.calibration.scaled_noise` (draws
    ``0 … draws − 1`` of the sweep generator with ``seed``). Returns the scored issues (file
    order; outcome valid, at least ``min_actors`` participants) and, per scale, an array of
    shape (issues, draws).
    """
    from minilateral import calibration

    scales = scales or calibration.SCALES
    draws = draws or CALIBRATION_DRAWS.get(model, DEFAULT_DRAWS)
    min_actors = max(min_actors, getattr(type(get_model(model)), "min_actors", 1))
    proposals: dict[str, list[DeuIssue]] = {}
    for issue in data.issues:
        if issue.participants.sum() >= min_actors:
            proposals.setdefault(issue.prnr, []).append(issue)
    groups = list(proposals.values())
    arrays = [_proposal_arrays(data, issues, capability) for issues in groups]
    scored = [
        (g, q) for g, issues in enumerate(groups) for q, i in enumerate(issues)
        if not np.isnan(i.outcome)
    ]  # fmt: skip
    order = {i.isnr: k for k, i in enumerate(data.issues)}
    scored.sort(key=lambda gq: order[groups[gq[0]][gq[1]].isnr])
    out = {}
    for k in scales:
        ens = calibration.ensemble(
            arrays, model, calibration.scaled_noise(k), draws=draws, seed=seed
        )
        out[k] = np.stack([ens[g][:, q] for g, q in scored])
    return [groups[g][q] for g, q in scored], out


def calibrate_deu(
    data: DeuData,
    model: str,
    *,
    capability: str = "council",
    folds: int = 10,
    seed: int = 0,
    scales: tuple[float, ...] | None = None,
    draws: int | None = None,
) -> dict[str, Any]:
    """Coverage, interval score and CRPS of ``model``'s Monte Carlo intervals on DEU, with the
    default noise (k = 1) and with the scale fitted by cross-validation by proposal.

    Returns ``{"model", "capability", "draws", "default": scores, "fitted": scores,
    "fitted_scale_per_fold", "fitted_scale", "by_scale"}``, scores as
    :func:`minilateral.calibration.calibration_scores`; the ``fitted`` scores are out of sample.
    """
    from minilateral import calibration

    scales = scales or calibration.SCALES
    if 1.0 not in scales:
        scales = (1.0, *scales)
    draws = draws or CALIBRATION_DRAWS.get(model, DEFAULT_DRAWS)
    issues, ens = deu_ensembles(
        data, model, capability=capability, scales=scales, draws=draws, seed=seed
    )
    y = np.array([i.outcome for i in issues])
    fold = group_folds([i.prnr for i in issues], folds, seed)
    fit = calibration.fit_scale_cv(ens, y, fold)
    point = _point_forecasts(data, model, capability, issues)
    with_error = calibration.fit_scale_cv_with_error(ens, point, y, fold)
    return {
        "model": model,
        "capability": capability,
        "draws": draws,
        "default": fit.by_scale[1.0],
        "fitted": fit.scores,
        "fitted_scale_per_fold": fit.choices,
        "fitted_scale": fit.full_sample,
        "by_scale": {str(k): v for k, v in fit.by_scale.items()},
        "fitted_with_error": with_error.scores,
        "fitted_with_error_scale_per_fold": with_error.choices,
        "fitted_with_error_scale": with_error.full_sample,
    }


def _point_forecasts(
    data: DeuData, model: str, capability: str, issues: list[DeuIssue]
) -> FloatArray:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        report = evaluate_deu(data, model, capability=capability)
    return np.array([report.forecasts[i.isnr] for i in issues])


# -- user-supplied outcome sets: scenario files plus an outcomes table -----------------------
OUTCOME_COLUMNS: tuple[str, ...] = ("scenario", "issue", "outcome")


@dataclass(frozen=True)
class OutcomeRow:
    """One known outcome: ``issue`` of the scenario ``scenario`` (a file path relative to the
    table, or a library name), on the issue's own scale; ``group`` for cross-validation."""

    line: int
    scenario: str
    issue: str
    outcome: float
    group: str


def read_outcomes(path: str | Path) -> list[OutcomeRow]:
    """Read an outcomes table (docs/evaluation.md): CSV with a header holding ``scenario``,
    ``issue`` and ``outcome``, optionally ``group`` (default: the scenario); other columns are
    ignored.

    Raises
    ------
    FormatError
        Missing file or column, blank cell, a non-numeric outcome, a repeated
        (scenario, issue) pair; with the line and the column.
    """
    import csv

    from minilateral.errors import FormatError

    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise FormatError("no such file", path=path) from None
    reader = csv.DictReader(text.splitlines())
    header = [h.strip() for h in reader.fieldnames or []]
    missing = [c for c in OUTCOME_COLUMNS if c not in header]
    if missing:
        raise FormatError(
            f"the outcomes table needs the column(s) {', '.join(missing)} "
            f"(header: {', '.join(header) or 'none'})",
            path=path,
            row=1,
        )
    rows: list[OutcomeRow] = []
    seen: dict[tuple[str, str], int] = {}
    for line, raw in enumerate(reader, start=2):
        cells = {k.strip(): (v or "").strip() for k, v in raw.items() if k is not None}
        if not any(cells.values()):
            continue
        for column in OUTCOME_COLUMNS:
            if not cells.get(column):
                raise FormatError("blank cell", path=path, row=line, field=column)
        try:
            value = float(cells["outcome"])
        except ValueError:
            raise FormatError(
                f"'{cells['outcome']}' is not a number", path=path, row=line, field="outcome"
            ) from None
        if not np.isfinite(value):
            raise FormatError(
                f"{cells['outcome']} is not finite", path=path, row=line, field="outcome"
            )
        key = (cells["scenario"], cells["issue"])
        if key in seen:
            raise FormatError(
                f"scenario '{key[0]}', issue '{key[1]}' already has an outcome on line {seen[key]}",
                path=path,
                row=line,
                field="issue",
            )
        seen[key] = line
        rows.append(
            OutcomeRow(line, key[0], key[1], value, cells.get("group") or cells["scenario"])
        )
    if not rows:
        raise FormatError("the outcomes table has no rows", path=path)
    return rows


def _outcome_forecasts(
    path: Path, rows: list[OutcomeRow], model: str, options: dict[str, Any] | None
) -> tuple[FloatArray, FloatArray, dict[str, Any]]:
    """Forecasts and scale widths of every row, and provenance details."""
    from minilateral.api import load_scenario
    from minilateral.errors import FormatError

    instance = get_model(model, **(options or {}))
    forecasts, widths = np.full(len(rows), np.nan), np.full(len(rows), np.nan)
    hashes: dict[str, str] = {}
    by_scenario: dict[str, list[int]] = {}
    for k, row in enumerate(rows):
        by_scenario.setdefault(row.scenario, []).append(k)
    for name, members in by_scenario.items():
        candidate = path.parent / name
        scenario = load_scenario(candidate if candidate.exists() else name)
        arrays = scenario.to_arrays()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            result = instance.forecast(arrays)
        hashes[name] = _sha256(candidate) if candidate.exists() else "library"
        for k in members:
            row = rows[k]
            if row.issue not in arrays.issues:
                raise FormatError(
                    f"scenario '{name}' has no issue '{row.issue}' (it has "
                    f"{', '.join(arrays.issues)})",
                    path=path,
                    row=row.line,
                    field="issue",
                )
            q = arrays.issues.index(row.issue)
            lo, hi = arrays.scale[q]
            forecasts[k] = float(result.outcome[0, q])
            widths[k] = hi - lo
    return forecasts, widths, {"scenarios": len(by_scenario), "scenario_hashes": hashes}


def evaluate_outcomes(
    path: str | Path, model: str, *, options: dict[str, Any] | None = None
) -> DeuReport:
    """Score ``model`` on a user's outcomes table (:func:`read_outcomes`).

    Each scenario is forecast once with its own capabilities; the error of a row is
    ``100·|forecast − outcome| / (hi − lo)``, in percent of the issue's scale (on DEU's 0–100
    scales, the plain absolute error). ``errors`` and ``forecasts`` are keyed
    ``scenario:issue``; ``details["raw_errors"]`` holds the errors on the issues' own scales.
    """
    path = Path(path)
    rows = read_outcomes(path)
    instance = get_model(model, **(options or {}))
    forecasts, widths, extra = _outcome_forecasts(path, rows, model, options)
    y = np.array([r.outcome for r in rows])
    ae = 100.0 * np.abs(forecasts - y) / widths
    keys = [f"{r.scenario}:{r.issue}" for r in rows]
    ok = ~np.isnan(ae)
    details: dict[str, Any] = {
        "rows": len(rows),
        "no_forecast": int((~ok).sum()),
        "within_5": float(np.mean(ae[ok] <= 5)) if ok.any() else None,
        "within_10": float(np.mean(ae[ok] <= 10)) if ok.any() else None,
        "raw_errors": {
            k: float(abs(f - v)) for k, f, v, o in zip(keys, forecasts, y, ok, strict=True) if o
        },
        "scenarios": extra["scenarios"],
        "provenance": provenance(
            model=model,
            options=instance.get_params(),
            seed=None,
            input_hash=_sha256(path),
            data_versions={"outcomes": path.name, "scenarios": extra["scenario_hashes"]},
        ),
    }
    n = int(ok.sum())
    return DeuReport(
        model=model,
        options=instance.get_params(),
        capability="scenario",
        n=n,
        mae=float(ae[ok].mean()) if n else float("nan"),
        median_ae=float(np.median(ae[ok])) if n else float("nan"),
        details=details,
        errors={k: float(e) for k, e, o in zip(keys, ae, ok, strict=True) if o},
        forecasts={k: float(f) for k, f, o in zip(keys, forecasts, ok, strict=True) if o},
    )


def _sha256(path: Path) -> str:
    import hashlib

    return hashlib.sha256(path.read_bytes()).hexdigest()


def cross_validate(
    forecasts: dict[str, FloatArray],
    y: FloatArray,
    groups: list[str] | tuple[str, ...],
    *,
    folds: int = 10,
    seed: int = 0,
    benchmark: str = "compromise",
) -> dict[str, Any]:
    """The generic candidates (``benchmark``, ``select``, ``average``, ``blend``, ``stack``,
    as in docs/accuracy.md) cross-validated by group, for any aligned set of forecasts.

    Returns the same structure as :func:`cross_validate_deu`.
    """
    if benchmark not in forecasts:
        raise OptionError(f"the benchmark predictor '{benchmark}' is not among the forecasts")
    fold = group_folds(groups, folds, seed)
    pred, choices = _generic_candidates(forecasts, y, fold, benchmark)
    return _cv_result(pred, choices, y, folds, seed, benchmark, groups)


def _cv_result(
    pred: dict[str, FloatArray],
    choices: dict[str, list[Any]],
    y: FloatArray,
    folds: int,
    seed: int,
    benchmark: str,
    groups: list[str] | tuple[str, ...],
) -> dict[str, Any]:
    candidates = []
    for name, values in pred.items():
        ae = np.abs(values - y)
        entry: dict[str, Any] = {
            "predictor": name,
            "mae": float(ae.mean()),
            "median_ae": float(np.median(ae)),
        }
        if choices.get(name):
            entry["choices"] = choices[name]
        candidates.append(entry)
    top = min(candidates, key=lambda c: c["mae"])
    return {
        "best": {k: top[k] for k in ("predictor", "mae", "median_ae")},
        "candidates": candidates,
        "benchmark": benchmark,
        "n": int(y.size),
        "folds": folds,
        "seed": seed,
        "groups": len(set(groups)),
    }


def cross_validate_outcomes(
    path: str | Path,
    *,
    models: tuple[str, ...] | None = None,
    folds: int = 5,
    seed: int = 0,
) -> dict[str, Any]:
    """:func:`cross_validate` on a user's outcomes table, over every registered model at its
    default options (or ``models``), grouped by the table's ``group`` column; errors in
    percent of each issue's scale."""
    from minilateral.models.registry import available_models

    path = Path(path)
    rows = read_outcomes(path)
    models = models or tuple(available_models())
    y = np.array([r.outcome for r in rows])
    forecasts: dict[str, FloatArray] = {}
    widths = None
    for model in models:
        try:
            f, widths, _ = _outcome_forecasts(path, rows, model, None)
        except (DataError, OptionError, ValueError) as err:  # a model that cannot run here
            log.info("model %s left out of cross-validation: %s", model, err)
            continue
        if not np.isnan(f).any():
            forecasts[model] = f
    assert widths is not None
    scaled = {k: 100.0 * v / widths for k, v in forecasts.items()}
    return cross_validate(
        scaled, 100.0 * y / widths, [r.group for r in rows], folds=folds, seed=seed
    )


# -- the shipped accuracy file and noise preset ----------------------------------------------
#: Calibrated capability options per model in the shipped accuracy file (a model not listed:
#: all three).
CALIBRATED: dict[str, tuple[str, ...]] = {}
PRESET_NAME = "eu-legislative"


def _calibration_fields(cal: dict[str, Any]) -> dict[str, Any]:
    """The calibration fields of one accuracy entry (rounded for the shipped file)."""

    def r(values: dict[str, float], digits: int) -> dict[str, float]:
        return {k: round(v, digits) for k, v in values.items()}

    out: dict[str, Any] = {"calibration_draws": cal["draws"]}
    for tag, key in (
        ("default", "default"),
        ("fitted", "fitted"),
        ("fitted_with_error", "fitted_with_error"),
    ):
        out[f"coverage_{tag}"] = r(cal[key]["coverage"], 3)
        out[f"interval_score_{tag}"] = r(cal[key]["interval_score"], 2)
        out[f"crps_{tag}"] = round(cal[key]["crps"], 2)
    out["noise_scale_fitted"] = cal["fitted_scale"]
    out["noise_scale_fitted_per_fold"] = cal["fitted_scale_per_fold"]
    out["noise_scale_fitted_with_error"] = cal["fitted_with_error_scale"]
    return out


def accuracy_payload(
    data: DeuData, table: DeuTable, calibrations: dict[str, dict[str, dict[str, Any]]]
) -> dict[str, Any]:
    """The content of ``accuracy.json`` (format: :mod:`minilateral.accuracy`): per model and
    capability ``n``, ``mae``, ``median_ae`` and, where calibrated, the coverage, interval score
    and CRPS of the Monte Carlo intervals with the default noise, the fitted noise and the fitted
    noise plus model error (all out of sample), and the fitted noise scales."""
    from minilateral.provenance import package_version

    models: dict[str, dict[str, dict[str, Any]]] = {}
    for label, report in table.reports.items():
        model, capability = label.split("/")
        entry: dict[str, Any] = {
            "n": report.n,
            "mae": round(report.mae, 2),
            "median_ae": round(report.median_ae, 2),
        }
        if report.details.get("mean_rounds") is not None:
            entry["mean_rounds"] = round(report.details["mean_rounds"], 2)
            entry["proposals_capped"] = report.details["proposals_capped"]
        cal = calibrations.get(model, {}).get(capability)
        if cal is not None:
            entry.update(_calibration_fields(cal))
        models.setdefault(model, {})[capability] = entry
    return {
        "source": "DEU III (Arregui & Perarnaud 2022): 351 scored issues, errors on the 0-100 "
        "scale",
        "protocol": "minilateral.evaluation.evaluate_deu, default model options, min_actors=3; "
        "calibration: minilateral.evaluation.calibrate_deu, 10 folds by proposal, seed 0",
        "generated_by": "minilateral evaluate deu DEU_FILE --all --write-accuracy "
        "src/minilateral/accuracy.json --write-noise-preset src/minilateral/noise_presets.json",
        "deu_sha256": data.sha256,
        "minilateral": package_version(),
        "baseline": "mean",
        "noise_preset": PRESET_NAME,
        "models": models,
    }


def noise_preset_payload(
    data: DeuData, table: DeuTable, calibration: dict[str, Any]
) -> dict[str, Any]:
    """The content of ``noise_presets.json``: the ``eu-legislative`` preset, the default noise
    scaled by the factor chosen on all DEU issues (compromise model, Council votes), with the 50
    quantiles of that model's errors as ``model_error`` (docs/accuracy.md)."""
    from minilateral import calibration as calib

    key = BENCHMARK
    residuals = table.y - table.forecasts[key]
    k = calibration["fitted_with_error_scale"]
    return {
        "format": "minilateral noise presets 1",
        "generated_by": "minilateral evaluate deu DEU_FILE --all --write-noise-preset PATH",
        "presets": {
            PRESET_NAME: {
                "description": "Input noise and model error fitted on EU legislative bargaining "
                "(DEU III, 351 issues of 137 proposals, 1996-2019; compromise model with "
                "Council-vote capabilities), cross-validated by proposal.",
                "source": f"DEU III, sha256 {data.sha256}",
                "scale": k,
                "noise": {
                    name: n.model_dump(exclude_none=True)
                    for name, n in calib.scaled_noise(k).items()
                },
                "model_error": {
                    "unit": "percent of the issue scale",
                    "quantiles": [round(float(q), 3) for q in calib.residual_quantiles(residuals)],
                },
                "out_of_sample": {
                    "with_model_error": {
                        "coverage": calibration["fitted_with_error"]["coverage"],
                        "interval_score": calibration["fitted_with_error"]["interval_score"],
                    },
                    "noise_only": {
                        "scale": calibration["fitted_scale"],
                        "coverage": calibration["fitted"]["coverage"],
                    },
                },
            }
        },
    }


def write_json(payload: dict[str, Any], path: str | Path) -> None:
    """Write ``payload`` as indented, valid JSON (no NaN)."""
    from minilateral.forecast import jsonable

    text = json.dumps(jsonable(payload), indent=1, allow_nan=False, ensure_ascii=False)
    Path(path).write_text(text + "\n", encoding="utf-8")


def calibrate_all(data: DeuData) -> dict[str, dict[str, dict[str, Any]]]:
    """:func:`calibrate_deu` of every base model under its :data:`CALIBRATED` options (slow:
    minutes)."""
    out: dict[str, dict[str, dict[str, Any]]] = {}
    for model in BASE_MODELS:
        for capability in CALIBRATED.get(model, CAPABILITIES):
            out.setdefault(model, {})[capability] = calibrate_deu(
                data, model, capability=capability
            )
    return out
