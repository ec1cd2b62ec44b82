"""Provenance: what every result records so that it can be reproduced."""

from __future__ import annotations

import datetime as dt
import platform
from importlib.metadata import PackageNotFoundError, version
from typing import Any

__all__ = ["package_version", "provenance"]


def package_version() -> str:
    """The installed minilateral version (``0+unknown`` when run from a source tree)."""
    try:
        return version("minilateral")
    except PackageNotFoundError:
        return "0+unknown"


def provenance(
    *,
    model: str,
    options: dict[str, Any],
    seed: int | None,
    input_hash: str,
    data_versions: dict[str, str] | None = None,
) -> dict[str, Any]:
    """A provenance record: package version, model, options, seed, input hash, data, time."""
    return {
        "package": "minilateral",
        "version": package_version(),
        "model": model,
        "options": options,
        "seed": seed,
        "input_sha256": input_hash,
        "data_versions": data_versions or {},
        "python": platform.python_version(),
        "numpy": version("numpy"),
        "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }
