"""The sections of a brief, each built by one function from a :class:`.BriefRun`.

A section builder returns a :class:`Section` (or ``None`` when its capability is absent: no
alignment data, no sweep, no mediation). :data:`SECTIONS` lists them in order; a new capability
adds one builder and one template, nothing else changes. All text about numbers is generated from
the results, through the message catalogue (``_``), so translations can follow.
"""

from __future__ import annotations

import importlib
import inspect
import platform
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from minilateral.brief import charts
from minilateral.brief.run import BriefRun, Theatre
from minilateral.models.registry import model_class

__all__ = [
    "AGREEMENT",
    "CONFIDENCE",
    "SECTIONS",
    "Figure",
    "Section",
    "agreement",
    "build_sections",
    "confidence",
    "fmt",
    "model_references",
]

Gettext = Callable[[str], str]

#: Model agreement on an issue: the range of the models' forecasts as a share of the issue
#: scale, at most these bounds for "agree" and "partly agree" (above: "disagree").
AGREEMENT = (0.10, 0.25)
#: Confidence in an issue's forecast: the width of the 90 % interval of a sweep as a share of
#: the issue scale, at most these bounds for "high" and "medium" (above: "low").
CONFIDENCE = (0.10, 0.25)


def fmt(value: float | None, digits: int = 1) -> str:
    """A number as the brief prints it (``—`` when missing)."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return "—"
    return f"{value:.{digits}f}"


def agreement(spread: float) -> str:
    """``"agree"``, ``"partly agree"`` or ``"disagree"`` for a spread in scale units (0–1)."""
    return (
        "agree"
        if spread <= AGREEMENT[0]
        else "partly agree"
        if spread <= AGREEMENT[1]
        else "disagree"
    )


def confidence(width: float) -> str:
    """``"high"``, ``"medium"`` or ``"low"`` for a 90 % interval width in scale units (0–1)."""
    return "high" if width <= CONFIDENCE[0] else "medium" if width <= CONFIDENCE[1] else "low"


@dataclass
class Figure:
    """A numbered figure."""

    number: int
    caption: str
    chart: charts.Chart
    id: str


@dataclass
class Section:
    """One section: its anchor, heading, template and the template's variables."""

    id: str
    title: str
    template: str
    context: dict[str, Any] = field(default_factory=dict)
    toc: list[tuple[str, str]] = field(default_factory=list)  # subsections (anchor, title)


class _Figures:
    def __init__(self) -> None:
        self.count = 0

    def __call__(self, chart: charts.Chart, caption: str) -> Figure:
        self.count += 1
        return Figure(self.count, caption, chart, f"fig-{self.count}")


def _labels(_: Gettext) -> dict[str | None, str]:
    return {
        "agree": _("agree"),
        "partly agree": _("partly agree"),
        "disagree": _("disagree"),
        "high": _("high"),
        "medium": _("medium"),
        "low": _("low"),
        None: "",
    }


def _issue_rows(run: BriefRun, theatre: Theatre, _: Gettext) -> list[dict[str, Any]]:
    """Per issue: forecasts of every model, their spread and, with a sweep, the confidence."""
    labels = _labels(_)
    rows = []
    for q, issue in enumerate(theatre.scenario.issues):
        span = issue.hi - issue.lo
        values = {m: theatre.forecasts[m]["outcome"][q] for m in run.models}
        known = [v for v in values.values() if v is not None]
        spread = (max(known) - min(known)) / span if known else float("nan")
        row: dict[str, Any] = {
            "issue": issue,
            "values": values,
            "low": min(known) if known else None,
            "high": max(known) if known else None,
            "spread": spread,
            "agreement": agreement(spread) if known else None,
            "width": None,
            "confidence": None,
        }
        widths = [
            (s["issues"][q]["quantiles"]["0.95"] - s["issues"][q]["quantiles"]["0.05"]) / span
            for s in theatre.sweeps.values()
        ]
        if widths:
            row["width"] = max(widths)
            row["confidence"] = confidence(row["width"])
        row["agreement_text"] = labels[row["agreement"]]
        row["confidence_text"] = labels[row["confidence"]]
        rows.append(row)
    return rows


