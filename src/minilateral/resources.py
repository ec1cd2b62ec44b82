"""Resource guards: refuse a model run that would not fit in memory, and results that overflowed.

A model's working memory grows with the batch size B, the number of actors N and the number of
issues D; BDM and SMP build (N, N, N) tensors of third-party support, so a 1,000-actor table
would need tens of gigabytes. :func:`check_memory` estimates the peak from (B, N, D) with the
model's :meth:`~minilateral.models.base.Model.memory_estimate` *before* anything is allocated
and refuses with the estimate and the setting that raises the limit.

:func:`check_time` does the same for time: :func:`time_estimate` is an upper bound of a run's
CPU seconds from (B, N, D) and the model's round cap, from the measured cost models of
:data:`COST_MODELS`. The limit ``MINILATERAL_MAX_SECONDS`` is off unless set (a CLI user may run
for hours on purpose); the web app sets it to :data:`WEB_DEFAULT_MAX_SECONDS` when it is unset,
so an uploaded scenario cannot start a run of hours.
"""

from __future__ import annotations

import inspect
import math
import os
from dataclasses import dataclass
from typing import Any

import numpy as np

from minilateral.errors import ResourceError, ScenarioError

__all__ = [
    "COST_MODELS",
    "DEFAULT_MAX_MEMORY_MB",
    "MEMORY_SETTING",
    "TIME_SETTING",
    "WEB_DEFAULT_MAX_SECONDS",
    "CostModel",
    "check_finite_result",
    "check_memory",
    "check_time",
    "max_memory_bytes",
    "max_seconds",
    "time_estimate",
]

MEMORY_SETTING = "MINILATERAL_MAX_MEMORY_MB"
DEFAULT_MAX_MEMORY_MB = 2048
TIME_SETTING = "MINILATERAL_MAX_SECONDS"
WEB_DEFAULT_MAX_SECONDS = 600.0


def max_memory_bytes() -> int:
    """The memory limit of one model run: ``MINILATERAL_MAX_MEMORY_MB`` (default 2048 MB)."""
    raw = os.environ.get(MEMORY_SETTING, "").strip()
    try:
        mb = float(raw) if raw else DEFAULT_MAX_MEMORY_MB
    except ValueError:
        raise ResourceError(
            f"{MEMORY_SETTING}={raw!r} is not a number of megabytes", field=MEMORY_SETTING
        ) from None
    if not math.isfinite(mb) or mb <= 0:
        raise ResourceError(f"{MEMORY_SETTING} must be a positive number", field=MEMORY_SETTING)
    return int(mb * 1024 * 1024)


def _count(k: int, noun: str) -> str:
    return f"{k} {noun}" if k == 1 else f"{k} {noun}s"


def _mb(n: float) -> str:
    return f"{n / 1024**3:.1f} GB" if n >= 1024**3 else f"{n / 1024**2:.0f} MB"


def check_memory(model: Any, b: int, n: int, d: int) -> int:
    """Refuse with :class:`ResourceError` when ``model`` on (B, N, D) would exceed the limit.

    Returns the estimate in bytes.
    """
    estimate = int(model.memory_estimate(b, n, d))
    limit = max_memory_bytes()
    if estimate > limit:
        raise ResourceError(
            f"model '{model.name}' would need about {_mb(estimate)} of memory for "
            f"{_count(b, 'scenario')} of {_count(n, 'actor')} and {_count(d, 'issue')}, more "
            f"than the limit of {_mb(limit)}; "
            f"use fewer actors (or a smaller batch), or raise the limit with {MEMORY_SETTING}",
            field="actors",
        )
    return estimate


@dataclass(frozen=True)
class CostModel:
    """CPU seconds of a run: ``overhead + per_unit * rounds * B * N**actor_power * D**issue_power``.

    ``rounds`` is the model's round cap (its ``rounds_option``, 1 for a static model), so the
    estimate is an upper bound: a run that converges early stops sooner.
    """

    per_unit: float
    actor_power: int
    issue_power: int
    overhead: float = 0.05


#: Calibrated on the 2-core development machine (December 2026, load 0.3-1, CPU time of
#: ``Model.forecast`` on random one-scenario tables, positions uniform on 0-100, saliences on
#: 0.1-1, after a warm-up call); the constants are about twice the measured rates:
#:
#: * bdm: every round weighs every pair of actors with every third actor's vote (in blocks),
#:   B·N³·D work per round. Measured 19.7 s for N = 1,000, D = 1 at 5 rounds (3.9e-9 s per
#:   unit), 0.13 s for N = 200 and 0.15 s for B = 200, N = 15, D = 4; constant 8e-9 s.
#: * smp: every turn builds the (N, N, N) third-party perception tensor of every issue, B·N³·D
#:   work. Measured 4.4 s for N = 320, D = 1 at 57 turns (2.3e-9 s per unit), 0.53 s for
#:   N = 160 at 43 turns and 0.35 s for B = 200, N = 15, D = 4 at 101 turns; constant 1e-8 s.
#: * any other model (compromise, the mediation measures, baselines): closed-form or a few
#:   passes over actors, B·N²·D at 1e-7 s, once.
#:
#: The round cap multiplies (bdm's ``rounds`` 10, smp's ``max_turns`` 100 by default), so a run
#: that converges early takes a fraction of the estimate: it is a bound, not a forecast.
COST_MODELS: dict[str, CostModel] = {
    "bdm": CostModel(per_unit=8e-9, actor_power=3, issue_power=1),
    "smp": CostModel(per_unit=1e-8, actor_power=3, issue_power=1),
}
_DEFAULT_COST = CostModel(per_unit=1e-7, actor_power=2, issue_power=1)


