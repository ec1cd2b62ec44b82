r"""Calibration of Monte Carlo intervals on known outcomes, and the shipped noise presets.

A forecast distribution is the set of a model's forecasts over B Monte Carlo draws of its inputs
(the sweep generator of :mod:`minilateral.montecarlo.perturb`: draws ``0 … B − 1`` with a seed,
so every model sees the same perturbed inputs). On issues with known outcomes ``y`` it is scored
by

* **coverage** of the central ``(1 − α)`` interval ``[l, u]`` (empirical quantiles, linear
  interpolation): the share of outcomes inside, to compare with ``1 − α``;
* the **interval score** (Gneiting & Raftery 2007, eq. 43), lower is better:

  .. math:: IS_\alpha(l, u; y) = (u - l) + \tfrac{2}{\alpha}(l - y)\,1\{y < l\}
            + \tfrac{2}{\alpha}(y - u)\,1\{y > u\};

* the **CRPS** of the ensemble, :math:`\overline{|X - y|} - \tfrac12\,\overline{|X - X'|}`
  (Gneiting & Raftery 2007, eq. 20, with the ensemble as the predictive distribution), in the
  units of the outcome; lower is better.

The noise family is the sweep default scaled by one factor ``k`` (:func:`scaled_noise`); ``k``
is fitted by cross-validation by group (for DEU: by proposal), choosing on the training folds
the ``k`` with the lowest mean CRPS. :func:`noise_preset` reads the presets shipped in
``noise_presets.json`` (package data beside this module), e.g. ``eu-legislative``, fitted on
the DEU III outcomes of EU legislative bargaining.

References
----------
.. [1] Gneiting, T. & Raftery, A. E. (2007). Strictly proper scoring rules, prediction, and
   estimation. *Journal of the American Statistical Association*, 102(477), 359–378.
   doi:10.1198/016214506000001437.
"""

from __future__ import annotations

import json
import warnings
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from typing import Any

import numpy as np

from minilateral.arrays import BoolArray, FloatArray, IntArray, ScenarioArrays
from minilateral.errors import ConvergenceWarning, OptionError
from minilateral.models.registry import get_model
from minilateral.montecarlo.perturb import DEFAULT_NOISE, DIST_CODES, NoisePlan
from minilateral.scenario import Noise, Uncertainty

__all__ = [
    "LEVELS",
    "NOISE_PRESETS_FILE",
    "SCALES",
    "calibration_scores",
    "crps_ensemble",
    "ensemble",
    "fit_scale_cv",
    "fit_scale_cv_with_error",
    "interval_score",
    "noise_preset",
    "noise_presets",
    "residual_quantiles",
    "scaled_noise",
    "with_model_error",
]

#: Central interval levels scored.
LEVELS: tuple[float, ...] = (0.5, 0.8, 0.9)
#: The grid of noise scale factors k (k = 1: the default noise).
SCALES: tuple[float, ...] = (1.0, 2.0, 4.0, 8.0)
#: Package data file of the noise presets.
NOISE_PRESETS_FILE = "noise_presets.json"


def scaled_noise(k: float) -> dict[str, Noise]:
    """The default sweep noise with every spread multiplied by ``k`` ≥ 0: positions truncated
    normal with sd 0.05·k of the scale, salience truncated normal with sd 0.05·k, capability
    lognormal with σ 0.1·k."""
    if not k >= 0:
        raise OptionError(f"the noise scale must be >= 0, got {k}", field="noise-scale")
    return {
        "positions": Noise(dist="truncnormal", sd=0.05 * k),
        "salience": Noise(dist="truncnormal", sd=0.05 * k),
        "capability": Noise(dist="lognormal", sigma=0.1 * k),
    }


def _plan(arrays: ScenarioArrays, noise: dict[str, Noise]) -> NoisePlan:
    """The noise plan of one scenario (B = 1) with the same global noise on every cell."""
    m = arrays.mask[0]

    def cell(name: str) -> tuple[IntArray, FloatArray]:
        n = noise[name]
        kind = DIST_CODES[n.dist] if n.spread > 0 else 0
        return np.where(m, kind, 0).astype(np.int64), np.where(m, n.spread, 0.0)

    pk, ps = cell("positions")
    sk, ss = cell("salience")
    cap = noise["capability"]
    ck = DIST_CODES[cap.dist] if cap.spread > 0 else 0
    return NoisePlan(
        base=arrays,
        position_kind=pk,
        position_spread=ps,
        salience_kind=sk,
        salience_spread=ss,
        capability_kind=np.full(arrays.n_actors, ck, dtype=np.int64),
        capability_spread=np.full(arrays.n_actors, cap.spread),
        uncertainty=Uncertainty.model_validate(
            {name: value.model_dump(exclude_none=True) for name, value in noise.items()}
        ),
        defaults=(),
    )