def executive_summary(run: BriefRun, _: Gettext, figure: _Figures) -> Section:
    """Key forecasts, agreement between models and confidence, for every theatre."""
    theatres = [{"theatre": t, "rows": _issue_rows(run, t, _)} for t in run.theatres]
    rows = [r for t in theatres for r in t["rows"]]
    counts = {
        k: sum(r["agreement"] == k for r in rows) for k in ("agree", "partly agree", "disagree")
    }
    widest = max(rows, key=lambda r: -1 if np.isnan(r["spread"]) else r["spread"])
    where = next(t["theatre"] for t in theatres if widest in t["rows"])
    points = [
        _("{theatres} theatre(s), {issues} issue(s), {models} model(s): {names}.").format(
            theatres=len(run.theatres),
            issues=len(rows),
            models=len(run.models),
            names=", ".join(run.models),
        ),
        _(
            "The models agree (range at most {a:.0%} of the scale) on {n1} issue(s), partly agree "
            "(at most {b:.0%}) on {n2} and disagree on {n3}."
        ).format(
            a=AGREEMENT[0],
            b=AGREEMENT[1],
            n1=counts["agree"],
            n2=counts["partly agree"],
            n3=counts["disagree"],
        ),
    ]
    if len(run.models) > 1 and not np.isnan(widest["spread"]):
        points.append(
            _(
                "Largest disagreement: {issue} ({theatre}), where forecasts range from {low} to "
                "{high} on its {lo:g}–{hi:g} scale."
            ).format(
                issue=widest["issue"].name,
                theatre=where.scenario.title,
                low=fmt(widest["low"]),
                high=fmt(widest["high"]),
                lo=widest["issue"].lo,
                hi=widest["issue"].hi,
            )
        )
    swept = [r for r in rows if r["confidence"] is not None]
    if swept:
        conf = {k: sum(r["confidence"] == k for r in swept) for k in ("high", "medium", "low")}
        points.append(
            _(
                "Uncertainty: {draws} Monte Carlo draws of {models} per theatre; confidence is "
                "high (90 % interval at most {a:.0%} of the scale) on {n1} issue(s), medium (at "
                "most {b:.0%}) on {n2} and low on {n3}."
            ).format(
                draws=run.draws,
                models=", ".join(run.sweep_models),
                a=CONFIDENCE[0],
                b=CONFIDENCE[1],
                n1=conf["high"],
                n2=conf["medium"],
                n3=conf["low"],
            )
        )
    elif run.draws == 0:
        points.append(
            _("No Monte Carlo sweep was run (use --draws N): confidence is not assessed.")
        )
    return Section(
        "summary",
        _("Executive summary"),
        "summary.html.j2",
        {"points": points, "theatres": theatres, "models": run.models},
    )


def _theatre(run: BriefRun, theatre: Theatre, _: Gettext, figure: _Figures) -> Section:
    scenario = theatre.scenario
    anchor = f"theatre-{theatre.name}"
    figures = [
        figure(
            charts.forecast_chart(
                scenario, {m: theatre.forecasts[m] for m in run.models}, theatre.sweeps
            ),
            _("{title}: actors' positions and the forecast of each model, per issue.").format(
                title=scenario.title
            )
            + (" " + _("Bars: 50 % and 90 % intervals of the sweep.") if theatre.sweeps else ""),
        )
    ]
    trajectories = [
        figure(
            charts.trajectory_chart(scenario, model, theatre.trajectories[model]),
            _(
                "{title}: positions per round in the {model} model; thick line: capability × "
                "salience weighted mean."
            ).format(title=scenario.title, model=model),
        )
        for model in run.models
        if model in theatre.trajectories
    ]
    mediation = None
    if theatre.mediation:
        mediation = figure(
            charts.mediation_chart(theatre.mediation, [q.name for q in scenario.issues]),
            _(
                "{title}: probability that the parties settle each issue, with no mediator and "
                "with the best-ranked mediating coalitions."
            ).format(title=scenario.title),
        )
    toc = [
        (f"{anchor}-question", _("Question")),
        (f"{anchor}-actors", _("Actors")),
        (f"{anchor}-forecasts", _("Forecasts")),
    ]
    if theatre.sweeps:
        toc.append((f"{anchor}-uncertainty", _("Uncertainty")))
    if theatre.mediation:
        toc.append((f"{anchor}-mediation", _("Mediation")))
    return Section(
        anchor,
        scenario.title,
        "theatre.html.j2",
        {
            "t": theatre,
            "scenario": scenario,
            "anchor": anchor,
            "models": run.models,
            "rows": _issue_rows(run, theatre, _),
            "unconverged": any(not theatre.forecasts[m]["converged"] for m in run.models),
            "figures": figures,
            "trajectories": trajectories,
            "sweeps": [(m, theatre.sweeps[m]) for m in run.sweep_models if m in theatre.sweeps],
            "draws": run.draws,
            "mediation": theatre.mediation,
            "mediation_figure": mediation,
        },
        toc,
    )


