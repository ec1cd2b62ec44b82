"""The embedded scenario library meets the requirements of the foundation issue."""

from __future__ import annotations

import pytest

import minilateral as ml
from minilateral.library import list_scenarios
from minilateral.scenario import ActorRole

REQUIRED = {"gaza", "sudan", "somalia", "pakistan-afghanistan", "syria"}
MEDIATORS = {"TUR", "QAT", "EGY"}


def test_required_theatres_present() -> None:
    assert {e.name for e in list_scenarios() if e.origin == "embedded"} >= REQUIRED


@pytest.mark.parametrize("name", sorted(REQUIRED))
def test_theatre_scenario(name: str) -> None:
    s = ml.load_scenario(name)
    assert 8 <= len(s.actors) <= 20
    assert 2 <= len(s.issues) <= 4
    assert s.sources, "every scenario cites its sources"
    for issue in s.issues:
        assert issue.lo_label
        assert issue.hi_label
    for actor in s.actors:
        assert actor.note, f"{actor.name} has no note"
    parties = [a for a in s.actors if a.role == ActorRole.PARTY]
    assert parties
    assert set(s.candidate_mediators) >= MEDIATORS
    for actor in s.actors:
        if actor.code in MEDIATORS:
            assert actor.role != ActorRole.PARTY, f"{actor.name} mediates; it is not a party"
    source_ids = {src.id for src in s.sources if src.id}
    cited = {sid for sid in source_ids if any(sid in (a.note or "") for a in s.actors)}
    assert cited, "actor notes cite the scenario's source ids"
