"""The native YAML format: lossless round trip, line-accurate errors for each bad input."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from minilateral.errors import FormatError, ScenarioValidationError
from minilateral.io.yaml_io import TEMPLATE, dump_yaml, load_yaml
from minilateral.library import list_scenarios

GOOD = """\
title: Test
issues:
  - {name: a, lo: 0, hi: 10, lo_label: none, hi_label: all, reference: 5}
  - {name: b, lo: -1, hi: 1}
actors:
  - name: X
    capability: 2
    capabilities: {a: 3}
    positions: {a: 1, b: 0.5}
    salience: {a: 0.5, b: 1}
  - name: Y
    kind: non-state
    role: party
    capability: 1
    positions: {a: 9}
    salience: {a: 0.25}
"""


def test_round_trip_is_lossless() -> None:
    scenario = load_yaml(GOOD)
    assert load_yaml(dump_yaml(scenario)) == scenario
    assert scenario.actors[0].capability_on("a") == 3
    assert scenario.actors[0].capability_on("b") == 2


@pytest.mark.parametrize("entry", list_scenarios(), ids=lambda e: e.name)
def test_library_round_trips(entry) -> None:
    scenario = load_yaml(entry.path.read_text(encoding="utf-8"))
    assert load_yaml(dump_yaml(scenario)) == scenario


def test_template_is_valid() -> None:
    scenario = load_yaml(TEMPLATE)
    assert [a.name for a in scenario.actors] == ["Party A", "Party B"]


def _edit(path: list, value, *, delete: bool = False) -> str:
    data = yaml.safe_load(GOOD)
    node = data
    for key in path[:-1]:
        node = node[key]
    if delete:
        del node[path[-1]]
    else:
        node[path[-1]] = value
    return yaml.safe_dump(data, sort_keys=False)


BAD = [
    (["actors", 0, "colour"], "red", False, "actors[0].colour", "unknown key"),
    (["actors", 0, "positions"], {}, False, "actors[0]", "no position on any issue"),
    (["actors", 1, "salience"], {}, False, "actors[1]", "position but no salience on: a"),
    (["actors", 1, "positions"], {"a": 9, "b": 0}, False, "actors[1]", "no salience on: b"),
    (["actors", 1, "salience"], {"a": 1.5}, False, "actors[1].salience", "outside [0, 1]"),
    (["actors", 1, "positions"], {"a": 11}, False, "actors[1].positions.a", "outside the scale"),
    (["actors", 0, "capability"], -1, False, "actors[0].capability", "greater than or equal"),
    (["actors", 1, "name"], "X", False, "actors[1]", "duplicate actor 'X'"),
    (["actors"], [], False, "", "no actors"),
    (["issues"], [], False, "", "empty issue list"),
    (["actors", 0, "capability"], "lots", False, "actors[0].capability", "valid number"),
    (["title"], None, True, "title", "required field is missing"),
]


@pytest.mark.parametrize(("path", "value", "delete", "where", "what"), BAD)
def test_bad_yaml(path, value, delete, where, what) -> None:
    with pytest.raises(ScenarioValidationError) as info:
        load_yaml(_edit(path, value, delete=delete), "bad.yaml")
    message = str(info.value)
    assert message.startswith("bad.yaml: line ")
    assert where in message
    assert what in message


def test_unknown_key_reports_its_line() -> None:
    text = GOOD.replace("    capability: 1\n", "    capability: 1\n    colour: red\n")
    with pytest.raises(ScenarioValidationError, match=r"bad.yaml: line 15: actors\[1\]\.colour"):
        load_yaml(text, "bad.yaml")


def test_not_yaml(tmp_path: Path) -> None:
    with pytest.raises(FormatError, match=r"line 2"):
        load_yaml("title: x\n  issues: [\n", "broken.yaml")
    with pytest.raises(FormatError, match="must be a YAML mapping"):
        load_yaml("- a\n- b\n", "list.yaml")


@pytest.mark.parametrize(("path", "value", "delete", "where", "what"), BAD)
def test_cli_validate_reports_bad_yaml_with_exit_2(
    tmp_path: Path, path, value, delete, where, what
) -> None:
    from typer.testing import CliRunner

    from minilateral.cli import app

    bad = tmp_path / "bad.yaml"
    bad.write_text(_edit(path, value, delete=delete), encoding="utf-8")
    result = CliRunner().invoke(app, ["validate", str(bad)])
    assert result.exit_code == 2
    assert "ScenarioValidationError" in result.output
    assert where in result.output
    assert "Traceback" not in result.output


def test_input_hash_depends_only_on_content() -> None:
    scenario = load_yaml(GOOD)
    explicit = GOOD.replace(
        "  - name: X\n", "  - name: X\n    kind: state\n    role: stakeholder\n"
    )
    assert load_yaml(explicit).sha256() == scenario.sha256()  # defaults written out
    assert load_yaml(dump_yaml(scenario)).sha256() == scenario.sha256()
    assert load_yaml(GOOD.replace("capability: 2", "capability: 3")).sha256() != scenario.sha256()
