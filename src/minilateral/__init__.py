"""minilateral: regional-security and mediation analysis.

Load a scenario (a file or a library name), run a model, read the outcome::

    >>> import minilateral as ml
    >>> scenario = ml.load_scenario("gaza")
    >>> result = ml.forecast(scenario, "nash")
    >>> result.outcome.shape == (1, len(scenario.issues))
    True

The public names are imported on first use (PEP 562), so ``import minilateral`` and the
command line start without loading NumPy, pandas or the models.
"""

from __future__ import annotations

import importlib
import sys
import types
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from minilateral.api import forecast, load_scenario
    from minilateral.arrays import ScenarioArrays
    from minilateral.errors import ConvergenceWarning, MinilateralError
    from minilateral.forecast import Forecast
    from minilateral.models.registry import available_models, get_model
    from minilateral.montecarlo.engine import SweepResult, load_sweep, sweep
    from minilateral.montecarlo.sensitivity import sensitivity
    from minilateral.montecarlo.summary import summarize_sweep
    from minilateral.notebook import brief, coalitions, evaluate, mediators
    from minilateral.scenario import Actor, Issue, Scenario

#: Public name → the module that defines it.
_EXPORTS = {
    "Actor": "minilateral.scenario",
    "ConvergenceWarning": "minilateral.errors",
    "Forecast": "minilateral.forecast",
    "Issue": "minilateral.scenario",
    "MinilateralError": "minilateral.errors",
    "Scenario": "minilateral.scenario",
    "ScenarioArrays": "minilateral.arrays",
    "SweepResult": "minilateral.montecarlo.engine",
    "available_models": "minilateral.models.registry",
    "brief": "minilateral.notebook",
    "coalitions": "minilateral.notebook",
    "evaluate": "minilateral.notebook",
    "mediators": "minilateral.notebook",
    "get_model": "minilateral.models.registry",
    "load_scenario": "minilateral.api",
    "load_sweep": "minilateral.montecarlo.engine",
    "sensitivity": "minilateral.montecarlo.sensitivity",
    "summarize_sweep": "minilateral.montecarlo.summary",
    "sweep": "minilateral.montecarlo.engine",
}

__all__ = [
    "Actor",
    "ConvergenceWarning",
    "Forecast",
    "Issue",
    "MinilateralError",
    "Scenario",
    "ScenarioArrays",
    "SweepResult",
    "__version__",
    "align",
    "available_models",
    "brief",
    "coalitions",
    "evaluate",
    "forecast",
    "get_model",
    "load_scenario",
    "load_sweep",
    "mediators",
    "sensitivity",
    "summarize_sweep",
    "sweep",
]


def __getattr__(name: str) -> Any:
    if name == "__version__":
        from minilateral.provenance import package_version

        return package_version()
    if name == "align":
        # ``ml.align``: the alignment measures (``ml.align.cohesion(...)``, ...).
        value = importlib.import_module("minilateral.alignment")
        globals()[name] = value
        return value
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'minilateral' has no attribute '{name}'")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})


class _Package(types.ModuleType):
    """The package module: ``forecast`` and ``brief`` always mean the functions.

    Importing the submodule ``minilateral.forecast`` (or ``minilateral.brief``) makes the import
    system bind the package attribute of that name to the submodule; these properties keep the
    public names the functions :func:`minilateral.api.forecast` and
    :func:`minilateral.notebook.brief` (the submodules stay reachable through ``sys.modules``).
    """

    @property
    def forecast(self) -> Any:
        from minilateral.api import forecast

        return forecast

    @forecast.setter
    def forecast(self, value: Any) -> None:
        """Ignore the import system's binding of the submodule ``minilateral.forecast``."""

    @property
    def brief(self) -> Any:
        from minilateral.notebook import brief

        return brief

    @brief.setter
    def brief(self, value: Any) -> None:
        """Ignore the import system's binding of the submodule ``minilateral.brief``."""


sys.modules[__name__].__class__ = _Package
