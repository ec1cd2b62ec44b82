"""Results as analysts use them in notebooks: DataFrames and HTML representations."""

from __future__ import annotations

import numpy as np

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
