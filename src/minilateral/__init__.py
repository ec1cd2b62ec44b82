"""minilateral: regional-security and mediation analysis.

Load a scenario (a file or a library name), run a model, read the outcome::

    >>> import minilateral as ml
    >>> scenario = ml.load_scenario("gaza")
    >>> result = ml.forecast(scenario, "nash")
    >>> result.outcome.shape == (1, len(scenario.issues))
    True
"""

from minilateral.api import forecast, load_scenario
from minilateral.arrays import ScenarioArrays
from minilateral.errors import ConvergenceWarning, MinilateralError
from minilateral.forecast import Forecast
from minilateral.models.registry import available_models, get_model
from minilateral.montecarlo.engine import SweepResult, load_sweep, sweep
from minilateral.montecarlo.sensitivity import sensitivity
from minilateral.provenance import package_version
from minilateral.scenario import Actor, Issue, Scenario

__version__ = package_version()

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
    "available_models",
    "forecast",
    "get_model",
    "load_scenario",
    "load_sweep",
    "sensitivity",
    "sweep",
]
