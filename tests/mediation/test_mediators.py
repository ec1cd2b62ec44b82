"""Mediator profiles from the reference data, checked against values computed by hand.

The hand computations below read the Parquet files of ``../shared/data`` directly with pandas,
independently of the DuckDB queries and the alignment code the library uses.
"""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from minilateral import load_scenario
from minilateral.cli import app
from minilateral.errors import DataError, FormatError, OptionError, ScenarioError
from minilateral.mediation.mediators import (
    DEFAULT_WEIGHTS,
    RecentMediation,
    combine_impartiality,
    composite,
    impartiality,
    load_recent_mediations,
    profile_candidates,
    stance_affinities,
    track_record,
)

EGY, SOM, ETH = 651, 520, 530


def test_component_formulas() -> None:
    assert impartiality([0.9, 0.6, 0.75]) == pytest.approx(0.7)
    assert math.isnan(impartiality([0.9]))
    assert track_record(0) == 0.0
    assert track_record(5) == 0.5
    # Weights are renormalised over the available components.
    values = {"ties": 0.5, "leverage": float("nan"), "track_record": 1.0}
    weights = {"ties": 1.0, "leverage": 5.0, "track_record": 3.0}
    assert composite(values, weights) == pytest.approx(0.875)


def _latest(frame: pd.DataFrame, year: int) -> pd.Series:
    return frame[frame["year"] <= year].sort_values("year").iloc[-1]


def _pair(frame: pd.DataFrame, a: int, b: int) -> pd.DataFrame:
    lo, hi = min(a, b), max(a, b)
    return frame[(frame["ccode1"] == lo) & (frame["ccode2"] == hi)]


def _s_abs(votes: pd.DataFrame, a: int, b: int) -> float:
    """S over the joint roll calls (keyed by ``resid``; ``rcid`` is empty for recent sessions)."""
    wide = votes[votes["ccode"].isin([a, b])].pivot_table(
        index="resid", columns="ccode", values="v", aggfunc="first"
    )
    wide = wide.dropna()
    return 1.0 - (wide[a] - wide[b]).abs().mean()  # S with |a − b| / Δ, Δ = 2: 1 − 2·mean/2


def test_profile_matches_hand_computation(shared: Path, data_root: Path) -> None:
    data = shared / "data"
    prof = profile_candidates(load_scenario("somalia"), ["EGY"], root=data_root)
    (egy,) = prof.profiles
    year = prof.year
    assert year == 2024

    votes = pd.read_parquet(data / "un_votes_ccode.parquet")
    votes = votes[votes["year"].between(year - 4, year)]
    votes = votes.assign(v=votes["vote"].map({"yes": 1, "abstain": 2, "no": 3}))
    aff = {p: (_s_abs(votes, EGY, p) + 1) / 2 for p in (SOM, ETH)}
    assert egy.detail["affinity"]["Somalia"] == pytest.approx(aff[SOM], abs=1e-9)
    votes_part = 1 - abs(aff[SOM] - aff[ETH])
    assert egy.detail["impartiality_votes"] == pytest.approx(votes_part, abs=1e-9)
    # Stance part: 1 − (max − min) of the party-salience-weighted position affinities.
    stance = egy.detail["affinity_stance"]
    finite = [v for v in stance.values() if math.isfinite(v)]
    assert egy.detail["impartiality_stance"] == pytest.approx(1 - (max(finite) - min(finite)))
    assert egy.impartiality == pytest.approx(
        0.5 * votes_part + 0.5 * egy.detail["impartiality_stance"], abs=1e-9
    )

    trade = pd.read_parquet(data / "cow_trade_ndy.parquet")
    trade_sy = pd.read_parquet(data / "cow_trade_sy.parquet")
    igo = pd.read_parquet(data / "cow_igo_ndy.parquet")
    igo_sy = pd.read_parquet(data / "cow_igo_sy.parquet")
    dist = pd.read_parquet(data / "cow_mindist.parquet")
    atop = pd.read_parquet(data / "atop_alliance.parquet")
    ties = []
    for p in (SOM, ETH):
        t = _latest(_pair(trade, EGY, p), year)
        tot = _latest(trade_sy[trade_sy["ccode"] == p], year)
        share = (t["flow1"] + t["flow2"]) / (tot["imports"] + tot["exports"])
        shared_igos = _latest(_pair(igo, EGY, p), year)["dyadigos"] / min(
            _latest(igo_sy[igo_sy["ccode"] == c], year)["sum_igo_full"] for c in (EGY, p)
        )
        km = _latest(_pair(dist, EGY, p), year)["mindist"]
        allied = float(not _pair(atop[atop["year"] == 2018], EGY, p).empty)
        parts = [share, shared_igos, allied, 1 / (1 + km / 1000)]
        name = {SOM: "Somalia", ETH: "Ethiopia"}[p]
        assert egy.detail["ties"][name]["trade_share"] == pytest.approx(share)
        ties.append(sum(parts) / 4)
    assert egy.ties == pytest.approx(sum(ties) / 2)

    nmc = pd.read_parquet(data / "cow_nmc.parquet")
    gdp = pd.read_parquet(data / "cow_gdppop.parquet")

    def ratio(frame: pd.DataFrame, col: str) -> float:
        v = {c: _latest(frame[frame["ccode"] == c], year)[col] for c in (EGY, SOM, ETH)}
        return v[EGY] / (v[EGY] + v[SOM] + v[ETH])

    assert egy.leverage == pytest.approx((ratio(nmc, "cinc") + ratio(gdp, "pwtrgdp")) / 2)

    pa = pd.read_parquet(data / "ucdp_peace_agreements.parquet")
    n = int(pa["pa_3rd"].fillna("").str.contains(r"\bEgypt\b", regex=True).sum())
    assert egy.detail["peace_agreements_as_third_party"] == n
    # Package-coded 2022–2025 agreements with Egypt among the mediators: the Nov 2023 truce,
    # the Jan 2025 ceasefire and the Oct 2025 Sharm el-Sheikh document (all Gaza).
    assert egy.detail["recent_agreements"] == 3
    assert egy.track_record == pytest.approx((n + 3) / (n + 3 + 5))
    comps = [egy.impartiality, egy.ties, egy.leverage, egy.track_record]
    w = [DEFAULT_WEIGHTS[k] for k in ("impartiality", "ties", "leverage", "track_record")]
    assert egy.credibility == pytest.approx(sum(a * b for a, b in zip(w, comps, strict=True)))


