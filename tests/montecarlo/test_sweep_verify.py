"""Issue 17: resume verifies each part's row count and SHA-256 instead of trusting its name."""

from __future__ import annotations

import json
import warnings
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import minilateral as ml

PART = "part-0000000020-0000000040.parquet"


def _half_rows(path: Path) -> None:
    table = pq.read_table(path)
    pq.write_table(table.slice(0, table.num_rows // 2), path)


def _shifted_outcomes(path: Path) -> None:
    table = pq.read_table(path)
    name = next(c for c in table.column_names if c.startswith("outcome"))
    k = table.column_names.index(name)
    shifted = pa.array([v + 1.0 for v in table.column(name).to_pylist()])
    pq.write_table(table.set_column(k, name, shifted), path)


def _flip_bytes(path: Path) -> None:
    data = bytearray(path.read_bytes())
    middle = len(data) // 2
    for i in range(middle, middle + 64):
        data[i] ^= 0xFF
    path.write_bytes(bytes(data))


def _truncate(path: Path) -> None:
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


def _empty(path: Path) -> None:
    path.write_bytes(b"")


def _garbage(path: Path) -> None:
    path.write_bytes(b"not parquet at all" * 100)


def _unrecorded(path: Path) -> None:
    manifest = path.parent / "_manifest.json"
    data = json.loads(manifest.read_text())
    del data["parts"][path.name]
    manifest.write_text(json.dumps(data))


CORRUPTIONS: list[Callable[[Path], None]] = [
    _half_rows,
    _shifted_outcomes,
    _flip_bytes,
    _truncate,
    _empty,
    _garbage,
    _unrecorded,
]


@pytest.fixture(scope="module")
def reference(tmp_path_factory, small) -> pd.DataFrame:
    out = tmp_path_factory.mktemp("ref") / "ref"
    return ml.sweep(small, "nash", draws=100, seed=3, out=out, chunk_size=20).to_pandas()


@pytest.mark.parametrize("corrupt", CORRUPTIONS, ids=lambda f: f.__name__.strip("_"))
def test_a_corrupted_part_is_recomputed_and_named(small, tmp_path, reference, corrupt) -> None:
    out = tmp_path / "s"
    ml.sweep(small, "nash", draws=100, seed=3, out=out, chunk_size=20)
    manifest = json.loads((out / "_manifest.json").read_text())
    assert manifest["parts"][PART]["rows"] == 20
    assert len(manifest["parts"][PART]["sha256"]) == 64
    corrupt(out / PART)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        resumed = ml.sweep(small, "nash", draws=100, seed=3, out=out, chunk_size=20, resume=True)
    messages = [str(w.message) for w in caught if "recomputing" in str(w.message)]
    assert len(messages) == 1, [str(w.message) for w in caught]
    assert PART in messages[0]
    assert "draws 20…39" in messages[0]
    assert resumed.manifest["runs"][-1]["draws_computed"] == 20
    pd.testing.assert_frame_equal(resumed.to_pandas(), reference, check_exact=True)


def test_intact_parts_are_trusted(small, tmp_path) -> None:
    out = tmp_path / "s"
    ml.sweep(small, "nash", draws=40, seed=3, out=out, chunk_size=20)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        again = ml.sweep(small, "nash", draws=40, seed=3, out=out, chunk_size=20, resume=True)
    assert again.manifest["runs"][-1]["draws_computed"] == 0


def test_a_web_sweep_resumes_from_its_finished_parts(small, tmp_path, monkeypatch) -> None:
    """A server stop interrupts a web sweep; the restarted run keeps the verified parts."""
    from types import SimpleNamespace

    from minilateral.web.jobs import _sweep_kind

    monkeypatch.setenv("MINILATERAL_DATA_DIR", str(tmp_path))
    run = SimpleNamespace(
        id=7,
        model="nash",
        seed=5,
        options={"draws": 100, "chunk_size": 20, "model_options": {}},
    )

    def stop_at_60(fraction: float, message: str) -> None:
        if fraction >= 0.6:
            raise KeyboardInterrupt  # the server stopping mid-run

    with pytest.raises(KeyboardInterrupt):
        _sweep_kind(small, run, stop_at_60, lambda: False)
    out = tmp_path / "sweeps" / "run-7"
    assert len(list(out.glob("part-*.parquet"))) == 3
    output = _sweep_kind(small, run, lambda f, m: None, lambda: False)
    resumed = ml.load_sweep(out)
    assert resumed.complete
    assert resumed.manifest["runs"][-1]["draws_computed"] == 40
    ref = ml.sweep(small, "nash", draws=100, seed=5, out=tmp_path / "ref", chunk_size=20)
    pd.testing.assert_frame_equal(resumed.to_pandas(), ref.to_pandas(), check_exact=True)
    assert output.results


def test_a_sweep_that_cannot_fit_is_refused_before_any_work(small, tmp_path, monkeypatch):
    from minilateral.errors import ResourceError

    monkeypatch.setenv("MINILATERAL_MAX_MEMORY_MB", "1")
    with pytest.raises(ResourceError, match="5000 scenarios of 4 actors"):
        ml.sweep(small, "bdm", draws=5000, seed=1, out=tmp_path / "s", chunk_size=5000)
    assert not (tmp_path / "s" / "_manifest.json").exists()
