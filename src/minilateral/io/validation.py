"""Turn pydantic's ``ValidationError`` into :class:`ScenarioValidationError` with locations."""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NamedTuple

from pydantic import ValidationError

from minilateral.errors import FormatError, ScenarioFieldError, ScenarioValidationError

__all__ = [
    "MAX_FIELD",
    "Problem",
    "csv_row",
    "finite_number",
    "format_loc",
    "located_problems",
    "scenario_errors",
]

MAX_FIELD = 128 * 1024
"""Longest CSV or tab-separated field accepted, in characters (the ``csv`` module's limit)."""


def csv_row(line_text: str, path: str | Path, line: int, **dialect: Any) -> list[str]:
    """The fields of one CSV line; a malformed or over-long field is a located
    :class:`FormatError` (``csv.Error`` names neither file nor line)."""
    try:
        return next(csv.reader(io.StringIO(line_text), **dialect), [])
    except csv.Error as err:
        if "field limit" in str(err):
            message = f"a field is longer than {MAX_FIELD // 1024} KiB (the limit of one field)"
        else:
            message = f"not valid CSV: {err}"
        raise FormatError(message, path=path, row=line) from None


def finite_number(cell: str, path: str | Path, line: int, field: str) -> float:
    """A finite number from a text cell; otherwise a :class:`FormatError` naming line and field."""
    try:
        value = float(cell)
    except ValueError:
        raise FormatError(f"'{cell}' is not a number", path=path, row=line, field=field) from None
    if not math.isfinite(value):
        raise FormatError(f"'{cell}' is not a finite number", path=path, row=line, field=field)
    return value


def format_loc(loc: tuple[int | str, ...]) -> str:
    """``("actors", 3, "salience")`` → ``actors[3].salience``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def _message(error: Any) -> str:
    kind = error["type"]
    if kind == "extra_forbidden":
        return "unknown key (not part of the scenario format; check the spelling)"
    if kind == "missing":
        return "required field is missing"
    msg = str(error["msg"])
    return msg.removeprefix("Value error, ")


class Problem(NamedTuple):
    """One located validation problem of a scenario.

    ``loc`` is the full path inside the scenario (pydantic's location followed by the
    :class:`~minilateral.errors.ScenarioFieldError`'s own), ``message`` the text a reader sees,
    ``code`` the rule broken (pydantic's error ``type``, e.g. ``greater_than_equal``, or the
    ``ScenarioFieldError``'s code, ``value_error`` when it has none) and ``context`` the values
    the message quotes.
    """

    loc: tuple[int | str, ...]
    message: str
    code: str
    context: dict[str, Any]


def located_problems(err: ValidationError) -> list[Problem]:
    """Every problem of a pydantic ``ValidationError`` with its full location, in order.

    A validator may report several problems at once (``ScenarioFieldError.others``); each is
    its own :class:`Problem`. Readers print them (:func:`scenario_errors`); the web editor puts
    each next to the field its ``loc`` names.
    """
    problems = []
    for error in err.errors():
        cause = (error.get("ctx") or {}).get("error")
        parts = [cause, *getattr(cause, "others", [])]
        for k, part in enumerate(parts):
            loc = tuple(error["loc"]) + tuple(getattr(part, "loc", ()))
            message = _message(error) if k == 0 else str(part)
            if isinstance(part, ScenarioFieldError):
                code, context = part.code or "value_error", part.context
            else:
                code = str(error["type"])
                context = {key: v for key, v in (error.get("ctx") or {}).items() if key != "error"}
            problems.append(Problem(loc, message, code, context))
    return problems


@contextmanager
def scenario_errors(
    path: str | Path | None = None,
    locate: Callable[[tuple[int | str, ...]], str | None] | None = None,
) -> Iterator[None]:
    """Re-raise pydantic errors as one :class:`ScenarioValidationError` listing every problem.

    ``locate`` maps an error's ``loc`` to a line reference (e.g. ``"line 12"``) where the reader
    knows it; each problem reads ``line 12: actors[3].salience: message``.
    """
    try:
        yield
    except ValidationError as err:
        problems = []
        for problem in located_problems(err):
            where = format_loc(problem.loc)
            line = locate(problem.loc) if locate else None
            prefix = ": ".join(p for p in (line, where) if p)
            problems.append(f"{prefix}: {problem.message}" if prefix else problem.message)
        raise ScenarioValidationError(problems, path=path) from err