def theatres(run: BriefRun, _: Gettext, figure: _Figures) -> list[Section]:
    """One section per theatre: question, actors, forecasts, uncertainty, mediation."""
    return [_theatre(run, t, _, figure) for t in run.theatres]


def alignment(run: BriefRun, _: Gettext, figure: _Figures) -> Section | None:
    """Regional alignment (map, GCC cohesion, autonomy) when the reference data are installed."""
    data = run.alignment
    if data is None:
        return None
    last = data.years[-1]
    sai = sorted(
        ({**r, "state": data.names[int(r["state"])]} for r in data.autonomy if r["year"] == last),
        key=lambda r: -1 if r["SAI"] is None else -r["SAI"],
    )
    return Section(
        "alignment",
        _("Regional alignment"),
        "alignment.html.j2",
        {
            "data": data,
            "last": last,
            "autonomy": sai,
            "map": figure(
                charts.autonomy_map(data),
                _(
                    "Strategic autonomy (SAI) of the region's states in {year}, placed at their "
                    "capitals; 1 = equidistant from the United States, Russia and China in UN "
                    "votes."
                ).format(year=last),
            ),
            "cohesion": figure(
                charts.cohesion_chart(data),
                _(
                    "GCC cohesion in UN General Assembly votes, {first}–{last}: mean pairwise "
                    "agreement, share of unanimous votes and its agenda baseline."
                ).format(first=data.years[0], last=last),
            ),
        },
    )


_REFERENCE = re.compile(r"^\.\. \[\d+\]\s+(.*(?:\n {3,}.*)*)", re.M)


def model_references(name: str) -> list[str]:
    """The numbered references (``.. [n]``) of a model's class and module docstrings."""
    cls = model_class(name)
    texts = [
        inspect.getdoc(importlib.import_module(cls.__module__)) or "",
        inspect.getdoc(cls) or "",
    ]
    refs: list[str] = []
    for text in texts:
        for match in _REFERENCE.finditer(text):
            ref = " ".join(match.group(1).split())
            if ref not in refs:
                refs.append(ref)
    return refs


def methods(run: BriefRun, _: Gettext, figure: _Figures) -> Section:
    """Models, how agreement and confidence are read, what the brief leaves out, and limits."""
    models = [
        {"name": m, "summary": model_class(m).summary, "dynamic": model_class(m).dynamic}
        for m in run.models
    ]
    return Section(
        "methods",
        _("Methods and limits"),
        "methods.html.j2",
        {"models": models, "run": run, "agreement": AGREEMENT, "confidence": CONFIDENCE},
    )


def citations(run: BriefRun, _: Gettext, figure: _Figures) -> Section:
    """Every source used: scenario sources, data tables (version, licence), model references."""
    refs = {m: model_references(m) for m in run.models}
    return Section(
        "citations",
        _("Data provenance and citations"),
        "citations.html.j2",
        {"run": run, "refs": refs},
    )


def reproducibility(run: BriefRun, _: Gettext, figure: _Figures) -> Section:
    """Package version, seed, draws, input hashes and the command line."""
    versions = {"python": platform.python_version(), "numpy": np.__version__}
    first = run.theatres[0].forecasts
    options = {m: first[m].get("options") or {} for m in run.models}
    return Section(
        "reproducibility",
        _("Reproducibility"),
        "reproducibility.html.j2",
        {"run": run, "versions": versions, "options": options},
    )


#: The section builders, in the brief's order.
SECTIONS: tuple[Callable[..., Section | list[Section] | None], ...] = (
    executive_summary,
    theatres,
    alignment,
    methods,
    citations,
    reproducibility,
)


def build_sections(run: BriefRun, _: Gettext) -> list[Section]:
    """Build every section whose capability exists, numbering figures in order."""
    figure = _Figures()
    out: list[Section] = []
    for builder in SECTIONS:
        built = builder(run, _, figure)
        if built is None:
            continue
        out.extend(built if isinstance(built, list) else [built])
    return out
