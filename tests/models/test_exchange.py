"""Exchange model: hand-worked cases, the closed form, invariants, the COP files.

The model: ``docs/models/exchange.md``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from minilateral.api import forecast, load_scenario
from minilateral.arrays import ScenarioArrays
from minilateral.errors import OptionError
from minilateral.library import list_scenarios
from minilateral.models.baselines import compromise
from minilateral.models.exchange import (
    SUPPLIER_TARGETS,
    ExchangeModel,
    ExchangeRun,
    equal_gain,
    exchange_rounds,
)
from tests.reference.exchange_loop import Candidate, evaluate, exchange_loop, outcome


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
    """The Decide test suite's two actors, two issues.

    Values: ``docs/models/exchange.md#hand-checked-values``.
    """
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
    """Equal ratios: no gain; a round without exchange stops the run (converged).

    Roles: ``docs/models/exchange.md#candidates-and-roles``.
    """
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
    """Ties: two identical pairs (A1–A2 and A3–A4): the lower actor pair trades first."""
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
    """Decide's sequential construction of the equal-gain size, written as steps."""
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
    """Smoke test on both COP files: parse, run, stable output.

    The files: ``docs/models/exchange.md#the-cop-files``.
    """
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


# -- supplier_target: the partner's position a supplier moves toward --------------------------


def test_supplier_target_changes_the_third_exchange_worked_by_hand() -> None:
    r"""Two actors, three issues (0, 1, 2), capability 1, scale 0–100.

    A at (20, 100, 80), saliences (.9, .1, .5); B at (50, 50, 50), saliences (.6, .5, .9).
    W = (1.5, .6, 1.4); O = (32, 58.3333, 60.7143); A is left of O on 0 and right on 1 and 2,
    B the reverse, so all three issue pairs are candidates. Roles: on (0, 1) and (0, 2) B
    supplies 0 (s_B0/s_B1 = 1.2 < 9, .667 < 1.8), on (1, 2) A supplies 1 (.2 < .556).

    1. (0, 2): λ = min(12/1.4, 10.7143/1.5, 12/1.4, 10.7143/1.5) = 50/7 (A's full move and
       O_2 reaching B bind together); G = (50/7)(.9·.9 − .6·.5) = 3.642857; B 50 → 25 on 0,
       A 80 → 50 on 2 (onto B); O_0 = 22, O_2 = 50.
    2. (0, 1): λ = 2/.6 = 3.3333 (B's full move to A and O_0 reaching A bind);
       G = 3.3333(.9·.5 − .6·.1) = 1.3; B 25 → 20 on 0, A 100 → 70 on 1; O_0 = 20,
       O_1 = 53.3333.
    3. (1, 2), A supplies 1 toward B (50), B supplies 2 toward A. With ``current`` B's target
       is A's vote on 2, which is 50 since exchange 1, B's own position: no move, no exchange.
       With ``round_start`` the target is A's round-start position 80:
       λ = min(.1·20/.6/1.4, .9·30/1.4/.6, 3.3333/1.4, 30/.6) = 50/21 (A's full move and O_1
       reaching B bind together),
       G = (50/21)(.5·.5 − .1·.9) = 8/21 = 0.380952; A 70 → 50 on 1, B moves
       (50/21)·.6·1.4/.9 = 2.2222, 50 → 52.2222 on 2, past A's current vote of 50;
       O_1 = 50, O_2 = 51.4286.
    """
    a = _arrays([[20, 100, 80], [50, 50, 50]], [[0.9, 0.1, 0.5], [0.6, 0.5, 0.9]])
    runs = {t: ExchangeModel(rounds=1, supplier_target=t).forecast(a) for t in SUPPLIER_TARGETS}
    first_two = [
        # supplier_p, supplier_q, issue_p, issue_q, gain, position_p, position_q
        [1, 0, 0, 2, 3.642857, 25.0, 50.0],
        [1, 0, 0, 1, 1.3, 20.0, 70.0],
    ]
    for f in runs.values():
        np.testing.assert_allclose(f.diagnostics["exchanges"][0][:2, 1:8], first_two, atol=1e-6)
    assert len(runs["current"].diagnostics["exchanges"][0]) == 2
    np.testing.assert_allclose(runs["current"].outcome[0], [20.0, 160 / 3, 50.0])
    third = runs["round_start"].diagnostics["exchanges"][0][2]
    np.testing.assert_allclose(
        third[1:], [0, 1, 1, 2, 8 / 21, 50.0, 50 + 20 / 9, 50.0, 50 + 10 / 7], atol=1e-9
    )
    np.testing.assert_allclose(runs["round_start"].outcome[0], [20.0, 50.0, 50 + 10 / 7])


