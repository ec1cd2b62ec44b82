"""BDM expected-utility model: spec §4.11–4.13 reference values and invariants."""

from __future__ import annotations

import csv
import importlib.util
import json
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from minilateral.api import forecast, load_scenario
from minilateral.arrays import ScenarioArrays
from minilateral.cli import app
from minilateral.errors import ConvergenceWarning, OptionError, ScenarioError
from minilateral.models import bdm as bdm_module
from minilateral.models.bdm import BDMModel, bdm_rounds, first_round_offers
from minilateral.models.registry import get_model

_REF_PATH = Path(__file__).resolve().parents[2] / "benchmarks" / "reference_bdm.py"
_spec = importlib.util.spec_from_file_location("reference_bdm", _REF_PATH)
assert _spec is not None
assert _spec.loader is not None
reference_bdm = importlib.util.module_from_spec(_spec)
sys.modules["reference_bdm"] = reference_bdm
_spec.loader.exec_module(reference_bdm)

TABLE2_MEDIAN = [8.4, 9.9, 9.9, 9.9, 9.9, 7.4, 8.8, 9.6]
TABLE2_MEAN = [7.4, 7.5, 7.6, 7.3, 7.3, 7.4, 7.5, 7.6]
ACTUAL = 8.833


@pytest.fixture(scope="module")
def emission(benchmarks: Path):
    return load_scenario(benchmarks / "emission_bdm1994" / "actors.csv")


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


def test_reference_trajectory_and_risk_exponents(emission, benchmarks: Path) -> None:
    """§4.13 (1): every position and every r_i of rounds 0–10 within 1e-3."""
    result = forecast(emission, "bdm", options={"stopping": "fixed"})
    assert result.rounds[0] == 10
    names = emission.actor_names
    folder = benchmarks / "emission_bdm1994"
    for row in _read(folder / "reference_trajectory_scholz_code_variant.csv"):
        t = int(row["round"])
        got = result.trajectory[t, 0, :, 0]
        want = np.array([float(row[name]) for name in names])
        np.testing.assert_allclose(got, want, atol=1e-3, err_msg=f"round {t}")
        assert result.diagnostics["median"][0][t, 0] == pytest.approx(
            float(row["cs_weighted_median"]), abs=1e-3
        )
        assert result.diagnostics["mean"][0][t, 0] == pytest.approx(
            float(row["cs_weighted_mean"]), abs=1e-2 if t == 0 else 1e-3
        )
    risk = result.diagnostics["risk_exponents"][0]
    assert risk.shape == (10, 10, 1)
    for row in _read(folder / "reference_risk_exponents_scholz_code_variant.csv"):
        t = int(row["round"])
        want = np.array([float(row[name]) for name in names])
        np.testing.assert_allclose(risk[t - 1, :, 0], want, atol=1e-3, err_msg=f"round {t}")


def test_moves_diagnostic(emission) -> None:
    """§1.7: the list of moves; round 1 of §4.12 and Belgium's swing to the Netherlands."""
    result = forecast(emission, "bdm", options={"stopping": "fixed"})
    assert result.diagnostics["move_columns"][:5] == ("round", "actor", "issue", "kind", "opponent")
    moves = result.diagnostics["moves"][0]
    first = moves[moves[:, 0] == 1]
    # Belgium compromises with France; Luxembourg loses to Belgium; Ireland to Luxembourg.
    np.testing.assert_allclose(
        first, [[1, 1, 0, 2, 4, 8.415932], [1, 2, 0, 1, 1, 7.0], [1, 7, 0, 1, 2, 4.0]], atol=1e-6
    )
    belgium_round4 = moves[(moves[:, 0] == 4) & (moves[:, 1] == 1)][0]
    assert (belgium_round4[3], belgium_round4[4]) == (2, 0)  # compromise with the Netherlands
    assert belgium_round4[5] == pytest.approx(4.800881, abs=1e-6)


