"""Time the mediation cores against their plain-loop twins, and the acceptance search.

Run from the repository root: ``python benchmarks/bench_coalitions.py [--draws 500]``.
Prints seconds and loop/vectorised ratios (machines are noisy: compare ratios), then times
``coalitions gaza --candidates TUR,QAT,EGY,USA,SAU,UAE --size 1-3 --model bdm --seed 7``
(41 coalitions plus the baseline) in-process, without the interpreter start-up.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.reference.coalitions_loop import add_coalition_loop, party_spread_loop

from minilateral import load_scenario
from minilateral.mediation.coalitions import (
    add_coalition,
    proposal_point,
    resolve_candidates,
    search_coalitions,
)
from minilateral.mediation.settlement import party_spread
from minilateral.montecarlo.perturb import resolve_uncertainty


def best_of(func, repeat: int = 3) -> float:
    """Fastest of ``repeat`` timings, in seconds."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    """Print the timings."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--draws", type=int, default=500)
    args = parser.parse_args()
    scenario = load_scenario("gaza")
    batch = resolve_uncertainty(scenario).sample(7, 0, args.draws)
    members = resolve_candidates(scenario, ["TUR", "QAT", "EGY"])
    point = proposal_point(batch, "nash", members=members)
    arrays = add_coalition(batch, members, point)
    for label, fast, slow in (
        (
            "party spread",
            lambda: party_spread(arrays, arrays.positions),
            lambda: party_spread_loop(arrays, arrays.positions),
        ),
        (
            "add coalition",
            lambda: add_coalition(batch, members, point),
            lambda: add_coalition_loop(batch, members, point),
        ),
    ):
        t_fast, t_slow = best_of(fast), best_of(slow, 1)
        print(f"{label:14s} B={args.draws}: {t_fast:.5f} s vs loop {t_slow:.4f} s "
              f"(ratio {t_slow / t_fast:.0f}x)")  # fmt: skip
    start = time.perf_counter()
    result = search_coalitions(
        scenario,
        ["TUR", "QAT", "EGY", "USA", "SAU", "UAE"],
        sizes=(1, 3),
        model="bdm",
        draws=args.draws,
        seed=7,
    )
    elapsed = time.perf_counter() - start
    print(f"coalition search: {len(result.coalitions)} coalitions + baseline, "
          f"{args.draws} draws, bdm: {elapsed:.2f} s ({result.search})")  # fmt: skip
    print(f"best: {'+'.join(result.coalitions[0].coalition)}; mean per-issue settlement "
          f"{np.nanmean(result.coalitions[0].issue_settlement):.3f}")  # fmt: skip


if __name__ == "__main__":
    main()
