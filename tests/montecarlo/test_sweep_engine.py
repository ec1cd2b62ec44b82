"""The sweep engine: bit-identical results across engines and chunkings, resume, faults."""

from __future__ import annotations

import errno
import json
import os
import signal
import subprocess
import sys
import textwrap
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import minilateral as ml
from minilateral.errors import (
    ConvergenceWarning,
    OptionError,
    ScenarioValidationError,
    StoreError,
)
from minilateral.models.registry import available_models, get_model
from minilateral.montecarlo import engine
from minilateral.montecarlo.perturb import resolve_uncertainty

SRC = Path(__file__).resolve().parents[2] / "src"


def _rows(out: Path) -> pd.DataFrame:
    return ml.load_sweep(out).to_pandas()


def _parts(out: Path) -> list[str]:
    return sorted(p.name for p in out.iterdir())


def test_local_chunk_100_equals_dask_two_workers_chunk_37(small, tmp_path):
    from distributed import LocalCluster

    local = ml.sweep(
        small, "compromise", draws=450, seed=11, out=tmp_path / "local", chunk_size=100
    )
    with LocalCluster(
        n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None
    ) as cluster:
        dask = ml.sweep(
            small,
            "compromise",
            draws=450,
            seed=11,
            out=tmp_path / "dask",
            chunk_size=37,
            engine="dask",
            scheduler=cluster.scheduler_address,
        )
    a, b = local.to_pandas(), dask.to_pandas()
    assert len(a) == 450
    assert a["draw"].tolist() == list(range(450))
    pd.testing.assert_frame_equal(a, b, check_exact=True)
    assert len(list((tmp_path / "dask").glob("part-*.parquet"))) == 13  # ceil(450 / 37)
    assert dask.manifest["runs"][0]["engine"] == "dask"


def test_dask_local_cluster_started_by_the_engine(small, tmp_path):
    ref = ml.sweep(small, "weighted-median", draws=60, seed=2, out=tmp_path / "a", chunk_size=60)
    got = ml.sweep(
        small,
        "weighted-median",
        draws=60,
        seed=2,
        out=tmp_path / "b",
        chunk_size=25,
        engine="dask",
        workers=1,
    )
    pd.testing.assert_frame_equal(ref.to_pandas(), got.to_pandas(), check_exact=True)


def test_dask_sizes_the_chunks_of_a_deterministic_model_from_the_first(small, tmp_path):
    from distributed import LocalCluster

    ref = ml.sweep(small, "compromise", draws=3000, seed=4, out=tmp_path / "a")
    with LocalCluster(
        n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None
    ) as cluster:
        got = ml.sweep(
            small,
            "compromise",
            draws=3000,
            seed=4,
            out=tmp_path / "b",
            engine="dask",
            scheduler=cluster.scheduler_address,
        )
    pd.testing.assert_frame_equal(ref.to_pandas(), got.to_pandas(), check_exact=True)
    run = got.manifest["runs"][0]
    # The first chunk has the default size (1000 for a static model); the other 2000 draws
    # are cut for 2 workers, at least 4 chunks each: 8 chunks of 250.
    assert run["chunk_size"] == 250
    assert len(list((tmp_path / "b").glob("part-*.parquet"))) == 1 + 8
    assert run["chunks_computed"] == 9


def test_dask_keeps_the_chunks_of_a_model_that_uses_its_random_stream(tmp_path):
    model = get_model("smp", StateTransitions="Stochastic")
    assert model.uses_random_stream()
    assert not get_model("smp").uses_random_stream()
    assert not get_model("bdm").uses_random_stream()


def test_dask_chunk_size_rule():
    size = engine.dask_chunk_size
    assert size(0.01, 100_000, 2, 200) == 200  # 2 s chunks: the default is kept
    assert size(1e-5, 100_000, 2, 200) == 12_500  # 0.25 s would be 25,000; 8 chunks at least
    assert size(1e-4, 10_001, 3, 200) == 834  # 12 chunks (a multiple of 3) of 834 or fewer
    assert size(1e-4, 1, 4, 200) == 1