def test_supplier_target_declared_validated_and_default_unchanged() -> None:
    (spec,) = [o for o in ExchangeModel.option_specs() if o.name == "supplier_target"]
    assert spec.default == "current"
    assert spec.choices == ("current", "round_start") == SUPPLIER_TARGETS
    a = _arrays([[20, 100, 80], [50, 50, 50]], [[0.9, 0.1, 0.5], [0.6, 0.5, 0.9]])
    with pytest.raises(OptionError, match="must be one of current, round_start; got 'start'"):
        ExchangeModel(supplier_target="start").forecast(a)
    with pytest.raises(OptionError, match="supplier_target must be one of"):
        exchange_rounds(a.positions, a.salience, a.capability, a.mask, np.zeros((1, 3)),
                        supplier_target="partner")  # fmt: skip
    assert ExchangeModel.coerce_options({"supplier_target": "ROUND_START"}) == {
        "supplier_target": "round_start"
    }
    default, current = ExchangeModel().forecast(a), ExchangeModel(supplier_target="current")
    np.testing.assert_array_equal(default.outcome, current.forecast(a).outcome)
    assert default.options["supplier_target"] == "current"


# -- the plain-loop twin ------------------------------------------------------------------------


def _assert_same_run(run: ExchangeRun, member: int, loop, atol: float = 1e-9) -> None:
    rows = run.exchanges[run.exchanges[:, 0] == member, 1:]
    loop_rows = np.array(loop.exchanges).reshape(-1, rows.shape[1])
    assert rows.shape == loop_rows.shape
    np.testing.assert_array_equal(rows[:, :5], loop_rows[:, :5])  # round, actors, issues
    np.testing.assert_allclose(rows[:, 5:], loop_rows[:, 5:], rtol=0, atol=atol)
    assert run.rounds[member] == loop.rounds
    assert run.converged[member] == loop.converged
    t = loop.rounds + 1
    np.testing.assert_allclose(run.outcomes[:t, member], loop.outcomes, rtol=0, atol=atol)
    np.testing.assert_allclose(run.positions[:t, member], loop.positions, rtol=0, atol=atol)


@settings(max_examples=40, deadline=None, derandomize=True)
@given(
    seed=st.integers(0, 2**32 - 1),
    n=st.integers(2, 6),
    d=st.integers(2, 4),
    rounds=st.integers(1, 5),
    target=st.sampled_from(SUPPLIER_TARGETS),
    direction_check=st.booleans(),
)
def test_whole_runs_equal_the_loop_twin(seed, n, d, rounds, target, direction_check) -> None:
    """Every exchange (actors, issues, gain, votes, outcomes), every round's outcomes and
    preferred positions agree with the plain-loop twin, for both supplier targets."""
    rng = np.random.default_rng(seed)
    b = 2
    x = np.where(rng.random((b, n, d)) < 0.3, rng.choice([0.0, 50.0, 100.0], (b, n, d)),
                 rng.uniform(0, 100, (b, n, d)))  # fmt: skip
    s = rng.uniform(0.05, 1.0, (b, n, d))
    c = rng.choice([0.5, 1.0, 3.0], (b, n, 1)) * np.ones((b, n, d))
    mask = np.broadcast_to(rng.random((n, d)) > 0.15, (b, n, d)).copy()
    mask[:, 0] = True  # every issue has an actor
    cs = np.where(mask, c * s, 0.0)
    fallback = np.einsum("bnd,bnd->bd", cs, np.where(mask, x, 0)) / cs.sum(axis=1)
    options = {"rounds": rounds, "direction_check": direction_check, "supplier_target": target}
    run = exchange_rounds(x, s, c, mask, fallback, **options)
    for k in range(b):
        _assert_same_run(run, k, exchange_loop(x[k], s[k], c[k], mask[k], fallback[k], **options))


def _cop(benchmarks: Path, name: str) -> ScenarioArrays:
    return load_scenario(benchmarks / "unfccc_decide" / f"{name}.csv").to_arrays()


@pytest.mark.parametrize("target", SUPPLIER_TARGETS)
def test_copenhagen_whole_run_equals_the_loop_twin(benchmarks: Path, target: str) -> None:
    """COP15, 10 rounds (371 exchanges with ``current``, 396 with ``round_start``)."""
    a = _cop(benchmarks, "copenhagen")
    z, fallback = 100.0 * a.unit_positions(), 100.0 * compromise(a)
    run = exchange_rounds(z, a.salience, a.capability, a.mask, fallback, supplier_target=target)
    loop = exchange_loop(
        z[0], a.salience[0], a.capability[0], a.mask[0], fallback[0], supplier_target=target
    )
    assert len(loop.exchanges) == {"current": 371, "round_start": 396}[target]
    _assert_same_run(run, 0, loop)


