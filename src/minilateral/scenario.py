"""The validated scenario: issues, actors and their stances.

A scenario is what an analyst writes down about a negotiation: the issues on the table (each on its
own scale with labelled ends), the actors (capability, and per issue a position and a salience) and
the sources behind the numbers. Conventions
(``docs/scenario-format.md#conventions-shared-by-every-model``): a missing actor–issue cell means
the actor takes no part in that issue, salience is on [0, 1] and capability is any non-negative
number.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, Any, Literal

import numpy as np
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic.json_schema import JsonDict

from minilateral.errors import ScenarioFieldError

if TYPE_CHECKING:
    from minilateral.arrays import ScenarioArrays

__all__ = [
    "Actor",
    "ActorKind",
    "ActorRole",
    "Anchor",
    "FieldNoise",
    "Issue",
    "IssueText",
    "Mediation",
    "MemberTerms",
    "Noise",
    "PartyTerms",
    "Proposal",
    "ProposalText",
    "Scenario",
    "Source",
    "Translation",
    "Uncertainty",
]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _strict_number(value: Any) -> Any:
    """A number where one is meant: no ``true``/``false``, no text, no NaN or infinity.

    YAML reads ``true`` as a boolean, which pydantic would take as 1.0, and ``.nan`` as a float
    that fails every range check with a misleading message; both are refused here by name.
    """
    if isinstance(value, bool):
        raise ValueError(f"expected a number, got the boolean {str(value).lower()}")
    if isinstance(value, str):
        try:
            float(value)
        except ValueError:
            raise ValueError(f"'{value[:40]}' is not a valid number") from None
        raise ValueError(f"the number '{value[:40]}' is written as text (remove the quotes)")
    if isinstance(value, int):
        try:
            value = float(value)
        except OverflowError:
            raise ValueError("the number is too large") from None
    if isinstance(value, float) and not math.isfinite(value):
        name = "NaN (not a number)" if math.isnan(value) else "infinite"
        raise ValueError(f"the value is {name}; a finite number is required")
    return value


Number = Annotated[float, BeforeValidator(_strict_number)]
"""A finite float given as a number (see :func:`_strict_number`)."""


def _not_boolean(value: Any) -> Any:
    if isinstance(value, bool):
        raise ValueError(f"expected a number, got the boolean {str(value).lower()}")
    return value


Spread = Annotated[float, BeforeValidator(_not_boolean)]
# What the validators below enforce, stated in the JSON Schema too (the web API's OpenAPI
# schema; validation and its messages stay with the validators).
_SCHEMA_UNIT: JsonDict = {"type": "number", "minimum": 0, "maximum": 1}
_SCHEMA_NON_NEGATIVE: JsonDict = {"type": "number", "minimum": 0}
"""A noise parameter: a number or its text (``--noise positions=normal:0.1``), never a boolean."""


class ActorKind(StrEnum):
    """What sort of actor this is."""

    STATE = "state"
    NON_STATE = "non-state"
    IGO = "IGO"
    FACTION = "faction"


class ActorRole(StrEnum):
    """The actor's relation to the conflict: a party to it, a stakeholder or a mediator."""

    PARTY = "party"
    STAKEHOLDER = "stakeholder"
    MEDIATOR = "mediator"


class Source(_Strict):
    """A citation behind the scenario's facts.

    ``id`` is the short key used in actor notes (e.g. ``G7`` in ``theatres.md``).
    """

    id: str | None = None
    citation: str
    url: str | None = None
    reliability: Literal["A", "B", "C", "D", "E", "F"] | None = None
    credibility: int | None = Field(default=None, ge=1, le=6, strict=True)
    secondary: bool = False

    @property
    def grade(self) -> str | None:
        """The source's grade in the NATO/Admiralty system, e.g. ``"B2"`` (None if ungraded).

        ``reliability`` grades the source (A completely reliable … E unreliable, F cannot be
        judged); ``credibility`` grades the information (1 confirmed by other sources … 5
        improbable, 6 cannot be judged). ``secondary`` marks a copy of another outlet's report
        (a reprint or aggregation), listed apart from original reporting.
        """
        if self.reliability is None and self.credibility is None:
            return None
        return f"{self.reliability or 'F'}{self.credibility or 6}"


