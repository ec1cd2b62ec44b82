r"""Mediating coalitions: how they enter a scenario, and the search over coalitions.

A coalition of third-party states enters a negotiation as *mediator actors* (one per member):

* **position**: the coalition's proposal on every issue in which a party takes part. The default
  ``proposal="nash"`` is the symmetric Nash bargaining solution of the parties alone, each
  party's disagreement point being its worst end of the scale (Nash 1950; the mediator as the
  formulator of a focal compromise, Touval & Zartman 1985; Kydd 2003). ``"compromise"`` is the
  parties' capability × salience weighted mean; ``"stated"`` is the leverage-weighted mean of
  the members' own positions in the scenario (a stated plan), the Nash point where no member
  states one. The proposal is recomputed in every Monte Carlo draw from that draw's inputs.
* **capability** = leverage × credibility: what the member can bring to bear (Beardsley 2011,
  "manipulative" mediation), discounted by how much the parties trust it (Kydd 2003; Savun
  2008). Credibility is 1 unless given (see :mod:`minilateral.mediation.mediators`).
* **salience** = commitment, on [0, 1].

A candidate already in the scenario (a stakeholder, or a mediator with its own stated
positions) takes the mediator role in place of its own row instead of being added twice; a
candidate with ``role: party`` is an error. A member with zero leverage, zero credibility or
zero commitment cannot mediate: it changes nothing (an existing actor keeps its own row).

The search evaluates every coalition of the requested sizes (or, beyond ``max_exhaustive``
coalitions, a beam search that extends the ``beam`` best coalitions of each size by one
member) on the *same* Monte Carlo draws (common random numbers: the draws are generated once
for the scenario without mediators, and every coalition is built on top of them; a stochastic
model gets the same seed for every coalition). Differences between coalitions are therefore
paired, not noise. Each coalition's marginal values are the paired differences
:math:`P(C) - P(C \setminus \{m\})` (for a single mediator, versus no mediator).

References
----------
.. [1] Kydd, A. (2003). Which side are you on? Bias, credibility, and mediation. *American
   Journal of Political Science* 47(4), 597–611.
.. [2] Savun, B. (2008). Information, bias, and mediation success. *International Studies
   Quarterly* 52(1), 25–47.
.. [3] Beardsley, K. (2011). *The Mediation Dilemma*. Cornell University Press.
.. [4] Touval, S. & Zartman, I. W. (eds) (1985). *International Mediation in Theory and
   Practice*. Westview.
.. [5] Nash, J. F. (1950). The bargaining problem. *Econometrica* 18(2), 155–162.
"""

from __future__ import annotations

import itertools
import math
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
from scipy import special

from minilateral.arrays import BoolArray, FloatArray, ScenarioArrays
from minilateral.errors import ConvergenceWarning, OptionError, ScenarioError
from minilateral.forecast import Forecast, jsonable
from minilateral.mediation.agreement_search import (
    AgreementDetail,
    all_combos,
    evaluate_agreement,
    search_record,
)
from minilateral.mediation.design import AgreementSettings
from minilateral.mediation.settlement import (
    SettlementSummary,
    final_positions,
    party_spread,
    summarize_settlement,
)
from minilateral.models.base import Model
from minilateral.models.baselines import weighted_mean
from minilateral.models.nash import nash_per_issue
from minilateral.models.registry import model_class
from minilateral.models.separable import forecast_by_issue
from minilateral.montecarlo.perturb import NoisePlan, resolve_uncertainty
from minilateral.provenance import provenance
from minilateral.scenario import Noise, Scenario, Uncertainty

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "ALIASES",
    "Candidate",
    "CoalitionResult",
    "CoalitionSearch",
    "ConvergenceEvaluator",
    "SearchSettings",
    "add_coalition",
    "beam_search",
    "marginal_values",
    "match_actor",
    "outcome_shift",
    "proposal_point",
    "rank_key",
    "resolve_candidates",
    "scenario_leverage",
    "search_coalitions",
    "search_theatre",
]

Proposal = Literal["nash", "compromise", "stated"]
Measure = Literal["agreement", "convergence"]
Progress = Callable[[int, int, str], None]

#: Common abbreviations that are not ISO 3166 alpha-3 codes, mapped to the ISO code that
#: scenarios use (the roundtable writes ``UAE``; the library's scenarios write ``ARE``).
ALIASES: dict[str, str] = {
    "UAE": "ARE",
    "KSA": "SAU",
    "US": "USA",
    "UK": "GBR",
    "TURKEY": "TUR",
    "TÜRKIYE": "TUR",
}


@dataclass(frozen=True)
class Candidate:
    """A candidate mediator.

    Attributes
    ----------
    code : str
        The identifier as the user gave it (upper case), used in results.
    actor : str or None
        The scenario actor it is (None: added to the scenario when it mediates).
    leverage : float
        Capability as a mediator, on the scenario's capability scale.
    credibility : float
        Multiplier on leverage, in [0, 1].
    commitment : float
        Salience of its mediator cells, in [0, 1].
    """

    code: str
    actor: str | None
    leverage: float
    credibility: float = 1.0
    commitment: float = 1.0

    @property
    def weight(self) -> float:
        """Effective capability as a mediator: leverage × credibility."""
        return self.leverage * self.credibility

    @property
    def active(self) -> bool:
        """Whether it can mediate at all (positive effective capability and commitment)."""
        return self.weight > 0 and self.commitment > 0


