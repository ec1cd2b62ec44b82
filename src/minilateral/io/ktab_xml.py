"""KTAB's XML scenario format (``smpc --xml``): read and write.

The file carries the scenario, KTAB's nine model options (``ModelParameters``, optional), the
seed (``prngSeed``) and the accommodation matrix (``IdealAdjustment``). These go into the
scenario's ``model_options["smp"]``; options given on the command line override them.

Unlike KTAB, the reader accepts the schema's spellings ``Proportional`` and ``No``, treats a missing
``IdealAdjustment`` as A = I, accepts any capability in (0, 1e8), finds elements by name (not
order), and rejects an empty element with the element's and the actor's names. Rules and limits:
``docs/scenario-format.md#ktabs-scales-and-limits``; options:
``docs/scenario-format.md#ktabs-options``.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.parsers import expat

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring as defused_fromstring

from minilateral.errors import FormatError
from minilateral.io._ktab import (
    KtabActor,
    canonical_option,
    check_actor,
    identity_pairs,
    ktab_table,
    parse_number,
    to_scenario,
)
from minilateral.ktab import (
    KTAB_DEFAULT_SEED,
    NAME_ALIASES,
    SMP_DEFAULTS,
    SMP_OPTIONS,
    canonical_options,
)
from minilateral.scenario import Scenario

__all__ = ["dump_ktab_xml", "load_ktab_xml", "looks_like_ktab_xml", "write_ktab_xml"]

_OPTION_ELEMENTS = {**{name: name for name in SMP_OPTIONS}, **NAME_ALIASES}


@dataclass
class _Node:
    tag: str
    line: int
    text: str = ""
    children: list[_Node] = field(default_factory=list)

    def all(self, tag: str) -> list[_Node]:
        return [c for c in self.children if c.tag == tag]

    def find(self, tag: str) -> _Node | None:
        found = self.all(tag)
        return found[0] if found else None


def _refuse_entities(text: str, path: str | Path) -> None:
    """Refuse entity declarations and external references with defusedxml.

    A KTAB scenario needs neither; a few kilobytes of nested entities ("billion laughs") would
    otherwise expand to gigabytes. Malformed XML is left to :func:`_parse`, which locates it.
    """
    try:
        defused_fromstring(text)
    except DefusedXmlException as err:
        name = getattr(err, "name", None) or getattr(err, "sysid", None)
        raise FormatError(
            "XML entity declarations and external references are not allowed"
            + (f" (found '{name}')" if name else ""),
            path=path,
        ) from None
    except ET.ParseError:
        pass


def _parse(text: str, path: str | Path) -> _Node:
    """Parse XML into :class:`_Node` objects that remember their line numbers."""
    _refuse_entities(text, path)
    parser = expat.ParserCreate()
    root = _Node("", 0)
    stack = [root]

    def start(tag: str, _attrs: dict[str, str]) -> None:
        node = _Node(tag, parser.CurrentLineNumber)
        stack[-1].children.append(node)
        stack.append(node)

    def end(_tag: str) -> None:
        stack.pop()

    def chars(data: str) -> None:
        stack[-1].text += data

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = chars
    try:
        parser.Parse(text, True)
    except expat.ExpatError as err:
        raise FormatError(
            f"not well-formed XML: {expat.errors.messages[err.code]}", path=path, row=err.lineno
        ) from None
    if not root.children:
        raise FormatError("the file holds no XML element", path=path)
    return root.children[0]


def looks_like_ktab_xml(text: str) -> bool:
    """Content sniffing: an XML document whose root element is ``Scenario``."""
    head = text.lstrip()[:400]
    return head.startswith("<") and "<Scenario" in head


def _required(node: _Node, tag: str, path: str | Path, where: str) -> _Node:
    found = node.find(tag)
    if found is None:
        raise FormatError(
            f"{where}: element <{tag}> is missing", path=path, row=node.line, field=tag
        )
    return found


def _text(node: _Node, path: str | Path, where: str, *, allow_empty: bool = False) -> str:
    value = node.text.strip()
    if not value and not allow_empty:
        raise FormatError(
            f"{where}: element <{node.tag}> is empty", path=path, row=node.line, field=node.tag
        )
    return value


def load_ktab_xml(text: str, path: str | Path = "<string>") -> Scenario:
    """Parse a KTAB XML scenario given as text; errors name the file, line and element."""
    root = _parse(text, path)
    if root.tag != "Scenario":
        what = (
            "an XML schema (XSD), not a scenario"
            if root.tag.endswith("schema")
            else (f"root element <{root.tag}>")
        )
        raise FormatError(
            f"not a KTAB SMP scenario: {what}; a scenario's root element is <Scenario>",
            path=path,
            row=root.line,
        )
    name_node = root.find("name")
    desc_node = root.find("desc")
    title = "" if name_node is None else _text(name_node, path, "scenario", allow_empty=True)
    desc = "" if desc_node is None else _text(desc_node, path, "scenario", allow_empty=True)
    options: dict[str, Any] = {}
    seed_node = root.find("prngSeed")
    if seed_node is not None:
        seed_text = _text(seed_node, path, "scenario")
        if not seed_text.isdigit() or int(seed_text) >= 2**64:
            raise FormatError(
                f"prngSeed '{seed_text}' is not an unsigned 64-bit integer",
                path=path,
                row=seed_node.line,
                field="prngSeed",
            )
        options["seed"] = int(seed_text)
    params = root.find("ModelParameters")
    if params is not None:
        given = {_OPTION_ELEMENTS[c.tag]: c for c in params.children if c.tag in _OPTION_ELEMENTS}
        for child in params.children:
            if child.tag not in _OPTION_ELEMENTS:
                raise FormatError(
                    f"unknown model parameter <{child.tag}> (parameters: {', '.join(SMP_OPTIONS)})",
                    path=path,
                    row=child.line,
                    field=child.tag,
                )
        missing = [name for name in SMP_OPTIONS if name not in given]
        if missing:
            raise FormatError(
                f"<ModelParameters> must hold all nine options; missing: {', '.join(missing)}",
                path=path,
                row=params.line,
                field="ModelParameters",
            )
        for name, node in given.items():
            options[name] = canonical_option(
                name, _text(node, path, "ModelParameters"), path, node.line
            )
    dims_node = _required(root, "Dimensions", path, "scenario")
    dims = [_text(n, path, "Dimensions") for n in dims_node.all("dName")]
    if not dims:
        raise FormatError(
            "<Dimensions> holds no <dName>", path=path, row=dims_node.line, field="Dimensions"
        )
    actors_node = _required(root, "Actors", path, "scenario")
    actors = [_actor(node, k, len(dims), path) for k, node in enumerate(actors_node.all("Actor"))]
    if len(actors) < 3:
        raise FormatError(
            f"{len(actors)} actor(s): KTAB needs at least 3",
            path=path,
            row=actors_node.line,
            field="Actors",
        )
    pairs = root.find("IdealAdjustment")
    if pairs is not None:
        entries = _accommodation(pairs, [a.name for a in actors], path)
        if entries:
            options["accommodation"] = entries
    return to_scenario(path, title, desc, dims, actors, options)


def _actor(node: _Node, k: int, dims: int, path: str | Path) -> KtabActor:
    where = f"actor {k + 1}"
    name = _text(_required(node, "name", path, where), path, where)
    where = f"actor '{name}'"
    desc_node = node.find("description")
    desc = "" if desc_node is None else _text(desc_node, path, where, allow_empty=True)
    cap_node = _required(node, "capability", path, where)
    values: dict[str, list[float]] = {}
    for group, item in (("Position", "dCoord"), ("Salience", "dSal")):
        group_node = _required(node, group, path, where)
        items = group_node.all(item)
        if len(items) != dims:
            raise FormatError(
                f"{where}: <{group}> holds {len(items)} <{item}>; <Dimensions> has {dims}",
                path=path,
                row=group_node.line,
                field=group,
            )
        values[group] = [
            parse_number(_text(i, path, where), path, i.line, f"{item} {d + 1}")
            for d, i in enumerate(items)
        ]
    actor = KtabActor(
        name=name,
        description=desc,
        capability=parse_number(_text(cap_node, path, where), path, cap_node.line, "capability"),
        positions=values["Position"],
        saliences=values["Salience"],
        line=node.line,
    )
    check_actor(actor, path, where)
    return actor


def _accommodation(node: _Node, names: list[str], path: str | Path) -> list[list[Any]]:
    """``[adjusting, reference, value]`` entries, checked against [0, 1] and row sums ≤ 1."""
    entries: list[list[Any]] = []
    matrix: dict[tuple[str, str], float] = {(n, n): 1.0 for n in names}  # A starts as I
    last_line: dict[str, int] = {}
    for pair in node.all("iaPair"):
        where = "iaPair"
        who = _text(_required(pair, "adjustingIdeal", path, where), path, where)
        ref = _text(_required(pair, "referencePos", path, where), path, where)
        value_node = _required(pair, "adjust", path, where)
        value = parse_number(_text(value_node, path, where), path, value_node.line, "adjust")
        for label, actor in (("adjustingIdeal", who), ("referencePos", ref)):
            if actor not in names:
                raise FormatError(
                    f"{label} names unknown actor '{actor}'", path=path, row=pair.line, field=label
                )
        if not 0.0 <= value <= 1.0:
            raise FormatError(
                f"adjust {value:g} for ({who}, {ref}) lies outside [0, 1]",
                path=path,
                row=value_node.line,
                field="adjust",
            )
        matrix[(who, ref)] = value
        last_line[who] = value_node.line
        entries.append([who, ref, value])
    for who, line in last_line.items():
        total = sum(v for (i, _), v in matrix.items() if i == who)
        if total > 1.0 + 1e-12:
            raise FormatError(
                f"the accommodation row of '{who}' sums to {total:g} > 1 (each row of A must "
                "sum to at most 1; an actor without a diagonal pair keeps A_ii = 1)",
                path=path,
                row=line,
                field="adjust",
            )
    return entries


def dump_ktab_xml(scenario: Scenario) -> str:
    """The scenario as KTAB XML, with its ``smp`` options, seed and accommodation matrix.

    Positions and saliences are mapped as the ``smp`` model maps them (``docs/models/smp.md``);
    options not stored take KTAB's defaults; a scenario without an accommodation matrix gets the
    identity's diagonal, since KTAB refuses a file without ``IdealAdjustment`` pairs.
    """
    t = ktab_table(scenario)
    stored = scenario.model_options.get("smp", {})
    coerced = {**SMP_DEFAULTS, **canonical_options(stored)}
    root = ET.Element("Scenario")
    ET.SubElement(root, "name").text = t.title
    ET.SubElement(root, "desc").text = t.description
    ET.SubElement(root, "prngSeed").text = str(int(stored.get("seed", KTAB_DEFAULT_SEED)))
    params = ET.SubElement(root, "ModelParameters")
    for name in SMP_OPTIONS:
        ET.SubElement(params, name).text = coerced[name]
    dims = ET.SubElement(root, "Dimensions")
    for dim in t.dims:
        ET.SubElement(dims, "dName").text = dim
    actors = ET.SubElement(root, "Actors")
    for k, name in enumerate(t.names):
        actor = ET.SubElement(actors, "Actor")
        ET.SubElement(actor, "name").text = name
        ET.SubElement(actor, "description").text = t.descriptions[k]
        ET.SubElement(actor, "capability").text = repr(t.capability[k])
        pos = ET.SubElement(actor, "Position")
        for x in t.positions[k]:
            ET.SubElement(pos, "dCoord").text = x
        sal = ET.SubElement(actor, "Salience")
        for s in t.saliences[k]:
            ET.SubElement(sal, "dSal").text = s
    entries = stored.get("accommodation") or identity_pairs(scenario.actor_names)
    adjust = ET.SubElement(root, "IdealAdjustment")
    for who, ref, value in entries:
        pair = ET.SubElement(adjust, "iaPair")
        ET.SubElement(pair, "adjustingIdeal").text = t.name_map[who]
        ET.SubElement(pair, "referencePos").text = t.name_map[ref]
        ET.SubElement(pair, "adjust").text = repr(float(value))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def write_ktab_xml(scenario: Scenario, path: str | Path) -> None:
    """Write :func:`dump_ktab_xml` to ``path``."""
    Path(path).write_text(dump_ktab_xml(scenario), encoding="utf-8")
