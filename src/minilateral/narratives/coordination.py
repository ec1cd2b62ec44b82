r"""Coordinated behaviour: accounts that repeatedly act on the same item within a short window.

Three kinds of *item* are followed (each a "channel"):

``link``
    a URL the post contains (normalised: scheme, ``www.``, fragment, trailing slash and
    ``utm_*``/``fbclid``/``gclid`` parameters dropped); URLs inside reposts are not counted
    (as in the coordination-network-toolkit's co-link network);
``text``
    a group of identical or near-identical texts (MinHash/LSH, :mod:`.text`) of posts that are
    not reposts;
``repost``
    the item a repost reposts (``repost_of``).

**Co-action.** Two posts by different accounts *co-act* when they act on the same item and
:math:`|t_i - t_j| \le w`, the coordination window (the sliding-window rule of the
coordination-network-toolkit, Graham et al. 2020).

**Window** (:func:`estimate_window`, CooRnet's ``estimate_coord_interval``, Giglietto et al.
2020): over items acted on more than once, keep those whose second action came quickest (time
from first to second action at or below its ``q``-quantile, default 0.1); for each kept item take
the time from the first action to the first action after which more than ``p`` (default 0.5) of
its actions had happened; the window is the median of those times (1 s if that is 0).

**Network.** Accounts are nodes; the weight of edge :math:`(a, b)` is the number of distinct
items on which :math:`a` and :math:`b` co-acted (CooRnet's projection of the account-item
bipartite graph with multiplicity). Edges are kept when

.. math:: w_{ab} \ge \max\bigl(Q_{\pi}(w),\; m\bigr),

with :math:`Q_{\pi}` the :math:`\pi`-quantile of all edge weights (CooRnet's
``percentile_edge_weight``, default 0.90, linear interpolation as R's default) and :math:`m`
the least number of repetitions (default 3; the toolkit's ``min_edge_weight``), so that chance
co-shares of a popular link never make an edge. **Clusters** are the connected components of
the kept network (CooRnet). Each cluster's strength score is the mean weight over all pairs of
its members,

.. math:: s = \frac{\sum_{a<b \in C} w_{ab}}{\binom{|C|}{2}},

the mean number of items a pair of members co-acted on within the window.

What this shows is that accounts *behaved in a coordinated way*; it says nothing about who runs
them or why (see ``docs/narratives.md``).

References
----------
.. [1] F. Giglietto, N. Righetti, L. Rossi, G. Marino, "It takes a village to manipulate the
   media: coordinated link sharing behavior during 2018 and 2019 Italian elections",
   Information, Communication & Society 23(6):867-891, 2020,
   doi:10.1080/1369118X.2020.1739732.
.. [2] T. Graham, A. Bruns, G. Zhu, R. Campbell, "Like a virus: the coordinated spread of
   coronavirus disinformation", The Australia Institute, 2020; coordination-network-toolkit,
   QUT Digital Observatory (MIT licence).
.. [3] D. Pacheco, P.-M. Hui, C. Torres-Lugo, B. T. Truong, A. Flammini, F. Menczer,
   "Uncovering coordinated networks on social media: methods and case studies", ICWSM 2021,
   pp. 455-466.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from minilateral.errors import OptionError
from minilateral.narratives.ingest import Corpus
from minilateral.narratives.text import near_duplicate_groups
from minilateral.provenance import provenance

__all__ = [
    "CHANNELS",
    "CoordinationOptions",
    "CoordinationResult",
    "actions",
    "co_action_edges",
    "detect_coordination",
    "estimate_window",
    "normalise_url",
]

CHANNELS = ("link", "text", "repost")
IntArray = npt.NDArray[np.int64]

_TRACKING = re.compile(r"(?:^|&)(?:utm_[^=&]*|fbclid|gclid|igshid|mc_eid)=[^&]*")


@dataclass(frozen=True)
class CoordinationOptions:
    """Options of :func:`detect_coordination`, validated in one place (:meth:`validate`).

    Parameters
    ----------
    window : float or None, default=None
        Coordination window in seconds; ``None`` estimates it from the data.
    channels : tuple of str, default=("link", "text", "repost")
        Kinds of item followed.
    percentile_edge_weight : float, default=0.9
        Quantile of edge weights an edge must reach (CooRnet).
    min_repetitions : int, default=3
        Least number of distinct co-acted items for an edge.
    q : float, default=0.1
        Window estimate: quantile of quickest second actions.
    p : float, default=0.5
        Window estimate: share of an item's actions to be reached.
    shingle_size, num_perm, bands, min_chars, min_similarity
        Near-duplicate text (see :func:`.text.near_duplicate_groups`).
    max_items : int, default=50
        Shared items listed per cluster (the count of all is always given).
    """

    window: float | None = None
    channels: tuple[str, ...] = CHANNELS
    percentile_edge_weight: float = 0.9
    min_repetitions: int = 3
    q: float = 0.1
    p: float = 0.5
    shingle_size: int = 5
    num_perm: int = 64
    bands: int = 16
    min_chars: int = 20
    min_similarity: float = 0.5
    max_items: int = 50

    def validate(self) -> CoordinationOptions:
        """Return self, or raise :class:`OptionError` naming the bad option."""
        if self.window is not None and not self.window > 0:
            raise OptionError("must be a positive number of seconds", field="window")
        bad = [c for c in self.channels if c not in CHANNELS]
        if bad or not self.channels:
            raise OptionError(
                f"unknown channel {', '.join(bad) or '(none)'}; choose from {', '.join(CHANNELS)}",
                field="channels",
            )
        for name in ("percentile_edge_weight", "q", "p", "min_similarity"):
            if not 0.0 <= getattr(self, name) <= 1.0:
                raise OptionError("must lie in [0, 1]", field=name)
        for name in ("min_repetitions", "shingle_size", "min_chars", "max_items"):
            if int(getattr(self, name)) < 1:
                raise OptionError("must be at least 1", field=name)
        if self.num_perm < 2 or self.num_perm & (self.num_perm - 1):
            raise OptionError("must be a power of two", field="num_perm")
        if self.bands < 1 or self.num_perm % self.bands:
            raise OptionError("must divide num_perm", field="bands")
        return self


@dataclass(frozen=True)
class CoordinationResult:
    """Clusters of accounts that behaved in a coordinated way, and the evidence.

    Attributes
    ----------
    clusters : list of dict
        Per cluster (strongest first): ``accounts``, ``score``, ``n_accounts``, ``density``,
        ``n_shared_items``, ``shared_items`` (kind; item: the link, the text or the reposted
        id; text of the first post; accounts; posts; first, last),
        ``first``/``last`` co-action (ISO 8601), ``median_lag_seconds``, ``channels``.
    edges : pandas.DataFrame
        Every edge before the threshold: ``a``, ``b``, ``weight``, ``link``, ``text``,
        ``repost``, ``first``, ``last`` (UTC seconds), ``kept``.
    window_seconds : float or None
        The window used (``None`` when no item was acted on twice).
    threshold : float
        The edge weight an edge needed.
    window_estimate : dict
        How the window was found.
    provenance : dict
        Model, options, input hash, files, version.
    """

    clusters: list[dict[str, Any]]
    edges: pd.DataFrame
    window_seconds: float | None
    threshold: float
    window_estimate: dict[str, Any]
    provenance: dict[str, Any] = field(default_factory=dict)

    def graph(self) -> Any:
        """The kept account x account network (:class:`networkx.Graph`, weights on edges)."""
        import networkx as nx

        g = nx.Graph()
        kept = self.edges[self.edges["kept"]]
        for row in kept.itertuples(index=False):
            g.add_edge(
                row.a,
                row.b,
                weight=int(row.weight),
                link=int(row.link),
                text=int(row.text),
                repost=int(row.repost),
            )
        return g

    def coordinated_accounts(self) -> set[str]:
        """Accounts in any cluster."""
        return {a for c in self.clusters for a in c["accounts"]}

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready result (valid JSON: no NaN)."""
        return {
            "clusters": self.clusters,
            "window_seconds": self.window_seconds,
            "threshold": self.threshold,
            "window_estimate": self.window_estimate,
            "n_edges": len(self.edges),
            "n_kept_edges": int(self.edges["kept"].sum()) if len(self.edges) else 0,
            "provenance": self.provenance,
        }


