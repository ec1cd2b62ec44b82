"""Reader of the Decide input format (Stokman's exchange model).

The format: ``docs/scenario-format.md#decide-files``.

Tab-separated text; string fields in single quotes, numbers bare; the first field is a row tag:

* ``#A  key  name  comment`` — an actor;
* ``#P  key  name  description`` — an issue;
* ``#M  issue_key  position  [meaning]`` — an anchor point of the issue's scale;
* ``#D  actor_key  issue_key  position  salience  power`` — a cell (salience and power on [0, 1]);
* ``#/`` and ``#0`` — comments.

Surplus fields of a row are joined with a space into its last text field. An issue's scale is
``[min, max]`` of its ``#M`` positions, 0–100 without any. Power becomes the actor's capability
(per issue where it varies across the actor's rows). Every problem is reported with the file,
line and field.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from minilateral.errors import FormatError
from minilateral.io.validation import csv_row, finite_number, scenario_errors
from minilateral.scenario import Scenario

__all__ = ["load_decide", "looks_like_decide", "read_decide"]

_TAGS = {"#A", "#P", "#M", "#D"}
_COMMENTS = {"#/", "#0"}
# Field names after the tag, and how many of them are required.
_FIELDS: dict[str, tuple[tuple[str, ...], int]] = {
    "#A": (("key", "name", "comment"), 1),
    "#P": (("key", "name", "description"), 1),
    "#M": (("issue", "position", "meaning"), 2),
    "#D": (("actor", "issue", "position", "salience", "power"), 5),
}


def _rows(text: str, path: str | Path = "<string>") -> list[tuple[int, list[str]]]:
    out = []
    for line, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        row = csv_row(raw, path, line, delimiter="\t", quotechar="'")
        out.append((line, [c.strip() for c in row]))
    return out


def looks_like_decide(text: str) -> bool:
    """Content sniffing: the first non-empty row starts with a Decide row tag."""
    try:
        rows = _rows("\n".join(text.splitlines()[:20]))
    except FormatError:  # not readable as tab-separated text: the chosen reader will say why
        return False
    for _, row in rows:
        return bool(row) and (row[0] in _TAGS or row[0] in _COMMENTS)
    return False


@dataclass
class _Issue:
    key: str
    name: str
    description: str
    line: int
    marks: list[tuple[float, str]] = field(default_factory=list)


def _require(key: str, known: dict[str, Any], kind: str, path: str | Path, line: int) -> None:
    """An ``#M`` or ``#D`` row may only name actors and issues declared above it."""
    if key not in known:
        tag = "#A" if kind == "actor" else "#P"
        raise FormatError(f"unknown {kind} '{key}' (declare it with a {tag} row above)",
                          path=path, row=line, field=kind)  # fmt: skip


