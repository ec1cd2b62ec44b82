"""Panel resampling in sweeps, the fitted uncertainty block, aggregation and coding files."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from minilateral.errors import FormatError, OptionError
from minilateral.montecarlo.engine import sweep
from minilateral.panels import PanelData, aggregate, read_coding, sweep_plan, validate_coding
from minilateral.panels.codings import parse_coding
from minilateral.scenario import Scenario
from tests.conftest import scenario_dict
from tests.panels.helpers import coding

SCENARIO = Scenario.model_validate(scenario_dict())


def _panel(*shifts: float) -> PanelData:
    return PanelData.from_codings(
        SCENARIO,
        {
            f"Coder {i}": validate_coding(SCENARIO, coding(s, aid=s / 10))
            for i, s in enumerate(shifts)
        },
    )


def _width(result) -> np.ndarray:
    df = result.to_pandas()
    cols = [c for c in df if c.startswith("outcome:")]
    return (df[cols].quantile(0.95) - df[cols].quantile(0.05)).to_numpy()


def test_resampled_values_are_coders_values_and_independent_of_chunking() -> None:
    data = _panel(-10, 0, 10)
    merged = aggregate(SCENARIO, data)
    plan = sweep_plan(merged, data)
    whole = plan.sample(3, 0, 50)
    parts = [plan.sample(3, a, a + 10) for a in range(0, 50, 10)]
    assert np.array_equal(whole.positions, np.concatenate([p.positions for p in parts]))
    alpha_cf = whole.positions[:, 0, 0]
    assert set(np.unique(alpha_cf)) == {10.0, 20.0, 30.0}
    # the scenario's mask is kept: Gamma takes no part in aid
    assert not whole.mask[:, 2, 1].any()


@settings(max_examples=25, deadline=None)
@given(st.lists(st.floats(-15, 15), min_size=1, max_size=5), st.integers(0, 2**32 - 1))
def test_resampling_stays_inside_the_coders_range(shifts: list[float], seed: int) -> None:
    data = _panel(*shifts)
    plan = sweep_plan(aggregate(SCENARIO, data), data)
    drawn = plan.sample(seed, 0, 20)
    mask = data.mask
    coded = data.positions[:, mask]
    assert (drawn.positions[:, mask] >= coded.min(axis=0) - 1e-9).all()
    assert (drawn.positions[:, mask] <= coded.max(axis=0) + 1e-9).all()


def test_agreeing_coders_give_no_variation(tmp_path: Path) -> None:
    data = _panel(0, 0, 0)
    merged = aggregate(SCENARIO, data)
    plan = sweep_plan(merged, data)
    assert plan.factors() == []
    result = sweep(merged, "compromise", draws=50, seed=1, out=tmp_path / "s", input_plan=plan)
    assert np.allclose(_width(result), 0.0)


def test_intervals_widen_with_disagreement_both_ways(tmp_path: Path) -> None:
    """Resampling and the fitted uncertainty block both widen with the coders' spread."""
    widths = {}
    for spread in (2.0, 8.0, 20.0):
        data = _panel(-spread, 0, spread)
        merged = aggregate(SCENARIO, data)
        resampled = sweep(
            merged,
            "compromise",
            draws=400,
            seed=5,
            out=tmp_path / f"r{spread}",
            input_plan=sweep_plan(merged, data),
        )
        fitted = sweep(merged, "compromise", draws=400, seed=5, out=tmp_path / f"f{spread}")
        widths[spread] = (_width(resampled), _width(fitted))
    for kind in (0, 1):
        assert (widths[2.0][kind] < widths[8.0][kind]).all()
        assert (widths[8.0][kind] < widths[20.0][kind]).all()


def test_aggregates() -> None:
    data = _panel(-10, 0, 4, 30)
    assert aggregate(SCENARIO, data).actors[0].positions["ceasefire"] == 22  # median 20 + 2
    assert aggregate(SCENARIO, data, method="mean").actors[0].positions["ceasefire"] == 26
    trimmed = aggregate(SCENARIO, data, method="trimmed", trim=0.25)
    assert trimmed.actors[0].positions["ceasefire"] == 22  # mean of 20 and 24
    with pytest.raises(OptionError, match="unknown aggregate 'mode'"):
        aggregate(SCENARIO, data, method="mode")


def test_coding_files(tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_text(
        "actor,issue,position,salience,capability,low,high,rationale\n"
        "Alpha,ceasefire,20,0.9,10,10,30,holds the line\n"
        "Alpha,aid,2,0.4,,,,\n"
        "Beta,ceasefire,80,0.7,6,,,\n"
        "Beta,aid,8,0.6,,,,\n"
        "Gamma,ceasefire,60,0.5,3,,,\n"
    )
    got = read_coding(path, SCENARIO)
    assert got.cell("Alpha", "ceasefire").low == 10
    assert got.cell("Alpha", "ceasefire").rationale == "holds the line"
    yaml_path = tmp_path / "c.yaml"
    yaml_path.write_text(yaml.safe_dump(got.model_dump()))
    assert read_coding(yaml_path, SCENARIO) == got

    path.write_text("actor,issue,position,salience,capability\nAlpha,ceasefire,high,0.9,10\n")
    with pytest.raises(FormatError, match="'high' is not a number") as err:
        read_coding(path, SCENARIO)
    assert err.value.row == 2
    assert err.value.field == "position"
    bad = coding(0)
    bad["cells"][0].update(low=30, high=40)  # does not contain the position 20
    with pytest.raises(FormatError, match="must contain the position"):
        validate_coding(SCENARIO, bad)
    bad = coding(0)
    bad["cells"].append({"actor": "Gamma", "issue": "aid", "position": 1, "salience": 0.5})
    with pytest.raises(FormatError, match="Gamma takes no part in issue 'aid'"):
        validate_coding(SCENARIO, bad)
    bad = coding(0)
    bad["actors"] = bad["actors"][:2]
    with pytest.raises(FormatError, match="capability not coded for Gamma"):
        validate_coding(SCENARIO, bad)
    with pytest.raises(FormatError, match="lacks the column 'salience'"):
        parse_coding("actor,issue,position\n", fmt="csv")