def _round_cap(model: Any, rounds: int | None) -> int:
    option = getattr(model, "rounds_option", None)
    if not option:
        return 1
    value = rounds
    if value is None and not isinstance(model, type):
        value = getattr(model, option, None)
    if value is None:
        default = inspect.signature(model).parameters.get(option)
        value = default.default if default is not None else None
    if value is None:
        return 1
    try:
        return max(int(value), 1)
    except (TypeError, ValueError):
        return 1


def time_estimate(model: Any, b: int, n: int, d: int, *, rounds: int | None = None) -> float:
    """Upper bound of the CPU seconds of ``model`` (instance or class) on (B, N, D).

    From :data:`COST_MODELS` and the model's round cap: ``rounds`` if given, else the
    instance's option, else the class default.
    """
    cost = COST_MODELS.get(getattr(model, "name", ""), _DEFAULT_COST)
    units = b * n**cost.actor_power * max(d, 1) ** cost.issue_power
    return cost.overhead + cost.per_unit * _round_cap(model, rounds) * units


def max_seconds() -> float | None:
    """The time limit of one model run: ``MINILATERAL_MAX_SECONDS``, None (no limit) if unset."""
    raw = os.environ.get(TIME_SETTING, "").strip()
    if not raw:
        return None
    try:
        seconds = float(raw)
    except ValueError:
        raise ResourceError(
            f"{TIME_SETTING}={raw!r} is not a number of seconds", field=TIME_SETTING
        ) from None
    if not math.isfinite(seconds) or seconds <= 0:
        raise ResourceError(f"{TIME_SETTING} must be a positive number", field=TIME_SETTING)
    return seconds


def _duration(seconds: float) -> str:
    """``seconds`` in words: "45 seconds", "1 minute", "17 minutes", "2.5 hours"."""
    if seconds >= 3600:
        value, unit = f"{seconds / 3600:.1f}".removesuffix(".0"), "hour"
    elif seconds >= 60:
        value, unit = f"{seconds / 60:.0f}", "minute"
    else:
        value, unit = (f"{seconds:.0f}" if seconds >= 2 else f"{seconds:.1f}"), "second"
    return f"{value} {unit}" if value == "1" else f"{value} {unit}s"


def check_time(
    model: Any, b: int, n: int, d: int, *, what: str = "scenario", rounds: int | None = None
) -> float:
    """Refuse with :class:`ResourceError` when ``model`` on (B, N, D) could exceed the limit.

    ``what`` names a batch member in the message (``"scenario"``, ``"draw"``). Returns the
    estimate in seconds; without a limit it only returns it.
    """
    estimate = time_estimate(model, b, n, d, rounds=rounds)
    limit = max_seconds()
    if limit is not None and estimate > limit:
        raise ResourceError(
            f"model '{model.name}' could take up to {_duration(estimate)} of computing time for "
            f"{_count(b, what)} of {_count(n, 'actor')} and {_count(d, 'issue')}, more than the "
            f"limit of {_duration(limit)}; use fewer actors (or fewer {what}s), or raise the "
            f"limit with {TIME_SETTING}",
            field="actors",
        )
    return estimate


def _has_inf(value: Any) -> bool:
    if isinstance(value, np.ndarray):
        return bool(np.issubdtype(value.dtype, np.floating) and np.isinf(value).any())
    if isinstance(value, dict):
        return any(_has_inf(v) for v in value.values())
    if isinstance(value, list | tuple):
        return any(_has_inf(v) for v in value)
    return isinstance(value, float | np.floating) and math.isinf(value)


def check_finite_result(result: Any) -> None:
    """An infinite number in a forecast means the model's arithmetic overflowed: refuse it.

    NaN is a documented "no forecast" marker (written as null); infinity never is.
    """
    if _has_inf([result.outcome, result.trajectory, result.diagnostics]):
        raise ScenarioError(
            f"model '{result.model}' overflowed to an infinite value; capabilities or positions "
            "are too large (only ratios of capabilities matter: rescale them, e.g. to 1-100)",
            field="capability",
        )