def load_decide(text: str, path: str | Path = "<string>") -> Scenario:
    """Parse Decide input given as text; see the module docstring for the rules."""
    actors: dict[str, tuple[str, str, int]] = {}
    issues: dict[str, _Issue] = {}
    cells: dict[tuple[str, str], tuple[float, float, float, int]] = {}
    for line, row in _rows(text, path):
        tag = row[0]
        if tag in _COMMENTS or tag.startswith(("#/", "#0")):
            continue
        if tag not in _TAGS:
            raise FormatError(
                f"unknown row tag '{tag}' (expected #A, #P, #M, #D, or #/ for a comment)",
                path=path, row=line, field="tag",
            )  # fmt: skip
        names, required = _FIELDS[tag]
        values = row[1:]
        if len(values) < required:
            raise FormatError(
                f"{tag} row has {len(values)} field(s); it needs {', '.join(names[:required])}",
                path=path, row=line,
            )  # fmt: skip
        if len(values) > len(names):
            if tag == "#D":
                raise FormatError(
                    f"#D row has {len(values)} fields; it takes {', '.join(names)}",
                    path=path, row=line,
                )  # fmt: skip
            values = [*values[: len(names) - 1], " ".join(values[len(names) - 1 :])]
        rec = dict(zip(names, values, strict=False))
        if tag in ("#A", "#P"):
            key = rec["key"]
            first = actors[key][2] if key in actors and tag == "#A" else None
            if tag == "#P" and key in issues:
                first = issues[key].line
            if first is not None:
                kind = "actor" if tag == "#A" else "issue"
                raise FormatError(f"{kind} '{key}' declared twice (first on line {first})",
                                  path=path, row=line, field="key")  # fmt: skip
            if tag == "#A":
                actors[key] = (rec.get("name") or key, rec.get("comment", ""), line)
            else:
                issues[key] = _Issue(key, rec.get("name") or key, rec.get("description", ""), line)
        elif tag == "#M":
            _require(rec["issue"], issues, "issue", path, line)
            position = finite_number(rec["position"], path, line, "position")
            issues[rec["issue"]].marks.append((position, rec.get("meaning", "")))
        else:
            _require(rec["actor"], actors, "actor", path, line)
            _require(rec["issue"], issues, "issue", path, line)
            pair = (rec["actor"], rec["issue"])
            if pair in cells:
                raise FormatError(
                    f"second #D row for actor '{pair[0]}' on issue '{pair[1]}' (first on line "
                    f"{cells[pair][3]})", path=path, row=line,
                )  # fmt: skip
            pos = finite_number(rec["position"], path, line, "position")
            sal = finite_number(rec["salience"], path, line, "salience")
            power = finite_number(rec["power"], path, line, "power")
            for name, value in (("salience", sal), ("power", power)):
                if not 0.0 <= value <= 1.0:
                    raise FormatError(
                        f"{name} {value:g} is outside [0, 1]", path=path, row=line, field=name
                    )
            cells[pair] = (pos, sal, power, line)
    if not actors or not issues:
        raise FormatError(
            "the file declares no " + ("actors (#A)" if not actors else "issues (#P)"), path=path
        )
    scales: dict[str, tuple[float, float]] = {}
    for key, issue in issues.items():
        marks = [p for p, _ in issue.marks]
        lo, hi = (min(marks), max(marks)) if marks else (0.0, 100.0)
        if not lo < hi:
            raise FormatError(
                f"issue '{key}': its #M rows give no range ({lo:g} to {hi:g})",
                path=path,
                row=issue.line,
                field="position",
            )
        scales[key] = (lo, hi)
    for (code, issue_key), (pos, _, _, line) in cells.items():
        lo, hi = scales[issue_key]
        if not lo <= pos <= hi:
            raise FormatError(
                f"position {pos:g} of actor '{code}' on issue '{issue_key}' is outside the scale "
                f"[{lo:g}, {hi:g}]", path=path, row=line, field="position",
            )  # fmt: skip
    for key, (_, _, line) in actors.items():
        if not any(a == key for a, _ in cells):
            raise FormatError(f"actor '{key}' has no #D row", path=path, row=line, field="key")
    data: dict[str, Any] = {
        "title": Path(str(path)).stem,
        "description": f"Imported from the Decide file {Path(str(path)).name}.",
        "issues": [
            {
                "name": key,
                "lo": scales[key][0],
                "hi": scales[key][1],
                **(
                    {"description": i.description or i.name}
                    if (i.description or i.name != key)
                    else {}
                ),
                "anchors": [{"position": p, "meaning": m} for p, m in i.marks if m],
            }
            for key, i in issues.items()
        ],
        "actors": [],
    }
    actor_rows: list[int] = []
    for key, (name, comment, line) in actors.items():
        mine = {q: v for (a, q), v in cells.items() if a == key}
        powers = {q: v[2] for q, v in mine.items()}
        base = max(powers.values(), key=list(powers.values()).count)
        actor: dict[str, Any] = {
            "name": name,
            "code": key,
            "capability": base,
            "positions": {q: v[0] for q, v in mine.items()},
            "salience": {q: v[1] for q, v in mine.items()},
        }
        varying = {q: p for q, p in powers.items() if p != base}
        if varying:
            actor["capabilities"] = varying
        if comment:
            actor["note"] = comment
        data["actors"].append(actor)
        actor_rows.append(line)

    def locate(loc: tuple[int | str, ...]) -> str | None:
        if len(loc) >= 2 and loc[0] == "actors" and isinstance(loc[1], int):
            return f"line {actor_rows[loc[1]]}"
        return None

    with scenario_errors(path, locate, data=data):
        return Scenario.model_validate(data)


def read_decide(path: str | Path) -> Scenario:
    """Read a Decide input file from ``path``."""
    return load_decide(Path(path).read_text(encoding="utf-8-sig"), path)