class Anchor(_Strict):
    """A labelled point of an issue scale (e.g. ``30 → "debt relief; half reform"``)."""

    position: Number
    meaning: str


class Issue(_Strict):
    """One issue: a named scale ``[lo, hi]`` with labelled ends.

    ``name`` is the key used in the file; ``label`` the human name shown to readers (falls back
    to :attr:`display_name`). ``reference`` is the status quo / reversion point (the outcome
    without agreement); ``outcome`` is an observed outcome, used for evaluation only and never
    by a model.
    """

    name: str = Field(min_length=1)
    label: str | None = None
    lo: Number = 0.0
    hi: Number = 100.0
    lo_label: str | None = None
    hi_label: str | None = None
    description: str | None = None
    reference: Number | None = None
    anchors: list[Anchor] = Field(default_factory=list)
    outcome: Number | None = None

    @model_validator(mode="after")
    def _check_scale(self) -> Issue:
        if not np.isfinite(self.lo) or not np.isfinite(self.hi) or not self.lo < self.hi:
            raise ValueError(f"scale must satisfy lo < hi, got lo={self.lo}, hi={self.hi}")
        for label, value in (("reference", self.reference), ("outcome", self.outcome)):
            if value is not None and not self.lo <= value <= self.hi:
                raise ValueError(f"{label} {value} lies outside the scale [{self.lo}, {self.hi}]")
        for k, anchor in enumerate(self.anchors):
            if not self.lo <= anchor.position <= self.hi:
                raise ScenarioFieldError(
                    ("anchors", k, "position"),
                    f"anchor {anchor.position:g} ('{anchor.meaning}') lies outside the scale "
                    f"[{self.lo:g}, {self.hi:g}]",
                )
        return self

    @property
    def display_name(self) -> str:
        """``label`` where given, else the name with underscores as spaces, first letter capital."""
        if self.label:
            return self.label
        text = self.name.replace("_", " ").replace("-", " ").strip()
        return text[:1].upper() + text[1:]


NoiseKind = Literal["none", "normal", "truncnormal", "uniform", "beta", "lognormal"]

# The parameter each distribution takes, and the distributions each field accepts.
_NOISE_PARAMETER = {
    "none": None,
    "normal": "sd",
    "truncnormal": "sd",
    "uniform": "half_width",
    "beta": "sd",
    "lognormal": "sigma",
}
_FIELD_KINDS = {
    "positions": ("none", "normal", "truncnormal", "uniform"),
    "salience": ("none", "normal", "truncnormal", "uniform", "beta"),
    "capability": ("none", "lognormal", "uniform"),
}


class Noise(_Strict):
    """One input distribution: its kind and its single spread parameter.

    ``sd`` (normal, truncnormal, beta) and ``half_width`` (uniform) are fractions of the issue
    scale for positions and absolute for salience; ``sigma`` (lognormal) and ``half_width``
    (uniform) are relative for capability. See ``docs/sweeps.md`` for the exact formulas.
    """

    dist: NoiseKind
    sd: Spread | None = Field(default=None, ge=0, allow_inf_nan=False)
    half_width: Spread | None = Field(default=None, ge=0, allow_inf_nan=False)
    sigma: Spread | None = Field(default=None, ge=0, allow_inf_nan=False)

    @model_validator(mode="after")
    def _one_parameter(self) -> Noise:
        wanted = _NOISE_PARAMETER[self.dist]
        given = [k for k in ("sd", "half_width", "sigma") if getattr(self, k) is not None]
        if wanted is None and given:
            raise ValueError(f"dist 'none' takes no parameter, got {', '.join(given)}")
        if wanted is not None and given != [wanted]:
            raise ValueError(f"dist '{self.dist}' takes exactly one parameter, '{wanted}'")
        return self

    @property
    def spread(self) -> float:
        """The value of the distribution's parameter (0 for ``none``)."""
        name = _NOISE_PARAMETER[self.dist]
        return 0.0 if name is None else float(getattr(self, name))