def match_actor(scenario: Scenario, token: str) -> int | None:
    """Index of the scenario actor with this code or name (aliases applied), or None."""
    key = token.strip().casefold()
    wanted = {key, ALIASES.get(token.strip().upper(), key).casefold()}
    for i, actor in enumerate(scenario.actors):
        if (actor.code or "").casefold() in wanted or actor.name.casefold() in wanted:
            return i
    return None


def resolve_candidates(
    scenario: Scenario,
    codes: Sequence[str],
    *,
    leverage: Mapping[str, float] | None = None,
    credibility: Mapping[str, float] | None = None,
    commitment: float | Mapping[str, float] = 1.0,
) -> list[Candidate]:
    """Match candidate identifiers to the scenario and give each its mediator parameters.

    Leverage is, in order: ``leverage[code]``; the candidate's capability in the scenario (its
    mean over the issues it takes part in). A candidate that is not in the scenario needs an
    explicit leverage (from the user, or from the reference data:
    :meth:`minilateral.mediation.mediators.MediatorProfiles.leverage_on_scenario_scale`).

    Raises
    ------
    OptionError
        Duplicate or empty identifiers; a leverage, credibility or commitment out of range.
    ScenarioError
        A candidate is a party to the conflict, or is unknown (not in the scenario and no
        leverage given).
    """
    leverage = {k.upper(): float(v) for k, v in (leverage or {}).items()}
    credibility = {k.upper(): float(v) for k, v in (credibility or {}).items()}
    if isinstance(commitment, Mapping):
        commit = {k.upper(): float(v) for k, v in commitment.items()}
        default_commit = 1.0
    else:
        commit, default_commit = {}, float(commitment)
    tokens = [c.strip().upper() for c in codes]
    if not tokens or any(not t for t in tokens):
        raise OptionError("give at least one candidate state code", field="candidates")
    dupes = sorted({t for t in tokens if tokens.count(t) > 1})
    if dupes:
        raise OptionError(f"duplicate candidate(s): {', '.join(dupes)}", field="candidates")
    out: list[Candidate] = []
    seen: dict[str, str] = {}  # actor name → the candidate token that named it
    for token in tokens:
        index = match_actor(scenario, token)
        actor = None if index is None else scenario.actors[index]
        if actor is not None and actor.role == "party":
            raise ScenarioError(
                f"candidate '{token}' is '{actor.name}', a party to the conflict "
                "(role: party); a party cannot mediate its own conflict",
                field="candidates",
            )
        if actor is not None and actor.name in seen:
            raise OptionError(
                f"candidates '{seen[actor.name]}' and '{token}' are the same actor '{actor.name}'",
                field="candidates",
            )
        if token in leverage:
            lev = leverage[token]
        elif actor is not None:
            lev = float(np.mean([actor.capability_on(q) for q in actor.positions]))
        else:
            codes_known = ", ".join(a.code for a in scenario.actors if a.code)
            raise ScenarioError(
                f"unknown candidate '{token}': not an actor of '{scenario.title}' "
                f"(actor codes: {codes_known}); give its leverage (--leverage {token}=VALUE) "
                "or take leverage from the reference data (--leverage-source data)",
                field="candidates",
            )
        cred = credibility.get(token, 1.0)
        com = commit.get(token, default_commit)
        for name, value, ok in (
            ("leverage", lev, math.isfinite(lev) and lev >= 0),
            ("credibility", cred, 0.0 <= cred <= 1.0),
            ("commitment", com, 0.0 <= com <= 1.0),
        ):
            if not ok:
                raise OptionError(
                    f"{name} of candidate '{token}' is {value!r}; it must be "
                    + ("finite and >= 0" if name == "leverage" else "in [0, 1]"),
                    field=name,
                )
        if actor is not None:
            seen[actor.name] = token
        out.append(Candidate(token, None if actor is None else actor.name, lev, cred, com))
    unused = sorted(set(leverage) | set(credibility) | set(commit)) if out else []
    stray = [k for k in unused if k not in tokens]
    if stray:
        raise OptionError(
            f"leverage/credibility/commitment given for non-candidate(s): {', '.join(stray)}",
            field="candidates",
        )
    return out


def _parties(arrays: ScenarioArrays) -> BoolArray:
    is_party: BoolArray = np.array([r == "party" for r in arrays.roles], dtype=bool)
    return arrays.mask & is_party[None, :, None]


def proposal_point(
    arrays: ScenarioArrays,
    proposal: Proposal = "nash",
    *,
    members: Sequence[Candidate] = (),
) -> FloatArray:
    r"""The coalition's proposal on every issue of every batch member, own scale, (B, D).

    ``nash``: the symmetric Nash bargaining solution of the parties with quadratic utilities and
    each party's worst end of the scale as its disagreement point
    (``docs/models/nash.md#disagreement-point``); ``compromise``: the parties' c·s-weighted mean
    (``docs/models/baselines.md#the-compromise-model``); ``stated``: the leverage-weighted mean of
    the members' own positions where they have one, else the Nash point. NaN on issues in which no
    party takes part.
    """
    parties = _parties(arrays)
    z = arrays.unit_positions()
    if proposal == "compromise":
        unit = weighted_mean(z, arrays.capability * arrays.salience, parties)
    else:
        active = parties & (arrays.salience > 0)
        d = np.full(arrays.n_issues, np.nan)
        unit, _ = nash_per_issue(z, np.ones_like(z), active, d)
        fallback = ~active.any(axis=1) & parties.any(axis=1)
        unit = np.where(fallback, weighted_mean(z, np.ones_like(z), parties), unit)
    unit = np.where(parties.any(axis=1), unit, np.nan)
    if proposal == "stated":
        index = {name: i for i, name in enumerate(arrays.actors)}
        rows = [(index[m.actor], m.weight) for m in members if m.actor in index and m.weight > 0]
        if rows:
            idx = np.array([i for i, _ in rows])
            w = np.array([w for _, w in rows])[None, :, None] * arrays.mask[:, idx]
            total = w.sum(axis=1)
            with np.errstate(invalid="ignore", divide="ignore"):
                stated = (w * z[:, idx]).sum(axis=1) / total
            unit = np.where((total > 0) & ~np.isnan(unit), stated, unit)
    return arrays.from_unit(unit)


