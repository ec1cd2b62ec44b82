r"""Static baselines: means, the compromise model and medians (``docs/models/baselines.md``).

Every baseline works per issue on the actors that take part in it (the participation mask) and
on the unit scale; the result is mapped back to the issue's own scale.

References
----------
.. [1] van den Bos, J. M. M. (1991). *Dutch EC Policy Making: A Model-Guided Approach to
   Coordination and Negotiation*. Amsterdam: Thesis Publishers.
.. [2] Achen, C. H. (2006). Evaluating political decision-making models. In Thomson et al.
   (eds.), *The European Union Decides*, pp. 264–298. Cambridge University Press.
.. [3] Scholz, J. B., Calbert, G. J. & Smith, G. A. (2011). Unravelling Bueno de Mesquita's group
   decision model. *Journal of Theoretical Politics* 23(4), 510–531. doi:10.1177/0951629811418142
"""

from __future__ import annotations

import logging
import warnings
from typing import Literal

import numpy as np

from minilateral.arrays import BoolArray, FloatArray, ScenarioArrays
from minilateral.forecast import Forecast
from minilateral.models.base import Model, SeedLike
from minilateral.models.registry import register

__all__ = [
    "CompromiseModel",
    "MeanModel",
    "MedianModel",
    "WeightedMeanModel",
    "WeightedMedianModel",
    "lower_weighted_median",
    "weighted_mean",
]

log = logging.getLogger(__name__)

WeightName = Literal["capability_salience", "salience", "equal"]


def _axis_last(a: FloatArray | BoolArray) -> FloatArray | BoolArray:
    """(B, N, D) -> (B, D, N): the reductions below run over the last axis."""
    return np.moveaxis(a, 1, 2)


def weighted_mean(z: FloatArray, weights: FloatArray, mask: BoolArray) -> FloatArray:
    r"""Weighted mean per issue, with the fallback chain of
    ``docs/models/baselines.md#means-and-their-fallbacks``.

    .. math:: \hat x = \sum_i w_i x_i \Big/ \sum_i w_i

    Where the weights of an issue sum to zero the unweighted mean of the participants is used;
    an issue with no participant gives NaN.

    Parameters
    ----------
    z : ndarray of shape (B, N, D)
        Positions.
    weights : ndarray of shape (B, N, D)
        Non-negative weights.
    mask : ndarray of bool, shape (B, N, D)
        Participation.

    Returns
    -------
    ndarray of shape (B, D)
    """
    w = np.where(mask, weights, 0.0)
    total = w.sum(axis=1)
    count = mask.sum(axis=1)
    fallback = total <= 0
    if np.any(fallback & (count > 0)):
        log.info("weights sum to zero on %d issue(s): using the unweighted mean", fallback.sum())
    w = np.where(fallback[:, None, :], mask.astype(float), w)
    total = w.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        out = np.einsum("bnd,bnd->bd", w, np.where(mask, z, 0.0)) / total
    return np.where(count > 0, out, np.nan)


def lower_weighted_median(z: FloatArray, weights: FloatArray, mask: BoolArray) -> FloatArray:
    r"""Lower weighted median per issue, the weak Condorcet winner under linear loss.

    Definition: ``docs/models/baselines.md#medians``.

    Actors are sorted by position (stable); the result is the first position whose cumulative
    weight reaches :math:`W/2 - 10^{-9} W`, with :math:`W = \sum_i w_i`. If :math:`W = 0` every
    participant gets weight 1. An issue with no participant gives NaN.

    Returns
    -------
    ndarray of shape (B, D)
    """
    w = np.where(mask, weights, 0.0)
    total = w.sum(axis=1, keepdims=True)
    w = np.where((total <= 0) & mask, 1.0, w)
    zz, ww = _axis_last(np.where(mask, z, np.inf)), _axis_last(w)
    order = np.argsort(zz, axis=-1, kind="stable")
    zs = np.take_along_axis(zz, order, axis=-1)
    cum: FloatArray = np.cumsum(np.take_along_axis(ww, order, axis=-1), axis=-1)
    total = cum[..., -1:]
    k = np.argmax(cum >= total / 2 - 1e-9 * total, axis=-1)
    out = np.take_along_axis(zs, k[..., None], axis=-1)[..., 0]
    return np.where(mask.any(axis=1), out, np.nan)


