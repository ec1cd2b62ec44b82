r"""Capability, autonomy, cohesion, complementarity, balancing and alliance portfolios.

Pure functions over pandas tables, implementing the measures of
``docs/alignment.md#the-measures`` (ATOP similarity to balancing). Loaders and state
name resolution live in :mod:`minilateral.alignment.api`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypedDict

import numpy as np
import pandas as pd

from minilateral.alignment.votes import MIN_JOINT, RollCalls, dyad_measures

__all__ = [
    "COMPONENTS",
    "POLES",
    "BalancingSummary",
    "atop_similarity",
    "autonomy_index",
    "balancing_table",
    "cinc_table",
    "cohesion_table",
    "complementarity_table",
    "poisson_binomial_sf",
]

COMPONENTS = ("milex", "milper", "irst", "pec", "tpop", "upop")
POLES = {"USA": 2, "RUS": 365, "CHN": 710}


def cinc_table(nmc: pd.DataFrame) -> pd.DataFrame:
    r"""CINC recomputed from NMC components, with the component shares (``docs/alignment.md#cinc``).

    .. math:: s_{ict} = X_{ict} / \sum_s X_{sct},\qquad
              \mathrm{CINC}_{it} = \frac{1}{|A_{it}|}\sum_{c\in A_{it}} s_{ict}

    Missing components are excluded from the system total and the state's average (never 0).
    Singer, Bremer & Stuckey (1972).

    Returns
    -------
    DataFrame
        ``ccode``, ``year``, ``cinc`` (published), ``cinc_computed``, ``n_components`` and
        ``s_<component>`` for each of :data:`COMPONENTS`.
    """
    df = nmc[["ccode", "year", *COMPONENTS, "cinc"]].copy()
    values = df[list(COMPONENTS)].astype("float64")
    totals = values.groupby(df["year"]).transform("sum")  # skips NaN
    shares = values / totals
    out = df[["ccode", "year", "cinc"]].copy()
    out["cinc"] = out["cinc"].astype("float64")
    out["cinc_computed"] = shares.mean(axis=1, skipna=True)
    out["n_components"] = shares.notna().sum(axis=1)
    for c in COMPONENTS:
        out[f"s_{c}"] = shares[c]
    return out.reset_index(drop=True)


def autonomy_index(
    dyads: pd.DataFrame, points: pd.DataFrame | None, states: Sequence[int]
) -> pd.DataFrame:
    r"""Strategic-autonomy index SAI and its ideal-point variant SAI_IP
    (``docs/alignment.md#strategic-autonomy``).

    .. math:: \mathrm{SAI}_{it} = 1 - (\max_P a_{iP} - \min_P a_{iP}),\quad
              \lambda_i = \frac{z_i - z_{USA}}{(z_{RUS} + z_{CHN})/2 - z_{USA}},\quad
              \mathrm{SAI\_IP} = \max(0, 1 - |2\lambda_i - 1|)

    Parameters
    ----------
    dyads : DataFrame
        Output of :func:`~minilateral.alignment.votes.dyad_measures` covering each state with
        each pole.
    points : DataFrame or None
        Ideal points (``year``, ``ccode``, ``z``); ``None`` leaves SAI_IP NA.
    states : sequence of int
        COW codes.
    """
    years = sorted(dyads["year"].unique())
    grid = pd.MultiIndex.from_product([years, list(states)], names=["year", "state"]).to_frame(
        index=False
    )
    for label, pole in POLES.items():
        sub = dyads[(dyads["a"] == pole) | (dyads["b"] == pole)]
        other = np.where(sub["a"] == pole, sub["b"], sub["a"])
        val = pd.DataFrame(
            {
                "year": sub["year"],
                "state": other,
                f"agree_half_{label}": sub["agree_half"].to_numpy(),
            }
        )
        grid = grid.merge(val, on=["year", "state"], how="left")
    aff = grid[[f"agree_half_{p}" for p in POLES]].to_numpy(dtype=float)
    grid["SAI"] = 1.0 - (aff.max(axis=1) - aff.min(axis=1))  # NaN if any NaN
    grid["SAI_IP"] = np.nan
    if points is not None and not points.empty:
        z = points.pivot_table(index="year", columns="ccode", values="z")
        for pole in POLES.values():
            if pole not in z.columns:
                z[pole] = np.nan
        zi = np.array(
            [
                z[s].reindex(grid["year"]).to_numpy()
                if s in z.columns
                else np.full(len(grid), np.nan)
                for s in grid["state"].unique()
            ]
        )
        idx = {s: k for k, s in enumerate(grid["state"].unique())}
        own = zi[[idx[s] for s in grid["state"]], np.arange(len(grid))]
        zu = z[2].reindex(grid["year"]).to_numpy()
        zrc = (
            z[365].reindex(grid["year"]).to_numpy() + z[710].reindex(grid["year"]).to_numpy()
        ) / 2
        with np.errstate(invalid="ignore", divide="ignore"):
            lam = (own - zu) / (zrc - zu)
        grid["SAI_IP"] = np.maximum(0.0, 1.0 - np.abs(2.0 * lam - 1.0))
    return grid[["year", "state", "SAI", "SAI_IP", *[f"agree_half_{p}" for p in POLES]]]


def poisson_binomial_sf(q: np.ndarray, x_obs: int) -> float:
    """``log P(X ≥ x_obs)`` for X the sum of independent Bernoulli(q_k), exact by convolution.

    Computed in log space (the tail is often below 1e-20).
    """
    q = np.clip(np.asarray(q, dtype=float), 0.0, 1.0)
    with np.errstate(divide="ignore"):
        lq, lnq = np.log(q), np.log1p(-q)
    logp = np.full(len(q) + 1, -np.inf)
    logp[0] = 0.0
    for k in range(len(q)):
        shifted = np.concatenate([[-np.inf], logp[:-1] + lq[k]])
        logp = np.logaddexp(logp + lnq[k], shifted)
    return float(np.logaddexp.reduce(logp[x_obs:])) if x_obs <= len(q) else -np.inf


def cohesion_table(
    rollcalls: RollCalls,
    members: Sequence[int],
    years: Sequence[int],
    points: pd.DataFrame | None = None,
) -> pd.DataFrame:
    r"""Yearly cohesion of a group (the GCC or any other group;
    ``docs/alignment.md#group-cohesion``).

    (a) mean/min pairwise agreement over dyads with n ≥ 20; (b) SD (ddof = 0) of members'
    standardised ideal points; (c) unanimity U over the roll calls R6 on which all members voted,
    the agenda baseline :math:`U_0 = \mathrm{mean}_k \sum_c p_{kc}^m` (p from the non-members'
    votes), the exact Poisson-binomial p-value of the unanimity count and the propensity
    baseline :math:`U_1 = \sum_c \prod_i p_i(c)`; (d) each member's defection rate from the
    group's modal vote (ties to the lower code).
    """
    members = sorted({int(m) for m in members})
    m = len(members)
    dy = dyad_measures(rollcalls, members, years)
    votes = rollcalls.votes[rollcalls.votes["year"].isin(list(years))]
    rows = []
    for year in years:
        row: dict[str, object] = {"year": int(year)}
        d = dy[(dy["year"] == year) & (dy["n"] >= MIN_JOINT)]
        row["n_dyads"] = len(d)
        row["mean_agree_half"] = d["agree_half"].mean() if len(d) else np.nan
        row["mean_agree_exact"] = d["agree_exact"].mean() if len(d) else np.nan
        row["mean_kappa_sq"] = d["kappa_sq"].mean() if len(d) else np.nan
        row["min_agree_half"] = d["agree_half"].min() if len(d) else np.nan
        zs = np.array([])
        if points is not None and not points.empty:
            zs = points.loc[(points["year"] == year) & points["ccode"].isin(members), "z"]
            zs = zs.to_numpy(dtype=float)
        row["ideal_point_sd"] = float(zs.std()) if len(zs) else np.nan
        row["n_ideal_points"] = len(zs)
        vy = votes[votes["year"] == year]
        grp = vy[vy["ccode"].isin(members)].pivot(index="rc", columns="ccode", values="v")
        grp = grp.reindex(columns=members).dropna()
        n6 = len(grp)
        row["n6"] = n6
        keys = [
            "unanimity_share",
            "baseline_agenda",
            "excess_agenda",
            "p_value",
            "log10_p",
            "bloc",
            "baseline_states",
            "excess_states",
        ]
        row.update(dict.fromkeys(keys, np.nan))
        row["defection"] = dict.fromkeys(members)
        if n6 >= MIN_JOINT:
            mat = grp.to_numpy(dtype=np.int64)  # (R6, m)
            unanimous = (mat == mat[:, :1]).all(axis=1)
            u = unanimous.mean()
            rest = vy[~vy["ccode"].isin(members) & vy["rc"].isin(grp.index)]
            cnt = pd.crosstab(rest["rc"], rest["v"]).reindex(
                index=grp.index, columns=[1, 2, 3], fill_value=0
            )
            share = cnt.to_numpy(dtype=float) / cnt.to_numpy().sum(axis=1, keepdims=True)
            q = (share**m).sum(axis=1)
            u0 = q.mean()
            log_p = poisson_binomial_sf(q, int(unanimous.sum()))
            cat = np.stack([(mat == c).mean(axis=0) for c in (1, 2, 3)])  # (3, m)
            u1 = cat.prod(axis=1).sum()
            counts = np.stack([(mat == c).sum(axis=1) for c in (1, 2, 3)], axis=1)
            modal = counts.argmax(axis=1) + 1  # argmax takes the first: ties to the lower code
            defect = (mat != modal[:, None]).mean(axis=0)
            row.update(
                {
                    "unanimity_share": u,
                    "baseline_agenda": u0,
                    "excess_agenda": u - u0,
                    "p_value": float(np.exp(log_p)),
                    "log10_p": log_p / np.log(10.0),
                    "bloc": bool(np.exp(log_p) < 0.01 and u > u0),
                    "baseline_states": u1,
                    "excess_states": u - u1,
                    "defection": {int(s): float(r) for s, r in zip(members, defect, strict=True)},
                }
            )
        rows.append(row)
    return pd.DataFrame(rows)


def complementarity_table(cinc: pd.DataFrame, states: Sequence[int], year: int) -> pd.DataFrame:
    r"""Capability complementarity of every dyad of ``states`` in ``year``
    (``docs/alignment.md#complementarity``).

    .. math:: d_{ic} = s_{ic}/m_i - 1,\qquad K_{ij} = \frac{1 - \cos(d_i, d_j)}{2},\qquad
              K^{raw}_{ij} = 1 - \cos(s_i, s_j)

    over the components non-missing for both (C_ij, reported as ``components``).
    """
    states = sorted({int(s) for s in states})
    sub = cinc[(cinc["year"] == year)].set_index("ccode")
    cols = [f"s_{c}" for c in COMPONENTS]
    rows = []
    for k, i in enumerate(states):
        for j in states[k + 1 :]:
            row: dict[str, object] = {
                "year": int(year),
                "a": i,
                "b": j,
                "K": np.nan,
                "K_raw": np.nan,
                "components": [],
            }
            if i in sub.index and j in sub.index:
                si = sub.loc[i, cols].to_numpy(dtype=float)
                sj = sub.loc[j, cols].to_numpy(dtype=float)
                both = ~np.isnan(si) & ~np.isnan(sj)
                row["components"] = [c for c, ok in zip(COMPONENTS, both, strict=True) if ok]
                si, sj = si[both], sj[both]
                if both.sum() >= 2:
                    di, dj = si / si.mean() - 1.0, sj / sj.mean() - 1.0
                    ni, nj = np.linalg.norm(di), np.linalg.norm(dj)
                    if ni > 0 and nj > 0:
                        row["K"] = (1.0 - di @ dj / (ni * nj)) / 2.0
                    row["K_raw"] = 1.0 - si @ sj / (np.linalg.norm(si) * np.linalg.norm(sj))
            rows.append(row)
    return pd.DataFrame(rows)


def _ties(atop: pd.DataFrame, year: int) -> pd.DataFrame:
    """Undirected tie category (0–3) of each dyad with a row in ``year``
    (``docs/alignment.md#atop-portfolio-similarity``)."""
    a = atop[atop["year"] == year]
    cat = np.where(
        (a["atop_defense"] == 1) | (a["atop_offense"] == 1),
        3,
        np.where(
            (a["atop_neutral"] == 1) | (a["atop_nonagg"] == 1),
            2,
            np.where(a["atop_consul"] == 1, 1, 0),
        ),
    )
    lo = np.minimum(a["ccode1"], a["ccode2"])
    hi = np.maximum(a["ccode1"], a["ccode2"])
    t = pd.DataFrame({"lo": lo.to_numpy(), "hi": hi.to_numpy(), "tie": cat})
    return t.groupby(["lo", "hi"], as_index=False)["tie"].max()  # max over directions


def atop_similarity(
    atop: pd.DataFrame, cinc: pd.DataFrame, states: Sequence[int], years: Sequence[int]
) -> pd.DataFrame:
    r"""ATOP alliance-portfolio similarity S of every dyad of ``states``
    (``docs/alignment.md#atop-portfolio-similarity``).

    .. math:: S = 1 - \frac{2 \sum_k |a_{ik} - a_{jk}|}{\Delta N},\qquad
              S_{cinc} = 1 - 2\,\frac{\sum_k w_k |a_{ik} - a_{jk}| / \Delta}{\sum_k w_k}

    with Δ = 3, self-tie 3, the system = states with an NMC row that year, w_k = published
    cinc (Signorino & Ritter 1999). Years after ATOP's last (2018) are NA.
    """
    states = sorted({int(s) for s in states})
    last = int(atop["year"].max())
    rows = []
    for year in years:

        def empty(i: int, j: int, year: int = year) -> dict[str, float | int]:
            return {
                "year": int(year),
                "a": i,
                "b": j,
                "S_atop": np.nan,
                "S_atop_cinc": np.nan,
                "tie": np.nan,
            }

        system = cinc.loc[cinc["year"] == year, ["ccode", "cinc"]].sort_values("ccode")
        codes = system["ccode"].to_numpy()
        pairs = [(i, j) for k, i in enumerate(states) for j in states[k + 1 :]]
        if year > last or not len(codes):
            rows += [empty(i, j) for i, j in pairs]
            continue
        n = len(codes)
        mat = np.zeros((n, n))
        np.fill_diagonal(mat, 3.0)
        t = _ties(atop, int(year))
        t = t[t["lo"].isin(codes) & t["hi"].isin(codes)]
        li, hi = np.searchsorted(codes, t["lo"]), np.searchsorted(codes, t["hi"])
        mat[li, hi] = t["tie"].to_numpy()
        mat[hi, li] = t["tie"].to_numpy()
        w = system["cinc"].to_numpy(dtype=float)
        for i, j in pairs:
            row = empty(i, j)
            if i in codes and j in codes:
                pi_, pj_ = np.searchsorted(codes, i), np.searchsorted(codes, j)
                diff = np.abs(mat[pi_] - mat[pj_])
                ok = ~np.isnan(w)
                row["S_atop"] = 1.0 - 2.0 * diff.sum() / (3.0 * n)
                row["S_atop_cinc"] = 1.0 - 2.0 * (w[ok] @ diff[ok] / 3.0) / w[ok].sum()
                row["tie"] = mat[pi_, pj_]
            rows.append(row)
    return pd.DataFrame(rows)


class BalancingSummary(TypedDict):
    """The coalition-level figures :func:`balancing_table` returns beside its table."""

    cinc_coalition: float
    """CINC of the coalition (sum over members), NaN if a member's is unknown."""
    internal_rivalries: list[str]
    """Names of the ongoing strategic rivalries between members."""
    mean_internal_kappa_sq: float | None
    """Mean kappa_sq over member pairs with enough joint roll calls; None when no pair has."""


def balancing_table(
    coalition: Sequence[int],
    candidates: Sequence[int],
    year: int,
    *,
    cinc: pd.DataFrame,
    rivalries: pd.DataFrame,
    dyads: pd.DataFrame,
    atop: pd.DataFrame | None = None,
) -> tuple[pd.DataFrame, BalancingSummary]:
    r"""Which candidates a coalition counter-balances in ``year``
    (``docs/alignment.md#balancing``).

    Hostility toward k: an ongoing strategic rivalry of a member with k (end = 2020 carried
    forward), or mean member–k kappa_sq < −0.1 (NA if any pair has n < 20). Classes: "not
    counter-aligned", "counter-aligned, weaker than every member", "balancing (parity)"
    (:math:`\rho_{Ck} = \mathrm{CINC}_C / \mathrm{cinc}_k \ge 1`), "balancing (partial)";
    score :math:`B = \min(1, \rho)` for balancing targets, else 0 (Waltz 1979; Walt 1987).

    Returns
    -------
    targets : DataFrame
        One row per candidate, sorted by B (descending) then code.
    extra : BalancingSummary
        ``internal_rivalries``, ``mean_internal_kappa_sq``, ``cinc_coalition``.
    """
    members = sorted({int(c) for c in coalition})
    cands = [int(k) for k in candidates if int(k) not in members]
    cy = cinc[cinc["year"] == year].set_index("ccode")["cinc"].astype(float)
    c_members = cy.reindex(members)
    cinc_c = float(c_members.sum()) if c_members.notna().all() else np.nan
    weakest = float(c_members.min()) if c_members.notna().all() else np.nan
    riv = rivalries.copy()
    riv_end = np.where(riv["end"] >= 2020, max(year, 2020), riv["end"])
    live = riv[(riv["start"] <= year) & (riv_end >= year)]

    def rival(i: int, k: int) -> pd.DataFrame:
        lo, hi = min(i, k), max(i, k)
        return live[(live["ccode1"] == lo) & (live["ccode2"] == hi)]

    dy = dyads[dyads["year"] == year]
    kap = {
        (int(a), int(b)): (float(k) if n >= MIN_JOINT else np.nan)
        for a, b, k, n in zip(dy["a"], dy["b"], dy["kappa_sq"], dy["n"], strict=True)
    }
    defence = None
    if atop is not None:
        last = (
            int(atop.loc[atop["year"] <= year, "year"].max())
            if (atop["year"] <= year).any()
            else None
        )
        defence = _ties(atop, last) if last is not None else None
    rows = []
    for k in cands:
        names = []
        for i in members:
            names += rival(i, k)["rivalry"].tolist()
        kappas = [kap.get((min(i, k), max(i, k)), np.nan) for i in members]
        mean_kappa = float(np.mean(kappas)) if not np.isnan(kappas).any() else np.nan
        hostile = bool(names) or (not np.isnan(mean_kappa) and mean_kappa < -0.1)
        ck = float(cy.get(k, np.nan))
        rho = cinc_c / ck if ck and not np.isnan(ck) else np.nan
        if not hostile:
            cls = "not counter-aligned"
        elif np.isnan(ck) or np.isnan(weakest):
            cls = "hostile, capability unknown"
        elif ck <= weakest:
            cls = "counter-aligned, weaker than every member"
        else:
            cls = "balancing (parity)" if rho >= 1 else "balancing (partial)"
        score = min(1.0, rho) if cls.startswith("balancing") else 0.0
        ties = []
        if defence is not None:
            for i in members:
                t = defence[(defence["lo"] == min(i, k)) & (defence["hi"] == max(i, k))]
                if len(t) and int(t["tie"].iloc[0]) == 3:
                    ties.append(i)
        rows.append(
            {
                "year": int(year),
                "target": k,
                "class": cls,
                "B": score,
                "rho": rho,
                "cinc_target": ck,
                "rivalry": "; ".join(names) or None,
                "mean_kappa_sq": mean_kappa,
                "defence_tie_with": ties,
            }
        )
    out = pd.DataFrame(rows)
    if not out.empty:
        out = out.sort_values(["B", "target"], ascending=[False, True]).reset_index(drop=True)
    internal: list[str] = []
    for a_i, i in enumerate(members):
        for j in members[a_i + 1 :]:
            internal += rival(i, j)["rivalry"].tolist()
    ik = [kap.get((i, j), np.nan) for a_i, i in enumerate(members) for j in members[a_i + 1 :]]
    extra: BalancingSummary = {
        "cinc_coalition": cinc_c,
        "internal_rivalries": internal,
        "mean_internal_kappa_sq": float(np.nanmean(ik)) if not np.isnan(ik).all() else None,
    }
    return out, extra
