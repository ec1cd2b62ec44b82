"""The estimator-like base class of every forecasting model.

Options are keyword-only constructor parameters stored verbatim (scikit-learn convention).
Each model declares them in one table, :meth:`Model.option_specs`: name, type and default come
from the annotated ``__init__`` signature, allowed values from its ``Literal`` annotations and
numeric intervals from the class's ``option_constraints`` (scikit-learn's
``_parameter_constraints``). :meth:`Model.validate_options` is the one public check: it returns
the validated, resolved options, and every caller (forecast, sweep engine, sensitivity, CLI,
web forms) uses it before doing any work.
"""

from __future__ import annotations

import inspect
import types
import typing
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, Literal, get_args, get_origin

import numpy as np

from minilateral.arrays import FloatArray, ScenarioArrays
from minilateral.errors import OptionError, did_you_mean
from minilateral.forecast import Forecast

__all__ = ["Interval", "Model", "OptionSpec", "SeedLike", "check_rng"]

SeedLike = int | np.random.SeedSequence | np.random.Generator | None


def check_rng(rng: SeedLike) -> np.random.Generator:
    """Turn a seed, ``SeedSequence``, generator or None into a ``numpy.random.Generator``."""
    if isinstance(rng, np.random.Generator):
        return rng
    return np.random.default_rng(rng)


@dataclass(frozen=True)
class Interval:
    """The numeric interval an option must lie in (scikit-learn's ``Interval`` constraint).

    ``low`` or ``high`` None leaves that side open-ended; ``closed`` says which ends belong to
    the interval. NaN lies in no interval.

    >>> 0.5 in Interval(0.0, 1.0), 0 in Interval(0, None, closed="neither")
    (True, False)
    >>> Interval(1, None).describe()
    '>= 1'
    """

    low: float | None = None
    high: float | None = None
    closed: Literal["both", "left", "right", "neither"] = "both"

    def __contains__(self, value: object) -> bool:
        if not isinstance(value, int | float | np.integer | np.floating) or value != value:
            return False
        x = float(value)
        low_in = self.closed in ("both", "left")
        high_in = self.closed in ("both", "right")
        above = self.low is None or x > self.low or (x == self.low and low_in)
        below = self.high is None or x < self.high or (x == self.high and high_in)
        return above and below

    def describe(self) -> str:
        """``[0, 1]``, ``>= 1``, ``> 0`` ...: the interval in reader's notation."""
        lo_in = self.closed in ("both", "left")
        hi_in = self.closed in ("both", "right")
        if self.low is not None and self.high is not None:
            return f"{'[' if lo_in else '('}{self.low:g}, {self.high:g}{']' if hi_in else ')'}"
        if self.low is not None:
            return f"{'>=' if lo_in else '>'} {self.low:g}"
        if self.high is not None:
            return f"{'<=' if hi_in else '<'} {self.high:g}"
        return "any number"


@dataclass(frozen=True)
class OptionSpec:
    """Name, type, default, allowed values (or interval) and aliases of one model option."""

    name: str
    kind: type
    default: Any
    choices: tuple[Any, ...] = ()
    aliases: dict[str, str] | None = None
    interval: Interval | None = None

    def describe(self) -> str:
        """One-line human description, as shown by ``minilateral models``."""
        if self.choices:
            return f"{self.name}={self.default} ({'|'.join(map(str, self.choices))})"
        if self.interval is not None:
            return f"{self.name}={self.default} ({self.kind.__name__}, {self.interval.describe()})"
        return f"{self.name}={self.default} ({self.kind.__name__})"