def test_non_state_parties_fall_back_to_scenario(data_root: Path) -> None:
    scenario = load_scenario("gaza")
    prof = profile_candidates(scenario, ["QAT", "JPN"], root=data_root)
    assert any("Hamas" in note and "faction" in note for note in prof.notes)
    qat, jpn = prof.profiles
    assert qat.detail["affinity_source"] == "scenario positions"
    # Qatar vs Israel and Hamas from the scenario: the party-salience-weighted mean of
    # |z_Q − z_p| over shared issues.
    actors = {a.name: a for a in scenario.actors}

    def affinity(party: str) -> float:
        q, p = actors["Qatar"].positions, actors[party].positions
        s = actors[party].salience
        shared = [k for k in q if k in p]
        assert len(shared) >= 4
        gap = sum(s[k] * abs(q[k] - p[k]) for k in shared) / sum(s[k] for k in shared)
        return 1 - gap / 100

    assert qat.detail["affinity"]["Israel"] == pytest.approx(affinity("Israel"))
    assert qat.detail["affinity"]["Hamas"] == pytest.approx(affinity("Hamas"))
    assert math.isnan(jpn.impartiality)  # not in the scenario: no fallback
    assert math.isfinite(jpn.credibility)
    lev = prof.leverage_on_scenario_scale()
    # Only Israel is a state party: c_m = L/(1 − L) · c_Israel.
    c_israel = actors["Israel"].capability
    assert lev["QAT"] == pytest.approx(qat.leverage / (1 - qat.leverage) * c_israel)


def test_bad_candidates(data_root: Path) -> None:
    with pytest.raises(DataError, match="unknown candidate state 'QQQQ'"):
        profile_candidates(load_scenario("somalia"), ["QQQQ"], root=data_root)
    with pytest.raises(ScenarioError, match="party to the conflict"):
        profile_candidates(load_scenario("somalia"), ["ETH"], root=data_root)


def test_missing_data_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="not installed"):
        profile_candidates(load_scenario("somalia"), ["EGY"], root=tmp_path)


def test_cli_uses_data_for_leverage_and_credibility(data_root: Path) -> None:
    res = CliRunner().invoke(app, ["mediators", "somalia", "--format", "json"])
    assert res.exit_code == 0, res.output
    profiles = json.loads(res.stdout)["profiles"]
    assert [p["code"] for p in profiles] == ["TUR", "QAT", "EGY"]
    args = ["coalitions", "somalia", "--size", "1", "--draws", "5", "--format", "json"]
    res = CliRunner().invoke(app, [*args, "--credibility", "data", "--leverage-source", "data"])
    assert res.exit_code == 0, res.output
    prov = json.loads(res.stdout)["provenance"]
    cands = {c["code"]: c for c in prov["candidates"]}
    by = {p["code"]: p for p in profiles}
    assert cands["EGY"]["credibility"] == pytest.approx(by["EGY"]["credibility"])
    assert "cow_nmc" in prov["data_versions"]


