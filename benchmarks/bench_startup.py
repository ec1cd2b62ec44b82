"""Start-up time of the light CLI commands: wall time, best of 5 (issue 21: under 0.3 s).

Run from the repository root::

    PYTHONPATH=src python benchmarks/bench_startup.py

Each command runs once first (so ``scenarios list`` has filled its summary cache), then five
times; the best wall time is printed. ``--importtime`` adds the ten slowest imports of each
command, from ``python -X importtime``.
"""

from __future__ import annotations

import subprocess
import sys
import time

COMMANDS = (["--help"], ["--version"], ["scenarios", "list"])


def wall(args: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "minilateral", *args], check=True, capture_output=True)
    return time.perf_counter() - start


def slowest_imports(args: list[str], n: int = 10) -> list[str]:
    err = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "minilateral", *args],
        check=True,
        capture_output=True,
        text=True,
    ).stderr
    rows = [line.split("|") for line in err.splitlines() if line.startswith("import time:")]
    rows = [r for r in rows if r[1].strip().isdigit()]
    rows.sort(key=lambda r: -int(r[1]))
    return [f"{int(r[1]) / 1000:7.1f} ms {r[2].rstrip()}" for r in rows[:n]]


def main() -> None:
    for args in COMMANDS:
        wall(args)
        best = min(wall(args) for _ in range(5))
        print(f"minilateral {' '.join(args):<16} best of 5: {best:.3f} s")
        if "--importtime" in sys.argv:
            for line in slowest_imports(args):
                print("   ", line)


if __name__ == "__main__":
    main()
