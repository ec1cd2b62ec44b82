"""Time a brief of every embedded theatre with 1,000-draw sweeps, written as PDF and HTML.

Issues 9 and 13 ask for under 90 s on the 2-core machine, with sweeps of every model (issue 13).
Prints the time of each step.

    PYTHONPATH=src python benchmarks/bench_brief.py [--draws 1000] [--data ../shared/data]
"""

from __future__ import annotations

import argparse
import tempfile
import time
import warnings
from pathlib import Path

from minilateral.brief import run_brief, write_brief, write_results
from minilateral.library import list_scenarios


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--draws", type=int, default=1000)
    parser.add_argument(
        "--data", default=str(Path(__file__).resolve().parents[2] / "shared" / "data")
    )
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    names = [e.name for e in list_scenarios()]
    with tempfile.TemporaryDirectory() as tmp:
        start, cpu = time.perf_counter(), time.process_time()
        run = run_brief(names, draws=args.draws, seed=1, data_root=args.data)
        computed = time.perf_counter()
        write_brief(run, Path(tmp) / "brief.pdf")
        pdf = time.perf_counter()
        write_brief(run, Path(tmp) / "brief.html")
        write_results(run, Path(tmp) / "brief.results.json")
        html = time.perf_counter()
    print(
        f"{len(names)} theatres, models {', '.join(run.models)}; "
        f"swept {', '.join(run.sweep_models)} with {args.draws} draws each"
    )
    print(f"compute (forecasts, sweeps, mediation, alignment): {computed - start:6.1f} s")
    print(f"PDF:                                               {pdf - computed:6.1f} s")
    print(f"HTML + results.json:                               {html - pdf:6.1f} s")
    print(f"total:                                             {html - start:6.1f} s (limit 90 s)")
    print(f"CPU time of this process:                          {time.process_time() - cpu:6.1f} s")


if __name__ == "__main__":
    main()
