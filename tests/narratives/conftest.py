"""Fixtures of the narrative-monitor tests: one planted corpus (fixed seed), read once."""

from __future__ import annotations

import pytest

from tests.narratives.generator import make_corpus, write_generic_csv


@pytest.fixture(scope="session")
def planted():
    return make_corpus(seed=20261203)


@pytest.fixture(scope="session")
def planted_csv(planted, tmp_path_factory):
    path = tmp_path_factory.mktemp("corpus") / "corpus.csv"
    write_generic_csv(planted, path)
    return path


@pytest.fixture(scope="session")
def planted_corpus(planted_csv):
    from minilateral.narratives import read_corpus

    return read_corpus(planted_csv)


@pytest.fixture(scope="session")
def planted_coordination(planted_corpus):
    from minilateral.narratives import detect_coordination

    return detect_coordination(planted_corpus)