class FieldNoise(_Strict):
    """Noise of positions, salience and capability; a missing entry falls back a level."""

    positions: Noise | None = None
    salience: Noise | None = None
    capability: Noise | None = None

    @model_validator(mode="after")
    def _kinds_fit_fields(self) -> FieldNoise:
        for name, kinds in _FIELD_KINDS.items():
            noise = getattr(self, name)
            if noise is not None and noise.dist not in kinds:
                raise ScenarioFieldError(
                    (name, "dist"),
                    f"dist '{noise.dist}' is not available for {name} "
                    f"(choose from {', '.join(kinds)})",
                )
        cap = self.capability
        if cap is not None and cap.dist == "uniform" and cap.spread > 1:
            raise ScenarioFieldError(
                ("capability", "half_width"),
                f"uniform half_width {cap.spread} would make capability negative "
                "(it is relative and must be <= 1)",
            )
        return self


class Uncertainty(FieldNoise):
    """The ``uncertainty:`` block: input distributions for Monte Carlo sweeps.

    The top-level ``positions``, ``salience`` and ``capability`` apply to every cell; ``issues``
    (positions, salience), ``actors`` (all three) and ``cells`` (actor → issue → positions,
    salience) override them, the most specific entry winning: cell, then actor, then issue,
    then global, then the documented default (:data:`minilateral.montecarlo.perturb.DEFAULT_NOISE`).
    Capability noise is one factor per actor and draw, so it cannot be given per issue.
    """

    issues: dict[str, FieldNoise] = Field(default_factory=dict)
    actors: dict[str, FieldNoise] = Field(default_factory=dict)
    cells: dict[str, dict[str, FieldNoise]] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _no_per_issue_capability(self) -> Uncertainty:
        message = "capability noise is one factor per actor; give it globally or under actors"
        for issue, noise in self.issues.items():
            if noise.capability is not None:
                raise ScenarioFieldError(("issues", issue, "capability"), message)
        for actor, by_issue in self.cells.items():
            for issue, noise in by_issue.items():
                if noise.capability is not None:
                    raise ScenarioFieldError(("cells", actor, issue, "capability"), message)
        return self


class Actor(_Strict):
    """An actor and its stance on each issue it takes part in.

    ``positions`` and ``salience`` map issue names to a position on the issue's scale and a
    salience in [0, 1]; both must name the same issues. ``capabilities`` optionally overrides
    ``capability`` per issue.
    """

    name: str = Field(min_length=1)
    code: str | None = None
    kind: ActorKind = ActorKind.STATE
    role: ActorRole = ActorRole.STAKEHOLDER
    capability: Number = Field(ge=0)
    capabilities: dict[str, Number] = Field(
        default_factory=dict, json_schema_extra={"additionalProperties": _SCHEMA_NON_NEGATIVE}
    )
    positions: dict[str, Number]
    salience: dict[str, Number] = Field(json_schema_extra={"additionalProperties": _SCHEMA_UNIT})
    note: str | None = None

    @field_validator("salience")
    @classmethod
    def _salience_in_unit_interval(cls, value: dict[str, float]) -> dict[str, float]:
        ScenarioFieldError.raise_all(
            [
                ScenarioFieldError(
                    (issue,),
                    f"salience on issue '{issue}' is {s}, outside [0, 1]",
                    code="salience_range",
                )
                for issue, s in value.items()
                if not (np.isfinite(s) and 0.0 <= s <= 1.0)
            ]
        )
        return value

    @field_validator("capabilities")
    @classmethod
    def _capabilities_non_negative(cls, value: dict[str, float]) -> dict[str, float]:
        for issue, c in value.items():
            if not (np.isfinite(c) and c >= 0):
                raise ValueError(f"capability on issue '{issue}' is {c}; it must be >= 0")
        return value

    @field_validator("capability")
    @classmethod
    def _finite_capability(cls, value: float) -> float:
        if not np.isfinite(value):
            raise ValueError(f"capability must be finite, got {value}")
        return value

    @model_validator(mode="after")
    def _cells_complete(self) -> Actor:
        if not self.positions:
            raise ValueError(f"actor '{self.name}' has no position on any issue")
        # One located problem per half-filled cell (the editor marks the empty half).
        ScenarioFieldError.raise_all(
            [
                ScenarioFieldError(
                    (missing, issue),
                    f"actor '{self.name}' has a {present} but no {absent} on: {issue}",
                    code="cell_incomplete",
                )
                for missing, present, absent, issues in (
                    ("salience", "position", "salience", set(self.positions) - set(self.salience)),
                    ("positions", "salience", "position", set(self.salience) - set(self.positions)),
                )
                for issue in sorted(issues)
            ]
        )
        extra_cap = sorted(set(self.capabilities) - set(self.positions))
        if extra_cap:
            raise ValueError(
                f"actor '{self.name}' has a per-issue capability on issues it takes no part in: "
                f"{', '.join(extra_cap)}"
            )
        return self

    def capability_on(self, issue: str) -> float:
        """Capability on ``issue``: the per-issue override where given, else ``capability``."""
        return self.capabilities.get(issue, self.capability)