def test_table2_of_scholz_et_al(emission, benchmarks: Path) -> None:
    """§4.13 (2): the eight means and the medians of rounds 1 and 3–8 within ±0.1."""
    published = _read(benchmarks / "emission_bdm1994" / "published_results.csv")
    table = {
        (row["quantity"], int(row["round"])): float(row["value"])
        for row in published
        if row["source"].startswith("Scholz")
    }
    assert [table["median_voter_position", t] for t in range(1, 9)] == TABLE2_MEDIAN
    result = forecast(emission, "bdm", options={"rounds": 8, "stopping": "fixed"})
    median = result.diagnostics["median"][0][:, 0]
    mean = result.diagnostics["mean"][0][:, 0]
    assert len(median) == 9
    for t in range(1, 9):
        assert mean[t] == pytest.approx(table["mean_voter_position", t], abs=0.1)
        if t != 2:  # the documented exception (§4.12)
            assert median[t] == pytest.approx(table["median_voter_position", t], abs=0.1)
    assert median[2] == pytest.approx(9.610859, abs=1e-6)  # not 9.9: see §4.12


def test_round_one_anchors(emission) -> None:
    """§4.13 (3): D, probabilities, danger levels, risk exponents and moves of round 1."""
    a = emission.to_arrays()
    x, s, c = a.positions[:, :, 0], a.salience[:, :, 0], a.capability[:, :, 0]
    m = a.mask[:, :, 0]
    w = c * s
    delta = np.array([6.0])
    dist = np.abs(x[:, :, None] - x[:, None, :]) / 6.0
    pair = m[:, :, None] & m[:, None, :] & (dist > 0)
    be, fr = 1, 4
    num1, d1 = bdm_module._vote_margins(dist, w, pair)
    assert d1[0] == pytest.approx(28.233, abs=1e-3)
    assert d1[0] == pytest.approx(2 * num1.sum(), rel=1e-12)
    p1 = bdm_module._probabilities(dist, None, w, pair, printed=False)
    assert p1[0, be, fr] == pytest.approx(0.006039, abs=1e-4)
    assert p1[0, fr, be] == pytest.approx(0.005950, abs=1e-4)
    pp = bdm_module._probabilities(dist, None, w, pair, printed=True)
    assert pp[0, be, fr] == pytest.approx(0.503693, abs=1e-4)
    assert pp[0, fr, be] == pytest.approx(0.496307, abs=1e-4)
    base = bdm_module._base_utilities(0.5 * dist, 1.0)
    e1 = bdm_module._expected_utility(p1, base, s[:, None, :], 1.0)
    danger = bdm_module._danger(e1, pair)[0]
    want_s = [-5.2493, 1.4283, 5.4377, -5.2493, -2.0939, -2.0939, -8.6409, 5.6071, -8.8116, -2.7504]
    np.testing.assert_allclose(danger, want_s, atol=1e-4)
    opts = bdm_module._Rules(**bdm_module._PRESETS["scholz_code"], Q=1.0)
    aa, bb, r, _ = bdm_module._offers(x, s, w, m, delta, opts)
    want_r = [
        1.405653,
        0.754196,
        0.508864,
        1.405653,
        1.046524,
        1.046524,
        1.964898,
        0.5,
        2.0,
        1.112125,
    ]
    np.testing.assert_allclose(r[0], want_r, atol=1e-4)
    num2, d2 = bdm_module._vote_margins(dist ** r[:, :, None], w, pair)
    assert d2[0] == pytest.approx(28.333460, abs=1e-4)
    p2 = num2 / d2[0]
    assert p2[0, be, fr] == pytest.approx(0.007314, abs=1e-4)
    assert p2[0, fr, be] == pytest.approx(0.004583, abs=1e-4)
    lu, ie = 2, 7
    for i, j, a_want, b_want in (
        (be, fr, -0.1148, 0.2433),
        (lu, be, 0.2455, 0.5422),
        (ie, lu, 0.5382, 0.6825),
    ):
        assert aa[0, i, j] == pytest.approx(a_want, abs=1e-4)
        assert bb[0, i, j] == pytest.approx(b_want, abs=1e-4)
    new = bdm_module._choose(x, m, aa, bb, pair, opts)[0][0]
    expected = x[0].copy()
    expected[[be, lu, ie]] = [8.415932, 7.0, 4.0]
    np.testing.assert_allclose(new, expected, atol=1e-6)