# -- COP21 regression ---------------------------------------------------------------------------

COP21_FIRST = [  # supplier on p, issue p, supplier on q, issue q, gain (0–100 scale)
    ("China", "finance_vol", "USA", "eaa", 2.190722),
    ("China", "differentiation", "USA", "finance_who", 1.795604),
    ("USA", "adapt_legal", "Arab_statess", "finance_vol", 1.387260),
    ("LDCs_BGD", "legal", "USA", "adapt_inst", 1.355787),
    ("China", "adapt_finance", "LDCs_BGD", "eaa", 1.214784),
    ("India", "mrv", "EU28", "eaa", 1.127406),
    ("Arab_statess", "differentiation", "Japan", "finance_who", 1.119467),
    ("LDCs_BGD", "differentiation", "Russia", "adapt_legal", 1.088768),
    ("Arab_statess", "legal", "AOSISs", "finance_who", 1.074941),
    ("AOSISs", "ld", "USA", "amb2050", 0.979799),
]
COP21_21ST = ("EU28", "adapt_finance", "AOSISs", "amb2050", 0.610738)
COP21_22ND = {
    "current": ("AOSISs", "differentiation", "Brazil", "adapt_finance", 0.576461),
    "round_start": ("AOSISs", "differentiation", "Arab_statess", "ld", 0.605284),
}
COP21_ROUND_10 = {  # issues in file order: differentiation, mrv, legal, adapt_legal,
    # adapt_inst, finance_vol, finance_who, adapt_finance, ld, progress, amb2050, amb2100, eaa
    "current": [45.7418, 60.4337, 42.9137, 79.6483, 62.3421, 92.7880, 55.4360, 58.0485,
                5.5565, 31.1506, 68.6891, 90.9200, 9.3484],
    "round_start": [43.9816, 56.9585, 43.6259, 79.8118, 68.1366, 81.2107, 44.2015, 69.3065,
                    6.2223, 42.1215, 73.1800, 91.0117, 22.3018],
}  # fmt: skip


@pytest.mark.parametrize("target", SUPPLIER_TARGETS)
def test_cop21_regression(benchmarks: Path, target: str) -> None:
    """COP21 (15 actors × 13 issues, 10 rounds): the first exchanges and round-10 outcomes.

    Both supplier targets realise the same first 21 exchanges of round 1 (no supplier's
    partner has moved on the supplier's issue before then). The first ten (supplier on p,
    issue p ↔ supplier on q, issue q, gain):

    1 China finance_vol ↔ USA eaa 2.190722; 2 China differentiation ↔ USA finance_who
    1.795604; 3 USA adapt_legal ↔ Arab_statess finance_vol 1.387260; 4 LDCs_BGD legal ↔ USA
    adapt_inst 1.355787; 5 China adapt_finance ↔ LDCs_BGD eaa 1.214784; 6 India mrv ↔ EU28 eaa
    1.127406; 7 Arab_statess differentiation ↔ Japan finance_who 1.119467; 8 LDCs_BGD
    differentiation ↔ Russia adapt_legal 1.088768; 9 Arab_statess legal ↔ AOSISs finance_who
    1.074941; 10 AOSISs ld ↔ USA amb2050 0.979799.

    21 EU28 adapt_finance ↔ AOSISs amb2050 0.610738 — the exchange where the open
    implementation first differs (0.374 there). None of the 20 exchanges before it involves
    EU28 or AOSISs on adapt_finance or amb2050, but at the start of the round its outcome
    bound on amb2050 binds (|65 − 67.8775| / 1.5 = 1.9183 < both full moves): G = 0.374077.
    Exchange 10 moves USA's vote on amb2050 and the outcome to 77.6755, away from EU28's 65;
    the bound relaxes and AOSISs's full move binds instead: G = 0.610738 with the current
    outcomes. An implementation that does not re-evaluate it keeps 0.374.

    22: ``current`` AOSISs differentiation ↔ Brazil adapt_finance 0.576461; ``round_start``
    AOSISs differentiation ↔ Arab_statess ld 0.605284 (here the two readings part).

    Round-10 outcomes (0–100), ``current`` / ``round_start``: differentiation 45.7418 /
    43.9816, mrv 60.4337 / 56.9585, legal 42.9137 / 43.6259, adapt_legal 79.6483 / 79.8118,
    adapt_inst 62.3421 / 68.1366, finance_vol 92.7880 / 81.2107, finance_who 55.4360 /
    44.2015, adapt_finance 58.0485 / 69.3065, ld 5.5565 / 6.2223, progress 31.1506 / 42.1215,
    amb2050 68.6891 / 73.1800, amb2100 90.9200 / 91.0117, eaa 9.3484 / 22.3018
    (1 035 and 1 207 exchanges).
    """
    scenario = load_scenario(benchmarks / "unfccc_decide" / "cop21.csv")
    f = forecast(scenario, "exchange", options={"supplier_target": target})
    rows = f.diagnostics["exchanges"][0]
    assert len(rows) == {"current": 1035, "round_start": 1207}[target]
    named = [
        (f.actors[int(r[1])], f.issues[int(r[3])], f.actors[int(r[2])], f.issues[int(r[4])])
        for r in rows[:22]
    ]
    expected = [*COP21_FIRST, COP21_21ST, COP21_22ND[target]]
    assert named[:10] == [e[:4] for e in COP21_FIRST]
    assert named[20:22] == [e[:4] for e in expected[10:]]
    np.testing.assert_allclose(rows[:10, 5], [e[4] for e in COP21_FIRST], atol=1e-6)
    np.testing.assert_allclose(rows[20:22, 5], [e[4] for e in expected[10:]], atol=1e-6)
    assert (rows[:21, 0] == 1).all()
    np.testing.assert_allclose(f.outcome[0], COP21_ROUND_10[target], atol=5e-5)