class IssueText(_Strict):
    """An issue's reader-facing text in one language (``translations:`` block)."""

    label: str | None = None
    lo_label: str | None = None
    hi_label: str | None = None
    description: str | None = None


class ProposalText(_Strict):
    """A named proposal's reader-facing text in one language (``translations:`` block)."""

    label: str | None = None
    description: str | None = None


class Translation(_Strict):
    """The scenario's reader-facing text in one language: the ``translations: {lang: ...}`` block.

    ``issues`` and ``actors`` are keyed by the issue and actor names of the scenario; ``actors``
    maps a name to its translation. Anything not given stays as written.
    """

    title: str | None = None
    description: str | None = None
    issues: dict[str, IssueText] = Field(default_factory=dict)
    actors: dict[str, str] = Field(default_factory=dict)
    proposals: dict[str, ProposalText] = Field(default_factory=dict)


class Scenario(_Strict):
    """A negotiation: issues × actors with positions, saliences and capabilities.

    ``date`` is when the scenario was written; ``as_of`` the date of the newest event it reflects
    (readers warn when it is old at the time of use). ``model_options`` (optional) stores
    options for particular models with the scenario, keyed by model name, in that model's own
    option names: e.g. ``smp`` holds KTAB's nine options, the
    accommodation matrix (``accommodation``: ``[adjusting actor, reference actor, value]``
    entries) and the seed read from a KTAB XML file. Options given to
    :func:`minilateral.forecast` (``--set`` on the command line) override them; the key ``seed``
    is the default seed of that model's runs.

    Examples
    --------
    >>> from minilateral import load_scenario
    >>> s = load_scenario("gaza")
    >>> s.issue_names[:1]
    ['security']
    """

    title: str = Field(min_length=1)
    date: dt.date | None = None
    as_of: dt.date | None = None
    description: str | None = None
    sources: list[Source] = Field(default_factory=list)
    issues: list[Issue] = Field(json_schema_extra={"minItems": 1})
    actors: list[Actor] = Field(json_schema_extra={"minItems": 1})
    candidate_mediators: list[str] = Field(default_factory=list)
    uncertainty: Uncertainty | None = None
    model_options: dict[str, dict[str, Any]] = Field(default_factory=dict)
    mediation: Mediation | None = None
    proposals: list[Proposal] = Field(default_factory=list)
    translations: dict[str, Translation] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _translations_name_what_exists(self) -> Scenario:
        issues, actors = set(self.issue_names), self.actor_names
        for lang, text in self.translations.items():
            if not (2 <= len(lang) <= 3 and lang.isalpha() and lang.islower()):
                raise ScenarioFieldError(
                    ("translations", lang),
                    f"'{lang}' is not a language code: use two or three lower-case letters "
                    "(ISO 639-1, e.g. tr, ar)",
                )
            for name in text.issues:
                if name not in issues:
                    raise ScenarioFieldError(
                        ("translations", lang, "issues", name),
                        f"unknown issue '{name}' (issues: {', '.join(self.issue_names)})",
                    )
            named = [p.name for p in self.proposals]
            for name in text.proposals:
                if name not in named:
                    raise ScenarioFieldError(
                        ("translations", lang, "proposals", name),
                        f"unknown proposal '{name}' (proposals: {', '.join(named) or 'none'})",
                    )
            renamed = [text.actors.get(a, a) for a in actors]
            for name in text.actors:
                if name not in actors:
                    raise ScenarioFieldError(
                        ("translations", lang, "actors", name),
                        f"unknown actor '{name}' (actors: {', '.join(actors)})",
                    )
                if renamed.count(text.actors[name]) > 1:
                    raise ScenarioFieldError(
                        ("translations", lang, "actors", name),
                        f"translation '{text.actors[name]}' of actor '{name}' is not unique",
                    )
        return self

    def localized(self, lang: str) -> Scenario:
        """The scenario with its ``lang`` translations applied, without the ``translations`` block.

        Title, description, issue labels and end labels are replaced where translated; actors are
        renamed everywhere they are referred to (mediator candidates, the uncertainty block, the
        mediation block, proposals, an accommodation matrix), so every model gives the same
        numbers as on the original. A language without translations returns the scenario as
        written (minus the block).
        """
        data = self.model_dump(mode="json", exclude_none=True)
        data.pop("translations", None)
        text = self.translations.get(lang.split("-")[0].split("_")[0].lower())
        if text is None:
            return Scenario.model_validate(data) if self.translations else self
        if text.title:
            data["title"] = text.title
        if text.description:
            data["description"] = text.description
        for issue in data["issues"]:
            for key, value in text.issues.get(issue["name"], IssueText()).model_dump().items():
                if value:
                    issue[key] = value
            if issue["name"] in text.issues and not text.issues[issue["name"]].label:
                issue.setdefault(
                    "label", self.issues[self.issue_names.index(issue["name"])].display_name
                )
        for proposal in data.get("proposals", []):
            given = text.proposals.get(proposal["name"])
            if given is not None:
                proposal.update({k: v for k, v in given.model_dump().items() if v})
        rename = text.actors
        if rename:
            for actor in data["actors"]:
                actor["name"] = rename.get(actor["name"], actor["name"])
            data["candidate_mediators"] = [rename.get(m, m) for m in data["candidate_mediators"]]
            block = data.get("uncertainty")
            if block:
                for key in ("actors", "cells"):
                    block[key] = {rename.get(k, k): v for k, v in block.get(key, {}).items()}
            med = data.get("mediation")
            if med:

                def r(names: list[str]) -> list[str]:
                    return [rename.get(n, n) for n in names]

                for terms in med.get("parties", {}).values():
                    for key in ("accepts", "refuses"):
                        if key in terms:
                            terms[key] = r(terms[key])
                    if "through" in terms:
                        terms["through"] = {
                            rename.get(k, k): r(v) for k, v in terms["through"].items()
                        }
                for terms in med.get("members", {}).values():
                    if "credibility_with" in terms:
                        terms["credibility_with"] = {
                            rename.get(k, k): v for k, v in terms["credibility_with"].items()
                        }
                for key in ("parties", "members"):
                    if key in med:
                        med[key] = {rename.get(k, k): v for k, v in med[key].items()}
            for proposal in data.get("proposals", []):
                proposal["coalition"] = [rename.get(m, m) for m in proposal.get("coalition", [])]
            for options in data.get("model_options", {}).values():
                if isinstance(options.get("accommodation"), list):
                    options["accommodation"] = [
                        [rename.get(e[0], e[0]), rename.get(e[1], e[1]), *e[2:]]
                        for e in options["accommodation"]
                    ]
        return Scenario.model_validate(data)

    @model_validator(mode="after")
    def _consistent(self) -> Scenario:
        if not self.issues:
            raise ScenarioFieldError(("issues",), "the scenario has no issues (empty issue list)")
        if not self.actors:
            raise ScenarioFieldError(("actors",), "the scenario has no actors")
        issues = {}
        problems: list[ScenarioFieldError] = []
        for q, issue in enumerate(self.issues):
            if issue.name in issues:
                problems.append(
                    ScenarioFieldError(("issues", q, "name"), f"duplicate issue '{issue.name}'")
                )
            issues[issue.name] = issue
        seen: set[str] = set()
        codes: dict[str, str] = {}
        for i, actor in enumerate(self.actors):
            if actor.name in seen:
                problems.append(
                    ScenarioFieldError(("actors", i, "name"), f"duplicate actor '{actor.name}'")
                )
            seen.add(actor.name)
            if actor.code is not None and actor.code in codes:
                problems.append(
                    ScenarioFieldError(
                        ("actors", i, "code"),
                        f"actor '{actor.name}' has the code '{actor.code}' of actor "
                        f"'{codes[actor.code]}' (codes must be unique)",
                    )
                )
            elif actor.code is not None:
                codes[actor.code] = actor.name
            for name, x in actor.positions.items():
                if name not in issues:
                    problems.append(
                        ScenarioFieldError(
                            ("actors", i, "positions", name),
                            f"actor '{actor.name}' refers to unknown issue '{name}' "
                            f"(issues: {', '.join(issues)})",
                        )
                    )
                    continue
                issue = issues[name]
                if not (np.isfinite(x) and issue.lo <= x <= issue.hi):
                    problems.append(
                        ScenarioFieldError(
                            ("actors", i, "positions", name),
                            f"position {x:g} of actor '{actor.name}' on issue '{name}' lies "
                            f"outside the scale [{issue.lo:g}, {issue.hi:g}]",
                            code="outside_scale",
                            context={"lo": issue.lo, "hi": issue.hi},
                        )
                    )
        ScenarioFieldError.raise_all(problems)
        return self

    @model_validator(mode="after")
    def _mediation_consistent(self) -> Scenario:
        if self.issues and self.actors:
            _check_mediation(self)
        return self

    @field_validator("uncertainty")
    @classmethod
    def _uncertainty_names_exist(
        cls, value: Uncertainty | None, info: ValidationInfo
    ) -> Uncertainty | None:
        actors, issues = info.data.get("actors"), info.data.get("issues")
        if value is not None and actors is not None and issues is not None:
            _check_uncertainty_names(value, actors, {q.name: q for q in issues})
        return value

    def options_for(
        self, model: str, overrides: dict[str, Any] | None = None
    ) -> tuple[dict[str, Any], int | None]:
        """The options of ``model`` stored in ``model_options``, updated by ``overrides``.

        Returns the merged options (without ``seed``) and the stored seed (None if none).
        """
        stored = dict(self.model_options.get(model, {}))
        seed = stored.pop("seed", None)
        return {**stored, **(overrides or {})}, None if seed is None else int(seed)

    @property
    def issue_names(self) -> list[str]:
        """Issue names in input order."""
        return [issue.name for issue in self.issues]

    @property
    def actor_names(self) -> list[str]:
        """Actor names in input order."""
        return [actor.name for actor in self.actors]

    def to_arrays(self) -> ScenarioArrays:
        """The numeric form every model consumes (batch size 1)."""
        from minilateral.arrays import ScenarioArrays

        return ScenarioArrays.from_scenario(self)

    def canonical_dict(self) -> dict[str, Any]:
        """The scenario as plain data, without defaults: what the YAML writer stores."""
        return self.model_dump(mode="json", exclude_none=True, exclude_defaults=True)

    def sha256(self) -> str:
        """SHA-256 of the canonical JSON form: the scenario's input hash in provenance.

        The canonical form omits unset optional fields and defaults (:meth:`canonical_dict`), so
        the hash depends only on what the scenario says, and a new optional field added to the
        format does not change the hash of existing scenarios.
        """
        text = json.dumps(self.canonical_dict(), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode()).hexdigest()


