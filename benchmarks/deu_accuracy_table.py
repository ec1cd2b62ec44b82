"""Print the DEU III accuracy table of docs/accuracy.md: every model × capability option.

Parameters are the models' defaults (fixed a priori; ``docs/evaluation.md``); nothing is tuned here.
Run: ``PYTHONPATH=src python benchmarks/deu_accuracy_table.py [PATH]``
"""

from __future__ import annotations

import sys
from pathlib import Path

from minilateral.evaluation import CAPABILITIES, evaluate_deu
from minilateral.io.deu import read_deu

DEU = Path(__file__).resolve().parents[2] / "shared/benchmarks/deu3/deu3.csv"

ROWS: list[tuple[str, dict[str, object]]] = [
    ("mean", {}),
    ("weighted-mean", {}),
    ("compromise", {}),
    ("median", {}),
    ("weighted-median", {"weights": "salience"}),
    ("weighted-median", {}),
    ("nash", {}),
    ("nash", {"disagreement": "reference_point"}),
    ("nash", {"disagreement": "reference_point", "at_disagreement": "drop"}),
    ("bdm", {}),
    ("bdm", {"stopping": "fixed"}),
    ("bdm", {"variant": "printed"}),
    ("exchange", {}),
    ("smp", {}),
]


def main() -> None:
    """Print one Markdown row per model and option set."""
    data = read_deu(sys.argv[1] if len(sys.argv) > 1 else DEU)
    print(
        "| model | options | " + " | ".join(f"{c}: n, MAE, median AE" for c in CAPABILITIES) + " |"
    )
    print("|---|---|" + "---|" * len(CAPABILITIES))
    for model, options in ROWS:
        cells = []
        for capability in CAPABILITIES:
            r = evaluate_deu(data, model, options=options, capability=capability)
            extra = r.details.get("mean_rounds")
            rounds = f", rounds {extra:.1f}" if extra is not None else ""
            cells.append(f"{r.n}, **{r.mae:.2f}**, {r.median_ae:.2f}{rounds}")
        opts = " ".join(f"{k}={v}" for k, v in options.items()) or "defaults"
        print(f"| `{model}` | {opts} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