def test_stance_affinities_hand_worked() -> None:
    # Candidate at (0.2, 0.5). Party 1 at (0, 1) cares only about issue 0: 1 − 0.2 = 0.8.
    # Party 2 at (1, 0), saliences 0.5 and 0.5: 1 − (0.5·0.8 + 0.5·0.5)/1 = 0.35.
    z = np.array([[0.2, 0.5], [0.0, 1.0], [1.0, 0.0]])
    s = np.array([[1.0, 1.0], [1.0, 0.0], [0.5, 0.5]])
    mask = np.ones((3, 2), dtype=bool)
    assert stance_affinities(z, s, mask, 0, [1, 2]) == pytest.approx([0.8, 0.35])
    # A party that shares no issue with the candidate has no affinity.
    mask[2, :] = False
    assert math.isnan(stance_affinities(z, s, mask, 0, [1, 2])[1])
    # Reordering the parties reorders the affinities and nothing else.
    mask[:] = True
    assert stance_affinities(z, s, mask, 0, [2, 1]) == pytest.approx([0.35, 0.8])


def test_combine_impartiality_rule() -> None:
    assert combine_impartiality(0.9, 0.5, 0.0) == 0.9
    assert combine_impartiality(0.9, 0.5, 1.0) == 0.5
    assert combine_impartiality(0.9, 0.5, 0.25) == pytest.approx(0.8)
    assert combine_impartiality(0.9, float("nan"), 0.5) == 0.9
    assert math.isnan(combine_impartiality(float("nan"), float("nan"), 0.5))


def test_sudan_stance_lowers_egypt_below_qatar(data_root: Path) -> None:
    """Sudan has one state party, so impartiality is the scenario stance alone.

    Egypt (positions 60, 15, 45, 55, 90) stands as close to the SAF as to the RSF, but its
    Quad-clause position on excluding Islamist-linked forces (90) is far from the Islamist
    brigades that fight with the army (0), which widens the spread of its affinities; Qatar's
    affinities are tighter.
    """
    scenario = load_scenario("sudan")
    prof = profile_candidates(scenario, ["EGY", "QAT"], root=data_root)
    egy, qat = prof.profiles
    assert math.isnan(egy.detail["impartiality_votes"])
    assert egy.impartiality == egy.detail["impartiality_stance"]
    assert egy.impartiality < qat.impartiality
    # Recompute Egypt's stance affinity to the army by hand from the YAML.
    actors = {a.name: a for a in scenario.actors}
    army = actors["Sudanese Armed Forces / Port Sudan government"]
    e = actors["Egypt"].positions
    gap = sum(army.salience[k] * abs(e[k] - army.positions[k]) for k in army.positions)
    expected = 1 - gap / sum(army.salience.values()) / 100
    assert egy.detail["affinity_stance"][army.name] == pytest.approx(expected)
    aff = egy.detail["affinity_stance"]
    assert egy.impartiality == pytest.approx(1 - (max(aff.values()) - min(aff.values())))
    # Without a vote record the stance is the only record, whatever its weight.
    prof0 = profile_candidates(scenario, ["EGY"], stance_weight=0.0, root=data_root)
    assert prof0.profiles[0].impartiality == egy.impartiality  # the only record available
    assert prof0.to_dict()["stance_weight"] == 0.0
    with pytest.raises(OptionError, match="stance weight"):
        profile_candidates(scenario, ["EGY"], stance_weight=1.5, root=data_root)


def test_stance_weight_moves_impartiality_between_records(data_root: Path) -> None:
    scenario = load_scenario("somalia")
    votes = profile_candidates(scenario, ["EGY"], stance_weight=0.0, root=data_root).profiles[0]
    stance = profile_candidates(scenario, ["EGY"], stance_weight=1.0, root=data_root).profiles[0]
    assert votes.impartiality == pytest.approx(votes.detail["impartiality_votes"])
    assert stance.impartiality == pytest.approx(stance.detail["impartiality_stance"])
    # Egypt's Somalia stance (with Mogadishu, far from Ethiopia and Somaliland) is less
    # impartial than its UN-vote record.
    assert stance.impartiality < votes.impartiality