class Model:
    """Base class: options in ``__init__``, one method ``forecast(arrays, rng=None)``.

    Subclasses set ``name`` and ``summary``, declare their options as keyword-only annotated
    ``__init__`` parameters that are only stored, and implement :meth:`forecast`.
    ``option_constraints`` maps a numeric option to the :class:`Interval` it must lie in;
    ``option_aliases`` maps an option to ``{alias: canonical value}`` and ``option_name_aliases``
    an alternative option name to its canonical one; ``dynamic`` marks models
    that return a trajectory; ``rounds_option`` names the option that caps the rounds;
    ``issue_separable`` marks models that bargain every issue on its own, so that an issue can be
    forecast with only the actors taking part in it (callers may split by issue to save work).
    """

    name: ClassVar[str] = ""
    summary: ClassVar[str] = ""
    dynamic: ClassVar[bool] = False
    rounds_option: ClassVar[str | None] = None
    issue_separable: ClassVar[bool] = False
    option_aliases: ClassVar[dict[str, dict[str, str]]] = {}
    option_name_aliases: ClassVar[dict[str, str]] = {}
    option_constraints: ClassVar[dict[str, Interval]] = {}

    # -- parameters (scikit-learn style) -------------------------------------------------
    @classmethod
    def _param_names(cls) -> list[str]:
        return [p.name for p in _parameters(cls)]

    @classmethod
    def option_specs(cls) -> list[OptionSpec]:
        """The model's option table: the ``__init__`` signature plus ``option_constraints``."""
        hints = typing.get_type_hints(cls.__init__) if cls.__init__ is not object.__init__ else {}
        specs = []
        for p in _parameters(cls):
            hint = hints.get(p.name, type(p.default))
            kind, choices = _kind_and_choices(hint)
            specs.append(
                OptionSpec(
                    p.name,
                    kind,
                    p.default,
                    choices,
                    cls.option_aliases.get(p.name),
                    cls.option_constraints.get(p.name),
                )
            )
        return specs

    @classmethod
    def validate_options(cls, options: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """The validated, resolved options: every option, defaults filled in, checked.

        Values are converted to their declared types (text such as ``"0.5"`` included), aliases
        mapped, allowed values and intervals checked, then the model's own cross-option rules
        applied (:meth:`_resolve`, e.g. bdm's presets). Raises :class:`OptionError` naming the
        option; nothing else is done, so callers check before writing anything.

        >>> from minilateral.models.registry import model_class
        >>> model_class("bdm").validate_options({"Q": "0.5"})["Q"]
        0.5
        >>> try:
        ...     model_class("bdm").validate_options({"Q": 5})
        ... except OptionError as err:
        ...     print(err.message)
        option 'Q' of model 'bdm' must lie in [0, 1]; got 5.0
        """
        given = {cls.option_name_aliases.get(k, k): v for k, v in (options or {}).items()}
        specs = cls.option_specs()
        names = [spec.name for spec in specs]
        for key in given:
            if key not in names:
                raise OptionError(
                    f"model '{cls.name}' has no option '{key}'.{did_you_mean(key, names)} "
                    f"({_listing(names)})",
                    field=key,
                )
        resolved: dict[str, Any] = {}
        for spec in specs:
            value = _coerce(cls.name, spec, given.get(spec.name, spec.default))
            if spec.interval is not None and value is not None and value not in spec.interval:
                raise OptionError(
                    f"option '{spec.name}' of model '{cls.name}' must lie in "
                    f"{spec.interval.describe()}; got {value!r}",
                    field=spec.name,
                )
            resolved[spec.name] = value
        return cls._resolve(resolved)

    @classmethod
    def _resolve(cls, options: dict[str, Any]) -> dict[str, Any]:
        """Cross-option rules of a model, on options already type-checked; override to add."""
        return options

    def resolved_options(self) -> dict[str, Any]:
        """This instance's options, validated and resolved (:meth:`validate_options`)."""
        return type(self).validate_options(self.get_params())

    def get_params(self) -> dict[str, Any]:
        """The options as passed to the constructor."""
        return {name: getattr(self, name) for name in self._param_names()}

    def set_params(self, **params: Any) -> Model:
        """Set options by name; unknown names raise :class:`OptionError`."""
        valid = self._param_names()
        for key, value in params.items():
            if key not in valid:
                raise OptionError(
                    f"model '{self.name}' has no option '{key}'.{did_you_mean(key, valid)} "
                    f"({_listing(valid)})",
                    field=key,
                )
            setattr(self, key, value)
        return self

    def clone(self) -> Model:
        """A new, unfitted model with the same options."""
        return type(self)(**self.get_params())

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_params().items())
        return f"{type(self).__name__}({args})"

    @classmethod
    def coerce_options(cls, raw: dict[str, Any]) -> dict[str, Any]:
        """Convert option values given as text (``--set KEY=VALUE``) to their declared types.

        Aliases declared in ``option_aliases`` are mapped to canonical values, case-insensitively.
        Only the options given are returned; :meth:`validate_options` checks the whole set.
        """
        specs = {s.name: s for s in cls.option_specs()}
        out: dict[str, Any] = {}
        for key, value in raw.items():
            key = cls.option_name_aliases.get(key, key)
            if key not in specs:
                raise OptionError(
                    f"model '{cls.name}' has no option '{key}'.{did_you_mean(key, specs)} "
                    f"({_listing(specs)})",
                    field=key,
                )
            out[key] = _coerce(cls.name, specs[key], value)
        return out

    @classmethod
    def memory_estimate(cls, b: int, n: int, d: int) -> int:
        """Peak working memory in bytes of a forecast of B scenarios, N actors, D issues.

        The default covers models built on pairwise (B, N, N, D) float64 arrays, a few alive
        at once; models with larger tensors override it (used by
        :func:`minilateral.resources.check_memory` before anything is allocated).
        """
        return 64 * b * n * n * max(d, 1) + 1024 * 1024

    def uses_random_stream(self) -> bool:
        """Whether :meth:`forecast` draws from its ``rng`` with these options.

        False for deterministic models. A sweep seeds the model's generator per chunk, so for
        a model that uses it the chunk size is part of the random stream and is never changed
        behind the user's back (:func:`minilateral.montecarlo.engine.sweep`).
        """
        return False

    # -- forecasting ---------------------------------------------------------------------
    def forecast(self, arrays: ScenarioArrays, rng: SeedLike = None) -> Forecast:
        """Forecast the outcome of every scenario in the batch."""
        raise NotImplementedError

    def _static_forecast(self, arrays: ScenarioArrays, outcome_unit: FloatArray) -> Forecast:
        """Wrap a unit-scale (B, D) outcome of a static model into a :class:`Forecast`."""
        b = arrays.batch_size
        return Forecast(
            model=self.name,
            options=self.resolved_options(),
            outcome=arrays.from_unit(outcome_unit),
            actors=arrays.actors,
            issues=arrays.issues,
            rounds=np.zeros(b, dtype=np.int64),
            converged=np.ones(b, dtype=bool),
        )


