"""Normalisation and MinHash/LSH near-duplicate grouping."""

from __future__ import annotations

import numpy as np
import pytest

from minilateral.narratives.text import minhash_signatures, near_duplicate_groups, normalise_texts


def test_normalisation_removes_marks_in_every_script():
    out = normalise_texts(
        [
            "قَطَرُ تـــدعم",  # harakat and tatweel
            "יְרוּשָׁלַיִם",  # niqqud
            "İSTANBUL'DA Işık",  # Turkish dotted capital I
            "See https://t.co/xyz @someone NOW!!!",
        ]
    )
    assert out == [
        "قطر تدعم",
        "ירושלים",
        "istanbul da işık",
        "see now",
    ]  # capital I folds to i, not ı


def test_signature_agreement_estimates_jaccard():
    rng = np.random.default_rng(1)
    alphabet = list("abcdefghijklmnopqrstuvwxyz ")
    base = "".join(rng.choice(alphabet, size=400))
    errors = []
    for keep in (0.95, 0.8, 0.6, 0.4):
        other = "".join(c if rng.random() < keep else rng.choice(alphabet) for c in base)
        sig = minhash_signatures([base, other], num_perm=256)
        est = (sig[0] == sig[1]).mean()

        def shingles(s):
            return {s[i : i + 5] for i in range(len(s) - 4)}

        a, b = shingles(base), shingles(other)
        errors.append(abs(est - len(a & b) / len(a | b)))
    # Binomial standard error at K = 256 is at most 0.031; allow four of them.
    assert max(errors) < 0.125


@pytest.mark.parametrize(
    ("a", "b"),
    [
        (
            "أموال قطر تمول مشاريع أردوغان في المنطقة كلها",
            "أموال قطر تمول مشاريع أردوغان في المنطقة 🔥",
        ),
        (
            "katar yatırımları ekonomimizi güçlendiriyor haber",
            "Katar yatırımları ekonomimizi güçlendiriyor!! haber",
        ),
        ("כסף קטארי חדר למערכת הפוליטית כולה היום", "כסף קטארי חדר למערכת הפוליטית כולה"),
        (
            "qatar funds campaigns to shape policy in europe",
            "Qatar funds campaigns to shape policy in Europe!!",
        ),
    ],
)
def test_variants_are_grouped_in_each_language(a, b):
    unrelated = "the weather today in the mountains is cold and very windy"
    labels = near_duplicate_groups([a, b, unrelated])
    assert labels[0] == labels[1]
    assert labels[2] != labels[0]


def test_random_texts_are_not_grouped():
    rng = np.random.default_rng(2)
    words = ["".join(rng.choice(list("abcdefghijklmnopqrstuvwxyz"), size=6)) for _ in range(3000)]
    texts = [" ".join(rng.choice(words, size=12)) for _ in range(3000)]
    labels = near_duplicate_groups(texts)
    assert len(set(labels.tolist())) == len(texts)


def test_short_texts_get_no_group():
    assert near_duplicate_groups(["ok", "ok", "yes indeed"]).tolist() == [-1, -1, -1]
