"""Krippendorff's alpha and the Shrout–Fleiss ICCs against their published worked examples."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from minilateral.errors import OptionError
from minilateral.panels.reliability import LEVELS, coincidence, icc, krippendorff_alpha

N = np.nan
# Krippendorff (2011), "Computing Krippendorff's alpha-reliability", example C:
# 4 observers x 12 units, with missing values.
KRIPPENDORFF_C = [
    [1, 2, 3, 3, 2, 1, 4, 1, 2, N, N, N],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, N, 3],
    [N, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, N],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, N],
]
# Shrout & Fleiss (1979), Table 2: 6 targets (rows) x 4 judges (columns).
SHROUT_FLEISS = [
    [9, 2, 5, 8],
    [6, 1, 3, 2],
    [8, 4, 6, 8],
    [7, 1, 2, 6],
    [10, 5, 6, 9],
    [6, 2, 4, 7],
]


@pytest.mark.parametrize(
    ("level", "expected"),
    [("nominal", 0.743), ("ordinal", 0.815), ("interval", 0.849), ("ratio", 0.797)],
)
def test_alpha_reproduces_krippendorff_example_c(level: str, expected: float) -> None:
    assert round(krippendorff_alpha(KRIPPENDORFF_C, level), 3) == expected


def test_coincidence_matrix_of_example_c() -> None:
    values, o = coincidence(KRIPPENDORFF_C)
    assert values.tolist() == [1, 2, 3, 4, 5]
    # Krippendorff (2011) p. 4: n = 40 pairable values, n_1..n_5 = 9, 13, 10, 5, 3
    assert o.sum() == pytest.approx(40)
    assert o.sum(axis=1) == pytest.approx([9, 13, 10, 5, 3])
    assert o[0].tolist() == pytest.approx([7, 4 / 3, 1 / 3, 1 / 3, 0])
    assert np.allclose(o, o.T)


def test_icc_reproduces_shrout_fleiss_table() -> None:
    got = {k: round(v, 2) for k, v in icc(SHROUT_FLEISS).items()}
    assert got == {
        "ICC1": 0.17,
        "ICC2": 0.29,
        "ICC3": 0.71,
        "ICC1k": 0.44,
        "ICC2k": 0.62,
        "ICC3k": 0.91,
    }


def test_icc_refuses_missing_scores() -> None:
    table = np.array(SHROUT_FLEISS, dtype=float)
    table[2, 1] = np.nan
    with pytest.raises(OptionError, match="target 3 by judge 2"):
        icc(table)


def test_unknown_level_is_an_error() -> None:
    with pytest.raises(OptionError, match="unknown level 'cardinal'"):
        krippendorff_alpha(KRIPPENDORFF_C, "cardinal")


def test_ratio_needs_non_negative_values() -> None:
    with pytest.raises(OptionError, match="non-negative"):
        krippendorff_alpha([[-1, 2], [1, 2]], "ratio")


def test_perfect_agreement_and_no_variation() -> None:
    assert krippendorff_alpha([[1, 2, 3], [1, 2, 3]]) == 1.0
    assert np.isnan(krippendorff_alpha([[2, 2], [2, 2]]))
    assert np.isnan(krippendorff_alpha([[1, N], [N, 2]]))  # no pairable unit


tables = st.integers(2, 5).flatmap(
    lambda k: st.integers(2, 8).flatmap(
        lambda n: st.lists(
            st.lists(st.integers(0, 6).map(float), min_size=n, max_size=n), min_size=k, max_size=k
        )
    )
)


@settings(max_examples=60, deadline=None)
@given(tables)
def test_alpha_invariant_to_coder_and_unit_order(rows: list[list[float]]) -> None:
    table = np.array(rows)
    for level in LEVELS:
        a = krippendorff_alpha(table, level)
        b = krippendorff_alpha(table[::-1, ::-1], level)
        assert (np.isnan(a) and np.isnan(b)) or a == pytest.approx(b)
        if not np.isnan(a):
            assert a <= 1.0 + 1e-12


@settings(max_examples=40, deadline=None)
@given(tables)
def test_interval_alpha_invariant_to_affine_rescaling(rows: list[list[float]]) -> None:
    table = np.array(rows)
    a, b = krippendorff_alpha(table), krippendorff_alpha(3.0 * table + 7.0)
    assert (np.isnan(a) and np.isnan(b)) or a == pytest.approx(b)


def _alpha_loop(table: np.ndarray, level: str) -> float:
    """Plain-loop twin: coincidences from every ordered pair of values within each unit."""
    values = sorted({v for v in table.ravel() if not np.isnan(v)})
    index = {v: i for i, v in enumerate(values)}
    o = np.zeros((len(values), len(values)))
    for u in range(table.shape[1]):
        col = [v for v in table[:, u] if not np.isnan(v)]
        if len(col) < 2:
            continue
        for a in range(len(col)):
            for b in range(len(col)):
                if a != b:
                    o[index[col[a]], index[col[b]]] += 1.0 / (len(col) - 1)
    n_c = o.sum(axis=1)
    n = n_c.sum()

    def delta(c: int, k: int) -> float:
        x, y = values[c], values[k]
        if level == "nominal":
            return float(x != y)
        if level == "interval":
            return (x - y) ** 2
        if level == "ratio":
            return 0.0 if x + y == 0 else ((x - y) / (x + y)) ** 2
        lo, hi = min(c, k), max(c, k)
        return (sum(n_c[lo : hi + 1]) - (n_c[c] + n_c[k]) / 2) ** 2

    obs = sum(o[c, k] * delta(c, k) for c in range(len(values)) for k in range(len(values)))
    exp = sum(n_c[c] * n_c[k] * delta(c, k) for c in range(len(values)) for k in range(len(values)))
    return float("nan") if exp == 0 or n <= 1 else 1 - (n - 1) * obs / exp


missing_tables = st.integers(2, 5).flatmap(
    lambda k: st.integers(1, 8).flatmap(
        lambda n: st.lists(
            st.lists(
                st.one_of(st.integers(0, 6).map(float), st.just(float("nan"))),
                min_size=n,
                max_size=n,
            ),
            min_size=k,
            max_size=k,
        )
    )
)


@settings(max_examples=80, deadline=None)
@given(missing_tables)
def test_alpha_matches_plain_loop_twin(rows: list[list[float]]) -> None:
    table = np.array(rows)
    for level in LEVELS:
        a, b = krippendorff_alpha(table, level), _alpha_loop(table, level)
        assert (np.isnan(a) and np.isnan(b)) or a == pytest.approx(b, abs=1e-9)
