"""Exceptions and warnings raised by minilateral.

The tree::

    MinilateralError
    ├── ScenarioError (ValueError)        invalid scenario content
    │   └── ScenarioValidationError       schema violations, with file and YAML path
    ├── FormatError (ValueError)          unreadable file: path, line, field
    ├── UnknownModelError (KeyError)      no model registered under that name
    ├── OptionError (ValueError)          bad model option (name or value)
    ├── UnknownScenarioError (KeyError)   no scenario of that name in the library
    ├── MissingDependencyError            an optional library or system package is absent
    ├── DataError                         reference data: catalogue, checksum, licence
    │   └── QueryError (ValueError)       unknown state, group or year range in a data query
    └── StoreError                        stored history

    ConvergenceWarning (UserWarning)      a dynamic model hit its round cap

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
    "MinilateralError",
    "MissingDependencyError",
    "OptionError",
    "QueryError",
    "ScenarioError",
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


class DataError(MinilateralError):
    """Reference data are missing, corrupt or unlicensed for the use."""


class QueryError(DataError, ValueError):
    """A data query names an unknown state or group, or an invalid year range (bad input)."""

    exit_code = 2


class StoreError(MinilateralError):
    """The stored history cannot be read or written."""


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