def normalise_url(urls: pd.Series) -> pd.Series:
    """Comparable form of URLs (no scheme, ``www.``, fragment, tracking parameters, final /)."""
    s = urls.str.strip().str.lower()
    s = s.str.replace(r"^[a-z][a-z0-9+.-]*://", "", regex=True).str.replace(
        r"^www\.", "", regex=True
    )
    s = s.str.replace(r"#.*$", "", regex=True)
    has_q = s.str.contains("?", regex=False)
    if has_q.any():
        base = s[has_q].str.split("?", n=1).str[0]
        query = s[has_q].str.split("?", n=1).str[1].str.replace(_TRACKING, "", regex=True)
        query = query.str.strip("&")
        s[has_q] = base.where(query == "", base + "?" + query)
    return s.str.rstrip("/")


def actions(corpus: Corpus, options: CoordinationOptions) -> pd.DataFrame:
    """One row per (post, item) action: ``post`` (row), ``author``, ``item``, ``channel``, ``t``.

    ``item`` strings are prefixed with the channel (``link:``, ``text:``, ``repost:``).
    """
    posts = corpus.posts
    frames = []
    is_repost = (posts["repost_of"] != "").to_numpy()
    if "link" in options.channels:
        has = (~is_repost) & (posts["url"] != "").to_numpy()
        sub = posts.loc[has, ["url"]]
        split = sub["url"].str.split()
        exploded = split.explode()
        exploded = exploded[exploded.notna() & (exploded != "")]
        rows = exploded.index.to_numpy()
        item = "link:" + normalise_url(exploded.astype(str))
        frames.append(pd.DataFrame({"post": rows, "item": item.to_numpy(), "channel": 0}))
    if "text" in options.channels:
        rows = np.flatnonzero(~is_repost)
        groups = near_duplicate_groups(
            posts["text"].to_numpy()[rows].tolist(),
            shingle_size=options.shingle_size,
            num_perm=options.num_perm,
            bands=options.bands,
            min_chars=options.min_chars,
            min_similarity=options.min_similarity,
        )
        ok = groups >= 0
        frames.append(
            pd.DataFrame(
                {
                    "post": rows[ok],
                    "item": pd.Series(groups[ok]).map("text:{}".format).to_numpy(),
                    "channel": 1,
                }
            )
        )
    if "repost" in options.channels:
        rows = np.flatnonzero(is_repost)
        frames.append(
            pd.DataFrame(
                {
                    "post": rows,
                    "item": ("repost:" + posts["repost_of"].iloc[rows]).to_numpy(),
                    "channel": 2,
                }
            )
        )
    out = pd.concat(frames, ignore_index=True)
    out = out.drop_duplicates(["post", "item"])
    out["author"] = posts["author"].to_numpy()[out["post"].to_numpy()]
    out["t"] = posts["time"].to_numpy()[out["post"].to_numpy()]
    return out.reset_index(drop=True)


