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
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, TypedDict

import numpy as np

from minilateral import i18n
from minilateral.brief import assessment
from minilateral.brief.run import BriefRun, Theatre
from minilateral.models.registry import model_class
from minilateral.presentation import charts

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
    "narrative_label",
    "narratives",
    "panels",
    "reader_text",
]

Gettext = Callable[[str], str]

#: Model agreement on an issue: the range of the models' forecasts as a share of the issue
#: scale, at most these bounds for "agree" and "partly agree" (above: "disagree").
AGREEMENT = (0.10, 0.25)
#: Confidence in an issue's forecast: the width of the 90 % interval of a sweep as a share of
#: the issue scale, at most these bounds for "high" and "medium" (above: "low").
CONFIDENCE = (0.10, 0.25)


#: (language, digit system) of the numbers of the brief being rendered (:func:`number_locale`).
_NUMBERS: ContextVar[tuple[str, str]] = ContextVar("brief_numbers", default=("en", "latn"))


@contextmanager
def number_locale(lang: str, digits: str = "latn") -> Iterator[None]:
    """Within the block, :func:`fmt` writes numbers in ``lang``'s style (Babel) and digits."""
    token = _NUMBERS.set((lang, digits))
    try:
        yield
    finally:
        _NUMBERS.reset(token)


def number_settings() -> tuple[str, str]:
    """The (language, digit system) set by the enclosing :func:`number_locale`."""
    return _NUMBERS.get()


class Num:
    """A number that formats itself in the brief's locale: ``"{share:.0%}".format(share=Num(x))``
    writes ``25%`` in English and ``%25`` in Turkish; ``.1f`` a decimal comma in Turkish."""

    def __init__(self, value: float) -> None:
        self.value = value

    def __format__(self, spec: str) -> str:
        lang, digits = _NUMBERS.get()
        if lang == "en" and digits == "latn":
            return format(self.value, spec)
        decimals = int(spec[1:-1]) if spec[:1] == "." and spec[1:-1].isdigit() else None
        if spec.endswith("%"):
            return i18n.format_percent(self.value, lang, decimals=decimals or 0, digits=digits)  # type: ignore[arg-type]
        return i18n.format_number(self.value, lang, decimals=decimals, digits=digits)  # type: ignore[arg-type]


def day(iso: str | None) -> str | None:
    """An ISO date (``2025-12-16``) as the brief's locale writes it (``16 Aralık 2025``)."""
    lang, digits = _NUMBERS.get()
    if iso is None or lang == "en":
        return iso
    import datetime as dt

    return i18n.format_date(dt.date.fromisoformat(iso), lang, digits=digits)  # type: ignore[arg-type]


