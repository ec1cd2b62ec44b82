"""Exchange model (spec §5): hand-worked cases, the closed form, invariants, the COP files."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from minilateral.api import forecast, load_scenario
from minilateral.arrays import ScenarioArrays
from minilateral.errors import OptionError
from minilateral.models.exchange import ExchangeModel, equal_gain, exchange_rounds


def _arrays(x, s, c=None, mask=None) -> ScenarioArrays:
    x, s = np.asarray(x, float)[None], np.asarray(s, float)[None]
    _, n, d = x.shape
    return ScenarioArrays(
        positions=x,
        salience=s,
        capability=np.ones_like(x) if c is None else np.asarray(c, float)[None],
        mask=np.ones(x.shape, bool) if mask is None else np.asarray(mask)[None],
        scale=np.tile([0.0, 100.0], (d, 1)),
        reference=np.full(d, np.nan),
        actors=tuple(f"A{i + 1}" for i in range(n)),
        issues=tuple(f"I{q + 1}" for q in range(d)),
    )


def test_decide_two_actor_values() -> None:
    """§5.11: the Decide test suite's two actors, two issues."""
    f = ExchangeModel(rounds=1).forecast(_arrays([[0, 0], [100, 100]], [[0.1, 0.9], [0.6, 0.5]]))
    outcomes = f.diagnostics["outcomes"][0]
    np.testing.assert_allclose(outcomes[0], [600 / 7, 250 / 7])  # 85.714286, 35.714286
    np.testing.assert_allclose(outcomes[1], [100.0, 200 / 7])  # 100, 28.571429
    (row,) = f.diagnostics["exchanges"][0]
    cols = dict(zip(f.diagnostics["exchange_columns"], row, strict=True))
    assert (cols["supplier_p"], cols["supplier_q"], cols["issue_p"], cols["issue_q"]) == (
        0, 1, 0, 1
    )  # fmt: skip
    assert cols["gain"] == pytest.approx(5.0)
    assert cols["position_p"] == 100.0  # A1 moves 0 -> 100 on I1, exactly onto A2
    assert cols["position_q"] == pytest.approx(80.0)  # A2 moves 100 -> 80 on I2
    np.testing.assert_allclose(f.trajectory[1, 0], [[46.0, 0.0], [100.0, 94.0]])


def test_three_actor_two_issue_case_worked_by_hand() -> None:
    r"""A, B, C on issues P and Q, capability 1, scale 0–100.

    Positions / saliences: A (0, 0) / (.2, .8); B (100, 100) / (.6, .4); C (50, 50) / (.5, .5).
    O_P = (0·.2 + 100·.6 + 50·.5) / 1.3 = 65.3846; O_Q = (0 + 40 + 25) / 1.7 = 38.2353.
    Sides: on P A and C are left, B right; on Q A is left, B and C right. Only A–B are on
    opposite sides of both outcomes (A–C share P's side, B–C share Q's side).
    Roles: s_AP / s_AQ = .25 < s_BP / s_BQ = 1.5, so A supplies P and B supplies Q.
    Bounds: δ_P^max = .2·100/1.3 = 15.3846, δ_Q^max = .4·100/1.7 = 23.5294,
    |y_BP − O_P| = 34.6154, |y_AQ − O_Q| = 38.2353; s_AQ + s_BQ = 1.2, s_AP + s_BP = .8;
    λ = min(12.8205, 29.4118, 28.8462, 47.7941) = 12.8205 (A's full move binds).
    δ_P = 15.3846, δ_Q = 10.2564; G = λ(.6·.8 − .2·.4) = 5.1282
    (A: .8·10.2564 − .2·15.3846 = 5.1282; B: .6·15.3846 − .4·10.2564 = 5.1282).
    Moves: A 0 → 100 on P; B moves 10.2564·1.7/.4 = 43.5897, 100 → 56.4103 on Q.
    Outcomes: O_P = 105/1.3 = 80.7692, O_Q = 47.5641/1.7 = 27.9789. No candidate is left.
    Next preferred positions: A on P 0 + (.8·.4 + .1)·100 = 42; B on Q
    100 + (.6·.4 + .1)(56.4103 − 100) = 85.1795; C unchanged.
    """
    a = _arrays([[0, 0], [100, 100], [50, 50]], [[0.2, 0.8], [0.6, 0.4], [0.5, 0.5]])
    f = ExchangeModel(rounds=1).forecast(a)
    outcomes = f.diagnostics["outcomes"][0]
    np.testing.assert_allclose(outcomes[0], [85 / 1.3, 65 / 1.7])
    np.testing.assert_allclose(outcomes[1], [80.769231, 27.978884], atol=1e-6)
    (row,) = f.diagnostics["exchanges"][0]
    cols = dict(zip(f.diagnostics["exchange_columns"], row, strict=True))
    assert (cols["supplier_p"], cols["supplier_q"]) == (0, 1)
    assert cols["gain"] == pytest.approx(5.128205, abs=1e-6)
    assert cols["position_p"] == pytest.approx(100.0)
    assert cols["position_q"] == pytest.approx(56.410256, abs=1e-6)
    np.testing.assert_allclose(
        f.trajectory[1, 0], [[42.0, 0.0], [100.0, 85.179487], [50.0, 50.0]], atol=1e-6
    )
    assert f.outcome[0] == pytest.approx([80.769231, 27.978884], abs=1e-6)