def test_first_round_offers_is_the_public_round_one_diagnostic(emission) -> None:
    """§4.13 (3) anchors through the public diagnostic, and the same risk as bdm_rounds."""
    a = emission.to_arrays()
    x, s, c = a.positions[:, :, 0], a.salience[:, :, 0], a.capability[:, :, 0]
    m = a.mask[:, :, 0]
    offers = first_round_offers(x, s, c, m)
    be, fr, lu, ie = 1, 4, 2, 7
    for i, j, a_want, b_want in (
        (be, fr, -0.1148, 0.2433),
        (lu, be, 0.2455, 0.5422),
        (ie, lu, 0.5382, 0.6825),
    ):
        assert offers.challenge[0, i, j] == pytest.approx(a_want, abs=1e-4)
        assert offers.challenged[0, i, j] == pytest.approx(b_want, abs=1e-4)
    assert offers.risk[0, 0] == pytest.approx(1.405653, abs=1e-4)
    run = bdm_rounds(x, s, c, m, rounds=1)
    np.testing.assert_allclose(offers.risk, run.risk[0])
    assert not offers.valid[0].diagonal().any()
    # The printed preset's perspective: E(j→i) is j's own E_j(j→i), the transpose.
    own = first_round_offers(x, s, c, m, perspective="own")
    np.testing.assert_allclose(own.challenged[0], own.challenge[0].T)


def test_printed_preset_collapses(emission) -> None:
    """§4.13 (4) and §4.12: median 7.0 throughout, everyone at 7 by round 4, fixed point at 5."""
    result = forecast(emission, "bdm", options={"variant": "printed", "stopping": "fixed"})
    assert result.rounds[0] == 5
    assert result.converged[0]
    np.testing.assert_allclose(result.diagnostics["median"][0][:, 0], 7.0)
    np.testing.assert_allclose(
        result.diagnostics["mean"][0][:, 0],
        [7.389956, 7.518464, 7.886263, 7.163959, 7.0, 7.0],
        atol=1e-6,
    )
    np.testing.assert_allclose(result.trajectory[4, 0, :, 0], 7.0)


def test_capability_scale_invariance(emission) -> None:
    """§4.13 (5): capabilities × 7.3 leave the trajectory unchanged."""
    a = emission.to_arrays()
    base = BDMModel().forecast(a)
    scaled = BDMModel().forecast(a.with_values(capability=a.capability * 7.3))
    np.testing.assert_allclose(scaled.trajectory, base.trajectory, atol=1e-9)


def test_report_error_against_actual_outcome(emission) -> None:
    """§4.13 (6): reported, not asserted beyond the computed values of §4.12."""
    fixed = forecast(emission, "bdm", options={"stopping": "fixed"}).outcome[0, 0]
    conv = forecast(emission, "bdm", options={"stopping": "converged"})
    print(
        f"emission: fixed-10 error {abs(fixed - ACTUAL):.3f}, "
        f"converged error {abs(conv.outcome[0, 0] - ACTUAL):.3f}"
    )
    assert fixed == pytest.approx(7.0)
    assert conv.rounds[0] == 5
    assert conv.outcome[0, 0] == pytest.approx(9.961980, abs=1e-6)
    assert conv.diagnostics["mean"][0][-1, 0] == pytest.approx(7.349174, abs=1e-6)


