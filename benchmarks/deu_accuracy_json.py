"""Write ``src/minilateral/accuracy.json`` and ``src/minilateral/noise_presets.json``.

Every registered model is scored with :func:`minilateral.evaluation.evaluate_deu` at its
**default options** (fixed from the specification before looking at DEU outcomes, so the scores
are out of sample) under each capability option, and its Monte Carlo intervals are calibrated
with :func:`minilateral.evaluation.calibrate_deu` (10 folds by proposal). Same as
``minilateral evaluate deu DEU_CSV --all --write-accuracy src/minilateral/accuracy.json
--write-noise-preset src/minilateral/noise_presets.json``; slow (about 20 minutes on two cores).

Run: ``PYTHONPATH=src python benchmarks/deu_accuracy_json.py [DEU_CSV]``

File format: :mod:`minilateral.accuracy` (``source``, ``protocol``, ``generated_by``,
``deu_sha256``, ``minilateral``, ``baseline``, ``models → {model: {capability: {"n", "mae",
"median_ae", ...calibration fields}}}``).
"""

from __future__ import annotations

import sys
import warnings
from pathlib import Path

from minilateral.errors import ConvergenceWarning
from minilateral.evaluation import (
    accuracy_payload,
    calibrate_all,
    deu_table,
    noise_preset_payload,
    write_json,
)
from minilateral.io.deu import read_deu

ROOT = Path(__file__).resolve().parents[1]
DEU = ROOT.parent / "shared/benchmarks/deu3/deu3.csv"
OUT = ROOT / "src/minilateral/accuracy.json"
PRESETS = ROOT / "src/minilateral/noise_presets.json"


def main() -> None:
    """Score and calibrate every model × capability option and write both files."""
    data = read_deu(sys.argv[1] if len(sys.argv) > 1 else DEU)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        table = deu_table(data)
        calibrations = calibrate_all(data)
    write_json(accuracy_payload(data, table, calibrations), OUT)
    write_json(noise_preset_payload(data, table, calibrations["compromise"]["council"]), PRESETS)
    print(f"wrote {OUT} and {PRESETS}")


if __name__ == "__main__":
    main()
