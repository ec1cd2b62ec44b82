"""The ``mediation:`` and ``proposals:`` blocks: round trip and located errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from minilateral import load_scenario
from minilateral.errors import ScenarioValidationError

BASE = """\
title: t
issues:
  - {name: a, reference: 50}
  - {name: b}
actors:
  - {name: P1, role: party, capability: 1, positions: {a: 0, b: 0}, salience: {a: 1, b: 0.5}}
  - {name: P2, role: party, capability: 1, positions: {a: 100, b: 100}, salience: {a: 0.5, b: 1}}
  - {name: Med, code: MED, role: mediator, capability: 1, positions: {a: 50}, salience: {a: 1}}
candidate_mediators: [MED, XYZ]
mediation:
  parties:
    P1: {refuses: [XYZ], conflict_cost: 0.1}
    P2: {through: {MED: [XYZ]}}
  members:
    MED: {leverage: 2, credibility_with: {P1: 0.5}, guarantee: 0.3}
proposals:
  - {name: plan, package: {a: 40, b: 60}, coalition: [MED]}
"""


def _load(tmp_path: Path, text: str):
    path = tmp_path / "s.yaml"
    path.write_text(text, encoding="utf-8")
    return load_scenario(path)


def test_blocks_parse_and_old_hash_is_unchanged(tmp_path: Path) -> None:
    s = _load(tmp_path, BASE)
    assert s.mediation.parties["P1"].refuses == ["XYZ"]
    assert s.mediation.members["MED"].credibility_with == {"P1": 0.5}
    assert s.proposals[0].package == {"a": 40.0, "b": 60.0}
    plain = _load(tmp_path, BASE.split("mediation:")[0])
    assert "mediation" not in plain.canonical_dict()
    assert "proposals" not in plain.canonical_dict()


@pytest.mark.parametrize(
    ("old", "new", "where", "words"),
    [
        ("refuses: [XYZ]", "refuses: [FOO]", "mediation.parties.P1.refuses[0]", "unknown actor"),
        ("b: 60}", "b: 160}", "proposals[0].package.b", "outside the scale"),
        ("coalition: [MED]", "coalition: [P1]", "proposals[0].coalition[0]", "contain a party"),
        ("MED: {leverage", "P2: {leverage", "mediation.members.P2", "non-member"),
        ("MED: {leverage", "NOPE: {leverage", "mediation.members.NOPE", "unknown actor"),
        ("P1: {refuses", "Med: {refuses", "mediation.parties.Med", "not a party"),
        ("b: 60}", "c: 60}", "proposals[0].package.c", "unknown issue"),
        ("{a: 40, b: 60}", "{a: 40}", "proposals[0].package", "no value for b"),
    ],
)
def test_located_errors(tmp_path: Path, old: str, new: str, where: str, words: str) -> None:
    assert old in BASE
    with pytest.raises(ScenarioValidationError) as info:
        _load(tmp_path, BASE.replace(old, new))
    message = str(info.value)
    assert where in message
    assert words in message
    assert "line " in message