def test_q_half_path(emission, benchmarks: Path) -> None:
    """§4.12: Q = 0.5 exercises μ, T, U_b and U_w; the Sultan negative control."""
    result = forecast(emission, "bdm", options={"Q": 0.5, "stopping": "fixed"})
    np.testing.assert_allclose(
        result.diagnostics["risk_exponents"][0][0, :, 0],
        [1.515404, 0.661478, 0.775394, 1.515404, 1.299664, 1.299664, 2.0, 0.5, 1.921282, 0.861917],
        atol=1e-6,
    )
    np.testing.assert_allclose(
        result.diagnostics["median"][0][:, 0],
        [7.0, 7.0, 7.0, 6.993522, 7.405503, 4.0, 10.0, 6.874254, 4.0, 10.0, 6.874254],
        atol=1e-6,
    )
    np.testing.assert_allclose(
        result.diagnostics["mean"][0][:, 0],
        [
            7.389956,
            7.252585,
            7.247618,
            7.128896,
            7.002995,
            6.977843,
            7.284787,
            7.101174,
            6.977843,
            7.284787,
            7.101174,
        ],
        atol=1e-6,
    )
    sultan = load_scenario(benchmarks / "sultan_bdm1997" / "Sultan.csv")
    default = forecast(sultan, "bdm", options={"stopping": "fixed"})
    assert default.rounds[0] == 1
    assert default.outcome[0, 0] == pytest.approx(13.9)
    assert default.diagnostics["mean"][0][-1, 0] == pytest.approx(13.619912, abs=1e-6)
    half = forecast(sultan, "bdm", options={"Q": 0.5, "stopping": "fixed"})
    assert half.rounds[0] == 6
    np.testing.assert_allclose(half.diagnostics["median"][0][:, 0], 13.9)
    np.testing.assert_allclose(
        half.diagnostics["mean"][0][:6, 0],
        [13.619912, 13.593057, 13.550969, 13.526225, 13.521012, 13.518340],
        atol=1e-6,
    )


def test_greece(benchmarks: Path) -> None:
    """§4.12: Greece 2015 under the default and printed presets."""
    greece = load_scenario(benchmarks / "greece_2015" / "greece_eu_2015.csv")
    default = forecast(greece, "bdm", options={"stopping": "fixed"})
    assert default.rounds[0] == 3
    np.testing.assert_allclose(default.diagnostics["median"][0][:, 0], 100.0)
    np.testing.assert_allclose(
        default.diagnostics["mean"][0][:, 0],
        [82.222222, 75.536048, 79.651875, 79.651875],
        atol=1e-6,
    )
    conv = forecast(greece, "bdm", options={"stopping": "converged"})
    assert conv.rounds[0] == 2
    assert conv.outcome[0, 0] == 100.0
    printed = forecast(greece, "bdm", options={"variant": "printed", "stopping": "fixed"})
    np.testing.assert_allclose(
        printed.diagnostics["median"][0][:4, 0], [100.0, 80.0, 80.569917, 80.0], atol=1e-6
    )
    assert printed.diagnostics["mean"][0][10, 0] == pytest.approx(78.350113, abs=1e-6)


def test_cli_forecast_json_matches_table2(benchmarks: Path) -> None:
    """The issue's CLI check: per-round weighted medians and means of the JSON trajectory."""
    path = benchmarks / "emission_bdm1994" / "actors.csv"
    out = CliRunner().invoke(
        app,
        [
            "forecast",
            str(path),
            "-m",
            "bdm",
            "--rounds",
            "8",
            "--set",
            "stopping=fixed",
            "--format",
            "json",
        ],
    )
    assert out.exit_code == 0, out.output
    payload = json.loads(out.stdout)
    traj = np.array(payload["trajectory"])[:, :, 0]
    assert traj.shape == (9, 10)
    scenario = load_scenario(path)
    w = np.array([a.capability * a.salience["actors"] for a in scenario.actors])
    for t in range(1, 9):
        order = np.argsort(traj[t], kind="stable")
        cum = np.cumsum(w[order])
        median = traj[t][order][np.argmax(cum >= cum[-1] / 2 - 1e-9 * cum[-1])]
        mean = float(w @ traj[t] / w.sum())
        assert mean == pytest.approx(TABLE2_MEAN[t - 1], abs=0.1)
        assert payload["mean"][t][0] == pytest.approx(mean, abs=1e-12)
        assert payload["median"][t][0] == pytest.approx(median, abs=1e-12)
        if t != 2:
            assert median == pytest.approx(TABLE2_MEDIAN[t - 1], abs=0.1)
    assert np.array(payload["risk_exponents"]).shape == (8, 10, 1)


