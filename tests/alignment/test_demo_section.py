"""The demo's data section: present with data, absent (None) without."""

from __future__ import annotations

from minilateral.presentation.alignment_demo import data_section


def test_data_section(data_root, tmp_path):
    section = data_section(tmp_path, data_root)
    assert section["last_year"] == 2024
    assert (tmp_path / "alignment.html").is_file()
    qt = [r for r in section["trio"] if (r["a"], r["b"]) == (640, 694)]
    assert next(r for r in qt if r["year"] == 2023)["agree_half"] is None  # n = 9
    assert all(r["bloc"] for r in section["gcc"] if 2010 <= r["year"] <= 2023)


def test_no_data(tmp_path):
    assert data_section(tmp_path / "out", tmp_path / "empty") is None