def add_coalition(
    arrays: ScenarioArrays, members: Sequence[Candidate], proposal: FloatArray
) -> ScenarioArrays:
    """The batch with ``members`` entered as mediator actors at ``proposal`` (B, D).

    Members already in the scenario replace their row; others are appended in order. Only
    issues with a finite proposal (a party takes part) get mediator cells; on other issues an
    existing member keeps its own cells. Members that cannot mediate
    (:attr:`Candidate.active` False) change nothing.
    """
    active = [m for m in members if m.active]
    if not active:
        return arrays
    b, n, d = arrays.positions.shape
    index = {name: i for i, name in enumerate(arrays.actors)}
    added = [m for m in active if m.actor not in index]
    pos = np.concatenate(
        [arrays.positions, np.broadcast_to(arrays.scale[:, 0], (b, len(added), d))], 1
    )
    sal = np.concatenate([arrays.salience, np.zeros((b, len(added), d))], axis=1)
    cap = np.concatenate([arrays.capability, np.zeros((b, len(added), d))], axis=1)
    mask = np.concatenate([arrays.mask, np.zeros((b, len(added), d), dtype=bool)], axis=1)
    names = list(arrays.actors) + [m.code for m in added]
    roles = list(arrays.roles or ("stakeholder",) * n) + ["mediator"] * len(added)
    rows = np.array([index[m.actor] if m.actor in index else n + added.index(m) for m in active])
    cells = np.isfinite(proposal)[:, None, :]  # (B, 1, D)
    weight = np.array([m.weight for m in active])[None, :, None]
    commit = np.array([m.commitment for m in active])[None, :, None]
    pos[:, rows] = np.where(cells, np.nan_to_num(proposal)[:, None, :], pos[:, rows])
    cap[:, rows] = np.where(cells, weight, cap[:, rows])
    sal[:, rows] = np.where(cells, commit, sal[:, rows])
    mask[:, rows] = cells | mask[:, rows]
    for r in rows:
        roles[r] = "mediator"
    return replace(
        arrays,
        positions=pos,
        salience=sal,
        capability=cap,
        mask=mask,
        actors=tuple(names),
        roles=tuple(roles),
    )


