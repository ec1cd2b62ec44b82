"""Regression tests of issue 17: no wrong numbers with exit 0, located errors, parsing limits.

Each test names the hole it closes; on the code before the fix each of them failed (a number
read silently, an internal error, or a parse that never returned).
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from minilateral.cli import app
from minilateral.errors import FormatError, ScenarioValidationError
from minilateral.io import read_scenario
from minilateral.io.bdm_csv import load_bdm_csv
from minilateral.io.ktab_csv import load_ktab_csv
from minilateral.io.ktab_xml import load_ktab_xml
from minilateral.io.yaml_io import load_yaml
from tests.conftest import scenario_dict

runner = CliRunner()

# 699 bytes that expand to 9^9 strings (the "billion laughs" of YAML).
YAML_BOMB = "\n".join(
    [
        'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
        *(
            f"{c}: &{c} [{','.join(f'*{p}' for _ in range(9))}]"
            for p, c in zip("abcdefgh", "bcdefghi", strict=True)
        ),
    ]
)
# ~1 KB of nested entities expanding to a gigabyte of text.
XML_BOMB = (
    '<?xml version="1.0"?>\n<!DOCTYPE lolz [\n<!ENTITY lol0 "lol">\n'
    + "".join(f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">\n' for i in range(1, 10))
    + "]>\n<Scenario><name>&lol9;</name></Scenario>\n"
)


def _yaml(data: dict) -> str:
    return yaml.safe_dump(data, sort_keys=False)


def _one_issue() -> dict:
    """:func:`scenario_dict` without its two-actor issue (BDM needs three actors per issue)."""
    data = scenario_dict()
    data["issues"] = data["issues"][:1]
    for actor in data["actors"]:
        actor["positions"].pop("aid", None)
        actor["salience"].pop("aid", None)
    return data


def _cli(*args: object):
    return runner.invoke(app, [str(a) for a in args])


# -- bombs and limits -------------------------------------------------------------------------


def test_yaml_alias_bomb_is_refused_at_once() -> None:
    assert len(YAML_BOMB) < 800
    start = time.perf_counter()
    with pytest.raises(FormatError, match=r"line 2: .*aliases \(\*a\) are not allowed"):
        load_yaml(YAML_BOMB, "bomb.yaml")
    assert time.perf_counter() - start < 1.0


def test_xml_entity_bomb_is_refused_at_once() -> None:
    start = time.perf_counter()
    with pytest.raises(FormatError, match=r"entity declarations .* not allowed"):
        load_ktab_xml(XML_BOMB, "bomb.xml")
    assert time.perf_counter() - start < 1.0


def test_deep_yaml_is_a_located_error_not_recursion_error() -> None:
    text = "title: t\nissues: " + "[" * 5000 + "]" * 5000 + "\n"
    with pytest.raises(FormatError, match=r"deep.yaml: line 2: .*nested more than 64 levels"):
        load_yaml(text, "deep.yaml")


def test_impossible_date_names_file_and_line() -> None:
    text = _yaml(scenario_dict()).replace("title:", "date: 2025-13-45\ntitle:", 1)
    with pytest.raises(FormatError, match=r"d.yaml: line 1: .*'2025-13-45' is not a valid date"):
        load_yaml(text, "d.yaml")


def test_csv_field_over_the_limit_is_located() -> None:
    text = "Actor,Capability,Position,Salience\nA,1,5,0.5\nB," + "9" * 200_000 + ",5,0.5\n"
    with pytest.raises(FormatError, match=r"big.csv: line 3: a field is longer than 128 KiB"):
        load_bdm_csv(text, "big.csv")


# -- strict types: no wrong number with exit 0 --------------------------------------------------


@pytest.mark.parametrize(
    ("edit", "where"),
    [
        (lambda d: d["actors"][0].update(capability=True), "actors[0].capability"),
        (lambda d: d["actors"][0]["positions"].update(ceasefire=True), "positions.ceasefire"),
        (lambda d: d["actors"][0]["salience"].update(aid=False), "salience.aid"),
        (lambda d: d["issues"][0].update(reference=True), "issues[0].reference"),
    ],
)
def test_boolean_is_not_a_number(edit, where) -> None:
    data = scenario_dict()
    edit(data)
    with pytest.raises(ScenarioValidationError, match="got the boolean") as info:
        load_yaml(_yaml(data), "b.yaml")
    assert where in str(info.value)


def test_nan_is_named_not_reported_as_a_range() -> None:
    text = _yaml(scenario_dict()).replace("capability: 10", "capability: .nan")
    with pytest.raises(ScenarioValidationError) as info:
        load_yaml(text, "n.yaml")
    message = str(info.value)
    assert "actors[0].capability: the value is NaN" in message
    assert ">= 0" not in message
    assert "≥ 0" not in message


def test_exponent_numbers_are_numbers() -> None:
    # YAML 1.1 would read 1e3 as the text "1e3"; strict numbers would then refuse it.
    text = _yaml(scenario_dict()).replace("capability: 10", "capability: 1e3")
    assert load_yaml(text, "e.yaml").actors[0].capability == 1000.0


def test_duplicate_keys_name_both_lines() -> None:
    text = _yaml(scenario_dict()) + "actors: []\n"
    with pytest.raises(FormatError, match=r"duplicate key 'actors' \(first given at line \d+"):
        load_yaml(text, "dup.yaml")


def test_anchor_outside_the_scale() -> None:
    data = scenario_dict()
    data["issues"][1]["anchors"] = [{"position": 50, "meaning": "far out"}]
    with pytest.raises(ScenarioValidationError, match=r"issues\[1\].anchors\[0\].position"):
        load_yaml(_yaml(data), "a.yaml")


def test_duplicate_actor_codes() -> None:
    data = scenario_dict()
    data["actors"][0]["code"] = data["actors"][2]["code"] = "TUR"
    with pytest.raises(ScenarioValidationError, match=r"actors\[2\].code: .*'TUR'"):
        load_yaml(_yaml(data), "c.yaml")


def test_every_cross_field_problem_is_listed() -> None:
    data = scenario_dict()
    data["actors"][0]["positions"]["ceasefire"] = 500
    data["actors"][1]["positions"]["aid"] = 50
    data["actors"][2]["name"] = "Alpha"
    with pytest.raises(ScenarioValidationError) as info:
        load_yaml(_yaml(data), "m.yaml")
    assert len(info.value.problems) == 3, info.value.problems


KTAB = "t,d,3,1\nActor,Desc,Power,Dim,Dim Sal\nA,,10,20,50\nB,,10,80,50\nC,,10,60,50\n"


def test_ktab_decimal_comma_shifts_no_column() -> None:
    assert load_ktab_csv(KTAB, "k.csv").actors[1].capability == 10.0
    with pytest.raises(FormatError, match=r"k.csv: line 4: row has 6 fields; D = 1 needs 5"):
        load_ktab_csv(KTAB.replace("B,,10,80,50", "B,,1,5,80,50"), "k.csv")


# -- the command line ---------------------------------------------------------------------------


def test_validate_lists_every_problem_with_exit_2(tmp_path: Path) -> None:
    data = scenario_dict()
    data["actors"][0]["capability"] = True
    data["actors"][1]["salience"]["aid"] = 3
    path = tmp_path / "bad.yaml"
    path.write_text(_yaml(data))
    result = _cli("validate", path)
    assert result.exit_code == 2
    assert "actors[0].capability" in result.output
    assert "actors[1].salience" in result.output


def test_validate_checks_model_options(tmp_path: Path) -> None:
    data = scenario_dict()
    data["model_options"] = {"nosuch": {"x": 1}, "bdm": {"frob": 2}}
    path = tmp_path / "opts.yaml"
    path.write_text(_yaml(data))
    result = _cli("validate", path)
    assert result.exit_code == 2, result.output
    assert "model_options.nosuch: unknown model 'nosuch'" in result.output
    assert "model_options.bdm.frob" in result.output


def test_overflow_is_an_error_never_infinity(tmp_path: Path) -> None:
    data = _one_issue()
    for actor in data["actors"][:2]:
        actor["capability"] = 1e308
    path = tmp_path / "huge.yaml"
    path.write_text(_yaml(data))
    result = _cli("forecast", path, "-m", "bdm", "--format", "json")
    assert result.exit_code == 2, result.output
    assert "Infinity" not in result.stdout
    assert "overflowed" in result.output


def test_memory_guard_refuses_before_allocating(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A run whose planned memory exceeds the limit is refused at once, with the setting named.

    bdm builds its voter tensor in blocks, so a 1,000-actor table needs about 0.35 GiB and runs
    under the default limit; a limit of 100 MB refuses it before anything is allocated.
    """
    rows = ["Actor,Capability,Position,Salience"]
    rows += [f"A{i},{i + 1},{i % 100},0.5" for i in range(1000)]
    path = tmp_path / "thousand.csv"
    path.write_text("\n".join(rows) + "\n")
    monkeypatch.setenv("MINILATERAL_MAX_MEMORY_MB", "100")
    start = time.perf_counter()
    result = _cli("forecast", path, "-m", "bdm", "--scale", "0,100")
    assert result.exit_code == 2, result.output
    assert "MB of memory" in result.output
    assert "MINILATERAL_MAX_MEMORY_MB" in result.output
    assert time.perf_counter() - start < 10


def test_memory_limit_is_a_setting(tmp_path: Path, monkeypatch) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(_yaml(_one_issue()))
    monkeypatch.setenv("MINILATERAL_MAX_MEMORY_MB", "0.5")
    result = _cli("forecast", path, "-m", "bdm")
    assert result.exit_code == 2
    assert "more than the limit of" in result.output
    monkeypatch.delenv("MINILATERAL_MAX_MEMORY_MB")
    result = _cli("forecast", path, "-m", "bdm", "--format", "json")
    assert result.exit_code == 0
    json.loads(result.stdout)


def test_bomb_through_the_cli_returns(tmp_path: Path) -> None:
    path = tmp_path / "bomb.xml"
    path.write_text(XML_BOMB)
    result = _cli("validate", path)
    assert result.exit_code == 2
    with pytest.raises(FormatError):
        read_scenario(path)
