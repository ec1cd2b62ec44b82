r"""Mediator profiles from the reference data: impartiality, ties, leverage, track record.

For a candidate state m and the parties P of a conflict (the scenario's ``role: party`` actors),
each component is a number on [0, 1] (formulas in ``docs/models/mediation.md``). Each table
is read at its latest year not after ``year`` (its own coverage ends at different years; the
year used is reported).

* **impartiality** :math:`I_m = 1 - (\max_p a_{mp} - \min_p a_{mp})`, with the affinity
  :math:`a_{mp} = (S_{mp} + 1)/2` from the UN General Assembly votes of m and party p pooled
  over the ``window`` years up to ``year`` (Signorino–Ritter S or Cohen's κ,
  ``specs/alignment.md`` §1.3–1.4). It needs two state parties with votes; otherwise it falls
  back to the scenario: :math:`a_{mp} = 1 - \overline{|z_m - z_p|}` over the issues both hold a
  position on (unit scale), which needs the candidate to be a scenario actor.
* **ties** to the state parties, the mean over p of the mean of the available indicators: the
  candidate's share of p's trade :math:`(f_1 + f_2)/(\text{imports}_p + \text{exports}_p)`
  (COW Trade), the shared full IGO memberships over the smaller of the two membership counts
  (COW IGO), an ATOP alliance of any type (0/1), and proximity :math:`1/(1 + d/1000)` for the
  minimum distance d in km (CShapes; 1 = contiguous).
* **leverage** relative to the state parties, the mean of
  :math:`\mathrm{CINC}_m / (\mathrm{CINC}_m + \sum_p \mathrm{CINC}_p)` and the same ratio of
  real GDP (Fariss et al. 2022).
* **track record** :math:`n/(n + 5)` for the n UCDP peace agreements (1975–2021) that name m
  among their third parties (``pa_3rd``). ICB codes whether a crisis was mediated and the
  mediator's *type* but not its identity, so it cannot credit a state and is not used.
* **credibility** the weighted mean of the available components, weights renormalised over
  them (defaults: impartiality 0.35, ties 0.15, leverage 0.3, track record 0.2).

Non-state parties (armed groups, unrecognised administrations) have no votes, trade, IGO,
alliance or capability rows; they are left out of the data components and named in the notes.

References
----------
.. [1] Kydd, A. (2003). Which side are you on? Bias, credibility, and mediation. *American
   Journal of Political Science* 47(4), 597–611.
.. [2] Savun, B. (2008). Information, bias, and mediation success. *International Studies
   Quarterly* 52(1), 25–47.
.. [3] Beardsley, K. (2011). *The Mediation Dilemma*. Cornell University Press.
.. [4] Bercovitch, J. & Schneider, G. (2000). Who mediates? The political economy of
   international conflict management. *Journal of Peace Research* 37(2), 145–165.
.. [5] Signorino, C. S. & Ritter, J. M. (1999). Tau-b or not tau-b. *International Studies
   Quarterly* 43(1), 115–144.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from minilateral.errors import DataError, OptionError, ScenarioError
from minilateral.forecast import jsonable
from minilateral.mediation.coalitions import match_actor
from minilateral.scenario import Scenario

__all__ = [
    "COMPONENTS",
    "DEFAULT_WEIGHTS",
    "MediatorProfile",
    "MediatorProfiles",
    "composite",
    "impartiality",
    "profile_candidates",
    "track_record",
]

COMPONENTS = ("impartiality", "ties", "leverage", "track_record")
DEFAULT_WEIGHTS: dict[str, float] = {
    "impartiality": 0.35,
    "ties": 0.15,
    "leverage": 0.3,
    "track_record": 0.2,
}
"""Default weights of the credibility composite: a judgement from the literature (impartial or
informative mediators: Kydd 2003, Savun 2008; leverage: Beardsley 2011; experience and ties:
Bercovitch & Schneider 2000), not an estimate."""

TABLES = (
    "cow_states",
    "un_votes_ccode",
    "cow_nmc",
    "cow_gdppop",
    "cow_trade_ndy",
    "cow_trade_sy",
    "cow_igo_ndy",
    "cow_igo_sy",
    "atop_alliance",
    "cow_mindist",
    "ucdp_peace_agreements",
)
_HALF_RECORD = 5.0  # agreements at which the track-record index reaches 0.5
_KM = 1000.0  # distance at which proximity is 0.5
_TEXT_VARIANTS: dict[int, tuple[str, ...]] = {
    2: ("United States", "USA"),
    200: ("United Kingdom", "UK", "Britain"),
    365: ("Russian Federation", "Soviet Union", "USSR"),
    640: ("Türkiye", "Turkiye"),
    696: ("UAE",),
}
"""Names under which states appear in UCDP's free-text third-party field besides their COW
name (``cow_states.statenme``)."""


def impartiality(affinities: Sequence[float]) -> float:
    r"""``1 − (max − min)`` of a candidate's affinities (on [0, 1]) to the parties.

    NaN with fewer than two affinities.

    Examples
    --------
    >>> impartiality([0.9, 0.6])
    0.7
    """
    a = [float(v) for v in affinities if v is not None and math.isfinite(v)]
    if len(a) < 2:
        return float("nan")
    return round(1.0 - (max(a) - min(a)), 12)


def track_record(agreements: int) -> float:
    """Saturating index ``n / (n + 5)`` of the number of agreements as third party."""
    return agreements / (agreements + _HALF_RECORD)


def composite(components: Mapping[str, float], weights: Mapping[str, float]) -> float:
    """Weighted mean of the finite components, weights renormalised over them (NaN if none)."""
    pairs = [
        (weights.get(k, 0.0), v)
        for k, v in components.items()
        if v is not None and math.isfinite(v)
    ]
    total = sum(w for w, _ in pairs)
    return sum(w * v for w, v in pairs) / total if total > 0 else float("nan")


@dataclass(frozen=True)
class MediatorProfile:
    """One candidate's components, credibility and the raw values behind them."""

    code: str
    ccode: int
    name: str
    impartiality: float
    ties: float
    leverage: float
    track_record: float
    credibility: float
    detail: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """Flat JSON form (NaN → null)."""
        return jsonable(
            {
                "code": self.code,
                "ccode": self.ccode,
                "name": self.name,
                **{k: getattr(self, k) for k in (*COMPONENTS, "credibility")},
                "detail": self.detail,
            }
        )


