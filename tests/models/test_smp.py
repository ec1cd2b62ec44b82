"""The ``smp`` model against KTAB's golden trajectories, spec §12 and the invariants of §13."""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from minilateral.api import forecast, load_scenario
from minilateral.cli import app
from minilateral.errors import ConvergenceWarning, OptionError, ScenarioError
from minilateral.ktab import SMP_OPTIONS
from minilateral.models.registry import get_model
from minilateral.models.smp import SmpModel, SmpOptions, pce
from tests.reference import smp_loop, smp_twin
from tests.reference.smp_loop import arrays_of as _arrays
from tests.reference.smp_loop import draw_scenario
from tests.reference.smp_loop import run as reference_run

GOLDEN = {
    "dummyData_3Dim": "examples/dummyData_3Dim.csv",
    "dummyData_6Dim": "examples/dummyData_6Dim.csv",
    "dummyData-a040": "examples/dummyData-a040.csv",
    "dummyData-a080": "examples/dummyData-a080.csv",
    "dummyData-a160": "examples/dummyData-a160.csv",
    "SOE-Policy": "examples/SOE-Policy.csv",
    "SOE-Competitive": "examples/SOE-Competitive.csv",
    "SOE-Pol-Comp": "examples/SOE-Pol-Comp.csv",
    **{
        f"opt_d3_{v}": f"derived_inputs/d3_{v}.xml"
        for v in (
            "acc_0.5",
            "bra_TwoThirds",
            "brr_Max",
            "ivb_S1P1",
            "pce_MarkovIncentive",
            "tpc_FullCommit",
            "vpm_Binary",
            "vpm_Square",
            "vr_Binary",
            "vr_PropBin",
        )
    },
}


def _read_trajectory(path: Path) -> tuple[str, list[list[str]]]:
    lines = path.read_text().splitlines()
    comment = lines[0]
    assert comment.startswith("#")
    return comment, [line.split(",") for line in lines[1:]]


def _turns(comment: str) -> int:
    return int(re.search(r"turns=(\d+)", comment).group(1))


def _compare(golden: Path, written: Path, tol: float) -> None:
    g_comment, g_rows = _read_trajectory(golden)
    w_comment, w_rows = _read_trajectory(written)
    assert _turns(w_comment) == _turns(g_comment)
    assert len(w_rows) == len(g_rows)
    assert w_rows[0] == g_rows[0]  # header
    for g, w in zip(g_rows[1:], w_rows[1:], strict=True):
        assert w[:3] == g[:3]
        np.testing.assert_allclose(np.array(w[3:], float), np.array(g[3:], float), rtol=0, atol=tol)


@pytest.mark.parametrize("name", sorted(GOLDEN))
def test_golden_trajectory_via_cli(name, shared, tmp_path):
    """`forecast INPUT --model smp --trajectory-out t.csv` equals KTAB's golden file (§10)."""
    golden = shared / "benchmarks" / "ktab_golden" / f"traj_{name}.csv"
    out = tmp_path / "t.csv"
    source = shared / "ktab_data" / GOLDEN[name]
    result = CliRunner().invoke(
        app, ["forecast", str(source), "--model", "smp", "--trajectory-out", str(out)]
    )
    assert result.exit_code == 0, result.output
    tol = 1e-6 if "S2PMax" in name else 1e-9
    _compare(golden, out, tol)


def test_xml_without_ideal_adjustment_gives_the_csv_run(shared):
    """dummyData_3Dim.xml (no IdealAdjustment: A = I) reproduces the CSV's golden run."""
    xml = forecast(load_scenario(shared / "ktab_data/examples/dummyData_3Dim.xml"), "smp")
    csv = forecast(
        load_scenario(shared / "ktab_data/examples/dummyData_3Dim-no-final-comma.csv"), "smp"
    )
    assert xml.rounds[0] == csv.rounds[0] == 10
    np.testing.assert_array_equal(xml.trajectory, csv.trajectory)


