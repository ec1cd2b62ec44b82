r"""Mediator profiles from the reference data: impartiality, ties, leverage, track record.

For a candidate state m and the parties P of a conflict (the scenario's ``role: party`` actors),
each component is a number on [0, 1] (formulas in ``docs/models/mediation.md``). Each table
is read at its latest year not after ``year`` (its own coverage ends at different years; the
year used is reported).

* **impartiality** :math:`I_m = (1 - w) I^{votes}_m + w I^{stance}_m` (w = ``stance_weight``,
  default 0.5; the one available when only one is), each of the form
  :math:`1 - (\max_p a_{mp} - \min_p a_{mp})`:

  - votes: :math:`a_{mp} = (S_{mp} + 1)/2` from the UN General Assembly votes of m and state
    party p pooled over the ``window`` years up to ``year`` (Signorino–Ritter S or Cohen's κ,
    ``docs/alignment.md#signorino-and-ritters-s``, ``docs/alignment.md#kappa-and-pi``); needs two
    state parties with votes;
  - stance: :math:`b_{mp} = 1 - \sum_k s_{pk}|z_{mk} - z_{pk}| / \sum_k s_{pk}` from the
    scenario's own positions (unit scale) and the party's saliences, over every party, state
    or not (:func:`stance_affinities`); needs the candidate to be a scenario actor.
* **ties** to the state parties, the mean over p of the mean of the available indicators: the
  candidate's share of p's trade :math:`(f_1 + f_2)/(\text{imports}_p + \text{exports}_p)`
  (COW Trade), the shared full IGO memberships over the smaller of the two membership counts
  (COW IGO), an ATOP alliance of any type (0/1), and proximity :math:`1/(1 + d/1000)` for the
  minimum distance d in km (CShapes; 1 = contiguous).
* **leverage** relative to the state parties, the mean of
  :math:`\mathrm{CINC}_m / (\mathrm{CINC}_m + \sum_p \mathrm{CINC}_p)` and the same ratio of
  real GDP (Fariss et al. 2022).
* **track record** :math:`n/(n + 5)` for the n UCDP peace agreements (1975–2021) that name m
  among their third parties (``pa_3rd``) plus the agreements among the package-coded
  2022–2025 mediations (:data:`RECENT_MEDIATIONS`, each row citing the fact sheet). ICB
  codes whether a crisis was mediated and the mediator's *type* but not its identity, so it
  cannot credit a state and is not used.
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

import csv
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from minilateral.arrays import BoolArray, FloatArray
from minilateral.errors import DataError, FormatError, OptionError, ScenarioError
from minilateral.forecast import jsonable
from minilateral.mediation.coalitions import match_actor
from minilateral.scenario import Scenario

if TYPE_CHECKING:
    from minilateral.data.states import StateResolver

__all__ = [
    "COMPONENTS",
    "DEFAULT_STANCE_WEIGHT",
    "DEFAULT_WEIGHTS",
    "RECENT_MEDIATIONS",
    "MediatorProfile",
    "MediatorProfiles",
    "RecentMediation",
    "combine_impartiality",
    "composite",
    "impartiality",
    "leverage_component",
    "load_recent_mediations",
    "profile_candidates",
    "stance_affinities",
    "stance_impartiality",
    "ties_component",
    "track_record",
    "track_record_component",
    "vote_impartiality",
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

DEFAULT_STANCE_WEIGHT = 0.5
"""Weight of the scenario-stance impartiality against the UN-vote one: a judgement (the two
records count equally), change it with ``stance_weight``."""
AFFINITIES = ("S_abs", "S_sq", "kappa_sq", "kappa_abs")
RECENT_MEDIATIONS = Path(__file__).with_name("mediations_2022_2025.csv")
"""Package-coded table of 2022–2025 mediations from the project's fact sheet: one row per
mediation effort with its mediators (ISO3, ``;``-separated), conflict, year, outcome
(:data:`RECENT_OUTCOMES`), event, fact-sheet source IDs (``;``-separated) and the coding
(``package-coded``: read off the sheet by the package authors, not a published data set)."""
RECENT_OUTCOMES = ("agreement", "no agreement", "no reported outcome")
_RECENT_COLUMNS = ("mediators", "conflict", "year", "outcome", "event", "source", "coding")

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
class RecentMediation:
    """One row of :data:`RECENT_MEDIATIONS`."""

    mediators: tuple[str, ...]
    conflict: str
    year: int
    outcome: str
    event: str
    sources: tuple[str, ...]
    coding: str


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
        data: dict[str, Any] = jsonable(
            {
                "code": self.code,
                "ccode": self.ccode,
                "name": self.name,
                **{k: getattr(self, k) for k in (*COMPONENTS, "credibility")},
                "detail": self.detail,
            }
        )
        return data


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
    stance_weight: float = DEFAULT_STANCE_WEIGHT

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
        data: dict[str, Any] = jsonable(
            {
                "year": self.year,
                "parties": self.parties,
                "weights": self.weights,
                "stance_weight": self.stance_weight,
                "profiles": [p.to_dict() for p in self.profiles],
                "notes": self.notes,
                "data_versions": self.data_versions,
            }
        )
        return data

    def to_frame(self) -> pd.DataFrame:
        """One row per candidate: ``code``, ``ccode``, ``name``, the components and
        ``credibility`` (NaN where a component has no data)."""
        cols = ["code", "ccode", "name", *COMPONENTS, "credibility"]
        return pd.DataFrame([[getattr(p, c) for c in cols] for p in self.profiles], columns=cols)


def _latest(frame: pd.DataFrame, keys: list[str], year: int) -> pd.DataFrame:
    """Rows of the latest year not after ``year``, per ``keys``."""
    frame = frame[frame["year"] <= year]
    return frame.sort_values("year").drop_duplicates(keys, keep="last")


def _pairs_sql(table: str, cols: str, ms: Sequence[int], parties: Sequence[int]) -> str:
    plist = ",".join(str(p) for p in parties) or "NULL"
    mlist = ",".join(str(m) for m in ms) or "NULL"
    return (
        f"SELECT ccode1, ccode2, year, {cols} FROM {table} WHERE "
        f"(ccode1 IN ({mlist}) AND ccode2 IN ({plist})) "
        f"OR (ccode2 IN ({mlist}) AND ccode1 IN ({plist}))"
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


def load_recent_mediations(path: str | Path = RECENT_MEDIATIONS) -> list[RecentMediation]:
    """Read the package-coded table of 2022–2025 mediations (:data:`RECENT_MEDIATIONS`).

    Raises
    ------
    FormatError
        A missing column, an empty mediator list, a year that is not an integer or an outcome
        outside :data:`RECENT_OUTCOMES`, naming the file, line and field.
    """
    path = Path(path)
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in _RECENT_COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise FormatError(f"missing column(s) {', '.join(missing)}", path=path, row=1)
        rows = []
        for line, raw in enumerate(reader, start=2):
            mediators = tuple(c.strip().upper() for c in raw["mediators"].split(";") if c.strip())
            if not mediators:
                raise FormatError("no mediator", path=path, row=line, field="mediators")
            try:
                year = int(raw["year"])
            except ValueError:
                raise FormatError(
                    f"year '{raw['year']}' is not an integer", path=path, row=line, field="year"
                ) from None
            if raw["outcome"] not in RECENT_OUTCOMES:
                raise FormatError(
                    f"outcome '{raw['outcome']}' is not one of {', '.join(RECENT_OUTCOMES)}",
                    path=path,
                    row=line,
                    field="outcome",
                )
            sources = tuple(s.strip() for s in raw["source"].split(";") if s.strip())
            if not sources:
                raise FormatError("no source ID", path=path, row=line, field="source")
            rows.append(
                RecentMediation(
                    mediators,
                    raw["conflict"],
                    year,
                    raw["outcome"],
                    raw["event"],
                    sources,
                    raw["coding"],
                )
            )
    return rows


def stance_affinities(
    z: FloatArray, salience: FloatArray, mask: BoolArray, m: int, parties: Sequence[int]
) -> FloatArray:
    r"""Affinity of actor ``m`` to each party from the scenario's positions.

    :math:`b_{mp} = 1 - \sum_k s_{pk} |z_{mk} - z_{pk}| / \sum_k s_{pk}` over the issues k both
    take part in, with z the positions on the unit scale and :math:`s_{pk}` the *party's*
    salience: a party judges how close a mediator stands to it on the issues it cares about
    (Kydd 2003's bias is a belief of the parties). NaN for a party that shares no issue (or no
    salience) with m.

    Parameters
    ----------
    z, salience, mask : ndarray, shape (actor, issue)
        Unit positions, saliences and participation of one scenario.
    m : int
        Row of the candidate.
    parties : sequence of int
        Rows of the parties.

    Examples
    --------
    >>> z = np.array([[0.2, 0.5], [0.0, 1.0], [1.0, 0.0]])
    >>> s = np.array([[1.0, 1.0], [1.0, 0.0], [0.5, 0.5]])
    >>> stance_affinities(z, s, np.ones((3, 2), bool), 0, [1, 2]).round(3).tolist()
    [0.8, 0.35]
    """
    rows = np.asarray(list(parties), dtype=int)
    both = mask[m][None, :] & mask[rows]
    w = np.where(both, salience[rows], 0.0)
    gap = np.abs(z[m][None, :] - z[rows])
    total = w.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        out = 1.0 - (w * gap).sum(axis=1) / total
    return np.where(total > 0, out, np.nan)


def combine_impartiality(votes: float, stance: float, stance_weight: float) -> float:
    r"""``(1 − w)·I_votes + w·I_stance``; whichever is finite when only one is; NaN if neither.

    Examples
    --------
    >>> combine_impartiality(0.9, 0.5, 0.5)
    0.7
    >>> combine_impartiality(float("nan"), 0.5, 0.5)
    0.5
    """
    v_ok, s_ok = math.isfinite(votes), math.isfinite(stance)
    if v_ok and s_ok:
        return round((1.0 - stance_weight) * votes + stance_weight * stance, 12)
    return votes if v_ok else stance if s_ok else float("nan")


@dataclass(frozen=True)
class _Tables:
    """Every reference-table read one profiling run needs (read once, apart from the formulas)."""

    year: int
    years: list[int]
    dyads: pd.DataFrame
    cinc: pd.DataFrame
    gdp: pd.DataFrame
    trade_sy: pd.DataFrame
    igo_sy: pd.DataFrame
    trade: pd.DataFrame
    igo: pd.DataFrame
    dist: pd.DataFrame
    atop: pd.DataFrame
    atop_year: int
    third_parties: pd.Series


def _read_tables(
    candidates: list[int],
    state_parties: list[int],
    year: int | None,
    window: int,
    root: str | Path | None,
) -> _Tables:
    from minilateral.alignment.votes import dyad_measures, load_votes
    from minilateral.data.store import query, read_table

    rc = load_votes("un_votes_ccode", root)
    year = max(rc.years) if year is None else int(year)
    years = [y for y in range(year - window + 1, year + 1) if y in set(rc.years)]
    codes = sorted(set(candidates) | set(state_parties))
    clist = ",".join(map(str, codes))

    def latest(table: str, cols: str) -> pd.DataFrame:
        frame = query(
            f"SELECT ccode, year, {cols} FROM {table} WHERE ccode IN ({clist})", [table], root
        )
        return _latest(frame, ["ccode"], year).set_index("ccode")

    def pairs(table: str, cols: str) -> pd.DataFrame:
        frame = query(_pairs_sql(table, cols, candidates, state_parties), [table], root)
        return frame[frame["year"] <= year]

    if len(state_parties) >= 2 and years:
        dyads = dyad_measures(rc, codes, years, pooled=True)
    else:
        dyads = pd.DataFrame(columns=["a", "b"])
    pa = read_table("ucdp_peace_agreements", ["year", "pa_3rd"], root)
    pa = pa[pd.to_numeric(pa["year"], errors="coerce") <= year]
    atop_last = int(
        query("SELECT max(year) AS y FROM atop_alliance", ["atop_alliance"], root)["y"].iloc[0]
    )
    return _Tables(
        year=year,
        years=years,
        dyads=dyads,
        cinc=latest("cow_nmc", "cinc"),
        gdp=latest("cow_gdppop", "pwtrgdp"),
        trade_sy=latest("cow_trade_sy", "imports, exports"),
        igo_sy=latest("cow_igo_sy", "sum_igo_full"),
        trade=pairs("cow_trade_ndy", "flow1, flow2").assign(flow=lambda t: t["flow1"] + t["flow2"]),
        igo=pairs("cow_igo_ndy", "dyadigos"),
        dist=pairs("cow_mindist", "mindist"),
        atop=pairs("atop_alliance", "atop_defense"),
        atop_year=min(year, atop_last),
        third_parties=pa["pa_3rd"].fillna("").astype(str),
    )


def _value(frame: pd.DataFrame, ccode: int, col: str) -> float:
    return float(frame.at[ccode, col]) if ccode in frame.index else float("nan")


def vote_impartiality(
    tables: _Tables, m: int, state_parties: list[int], affinity: str, names: Mapping[int, str]
) -> tuple[float, dict[str, float]]:
    """Impartiality from UN votes, :math:`1 - (\\max - \\min)` of ``(S + 1)/2`` over the state
    parties (NaN with fewer than two), and the affinities by party name."""
    if len(state_parties) < 2 or affinity not in tables.dyads:
        return float("nan"), {}
    dy = tables.dyads
    aff = {}
    for p in state_parties:
        row = dy[(dy["a"] == min(m, p)) & (dy["b"] == max(m, p))]
        s = float(row[affinity].iloc[0]) if not row.empty else float("nan")
        aff[names[p]] = (s + 1.0) / 2.0 if math.isfinite(s) else float("nan")
    return impartiality(list(aff.values())), aff


def stance_impartiality(scenario: Scenario, index: int | None) -> tuple[float, dict[str, float]]:
    """Impartiality from the scenario: :math:`1 - (\\max - \\min)` of :func:`stance_affinities`
    over every party (state or not); NaN for a candidate that is not a scenario actor."""
    if index is None:
        return float("nan"), {}
    arrays = scenario.to_arrays()
    rows = [i for i, a in enumerate(scenario.actors) if a.role == "party"]
    b = stance_affinities(
        arrays.unit_positions()[0], arrays.salience[0], arrays.mask[0], index, rows
    )
    aff = {scenario.actors[i].name: float(v) for i, v in zip(rows, b, strict=True)}
    return impartiality(list(aff.values())), aff


def ties_component(
    tables: _Tables, m: int, state_parties: list[int], names: Mapping[int, str]
) -> tuple[float, dict[str, Any]]:
    """Mean over the state parties of the mean of trade share, shared IGOs, alliance, proximity."""
    atop = tables.atop
    by_party: dict[str, Any] = {}
    for p in state_parties:
        flow, ty = _pair_value(tables.trade, m, p, "flow")
        total = _value(tables.trade_sy, p, "imports") + _value(tables.trade_sy, p, "exports")
        shared, iy = _pair_value(tables.igo, m, p, "dyadigos")
        smaller = min(
            _value(tables.igo_sy, m, "sum_igo_full"), _value(tables.igo_sy, p, "sum_igo_full")
        )
        km, dyr = _pair_value(tables.dist, m, p, "mindist")
        allied = bool(
            (
                (atop["year"] == tables.atop_year)
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
        by_party[names[p]] = {
            **parts,
            "mean": float(np.mean(finite)) if finite else float("nan"),
            "years": {"trade": ty, "igo": iy, "atop": tables.atop_year, "distance": dyr},
        }
    means = [t["mean"] for t in by_party.values() if math.isfinite(t["mean"])]
    return (float(np.mean(means)) if means else float("nan")), by_party


def leverage_component(
    tables: _Tables, m: int, state_parties: list[int]
) -> tuple[float, dict[str, float]]:
    """Mean of m's CINC and real-GDP shares of m plus the state parties."""

    def share(col: str, frame: pd.DataFrame) -> float:
        x = _value(frame, m, col)
        others = [v for v in (_value(frame, p, col) for p in state_parties) if math.isfinite(v)]
        return x / (x + sum(others)) if math.isfinite(x) and others else float("nan")

    detail = {"cinc_ratio": share("cinc", tables.cinc), "gdp_ratio": share("pwtrgdp", tables.gdp)}
    finite = [v for v in detail.values() if math.isfinite(v)]
    return (float(np.mean(finite)) if finite else float("nan")), detail


