r"""What a mediating coalition brings: access, leverage, guarantees, information, proposal design.

Every coalition enters the agreement space (:mod:`.agreement`) through one number per party, its
acceptance threshold (party i accepts package x when :math:`U_i(x) \ge t_i`):

.. math::

    t_i(M) = U_i(\tilde q_i) - \kappa_i + (1 - \pi_i)\,\varphi_i - \Delta_i

* **no-deal value** :math:`U_i(\tilde q_i)`, :math:`\tilde q_i = (1 - o_i(M)) q + o_i(M) z_i`:
  q is the status quo (the issues' reference points) or the forecast of a dynamic model without
  a deal (``reservation="contest"``); :math:`o_i` the party's optimism (Blainey 1973; Fearon
  1995), which a credible mediator with access corrects (information, Kydd 2003; Savun 2008):
  :math:`o_i(M) = o_i \prod_m (1 - a_{m,i} r_{m,i} \iota_m)`;
* **conflict cost** :math:`\kappa_i` (a hurting stalemate, Zartman 1989);
* **guarantees** (Walter 2002; Fortna 2004): the party discounts the deal by its exposure
  :math:`\varphi_i` times the chance it is not implemented, :math:`\pi_i = \pi_0 + (1 - \pi_0)
  G_i`, :math:`G_i = 1 - \prod_m (1 - a_{m,i} r_{m,i} \gamma_m)`;
* **leverage** (Beardsley 2011): carrots and sticks worth :math:`\Delta_i = \beta (1 -
  e^{-L_i / L_0})`, :math:`L_i = \sum_m a_{m,i} r_{m,i} \lambda_m` (diminishing returns), with
  :math:`\lambda_m` the member's leverage over the parties' total capability;
* **access** :math:`a_{m,i} \in \{0, 1\}`: 0 when i refuses m, or when i deals with m only
  through intermediaries none of whom is in the coalition; each member i refuses multiplies the
  other members' credibility with i by :math:`1 - \rho` (lost trust);
* **credibility** :math:`r_{m,i} = c_{m,i} (1 - \rho)^{n^{ref}_i}`, :math:`c_{m,i}` from the
  scenario (``mediation.members``), else the affinity of the member's stated stances with the
  party's, :math:`1 - \sum_d w_{i,d} |z_{m,d} - z_{i,d}|` over shared issues (renormalised),
  else 0.5; optionally times the data credibility composite.

With M = ∅: :math:`\Delta = 0`, :math:`G = 0`, :math:`o_i(M) = o_i`. A member with
:math:`\lambda = \gamma = \iota = 0` and no bias changes nothing.

References
----------
.. [1] Beardsley, K. (2011). *The Mediation Dilemma*. Cornell University Press.
.. [2] Walter, B. F. (2002). *Committing to Peace*. Princeton University Press.
.. [3] Fortna, V. P. (2004). *Peace Time*. Princeton University Press.
.. [4] Kydd, A. (2003). Which side are you on? *AJPS* 47(4), 597-611.
.. [5] Savun, B. (2008). Information, bias, and mediation success. *ISQ* 52(1), 25-47.
.. [6] Fearon, J. D. (1995). Rationalist explanations for war. *IO* 49(3), 379-414.
.. [7] Zartman, I. W. (1989). *Ripe for Resolution*. Oxford University Press.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

import numpy as np

from minilateral.arrays import BoolArray, FloatArray, IntArray, ScenarioArrays
from minilateral.errors import OptionError, ScenarioError
from minilateral.mediation.agreement import (
    Packages,
    maximin_package,
    party_weights,
    reservation_utility,
    solve_packages,
)
from minilateral.models.baselines import weighted_mean
from minilateral.scenario import MemberTerms, Scenario

__all__ = [
    "AgreementSettings",
    "CoalitionTerms",
    "Evaluator",
    "MemberParameters",
    "PartyParameters",
    "member_parameters",
    "party_parameters",
    "stance_credibility",
]


@dataclass(frozen=True)
class AgreementSettings:
    """Options of the agreement measure, declared and validated in one place.

    Attributes (defaults are judgements, documented in ``docs/models/mediation.md``)
    ----------
    reservation : "status-quo" or "contest"
        The no-deal outcome q: the issues' reference points (an issue without one takes the
        no-mediator compromise of all actors), or a dynamic model's forecast without mediators.
    contest_model : "bdm" or "smp"
    optimism : float in [0, 1)
        Default :math:`o_i` for parties without a scenario value.
    exposure : float >= 0
        Default :math:`\\varphi_i`.
    implementation_prior : float in [0, 1]
        :math:`\\pi_0`, the chance a deal is implemented without any guarantee.
    leverage_scale : float >= 0
        :math:`\\beta`, the utility worth of saturated leverage.
    leverage_half : float > 0
        :math:`L_0`.
    refusal_penalty : float in [0, 1]
        :math:`\\rho`.
    information : float in [0, 1]
        Default :math:`\\iota_m` for members without a scenario value.
    bias : float >= 0
        :math:`\\eta`, the weight of members' own stances in the package (Kydd 2003).
    iterations : int
        Mirror-descent iterations of the maximin solver.
    what_it_takes_top : int
        "What it would take" is computed for this many top coalitions (and the baseline).
    max_multiplier : float
        Largest leverage multiplier searched.
    """

    reservation: Literal["status-quo", "contest"] = "status-quo"
    contest_model: str = "bdm"
    optimism: float = 0.25
    exposure: float = 0.1
    implementation_prior: float = 0.6
    leverage_scale: float = 0.1
    leverage_half: float = 1.0
    refusal_penalty: float = 0.5
    information: float = 0.5
    bias: float = 0.0
    iterations: int = 200
    what_it_takes_top: int = 10
    max_multiplier: float = 10.0

    def __post_init__(self) -> None:
        checks = [
            ("reservation", self.reservation in ("status-quo", "contest"), "status-quo or contest"),
            ("contest_model", self.contest_model in ("bdm", "smp"), "bdm or smp"),
            ("optimism", 0 <= self.optimism < 1, "in [0, 1)"),
            ("exposure", 0 <= self.exposure < math.inf, ">= 0"),
            ("implementation_prior", 0 <= self.implementation_prior <= 1, "in [0, 1]"),
            ("leverage_scale", 0 <= self.leverage_scale < math.inf, ">= 0"),
            ("leverage_half", 0 < self.leverage_half < math.inf, "> 0"),
            ("refusal_penalty", 0 <= self.refusal_penalty <= 1, "in [0, 1]"),
            ("information", 0 <= self.information <= 1, "in [0, 1]"),
            ("bias", 0 <= self.bias < math.inf, ">= 0"),
            ("iterations", self.iterations >= 1, ">= 1"),
            ("what_it_takes_top", self.what_it_takes_top >= 0, ">= 0"),
            ("max_multiplier", 1 <= self.max_multiplier < math.inf, ">= 1"),
        ]
        for name, ok, rule in checks:
            if not ok:
                raise OptionError(
                    f"{name.replace('_', ' ')} must be {rule}, got {getattr(self, name)!r}",
                    field=name,
                )

    def to_dict(self) -> dict[str, Any]:
        """Plain data for provenance."""
        return asdict(self)


@dataclass(frozen=True)
class PartyParameters:
    """Per party (P,): names, optimism o, conflict cost κ, exposure φ; access rules."""

    names: tuple[str, ...]
    index: IntArray  # row of each party in the scenario arrays
    optimism: FloatArray
    conflict_cost: FloatArray
    exposure: FloatArray
    capability_total: float


@dataclass(frozen=True)
class MemberParameters:
    """Per candidate (n,) and candidate × party (n, P): what each member can bring."""

    codes: tuple[str, ...]
    leverage: FloatArray  # λ_m, share of the parties' total capability
    guarantee: FloatArray  # γ_m
    information: FloatArray  # ι_m
    credibility: FloatArray  # c_{m,i}, (n, P)
    refused: BoolArray  # (n, P)
    through: tuple[tuple[int, int, tuple[int, ...]], ...]  # (member, party, intermediaries)
    stance_rows: tuple[int | None, ...]  # the member's row in the scenario arrays
    sources: dict[str, str] = field(default_factory=dict)


def party_parameters(scenario: Scenario, settings: AgreementSettings) -> PartyParameters:
    """The parties and their per-party mediation terms (scenario values, else defaults)."""
    rows = [i for i, a in enumerate(scenario.actors) if a.role == "party"]
    if not rows:
        raise ScenarioError(
            f"scenario '{scenario.title}' has no actor with role: party, so agreement between "
            "the parties is undefined",
            field="actors",
        )
    terms = scenario.mediation.parties if scenario.mediation else {}
    codes = {a.code: a.name for a in scenario.actors if a.code}
    by_name = {codes.get(k, k): v for k, v in terms.items()}
    names = tuple(scenario.actors[i].name for i in rows)
    o: list[float] = []
    phi: list[float] = []
    kappa: list[float] = []
    for n in names:
        t = by_name.get(n)
        o.append(settings.optimism if t is None or t.optimism is None else t.optimism)
        phi.append(settings.exposure if t is None or t.exposure is None else t.exposure)
        kappa.append(0.0 if t is None else t.conflict_cost)
    total = float(sum(scenario.actors[i].capability for i in rows))
    return PartyParameters(
        names=names,
        index=np.array(rows),
        optimism=np.array(o, dtype=float),
        conflict_cost=np.array(kappa, dtype=float),
        exposure=np.array(phi, dtype=float),
        capability_total=total if total > 0 else 1.0,
    )


def stance_credibility(scenario: Scenario, member: int, party: int) -> float | None:
    """Affinity of two actors' stated stances, :math:`1 - \\sum_d w_{i,d} |z_m - z_i|`.

    Over the issues both take part in, with the party's salience weights renormalised on them;
    None when they share no issue (or the party's salience there is 0).
    """
    m, p = scenario.actors[member], scenario.actors[party]
    shared = [q for q in p.positions if q in m.positions]
    weights = np.array([p.salience[q] for q in shared], dtype=float)
    if not shared or weights.sum() <= 0:
        return None
    scale = {q.name: q.hi - q.lo for q in scenario.issues}
    gaps = np.array([abs(m.positions[q] - p.positions[q]) / scale[q] for q in shared])
    return float(1.0 - (weights * gaps).sum() / weights.sum())


def _match(scenario: Scenario, token: str) -> int | None:
    from minilateral.mediation.coalitions import match_actor

    return match_actor(scenario, token)


def member_parameters(
    scenario: Scenario,
    codes: Sequence[str],
    parties: PartyParameters,
    settings: AgreementSettings,
    *,
    leverage: Mapping[str, float] | None = None,
    credibility: Mapping[str, float] | None = None,
) -> MemberParameters:
    """Per candidate: leverage, guarantee, information, credibility with each party, access.

    ``leverage`` (the scenario's capability scale) and ``credibility`` (a multiplier in [0, 1],
    e.g. the data composite) come from the command line. Leverage is, in order:
    ``leverage[code]``, the scenario's ``mediation.members`` entry, the
    candidate's capability in the scenario; a candidate with none of these is an error naming
    the flags that supply it.
    """
    leverage = {k.upper(): float(v) for k, v in (leverage or {}).items()}
    credibility = {k.upper(): float(v) for k, v in (credibility or {}).items()}
    block = scenario.mediation
    members: dict[str, MemberTerms] = {}
    if block is not None:
        for key, value in block.members.items():
            index = _match(scenario, key)
            members[key.upper()] = value
            if index is not None:
                actor = scenario.actors[index]
                members[actor.name.upper()] = value
                if actor.code:
                    members[actor.code.upper()] = value

    def token_index(token: str) -> int | None:
        t = token.upper()
        for j, c in enumerate(codes):
            row = _match(scenario, c)
            if c.upper() == t or (row is not None and row == _match(scenario, token)):
                return j
        return None

    n, p = len(codes), len(parties.names)
    lev = np.zeros(n)
    gam = np.zeros(n)
    info = np.zeros(n)
    cred = np.zeros((n, p))
    rows: list[int | None] = []
    sources: dict[str, str] = {}
    for j, code in enumerate(codes):
        row = _match(scenario, code)
        terms = members.get(code.upper())
        if code.upper() in leverage:
            raw = leverage[code.upper()]
        elif terms is not None and terms.leverage is not None:
            raw = terms.leverage
        elif row is not None:
            actor = scenario.actors[row]
            raw = float(np.mean([actor.capability_on(q) for q in actor.positions]))
        else:
            raise ScenarioError(
                f"candidate '{code}' is not an actor of '{scenario.title}' and has no leverage: "
                f"give it in the scenario (mediation: members: {code}: leverage: VALUE), with "
                f"--leverage {code}=VALUE, or from the reference data (--leverage-source data)",
                field="candidates",
            )
        lev[j] = raw / parties.capability_total
        gam[j] = 0.0 if terms is None or terms.guarantee is None else terms.guarantee
        info[j] = (
            settings.information
            if terms is None or terms.information is None
            else terms.information
        )
        for k, party in enumerate(parties.names):
            if terms is not None and party in terms.credibility_with:
                c = terms.credibility_with[party]
            elif terms is not None and terms.credibility is not None:
                c = terms.credibility
            else:
                affinity = (
                    None
                    if row is None
                    else stance_credibility(scenario, row, int(parties.index[k]))
                )
                c = 0.5 if affinity is None else affinity
            cred[j, k] = c * credibility.get(code.upper(), 1.0)
        rows.append(row)
        if terms is not None and terms.source:
            sources[code] = terms.source
    refused = np.zeros((n, p), dtype=bool)
    through: list[tuple[int, int, tuple[int, ...]]] = []
    if block is not None:
        for key, party_terms in block.parties.items():
            party_row = _match(scenario, key)
            name = scenario.actors[party_row].name if party_row is not None else key
            if name not in parties.names:
                continue
            k = parties.names.index(name)
            for token in party_terms.refuses:
                col = token_index(token)
                if col is not None:
                    refused[col, k] = True
            for token, via in party_terms.through.items():
                col = token_index(token)
                if col is None:
                    continue
                mids = tuple(i for i in (token_index(v) for v in via) if i is not None)
                through.append((col, k, mids))
    return MemberParameters(
        codes=tuple(codes),
        leverage=lev,
        guarantee=gam,
        information=info,
        credibility=np.clip(cred, 0.0, 1.0),
        refused=refused,
        through=tuple(through),
        stance_rows=tuple(rows),
        sources=sources,
    )


@dataclass(frozen=True)
class CoalitionTerms:
    """Per coalition × party (K, P): effective access, leverage L, guarantee G, information."""

    access: BoolArray  # (K, n, P)
    credibility: FloatArray  # (K, n, P) effective r_{m,i} (0 without access)
    leverage: FloatArray  # (K, P)
    guarantee: FloatArray  # (K, P)
    information: FloatArray  # (K, P) the factor on optimism


def coalition_terms(
    membership: BoolArray, members: MemberParameters, settings: AgreementSettings
) -> CoalitionTerms:
    """Access, effective credibility and the three channels for coalitions ``membership`` (K, n)."""
    inside = membership[:, :, None]  # (K, n, 1)
    access = inside & ~members.refused[None]
    for j, k, mids in members.through:
        reach = membership[:, list(mids)].any(axis=1) if mids else np.zeros(len(membership), bool)
        access[:, j, k] &= reach
    n_refused = (inside & members.refused[None]).sum(axis=1)  # (K, P)
    trust = (1.0 - settings.refusal_penalty) ** n_refused
    r = np.where(access, members.credibility[None] * trust[:, None, :], 0.0)
    lev = (r * members.leverage[None, :, None]).sum(axis=1)
    gua = 1.0 - np.prod(1.0 - r * members.guarantee[None, :, None], axis=1)
    inf = np.prod(1.0 - r * members.information[None, :, None], axis=1)
    return CoalitionTerms(access, r, lev, gua, inf)


class Evaluator:
    """The common draws of one search, and the agreement measure of any set of coalitions.

    Holds the parties' ideal points and weights per draw (B, P, D) on the issues in which a
    party takes part, and the no-deal outcome q (B, D); :meth:`evaluate` solves every coalition
    at once (K, B, ·).
    """

    def __init__(
        self,
        batch: ScenarioArrays,
        parties: PartyParameters,
        members: MemberParameters,
        settings: AgreementSettings,
        no_deal: FloatArray | None = None,
    ) -> None:
        self.settings = settings
        self.parties = parties
        self.members = members
        rows = parties.index
        mask = batch.mask[:, rows]
        self.issue_index = np.flatnonzero(mask.any(axis=(0, 1)))
        cols = self.issue_index
        z = batch.unit_positions()
        self.ideal = np.where(mask, z[:, rows], np.nan)[:, :, cols]
        try:
            self.weights = party_weights(batch.salience[:, rows][:, :, cols], mask[:, :, cols])
        except ValueError:
            raise ScenarioError(
                "a party has salience 0 on every issue it takes part in", field="salience"
            ) from None
        if no_deal is None:
            unit_ref = batch.unit_reference()
            compromise = weighted_mean(z, batch.capability * batch.salience, batch.mask)
            q = np.where(np.isfinite(unit_ref), unit_ref, compromise)
            self.filled = tuple(
                batch.issues[d] for d in cols if not np.isfinite(unit_ref[..., d]).all()
            )
        else:
            q = (no_deal - batch.scale[:, 0]) / batch.width
            self.filled = ()
        self.no_deal = np.clip(q[:, cols], 0.0, 1.0)
        self.batch = batch
        stance = np.full((batch.batch_size, len(members.codes), len(cols)), np.nan)
        stance_w = np.zeros_like(stance)
        for j, row in enumerate(members.stance_rows):
            if row is not None:
                m = batch.mask[:, row][:, cols]
                stance[:, j] = np.where(m, z[:, row][:, cols], np.nan)
                s = np.where(m, batch.salience[:, row][:, cols], 0.0)
                tot = s.sum(axis=-1, keepdims=True)
                stance_w[:, j] = np.where(tot > 0, s / np.maximum(tot, 1e-300), 0.0)
        self.stance, self.stance_weights = stance, stance_w

    @property
    def draws(self) -> int:
        return int(self.ideal.shape[0])

    def thresholds(
        self,
        terms: CoalitionTerms,
        *,
        leverage_multiplier: FloatArray | float = 1.0,
        extra_guarantee: FloatArray | float = 0.0,
    ) -> FloatArray:
        """:math:`t_i(M)` per coalition, draw and party, (K, B, P)."""
        s, p = self.settings, self.parties
        o = (p.optimism[None] * terms.information)[:, None, :]  # (K, 1, P)
        base = reservation_utility(self.no_deal[None], self.ideal[None], self.weights[None], o)
        lm = np.asarray(leverage_multiplier, dtype=float).reshape(-1, 1)
        delta = s.leverage_scale * (1.0 - np.exp(-lm * terms.leverage / s.leverage_half))
        g = 1.0 - (1.0 - terms.guarantee) * (1.0 - np.asarray(extra_guarantee).reshape(-1, 1))
        pi = s.implementation_prior + (1.0 - s.implementation_prior) * g
        cost = (1.0 - pi) * p.exposure[None] - delta - p.conflict_cost[None]
        return base + cost[:, None, :]

    def _bias(self, membership: BoolArray) -> tuple[FloatArray | None, FloatArray | None]:
        if self.settings.bias <= 0:
            return None, None
        lev = self.members.leverage[None] * membership  # (K, n)
        share = lev / np.maximum(lev.sum(axis=1, keepdims=True), 1e-300)
        bw = self.settings.bias * share[:, None, :, None] * self.stance_weights[None]
        return np.broadcast_to(self.stance[None], bw.shape), bw

    def evaluate(self, membership: BoolArray) -> tuple[Packages, CoalitionTerms]:
        """Packages, surpluses and agreement for coalitions ``membership`` (K, n) bool."""
        terms = coalition_terms(membership, self.members, self.settings)
        t = self.thresholds(terms)
        bias_ideal, bias_w = self._bias(membership)
        packages = solve_packages(
            self.ideal[None],
            self.weights[None],
            t,
            bias_ideal=bias_ideal,
            bias_weights=bias_w,
            iterations=self.settings.iterations,
        )
        return packages, terms

    def fixed(self, package: FloatArray, membership: BoolArray) -> FloatArray:
        """Surpluses (K, B, P) of a fixed package (D_all,) on the unit scale (named proposals)."""
        from minilateral.mediation.agreement import utility

        terms = coalition_terms(membership, self.members, self.settings)
        x = package[self.issue_index]
        return utility(x, self.ideal, self.weights)[None] - self.thresholds(terms)

    def feasible(self, thresholds: FloatArray) -> BoolArray:
        """Whether Z is non-empty (maximin >= 0), (..., B)."""
        _, value, _ = maximin_package(
            self.ideal[None] if thresholds.ndim == 3 else self.ideal,
            self.weights[None] if thresholds.ndim == 3 else self.weights,
            thresholds,
            iterations=self.settings.iterations,
            sign_only=True,
        )
        return value >= -1e-9

    def holdouts(self, membership: BoolArray) -> tuple[FloatArray, BoolArray]:
        r"""Per coalition, draw and party: the party's shortfall at the others' package.

        For each party i, the maximin package of the other parties (i left out) is the best the
        rest of the table could agree on; :math:`\max(0, -S_i)` there is how far i is from
        accepting it, and i *holds out* where that is positive. Returns the shortfall
        (K, B, P) and whether the others alone have a zone of agreement (K, B, P).
        """
        from minilateral.mediation.agreement import utility

        terms = coalition_terms(membership, self.members, self.settings)
        t = self.thresholds(terms)
        short = np.zeros_like(t)
        others = np.zeros(t.shape, dtype=bool)
        for i in range(t.shape[-1]):
            ti = t.copy()
            ti[..., i] = -10.0  # never the smallest surplus: party i left out
            x, value, _ = maximin_package(
                self.ideal[None], self.weights[None], ti, iterations=self.settings.iterations
            )
            s_i = utility(x, self.ideal[None], self.weights[None])[..., i] - t[..., i]
            short[..., i] = np.maximum(0.0, -s_i)
            others[..., i] = value >= -1e-9
        return short, others

    def what_it_takes(
        self, membership: BoolArray, *, steps: int = 8
    ) -> tuple[FloatArray, FloatArray]:
        """Smallest leverage multiplier k in [1, k_max] and smallest added guarantee in [0, 1]
        at which the agreement probability reaches 0.5, by bisection on the same draws.

        Feasibility (a non-empty Z) is monotone in both: a larger k or guarantee lowers every
        threshold. NaN where even k_max (a full guarantee) falls short; 1 (0) where the
        coalition already reaches 0.5.
        """
        terms = coalition_terms(membership, self.members, self.settings)

        def prob(mult: FloatArray, extra: FloatArray) -> FloatArray:
            t = self.thresholds(terms, leverage_multiplier=mult, extra_guarantee=extra)
            share: FloatArray = self.feasible(t).mean(axis=-1)
            return share

        kmax = self.settings.max_multiplier
        results = []
        for which in ("leverage", "guarantee"):
            lo = np.ones(len(membership)) if which == "leverage" else np.zeros(len(membership))
            hi = np.full(len(membership), kmax if which == "leverage" else 1.0)

            def at(v: FloatArray, which: str = which) -> FloatArray:
                ones, zeros = np.ones_like(v), np.zeros_like(v)
                return prob(v, zeros) if which == "leverage" else prob(ones, v)

            p_lo, p_hi = at(lo), at(hi)
            for _ in range(steps):
                mid = 0.5 * (lo + hi)
                ok = at(mid) >= 0.5
                hi = np.where(ok, mid, hi)
                lo = np.where(ok, lo, mid)
            value = np.where(p_lo >= 0.5, lo, np.where(p_hi >= 0.5, hi, np.nan))
            results.append(value)
        return results[0], results[1]