@dataclass(frozen=True)
class CoalitionResult:
    """One coalition's settlement summary and marginal values."""

    coalition: tuple[str, ...]
    summary: SettlementSummary
    issue_settlement: FloatArray
    marginal: dict[str, float] = field(default_factory=dict)
    marginal_ci: dict[str, tuple[float, float]] = field(default_factory=dict)
    outcome_shift: float | None = None
    agreement: AgreementDetail | None = None
    tied_with_top: bool | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON entry: ``coalition``, ``settlement_probability``, ``ci_low``, ``ci_high``,
        ``expected_outcome``, ``marginal`` (+ ``marginal_ci``, ``issue_settlement_probability``,
        ``converged``, and ``outcome_shift`` when a target was given)."""
        s = self.summary
        out: dict[str, Any] = {
            "coalition": list(self.coalition),
            "settlement_probability": s.probability,
            "ci_low": s.ci_low,
            "ci_high": s.ci_high,
            "expected_outcome": jsonable(s.expected_outcome),
            "marginal": dict(self.marginal),
            "marginal_ci": {k: list(v) for k, v in self.marginal_ci.items()},
            "issue_settlement_probability": jsonable(self.issue_settlement),
            "converged": s.converged,
        }
        if self.outcome_shift is not None:
            out["outcome_shift"] = self.outcome_shift
        if self.agreement is not None:
            out["agreement_probability"] = s.probability
            out.update(self.agreement.to_dict())
        if self.tied_with_top is not None:
            out["tied_with_top"] = self.tied_with_top
        ready: dict[str, Any] = jsonable(out)
        return ready


@dataclass(frozen=True)
class CoalitionSearch:
    """Result of :func:`search_coalitions`: ranked coalitions, the baseline and provenance."""

    coalitions: list[CoalitionResult]
    baseline: CoalitionResult
    issues: tuple[str, ...]
    candidates: list[Candidate]
    search: str
    provenance: dict[str, Any]
    measure: str = "convergence"
    parties: tuple[str, ...] = ()
    proposals: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """``{"coalitions": [...], "baseline": {...}, "provenance": {...}}``; the agreement
        measure adds ``measure``, ``parties`` and ``proposals`` (named packages evaluated)."""
        baseline = self.baseline.to_dict()
        baseline["issues"] = list(self.issues)
        out = {
            "coalitions": [c.to_dict() for c in self.coalitions],
            "baseline": baseline,
            "provenance": jsonable(self.provenance),
        }
        if self.measure != "convergence":
            out.update(
                {
                    "measure": self.measure,
                    "parties": list(self.parties),
                    "proposals": jsonable(self.proposals),
                }
            )
        return out

    @property
    def tied(self) -> list[CoalitionResult]:
        """The entries reported as tied with the first (the first included)."""
        return [c for i, c in enumerate(self.coalitions) if i == 0 or c.tied_with_top]

    def to_frame(self) -> pd.DataFrame:
        """The ranking as a :class:`pandas.DataFrame`, one row per coalition.

        Columns ``rank`` (0 is the baseline, coalition ``"no mediator"``), ``coalition``
        (members joined by ``" + "``), ``size``, ``probability`` (of agreement or of settlement,
        per :attr:`measure`), ``ci_low``, ``ci_high``, ``tied_with_top``, ``converged`` (share of
        draws), then the expected outcome of each issue on its own scale.
        """
        import pandas as pd

        rows = []
        for rank, c in enumerate([self.baseline, *self.coalitions]):
            s = c.summary
            rows.append(
                {
                    "rank": rank,
                    "coalition": " + ".join(c.coalition) or "no mediator",
                    "size": len(c.coalition),
                    "probability": s.probability,
                    "ci_low": s.ci_low,
                    "ci_high": s.ci_high,
                    "tied_with_top": c.tied_with_top,
                    "converged": s.converged,
                    **{q: float(v) for q, v in zip(self.issues, s.expected_outcome, strict=True)},
                }
            )
        return pd.DataFrame(rows)

    def _repr_html_(self) -> str:
        """Jupyter: the first coalitions as a table and a bar chart of their probabilities."""
        from minilateral.presentation.display import bar_svg, result_html, table_html

        frame = self.to_frame()
        cols = ["rank", "coalition", "probability", "ci_low", "ci_high"]
        labels = ["Rank", "Coalition", "Probability", "Interval low", "Interval high"]
        chart = bar_svg(
            list(frame["coalition"]),
            list(frame["probability"]),
            title=f"Probability of {self.measure}",
            hi=1.0,
        )
        return result_html(
            f"Mediating coalitions ({self.measure}, {len(self.coalitions)} ranked)",
            table_html(labels, frame[cols].values.tolist()),
            chart,
        )


def _coalitions(n: int, lo: int, hi: int) -> list[tuple[int, ...]]:
    return [c for k in range(lo, hi + 1) for c in itertools.combinations(range(n), k)]


def _paired_interval(diff: FloatArray, confidence: float) -> tuple[float, float]:
    """Normal-approximation interval of the mean of paired per-draw differences."""
    n = diff.size
    z = float(special.ndtri(0.5 + confidence / 2.0))
    half = z * float(diff.std(ddof=1)) / math.sqrt(n) if n > 1 else float("inf")
    mean = float(diff.mean())
    return max(-1.0, mean - half), min(1.0, mean + half)


@dataclass(frozen=True)
class SearchSettings:
    """The options of :func:`search_coalitions`, declared and validated in one place.

    The fields are :func:`search_coalitions`'s keyword arguments (documented there), with their
    defaults; construction checks each and raises :class:`~minilateral.errors.OptionError`
    naming the field. ``agreement`` is normalised to an
    :class:`~minilateral.mediation.design.AgreementSettings`. Checks that need the scenario or
    the resolved candidates (a coalition size larger than the candidate set, a target issue)
    are made where those are known.
    """

    sizes: tuple[int, int] = (1, 3)
    model: str = "bdm"
    options: Mapping[str, Any] | None = None
    draws: int = 500
    seed: int = 0
    tol: float = 0.1
    confidence: float = 0.95
    proposal: Proposal = "nash"
    leverage: Mapping[str, float] | None = None
    credibility: Mapping[str, float] | None = None
    commitment: float | Mapping[str, float] = 1.0
    target: Mapping[str, float] | None = None
    rank_by: Literal["settlement", "shift"] = "settlement"
    uncertainty: Uncertainty | Mapping[str, Any] | None = None
    noise: Mapping[str, Noise] | None = None
    max_exhaustive: int = 256
    beam: int = 8
    data_versions: Mapping[str, str] | None = None
    progress: Progress | None = None
    measure: Measure = "agreement"
    agreement: AgreementSettings | Mapping[str, Any] | None = None

    def __post_init__(self) -> None:
        if self.measure not in ("agreement", "convergence"):
            raise OptionError(
                f"measure must be agreement or convergence, got {self.measure!r}", field="measure"
            )
        lo, hi = self.sizes
        if not 1 <= lo <= hi:
            raise OptionError(f"size range {lo}-{hi} is empty or starts below 1", field="size")
        for name, value, ok, rule in (
            ("draws", self.draws, self.draws >= 2, "at least 2"),
            ("tol", self.tol, 0 < self.tol < 1, "in (0, 1)"),
            ("confidence", self.confidence, 0 < self.confidence < 1, "in (0, 1)"),
            ("beam", self.beam, self.beam >= 1, "at least 1"),
            ("max_exhaustive", self.max_exhaustive, self.max_exhaustive >= 0, "at least 0"),
        ):
            if not ok:
                label = "tolerance" if name == "tol" else name.replace("_", " ")
                raise OptionError(f"{label} must be {rule}, got {value}", field=name)
        if self.proposal not in ("nash", "compromise", "stated"):
            raise OptionError(
                f"proposal must be nash, compromise or stated, got {self.proposal!r}",
                field="proposal",
            )
        if self.rank_by not in ("settlement", "shift"):
            raise OptionError(
                f"rank-by must be settlement or shift, got {self.rank_by!r}", field="rank-by"
            )
        if self.rank_by == "shift" and not self.target:
            raise OptionError(
                "--rank-by shift needs a --target; else use settlement", field="rank-by"
            )
        given = (
            self.commitment.items()
            if isinstance(self.commitment, Mapping)
            else [("", self.commitment)]
        )
        for code, value in given:
            if not 0.0 <= float(value) <= 1.0:
                whose = f" of candidate '{code.upper()}'" if code else ""
                raise OptionError(
                    f"commitment{whose} is {value!r}; it must be in [0, 1]", field="commitment"
                )
        object.__setattr__(self, "agreement", _agreement_settings(self.agreement))


def _agreement_settings(given: AgreementSettings | Mapping[str, Any] | None) -> AgreementSettings:
    """``agreement`` as :class:`AgreementSettings` (unknown option names are an error)."""
    if isinstance(given, AgreementSettings):
        return given
    options = dict(given or {})
    unknown = sorted(set(options) - set(AgreementSettings.__dataclass_fields__))
    if unknown:
        names = ", ".join(AgreementSettings.__dataclass_fields__)
        raise OptionError(
            f"unknown agreement option {', '.join(unknown)} (options: {names})",
            field="agreement",
        )
    return AgreementSettings(**options)


def search_coalitions(
    scenario: Scenario,
    candidates: Sequence[str],
    *,
    sizes: tuple[int, int] = (1, 3),
    model: str = "bdm",
    options: Mapping[str, Any] | None = None,
    draws: int = 500,
    seed: int = 0,
    tol: float = 0.1,
    confidence: float = 0.95,
    proposal: Proposal = "nash",
    leverage: Mapping[str, float] | None = None,
    credibility: Mapping[str, float] | None = None,
    commitment: float | Mapping[str, float] = 1.0,
    target: Mapping[str, float] | None = None,
    rank_by: Literal["settlement", "shift"] = "settlement",
    uncertainty: Uncertainty | Mapping[str, Any] | None = None,
    noise: Mapping[str, Noise] | None = None,
    max_exhaustive: int = 256,
    beam: int = 8,
    data_versions: Mapping[str, str] | None = None,
    progress: Progress | None = None,
    measure: Measure = "agreement",
    agreement: AgreementSettings | Mapping[str, Any] | None = None,
) -> CoalitionSearch:
    """Evaluate mediating coalitions on common Monte Carlo draws and rank them.

    ``measure="agreement"`` (default) asks whether every party accepts the coalition's package
    over its value of no deal (:mod:`minilateral.mediation.agreement_search`; options in
    :class:`~minilateral.mediation.design.AgreementSettings`, given as ``agreement``);
    ``measure="convergence"`` is the positional-convergence measure (the parties' modelled
    positions end within ``tol`` on every issue under ``model``), the rest of this docstring.
    The keyword arguments are collected and checked as a :class:`SearchSettings`.

    Parameters
    ----------
    scenario : Scenario
    candidates : sequence of str
        Candidate state codes (scenario actor codes or names; see :data:`ALIASES`).
    sizes : (int, int), default=(1, 3)
        Smallest and largest coalition size.
    model : str, default="bdm"
        Registered model; a model with a ``stopping`` option runs with ``converged`` unless
        ``options`` says otherwise.
    options : mapping, optional
        Model options.
    draws, seed : int
        Monte Carlo draws of the inputs (the scenario's ``uncertainty:`` block, else the sweep
        defaults; :mod:`minilateral.montecarlo.perturb`) and their seed.
    tol : float, default=0.1
        Settlement tolerance, a share of each issue scale.
    confidence : float, default=0.95
        Level of the Wilson and paired intervals.
    proposal : {"nash", "compromise", "stated"}, default="nash"
        The coalition's proposal point (see the module docstring).
    leverage, credibility, commitment
        Per-candidate mediator parameters (:func:`resolve_candidates`).
    target : mapping of issue → value, optional
        A desired outcome; each coalition then reports ``outcome_shift``: the mean over the
        targeted issues of how much closer (share of the scale) its expected outcome is to the
        target than the baseline's.
    rank_by : {"settlement", "shift"}, default="settlement"
        Sort key (``shift`` needs a target). Ties are broken by the other key, then by the mean
        per-issue settlement probability (partial settlement), then by smaller coalitions.
    uncertainty : Uncertainty or mapping, optional
        Overrides the scenario's ``uncertainty:`` block.
    noise : mapping of field → Noise, optional
        Global noise per field overriding the block (``--noise`` of ``minilateral sweep``).
    max_exhaustive, beam : int
        Every coalition is evaluated when there are at most ``max_exhaustive`` of them;
        otherwise a beam search keeps the ``beam`` best of each size and extends them.

    Raises
    ------
    OptionError
        Bad sizes (e.g. larger than the candidate set), draws, tolerance, target or ranking.
    ScenarioError
        A candidate is a party or unknown; the scenario has no party.

    Examples
    --------
    >>> from minilateral import load_scenario
    >>> result = search_coalitions(load_scenario("gaza"), ["TUR", "QAT", "EGY"], sizes=(2, 3),
    ...                            draws=10, seed=1)
    >>> len(result.coalitions), result.search, sorted(result.to_dict())
    (4, 'exhaustive', ['baseline', 'coalitions', 'measure', 'parties', 'proposals', 'provenance'])
    """
    settings = SearchSettings(
        sizes=sizes,
        model=model,
        options=options,
        draws=draws,
        seed=seed,
        tol=tol,
        confidence=confidence,
        proposal=proposal,
        leverage=leverage,
        credibility=credibility,
        commitment=commitment,
        target=target,
        rank_by=rank_by,
        uncertainty=uncertainty,
        noise=noise,
        max_exhaustive=max_exhaustive,
        beam=beam,
        data_versions=data_versions,
        progress=progress,
        measure=measure,
        agreement=agreement,
    )
    if settings.measure == "agreement":
        return _search_agreement(scenario, candidates, settings)
    return _search_convergence(scenario, candidates, settings)


def _check_size(settings: SearchSettings, cands: Sequence[Candidate]) -> None:
    """The largest coalition size must not exceed the number of candidates."""
    hi = settings.sizes[1]
    if hi > len(cands):
        raise OptionError(
            f"coalition size {hi} is larger than the candidate set ({len(cands)} candidates)",
            field="size",
        )


def _check_target(scenario: Scenario, target: Mapping[str, float] | None) -> dict[str, float]:
    """The target as a dict, every issue known and every value on its issue's scale."""
    issues = {q.name: q for q in scenario.issues}
    out = dict(target or {})
    for name, value in out.items():
        if name not in issues:
            raise OptionError(
                f"target names unknown issue '{name}' (issues: {', '.join(issues)})",
                field="target",
            )
        if not issues[name].lo <= value <= issues[name].hi:
            raise OptionError(
                f"target {value:g} for '{name}' lies outside [{issues[name].lo:g}, "
                f"{issues[name].hi:g}]",
                field="target",
            )
    return out


