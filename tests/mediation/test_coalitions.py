"""Coalitions as mediator actors, and the search with common random numbers."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from minilateral import forecast, load_scenario
from minilateral.cli import app
from minilateral.errors import ConvergenceWarning, OptionError, ScenarioError
from minilateral.mediation.coalitions import (
    Candidate,
    add_coalition,
    proposal_point,
    resolve_candidates,
    search_coalitions,
)
from minilateral.scenario import Scenario


def toy(pa: float = 30, pb: float = 70, pc: float = 50, s: float = 0.5) -> Scenario:
    """Two parties and a stakeholder on one issue: the hand-worked scenario of these tests."""
    return Scenario.model_validate(
        {
            "title": "toy",
            "issues": [{"name": "q"}],
            "actors": [
                {"name": "A", "code": "AAA", "role": "party", "capability": 10,
                 "positions": {"q": pa}, "salience": {"q": s}},
                {"name": "B", "code": "BBB", "role": "party", "capability": 10,
                 "positions": {"q": pb}, "salience": {"q": s}},
                {"name": "C", "code": "CCC", "role": "stakeholder", "capability": 4,
                 "positions": {"q": pc}, "salience": {"q": 0.5}},
            ],
        }
    )  # fmt: skip


def _search(scenario: Scenario, lev: float, **kw):
    kw.setdefault("draws", 200)
    kw.setdefault("seed", 1)
    kw.setdefault("measure", "convergence")
    return search_coalitions(scenario, ["MED"], sizes=(1, 1), leverage={"MED": lev}, **kw)


def test_nash_point_of_symmetric_parties_is_the_midpoint() -> None:
    arrays = toy(20, 80, 10).to_arrays()
    assert proposal_point(arrays, "nash")[0, 0] == pytest.approx(50.0, abs=1e-9)
    # compromise: c·s-weighted mean of the parties only (the stakeholder at 10 is ignored).
    arrays = toy(20, 60, 10).to_arrays()
    assert proposal_point(arrays, "compromise")[0, 0] == pytest.approx(40.0)


def test_stated_proposal_is_the_leverage_weighted_mean_of_members() -> None:
    scenario = toy(20, 80, 10)
    members = resolve_candidates(scenario, ["CCC"], leverage={"CCC": 2.0})
    arrays = scenario.to_arrays()
    assert proposal_point(arrays, "stated", members=members)[0, 0] == pytest.approx(10.0)


def test_added_and_existing_members_enter_as_mediators() -> None:
    scenario = toy()
    arrays = scenario.to_arrays()
    members = [Candidate("CCC", "C", 7.0, 0.5, 0.9), Candidate("NEW", None, 3.0)]
    out = add_coalition(arrays, members, np.array([[45.0]]))
    assert out.actors == ("A", "B", "C", "NEW")  # C replaced in place, NEW appended
    assert out.roles == ("party", "party", "mediator", "mediator")
    assert out.positions[0, 2:, 0].tolist() == [45.0, 45.0]
    assert out.capability[0, 2:, 0].tolist() == [3.5, 3.0]  # leverage × credibility
    assert out.salience[0, 2:, 0].tolist() == [0.9, 1.0]  # commitment
    assert out.positions[0, :2, 0].tolist() == [30.0, 70.0]


def test_zero_leverage_member_changes_nothing() -> None:
    arrays = toy().to_arrays()
    assert add_coalition(arrays, [Candidate("NEW", None, 0.0)], np.array([[50.0]])) is arrays
    assert add_coalition(arrays, [Candidate("C", "C", 0.0)], np.array([[50.0]])) is arrays
    result = _search(toy(), 0.0)
    entry, base = result.coalitions[0], result.baseline
    assert np.array_equal(entry.summary.settled, base.summary.settled)
    assert entry.summary.expected_outcome == pytest.approx(base.summary.expected_outcome, abs=0)
    assert entry.marginal == {"MED": 0.0}


def test_mediator_at_nash_point_raises_settlement() -> None:
    result = _search(toy(), 20.0)
    d = result.to_dict()
    with_med = d["coalitions"][0]["settlement_probability"]
    assert with_med > d["baseline"]["settlement_probability"]
    # Paired over common draws: the gain is no noise (its interval excludes 0).
    assert d["coalitions"][0]["marginal"]["MED"] == pytest.approx(
        with_med - d["baseline"]["settlement_probability"]
    )
    assert d["coalitions"][0]["marginal_ci"]["MED"][0] > 0


def test_same_seed_same_result_and_common_random_numbers() -> None:
    scenario = load_scenario("gaza")
    kw = {"sizes": (1, 2), "draws": 30, "seed": 3}
    first = search_coalitions(scenario, ["TUR", "QAT", "EGY"], **kw).to_dict()
    again = search_coalitions(scenario, ["TUR", "QAT", "EGY"], **kw).to_dict()
    assert first["coalitions"] == again["coalitions"]
    assert first["baseline"] == again["baseline"]
    # A coalition's numbers do not depend on which other coalitions were searched.
    alone = search_coalitions(scenario, ["QAT", "TUR"], sizes=(2, 2), draws=30, seed=3)
    pair = next(c for c in first["coalitions"] if set(c["coalition"]) == {"TUR", "QAT"})
    assert alone.to_dict()["coalitions"][0]["expected_outcome"] == pair["expected_outcome"]
    other = search_coalitions(scenario, ["TUR"], sizes=(1, 1), draws=30, seed=4).to_dict()
    assert other["baseline"]["expected_outcome"] != first["baseline"]["expected_outcome"]


def test_marginal_values_are_paired_differences() -> None:
    result = search_coalitions(toy(), ["CCC", "NEW"], sizes=(1, 2), leverage={"NEW": 8.0},
                               draws=100, seed=2)  # fmt: skip
    by = {c.coalition: c for c in result.coalitions}
    pair = by[("CCC", "NEW")]
    assert pair.marginal["NEW"] == pytest.approx(
        pair.summary.probability - by[("CCC",)].summary.probability
    )
    assert by[("NEW",)].marginal["NEW"] == pytest.approx(
        by[("NEW",)].summary.probability - result.baseline.summary.probability
    )
    probs = [c.summary.probability for c in result.coalitions]
    assert probs == sorted(probs, reverse=True)


def test_beam_search_beyond_the_exhaustive_limit() -> None:
    result = search_coalitions(toy(), ["CCC", "X1", "X2", "X3"], sizes=(1, 3),
                               leverage={"X1": 5, "X2": 1, "X3": 3}, draws=20, seed=0,
                               max_exhaustive=5, beam=2, measure="convergence")  # fmt: skip
    assert result.search.startswith("beam")
    assert len(result.coalitions) == 6  # two per size
    assert result.provenance["search"] == result.search


@pytest.mark.parametrize(
    ("kwargs", "error", "words"),
    [
        ({"candidates": ["AAA"]}, ScenarioError, "party to the conflict"),
        ({"candidates": ["ZZZ"]}, ScenarioError, "unknown candidate 'ZZZ'"),
        ({"candidates": ["CCC"], "sizes": (1, 2)}, OptionError, "larger than the candidate set"),
        ({"candidates": ["CCC", "ccc"]}, OptionError, "duplicate"),
        (
            {"candidates": ["CCC"], "target": {"nope": 1.0}, "measure": "convergence"},
            OptionError,
            "unknown issue",
        ),
        ({"candidates": ["CCC"], "leverage": {"QQQ": 1.0}}, OptionError, "non-candidate"),
        (
            {"candidates": ["CCC"], "commitment": 2.0, "measure": "convergence"},
            OptionError,
            "in [0, 1]",
        ),
        ({"candidates": ["CCC"], "measure": "vibes"}, OptionError, "agreement or convergence"),
        ({"candidates": ["CCC"], "agreement": {"optimism": 1.5}}, OptionError, "optimism"),
    ],
)
def test_bad_input(kwargs, error, words) -> None:
    kwargs = {"sizes": (1, 1), "draws": 5, **kwargs}
    with pytest.raises(error, match=words.replace("[", r"\[").replace("]", r"\]")):
        search_coalitions(toy(), **kwargs)


@pytest.mark.parametrize(
    ("option", "value", "field"),
    [
        ("sizes", (2, 1), "size"),
        ("sizes", (0, 1), "size"),
        ("draws", 1, "draws"),
        ("tol", 1.0, "tol"),
        ("confidence", 0.0, "confidence"),
        ("beam", 0, "beam"),
        ("max_exhaustive", -1, "max_exhaustive"),
        ("rank_by", "luck", "rank-by"),
        ("rank_by", "shift", "rank-by"),  # shift without a target
        ("proposal", "loud", "proposal"),
        ("commitment", -0.1, "commitment"),
        ("commitment", {"CCC": 1.5}, "commitment"),
        ("measure", "vibes", "measure"),
    ],
)
def test_settings_name_the_bad_field(option, value, field) -> None:
    from minilateral.mediation.coalitions import SearchSettings

    with pytest.raises(OptionError) as caught:
        SearchSettings(**{option: value})
    assert caught.value.field == field
    with pytest.raises(OptionError):  # the public function builds the same settings
        search_coalitions(toy(), ["CCC"], **{option: value, "measure": "convergence"}
                          if option != "measure" else {option: value})  # fmt: skip


def test_settings_take_agreement_options_as_a_mapping() -> None:
    from minilateral.mediation.coalitions import SearchSettings
    from minilateral.mediation.design import AgreementSettings

    s = SearchSettings(agreement={"optimism": 0.1})
    assert s.agreement == AgreementSettings(optimism=0.1)
    with pytest.raises(OptionError, match="unknown agreement option"):
        SearchSettings(agreement={"zeal": 1})


def test_alias_matches_scenario_code() -> None:
    scenario = load_scenario("gaza")
    (cand,) = resolve_candidates(scenario, ["UAE"])
    uae = next(a for a in scenario.actors if a.code == "ARE")
    assert (cand.code, cand.actor, cand.leverage) == ("UAE", "United Arab Emirates", uae.capability)
    assert uae.capability > 0


def test_target_shift_and_static_model_note() -> None:
    result = _search(toy(20, 80, 90), 20.0, model="compromise", target={"q": 50.0})
    entry = result.coalitions[0]
    # The mediator at the Nash point (50) pulls the compromise from 56.0 toward 50.
    base = result.baseline.summary.expected_outcome[0]
    new = entry.summary.expected_outcome[0]
    assert entry.outcome_shift == pytest.approx((abs(base - 50) - abs(new - 50)) / 100)
    assert entry.outcome_shift > 0
    assert any("static" in note for note in result.provenance["notes"])


def test_cli_json_schema_and_ranking() -> None:
    runner = CliRunner()
    args = ["coalitions", "gaza", "--candidates", "TUR,QAT,EGY,USA,SAU,UAE", "--size", "1-3"]
    res = runner.invoke(app, [*args, "--draws", "8", "--seed", "7", "--format", "json"])
    assert res.exit_code == 0, res.output
    d = json.loads(res.stdout)
    assert {"coalitions", "baseline", "provenance", "measure", "parties", "proposals"} == set(d)
    assert d["measure"] == "agreement"
    assert len(d["coalitions"]) == 41
    keys = {"coalition", "settlement_probability", "ci_low", "ci_high", "expected_outcome",
            "marginal"}  # fmt: skip
    for entry in d["coalitions"]:
        assert keys <= set(entry)
        assert len(entry["expected_outcome"]) == len(load_scenario("gaza").issues)
        assert set(entry["marginal"]) == set(entry["coalition"])
        assert "created" not in json.dumps(entry)
    probs = [e["settlement_probability"] for e in d["coalitions"]]
    assert probs == sorted(probs, reverse=True)
    assert all(e["agreement_probability"] == e["settlement_probability"] for e in d["coalitions"])
    assert set(d["coalitions"][0]["acceptance"]) == {"Israel", "Hamas", "Palestinian Islamic Jihad"}
    assert {len(e["coalition"]) for e in d["coalitions"]} == {1, 2, 3}
    assert d["baseline"]["coalition"] == []


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--candidates", "TUR,ISR"], "party to the conflict"),
        (["--candidates", "TUR,XXX"], "unknown candidate 'XXX'"),
        (["--candidates", "TUR,QAT", "--size", "1-3"], "larger than the candidate set"),
        (["--candidates", "TUR", "--size", "a-b"], "not N or LO-HI"),
    ],
)
def test_cli_errors_without_traceback(args, words) -> None:
    res = CliRunner().invoke(app, ["coalitions", "gaza", "--draws", "4", *args])
    assert res.exit_code == 2
    assert words in res.output
    assert "Traceback" not in res.output


def test_cli_table_and_chart(tmp_path) -> None:
    chart = tmp_path / "c.html"
    args = ["coalitions", "gaza", "--candidates", "TUR,QAT,EGY", "--size", "1-2", "--draws", "6"]
    res = CliRunner().invoke(app, [*args, "--chart", str(chart)])
    assert res.exit_code == 0, res.output
    assert "TUR + QAT" in res.output
    assert "Acceptance by party" in res.output
    html = chart.read_text()
    assert "Agreement probability" in html
    assert "Who accepts" in html
    assert "Named proposals" in html
    res = CliRunner().invoke(app, [*args, "--measure", "convergence", "--chart", str(chart)])
    assert res.exit_code == 0, res.output
    html = chart.read_text()
    assert "Settlement probability" in html
    assert "Quad map" in html
    assert (tmp_path / "plotly.min.js").is_file()


def test_quad_map_from_first_bdm_round() -> None:
    from minilateral.presentation.coalitions import quad_map

    scenario = load_scenario("gaza")
    result = search_coalitions(
        scenario, ["TUR", "QAT"], sizes=(2, 2), draws=4, seed=0, measure="convergence"
    )
    points = quad_map(scenario, result)
    # Two members at the same proposal and commitment coincide: one merged point per cell.
    assert {p["mediator"] for p in points} == {"TUR+QAT"}
    parties = {"Israel", "Hamas", "Palestinian Islamic Jihad"}
    assert {p["party"] for p in points} == parties
    # One point per party and issue it takes part in (PIJ two issues, Israel and Hamas all).
    cells = {a.name: len(a.positions) for a in scenario.actors if a.name in parties}
    assert cells["Palestinian Islamic Jihad"] == 2
    assert len(points) == sum(cells.values())
    static = search_coalitions(
        scenario, ["TUR"], sizes=(1, 1), draws=4, model="nash", measure="convergence"
    )
    assert quad_map(scenario, static) == []


def test_issue_split_equals_joint_run_for_bdm() -> None:
    from minilateral.mediation.settlement import final_positions
    from minilateral.models.bdm import BDMModel
    from minilateral.models.separable import forecast_by_issue
    from minilateral.montecarlo.perturb import resolve_uncertainty

    scenario = load_scenario("gaza")
    batch = resolve_uncertainty(scenario).sample(5, 0, 40)
    members = resolve_candidates(scenario, ["TUR", "QAT"])
    arrays = add_coalition(batch, members, proposal_point(batch))
    model = BDMModel(stopping="converged")
    with pytest.warns(ConvergenceWarning):
        joint = model.forecast(arrays)
    with pytest.warns(ConvergenceWarning):
        split = forecast_by_issue(model, arrays, np.random.SeedSequence(0))
    np.testing.assert_array_equal(split.outcome, joint.outcome)
    np.testing.assert_array_equal(split.converged, joint.converged)
    np.testing.assert_array_equal(split.rounds, joint.rounds)
    np.testing.assert_array_equal(
        final_positions(split, arrays)[arrays.mask], final_positions(joint, arrays)[arrays.mask]
    )


def test_noise_option_changes_the_draws_not_the_layout(tmp_path: Path) -> None:
    from minilateral.io.yaml_io import write_yaml

    runner = CliRunner()
    # --noise sets the global entries only; gaza's per-issue and per-actor entries would still
    # apply, so the test runs on a copy without its uncertainty block.
    plain = tmp_path / "gaza.yaml"
    write_yaml(load_scenario("gaza").model_copy(update={"uncertainty": None}), plain)
    base = ["coalitions", str(plain), "--candidates", "TUR", "--size", "1", "--draws", "6",
            "--measure", "convergence"]  # fmt: skip
    quiet = runner.invoke(app, [*base, "--noise", "positions=none", "--noise", "salience=none",
                                "--noise", "capability=none", "--format", "json"])  # fmt: skip
    assert quiet.exit_code == 0, quiet.output
    d = json.loads(quiet.stdout)
    # Without noise every draw is the scenario itself: the interval is that of 0/6 or 6/6.
    assert d["baseline"]["settlement_probability"] in (0.0, 1.0)
    single = forecast(load_scenario("gaza"), "bdm", options={"stopping": "converged"})
    assert d["baseline"]["expected_outcome"] == pytest.approx(single.outcome[0].tolist())
    assert d["provenance"]["uncertainty"]["positions"]["dist"] == "none"
    bad = runner.invoke(app, [*base, "--noise", "positions=gamma:1"])
    assert bad.exit_code == 2
    assert "unknown distribution" in bad.output
