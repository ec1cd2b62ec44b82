"""The scenario editor maps the scenario model's located problems to fields (issue 19 item 5).

The rules are the scenario's (:mod:`minilateral.scenario`); the editor only parses the form and
puts each problem next to the field its ``loc`` names, worded in the page's language where the
rule is known by its code.
"""

from __future__ import annotations

import inspect

import pytest
from pydantic import ValidationError

from minilateral.io.validation import located_problems
from minilateral.scenario import Scenario
from minilateral.web.views import editor
from minilateral.web.views.editor import build, from_form


def _form(**cells: str) -> dict[str, str]:
    form = {
        "n_issues": "2",
        "n_actors": "3",
        "name": "border",
        "title": "Border talks",
        "issue-0-name": "border",
        "issue-0-lo": "0",
        "issue-0-hi": "10",
        "issue-1-name": "trade",
        "issue-1-lo": "-1",
        "issue-1-hi": "1",
    }
    for i, (name, cap, cells_i) in enumerate(
        [("North", "4", ("2", "0.5", "0", "0.3")), ("South", "3", ("9", "0.8", "1", "0.2"))]
    ):
        form |= {f"actor-{i}-name": name, f"actor-{i}-capability": cap}
        form |= {f"pos-{i}-0": cells_i[0], f"sal-{i}-0": cells_i[1]}
        form |= {f"pos-{i}-1": cells_i[2], f"sal-{i}-1": cells_i[3]}
    form |= cells
    return form


def _marked(text: str) -> str:
    return f"«{text}»"


def _errors(**cells: str) -> tuple[dict[str, str], list[str]]:
    state = from_form(_form(**cells))
    assert build(state, gettext=_marked) is None
    return state.errors, state.problems


def test_a_valid_form_builds_the_scenario() -> None:
    state = from_form(_form(**{"sal-1-1": "0,25"}))
    scenario = build(state)
    assert state.errors == {}
    assert scenario is not None
    assert scenario.actors[1].salience["trade"] == 0.25


def test_scenario_rules_land_on_their_cells_in_one_pass() -> None:
    """Out-of-scale position, salience outside [0, 1] and a form error, all at once."""
    errors, problems = _errors(**{"pos-0-1": "3", "sal-1-0": "1.7", "actor-1-capability": "lots"})
    assert errors == {
        "pos-0-1": "«outside the scale [-1, 1]»",
        "sal-1-0": "«salience must lie in [0, 1]»",
        "actor-1-capability": "«'lots' is not a number»",
    }
    assert problems == []


def test_a_row_without_name_is_flagged_on_its_name() -> None:
    errors, _ = _errors(**{"pos-2-0": "4", "sal-2-0": "0.5"})
    assert set(errors) == {"actor-2-name", "actor-2-capability"}
    assert errors["actor-2-capability"] == "«required»"  # the form's own check


def test_half_filled_cell_marks_the_empty_half() -> None:
    errors, _ = _errors(**{"pos-0-1": ""})
    assert errors == {"pos-0-1": "«enter both position and salience, or neither»"}


def test_negative_capability_and_duplicate_actor() -> None:
    errors, _ = _errors(**{"actor-0-capability": "-2"})
    assert errors == {"actor-0-capability": "«capability must be >= 0»"}
    errors, _ = _errors(**{"actor-1-name": "North"})
    assert errors == {"actor-1-name": "duplicate actor 'North'"}


def test_bad_scale_is_put_on_the_issue() -> None:
    errors, _ = _errors(**{"issue-1-lo": "2"})
    assert list(errors) == ["issue-1-hi"]
    assert "lo < hi" in errors["issue-1-hi"]


def test_columns_and_rows_left_empty_are_skipped_in_the_mapping() -> None:
    """Row and column numbers of the form, not of the built scenario, name the fields."""
    form = _form(**{"n_actors": "4", "actor-3-name": "East", "actor-3-capability": "1"})
    form |= {"pos-3-0": "12", "sal-3-0": "0.5", "pos-3-1": "0", "sal-3-1": "0.5"}
    state = from_form(form)
    assert build(state) is None
    assert list(state.errors) == ["pos-3-0"]
    assert "[0, 10]" in state.errors["pos-3-0"]


def test_located_problems_carry_the_full_location_and_the_rule() -> None:
    data = {
        "title": "t",
        "issues": [{"name": "a", "lo": 0, "hi": 10}],
        "actors": [
            {"name": "A", "capability": 1, "positions": {"a": 11}, "salience": {"a": 2}},
            {"name": "B", "capability": -1, "positions": {"a": 1}, "salience": {"a": 1}},
        ],
    }
    with pytest.raises(ValidationError) as caught:
        Scenario.model_validate(data)
    problems = located_problems(caught.value)
    assert [(p.loc, p.code) for p in problems] == [
        (("actors", 0, "salience", "a"), "salience_range"),
        (("actors", 1, "capability"), "greater_than_equal"),
    ]
    assert problems[1].context == {"ge": 0}
    data["actors"][0]["salience"]["a"] = 1
    data["actors"][1]["capability"] = 1
    with pytest.raises(ValidationError) as caught:
        Scenario.model_validate(data)
    [problem] = located_problems(caught.value)
    assert (problem.loc, problem.code) == (("actors", 0, "positions", "a"), "outside_scale")
    assert problem.context == {"lo": 0.0, "hi": 10.0}
    assert "outside the scale [0, 10]" in problem.message


def test_the_editor_keeps_no_copy_of_the_scenario_rules() -> None:
    """No range checks and no parsing of the scenario's messages in the editor."""
    source = inspect.getsource(editor)
    assert "import re" not in source
    for fragment in ("<= 1.0", "< 0", "lo <= x", "ValueError(", ".search(", ".match("):
        assert fragment not in source, fragment


def test_a_bad_actor_does_not_hide_the_other_actors_problems() -> None:
    """A salience outside [0, 1] fails its actor, which stops the scenario's cross-field rules;
    the editor runs them again with the flagged number standing in, so all show at once."""
    errors, problems = _errors(
        **{"sal-1-0": "1.7", "pos-0-0": "12", "actor-0-capability": "-1", "pos-1-1": "5"}
    )
    assert errors == {
        "sal-1-0": "«salience must lie in [0, 1]»",
        "actor-0-capability": "«capability must be >= 0»",
        "pos-0-0": "«outside the scale [0, 10]»",
        "pos-1-1": "«outside the scale [-1, 1]»",
    }
    assert problems == []


def test_a_problem_outside_any_cell_is_listed_once() -> None:
    state = from_form(_form(**{"actor-1-name": "North", "sal-0-0": "3"}))
    assert build(state) is None
    assert state.errors["sal-0-0"] == "salience must lie in [0, 1]"
    assert state.errors["actor-1-name"] == "duplicate actor 'North'"
    assert len(state.problems) == len(set(state.problems))