def track_record_component(
    tables: _Tables,
    m: int,
    name: str,
    recent: Sequence[RecentMediation],
    recent_codes: Mapping[str, int | None],
    record_year: int,
) -> tuple[float, dict[str, Any]]:
    """:func:`track_record` of the UCDP agreements naming m plus the package-coded agreements.

    ``recent_codes`` maps the table's mediator codes to COW codes; rows after ``record_year``
    are left out.
    """
    pattern = "|".join(rf"\b{re.escape(n)}\b" for n in _names(m, name))
    n_ucdp = int(tables.third_parties.str.contains(pattern, regex=True).sum())
    mine = [
        r
        for r in recent
        if r.year <= record_year and any(recent_codes.get(c) == m for c in r.mediators)
    ]
    n_recent = sum(r.outcome == "agreement" for r in mine)
    detail = {
        "peace_agreements_as_third_party": n_ucdp,
        "recent_agreements": n_recent,
        "recent_mediations": [
            {
                "conflict": r.conflict,
                "year": r.year,
                "outcome": r.outcome,
                "source": ", ".join(r.sources),
                "coding": r.coding,
            }
            for r in mine
        ],
    }
    return track_record(n_ucdp + n_recent), detail


def _check_options(weights: Mapping[str, float], affinity: str, stance_weight: float) -> None:
    unknown = sorted(set(weights) - set(COMPONENTS))
    if unknown or any(w < 0 for w in weights.values()):
        raise OptionError(
            f"credibility weights must be non-negative and named {', '.join(COMPONENTS)}; "
            f"got {dict(weights)}",
            field="weights",
        )
    if affinity not in AFFINITIES:
        raise OptionError(
            f"unknown affinity measure '{affinity}' (choose S_abs, S_sq, kappa_sq or kappa_abs)",
            field="affinity",
        )
    if not (0.0 <= stance_weight <= 1.0) or not math.isfinite(stance_weight):
        raise OptionError(
            f"stance weight must be between 0 and 1; got {stance_weight}", field="stance_weight"
        )


