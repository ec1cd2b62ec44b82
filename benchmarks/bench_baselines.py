"""Time the vectorised baseline and Nash cores against their plain-loop twins.

Run from the repository root: ``python benchmarks/bench_baselines.py [--batch 2000]``.
Prints seconds per call and the loop/vectorised ratio (machines are noisy: compare ratios).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.reference.baselines_loop import (
    compromise_loop,
    mean_loop,
    median_loop,
    nash_loop,
    weighted_mean_loop,
    weighted_median_loop,
)

from minilateral.arrays import ScenarioArrays
from minilateral.models.registry import get_model


def random_batch(b: int, n: int, d: int, seed: int = 0) -> ScenarioArrays:
    """A batch of B random scenarios with N actors and D issues on 0–100 scales."""
    rng = np.random.default_rng(seed)
    shape = (b, n, d)
    return ScenarioArrays(
        positions=100 * rng.random(shape),
        salience=rng.random(shape),
        capability=np.broadcast_to(rng.random((b, n, 1)) * 100, shape).copy(),
        mask=rng.random(shape) < 0.9,
        scale=np.tile([0.0, 100.0], (d, 1)),
        reference=np.full(d, np.nan),
        actors=tuple(f"A{i}" for i in range(n)),
        issues=tuple(f"q{j}" for j in range(d)),
    )


def best_of(fn, repeat: int = 3) -> float:
    """Fastest of ``repeat`` wall-clock timings of ``fn()``."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--batch", type=int, default=1000)
    parser.add_argument("--actors", type=int, default=15)
    parser.add_argument("--issues", type=int, default=4)
    args = parser.parse_args()
    arrays = random_batch(args.batch, args.actors, args.issues)
    print(f"B={args.batch} N={args.actors} D={args.issues}")
    print(f"{'model':<16}{'vectorised s':>14}{'loop s':>12}{'ratio':>10}")
    for name, loop in (
        ("mean", mean_loop),
        ("weighted-mean", weighted_mean_loop),
        ("compromise", compromise_loop),
        ("median", median_loop),
        ("weighted-median", weighted_median_loop),
        ("nash", nash_loop),
    ):
        model = get_model(name)
        fast = best_of(lambda m=model: m.forecast(arrays))
        slow = best_of(lambda f=loop: f(arrays), repeat=1)
        np.testing.assert_allclose(model.forecast(arrays).outcome, loop(arrays), atol=1e-7)
        print(f"{name:<16}{fast:>14.4f}{slow:>12.4f}{slow / fast:>10.1f}x")


if __name__ == "__main__":
    main()
