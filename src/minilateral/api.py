"""The small public API: load a scenario, run a model on it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from minilateral.forecast import Forecast
from minilateral.io import read_scenario
from minilateral.library import find_scenario
from minilateral.models.registry import get_model
from minilateral.provenance import provenance
from minilateral.resources import check_finite_result, check_memory, check_time
from minilateral.scenario import Scenario

__all__ = ["forecast", "load_scenario"]


def load_scenario(
    source: str | Path,
    *,
    input_format: str | None = None,
    scale: tuple[float, float] | None = None,
) -> Scenario:
    """Load a scenario from a file (any supported format) or by library name.

    Parameters
    ----------
    source : str or Path
        A file path, or the name of a scenario in the library (``gaza``, ``sudan``, ...).
    input_format : str, optional
        Force a reader (``yaml``, ``bdm-csv``, ...) instead of guessing.
    scale : (float, float), optional
        Issue scale for single-issue tables whose scale cannot be read from the file.
    """
    path = Path(source)
    if not path.exists() and path.suffix == "" and path.parent == Path("."):
        path = find_scenario(str(source)).path
    return read_scenario(path, input_format=input_format, scale=scale)


def forecast(
    scenario: Scenario,
    model: str = "compromise",
    *,
    options: dict[str, Any] | None = None,
    seed: int | None = None,
) -> Forecast:
    """Run ``model`` with ``options`` on ``scenario`` and record provenance.

    Options stored in ``scenario.model_options[model]`` (e.g. read from a KTAB XML file) are
    used unless ``options`` overrides them; a stored ``seed`` is used when ``seed`` is None.

    Examples
    --------
    >>> from minilateral import forecast, load_scenario
    >>> f = forecast(load_scenario("gaza"), "compromise")
    >>> f.outcome.shape[0]
    1
    """
    merged, stored_seed = scenario.options_for(model, options)
    if seed is None:
        seed = stored_seed
    instance = get_model(model, **merged)
    arrays = scenario.to_arrays()
    check_memory(instance, arrays.batch_size, len(scenario.actors), len(scenario.issues))
    check_time(instance, arrays.batch_size, len(scenario.actors), len(scenario.issues))
    result = instance.forecast(arrays, rng=seed)
    check_finite_result(result)
    return result.with_provenance(
        **provenance(
            model=model,
            options=result.options,
            seed=seed,
            input_hash=scenario.sha256(),
        )
    )