def test_cop21_unaffected_candidate_changes_gain_when_a_bound_binds(benchmarks: Path) -> None:
    """The 21st COP21 exchange shares no actor-issue with the 20 before it, yet its gain moves
    from 0.374077 (round start, outcome bound binding) to 0.610738 (see the regression test)."""
    a = _cop(benchmarks, "cop21")
    z, fallback = 100.0 * a.unit_positions(), 100.0 * compromise(a)
    s, c, mask = a.salience[0].tolist(), a.capability[0].tolist(), a.mask[0].tolist()
    actors, issues = list(a.actors), list(a.issues)
    cand = Candidate(
        actors.index("EU28"), actors.index("AOSISs"),
        issues.index("adapt_finance"), issues.index("amb2050"),
    )  # fmt: skip
    x = np.where(a.mask[0], z[0], 0.0).tolist()
    out = [outcome(x, s, c, mask, fallback[0], q) for q in range(len(issues))]
    start = evaluate(cand, x, x, out, s, c, mask, target="current", direction_check=True)
    assert start is not None
    assert start[0] == pytest.approx(0.374077, abs=1e-6)
    run = exchange_rounds(z, a.salience, a.capability, a.mask, fallback, rounds=1)
    earlier, row = run.exchanges[:20, 1:], run.exchanges[20, 1:]
    own = {(cand.u, cand.p), (cand.v, cand.q), (cand.u, cand.q), (cand.v, cand.p)}
    touched = {(int(r[1]), int(r[3])) for r in earlier} | {(int(r[2]), int(r[4])) for r in earlier}
    assert not own & touched
    assert tuple(int(v) for v in row[1:5]) == (cand.u, cand.v, cand.p, cand.q)
    assert row[5] == pytest.approx(0.610738, abs=1e-6)


# -- both targets on every input ----------------------------------------------------------------


def _every_input() -> list:
    embedded = [pytest.param(e.path, id=e.name) for e in list_scenarios() if e.origin == "embedded"]
    cop = [pytest.param(name, id=name) for name in ("copenhagen", "cop21")]
    return embedded + cop


@pytest.mark.parametrize("target", SUPPLIER_TARGETS)
@pytest.mark.parametrize("source", _every_input())
def test_both_targets_run_on_every_theatre_and_cop_file(source, target, request) -> None:
    """Each embedded theatre and both COP files: finite outcomes within each issue's scale,
    at least one exchange, the option recorded, and the same result on a second run."""
    if isinstance(source, str):
        source = request.getfixturevalue("benchmarks") / "unfccc_decide" / f"{source}.csv"
    scenario = load_scenario(source)
    f = forecast(scenario, "exchange", options={"supplier_target": target})
    again = forecast(scenario, "exchange", options={"supplier_target": target})
    a = scenario.to_arrays()
    assert np.isfinite(f.outcome).all()
    assert ((f.outcome >= a.scale[:, 0] - 1e-9) & (f.outcome <= a.scale[:, 1] + 1e-9)).all()
    assert len(f.diagnostics["exchanges"][0]) > 0
    assert f.options["supplier_target"] == target
    np.testing.assert_array_equal(f.outcome, again.outcome)