def fmt(value: float | None, digits: int = 1) -> str:
    """A number as the brief prints it (``—`` when missing), in the locale of the brief."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return "—"
    lang, system = _NUMBERS.get()
    if lang == "en" and system == "latn":
        return f"{value:.{digits}f}"
    return i18n.format_number(value, lang, decimals=digits, digits=system)  # type: ignore[arg-type]


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


def degenerate_text(kind: str, _: Gettext) -> str:
    """Plain words for a degenerate result (:func:`.assessment.degenerate`)."""
    return {
        "no_zone": _("no zone of agreement around the status quo"),
        "capped": _("stopped at its round limit while positions were still moving"),
        "flat_risk": _(
            "ended where every position was equally likely to win (no risk signal left)"
        ),
        "zigzag": _("alternates between two positions in its last rounds"),
    }[kind]


def degenerate_short(kind: str, _: Gettext) -> str:
    """A few words for a degenerate result, for table cells (the theatre explains them)."""
    return {
        "no_zone": _("no zone of agreement"),
        "capped": _("still moving at its round limit"),
        "flat_risk": _("no risk signal left"),
        "zigzag": _("zigzags"),
    }[kind]


def estimative_text(p: float, _: Gettext) -> str:
    """``"likely (55–80 %)"``: the ICD 203 term of ``p`` and its range, translated."""
    term, span = assessment.estimative(p)
    return f"{_(term)} ({span})"


def _ends(issue: Any, _: Gettext) -> tuple[str, str]:
    lo = issue.lo_label or _("the low end")
    hi = issue.hi_label or _("the high end")
    return lo, hi


def _reason(a: dict[str, Any], _: Gettext) -> str:
    """Why the confidence is what it is: the weakest of its three components, in words."""
    parts = a["confidence_parts"]
    worst = a["confidence"]
    reasons = []
    if parts["agreement"] == worst and a["agreement"] is not None:
        reasons.append(
            _("the usable models' forecasts span {share:.0%} of the scale").format(
                share=Num(a["spread"])
            )
        )
    if parts["sweep"] == worst and a["sweep_width"] is not None:
        reasons.append(
            _("the widest 90 % interval of the sweeps spans {share:.0%} of the scale").format(
                share=Num(a["sweep_width"])
            )
        )
    if parts["accuracy"] == worst:
        if a["headline_mae"] is None:
            reasons.append(_("no model here is more accurate than the plain mean of positions"))
        else:
            reasons.append(
                _(
                    "on real negotiations (DEU III) the headline model misses by {mae:.1f} "
                    "points on a 0–100 scale on average"
                ).format(mae=Num(a["headline_mae"]))
            )
    return "; ".join(reasons)


def _judgement(theatre: Theatre, q: int, _: Gettext) -> dict[str, Any]:
    """One key judgement (templated sentence) for issue ``q`` of a theatre."""
    issue = theatre.scenario.issues[q]
    a = theatre.assessment["issues"][q]
    lo, hi = _ends(issue, _)
    if a["headline"] is None:
        text = _(
            "{issue}: no headline forecast, because no model in this brief is more accurate "
            "than the plain mean of positions on real negotiations."
        ).format(issue=issue.display_name)
    else:
        text = _("{issue}: most likely settles near {value} on its {lo:g}–{hi:g} scale").format(
            issue=issue.display_name, value=fmt(a["headline"], 0), lo=issue.lo, hi=issue.hi
        )
        if a["interval90"] is not None:
            text += _(" (90 % of the draws between {a} and {b})").format(
                a=fmt(a["interval90"][0], 0), b=fmt(a["interval90"][1], 0)
            )
        text += "."
        if a["p_high"] is not None:
            nearer, other, p = (
                (hi, lo, a["p_high"]) if a["p_high"] >= 0.5 else (lo, hi, 1 - a["p_high"])
            )
            text += " " + _(
                "It is {estimate} that it ends nearer “{nearer}” than “{other}”."
            ).format(estimate=estimative_text(p, _), nearer=nearer, other=other)
    return {
        "text": text,
        "confidence": a["confidence"],
        "confidence_text": _labels(_)[a["confidence"]],
        "reason": _reason(a, _) if a["confidence"] else "",
    }


def _actor_names(theatre: Theatre, codes: list[str]) -> str:
    names = {a.code or a.name: a.name for a in theatre.scenario.actors}
    return " + ".join(names.get(c, c) for c in codes)


def _mediation_judgement(theatre: Theatre, _: Gettext) -> str | None:
    """One sentence on mediation: the chance of an accepted package without and with mediators."""
    med = theatre.mediation
    if not med or not med.get("coalitions"):
        return None
    key = "agreement_probability" if med.get("measure") == "agreement" else "settlement_probability"
    base = med["baseline"].get(key)
    best = med["coalitions"][0]
    if base is None or best.get(key) is None:
        return None
    what = (
        _("an agreement that every party accepts")
        if key == "agreement_probability"
        else _("a settlement of every issue")
    )
    if best[key] == 0:
        return _(
            "No coalition of the candidate mediators makes {what} possible in any draw: there is "
            "no zone of agreement around the parties' value of no deal."
        ).format(what=what)
    b, m = estimative_text(base, _), estimative_text(best[key], _)
    coalition = _actor_names(theatre, best["coalition"])
    tied = sum(bool(c.get("tied_with_top")) for c in med["coalitions"])
    text = _(
        "Without a mediator, {what} is {base}; with {coalition} mediating it is {best}."
    ).format(what=what, base=b, coalition=coalition, best=m)
    if tied > 1:
        text += " " + _("{n} coalitions are statistically tied with it.").format(n=tied)
    return text


def _stale_text(theatre: Theatre, _: Gettext) -> str | None:
    st = theatre.assessment["staleness"]
    if st.get("undated"):
        return _("The scenario is undated: how recent its inputs are is unknown.")
    if not st["stale"]:
        return None
    return _(
        "Out of date: the newest event this scenario reflects is of {as_of}, {months} months "
        "before this brief; later events are not included."
    ).format(as_of=day(st["as_of"]), months=st["age_days"] // 30)


def _issue_rows(run: BriefRun, theatre: Theatre, _: Gettext) -> list[dict[str, Any]]:
    """Per issue: forecasts, degenerate results, headline, agreement and confidence."""
    labels = _labels(_)
    rows = []
    for q, issue in enumerate(theatre.scenario.issues):
        a = theatre.assessment["issues"][q]
        usable = [
            v for m, v in a["forecasts"].items() if v is not None and m not in a["degenerate"]
        ]
        row: dict[str, Any] = {
            "issue": issue,
            "a": a,
            "values": a["forecasts"],
            "low": min(usable) if usable else None,
            "high": max(usable) if usable else None,
            "spread": a["spread"],
            "agreement": a["agreement"],
            "width": a["sweep_width"],
            "confidence": a["confidence"],
            "agreement_text": labels[a["agreement"]],
            "confidence_text": labels[a["confidence"]],
            "degenerate": {m: degenerate_text(k, _) for m, k in a["degenerate"].items()},
            "degenerate_short": {m: degenerate_short(k, _) for m, k in a["degenerate"].items()},
            "judgement": _judgement(theatre, q, _),
        }
        rows.append(row)
    return rows


class _TheatreSummary(TypedDict):
    """One theatre of the bottom line: its issue rows and its mediation and staleness notes."""

    theatre: Theatre
    rows: list[dict[str, Any]]
    mediation: str | None
    stale: str | None


def executive_summary(run: BriefRun, _: Gettext, figure: _Figures) -> Section:
    """Bottom line up front: key judgements with their confidence, for every theatre."""
    theatres = [
        _TheatreSummary(
            theatre=t,
            rows=_issue_rows(run, t, _),
            mediation=_mediation_judgement(t, _),
            stale=_stale_text(t, _),
        )
        for t in run.theatres
    ]
    rows = [r for t in theatres for r in t["rows"]]
    conf = {k: sum(r["confidence"] == k for r in rows) for k in assessment.LEVELS}
    headlined = sorted({m for r in rows for m in r["a"]["weights"]})
    others = [m for m in run.models if m not in headlined]
    no_zone = sum("no_zone" in r["a"]["degenerate"].values() for r in rows)
    points = [
        _(
            "Of {issues} issues in {theatres} theatres, confidence is high on {high}, medium on "
            "{medium} and low on {low}."
        ).format(
            issues=len(rows),
            theatres=len(run.theatres),
            high=conf["high"],
            medium=conf["medium"],
            low=conf["low"],
        )
    ]
    if headlined:
        best = min(r["a"]["headline_mae"] for r in rows if r["a"]["headline_mae"] is not None)
        points.append(
            _(
                "Headline forecasts come from {models}, weighted by accuracy on real "
                "negotiations (DEU III, mean error {mae:.1f} points on 0–100, against "
                "{base:.1f} for the plain mean of positions)."
            ).format(models=", ".join(headlined), mae=Num(best), base=Num(run_baseline_mae()))
        )
    if others:
        points.append(
            _(
                "Shown for comparison, never headlined: {models}, which do worse than the plain "
                "mean of positions on DEU III."
            ).format(models=", ".join(others))
        )
    if no_zone:
        points.append(
            _(
                "On {n} issues the Nash bargaining solution is the status quo itself: there is "
                "no zone of agreement around the status quo, which is reported as such and not "
                "counted as a forecast or a disagreement."
            ).format(n=no_zone)
        )
    stale = [t for t in run.theatres if t.assessment["staleness"]["stale"]]
    if stale:
        newest = max(
            (
                t.assessment["staleness"]["as_of"]
                for t in stale
                if t.assessment["staleness"]["as_of"]
            ),
            default=None,
        )
        points.append(
            _(
                "{n} of {total} scenarios are more than six months old at the date of this brief "
                "(newest event reflected: {newest}); events since then are not included."
            ).format(n=len(stale), total=len(run.theatres), newest=day(newest) or _("unknown"))
        )
    if run.draws == 0:
        points.append(
            _("No Monte Carlo sweep was run: confidence rests on agreement and accuracy only.")
        )
    return Section(
        "summary",
        _("Bottom line"),
        "summary.html.j2",
        {"points": points, "theatres": theatres, "models": run.models},
    )


def run_baseline_mae() -> float:
    """The plain mean's DEU III error (the bar every headline model clears)."""
    from minilateral.accuracy import CAPABILITY, accuracy_table

    return accuracy_table().baseline_mae(CAPABILITY)


