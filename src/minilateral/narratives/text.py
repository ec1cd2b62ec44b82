r"""Multilingual text normalisation and near-duplicate grouping (MinHash/LSH over shingles).

Near-duplicate posts are found with MinHash signatures of character shingles and
locality-sensitive hashing (LSH) by banding:

1. **Normalisation** (:func:`normalise_texts`): Unicode NFKC, case folding, removal of URLs,
   @-mentions, combining marks (Arabic harakat and tatweel, Hebrew niqqud and cantillation,
   Latin combining accents, the dot that case folding leaves on Turkish ``İ``), zero-width
   joiners and directional marks; punctuation becomes a space; runs of spaces collapse. It works
   on any script because nothing in it is language specific.
2. **Shingles**: every run of ``k`` consecutive characters (default 5) of the normalised text.
   A polynomial hash of the ``k`` code points, passed through the SplitMix64 finaliser, gives a
   64-bit shingle hash.
3. **MinHash by one-permutation hashing** (Li, Owen & Zhang 2012): the hash range is split into
   ``K`` equal bins by the top bits of the hash; the signature's ``j``-th value is the minimum
   (lower bits) of the shingle hashes falling in bin ``j``. Empty bins are filled by optimal
   densification (Shrivastava 2017): an empty bin copies a non-empty donor bin chosen by a fixed
   hash sequence of the bin's index (the same for every text). Then for two texts :math:`A, B`

   .. math:: \Pr[\mathrm{sig}_j(A) = \mathrm{sig}_j(B)] \approx J(A, B)
             = \frac{|S(A) \cap S(B)|}{|S(A) \cup S(B)|},

   the Jaccard similarity of their shingle sets :math:`S`.
4. **LSH banding** (Indyk & Motwani 1998; Leskovec, Rajaraman & Ullman, *Mining of Massive
   Datasets*, ch. 3): the ``K`` values are cut into ``b`` bands of ``r = K / b`` rows; two texts
   are candidates when all rows of at least one band agree, which happens with probability
   :math:`1 - (1 - J^r)^b`, an S-curve with threshold near :math:`(1/b)^{1/r}`
   (K = 64, b = 16, r = 4: about 0.5).
5. **Groups**: each text in a band bucket is linked to the bucket's first text when their
   signatures agree on at least ``min_similarity`` of the ``K`` values (the MinHash estimate of
   their Jaccard similarity); the groups are the connected components of those links, so a
   chain of close variants of one template forms one group.

References
----------
.. [1] P. Li, A. Owen, C.-H. Zhang, "One permutation hashing", NeurIPS 25, 2012.
.. [2] A. Shrivastava, "Optimal densification for fast and accurate minwise hashing",
   ICML 2017, PMLR 70:3154-3163.
.. [3] A. Z. Broder, "On the resemblance and containment of documents", Compression and
   Complexity of Sequences 1997, pp. 21-29, doi:10.1109/SEQUEN.1997.666900.
.. [4] J. Leskovec, A. Rajaraman, J. D. Ullman, *Mining of Massive Datasets*, 3rd ed.,
   Cambridge University Press, 2020, ch. 3.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
import pandas as pd

__all__ = ["minhash_signatures", "near_duplicate_groups", "normalise_texts"]

IntArray = npt.NDArray[np.int64]

_URL = re.compile(r"(?:https?://|www\.)[^\s\x00]+")  # after case folding
_MENTION = re.compile(r"@\w+")
# Combining marks: Latin combining diacritics (U+0300-036F, incl. the dot case folding leaves
# on Turkish İ), Hebrew points and cantillation (U+0591-05C7), Arabic marks and harakat
# (U+0610-061A, U+064B-065F, U+0670, U+06D6-06ED), Arabic tatweel (U+0640), zero-width and
# directional marks (U+200B-200F, U+202A-202E, U+2066-2069).
_MARKS = re.compile(
    "[\u0300-\u036f\u0591-\u05c7\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640"
    "\u200b-\u200f\u202a-\u202e\u2066-\u2069]"
)
_PUNCT = re.compile(r"[^\w\s\x00]+|_")
_WHITESPACE = re.compile(
    "[\t\n\v\f\r\x1c-\x1f\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]"
)
_SPACE_RUNS = re.compile(" {2,}")

_MASK64 = np.uint64(0xFFFFFFFFFFFFFFFF)
_POLY = np.uint64(0x100000001B3)  # FNV-1a 64-bit prime, used as the polynomial base
_DENSIFY = 0x9E3779B1  # offset per densification attempt (mod 2^32)


def normalise_texts(texts: Sequence[str]) -> list[str]:
    """Normalise posts for shingling (NFKC, case fold, no URLs, marks or punctuation).

    Parameters
    ----------
    texts : sequence of str
        The posts' texts.

    Returns
    -------
    list of str
        One normalised text per input, in order.

    Examples
    --------
    >>> normalise_texts(["İSTANBUL'da  https://x.co/a", "قَطَر"])
    ['istanbul da', 'قطر']
    """
    if len(texts) == 0:
        return []
    cleaned = [t.replace("\x00", " ") if "\x00" in t else t for t in texts]
    big = "\x00".join(cleaned)  # one pass of each regex over the whole corpus
    big = unicodedata.normalize("NFKC", big).casefold()
    big = _URL.sub(" ", big)
    big = _MENTION.sub(" ", big)
    big = _MARKS.sub("", big)
    big = _PUNCT.sub(" ", big)
    big = _SPACE_RUNS.sub(" ", _WHITESPACE.sub(" ", big))
    big = big.replace(" \x00", "\x00").replace("\x00 ", "\x00").strip(" ")
    return big.split("\x00")


def _splitmix(h: npt.NDArray[np.uint64]) -> npt.NDArray[np.uint64]:
    """SplitMix64 finaliser (Steele, Lea & Flood 2014), in place."""
    h ^= h >> np.uint64(30)
    h *= np.uint64(0xBF58476D1CE4E5B9)
    h ^= h >> np.uint64(27)
    h *= np.uint64(0x94D049BB133111EB)
    h ^= h >> np.uint64(31)
    return h


def _densify(sig: npt.NDArray[np.uint32], filled: npt.NDArray[np.bool_]) -> npt.NDArray[np.uint32]:
    """Optimal densification (Shrivastava 2017), in place on the empty bins.

    An empty bin ``j`` copies the value of bin ``d(j, a)`` for the first attempt
    ``a = 1, 2, ...`` whose donor bin is not empty, plus ``a * C``; the donor sequence ``d`` is
    a fixed hash of ``(j, a)``, the same for every text, so two texts fill a bin from the same
    donor whenever their donors agree.
    """
    n_bins = sig.shape[1]
    rows, bins = np.nonzero(~filled)
    bins_u = bins.astype(np.uint64)
    attempt = 0
    while rows.size:
        attempt += 1
        key = _splitmix(bins_u * np.uint64(0x9E3779B97F4A7C15) + np.uint64(attempt))
        donor = (key % np.uint64(n_bins)).astype(np.int64)
        ok = filled[rows, donor]
        step = np.uint32((attempt * _DENSIFY) & 0xFFFFFFFF)
        sig[rows[ok], bins[ok]] = sig[rows[ok], donor[ok]] + step
        keep = ~ok
        rows, bins, bins_u = rows[keep], bins[keep], bins_u[keep]
    return sig


def _chunk_signatures(texts: list[str], k: int, log2_bins: int) -> npt.NDArray[np.uint32]:
    """One-permutation MinHash signatures (densified) of non-empty normalised texts.

    Prior validation is assumed: every text has at least ``k`` characters.
    """
    n_bins = 1 << log2_bins
    n = len(texts)
    codes = np.frombuffer("\x00".join(texts).encode("utf-32-le"), dtype=np.uint32)
    is_sep = codes == 0
    text_of = np.cumsum(is_sep)  # index of the text each position belongs to
    n_pos = codes.size - k + 1
    seps_before = np.concatenate([[0], text_of])  # separators strictly before position i
    # A window [i, i + k) is a shingle when it holds no separator.
    valid = (seps_before[k : k + n_pos] - seps_before[:n_pos]) == 0
    wide = codes.astype(np.uint64)
    h = np.zeros(n_pos, dtype=np.uint64)
    for j in range(k):  # h = sum_j c[i + j] * P^(k - 1 - j)  (mod 2^64)
        h *= _POLY
        h += wide[j : j + n_pos]
    h = _splitmix(h[valid])
    owner = text_of[:n_pos][valid]
    shift = np.uint64(64 - log2_bins)
    bins = (h >> shift).astype(np.int64)
    values = (h & np.uint64(0xFFFFFFFF)).astype(np.uint32)
    sig: npt.NDArray[np.uint32] = np.full(n * n_bins, np.iinfo(np.uint32).max, dtype=np.uint32)
    np.minimum.at(sig, owner * n_bins + bins, values)
    sig = sig.reshape(n, n_bins)
    filled: npt.NDArray[np.bool_] = np.zeros(n * n_bins, dtype=bool)
    filled[owner * n_bins + bins] = True
    filled = filled.reshape(n, n_bins)
    if not filled.all():
        sig = _densify(sig, filled)
    return sig


def minhash_signatures(
    texts: Sequence[str], *, shingle_size: int = 5, num_perm: int = 64, chunk: int = 65536
) -> npt.NDArray[np.uint32]:
    """MinHash signatures of normalised texts by densified one-permutation hashing.

    Parameters
    ----------
    texts : sequence of str
        Normalised texts (:func:`normalise_texts`), each at least ``shingle_size`` characters.
    shingle_size : int, default=5
        Characters per shingle.
    num_perm : int, default=64
        Signature length ``K`` (a power of two).
    chunk : int, default=65536
        Texts hashed at a time (bounds memory).

    Returns
    -------
    ndarray of shape (len(texts), num_perm), dtype uint32
        Agreement rate of two rows estimates the Jaccard similarity of their shingle sets.
    """
    log2_bins = int(num_perm).bit_length() - 1
    out = np.empty((len(texts), num_perm), dtype=np.uint32)
    for start in range(0, len(texts), chunk):
        part = list(texts[start : start + chunk])
        out[start : start + len(part)] = _chunk_signatures(part, shingle_size, log2_bins)
    return out


def _band_keys(sig: npt.NDArray[np.uint32], bands: int) -> npt.NDArray[np.uint64]:
    """One 64-bit key per (text, band): a polynomial hash of the band's rows."""
    n, k = sig.shape
    rows = k // bands
    blocks = sig.reshape(n, bands, rows).astype(np.uint64)
    key = np.zeros((n, bands), dtype=np.uint64)
    for j in range(rows):
        key *= _POLY
        key += blocks[:, :, j] + np.uint64(1)
    return _splitmix(key)