def _sorted_by_item(item: IntArray, t: IntArray) -> tuple[IntArray, IntArray]:
    """Order by (item, time) and the combined sort key ``item * 2^32 + (t - t_min)``."""
    rel = t - (t.min() if t.size else 0)
    if rel.size and rel.max() >= 1 << 32:
        raise OptionError("the corpus spans more than 136 years", field="time")
    key = (item.astype(np.int64) << 32) | rel
    order = np.argsort(key, kind="stable")
    return order, key[order]


def estimate_window(
    item: IntArray, t: IntArray, *, q: float = 0.1, p: float = 0.5
) -> dict[str, Any]:
    """CooRnet's coordination interval (see the module notes).

    Parameters
    ----------
    item : ndarray of shape (n,), int
        Item code per action.
    t : ndarray of shape (n,), int
        Time per action, seconds.
    q, p : float
        CooRnet's ``q`` (quantile of the quickest second shares) and ``p`` (share of actions).

    Returns
    -------
    dict
        ``window_seconds`` (``None`` when no item has two actions), ``items_repeated``,
        ``items_quick``, ``q``, ``p``, ``summary`` (min, quartiles, max of the per-item times).

    Examples
    --------
    Item 0 is shared at 0, 10, 20, 100 s; item 1 at 0, 5, 50 s; item 2 at 0, 300 s:

    >>> import numpy as np
    >>> est = estimate_window(np.array([0, 0, 0, 0, 1, 1, 1, 2, 2]),
    ...                       np.array([0, 10, 20, 100, 0, 5, 50, 0, 300]), q=0.5)
    >>> est["window_seconds"], est["items_quick"]
    (12.5, 2)
    """
    order, _ = _sorted_by_item(item, t)
    it, tt = item[order], t[order]
    n = it.size
    if n == 0:
        return {"window_seconds": None, "items_repeated": 0, "items_quick": 0, "q": q, "p": p}
    starts = np.flatnonzero(np.r_[True, it[1:] != it[:-1]])
    counts = np.diff(np.r_[starts, n])
    rep = counts > 1
    if not rep.any():
        return {"window_seconds": None, "items_repeated": 0, "items_quick": 0, "q": q, "p": p}
    first_t = np.repeat(tt[starts], counts)
    secs = tt - first_t
    rank = np.arange(n) - np.repeat(starts, counts) + 1  # 1-based rank within the item
    n_of = np.repeat(counts, counts)
    second = secs[starts[rep] + 1]  # time from first to second share, per repeated item
    quick = second <= np.quantile(second, q)
    quick_items = starts[rep][quick]
    # Per quick item: least time from first share over shares with rank / count > p.
    is_quick = np.zeros(n, dtype=bool)
    is_quick[np.repeat(np.isin(starts, quick_items), counts)] = True
    sel = is_quick & (rank / n_of > p)
    grp = np.repeat(np.arange(starts.size), counts)[sel]
    per_item = pd.Series(secs[sel]).groupby(grp).min().to_numpy(dtype=float)
    window = float(np.median(per_item))
    if window == 0:
        window = 1.0
    qs = np.quantile(per_item, [0, 0.25, 0.5, 0.75, 1]).tolist()
    return {
        "window_seconds": window,
        "items_repeated": int(rep.sum()),
        "items_quick": int(quick.sum()),
        "q": q,
        "p": p,
        "summary": dict(zip(("min", "q1", "median", "q3", "max"), qs, strict=True)),
    }