def _moved_sentences(theatre: Theatre, _: Gettext) -> list[dict[str, Any]]:
    """Per dynamic model, plain sentences from its move records (see assessment._moved)."""
    out = []
    issues = {q.name: q for q in theatre.scenario.issues}
    for model, entries in theatre.assessment["moved"].items():
        lines = []
        for e in entries:
            label = issues[e["issue"]].display_name
            parts = []
            ch = e.get("challenge")
            if ch:
                parts.append(
                    _(
                        "{winner} challenged {loser}, who gave ground ({count}× from round {r})"
                    ).format(
                        winner=ch["winner"],
                        loser=ch["loser"],
                        count=ch["count"],
                        r=ch["first_round"],
                    )
                )
            if e["mover"]:
                parts.append(
                    _("{actor} moved furthest, from {a} to {b}").format(
                        actor=e["mover"], a=fmt(e["from"], 0), b=fmt(e["to"], 0)
                    )
                )
            if e["settled_round"] < e["rounds"] or e["converged"]:
                parts.append(_("it settled in round {r}").format(r=e["settled_round"]))
            else:
                parts.append(
                    _("it was still moving when the run stopped after {r} rounds").format(
                        r=e["rounds"]
                    )
                )
            lines.append(f"{label}: " + "; ".join(parts) + ".")
        out.append({"model": model, "lines": lines})
    return out


