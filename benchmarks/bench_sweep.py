"""Sweep throughput: vectorised chunks against a per-draw loop, and Dask with 1 vs 2 workers.

Run from the repository root (takes a few minutes)::

    python benchmarks/bench_sweep.py [--scenario gaza] [--dask-seconds 20]
    python benchmarks/bench_sweep.py --models smp --dask-seconds 0   # part 1, smp only

(``--dask-seconds 0`` skips part 2.)

1. For the compromise, bdm and smp models (those registered), draws/s of the sweep's core
   (sample the inputs of a draw, forecast) evaluated in chunks of the engine's default size
   (1000 draws for static models, 200 for dynamic ones) and as a plain loop of B = 1 draws, and
   the ratio; plus the end-to-end rate of ``minilateral.sweep`` with Parquet output.
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
from collections.abc import Callable  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

import minilateral as ml  # noqa: E402
from minilateral.models.registry import available_models, get_model, model_class  # noqa: E402
from minilateral.montecarlo.engine import (  # noqa: E402
    DYNAMIC_CHUNK,
    STATIC_CHUNK,
    local_cluster,
)
from minilateral.montecarlo.perturb import resolve_uncertainty  # noqa: E402

warnings.simplefilter("ignore")
np.seterr(all="ignore")


def _rate(draws: int, seconds: float) -> str:
    return f"{draws / seconds:>10,.0f} draws/s"


def _chunk(model: str) -> int:
    return DYNAMIC_CHUNK if model_class(model).dynamic else STATIC_CHUNK


def _timed(run: Callable[[], object]) -> tuple[float, float]:
    """Wall-clock and process CPU seconds of ``run()``."""
    wall, cpu = time.perf_counter(), time.process_time()
    run()
    return time.perf_counter() - wall, time.process_time() - cpu


def vectorised_vs_loop(scenario: ml.Scenario, model: str, draws: int, chunk: int) -> float:
    """Print and return the ratio of vectorised to per-draw throughput (CPU time).

    CPU time is reported beside wall time because the machine is shared: it is what a run
    costs, while wall time grows with the load.
    """
    plan = resolve_uncertainty(scenario)
    instance = get_model(model)
    loop_draws = max(50, min(draws, int(draws * 0.1)))

    def vectorised() -> None:
        for start in range(0, draws, chunk):
            instance.forecast(plan.sample(1, start, min(start + chunk, draws)))

    def loop() -> None:
        for i in range(loop_draws):
            instance.forecast(plan.sample(1, i, i + 1))

    (vec_wall, vec_cpu), (loop_wall, loop_cpu) = _timed(vectorised), _timed(loop)
    ratio = (draws / vec_cpu) / (loop_draws / loop_cpu)
    print(
        f"  {model:<12} chunks of {chunk}: {_rate(draws, vec_cpu)} CPU ({_rate(draws, vec_wall)}"
        f" wall)   per-draw loop: {_rate(loop_draws, loop_cpu)} CPU ({_rate(loop_draws, loop_wall)}"
        f" wall)   ratio {ratio:5.1f}x CPU, {(draws / vec_wall) / (loop_draws / loop_wall):5.1f}x"
        " wall"
    )
    return ratio


def end_to_end(scenario: ml.Scenario, model: str, draws: int) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        t = time.perf_counter()
        ml.sweep(scenario, model, draws=draws, seed=1, out=Path(tmp) / "s")
        seconds = time.perf_counter() - t
    print(f"  {model:<12} minilateral.sweep with Parquet output: {_rate(draws, seconds)}")
    return draws / seconds


def _dask_run(
    scenario: ml.Scenario, model: str, draws: int, chunk: int | None, workers: int
) -> float:
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


_BURN = "import numpy as np\na = np.random.rand(200, 200)\nfor _ in range(3000): np.sin(a) * a"


def parallel_capacity() -> float:
    """Throughput of two concurrent single-threaded NumPy processes relative to one.

    About 2 on an idle 2-core machine; on a shared one it shows how much of a second core the
    other jobs leave, which bounds any Dask speed-up measured at the same time.
    """
    import subprocess
    import sys

    def run(n: int) -> float:
        t = time.perf_counter()
        procs = [subprocess.Popen([sys.executable, "-c", _BURN]) for _ in range(n)]
        for proc in procs:
            proc.wait()
        return time.perf_counter() - t

    one, two = run(1), run(2)
    capacity = 2 * one / two
    print(f"  control: 2 concurrent NumPy processes give {capacity:.2f}x the throughput of 1")
    return capacity


def dask_scaling(
    scenario: ml.Scenario, model: str, target: float, chunk: int | None, repeats: int
) -> float:
    """Size a sweep to take ``target`` seconds on one worker (pilot run), then time 1 and 2
    workers alternately ``repeats`` times and compare the best times (the machine is shared,
    so transient load from other jobs only ever makes a run slower).

    ``chunk=None`` leaves the chunk size to the engine (sized from the first chunk's cost for
    a deterministic model)."""
    step = chunk or _chunk(model)
    pilot = 4 * step
    rate = pilot / _dask_run(scenario, model, pilot, chunk, 1)
    draws = int(target * rate * 1.2 / step + 1) * step
    first = _dask_run(scenario, model, draws, chunk, 1)
    while first < target:  # the pilot ran under heavier load: grow the sweep
        draws = int(draws * target / first * 1.2 / step + 1) * step
        first = _dask_run(scenario, model, draws, chunk, 1)
    times: dict[int, list[float]] = {1: [first], 2: []}
    for rep in range(repeats):
        for workers in (2, 1) if rep < repeats - 1 else (2,):
            times[workers].append(_dask_run(scenario, model, draws, chunk, workers))
    for workers, runs in times.items():
        shown = ", ".join(f"{t:.1f}" for t in runs)
        print(f"  {workers} worker(s): {shown} s  best {_rate(draws, min(runs))}")
    ratio = min(times[1]) / min(times[2])
    chunks = f"chunks of {chunk}" if chunk else "chunks sized by the engine"
    print(f"  {model}, {draws:,} draws in {chunks}: 2 workers vs 1 (best): {ratio:.2f}x")
    return ratio


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", default="gaza")
    parser.add_argument("--draws", type=int, default=20_000)
    parser.add_argument(
        "--dask-seconds", type=float, default=20.0, help="0 skips the Dask comparison"
    )
    parser.add_argument("--dask-model", default=None, help="default: slowest available")
    parser.add_argument("--dask-chunk", type=int, default=None, help="default: sized by the engine")
    parser.add_argument("--repeats", type=int, default=2, help="Dask runs per worker count")
    parser.add_argument(
        "--models", default="compromise,bdm,smp", help="comma-separated models of part 1"
    )
    args = parser.parse_args()
    scenario = ml.load_scenario(args.scenario)
    print(
        f"scenario {args.scenario}: {len(scenario.actors)} actors, "
        f"{len(scenario.issues)} issues; cores: {os.cpu_count()}"
    )
    registered = available_models()
    chosen = args.models.split(",")
    wanted = [m for m in chosen if m in registered]
    missing = [m for m in chosen if m not in registered]
    if missing:
        print(f"  (not registered in this build: {', '.join(missing)})")
    print("vectorised chunks vs per-draw loop (sample + forecast):")
    for model in wanted:
        draws = args.draws if model == "compromise" else max(2000, args.draws // 10)
        vectorised_vs_loop(scenario, model, draws, _chunk(model))
    for model in wanted:
        end_to_end(scenario, model, args.draws if model == "compromise" else 2000)
    if args.dask_seconds <= 0:
        return
    dask_model = args.dask_model or next(
        (m for m in ("smp", "bdm", "nash") if m in registered), "compromise"
    )
    print(f"Dask LocalCluster, single-threaded workers, BLAS pinned to 1 ({dask_model}):")
    parallel_capacity()
    dask_scaling(scenario, dask_model, args.dask_seconds, args.dask_chunk, args.repeats)
    parallel_capacity()


if __name__ == "__main__":
    main()