def _sample(scenario: Scenario, settings: SearchSettings) -> tuple[NoisePlan, ScenarioArrays]:
    """The uncertainty plan and its ``draws`` input draws (the common random numbers)."""
    u = settings.uncertainty
    spec = dict(u) if isinstance(u, Mapping) else u
    noise = dict(settings.noise) if settings.noise else None
    plan = resolve_uncertainty(scenario, spec, noise)
    return plan, plan.sample(settings.seed, 0, settings.draws)


def _model_instance(name: str, options: Mapping[str, Any] | None) -> Model:
    """The registered model with validated options; ``stopping="converged"`` unless given."""
    cls = model_class(name)
    opts = dict(cls.coerce_options(dict(options or {})))
    specs = {s.name: s for s in cls.option_specs()}
    if "stopping" in specs and "converged" in specs["stopping"].choices:
        opts.setdefault("stopping", "converged")
    return cls(**opts)


class ConvergenceEvaluator:
    """Evaluates coalitions under the convergence measure on one set of common draws.

    Every coalition is built on the same input draws ``batch`` and run with the same model
    seed; results are cached by member indices, so a coalition is run once however often the
    ranking, the beam or the marginal values ask for it.
    """

    def __init__(
        self,
        batch: ScenarioArrays,
        cands: Sequence[Candidate],
        model: Model,
        model_seed: np.random.SeedSequence,
        settings: SearchSettings,
    ) -> None:
        self.batch = batch
        self.cands = list(cands)
        self.model = model
        self.model_seed = model_seed
        self.settings = settings
        self.total = 0
        self._shared = (
            None if settings.proposal == "stated" else proposal_point(batch, settings.proposal)
        )
        self._cache: dict[tuple[int, ...], tuple[SettlementSummary, FloatArray]] = {}

    def arrays(self, members: tuple[int, ...]) -> ScenarioArrays:
        """The draws with the coalition ``members`` added as mediator actors."""
        chosen = [self.cands[i] for i in members]
        if not chosen:
            return self.batch
        point = self._shared
        if point is None:  # "stated" depends on the members
            point = proposal_point(self.batch, self.settings.proposal, members=chosen)
        return add_coalition(self.batch, chosen, point)

    def __call__(self, members: tuple[int, ...]) -> tuple[SettlementSummary, FloatArray]:
        """Settlement summary and per-issue settlement probability of ``members``."""
        if members not in self._cache:
            arrays = self.arrays(members)
            with warnings.catch_warnings():  # non-convergence is counted, not warned per run
                warnings.simplefilter("ignore", ConvergenceWarning)
                fc = forecast_by_issue(self.model, arrays, self.model_seed)
            s = self.settings
            summary = summarize_settlement(fc, arrays, tol=s.tol, confidence=s.confidence)
            self._cache[members] = (summary, _issue_settlement(fc, arrays, s.tol))
            if s.progress:
                label = "+".join(self.cands[i].code for i in members) or "none"
                s.progress(len(self._cache), self.total, label)
        return self._cache[members]


