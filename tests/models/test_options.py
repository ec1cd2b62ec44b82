"""The declared option table and its one public check, ``Model.validate_options``."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

import minilateral as ml
from minilateral.cli import app
from minilateral.errors import OptionError
from minilateral.io.yaml_io import write_yaml
from minilateral.models.base import Interval
from minilateral.models.bdm import BDMModel, BdmOptions
from minilateral.models.registry import available_models, model_class


@pytest.mark.parametrize("name", list(available_models()))
def test_validate_options_fills_every_option_and_is_idempotent(name: str) -> None:
    cls = model_class(name)
    resolved = cls.validate_options()
    assert list(resolved) == [spec.name for spec in cls.option_specs()]
    assert cls.validate_options(resolved) == resolved
    assert cls().resolved_options() == resolved


@pytest.mark.parametrize("name", list(available_models()))
def test_declared_intervals_are_enforced(name: str) -> None:
    cls = model_class(name)
    for spec in cls.option_specs():
        if spec.interval is None:
            continue
        assert spec.default in spec.interval, spec.name
        bad = (spec.interval.high if spec.interval.high is not None else 0) + 1
        if spec.interval.low is not None:
            bad = spec.interval.low - 1
        with pytest.raises(OptionError, match=f"option '{spec.name}'") as info:
            cls.validate_options({spec.name: bad})
        assert info.value.field == spec.name


def test_interval_bounds_and_nan() -> None:
    assert 1.0 in Interval(0.0, 1.0)
    assert 1.0 not in Interval(0.0, 1.0, closed="left")
    assert 0.0 not in Interval(0.0, None, closed="neither")
    assert float("nan") not in Interval(None, None)
    assert "1" not in Interval(0, 2)
    assert Interval(0.0, 1.0, closed="right").describe() == "(0, 1]"


def test_bdm_options_resolve_the_preset_and_coerce_text() -> None:
    resolved = BDMModel.validate_options({"variant": "printed", "Q": "0.5", "rounds": "4"})
    assert resolved["probability"] == "printed"
    assert resolved["perspective"] == "own"
    assert resolved["capitulation"] is True
    assert resolved["Q"] == 0.5
    assert resolved["rounds"] == 4
    # a switch set away from its default is kept (the default preset changes nothing)
    assert BDMModel.validate_options({"perspective": "own"})["perspective"] == "own"
    assert BDMModel.validate_options({"perspective": "own"})["probability"] == "scholz_code"
    options = BDMModel(variant="printed").options()
    assert isinstance(options, BdmOptions)
    with pytest.raises(AttributeError):
        options.Q = 0.3  # type: ignore[misc]


def test_unknown_option_and_bad_choice_name_the_field() -> None:
    with pytest.raises(OptionError, match="has no option 'q'") as info:
        BDMModel.validate_options({"q": 1})
    assert info.value.field == "q"
    with pytest.raises(OptionError, match="must be one of fixed, converged"):
        BDMModel.validate_options({"stopping": "never"})
    with pytest.raises(OptionError, match=r"must lie in \[0, 1\]; got 5\.0"):
        BDMModel.validate_options({"Q": 5})


def test_smp_name_alias_and_refused_bargaining_model() -> None:
    smp = model_class("smp")
    assert smp.validate_options({"StateTransition": "Stochastic"})["StateTransitions"] == (
        "Stochastic"
    )
    with pytest.raises(OptionError, match="BargnModel=PWCompInterp is refused"):
        smp.validate_options({"BargnModel": "PWCompInterp"})
    with pytest.raises(OptionError, match="option 'max_turns'"):
        smp.validate_options({"max_turns": -1})


def test_exchange_cross_option_rule() -> None:
    with pytest.raises(OptionError, match="must not exceed 1"):
        model_class("exchange").validate_options({"salience_weight": 0.7, "fixed_weight": 0.4})


def test_forecast_options_are_the_resolved_options() -> None:
    scenario = ml.load_scenario("gaza")
    f = ml.forecast(
        scenario, "bdm", options={"variant": "printed", "stopping": "fixed", "rounds": 3}
    )
    assert f.options == BDMModel.validate_options(
        {"variant": "printed", "stopping": "fixed", "rounds": 3}
    )
    assert f.options["probability"] == "printed"
    g = ml.forecast(scenario, "compromise")
    assert g.options == model_class("compromise").validate_options()


def test_bad_bdm_sweep_fails_before_writing(tmp_path: Path) -> None:
    """Regression: Q = 5 used to leave an 'interrupted' output folder behind."""
    out = tmp_path / "sweep"
    with pytest.raises(OptionError, match="option 'Q' of model 'bdm'"):
        ml.sweep("gaza", "bdm", options={"Q": 5}, draws=10, seed=1, out=out)
    assert not out.exists()
    assert list(tmp_path.iterdir()) == []


def test_cli_validate_checks_stored_model_options(tmp_path: Path) -> None:
    scenario = ml.load_scenario("gaza")
    good = tmp_path / "good.yaml"
    write_yaml(scenario.model_copy(update={"model_options": {"bdm": {"Q": 0.5}}}), good)
    assert CliRunner().invoke(app, ["validate", str(good)]).exit_code == 0
    bad = tmp_path / "bad.yaml"
    write_yaml(scenario.model_copy(update={"model_options": {"bdm": {"Q": 5}}}), bad)
    result = CliRunner().invoke(app, ["validate", str(bad)])
    assert result.exit_code == 2
    assert "must lie in [0, 1]" in result.output
    assert "model_options.bdm.Q" in result.output


def test_smp_option_table_matches_ktab_vocabulary() -> None:
    """The model's declared options are KTAB's (``minilateral.ktab``): values and defaults."""
    from minilateral.ktab import SMP_DEFAULTS, SMP_OPTIONS, canonical_options

    specs = {spec.name: spec for spec in model_class("smp").option_specs()}
    for name, values in SMP_OPTIONS.items():
        assert specs[name].choices == values
        assert specs[name].default == SMP_DEFAULTS[name]
    with pytest.raises(OptionError, match="option 'VotingRule' of model 'smp'") as info:
        canonical_options({"VotingRule": "Majority"})
    assert info.value.field == "VotingRule"


def test_io_imports_no_model() -> None:
    """The KTAB readers and writers work from the neutral vocabulary, not from the model."""
    import subprocess
    import sys

    code = (
        "import sys, minilateral.io.ktab_xml, minilateral.io.ktab_csv, minilateral.io._ktab; "
        "print(sorted(m for m in sys.modules if m.startswith('minilateral.models')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


@pytest.mark.parametrize("name", list(available_models()))
def test_every_forecast_records_the_resolved_options(name: str) -> None:
    import warnings

    from minilateral.errors import ConvergenceWarning

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        f = ml.forecast(ml.load_scenario("gaza"), name)
    assert f.options == model_class(name).validate_options()