def test_equal_saliency_ratios_give_no_exchange() -> None:
    """§5.4: equal ratios, no gain; a round without exchange stops the run (converged)."""
    a = _arrays([[0, 0], [100, 100], [40, 60]], [[0.5, 0.5], [0.3, 0.3], [0.4, 0.4]])
    f = ExchangeModel().forecast(a)
    assert f.rounds[0] == 1
    assert f.converged[0]
    assert len(f.diagnostics["exchanges"][0]) == 0
    np.testing.assert_allclose(f.outcome, forecast_compromise(a))


def forecast_compromise(a: ScenarioArrays) -> np.ndarray:
    from minilateral.models.baselines import CompromiseModel

    return CompromiseModel().forecast(a).outcome


def test_single_issue_falls_back_to_compromise() -> None:
    a = _arrays([[0], [100], [30]], [[0.5], [0.9], [0.2]], c=[[1], [2], [3]])
    f = ExchangeModel().forecast(a)
    np.testing.assert_allclose(f.outcome, forecast_compromise(a))
    assert f.rounds[0] == 1


def test_ties_go_to_the_first_candidate_created() -> None:
    """§5.7: two identical pairs (A1–A2 and A3–A4): the lower actor pair trades first."""
    x = [[0, 0], [100, 100], [0, 0], [100, 100]]
    s = [[0.1, 0.9], [0.6, 0.5]] * 2
    f = ExchangeModel(rounds=1).forecast(_arrays(x, s))
    rows = f.diagnostics["exchanges"][0]
    assert rows[0][1:3].tolist() == [0, 1]


def test_missing_cell_is_not_a_candidate() -> None:
    """An actor without a cell on one issue of a pair cannot trade on that pair."""
    mask = [[True, True], [True, False], [True, True]]
    a = _arrays([[0, 0], [100, 0], [100, 100]], [[0.1, 0.9], [0.6, 0.5], [0.6, 0.5]], mask=mask)
    f = ExchangeModel(rounds=1).forecast(a)
    rows = f.diagnostics["exchanges"][0]
    assert all(1 not in r[1:3] for r in rows)
    assert np.isnan(f.trajectory[0, 0, 1, 1])


def _sequential(s_up, s_uq, s_vp, s_vq, room_p, room_q, gap_p, gap_q):
    """Decide's sequential construction of §5.5, written as steps."""
    ratio = (s_up + s_vp) / (s_uq + s_vq)  # δ_q / δ_p at equal gain
    d_p = room_p  # u moves fully
    d_q = d_p * ratio
    if d_q > room_q:  # the partner's matching move would overshoot: v moves fully instead
        d_q = room_q
        d_p = d_q / ratio
    if d_p > gap_p:  # the outcome of p must not pass the demander v
        d_p = gap_p
        d_q = d_p * ratio
    if d_q > gap_q:
        d_q = gap_q
        d_p = d_q / ratio
    return d_p, d_q