def outcome_shift(
    summary: SettlementSummary,
    base: SettlementSummary,
    target: Mapping[str, float],
    scenario: Scenario,
    width: FloatArray,
) -> float | None:
    """Mean over the targeted issues of how much closer (share of the scale) ``summary``'s
    expected outcome is to ``target`` than ``base``'s; None without a target."""
    if not target:
        return None
    mask = np.array([q.name in target for q in scenario.issues])
    tvals = np.array([target.get(q.name, q.lo) for q in scenario.issues])
    gap_b = np.abs(base.expected_outcome - tvals) / width
    gap_c = np.abs(summary.expected_outcome - tvals) / width
    return float(np.mean((gap_b - gap_c)[mask]))


def rank_key(
    summary: SettlementSummary,
    per_issue: FloatArray,
    shift: float | None,
    members: tuple[int, ...],
    rank_by: str,
) -> tuple[float, ...]:
    """Sort key (ascending = best first): the ``rank_by`` value, then the other, then the mean
    per-issue settlement probability, then smaller coalitions, then member order."""
    sh = shift or 0.0
    first = (summary.probability, sh) if rank_by == "settlement" else (sh, summary.probability)
    partial = float(np.nanmean(per_issue)) if np.isfinite(per_issue).any() else 0.0
    return (-first[0], -first[1], -partial, len(members), *members)


