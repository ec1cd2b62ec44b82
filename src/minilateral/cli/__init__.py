"""The ``minilateral`` command line: thin over the library, errors without tracebacks.

Each command group lives in its own module and is attached here. Exit status: 0 success,
2 bad input or usage, 1 any other failure. ``--debug`` shows tracebacks.
"""

from __future__ import annotations

import sys

from minilateral.cli import align as _align
from minilateral.cli import brief as _brief
from minilateral.cli import coalitions as _coalitions
from minilateral.cli import data as _data
from minilateral.cli import evaluate as _evaluate
from minilateral.cli import forecast as _forecast
from minilateral.cli import narratives as _narratives
from minilateral.cli import scenarios as _scenarios
from minilateral.cli import store as _store
from minilateral.cli import sweep as _sweep
from minilateral.cli._app import app

__all__ = ["app", "main"]

_coalitions.register(app)
_forecast.register(app)
_brief.register(app)
_evaluate.register(app)
_align.register(app)
_data.register(app)
_scenarios.register(app)
_sweep.register(app)
_store.register(app)
_narratives.register(app)


def main() -> None:
    """Console-script entry point."""
    sys.exit(app(standalone_mode=True))