def ensemble(
    scenarios: list[ScenarioArrays],
    model: str,
    noise: dict[str, Noise],
    *,
    draws: int,
    seed: int = 0,
    options: dict[str, Any] | None = None,
) -> list[FloatArray]:
    """Forecasts of ``model`` over ``draws`` Monte Carlo draws of each scenario's inputs.

    Returns one array of shape (draws, D) per scenario, on the issues' own scales.
    """
    instance = get_model(model, **(options or {}))
    out = []
    for arrays in scenarios:
        batch = _plan(arrays, noise).sample(seed, 0, draws)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            out.append(np.asarray(instance.forecast(batch).outcome, dtype=float))
    return out


def interval_score(lo: FloatArray, hi: FloatArray, y: FloatArray, alpha: float) -> FloatArray:
    """Interval score of the central ``1 − alpha`` interval ``[lo, hi]`` (Gneiting & Raftery
    2007, eq. 43), elementwise."""
    return (
        (hi - lo)
        + (2.0 / alpha) * np.maximum(lo - y, 0.0)
        + (2.0 / alpha) * np.maximum(y - hi, 0.0)
    )


def crps_ensemble(ens: FloatArray, y: FloatArray) -> FloatArray:
    """CRPS of each row of ``ens`` (n, B) against ``y`` (n,):
    ``mean |X − y| − ½ mean |X − X′|`` over the B members, computed in O(B log B)."""
    x = np.sort(ens, axis=1)
    b = x.shape[1]
    first = np.abs(x - y[:, None]).mean(axis=1)
    # mean over all pairs |X_i − X_j| = 2/B² Σ_i (2i − B + 1) x_(i), i = 0 … B − 1
    rank = 2.0 * np.arange(b) - b + 1.0
    pairs = 2.0 * (x * rank).sum(axis=1) / b**2
    return first - 0.5 * pairs


def calibration_scores(ens: FloatArray, y: FloatArray) -> dict[str, Any]:
    """Coverage and interval score at every level of :data:`LEVELS`, and the mean CRPS.

    ``ens`` has shape (n, B), ``y`` shape (n,). Keys: ``coverage`` and ``interval_score``
    (each ``{"50": …, "80": …, "90": …}``), ``crps``, ``n``.
    """
    coverage, score = {}, {}
    for level in LEVELS:
        alpha = 1.0 - level
        lo, hi = np.quantile(ens, [alpha / 2, 1 - alpha / 2], axis=1)
        key = f"{round(level * 100)}"
        coverage[key] = float(np.mean((y >= lo) & (y <= hi)))
        score[key] = float(np.mean(interval_score(lo, hi, y, alpha)))
    return {
        "coverage": coverage,
        "interval_score": score,
        "crps": float(np.mean(crps_ensemble(ens, y))),
        "n": int(y.size),
    }


@dataclass(frozen=True)
class ScaleFit:
    """Result of :func:`fit_scale_cv`: out-of-sample scores under the fitted scale."""

    scores: dict[str, Any]
    choices: list[float]
    by_scale: dict[float, dict[str, Any]]
    full_sample: float


