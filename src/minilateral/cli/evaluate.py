"""``minilateral evaluate deu``: accuracy of a model on the DEU III outcomes (spec §6)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from minilateral.cli._app import cli_errors, out_console, parse_sets
from minilateral.errors import OptionError
from minilateral.evaluation import CAPABILITIES, evaluate_deu
from minilateral.forecast import dumps_json
from minilateral.io.deu import read_deu

__all__ = ["register"]

evaluate_app = typer.Typer(
    rich_markup_mode=None,
    help="Score models against observed outcomes.",
    no_args_is_help=True,
    add_completion=False,
)


def deu(
    path: Annotated[Path, typer.Argument(help="The DEU III file (tab-separated, spec §6.1).")],
    model: Annotated[str, typer.Option("--model", "-m", help="Model name (see `models`).")] = (
        "compromise"
    ),
    set_: Annotated[
        list[str] | None, typer.Option("--set", help="Model option KEY=VALUE (repeatable).")
    ] = None,
    capability: Annotated[
        str, typer.Option("--capability", help="equal, gdp (the GDP row) or council (votes).")
    ] = "equal",
    min_actors: Annotated[
        int, typer.Option("--min-actors", min=1, help="Fewest participants an issue needs.")
    ] = 3,
    fmt: Annotated[str, typer.Option("--format", help="table or json.")] = "table",
) -> None:
    """Forecast every DEU issue with one model and report n, MAE and median AE (0–100)."""
    if fmt not in ("table", "json"):
        raise OptionError(f"--format must be 'table' or 'json', got '{fmt}'", field="format")
    if capability not in CAPABILITIES:
        raise OptionError(
            f"--capability must be one of {', '.join(CAPABILITIES)}, got '{capability}'",
            field="capability",
        )
    data = read_deu(path)
    report = evaluate_deu(
        data, model, options=parse_sets(set_), capability=capability, min_actors=min_actors
    )
    if fmt == "json":
        sys.stdout.write(dumps_json(report.to_dict()) + "\n")
        return
    d = report.details
    table = Table(title=f"DEU accuracy — {model} ({capability} capabilities)")
    for col in ("n", "MAE", "median AE", "AE ≤ 5", "AE ≤ 10"):
        table.add_column(col, justify="right")
    share = "{:.3f}".format
    table.add_row(
        str(report.n),
        f"{report.mae:.2f}",
        f"{report.median_ae:.2f}",
        "—" if d["within_5"] is None else share(d["within_5"]),
        "—" if d["within_10"] is None else share(d["within_10"]),
    )
    out_console.print(table)
    opts = " ".join(f"{k}={v}" for k, v in report.options.items()) or "(none)"
    out_console.print(f"options: {opts}")
    out_console.print(
        f"issues in file: {d['issues_in_file']}; skipped: {d['skipped_invalid_outcome']} invalid "
        f"outcome, {d['skipped_too_few_actors']} with fewer than {min_actors} actors; "
        f"no forecast: {d['no_forecast']}"
    )
    if "mean_rounds" in d and d["mean_rounds"] is not None:
        out_console.print(f"mean stopping round: {d['mean_rounds']:.2f}")


def register(app: typer.Typer) -> None:
    """Attach ``evaluate`` and its sub-commands to ``app``."""
    evaluate_app.command("deu")(cli_errors(deu))
    app.add_typer(evaluate_app, name="evaluate")
