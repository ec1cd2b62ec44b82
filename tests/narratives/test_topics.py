"""Narratives on the planted corpus, actor mentions."""

from __future__ import annotations

import json

import pytest
from sklearn.metrics import adjusted_rand_score

from minilateral.errors import OptionError
from minilateral.narratives import find_narratives
from minilateral.narratives.actors import actor_mentions


@pytest.fixture(scope="module")
def narratives(planted_corpus, planted_coordination):
    return find_narratives(planted_corpus, coordination=planted_coordination)


def test_planted_narratives_ari(planted, planted_corpus, narratives):
    truth = planted.posts.set_index("id").loc[planted_corpus.posts["id"], "narrative"]
    ari = adjusted_rand_score(truth.to_numpy(), narratives.labels)
    assert ari >= 0.8, ari


def test_narratives_name_actors_languages_and_clusters(narratives, planted):
    doc = json.loads(json.dumps(narratives.to_dict(), allow_nan=False))
    langs = {lg for n in doc["narratives"] for lg in n["top_terms"]}
    assert {"ar", "tr", "he", "en"} <= langs
    by_terms = {n["id"]: n for n in doc["narratives"]}
    # Every campaign pushes a narrative: some narrative lists each coordinated cluster.
    pushed = {k for n in doc["narratives"] for k in n["clusters"]}
    assert len(pushed) >= len(planted.campaigns)
    qatar = [n for n in by_terms.values() if "Qatar" in n["actors"]]
    assert qatar
    assert all(n["volume"] for n in qatar)
    assert all(n["posts"] and n["examples"] for n in doc["narratives"])


def test_same_seed_same_narratives(planted_corpus, narratives):
    again = find_narratives(planted_corpus)
    assert (again.labels == narratives.labels).all()


def test_actor_mentions_prefixes_and_suffixes():
    got = actor_mentions(
        ["Katar'ın yatırımları", "والدوحة تدعم", "ובקטאר", "Israeli officials", "nothing"]
    )
    assert got == [["Qatar"], ["Qatar"], ["Qatar"], ["Israel"], []]


def test_bad_option(planted_corpus):
    with pytest.raises(OptionError, match="min_cluster_size"):
        find_narratives(planted_corpus, min_cluster_size=1)
