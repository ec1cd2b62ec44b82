"""The scenario editor's table (actors × issues) as form fields, and back to a Scenario.

Field names: ``title``, ``description``, ``issue-Q-name|lo|hi|lo_label|hi_label``,
``actor-I-name|capability``, ``pos-I-Q`` and ``sal-I-Q`` (a cell left empty means the actor
takes no part in the issue). Validation problems are attached to the field they concern, so
the page shows each message next to its cell; the editor's own messages are in the page's
language (``gettext``), decimal commas are accepted (``0,5``) as Turkish analysts type them.

The editor checks only what the form itself knows (a required field, a number that does not
parse); every rule of the scenario is the scenario model's (:mod:`minilateral.scenario`), whose
located problems (:func:`minilateral.io.validation.located_problems`) are mapped to fields by
their ``loc``, and worded in the page's language where the rule is known by its code.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from minilateral.io.validation import Problem, format_loc, located_problems, stand_in_zero
from minilateral.scenario import Scenario

__all__ = ["EditorActor", "EditorIssue", "EditorState", "apply_action", "build", "from_form"]

_ISSUE_FIELDS = ("name", "lo", "hi", "lo_label", "hi_label")
_MAX_ROWS = 200


@dataclass
class EditorIssue:
    """One issue column as typed."""

    name: str = ""
    lo: str = "0"
    hi: str = "100"
    lo_label: str = ""
    hi_label: str = ""


@dataclass
class EditorActor:
    """One actor row as typed: name, capability and (position, salience) per issue."""

    name: str = ""
    capability: str = ""
    cells: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class EditorState:
    """Everything the editor form holds, plus the problems found in it."""

    name: str = ""
    visibility: str = "private"
    title: str = ""
    description: str = ""
    issues: list[EditorIssue] = field(default_factory=list)
    actors: list[EditorActor] = field(default_factory=list)
    errors: dict[str, str] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    @classmethod
    def blank(cls) -> EditorState:
        """A new scenario: one issue, three empty actor rows."""
        state = cls(issues=[EditorIssue()])
        state.actors = [EditorActor(cells=[("", "")]) for _ in range(3)]
        return state

    @classmethod
    def of(cls, scenario: Scenario, *, name: str, visibility: str) -> EditorState:
        """The editor filled with ``scenario``."""
        issues = [
            EditorIssue(i.name, f"{i.lo:g}", f"{i.hi:g}", i.lo_label or "", i.hi_label or "")
            for i in scenario.issues
        ]
        actors = [
            EditorActor(
                a.name,
                f"{a.capability:g}",
                [
                    (f"{a.positions[i.name]:g}", f"{a.salience[i.name]:g}")
                    if i.name in a.positions
                    else ("", "")
                    for i in scenario.issues
                ],
            )
            for a in scenario.actors
        ]
        return cls(name, visibility, scenario.title, scenario.description or "", issues, actors)


def _count(form: Mapping[str, str], key: str) -> int:
    try:
        return max(0, min(_MAX_ROWS, int(form.get(key, "0"))))
    except ValueError:
        return 0


def from_form(form: Mapping[str, str]) -> EditorState:
    """The editor state posted by the form."""
    n_issues, n_actors = _count(form, "n_issues"), _count(form, "n_actors")
    get = lambda key: str(form.get(key, "")).strip()  # noqa: E731
    issues = [EditorIssue(*(get(f"issue-{q}-{f}") for f in _ISSUE_FIELDS)) for q in range(n_issues)]
    actors = [
        EditorActor(
            get(f"actor-{i}-name"),
            get(f"actor-{i}-capability"),
            [(get(f"pos-{i}-{q}"), get(f"sal-{i}-{q}")) for q in range(n_issues)],
        )
        for i in range(n_actors)
    ]
    visibility = get("visibility")
    return EditorState(
        name=get("name"),
        visibility=visibility if visibility in ("private", "shared", "public") else "private",
        title=get("title"),
        description=get("description"),
        issues=issues,
        actors=actors,
    )


def apply_action(state: EditorState, action: str) -> EditorState:
    """Add or remove a row or column: ``add_actor``, ``add_issue``, ``remove_actor-I``,
    ``remove_issue-Q``; other actions leave the table as it is."""
    if action == "add_actor" and len(state.actors) < _MAX_ROWS:
        state.actors.append(EditorActor(cells=[("", "")] * len(state.issues)))
    elif action == "add_issue" and len(state.issues) < _MAX_ROWS:
        state.issues.append(EditorIssue())
        for actor in state.actors:
            actor.cells.append(("", ""))
    elif action.startswith("remove_actor-"):
        index = _index(action, len(state.actors))
        if index is not None:
            del state.actors[index]
    elif action.startswith("remove_issue-"):
        index = _index(action, len(state.issues))
        if index is not None and len(state.issues) > 1:
            del state.issues[index]
            for actor in state.actors:
                del actor.cells[index]
    return state


def _index(action: str, size: int) -> int | None:
    try:
        index = int(action.rsplit("-", 1)[1])
    except ValueError:
        return None
    return index if 0 <= index < size else None


def _number(
    state: EditorState,
    key: str,
    text: str,
    *,
    required: bool = True,
    gettext: Callable[[str], str] = str,
) -> float | None:
    if not text:
        if required:
            state.errors[key] = gettext("required")
        return None
    try:
        value = float(text.replace(",", ".") if text.count(",") == 1 and "." not in text else text)
    except ValueError:
        state.errors[key] = gettext("'%(text)s' is not a number") % {"text": text}
        return None
    if not math.isfinite(value):
        state.errors[key] = gettext("must be a finite number")
        return None
    return value


def build(
    state: EditorState,
    base: Mapping[str, Any] | None = None,
    *,
    gettext: Callable[[str], str] = str,
) -> Scenario | None:
    """The scenario the form describes, or ``None`` with ``state.errors``/``problems`` filled.

    Fields the table does not show (sources, date, anchors, actor kind, role, notes, per-issue
    capabilities) are kept from ``base``, the version being edited, by issue and actor name.
    ``gettext`` translates the editor's own messages and the scenario rules it knows by code
    (other validation messages of the scenario model stay as written). A number of an actor's
    row that does not parse stands in as 0 while the scenario's rules run, so that their
    problems elsewhere show in the same pass; problems on a field the form already flagged are
    dropped (the form's message explains them).
    """
    _ = gettext
    state.errors, state.problems = {}, []
    if not state.name:
        state.errors["name"] = _("required")
    base = base or {}
    base_issues = {i["name"]: i for i in base.get("issues", [])}
    base_actors = {a["name"]: a for a in base.get("actors", [])}
    columns = [q for q, issue in enumerate(state.issues) if issue.name or _used(state, q)]
    rows = [i for i, actor in enumerate(state.actors) if actor.name or any(map(any, actor.cells))]
    issues = []
    for q in columns:
        typed = state.issues[q]
        issue: dict[str, Any] = {
            k: v for k, v in base_issues.get(typed.name, {}).items() if k not in _ISSUE_FIELDS
        }
        issue["name"] = typed.name
        issue["lo"] = _number(state, f"issue-{q}-lo", typed.lo, gettext=_)
        issue["hi"] = _number(state, f"issue-{q}-hi", typed.hi, gettext=_)
        if typed.lo_label:
            issue["lo_label"] = typed.lo_label
        if typed.hi_label:
            issue["hi_label"] = typed.hi_label
        issues.append(issue)
    names = [state.issues[q].name for q in columns]
    actors = []
    for i in rows:
        typed_actor = state.actors[i]
        kept = base_actors.get(typed_actor.name, {})
        actor: dict[str, Any] = {
            k: v
            for k, v in kept.items()
            if k not in ("name", "capability", "positions", "salience")
        }
        actor["name"] = typed_actor.name
        actor["capability"] = _stand_in(
            _number(state, f"actor-{i}-capability", typed_actor.capability, gettext=_)
        )
        positions, salience = {}, {}
        for q in columns:
            # A half-filled cell goes to the scenario as it is: its rule reports the empty half.
            pos, sal = typed_actor.cells[q]
            name = state.issues[q].name
            if pos:
                positions[name] = _stand_in(_number(state, f"pos-{i}-{q}", pos, gettext=_))
            if sal:
                salience[name] = _stand_in(_number(state, f"sal-{i}-{q}", sal, gettext=_))
        actor["positions"], actor["salience"] = positions, salience
        if "capabilities" in actor:
            actor["capabilities"] = {k: v for k, v in actor["capabilities"].items() if k in names}
        actors.append(actor)
    flagged = set(state.errors)
    if any(key.startswith("issue-") for key in flagged):
        return None  # the scales themselves are unknown: the actors' rules cannot run yet
    data: dict[str, Any] = {
        k: v for k, v in base.items() if k in ("date", "sources", "candidate_mediators")
    }
    data.update(title=state.title, issues=issues, actors=actors)
    if state.description:
        data["description"] = state.description
    # A problem inside an actor stops the scenario's cross-field rules (pydantic runs them only
    # on valid actors): the flagged numbers stand in as 0 and the rules run again, so that every
    # problem shows in one pass.
    for _attempt in range(_PASSES):
        try:
            scenario = Scenario.model_validate(data)
        except ValidationError as err:
            stood_in, seen = False, set()
            for problem in located_problems(err):
                key = _attach(state, problem, columns, rows, skip=flagged, gettext=_)
                seen.add(key)
                stood_in = stand_in_zero(data, problem.loc) or stood_in
            flagged |= {key for key in seen if key is not None}  # reported once
            if not stood_in:
                return None
        else:
            return None if state.errors else scenario
    return None


_PASSES = 4  # validations of one form at most (each stands in at least one more number)


def _stand_in(value: float | None) -> float:
    """The typed number, or 0 where it did not parse (its field is flagged already)."""
    return 0.0 if value is None else value


def _used(state: EditorState, q: int) -> bool:
    return any(any(actor.cells[q]) for actor in state.actors)


def _attach(
    state: EditorState,
    problem: Problem,
    columns: list[int],
    rows: list[int],
    *,
    skip: set[str] | frozenset[str] = frozenset(),
    gettext: Callable[[str], str] = str,
) -> str | None:
    """Put one located problem on the field its ``loc`` names (or in the general list).

    Problems on a field in ``skip`` (flagged already) are dropped. Returns the field's key.
    """
    loc, msg = problem.loc, problem.message
    issue_col = {state.issues[q].name: q for q in columns}
    key: str | None = None
    if loc == ("title",):
        key = "title"
    elif len(loc) >= 2 and loc[0] == "issues" and isinstance(loc[1], int):
        q = columns[loc[1]]
        field_name = loc[2] if len(loc) > 2 and loc[2] in _ISSUE_FIELDS else "hi"
        key = f"issue-{q}-{field_name}"
    elif len(loc) >= 2 and loc[0] == "actors" and isinstance(loc[1], int):
        i = rows[loc[1]]
        part = loc[2] if len(loc) > 2 else None
        if part in ("positions", "salience") and len(loc) > 3 and loc[3] in issue_col:
            prefix = "pos" if part == "positions" else "sal"
            key = f"{prefix}-{i}-{issue_col[str(loc[3])]}"
        elif part in ("name", "capability"):
            key = f"actor-{i}-{part}"
        else:
            key = f"actor-{i}-name"
    if key in skip:
        return key
    msg = _worded(problem, gettext) or msg
    if key is not None and key not in state.errors:
        state.errors[key] = msg
    else:
        where = format_loc(loc)
        text = f"{where}: {msg}" if where else msg
        if text not in state.problems:
            state.problems.append(text)
    return key


def _worded(problem: Problem, gettext: Callable[[str], str]) -> str | None:
    """The page-language wording of a scenario rule known by its code (None: keep the text)."""
    _ = gettext
    if problem.code == "outside_scale":
        return _("outside the scale [%(lo)s, %(hi)s]") % {
            "lo": f"{problem.context['lo']:g}",
            "hi": f"{problem.context['hi']:g}",
        }
    if problem.code == "salience_range":
        return _("salience must lie in [0, 1]")
    if problem.code == "cell_incomplete":
        return _("enter both position and salience, or neither")
    if problem.code == "greater_than_equal" and problem.loc[-1:] == ("capability",):
        return _("capability must be >= 0")
    return None