def _weights(arrays: ScenarioArrays, name: str) -> FloatArray:
    if name == "capability_salience":
        return arrays.weights()
    if name == "salience":
        return np.where(arrays.mask, arrays.salience, 0.0)
    return arrays.mask.astype(float)


@register
class MeanModel(Model):
    """Unweighted mean of the participants' positions.

    Formula: ``docs/models/baselines.md#means-and-their-fallbacks``.
    """

    name = "mean"
    summary = "Unweighted mean of the positions (baseline)."

    def forecast(self, arrays: ScenarioArrays, rng: SeedLike = None) -> Forecast:
        """Forecast the mean position per issue."""
        z = arrays.unit_positions()
        return self._static_forecast(
            arrays, weighted_mean(z, _weights(arrays, "equal"), arrays.mask)
        )


@register
class WeightedMeanModel(Model):
    """Salience-weighted mean; falls back to the unweighted mean.

    Formula: ``docs/models/baselines.md#means-and-their-fallbacks``.
    """

    name = "weighted-mean"
    summary = "Salience-weighted mean of the positions (baseline)."

    def forecast(self, arrays: ScenarioArrays, rng: SeedLike = None) -> Forecast:
        """Forecast the salience-weighted mean per issue."""
        z = arrays.unit_positions()
        w = _weights(arrays, "salience")
        return self._static_forecast(arrays, weighted_mean(z, w, arrays.mask))


@register
class CompromiseModel(Model):
    r"""The compromise model: capability × salience weighted mean.

    Formula and sources: ``docs/models/baselines.md#the-compromise-model``.

    .. math:: \hat x_C = \sum_i c_i s_i x_i \Big/ \sum_i c_i s_i

    Falls back to the salience-weighted, then the unweighted mean when all weights are zero.
    It is the main baseline on DEU (Achen 2006; Leinaweaver & Thomson 2014) and the limit of the
    capability-weighted Nash solution under a common, very bad disagreement utility
    (``docs/models/nash.md#relation-to-the-compromise-model``).
    """

    name = "compromise"
    summary = "Capability x salience weighted mean (van den Bos 1991; Achen 2006)."

    def forecast(self, arrays: ScenarioArrays, rng: SeedLike = None) -> Forecast:
        """Forecast the compromise position per issue."""
        return self._static_forecast(arrays, compromise(arrays))


def compromise(arrays: ScenarioArrays) -> FloatArray:
    """Compromise outcome on the unit scale, shape (B, D), with the full fallback chain."""
    z, mask = arrays.unit_positions(), arrays.mask
    cs = _weights(arrays, "capability_salience")
    no_cs = (cs.sum(axis=1) <= 0)[:, None, :]
    w = np.where(no_cs, _weights(arrays, "salience"), cs)
    return weighted_mean(z, w, mask)


@register
class MedianModel(Model):
    """The ordinary (unweighted) median: for even n, the mean of the two middle values
    (``docs/models/baselines.md#medians``)."""

    name = "median"
    summary = "Ordinary median of the positions (baseline)."

    def forecast(self, arrays: ScenarioArrays, rng: SeedLike = None) -> Forecast:
        """Forecast the median position per issue."""
        z = np.where(arrays.mask, arrays.unit_positions(), np.nan)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN issue -> NaN, intended
            out = np.nanmedian(_axis_last(z), axis=-1)
        return self._static_forecast(arrays, out)


@register
class WeightedMedianModel(Model):
    """The lower weighted median: BDM's and Scholz et al.'s "median voter position".

    Definition: ``docs/models/baselines.md#medians``.

    Parameters
    ----------
    weights : {"capability_salience", "salience", "equal"}, default="capability_salience"
        Weight of each actor: ``c·s``, ``s`` or 1.
    """

    name = "weighted-median"
    summary = "Lower weighted median, the weak Condorcet winner (baseline)."

    def __init__(self, *, weights: WeightName = "capability_salience") -> None:
        self.weights = weights

    def forecast(self, arrays: ScenarioArrays, rng: SeedLike = None) -> Forecast:
        """Forecast the weighted median per issue."""
        params = self.resolved_options()
        z = arrays.unit_positions()
        w = _weights(arrays, params["weights"])
        return self._static_forecast(arrays, lower_weighted_median(z, w, arrays.mask))
