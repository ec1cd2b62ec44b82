"""``minilateral demo``: every library scenario through every registered model.

Writes ``results.json`` (all forecasts, with provenance) and ``index.html`` (a summary page with
one Plotly chart per scenario; ``plotly.min.js`` is written beside it from the installed
``plotly`` package, so the page makes no network request). For every scenario that lists
candidate mediators, a mediation section ranks their coalitions of one to three members
(``bdm``, :data:`MEDIATION_DRAWS` draws, seed 0; scenario capabilities as leverage). Then it
writes the dialogue brief of the same results as ``brief.html`` and ``brief.pdf``
(:mod:`minilateral.brief`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from jinja2 import Environment, PackageLoader, select_autoescape

from minilateral.api import forecast, load_scenario
from minilateral.errors import MissingDependencyError
from minilateral.forecast import dumps_json
from minilateral.i18n import N_
from minilateral.library import list_scenarios
from minilateral.mediation.coalitions import CoalitionSearch, search_theatre
from minilateral.models.registry import available_models
from minilateral.presentation.coalitions import (
    acceptance_heatmap,
    coalition_chart,
    coalition_rows,
    issue_chart,
)
from minilateral.provenance import package_version
from minilateral.scenario import Scenario

__all__ = ["DEMO_PAGES", "MEDIATION_DRAWS", "DemoResult", "run_demo"]

log = logging.getLogger(__name__)

Progress = Callable[[int, int, str], None]
MEDIATION_DRAWS = 100
"""Monte Carlo draws of the demo's coalition searches (kept small so the demo stays fast)."""


@dataclass
class DemoResult:
    """Forecasts of the demo: per scenario name, the JSON form of each model's forecast."""

    models: list[str]
    scenarios: dict[str, Scenario] = field(default_factory=dict)
    forecasts: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)
    mediation: dict[str, CoalitionSearch] = field(default_factory=dict)
    alignment: dict[str, Any] | None = None

    def rows(self, name: str) -> list[list[str]]:
        """Table rows of scenario ``name``: the model, then its outcome per issue."""
        out = []
        for model in self.models:
            values = self.forecasts[name][model]["outcome"]
            out.append([model, *("—" if v is None else f"{v:.1f}" for v in values)])
        return out