@pytest.mark.filterwarnings("ignore::minilateral.errors.ConvergenceWarning")
def test_every_registered_model_is_invariant_to_the_chunking(small, tmp_path, toy_dynamic):
    for name in available_models():
        a = ml.sweep(small, name, draws=40, seed=5, out=tmp_path / f"{name}-a", chunk_size=40)
        b = ml.sweep(small, name, draws=40, seed=5, out=tmp_path / f"{name}-b", chunk_size=7)
        pd.testing.assert_frame_equal(a.to_pandas(), b.to_pandas(), check_exact=True, obj=name)
    assert toy_dynamic in available_models()


def test_rows_hold_the_draws_inputs_and_the_models_forecast(small, tmp_path, toy_dynamic):
    result = ml.sweep(
        small,
        toy_dynamic,
        draws=30,
        seed=9,
        out=tmp_path / "s",
        chunk_size=8,
        options={"max_rounds": 200},
    )
    rows = result.to_pandas()
    inputs, outcomes = result.manifest["columns"]["inputs"], result.manifest["columns"]["outcomes"]
    assert list(rows.columns) == ["draw", *inputs, *outcomes, "rounds", "converged"]
    assert "position:C:aid" not in inputs  # C takes no part in aid
    assert "capability:B:aid" in inputs
    assert len(inputs) == 3 * 7
    # draw 17 recomputed on its own (B = 1) from (seed, 17)
    arrays = resolve_uncertainty(small).sample(9, 17, 18)
    fc = get_model(toy_dynamic, max_rounds=200).forecast(arrays)
    row = rows.iloc[17]
    assert row["position:B:aid"] == arrays.positions[0, 1, 1]
    assert row["salience:A:border"] == arrays.salience[0, 0, 0]
    assert row["capability:B:aid"] == arrays.capability[0, 1, 1]
    assert row["outcome:border"] == fc.outcome[0, 0]
    assert row["outcome:aid"] == fc.outcome[0, 1]
    assert row["rounds"] == fc.rounds[0] > 1
    assert bool(row["converged"])
    assert rows["draw"].is_unique
    assert rows["draw"].is_monotonic_increasing


def test_manifest_records_inputs_and_timings_not_rows(small, tmp_path):
    out = tmp_path / "s"
    ml.sweep(small, "weighted-median", draws=10, seed=3, out=out, options={"weights": "salience"})
    manifest = json.loads((out / "_manifest.json").read_text())
    assert manifest["seed"] == 3
    assert manifest["draws"] == 10
    assert manifest["status"] == "complete"
    assert manifest["model"] == "weighted-median"
    assert manifest["options"] == {"weights": "salience"}
    assert manifest["input_sha256"] == small.sha256()
    assert manifest["provenance"]["version"] == ml.__version__
    assert manifest["uncertainty_defaults"] == ["positions", "salience", "capability"]
    assert manifest["uncertainty"]["positions"] == {"dist": "truncnormal", "sd": 0.05}
    assert manifest["runs"][0]["seconds"] >= 0
    assert manifest["runs"][0]["draws_computed"] == 10
    assert _parts(out) == ["_manifest.json", "part-0000000000-0000000010.parquet"]
    assert not {"seconds", "time"} & set(_rows(out).columns)


def test_ctrl_c_leaves_a_resumable_sweep(small, tmp_path):
    ref = ml.sweep(small, "compromise", draws=100, seed=4, out=tmp_path / "ref", chunk_size=10)
    out = tmp_path / "s"

    def interrupt(done: int, total: int) -> None:
        if done >= 30:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        ml.sweep(small, "compromise", draws=100, seed=4, out=out, chunk_size=10, progress=interrupt)
    manifest = json.loads((out / "_manifest.json").read_text())
    assert manifest["status"] == "interrupted"
    assert manifest["draws_done"] == 30
    seen = []
    done = ml.sweep(
        small,
        "compromise",
        draws=100,
        seed=4,
        out=out,
        chunk_size=10,
        resume=True,
        progress=lambda d, t: seen.append(d),
    )
    assert seen[0] == 30
    assert seen[-1] == 100
    assert done.manifest["runs"][-1]["draws_computed"] == 70  # nothing recomputed
    pd.testing.assert_frame_equal(done.to_pandas(), ref.to_pandas(), check_exact=True)


