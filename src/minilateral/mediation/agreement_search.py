r"""The coalition search under the agreement measure (the default of ``minilateral coalitions``).

Every coalition of the requested sizes is evaluated on the same Monte Carlo draws (common random
numbers); per coalition: the agreement probability (every party accepts the coalition's package,
:mod:`.agreement`, :mod:`.design`) with a Wilson interval, per-party acceptance, the expected
package, the zone of agreement per issue, hold-outs with their shortfall, the marginal value of
each member (paired differences :math:`A(C) - A(C \setminus \{m\})` of per-draw agreement, with
a normal paired interval) and "what it would take". Coalitions that McNemar's exact paired test
cannot tell from the first entry (:func:`paired_tie`) are flagged ``tied_with_top``; the order
inside a tie (mean maximin surplus, then size) is shown but not a finding.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, NotRequired, TypedDict

import numpy as np
from scipy import special

from minilateral.arrays import BoolArray, FloatArray, ScenarioArrays
from minilateral.errors import OptionError
from minilateral.forecast import jsonable
from minilateral.mediation.agreement import zopa_slices
from minilateral.mediation.design import (
    AgreementSettings,
    CoalitionTerms,
    Evaluator,
    MemberParameters,
    coalition_terms,
    member_parameters,
    party_parameters,
)
from minilateral.mediation.settlement import SettlementSummary, wilson_interval
from minilateral.provenance import provenance
from minilateral.scenario import Scenario

__all__ = [
    "AgreementDetail",
    "AgreementSearch",
    "BaselineCoalition",
    "Holdout",
    "RankedCoalition",
    "WhatItTakes",
    "evaluate_agreement",
    "paired_interval",
    "paired_tie",
]

Progress = Callable[[int, int, str], None]


class Holdout(TypedDict):
    r"""A party that rejects a coalition's package in some draw (``AgreementDetail.holdouts``).

    ``share`` and ``blocks_alone`` are shares of draws; ``shortfall`` and ``shortfall_alone``
    are mean shortfalls :math:`\max(0, -S_i)` in utility units. The last two are computed only
    for the top coalitions and the baseline (:func:`_holdouts`).
    """

    party: str
    share: float
    shortfall: float
    blocks_alone: NotRequired[float]
    shortfall_alone: NotRequired[float]


class WhatItTakes(TypedDict):
    """The smallest leverage multiplier and added guarantee that reach 50 % (None: not reachable).

    :attr:`AgreementDetail.what_it_takes`; ``max_multiplier`` is the largest multiplier searched.
    """

    leverage_multiplier: float | None
    guarantee: float | None
    max_multiplier: float


class BaselineCoalition(TypedDict):
    """The no-mediator entry of :func:`evaluate_agreement`."""

    summary: SettlementSummary
    detail: AgreementDetail
    per_issue: FloatArray  # (D,) agreement probability on party issues, NaN elsewhere


class RankedCoalition(BaselineCoalition):
    """One evaluated coalition of :func:`evaluate_agreement`, in rank order."""

    members: tuple[int, ...]  # indices into the candidate codes
    marginal: dict[str, float]
    marginal_ci: dict[str, tuple[float, float]]
    tied_with_top: bool


class AgreementSearch(TypedDict):
    """What :func:`evaluate_agreement` returns."""

    entries: list[RankedCoalition]
    baseline: BaselineCoalition
    parties: tuple[str, ...]
    proposals: list[dict[str, Any]]
    members: MemberParameters
    notes: list[str]


def paired_interval(diff: FloatArray, confidence: float) -> tuple[float, float]:
    """Normal-approximation interval of the mean of paired per-draw differences.

    A difference that is identically zero gives [0, 0]: the two coalitions agree in every draw.
    """
    n = diff.size
    z = float(special.ndtri(0.5 + confidence / 2.0))
    half = z * float(diff.std(ddof=1)) / math.sqrt(n) if n > 1 else float("inf")
    mean = float(diff.mean())
    return max(-1.0, mean - half), min(1.0, mean + half)


def paired_tie(a: BoolArray, b: BoolArray, confidence: float) -> bool:
    """Whether two coalitions' per-draw agreement indicators are tied (McNemar's exact test).

    Only the discordant draws carry information: with n10 draws where only ``a`` agrees and n01
    where only ``b`` does, under equal agreement probabilities n10 ~ Binomial(n10 + n01, 1/2).
    They are tied when the exact two-sided p-value is at least 1 - ``confidence`` (McNemar
    1947), i.e. the exact interval of the paired difference covers 0. Unlike the normal
    approximation, this is valid when discordant draws are rare (agreement near 0 or 1).

    The p-value :math:`2 \\sum_{k \\le \\min(n_{10}, n_{01})} \\binom{n}{k} / 2^n` is compared with
    ``1 - confidence`` in exact integer arithmetic (no ``scipy.stats``, whose import alone cost a
    third of a second of every ``minilateral coalitions`` call); on every n <= 600 at
    confidences 0.90, 0.95 and 0.99 it decides exactly as ``scipy.stats.binom.cdf`` did.
    """
    n10 = int(np.sum(a & ~b))
    n01 = int(np.sum(~a & b))
    n = n10 + n01
    if n == 0:
        return True
    tail = sum(math.comb(n, k) for k in range(min(n10, n01) + 1))
    threshold = Fraction(1.0 - confidence)  # the float's exact value
    return 2 * tail * threshold.denominator >= threshold.numerator * (1 << n)  # 1 << n == 2**n


@dataclass(frozen=True)
class AgreementDetail:
    """What the agreement measure says about one coalition (or one named proposal).

    Attributes
    ----------
    acceptance : party → share of draws in which it accepts the package
    surplus : party → mean surplus :math:`S_i` at the package (utility units)
    package : issue → expected package, own scale (issues in which a party takes part)
    zone : share of draws with a non-empty zone of agreement
    zone_range : issue → [low, high] mean slice of the zone (draws where it exists), own scale,
        or None where it never exists
    holdouts : list of {party, share, shortfall[, blocks_alone, shortfall_alone]}: parties that
        reject the package in some draw, how often, and their mean shortfall
        :math:`\\max(0, -S_i)` when they do; for the top coalitions and the baseline also how
        often the party alone blocks a deal the others could make (:func:`_holdouts`), which
        names who stands in the way rather than the equalised shortfalls of a maximin package
    maximin : mean over draws of :math:`\\max_x \\min_i S_i(x)` (the tie-break of the ranking)
    what_it_takes : {leverage_multiplier, guarantee} (None: not computed; a value None: not
        reachable) — the smallest multiplier on the coalition's leverage, and the smallest added
        guarantee, at which the agreement probability reaches 50 %
    """

    acceptance: dict[str, float]
    surplus: dict[str, float]
    package: dict[str, float]
    zone: float
    zone_range: dict[str, list[float] | None]
    holdouts: list[Holdout]
    maximin: float
    what_it_takes: WhatItTakes | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        data: dict[str, Any] = jsonable(
            {
                "acceptance": self.acceptance,
                "surplus": self.surplus,
                "package": self.package,
                "zopa": {"share": self.zone, "issues": self.zone_range},
                "no_zone_of_agreement": self.zone == 0.0,
                "holdouts": self.holdouts,
                "maximin_surplus": self.maximin,
                "what_it_takes": self.what_it_takes,
            }
        )
        return data


@dataclass
class _Solved:
    agreement: BoolArray  # (B,)
    accepted: BoolArray  # (B, P)
    surplus: FloatArray  # (B, P)
    package: FloatArray  # (B, D_party)
    maximin: FloatArray  # (B,)
    zone_lo: FloatArray
    zone_hi: FloatArray
    converged: float
    extra: dict[str, Any] = field(default_factory=dict)


def _subsets(combos: Sequence[tuple[int, ...]]) -> list[tuple[int, ...]]:
    need: set[tuple[int, ...]] = {()}
    for c in combos:
        need.add(c)
        for m in c:
            need.add(tuple(i for i in c if i != m))
    return sorted(need, key=lambda c: (len(c), c))


def evaluate_agreement(
    scenario: Scenario,
    codes: Sequence[str],
    combos: Sequence[tuple[int, ...]],
    batch: ScenarioArrays,
    *,
    settings: AgreementSettings,
    confidence: float,
    leverage: Mapping[str, float] | None = None,
    credibility: Mapping[str, float] | None = None,
    no_deal: FloatArray | None = None,
    progress: Progress | None = None,
) -> AgreementSearch:
    """Evaluate ``combos`` (and the subsets their marginal values need) on ``batch``.

    Returns a mapping with ``entries`` (combos in rank order, each with its summary, detail,
    marginal values and tie flag), ``baseline``, ``parties``, ``proposals``, the members'
    parameters and notes; :func:`minilateral.mediation.coalitions.search_coalitions` wraps it in
    a :class:`~minilateral.mediation.coalitions.CoalitionSearch`.
    """
    parties = party_parameters(scenario, settings)
    members = member_parameters(
        scenario, codes, parties, settings, leverage=leverage, credibility=credibility
    )
    ev = Evaluator(batch, parties, members, settings, no_deal=no_deal)
    cols = ev.issue_index
    width = batch.width[cols]
    lo0 = batch.scale[cols, 0]
    issue_names = [batch.issues[d] for d in cols]
    needed = _subsets(combos)
    membership = np.zeros((len(needed), len(codes)), dtype=bool)
    for k, c in enumerate(needed):
        membership[k, list(c)] = True
    solved: dict[tuple[int, ...], _Solved] = {}
    chunk = max(1, 20000 // max(ev.draws, 1))
    for start in range(0, len(needed), chunk):
        part = membership[start : start + chunk]
        packs, _ = ev.evaluate(part)
        t = packs.surplus  # (k, B, P)
        lo, hi = zopa_slices(
            packs.package,
            ev.ideal[None],
            ev.weights[None],
            (ev.thresholds(_terms(ev, part))),
        )
        for k in range(len(part)):
            c = needed[start + k]
            solved[c] = _Solved(
                agreement=packs.agreement[k],
                accepted=packs.accepted[k],
                surplus=t[k],
                package=packs.package[k],
                maximin=packs.maximin[k],
                zone_lo=lo[k],
                zone_hi=hi[k],
                converged=float(np.mean(packs.gap[k] < 1e-3)),
            )
        if progress:
            progress(min(start + chunk, len(needed)), len(needed), "agreement")

    def summary(s: _Solved) -> SettlementSummary:
        k, n = int(s.agreement.sum()), int(s.agreement.size)
        ci = wilson_interval(k, n, confidence)
        expected = np.full(batch.n_issues, np.nan)
        expected[cols] = lo0 + s.package.mean(axis=0) * width
        return SettlementSummary(k / n, ci[0], ci[1], s.agreement, expected, s.converged)

    def detail(s: _Solved) -> AgreementDetail:
        acc = s.accepted.mean(axis=0)
        holdouts: list[Holdout] = []
        for i, name in enumerate(parties.names):
            refuse = ~s.accepted[:, i]
            if refuse.any():
                holdouts.append(
                    {
                        "party": name,
                        "share": float(refuse.mean()),
                        "shortfall": float(np.mean(-s.surplus[refuse, i])),
                    }
                )
        holdouts.sort(key=lambda h: -h["share"])
        zone = np.isfinite(s.zone_lo).all(axis=1) & s.agreement
        zr: dict[str, list[float] | None] = {}
        for j, q in enumerate(issue_names):
            if zone.any():
                zr[q] = [
                    float(lo0[j] + width[j] * np.mean(s.zone_lo[zone, j])),
                    float(lo0[j] + width[j] * np.mean(s.zone_hi[zone, j])),
                ]
            else:
                zr[q] = None
        return AgreementDetail(
            acceptance={n: float(a) for n, a in zip(parties.names, acc, strict=True)},
            surplus={
                n: float(v) for n, v in zip(parties.names, s.surplus.mean(axis=0), strict=True)
            },
            package={
                q: float(lo0[j] + width[j] * s.package[:, j].mean())
                for j, q in enumerate(issue_names)
            },
            zone=float(zone.mean()),
            zone_range=zr,
            holdouts=holdouts,
            maximin=float(np.mean(s.maximin)),
        )

    def key(c: tuple[int, ...]) -> tuple[float, ...]:
        s = solved[c]
        return (-float(s.agreement.mean()), -float(np.mean(s.maximin)), len(c), *c)

    ranked = sorted(combos, key=key)
    top = solved[ranked[0]].agreement.astype(float) if ranked else None
    entries: list[RankedCoalition] = []
    for c in ranked:
        s = solved[c]
        marginal: dict[str, float] = {}
        marginal_ci: dict[str, tuple[float, float]] = {}
        for m in c:
            rest = tuple(i for i in c if i != m)
            diff = s.agreement.astype(float) - solved[rest].agreement.astype(float)
            marginal[codes[m]] = float(diff.mean())
            marginal_ci[codes[m]] = paired_interval(diff, confidence)
        assert top is not None
        tied = paired_tie(s.agreement, top.astype(bool), confidence)
        entries.append(
            {
                "members": c,
                "summary": summary(s),
                "detail": detail(s),
                "marginal": marginal,
                "marginal_ci": marginal_ci,
                "tied_with_top": tied,
                "per_issue": np.where(
                    np.isin(np.arange(batch.n_issues), cols), float(s.agreement.mean()), np.nan
                ),
            }
        )
    # What it would take: the top coalitions and the baseline, on the same draws.
    wanted = [e["members"] for e in entries[: settings.what_it_takes_top]] + [()]
    takes: dict[tuple[int, ...], WhatItTakes] = {}
    pivots: dict[tuple[int, ...], tuple[FloatArray, BoolArray]] = {}
    if settings.what_it_takes_top > 0 and wanted:
        mem = np.zeros((len(wanted), len(codes)), dtype=bool)
        for k, c in enumerate(wanted):
            mem[k, list(c)] = True
        mult, guar = ev.what_it_takes(mem)
        short, others = ev.holdouts(mem)
        pivots = {c: (short[k], others[k]) for k, c in enumerate(wanted)}
        takes = {
            c: {
                "leverage_multiplier": None if not np.isfinite(mult[k]) else float(mult[k]),
                "guarantee": None if not np.isfinite(guar[k]) else float(guar[k]),
                "max_multiplier": settings.max_multiplier,
            }
            for k, c in enumerate(wanted)
        }
    base_detail = detail(solved[()])
    if () in takes:
        base_detail = _with_takes(
            base_detail, takes[()], _holdouts(parties.names, solved[()], *pivots[()])
        )
    for e in entries:
        if e["members"] in takes:
            c = e["members"]
            e["detail"] = _with_takes(
                e["detail"], takes[c], _holdouts(parties.names, solved[c], *pivots[c])
            )
    proposals = _proposals(scenario, ev, codes, entries, batch, confidence)
    notes: list[str] = []
    if ev.filled:
        notes.append(
            "no reference point (status quo) for "
            + ", ".join(
                next((q.display_name for q in scenario.issues if q.name == name), name)
                for name in ev.filled
            )
            + ": the no-deal outcome there is the compromise of all actors without a mediator"
        )
    return {
        "entries": entries,
        "baseline": {
            "summary": summary(solved[()]),
            "detail": base_detail,
            "per_issue": np.where(
                np.isin(np.arange(batch.n_issues), cols),
                float(solved[()].agreement.mean()),
                np.nan,
            ),
        },
        "parties": parties.names,
        "proposals": proposals,
        "members": members,
        "notes": notes,
    }


def _terms(ev: Evaluator, membership: BoolArray) -> CoalitionTerms:
    return coalition_terms(membership, ev.members, ev.settings)


def _with_takes(d: AgreementDetail, takes: WhatItTakes, holdouts: list[Holdout]) -> AgreementDetail:
    from dataclasses import replace

    return replace(d, what_it_takes=takes, holdouts=holdouts)


def _holdouts(
    names: Sequence[str],
    solved: _Solved,
    short: FloatArray,
    others: BoolArray,
) -> list[Holdout]:
    r"""Hold-outs of one coalition, most decisive first.

    ``share``: draws in which the party rejects the coalition's package; ``shortfall``: its
    mean :math:`\max(0, -S_i)` there. ``blocks_alone``: draws without agreement in which the
    other parties alone have a zone of agreement and the party rejects the package they find
    best (their maximin package) — it is the one party standing in the way;
    ``shortfall_alone``: its mean shortfall at that package in those draws.
    """
    out: list[Holdout] = []
    failed = ~solved.agreement
    for i, name in enumerate(names):
        rejects = ~solved.accepted[:, i]
        alone = failed & others[:, i] & (short[:, i] > 1e-9)
        if rejects.any() or alone.any():
            out.append(
                {
                    "party": name,
                    "share": float(rejects.mean()),
                    "shortfall": float(np.mean(-solved.surplus[rejects, i]))
                    if rejects.any()
                    else 0.0,
                    "blocks_alone": float(alone.mean()),
                    "shortfall_alone": float(short[alone, i].mean()) if alone.any() else 0.0,
                }
            )
    out.sort(key=lambda h: (-h["blocks_alone"], -h["share"], -h["shortfall"]))
    return out


def _proposals(
    scenario: Scenario,
    ev: Evaluator,
    codes: Sequence[str],
    entries: list[RankedCoalition],
    batch: ScenarioArrays,
    confidence: float,
) -> list[dict[str, Any]]:
    """Each named proposal, evaluated as given: by no mediator, its own coalition (where all
    its members are candidates) and the top coalition."""
    out: list[dict[str, Any]] = []
    if not scenario.proposals:
        return out
    from minilateral.mediation.coalitions import match_actor

    def index(token: str) -> int | None:
        row = match_actor(scenario, token)
        for j, c in enumerate(codes):
            if c.upper() == token.upper() or (row is not None and match_actor(scenario, c) == row):
                return j
        return None

    issues = {q.name: q for q in scenario.issues}
    for prop in scenario.proposals:
        value = np.array(
            [
                prop.package.get(q.name, q.reference if q.reference is not None else q.lo)
                for q in scenario.issues
            ],
            dtype=float,
        )
        unit = (value - batch.scale[:, 0]) / batch.width
        groups: list[tuple[str, tuple[int, ...]]] = [("no mediator", ())]
        own = [index(t) for t in prop.coalition]
        if prop.coalition and all(j is not None for j in own):
            groups.append(("its sponsors", tuple(sorted(j for j in own if j is not None))))
        if entries:
            groups.append(("top coalition", entries[0]["members"]))
        mem = np.zeros((len(groups), len(codes)), dtype=bool)
        for k, (_, c) in enumerate(groups):
            mem[k, list(c)] = True
        surplus = ev.fixed(unit, mem)  # (K, B, P)
        evaluated: list[dict[str, Any]] = []
        for k, (label, c) in enumerate(groups):
            acc = surplus[k] >= -1e-9
            agree = acc.all(axis=1)
            n = int(agree.size)
            ci = wilson_interval(int(agree.sum()), n, confidence)
            evaluated.append(
                {
                    "by": label,
                    "coalition": [codes[j] for j in c],
                    "agreement_probability": float(agree.mean()),
                    "ci_low": ci[0],
                    "ci_high": ci[1],
                    "acceptance": {
                        p: float(a) for p, a in zip(ev.parties.names, acc.mean(axis=0), strict=True)
                    },
                }
            )
        out.append(
            {
                "name": prop.name,
                "label": prop.label or prop.name,
                "package": {
                    q: float(prop.package.get(q, issues[q].reference or 0.0)) for q in issues
                },
                "source": prop.source,
                "evaluations": evaluated,
            }
        )
    ready: list[dict[str, Any]] = jsonable(out)
    return ready


def search_record(scenario: Scenario, settings: AgreementSettings, **extra: Any) -> dict[str, Any]:
    """Provenance of an agreement search."""
    record = provenance(
        model="agreement",
        options=settings.to_dict(),
        seed=extra.pop("seed"),
        input_hash=scenario.sha256(),
        data_versions=dict(extra.pop("data_versions", {}) or {}),
    )
    extra["scenario"] = extra.pop("scenario_title", scenario.title)
    record.update(extra)
    return record


def all_combos(n: int, lo: int, hi: int) -> list[tuple[int, ...]]:
    """Every coalition of sizes lo..hi of n candidates."""
    if not 1 <= lo <= hi:
        raise OptionError(f"size range {lo}-{hi} is empty or starts below 1", field="size")
    return [c for k in range(lo, hi + 1) for c in itertools.combinations(range(n), k)]
