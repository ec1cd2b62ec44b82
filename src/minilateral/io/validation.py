"""Turn pydantic's ``ValidationError`` into :class:`ScenarioValidationError` with locations."""

from __future__ import annotations

import copy
import csv
import io
import math
from collections.abc import Callable, Iterator, Mapping
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
    "stand_in_zero",
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


def stand_in_zero(data: dict[str, Any], loc: tuple[int | str, ...]) -> bool:
    """Put 0 for the actor's number at ``loc`` (capability or a cell) in the scenario mapping
    ``data``; False if ``loc`` names no such number or it is 0 already.

    A problem inside an actor stops the scenario's cross-field rules (pydantic runs them only
    on valid actors); with the flagged numbers standing in as 0 the rules can run again and
    report what they would have found, so that every problem shows in one pass.
    """
    if len(loc) < 3 or loc[0] != "actors" or not isinstance(loc[1], int):
        return False
    actors = data.get("actors")
    if not isinstance(actors, list) or not 0 <= loc[1] < len(actors):
        return False
    actor = actors[loc[1]]
    if not isinstance(actor, dict):
        return False
    if loc[2] == "capability" and actor.get("capability") != 0.0:
        actor["capability"] = 0.0
        return True
    if loc[2] in ("positions", "salience") and len(loc) > 3:
        cells = actor.get(loc[2])
        if isinstance(cells, dict) and loc[3] in cells and cells[loc[3]] != 0.0:
            cells[loc[3]] = 0.0
            return True
    return False


_PASSES = 4  # validations of one scenario at most (each stands in at least one more number)


def _hidden_problems(data: Mapping[str, Any], found: list[Problem]) -> list[Problem]:
    """The problems the scenario's cross-field rules find once the numbers flagged in ``found``
    stand in as 0 (:func:`stand_in_zero`); none on a number already flagged."""
    from minilateral.scenario import Scenario  # the rules themselves

    work = copy.deepcopy(dict(data))
    flagged = {p.loc for p in found}
    hidden: list[Problem] = []
    current = found
    for _attempt in range(_PASSES):
        stood_in = [stand_in_zero(work, p.loc) for p in current]
        if not any(stood_in):
            break
        try:
            Scenario.model_validate(work)
        except ValidationError as err:
            current = [p for p in located_problems(err) if p.loc not in flagged]
            flagged |= {p.loc for p in current}
            hidden += current
        else:
            break
    return hidden


@contextmanager
def scenario_errors(
    path: str | Path | None = None,
    locate: Callable[[tuple[int | str, ...]], str | None] | None = None,
    data: Mapping[str, Any] | None = None,
) -> Iterator[None]:
    """Re-raise pydantic errors as one :class:`ScenarioValidationError` listing every problem.

    ``locate`` maps an error's ``loc`` to a line reference (e.g. ``"line 12"``) where the reader
    knows it; each problem reads ``line 12: actors[3].salience: message``. With ``data`` (the
    mapping being validated as a scenario) the cross-field rules that a bad actor hides are
    run too (:func:`stand_in_zero`), so every problem is listed in one pass.
    """
    try:
        yield
    except ValidationError as err:
        problems = []
        found = located_problems(err)
        if data is not None:
            found += _hidden_problems(data, found)
        for problem in found:
            where = format_loc(problem.loc)
            line = locate(problem.loc) if locate else None
            prefix = ": ".join(p for p in (line, where) if p)
            problems.append(f"{prefix}: {problem.message}" if prefix else problem.message)
        raise ScenarioValidationError(problems, path=path) from err