def _theatre(run: BriefRun, theatre: Theatre, _: Gettext, figure: _Figures) -> Section:
    scenario = theatre.scenario
    anchor = f"theatre-{theatre.name}"
    figures = [
        figure(
            charts.forecast_chart(
                scenario,
                {m: theatre.forecasts[m] for m in run.models},
                theatre.sweeps,
                [a["degenerate"] for a in theatre.assessment["issues"]],
                gettext=_,
            ),
            _("{title}: actors' positions and the forecast of each model, per issue.").format(
                title=scenario.title
            )
            + (" " + _("Bars: 50 % and 90 % intervals of the sweep.") if theatre.sweeps else ""),
        )
    ]
    trajectories = [
        figure(
            charts.trajectory_chart(scenario, model, theatre.trajectories[model], gettext=_),
            _(
                "{title}: positions per round in the {model} model; thick line: capability × "
                "salience weighted mean."
            ).format(title=scenario.title, model=model),
        )
        for model in run.models
        if model in theatre.trajectories
    ]
    mediation = None
    med = theatre.mediation
    if med and med.get("measure") == "agreement":
        if med["coalitions"] and (med["coalitions"][0].get("agreement_probability") or 0) > 0:
            mediation = figure(
                charts.agreement_chart(med, lambda codes: _actor_names(theatre, codes), gettext=_),
                _(
                    "{title}: probability that every party accepts the package of each "
                    "mediating coalition (best ranked first, with no mediator for reference); "
                    "bars: its interval."
                ).format(title=scenario.title),
            )
    elif med:
        mediation = figure(
            charts.mediation_chart(med, [q.display_name for q in scenario.issues], gettext=_),
            _(
                "{title}: probability that the parties settle each issue, with no mediator and "
                "with the best-ranked mediating coalitions."
            ).format(title=scenario.title),
        )
    toc = [
        (f"{anchor}-judgements", _("Key judgements")),
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
            "mediation_judgement": _mediation_judgement(theatre, _),
            "stale": _stale_text(theatre, _),
            "moved": _moved_sentences(theatre, _),
            "model_notes": _model_notes(run, theatre, _),
            "figures": figures,
            "trajectories": trajectories,
            "sweeps": [(m, theatre.sweeps[m]) for m in run.sweep_models if m in theatre.sweeps],
            "draws": run.draws,
            "mediation": theatre.mediation,
            "mediation_figure": mediation,
            "coalition_names": lambda codes: _actor_names(theatre, list(codes)),
        },
        toc,
    )