def near_duplicate_groups(
    texts: Sequence[str],
    *,
    shingle_size: int = 5,
    num_perm: int = 64,
    bands: int = 16,
    min_chars: int = 20,
    min_similarity: float = 0.5,
) -> IntArray:
    """Group near-identical texts (MinHash/LSH; see the module notes).

    Parameters
    ----------
    texts : sequence of str
        Raw post texts; they are normalised with :func:`normalise_texts`.
    shingle_size : int, default=5
        Characters per shingle.
    num_perm : int, default=64
        MinHash signature length (a power of two).
    bands : int, default=16
        LSH bands; ``num_perm`` must be a multiple. The candidate threshold is about
        ``(1 / bands) ** (bands / num_perm)``.
    min_chars : int, default=20
        Normalised texts shorter than this are too short to be evidence and get no group.
    min_similarity : float, default=0.5
        Least estimated Jaccard similarity of a text and its bucket's first text for a link.

    Returns
    -------
    ndarray of shape (len(texts),), dtype int64
        Group label per text (``-1``: too short). Identical normalised texts always share a
        label; labels are dense, numbered from 0.

    Examples
    --------
    >>> near_duplicate_groups([
    ...     "Qatar funds the campaign, say the documents",
    ...     "QATAR funds the campaign, say the documents!!",
    ...     "Weather in Ankara is sunny today and tomorrow",
    ...     "short",
    ... ]).tolist()
    [0, 0, 1, -1]
    """
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    norm = normalise_texts(texts)
    labels = np.full(len(norm), -1, dtype=np.int64)
    lengths = np.fromiter((len(t) for t in norm), dtype=np.int64, count=len(norm))
    keep = np.flatnonzero(lengths >= max(min_chars, shingle_size))
    if keep.size == 0:
        return labels
    codes, uniques = pd.factorize(pd.Series([norm[i] for i in keep], dtype=object))
    sig = minhash_signatures(list(uniques), shingle_size=shingle_size, num_perm=num_perm)
    keys = _band_keys(sig, bands)
    m = len(uniques)
    src, dst = [], []
    for b in range(bands):
        # Bucket codes in order of first appearance: the first text of bucket c is firsts[c].
        bucket = pd.factorize(keys[:, b])[0]
        seen = np.maximum.accumulate(bucket)
        firsts = np.flatnonzero(np.r_[True, bucket[1:] > seen[:-1]])
        order = np.arange(m)
        first = firsts[bucket]
        cand = np.flatnonzero(first != order)
        agree = np.empty(cand.size)
        for lo in range(0, cand.size, 1 << 18):  # bounded memory
            part = cand[lo : lo + (1 << 18)]
            agree[lo : lo + part.size] = (sig[order[part]] == sig[first[part]]).mean(axis=1)
        link = cand[agree >= min_similarity]
        src.append(order[link])
        dst.append(first[link])
    s = np.concatenate(src)
    d = np.concatenate(dst)
    graph = coo_matrix((np.ones(s.size, dtype=np.int8), (s, d)), shape=(m, m))
    _, comp = connected_components(graph, directed=False)
    # Dense labels in order of first appearance.
    _, dense = np.unique(comp, return_inverse=True)
    first_seen = pd.factorize(pd.Series(dense[codes]))[0]
    labels[keep] = first_seen
    return labels