def beam_search(
    n: int, lo: int, hi: int, beam: int, key: Callable[[tuple[int, ...]], Any]
) -> list[tuple[int, ...]]:
    """Coalitions of sizes lo..hi found by extending the ``beam`` best of each size by one."""
    evaluated: list[tuple[int, ...]] = []
    frontier = sorted(itertools.combinations(range(n), 1), key=key)[:beam]
    for k in range(1, hi + 1):
        if k >= lo:
            evaluated.extend(frontier)
        if k == hi:
            break
        grown = {tuple(sorted({*c, j})) for c in frontier for j in range(n) if j not in c}
        frontier = sorted(grown, key=key)[:beam]
    return evaluated


def marginal_values(
    evaluate: ConvergenceEvaluator, members: tuple[int, ...], confidence: float
) -> tuple[dict[str, float], dict[str, tuple[float, float]]]:
    """Each member's paired marginal value :math:`P(C) - P(C \\setminus \\{m\\})` and interval."""
    settled = evaluate(members)[0].settled.astype(float)
    marginal, marginal_ci = {}, {}
    for m in members:
        rest = tuple(i for i in members if i != m)
        diff = settled - evaluate(rest)[0].settled.astype(float)
        code = evaluate.cands[m].code
        marginal[code] = float(diff.mean())
        marginal_ci[code] = _paired_interval(diff, confidence)
    return marginal, marginal_ci


def _search_convergence(
    scenario: Scenario, candidates: Sequence[str], settings: SearchSettings
) -> CoalitionSearch:
    """:func:`search_coalitions` under the convergence measure."""
    s = settings
    cands = resolve_candidates(
        scenario,
        candidates,
        leverage=s.leverage,
        credibility=s.credibility,
        commitment=s.commitment,
    )
    _check_size(s, cands)
    if not any(a.role == "party" for a in scenario.actors):
        raise ScenarioError(
            f"scenario '{scenario.title}' has no actor with role: party, so settlement between "
            "the parties is undefined",
            field="actors",
        )
    target = _check_target(scenario, s.target)
    instance = _model_instance(s.model, s.options)
    plan, batch = _sample(scenario, s)
    evaluate = ConvergenceEvaluator(
        batch, cands, instance, np.random.SeedSequence(s.seed).spawn(1)[0], s
    )
    lo, hi = s.sizes
    combos = _coalitions(len(cands), lo, hi)
    exhaustive = len(combos) <= s.max_exhaustive
    evaluate.total = 1 + (len(combos) if exhaustive else s.beam * len(cands) * (hi - lo + 1))
    base_summary, base_issue = evaluate(())

    def shift(summary: SettlementSummary) -> float | None:
        return outcome_shift(summary, base_summary, target, scenario, batch.width)

    def key(members: tuple[int, ...]) -> tuple[float, ...]:
        summary, per_issue = evaluate(members)
        return rank_key(summary, per_issue, shift(summary), members, s.rank_by)

    if exhaustive:
        evaluated, search = combos, "exhaustive"
    else:
        search = f"beam (width {s.beam}; {len(combos)} coalitions exceed {s.max_exhaustive})"
        evaluated = beam_search(len(cands), lo, hi, s.beam, key)
    results = []
    for members in sorted(evaluated, key=key):
        summary, per_issue = evaluate(members)
        marginal, marginal_ci = marginal_values(evaluate, members, s.confidence)
        results.append(
            CoalitionResult(
                coalition=tuple(cands[i].code for i in members),
                summary=summary,
                issue_settlement=per_issue,
                marginal=marginal,
                marginal_ci=marginal_ci,
                outcome_shift=shift(summary),
            )
        )
    record = _convergence_record(scenario, s, instance, plan, cands, target, search, results)
    baseline = CoalitionResult((), base_summary, base_issue)
    return CoalitionSearch(results, baseline, tuple(scenario.issue_names), cands, search, record)


def _convergence_record(
    scenario: Scenario,
    s: SearchSettings,
    instance: Model,
    plan: NoisePlan,
    cands: Sequence[Candidate],
    target: Mapping[str, float],
    search: str,
    results: Sequence[CoalitionResult],
) -> dict[str, Any]:
    """Provenance of a convergence search, with its notes."""
    record = provenance(
        model=s.model,
        options=instance.get_params(),
        seed=s.seed,
        input_hash=scenario.sha256(),
        data_versions=dict(s.data_versions or {}),
    )
    record.update(
        {
            "draws": s.draws,
            "search": search,
            "sizes": list(s.sizes),
            "tolerance": s.tol,
            "confidence": s.confidence,
            "interval": "Wilson score (settlement); normal, paired differences (marginal)",
            "proposal": s.proposal,
            "common_random_numbers": True,
            "uncertainty": plan.uncertainty.model_dump(mode="json", exclude_none=True),
            "candidates": [
                {
                    "code": c.code,
                    "actor": c.actor,
                    "leverage": c.leverage,
                    "credibility": c.credibility,
                    "commitment": c.commitment,
                }
                for c in cands
            ],
            "target": dict(target) or None,
            "rank_by": s.rank_by,
            "scenario": scenario.title,
        }
    )
    notes = []
    if not type(instance).dynamic:
        notes.append(
            f"model '{s.model}' is static: the parties do not move, so settlement does not "
            "depend on the coalition; compare expected outcomes (or give a target) instead"
        )
    if results and all(r.summary.probability == 0 for r in results):
        notes.append(
            f"no coalition brings the parties within {s.tol:g} of the scale on every issue in "
            "any draw; the ranking falls back on the per-issue settlement probabilities"
        )
    record["notes"] = notes
    return record


