"""The judgements of a brief: headline forecasts, confidence, degenerate results, why it moved.

Everything here is computed once from the forecasts and sweeps of a :class:`.Theatre` and stored
in the brief's ``results.json`` (``scenarios[k].assessment``); the sections only word it.

Rules (stated in the brief's methods section and ``docs/brief.md``):

* **Estimative words** (ICD 203, US Office of the Director of National Intelligence, 2015):
  :data:`ESTIMATIVE` maps a probability to "almost no chance" (1–5 %) … "almost certain"
  (95–99 %).
* **Degenerate results** (:func:`degenerate`): a Nash solution equal to the issue's reference
  point is *no zone of agreement around the status quo* — not a forecast, left out of the
  agreement, the headline and the confidence; a run stopped at its round cap is *capped*; an
  smp run that ended where every position is equally likely to win is *flat risk*; a bdm
  forecast that alternates between two values in its last rounds is *zigzag*.
* **Headline** (:func:`headline`): the accuracy-weighted combination of the models whose DEU III
  mean absolute error (:mod:`minilateral.accuracy`, GDP capability option) is no worse than the
  plain mean of positions: weights ∝ 1 / MAE², over the models with a usable forecast on the
  issue. A model worse than the plain mean is shown, never headlined.
* **Confidence** (:func:`confidence_level`): the lowest of three levels, each "high" at most 10 %
  and "medium" at most 25 % of the issue scale: (a) the widest 90 % interval among the sweeps of
  every swept model, (b) the models' agreement (range of their usable forecasts; "disagree" is
  "low"), (c) the headline's out-of-sample error on DEU III (its weighted MAE on the 0–100
  scale). So "high" is impossible where models disagree.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

import numpy as np

from minilateral.accuracy import CAPABILITY, accuracy_table
from minilateral.scenario import Scenario

__all__ = [
    "ESTIMATIVE",
    "LEVELS",
    "STALE_DAYS",
    "THRESHOLDS",
    "assess_theatre",
    "confidence_level",
    "degenerate",
    "estimative",
    "headline",
    "level",
    "staleness",
]


def N_(message: str) -> str:  # noqa: N802 (the gettext convention)
    """Mark ``message`` for translation (gettext no-op; the brief translates it when shown)."""
    return message


#: ICD 203 estimative terms: (upper bound of the probability, term, numeric range).
ESTIMATIVE: tuple[tuple[float, str, str], ...] = (
    (0.05, N_("almost no chance"), "1–5 %"),
    (0.20, N_("very unlikely"), "5–20 %"),
    (0.45, N_("unlikely"), "20–45 %"),
    (0.55, N_("roughly even chance"), "45–55 %"),
    (0.80, N_("likely"), "55–80 %"),
    (0.95, N_("very likely"), "80–95 %"),
    (1.01, N_("almost certain"), "95–99 %"),
)
#: Bounds (share of the issue scale) of "high" and "medium" for every confidence component.
THRESHOLDS = (0.10, 0.25)
#: Confidence levels, best first.
LEVELS = ("high", "medium", "low")
#: A scenario older than this at the brief's date is flagged as stale (six months).
STALE_DAYS = 183
_AGREEMENT_LEVEL = {"agree": "high", "partly agree": "medium", "disagree": "low"}


def estimative(p: float) -> tuple[str, str]:
    """The ICD 203 term and its range for probability ``p`` (0–1).

    >>> estimative(0.7)
    ('likely', '55–80 %')
    >>> estimative(0.02)
    ('almost no chance', '1–5 %')
    """
    for bound, term, span in ESTIMATIVE:
        if p < bound or bound > 1:
            return term, span
    raise AssertionError("unreachable")


def level(share: float) -> str:
    """``"high"``, ``"medium"`` or ``"low"`` for a width or error as a share of the scale."""
    return "high" if share <= THRESHOLDS[0] else "medium" if share <= THRESHOLDS[1] else "low"


def agreement(spread: float) -> str:
    """``"agree"``, ``"partly agree"`` or ``"disagree"`` for a spread (share of the scale)."""
    return {"high": "agree", "medium": "partly agree", "low": "disagree"}[level(spread)]


def confidence_level(
    width: float | None, agreement_label: str | None, error: float | None
) -> str | None:
    """The lowest of the sweep, agreement and accuracy levels (None when nothing is known).

    >>> confidence_level(0.05, "disagree", 0.05)
    'low'
    >>> confidence_level(0.05, "agree", 0.2321)
    'medium'
    """
    parts = []
    if width is not None:
        parts.append(level(width))
    if agreement_label is not None:
        parts.append(_AGREEMENT_LEVEL[agreement_label])
    if error is not None:
        parts.append(level(error))
    return max(parts, key=LEVELS.index) if parts else None


def _zigzag(series: list[float], span: float, tail: int = 4) -> bool:
    """Whether the last ``tail`` steps alternate in sign with steps above 0.1 % of the scale."""
    x = np.asarray(series[-(tail + 1) :], dtype=float)
    if x.size < tail + 1 or np.isnan(x).any():
        return False
    d = np.diff(x)
    big = np.abs(d) > 1e-3 * span
    return bool(big.all() and (np.sign(d[1:]) != np.sign(d[:-1])).all())


def degenerate(
    scenario: Scenario, forecasts: dict[str, dict[str, Any]]
) -> list[dict[str, str | None]]:
    """Per issue, ``{model: kind}`` of the degenerate results (see the module docstring).

    Kinds: ``"no_zone"`` (Nash at the reference point), ``"capped"``, ``"flat_risk"`` (smp),
    ``"zigzag"`` (bdm).
    """
    out: list[dict[str, str | None]] = []
    for q, issue in enumerate(scenario.issues):
        span = issue.hi - issue.lo
        kinds: dict[str, str | None] = {}
        for model, fc in forecasts.items():
            value = fc["outcome"][q]
            kind = None
            rounds = fc.get("issue_rounds")
            if (
                model.startswith("nash")
                and issue.reference is not None
                and value is not None
                and abs(value - issue.reference) <= 1e-9 * span
            ):
                kind = "no_zone"
            elif fc.get("flat_risk"):
                kind = "flat_risk"
            elif fc.get("median") is not None and _zigzag(
                [r[q] for r in fc["median"] if r is not None], span
            ):
                kind = "zigzag"
            elif not fc.get("converged", True) and (
                rounds is None or rounds[q] >= (fc.get("rounds") or 0)
            ):
                kind = "capped"
            kinds[model] = kind
        out.append(kinds)
    return out


def headline(values: dict[str, float]) -> tuple[float | None, dict[str, float], float | None]:
    """Accuracy-weighted combination of the usable forecasts ``values`` (model → value).

    Returns the value, the weights (models no worse than the plain mean on DEU III, ∝ 1/MAE²)
    and the weighted MAE of the combination's members (0–100 scale); ``(None, {}, None)`` when
    no usable model is that accurate.

    >>> value, weights, mae = headline({"compromise": 40.0, "nash": 90.0})
    >>> value, weights
    (40.0, {'compromise': 1.0})
    """
    table = accuracy_table()
    base = table.baseline_mae(CAPABILITY)
    maes = {m: table.mae(m, CAPABILITY) for m in values}
    ok = {m: e for m, e in maes.items() if e is not None and e <= base}
    if not ok:
        return None, {}, None
    raw = {m: 1.0 / e**2 for m, e in ok.items()}
    total = sum(raw.values())
    weights = {m: w / total for m, w in raw.items()}
    value = float(sum(weights[m] * values[m] for m in weights))
    mae = float(sum(weights[m] * ok[m] for m in weights))
    return value, weights, mae


def staleness(scenario: Scenario, date: dt.date) -> dict[str, Any]:
    """Age of the scenario's newest event (``as_of``, else its ``date``) at the brief's date."""
    as_of = scenario.as_of or scenario.date
    if as_of is None:
        return {"as_of": None, "age_days": None, "stale": True, "undated": True}
    age = (date - as_of).days
    return {"as_of": as_of.isoformat(), "age_days": age, "stale": age > STALE_DAYS}


def _moved(
    scenario: Scenario, model: str, fc: dict[str, Any], trajectory: list[Any] | None
) -> list[dict[str, Any]]:
    """Per issue, the move record of a dynamic model: who moved most, who forced it, when."""
    if trajectory is None:
        return []
    traj = np.asarray(trajectory, dtype=float)  # (T+1, N, D)
    moves = np.asarray(fc.get("moves") or [], dtype=float).reshape(-1, 6)
    rounds = fc.get("issue_rounds")
    out = []
    for q, issue in enumerate(scenario.issues):
        start, end = traj[0, :, q], traj[-1, :, q]
        shift = np.where(np.isnan(start) | np.isnan(end), 0.0, np.abs(end - start))
        i = int(np.argmax(shift))
        entry: dict[str, Any] = {
            "issue": issue.name,
            "mover": scenario.actors[i].name if shift[i] > 0 else None,
            "from": float(start[i]),
            "to": float(end[i]),
            "settled_round": int(rounds[q]) if rounds is not None else int(traj.shape[0] - 1),
            "rounds": int(fc.get("rounds") or traj.shape[0] - 1),
            "converged": bool(fc.get("converged", True)),
        }
        own = moves[(moves[:, 2] == q) & (moves[:, 3] > 0)] if moves.size else moves
        if own.size:
            kinds = Counter(int(k) for k in own[:, 3])
            entry["moves"] = {
                "lost_conflict": kinds.get(1, 0),
                "compromise": kinds.get(2, 0),
                "capitulation": kinds.get(3, 0),
            }
            pairs = Counter(
                (int(a), int(o)) for a, k, o in own[:, [1, 3, 4]] if k == 1 and not np.isnan(o)
            )
            if pairs:
                (a, o), n = pairs.most_common(1)[0]
                first = int(own[(own[:, 1] == a) & (own[:, 4] == o)][:, 0].min())
                entry["challenge"] = {
                    "winner": scenario.actors[o].name,
                    "loser": scenario.actors[a].name,
                    "count": n,
                    "first_round": first,
                }
        out.append(entry)
    return out


def assess_theatre(
    scenario: Scenario,
    models: list[str],
    forecasts: dict[str, dict[str, Any]],
    sweeps: dict[str, dict[str, Any]],
    trajectories: dict[str, list[Any]],
    date: dt.date,
) -> dict[str, Any]:
    """The assessment of one theatre (the ``assessment`` entry of ``results.json``)."""
    flags = degenerate(scenario, {m: forecasts[m] for m in models})
    issues = []
    for q, issue in enumerate(scenario.issues):
        span = issue.hi - issue.lo
        values = {m: forecasts[m]["outcome"][q] for m in models}
        usable = {m: v for m, v in values.items() if v is not None and flags[q].get(m) != "no_zone"}
        spread = (max(usable.values()) - min(usable.values())) / span if usable else None
        agree = agreement(spread) if spread is not None and len(usable) > 1 else None
        widths = {
            m: (s["issues"][q]["quantiles"]["0.95"] - s["issues"][q]["quantiles"]["0.05"]) / span
            for m, s in sweeps.items()
            if m in usable and s["issues"][q]["quantiles"]["0.95"] is not None
        }
        width = max(widths.values()) if widths else None
        value, weights, mae = headline(usable)
        interval = p_high = None
        if weights and all(m in sweeps for m in weights):
            qs = [sweeps[m]["issues"][q] for m in weights]
            if all(s["quantiles"]["0.05"] is not None for s in qs):
                interval = [
                    float(
                        sum(
                            w * s["quantiles"][k] for w, s in zip(weights.values(), qs, strict=True)
                        )
                    )
                    for k in ("0.05", "0.95")
                ]
                p_high = float(
                    sum(
                        w * (s.get("p_high") or 0.0)
                        for w, s in zip(weights.values(), qs, strict=True)
                    )
                )
        issues.append(
            {
                "issue": issue.name,
                "label": issue.display_name,
                "forecasts": values,
                "degenerate": {m: k for m, k in flags[q].items() if k},
                "spread": spread,
                "agreement": agree,
                "sweep_width": width,
                "headline": value,
                "weights": weights,
                "headline_mae": mae,
                "interval90": interval,
                "p_high": p_high,
                "confidence": confidence_level(width, agree, 1.0 if mae is None else mae / 100),
                "confidence_parts": {
                    "sweep": None if width is None else level(width),
                    "agreement": None if agree is None else _AGREEMENT_LEVEL[agree],
                    "accuracy": "low" if mae is None else level(mae / 100),
                },
            }
        )
    moved = {
        m: _moved(scenario, m, forecasts[m], trajectories.get(m))
        for m in models
        if m in trajectories
    }
    return {"issues": issues, "moved": moved, "staleness": staleness(scenario, date)}
