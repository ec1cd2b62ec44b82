"""UN vote measures: the worked example, a loop reference, facts on real data.

The worked example: ``docs/alignment.md#a-worked-example``.
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from minilateral.alignment.votes import (
    DYAD_FIELDS,
    dyad_measures,
    load_votes,
    pair_measures,
    prepare_votes,
    rollcall_weights,
)
from tests.reference.alignment_loop import dyad_loop

A = [1, 1, 1, 2, 3, 1, 2, 1]
B = [1, 2, 3, 2, 3, 1, 1, 1]
W = [0.5, 1, 1, 0, 2, 1, 1, 0.5]


def test_worked_example_section_8():
    r = pair_measures(A, B, W, min_joint=1)
    expected = {
        "agree_exact": Fraction(5, 8),
        "agree_half": Fraction(3, 4),
        "S_abs": Fraction(1, 2),
        "S_sq": Fraction(5, 8),
        "S_varw": Fraction(3, 7),
        "kappa_sq": Fraction(2, 5),
        "pi_sq": Fraction(5, 13),
        "kappa_abs": Fraction(5, 13),
        "pi_abs": Fraction(19, 51),
        "kappa_nominal": Fraction(7, 19),
    }
    for name, value in expected.items():
        assert r[name] == pytest.approx(float(value), abs=1e-12), name
    assert r["S_abs"] == pytest.approx(2 * r["agree_half"] - 1, abs=1e-15)


def test_toy_assembly_weights():
    # s1 = (1,1,1), s2 = (1,3,2), s3 = (1,3,–), s4 = (1,1,3)
    rc = [1, 2, 3, 1, 2, 3, 1, 2, 1, 2, 3]
    v = [1, 1, 1, 1, 3, 2, 1, 3, 1, 1, 3]
    w = rollcall_weights(rc, v)
    assert w.tolist() == pytest.approx([0.0, 1.0, 2 / 3], abs=1e-12)


def test_fewer_than_20_joint_is_null_not_zero():
    r = pair_measures(A, B, W)
    assert r["n"] == 8
    assert all(math.isnan(r[f]) for f in DYAD_FIELDS)


def test_undefined_kappa_when_both_always_yes():
    r = pair_measures([1] * 25, [1] * 25)
    assert r["agree_half"] == 1.0
    assert math.isnan(r["kappa_sq"])
    assert math.isnan(r["pi_sq"])


def _frame(mat):
    rows = [
        (k, "2001-01-01" if k % 2 else "2002-06-01", s, int(v))
        for s, row in enumerate(mat)
        for k, v in enumerate(row)
        if v > 0
    ]
    return pd.DataFrame(rows, columns=["rc", "date", "ccode", "vote"])


@settings(max_examples=25, deadline=None)
@given(st.lists(st.lists(st.integers(0, 3), min_size=60, max_size=60), min_size=3, max_size=5))
def test_vectorised_equals_loop_reference(mat):
    rc = prepare_votes(_frame(mat))
    out = dyad_measures(rc, pooled=False)
    for row in out.itertuples():
        va = [r[k] if k % 2 == (row.year == 2001) else 0 for r in [mat[row.a]] for k in range(60)]
        vb = [r[k] if k % 2 == (row.year == 2001) else 0 for r in [mat[row.b]] for k in range(60)]
        w = [rc.weights.get(k, 0.0) for k in range(60)]
        ref = dyad_loop(va, vb, w)
        assert row.n == ref["n"]
        for name in DYAD_FIELDS:
            got = getattr(row, name)
            if row.n < 20 or math.isnan(ref[name]):
                assert math.isnan(got)
            else:
                assert got == pytest.approx(ref[name], abs=1e-9), name


def test_r1_drops_stray_dates():
    frame = pd.DataFrame(
        {
            "rc": [1, 1, 1, 1],
            "date": ["2023-10-01"] * 3 + ["2023-12-01"],
            "ccode": [1, 2, 3, 4],
            "vote": ["yes", "no", "yes", "no"],
        }
    )
    rc = prepare_votes(frame)
    assert rc.dropped == 1
    assert len(rc.votes) == 3


def test_facts_roll_calls(rollcalls):
    assert rollcalls.dropped == 42
    assert len(rollcalls.votes) == 855_848
    assert rollcalls.votes["rc"].nunique() == 6132
    per_year = rollcalls.roll_calls_per_year()
    assert per_year.loc[2010:2023].tolist() == [
        66,
        68,
        70,
        60,
        80,
        78,
        75,
        94,
        95,
        90,
        95,
        79,
        81,
        88,
    ]


def test_facts_qatar_turkiye_pooled(rollcalls):
    out = dyad_measures(rollcalls, [640, 694, 670], range(2010, 2020), pooled=True)
    qt = out[(out["a"] == 640) & (out["b"] == 694)].iloc[0]
    assert qt["n"] == 757
    assert qt["agree_exact"] == pytest.approx(0.641, abs=5e-4)
    assert qt["agree_half"] == pytest.approx(0.734, abs=5e-4)
    assert qt["S_abs"] == pytest.approx(0.469, abs=5e-4)
    assert qt["kappa_sq"] == pytest.approx(-0.020, abs=5e-4)
    qs = out[(out["a"] == 670) & (out["b"] == 694)].iloc[0]
    assert qs["agree_half"] == pytest.approx(0.977, abs=5e-4)
    assert qs["kappa_sq"] == pytest.approx(0.82, abs=5e-3)


def test_facts_turkiye_2023_is_null(rollcalls):
    out = dyad_measures(rollcalls, [640, 694], [2023])
    assert out["n"].tolist() == [9]
    assert out[list(DYAD_FIELDS)].isna().all(axis=None)


def test_readme_sanity_table(data_root, rollcalls):
    old = load_votes("un_votes", data_root)
    a = dyad_measures(old, [2, 640, 694], range(2015, 2020), pooled=True).set_index(["a", "b"])
    assert a.loc[(640, 694), "n"] == 497
    assert a.loc[(640, 694), "agree_exact"] == pytest.approx(0.636, abs=5e-4)
    assert a.loc[(2, 640), "n"] == 499
    assert a.loc[(2, 640), "agree_exact"] == pytest.approx(0.427, abs=5e-4)
    assert old.votes[old.votes["year"].between(2010, 2019)]["rc"].nunique() == 926
    new = dyad_measures(rollcalls, [640, 694], range(2020, 2025), pooled=True).iloc[0]
    assert new["n"] == 257
    assert new["agree_exact"] == pytest.approx(0.642, abs=5e-4)
    rcs = rollcalls.votes[rollcalls.votes["year"] >= 2020]["rc"].nunique()
    assert rcs == 349


def test_all_dyads_all_years_shape(rollcalls):
    out = dyad_measures(rollcalls, years=[2019])
    assert (out["a"] < out["b"]).all()
    ok = out[out["n"] >= 20]
    assert np.allclose(ok["S_abs"], 2 * ok["agree_half"] - 1, atol=1e-12)
