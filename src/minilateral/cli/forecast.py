"""``minilateral forecast``, ``models`` and ``validate``."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from minilateral.api import forecast as run_forecast
from minilateral.api import load_scenario
from minilateral.cli._app import cli_errors, err_console, model_options, out_console, parse_scale
from minilateral.errors import OptionError, ScenarioValidationError
from minilateral.forecast import Forecast, dumps_json
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
    fmt: Annotated[str, typer.Option("--format", help="table or json.")] = "table",
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
    """Forecast the outcome of a negotiation with one model."""
    if fmt not in ("table", "json"):
        raise typer.BadParameter("must be 'table' or 'json'", param_hint="--format")
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
    if fmt == "json":
        sys.stdout.write(dumps_json(payload) + "\n")
        return
    table = Table(title=f"{scenario.title} — {model}")
    for col in ("issue", "outcome", "scale", "low end", "high end"):
        table.add_column(col, justify="right" if col == "outcome" else "left")
    for issue, value in zip(scenario.issues, payload["outcome"], strict=True):
        table.add_row(
            issue.name,
            "—" if value is None else f"{value:.3f}",
            f"{issue.lo:g}–{issue.hi:g}",
            issue.lo_label or "",
            issue.hi_label or "",
        )
    out_console.print(table)
    if model_class(model).dynamic:
        out_console.print(f"rounds: {payload['rounds']}, converged: {payload['converged']}")


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


def models() -> None:
    """List the registered models with their options."""
    table = Table(title="models")
    table.add_column("name", no_wrap=True)
    table.add_column("description")
    table.add_column("options", overflow="fold")
    for name, cls in available_models().items():
        opts = "\n".join(spec.describe() for spec in cls.option_specs()) or "—"
        table.add_row(name, cls.summary, opts)
    out_console.print(table)


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
