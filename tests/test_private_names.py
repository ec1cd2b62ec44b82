"""No module of the package reaches into another module's private names (issue 19).

A private module (``models/_smp_kernels.py``, ``cli/_output.py``) may be imported by the modules
of its own package; a private function, class or constant (``_MEASURES``) is used only in the
module that defines it. Shared helpers have public homes (``minilateral.io.validation``).
"""

from __future__ import annotations

import ast
from pathlib import Path

import minilateral

PACKAGE = Path(minilateral.__file__).parent


def _is_module(dotted: str) -> bool:
    path = PACKAGE.joinpath(*dotted.split(".")[1:])
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def _crossings() -> list[str]:
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        here = ".".join(("minilateral", *path.relative_to(PACKAGE).with_suffix("").parts))
        for node in ast.walk(tree):
            if not isinstance(node, ast.ImportFrom) or not (node.module or "").startswith(
                "minilateral"
            ):
                continue
            module = node.module or ""
            for alias in node.names:
                if not alias.name.startswith("_") or alias.name.startswith("__"):
                    continue
                target = f"{module}.{alias.name}"
                same_package = module == here.rsplit(".", 1)[0]
                if _is_module(target) and same_package:
                    continue  # a private module of this module's own package
                found.append(f"{path.relative_to(PACKAGE)}:{node.lineno}: {target}")
            parts = module.split(".")
            private = [p for p in parts[1:] if p.startswith("_")]
            if private and not here.startswith(".".join(parts[: parts.index(private[0])])):
                found.append(f"{path.relative_to(PACKAGE)}:{node.lineno}: {module}")
    return found


def test_no_private_name_crosses_a_module() -> None:
    assert _crossings() == []