def test_every_switch_combination_against_reference(emission) -> None:
    """The 16 switch combinations of §4.11 and Q = 0.5 agree with the plain-loop reference."""
    a = emission.to_arrays()
    x, s, c = (list(v[0, :, 0]) for v in (a.positions, a.salience, a.capability))
    for prob in ("scholz_code", "printed"):
        for persp in ("receiver", "own"):
            for sel in ("scholz_code", "least_movement"):
                for cap in (False, True):
                    for q in (1.0, 0.5):
                        opts = {
                            "probability": prob,
                            "perspective": persp,
                            "selection": sel,
                            "capitulation": cap,
                            "Q": q,
                            "stopping": "fixed",
                        }
                        got = BDMModel(**opts).forecast(a)
                        ref = reference_bdm.run_reference(x, s, c, **opts)
                        assert got.rounds[0] == ref.rounds, opts
                        np.testing.assert_allclose(
                            got.trajectory[:, 0, :, 0],
                            np.array(ref.positions),
                            atol=1e-9,
                            err_msg=str(opts),
                        )


def _random_issue(draw: st.DrawFn) -> tuple[list[float], list[float], list[float]]:
    n = draw(st.integers(3, 7))
    grid = st.integers(0, 20)
    x = [float(v) for v in draw(st.lists(grid, min_size=n, max_size=n))]
    s = [v / 10 for v in draw(st.lists(st.integers(0, 10), min_size=n, max_size=n))]
    c = [v / 4 for v in draw(st.lists(st.integers(1, 8), min_size=n, max_size=n))]
    return x, s, c


@settings(
    max_examples=40, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)
@given(data=st.data())
def test_vectorised_core_equals_loop_reference(data: st.DataObject) -> None:
    """Random issues (ties and co-located actors included) under random switches."""
    x, s, c = _random_issue(data.draw)
    opts = {
        "probability": data.draw(st.sampled_from(["scholz_code", "printed"])),
        "perspective": data.draw(st.sampled_from(["receiver", "own"])),
        "selection": data.draw(st.sampled_from(["scholz_code", "least_movement"])),
        "capitulation": data.draw(st.booleans()),
        "Q": data.draw(st.sampled_from([1.0, 0.5, 0.0])),
        "stopping": data.draw(st.sampled_from(["fixed", "converged"])),
    }
    ref = reference_bdm.run_reference(x, s, c, rounds=6, **opts)
    arr = np.array
    run = bdm_rounds(arr([x]), arr([s]), arr([c]), np.ones((1, len(x)), bool), rounds=6, **opts)
    assert run.rounds[0] == ref.rounds
    assert bool(run.converged[0]) == ref.converged
    np.testing.assert_allclose(run.positions[: ref.rounds + 1, 0], ref.positions, atol=1e-9)
    np.testing.assert_allclose(run.median[: ref.rounds + 1, 0], ref.median, atol=1e-9)
    np.testing.assert_allclose(run.mean[: ref.rounds + 1, 0], ref.mean, atol=1e-9)
    if ref.rounds:
        np.testing.assert_allclose(run.risk[: ref.rounds, 0], ref.risk, atol=1e-9)


def _arrays(x: np.ndarray, s: np.ndarray, c: np.ndarray, mask: np.ndarray) -> ScenarioArrays:
    _, n, d = x.shape
    return ScenarioArrays(
        positions=x,
        salience=s,
        capability=c,
        mask=mask,
        scale=np.tile([0.0, 100.0], (d, 1)),
        reference=np.full(d, np.nan),
        actors=tuple(f"a{i}" for i in range(n)),
        issues=tuple(f"q{q}" for q in range(d)),
    )


