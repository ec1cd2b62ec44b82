"""Time the vectorised BDM model against the plain-loop reference.

A batch of perturbed copies of the EC car-emission example
(``docs/models/bdm.md#reproduction-of-the-published-example``): positions + N(0, 0.5) clipped to the
scale 4–10, saliences + N(0, 0.05) clipped to [0, 1], 10 rounds, default preset. The reference runs
one scenario at a time; it is timed on a subset and its per-scenario time is scaled to the full
batch. Prints both times and the ratio, as wall-clock and as process CPU time (the latter is robust
when other jobs share the cores).

Run: ``PYTHONPATH=src python benchmarks/bench_bdm.py [--batch 10000] [--reference 300]``
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.reference.bdm_loop import run_reference

from minilateral.api import load_scenario
from minilateral.models.bdm import BDMModel

EMISSION = Path(__file__).resolve().parents[2] / "shared/benchmarks/emission_bdm1994/actors.csv"


def main() -> None:
    """Run the benchmark and print the timings."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch", type=int, default=10_000)
    parser.add_argument("--reference", type=int, default=300, help="scenarios timed in the loop")
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--source", type=Path, default=EMISSION)
    args = parser.parse_args()

    base = load_scenario(args.source).to_arrays()
    rng = np.random.default_rng(20110101)
    batch = base.repeat(args.batch)
    lo, hi = base.scale[0]
    positions = np.clip(batch.positions + rng.normal(0.0, 0.5, batch.positions.shape), lo, hi)
    salience = np.clip(batch.salience + rng.normal(0.0, 0.05, batch.salience.shape), 0.0, 1.0)
    batch = batch.with_values(positions=positions, salience=salience)
    model = BDMModel(rounds=args.rounds)

    model.forecast(batch.take(slice(0, 10)))  # warm-up
    start, cpu = time.perf_counter(), time.process_time()
    result = model.forecast(batch)
    fast, fast_cpu = time.perf_counter() - start, time.process_time() - cpu

    k = min(args.reference, args.batch)
    start, cpu = time.perf_counter(), time.process_time()
    worst = 0.0
    for b in range(k):
        ref = run_reference(
            list(positions[b, :, 0]),
            list(salience[b, :, 0]),
            list(batch.capability[b, :, 0]),
            rounds=args.rounds,
        )
        worst = max(worst, abs(ref.median[-1] - float(result.outcome[b, 0])))
    slow = (time.perf_counter() - start) / k * args.batch
    slow_cpu = (time.process_time() - cpu) / k * args.batch

    print(f"batch: {args.batch} scenarios x {base.n_actors} actors, {args.rounds} rounds")
    print(f"vectorised:     {fast:8.3f} s wall, {fast_cpu:8.3f} s CPU")
    print(
        f"loop reference: {slow:8.3f} s wall, {slow_cpu:8.3f} s CPU "
        f"(timed on {k} scenarios, scaled to the batch)"
    )
    print(f"ratio:          {slow / fast:8.1f}x wall, {slow_cpu / fast_cpu:8.1f}x CPU")
    print(f"largest forecast difference on the {k} compared scenarios: {worst:.3g}")


if __name__ == "__main__":
    main()
