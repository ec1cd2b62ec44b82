"""Resource guards: refuse a model run that would not fit in memory, and results that overflowed.

A model's working memory grows with the batch size B, the number of actors N and the number of
issues D; BDM and SMP build (N, N, N) tensors of third-party support, so a 1,000-actor table
would need tens of gigabytes. :func:`check_memory` estimates the peak from (B, N, D) with the
model's :meth:`~minilateral.models.base.Model.memory_estimate` *before* anything is allocated
and refuses with the estimate and the setting that raises the limit.
"""

from __future__ import annotations

import math
import os
from typing import Any

import numpy as np

from minilateral.errors import MinilateralError, ScenarioError

__all__ = [
    "DEFAULT_MAX_MEMORY_MB",
    "MEMORY_SETTING",
    "ResourceError",
    "check_finite_result",
    "check_memory",
    "max_memory_bytes",
]

MEMORY_SETTING = "MINILATERAL_MAX_MEMORY_MB"
DEFAULT_MAX_MEMORY_MB = 2048


class ResourceError(MinilateralError):
    """A run would need more memory than the configured limit (exit 2: change the input)."""

    exit_code = 2


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