def _model_notes(run: BriefRun, theatre: Theatre, _: Gettext) -> list[str]:
    """Degenerate results of the theatre in plain words, grouped by model and kind."""
    groups: dict[tuple[str, str], list[str]] = {}
    for issue, a in zip(theatre.scenario.issues, theatre.assessment["issues"], strict=True):
        for model, kind in a["degenerate"].items():
            groups.setdefault((model, kind), []).append(issue.display_name)
    return [
        _("{model} on {issues}: {what}.").format(
            model=model, issues=", ".join(names), what=degenerate_text(kind, _)
        )
        for (model, kind), names in groups.items()
    ]


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
        ({**r, "state": data.names[int(code)]} for code, r in data.latest.items()),
        key=lambda r: -r["SAI"],
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
                charts.autonomy_map(data, gettext=_),
                _(
                    "Strategic autonomy (SAI) of the region's states in UN General Assembly "
                    "votes, {year} or each state's latest year with enough votes; 1 = "
                    "equidistant from the United States, Russia and China, 0 = voting with one "
                    "of them. Grey: not computed."
                ).format(year=last),
            ),
            "cohesion": figure(
                charts.cohesion_chart(data, gettext=_),
                _(
                    "GCC cohesion in UN General Assembly votes, {first}–{last}: mean pairwise "
                    "agreement, share of unanimous votes and its agenda baseline; shaded: the "
                    "2017–2021 blockade of Qatar by Saudi Arabia, the UAE and Bahrain."
                ).format(first=data.years[0], last=last),
            ),
        },
    )


def _issue_names(run: BriefRun) -> dict[str, str]:
    """Issue name -> the reader's label, over the brief's theatres."""
    return {q.name: q.display_name for t in run.theatres for q in t.scenario.issues}


def panels(run: BriefRun, _: Gettext, figure: _Figures) -> list[Section] | None:
    """One section per expert panel: who coded, Krippendorff's alpha overall and per field,
    and the cells where the coders disagree most (only when the brief was given a panel)."""
    if not run.panels:
        return None
    levels = {
        "nominal": _("nominal"),
        "ordinal": _("ordinal"),
        "interval": _("interval"),
        "ratio": _("ratio"),
    }
    fields = (
        ("positions", _("Positions")),
        ("salience", _("Salience")),
        ("capability", _("Capability")),
    )
    issues = _issue_names(run)
    out = []
    for k, data in enumerate(run.panels):
        panel = data.get("panel") or {}
        name = panel.get("name") or str(k + 1)
        out.append(
            Section(
                f"panel-{k + 1}",
                _("Expert panel: {name}").format(name=name),
                "panel.html.j2",
                {
                    "data": data,
                    "panel": panel,
                    "level": levels.get(data["level"], data["level"]),
                    "fields": [(label, data["fields"].get(key)) for key, label in fields],
                    "cells": [
                        {
                            **c,
                            "issue_label": issues.get(c["issue"], c["issue"].replace("_", " ")),
                        }
                        for c in data["disputed_cells"]
                    ],
                },
            )
        )
    return out


def narrative_label(narrative: dict[str, Any], _: Gettext) -> str:
    """A narrative's name in the brief: its number and up to four top terms."""
    terms = [t for ts in narrative["top_terms"].values() for t in ts[:3]][:4]
    return _("Narrative {number}: {terms}").format(
        number=narrative["number"], terms=", ".join(terms)
    )


