"""The agreement space and what a coalition brings: hand-worked cases and invariants."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import minimize

from minilateral.mediation.agreement import (
    maximin_package,
    party_weights,
    reservation_utility,
    solve_packages,
    utility,
    zopa_slices,
)
from minilateral.mediation.coalitions import search_coalitions
from minilateral.mediation.design import (
    AgreementSettings,
    Evaluator,
    coalition_terms,
    member_parameters,
    party_parameters,
)
from minilateral.scenario import Scenario


def _case(ideal, weights, threshold):
    return (
        np.asarray(ideal, dtype=float)[None],
        np.asarray(weights, dtype=float)[None],
        np.asarray(threshold, dtype=float)[None],
    )


def test_two_party_two_issue_zopa_by_hand() -> None:
    """A at (0, 0), B at (1, 1), equal weights 1/2, thresholds 0.7.

    U_A(x) = 1 - (x1² + x2²)/2 and U_B(x) = 1 - ((1-x1)² + (1-x2)²)/2. By symmetry the
    maximin and Nash package is (1/2, 1/2), where U = 0.75 and S = 0.05 for both. With x2 = 1/2
    A accepts x1 when x1²/2 <= 0.3 - 1/8 = 0.175, i.e. x1 <= sqrt(0.35) = 0.5916, and B when
    x1 >= 1 - sqrt(0.35) = 0.4084: the zone's slice on issue 1 is [0.4084, 0.5916].
    """
    z, w, t = _case([[0, 0], [1, 1]], [[0.5, 0.5], [0.5, 0.5]], [0.7, 0.7])
    packs = solve_packages(z, w, t)
    assert packs.agreement[0]
    np.testing.assert_allclose(packs.package[0], [0.5, 0.5], atol=1e-3)
    np.testing.assert_allclose(packs.surplus[0], [0.05, 0.05], atol=1e-4)
    lo, hi = zopa_slices(packs.package, z, w, t)
    np.testing.assert_allclose(lo[0], [1 - math.sqrt(0.35)] * 2, atol=2e-3)
    np.testing.assert_allclose(hi[0], [math.sqrt(0.35)] * 2, atol=2e-3)
    # Thresholds 0.8: x1² + x2² <= 0.4 and (1-x1)² + (1-x2)² <= 0.4 do not meet (the discs of
    # radius 0.632 around (0,0) and (1,1) are 1.414 apart): no zone, shortfall 0.05 each.
    z, w, t = _case([[0, 0], [1, 1]], [[0.5, 0.5], [0.5, 0.5]], [0.8, 0.8])
    packs = solve_packages(z, w, t)
    assert not packs.agreement[0]
    np.testing.assert_allclose(packs.maximin[0], -0.05, atol=1e-4)
    assert np.isnan(zopa_slices(packs.package, z, w, t)[0]).all()


def test_only_a_cross_issue_package_is_acceptable() -> None:
    """A cares about issue 1 (w = 0.9, 0.1), B about issue 2 (0.1, 0.9); A at (0, 0), B at (1, 1).

    Thresholds 0.85. The trade x = (0, 1) gives U_A = 1 - 0.1 = 0.9 = U_B: both accept. Splitting
    each issue alike, x = (c, c), gives U_A = 1 - c² and U_B = 1 - (1-c)², so A needs
    c <= sqrt(0.15) = 0.387 and B needs c >= 0.613: no issue-by-issue split is acceptable.
    """
    z, w, t = _case([[0, 0], [1, 1]], [[0.9, 0.1], [0.1, 0.9]], [0.85, 0.85])
    packs = solve_packages(z, w, t)
    assert packs.agreement[0]
    x1, x2 = packs.package[0]
    assert x1 < 0.3
    assert x2 > 0.7
    c = np.linspace(0, 1, 1001)
    diag = np.stack([c, c], axis=-1)
    s = utility(diag, z[0], w[0]) - t[0]
    assert not (s >= 0).all(axis=-1).any()


def test_maximin_and_nash_match_scipy_on_random_cases() -> None:
    rng = np.random.default_rng(3)
    b, p, d = 12, 3, 3
    z = rng.random((b, p, d))
    raw = rng.random((b, p, d))
    w = raw / raw.sum(-1, keepdims=True)
    t = rng.uniform(0.75, 0.95, (b, p))
    packs = solve_packages(z, w, t)
    for k in range(b):
        cons = [
            {"type": "ineq", "fun": lambda v, i=i, k=k: 1 - (w[k, i] * (v[:d] - z[k, i]) ** 2).sum()
             - t[k, i] - v[-1]}
            for i in range(p)
        ]  # fmt: skip
        ref = minimize(
            lambda v: -v[-1],
            np.r_[np.full(d, 0.5), -1.0],
            constraints=cons,
            bounds=[(0, 1)] * d + [(None, None)],
            method="SLSQP",
        )
        assert packs.maximin[k] == pytest.approx(-ref.fun, abs=5e-4)
        if packs.maximin[k] > 1e-3:

            def neg_log(v, k=k):
                s = 1 - (w[k] * (v - z[k]) ** 2).sum(-1) - t[k]
                return -np.sum(np.log(np.maximum(s, 1e-12)))

            nash = minimize(neg_log, packs.package[k], bounds=[(0, 1)] * d, method="L-BFGS-B")
            assert neg_log(packs.package[k]) <= nash.fun + 1e-6


def test_reservation_utility_reads_optimism_toward_the_ideal() -> None:
    # q = 0.5, ideal 0, weight 1: U(q) = 0.75; o = 0.5 reads q as 0.25: U = 1 - 0.0625.
    q = np.array([0.5])
    u = reservation_utility(q, np.array([[0.0]]), np.array([[1.0]]), np.array([0.0, 0.5])[:, None])
    np.testing.assert_allclose(u[:, 0], [0.75, 0.9375])


def test_party_weights_reject_a_party_without_salience() -> None:
    with pytest.raises(ValueError, match="salience 0"):
        party_weights(np.array([[[0.0, 0.0]]]), np.array([[[True, True]]]))


# --- scenarios ------------------------------------------------------------------------------


def duel(refuse: bool = False, member: dict | None = None) -> Scenario:
    """Two parties 20 and 80 on two issues, a mediator MED at the midpoint, reference 50."""
    block: dict = {"members": {"MED": member or {"guarantee": 0.5}}}
    if refuse:
        block["parties"] = {"A": {"refuses": ["MED"]}}
    return Scenario.model_validate(
        {
            "title": "duel",
            "issues": [{"name": "p", "reference": 10}, {"name": "q", "reference": 90}],
            "actors": [
                {"name": "A", "role": "party", "capability": 10,
                 "positions": {"p": 20, "q": 20}, "salience": {"p": 0.9, "q": 0.3}},
                {"name": "B", "role": "party", "capability": 10,
                 "positions": {"p": 80, "q": 80}, "salience": {"p": 0.3, "q": 0.9}},
                {"name": "Med", "code": "MED", "role": "mediator", "capability": 20,
                 "positions": {"p": 50, "q": 50}, "salience": {"p": 0.5, "q": 0.5}},
            ],
            "candidate_mediators": ["MED"],
            "mediation": block,
        }
    )  # fmt: skip


def _run(scenario: Scenario, **kw):
    kw.setdefault("draws", 300)
    kw.setdefault("seed", 5)
    return search_coalitions(scenario, ["MED"], sizes=(1, 1), **kw)


def test_a_refused_mediator_lowers_the_agreement_probability() -> None:
    accepted = _run(duel())
    refused = _run(duel(refuse=True))
    p_acc = accepted.coalitions[0].summary.probability
    p_ref = refused.coalitions[0].summary.probability
    assert p_acc > accepted.baseline.summary.probability  # the mediator helps
    assert p_ref < p_acc
    assert refused.provenance["candidates"][0]["refused_by"] == ["A"]


def test_zero_leverage_no_guarantee_no_information_change_nothing() -> None:
    zero = {"leverage": 0, "guarantee": 0, "information": 0}
    result = _run(duel(member=zero))
    base, med = result.baseline, result.coalitions[0]
    np.testing.assert_array_equal(base.summary.settled, med.summary.settled)
    np.testing.assert_allclose(base.summary.expected_outcome, med.summary.expected_outcome)
    assert med.marginal["MED"] == 0.0


def test_result_is_valid_json_with_the_new_keys() -> None:
    payload = _run(duel()).to_dict()
    text = json.dumps(payload, allow_nan=False)
    entry = json.loads(text)["coalitions"][0]
    for key in ("settlement_probability", "ci_low", "ci_high", "marginal", "marginal_ci",
                "agreement_probability", "acceptance", "package", "zopa", "holdouts",
                "what_it_takes", "tied_with_top"):  # fmt: skip
        assert key in entry
    assert payload["measure"] == "agreement"
    assert payload["parties"] == ["A", "B"]


def test_unknown_candidate_without_leverage_names_the_flags() -> None:
    with pytest.raises(Exception, match="--leverage"):
        search_coalitions(duel(), ["MED", "ZZZ"], sizes=(1, 1), draws=10)


def test_candidate_party_is_an_error() -> None:
    with pytest.raises(Exception, match="party"):
        search_coalitions(duel(), ["A"], sizes=(1, 1), draws=10)


# --- invariants -----------------------------------------------------------------------------


def _evaluator(scenario: Scenario, codes: list[str], draws: int = 40, seed: int = 0):
    from minilateral.montecarlo.perturb import resolve_uncertainty

    s = AgreementSettings()
    parties = party_parameters(scenario, s)
    members = member_parameters(scenario, codes, parties, s)
    batch = resolve_uncertainty(scenario, None, None).sample(seed, 0, draws)
    return Evaluator(batch, parties, members, s)


@settings(max_examples=25, deadline=None)
@given(k1=st.floats(0.0, 5.0), k2=st.floats(0.0, 5.0), seed=st.integers(0, 50))
def test_more_leverage_never_lowers_agreement(k1: float, k2: float, seed: int) -> None:
    lo, hi = sorted((k1, k2))
    ev = _evaluator(duel(), ["MED"], seed=seed)
    terms = coalition_terms(np.array([[True]]), ev.members, ev.settings)
    t_lo = ev.thresholds(terms, leverage_multiplier=lo)
    t_hi = ev.thresholds(terms, leverage_multiplier=hi)
    assert (t_hi <= t_lo + 1e-12).all()  # every surplus rises pointwise
    _, v_lo, _ = maximin_package(ev.ideal[None], ev.weights[None], t_lo)
    _, v_hi, _ = maximin_package(ev.ideal[None], ev.weights[None], t_hi)
    assert (v_hi >= v_lo - 1e-4).all()
    assert ((v_hi >= -1e-9) | (v_lo < 1e-4)).all()


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 1000))
def test_reordering_parties_changes_nothing(seed: int) -> None:
    rng = np.random.default_rng(seed)
    z = rng.random((5, 3, 3))
    raw = rng.random((5, 3, 3))
    w = raw / raw.sum(-1, keepdims=True)
    t = rng.uniform(0.7, 0.95, (5, 3))
    perm = rng.permutation(3)
    a = solve_packages(z, w, t)
    b = solve_packages(z[:, perm], w[:, perm], t[:, perm])
    np.testing.assert_allclose(a.maximin, b.maximin, atol=2e-4)
    np.testing.assert_array_equal(a.agreement, b.agreement)
    np.testing.assert_allclose(a.surplus[:, perm], b.surplus, atol=2e-3)


def test_reordering_actors_in_the_scenario_changes_nothing() -> None:
    one = duel()
    data = one.model_dump(mode="json", exclude_none=True)
    data["actors"] = data["actors"][::-1]
    two = Scenario.model_validate(data)
    # The draws are generated per actor row, so reordering permutes the noise; without noise
    # the results are identical.
    none = {"positions": {"dist": "none"}, "salience": {"dist": "none"},
            "capability": {"dist": "none"}}  # fmt: skip
    r1 = _run(one, draws=3, uncertainty=none)
    r2 = _run(two, draws=3, uncertainty=none)
    a1, a2 = r1.coalitions[0].agreement, r2.coalitions[0].agreement
    assert a1.acceptance == pytest.approx(a2.acceptance)
    assert a1.package == pytest.approx(a2.package, abs=1e-6)
    assert r1.coalitions[0].summary.probability == r2.coalitions[0].summary.probability


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 200))
def test_a_member_with_every_parameter_zero_changes_nothing(seed: int) -> None:
    scenario = duel(member={"leverage": 0, "guarantee": 0, "information": 0})
    ev = _evaluator(scenario, ["MED"], seed=seed)
    terms = coalition_terms(np.array([[False], [True]]), ev.members, ev.settings)
    t = ev.thresholds(terms)
    np.testing.assert_array_equal(t[0], t[1])


def test_paired_tie_is_mcnemars_exact_test() -> None:
    from minilateral.mediation.agreement_search import paired_tie

    top = np.ones(2000, dtype=bool)
    other = top.copy()
    other[:5] = False  # 5 discordant draws, all for the top: p = 2 / 2**5 = 0.0625 -> tied
    assert paired_tie(other, top, 0.95)
    other[:6] = False  # 6: p = 2 / 2**6 = 0.031 -> not tied
    assert not paired_tie(other, top, 0.95)
    assert paired_tie(top, top, 0.95)


def test_cli_agreement_options_and_contest_reservation() -> None:
    from typer.testing import CliRunner

    from minilateral.cli import app

    runner = CliRunner()
    base = ["coalitions", "somalia", "--draws", "6", "--format", "json"]
    bad = runner.invoke(app, [*base, "--agreement-set", "nonsense=1"])
    assert bad.exit_code == 2
    assert "unknown agreement option nonsense" in bad.output
    res = runner.invoke(app, [*base, "--reservation", "contest"])
    assert res.exit_code == 0, res.output
    payload = json.loads(res.stdout)
    assert payload["provenance"]["options"]["reservation"] == "contest"
    assert payload["baseline"]["holdouts"]
