"""Decide input format (``docs/scenario-format.md#decide-files``)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from minilateral.api import load_scenario
from minilateral.errors import FormatError
from minilateral.io import detect_format
from minilateral.io.decide import load_decide

GOOD = (
    "'#A'\t'a1'\t'Actor one'\t''\n"
    "'#A'\t'a2'\t'Actor two'\t'a note'\t'continued'\n"
    "'#A'\t'a3'\t'Actor three'\t''\n"
    "'#/'\tcomment row\n"
    "'#P'\t'p'\t'Issue p'\t'first issue'\n"
    "'#M'\t'p'\t10\t'low end'\n"
    "'#M'\t'p'\t90\n"
    "'#P'\t'q'\t'q'\t''\n"
    "'#D'\t'a1'\t'p'\t10\t0.5\t0.2\n"
    "'#D'\t'a2'\t'p'\t90\t1.0\t0.3\n"
    "'#D'\t'a3'\t'p'\t50\t0.0\t0.3\n"
    "'#D'\t'a1'\t'q'\t0\t0.5\t0.4\n"
    "'#D'\t'a2'\t'q'\t100\t0.5\t0.3\n"
)


def test_cop_files_load_as_multi_issue_scenarios(benchmarks: Path) -> None:
    cop15 = load_scenario(benchmarks / "unfccc_decide" / "copenhagen.csv")
    assert (len(cop15.actors), len(cop15.issues)) == (11, 7)
    assert sum(len(a.positions) for a in cop15.actors) == 75
    russia = next(a for a in cop15.actors if a.name == "Russia")
    assert set(cop15.issue_names) - set(russia.positions) == {"Commitments", "Extra"}
    assert all((i.lo, i.hi) == (0.0, 100.0) for i in cop15.issues)
    usa = cop15.actors[0]
    assert (usa.capability, usa.positions["MRVdecrease"], usa.salience["Newtreaty"]) == (
        0.26, 90.0, 0.9
    )  # fmt: skip
    cop21 = load_scenario(benchmarks / "unfccc_decide" / "cop21.csv")
    assert (len(cop21.actors), len(cop21.issues)) == (15, 13)
    assert sum(len(a.positions) for a in cop21.actors) == 181
    partial = {a.name for a in cop21.actors if len(a.positions) == 11}
    assert partial == {"ALBA", "Arab_statess", "Brazil", "China", "India", "Umbrella_min",
                       "Russia"}  # fmt: skip


def test_rules_of_the_format() -> None:
    s = load_decide(GOOD, "x.csv")
    assert detect_format(Path("x.csv"), GOOD) == "decide"
    p = s.issues[0]
    assert (p.lo, p.hi, p.description) == (10.0, 90.0, "first issue")
    assert [(a.position, a.meaning) for a in p.anchors] == [(10.0, "low end")]
    assert (s.issues[1].lo, s.issues[1].hi) == (0.0, 100.0)
    a1, a2, a3 = s.actors
    assert (a1.name, a1.code) == ("Actor one", "a1")
    assert a2.note == "a note continued"  # surplus fields joined into the last text field
    assert a1.capability in (0.2, 0.4)
    assert a1.capability_on("p") == 0.2
    assert a1.capability_on("q") == 0.4  # per actor-issue where power varies
    assert a3.salience == {"p": 0.0}
    assert "q" not in a3.positions


@pytest.mark.parametrize(
    ("line", "message", "where"),
    [
        ("'#X'\t'a'\n", "unknown row tag '#X'", "line 14"),
        ("'#D'\t'zz'\t'p'\t10\t0.5\t0.2\n", "unknown actor 'zz'", "line 14"),
        ("'#D'\t'a1'\t'r'\t10\t0.5\t0.2\n", "unknown issue 'r'", "line 14"),
        ("'#D'\t'a1'\t'p'\t10\t0.5\t0.2\n", "second #D row for actor 'a1' on issue 'p'", "line 14"),
        ("'#D'\t'a3'\t'q'\t10\t1.5\t0.2\n", "salience 1.5 is outside [0, 1]", "line 14"),
        ("'#D'\t'a3'\t'q'\t10\t0.5\tmuch\n", "'much' is not a number", "line 14"),
        ("'#D'\t'a3'\t'q'\t10\t0.5\n", "#D row has 4 field(s)", "line 14"),
    ],
)
def test_errors_name_file_line_and_field(line: str, message: str, where: str) -> None:
    with pytest.raises(FormatError, match=re.escape(message)) as err:
        load_decide(GOOD + line, "bad.csv")
    assert str(err.value).startswith("bad.csv: " + where)


def test_position_outside_the_scale() -> None:
    text = GOOD.replace("'#D'\t'a1'\t'p'\t10", "'#D'\t'a1'\t'p'\t5")
    with pytest.raises(FormatError, match=r"position 5 of actor 'a1' on issue 'p' is outside"):
        load_decide(text, "bad.csv")