def _issue_settlement(fc: Forecast, arrays: ScenarioArrays, tol: float) -> FloatArray:
    """Per issue: share of draws that converged with the parties' spread within ``tol``."""
    spread = party_spread(arrays, final_positions(fc, arrays))
    ok = (spread <= tol + 1e-12) & np.asarray(fc.converged, dtype=bool)[:, None]
    return np.where(np.isnan(spread).all(axis=0), np.nan, ok.mean(axis=0))


def search_theatre(
    scenario: Scenario, *, draws: int, seed: int = 0
) -> tuple[CoalitionSearch | None, list[str]]:
    """The standard search of a theatre, as the demo and the brief show it.

    Coalitions of one to three of the scenario's ``candidate_mediators`` under the agreement
    measure. A candidate that is not an actor of the scenario takes part when the scenario's
    ``mediation.members`` block gives its leverage. Returns the search (None when no candidate
    can take part) and the candidates left out, sorted.
    """
    given = scenario_leverage(scenario, scenario.candidate_mediators)
    present = [
        c
        for c in scenario.candidate_mediators
        if match_actor(scenario, c) is not None or c.strip().upper() in given
    ]
    absent = sorted(set(scenario.candidate_mediators) - set(present))
    if not present:
        return None, absent
    search = search_coalitions(
        scenario, present, sizes=(1, min(3, len(present))), draws=draws, seed=seed
    )
    return search, absent


def scenario_leverage(scenario: Scenario, tokens: Sequence[str]) -> dict[str, float]:
    """Leverage the scenario's ``mediation.members`` block gives candidates (by code)."""
    if scenario.mediation is None:
        return {}
    out = {}
    for key, terms in scenario.mediation.members.items():
        if terms.leverage is None:
            continue
        row = match_actor(scenario, key)
        for token in tokens:
            same = token.strip().upper() == key.upper()
            if same or (row is not None and match_actor(scenario, token) == row):
                out[token.strip().upper()] = terms.leverage
    return out


def _search_agreement(
    scenario: Scenario, candidates: Sequence[str], settings: SearchSettings
) -> CoalitionSearch:
    """:func:`search_coalitions` under the agreement measure."""
    s = settings
    agreement = s.agreement
    assert isinstance(agreement, AgreementSettings)  # normalised by SearchSettings
    explicit = {k.upper(): float(v) for k, v in (s.leverage or {}).items()}
    lev = {**scenario_leverage(scenario, candidates), **explicit}
    cands = resolve_candidates(scenario, candidates, leverage=lev, credibility=s.credibility)
    lo, hi = s.sizes
    combos = all_combos(len(cands), lo, hi)
    _check_size(s, cands)
    plan, batch = _sample(scenario, s)
    no_deal = None
    if agreement.reservation == "contest":
        contest = _model_instance(agreement.contest_model, None)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            contest_seed = np.random.SeedSequence(s.seed).spawn(1)[0]
            no_deal = forecast_by_issue(contest, batch, contest_seed).outcome
    codes = [c.code for c in cands]
    found = evaluate_agreement(
        scenario,
        codes,
        combos,
        batch,
        settings=agreement,
        confidence=s.confidence,
        leverage=explicit,
        credibility={c.code: c.credibility for c in cands},
        no_deal=no_deal,
        progress=s.progress,
    )
    results = [
        CoalitionResult(
            coalition=tuple(codes[i] for i in e["members"]),
            summary=e["summary"],
            issue_settlement=e["per_issue"],
            marginal=e["marginal"],
            marginal_ci=e["marginal_ci"],
            agreement=e["detail"],
            tied_with_top=e["tied_with_top"],
        )
        for e in found["entries"]
    ]
    base = found["baseline"]
    baseline = CoalitionResult((), base["summary"], base["per_issue"], agreement=base["detail"])
    members = found["members"]
    record = search_record(
        scenario,
        agreement,
        seed=s.seed,
        data_versions=s.data_versions,
        measure="agreement",
        draws=s.draws,
        search="exhaustive",
        sizes=[lo, hi],
        confidence=s.confidence,
        interval="Wilson score (agreement); normal, paired differences (marginal, ties)",
        common_random_numbers=True,
        uncertainty=plan.uncertainty.model_dump(mode="json", exclude_none=True),
        candidates=[
            {
                "code": c.code,
                "actor": c.actor,
                "leverage": c.leverage,
                "leverage_share": float(members.leverage[j]),
                "guarantee": float(members.guarantee[j]),
                "information": float(members.information[j]),
                "credibility": c.credibility,
                "credibility_with": {
                    p: float(members.credibility[j, k]) for k, p in enumerate(found["parties"])
                },
                "refused_by": [p for k, p in enumerate(found["parties"]) if members.refused[j, k]],
                "source": members.sources.get(c.code),
            }
            for j, c in enumerate(cands)
        ],
        scenario_title=scenario.title,
        notes=found["notes"],
    )
    return CoalitionSearch(
        results,
        baseline,
        tuple(scenario.issue_names),
        cands,
        "exhaustive",
        record,
        measure="agreement",
        parties=tuple(found["parties"]),
        proposals=found["proposals"],
    )
