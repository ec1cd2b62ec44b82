r"""Input distributions of Monte Carlo sweeps: which noise each cell gets, and how it is drawn.

Every draw ``i`` of a sweep with seed ``S`` is computed from a block of ``M = 2·N·D + N``
uniform numbers (positions, saliences, then one capability factor per actor) taken from a
counter-based generator: Philox-4×64 keyed by ``SeedSequence(S)`` and positioned at counter
``i · ceil(M / 4)``. The inputs of draw ``i`` therefore depend only on ``(S, i)``, never on how
the draws are split into chunks or spread over workers. Each uniform ``u ∈ (0, 1)`` is mapped
to the cell's value by the inverse CDF of the cell's distribution, elementwise:

* positions (on the unit scale ``z = (x − lo)/(hi − lo)``) and salience (on [0, 1]):

  - ``normal``: :math:`z + sd\,\Phi^{-1}(u)`, clipped to [0, 1];
  - ``truncnormal``: the normal :math:`N(z, sd^2)` truncated to [0, 1],
    :math:`z + sd\,\Phi^{-1}\big(\Phi(a) + u(\Phi(b) - \Phi(a))\big)` with
    :math:`a = -z/sd,\ b = (1 - z)/sd`;
  - ``uniform``: uniform on :math:`[z - h, z + h] \cap [0, 1]`;
  - ``beta`` (salience only): Beta with mean ``s`` and standard deviation ``sd`` by the method
    of moments, :math:`\kappa = s(1 - s)/sd^2 - 1` (at least 1), :math:`\alpha = s\kappa`,
    :math:`\beta = (1 - s)\kappa`, ``s`` kept inside :math:`[10^{-3}, 1 - 10^{-3}]`;

* capability, one factor ``f`` per actor applied to all of its cells (``c' = c·f``):

  - ``lognormal``: :math:`f = \exp(\sigma\,\Phi^{-1}(u))`, median 1;
  - ``uniform``: :math:`f = 1 + h(2u - 1)`, ``h ≤ 1``.

Values therefore always stay inside their valid ranges (positions on the issue scale, salience
on [0, 1], capability non-negative). Cells where an actor takes no part are never perturbed.

References
----------
.. [1] Salmon, J. K., Moraes, M. A., Dror, R. O. & Shaw, D. E. (2011). Parallel random numbers:
   as easy as 1, 2, 3. *Proc. SC'11*, article 16. doi:10.1145/2063384.2063405 (Philox).
.. [2] Johnson, N. L., Kotz, S. & Balakrishnan, N. (1994). *Continuous Univariate
   Distributions*, vol. 1, 2nd ed., ch. 13 (truncated normal). Wiley.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
from pydantic import ValidationError
from scipy import special

from minilateral.arrays import BoolArray, FloatArray, IntArray, ScenarioArrays
from minilateral.errors import OptionError
from minilateral.io.validation import scenario_errors
from minilateral.scenario import FieldNoise, Noise, Scenario, Uncertainty

__all__ = [
    "DEFAULT_NOISE",
    "DIST_CODES",
    "FIELDS",
    "Factor",
    "NoisePlan",
    "PanelPlan",
    "draw_uniforms",
    "panel_plan",
    "parse_noise",
    "resolve_uncertainty",
    "with_global_noise",
]

FIELDS = ("positions", "salience", "capability")

#: The noise of a field that the scenario's ``uncertainty:`` block does not set: positions
#: truncated normal with sd 5 % of the scale, salience truncated normal with sd 0.05,
#: capability lognormal with σ 0.1 (median-preserving).
DEFAULT_NOISE = FieldNoise(
    positions=Noise(dist="truncnormal", sd=0.05),
    salience=Noise(dist="truncnormal", sd=0.05),
    capability=Noise(dist="lognormal", sigma=0.1),
)

#: Integer code of each noise distribution in a :class:`NoisePlan`'s arrays.
DIST_CODES = {"none": 0, "normal": 1, "truncnormal": 2, "uniform": 3, "beta": 4, "lognormal": 5}
# Uniforms are kept inside [2^-53, 1 - 2^-53] so that inverse CDFs stay finite.
_U_MIN, _U_MAX = 2.0**-53, 1.0 - 2.0**-53


# -- inverse CDFs on [0, 1] (positions on the unit scale, salience) ----------------------------
def _normal(z: FloatArray, sd: FloatArray, u: FloatArray) -> FloatArray:
    out: FloatArray = np.clip(z + sd * special.ndtri(u), 0.0, 1.0)
    return out


def _truncnormal(z: FloatArray, sd: FloatArray, u: FloatArray) -> FloatArray:
    lo, hi = special.ndtr(-z / sd), special.ndtr((1.0 - z) / sd)
    p = np.clip(lo + u * (hi - lo), _U_MIN, _U_MAX)
    out: FloatArray = np.clip(z + sd * special.ndtri(p), 0.0, 1.0)
    return out


def _uniform(z: FloatArray, h: FloatArray, u: FloatArray) -> FloatArray:
    lo, hi = np.maximum(z - h, 0.0), np.minimum(z + h, 1.0)
    out: FloatArray = lo + u * (hi - lo)
    return out


def _beta(s: FloatArray, sd: FloatArray, u: FloatArray) -> FloatArray:
    m = np.clip(s, 1e-3, 1.0 - 1e-3)
    kappa = np.maximum(m * (1.0 - m) / sd**2 - 1.0, 1.0)
    out: FloatArray = np.clip(special.betaincinv(m * kappa, (1.0 - m) * kappa, u), 0.0, 1.0)
    return out


_BOUNDED: dict[int, Callable[[FloatArray, FloatArray, FloatArray], FloatArray]] = {
    DIST_CODES["normal"]: _normal,
    DIST_CODES["truncnormal"]: _truncnormal,
    DIST_CODES["uniform"]: _uniform,
    DIST_CODES["beta"]: _beta,
}


# -- capability factors ------------------------------------------------------------------------
def _lognormal_factor(sigma: FloatArray, u: FloatArray) -> FloatArray:
    out: FloatArray = np.exp(sigma * special.ndtri(u))
    return out


def _uniform_factor(h: FloatArray, u: FloatArray) -> FloatArray:
    return 1.0 + h * (2.0 * u - 1.0)


_FACTORS: dict[int, Callable[[FloatArray, FloatArray], FloatArray]] = {
    DIST_CODES["lognormal"]: _lognormal_factor,
    DIST_CODES["uniform"]: _uniform_factor,
}


def _apply_bounded(
    base: FloatArray, kind: IntArray, spread: FloatArray, u: FloatArray
) -> FloatArray:
    """Perturb the (N, D) values ``base`` on [0, 1] with uniforms ``u`` (B, N, D)."""
    out = np.broadcast_to(base, u.shape).copy()
    for code, inverse_cdf in _BOUNDED.items():
        sel = kind == code
        if sel.any():
            out[:, sel] = inverse_cdf(base[sel], spread[sel], u[:, sel])
    return out


@dataclass(frozen=True)
class Factor:
    """One random input of a sweep: a field of an actor (on an issue), and its uniform's column."""

    field: str
    actor: str
    issue: str | None
    column: int

    @property
    def label(self) -> str:
        """``position:Israel:security``-style name, as used for the sweep's input columns."""
        name = {"positions": "position"}.get(self.field, self.field)
        return f"{name}:{self.actor}" + ("" if self.issue is None else f":{self.issue}")