def fit_scale_cv(ensembles: dict[float, FloatArray], y: FloatArray, fold: IntArray) -> ScaleFit:
    """Fit the noise scale by cross-validation by group.

    ``ensembles[k]`` is the (n, B) ensemble under scale ``k``; ``fold`` the fold of each item
    (items of one group share a fold). For each fold, the ``k`` with the lowest mean CRPS on
    the other folds is chosen and that fold is scored under it; the pooled held-out ensemble
    is scored by :func:`calibration_scores`. ``full_sample`` is the ``k`` chosen on all items
    (the value a preset ships); ``by_scale`` the in-sample scores of every ``k``.
    """
    scales = sorted(ensembles)
    crps = np.stack([crps_ensemble(ensembles[k], y) for k in scales])  # (K, n)
    held = np.empty_like(ensembles[scales[0]])
    choices = []
    for f in np.unique(fold):
        train, test = fold != f, fold == f
        k = scales[int(np.argmin(crps[:, train].mean(axis=1)))]
        choices.append(k)
        held[test] = ensembles[k][test]
    return ScaleFit(
        scores=calibration_scores(held, y),
        choices=choices,
        by_scale={k: calibration_scores(ensembles[k], y) for k in scales},
        full_sample=scales[int(np.argmin(crps.mean(axis=1)))],
    )


#: Number of residual quantiles in an error-augmented ensemble (docs/accuracy.md, amendment 1).
ERROR_QUANTILES = 50


def residual_quantiles(residuals: FloatArray, count: int = ERROR_QUANTILES) -> FloatArray:
    """The ``count`` quantiles of ``residuals`` at ``(j + 0.5)/count`` (linear interpolation)."""
    return np.quantile(residuals, (np.arange(count) + 0.5) / count)


def with_model_error(
    ens: FloatArray, errors: FloatArray, lo: float = 0.0, hi: float = 100.0
) -> FloatArray:
    """Every member of ``ens`` (n, B) plus every model error of ``errors`` (E,), clipped to
    ``[lo, hi]``: shape (n, B·E)."""
    out = ens[:, :, None] + errors[None, None, :]
    return np.clip(out, lo, hi).reshape(ens.shape[0], -1)


def fit_scale_cv_with_error(
    ensembles: dict[float, FloatArray],
    point: FloatArray,
    y: FloatArray,
    fold: IntArray,
    lo: float = 0.0,
    hi: float = 100.0,
) -> ScaleFit:
    """:func:`fit_scale_cv` for error-augmented ensembles (docs/accuracy.md, amendment 1).

    In each fold, the training residuals ``y − point`` give :data:`ERROR_QUANTILES` quantiles;
    every ensemble is augmented with them (:func:`with_model_error`), ``k`` is chosen by the
    lowest training mean CRPS, and the held-out fold is scored under it.
    ``full_sample`` is the ``k`` chosen with the residuals of all items.
    """
    scales = sorted(ensembles)
    members = ensembles[scales[0]].shape[1] * ERROR_QUANTILES
    held = np.empty((y.size, members))
    choices = []

    def best(errors: FloatArray, sel: BoolArray) -> float:
        crps = [
            crps_ensemble(with_model_error(ensembles[k][sel], errors, lo, hi), y[sel]).mean()
            for k in scales
        ]
        return scales[int(np.argmin(crps))]

    for f in np.unique(fold):
        train, test = fold != f, fold == f
        errors = residual_quantiles(y[train] - point[train])
        k = best(errors, train)
        choices.append(k)
        held[test] = with_model_error(ensembles[k][test], errors, lo, hi)
    everything = np.ones(y.size, dtype=bool)
    errors = residual_quantiles(y - point)
    return ScaleFit(
        scores=calibration_scores(held, y),
        choices=choices,
        by_scale={},
        full_sample=best(errors, everything),
    )


@cache
def noise_presets() -> dict[str, dict[str, Any]]:
    """The shipped noise presets (``noise_presets.json``): name → ``{"noise": {field: Noise
    fields}, "scale", "description", "source", …}``."""
    text = files("minilateral").joinpath(NOISE_PRESETS_FILE).read_text("utf-8")
    return json.loads(text)["presets"]


def noise_preset(name: str) -> dict[str, Noise]:
    """The global noise of preset ``name``, ready for ``sweep(..., noise=…)`` or
    :func:`~minilateral.montecarlo.perturb.resolve_uncertainty`.

    Raises
    ------
    OptionError
        If there is no such preset (the message lists the known ones).
    """
    presets = noise_presets()
    if name == "default":
        return {f: getattr(DEFAULT_NOISE, f) for f in ("positions", "salience", "capability")}
    if name not in presets:
        raise OptionError(
            f"unknown noise preset '{name}' (choose from default, {', '.join(sorted(presets))})",
            field="noise-preset",
        )
    return {f: Noise.model_validate(v) for f, v in presets[name]["noise"].items()}
