"""The time guard (issue 17 item 3): runs whose estimated time exceeds the limit are refused."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from minilateral.cli import app
from minilateral.errors import ResourceError
from minilateral.models.registry import model_class
from minilateral.resources import (
    TIME_SETTING,
    check_time,
    max_seconds,
    time_estimate,
)


def _table(tmp_path: Path, n: int) -> Path:
    rows = ["Actor,Capability,Position,Salience"]
    rows += [f"A{i},{i + 1},{i % 100},0.5" for i in range(n)]
    path = tmp_path / f"table{n}.csv"
    path.write_text("\n".join(rows) + "\n")
    return path


def test_no_limit_unless_set(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(TIME_SETTING, raising=False)
    assert max_seconds() is None
    smp = model_class("smp")
    assert check_time(smp, 1, 1000, 1) == time_estimate(smp, 1, 1000, 1)


@pytest.mark.parametrize("raw", ["soon", "0", "-5", "nan", "inf"])
def test_bad_setting_is_named(monkeypatch: pytest.MonkeyPatch, raw: str) -> None:
    monkeypatch.setenv(TIME_SETTING, raw)
    with pytest.raises(ResourceError, match=TIME_SETTING):
        max_seconds()


def test_estimate_follows_the_cost_model() -> None:
    bdm, smp = model_class("bdm"), model_class("smp")
    # Cubic in actors for both (third-party votes, perception tensor), linear in B, D, rounds.
    for model in (bdm, smp):
        base = time_estimate(model, 1, 100, 1) - 0.05
        assert time_estimate(model, 1, 200, 1) - 0.05 == pytest.approx(8 * base)
        assert time_estimate(model, 3, 100, 2) - 0.05 == pytest.approx(6 * base)
    assert time_estimate(smp, 1, 100, 1, rounds=50) - 0.05 == pytest.approx(
        (time_estimate(smp, 1, 100, 1) - 0.05) / 2
    )
    assert time_estimate(model_class("bdm")(rounds=5), 1, 100, 1) == time_estimate(
        bdm, 1, 100, 1, rounds=5
    )


def test_estimate_bounds_a_measured_run() -> None:
    """The estimate is an upper bound of a real run's CPU time (smp, 60 actors)."""
    import numpy as np

    from minilateral.arrays import ScenarioArrays

    rng = np.random.default_rng(3)
    n = 60
    arrays = ScenarioArrays(
        positions=rng.uniform(0, 100, (1, n, 1)),
        salience=rng.uniform(0.1, 1, (1, n, 1)),
        capability=rng.uniform(1, 100, (1, n, 1)),
        mask=np.ones((1, n, 1), bool),
        scale=np.array([[0.0, 100.0]]),
        reference=np.array([np.nan]),
        actors=tuple(f"a{i}" for i in range(n)),
        issues=("q",),
        roles=("party",) * n,
    )
    model = model_class("smp")()
    model.forecast(arrays, rng=1)  # warm-up (compiled kernels)
    start = time.process_time()
    model.forecast(arrays, rng=1)
    assert time.process_time() - start < time_estimate(model, 1, n, 1)


def test_cli_refuses_a_long_run_at_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _table(tmp_path, 1000)
    monkeypatch.setenv(TIME_SETTING, "60")
    monkeypatch.setenv("MINILATERAL_MAX_MEMORY_MB", "100000")  # the time guard, not memory
    start = time.perf_counter()
    result = CliRunner().invoke(app, ["forecast", str(path), "-m", "smp", "--scale", "0,100"])
    assert result.exit_code == 2, result.output
    out = " ".join(result.output.split())
    assert "computing time" in out
    assert "17 minutes" in out
    assert "limit of 1 minute;" in out
    assert TIME_SETTING in out
    assert time.perf_counter() - start < 10


def test_sweep_is_checked_over_all_draws(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from minilateral.montecarlo.engine import sweep

    monkeypatch.setenv(TIME_SETTING, "5")
    with pytest.raises(ResourceError, match="draws of 15 actors") as err:
        sweep("gaza", "smp", draws=1_000_000, seed=1, out=tmp_path / "s")
    assert TIME_SETTING in str(err.value)


def test_web_app_sets_a_limit(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from minilateral.resources import WEB_DEFAULT_MAX_SECONDS
    from minilateral.web.app import create_app
    from minilateral.web.settings import Settings

    monkeypatch.delenv(TIME_SETTING, raising=False)
    create_app(Settings(db_url=f"sqlite:///{tmp_path / 'w.db'}"))
    assert max_seconds() == WEB_DEFAULT_MAX_SECONDS
    monkeypatch.setenv(TIME_SETTING, "30")
    create_app(Settings(db_url=f"sqlite:///{tmp_path / 'w.db'}"))
    assert max_seconds() == 30


@pytest.mark.parametrize(
    ("seconds", "words"),
    [
        (0.5, "0.5 seconds"),
        (1.0, "1.0 seconds"),
        (45, "45 seconds"),
        (60, "1 minute"),
        (1020, "17 minutes"),
        (3600, "1 hour"),
        (9000, "2.5 hours"),
    ],
)
def test_durations_read_as_words(seconds: float, words: str) -> None:
    from minilateral.resources import _duration

    assert _duration(seconds) == words
