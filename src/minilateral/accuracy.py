"""Out-of-sample accuracy of the models on DEU III, as shipped with the package.

``accuracy.json`` (package data beside this module) holds, per model and capability option,
the number of scored issues ``n``, the mean absolute error ``mae`` and the median absolute error
``median_ae`` (0–100 scale) of :func:`minilateral.evaluation.evaluate_deu` at the model's default
options, which were fixed from the specifications before looking at DEU outcomes. The file is
generated, never edited by hand::

    PYTHONPATH=src python benchmarks/deu_accuracy_json.py

Keys of the file: ``source``, ``protocol``, ``generated_by``, ``deu_sha256``, ``minilateral``,
``baseline`` (the plain-mean predictor every model is compared with) and
``models → {model: {capability: {"n", "mae", "median_ae"}}}``. Later versions may add fields
per entry; readers use only these.

>>> table = accuracy_table()
>>> table.mae("compromise", "gdp")
23.21
>>> table.baseline_mae("gdp")
23.63
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from typing import Any

__all__ = ["ACCURACY_FILE", "CAPABILITY", "Accuracy", "accuracy_table"]

#: The package data file read by :func:`accuracy_table`.
ACCURACY_FILE = "accuracy.json"
#: Capability option whose scores the brief uses: scenario capabilities are coded power
#: (resources), the analogue of DEU's GDP row rather than equal weights or Council votes.
CAPABILITY = "gdp"


@dataclass(frozen=True)
class Accuracy:
    """The DEU III scores of the models (see the module docstring for the format)."""

    source: str
    generated_by: str
    baseline: str
    models: dict[str, dict[str, dict[str, Any]]]

    def entry(self, model: str, capability: str = CAPABILITY) -> dict[str, Any] | None:
        """``{"n", "mae", "median_ae", ...}`` of ``model`` (None when it was not scored)."""
        return self.models.get(model, {}).get(capability)

    def mae(self, model: str, capability: str = CAPABILITY) -> float | None:
        """Mean absolute error of ``model`` on the 0–100 scale (None when not scored)."""
        entry = self.entry(model, capability)
        return None if entry is None else float(entry["mae"])

    def baseline_mae(self, capability: str = CAPABILITY) -> float:
        """Mean absolute error of the plain mean of the actors' positions."""
        value = self.mae(self.baseline, capability)
        if value is None:
            raise KeyError(f"the accuracy table has no '{self.baseline}' baseline")
        return value


@cache
def accuracy_table() -> Accuracy:
    """Read the shipped ``accuracy.json`` (cached)."""
    payload = json.loads(files("minilateral").joinpath(ACCURACY_FILE).read_text("utf-8"))
    return Accuracy(
        source=payload["source"],
        generated_by=payload["generated_by"],
        baseline=payload["baseline"],
        models=payload["models"],
    )
