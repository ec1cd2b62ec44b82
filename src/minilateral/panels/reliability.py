r"""Inter-coder reliability: Krippendorff's alpha and the Shrout–Fleiss intraclass correlations.

Both functions are pure: arrays in, numbers out.

Krippendorff's alpha
--------------------
A reliability table has one row per coder and one column per unit; ``NaN`` marks a missing
value. Units with fewer than two values are not pairable and are dropped. With
:math:`n_{uc}` the number of values ``c`` in unit ``u`` and :math:`m_u` the number of values
in unit ``u``, the coincidence matrix is

.. math:: o_{ck} = \sum_u \frac{n_{uc}\, n_{uk} - [c = k]\, n_{uc}}{m_u - 1},

with marginals :math:`n_c = \sum_k o_{ck}` and :math:`n = \sum_c n_c`. Then

.. math:: \alpha = 1 - (n - 1)\,
          \frac{\sum_{c,k} o_{ck}\, \delta^2_{ck}}{\sum_{c,k} n_c\, n_k\, \delta^2_{ck}}

with the difference function :math:`\delta^2` of the level of measurement:

* nominal: :math:`[c \ne k]`;
* ordinal: :math:`\big(\sum_{g=c}^{k} n_g - (n_c + n_k)/2\big)^2` (values ranked);
* interval: :math:`(c - k)^2`;
* ratio: :math:`\big((c - k)/(c + k)\big)^2` (values must be non-negative).

Intraclass correlations
-----------------------
For a complete table of ``n`` targets (rows) by ``k`` judges (columns), with the mean squares
of a two-way analysis of variance — between targets ``BMS``, between judges ``JMS``, residual
``EMS`` and within targets ``WMS = (SS_total − SS_targets)/(n(k − 1))`` — Shrout & Fleiss
define

* ICC(1,1) = (BMS − WMS) / (BMS + (k − 1) WMS)
* ICC(2,1) = (BMS − EMS) / (BMS + (k − 1) EMS + k (JMS − EMS)/n)
* ICC(3,1) = (BMS − EMS) / (BMS + (k − 1) EMS)
* ICC(1,k) = (BMS − WMS) / BMS
* ICC(2,k) = (BMS − EMS) / (BMS + (JMS − EMS)/n)
* ICC(3,k) = (BMS − EMS) / BMS

References
----------
.. [1] Krippendorff, K. (2011). *Computing Krippendorff's alpha-reliability*. Annenberg School
   for Communication, University of Pennsylvania. (The worked example "C": 4 observers, 12
   units, missing values.)
.. [2] Krippendorff, K. (2019). *Content Analysis: An Introduction to Its Methodology*, 4th ed.,
   ch. 12. SAGE.
.. [3] Shrout, P. E. & Fleiss, J. L. (1979). Intraclass correlations: uses in assessing rater
   reliability. *Psychological Bulletin* 86(2), 420–428. doi:10.1037/0033-2909.86.2.420
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from numpy.typing import ArrayLike

from minilateral.errors import OptionError

__all__ = ["ICC_KEYS", "LEVELS", "Level", "coincidence", "icc", "krippendorff_alpha"]

Level = Literal["nominal", "ordinal", "interval", "ratio"]
LEVELS: tuple[str, ...] = ("nominal", "ordinal", "interval", "ratio")
ICC_KEYS = ("ICC1", "ICC2", "ICC3", "ICC1k", "ICC2k", "ICC3k")


def _table(data: ArrayLike) -> np.ndarray:
    table = np.asarray(data, dtype=np.float64)
    if table.ndim != 2:
        raise OptionError(f"a reliability table has two dimensions, got {table.ndim}")
    if np.isinf(table).any():
        raise OptionError("a reliability table may not contain infinite values")
    return table


def coincidence(data: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    """The distinct values and the coincidence matrix of a (coders, units) table.

    Returns
    -------
    values : ndarray of shape (V,)
        Sorted distinct values of the pairable units.
    o : ndarray of shape (V, V)
        :math:`o_{ck}` (see the module docstring); it sums to the number of pairable values.
    """
    table = _table(data)
    present = ~np.isnan(table)
    m = present.sum(axis=0)
    pairable = table[:, m >= 2]
    m = m[m >= 2]
    values = np.unique(pairable[~np.isnan(pairable)])
    # counts[u, c]: how many coders gave value c in unit u
    ok = ~np.isnan(pairable)
    units = np.broadcast_to(np.arange(pairable.shape[1]), pairable.shape)
    counts = np.zeros((pairable.shape[1], values.size))
    np.add.at(counts, (units[ok], np.searchsorted(values, pairable[ok])), 1.0)
    weight = 1.0 / (m - 1.0)
    o = np.einsum("u,uc,uk->ck", weight, counts, counts) - np.diag(weight @ counts)
    return values, o


def _delta(values: np.ndarray, marginals: np.ndarray, level: str) -> np.ndarray:
    c, k = values[:, None], values[None, :]
    if level == "nominal":
        return (c != k).astype(np.float64)
    if level == "interval":
        return (c - k) ** 2
    if level == "ratio":
        if (values < 0).any():
            raise OptionError("the ratio level needs non-negative values", field="level")
        total = c + k
        with np.errstate(invalid="ignore", divide="ignore"):
            out = np.where(total == 0, 0.0, ((c - k) / np.where(total == 0, 1, total)) ** 2)
        return out
    if level == "ordinal":
        cum = np.cumsum(marginals)
        lo = np.minimum(np.arange(values.size)[:, None], np.arange(values.size)[None, :])
        hi = np.maximum(np.arange(values.size)[:, None], np.arange(values.size)[None, :])
        between = cum[hi] - np.where(lo > 0, cum[lo - 1], 0.0)
        return (between - (marginals[:, None] + marginals[None, :]) / 2.0) ** 2
    raise OptionError(f"unknown level '{level}' (choose from {', '.join(LEVELS)})", field="level")


def krippendorff_alpha(data: ArrayLike, level: Level | str = "interval") -> float:
    """Krippendorff's alpha of a (coders, units) table with ``NaN`` for missing values.

    Parameters
    ----------
    data : array_like of shape (coders, units)
        The codings; units with fewer than two values are ignored.
    level : {"nominal", "ordinal", "interval", "ratio"}, default="interval"
        Level of measurement (the difference function, see the module docstring).

    Returns
    -------
    float
        Alpha (1 = perfect agreement, 0 = agreement at chance level); ``NaN`` when there is no
        expected disagreement (all pairable values equal) or no pairable unit.

    Examples
    --------
    >>> round(krippendorff_alpha([[1, 2, 3], [1, 2, 4]], "interval"), 3)
    0.878
    """
    if level not in LEVELS:
        raise OptionError(
            f"unknown level '{level}' (choose from {', '.join(LEVELS)})", field="level"
        )
    values, o = coincidence(data)
    n_c = o.sum(axis=1)
    n = n_c.sum()
    if values.size < 2 or n <= 1:
        return float("nan")
    delta = _delta(values, n_c, level)
    observed = float((o * delta).sum())
    expected = float((np.outer(n_c, n_c) * delta).sum())
    if expected == 0.0:
        return float("nan")
    return float(1.0 - (n - 1.0) * observed / expected)


def icc(data: ArrayLike) -> dict[str, float]:
    """The six Shrout–Fleiss intraclass correlations of a complete (targets, judges) table.

    Parameters
    ----------
    data : array_like of shape (n, k)
        One row per target, one column per judge; no missing values, ``n ≥ 2`` and ``k ≥ 2``.

    Returns
    -------
    dict
        ``ICC1, ICC2, ICC3`` (single judge: forms (1,1), (2,1), (3,1)) and ``ICC1k, ICC2k,
        ICC3k`` (mean of the k judges).

    Raises
    ------
    OptionError
        Missing values, or fewer than two targets or judges.
    """
    table = _table(data)
    if np.isnan(table).any():
        rows, cols = np.nonzero(np.isnan(table))
        raise OptionError(
            "every judge must score every target; missing: "
            + ", ".join(
                f"target {r + 1} by judge {c + 1}" for r, c in zip(rows[:5], cols[:5], strict=True)
            )
        )
    n, k = table.shape
    if n < 2 or k < 2:
        raise OptionError(
            f"intraclass correlation needs at least 2 targets and 2 judges, got {n}×{k}"
        )
    grand = table.mean()
    ss_total = float(((table - grand) ** 2).sum())
    ss_rows = float(k * ((table.mean(axis=1) - grand) ** 2).sum())
    ss_cols = float(n * ((table.mean(axis=0) - grand) ** 2).sum())
    bms = ss_rows / (n - 1)
    jms = ss_cols / (k - 1)
    ems = (ss_total - ss_rows - ss_cols) / ((n - 1) * (k - 1))
    wms = (ss_total - ss_rows) / (n * (k - 1))

    def ratio(num: float, den: float) -> float:
        return num / den if den != 0 else float("nan")

    return {
        "ICC1": ratio(bms - wms, bms + (k - 1) * wms),
        "ICC2": ratio(bms - ems, bms + (k - 1) * ems + k * (jms - ems) / n),
        "ICC3": ratio(bms - ems, bms + (k - 1) * ems),
        "ICC1k": ratio(bms - wms, bms),
        "ICC2k": ratio(bms - ems, bms + (jms - ems) / n),
        "ICC3k": ratio(bms - ems, bms),
    }
