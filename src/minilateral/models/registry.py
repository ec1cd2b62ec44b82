"""Models registered by name.

A model module registers its classes with :func:`register`; the modules listed in
``_MODEL_MODULES`` are imported on first use, so ``get_model("nash")`` works without importing
``minilateral.models.nash`` first.
"""

from __future__ import annotations

import importlib
from typing import Any, TypeVar

from minilateral.errors import MinilateralError, UnknownModelError, did_you_mean
from minilateral.models.base import Model

__all__ = ["available_models", "get_model", "model_class", "model_option_problems", "register"]

_MODEL_MODULES = (
    "minilateral.models.baselines",
    "minilateral.models.nash",
    "minilateral.models.bdm",
    "minilateral.models.exchange",
    "minilateral.models.smp",
)

M = TypeVar("M", bound=type[Model])

_REGISTRY: dict[str, type[Model]] = {}
_loaded = False


def register(cls: M) -> M:
    """Class decorator: make ``cls`` available under ``cls.name``."""
    if not cls.name:
        raise ValueError(f"{cls.__name__} has no name")
    if cls.name in _REGISTRY and _REGISTRY[cls.name] is not cls:
        raise ValueError(f"a model named '{cls.name}' is already registered")
    _REGISTRY[cls.name] = cls
    return cls


def _load() -> None:
    global _loaded
    if not _loaded:
        for module in _MODEL_MODULES:
            importlib.import_module(module)
        _loaded = True


def available_models() -> dict[str, type[Model]]:
    """Registered model classes by name, in registration order."""
    _load()
    return dict(_REGISTRY)


def model_class(name: str) -> type[Model]:
    """The class registered under ``name``; :class:`UnknownModelError` names the valid choices."""
    models = available_models()
    if name not in models:
        raise UnknownModelError(
            f"unknown model '{name}'.{did_you_mean(name, models)} "
            f"Available models: {', '.join(models)}",
            field="model",
        )
    return models[name]


def get_model(name: str, **options: Any) -> Model:
    """An instance of the model ``name`` with ``options`` (coerced from text where needed)."""
    cls = model_class(name)
    return cls(**cls.coerce_options(options))


def model_option_problems(model_options: dict[str, dict[str, Any]]) -> list[str]:
    """Every problem of a scenario's ``model_options``: unknown models, options and values.

    Each entry is checked against the model's declared options (:meth:`Model.validate_options`).
    """
    models = available_models()
    problems = []
    for name, options in model_options.items():
        if name not in models:
            problems.append(
                f"model_options.{name}: unknown model '{name}' (models: {', '.join(models)})"
            )
            continue
        cls = models[name]
        given = {k: v for k, v in options.items() if k != "seed"}
        seed = options.get("seed")
        if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int) or seed < 0):
            problems.append(f"model_options.{name}.seed: must be a whole number >= 0, got {seed!r}")
        for key, value in given.items():
            try:
                cls.validate_options(cls.coerce_options({key: value}))
            except (MinilateralError, TypeError, ValueError, OverflowError) as err:
                message = getattr(err, "message", str(err))
                problems.append(f"model_options.{name}.{key}: {message}")
    return problems
