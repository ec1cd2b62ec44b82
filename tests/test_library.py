"""The embedded scenario library meets the requirements of the foundation issue and library 2.0."""

from __future__ import annotations

import pytest

import minilateral as ml
from minilateral.library import list_scenarios
from minilateral.scenario import ActorRole

REQUIRED = {"gaza", "sudan", "somalia", "pakistan-afghanistan", "syria"}
GULF = "gulf-security"  # the mechanism theatre: Türkiye, Qatar and Egypt are its parties
MEDIATORS = {"TUR", "QAT", "EGY"}


def test_required_theatres_present() -> None:
    assert {e.name for e in list_scenarios() if e.origin == "embedded"} >= REQUIRED | {GULF}


@pytest.mark.parametrize("name", sorted(REQUIRED))
def test_theatre_scenario(name: str) -> None:
    s = ml.load_scenario(name)
    assert 8 <= len(s.actors) <= 20
    # Library 2.0 added the issues the fact sheet supports (Gaza: reconstruction, Hamas's
    # role, Rafah), so a theatre carries up to seven.
    assert 2 <= len(s.issues) <= 7
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


def test_gulf_theatre_parties_and_third_parties() -> None:
    """The would-be members are parties; its candidate mediators are not."""
    s = ml.load_scenario(GULF)
    roles = {a.code: a.role for a in s.actors}
    assert {roles["TUR"], roles["QAT"], roles["EGY"]} == {ActorRole.PARTY}
    assert s.candidate_mediators
    for code in s.candidate_mediators:
        assert roles[code] != ActorRole.PARTY, code
    assert 8 <= len(s.actors) <= 20
    assert len(s.issues) == 6
