"""Import: validation, atomic install, corrupted files reported by name, nothing lost."""

from __future__ import annotations

import shutil

import pytest

from minilateral.data.catalog import CATALOG
from minilateral.data.importer import import_tables
from minilateral.data.store import read_manifest, require, status
from minilateral.errors import DataError


def test_catalog_covers_every_shared_table(shared):
    files = {p.stem for p in (shared / "data").glob("*.parquet")}
    assert files == set(CATALOG)
    readme = (shared / "data" / "README.md").read_text(encoding="utf-8")
    for table in CATALOG.values():
        assert table.name in readme
        assert table.licence
        assert table.citation
        assert table.version
        assert table.coverage[0] <= table.coverage[1]


def test_import_all_then_status(data_root):
    st = {s.table.name: s for s in status(data_root)}
    assert all(s.installed for s in st.values())
    assert st["cow_nmc"].rows == 17_121
    manifest = read_manifest(data_root)
    assert len(manifest["un_votes_ccode"]["sha256"]) == 64


def test_corrupted_file_reported_and_installed_copy_kept(shared, tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    root = tmp_path / "root"
    shutil.copy(shared / "data" / "cow_majors.parquet", src)
    shutil.copy(shared / "data" / "cow_states.parquet", src)
    assert import_tables(src, root=root).imported == ["cow_states", "cow_majors"]
    good = (root / "cow_majors.parquet").read_bytes()
    data = (src / "cow_majors.parquet").read_bytes()
    (src / "cow_majors.parquet").write_bytes(data[: len(data) // 2])  # truncated
    report = import_tables(src, root=root)
    assert report.imported == ["cow_states"]
    assert len(report.failed) == 1
    path, message = report.failed[0]
    assert path.endswith("cow_majors.parquet")
    assert "cow_majors.parquet" in message
    assert (root / "cow_majors.parquet").read_bytes() == good
    assert read_manifest(root)["cow_majors"]["rows"] == 14


def test_missing_column_named(shared, tmp_path):
    import pyarrow.parquet as pq

    src = tmp_path / "src"
    src.mkdir()
    t = pq.read_table(shared / "data" / "cow_majors.parquet").drop_columns(["styear"])
    pq.write_table(t, src / "cow_majors.parquet")
    report = import_tables(src, root=tmp_path / "root")
    assert "styear" in report.failed[0][1]


def test_no_data_message(tmp_path):
    with pytest.raises(DataError, match="minilateral data download"):
        require(["cow_nmc"], tmp_path / "empty")
    with pytest.raises(DataError, match="no catalogue table"):
        import_tables(tmp_path, root=tmp_path / "r")


def test_docs_name_every_table():
    from pathlib import Path

    doc = (Path(__file__).resolve().parents[2] / "docs" / "data-sources.md").read_text("utf-8")
    for table in CATALOG.values():
        assert f"`{table.name}`" in doc
        assert table.version in doc