def test_set_overrides_file_options(shared, tmp_path):
    """--set on the command line beats the options stored in an XML file."""
    out = tmp_path / "t.csv"
    source = shared / "ktab_data/derived_inputs/d3_vr_Binary.xml"
    result = CliRunner().invoke(
        app,
        [
            "forecast",
            str(source),
            "-m",
            "smp",
            "--set",
            "VotingRule=Proportional",
            "--trajectory-out",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    _compare(shared / "benchmarks/ktab_golden/traj_dummyData_3Dim.csv", out, 1e-9)


def test_rounds_caps_turns(shared):
    s = load_scenario(shared / "ktab_data/examples/SOE-Pol-Comp.csv")
    with pytest.warns(ConvergenceWarning, match="cap of 3 turns"):
        f = forecast(s, "smp", options={"max_turns": 3})
    assert f.rounds[0] == 3
    assert not f.converged[0]
    full = forecast(s, "smp")
    np.testing.assert_array_equal(f.trajectory[:4], full.trajectory[:4])


# -- spec §12: the worked turn-0 example ---------------------------------------------------------
W12 = np.array(
    [
        [1.0000, 0.9031, 0.6387, 0.8701, 0.9289, 0.8818, 0.8900],
        [0.6748, 1.0000, 0.6347, 0.8249, 0.8581, 0.7674, 0.7464],
        [0.5561, 0.6356, 1.0000, 0.6032, 0.5730, 0.4849, 0.4648],
        [0.6424, 0.8017, 0.5700, 1.0000, 0.8957, 0.7999, 0.8108],
        [0.8048, 0.8618, 0.6218, 0.8387, 1.0000, 0.9132, 0.8721],
        [0.7656, 0.6651, 0.4533, 0.8065, 0.8899, 1.0000, 0.9351],
        [0.8127, 0.7253, 0.4223, 0.8155, 0.8655, 0.9127, 1.0000],
    ]
)
P12 = {
    (0, 1): 0.2048,
    (0, 6): 0.7643,
    (1, 0): 0.7964,
    (2, 4): 0.8791,
    (3, 5): 0.4263,
    (4, 0): 0.5836,
    (5, 6): 0.8757,
    (6, 1): 0.3970,
    (6, 5): 0.1280,
}
G12 = {
    (0, 1): -0.0301,
    (0, 6): 0.0947,
    (1, 0): 0.2810,
    (2, 4): 0.4310,
    (3, 5): 0.0265,
    (4, 0): 0.0116,
    (4, 5): 0.0013,
    (5, 6): 0.0621,
    (6, 1): 0.0286,
    (6, 5): -0.0431,
}


def _d3_inputs(shared):
    arrays = load_scenario(shared / "ktab_data/examples/dummyData_3Dim.csv").to_arrays()
    x = arrays.unit_positions()
    return x, arrays.salience, arrays.capability[:, :, 0]


WORKED_TURN1 = [
    [79.54, 44.71, 72.05],
    [78.93, 56.33, 72.52],
    [82.45, 90.89, 0.07],
    [65.82, 50.76, 63.02],
    [79.54, 44.72, 72.05],
    [84.39, 34.05, 86.34],
    [75.61, 24.79, 71.95],
]
WORKED_REPORT0 = [0.0047, 0.0302, 0.0054, 0.1492, 0.6001, 0.1447, 0.0656]


def test_worked_example_whole_run(shared):
    """§12 worked example through the public model: state 1, the first move, reported π of 0."""
    scenario = load_scenario(shared / "ktab_data/examples/dummyData_3Dim.csv")
    f = forecast(scenario, "smp")  # the defaults are the worked example's options
    assert f.options["BigRAdjust"] == "OneThird"
    np.testing.assert_allclose(f.trajectory[1, 0], WORKED_TURN1, atol=1e-9)
    step = (f.trajectory[1, 0] - f.trajectory[0, 0]) / 100
    assert np.sqrt((step * step).sum(axis=1)).sum() == pytest.approx(0.8739, abs=5e-5)
    np.testing.assert_allclose(f.diagnostics["win_probabilities"][0][0], WORKED_REPORT0, atol=5e-5)


def test_worked_example_turn0_step_by_step(shared):
    """§12 worked example, each quantity of turn 0, on the frozen twin of the SMP core.

    The twin's pieces are held to the published values here; the live model equals the twin
    bit for bit over whole runs (``tests/reference/test_twins.py``) and reproduces the
    published state 1 (:func:`test_worked_example_whole_run`).
    """
    t = smp_twin
    o = t._Opts("Linear", "Conditional", False, "Prop", 1.0 / 3.0, "Mid", "SemiCommit", "S2P2")
    x, s, c = _d3_inputs(shared)
    big_s = s.sum(axis=2)
    np.testing.assert_allclose(
        big_s[0], [0.8359, 0.7634, 0.9664, 0.8221, 0.8898, 0.7769, 0.8571], atol=5e-5
    )
    w_eff = c * big_s
    np.testing.assert_allclose(
        w_eff[0], [85.7157, 40.7602, 125.2870, 62.4138, 56.2567, 93.2653, 46.4360], atol=5e-5
    )
    v, pi, r = t._state_values(x, x, s, c, o)
    np.testing.assert_allclose(1.0 - v[0], W12, atol=5e-5)
    np.testing.assert_allclose(
        pi[0], [0.0018, 0.0209, 0.0021, 0.1078, 0.7054, 0.1276, 0.0345], atol=5e-5
    )
    np.testing.assert_allclose(
        r[0], [-0.5, -0.4593, -0.4995, -0.2741, 1.0, -0.2319, -0.4303], atol=5e-5
    )
    w4 = t._perception(v, r, o.alpha)
    np.testing.assert_allclose(
        w4[0, 0, 0], [1.0, 0.8593, 0.5233, 0.8136, 0.8958, 0.8297, 0.8410], atol=5e-5
    )
    p, gain = t._challenges(w4, w_eff, big_s, o)
    for (i, j), value in P12.items():
        assert p[0, i, j] == pytest.approx(value, abs=5e-5)
    for (i, j), value in G12.items():
        assert gain[0, i, j] == pytest.approx(value, abs=5e-5)
    target, p_star = t._targets(p, gain)
    assert target[0].tolist() == [6, 0, 6, 0, 0, 1, 1]
    bi, bj = t._bargains(x, s, target, p_star, "S2P2")
    np.testing.assert_allclose(100 * bi[0, 4], [79.54, 44.72, 72.05], atol=1e-9)
    np.testing.assert_allclose(100 * bj[0, 4], [79.54, 44.71, 72.05], atol=1e-9)
    np.testing.assert_allclose(100 * bj[0, 0], [75.61, 24.79, 71.95], atol=1e-9)
    own = w4[:, np.arange(7), np.arange(7), :]
    new_x = t._resolve(own, x, s, c, r, x, target, bi, bj, o, None)
    np.testing.assert_allclose(100 * new_x[0], WORKED_TURN1, atol=1e-9)
    step = new_x - x
    assert np.sqrt((step * step).sum(axis=2)).sum() == pytest.approx(0.8739, abs=5e-5)
    report = t._win_probabilities(own, c, x, o)
    np.testing.assert_allclose(report[0], WORKED_REPORT0, atol=5e-5)


def test_reported_probabilities_match_the_log(shared):
    """§12: the reported probabilities of states 0–10 (KTAB's 2017 log)."""
    f = forecast(load_scenario(shared / "ktab_data/examples/dummyData_3Dim.csv"), "smp")
    probs = f.to_dict()["win_probabilities"]
    assert len(probs) == 11
    col = [row[0] for row in probs]
    np.testing.assert_allclose(
        col,
        [0.0047, 0.6059, 0.3618, 0.2234, 0.2420, 0.4040, 0.4031, 0.3546, 0.4593, 0.3962, 0.3340],
        atol=5e-5,
    )
    np.testing.assert_allclose([row[2] for row in probs][-1], 0.0183, atol=5e-5)


# -- options, aliases, refusals ------------------------------------------------------------------
def test_aliases_and_option_listing():
    model = get_model(
        "smp", VotingRule="Proportional", BigRAdjust="No", StateTransition="Deterministic"
    )
    params = model.resolved_options()
    assert params["VotingRule"] == "Prop"
    assert params["BigRAdjust"] == "None"
    result = CliRunner().invoke(app, ["models"])
    assert "VictoryProbModel=Linear" in result.output
    assert "smp" in result.output
    with pytest.raises(OptionError, match="VotingRule"):
        get_model("smp", VotingRule="Majority")


@pytest.mark.parametrize("value", ["InitRcvrInterp", "PWCompInterp"])
def test_miscoded_bargain_models_are_refused(value, shared):
    s = load_scenario(shared / "ktab_data/examples/dummyData_3Dim.csv")
    with pytest.raises(OptionError, match="mis-codes"):
        forecast(s, "smp", options={"BargnModel": value})


def test_flagged_options_run_deterministically(shared):
    s = load_scenario(shared / "ktab_data/examples/dummyData_3Dim.csv")
    for opts in ({"VotingRule": "ASymProsp"}, {"BigRAdjust": "Full"}):
        a, b = forecast(s, "smp", options=opts), forecast(s, "smp", options=opts)
        np.testing.assert_array_equal(a.trajectory, b.trajectory)
        assert "no KTAB reference" in a.diagnostics["notes"][0][0]


def test_stochastic_is_reproducible_per_seed(shared):
    s = load_scenario(shared / "ktab_data/derived_inputs/smpExample_fixed.xml")
    assert s.model_options["smp"]["StateTransitions"] == "Stochastic"
    a, b = forecast(s, "smp"), forecast(s, "smp")
    np.testing.assert_array_equal(a.trajectory, b.trajectory)
    assert a.provenance["seed"] == 3507583219545544127
    runs = {tuple(forecast(s, "smp", seed=k).trajectory[-1].ravel()) for k in range(6)}
    assert len(runs) > 1


def test_consensus_ends_the_run_at_once():
    arrays = _arrays(np.full((1, 4, 2), 40.0), np.full((1, 4, 2), 0.3), np.ones((1, 4)))
    f = SmpModel().forecast(arrays)
    assert f.rounds[0] == 0
    assert f.converged[0]
    np.testing.assert_allclose(f.outcome, [[40.0, 40.0]])


# -- invariants of spec §13 on random scenarios drawn as in §4.4 --------------------------------
option_sets = st.fixed_dictionaries(
    {
        name: st.sampled_from([v for v in values if v not in ("InitRcvrInterp", "PWCompInterp")])
        for name, values in SMP_OPTIONS.items()
    }
)


@settings(
    max_examples=6, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(5, 80), d=st.integers(1, 3), opts=option_sets)
def test_invariants_on_random_scenarios(seed, n, d, opts):
    rng = np.random.default_rng(seed)
    x, s, c = draw_scenario(rng, n, d)
    arrays = _arrays(x[None], s[None], c[None])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        f = SmpModel(**opts).forecast(arrays, rng=seed)
        again = SmpModel(**opts).forecast(arrays, rng=seed)
    np.testing.assert_array_equal(f.trajectory, again.trajectory)  # bit-identical
    t = int(f.rounds[0])
    traj = f.trajectory[: t + 1, 0]
    assert np.all((traj >= 0) & (traj <= 100))
    assert t <= 100
    assert t >= 2 or np.all(traj[-1] == traj[-1, :1])
    probs = f.diagnostics["win_probabilities"][0]
    assert probs.shape == (t + 1, n)
    assert np.all(probs >= 0)
    assert np.all(probs <= 1 + 1e-12)
    for step in range(t):
        _check_moves(traj[step] / 100, traj[step + 1] / 100, s, c, opts)
    other = "FullCommit" if opts["ThirdPartyCommit"] == "NoCommit" else "NoCommit"
    if opts["ThirdPartyCommit"] != "SemiCommit" and opts["StateTransitions"] == "Deterministic":
        g = SmpModel(**{**opts, "ThirdPartyCommit": other}).forecast(arrays)
        np.testing.assert_array_equal(g.trajectory, f.trajectory)


def _check_moves(x, new_x, s, c, opts):
    """Per state: V, u, PCE and R bounds; every move is to a bargain point the actor is party to.

    The state's values and bargains come from the frozen twin of the SMP core (equal to the live
    core bit for bit over whole runs, ``tests/reference/test_twins.py``).
    """
    t = smp_twin
    o = t._Opts(
        opts["VictoryProbModel"],
        opts["PCEModel"],
        False,
        opts["VotingRule"],
        {"None": 0.0, "OneThird": 1 / 3, "Half": 0.5, "TwoThirds": 2 / 3, "Full": 1.0}[
            opts["BigRAdjust"]
        ],
        opts["BigRRange"],
        opts["ThirdPartyCommit"],
        opts["InterVecBrgn"],
    )
    x, s, c = x[None], s[None], c[None]
    v, pi, r = t._state_values(x, x, s, c, o)
    assert np.all((v >= 0) & (v <= 1 + 1e-12))
    assert abs(pi.sum() - 1) < 1e-12
    assert np.all(pi >= 0)
    lo = {"Min": 0.0, "Mid": -0.5, "Max": -1.0}[o.brr]
    if np.ptp(pi) > 0:
        assert np.all(r >= lo - 1e-12)
        assert abs(r.max() - 1) < 1e-12
    w4 = t._perception(v, np.nan_to_num(r), o.alpha)
    assert np.all((w4 >= -1e-12) & (w4 <= 1 + 1e-12))
    target, p_star = t._targets(*t._challenges(w4, c * s.sum(axis=2), s.sum(axis=2), o))
    bi, bj = t._bargains(x, s, target, p_star, o.ivb)
    for k in range(x.shape[1]):
        allowed = [x[0, k]]
        if target[0, k] >= 0:
            allowed.append(bi[0, k])
        allowed += [bj[0, i] for i in np.nonzero(target[0] == k)[0]]
        assert any(np.allclose(new_x[k], p, rtol=0, atol=1e-12) for p in allowed)


@settings(max_examples=10, deadline=None, derandomize=True)
@given(
    seed=st.integers(0, 2**32 - 1),
    n=st.integers(5, 10),
    d=st.integers(1, 3),
    opts=option_sets,
    diag=st.sampled_from([None, 0.5, 0.2]),
)
def test_vectorised_equals_plain_loop_reference(seed, n, d, opts, diag):
    rng = np.random.default_rng(seed)
    x, s, c = draw_scenario(rng, n, d)
    names = [f"a{i}" for i in range(n)]
    acc = None if diag is None else [[a, a, diag] for a in names]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        f = SmpModel(**opts, accommodation=acc).forecast(
            _arrays(x[None], s[None], c[None]), rng=seed
        )
    ref = reference_run(
        (x / 100).tolist(),
        s.tolist(),
        c.tolist(),
        opts,
        None if diag is None else (diag * np.eye(n)).tolist(),
        rng=np.random.default_rng(seed),
    )
    assert int(f.rounds[0]) == len(ref) - 1
    np.testing.assert_allclose(f.trajectory[: len(ref), 0], 100 * np.array(ref), atol=1e-9)


@settings(max_examples=25, deadline=None, derandomize=True)
@given(seed=st.integers(0, 2**32 - 1), m=st.integers(1, 9), k=st.integers(1, 12), opts=option_sets)
def test_pce_is_a_probability_vector(seed, m, k, opts):
    """The public batched PCE is a probability vector, equals the frozen twin's and the loop's."""
    rng = np.random.default_rng(seed)
    o = SmpOptions(
        opts["VictoryProbModel"],
        opts["PCEModel"],
        False,
        opts["VotingRule"],
        0.0,
        "Mid",
        "SemiCommit",
        "S2P2",
    )
    w, u = rng.uniform(1, 100, (2, k)), rng.uniform(0, 1, (2, k, m))
    p = pce(w, u, o)
    twin = smp_twin._Opts(*(getattr(o, f) for f in o.__dataclass_fields__))
    np.testing.assert_array_equal(p, smp_twin.pce(w, u, twin))
    assert p.shape == (2, m)
    assert np.all(p >= 0)
    np.testing.assert_allclose(p.sum(axis=1), 1.0, atol=1e-12)
    for g in range(2):
        loop = smp_loop.pce(w[g].tolist(), u[g].tolist(), opts)
        np.testing.assert_allclose(p[g], loop, rtol=0, atol=1e-6)


def test_batch_rows_equal_single_runs():
    rng = np.random.default_rng(7)
    runs = [draw_scenario(rng, 9, 2) for _ in range(3)]
    batch = _arrays(*(np.stack(parts) for parts in zip(*runs, strict=True)))
    fb = SmpModel().forecast(batch)
    for k, (x, s, c) in enumerate(runs):
        f1 = SmpModel().forecast(_arrays(x[None], s[None], c[None]))
        t = int(f1.rounds[0])
        assert fb.rounds[k] == t
        np.testing.assert_array_equal(fb.trajectory[: t + 1, k], f1.trajectory[:, 0])
        np.testing.assert_array_equal(fb.outcome[k], f1.outcome[0])


# -- mapping other scenarios onto SMP (docs/models/smp.md) ---------------------------------------
def _yaml_scenario(tmp_path, actors: str):
    path = tmp_path / "s.yaml"
    path.write_text(
        "title: t\nissues:\n  - {name: a, lo: 0, hi: 10}\n  - {name: b, lo: -1, hi: 1}\n"
        f"actors:\n{actors}"
    )
    return load_scenario(path)


def test_mapping_rescales_saliences_and_imputes_missing_cells(tmp_path):
    s = _yaml_scenario(
        tmp_path,
        (
            "  - {name: A, capability: 10, positions: {a: 2, b: -1}, salience: {a: 1.0, b: 0.6}}\n"
            "  - {name: B, capability: 30, positions: {a: 8, b: 1}, salience: {a: 0.3, b: 0.2}}\n"
            "  - {name: C, capability: 20, positions: {a: 5}, salience: {a: 0.9}}\n"
        ),
    )
    f = forecast(s, "smp")
    assert f.diagnostics["salience_rescaled"][0] == ["A"]
    assert f.diagnostics["imputed_cells"][0] == 1
    assert np.isnan(f.trajectory[0, 0, 2, 1])
    assert np.all((f.outcome[0] >= [0, -1]) & (f.outcome[0] <= [10, 1]))


def test_zero_capability_is_refused(tmp_path):
    s = _yaml_scenario(
        tmp_path,
        (
            "  - {name: A, capability: 0, positions: {a: 2, b: -1}, salience: {a: 1.0, b: 0.6}}\n"
            "  - {name: B, capability: 30, positions: {a: 8, b: 1}, salience: {a: 0.3, b: 0.2}}\n"
        ),
    )
    with pytest.raises(ScenarioError, match="actor 'A' has capability 0"):
        forecast(s, "smp")


def test_markov_tail_equals_step_by_step_iteration():
    """The binary-lifting tail of slowly mixing Markov PCEs lands on the stepwise iterate."""
    a, b = 2e-4, 1e-4
    t_mat = np.array([[1 - a, b], [a, 1 - b]])
    prob = np.array([0.5, 0.5])
    steps = 0
    while True:
        q = t_mat @ prob
        delta = np.abs(q - prob).max()
        prob = (prob + q) / 2
        steps += 1
        if delta <= 1e-8:
            break
    assert steps > 10_000
    tail = smp_twin._markov_tail(t_mat, np.array([0.5, 0.5]), 1e-8, "MarkovIncentive")
    np.testing.assert_allclose(tail, prob, rtol=0, atol=1e-12)


def test_flat_risk_pce_ends_the_run_with_a_warning():
    """All actors indifferent: π is flat although positions differ (where KTAB aborts)."""
    x = np.array([[[10.0], [50.0], [90.0]]])
    arrays = _arrays(x, np.zeros((1, 3, 1)), np.ones((1, 3)))
    with pytest.warns(ConvergenceWarning, match="equally likely to win"):
        f = SmpModel().forecast(arrays)
    assert f.rounds[0] == 0
    assert not f.converged[0]
    assert "turn 0" in f.diagnostics["notes"][0][0]
    assert f.diagnostics["flat_risk"].tolist() == [True]
    assert f.to_dict()["flat_risk"] is True


def test_yaml_model_options_are_used_and_overridden(tmp_path):
    s = _yaml_scenario(
        tmp_path,
        (
            "  - {name: A, capability: 10, positions: {a: 2, b: -1}, salience: {a: 0.5, b: 0.3}}\n"
            "  - {name: B, capability: 30, positions: {a: 8, b: 1}, salience: {a: 0.3, b: 0.2}}\n"
            "  - {name: C, capability: 20, positions: {a: 5, b: 0}, salience: {a: 0.4, b: 0.4}}\n"
            "model_options:\n  smp: {VotingRule: Binary, max_turns: 1, seed: 7,\n"
            "        accommodation: [[A, A, 0.5]]}\n"
        ),
    )
    f = forecast(s, "smp")
    assert f.options["VotingRule"] == "Binary"
    assert f.options["accommodation"] == [["A", "A", 0.5]]
    assert f.rounds[0] == 1
    assert f.provenance["seed"] == 7
    g = forecast(s, "smp", options={"VotingRule": "Prop"}, seed=3)
    assert g.options["VotingRule"] == "Prop"
    assert g.provenance["seed"] == 3


@settings(max_examples=5, deadline=None, derandomize=True)
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(5, 30), d=st.integers(1, 3))
def test_identity_accommodation_keeps_ideals_at_positions(seed, n, d):
    """Spec §13: with A = I, ideals equal positions, so an explicit identity matrix gives the
    same trajectory, bit for bit, as the default, where ideals follow positions."""
    rng = np.random.default_rng(seed)
    x, s, c = draw_scenario(rng, n, d)
    arrays = _arrays(x[None], s[None], c[None])
    identity = [[a, a, 1.0] for a in arrays.actors]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        default = SmpModel().forecast(arrays)
        explicit = SmpModel(accommodation=identity).forecast(arrays)
    np.testing.assert_array_equal(explicit.trajectory, default.trajectory)
    assert explicit.rounds[0] == default.rounds[0]
