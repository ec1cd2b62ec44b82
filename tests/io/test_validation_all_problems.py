"""`validate` lists every problem in one pass, the cross-field rules a bad actor hides included."""

from __future__ import annotations

from pathlib import Path

import pytest

from minilateral.errors import ScenarioValidationError
from minilateral.io.yaml_io import load_yaml

BAD = """\
title: x
issues:
  - name: a
    lo: 1
    hi: 7
actors:
  - name: A
    capability: -1
    positions: {a: 150}
    salience: {a: 0.5}
  - name: B
    capability: 3
    positions: {a: 9}
    salience: {a: 0.5}
"""


def test_a_bad_capability_does_not_hide_the_positions_outside_the_scale() -> None:
    with pytest.raises(ScenarioValidationError) as info:
        load_yaml(BAD, Path("bad.yaml"))
    text = str(info.value)
    assert "line 8: actors[0].capability" in text
    assert "line 9: actors[0].positions.a: position 150 of actor 'A'" in text
    # The stand-in 0 for the flagged capability is no new problem; B's position 9 is one.
    assert "actors[1].positions.a: position 9 of actor 'B'" in text
    assert text.count("actors[0].capability") == 1


def test_a_valid_scenario_still_loads() -> None:
    good = BAD.replace("capability: -1", "capability: 1").replace("{a: 150}", "{a: 5}")
    good = good.replace("{a: 9}", "{a: 6}")
    assert [a.name for a in load_yaml(good).actors] == ["A", "B"]