def test_recent_mediations_table_is_valid() -> None:
    rows = load_recent_mediations()
    assert len(rows) >= 10
    assert {r.coding for r in rows} == {"package-coded"}
    assert all(2022 <= r.year <= 2025 for r in rows)
    assert all(r.sources and r.mediators for r in rows)
    conflicts = {r.conflict for r in rows}
    assert "Pakistan and Afghanistan" in conflicts
    ankara = [r for r in rows if r.event.startswith("Ankara Declaration")]
    assert len(ankara) == 1
    assert ankara[0].mediators == ("TUR",)
    assert ankara[0].outcome == "agreement"


def test_recent_mediation_sources_exist_in_fact_sheet(shared: Path) -> None:
    sheet = shared / "context" / "theatres.md"
    if not sheet.exists():
        pytest.skip("fact sheet ../shared/context/theatres.md not present")
    defined = set(re.findall(r"^- ([A-Z]{1,3}\d+) ", sheet.read_text(encoding="utf-8"), re.M))
    assert len(defined) > 100
    cited = {s for r in load_recent_mediations() for s in r.sources}
    assert cited - defined == set()


def test_recent_mediations_bad_rows(tmp_path: Path) -> None:
    head = "mediators,conflict,year,outcome,event,source,coding\n"
    bad = tmp_path / "m.csv"
    bad.write_text(head + "QAT,X,2024,won,e,G1,package-coded\n", encoding="utf-8")
    with pytest.raises(FormatError, match=r"m\.csv: line 2: field 'outcome'"):
        load_recent_mediations(bad)
    bad.write_text(head + "QAT,X,twenty,agreement,e,G1,package-coded\n", encoding="utf-8")
    with pytest.raises(FormatError, match="line 2: field 'year'"):
        load_recent_mediations(bad)
    bad.write_text(head + ",X,2024,agreement,e,G1,package-coded\n", encoding="utf-8")
    with pytest.raises(FormatError, match="field 'mediators'"):
        load_recent_mediations(bad)
    bad.write_text("mediators,conflict\nQAT,X\n", encoding="utf-8")
    with pytest.raises(FormatError, match="missing column"):
        load_recent_mediations(bad)


def test_recent_record_counts_only_agreements_up_to_the_year(data_root: Path) -> None:
    scenario = load_scenario("pakistan-afghanistan")
    recent = [
        RecentMediation(("IDN",), "A and B", 2023, "agreement", "e", ("PA1",), "package-coded"),
        RecentMediation(("IDN",), "A and B", 2024, "no agreement", "e", ("PA1",), "package-coded"),
        RecentMediation(("IDN",), "A and B", 2025, "agreement", "e", ("PA1",), "package-coded"),
    ]
    (all_years,) = profile_candidates(scenario, ["IDN"], recent=recent, root=data_root).profiles
    (to_2024,) = profile_candidates(
        scenario, ["IDN"], recent=recent, year=2024, root=data_root
    ).profiles
    assert all_years.detail["recent_agreements"] == 2
    assert to_2024.detail["recent_agreements"] == 1
    n = all_years.detail["peace_agreements_as_third_party"]
    assert all_years.track_record == pytest.approx(track_record(n + 2))
    (none,) = profile_candidates(scenario, ["IDN"], recent=[], root=data_root).profiles
    assert none.track_record == pytest.approx(track_record(n))


@settings(max_examples=60, deadline=None)
@given(
    st.integers(min_value=2, max_value=5),
    st.integers(min_value=1, max_value=4),
    st.integers(min_value=0, max_value=2**31 - 1),
)
def test_stance_affinities_invariants(n_parties: int, n_issues: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    n = n_parties + 1
    z = rng.uniform(size=(n, n_issues))
    s = rng.uniform(0.1, 1.0, size=(n, n_issues))
    mask = np.ones((n, n_issues), dtype=bool)
    parties = list(range(1, n))
    b = stance_affinities(z, s, mask, 0, parties)
    assert np.all((b >= 0) & (b <= 1))
    # Reordering issues changes nothing; reordering parties permutes the result.
    perm = rng.permutation(n_issues)
    assert stance_affinities(z[:, perm], s[:, perm], mask, 0, parties) == pytest.approx(b)
    assert stance_affinities(z, s, mask, 0, parties[::-1]) == pytest.approx(b[::-1])
    # Moving the candidate onto party 1's positions gives affinity 1 to that party.
    z2 = z.copy()
    z2[0] = z[1]
    assert stance_affinities(z2, s, mask, 0, parties)[0] == pytest.approx(1.0)
    # Scaling one party's saliences leaves its affinity unchanged (only their ratios matter).
    s2 = s.copy()
    s2[1] *= 0.5
    assert stance_affinities(z, s2, mask, 0, parties) == pytest.approx(b)
