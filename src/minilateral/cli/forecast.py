"""``minilateral forecast``, ``models`` and ``validate``."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated, Any

import typer

from minilateral.api import forecast as run_forecast
from minilateral.api import load_scenario
from minilateral.cli._app import cli_errors, err_console, model_options, out_console, parse_scale
from minilateral.cli._output import FormatOpt, emit, print_table, write_data
from minilateral.errors import OptionError, ScenarioValidationError
from minilateral.forecast import Forecast
from minilateral.models.registry import available_models, model_class, model_option_problems
from minilateral.scenario import Scenario

__all__ = ["register"]

SourceArg = Annotated[str, typer.Argument(help="A scenario file, or a name from the library.")]
InputFormat = Annotated[
    str | None, typer.Option("--input-format", help="Reader to use instead of guessing.")
]
Scale = Annotated[
    str | None, typer.Option("--scale", help="Issue scale LO,HI for single-issue tables.")
]


def forecast(
    source: SourceArg,
    model: Annotated[str, typer.Option("--model", "-m", help="Model name (see `models`).")] = (
        "compromise"
    ),
    set_: Annotated[
        list[str] | None, typer.Option("--set", help="Model option KEY=VALUE (repeatable).")
    ] = None,
    rounds: Annotated[
        int | None, typer.Option("--rounds", min=0, help="Cap on rounds (dynamic models).")
    ] = None,
    input_format: InputFormat = None,
    scale: Scale = None,
    fmt: FormatOpt = "table",
    seed: Annotated[int | None, typer.Option("--seed", help="Seed for stochastic models.")] = None,
    trajectory_out: Annotated[
        Path | None, typer.Option("--trajectory-out", help="Write the trajectory CSV here.")
    ] = None,
    save: Annotated[
        bool, typer.Option("--save", help="Record the run in the database (see `runs list`).")
    ] = False,
    db_url: Annotated[
        str | None, typer.Option("--db-url", help="Database for --save (default: user data dir).")
    ] = None,
) -> None:
    """Forecast the outcome of a negotiation with one model.

    ``--format json`` is the whole result (outcome, diagnostics, provenance); ``--format csv``
    the table: one row per issue with its outcome, scale, rounds and convergence.
    """
    options = model_options(model, set_, rounds)
    scenario = load_scenario(source, input_format=input_format, scale=parse_scale(scale))
    started = dt.datetime.now(dt.UTC)
    result = run_forecast(scenario, model, options=options, seed=seed)
    if trajectory_out is not None:
        if result.trajectory is None:
            raise OptionError(
                f"model '{model}' is static and has no trajectory", field="trajectory-out"
            )
        result.write_trajectory_csv(trajectory_out, source=Path(source).name)
    payload = result.to_dict(scenario={"title": scenario.title, "sha256": scenario.sha256()})
    if save:
        run_id = _save(scenario, result, payload, source, started, db_url)
        err_console.print(f"saved as run {run_id}")
    if write_data(fmt, lambda: forecast_rows(result, scenario), payload=payload):
        return
    rows = forecast_rows(result, scenario)
    for row in rows:
        row["Scale"] = f"{row['Scale low']:g}–{row['Scale high']:g}"
    shown = ("Issue", "Outcome", "Scale", "Low end", "High end")
    print_table(rows, title=f"{scenario.title} — {model}", columns=shown)
    if model_class(model).dynamic:
        out_console.print(f"rounds: {payload['rounds']}, converged: {payload['converged']}")


def forecast_rows(result: Forecast, scenario: Scenario) -> list[dict[str, Any]]:
    """The forecast table of batch member 0 (from :meth:`Forecast.to_frame`), one row per
    issue: outcome on the issue's own scale, the scale and its end labels, rounds, converged."""
    from minilateral.cli._output import frame_rows

    issues = {issue.name: issue for issue in scenario.issues}
    rows = []
    for rec in frame_rows(result.to_frame(0)):
        issue = issues[rec["issue"]]
        rows.append(
            {
                "Issue": rec["issue"],
                "Outcome": rec["outcome"],
                "Scale low": issue.lo,
                "Scale high": issue.hi,
                "Low end": issue.lo_label or "",
                "High end": issue.hi_label or "",
                "Rounds": rec["rounds"],
                "Converged": rec["converged"],
            }
        )
    return rows


def _save(
    scenario: Scenario,
    result: Forecast,
    payload: dict[str, Any],
    source: str,
    started: dt.datetime,
    db_url: str | None,
) -> int:
    """Record a forecast in the store (imported here: the store is needed only with --save)."""
    from minilateral.store.db import Database
    from minilateral.store.repository import save_run

    db = Database.connect(db_url)
    try:
        return save_run(
            scenario,
            model=result.model,
            options=payload["options"],
            seed=result.provenance.get("seed"),
            results=[
                result.to_dict(i, scenario=payload["scenario"]) for i in range(result.batch_size)
            ],
            provenance=payload["provenance"],
            source=Path(source).stem if Path(source).suffix else source,
            started_at=started,
            db=db,
        )
    finally:
        db.dispose()


def models(fmt: FormatOpt = "table") -> None:
    """List the registered models with their options."""
    rows = [
        {
            "Model": name,
            "Description": cls.summary,
            "Options": "\n".join(spec.describe() for spec in cls.option_specs()) or "—",
        }
        for name, cls in available_models().items()
    ]
    if fmt == "table":
        print_table(rows, title="Models", no_wrap=("Model",))
        return
    for row in rows:  # one line per option in the table; "; " between them in a file
        row["Options"] = "; ".join(row["Options"].splitlines())
    emit(fmt, rows)


def validate(
    file: Annotated[Path, typer.Argument(help="Scenario file to check.")],
    input_format: InputFormat = None,
    scale: Scale = None,
) -> None:
    """Check a scenario file; report every problem with its line and field."""
    scenario = load_scenario(file, input_format=input_format, scale=parse_scale(scale))
    problems = model_option_problems(scenario.model_options)
    if problems:
        raise ScenarioValidationError(problems, path=file)
    out_console.print(
        f"[green]ok[/]: {file}: '{scenario.title}', {len(scenario.actors)} actors, "
        f"{len(scenario.issues)} issues"
    )


def register(app: typer.Typer) -> None:
    """Attach the commands of this module to ``app``."""
    app.command("forecast")(cli_errors(forecast))
    app.command("models")(cli_errors(models))
    app.command("validate")(cli_errors(validate))