def _check_uncertainty_names(
    uncertainty: Uncertainty, actor_list: list[Actor], issues: dict[str, Issue]
) -> None:
    """Every actor, issue and cell named in the ``uncertainty:`` block must exist.

    Raises :class:`ScenarioFieldError` located inside the block (e.g. ``("actors", "Z")``).
    """
    actors = {a.name: a for a in actor_list}

    def check(name: str, known: dict[str, Any], kind: str, loc: tuple[str, ...]) -> None:
        if name not in known:
            raise ScenarioFieldError(
                loc, f"unknown {kind} '{name}' (known: {', '.join(sorted(known))})"
            )

    for issue in uncertainty.issues:
        check(issue, issues, "issue", ("issues", issue))
    for actor in uncertainty.actors:
        check(actor, actors, "actor", ("actors", actor))
    for actor, by_issue in uncertainty.cells.items():
        check(actor, actors, "actor", ("cells", actor))
        for issue in by_issue:
            check(issue, issues, "issue", ("cells", actor, issue))
            if issue not in actors[actor].positions:
                raise ScenarioFieldError(
                    ("cells", actor, issue), f"actor '{actor}' takes no part in issue '{issue}'"
                )


class PartyTerms(_Strict):
    """``mediation.parties.<party>``: what a party accepts from mediators, and its stakes.

    ``accepts``/``refuses`` name mediators (actor names or codes, or ``candidate_mediators``
    entries); ``through`` maps a mediator to the intermediaries through which the party deals
    with it (it reaches the party only when one of them is in the coalition, e.g. Hamas and the
    United States through Qatar or Egypt). A mediator not named is accepted. ``conflict_cost``
    (κ, utility units, >= 0) is what continued conflict costs the party; ``optimism`` (o, in
    [0, 1)) how far it reads the no-deal outcome toward its own ideal; ``exposure`` (φ, >= 0)
    what it loses if a signed deal collapses. ``source`` gives the source IDs or says
    "judgement". Formulas: ``docs/models/mediation.md``.
    """

    accepts: list[str] = Field(default_factory=list)
    refuses: list[str] = Field(default_factory=list)
    through: dict[str, list[str]] = Field(default_factory=dict)
    conflict_cost: float = Field(default=0.0, ge=0, allow_inf_nan=False)
    optimism: float | None = Field(default=None, ge=0, lt=1, allow_inf_nan=False)
    exposure: float | None = Field(default=None, ge=0, allow_inf_nan=False)
    source: str | None = None


