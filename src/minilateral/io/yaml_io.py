"""The native YAML scenario format: read with line-accurate errors, write back losslessly.

The format is documented in ``docs/scenario-format.md``; ``minilateral scenarios new FILE``
writes a commented template (:data:`TEMPLATE`).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from minilateral.errors import FormatError
from minilateral.io.validation import scenario_errors
from minilateral.scenario import Scenario

__all__ = [
    "MAX_DEPTH",
    "TEMPLATE",
    "dump_yaml",
    "load_yaml",
    "node_line",
    "parse_yaml",
    "read_yaml",
    "write_yaml",
]


def node_line(root: yaml.Node | None, loc: tuple[int | str, ...]) -> str | None:
    """``line N`` of the deepest YAML node (key, for mappings) found along ``loc``."""
    node = root
    line = None if root is None else root.start_mark.line + 1
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            pair = next(((k, v) for k, v in node.value if k.value == str(part)), None)
            if pair is None:
                break
            line, node = pair[0].start_mark.line + 1, pair[1]
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
            if part >= len(node.value):
                break
            node = node.value[part]
            line = node.start_mark.line + 1
        else:
            break
    return None if line is None else f"line {line}"


MAX_DEPTH = 64
"""Deepest nesting of mappings and sequences accepted in a YAML file (a scenario needs 5)."""


class _ScenarioLoader(yaml.SafeLoader):
    """PyYAML's safe loader without aliases, with a nesting limit and no duplicate keys.

    Aliases (``*name``) are refused outright: a scenario never needs them, and expanding them is
    how a few hundred bytes become gigabytes (the "billion laughs" bomb). Nesting deeper than
    :data:`MAX_DEPTH` is refused before it can exhaust the recursion limit. A key given twice in
    one mapping is an error naming both lines (PyYAML would silently keep the last one). An
    impossible date (``2025-13-45``) is an error at its line instead of a bare ``ValueError``.
    """

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.composer.ComposerError(
                None,
                None,
                f"aliases (*{event.anchor}) are not allowed in a scenario file; "
                "write the value out",
                event.start_mark,
            )
        if self.check_event(yaml.MappingStartEvent, yaml.SequenceStartEvent):
            self._depth += 1
            if self._depth > MAX_DEPTH:
                raise yaml.composer.ComposerError(
                    None,
                    None,
                    f"nested more than {MAX_DEPTH} levels deep",
                    self.peek_event().start_mark,
                )
            try:
                return super().compose_node(parent, index)
            finally:
                self._depth -= 1
        return super().compose_node(parent, index)

    def construct_mapping(self, node: Any, deep: bool = False) -> Any:
        if isinstance(node, yaml.MappingNode):
            first: dict[Any, int] = {}
            for key_node, _ in node.value:
                if not isinstance(key_node, yaml.ScalarNode):
                    continue
                key = (key_node.tag, key_node.value)
                line = key_node.start_mark.line + 1
                if key in first:
                    raise yaml.constructor.ConstructorError(
                        None,
                        None,
                        f"duplicate key '{key_node.value}' (first given at line {first[key]}, "
                        f"again at line {line})",
                        key_node.start_mark,
                    )
                first[key] = line
        return super().construct_mapping(node, deep=deep)

    def construct_yaml_timestamp(self, node: Any) -> Any:
        try:
            return super().construct_yaml_timestamp(node)
        except ValueError as err:
            raise yaml.constructor.ConstructorError(
                None, None, f"'{node.value}' is not a valid date ({err})", node.start_mark
            ) from None


_ScenarioLoader.add_constructor(
    "tag:yaml.org,2002:timestamp", _ScenarioLoader.construct_yaml_timestamp
)
# YAML 1.2 reads ``1e5`` and ``2E-3`` as numbers; PyYAML (YAML 1.1) as text without a dot.
_ScenarioLoader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^[-+]?(?:[0-9][0-9_]*)(?:\.[0-9_]*)?[eE][-+]?[0-9]+$"),
    list("-+0123456789"),
)


def parse_yaml(text: str, path: str | Path | None = None) -> tuple[Any, yaml.Node | None]:
    """The data of a YAML text and its node tree (for line numbers of later errors).

    A syntax error, an alias, nesting deeper than :data:`MAX_DEPTH`, a duplicate key or an
    impossible date becomes a :class:`FormatError` naming the file and line.
    """
    loader = None
    try:
        loader = _ScenarioLoader(text)
        root = loader.get_single_node()
        data = None if root is None else loader.construct_document(root)
        return data, root
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        raise FormatError(
            f"not valid YAML: {getattr(err, 'problem', None) or err}",
            path=path,
            row=None if mark is None else mark.line + 1,
        ) from err
    finally:
        if loader is not None:
            loader.dispose()


def load_yaml(text: str, path: str | Path | None = None) -> Scenario:
    """Parse and validate a YAML scenario given as text."""
    data, root = parse_yaml(text, path)
    if not isinstance(data, dict):
        raise FormatError(
            "a scenario file must be a YAML mapping (title:, issues:, actors:)", path=path
        )
    with scenario_errors(path, lambda loc: node_line(root, loc), data=data):
        return Scenario.model_validate(data)


def read_yaml(path: str | Path) -> Scenario:
    """Read a YAML scenario file."""
    return load_yaml(Path(path).read_text(encoding="utf-8"), path)


def dump_yaml(scenario: Scenario) -> str:
    """The scenario as YAML; ``load_yaml(dump_yaml(s)) == s``."""
    return yaml.safe_dump(scenario.canonical_dict(), sort_keys=False, allow_unicode=True, width=100)


def write_yaml(scenario: Scenario, path: str | Path) -> None:
    """Write the scenario to a YAML file."""
    Path(path).write_text(dump_yaml(scenario), encoding="utf-8")


TEMPLATE = """\
# minilateral scenario — fill in, then run:  minilateral validate THIS_FILE
#
# Positions, saliences and capabilities are analyst judgements: give the reason for each
# actor's numbers in its `note`, citing the `sources` by id.
title: My negotiation            # required
date: 2026-01-01                 # date the judgements refer to
description: >
  One paragraph: what is being negotiated, by whom, and what the scales mean.
sources:                         # citations behind the numbers
  - id: S1
    citation: "Author (year). Title. Publisher."
    url: https://example.org/report
issues:                          # 1 or more issues, each on its own scale
  - name: settlement             # short identifier, used in the actors' positions
    lo: 0                        # scale ends (any units, lo < hi)
    hi: 100
    lo_label: No agreement       # what the low end means
    hi_label: Full agreement     # what the high end means
    reference: 20                # optional status quo / reversion point
actors:                          # 1 or more actors
  - name: Party A
    code: AAA                    # optional ISO3 or COW code
    kind: state                  # state | non-state | IGO | faction
    role: party                  # party | stakeholder | mediator
    capability: 60               # >= 0, any scale (only ratios matter)
    positions: {settlement: 30}  # per issue, inside the issue's scale; omit an issue the
    salience: {settlement: 0.9}  #   actor takes no part in (not zero!); salience in [0, 1]
    note: Why these numbers (S1).
  - name: Party B
    kind: non-state
    role: party
    capability: 40
    positions: {settlement: 80}
    salience: {settlement: 0.7}
    note: Why these numbers (S1).
candidate_mediators: [TUR, QAT, EGY]   # actor names or state codes
"""
