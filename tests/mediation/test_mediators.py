"""Mediator profiles from the reference data, checked against values computed by hand.

The hand computations below read the Parquet files of ``../shared/data`` directly with pandas,
independently of the DuckDB queries and the alignment code the library uses.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from minilateral import load_scenario
from minilateral.cli import app
from minilateral.errors import DataError, ScenarioError
from minilateral.mediation.mediators import (
    DEFAULT_WEIGHTS,
    composite,
    impartiality,
    profile_candidates,
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
    assert egy.impartiality == pytest.approx(1 - abs(aff[SOM] - aff[ETH]), abs=1e-9)

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
    assert egy.track_record == pytest.approx(n / (n + 5))
    comps = [egy.impartiality, egy.ties, egy.leverage, egy.track_record]
    w = [DEFAULT_WEIGHTS[k] for k in ("impartiality", "ties", "leverage", "track_record")]
    assert egy.credibility == pytest.approx(sum(a * b for a, b in zip(w, comps, strict=True)))


def test_non_state_parties_fall_back_to_scenario(data_root: Path) -> None:
    scenario = load_scenario("gaza")
    prof = profile_candidates(scenario, ["QAT", "JPN"], root=data_root)
    assert any("Hamas" in note and "faction" in note for note in prof.notes)
    qat, jpn = prof.profiles
    assert qat.detail["affinity_source"] == "scenario positions"
    # Qatar vs Israel and Hamas from the scenario: mean |z_Q − z_p| over shared issues.
    actors = {a.name: a for a in scenario.actors}

    def affinity(party: str) -> float:
        q, p = actors["Qatar"].positions, actors[party].positions
        shared = [k for k in q if k in p]
        assert len(shared) >= 4
        return 1 - sum(abs(q[k] - p[k]) for k in shared) / (100 * len(shared))

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