class MemberTerms(_Strict):
    """``mediation.members.<mediator>``: what a coalition member brings.

    ``leverage`` (λ) is on the scenario's capability scale (default: the member's capability
    in the scenario); ``credibility`` in [0, 1] applies to every party, ``credibility_with``
    overrides it per party; ``guarantee`` (γ, in [0, 1]) is its capacity to guarantee
    implementation; ``information`` (ι, in [0, 1]) its capacity to correct a party's optimism.
    """

    leverage: float | None = Field(default=None, ge=0, allow_inf_nan=False)
    credibility: float | None = Field(default=None, ge=0, le=1, allow_inf_nan=False)
    credibility_with: dict[str, float] = Field(
        default_factory=dict, json_schema_extra={"additionalProperties": _SCHEMA_UNIT}
    )
    guarantee: float | None = Field(default=None, ge=0, le=1, allow_inf_nan=False)
    information: float | None = Field(default=None, ge=0, le=1, allow_inf_nan=False)
    source: str | None = None

    @field_validator("credibility_with")
    @classmethod
    def _unit(cls, value: dict[str, float]) -> dict[str, float]:
        for party, c in value.items():
            if not (np.isfinite(c) and 0.0 <= c <= 1.0):
                raise ValueError(f"credibility with '{party}' is {c}, outside [0, 1]")
        return value


