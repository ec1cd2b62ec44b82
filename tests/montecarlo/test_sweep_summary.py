"""Sweep summaries and the HTML report."""

from __future__ import annotations

import numpy as np
import pytest

import minilateral as ml
from minilateral.errors import OptionError, StoreError
from minilateral.montecarlo.summary import summarize_sweep
from minilateral.presentation.sweep import write_report


@pytest.fixture(scope="module")
def swept(tmp_path_factory, small):
    out = tmp_path_factory.mktemp("sweep") / "s"
    return ml.sweep(
        small,
        "compromise",
        draws=500,
        seed=1,
        out=out,
        chunk_size=128,
        uncertainty={"positions": {"dist": "uniform", "half_width": 0.3}},
    )


def test_quantiles_bands_and_convergence_match_the_rows(swept):
    summary = summarize_sweep(swept.path, bands=4)
    rows = swept.to_pandas()
    assert summary.draws == 500
    assert summary.converged == 1.0
    border = summary.issues[0]
    values = rows["outcome:border"].to_numpy()
    assert border.name == "border"
    assert (border.lo, border.hi) == (0, 10)
    assert border.quantiles[0.5] == pytest.approx(np.median(values), abs=1e-12)
    assert border.quantiles[0.05] == pytest.approx(np.quantile(values, 0.05), abs=1e-12)
    assert border.mean == pytest.approx(values.mean())
    assert border.sd == pytest.approx(values.std(ddof=1))
    edges = [b[:2] for b in border.bands]
    assert edges == [(0.0, 2.5), (2.5, 5.0), (5.0, 7.5), (7.5, 10.0)]
    counted = [((values >= a) & ((values < b) | (b == 10))).mean() for a, b in edges]
    assert [b[2] for b in border.bands] == pytest.approx(counted)
    assert sum(b[2] for b in border.bands) == pytest.approx(1.0)
    aid = summary.issues[1]
    assert aid.bands[0][:2] == (-1.0, -0.5)
    assert aid.missing == 0.0
    payload = summary.to_dict()
    assert payload["issues"][0]["quantiles"]["0.5"] == border.quantiles[0.5]


def test_report_is_self_contained_and_outside_the_sweep(swept, tmp_path):
    summary = summarize_sweep(swept)
    path = write_report(summary, tmp_path / "report.html")
    html = path.read_text()
    assert "Small test negotiation" in html
    assert "border" in html
    assert "aid" in html
    assert "Plotly.newPlot" in html
    assert 'src="http' not in html
    assert html.count("Plotly.newPlot(") == 2
    with pytest.raises(OptionError, match="inside the sweep directory"):
        write_report(summary, swept.path / "report.html")
    inside = write_report(summary, swept.path / "_report.html", inside_ok=True)
    assert inside.exists()
    assert len(ml.load_sweep(swept.path).to_pandas()) == 500  # Parquet readers skip it
    inside.unlink()


def test_incomplete_sweep_summarises_the_draws_written(small, tmp_path):
    out = tmp_path / "s"
    with pytest.raises(KeyboardInterrupt):
        ml.sweep(
            small,
            "mean",
            draws=100,
            seed=1,
            out=out,
            chunk_size=25,
            progress=lambda d, t: (_ for _ in ()).throw(KeyboardInterrupt) if d else None,
        )
    summary = summarize_sweep(out)
    assert summary.draws == 25
    assert not summary.sweep.complete


def test_errors(tmp_path, swept):
    with pytest.raises(StoreError, match="no sweep here"):
        summarize_sweep(tmp_path)
    with pytest.raises(OptionError, match="bands"):
        summarize_sweep(swept, bands=0)


def test_draws_without_a_forecast_are_counted_not_summarised(small, tmp_path, monkeypatch):
    from minilateral.models import registry
    from minilateral.models.baselines import MeanModel

    class HalfNaN(MeanModel):
        """The mean, but no forecast on 'aid' when A's position there is above -0.5."""

        name = "half-nan"

        def forecast(self, arrays, rng=None):
            result = super().forecast(arrays, rng)
            outcome = result.outcome.copy()
            outcome[arrays.positions[:, 0, 1] > -0.5, 1] = np.nan
            return type(result)(**{**result.__dict__, "outcome": outcome})

    registry.available_models()
    monkeypatch.setitem(registry._REGISTRY, HalfNaN.name, HalfNaN)
    done = ml.sweep(small, "half-nan", draws=400, seed=3, out=tmp_path / "s", chunk_size=100)
    summary = summarize_sweep(done)
    aid = summary.issues[1]
    values = done.to_pandas()["outcome:aid"]
    assert aid.missing == pytest.approx(values.isna().mean())
    assert 0.3 < aid.missing < 0.7
    assert aid.quantiles[0.5] == pytest.approx(values.dropna().median())
    assert sum(b[2] for b in aid.bands) == pytest.approx(1.0)
    html = write_report(summary, tmp_path / "r.html").read_text()
    assert "no forecast" in html