def test_kill_9_then_resume_equals_an_uninterrupted_run(small_yaml, tmp_path):
    out = tmp_path / "killed"
    script = textwrap.dedent(f"""
        import os, signal
        import minilateral as ml
        def progress(done, total):
            if done >= 60:
                os.kill(os.getpid(), signal.SIGKILL)
        ml.sweep({str(small_yaml)!r}, "nash", draws=200, seed=8, out={str(out)!r},
                 chunk_size=20, progress=progress)
    """)
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    proc = subprocess.run([sys.executable, "-c", script], env=env, timeout=120, check=False)
    assert proc.returncode == -signal.SIGKILL
    written = list(out.glob("part-*.parquet"))
    assert 3 <= len(written) < 10
    (out / ".part-0000000060-0000000080.parquet.dead.tmp").write_bytes(b"half a file")
    resumed = ml.sweep(small_yaml, "nash", draws=200, seed=8, out=out, chunk_size=20, resume=True)
    ref = ml.sweep(small_yaml, "nash", draws=200, seed=8, out=tmp_path / "ref", chunk_size=50)
    rows = resumed.to_pandas()
    assert len(rows) == 200
    assert rows["draw"].tolist() == list(range(200))
    pd.testing.assert_frame_equal(rows, ref.to_pandas(), check_exact=True)
    assert not list(out.glob(".*"))
    assert resumed.manifest["runs"][-1]["draws_computed"] == 200 - 20 * len(written)


def test_resume_with_another_chunk_size_fills_the_gaps_only(small, tmp_path):
    out = tmp_path / "s"
    with pytest.raises(KeyboardInterrupt):
        ml.sweep(
            small,
            "median",
            draws=95,
            seed=1,
            out=out,
            chunk_size=30,
            progress=lambda d, t: (_ for _ in ()).throw(KeyboardInterrupt) if d else None,
        )
    assert _parts(out) == ["_manifest.json", "part-0000000000-0000000030.parquet"]
    result = ml.sweep(small, "median", draws=95, seed=1, out=out, chunk_size=40, resume=True)
    assert _parts(out)[1:] == [
        "part-0000000000-0000000030.parquet",
        "part-0000000030-0000000070.parquet",
        "part-0000000070-0000000095.parquet",
    ]
    ref = ml.sweep(small, "median", draws=95, seed=1, out=tmp_path / "ref")
    pd.testing.assert_frame_equal(result.to_pandas(), ref.to_pandas(), check_exact=True)


def test_resume_on_a_missing_directory_starts_and_on_a_complete_one_does_nothing(small, tmp_path):
    out = tmp_path / "new"
    first = ml.sweep(small, "mean", draws=20, seed=1, out=out, resume=True)
    assert first.complete
    assert len(first.to_pandas()) == 20
    again = ml.sweep(small, "mean", draws=20, seed=1, out=out, resume=True)
    assert again.manifest["runs"][-1]["draws_computed"] == 0
    assert len(again.manifest["runs"]) == 2


