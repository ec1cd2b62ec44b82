"""Coordination: hand-worked examples, the toolkit as oracle, planted campaigns."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from minilateral.errors import OptionError
from minilateral.narratives import Corpus, detect_coordination, estimate_window
from minilateral.narratives.coordination import (
    CoordinationOptions,
    actions,
    co_action_edges,
    normalise_url,
)
from minilateral.narratives.ingest import COLUMNS


def _corpus(rows):
    df = pd.DataFrame(rows, columns=["id", "time", "author", "text", "url", "repost_of"])
    for col in COLUMNS:
        if col not in df.columns:
            df[col] = ""
    df["source"] = 0
    df["time"] = df["time"].astype(np.int64)
    files = [{"path": "memory", "format": "generic", "sha256": "0" * 64, "rows": len(df)}]
    return Corpus(df[list(COLUMNS)], files)


def test_window_hand_worked():
    # Items: A at 0, 10, 20, 100 (second share after 10 s); B at 0, 5, 50 (5 s); C at 0, 300.
    # q = 0.5: quantile of (10, 5, 300) is 10 -> A and B are quick. Shares past half: A rank 3
    # (3/4 > 0.5) at 20 s; B rank 2 (2/3 > 0.5) at 5 s. Median of (20, 5) = 12.5 s.
    item = np.array([0, 0, 0, 0, 1, 1, 1, 2, 2])
    t = np.array([100, 10, 20, 0, 0, 5, 50, 0, 300])  # order does not matter
    est = estimate_window(item, t, q=0.5)
    assert est["window_seconds"] == 12.5
    assert est["items_repeated"] == 3
    assert est["items_quick"] == 2


def test_window_zero_becomes_one_second():
    est = estimate_window(np.array([0, 0, 1, 1]), np.array([5, 5, 9, 9]))
    assert est["window_seconds"] == 1.0


def test_edges_hand_worked():
    # Window 60 s. Link L1: a@0, b@30, c@200 -> (a, b). Link L2: a@1000, b@1010, c@1050
    # -> (a, b), (a, c), (b, c). Repost of R: b@2000, c@2059 -> (b, c). Text: a and c post
    # the same text 10 s apart -> (a, c). A link inside a repost is not a link share.
    text = "exactly the same long message about the ceasefire talks"
    corpus = _corpus(
        [
            ("1", 0, "a", "x1", "https://www.l1.example/p?utm_source=t", ""),
            ("2", 30, "b", "x2", "http://l1.example/p/", ""),
            ("3", 200, "c", "x3", "https://l1.example/p", ""),
            ("4", 1000, "a", "y1", "https://l2.example", ""),
            ("5", 1010, "b", "y2", "https://l2.example", ""),
            ("6", 1050, "c", "y3", "https://l2.example", ""),
            ("7", 2000, "b", "z", "https://l1.example/p", "R"),
            ("8", 2059, "c", "z", "", "R"),
            ("9", 3000, "a", text, "", ""),
            ("10", 3010, "c", text.upper(), "", ""),
        ]
    )
    edges, _, _ = co_action_edges(actions(corpus, CoordinationOptions()), 60)
    got = {(r.a, r.b): (r.weight, r.link, r.text, r.repost) for r in edges.itertuples()}
    assert got == {
        ("a", "b"): (2, 2, 0, 0),
        ("a", "c"): (2, 1, 1, 0),
        ("b", "c"): (2, 1, 0, 1),
    }
    res = detect_coordination(corpus, window=60, min_repetitions=2)
    assert res.threshold == 2
    assert [c["accounts"] for c in res.clusters] == [["a", "b", "c"]]
    # score = (2 + 2 + 2) / C(3, 2) = 2
    assert res.clusters[0]["score"] == 2.0
    res3 = detect_coordination(corpus, window=60, min_repetitions=3)
    assert res3.clusters == []


def test_url_normalisation():
    s = pd.Series(["HTTPS://www.X.example/a/?utm_medium=x&id=3#frag", "x.example/a?fbclid=1"])
    assert normalise_url(s).tolist() == ["x.example/a/?id=3", "x.example/a"]


def test_bad_options():
    corpus = _corpus([("1", 0, "a", "t", "", "")])
    with pytest.raises(OptionError, match="channels"):
        detect_coordination(corpus, channels=("likes",))
    with pytest.raises(OptionError, match="percentile_edge_weight"):
        detect_coordination(corpus, percentile_edge_weight=1.5)
    with pytest.raises(OptionError, match="bands"):
        detect_coordination(corpus, bands=5)


def test_no_repeated_item_means_no_window():
    corpus = _corpus([("1", 0, "a", "t", "https://a", ""), ("2", 5, "b", "u", "https://b", "")])
    res = detect_coordination(corpus)
    assert res.window_seconds is None
    assert res.clusters == []


def _random_input(seed, kind):
    """Accounts share each item at most once, so the toolkit's message count equals the
    number of distinct co-shared items."""
    rng = np.random.default_rng(seed)
    rows = []
    for u in range(25):
        for item in rng.choice(15, size=rng.integers(3, 10), replace=False):
            t = int(rng.integers(0, 3600))
            if kind == "link":
                rows.append(
                    (f"m{len(rows)}", t, f"u{u:02d}", "x", f"https://site.example/{item}", "")
                )
            else:
                rows.append((f"m{len(rows)}", t, f"u{u:02d}", "x", "", f"orig{item}"))
    return rows


@pytest.mark.parametrize(("kind", "seed"), [("link", 1), ("link", 2), ("repost", 3)])
def test_equals_coordination_network_toolkit(tmp_path, kind, seed):
    """Our co-link and co-repost weights equal the toolkit's on the same input (MIT licence)."""
    pytest.importorskip(
        "coordination_network_toolkit",
        reason="the oracle needs the test extra (pip install coordination-network-toolkit)",
    )
    import sqlite3

    from coordination_network_toolkit.compute_networks import (
        compute_co_link_network,
        compute_co_retweet_parallel,
    )
    from coordination_network_toolkit.preprocess import preprocess_data

    rows = _random_input(seed, kind)
    window = 120
    db = str(tmp_path / "cnt.db")
    preprocess_data(
        db,
        [
            (mid, author, author, repost, "", text, t, [url] if url else [])
            for mid, t, author, text, url, repost in rows
        ],
    )
    if kind == "link":
        compute_co_link_network(db, window, n_threads=1, min_edge_weight=1)
        table = "co_link_network"
    else:
        compute_co_retweet_parallel(db, window, n_threads=1, min_edge_weight=1)
        table = "co_retweet_network"
    con = sqlite3.connect(db)
    theirs = {
        (u1, u2): w
        for u1, u2, w in con.execute(f"select user_1, user_2, weight from {table}")
        if u1 != u2
    }
    con.close()
    assert theirs, "the oracle found no edges; the input is too sparse to compare"
    # The toolkit lists both directions; each equals the symmetric count here.
    assert all(theirs[(b, a)] == w for (a, b), w in theirs.items())
    edges, _, _ = co_action_edges(
        actions(_corpus(rows), CoordinationOptions(channels=(kind,))), window
    )
    ours = {(r.a, r.b): int(r.weight) for r in edges.itertuples()}
    assert ours == {(a, b): w for (a, b), w in theirs.items() if a < b}


