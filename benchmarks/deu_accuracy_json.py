"""Write ``src/minilateral/accuracy.json``: DEU III accuracy of the brief's models.

Every model of a brief (``mean``, the plain-mean baseline, and ``compromise``, ``nash``, ``bdm``,
``smp``) is scored with :func:`minilateral.evaluation.evaluate_deu` at its **default options**
(the ones a brief runs; fixed from the specification before looking at DEU outcomes, so the
scores are out of sample) under each capability option (``equal``, ``gdp``, ``council``).

Run: ``PYTHONPATH=src python benchmarks/deu_accuracy_json.py [DEU_CSV]``

File format (read by :func:`minilateral.accuracy.accuracy_table`)::

    {"source": ..., "protocol": ..., "generated_by": ..., "deu_sha256": ..., "minilateral": ...,
     "baseline": "mean",
     "models": {"<model>": {"<capability>": {"n": int, "mae": float, "median_ae": float}}}}
"""

from __future__ import annotations

import json
import sys
import warnings
from pathlib import Path

from minilateral.evaluation import CAPABILITIES, evaluate_deu
from minilateral.io.deu import read_deu
from minilateral.models.registry import available_models
from minilateral.provenance import package_version

ROOT = Path(__file__).resolve().parents[1]
DEU = ROOT.parent / "shared/benchmarks/deu3/deu3.csv"
OUT = ROOT / "src/minilateral/accuracy.json"
MODELS = ("mean", "compromise", "nash", "bdm", "smp")


def main() -> None:
    """Score every model × capability option and write the JSON file."""
    data = read_deu(sys.argv[1] if len(sys.argv) > 1 else DEU)
    models: dict[str, dict[str, dict[str, float | int]]] = {}
    for model in MODELS:
        if model not in available_models():
            continue
        models[model] = {}
        for capability in CAPABILITIES:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                r = evaluate_deu(data, model, capability=capability)
            models[model][capability] = {
                "n": r.n,
                "mae": round(r.mae, 2),
                "median_ae": round(r.median_ae, 2),
            }
            print(model, capability, models[model][capability], flush=True)
    payload = {
        "source": "DEU III (Thomson et al. 2012): 351 scored issues, errors on the 0-100 scale",
        "protocol": "minilateral.evaluation.evaluate_deu, default model options, min_actors=3",
        "generated_by": "PYTHONPATH=src python benchmarks/deu_accuracy_json.py",
        "deu_sha256": data.sha256,
        "minilateral": package_version(),
        "baseline": "mean",
        "models": models,
    }
    OUT.write_text(json.dumps(payload, indent=1, allow_nan=False) + "\n", encoding="utf-8")
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
