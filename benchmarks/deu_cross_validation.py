"""Can anything beat the compromise model on DEU out of sample? Cross-validated by proposal.

Protocol (``docs/evaluation.md``): folds by proposal (``prnr``), never by issue; every choice is
made on the training folds only and scored on the held-out fold; the per-fold choices are printed.
Candidates are fixed in advance (below); no parameter is tuned on the full set.

Strategies:

* ``select``: the single candidate (model × options × capability) with the lowest training MAE;
* ``blend``: ``α·compromise + (1 − α)·other`` with the pair and α ∈ {0, 0.1, …, 1} chosen on the
  training folds (a two-model average);
* ``average``: the plain mean of all candidates (nothing chosen; no fitting at all).

Run: ``PYTHONPATH=src python benchmarks/deu_cross_validation.py [--folds 10] [--seed 0]``

Superseded by the pre-registered candidates of ``minilateral evaluate deu FILE --cv 10``
(docs/accuracy.md); kept to reproduce the earlier experiment.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from minilateral.evaluation import CAPABILITIES, evaluate_deu
from minilateral.io.deu import read_deu

DEU = Path(__file__).resolve().parents[2] / "shared/benchmarks/deu3/deu3.csv"
CANDIDATES: list[tuple[str, dict[str, object]]] = [
    ("compromise", {}),
    ("weighted-mean", {}),
    ("mean", {}),
    ("median", {}),
    ("weighted-median", {}),
    ("bdm", {"stopping": "converged"}),
    ("exchange", {}),
]


def main() -> None:
    """Run the cross-validation and print the scores."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folds", type=int, default=10)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--path", type=Path, default=DEU)
    args = parser.parse_args()
    data = read_deu(args.path)
    names, table = [], []
    reports = {}
    for model, options in CANDIDATES:
        for capability in CAPABILITIES:
            r = evaluate_deu(data, model, options=options, capability=capability)
            label = f"{model}[{' '.join(f'{k}={v}' for k, v in options.items())}]/{capability}"
            names.append(label)
            reports[label] = r
    issues = sorted(reports[names[0]].forecasts)
    outcome = {i.isnr: i.outcome for i in data.issues}
    prnr = {i.isnr: i.prnr for i in data.issues}
    y = np.array([outcome[k] for k in issues])
    table = np.array([[reports[n].forecasts[k] for k in issues] for n in names])  # (M, I)
    proposals = sorted({prnr[k] for k in issues})
    rng = np.random.default_rng(args.seed)
    fold_of = dict(
        zip(rng.permutation(proposals), np.arange(len(proposals)) % args.folds, strict=True)
    )
    fold = np.array([fold_of[prnr[k]] for k in issues])
    base = names.index("compromise[]/council")
    alphas = np.round(np.linspace(0, 1, 11), 1)
    pred = {"select": np.empty_like(y), "blend": np.empty_like(y)}
    print(f"{len(issues)} issues, {len(proposals)} proposals, {args.folds} folds by proposal\n")
    for f in range(args.folds):
        train, test = fold != f, fold == f
        mae = np.abs(table[:, train] - y[train]).mean(axis=1)
        best = int(np.argmin(mae))
        pred["select"][test] = table[best, test]
        best_blend = (np.inf, base, 1.0)
        for m in range(len(names)):
            for a in alphas:
                mix = a * table[base, train] + (1 - a) * table[m, train]
                score = np.abs(mix - y[train]).mean()
                if score < best_blend[0] - 1e-12:
                    best_blend = (score, m, a)
        _, m, a = best_blend
        pred["blend"][test] = a * table[base, test] + (1 - a) * table[m, test]
        print(
            f"fold {f}: {int(test.sum()):3d} issues; select {names[best]}; "
            f"blend {a:.1f}·compromise/council + {1 - a:.1f}·{names[m]}"
        )
    pred["average"] = table.mean(axis=0)
    print("\nout-of-sample (cross-validated) MAE on the 0–100 scale:")
    for label, values in pred.items():
        ae = np.abs(values - y)
        print(f"  {label:8s} MAE {ae.mean():.2f}  median AE {np.median(ae):.2f}")
    print("\nreference (fixed a priori, no choice made):")
    for label in ("compromise[]/council", "compromise[]/equal", "compromise[]/gdp"):
        ae = np.abs(table[names.index(label)] - y)
        print(f"  {label:22s} MAE {ae.mean():.2f}  median AE {np.median(ae):.2f}")


if __name__ == "__main__":
    main()
