"""The exception family lives in one module and its docstring draws every member (issue 19)."""

from __future__ import annotations

import ast
import builtins
from pathlib import Path

import pytest

import minilateral
from minilateral import errors
from minilateral.errors import (
    InviteError,
    MinilateralError,
    NotFoundError,
    PermissionDeniedError,
    ResourceError,
    ScenarioError,
    ScenarioFieldError,
    StoreError,
)

PACKAGE = Path(minilateral.__file__).parent
# Not minilateral errors: the web layer's carrier of an HTTP status to its handler.
WEB_TRANSPORT = {("web/errors.py", "ApiError")}


def _exception_classes() -> list[tuple[str, str]]:
    """(module path, class name) of every class deriving from an exception, found in the source."""
    known = {n for n in dir(builtins) if isinstance(getattr(builtins, n), type)}
    known = {n for n in known if issubclass(getattr(builtins, n), BaseException)}
    known |= {n for n in errors.__all__ if isinstance(getattr(errors, n), type)}
    classes = []
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef):
                bases = {
                    b.id if isinstance(b, ast.Name) else getattr(b, "attr", "") for b in node.bases
                }
                classes.append((path.relative_to(PACKAGE).as_posix(), node.name, bases))
    found: set[tuple[str, str]] = set()
    changed = True
    while changed:  # classes deriving from classes found so far
        changed = False
        for module, name, bases in classes:
            if (module, name) not in found and bases & known:
                found.add((module, name))
                known.add(name)
                changed = True
    return sorted(found)


def test_every_public_exception_lives_in_errors_and_is_drawn_in_its_tree() -> None:
    exceptions = _exception_classes()
    outside = [
        (module, name)
        for module, name in exceptions
        if module != "errors.py"
        and not name.startswith("_")
        and (module, name) not in WEB_TRANSPORT
    ]
    assert outside == []
    doc = errors.__doc__ or ""
    for module, name in exceptions:
        if module == "errors.py":
            assert name in errors.__all__
            drawn = (f"── {name}", f"    {name} (", f"    {name}\n")
            assert any(mark in doc for mark in drawn), name
        else:  # the private ones say where they live
            assert name in doc, name


@pytest.mark.parametrize(
    ("cls", "parent"),
    [
        (ScenarioFieldError, ScenarioError),
        (ResourceError, MinilateralError),
        (NotFoundError, StoreError),
        (PermissionDeniedError, StoreError),
        (InviteError, StoreError),
    ],
)
def test_moved_exceptions_keep_their_place_in_the_hierarchy(cls, parent) -> None:
    assert issubclass(cls, parent)
    assert issubclass(cls, MinilateralError)


def test_scenario_field_error_is_a_value_error_carrying_its_location() -> None:
    """Pydantic turns a ValueError raised in a validator into one located problem."""
    err = ScenarioFieldError(("actors", 3, "name"), "duplicate actor 'A'")
    assert isinstance(err, ValueError)
    assert str(err) == "duplicate actor 'A'"
    assert err.loc == ("actors", 3, "name")
    other = ScenarioFieldError(("issues", 0), "second")
    with pytest.raises(ScenarioFieldError) as caught:
        ScenarioFieldError.raise_all([err, other])
    assert caught.value is err
    assert caught.value.others == [other]
    ScenarioFieldError.raise_all([])  # nothing to report: returns


def test_errors_imports_nothing_from_the_package() -> None:
    tree = ast.parse((PACKAGE / "errors.py").read_text(encoding="utf-8"))
    imported = [
        node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)
    ] + [
        alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
    ]
    assert not [name for name in imported if name.startswith("minilateral")]
