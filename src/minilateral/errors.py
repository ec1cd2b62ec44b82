"""Exceptions and warnings raised by minilateral.

The tree::

    MinilateralError
    ├── ScenarioError (ValueError)        invalid scenario content
    │   ├── ScenarioValidationError       schema violations, with file and YAML path
    │   └── ScenarioFieldError            one problem found by a scenario validator, with its
    │                                     ``loc`` inside the scenario (pydantic reports it)
    ├── FormatError (ValueError)          unreadable file: path, line, field
    ├── UnknownModelError (KeyError)      no model registered under that name
    ├── OptionError (ValueError)          bad model option (name or value)
    ├── UnknownScenarioError (KeyError)   no scenario of that name in the library
    ├── MissingDependencyError            an optional library or system package is absent
    ├── ResourceError                     a run would exceed the memory or time limit
    ├── DataError                         reference data: catalogue, checksum, licence
    │   └── QueryError (ValueError)       unknown state, group or year range in a data query
    └── StoreError                        stored history
        ├── NotFoundError                 no such object, or the principal may not see it
        ├── PermissionDeniedError         the principal sees the object but may not change it
        └── InviteError                   an invitation that cannot be created or accepted

    ConvergenceWarning (UserWarning)      a dynamic model hit its round cap

Outside this module: two private exceptions stay inside the one module that raises and catches
them, and never reach a caller: ``web.jobs._CancelledError`` (a sweep's progress callback stops a
cancelled run) and ``web.views.panels._FormError`` (a panel form field that does not parse, shown
next to it). ``web.errors.ApiError`` is not a minilateral error but the web layer's carrier of an
HTTP status from an endpoint to its handler (like FastAPI's ``HTTPException``).

Every error carries optional ``path``, ``row`` and ``field`` attributes, which the message already
includes, so callers can both print the message and inspect the location.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from pathlib import Path

__all__ = [
    "ConvergenceWarning",
    "DataError",
    "FormatError",
    "InviteError",
    "MinilateralError",
    "MissingDependencyError",
    "NotFoundError",
    "OptionError",
    "PermissionDeniedError",
    "QueryError",
    "ResourceError",
    "ScenarioError",
    "ScenarioFieldError",
    "ScenarioValidationError",
    "StoreError",
    "UnknownModelError",
    "UnknownScenarioError",
    "did_you_mean",
]


class MinilateralError(Exception):
    """Base class of every error raised on purpose by minilateral.

    Parameters
    ----------
    message : str
        What is wrong, in words a user can act on.
    path : str or Path, optional
        The file concerned.
    row : int or str, optional
        Line number (1-based) or YAML path within the file.
    field : str, optional
        The column or key concerned.
    exit_code : int, optional
        Exit status of the command line for this error (default: the class's; 2 means bad input
        or usage, 1 any other failure).
    """

    exit_code = 1

    def __init__(
        self,
        message: str,
        *,
        path: str | Path | None = None,
        row: int | str | None = None,
        field: str | None = None,
        exit_code: int | None = None,
    ) -> None:
        if exit_code is not None:
            self.exit_code = exit_code
        self.message = message
        self.path = None if path is None else str(path)
        self.row = row
        self.field = field
        super().__init__(self._compose())

    def _compose(self) -> str:
        where = []
        if self.path is not None:
            where.append(self.path)
        if self.row is not None:
            where.append(f"line {self.row}" if isinstance(self.row, int) else str(self.row))
        if self.field is not None and (self.row is None or self.field not in str(self.row)):
            where.append(f"field '{self.field}'")
        return f"{': '.join(where)}: {self.message}" if where else self.message

    def __str__(self) -> str:
        return self._compose()


class ScenarioError(MinilateralError, ValueError):
    """A scenario's content is invalid (bad position, duplicate actor, ...)."""

    exit_code = 2


class ScenarioValidationError(ScenarioError):
    """One or more schema violations; ``problems`` lists every one of them."""

    def __init__(self, problems: list[str], *, path: str | Path | None = None) -> None:
        self.problems = problems
        prefix = f"{path}: " if path is not None else ""
        first = problems[0] if problems else "invalid scenario"
        super().__init__(first, path=path)
        self.message = "; ".join(problems)
        self.args = ("\n".join(prefix + p for p in problems),)

    def __str__(self) -> str:
        return str(self.args[0])


