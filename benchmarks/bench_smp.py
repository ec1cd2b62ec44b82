"""Time the vectorised ``smp`` model against the plain-loop reference of the same model.

Random scenarios are drawn as KTAB draws its random actors
(``docs/performance.md#smp-ktabs-spatial-model-of-politics``; fixed seeds) for N = 20, 40, 80, 160
and D = 1, 3; KTAB's own example scenarios dummyData-a040/a080/a160 are timed too when ``../shared``
is present. Prints wall and CPU seconds, turns, and the reference/vectorised ratio (the plain loop
runs up to ``--reference-max-n`` actors, default 40; it takes minutes beyond that).

Run: ``PYTHONPATH=src python benchmarks/bench_smp.py [--reference-max-n 80] [--repeat 3]``.
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


from tests.reference.smp_loop import arrays_of, draw_scenario  # noqa: E402
from tests.reference.smp_loop import run as reference_run  # noqa: E402

from minilateral.api import load_scenario  # noqa: E402
from minilateral.errors import ConvergenceWarning  # noqa: E402
from minilateral.ktab import SMP_OPTIONS  # noqa: E402
from minilateral.models.smp import SmpModel  # noqa: E402

DEFAULTS = {name: SmpModel().get_params()[name] for name in SMP_OPTIONS}
SHARED = ROOT.parent / "shared"


def timed(fn, repeat: int) -> tuple[float, float, object]:
    """Best wall and CPU seconds over ``repeat`` runs, and the last result."""
    best_wall = best_cpu = float("inf")
    result = None
    for _ in range(repeat):
        w0, c0 = time.perf_counter(), time.process_time()
        result = fn()
        best_wall = min(best_wall, time.perf_counter() - w0)
        best_cpu = min(best_cpu, time.process_time() - c0)
    return best_wall, best_cpu, result


def bench(label: str, x, s, c, *, reference: bool, repeat: int) -> None:
    arrays = arrays_of(x[None], s[None], c[None])
    wall, cpu, fc = timed(lambda: SmpModel().forecast(arrays), repeat)
    turns = int(fc.rounds[0])
    line = f"{label:<22} {x.shape[0]:>4} {x.shape[1]:>2} {turns:>5} {wall:>9.3f} {cpu:>9.3f}"
    if reference:
        rwall, _, states = timed(
            lambda: reference_run((x / 100).tolist(), s.tolist(), c.tolist(), DEFAULTS), 1
        )
        same = len(states) == turns + 1 and np.allclose(
            100 * np.array(states), fc.trajectory[:, 0], rtol=0, atol=1e-9
        )
        line += f" {rwall:>10.2f} {rwall / wall:>8.1f}x {'same' if same else 'DIFFERENT'}"
    print(line, flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reference-max-n", type=int, default=40)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--sizes", default="20,40,80,160")
    args = parser.parse_args()
    warnings.simplefilter("ignore", ConvergenceWarning)
    print(
        f"{'scenario':<22} {'N':>4} {'D':>2} {'turns':>5} {'wall s':>9} {'cpu s':>9}"
        f" {'ref wall s':>10} {'ratio':>9}"
    )
    for n in (int(v) for v in args.sizes.split(",")):
        for d in (1, 3):
            x, s, c = draw_scenario(np.random.default_rng(1000 * n + d), n, d)
            bench(
                f"random seed={1000 * n + d}",
                x,
                s,
                c,
                reference=n <= args.reference_max_n,
                repeat=args.repeat if n < 160 else 1,
            )
    if SHARED.is_dir():
        for name in ("dummyData-a040", "dummyData-a080", "dummyData-a160"):
            arrays = load_scenario(SHARED / "ktab_data" / "examples" / f"{name}.csv").to_arrays()
            x, s, c = arrays.positions[0], arrays.salience[0], arrays.capability[0, :, 0]
            bench(
                name,
                x,
                s,
                c,
                reference=x.shape[0] <= args.reference_max_n,
                repeat=args.repeat if x.shape[0] < 160 else 1,
            )


if __name__ == "__main__":
    main()
