"""KTAB's vocabulary and the scenario ↔ KTAB mapping, shared by the KTAB readers and ``smp``.

A neutral module: the readers in :mod:`minilateral.io` and the model
:mod:`minilateral.models.smp` both import it, so that ``io`` imports no model. It holds KTAB's
nine SMP options with their values, aliases and defaults (``docs/models/smp.md``, options), its
default seed, and :func:`smp_inputs`, the one mapping of any scenario onto KTAB's inputs
(positions on the 0–100 scale, saliences, capabilities).
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from minilateral.arrays import BoolArray, FloatArray, ScenarioArrays
from minilateral.errors import OptionError, ScenarioError

__all__ = [
    "KTAB_DEFAULT_SEED",
    "NAME_ALIASES",
    "SMP_DEFAULTS",
    "SMP_OPTIONS",
    "VALUE_ALIASES",
    "SmpInputs",
    "canonical_options",
    "smp_inputs",
]

KTAB_DEFAULT_SEED = 0xD67CC16FE69C185C  # = 15455440707583219804, KTAB's default prngSeed

#: KTAB's nine options with their values; the first spelling is canonical
#: (docs/scenario-format.md#ktabs-options).
SMP_OPTIONS: dict[str, tuple[str, ...]] = {
    "VictoryProbModel": ("Linear", "Square", "Quartic", "Octic", "Binary"),
    "PCEModel": ("Conditional", "MarkovIncentive", "MarkovUniform"),
    "StateTransitions": ("Deterministic", "Stochastic"),
    "VotingRule": ("Binary", "PropBin", "Prop", "PropCbc", "Cubic", "ASymProsp"),
    "BigRAdjust": ("None", "OneThird", "Half", "TwoThirds", "Full"),
    "BigRRange": ("Min", "Mid", "Max"),
    "ThirdPartyCommit": ("NoCommit", "SemiCommit", "FullCommit"),
    "InterVecBrgn": ("S1P1", "S2P2", "S2PMax"),
    "BargnModel": ("InitOnlyInterp", "InitRcvrInterp", "PWCompInterp"),
}
#: Accepted aliases of option values (the schema's spellings) and of option names.
VALUE_ALIASES: dict[str, dict[str, str]] = {
    "VotingRule": {"Proportional": "Prop"},
    "BigRAdjust": {"No": "None"},
}
NAME_ALIASES: dict[str, str] = {"StateTransition": "StateTransitions"}
#: KTAB's default value of each option (the ``smp`` model's defaults).
SMP_DEFAULTS: dict[str, str] = {
    "VictoryProbModel": "Linear",
    "PCEModel": "Conditional",
    "StateTransitions": "Deterministic",
    "VotingRule": "Prop",
    "BigRAdjust": "OneThird",
    "BigRRange": "Mid",
    "ThirdPartyCommit": "SemiCommit",
    "InterVecBrgn": "S2P2",
    "BargnModel": "InitOnlyInterp",
}


def canonical_options(options: Mapping[str, Any]) -> dict[str, str]:
    """KTAB's options among ``options``, under their canonical names and spellings.

    Names and values are matched with their aliases, values case-insensitively; other keys
    (``seed``, ``accommodation``, ``max_turns``) are left out.

    >>> canonical_options({"StateTransition": "stochastic", "VotingRule": "Proportional"})
    {'StateTransitions': 'Stochastic', 'VotingRule': 'Prop'}
    """
    out: dict[str, str] = {}
    for key, raw in options.items():
        name = NAME_ALIASES.get(key, key)
        if name not in SMP_OPTIONS:
            continue
        value = str(raw)
        lowered = {k.lower(): v for k, v in VALUE_ALIASES.get(name, {}).items()}
        value = lowered.get(value.lower(), value)
        canonical = {v.lower(): v for v in SMP_OPTIONS[name]}
        if value.lower() not in canonical:
            raise OptionError(
                f"option '{name}' of model 'smp' must be one of {', '.join(SMP_OPTIONS[name])}; "
                f"got {raw!r}",
                field=name,
            )
        out[name] = canonical[value.lower()]
    return out


@dataclass(frozen=True)
class SmpInputs:
    """A batch of scenarios on SMP's internal scale, as :func:`smp_inputs` maps them.

    Scales: ``docs/scenario-format.md#ktabs-scales-and-limits``.

    Attributes
    ----------
    positions : ndarray of shape (B, N, D)
        Positions on [0, 1] (0–100 in KTAB files).
    salience : ndarray of shape (B, N, D)
        Saliences on [0, 1], each actor's summing to at most 1.
    capability : ndarray of shape (B, N)
        Capabilities, as given.
    rescaled : ndarray of bool, shape (B, N)
        Actors whose saliences were divided by their sum.
    imputed : ndarray of bool, shape (B, N, D)
        Non-participating cells (salience 0, position imputed).
    """

    positions: FloatArray
    salience: FloatArray
    capability: FloatArray
    rescaled: BoolArray
    imputed: BoolArray


def smp_inputs(arrays: ScenarioArrays) -> SmpInputs:
    """Map any scenario onto SMP's inputs (documented in ``docs/models/smp.md``).

    * positions: ``100·(x − lo)/(hi − lo)`` on the 0–100 scale, i.e. the unit scale internally;
    * saliences: an actor whose saliences sum to more than 1 (beyond 1e-9 round-off) has each
      divided by the sum, keeping their ratios; otherwise they are used as given;
    * capability: the mean of the actor's per-issue capabilities over the issues it takes part
      in (its ``capability`` when there are no per-issue overrides); it must be > 0;
    * an actor whose saliences are all 0 is indifferent (distance 0 to every point; KTAB files
      cannot hold one);
    * a non-participating cell gets salience 0 (the actor ignores that issue) and, as position,
      the capability-weighted mean of the participants' positions on that issue.

    Raises
    ------
    ScenarioError
        If an actor's capability is zero: KTAB's votes need positive weights.
    """
    mask = arrays.mask
    z = arrays.unit_positions()
    cap = np.where(mask, arrays.capability, np.nan)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        hi, mean = np.nanmax(cap, axis=2), np.nanmean(cap, axis=2)
    capability = np.where(hi == np.nanmin(cap, axis=2), hi, mean)  # exact when all equal
    sal = np.where(mask, arrays.salience, 0.0)
    total = sal.sum(axis=2)
    if (capability <= 0).any():
        i = int(np.argwhere(capability <= 0)[0][1])
        raise ScenarioError(
            f"actor '{arrays.actors[i]}' has capability 0; SMP needs every actor's capability "
            "to be positive (KTAB aborts on zero vote weights)",
            field="capability",
        )
    rescaled = total > 1.0 + 1e-9
    sal = np.where(rescaled[:, :, None], sal / np.where(rescaled, total, 1.0)[:, :, None], sal)
    weight = np.where(mask, capability[:, :, None], 0.0)
    with np.errstate(invalid="ignore"):
        mean = (weight * np.where(mask, z, 0.0)).sum(axis=1) / weight.sum(axis=1)
    positions = np.where(mask, z, np.nan_to_num(mean, nan=0.5)[:, None, :])
    return SmpInputs(positions, sal, capability, rescaled, ~mask)