def test_batch_and_multi_issue_equal_single_runs() -> None:
    """A (B, N, D) batch with absent cells equals each (member, issue) run on its own."""
    rng = np.random.default_rng(3)
    b, n, d = 4, 8, 3
    x = rng.integers(0, 11, (b, n, d)) * 10.0
    s = rng.integers(1, 11, (b, n, d)) / 10
    c = rng.uniform(0.5, 2.0, (b, n, d))
    mask = rng.random((b, n, d)) > 0.2
    mask[:, :3, :] = True
    batch = BDMModel(rounds=5, stopping="fixed").forecast(_arrays(x, s, c, mask))
    assert np.isnan(batch.trajectory[0][~mask]).all()
    for k in range(b):
        single = BDMModel(rounds=5, stopping="fixed").forecast(_arrays(x, s, c, mask).take(k))
        np.testing.assert_array_equal(single.outcome[0], batch.outcome[k])
        np.testing.assert_array_equal(
            single.diagnostics["median"][0], batch.diagnostics["median"][k]
        )
        for q in range(d):
            present = mask[k, :, q]
            ref = reference_bdm.run_reference(
                list(x[k, present, q]), list(s[k, present, q]), list(c[k, present, q]), rounds=5
            )
            assert batch.diagnostics["issue_rounds"][k, q] == ref.rounds
            got = batch.diagnostics["median"][k][:, q]
            np.testing.assert_allclose(got[: ref.rounds + 1], ref.median, atol=1e-9)
            assert (got[ref.rounds :] == got[ref.rounds]).all()


def test_degenerate_inputs() -> None:
    """One common position, zero salience everywhere, a median tie (§1.5, §2.3, §4.2)."""
    ones = np.ones((1, 4, 1))
    mask = np.ones((1, 4, 1), bool)
    same = BDMModel().forecast(_arrays(np.full((1, 4, 1), 30.0), ones * 0.5, ones, mask))
    assert same.outcome[0, 0] == 30.0
    assert same.rounds[0] == 0
    assert same.converged[0]
    x = np.array([[[0.0], [40.0], [60.0], [100.0]]])
    mute = BDMModel().forecast(_arrays(x, ones * 0.0, ones, mask))
    assert mute.rounds[0] == 1  # nobody moves: fixed point in round 1
    assert mute.outcome[0, 0] == 40.0  # lower median with equal weights
    tie = BDMModel(rounds=1).forecast(
        _arrays(np.array([[[0.0], [0.0], [100.0], [100.0]]]), ones * 0.5, ones, mask)
    )
    assert tie.diagnostics["median"][0][0, 0] == 0.0  # cumulative weight hits W/2 at 0: lower


def test_bad_input_and_options() -> None:
    x = np.array([[[0.0, 10.0], [50.0, 20.0], [100.0, 30.0]]])
    ones = np.ones_like(x)
    mask = np.ones(x.shape, bool)
    mask[0, 2, 1] = False
    with pytest.raises(ScenarioError, match="issue 'q1' has fewer than 3 actors"):
        BDMModel().forecast(_arrays(x, ones, ones, mask))
    with pytest.raises(ScenarioError, match="issue 'q0' has zero total capability"):
        BDMModel().forecast(_arrays(x, ones, ones * 0.0, np.ones(x.shape, bool)))
    with pytest.raises(OptionError, match="Q"):
        BDMModel(Q=1.5).forecast(_arrays(x, ones, ones, np.ones(x.shape, bool)))
    with pytest.raises(OptionError, match="selection"):
        get_model("bdm", selection="nearest")
    assert get_model("bdm", capitulation="true", rounds="4").get_params()["rounds"] == 4


def test_converged_rule_warns_when_capped(emission) -> None:
    with pytest.warns(ConvergenceWarning, match="1 of 1"):
        capped = forecast(emission, "bdm", options={"stopping": "converged", "rounds": 3})
    assert capped.diagnostics["cap_reached"].tolist() == [[True]]
    settled = forecast(emission, "bdm")  # default: converged, τ_max 10
    assert settled.options["stopping"] == "converged"
    assert settled.diagnostics["cap_reached"].tolist() == [[False]]
    assert settled.rounds[0] < 10
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        # `fixed` reaching its rounds is not a failure
        forecast(emission, "bdm", options={"stopping": "fixed"})


