"""Issue 20's figures, each as a ratio against the reference twins of the BDM and SMP cores.

The twins (``tests/reference/bdm_twin.py``, ``tests/reference/smp_twin.py``) are the cores as
they stood before the performance work; the live cores must equal them bit for bit
(``tests/reference/test_twins.py``). One run prints, in process CPU seconds (the machine is
shared, so wall time mostly measures the load; the load average is printed too):

* sweep throughput on gaza (15 actors × 4 issues, default uncertainty, chunks of 200 draws,
  sampling excluded) for ``smp`` and ``bdm``: live draws/s, twin draws/s, ratio;
* whole ``smp`` runs of a KTAB-style random scenario (seed 1000·N + D;
  ``docs/performance.md#smp-ktabs-spatial-model-of-politics``) at N = 160 and N = 320, D = 1
  (the twin at N = 320 takes about a minute; ``--skip-twin-320``);
* the peak memory of a ``bdm`` table of ``--bdm-actors`` actors and 1 issue (default 1000, a
  subprocess, ``--bdm-rounds`` rounds), against the voter tensor the twin would allocate.

The smp kernel in use (``numba`` when importable, else ``numpy``; ``MINILATERAL_KERNEL=numpy``
forces the pure path) is printed first.

Run: ``PYTHONPATH=src python benchmarks/bench_twins.py [--skip-twin-320] [--bdm-actors 1000]``.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
import warnings
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.reference import bdm_twin, smp_twin  # noqa: E402
from tests.reference.smp_loop import arrays_of, draw_scenario  # noqa: E402

import minilateral as ml  # noqa: E402
from minilateral.models import _smp_kernels  # noqa: E402
from minilateral.models.bdm import memory_plan  # noqa: E402
from minilateral.models.registry import get_model  # noqa: E402
from minilateral.montecarlo.perturb import resolve_uncertainty  # noqa: E402

_BIG = """
import resource, sys, time, warnings
import numpy as np
sys.path.insert(0, {root!r})
from tests.reference.smp_loop import arrays_of
from minilateral.models.registry import get_model
n, rounds = {n}, {rounds}
rng = np.random.default_rng(5)
x = rng.uniform(0, 100, (1, n, 1))
s = rng.uniform(0.2, 1, (1, n, 1))
c = rng.uniform(10, 200, (1, n))
warnings.simplefilter("ignore")
t = time.process_time()
f = get_model("bdm", rounds=rounds, stopping="fixed").forecast(arrays_of(x, s, c))
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
print(time.process_time() - t, peak, int(f.rounds[0]))
"""


def _cpu(run) -> float:  # type: ignore[no-untyped-def]
    t = time.process_time()
    run()
    return time.process_time() - t


def sweep_rates(draws: int, chunk: int) -> None:
    plan = resolve_uncertainty(ml.load_scenario("gaza"))
    batches = [plan.sample(1, s, min(s + chunk, draws)) for s in range(0, draws, chunk)]
    for name, live, twin in [
        ("smp", get_model("smp"), smp_twin.SmpModel()),
        # the stopping rule named explicitly: the default may differ between branches
        ("bdm", get_model("bdm", stopping="fixed"), bdm_twin.BDMModel(stopping="fixed")),
    ]:
        live.forecast(batches[0])  # compile / warm
        t_live = _cpu(lambda live=live: [live.forecast(a) for a in batches])
        t_twin = _cpu(lambda twin=twin: [twin.forecast(a) for a in batches])
        print(
            f"  {name} sweep on gaza, {draws} draws: live {draws / t_live:7.0f} draws/s,"
            f" twin {draws / t_twin:7.0f} draws/s, ratio {t_twin / t_live:5.2f}x"
        )


def smp_random(n: int, twin: bool) -> None:
    x, s, c = draw_scenario(np.random.default_rng(1000 * n + 1), n, 1)
    arrays = arrays_of(x[None], s[None], c[None])
    t_live = _cpu(lambda: get_model("smp").forecast(arrays))
    f = get_model("smp").forecast(arrays)
    line = f"  smp random N = {n}, D = 1 ({int(f.rounds[0])} turns): live {t_live:6.2f} s"
    if twin:
        t_twin = _cpu(lambda: smp_twin.SmpModel().forecast(arrays))
        line += f", twin {t_twin:6.2f} s, ratio {t_twin / t_live:5.2f}x"
    print(line)


def bdm_memory(n: int, rounds: int) -> None:
    code = _BIG.format(root=str(ROOT), n=n, rounds=rounds)
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    ).stdout.split()
    cpu, peak, played = float(out[0]), int(out[1]), int(out[2])
    twin = 16 * n**3  # the twin's voter tensor and its absolute values, float64
    print(
        f"  bdm table of {n} actors, 1 issue, {played} rounds: live peak RSS {peak / 2**30:5.2f}"
        f" GiB (planned {memory_plan(1, n, 1, rounds) / 2**30:5.2f} GiB), {cpu:6.1f} s CPU;"
        f" twin voter tensor alone {twin / 2**30:5.1f} GiB, ratio {twin / peak:5.1f}x"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--draws", type=int, default=1000)
    parser.add_argument("--chunk", type=int, default=200)
    parser.add_argument("--skip-twin-320", action="store_true")
    parser.add_argument("--bdm-actors", type=int, default=1000)
    parser.add_argument("--bdm-rounds", type=int, default=10)
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    kernel = "numba" if _smp_kernels.enabled() else "numpy"
    print(f"smp kernel: {kernel}; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    sweep_rates(args.draws, args.chunk)
    smp_random(160, twin=True)
    smp_random(320, twin=not args.skip_twin_320)
    if args.bdm_actors:
        bdm_memory(args.bdm_actors, args.bdm_rounds)
    print(f"load average at the end {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