def _co_action_pairs(
    item: IntArray, t: IntArray, author: IntArray, window: float
) -> tuple[IntArray, IntArray]:
    """Index pairs ``(i, j)`` of actions on the same item with ``|t_i - t_j| <= window``.

    Each unordered pair once (``i`` before ``j`` in (item, time) order); pure array code.
    """
    order, key = _sorted_by_item(item, t)
    n = key.size
    end = np.searchsorted(key, key + int(np.floor(window)), side="right")
    cnt = end - np.arange(n) - 1
    total = int(cnt.sum())
    i = np.repeat(np.arange(n), cnt)
    offset = np.arange(total) - np.repeat(np.cumsum(cnt) - cnt, cnt)
    j = i + 1 + offset
    return order[i], order[j]


def co_action_edges(
    acts: pd.DataFrame, window: float
) -> tuple[pd.DataFrame, pd.DataFrame, np.ndarray]:
    """Edges of the co-action network and the co-actions behind them.

    Parameters
    ----------
    acts : pandas.DataFrame
        From :func:`actions` (columns ``post``, ``item``, ``channel``, ``author``, ``t``).
    window : float
        Coordination window, seconds.

    Returns
    -------
    edges : pandas.DataFrame
        ``a``, ``b`` (account names, ``a < b``), ``weight`` (distinct co-acted items),
        ``link``/``text``/``repost`` (distinct items per channel), ``first``/``last``
        (earliest and latest co-action, seconds).
    pairs : pandas.DataFrame
        One row per co-action: ``pair`` (row of ``edges``), ``a``, ``b`` (account codes),
        ``item`` (code), ``channel``, ``post_i``, ``post_j`` (post rows), ``t``, ``lag``.
    authors : ndarray of object
        Account name per account code.
    """
    a_codes, authors = pd.factorize(acts["author"], sort=True)
    i_codes, _ = pd.factorize(acts["item"])
    t = acts["t"].to_numpy(np.int64)
    channel = acts["channel"].to_numpy(np.int64)
    post = acts["post"].to_numpy(np.int64)
    i, j = _co_action_pairs(i_codes.astype(np.int64), t, a_codes.astype(np.int64), window)
    ai, aj = a_codes[i], a_codes[j]
    diff = ai != aj
    i, j, ai, aj = i[diff], j[diff], ai[diff], aj[diff]
    a = np.minimum(ai, aj).astype(np.int64)
    b = np.maximum(ai, aj).astype(np.int64)
    n_auth = max(len(authors), 1)
    pair_id, pair_keys = pd.factorize(a * n_auth + b)
    pairs = pd.DataFrame(
        {
            "pair": pair_id,
            "a": a,
            "b": b,
            "item": i_codes[i],
            "channel": channel[i],
            "post_i": post[i],
            "post_j": post[j],
            "t": np.minimum(t[i], t[j]),
            "lag": np.abs(t[i] - t[j]),
        }
    )
    columns = ["a", "b", "weight", "link", "text", "repost", "first", "last"]
    if pairs.empty:
        return pd.DataFrame(columns=columns), pairs, np.asarray(authors, dtype=object)
    n_pairs = len(pair_keys)
    n_items = int(i_codes.max()) + 1
    # Distinct (pair, item): CooRnet's multiplicity counts each shared item once per pair.
    triple = np.unique(pair_id.astype(np.int64) * n_items + i_codes[i])
    t_pair = triple // n_items
    item_channel = np.zeros(n_items, dtype=np.int64)
    item_channel[i_codes] = channel
    t_channel = item_channel[triple % n_items]
    per = np.bincount(t_pair * 3 + t_channel, minlength=n_pairs * 3).reshape(n_pairs, 3)
    first = np.full(n_pairs, np.iinfo(np.int64).max)
    last = np.full(n_pairs, np.iinfo(np.int64).min)
    np.minimum.at(first, pair_id, pairs["t"].to_numpy())
    np.maximum.at(last, pair_id, pairs["t"].to_numpy())
    names = np.asarray(authors, dtype=object)
    keys = np.asarray(pair_keys, dtype=np.int64)
    edges = pd.DataFrame(
        {
            "a": names[keys // n_auth],
            "b": names[keys % n_auth],
            "weight": per.sum(axis=1),
            "link": per[:, 0],
            "text": per[:, 1],
            "repost": per[:, 2],
            "first": first,
            "last": last,
        }
    )
    return edges[columns], pairs, names


def _iso(seconds: float) -> str:
    return pd.Timestamp(int(seconds), unit="s", tz="UTC").isoformat()


def _cluster_record(
    members: list[str],
    kept: pd.DataFrame,
    pairs: pd.DataFrame,
    item_names: np.ndarray,
    posts: pd.DataFrame,
    max_items: int,
) -> dict[str, Any]:
    n = len(members)
    total = float(kept["weight"].sum())
    possible = n * (n - 1) / 2
    mine = pairs
    ids = posts["id"].to_numpy()
    author = posts["author"].to_numpy()
    items = []
    for item, grp in mine.groupby("item", sort=False):
        post_rows = np.unique(np.r_[grp["post_i"].to_numpy(), grp["post_j"].to_numpy()])
        name = str(item_names[item])
        kind, _, value = name.partition(":")
        text = str(posts["text"].iloc[post_rows[0]])
        if kind == "text":
            value = text
        items.append(
            {
                "kind": kind,
                "item": value,
                "text": text,
                "accounts": sorted(set(author[post_rows].tolist())),
                "posts": ids[post_rows].tolist(),
                "first": _iso(grp["t"].min()),
                "last": _iso(posts["time"].to_numpy()[post_rows].max()),
            }
        )
    items.sort(key=lambda d: (-len(d["accounts"]), d["first"]))
    channels = {
        "link": int(kept["link"].sum()),
        "text": int(kept["text"].sum()),
        "repost": int(kept["repost"].sum()),
    }
    return {
        "accounts": sorted(members),
        "n_accounts": n,
        "score": round(total / possible, 6),
        "density": round(len(kept) / possible, 6),
        "n_shared_items": len(items),
        "shared_items": items[:max_items],
        "first": _iso(mine["t"].min()),
        "last": _iso(mine["t"].max()),
        "median_lag_seconds": float(np.median(mine["lag"].to_numpy())),
        "channels": channels,
    }


def detect_coordination(
    corpus: Corpus, options: CoordinationOptions | None = None, **overrides: Any
) -> CoordinationResult:
    """Find clusters of accounts that behaved in a coordinated way (see the module notes).

    Parameters
    ----------
    corpus : Corpus
        Posts (:func:`.ingest.read_corpus`).
    options : CoordinationOptions, optional
        Options; keyword ``overrides`` replace single fields.

    Returns
    -------
    CoordinationResult

    Raises
    ------
    OptionError
        An option is out of range.
    """
    import networkx as nx

    opts = options or CoordinationOptions()
    if overrides:
        opts = CoordinationOptions(**{**asdict(opts), **overrides})
    opts.validate()
    acts = actions(corpus, opts)
    item_codes, item_names = pd.factorize(acts["item"])
    t = acts["t"].to_numpy(np.int64)
    if opts.window is None:
        estimate = estimate_window(item_codes.astype(np.int64), t, q=opts.q, p=opts.p)
        window = estimate["window_seconds"]
    else:
        window = float(opts.window)
        estimate = {"window_seconds": window, "given": True}
    prov = provenance(
        model="narratives.coordination",
        options={k: (list(v) if isinstance(v, tuple) else v) for k, v in asdict(opts).items()},
        seed=None,
        input_hash=corpus.input_hash,
        data_versions={f["path"]: f["sha256"] for f in corpus.files},
    )
    prov["files"] = corpus.files
    prov["n_posts"] = len(corpus.posts)
    prov["n_actions"] = len(acts)
    empty_edges = pd.DataFrame(
        columns=["a", "b", "weight", "link", "text", "repost", "first", "last", "kept"]
    )
    if window is None:
        return CoordinationResult([], empty_edges, None, float("inf"), estimate, prov)
    edges, pairs, names = co_action_edges(acts, window)
    if edges.empty:
        return CoordinationResult(
            [], empty_edges, window, float(opts.min_repetitions), estimate, prov
        )
    q = float(np.quantile(edges["weight"].to_numpy(float), opts.percentile_edge_weight))
    threshold = max(q, float(opts.min_repetitions))
    edges["kept"] = edges["weight"].to_numpy() >= threshold
    kept = edges[edges["kept"]]
    g = nx.Graph()
    g.add_edges_from(zip(kept["a"], kept["b"], strict=True))
    comp_of: dict[str, int] = {}
    components = [sorted(c) for c in nx.connected_components(g)]
    for ci, comp in enumerate(components):
        for acc in comp:
            comp_of[acc] = ci
    # Co-actions along kept edges only (edge row k is pair id k).
    kept_pairs = pairs[edges["kept"].to_numpy()[pairs["pair"].to_numpy()]]
    pair_comp = np.fromiter(
        (comp_of[x] for x in names[kept_pairs["a"].to_numpy()]),
        dtype=np.int64,
        count=len(kept_pairs),
    )
    edge_comp = np.fromiter((comp_of[x] for x in kept["a"]), dtype=np.int64, count=len(kept))
    item_arr = np.asarray(item_names, dtype=object)
    clusters = [
        _cluster_record(
            members,
            kept[edge_comp == ci],
            kept_pairs[pair_comp == ci],
            item_arr,
            corpus.posts,
            opts.max_items,
        )
        for ci, members in enumerate(components)
    ]
    clusters.sort(key=lambda c: (-c["score"] * c["n_accounts"], c["accounts"][0]))
    return CoordinationResult(clusters, edges, window, threshold, estimate, prov)