def test_result_independent_of_batch_layout(monkeypatch: pytest.MonkeyPatch) -> None:
    """Ordered sums: one issue alone, repeated in a batch, or chunked differently, same bits."""
    rng = np.random.default_rng(11)
    n = 25
    x = rng.integers(0, 21, n) * 5.0
    s = rng.integers(0, 11, n) / 10
    c = rng.uniform(0.5, 30.0, n)
    alone = bdm_rounds(x[None], s[None], c[None], np.ones((1, n), bool))
    many = bdm_rounds(
        np.tile(x, (5, 1)), np.tile(s, (5, 1)), np.tile(c, (5, 1)), np.ones((5, n), bool)
    )
    monkeypatch.setattr(bdm_module, "_CHUNK_CELLS", 1)
    chunked = bdm_rounds(
        np.tile(x, (5, 1)), np.tile(s, (5, 1)), np.tile(c, (5, 1)), np.ones((5, n), bool)
    )
    for run in (many, chunked):
        for g in range(5):
            np.testing.assert_array_equal(run.positions[:, g], alone.positions[:, 0])
    ref = reference_bdm.run_reference(list(x), list(s), list(c))
    np.testing.assert_array_equal(alone.positions[:, 0], np.array(ref.positions))


@pytest.mark.parametrize("variant", ["scholz_code", "printed"])
def test_absent_actors_change_no_bit(monkeypatch: pytest.MonkeyPatch, variant: str) -> None:
    """Issues with absent actors (bargained over their participants only, in chunks of mixed
    widths) give the same bits as the same issues with those actors removed (§4.14)."""
    rng = np.random.default_rng(5)
    g, n = 30, 12
    x = rng.integers(0, 21, (g, n)) * 5.0
    s = rng.integers(0, 11, (g, n)) / 10
    c = rng.uniform(0.5, 30.0, (g, n))
    m = rng.random((g, n)) > rng.uniform(0.0, 0.7, (g, 1))
    m[:, [1, 5, 9]] = True
    opts = BDMModel.validate_options({"variant": variant})
    opts = {k: opts[k] for k in ("probability", "perspective", "selection", "capitulation")}
    monkeypatch.setattr(bdm_module, "_CHUNK_CELLS", 4000)  # several chunks, mixed widths
    run = bdm_rounds(x, s, c, m, rounds=6, Q=0.5, **opts)
    for k in range(g):
        keep = np.flatnonzero(m[k])
        alone = bdm_rounds(
            x[k, keep][None], s[k, keep][None], c[k, keep][None], np.ones((1, keep.size), bool),
            rounds=6, Q=0.5, **opts,
        )  # fmt: skip
        assert run.rounds[k] == alone.rounds[0]
        np.testing.assert_array_equal(run.positions[:, k, keep], alone.positions[:, 0])
        np.testing.assert_array_equal(run.risk[:, k, keep], alone.risk[:, 0])
        np.testing.assert_array_equal(run.kinds[:, k, keep], alone.kinds[:, 0])
        opponent = np.where(alone.opponents[:, 0] >= 0, keep[alone.opponents[:, 0]], -1)
        np.testing.assert_array_equal(run.opponents[:, k, keep], opponent)
        absent = ~m[k]
        assert np.isnan(run.risk[:, k, absent]).all()
        assert (run.kinds[:, k, absent] == 0).all()
        assert (run.opponents[:, k, absent] == -1).all()
        assert (run.positions[:, k, absent] == run.positions[0, k, absent]).all()


def test_cli_reports_too_few_actors(tmp_path: Path) -> None:
    path = tmp_path / "two.csv"
    path.write_text("actor,capability,position,salience\nA,1,0,0.5\nB,1,10,0.5\n")
    out = CliRunner().invoke(app, ["forecast", str(path), "--model", "bdm"])
    assert out.exit_code == 2
    assert "needs at least 3 actors" in out.output
    assert "Traceback" not in out.output