class Mediation(_Strict):
    """The top-level ``mediation:`` block: per-party access and stakes, per-member terms."""

    parties: dict[str, PartyTerms] = Field(default_factory=dict)
    members: dict[str, MemberTerms] = Field(default_factory=dict)
    note: str | None = None


class Proposal(_Strict):
    """One entry of ``proposals:``: a named package (issue → value on the issue's scale).

    An issue left out keeps its ``reference`` (the status quo holds there); an issue in which a
    party takes part and that has no reference must be given. ``coalition`` optionally names
    who tables it (mediators, never a party).
    """

    name: str = Field(min_length=1)
    label: str | None = None
    description: str | None = None
    package: dict[str, float]
    coalition: list[str] = Field(default_factory=list)
    source: str | None = None


def _mediator_tokens(scenario: Scenario, *, members: bool = True) -> dict[str, str]:
    """Case-folded names/codes a mediator may be given by → the canonical token."""
    known: dict[str, str] = {}
    for actor in scenario.actors:
        if actor.role != ActorRole.PARTY:
            known[actor.name.casefold()] = actor.name
            if actor.code:
                known[actor.code.casefold()] = actor.name
    for token in scenario.candidate_mediators:
        known.setdefault(token.casefold(), token)
    if members and scenario.mediation is not None:
        for token in scenario.mediation.members:
            known.setdefault(token.casefold(), token)
    # Common abbreviations (the roundtable writes UAE; scenarios write ARE).
    for alias, code in (("uae", "are"), ("ksa", "sau"), ("us", "usa"), ("uk", "gbr")):
        if code in known:
            known.setdefault(alias, known[code])
    return known


