r"""UN General Assembly voting: roll-call preparation, agreement, S, Cohen's κ and Scott's π.

Implements the measures of ``docs/alignment.md#un-votes-input-rules`` to
``docs/alignment.md#the-fields-of-a-dyad-year``. Everything is computed from one 3 × 3
contingency table per dyad and period, ``C[a, b] = #{k ∈ J : v_ik = a, v_jk = b}``, obtained
for all dyads of a period at once as products of the vote-indicator matrices (``Y_a Y_bᵀ``),
batched over periods.

Vote coding (R3): 1 = yes, 2 = abstain, 3 = no; 0 marks a missing vote (absent, not a member).
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pandas as pd

from minilateral.errors import DataError

__all__ = [
    "DYAD_FIELDS",
    "MIN_JOINT",
    "VOTE_CODES",
    "RollCalls",
    "dyad_measures",
    "load_votes",
    "measures_from_tables",
    "pair_measures",
    "prepare_votes",
    "rollcall_weights",
]

VOTE_CODES = {"yes": 1, "abstain": 2, "no": 3}
MIN_JOINT = 20
"""Minimum number of joint roll calls of a dyad-period (``docs/alignment.md#conventions``)."""

DYAD_FIELDS = (
    "agree_half",
    "agree_exact",
    "S_abs",
    "S_sq",
    "S_varw",
    "kappa_sq",
    "kappa_abs",
    "kappa_nominal",
    "pi_sq",
    "pi_abs",
)

_CATS = np.array([1.0, 2.0, 3.0])
_ABSDIFF = np.abs(_CATS[:, None] - _CATS[None, :])  # |a − b| on the 1–3 scale
_DELTA = 2.0  # fixed range of the vote scale (docs/alignment.md#signorino-and-ritters-s)
_WEIGHTS = {p: (_ABSDIFF / _DELTA) ** p if p else (_ABSDIFF > 0).astype(float) for p in (0, 1, 2)}

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class RollCalls:
    """UN votes after the input rules R1–R3 (``docs/alignment.md#un-votes-input-rules``).

    Attributes
    ----------
    votes : DataFrame
        One row per (roll call, state): ``rc`` (roll-call id), ``year``, ``ccode``, ``v`` (1, 2, 3).
    weights : Series
        Variance weight ``w_k`` of each roll call (R5), indexed by ``rc``.
    table : str
        Source table (``un_votes_ccode`` or ``un_votes``); a series never mixes the two.
    dropped : int
        Rows discarded by R1 (stray dates).
    """

    votes: pd.DataFrame
    weights: pd.Series
    table: str
    dropped: int

    @property
    def years(self) -> list[int]:
        """Calendar years with at least one roll call."""
        return sorted(int(y) for y in self.votes["year"].unique())

    def roll_calls_per_year(self) -> pd.Series:
        """Number of roll calls in each calendar year."""
        return self.votes.groupby("year")["rc"].nunique()


def rollcall_weights(rc: npt.ArrayLike, v: npt.ArrayLike) -> pd.Series:
    r"""Variance weight of each roll call (``docs/alignment.md#signorino-and-ritters-s``).

    .. math:: w_k = \frac{1}{m_k} \sum_{s} (v_{sk} - \bar v_k)^2

    the population variance (ddof = 0) of all votes cast on roll call ``k`` (R5).

    Parameters
    ----------
    rc, v : array_like of shape (n_votes,)
        Roll-call id and vote code (1, 2, 3) of every vote.

    Returns
    -------
    Series
        ``w_k`` indexed by roll-call id.
    """
    frame = pd.DataFrame({"rc": np.asarray(rc), "v": np.asarray(v, dtype=float)})
    return frame.groupby("rc")["v"].var(ddof=0).rename("w")


def prepare_votes(frame: pd.DataFrame, *, table: str = "un_votes_ccode") -> RollCalls:
    """Apply R1–R3 (``docs/alignment.md#un-votes-input-rules``) to a vote table.

    Parameters
    ----------
    frame : DataFrame
        Columns ``rc`` (roll-call key), ``date``, ``ccode`` and ``vote`` ("yes", "abstain", "no"
        or the codes 1, 2, 3).
    table : str
        Name recorded as the source.

    Returns
    -------
    RollCalls

    Notes
    -----
    R1: the canonical date of a roll call is the date carried by most of its rows (earliest on a
    tie); rows with another date are dropped. R2: the year is that date's calendar year.
    """
    df = frame[["rc", "date", "ccode", "vote"]].copy()
    if df["vote"].dtype.kind in "iuf":
        df["v"] = df["vote"].astype("int8")
    else:
        df["v"] = df["vote"].map(VOTE_CODES).astype("float")
        if df["v"].isna().any():
            bad = df.loc[df["v"].isna(), "vote"].iloc[0]
            raise DataError(f"unknown vote value {bad!r}", field="vote")
        df["v"] = df["v"].astype("int8")
    df["date"] = pd.to_datetime(df["date"])
    counts = df.groupby(["rc", "date"]).size().rename("count").reset_index()
    counts = counts.sort_values(["rc", "count", "date"], ascending=[True, False, True])
    canonical = counts.drop_duplicates("rc").set_index("rc")["date"]
    keep = df["date"].to_numpy() == canonical.reindex(df["rc"]).to_numpy()
    dropped = int((~keep).sum())
    df = df.loc[keep].drop_duplicates(["rc", "ccode"])
    out = pd.DataFrame(
        {
            "rc": df["rc"].to_numpy(np.int64),
            "year": df["date"].dt.year.to_numpy(np.int32),
            "ccode": df["ccode"].to_numpy(np.int32),
            "v": df["v"].to_numpy(np.int8),
        }
    )
    return RollCalls(out, rollcall_weights(out["rc"], out["v"]), table, dropped)


@functools.lru_cache(maxsize=4)
def _load_cached(table: str, path: str, mtime: float, extra: str, extra_mtime: float) -> RollCalls:
    """Read and prepare a votes table; the modification times only key the cache, so that a
    re-imported file is read again."""
    if table == "un_votes_ccode":
        raw = pd.read_parquet(path, columns=["resid", "date", "ccode", "vote"])
        raw = raw.rename(columns={"resid": "rc"})
    else:
        raw = pd.read_parquet(path, columns=["rcid", "ccode", "vote"]).rename(
            columns={"rcid": "rc"}
        )
        dates = pd.read_parquet(extra, columns=["rcid", "date"]).set_index("rcid")["date"]
        raw["date"] = dates.reindex(raw["rc"]).to_numpy()
        raw = raw.dropna(subset=["date", "ccode"])
    return prepare_votes(raw, table=table)


def load_votes(table: str = "un_votes_ccode", root: str | Path | None = None) -> RollCalls:
    """Load and prepare the UN votes of ``table`` from the data directory (cached).

    Parameters
    ----------
    table : {"un_votes_ccode", "un_votes"}
        The primary table (1946–June 2024) or the older ``unvotes`` release (to 2019, keyed by
        ``rcid`` with dates from ``un_roll_calls``). A series must never mix them.
    root : str or Path, optional
        Data directory.
    """
    from minilateral.data.store import require

    if table not in ("un_votes_ccode", "un_votes"):
        raise DataError(f"unknown UN vote table '{table}' (use un_votes_ccode or un_votes)")
    names = [table] if table == "un_votes_ccode" else [table, "un_roll_calls"]
    paths = require(names, root)
    path = paths[table]
    extra = paths.get("un_roll_calls")
    try:
        return _load_cached(
            table,
            str(path),
            path.stat().st_mtime,
            str(extra or ""),
            extra.stat().st_mtime if extra else 0.0,
        )
    except DataError:
        raise
    except Exception as err:
        raise DataError(f"cannot read UN votes: {err}", path=path) from err


def measures_from_tables(
    counts: FloatArray,
    wdist: FloatArray | None = None,
    wsum: FloatArray | None = None,
    *,
    min_joint: int = MIN_JOINT,
) -> dict[str, FloatArray]:
    r"""All dyad-year measures from contingency tables.

    Fields: ``docs/alignment.md#the-fields-of-a-dyad-year``.

    Parameters
    ----------
    counts : ndarray of shape (..., 3, 3)
        ``counts[..., a, b]`` = number of joint roll calls on which i voted a+1 and j voted b+1.
    wdist, wsum : ndarray of shape (...), optional
        :math:`\sum_{k∈J} w_k |v_{ik} - v_{jk}|` and :math:`\sum_{k∈J} w_k` for ``S_varw``.
    min_joint : int, default=20
        Minimum joint roll calls; lower it only for hand-worked toy examples.

    Returns
    -------
    dict of str to ndarray of shape (...)
        ``n`` and every name of :data:`DYAD_FIELDS`; NA (NaN) where n < ``min_joint``, where
        Σw = 0 (S_varw) or where the expected disagreement is 0 (κ, π).

    Notes
    -----
    agree_half = (1/n) Σ [1 − |a − b|/2] (``docs/alignment.md#agreement``); S_abs, S_sq,
    S_w as Signorino & Ritter (1999) with Δ = 2 (``docs/alignment.md#signorino-and-ritters-s``);
    κ and π as Häge (2011) with δ_p = (|a − b|/Δ)^p (``docs/alignment.md#kappa-and-pi``).
    """
    counts = np.asarray(counts, dtype=float)
    n = counts.sum(axis=(-2, -1))
    with np.errstate(divide="ignore", invalid="ignore"):
        share = counts / n[..., None, None]
        pi_ = share.sum(axis=-1)  # p_i(a), over J
        pj_ = share.sum(axis=-2)  # p_j(b)
        pbar = (pi_ + pj_) / 2
        out: dict[str, FloatArray] = {"n": n}
        mean_abs = (share * _ABSDIFF).sum(axis=(-2, -1))  # (1/n) Σ |a − b|
        out["agree_half"] = 1.0 - mean_abs / 2.0
        out["agree_exact"] = np.trace(share, axis1=-2, axis2=-1)
        out["S_abs"] = 1.0 - 2.0 * mean_abs / _DELTA
        out["S_sq"] = 1.0 - 2.0 * (share * (_ABSDIFF / _DELTA) ** 2).sum(axis=(-2, -1))
        if wdist is not None and wsum is not None:
            svarw = 1.0 - 2.0 * (np.asarray(wdist) / _DELTA) / np.asarray(wsum)
            out["S_varw"] = np.where(np.asarray(wsum) > 0, svarw, np.nan)
        else:
            out["S_varw"] = np.full(n.shape, np.nan)
        for p, suffix in ((2, "sq"), (1, "abs"), (0, "nominal")):
            delta = _WEIGHTS[p]
            d_obs = (share * delta).sum(axis=(-2, -1))
            d_kappa = np.einsum("...a,...b,ab->...", pi_, pj_, delta)
            out[f"kappa_{suffix}"] = np.where(d_kappa > 0, 1.0 - d_obs / d_kappa, np.nan)
            if p:
                d_pi = np.einsum("...a,...b,ab->...", pbar, pbar, delta)
                out[f"pi_{suffix}"] = np.where(d_pi > 0, 1.0 - d_obs / d_pi, np.nan)
    few = n < max(min_joint, 1)
    for name in DYAD_FIELDS:
        out[name] = np.where(few, np.nan, out[name])
    return out


def pair_measures(
    a: npt.ArrayLike,
    b: npt.ArrayLike,
    weights: npt.ArrayLike | None = None,
    *,
    min_joint: int = MIN_JOINT,
) -> dict[str, float]:
    """The dyad measures of two vote vectors (1, 2, 3; 0 or NaN = missing).

    A convenience for hand-worked examples: pairwise deletion (R4) is applied, and
    ``min_joint`` (default 20) can be lowered for toy data.

    Examples
    --------
    The worked example of ``docs/alignment.md#a-worked-example``:

    >>> r = pair_measures([1, 1, 1, 2, 3, 1, 2, 1], [1, 2, 3, 2, 3, 1, 1, 1],
    ...                   [0.5, 1, 1, 0, 2, 1, 1, 0.5], min_joint=1)
    >>> round(r["kappa_sq"], 12), round(r["pi_sq"], 12), round(r["S_varw"], 12)
    (0.4, 0.384615384615, 0.428571428571)
    """
    va = np.nan_to_num(np.asarray(a, dtype=float))
    vb = np.nan_to_num(np.asarray(b, dtype=float))
    w = np.ones_like(va) if weights is None else np.asarray(weights, dtype=float)
    both = (va > 0) & (vb > 0)
    counts = np.zeros((3, 3))
    np.add.at(counts, (va[both].astype(int) - 1, vb[both].astype(int) - 1), 1.0)
    wdist = float((w[both] * np.abs(va[both] - vb[both])).sum())
    wsum = float(w[both].sum())
    out = measures_from_tables(counts, np.asarray(wdist), np.asarray(wsum), min_joint=min_joint)
    return {k: float(v) for k, v in out.items()}


def _period_matrices(
    votes: pd.DataFrame, states: np.ndarray, group_of_rc: pd.Series
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Vote matrices V (G, S, Kmax) int8, weights (G, Kmax), group labels and roll-call ids."""
    rcs = group_of_rc.sort_values(kind="stable")
    labels, starts = np.unique(rcs.to_numpy(), return_index=True)
    group_idx = np.searchsorted(labels, rcs.to_numpy())
    local = np.arange(len(rcs)) - starts[group_idx]
    kmax = int(local.max()) + 1 if len(local) else 0
    col_of = pd.Series(local, index=rcs.index)
    grp_of = pd.Series(group_idx, index=rcs.index)
    sub = votes[votes["ccode"].isin(states) & votes["rc"].isin(rcs.index)]
    srow = np.searchsorted(states, sub["ccode"].to_numpy())
    g = grp_of.reindex(sub["rc"]).to_numpy()
    k = col_of.reindex(sub["rc"]).to_numpy()
    mat = np.zeros((len(labels), len(states), kmax), dtype=np.int8)
    mat[g, srow, k] = sub["v"].to_numpy()
    return mat, group_idx, local, labels


def _tables(
    mat: npt.NDArray[np.int8], w: npt.NDArray[np.float64]
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """Contingency tables (G, S, S, 3, 3) and weighted sums (G, S, S) for one chunk.

    ``C_ab = Y_a Y_bᵀ`` and ``C_ba = C_abᵀ``, so six products give the nine cells; they count
    roll calls, so single precision is exact (integers below 2**24) and twice as fast. The
    weighted distance uses the three products with a < b, in double precision.
    """
    ind = np.stack([(mat == c).astype(np.float64) for c in (1, 2, 3)])  # (3, G, S, K)
    tr = ind.transpose(0, 1, 3, 2)  # (3, G, K, S)
    ind32, tr32 = ind.astype(np.float32), tr.astype(np.float32)
    counts = np.empty((*mat.shape[:2], mat.shape[1], 3, 3))
    wdist = np.zeros(counts.shape[:3])
    for a in range(3):
        for b in range(a, 3):
            prod = ind32[a] @ tr32[b]
            counts[..., a, b] = prod
            if a != b:
                counts[..., b, a] = prod.transpose(0, 2, 1)
                wprod = (ind[a] * w[:, None, :]) @ tr[b]
                wdist += _ABSDIFF[a, b] * (wprod + wprod.transpose(0, 2, 1))
    present = ind.sum(axis=0)
    wsum = (present * w[:, None, :]) @ present.transpose(0, 2, 1)
    return counts, wdist, wsum


def dyad_measures(
    rollcalls: RollCalls,
    states: Sequence[int] | None = None,
    years: Iterable[int] | None = None,
    *,
    pooled: bool = False,
    chunk: int = 8,
) -> pd.DataFrame:
    """Every dyad measure for every dyad of ``states`` in every year (or pooled over ``years``).

    Parameters
    ----------
    rollcalls : RollCalls
        Prepared votes (:func:`load_votes`).
    states : sequence of int, optional
        COW codes; default every state that voted.
    years : iterable of int, optional
        Calendar years; default all.
    pooled : bool, default=False
        One value over the union of the roll calls of ``years`` (pooled periods,
        ``docs/alignment.md#un-votes-input-rules``),
        reported with ``year`` = the first year and ``period`` = "Y1-Y2".
    chunk : int, default=8
        Periods processed per batched matrix product (memory/speed trade-off).

    Returns
    -------
    DataFrame
        One row per dyad-period with ``a < b`` (COW codes), ``year``, ``n`` and
        :data:`DYAD_FIELDS`; measures are NaN where ``n < 20``. Dyads that never voted together
        in the period (n = 0) are omitted unless ``states`` was given.
    """
    votes = rollcalls.votes
    if years is not None:
        yrs = sorted({int(y) for y in years})
        votes = votes[votes["year"].isin(yrs)]
    all_states = np.unique(votes["ccode"].to_numpy())
    chosen = all_states if states is None else np.unique(np.asarray(list(states), dtype=np.int32))
    rc_year = votes.drop_duplicates("rc").set_index("rc")["year"]
    if pooled:
        rc_year = pd.Series(0, index=rc_year.index)
    columns = ["year", "a", "b", "n", *DYAD_FIELDS]
    if rc_year.empty or len(chosen) < 2:
        return pd.DataFrame(columns=columns)
    mat, group_idx, local, labels = _period_matrices(votes, chosen, rc_year)
    weights = np.zeros(mat.shape[0::2])
    wk = rollcalls.weights.reindex(rc_year.sort_values(kind="stable").index).to_numpy()
    weights[group_idx, local] = wk
    frames = []
    for start in range(0, len(labels), chunk):
        sl = slice(start, start + chunk)
        active = np.flatnonzero((mat[sl] > 0).any(axis=(0, 2))) if states is None else None
        sub = mat[sl] if active is None else mat[sl][:, active]
        codes = chosen if active is None else chosen[active]
        iu, ju = np.triu_indices(len(codes), k=1)
        counts, wdist, wsum = _tables(sub, weights[sl])
        res = measures_from_tables(counts[:, iu, ju], wdist[:, iu, ju], wsum[:, iu, ju])
        g_idx = np.repeat(np.arange(counts.shape[0]), len(iu))
        part = pd.DataFrame({k: v.ravel() for k, v in res.items()})
        part.insert(0, "b", np.tile(codes[ju], counts.shape[0]))
        part.insert(0, "a", np.tile(codes[iu], counts.shape[0]))
        part.insert(0, "year", labels[sl][g_idx])
        frames.append(part if states is not None else part[part["n"] > 0])
    out = pd.concat(frames, ignore_index=True)
    out["n"] = out["n"].astype(np.int64)
    if pooled:
        yrs_used = sorted(votes["year"].unique())
        out["year"] = int(yrs_used[0])
        out["period"] = f"{yrs_used[0]}-{yrs_used[-1]}"
    out["year"] = out["year"].astype(np.int64)
    return out.reset_index(drop=True)