def profile_candidates(
    scenario: Scenario,
    candidates: Sequence[str],
    *,
    year: int | None = None,
    window: int = 5,
    affinity: str = "S_abs",
    weights: Mapping[str, float] | None = None,
    stance_weight: float = DEFAULT_STANCE_WEIGHT,
    recent: Sequence[RecentMediation] | None = None,
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
        latest year not after it. The package-coded mediations are counted up to it when it is
        given, all of them otherwise.
    window : int, default=5
        Years of UN votes pooled for the affinities.
    affinity : {"S_abs", "S_sq", "kappa_sq", "kappa_abs"}, default="S_abs"
        Vote-agreement measure for the affinities.
    weights : mapping, optional
        Composite weights by component (default :data:`DEFAULT_WEIGHTS`).
    stance_weight : float, default=0.5
        Weight w of the scenario-stance impartiality in
        :math:`I = (1 - w) I_{votes} + w I_{stance}` (:func:`combine_impartiality`).
    recent : sequence of RecentMediation, optional
        The 2022–2025 mediations (default :func:`load_recent_mediations`).
    root : path, optional
        Data directory (default ``$MINILATERAL_DATA_DIR``).

    Raises
    ------
    DataError
        Reference tables missing (with the install hint) or a candidate unknown to them.
    ScenarioError
        A candidate is a party to the conflict.
    OptionError
        Unknown weight names, negative weights, an unknown affinity measure or a stance weight
        outside [0, 1].
    """
    from minilateral.data.states import resolver
    from minilateral.data.store import data_versions, require

    weights = dict(DEFAULT_WEIGHTS if weights is None else weights)
    _check_options(weights, affinity, stance_weight)
    require(TABLES, root)
    res = resolver(root)
    notes: list[str] = []
    parties, state_parties, party_cap = _parties(scenario, res, notes)
    cands = _candidates(scenario, candidates, state_parties, res, notes)
    recent = load_recent_mediations() if recent is None else list(recent)
    recent_codes = _recent_codes(recent, res)
    tables = _read_tables([c for _, c, _ in cands], state_parties, year, window, root)
    record_year = tables.year if year is not None else max((r.year for r in recent), default=0)
    if len(state_parties) < 2:
        notes.append(
            "fewer than two state parties: impartiality comes from the scenario positions "
            "alone (candidates not in the scenario get none)"
        )
    names = {p: res.name(p) for p in state_parties}

    profiles = []
    for code, m, index in cands:
        imp_votes, aff_votes = vote_impartiality(tables, m, state_parties, affinity, names)
        imp_stance, aff_stance = stance_impartiality(scenario, index)
        imp = combine_impartiality(imp_votes, imp_stance, stance_weight)
        ties, ties_detail = ties_component(tables, m, state_parties, names)
        lev, lev_detail = leverage_component(tables, m, state_parties)
        name = res.name(m)
        record, record_detail = track_record_component(
            tables, m, name, recent, recent_codes, record_year
        )
        detail: dict[str, Any] = {
            "affinity": aff_votes or aff_stance,
            "affinity_source": (
                f"UN votes {tables.years[0]}-{tables.years[-1]} ({affinity})"
                if aff_votes
                else "scenario positions"
                if aff_stance
                else None
            ),
            "impartiality_votes": imp_votes,
            "impartiality_stance": imp_stance,
            "affinity_votes": aff_votes,
            "affinity_stance": aff_stance,
            "ties": ties_detail,
            "leverage": lev_detail,
            **record_detail,
        }
        comps = {"impartiality": imp, "ties": ties, "leverage": lev, "track_record": record}
        profiles.append(
            MediatorProfile(
                code, m, name, imp, ties, lev, record, composite(comps, weights), detail
            )
        )
    return MediatorProfiles(
        profiles=profiles,
        parties=parties,
        year=tables.year,
        weights=weights,
        notes=notes,
        data_versions={**data_versions(TABLES, root), RECENT_MEDIATIONS.name: "package-coded"},
        party_capability=party_cap,
        stance_weight=stance_weight,
    )


def _parties(
    scenario: Scenario, res: StateResolver, notes: list[str]
) -> tuple[list[dict[str, Any]], list[int], float]:
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
    return parties, state_parties, party_cap


def _candidates(
    scenario: Scenario,
    candidates: Sequence[str],
    state_parties: list[int],
    res: StateResolver,
    notes: list[str],
) -> list[tuple[str, int, int | None]]:
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
    return cands


def _recent_codes(recent: Sequence[RecentMediation], res: StateResolver) -> dict[str, int | None]:
    out: dict[str, int | None] = {}
    for code in sorted({c for r in recent for c in r.mediators}):
        try:
            out[code], _ = res.resolve_one(code)
        except DataError:
            out[code] = None
    return out