def narratives(run: BriefRun, _: Gettext, figure: _Figures) -> Section | None:
    """The narrative monitor of the analyst's corpus: volume by narrative, the coordination
    network, the strongest clusters with their evidence. Clusters are described only as
    accounts that behaved in a coordinated way; nothing is attributed to a sponsor."""
    data = run.narratives
    if data is None:
        return None
    labels = {n["id"]: narrative_label(n, _) for n in data["narratives"]}
    kinds = {"link": _("shared link"), "text": _("same text"), "repost": _("repost")}
    clusters = [
        {
            **c,
            "first_text": c["first"][:16].replace("T", " "),
            "last_text": c["last"][:16].replace("T", " "),
            "evidence": [
                {**e, "kind_label": kinds.get(e["kind"], e["kind"])} for e in c["evidence"]
            ],
            "pushes": [
                _("{narrative} ({posts} posts)").format(
                    narrative=labels.get(p["narrative"])
                    or _("Narrative {number}").format(number=p["narrative"] + 1),
                    posts=p["posts"],
                )
                for p in c["narratives"]
            ],
        }
        for c in data["clusters"]
    ]
    timeline = None
    if data["narratives"]:
        timeline = figure(
            charts.narrative_timeline_chart(data, [labels[n["id"]] for n in data["narratives"]]),
            _("Posts per day (UTC) of the {n} largest narratives of the corpus.").format(
                n=len(data["narratives"])
            ),
        )
    network = None
    if data["network"]["nodes"]:
        network = figure(
            charts.coordination_network_chart(data, _("Cluster {number}")),
            _(
                "Accounts that behaved in a coordinated way: an edge joins two accounts that "
                "acted on at least {threshold} of the same items within {window} seconds; "
                "colours are clusters."
            ).format(threshold=fmt(data["threshold"], 0), window=fmt(data["window_seconds"], 0)),
        )
    return Section(
        "narratives",
        _("Narrative monitor"),
        "narratives.html.j2",
        {
            "data": data,
            "clusters": clusters,
            "narratives": [{**n, "label": labels[n["id"]]} for n in data["narratives"]],
            "timeline": timeline,
            "network": network,
        },
    )


_REFERENCE = re.compile(r"^\.\. \[\d+\]\s+(.*(?:\n {3,}.*)*)", re.M)
# A pointer to a repository document (``dir/name.md`` or ``dir/name.md#anchor``), with the phrase
# that introduces it: readers see neither file paths nor section anchors.
_DOC_POINTER = re.compile(
    r"[;,]?\s*(?:(?:model as specified in|formulas?:|see)\s*)?"
    r"(?<![\w/:.])(?:[\w.-]+/)+[\w.-]+\.md(?:#[\w-]+)?"
)


def reader_text(text: str) -> str:
    """Docstring text for readers: no reST literals and no pointers to repository documents."""
    text = re.sub(r"``([^`]*)``", r"\1", text)
    text = re.sub(r"\*([^*]+)\*", r"\1", text)  # reST emphasis
    text = _DOC_POINTER.sub("", text)
    text = re.sub(r"\(\s*\)", "", text)
    return re.sub(r"\s+(?=[.;,](?:\s|$))", "", text).strip()


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
            ref = reader_text(" ".join(match.group(1).split()))
            if ref not in refs:
                refs.append(ref)
    return refs


def methods(run: BriefRun, _: Gettext, figure: _Figures) -> Section:
    """Models, how agreement and confidence are read, what the brief leaves out, and limits."""
    models = [
        {
            "name": m,
            "summary": reader_text(model_class(m).summary),
            "dynamic": model_class(m).dynamic,
        }
        for m in run.models
    ]
    from minilateral.accuracy import CAPABILITY, accuracy_table

    table = accuracy_table()
    base = table.baseline_mae(CAPABILITY)
    accuracy_rows: list[dict[str, Any]] = []
    for name in [table.baseline, *run.models]:
        entry = table.entry(name, CAPABILITY)
        if entry is None:
            accuracy_rows.append({"model": name, "entry": None, "headlined": False})
            continue
        accuracy_rows.append(
            {
                "model": _("plain mean of positions") if name == table.baseline else name,
                "entry": entry,
                "baseline": name == table.baseline,
                "headlined": name != table.baseline and entry["mae"] <= base,
            }
        )
    return Section(
        "methods",
        _("Methods and limits"),
        "methods.html.j2",
        {
            "models": models,
            "run": run,
            "agreement": AGREEMENT,
            "confidence": CONFIDENCE,
            "accuracy": accuracy_rows,
            "estimative": assessment.ESTIMATIVE,
            "stale_days": assessment.STALE_DAYS,
            "absent": [_absent_text(a, _) for a in run.absent],
        },
    )


def _absent_text(absent: Any, _: Gettext) -> str:
    """A left-out capability in plain words (no file paths or module names)."""
    texts = {
        "alignment": _(
            "Alignment of the region's states in UN votes: the UN voting data are not "
            "installed (minilateral data import)."
        ),
        "sweep": _("Monte Carlo sweeps: the Monte Carlo engine is not installed."),
    }
    if absent.capability == "mediation":
        return _("Mediation: {reason}.").format(reason=_(absent.reason))
    return texts.get(absent.capability, absent.capability)


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
    panels,
    narratives,
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