@dataclass(frozen=True)
class NoisePlan:
    """The resolved noise of every cell of one scenario, ready to turn uniforms into inputs.

    Attributes
    ----------
    base : ScenarioArrays
        The unperturbed scenario (B = 1).
    position_kind, salience_kind : ndarray of int, shape (N, D)
        Distribution code per cell (0 = none; non-participating cells are always 0).
    position_spread, salience_spread : ndarray of shape (N, D)
        The distribution's parameter per cell.
    capability_kind, capability_spread : ndarray of shape (N,)
        Capability factor distribution per actor.
    uncertainty : Uncertainty
        The effective specification (the defaults filled in).
    defaults : tuple of str
        The fields whose global noise came from :data:`DEFAULT_NOISE`.
    """

    base: ScenarioArrays
    position_kind: IntArray
    position_spread: FloatArray
    salience_kind: IntArray
    salience_spread: FloatArray
    capability_kind: IntArray
    capability_spread: FloatArray
    uncertainty: Uncertainty
    defaults: tuple[str, ...]

    @property
    def width(self) -> int:
        """``M = 2·N·D + N``, the number of uniforms per draw."""
        n, d = self.base.n_actors, self.base.n_issues
        return 2 * n * d + n

    def factors(self) -> list[Factor]:
        """The inputs that actually vary (kind other than none), in uniform-column order."""
        n, d = self.base.n_actors, self.base.n_issues
        actors, issues = self.base.actors, self.base.issues
        out = []
        for offset, name, kind in (
            (0, "positions", self.position_kind),
            (n * d, "salience", self.salience_kind),
        ):
            for i, q in zip(*np.nonzero(kind), strict=True):
                out.append(Factor(name, actors[i], issues[q], offset + int(i) * d + int(q)))
        for i in np.flatnonzero(self.capability_kind):
            out.append(Factor("capability", actors[i], None, 2 * n * d + int(i)))
        return out

    def apply(self, u: FloatArray) -> ScenarioArrays:
        """Turn uniforms ``u`` of shape (B, M) into a batch of B perturbed scenarios."""
        base = self.base
        n, d = base.n_actors, base.n_issues
        b = u.shape[0]
        u = np.clip(u, _U_MIN, _U_MAX)
        u_pos = u[:, : n * d].reshape(b, n, d)
        u_sal = u[:, n * d : 2 * n * d].reshape(b, n, d)
        u_cap = u[:, 2 * n * d :]

        lo, width = base.scale[:, 0], base.width
        positions = np.broadcast_to(base.positions[0], (b, n, d)).copy()
        moved = self.position_kind != 0
        if moved.any():
            z = _apply_bounded(
                base.unit_positions()[0], self.position_kind, self.position_spread, u_pos
            )
            positions[:, moved] = (lo + z * width)[:, moved]
        salience = _apply_bounded(base.salience[0], self.salience_kind, self.salience_spread, u_sal)

        factor = np.ones((b, n))
        for code, transform in _FACTORS.items():
            sel = self.capability_kind == code
            if sel.any():
                factor[:, sel] = transform(self.capability_spread[sel], u_cap[:, sel])
        capability = base.capability[0] * factor[:, :, None]
        return replace(
            base,
            positions=positions,
            salience=salience,
            capability=capability,
            mask=np.broadcast_to(base.mask[0], (b, n, d)).copy(),
        )

    def sample(self, seed: int, start: int, stop: int) -> ScenarioArrays:
        """Draws ``start … stop − 1`` of the sweep with ``seed`` (see the module docstring)."""
        return self.apply(draw_uniforms(seed, start, stop, self.width))