def test_directory_conflicts_are_refused(small, tmp_path):
    out = tmp_path / "s"
    ml.sweep(small, "mean", draws=10, seed=1, out=out)
    with pytest.raises(OptionError, match="already holds a sweep; pass --resume"):
        ml.sweep(small, "mean", draws=10, seed=1, out=out)
    with pytest.raises(OptionError, match=r"differs in seed \(1 there\)"):
        ml.sweep(small, "mean", draws=10, seed=2, out=out, resume=True)
    with pytest.raises(OptionError, match="differs in model"):
        ml.sweep(small, "median", draws=10, seed=1, out=out, resume=True)
    other = tmp_path / "other"
    other.mkdir()
    (other / "notes.txt").write_text("mine")
    with pytest.raises(OptionError, match="not empty and holds no sweep manifest"):
        ml.sweep(small, "mean", draws=10, seed=1, out=other)


def test_invalid_uncertainty_is_rejected_before_any_work(small, tmp_path):
    out = tmp_path / "s"
    with pytest.raises(
        ScenarioValidationError, match=r"salience\.dist: dist 'lognormal' is not available"
    ):
        ml.sweep(
            small,
            "mean",
            draws=10,
            seed=1,
            out=out,
            uncertainty={"salience": {"dist": "lognormal", "sigma": 0.1}},
        )
    with pytest.raises(OptionError, match="has no option 'speed'"):
        ml.sweep(small, "mean", draws=10, seed=1, out=out, options={"speed": 1})
    with pytest.raises(OptionError, match="chunk size must be at least 1"):
        ml.sweep(small, "mean", draws=10, seed=1, out=out, chunk_size=0)
    with pytest.raises(OptionError, match="--scheduler needs --engine dask"):
        ml.sweep(small, "mean", draws=10, seed=1, out=out, scheduler="tcp://127.0.0.1:1")
    assert not out.exists()


def test_unreachable_scheduler_is_a_clear_error(small, tmp_path):
    with pytest.raises(OptionError, match="cannot reach the Dask scheduler"):
        ml.sweep(
            small,
            "mean",
            draws=10,
            seed=1,
            out=tmp_path / "s",
            engine="dask",
            scheduler="tcp://127.0.0.1:9",
        )


