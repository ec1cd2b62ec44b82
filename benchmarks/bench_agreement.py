"""Time the agreement measure of the coalition search on the five embedded theatres.

Run from the repository root: ``python benchmarks/bench_agreement.py [--draws 500] [--budget 20]``.
Times, in-process (without the interpreter start-up), the README's command
``coalitions gaza --candidates TUR,QAT,EGY,USA,SAU,UAE --size 1-3 --draws 500 --seed 7``
(41 coalitions, the subsets their marginal values need, what it would take and the hold-outs
of the first ten) and the same search on the other theatres, and exits 1 when the Gaza search
exceeds the budget (20 s, the target on the 2-core reference machine). Report the load
(``uptime``) with the timings: they are noisy on a shared machine.
"""

from __future__ import annotations

import argparse
import os
import sys
import time

from minilateral import load_scenario
from minilateral.mediation.coalitions import search_coalitions

THEATRES = {
    "gaza": "TUR,QAT,EGY,USA,SAU,UAE",
    "sudan": "TUR,QAT,EGY,SAU,USA",
    "somalia": "TUR,QAT,EGY",
    "pakistan-afghanistan": "QAT,TUR,EGY,SAU",
    "syria": "USA,TUR,QAT,EGY,SAU,JOR",
}


def main() -> int:
    """Print one line per theatre; return 1 if Gaza exceeds the budget."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--draws", type=int, default=500)
    parser.add_argument("--budget", type=float, default=20.0)
    args = parser.parse_args()
    print(f"load average: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    status = 0
    for name, candidates in THEATRES.items():
        scenario = load_scenario(name)
        start = time.perf_counter()
        result = search_coalitions(
            scenario, candidates.split(","), sizes=(1, 3), draws=args.draws, seed=7
        )
        seconds = time.perf_counter() - start
        print(f"{name:22s} {len(result.coalitions):3d} coalitions x {args.draws} draws: "
              f"{seconds:6.2f} s")  # fmt: skip
        if name == "gaza" and seconds > args.budget:
            print(f"gaza exceeds the budget of {args.budget:g} s")
            status = 1
    return status


if __name__ == "__main__":
    sys.exit(main())