def _check_mediation(scenario: Scenario) -> None:
    """Names in ``mediation:`` and ``proposals:`` exist; packages lie on their scales.

    Raises :class:`ScenarioFieldError` located at the offending entry.
    """
    actors = {a.name: a for a in scenario.actors}
    parties = {a.name for a in scenario.actors if a.role == ActorRole.PARTY}
    codes = {(a.code or "").casefold(): a.name for a in scenario.actors if a.code}
    known = _mediator_tokens(scenario)

    def party_name(token: str) -> str | None:
        name = token if token in actors else codes.get(token.casefold())
        return name if name in parties else None

    def check_mediator(token: str, loc: tuple[int | str, ...], what: str) -> None:
        if party_name(token) is not None:
            raise ScenarioFieldError(
                loc,
                f"{what} '{token}' is a party to the conflict (role: party); a coalition "
                "cannot contain a party",
            )
        if token.casefold() not in known:
            raise ScenarioFieldError(
                loc,
                f"{what} names unknown actor '{token}' (mediators: "
                f"{', '.join(sorted(set(known.values())))})",
            )

    block = scenario.mediation
    if block is not None:
        for party, terms in block.parties.items():
            loc: tuple[str | int, ...] = ("mediation", "parties", party)
            if party_name(party) is None:
                kind = "not a party (role: party)" if party in actors else "an unknown actor"
                raise ScenarioFieldError(
                    loc, f"'{party}' is {kind}; parties: {', '.join(sorted(parties))}"
                )
            for key in ("accepts", "refuses"):
                for j, token in enumerate(getattr(terms, key)):
                    what = "veto" if key == "refuses" else "access"
                    check_mediator(token, (*loc, key, j), what)
            both = {t.casefold() for t in terms.accepts} & {t.casefold() for t in terms.refuses}
            if both:
                raise ScenarioFieldError(
                    (*loc, "refuses"),
                    f"'{party}' both accepts and refuses {', '.join(sorted(both))}",
                )
            for token, via in terms.through.items():
                check_mediator(token, (*loc, "through", token), "channel")
                if not via:
                    raise ScenarioFieldError(
                        (*loc, "through", token), "name at least one intermediary"
                    )
                for j, other in enumerate(via):
                    check_mediator(other, (*loc, "through", token, j), "intermediary")
        for token, member in block.members.items():
            loc = ("mediation", "members", token)
            if party_name(token) is not None:
                raise ScenarioFieldError(
                    loc,
                    f"leverage for a non-member: '{token}' is a party to the conflict "
                    "(role: party) and cannot be a coalition member",
                )
            if token.casefold() not in _mediator_tokens(scenario, members=False):
                raise ScenarioFieldError(
                    loc,
                    f"leverage for a non-member: '{token}' names an unknown actor, neither an "
                    "actor of the scenario nor one of its candidate_mediators",
                )
            for party in member.credibility_with:
                if party_name(party) is None:
                    raise ScenarioFieldError(
                        (*loc, "credibility_with", party),
                        f"'{party}' is not a party (parties: {', '.join(sorted(parties))})",
                    )
    issues = {q.name: q for q in scenario.issues}
    taken = {q for a in scenario.actors if a.role == ActorRole.PARTY for q in a.positions}
    seen: set[str] = set()
    for k, proposal in enumerate(scenario.proposals):
        loc = ("proposals", k)
        if proposal.name in seen:
            raise ScenarioFieldError((*loc, "name"), f"duplicate proposal '{proposal.name}'")
        seen.add(proposal.name)
        for name, value in proposal.package.items():
            if name not in issues:
                raise ScenarioFieldError(
                    (*loc, "package", name),
                    f"proposal '{proposal.name}' names unknown issue '{name}' "
                    f"(issues: {', '.join(issues)})",
                )
            issue = issues[name]
            if not (np.isfinite(value) and issue.lo <= value <= issue.hi):
                raise ScenarioFieldError(
                    (*loc, "package", name),
                    f"proposal '{proposal.name}' puts '{name}' at {value:g}, outside the scale "
                    f"[{issue.lo:g}, {issue.hi:g}]",
                )
        missing = [
            q
            for q in issues
            if q in taken and q not in proposal.package and issues[q].reference is None
        ]
        if missing:
            raise ScenarioFieldError(
                (*loc, "package"),
                f"proposal '{proposal.name}' gives no value for {', '.join(missing)} "
                "(no reference point to keep there)",
            )
        for j, token in enumerate(proposal.coalition):
            check_mediator(token, (*loc, "coalition", j), "coalition member")


Scenario.model_rebuild()
