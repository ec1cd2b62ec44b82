"""The BDM-table reader: published files load, malformed tables fail precisely."""

from __future__ import annotations

from pathlib import Path

import pytest

from minilateral.errors import FormatError, ScenarioValidationError
from minilateral.io import read_scenario
from minilateral.io.bdm_csv import load_bdm_csv

LOADABLE = [
    ("emission_bdm1994/actors.csv", 10, (4.0, 10.0)),
    ("sultan_bdm1997/Sultan.csv", 17, None),
    ("greece_2015/greece_eu_2015.csv", 11, (0.0, 100.0)),
    ("masad_examples/ChinaData.csv", 24, None),
    ("masad_examples/HondurasCrisisData.csv", 5, None),
    ("dersblog_examples/brexit.csv", 9, None),
    ("dersblog_examples/columbus.csv", 4, None),
    ("dersblog_examples/emission.csv", 10, None),
    ("dersblog_examples/iran.csv", 8, None),
    ("dersblog_examples/mugabe.csv", 32, None),
    ("dersblog_examples/uk_emu_cons.csv", 9, None),
    ("dersblog_examples/uk_emu_labor.csv", 9, None),
]


@pytest.mark.parametrize(("path", "n_actors", "scale"), LOADABLE)
def test_published_tables_load(benchmarks: Path, path: str, n_actors: int, scale) -> None:
    scenario = read_scenario(benchmarks / path)
    assert len(scenario.actors) == n_actors
    assert len(scenario.issues) == 1
    issue = scenario.issues[0]
    if scale is not None:
        assert (issue.lo, issue.hi) == scale
    for actor in scenario.actors:
        assert 0 <= actor.salience[issue.name] <= 1


def test_emission_details(benchmarks: Path) -> None:
    s = read_scenario(benchmarks / "emission_bdm1994/actors.csv")
    germany = s.actors[3]
    assert (germany.name, germany.capability) == ("Germany", 0.16)
    assert germany.salience["actors"] == pytest.approx(0.8)  # salience_0_100 divided by 100
    assert s.issues[0].description == "position in years"


def test_mugabe_full_names_the_duplicate_header_and_line(benchmarks: Path) -> None:
    with pytest.raises(FormatError) as info:
        read_scenario(benchmarks / "dersblog_examples/mugabe-full.csv")
    message = str(info.value)
    assert "mugabe-full.csv" in message
    assert "line 1" in message
    assert "duplicate header 'Position'" in message
    assert "line 2" in message  # the ragged rows are reported too


def test_salience_detection_and_scales() -> None:
    text = "Name,Power,Position,Salience\nA,1,20,0.5\nB,2,60,1\n"
    s = load_bdm_csv(text, "t.csv")
    assert (s.issues[0].lo, s.issues[0].hi) == (20.0, 60.0)  # observed min–max
    assert s.actors[0].salience["t"] == 0.5  # no value above 1: kept as is
    s = load_bdm_csv("Stakeholder,Clout,Position,Salience\nA,1,20,50\nB,2,60,100\n", "t.csv")
    assert s.actors[0].salience["t"] == 0.5  # a value above 1: 0–100 detected
    s = load_bdm_csv(text, "t.csv", scale=(0, 80))
    assert (s.issues[0].lo, s.issues[0].hi) == (0.0, 80.0)
    s = load_bdm_csv("actor,resources,position_0_100,salience_0_100\nA,1,20,1\nB,1,30,1\n", "t")
    assert (s.issues[0].lo, s.issues[0].hi) == (0.0, 100.0)
    assert s.actors[0].salience["t"] == 0.01  # the suffix says 0–100 even for small values


BAD = [
    ("Actor,Capability,Position,Salience\nA,1,x,50\nB,1,5,50\n", "line 2", "'x' is not a number"),
    ("Actor;Capability;Position;Salience\nA;1;2;50\n", "line 1", "wrong delimiter"),
    ("Actor,Capability,Position,Salience\nA,-1,2,50\nB,1,5,50\n", "line 2", "capability"),
    ("Actor,Capability,Position,Salience\nA,1,2,50\nA,1,5,50\n", "duplicate actor", "'A'"),
    ("Actor,Capability,Position,Salience\n", "no actors", ""),
    ("Actor,Capability,Position,Salience\nA,1,2,50\nB,1,5\n", "line 3", "3 fields"),
    ("Actor,Capability,Salience\nA,1,50\n", "line 1", "missing column(s): position"),
    ("Actor,Capability,Position,Salience\nA,1,2,-5\nB,1,4,5\n", "line 2", "outside [0, 1]"),
]


@pytest.mark.parametrize(("text", "where", "what"), BAD)
def test_bad_tables(text: str, where: str, what: str) -> None:
    with pytest.raises((FormatError, ScenarioValidationError)) as info:
        load_bdm_csv(text, "bad.csv")
    message = str(info.value)
    assert "bad.csv" in message
    assert where in message
    assert what in message


def test_position_outside_given_scale() -> None:
    with pytest.raises(ScenarioValidationError, match=r"line 3.*position 90.*outside"):
        load_bdm_csv(
            "Actor,Capability,Position,Salience\nA,1,2,50\nB,1,90,50\n", "b.csv", scale=(0, 10)
        )


def test_bdm_table_on_a_0_100_salience_scale_is_announced(caplog) -> None:
    with caplog.at_level("WARNING"):
        scenario = load_bdm_csv("Actor,Capability,Position,Salience\nA,1,2,50\nB,1,4,100\n", "t")
    assert scenario.actors[0].salience["t"] == 0.5
    assert "divided by 100" in caplog.text