def _listing(names: Iterable[str]) -> str:
    """``options: a, b`` or, for a model without options, ``it takes no options``."""
    names = list(names)
    return f"options: {', '.join(names)}" if names else "it takes no options"


def _parameters(cls: type[Model]) -> list[inspect.Parameter]:
    """The keyword options of ``cls.__init__`` (none for a model without an ``__init__``)."""
    if cls.__init__ is object.__init__:
        return []
    return [
        p
        for p in inspect.signature(cls.__init__).parameters.values()
        if p.name != "self" and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
    ]


def _kind_and_choices(hint: Any) -> tuple[type, tuple[Any, ...]]:
    origin = get_origin(hint)
    if origin is Literal:
        choices = get_args(hint)
        return type(choices[0]), choices
    if origin in (typing.Union, types.UnionType):
        args = [a for a in get_args(hint) if a is not type(None)]
        return _kind_and_choices(args[0])
    return (hint if isinstance(hint, type) else object), ()


def _coerce(model: str, spec: OptionSpec, value: Any) -> Any:
    """Convert ``value`` to ``spec``'s type, map aliases, and check the allowed choices."""
    if value is None and spec.default is None:
        return None
    if isinstance(value, str) and spec.aliases:
        lowered = {k.lower(): v for k, v in spec.aliases.items()}
        value = lowered.get(value.lower(), value)
    try:
        if spec.kind is bool:
            if isinstance(value, str):
                if value.lower() not in {"true", "false", "1", "0", "yes", "no"}:
                    raise ValueError(value)
                value = value.lower() in {"true", "1", "yes"}
            elif not isinstance(value, bool | np.bool_):
                raise ValueError(value)
        elif spec.kind is int:
            if isinstance(value, float) and not value.is_integer():
                raise ValueError(value)
            value = int(value)
        elif spec.kind is float:
            value = float(value)
        elif spec.kind is str:
            value = str(value)
    except (TypeError, ValueError):
        raise OptionError(
            f"option '{spec.name}' of model '{model}' expects {spec.kind.__name__}, got {value!r}",
            field=spec.name,
        ) from None
    if spec.choices:
        if spec.kind is str:
            canonical = {str(c).lower(): c for c in spec.choices}
            value = canonical.get(str(value).lower(), value)
        if value not in spec.choices:
            raise OptionError(
                f"option '{spec.name}' of model '{model}' must be one of "
                f"{', '.join(map(str, spec.choices))}; got {value!r}",
                field=spec.name,
            )
    return value
