"""CINC, complementarity, ATOP, SAI, cohesion and balancing: hand examples and data facts."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pandas as pd
import pytest

from minilateral.alignment import indices
from minilateral.alignment.votes import dyad_measures, prepare_votes
from minilateral.data.store import read_table


def _nmc(rows):
    return pd.DataFrame(rows, columns=["ccode", "year", *indices.COMPONENTS, "cinc"])


def test_cinc_hand_example_missing_component_excluded():
    t = indices.cinc_table(
        _nmc([[1, 2000, 10, 1, 0, 4, 3, 1, 0.0], [2, 2000, np.nan, 3, 5, 4, 1, 1, 0.0]])
    )
    c1 = (1.0 + 0.25 + 0 + 0.5 + 0.75 + 0.5) / 6
    c2 = (0.75 + 1 + 0.5 + 0.25 + 0.5) / 5
    assert t["cinc_computed"].tolist() == pytest.approx([c1, c2], abs=1e-15)
    assert t["n_components"].tolist() == [6, 5]


def test_cinc_matches_published(data_root):
    t = indices.cinc_table(read_table("cow_nmc"))
    assert len(t) == 17_121
    assert (t["cinc"] - t["cinc_computed"]).abs().max() < 2.5e-8
    q = t[t["ccode"] == 694].set_index("year")["cinc_computed"]
    assert q[2019] == pytest.approx(0.001555, abs=5e-7)
    assert q[2020] == pytest.approx(0.001777, abs=5e-7)
    top = t[t["year"] == 2022].sort_values("cinc", ascending=False)["ccode"].tolist()
    assert top.index(630) + 1 == 10
    assert top.index(694) + 1 == 65


def test_complementarity_hand_example():
    cinc = pd.DataFrame(
        {
            "ccode": [1, 2, 3],
            "year": 2000,
            **{
                f"s_{c}": v
                for c, v in zip(
                    indices.COMPONENTS,
                    np.array(
                        [
                            [0.1, 0.2, 0.3, 0.1, 0.2, 0.3],
                            [0.3, 0.2, 0.1, 0.3, 0.2, 0.1],
                            [0.2, 0.4, 0.6, 0.2, 0.4, 0.6],
                        ]
                    ).T,
                    strict=True,
                )
            },
        }
    )
    k = indices.complementarity_table(cinc, [1, 2, 3], 2000).set_index(["a", "b"])
    assert k.loc[(1, 2), "K"] == pytest.approx(1.0, abs=1e-12)  # mirror images
    assert k.loc[(1, 3), "K"] == pytest.approx(0.0, abs=1e-12)  # same profile, other size
    assert k.loc[(1, 3), "K_raw"] == pytest.approx(0.0, abs=1e-12)


def test_complementarity_facts_2022(data_root):
    t = indices.cinc_table(read_table("cow_nmc"))
    k = indices.complementarity_table(t, [640, 694, 670, 696], 2022).set_index(["a", "b"])
    assert k.loc[(640, 694), "K"] > 0.85
    assert k.loc[(670, 696), "K"] < 0.05


def test_atop_hand_example():
    atop = pd.DataFrame(
        {
            "ccode1": [1, 2, 1],
            "ccode2": [2, 1, 3],
            "year": 2000,
            "atop_defense": [1, 0, 0],
            "atop_offense": 0,
            "atop_neutral": 0,
            "atop_nonagg": [0, 0, 1],
            "atop_consul": [0, 1, 0],
        }
    )
    cinc = pd.DataFrame({"ccode": [1, 2, 3], "year": 2000, "cinc": [0.5, 0.3, 0.2]})
    s = indices.atop_similarity(atop, cinc, [1, 2], [2000, 2019]).set_index("year")
    # portfolios: a1 = (3, 3, 2), a2 = (3, 3, 0); Σ|d| = 2, N = 3
    assert s.loc[2000, "S_atop"] == pytest.approx(1 - 2 * 2 / 9, abs=1e-12)
    assert s.loc[2000, "S_atop_cinc"] == pytest.approx(1 - 2 * (0.2 * 2 / 3) / 1.0, abs=1e-12)
    assert s.loc[2000, "tie"] == 3
    assert math.isnan(s.loc[2019, "S_atop"])


def test_atop_facts(data_root):
    s = indices.atop_similarity(
        read_table("atop_alliance"), read_table("cow_nmc"), [640, 694], range(2010, 2019)
    )
    assert (s["tie"] == 0).all()
    assert s["S_atop"].mean() == pytest.approx(0.17, abs=0.02)


def test_poisson_binomial_against_enumeration():
    q = np.array([0.2, 0.5, 0.9, 0.35])
    for x in range(6):
        brute = sum(
            np.prod([q[k] if b else 1 - q[k] for k, b in enumerate(bits)])
            for bits in itertools.product([0, 1], repeat=4)
            if sum(bits) >= x
        )
        got = math.exp(indices.poisson_binomial_sf(q, x)) if x <= 4 else 0.0
        assert got == pytest.approx(brute, abs=1e-12)


def _assembly(group_votes, others, years=(2000,)):
    rows = []
    for k, (g, o) in enumerate(zip(group_votes, others, strict=True)):
        for s, v in enumerate(g):
            rows.append((k, f"{years[0]}-05-01", s + 1, v))
        for s, v in enumerate(o):
            rows.append((k, f"{years[0]}-05-01", 100 + s, v))
    return prepare_votes(pd.DataFrame(rows, columns=["rc", "date", "ccode", "vote"]))


def test_cohesion_hand_example():
    group = [(1, 1, 1)] * 18 + [(1, 2, 1), (3, 3, 1)]  # 18 unanimous of 20
    others = [(1, 3)] * 20  # p = (0.5, 0, 0.5): q = 2 · 0.5³ = 0.25
    rc = _assembly(group, others)
    row = indices.cohesion_table(rc, [1, 2, 3], [2000]).iloc[0]
    assert row["n6"] == 20
    assert row["unanimity_share"] == pytest.approx(0.9, abs=1e-12)
    assert row["baseline_agenda"] == pytest.approx(0.25, abs=1e-12)
    brute = sum(math.comb(20, x) * 0.25**x * 0.75 ** (20 - x) for x in range(18, 21))
    assert row["p_value"] == pytest.approx(brute, rel=1e-9)
    assert row["bloc"]
    assert row["defection"] == {1: 0.0, 2: 0.05, 3: 0.05}
    p1 = np.array([19, 18, 20]) / 20  # yes shares
    p2 = np.array([0, 1, 0]) / 20
    p3 = np.array([1, 1, 0]) / 20
    assert row["baseline_states"] == pytest.approx(p1.prod() + p2.prod() + p3.prod(), abs=1e-12)


def test_gcc_facts(rollcalls):
    gcc = indices.cohesion_table(rollcalls, [670, 690, 692, 694, 696, 698], list(range(2010, 2024)))
    assert (gcc["n_dyads"] == 15).all()
    assert (gcc["min_agree_half"] >= 0.93).all()
    assert gcc["unanimity_share"].between(0.785, 0.945).all()
    assert gcc["unanimity_share"].idxmin() == 13  # 2023
    assert gcc["baseline_agenda"].between(0.35, 0.47).all()
    assert (gcc["log10_p"] < -20).all()
    assert gcc["bloc"].all()


def test_sai_hand_example():
    dy = pd.DataFrame(
        {
            "year": 2000,
            "a": [2, 2, 2, 365, 365, 710],
            "b": [9, 365, 710, 9, 710, 9],
            "agree_half": [0.4, 0.2, 0.3, 0.9, 0.95, 0.7],
        }
    )
    pts = pd.DataFrame({"year": 2000, "ccode": [2, 365, 710, 9], "z": [3.0, -1.0, -2.0, 0.0]})
    out = indices.autonomy_index(dy, pts, [9]).iloc[0]
    assert out["SAI"] == pytest.approx(1 - (0.9 - 0.4), abs=1e-12)
    lam = (0 - 3) / (-1.5 - 3)
    assert out["SAI_IP"] == pytest.approx(1 - abs(2 * lam - 1), abs=1e-12)


def test_sai_facts(rollcalls):
    from minilateral.alignment.ideal_points import ideal_points

    years = [2011, 2019]
    states = [640, 694, 651, 670, 696]
    dy = dyad_measures(rollcalls, [*states, 2, 365, 710], years)
    pts = ideal_points(rollcalls, years)[0]
    sai = indices.autonomy_index(dy, pts, states)
    for col in ("SAI", "SAI_IP"):
        best = sai.loc[sai.groupby("year")[col].idxmax(), "state"]
        assert (best == 640).all(), col


def test_balancing_hand_example():
    cinc = pd.DataFrame(
        {"ccode": [1, 2, 3, 4, 5], "year": 2000, "cinc": [0.02, 0.03, 0.04, 0.06, 0.01]}
    )
    riv = pd.DataFrame(
        {
            "rivalry": ["A-C", "B-D", "A-E"],
            "ccode1": [1, 2, 1],
            "ccode2": [3, 4, 5],
            "start": 1990,
            "end": 2020,
        }
    )
    dy = pd.DataFrame(columns=["year", "a", "b", "kappa_sq", "n"])
    out, extra = indices.balancing_table(
        [1, 2], [3, 4, 5, 6], 2000, cinc=cinc, rivalries=riv, dyads=dy
    )
    cls = out.set_index("target")["class"].to_dict()
    assert cls == {
        3: "balancing (parity)",
        4: "balancing (partial)",
        5: "counter-aligned, weaker than every member",
        6: "not counter-aligned",
    }
    assert out["target"].tolist()[:2] == [3, 4]
    assert out.set_index("target").loc[4, "B"] == pytest.approx(0.05 / 0.06, abs=1e-12)
    assert extra["cinc_coalition"] == pytest.approx(0.05)


def test_backwards_year_range_is_named_as_such() -> None:
    from minilateral.alignment.api import parse_years
    from minilateral.errors import QueryError

    assert parse_years("2010-2012, 2015") == [2010, 2011, 2012, 2015]
    with pytest.raises(QueryError, match="runs backwards"):
        parse_years("2012-2010")
    with pytest.raises(QueryError, match="is not a year"):
        parse_years("20x0")