@dataclass(frozen=True)
class MediatorProfiles:
    """Profiles of every candidate for one scenario, with notes and data versions."""

    profiles: list[MediatorProfile]
    parties: list[dict[str, Any]]
    year: int
    weights: dict[str, float]
    notes: list[str]
    data_versions: dict[str, str]
    party_capability: float

    def credibility(self) -> dict[str, float]:
        """``{code: credibility}``; a candidate without any component gets 1 (no discount)."""
        return {
            p.code: (p.credibility if math.isfinite(p.credibility) else 1.0) for p in self.profiles
        }

    def leverage_on_scenario_scale(self) -> dict[str, float]:
        r"""Leverage as a scenario capability.

        With :math:`L_m` the leverage ratio (a share of m plus the state parties),
        :math:`c_m = L_m / (1 - L_m) \cdot \sum_p c_p` where :math:`c_p` are the state parties'
        capabilities in the scenario: m's capability stands to theirs as its CINC and GDP stand
        to theirs. Candidates without a leverage ratio are left out.
        """
        out = {}
        for p in self.profiles:
            if math.isfinite(p.leverage) and p.leverage < 1:
                out[p.code] = p.leverage / (1.0 - p.leverage) * self.party_capability
        return out

    def to_dict(self) -> dict[str, Any]:
        """JSON form."""
        return jsonable(
            {
                "year": self.year,
                "parties": self.parties,
                "weights": self.weights,
                "profiles": [p.to_dict() for p in self.profiles],
                "notes": self.notes,
                "data_versions": self.data_versions,
            }
        )