@settings(max_examples=200, deadline=None, derandomize=True)
@given(
    sal=st.lists(st.floats(0.01, 1.0), min_size=4, max_size=4),
    bounds=st.lists(st.floats(0.0, 100.0), min_size=4, max_size=4),
)
def test_closed_form_equals_sequential_construction(sal, bounds) -> None:
    s_up, s_uq, s_vp, s_vq = sal
    d_p, d_q, gain = equal_gain(*(np.array(v) for v in (*sal, *bounds)))
    seq_p, seq_q = _sequential(*sal, *bounds)
    assert float(d_p) == pytest.approx(seq_p, rel=1e-9, abs=1e-9)
    assert float(d_q) == pytest.approx(seq_q, rel=1e-9, abs=1e-9)
    gain_u = s_uq * float(d_q) - s_up * float(d_p)
    gain_v = s_vp * float(d_p) - s_vq * float(d_q)
    assert gain_u == pytest.approx(gain_v, rel=1e-9, abs=1e-9)
    assert float(gain) == pytest.approx(gain_u, rel=1e-9, abs=1e-9)


@settings(max_examples=30, deadline=None, derandomize=True)
@given(seed=st.integers(0, 10_000))
def test_invariants_on_random_scenarios(seed: int) -> None:
    """Positions stay on 0–100, every exchange gains, an actor never reverses on an issue."""
    rng = np.random.default_rng(seed)
    b, n, d = 3, 6, 3
    x = rng.integers(0, 11, (b, n, d)) * 10.0
    s = rng.integers(1, 11, (b, n, d)) / 10
    c = rng.uniform(0.2, 1.0, (b, n, d))
    mask = rng.random((b, n, d)) > 0.15
    cs = np.where(mask, c * s, 0.0)
    fallback = np.einsum("bnd,bnd->bd", cs, x) / cs.sum(axis=1)
    run = exchange_rounds(x, s, c, mask, fallback, rounds=4)
    assert (run.positions >= 0).all()
    assert (run.positions <= 100).all()
    rows = run.exchanges
    assert (rows[:, 6] > 1e-10).all()
    seen: dict[tuple[int, int, int, int], float] = {}
    for member, t, u, v, p, q, _, new_p, new_q, _, _ in rows:
        for actor, issue, pos in ((u, p, new_p), (v, q, new_q)):
            key = (int(member), int(t), int(actor), int(issue))
            start = seen.get(key)
            base = run.positions[int(t) - 1, int(member), int(actor), int(issue)]
            if start is not None:
                assert np.sign(pos - base) == start or pos == base
            else:
                seen[key] = np.sign(pos - base)
    single = exchange_rounds(x[:1], s[:1], c[:1], mask[:1], fallback[:1], rounds=4)
    np.testing.assert_array_equal(
        single.outcomes[:, 0], run.outcomes[: single.outcomes.shape[0], 0]
    )


def test_cop_files_run(benchmarks: Path) -> None:
    """§5.12: smoke test on both COP files (parse, run, stable output)."""
    for name, shape in (("copenhagen", (11, 7)), ("cop21", (15, 13))):
        scenario = load_scenario(benchmarks / "unfccc_decide" / f"{name}.csv")
        first = forecast(scenario, "exchange")
        again = forecast(scenario, "exchange")
        assert first.trajectory.shape[2:] == shape
        assert np.isfinite(first.outcome).all()
        assert len(first.diagnostics["exchanges"][0]) > 0
        np.testing.assert_array_equal(first.outcome, again.outcome)
        assert ((first.outcome >= 0) & (first.outcome <= 100)).all()


def test_bad_options() -> None:
    a = _arrays([[0, 0], [100, 100]], [[0.1, 0.9], [0.6, 0.5]])
    with pytest.raises(OptionError, match="rounds"):
        ExchangeModel(rounds=0).forecast(a)
    with pytest.raises(OptionError, match="must not exceed 1"):
        ExchangeModel(salience_weight=0.8, fixed_weight=0.5).forecast(a)