def _chart(scenario: Scenario, forecasts: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """A Plotly figure: actors' positions per issue (size ~ capability × salience) and outcomes."""
    arrays = scenario.to_arrays()
    z = 100 * arrays.unit_positions()[0]
    w = arrays.weights()[0]
    size = 6 + 30 * np.sqrt(w / w.max()) if w.max() > 0 else np.full_like(w, 10.0)
    xs, ys, sizes, texts = [], [], [], []
    for i, actor in enumerate(scenario.actors):
        for q, issue in enumerate(scenario.issues):
            if arrays.mask[0, i, q]:
                xs.append(float(z[i, q]))
                ys.append(issue.display_name)
                sizes.append(float(size[i, q]))
                texts.append(
                    f"{actor.name}: {actor.positions[issue.name]:g} "
                    f"(salience {actor.salience[issue.name]:.2f}, capability {actor.capability:g})"
                )
    traces: list[dict[str, Any]] = [
        {
            "type": "scatter",
            "mode": "markers",
            "name": "actors",
            "x": xs,
            "y": ys,
            "text": texts,
            "hoverinfo": "text",
            "marker": {
                "size": sizes,
                "color": "rgba(90,90,90,0.35)",
                "line": {"color": "#444", "width": 1},
            },
        }
    ]
    symbols = ["diamond", "star", "triangle-up", "square", "x", "cross", "pentagon", "hexagon"]
    for k, (model, result) in enumerate(forecasts.items()):
        xs_m, ys_m = [], []
        for q, issue in enumerate(scenario.issues):
            value = result["outcome"][q]
            if value is not None:
                xs_m.append(100 * (value - issue.lo) / (issue.hi - issue.lo))
                ys_m.append(issue.display_name)
        traces.append(
            {
                "type": "scatter",
                "mode": "markers",
                "name": model,
                "x": xs_m,
                "y": ys_m,
                "marker": {"size": 14, "symbol": symbols[k % len(symbols)]},
            }
        )
    layout = {
        "margin": {"l": 140, "r": 20, "t": 10, "b": 50},
        "height": 120 + 70 * len(scenario.issues),
        "xaxis": {
            "title": {"text": "position (% of the issue scale: 0 = low end, 100 = high end)"},
            "range": [-3, 103],
        },
        "yaxis": {
            "automargin": True,
            "categoryorder": "array",
            "categoryarray": [q.display_name for q in scenario.issues][::-1],
        },
        "legend": {"orientation": "h", "y": -0.35},
    }
    return {"data": traces, "layout": layout}


#: The pages the demo may write beside ``index.html``; the index links each one written.
DEMO_PAGES = ("brief.html", "brief.pdf", "alignment.html", "results.json")


def run_demo(
    out: str | Path,
    *,
    progress: Progress | None = None,
    brief: bool = True,
    lang: str = "en",
    digits: str = "latn",
) -> DemoResult:
    """Forecast every library scenario with every registered model and write the outputs.

    With ``brief``, also write ``brief.html`` and ``brief.pdf`` from the same forecasts.
    ``lang`` (``en``, ``tr``, ``ar``) is the language of the page and the brief: the scenarios'
    ``translations:`` for it are applied before anything runs; ``digits`` (``latn`` or
    ``arab``) the digits of their numbers.
    """
    from minilateral.i18n import check_digits, check_language

    lang = check_language(lang)
    check_digits(digits)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    models = list(available_models())
    entries = list_scenarios()
    result = DemoResult(models=models)
    total, done = len(entries) * (len(models) + 1), 0
    for entry in entries:
        scenario = load_scenario(entry.path).localized(lang)
        result.scenarios[entry.name] = scenario
        meta = {"title": scenario.title, "sha256": scenario.sha256()}
        result.forecasts[entry.name] = {}
        for model in models:
            if progress:
                progress(done, total, f"{entry.name}: {model}")
            fc = forecast(scenario, model, seed=0)
            result.forecasts[entry.name][model] = fc.to_dict(scenario=meta)
            done += 1
        if "bdm" in models:
            if progress:
                progress(done, total, f"{entry.name}: mediating coalitions")
            search, absent = search_theatre(scenario, draws=MEDIATION_DRAWS, seed=0)
            if search is not None:
                if absent:
                    search.provenance["notes"].append(
                        f"{', '.join(absent)} left out: not an actor of the scenario and no "
                        "leverage in its mediation block (give mediation: members: CODE: "
                        "leverage, or use minilateral coalitions --leverage-source data)"
                    )
                result.mediation[entry.name] = search
        done += 1
    if progress:
        progress(done, total, "alignment data")
    from minilateral.presentation.alignment_demo import data_section

    result.alignment = data_section(out)
    if progress:
        progress(done, total, "writing")
    payload = {
        "minilateral": package_version(),
        "models": models,
        "scenarios": [
            {
                "name": name,
                "title": result.scenarios[name].title,
                "forecasts": list(result.forecasts[name].values()),
                "mediation": (
                    result.mediation[name].to_dict() if name in result.mediation else None
                ),
            }
            for name in result.scenarios
        ],
        "alignment": result.alignment,
    }
    (out / "results.json").write_text(dumps_json(payload, indent=1), encoding="utf-8")
    if brief:
        if progress:
            progress(done, total, "brief")
        _write_brief(out, result, lang, digits)
    _write_html(out, result, lang, digits)  # last, so that it links exactly the pages written
    return result


def _write_brief(out: Path, result: DemoResult, lang: str = "en", digits: str = "latn") -> None:
    from minilateral.brief import default_models, run_brief, write_brief

    run = run_brief(
        list(result.scenarios),
        models=default_models(),
        seed=0,
        forecasts=result.forecasts,
        mediation={name: search.to_dict() for name, search in result.mediation.items()},
        command=f"minilateral demo --out {out}" + (f" --lang {lang}" if lang != "en" else ""),
    )
    write_brief(run, out / "brief.html", lang=lang, digits=digits)
    try:
        write_brief(run, out / "brief.pdf", lang=lang, digits=digits)
    except MissingDependencyError as err:
        log.warning("brief.pdf not written: %s", err)


def _mediation_view(
    search: CoalitionSearch | None, gettext: Callable[[str], str] = str
) -> dict[str, Any] | None:
    """Table rows, bar chart and notes of a scenario's coalition search (top 10 shown).

    ``gettext`` translates the explanations (the page's catalogue; identity in English).
    """
    if search is None:
        return None
    _ = gettext
    header, rows = coalition_rows(search)
    base = search.baseline.summary
    if search.measure == "agreement":
        draws = search.provenance["draws"]
        texts = {
            "explain": _(
                "On {draws} common Monte Carlo draws, each coalition tables the package that "
                "maximises the product of the parties' gains over no deal, and brings its "
                "leverage, guarantees and information to the parties that accept it as a "
                "mediator. A draw counts as an agreement when every party prefers the package "
                "to no deal. Coalitions whose paired interval with the first covers zero are "
                "marked as tied with it."
            ).format(draws=draws),
            "chart_label": _("Agreement probability of each mediating coalition with its interval"),
            "second_note": _(
                "Each party's probability of accepting the package of each coalition."
            ),
            "second_label": _("Heat map of acceptance by party and coalition"),
        }
        second = acceptance_heatmap(search, top=10, gettext=_)
    else:
        texts = {
            "explain": _(
                "Each coalition enters as mediators at the parties' Nash point and the BDM "
                "model runs on common Monte Carlo draws; a draw settles when the model "
                "converges and the parties end within 10 % of the scale on every issue."
            ),
            "chart_label": _("Settlement probability of each mediating coalition"),
            "second_note": _(
                "Per issue: share of draws in which the parties end within the "
                "tolerance on that issue alone."
            ),
            "second_label": _("Settlement probability per issue of each mediating coalition"),
        }
        second = issue_chart(search, top=10)
    return {
        **texts,
        "header": header,
        # the agreement table's only word cell ("tied", :func:`.agreement_rows`)
        "rows": [[_("tied") if c == "tied" else c for c in row] for row in rows[:10]],
        "count": len(rows),
        "draws": search.provenance["draws"],
        "chart": dumps_json(coalition_chart(search, top=10, gettext=_)),
        "issue_chart": dumps_json(second),
        "baseline": f"{100 * base.probability:.1f} % [{100 * base.ci_low:.1f}, "
        f"{100 * base.ci_high:.1f}]",
        "issues": search.issues,
        "notes": search.provenance.get("notes", []),
    }


#: The coalition table's column names (:func:`.coalition_rows`), for translation.
HEADER_LABELS = {
    "rank": N_("rank"),
    "coalition": N_("coalition"),
    "settle %": N_("settle %"),
    "95% CI": N_("95% CI"),
    "per issue %": N_("per issue %"),
    "marginal (pp)": N_("marginal (pp)"),
    "shift %": N_("shift %"),
    "agreement %": N_("agreement %"),
    "95% interval": N_("95% interval"),
    "tied with first": N_("tied with first"),
    "acceptance % by party": N_("acceptance % by party"),
    "marginal value, points [95% interval]": N_("marginal value, points [95% interval]"),
    "to reach 50 %": N_("to reach 50 %"),
}


def _actor_name(scenario: Scenario, code: str) -> str:
    """The name of the scenario's actor with ``code`` (the code itself when none has it)."""
    return next((a.name for a in scenario.actors if (a.code or a.name) == code), code)


def _stale(scenario: Scenario, gettext: Any = str) -> str | None:
    """A warning when the scenario's newest event is more than six months old today."""
    import datetime as dt

    from minilateral.brief.assessment import staleness

    st = staleness(scenario, dt.datetime.now(dt.UTC).date())
    if not st["stale"]:
        return None
    if st.get("undated"):
        return gettext("Undated scenario: how recent its inputs are is unknown.")
    return gettext(
        "Out of date: the newest event it reflects is of {as_of}, {months} months ago."
    ).format(as_of=st["as_of"], months=st["age_days"] // 30)


def _write_html(out: Path, result: DemoResult, lang: str = "en", digits: str = "latn") -> None:
    from minilateral import i18n
    from minilateral.brief.render import LOCALE_DIR
    from minilateral.presentation import plotly_js as get_plotlyjs

    (out / "plotly.min.js").write_text(get_plotlyjs(), encoding="utf-8")
    env = Environment(
        loader=PackageLoader("minilateral", "templates"),
        autoescape=select_autoescape(["html", "j2"]),
        extensions=["jinja2.ext.i18n"],
    )
    cat = i18n.catalogue("brief", lang, LOCALE_DIR)
    env.install_gettext_translations(cat.translations, newstyle=True)  # type: ignore[attr-defined]
    env.filters["num"] = lambda v, decimals=None: i18n.format_number(
        v,
        cat.lang,
        decimals=decimals,
        digits=digits,  # type: ignore[arg-type]
    )
    sections = []
    for name, scenario in result.scenarios.items():
        sections.append(
            {
                "name": name,
                "scenario": scenario,
                "chart": dumps_json(_chart(scenario, result.forecasts[name])),
                "forecasts": result.forecasts[name],
                "mediation": _mediation_view(result.mediation.get(name), cat.gettext),
                "mediators": [_actor_name(scenario, c) for c in scenario.candidate_mediators],
                "stale": _stale(scenario, cat.gettext),
            }
        )
    html = env.get_template("demo.html.j2").render(
        sections=sections,
        models=result.models,
        version=package_version(),
        alignment=result.alignment,
        written={name for name in DEMO_PAGES if (out / name).is_file()},
        lang=cat.lang,
        direction=i18n.direction(cat.lang),
        # plain gettext: the labels hold literal percent signs
        header_labels={k: cat.gettext(v) for k, v in HEADER_LABELS.items()},
    )
    (out / "index.html").write_text(html, encoding="utf-8")