def _latest(frame: pd.DataFrame, keys: list[str], year: int) -> pd.DataFrame:
    """Rows of the latest year not after ``year``, per ``keys``."""
    frame = frame[frame["year"] <= year]
    return frame.sort_values("year").drop_duplicates(keys, keep="last")


def _pairs_sql(table: str, cols: str, m: int, parties: list[int]) -> str:
    plist = ",".join(str(p) for p in parties) or "NULL"
    return (
        f"SELECT ccode1, ccode2, year, {cols} FROM {table} WHERE "
        f"(ccode1 = {m} AND ccode2 IN ({plist})) OR (ccode2 = {m} AND ccode1 IN ({plist}))"
    )


def _pair_value(frame: pd.DataFrame, m: int, p: int, column: str) -> tuple[float, int | None]:
    sel = frame[
        ((frame["ccode1"] == m) & (frame["ccode2"] == p))
        | ((frame["ccode1"] == p) & (frame["ccode2"] == m))
    ]
    if sel.empty:
        return float("nan"), None
    row = sel.sort_values("year").iloc[-1]
    return float(row[column]), int(row["year"])


def _names(ccode: int, statenme: str) -> list[str]:
    return [statenme, *_TEXT_VARIANTS.get(ccode, ())]


def profile_candidates(
    scenario: Scenario,
    candidates: Sequence[str],
    *,
    year: int | None = None,
    window: int = 5,
    affinity: str = "S_abs",
    weights: Mapping[str, float] | None = None,
    root: str | Path | None = None,
) -> MediatorProfiles:
    """Profile each candidate against the scenario's parties from the installed data.

    Parameters
    ----------
    scenario : Scenario
    candidates : sequence of str
        State identifiers (ISO3, COW abbreviation or code, English name; :data:`ALIASES`).
    year : int, optional
        Reference year (default: the latest year of the UN votes); each table is read at its
        latest year not after it.
    window : int, default=5
        Years of UN votes pooled for the affinities.
    affinity : {"S_abs", "S_sq", "kappa_sq", "kappa_abs"}, default="S_abs"
        Vote-agreement measure for the affinities.
    weights : mapping, optional
        Composite weights by component (default :data:`DEFAULT_WEIGHTS`).
    root : path, optional
        Data directory (default ``$MINILATERAL_DATA_DIR``).

    Raises
    ------
    DataError
        Reference tables missing (with the install hint) or a candidate unknown to them.
    ScenarioError
        A candidate is a party to the conflict.
    OptionError
        Unknown weight names, negative weights, or an unknown affinity measure.
    """
    from minilateral.alignment.votes import dyad_measures, load_votes
    from minilateral.data.states import resolver
    from minilateral.data.store import data_versions, query, read_table, require

    weights = dict(DEFAULT_WEIGHTS if weights is None else weights)
    unknown = sorted(set(weights) - set(COMPONENTS))
    if unknown or any(w < 0 for w in weights.values()):
        raise OptionError(
            f"credibility weights must be non-negative and named {', '.join(COMPONENTS)}; "
            f"got {weights}",
            field="weights",
        )
    if affinity not in ("S_abs", "S_sq", "kappa_sq", "kappa_abs"):
        raise OptionError(
            f"unknown affinity measure '{affinity}' (choose S_abs, S_sq, kappa_sq or kappa_abs)",
            field="affinity",
        )
    require(TABLES, root)
    res = resolver(root)
    notes: list[str] = []

    parties: list[dict[str, Any]] = []
    state_parties: list[int] = []
    party_cap = 0.0
    for actor in scenario.actors:
        if actor.role != "party":
            continue
        entry: dict[str, Any] = {"name": actor.name, "ccode": None}
        if actor.kind == "state" and actor.code:
            try:
                entry["ccode"], _ = res.resolve_one(actor.code)
                state_parties.append(entry["ccode"])
                party_cap += float(np.mean([actor.capability_on(q) for q in actor.positions]))
            except DataError:
                notes.append(f"party '{actor.name}' ({actor.code}) is not in the state list")
        else:
            notes.append(
                f"'{actor.name}' is a {actor.kind} party with no UN votes, trade, IGO, alliance "
                "or capability record: left out of the data components"
            )
        parties.append(entry)
    if not parties:
        raise ScenarioError(f"scenario '{scenario.title}' has no party", field="actors")

    cands: list[tuple[str, int, int | None]] = []
    for token in candidates:
        code = token.strip().upper()
        index = match_actor(scenario, code)
        if index is not None and scenario.actors[index].role == "party":
            raise ScenarioError(
                f"candidate '{code}' is '{scenario.actors[index].name}', a party to the conflict",
                field="candidates",
            )
        try:
            ccode, warning = res.resolve_one(code)
        except DataError as err:
            raise DataError(f"unknown candidate state '{code}': {err.message}") from None
        if warning:
            notes.append(warning)
        if ccode in state_parties:
            raise ScenarioError(
                f"candidate '{code}' is a party to the conflict", field="candidates"
            )
        cands.append((code, ccode, index))

    rc = load_votes("un_votes_ccode", root)
    last_vote_year = max(rc.years)
    year = last_vote_year if year is None else int(year)
    years = [y for y in range(year - window + 1, year + 1) if y in set(rc.years)]
    codes = sorted({c for _, c, _ in cands} | set(state_parties))
    clist = ",".join(map(str, codes))

    def latest(table: str, cols: str) -> pd.DataFrame:
        frame = query(
            f"SELECT ccode, year, {cols} FROM {table} WHERE ccode IN ({clist})", [table], root
        )
        return _latest(frame, ["ccode"], year).set_index("ccode")

    cinc = latest("cow_nmc", "cinc")
    gdp = latest("cow_gdppop", "pwtrgdp")
    trade_sy = latest("cow_trade_sy", "imports, exports")
    igo_sy = latest("cow_igo_sy", "sum_igo_full")
    pa = read_table("ucdp_peace_agreements", ["year", "pa_3rd"], root)
    pa = pa[pd.to_numeric(pa["year"], errors="coerce") <= year]
    third = pa["pa_3rd"].fillna("").astype(str)

    if len(state_parties) >= 2 and years:
        dy = dyad_measures(rc, codes, years, pooled=True)
    else:
        dy = pd.DataFrame(columns=["a", "b", affinity])
        if len(state_parties) < 2:
            notes.append(
                "fewer than two state parties: impartiality comes from the scenario positions "
                "of the candidates (candidates not in the scenario get none)"
            )
    z = scenario.to_arrays().unit_positions()[0]
    mask = scenario.to_arrays().mask[0]
    party_rows = [i for i, a in enumerate(scenario.actors) if a.role == "party"]

    def share(x: float, others: list[float]) -> float:
        vals = [v for v in others if math.isfinite(v)]
        if not math.isfinite(x) or not vals:
            return float("nan")
        return x / (x + sum(vals))

    def value(frame: pd.DataFrame, ccode: int, col: str) -> float:
        return float(frame.at[ccode, col]) if ccode in frame.index else float("nan")

    profiles = []
    for code, m, index in cands:
        detail: dict[str, Any] = {}
        # impartiality
        aff = {}
        if len(state_parties) >= 2:
            for p in state_parties:
                row = dy[((dy["a"] == min(m, p)) & (dy["b"] == max(m, p)))]
                s = float(row[affinity].iloc[0]) if not row.empty else float("nan")
                aff[res.name(p)] = (s + 1.0) / 2.0 if math.isfinite(s) else float("nan")
            detail["affinity_source"] = f"UN votes {years[0]}-{years[-1]} ({affinity})"
        elif index is not None:
            for i in party_rows:
                both = mask[index] & mask[i]
                if both.any():
                    gap = float(np.abs(z[index] - z[i])[both].mean())
                    aff[scenario.actors[i].name] = 1.0 - gap
            detail["affinity_source"] = "scenario positions"
        detail["affinity"] = aff
        imp = impartiality(list(aff.values()))
        # ties
        ties_by_party = {}
        if state_parties:
            trade = query(
                _pairs_sql("cow_trade_ndy", "flow1, flow2", m, state_parties),
                ["cow_trade_ndy"],
                root,
            )
            trade = trade[trade["year"] <= year].assign(flow=lambda t: t["flow1"] + t["flow2"])
            igo = query(
                _pairs_sql("cow_igo_ndy", "dyadigos", m, state_parties), ["cow_igo_ndy"], root
            )
            igo = igo[igo["year"] <= year]
            dist = query(
                _pairs_sql("cow_mindist", "mindist", m, state_parties), ["cow_mindist"], root
            )
            dist = dist[dist["year"] <= year]
            atop = query(
                _pairs_sql("atop_alliance", "atop_defense", m, state_parties),
                ["atop_alliance"],
                root,
            )
            atop_last = int(
                query("SELECT max(year) AS y FROM atop_alliance", ["atop_alliance"], root)[
                    "y"
                ].iloc[0]
            )
            atop_year = min(year, atop_last)
            for p in state_parties:
                flow, ty = _pair_value(trade, m, p, "flow")
                total = value(trade_sy, p, "imports") + value(trade_sy, p, "exports")
                shared, iy = _pair_value(igo, m, p, "dyadigos")
                smaller = min(value(igo_sy, m, "sum_igo_full"), value(igo_sy, p, "sum_igo_full"))
                km, dyr = _pair_value(dist, m, p, "mindist")
                allied = bool(
                    (
                        (atop["year"] == atop_year)
                        & (
                            ((atop["ccode1"] == m) & (atop["ccode2"] == p))
                            | ((atop["ccode1"] == p) & (atop["ccode2"] == m))
                        )
                    ).any()
                )
                parts = {
                    "trade_share": flow / total if total > 0 else float("nan"),
                    "shared_igos": shared / smaller if smaller > 0 else float("nan"),
                    "alliance": 1.0 if allied else 0.0,
                    "proximity": 1.0 / (1.0 + km / _KM) if math.isfinite(km) else float("nan"),
                }
                finite = [v for v in parts.values() if math.isfinite(v)]
                ties_by_party[res.name(p)] = {
                    **parts,
                    "mean": float(np.mean(finite)) if finite else float("nan"),
                    "years": {"trade": ty, "igo": iy, "atop": atop_year, "distance": dyr},
                }
        detail["ties"] = ties_by_party
        tie_means = [t["mean"] for t in ties_by_party.values() if math.isfinite(t["mean"])]
        ties = float(np.mean(tie_means)) if tie_means else float("nan")
        # leverage
        lev_cinc = share(value(cinc, m, "cinc"), [value(cinc, p, "cinc") for p in state_parties])
        lev_gdp = share(value(gdp, m, "pwtrgdp"), [value(gdp, p, "pwtrgdp") for p in state_parties])
        detail["leverage"] = {"cinc_ratio": lev_cinc, "gdp_ratio": lev_gdp}
        finite = [v for v in (lev_cinc, lev_gdp) if math.isfinite(v)]
        lev = float(np.mean(finite)) if finite else float("nan")
        # track record
        name = res.name(m)
        pattern = "|".join(rf"\b{re.escape(n)}\b" for n in _names(m, name))
        n_agreements = int(third.str.contains(pattern, regex=True).sum())
        detail["peace_agreements_as_third_party"] = n_agreements
        record = track_record(n_agreements)
        comps = {"impartiality": imp, "ties": ties, "leverage": lev, "track_record": record}
        profiles.append(
            MediatorProfile(
                code, m, name, imp, ties, lev, record, composite(comps, weights), detail
            )
        )
    return MediatorProfiles(
        profiles=profiles,
        parties=parties,
        year=year,
        weights=weights,
        notes=notes,
        data_versions=data_versions(TABLES, root),
        party_capability=party_cap,
    )