def test_unwritable_output_and_full_disk_give_clear_errors(small, tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(StoreError, match="not a directory"):
        ml.sweep(small, "mean", draws=10, seed=1, out=blocker)
    with pytest.raises(StoreError, match="cannot create the output directory"):
        ml.sweep(small, "mean", draws=10, seed=1, out=blocker / "sub")

    import pyarrow.parquet as pq

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(pq, "write_table", full)
    out = tmp_path / "s"
    with pytest.raises(StoreError, match="No space left on device"):
        ml.sweep(small, "mean", draws=30, seed=1, out=out, chunk_size=10)
    assert _parts(out) == ["_manifest.json"]  # no partial part, no temporary file left
    assert json.loads((out / "_manifest.json").read_text())["status"] == "interrupted"


def test_failing_chunk_is_retried_on_dask(small, tmp_path, monkeypatch):
    from distributed import LocalCluster

    # Dask ships the task function by value, so the failure count lives in a file.
    attempts = tmp_path / "attempts"
    original = engine.evaluate_chunk

    def flaky(plan, start, stop):
        if start == 10:
            with attempts.open("a") as f:
                f.write("x")
            if len(attempts.read_text()) <= 2:  # the engine allows two retries per chunk
                raise RuntimeError("worker hiccup")
        return original(plan, start, stop)

    monkeypatch.setattr(engine, "evaluate_chunk", flaky)
    with LocalCluster(
        n_workers=1, threads_per_worker=1, processes=False, dashboard_address=None
    ) as cluster:
        got = ml.sweep(
            small,
            "mean",
            draws=30,
            seed=1,
            out=tmp_path / "d",
            chunk_size=10,
            engine="dask",
            scheduler=cluster.scheduler_address,
        )
    ref = ml.sweep(small, "mean", draws=30, seed=1, out=tmp_path / "l", chunk_size=10)
    assert len(attempts.read_text()) >= 3  # two failures, then success
    pd.testing.assert_frame_equal(got.to_pandas(), ref.to_pandas(), check_exact=True)


def test_non_convergence_is_counted_once(small, tmp_path, toy_dynamic):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = ml.sweep(
            small,
            toy_dynamic,
            draws=25,
            seed=1,
            out=tmp_path / "s",
            chunk_size=10,
            options={"max_rounds": 1},
        )
    conv = [w for w in caught if issubclass(w.category, ConvergenceWarning)]
    assert len(conv) == 1
    assert "25 of 25 draws did not converge" in str(conv[0].message)
    rows = result.to_pandas()
    assert not rows["converged"].any()
    assert (rows["rounds"] == 1).all()


def test_seed_changes_the_draws(small, tmp_path):
    a = _rows(ml.sweep(small, "mean", draws=5, seed=1, out=tmp_path / "a").path)
    b = _rows(ml.sweep(small, "mean", draws=5, seed=2, out=tmp_path / "b").path)
    assert not np.array_equal(a["position:A:border"], b["position:A:border"])


def test_a_second_sweep_on_a_running_directory_is_refused(small, tmp_path):
    import fcntl

    out = tmp_path / "s"
    out.mkdir()
    fd = os.open(out, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # as a running sweep holds it
        with pytest.raises(StoreError, match="another sweep is running"):
            ml.sweep(small, "mean", draws=10, seed=1, out=out, resume=True)
    finally:
        os.close(fd)
    assert ml.sweep(small, "mean", draws=10, seed=1, out=out, resume=True).complete


def test_ctrl_c_on_the_command_line_then_resume(small_yaml, tmp_path):
    out = tmp_path / "s"
    cmd = [
        sys.executable,
        "-m",
        "minilateral",
        "sweep",
        "run",
        str(small_yaml),
        "--model",
        "nash",
        "--draws",
        "2000000",
        "--seed",
        "2",
        "--out",
        str(out),
        "--chunk-size",
        "50",
        "--quiet",
    ]
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while len(list(out.glob("part-*.parquet"))) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=60)
    finally:
        proc.kill()
    assert proc.returncode == 130
    assert "interrupted" in err
    assert "--resume" in err
    manifest = json.loads((out / "_manifest.json").read_text())
    assert manifest["status"] == "interrupted"
    done = manifest["draws_done"]
    assert done == 50 * len(list(out.glob("part-*.parquet")))
    assert not list(out.glob(".*.tmp"))

    # --resume carries on from there (stopped again after 100 more draws, as the full sweep
    # would take long): the rows so far equal a sweep of just those draws.
    def stop_soon(d: int, total: int) -> None:
        if d >= done + 100:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        ml.sweep(
            small_yaml,
            "nash",
            draws=2_000_000,
            seed=2,
            out=out,
            chunk_size=50,
            resume=True,
            progress=stop_soon,
        )
    rows = ml.load_sweep(out).to_pandas()
    assert len(rows) == done + 100
    ref = ml.sweep(small_yaml, "nash", draws=done + 100, seed=2, out=tmp_path / "ref")
    pd.testing.assert_frame_equal(rows, ref.to_pandas(), check_exact=True)


def test_a_worker_killed_mid_sweep_has_its_chunk_rescheduled(small, tmp_path):
    from minilateral.montecarlo.engine import local_cluster

    killed = []
    with local_cluster(2) as cluster:
        pids = [nanny.pid for nanny in cluster.workers.values()]

        def kill_a_worker(done: int, total: int) -> None:
            if done and not killed:  # kill -9 one worker process after the first chunk
                killed.append(pids[0])
                os.kill(killed[0], signal.SIGKILL)

        got = ml.sweep(
            small,
            "nash",
            draws=3000,
            seed=6,
            out=tmp_path / "d",
            chunk_size=100,
            engine="dask",
            scheduler=cluster.scheduler_address,
            progress=kill_a_worker,
        )
    assert killed
    ref = ml.sweep(small, "nash", draws=3000, seed=6, out=tmp_path / "l", chunk_size=1000)
    pd.testing.assert_frame_equal(got.to_pandas(), ref.to_pandas(), check_exact=True)
