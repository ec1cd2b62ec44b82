r"""Narratives: clusters of posts by multilingual character n-gram TF-IDF.

Method (documented in ``docs/narratives.md``):

1. Texts are normalised (:func:`.text.normalise_texts`); reposts carry their original's text
   and are clustered with it. Texts shorter than ``min_chars`` are left out; identical
   normalised texts are clustered once.
2. **Language groups**: texts are clustered within their language (the ``lang`` column, else
   the dominant script: Arabic, Hebrew, Cyrillic, Latin). Character n-grams of different
   languages barely overlap, so a density method run on a mixed corpus finds languages before
   it finds narratives; within a language it finds narratives.
3. **Features**: TF-IDF over character n-grams within word boundaries (``char_wb``, lengths
   3-5, sublinear term frequency, ``min_df=2``, L2-normalised rows). Character n-grams need no
   tokenizer or stemmer, so Arabic, Hebrew, Turkish and English are treated alike (Cavnar &
   Trenkle 1994; McNamee & Mayfield 2004).
4. **Clustering**: HDBSCAN (Campello, Moulavi & Sander 2013) on cosine distances
   :math:`1 - \cos(x_i, x_j)`, with ``min_cluster_size`` (default: 1 % of the group's clustered
   texts, at least 10). The number of narratives is not fixed in advance and texts in no dense
   region are *noise* (label ``-1``), i.e. ordinary chatter. At most ``max_posts`` unique texts
   per language are clustered (a seeded sample); the others join the nearest narrative centroid
   when their cosine similarity to it reaches the least similarity of any sample member to its
   own centroid, else noise.
5. Per narrative: **top terms per language** (words with the highest mean TF-IDF weight in the
   narrative's posts of that language, over the corpus-wide word TF-IDF), example posts, daily
   volume, actors mentioned (:mod:`.actors`) and the coordinated clusters whose members wrote
   its posts.

Character n-grams do not join translations: the same story in Arabic and in English forms two
narratives unless the posts share names, hashtags or links.

References
----------
.. [1] W. B. Cavnar, J. M. Trenkle, "N-gram-based text categorization", SDAIR 1994, 161-175.
.. [2] P. McNamee, J. Mayfield, "Character n-gram tokenization for European language text
   retrieval", Information Retrieval 7:73-97, 2004.
.. [3] R. J. G. B. Campello, D. Moulavi, J. Sander, "Density-based clustering based on
   hierarchical density estimates", PAKDD 2013, LNCS 7819:160-172.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from minilateral.errors import OptionError
from minilateral.narratives.actors import actor_mentions
from minilateral.narratives.ingest import Corpus
from minilateral.narratives.text import normalise_texts
from minilateral.provenance import provenance

__all__ = ["NarrativeOptions", "NarrativeResult", "find_narratives"]


@dataclass(frozen=True)
class NarrativeOptions:
    """Options of :func:`find_narratives` (see the module notes); validated by :meth:`validate`."""

    ngram_min: int = 3
    ngram_max: int = 5
    min_cluster_size: int | None = None
    max_posts: int = 5000
    min_chars: int = 20
    n_terms: int = 8
    n_examples: int = 5
    seed: int = 0

    def validate(self) -> NarrativeOptions:
        """Return self, or raise :class:`OptionError` naming the bad option."""
        if not 1 <= self.ngram_min <= self.ngram_max:
            raise OptionError("need 1 <= ngram_min <= ngram_max", field="ngram_min")
        for name in ("max_posts", "min_chars", "n_terms", "n_examples"):
            if int(getattr(self, name)) < 1:
                raise OptionError("must be at least 1", field=name)
        if self.min_cluster_size is not None and self.min_cluster_size < 2:
            raise OptionError("must be at least 2", field="min_cluster_size")
        return self


@dataclass(frozen=True)
class NarrativeResult:
    """Narratives found in a corpus.

    Attributes
    ----------
    narratives : list of dict
        Per narrative (largest first): ``id``, ``posts`` (post ids), ``size``, ``languages``,
        ``top_terms`` (language -> terms), ``examples``, ``volume`` (day -> posts),
        ``actors`` (actor -> posts mentioning it), ``clusters`` (coordinated cluster index ->
        posts by its members).
    labels : numpy.ndarray
        Narrative index per post of the corpus (``-1``: none).
    provenance : dict
    """

    narratives: list[dict[str, Any]]
    labels: np.ndarray
    provenance: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready result."""
        return {"narratives": self.narratives, "provenance": self.provenance}


