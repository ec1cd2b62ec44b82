"""Library 2.0: six theatres, cited sources that exist, the capability rule's arithmetic."""

from __future__ import annotations

import math
import re
import warnings
from pathlib import Path

import pytest

import minilateral as ml
from minilateral.library import list_scenarios
from minilateral.mediation.coalitions import search_coalitions
from minilateral.models.registry import available_models

THEATRES = ["gaza", "sudan", "somalia", "pakistan-afghanistan", "syria", "gulf-security"]
SOURCE_ID = re.compile(r"\b(?:TQ|GS|SD|SO|PA|SY|G)\d+\b")
SHEET_ENTRY = re.compile(r"^- ((?:TQ|GS|SD|SO|PA|SY|G)\d+) ", re.M)
RULE = re.compile(
    r"Capability (\d+) \(rule\): engagement (1/8|1/4|1/2|1)(?: \([^)]*\))?"
    r" × √\(CINC 2022 ([0-9.]+)\)"
    r" = ([0-9.]+) of ([0-9.]+)\."
)
ENGAGEMENT = {"1": 1.0, "1/2": 0.5, "1/4": 0.25, "1/8": 0.125}


def _texts(s: ml.Scenario) -> list[str]:
    """Every free text of a scenario that may cite a source ID."""
    out = [s.description or ""]
    out += [(q.description or "") + " ".join(a.meaning for a in q.anchors) for q in s.issues]
    out += [a.note or "" for a in s.actors]
    if s.mediation is not None:
        out.append(s.mediation.model_dump_json())
    out += [p.model_dump_json() for p in s.proposals or []]
    return out


def test_six_theatres_embedded() -> None:
    assert {e.name for e in list_scenarios() if e.origin == "embedded"} >= set(THEATRES)


@pytest.mark.parametrize("name", THEATRES)
def test_cited_source_ids_exist_in_the_fact_sheet(name: str, shared: Path) -> None:
    sheet = (shared / "context" / "theatres.md").read_text(encoding="utf-8")
    known = set(SHEET_ENTRY.findall(sheet))
    s = ml.load_scenario(name)
    cited = {sid for text in _texts(s) for sid in SOURCE_ID.findall(text)}
    listed = {src.id for src in s.sources}
    assert cited, "the scenario cites the fact sheet"
    assert not cited - known, f"cited but not in the fact sheet: {sorted(cited - known)}"
    assert not listed - known, f"listed but not in the fact sheet: {sorted(listed - known)}"
    # Self-contained: every cited ID has its citation in the file.
    assert not cited - listed, f"cited but missing from sources: {sorted(cited - listed)}"


@pytest.mark.parametrize("name", THEATRES)
def test_every_number_is_explained(name: str) -> None:
    s = ml.load_scenario(name)
    assert s.as_of is not None
    for src in s.sources:
        assert src.reliability is not None, src.id
        assert src.credibility is not None, src.id
    for issue in s.issues:
        assert issue.label, issue.name
        if issue.reference is not None:
            assert re.search(r"Reference \d+", issue.description or ""), issue.name
    for actor in s.actors:
        note = actor.note or ""
        assert SOURCE_ID.search(note), f"{actor.name}: no source cited"
        assert "(rule)" in note or "(judgement)" in note.split("Capability")[-1], actor.name
    assert s.uncertainty is not None


@pytest.mark.parametrize("name", THEATRES)
def test_capability_rule_arithmetic(name: str) -> None:
    """Rated states: capability = 100 · e·√CINC / Σ e·√CINC, with the arithmetic in the note."""
    s = ml.load_scenario(name)
    rows = []
    for actor in s.actors:
        m = RULE.search(" ".join((actor.note or "").split()))
        if m:
            rows.append((actor, int(m[1]), ENGAGEMENT[m[2]], float(m[3]), float(m[4]), float(m[5])))
    assert len(rows) >= 5
    total = sum(e * math.sqrt(c) for _, _, e, c, _, _ in rows)
    for actor, stated, e, cinc, w, denominator in rows:
        assert w == pytest.approx(e * math.sqrt(cinc), abs=6e-5), actor.name
        assert denominator == pytest.approx(total, abs=2e-4), actor.name
        assert stated == actor.capability == round(100 * e * math.sqrt(cinc) / total), actor.name
    assert sum(r[1] for r in rows) == pytest.approx(100, abs=2)


@pytest.mark.parametrize("name", THEATRES)
def test_capability_rule_matches_the_reference_data(name: str, shared: Path) -> None:
    import pandas as pd

    nmc = pd.read_parquet(shared / "data" / "cow_nmc.parquet")
    values = set(nmc.loc[nmc["year"] == 2022, "cinc"].round(8))
    s = ml.load_scenario(name)
    for actor in s.actors:
        m = RULE.search(" ".join((actor.note or "").split()))
        if m:
            cinc = float(m[3])
            assert any(math.isclose(cinc, v, rel_tol=6e-4) for v in values), actor.name


@pytest.mark.parametrize("name", THEATRES)
def test_theatre_runs_through_every_model_and_the_coalition_search(name: str) -> None:
    s = ml.load_scenario(name)
    candidates = s.candidate_mediators
    assert candidates
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for model in available_models():
            result = ml.forecast(s, model)
            for issue, value in zip(s.issues, result.outcome[0], strict=True):
                assert issue.lo <= value <= issue.hi, (model, issue.name)
        found = search_coalitions(s, candidates, sizes=(1, 1), draws=4, seed=0)
    assert len(found.coalitions) == len(candidates)


def test_somaliland_is_not_forecast_as_reintegration() -> None:
    """With the UAE, Israel and the US in, bdm keeps Somaliland near its de facto status."""
    s = ml.load_scenario("somalia")
    q = [i.name for i in s.issues].index("somaliland_status")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        outcome = ml.forecast(s, "bdm").outcome[0][q]
    assert outcome >= 40
