"""Results as analysts use them in notebooks: DataFrames and HTML representations."""

from __future__ import annotations

import numpy as np
import pytest

import minilateral as ml


def test_forecast_to_frame_matches_the_outcome() -> None:
    scenario = ml.load_scenario("gaza")
    result = ml.forecast(scenario, "bdm")
    frame = result.to_frame()
    assert list(frame["issue"]) == scenario.issue_names
    np.testing.assert_array_equal(frame["outcome"].to_numpy(), result.outcome[0])
    assert (frame["rounds"] == int(result.rounds[0])).all()


def test_batch_to_frame_has_a_row_per_member_and_issue() -> None:
    arrays = ml.load_scenario("sudan").to_arrays().repeat(3)
    result = ml.get_model("compromise").forecast(arrays)
    frame = result.to_frame()
    assert len(frame) == 3 * arrays.n_issues
    assert sorted(set(frame["draw"])) == [0, 1, 2]
    assert len(result.to_frame(index=1)) == arrays.n_issues


def test_forecast_repr_html_is_a_table_of_outcomes() -> None:
    result = ml.forecast(ml.load_scenario("gaza"), "nash")
    html = result._repr_html_()
    assert html.startswith("<div>")
    assert "<table>" in html
    for issue in result.issues:
        assert f"<td>{issue}</td>" in html
    assert f"{result.outcome[0, 0]:.2f}" in html


def test_coalition_search_frame_matches_the_search() -> None:
    search = ml.coalitions("gaza", ["EGY", "QAT", "TUR"], sizes=(1, 2), draws=20, seed=1)
    frame = search.to_frame()
    assert len(frame) == 1 + len(search.coalitions)
    assert frame.loc[0, "coalition"] == "no mediator"
    assert list(frame["rank"]) == list(range(len(frame)))
    top = search.coalitions[0]
    assert frame.loc[1, "coalition"] == " + ".join(top.coalition)
    assert frame.loc[1, "probability"] == top.summary.probability
    assert set(frame["size"]) == {0, 1, 2}
    assert (frame["ci_low"] <= frame["probability"]).all()
    assert (frame["probability"] <= frame["ci_high"]).all()
    for q, issue in enumerate(search.issues):
        assert frame.loc[1, issue] == float(top.summary.expected_outcome[q])
    html = search._repr_html_()
    assert "<td>no mediator</td>" in html
    assert html.count("<rect") == min(len(frame), 10)


def test_coalitions_takes_candidates_as_text_and_checks_sources() -> None:
    a = ml.coalitions("gaza", "EGY,QAT", sizes=(1, 1), draws=10)
    assert [c.coalition for c in a.coalitions] != []
    assert {m for c in a.coalitions for m in c.coalition} <= {"EGY", "QAT"}
    with pytest.raises(ml.MinilateralError, match="leverage_source must be one of"):
        ml.coalitions("gaza", "EGY", leverage_source="cinc", draws=10)  # type: ignore[arg-type]


def test_sweep_summary_frame_and_html(tmp_path) -> None:
    result = ml.sweep(ml.load_scenario("gaza"), "compromise", draws=8, out=tmp_path / "s", seed=3)
    summary = ml.summarize_sweep(result)
    frame = summary.to_frame()
    assert list(frame["issue"]) == [s.name for s in summary.issues]
    assert list(frame["mean"]) == [s.mean for s in summary.issues]
    assert "q0.5" in frame.columns
    html = summary._repr_html_()
    assert "8 draws" in html
    assert html.count("<rect") == len(summary.issues)


def test_bar_svg_scales_and_marks_missing_values() -> None:
    from minilateral.presentation.display import bar_svg

    svg = bar_svg(["a", "b", "c"], [0.5, 1.0, float("nan")], hi=1.0)
    assert 'width="130.0"' in svg  # half of the 260-pixel bar
    assert 'width="260.0"' in svg
    assert "no value" in svg


def test_alignment_result_frame_and_html(data_root) -> None:
    result = ml.align.dyads(["EGY", "QAT", "TUR"], "2018-2019")
    frame = result.to_frame()
    assert len(frame) == 6
    frame.loc[0, "n"] = -1  # a copy: the result is untouched
    assert result.frame.loc[0, "n"] != -1
    html = result._repr_html_()
    assert "Dyads: 6 rows" in html
    assert html.count("<rect") == 6


def test_brief_writes_the_html_brief(tmp_path) -> None:
    out = ml.brief("gaza", tmp_path / "b.html", models=["compromise"], alignment=False)
    assert out == tmp_path / "b.html"
    text = out.read_text(encoding="utf-8")
    assert text.lstrip().lower().startswith("<!doctype html")
    assert ml.load_scenario("gaza").title in text


def test_sensitivity_frame_and_html() -> None:
    result = ml.sensitivity("gaza", "compromise", method="morris", samples=8, seed=0, group="actor")
    frame = result.to_frame()
    assert frame.equals(result.indices)
    assert frame is not result.indices
    html = result._repr_html_()
    assert "Morris sensitivity of compromise" in html
    top = result.ranked(result.issues[0], top=1)
    assert f"<td>{top['factor'].iloc[0]}</td>" in html
    assert "<svg" in html


def test_brief_stays_the_function_after_the_submodule_is_imported() -> None:
    import minilateral.brief  # noqa: F401  (binds the package attribute to the submodule)

    assert callable(ml.brief)
    assert ml.brief.__module__ == "minilateral.notebook"