_SCRIPTS = (
    ("arabic", re.compile("[\u0600-\u06ff\u0750-\u077f]")),
    ("hebrew", re.compile("[\u0590-\u05ff]")),
    ("cyrillic", re.compile("[\u0400-\u04ff]")),
    ("latin", re.compile("[a-zà-ɏ]")),
)


def _language_groups(lang: np.ndarray, norm: np.ndarray) -> np.ndarray:
    """``lang`` (primary subtag, lower case) or, when empty, the text's dominant script."""
    out = np.empty(lang.size, dtype=object)
    for i, (lg, text) in enumerate(zip(lang, norm, strict=True)):
        lg = str(lg).strip().lower().split("-")[0].split("_")[0]
        if lg:
            out[i] = lg
            continue
        counts = [(len(pat.findall(text)), name) for name, pat in _SCRIPTS]
        best = max(counts)
        out[i] = f"script:{best[1]}" if best[0] else "script:other"
    return out


def _cluster_group(
    texts: np.ndarray, opts: NarrativeOptions, rng: np.random.Generator
) -> np.ndarray:
    """HDBSCAN labels of one language's unique texts over cosine distances of TF-IDF rows."""
    from sklearn.cluster import HDBSCAN
    from sklearn.feature_extraction.text import TfidfVectorizer

    m = texts.size
    labels = np.full(m, -1, dtype=np.int64)
    min_size = opts.min_cluster_size or max(10, int(0.01 * min(m, opts.max_posts)))
    if m <= min_size:
        return labels
    sample = np.sort(rng.choice(m, size=min(m, opts.max_posts), replace=False))
    vec = TfidfVectorizer(
        analyzer="char_wb",
        ngram_range=(opts.ngram_min, opts.ngram_max),
        sublinear_tf=True,
        min_df=2,
        dtype=np.float64,
    )
    try:
        xs = vec.fit_transform(texts[sample])
    except ValueError:  # no n-gram occurs twice
        return labels
    dist = 1.0 - (xs @ xs.T).toarray()
    np.clip(dist, 0.0, 2.0, out=dist)
    np.fill_diagonal(dist, 0.0)
    lab = HDBSCAN(min_cluster_size=min_size, metric="precomputed", copy=True).fit_predict(dist)
    labels[sample] = lab
    k = int(lab.max()) + 1
    if k and sample.size < m:
        # Texts outside the sample join the nearest centroid if at least as close as the
        # loosest sample member is to its own centroid.
        cent = np.vstack([np.asarray(xs[lab == c].mean(axis=0)) for c in range(k)])
        cent /= np.linalg.norm(cent, axis=1, keepdims=True)
        floor = min(float((xs[lab == c] @ cent[c]).min()) for c in range(k))
        rest = np.setdiff1d(np.arange(m), sample)
        for lo in range(0, rest.size, 20000):
            part = rest[lo : lo + 20000]
            sim = np.asarray(vec.transform(texts[part]) @ cent.T)
            best = sim.argmax(axis=1)
            labels[part] = np.where(sim[np.arange(part.size), best] >= floor, best, -1)
    return labels