def test_planted_campaigns_precision_recall(planted, planted_coordination):
    found = planted_coordination.coordinated_accounts()
    tp = len(found & planted.coordinated)
    precision = tp / len(found)
    recall = tp / len(planted.coordinated)
    assert precision >= 0.9, (precision, recall)
    assert recall >= 0.9, (precision, recall)
    # The window is estimated from the data (campaign lags are ~40 s, organic ones hours).
    assert 5 <= planted_coordination.window_seconds <= 300


def test_result_is_json_and_worded_as_behaviour(planted_coordination):
    import json

    doc = json.loads(json.dumps(planted_coordination.to_dict(), allow_nan=False))
    c = doc["clusters"][0]
    assert {"accounts", "score", "shared_items", "n_shared_items", "first", "last"} <= set(c)
    assert c["shared_items"][0]["posts"]
    assert doc["provenance"]["input_sha256"]
    g = planted_coordination.graph()
    assert set(g.nodes) == planted_coordination.coordinated_accounts()


def test_row_order_does_not_matter():
    from tests.narratives.generator import make_corpus

    planted = make_corpus(
        seed=11, n_organic=150, campaign_sizes=(10, 8), campaign_narratives=(2, 5)
    )
    df = planted.posts.rename(columns={"t": "time_s"})

    def corpus(frame):
        return _corpus(
            list(
                zip(
                    frame["id"],
                    frame["time_s"],
                    frame["author"],
                    frame["text"],
                    frame["url"],
                    frame["repost_of"],
                    strict=True,
                )
            )
        )

    a = detect_coordination(corpus(df))
    b = detect_coordination(corpus(df.sample(frac=1.0, random_state=3)))
    assert a.window_seconds == b.window_seconds
    assert sorted(c["accounts"] for c in a.clusters) == sorted(c["accounts"] for c in b.clusters)
    assert {m for c in planted.campaigns for m in c} <= a.coordinated_accounts()
