"""EM ideal points: SQUAREM reaches plain ECM's mode; facts on real data.

Model and algorithm: ``docs/alignment.md#ideal-points``.
"""

from __future__ import annotations

import numpy as np
import pytest

from minilateral.alignment.ideal_points import IdealPointEstimator, filter_votes, ideal_points


def _synthetic(seed=0, n=40, k=60):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=n)
    beta, alpha = rng.normal(size=k) * 1.5, rng.normal(size=k)
    y = (rng.normal(size=(n, k)) < (x[:, None] * beta - alpha)).astype(float)
    y[rng.random((n, k)) < 0.15] = np.nan
    return x, y


def test_squarem_matches_plain_ecm():
    x, y = _synthetic()
    fast = IdealPointEstimator().fit(y, reference=int(np.argmax(x)))
    plain = IdealPointEstimator(accelerate=False).fit(y, reference=int(np.argmax(x)))
    assert fast.converged_
    assert plain.converged_
    assert fast.n_iter_ < plain.n_iter_
    assert np.max(np.abs(fast.z_ - plain.z_)) < 1e-4
    assert np.corrcoef(fast.ideal_points_, x)[0, 1] > 0.8
    assert fast.ideal_points_[int(np.argmax(x))] > 0  # reflection rule
    assert fast.z_.mean() == pytest.approx(0, abs=1e-12)
    assert fast.z_.std() == pytest.approx(1, abs=1e-12)


def test_filters():
    y = np.tile([1.0, 0.0], (40, 15))[:, :25]  # 40 states × 25 roll calls
    y[::2] = 1 - y[::2]
    y[:, 0] = 1.0  # unanimous → F1
    y[0, 1] = 1 - y[0, 1]  # keeps roll call 1 above the 2.5 % cut? 20/40 either way
    y[5, 6:] = np.nan  # state 5 keeps 4 yes/no votes after F1 → F2
    y[:39, 2] = 1.0
    y[39, 2] = 0.0  # minority 1/40 = 0.025: kept (the cut is "below 0.025")
    y[:, 3] = np.nan
    y[:2, 3] = [1.0, 0.0]  # 50/50 but only 2 votes: kept by F1
    keep_k, keep_i = filter_votes(y)
    assert not keep_k[0]
    assert keep_k[1]
    assert keep_k[2]
    assert keep_k[3]
    assert keep_i.sum() == 39
    assert not keep_i[5]


def test_facts_ideal_points(rollcalls):
    pts, diag = ideal_points(rollcalls, [2012, 2023])
    assert diag["converged"].all()
    assert diag["n_rollcalls"].between(36, 55).all()
    assert diag["n_states"].between(180, 191).all()
    z = pts.pivot(index="ccode", columns="year", values="z")
    assert z.loc[2].between(2.7, 4.3).all()
    assert z.loc[666].between(2.3, 4.7).all()
    for c in (670, 690, 692, 694, 696, 698, 651, 630, 710):
        assert (z.loc[c] < 0).all(), c
    assert 0.46 <= z.loc[640, 2012] <= 0.89
    assert np.isnan(z.loc[640, 2023]) if 640 in z.index else True  # F2: Türkiye has 9 votes
