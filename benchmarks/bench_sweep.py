"""Sweep throughput: vectorised chunks against a per-draw loop, and Dask with 1 vs 2 workers.

Run from the repository root (takes a few minutes)::

    python benchmarks/bench_sweep.py [--scenario gaza] [--dask-seconds 20]

1. For the compromise, bdm and smp models (those registered), draws/s of the sweep's core
   (sample the inputs of a draw, forecast) evaluated as chunks of 1000 draws (B = 1000) and as a
   plain loop of B = 1 draws, and the ratio; plus the end-to-end rate of ``minilateral.sweep``
   with Parquet output.
2. A sweep sized to take at least ``--dask-seconds`` on one worker, on a Dask LocalCluster of
   1 and of 2 single-threaded worker processes (BLAS threads pinned to 1), and the speed-up.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"  # before NumPy loads; Dask worker processes inherit it

import argparse  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

import minilateral as ml  # noqa: E402
from minilateral.models.registry import available_models, get_model  # noqa: E402
from minilateral.montecarlo.engine import local_cluster  # noqa: E402
from minilateral.montecarlo.perturb import resolve_uncertainty  # noqa: E402

warnings.simplefilter("ignore")
np.seterr(all="ignore")


def _rate(draws: int, seconds: float) -> str:
    return f"{draws / seconds:>10,.0f} draws/s"


def vectorised_vs_loop(scenario: ml.Scenario, model: str, draws: int, chunk: int) -> float:
    """Print and return the ratio of vectorised to per-draw throughput."""
    plan = resolve_uncertainty(scenario)
    instance = get_model(model)
    t = time.perf_counter()
    for start in range(0, draws, chunk):
        instance.forecast(plan.sample(1, start, min(start + chunk, draws)))
    vec = time.perf_counter() - t
    loop_draws = max(50, min(draws, int(draws * 0.1)))
    t = time.perf_counter()
    for i in range(loop_draws):
        instance.forecast(plan.sample(1, i, i + 1))
    loop = time.perf_counter() - t
    ratio = (draws / vec) / (loop_draws / loop)
    print(
        f"  {model:<12} chunks of {chunk}: {_rate(draws, vec)}   per-draw loop: "
        f"{_rate(loop_draws, loop)}   ratio {ratio:6.1f}x"
    )
    return ratio


def end_to_end(scenario: ml.Scenario, model: str, draws: int) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        t = time.perf_counter()
        ml.sweep(scenario, model, draws=draws, seed=1, out=Path(tmp) / "s", chunk_size=1000)
        seconds = time.perf_counter() - t
    print(f"  {model:<12} minilateral.sweep with Parquet output: {_rate(draws, seconds)}")
    return draws / seconds


def _dask_run(scenario: ml.Scenario, model: str, draws: int, chunk: int, workers: int) -> float:
    with local_cluster(workers) as cluster, tempfile.TemporaryDirectory() as tmp:
        t = time.perf_counter()
        ml.sweep(
            scenario,
            model,
            draws=draws,
            seed=1,
            out=Path(tmp) / "s",
            chunk_size=chunk,
            engine="dask",
            scheduler=cluster.scheduler_address,
        )
        return time.perf_counter() - t


def dask_scaling(scenario: ml.Scenario, model: str, target: float, chunk: int) -> float:
    """Size a sweep to take ``target`` seconds on one worker (pilot run), then time 1 and 2."""
    pilot = 4 * chunk
    rate = pilot / _dask_run(scenario, model, pilot, chunk, 1)
    draws = int(target * rate * 1.1 / chunk + 1) * chunk
    times = {w: _dask_run(scenario, model, draws, chunk, w) for w in (1, 2)}
    for workers, seconds in times.items():
        print(f"  {workers} worker(s): {seconds:6.1f} s  {_rate(draws, seconds)}")
    ratio = times[1] / times[2]
    print(f"  {model}, {draws:,} draws in chunks of {chunk}: 2 workers vs 1: {ratio:.2f}x")
    return ratio


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", default="gaza")
    parser.add_argument("--draws", type=int, default=20_000)
    parser.add_argument("--dask-seconds", type=float, default=20.0)
    parser.add_argument("--dask-model", default=None, help="default: slowest available")
    parser.add_argument("--dask-chunk", type=int, default=2000)
    args = parser.parse_args()
    scenario = ml.load_scenario(args.scenario)
    print(
        f"scenario {args.scenario}: {len(scenario.actors)} actors, "
        f"{len(scenario.issues)} issues; cores: {os.cpu_count()}"
    )
    registered = available_models()
    wanted = [m for m in ("compromise", "bdm", "smp") if m in registered]
    missing = [m for m in ("bdm", "smp") if m not in registered]
    if missing:
        print(f"  (not registered in this build: {', '.join(missing)})")
    print("vectorised chunks vs per-draw loop (sample + forecast):")
    for model in wanted:
        draws = args.draws if model == "compromise" else max(2000, args.draws // 10)
        vectorised_vs_loop(scenario, model, draws, 1000)
    for model in wanted:
        end_to_end(scenario, model, args.draws if model == "compromise" else 2000)
    dask_model = args.dask_model or next(
        (m for m in ("smp", "bdm", "nash") if m in registered), "compromise"
    )
    print(f"Dask LocalCluster, single-threaded workers, BLAS pinned to 1 ({dask_model}):")
    dask_scaling(scenario, dask_model, args.dask_seconds, args.dask_chunk)


if __name__ == "__main__":
    main()
