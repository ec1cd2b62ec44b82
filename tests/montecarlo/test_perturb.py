"""Input distributions: reproducibility by (seed, draw), ranges, distributions, precedence."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from minilateral.errors import OptionError, ScenarioValidationError
from minilateral.io.yaml_io import dump_yaml, load_yaml
from minilateral.montecarlo.perturb import (
    DEFAULT_NOISE,
    draw_uniforms,
    parse_noise,
    resolve_uncertainty,
)
from minilateral.scenario import Noise


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 2**63),
    start=st.integers(0, 10_000),
    length=st.integers(1, 40),
    width=st.integers(1, 23),
)
def test_uniforms_depend_only_on_seed_and_draw(seed, start, length, width):
    block = draw_uniforms(seed, start, start + length, width)
    rows = np.vstack([draw_uniforms(seed, i, i + 1, width) for i in range(start, start + length)])
    assert np.array_equal(block, rows)
    assert block.min() > 0.0
    assert block.max() < 1.0


def test_uniforms_are_uniform_and_seed_dependent():
    u = draw_uniforms(7, 0, 20_000, 5)
    assert stats.kstest(u.ravel(), "uniform").pvalue > 1e-3
    assert not np.array_equal(u[:10], draw_uniforms(8, 0, 10, 5))
    # neighbouring draws do not overlap in the counter stream
    assert len(np.unique(u)) == u.size


def _with_block(text: str, block: str) -> str:
    return text + "uncertainty:\n" + block


def _cell_draws(yaml_text: str, field: str, actor: int, issue: int, n: int = 20_000):
    plan = resolve_uncertainty(load_yaml(yaml_text))
    arrays = plan.sample(3, 0, n)
    values = getattr(arrays, field)[:, actor, issue]
    return plan, arrays, values


def test_default_noise_when_no_block(small):
    plan = resolve_uncertainty(small)
    assert plan.defaults == ("positions", "salience", "capability")
    assert plan.uncertainty.positions == DEFAULT_NOISE.positions
    assert DEFAULT_NOISE.positions == Noise(dist="truncnormal", sd=0.05)
    assert DEFAULT_NOISE.capability == Noise(dist="lognormal", sigma=0.1)


def test_truncnormal_positions_follow_the_truncated_normal(small_text):
    text = _with_block(small_text, "  positions: {dist: truncnormal, sd: 0.2}\n")
    _, _, x = _cell_draws(text, "positions", 0, 0)  # A on border: 1 on [0, 10], z = 0.1
    z = x / 10.0
    ref = stats.truncnorm(a=(0 - 0.1) / 0.2, b=(1 - 0.1) / 0.2, loc=0.1, scale=0.2)
    assert stats.kstest(z, ref.cdf).pvalue > 1e-3
    assert x.min() >= 0.0
    assert x.max() <= 10.0


def test_uniform_positions_are_cut_to_the_scale(small_text):
    text = _with_block(small_text, "  positions: {dist: uniform, half_width: 0.3}\n")
    _, _, x = _cell_draws(text, "positions", 1, 0)  # B on border at 9: U[6, 10]
    assert stats.kstest(x, stats.uniform(loc=6, scale=4).cdf).pvalue > 1e-3


def test_beta_salience_has_the_requested_mean_and_sd(small_text):
    text = _with_block(small_text, "  salience: {dist: beta, sd: 0.1}\n")
    _, _, s = _cell_draws(text, "salience", 2, 0)  # C: salience 0.5
    m, sd = 0.5, 0.1
    kappa = m * (1 - m) / sd**2 - 1
    assert stats.kstest(s, stats.beta(m * kappa, (1 - m) * kappa).cdf).pvalue > 1e-3


def test_lognormal_capability_is_one_factor_per_actor(small_text):
    text = _with_block(small_text, "  capability: {dist: lognormal, sigma: 0.3}\n")
    _, arrays, _ = _cell_draws(text, "capability", 1, 0)
    cap = arrays.capability
    factor_border, factor_aid = cap[:, 1, 0] / 2.0, cap[:, 1, 1] / 5.0  # B: 2, and 5 on aid
    np.testing.assert_allclose(factor_border, factor_aid, rtol=1e-12)
    assert stats.kstest(factor_border, stats.lognorm(s=0.3).cdf).pvalue > 1e-3


def test_normal_positions_are_clipped_to_the_scale(small_text):
    text = _with_block(small_text, "  positions: {dist: normal, sd: 0.5}\n")
    _, _, x = _cell_draws(text, "positions", 0, 1, n=5000)  # A on aid: -0.5 on [-1, 1]
    assert x.min() == -1.0
    assert x.max() == 1.0


@settings(max_examples=30, deadline=None)
@given(
    pos=st.sampled_from(["normal", "truncnormal", "uniform"]),
    sal=st.sampled_from(["normal", "truncnormal", "uniform", "beta"]),
    cap=st.sampled_from(["lognormal", "uniform"]),
    spread=st.floats(0.001, 5.0),
    seed=st.integers(0, 2**32),
)
def test_values_stay_in_range(small, pos, sal, cap, spread, seed):
    def noise(kind, field):
        param = {"uniform": "half_width", "lognormal": "sigma"}.get(kind, "sd")
        value = min(spread, 1.0) if (field == "capability" and kind == "uniform") else spread
        return {"dist": kind, param: value}

    spec = {
        "positions": noise(pos, "positions"),
        "salience": noise(sal, "salience"),
        "capability": noise(cap, "capability"),
    }
    arrays = resolve_uncertainty(small, spec).sample(seed, 0, 300)
    mask = arrays.mask
    lo, hi = arrays.scale[:, 0], arrays.scale[:, 1]
    assert np.all((arrays.positions >= lo) & (arrays.positions <= hi))
    assert np.all((arrays.salience >= 0) & (arrays.salience <= 1))
    assert np.all(np.isfinite(arrays.capability))
    assert np.all(arrays.capability >= 0)
    base = small.to_arrays()
    # cells where the actor takes no part are never perturbed
    assert np.array_equal(
        arrays.positions[:, ~mask[0]],
        np.broadcast_to(base.positions[0][~mask[0]], (300, (~mask[0]).sum())),
    )
    assert np.all(arrays.salience[:, ~mask[0]] == 0)


def test_precedence_cell_actor_issue_global(small):
    spec = {
        "positions": {"dist": "uniform", "half_width": 0.01},
        "issues": {"aid": {"positions": {"dist": "uniform", "half_width": 0.02}}},
        "actors": {
            "B": {
                "positions": {"dist": "uniform", "half_width": 0.03},
                "capability": {"dist": "none"},
            }
        },
        "cells": {"B": {"aid": {"positions": {"dist": "uniform", "half_width": 0.04}}}},
    }
    plan = resolve_uncertainty(small, spec)
    spread = plan.position_spread
    assert spread[0, 0] == 0.01
    assert spread[0, 1] == 0.02
    assert spread[1, 0] == 0.03
    assert spread[1, 1] == 0.04
    assert spread[2, 1] == 0.0
    assert plan.position_kind[2, 1] == 0
    assert plan.capability_kind[1] == 0
    assert plan.capability_kind[0] != 0
    assert plan.defaults == ("salience", "capability")
    arrays = plan.sample(0, 0, 100)
    assert np.all(arrays.capability[:, 1] == small.to_arrays().capability[0, 1])


def test_none_keeps_the_input_bit_identical(small):
    spec = {f: {"dist": "none"} for f in ("positions", "salience", "capability")}
    plan = resolve_uncertainty(small, spec)
    assert plan.factors() == []
    arrays = plan.sample(0, 0, 5)
    base = small.to_arrays()
    for name in ("positions", "salience", "capability"):
        assert np.array_equal(getattr(arrays, name), np.repeat(getattr(base, name), 5, axis=0))


def test_block_round_trips_through_yaml(small_text):
    text = _with_block(
        small_text,
        "  positions: {dist: uniform, half_width: 0.1}\n"
        "  actors:\n    B:\n      capability: {dist: lognormal, sigma: 0.4}\n",
    )
    scenario = load_yaml(text)
    assert load_yaml(dump_yaml(scenario)) == scenario
    assert scenario.sha256() != load_yaml(small_text).sha256()


@pytest.mark.parametrize(
    ("block", "expected"),
    [
        ("  positions: {dist: lognormal, sigma: 0.1}\n", "not available for positions"),
        ("  positions: {dist: normal, half_width: 0.1}\n", "exactly one parameter, 'sd'"),
        ("  positions: {dist: gamma, sd: 0.1}\n", "uncertainty.positions.dist"),
        ("  salience: {dist: beta, sd: -0.1}\n", "greater than or equal to 0"),
        ("  capability: {dist: uniform, half_width: 1.5}\n", "must be <= 1"),
        ("  actors: {Z: {positions: {dist: none}}}\n", "unknown actor 'Z'"),
        ("  issues: {trade: {positions: {dist: none}}}\n", "unknown issue 'trade'"),
        ("  issues: {aid: {capability: {dist: none}}}\n", "one factor per actor"),
        ("  cells: {C: {aid: {positions: {dist: none}}}}\n", "takes no part in issue 'aid'"),
        ("  position: {dist: none}\n", "uncertainty.position: unknown key"),
    ],
)
def test_invalid_block_is_rejected_naming_the_field(small_text, block, expected):
    with pytest.raises(ScenarioValidationError) as info:
        load_yaml(_with_block(small_text, block), path="s.yaml")
    message = str(info.value)
    assert expected in message
    assert "s.yaml" in message
    assert "line" in message


def test_invalid_override_is_rejected(small):
    with pytest.raises(ScenarioValidationError, match="unknown actor 'Z'"):
        resolve_uncertainty(small, {"actors": {"Z": {"salience": {"dist": "none"}}}})


def test_parse_noise():
    assert parse_noise("positions=uniform:0.1") == (
        "positions",
        Noise(dist="uniform", half_width=0.1),
    )
    assert parse_noise("capability=lognormal:0.2")[1].sigma == 0.2
    assert parse_noise("salience=none") == ("salience", Noise(dist="none"))
    for bad, text in [
        ("position=uniform:0.1", "FIELD=DIST"),
        ("positions=gamma:1", "unknown distribution"),
        ("positions=uniform:abc", "valid number"),
        ("capability=beta:0.1", "not available for capability"),
        ("positions=uniform", "needs its half_width"),
    ]:
        with pytest.raises(OptionError, match=text):
            parse_noise(bad)


def test_global_noise_overrides_the_block_but_not_specific_entries(small):
    spec = {"actors": {"A": {"positions": {"dist": "none"}}}}
    plan = resolve_uncertainty(small, spec, {"positions": Noise(dist="uniform", half_width=0.2)})
    assert plan.position_kind[0, 0] == 0
    assert plan.position_spread[1, 0] == 0.2