def find_narratives(
    corpus: Corpus,
    options: NarrativeOptions | None = None,
    *,
    coordination: Any = None,
    **overrides: Any,
) -> NarrativeResult:
    """Cluster the corpus's posts into narratives (see the module notes).

    Parameters
    ----------
    corpus : Corpus
        Posts.
    options : NarrativeOptions, optional
        Options; keyword ``overrides`` replace single fields.
    coordination : CoordinationResult, optional
        When given, each narrative lists the coordinated clusters whose members wrote its posts.

    Returns
    -------
    NarrativeResult
    """
    opts = options or NarrativeOptions()
    if overrides:
        opts = NarrativeOptions(**{**asdict(opts), **overrides})
    opts.validate()
    posts = corpus.posts
    n = len(posts)
    text = posts["text"].to_numpy(object)
    # Reposts inherit the text of the reposted post when it is in the corpus.
    by_id = pd.Series(np.arange(n), index=posts["id"].to_numpy())
    rep = posts["repost_of"].to_numpy(object)
    has_src = (rep != "") & pd.Series(rep).isin(by_id.index).to_numpy()
    if has_src.any():
        text = text.copy()
        text[has_src] = text[by_id.loc[rep[has_src]].to_numpy()]
    norm = np.asarray(normalise_texts(text.tolist()), dtype=object)
    lengths = np.fromiter((len(s) for s in norm), dtype=np.int64, count=n)
    usable = np.flatnonzero(lengths >= opts.min_chars)
    labels = np.full(n, -1, dtype=np.int64)
    prov = provenance(
        model="narratives.topics",
        options=asdict(opts),
        seed=opts.seed,
        input_hash=corpus.input_hash,
        data_versions={f["path"]: f["sha256"] for f in corpus.files},
    )
    if usable.size < 3:
        return NarrativeResult([], labels, prov)
    codes, uniques = pd.factorize(pd.Series(norm[usable]))
    uniques = np.asarray(uniques, dtype=object)
    m = len(uniques)
    # Language of each unique text: the post's ``lang`` or, when empty, its dominant script.
    group_of = _language_groups(posts["lang"].to_numpy(object)[usable], norm[usable])
    ugroup = np.empty(m, dtype=object)
    ugroup[codes] = group_of
    uniq_lab = np.full(m, -1, dtype=np.int64)
    rng = np.random.default_rng(opts.seed)
    n_clusters = 0
    for grp in sorted(set(ugroup.tolist())):
        members = np.flatnonzero(ugroup == grp)
        found = _cluster_group(uniques[members], opts, rng)
        ok = found >= 0
        uniq_lab[members[ok]] = found[ok] + n_clusters
        n_clusters += int(found.max()) + 1 if ok.any() else 0
    labels[usable] = uniq_lab[codes]
    narratives = _describe(corpus, labels, norm, n_clusters, opts, coordination)
    # Renumber narratives by size (largest first) and keep labels in step.
    order = sorted(range(len(narratives)), key=lambda i: -narratives[i]["size"])
    remap = np.full(n_clusters + 1, -1, dtype=np.int64)
    out = []
    for new, old in enumerate(order):
        remap[old] = new
        rec = narratives[old]
        rec["id"] = new
        out.append(rec)
    labels = np.where(labels >= 0, remap[labels], -1)
    return NarrativeResult(out, labels, prov)


def _describe(
    corpus: Corpus,
    labels: np.ndarray,
    norm: np.ndarray,
    n_clusters: int,
    opts: NarrativeOptions,
    coordination: Any,
) -> list[dict[str, Any]]:
    from sklearn.feature_extraction.text import TfidfVectorizer

    posts = corpus.posts
    ids = posts["id"].to_numpy(object)
    lang = posts["lang"].to_numpy(object)
    in_any = np.flatnonzero(labels >= 0)
    words = TfidfVectorizer(token_pattern=r"(?u)#?\b\w\w+\b", sublinear_tf=True, dtype=np.float32)
    wx = words.fit_transform(norm[in_any]) if in_any.size else None
    vocab = np.asarray(words.get_feature_names_out(), dtype=object) if in_any.size else None
    day = pd.to_datetime(posts["time"].to_numpy(), unit="s", utc=True).strftime("%Y-%m-%d")
    mentions = actor_mentions(posts["text"].tolist())
    member_of: dict[str, int] = {}
    if coordination is not None:
        for ci, c in enumerate(coordination.clusters):
            for a in c["accounts"]:
                member_of[a] = ci
    authors = posts["author"].to_numpy(object)
    out = []
    for c in range(n_clusters):
        rows = np.flatnonzero(labels == c)
        local = np.flatnonzero(labels[in_any] == c)
        langs = lang[rows]
        top: dict[str, list[str]] = {}
        for lg in sorted(set(langs.tolist())):
            sel = local[langs == lg]
            # (``wx`` and ``vocab`` are None only when no post is clustered: ``sel`` is empty)
            if sel.size == 0 or wx is None or vocab is None:
                continue
            score = np.asarray(wx[sel].mean(axis=0)).ravel()
            best = np.argsort(-score, kind="stable")[: opts.n_terms]
            top[lg or "unknown"] = [str(vocab[b]) for b in best if score[b] > 0]
        vol = pd.Series(day[rows]).value_counts().sort_index()
        actor_counts: dict[str, int] = {}
        for r in rows:
            for a in mentions[r]:
                actor_counts[a] = actor_counts.get(a, 0) + 1
        clusters: dict[str, int] = {}
        for r in rows:
            member = member_of.get(authors[r])
            if member is not None:
                clusters[str(member)] = clusters.get(str(member), 0) + 1
        first = rows[np.unique(norm[rows], return_index=True)[1]][: opts.n_examples]
        out.append(
            {
                "id": c,
                "size": int(rows.size),
                "posts": ids[rows].tolist(),
                "languages": {
                    str(k or "unknown"): int(v) for k, v in pd.Series(langs).value_counts().items()
                },
                "top_terms": top,
                "examples": [str(posts["text"].iloc[r]) for r in first],
                "volume": {str(k): int(v) for k, v in vol.items()},
                "actors": dict(sorted(actor_counts.items(), key=lambda kv: -kv[1])),
                "clusters": clusters,
            }
        )
    return out