def draw_uniforms(seed: int, start: int, stop: int, width: int) -> FloatArray:
    """Uniforms on (0, 1) of draws ``start … stop − 1``, ``width`` per draw.

    Row ``k`` depends only on ``(seed, start + k, width)``: a Philox-4×64 generator keyed by
    ``SeedSequence(seed)`` is advanced to counter ``(start + k) · ceil(width / 4)``, and each
    64-bit output ``r`` gives ``((r >> 12) + 1/2) · 2**-52``, which lies in
    ``[2**-53, 1 − 2**-53]``.

    Returns
    -------
    ndarray of shape (stop − start, width)
    """
    blocks = -(-width // 4)
    bitgen = np.random.Philox(key=np.random.SeedSequence(seed).generate_state(2, np.uint64))
    bitgen.advance(start * blocks)
    raw = bitgen.random_raw((stop - start) * blocks * 4).reshape(stop - start, blocks * 4)
    return ((raw[:, :width] >> np.uint64(12)).astype(np.float64) + 0.5) * 2.0**-52


def _pick(levels: list[FieldNoise | None], name: str) -> Noise:
    """The first entry of ``levels`` (most specific first) that sets field ``name``."""
    for level in levels:
        value: Noise | None = None if level is None else getattr(level, name)
        if value is not None:
            return value
    raise AssertionError("the global level always sets every field")


def _code(noise: Noise) -> tuple[int, float]:
    spread = noise.spread
    return (0, 0.0) if spread == 0.0 else (DIST_CODES[noise.dist], spread)


def resolve_uncertainty(
    scenario: Scenario,
    uncertainty: Uncertainty | dict[str, Any] | None = None,
    noise: dict[str, Noise] | None = None,
) -> NoisePlan:
    """The noise of every cell: ``uncertainty`` (else the scenario's block), defaults filled in.

    Parameters
    ----------
    scenario : Scenario
        The scenario to perturb.
    uncertainty : Uncertainty or dict, optional
        Overrides the scenario's ``uncertainty:`` block. A dict is validated like the block
        (unknown keys, kinds that do not fit the field, unknown actors or issues are errors).
    noise : dict of str to Noise, optional
        Global noise per field (``positions``, ``salience``, ``capability``) replacing that of
        the block (as ``--noise`` on the command line); per-actor/issue entries still win.

    Raises
    ------
    ScenarioValidationError
        The specification is invalid; the message names the field.
    """
    if noise:
        unknown = sorted(set(noise) - set(FIELDS))
        if unknown:
            raise OptionError(f"unknown noise field(s) {', '.join(unknown)}", field="noise")
        base = uncertainty if uncertainty is not None else scenario.uncertainty
        if isinstance(base, dict):
            with scenario_errors():
                base = Uncertainty.model_validate(base)
        uncertainty = with_global_noise(base, noise)
    if uncertainty is None:
        spec = scenario.uncertainty or Uncertainty()
    else:
        data = uncertainty.model_dump() if isinstance(uncertainty, Uncertainty) else uncertainty
        with scenario_errors():
            checked = Scenario.model_validate({**scenario.model_dump(), "uncertainty": data})
        spec = checked.uncertainty or Uncertainty()
    defaults = tuple(name for name in FIELDS if getattr(spec, name) is None)
    effective = spec.model_copy(update={name: getattr(DEFAULT_NOISE, name) for name in defaults})
    arrays = scenario.to_arrays()
    n, d = arrays.n_actors, arrays.n_issues
    kinds = {name: np.zeros((n, d), dtype=np.int64) for name in ("positions", "salience")}
    spreads = {name: np.zeros((n, d)) for name in ("positions", "salience")}
    cap_kind, cap_spread = np.zeros(n, dtype=np.int64), np.zeros(n)
    for i, actor in enumerate(arrays.actors):
        by_actor = effective.actors.get(actor)
        cap_kind[i], cap_spread[i] = _code(_pick([by_actor, effective], "capability"))
        for q, issue in enumerate(arrays.issues):
            if not arrays.mask[0, i, q]:
                continue
            levels = [
                effective.cells.get(actor, {}).get(issue),
                by_actor,
                effective.issues.get(issue),
                effective,
            ]
            for name in ("positions", "salience"):
                kinds[name][i, q], spreads[name][i, q] = _code(_pick(levels, name))
    return NoisePlan(
        base=arrays,
        position_kind=kinds["positions"],
        position_spread=spreads["positions"],
        salience_kind=kinds["salience"],
        salience_spread=spreads["salience"],
        capability_kind=cap_kind,
        capability_spread=cap_spread,
        uncertainty=effective,
        defaults=defaults,
    )


def parse_noise(text: str) -> tuple[str, Noise]:
    """Parse a command-line noise ``FIELD=DIST[:VALUE]`` (e.g. ``positions=uniform:0.1``).

    The value is the distribution's parameter (``sd``, ``half_width`` or ``sigma``).

    Raises
    ------
    OptionError
        Unknown field or distribution, missing or non-numeric value.
    """
    field, sep, rest = text.partition("=")
    field = field.strip()
    if not sep or field not in FIELDS:
        raise OptionError(
            f"'{text}' is not FIELD=DIST[:VALUE] with FIELD one of {', '.join(FIELDS)}",
            field="noise",
        )
    dist, _, value = rest.partition(":")
    dist = dist.strip()
    payload: dict[str, Any] = {"dist": dist}
    if dist != "none":
        param = {
            "normal": "sd",
            "truncnormal": "sd",
            "beta": "sd",
            "uniform": "half_width",
            "lognormal": "sigma",
        }.get(dist)
        if param is None:
            raise OptionError(
                f"'{text}': unknown distribution '{dist}' (choose from "
                "none, normal, truncnormal, uniform, beta, lognormal)",
                field="noise",
            )
        if not value.strip():
            raise OptionError(
                f"'{text}': dist '{dist}' needs its {param}: {field}={dist}:VALUE", field="noise"
            )
        payload[param] = value.strip()
    try:
        noise = Noise.model_validate(payload)
        FieldNoise.model_validate({field: noise.model_dump()})
    except ValidationError as err:
        detail = "; ".join(e["msg"].removeprefix("Value error, ") for e in err.errors())
        raise OptionError(f"'{text}': {detail}", field="noise") from None
    return field, noise


def with_global_noise(base: Uncertainty | None, noise: dict[str, Noise]) -> Uncertainty:
    """``base`` (or an empty block) with its global noise of some fields replaced."""
    data = (base or Uncertainty()).model_dump()
    data.update({name: value.model_dump() for name, value in noise.items()})
    with scenario_errors():
        return Uncertainty.model_validate(data)


# -- panel resampling ---------------------------------------------------------------------------
_PANEL = 6  # distribution code of a cell drawn from a panel's codings


def _resample(coded: FloatArray, base: FloatArray, u: FloatArray) -> FloatArray:
    """Per cell, the value of the coder ``floor(u · m)`` among the ``m`` coders who coded it.

    ``coded`` is (K, *cells), ``base`` (*cells) and ``u`` (B, *cells); cells nobody coded keep
    ``base``.
    """
    k = coded.shape[0]
    flat = coded.reshape(k, -1)
    valid = ~np.isnan(flat)
    count = valid.sum(axis=0)
    order = np.argsort(~valid, axis=0, kind="stable")  # coders with a value first, in order
    uf = u.reshape(u.shape[0], -1)
    pick = np.minimum((uf * count).astype(np.int64), np.maximum(count - 1, 0))
    cols = np.arange(flat.shape[1])
    chosen = order[pick, cols]
    out = flat[chosen, cols]
    out = np.where(count > 0, out, base.reshape(-1))
    return out.reshape(u.shape)


@dataclass(frozen=True)
class PanelPlan(NoisePlan):
    r"""Inputs drawn from a panel's codings instead of a noise distribution (resampling).

    Draw ``i`` uses the same uniforms as :class:`NoisePlan` (``M = 2·N·D + N`` per draw from
    the Philox stream keyed by the seed, positioned by the draw index), so its inputs depend
    only on ``(seed, i)``. Each uniform ``u`` of a cell picks coder ``floor(u·m)`` among the
    ``m`` coders who coded that cell (in panel order): position and salience of a cell, and each
    actor's capability, are resampled independently from the coders' own values. The more the
    coders disagree, the wider the inputs, and hence the forecasts, spread.

    Attributes
    ----------
    coded_positions, coded_salience : ndarray of shape (K, N, D)
        The coders' values (scale units), ``NaN`` where absent.
    coded_capability : ndarray of shape (K, N)
        The coders' capabilities.
    capability_reference : ndarray of shape (N,)
        The scenario's capability per actor; a drawn capability ``c`` scales all of the actor's
        cells (also per-issue capabilities) by ``c / reference``.
    label : str
        What the manifest records about the panel (e.g. panel, round and coder count).
    """

    coded_positions: FloatArray
    coded_salience: FloatArray
    coded_capability: FloatArray
    capability_reference: FloatArray
    label: str = "panel"

    def apply(self, u: FloatArray) -> ScenarioArrays:
        """Turn uniforms ``u`` of shape (B, M) into a batch of B resampled scenarios."""
        base = self.base
        n, d = base.n_actors, base.n_issues
        b = u.shape[0]
        u = np.clip(u, _U_MIN, _U_MAX)
        u_pos = u[:, : n * d].reshape(b, n, d)
        u_sal = u[:, n * d : 2 * n * d].reshape(b, n, d)
        u_cap = u[:, 2 * n * d :]
        mask = base.mask[0]
        positions = np.where(
            mask, _resample(self.coded_positions, base.positions[0], u_pos), base.positions[0]
        )
        salience = np.where(
            mask, _resample(self.coded_salience, base.salience[0], u_sal), base.salience[0]
        )
        base_cap = base.capability[0]
        ref = self.capability_reference
        drawn = _resample(self.coded_capability, ref, u_cap)
        factor = np.where(ref > 0, drawn / np.where(ref > 0, ref, 1.0), 1.0)
        capability = base_cap * factor[:, :, None]
        return replace(
            base,
            positions=positions,
            salience=salience,
            capability=capability,
            mask=np.broadcast_to(mask, (b, n, d)).copy(),
        )


def panel_plan(
    scenario: Scenario,
    positions: FloatArray,
    salience: FloatArray,
    capability: FloatArray,
    *,
    label: str = "panel",
) -> PanelPlan:
    """The :class:`PanelPlan` resampling coders' values around ``scenario`` (their aggregate).

    ``positions`` and ``salience`` are (K, N, D) and ``capability`` (K, N) in the scenario's
    actor and issue order. Cells where the coders all agree count as not varying.
    """
    base = scenario.to_arrays()
    n, d = base.n_actors, base.n_issues
    positions, salience = np.asarray(positions, float), np.asarray(salience, float)
    capability = np.asarray(capability, float)
    if (
        positions.shape[1:] != (n, d)
        or salience.shape != positions.shape
        or capability.shape != positions.shape[:2]
    ):
        raise OptionError(
            f"panel codings of shape {positions.shape} do not fit a scenario of {n} actors and "
            f"{d} issues",
            field="panel",
        )
    mask = base.mask[0]
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # cells nobody coded

        def varies(v: FloatArray) -> BoolArray:
            out: BoolArray = np.nanmax(v, axis=0) > np.nanmin(v, axis=0)
            return out

        pos_kind = np.where(mask & varies(positions), _PANEL, 0).astype(np.int64)
        sal_kind = np.where(mask & varies(salience), _PANEL, 0).astype(np.int64)
        cap_kind = np.where(varies(capability), _PANEL, 0).astype(np.int64)
    return PanelPlan(
        base=base,
        position_kind=pos_kind,
        position_spread=np.zeros((n, d)),
        salience_kind=sal_kind,
        salience_spread=np.zeros((n, d)),
        capability_kind=cap_kind,
        capability_spread=np.zeros(n),
        uncertainty=Uncertainty(),
        defaults=(),
        coded_positions=positions,
        coded_salience=salience,
        coded_capability=capability,
        capability_reference=np.array([a.capability for a in scenario.actors], dtype=float),
        label=label,
    )
