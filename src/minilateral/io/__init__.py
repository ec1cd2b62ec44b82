"""Readers and writers, one module per format, and format detection.

:func:`read_scenario` picks the reader by extension and content sniffing; ``input_format``
overrides the guess. Formats: ``yaml`` (native), ``bdm-csv`` (the BDM table), ``decide``
(the Decide ``#A/#P/#M/#D`` rows), ``ktab-csv`` and ``ktab-xml`` (KTAB's SMP scenarios,
``docs/scenario-format.md#ktab-csv-and-xml``).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from minilateral.errors import FormatError
from minilateral.io.bdm_csv import load_bdm_csv, looks_like_bdm_csv
from minilateral.io.decide import load_decide, looks_like_decide
from minilateral.io.ktab_csv import load_ktab_csv, looks_like_ktab_csv
from minilateral.io.ktab_xml import load_ktab_xml, looks_like_ktab_xml
from minilateral.io.yaml_io import load_yaml
from minilateral.scenario import Scenario

__all__ = ["FORMATS", "detect_format", "read_scenario"]

Reader = Callable[[str, Path, tuple[float, float] | None], Scenario]

FORMATS: dict[str, Reader] = {
    "yaml": lambda text, path, scale: load_yaml(text, path),
    "bdm-csv": lambda text, path, scale: load_bdm_csv(text, path, scale=scale),
    "decide": lambda text, path, scale: load_decide(text, path),
    "ktab-csv": lambda text, path, scale: load_ktab_csv(text, path),
    "ktab-xml": lambda text, path, scale: load_ktab_xml(text, path),
}
_SNIFFERS: list[tuple[str, Callable[[str], bool]]] = [
    ("decide", looks_like_decide),
    ("bdm-csv", looks_like_bdm_csv),
    ("ktab-csv", looks_like_ktab_csv),
    ("ktab-xml", looks_like_ktab_xml),
]
_EXTENSIONS = {".yaml": "yaml", ".yml": "yaml", ".xml": "ktab-xml", ".xsd": "ktab-xml"}


def detect_format(path: Path, text: str) -> str:
    """The format of ``path``: by extension for YAML, else by sniffing the content."""
    if path.suffix.lower() in _EXTENSIONS:
        return _EXTENSIONS[path.suffix.lower()]
    for name, sniff in _SNIFFERS:
        if sniff(text):
            return name
    if path.suffix.lower() == ".csv":
        first = next((line for line in text.splitlines() if line.strip()), "")
        raise FormatError(
            f"unrecognised CSV header '{first.strip()[:80]}'; a BDM table needs the columns "
            "Actor, Capability, Position, Salience, a KTAB CSV starts with 'name,description,N,D' "
            "(use --input-format to choose a reader)",
            path=path,
            row=1,
        )
    stripped = text.lstrip()
    if stripped.startswith(("title:", "#", "issues:", "actors:")):
        return "yaml"
    raise FormatError(
        f"cannot tell the format of this file; use --input-format ({', '.join(FORMATS)})",
        path=path,
    )


def read_scenario(
    path: str | Path,
    *,
    input_format: str | None = None,
    scale: tuple[float, float] | None = None,
) -> Scenario:
    """Read a scenario file in any supported format."""
    path = Path(path)
    if input_format is not None and input_format not in FORMATS:
        raise FormatError(
            f"unknown input format '{input_format}' (formats: {', '.join(FORMATS)})",
            field="input-format",
        )
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise FormatError("no such file", path=path) from None
    except IsADirectoryError:
        raise FormatError("is a folder, not a scenario file", path=path) from None
    except UnicodeDecodeError as err:
        raise FormatError(f"not a UTF-8 text file ({err.reason})", path=path) from err
    if "\x00" in text:
        raise FormatError("binary content (NUL bytes) in a text file", path=path)
    fmt = input_format or detect_format(path, text)
    return FORMATS[fmt](text, path, scale)