class ScenarioFieldError(ScenarioError):
    """A cross-field problem found by a scenario validator, knowing where in the scenario it is.

    Raised inside the pydantic validators of :mod:`minilateral.scenario` (pydantic turns a
    ``ValueError`` into one entry of its ``ValidationError``). ``loc`` is appended to pydantic's
    location (e.g. ``("actors", 3, "positions", "security")``) so that readers can report the
    YAML path and line, and the web editor can put the message next to its field
    (:func:`minilateral.io.validation.located_problems` reads both).

    Parameters
    ----------
    loc : tuple of int or str
        Path inside the validated object (relative to pydantic's own location).
    message : str
        What is wrong.
    code : str, optional
        The rule broken, for callers that word the message themselves (the web editor in the
        page's language), as pydantic's error ``type``: ``"outside_scale"`` (context ``lo``,
        ``hi``), ``"salience_range"``, ``"cell_incomplete"``. None for other rules.
    context : dict, optional
        Values the message quotes (as pydantic's ``ctx``).
    """

    def __init__(
        self,
        loc: tuple[int | str, ...],
        message: str,
        *,
        code: str | None = None,
        context: dict[str, object] | None = None,
    ) -> None:
        super().__init__(message)
        self.loc = loc
        self.code = code
        self.context = dict(context or {})
        self.others: list[ScenarioFieldError] = []

    @classmethod
    def raise_all(cls, problems: list[ScenarioFieldError]) -> None:
        """Raise the first of ``problems`` carrying the rest in ``others`` (none: return).

        A validator that finds several problems reports them all at once, so ``validate`` can
        list every one (:func:`minilateral.io.validation.scenario_errors` unpacks them).
        """
        if problems:
            first = problems[0]
            first.others = list(problems[1:])
            raise first


class FormatError(MinilateralError, ValueError):
    """A file cannot be parsed in the expected format."""

    exit_code = 2


class UnknownModelError(MinilateralError, KeyError):
    """No model is registered under the requested name."""

    exit_code = 2

    def __str__(self) -> str:  # KeyError would quote the message
        return self._compose()


class OptionError(MinilateralError, ValueError):
    """A model option has an unknown name or an invalid value."""

    exit_code = 2


class UnknownScenarioError(MinilateralError, KeyError):
    """A scenario name resolves neither to a file nor to the library."""

    exit_code = 2

    def __str__(self) -> str:
        return self._compose()


class MissingDependencyError(MinilateralError):
    """An optional library or system package needed for this output is not installed."""


class ResourceError(MinilateralError):
    """A run would need more memory or time than the configured limit (exit 2: change the input).

    The limits and the estimates behind this error are in :mod:`minilateral.resources`.
    """

    exit_code = 2


class DataError(MinilateralError):
    """Reference data are missing, corrupt or unlicensed for the use."""


class QueryError(DataError, ValueError):
    """A data query names an unknown state or group, or an invalid year range (bad input)."""

    exit_code = 2


class StoreError(MinilateralError):
    """The stored history cannot be read or written."""


class NotFoundError(StoreError):
    """No such object, or the principal may not see it (bad input: exit status 2)."""

    exit_code = 2


class PermissionDeniedError(StoreError):
    """The principal sees the object but may not change it."""


class InviteError(StoreError):
    """An invitation that cannot be created or accepted."""


class ConvergenceWarning(UserWarning):
    """A dynamic model stopped at its round cap before meeting its stopping rule."""


def did_you_mean(name: str, choices: Iterable[str]) -> str:
    """A " Did you mean 'x'?" hint for a mistyped ``name`` (empty when nothing is close).

    A choice equal to ``name`` but for case wins; otherwise :func:`difflib.get_close_matches`
    picks up to three choices by similarity (cutoff 0.6).

    >>> did_you_mean("Nash", ["mean", "nash", "bdm"])
    " Did you mean 'nash'?"
    >>> did_you_mean("zzz", ["mean", "nash"])
    ''
    """
    options = list(choices)
    folded = [c for c in options if c.casefold() == name.casefold()]
    matches = folded or difflib.get_close_matches(name, options, n=3)
    if not matches:
        return ""
    return " Did you mean " + " or ".join(f"'{m}'" for m in matches) + "?"
