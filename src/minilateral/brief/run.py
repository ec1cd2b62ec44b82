"""The computations behind a brief: forecasts, sweeps and the optional capabilities.

:func:`run_brief` loads the scenarios, runs every model, the sweeps and whatever optional
capability is installed, and returns a :class:`BriefRun`. Its :meth:`BriefRun.results` is the
``results.json`` of the brief: every number the brief shows is read from it.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from minilateral.accuracy import CAPABILITY, accuracy_table
from minilateral.api import forecast, load_scenario
from minilateral.brief.assessment import assess_theatre
from minilateral.brief.capabilities import (
    MEDIATION_DRAWS,
    Absent,
    AlignmentData,
    alignment_data,
    mediation_ranking,
    sweep_summary,
)
from minilateral.errors import OptionError
from minilateral.models.registry import available_models, model_class
from minilateral.provenance import package_version
from minilateral.scenario import Scenario

__all__ = ["DEFAULT_MODELS", "BriefRun", "Theatre", "default_models", "run_brief", "sweep_models"]

#: Models of a brief when none are named: those of this list that are registered.
DEFAULT_MODELS = ("compromise", "nash", "bdm", "smp")

Progress = Callable[[str], None]


def default_models() -> list[str]:
    """:data:`DEFAULT_MODELS` that exist in this installation."""
    registered = set(available_models())
    return [m for m in DEFAULT_MODELS if m in registered]


def sweep_models(models: Sequence[str]) -> list[str]:
    """The models a brief sweeps by default: all of them (confidence needs every model)."""
    return list(models)


@dataclass
class Theatre:
    """One scenario of the brief and its results (JSON forms, as in ``results.json``)."""

    name: str
    scenario: Scenario
    forecasts: dict[str, dict[str, Any]]
    trajectories: dict[str, list[Any]] = field(default_factory=dict)
    sweeps: dict[str, dict[str, Any]] = field(default_factory=dict)
    mediation: dict[str, Any] | None = None
    assessment: dict[str, Any] = field(default_factory=dict)


@dataclass
class BriefRun:
    """Everything a brief shows, computed once."""

    title: str
    org: str
    date: dt.date
    models: list[str]
    seed: int
    draws: int
    sweep_models: list[str]
    theatres: list[Theatre]
    alignment: AlignmentData | None = None
    absent: list[Absent] = field(default_factory=list)
    command: str = ""
    panels: list[dict[str, Any]] = field(default_factory=list)
    narratives: dict[str, Any] | None = None
    version: str = field(default_factory=package_version)

    def results(self) -> dict[str, Any]:
        """The ``results.json`` of the brief (the demo's format, with sweeps and alignment)."""
        return {
            "minilateral": self.version,
            "models": self.models,
            "seed": self.seed,
            "draws": self.draws,
            "sweep_models": self.sweep_models,
            "command": self.command,
            "scenarios": [
                {
                    "name": t.name,
                    "title": t.scenario.title,
                    "sha256": t.scenario.sha256(),
                    "forecasts": [t.forecasts[m] for m in self.models],
                    "sweeps": [t.sweeps[m] for m in self.sweep_models if m in t.sweeps],
                    "mediation": t.mediation,
                    "assessment": t.assessment,
                }
                for t in self.theatres
            ],
            "alignment": None if self.alignment is None else self.alignment.to_dict(),
            "panels": self.panels,
            "narratives": self.narratives,
            "absent": [{"capability": a.capability, "reason": a.reason} for a in self.absent],
            "accuracy": {
                "capability": CAPABILITY,
                "source": accuracy_table().source,
                "generated_by": accuracy_table().generated_by,
                "baseline": accuracy_table().baseline,
                "models": {
                    m: accuracy_table().entry(m, CAPABILITY)
                    for m in [accuracy_table().baseline, *self.models]
                },
            },
        }


def _name(source: str | Path) -> str:
    path = Path(source)
    return path.stem if path.suffix else str(source)


def _trajectory(fc: Any) -> list[Any] | None:
    if fc.trajectory is None:
        return None
    return fc.trajectory[:, 0].tolist()  # (T+1, N, D), own scale


def run_brief(
    sources: Sequence[str | Path],
    *,
    models: Sequence[str] | None = None,
    draws: int = 0,
    seed: int = 0,
    swept: Sequence[str] | None = None,
    title: str | None = None,
    org: str = "",
    date: dt.date | None = None,
    command: str = "",
    forecasts: dict[str, dict[str, dict[str, Any]]] | None = None,
    mediation: dict[str, dict[str, Any]] | None = None,
    mediation_draws: int = MEDIATION_DRAWS,
    alignment: bool = True,
    data_root: str | Path | None = None,
    workdir: str | Path | None = None,
    progress: Progress | None = None,
    panels: Sequence[dict[str, Any]] | None = None,
    narratives: dict[str, Any] | None = None,
    lang: str | None = None,
) -> BriefRun:
    """Compute the content of a brief.

    Parameters
    ----------
    sources : sequence of str or Path
        Scenario files or library names, one theatre each.
    models : sequence of str, optional
        Registered models to run; default :func:`default_models`.
    draws : int, default=0
        Monte Carlo draws per swept model and theatre; 0 runs no sweep.
    seed : int, default=0
        Seed of the forecasts of stochastic models and of the sweeps.
    swept : sequence of str, optional
        Models to sweep; default all of ``models`` (:func:`sweep_models`).
    title, org : str, optional
        Title page: the brief's title (default: the scenario's title for one theatre, else
        "Regional security outlook: N theatres" in the brief's language) and the authoring
        organisation.
    date : datetime.date, optional
        Date on the title page; default today (UTC).
    command : str
        The command line, for the reproducibility block.
    forecasts : dict, optional
        Forecasts already computed (``{theatre: {model: Forecast.to_dict()}}``, as the demo
        has them); missing ones are computed.
    mediation : dict, optional
        Coalition searches already computed (``{theatre: CoalitionSearch.to_dict()}``); for the
        other theatres the mediation package runs one when it is installed.
    mediation_draws : int, default=100
        Monte Carlo draws of each coalition search.
    alignment : bool, default=True
        Include the regional alignment section when the data are installed.
    data_root : str or Path, optional
        Data directory of the alignment tables (default: ``MINILATERAL_DATA_DIR``).
    workdir : str or Path, optional
        Where sweeps write their Parquet files (default: a temporary directory, removed).
    progress : callable, optional
        ``progress(label)`` before each step.
    panels : sequence of dict, optional
        Expert panels to report, each :func:`~minilateral.brief.capabilities.panel_data`
        (who coded, alpha, disputed cells); the panel section appears only with one.
    narratives : dict, optional
        :func:`~minilateral.brief.capabilities.narrative_data` of the analyst's corpus; the
        narrative-monitor section appears only with it.
    lang : str, optional
        Language of the brief: each scenario's ``translations:`` for it (titles, issue and end
        labels, actor names) are applied before anything runs (:meth:`.Scenario.localized`).
    """
    models = list(models) if models is not None else default_models()
    registered = set(available_models())
    unknown = [m for m in models if m not in registered]
    if unknown:
        raise OptionError(
            f"unknown model(s) {', '.join(unknown)}; available: {', '.join(sorted(registered))}",
            field="models",
        )
    if not models:
        raise OptionError("a brief needs at least one model", field="models")
    if draws < 0:
        raise OptionError(f"draws must be 0 or more, got {draws}", field="draws")
    swept_models = list(swept) if swept is not None else sweep_models(models)
    if draws == 0:
        swept_models = []
    scenarios = [(_name(s), load_scenario(s)) for s in sources]
    if lang:
        scenarios = [(name, scenario.localized(lang)) for name, scenario in scenarios]
    if not scenarios:
        raise OptionError("name at least one scenario", field="sources")
    absent: list[Absent] = []
    theatres = []
    with tempfile.TemporaryDirectory(prefix="minilateral-brief-") as tmp:
        work = Path(workdir) if workdir is not None else Path(tmp)
        for name, scenario in scenarios:
            meta = {"title": scenario.title, "sha256": scenario.sha256()}
            done = (forecasts or {}).get(name, {})
            theatre = Theatre(name=name, scenario=scenario, forecasts={})
            for model in models:
                if progress:
                    progress(f"{name}: {model}")
                if model in done and not model_class(model).dynamic:
                    theatre.forecasts[model] = done[model]
                    continue
                fc = forecast(scenario, model, seed=seed)
                theatre.forecasts[model] = done.get(model) or fc.to_dict(scenario=meta)
                traj = _trajectory(fc)
                if traj is not None:
                    theatre.trajectories[model] = traj
            for model in swept_models:
                if progress:
                    progress(f"{name}: sweep of {model} ({draws} draws)")
                summary = sweep_summary(scenario, model, draws=draws, seed=seed, workdir=work)
                if isinstance(summary, Absent):
                    absent.append(summary)
                    break
                theatre.sweeps[model] = summary
            if mediation and name in mediation:
                ranking: dict[str, Any] | Absent = mediation[name]
            else:
                if progress:
                    progress(f"{name}: mediating coalitions")
                ranking = mediation_ranking(scenario, draws=mediation_draws, seed=seed)
            if isinstance(ranking, Absent):
                absent.append(ranking)
            else:
                theatre.mediation = ranking
            theatres.append(theatre)
    align = None
    if alignment:
        if progress:
            progress("regional alignment")
        data = alignment_data(root=data_root)
        if isinstance(data, Absent):
            absent.append(data)
        else:
            align = data
    if title is None and len(scenarios) == 1:
        title = scenarios[0][1].title
    unique = list({(a.capability, a.reason): a for a in absent}.values())
    date = date or dt.datetime.now(dt.UTC).date()
    for theatre in theatres:
        theatre.assessment = assess_theatre(
            theatre.scenario,
            models,
            theatre.forecasts,
            theatre.sweeps,
            theatre.trajectories,
            date,
        )
    return BriefRun(
        title=title or "",
        org=org,
        date=date,
        models=models,
        seed=seed,
        draws=draws,
        sweep_models=[m for m in swept_models if all(m in t.sweeps for t in theatres)],
        theatres=theatres,
        alignment=align,
        absent=unique,
        command=command,
        panels=list(panels or []),
        narratives=narratives,
    )
