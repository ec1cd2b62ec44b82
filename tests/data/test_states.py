"""State identifiers: COW code, COW abbreviation, ISO3, English name; ISO3 wins."""

from __future__ import annotations

import pytest

from minilateral.data.states import load_groups, resolver
from minilateral.errors import QueryError


@pytest.mark.parametrize(
    ("tokens", "code"),
    [
        (["694", "QAT", "Qatar"], 694),
        (["640", "TUR", "Türkiye", "Turkey"], 640),
        (["696", "UAE", "ARE", "United Arab Emirates"], 696),
    ],
)
def test_identifiers(data_root, tokens, code):
    r = resolver(data_root)
    for token in tokens:
        res = r.resolve([token])
        assert res.codes == [code], token
        assert not res.warnings, token


def test_iso3_wins_with_warning(data_root):
    res = resolver(data_root).resolve(["AUS"])
    assert res.codes == [900]
    assert "ambiguous" in res.warnings[0]
    assert "305" in res.warnings[0]


def test_unknown_with_suggestion(data_root):
    with pytest.raises(QueryError, match="did you mean 'Qatar'"):
        resolver(data_root).resolve(["Qatr"])
    with pytest.raises(QueryError, match="Palestine has no COW state code"):
        resolver(data_root).resolve(["Palestine"])


def test_groups(data_root, tmp_path, monkeypatch):
    assert resolver(data_root).resolve("GCC").codes == [670, 690, 692, 694, 696, 698]
    assert resolver(data_root).resolve("trio").codes == [640, 694, 651]
    f = tmp_path / "groups.toml"
    f.write_text('[groups]\nLEVANT = ["Syria", "LEB", "663"]\n', encoding="utf-8")
    monkeypatch.setenv("MINILATERAL_GROUPS", str(f))
    assert load_groups() == {"LEVANT": ["Syria", "LEB", "663"]}
    assert resolver(data_root).resolve("levant").codes == [652, 660, 663]
