"""``minilateral evaluate``: accuracy of models on known outcomes (DEU III or a user's set)."""

from __future__ import annotations

import sys
import warnings
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from minilateral.cli._app import cli_errors, out_console, parse_sets
from minilateral.errors import ConvergenceWarning, OptionError
from minilateral.evaluation import (
    BASE_MODELS,
    CAPABILITIES,
    DeuReport,
    accuracy_payload,
    calibrate_all,
    cross_validate_deu,
    cross_validate_outcomes,
    deu_table,
    evaluate_deu,
    evaluate_outcomes,
    noise_preset_payload,
    write_json,
)
from minilateral.forecast import dumps_json
from minilateral.io.deu import read_deu

__all__ = ["register"]

evaluate_app = typer.Typer(
    rich_markup_mode=None,
    help="Score models against observed outcomes.",
    no_args_is_help=True,
    add_completion=False,
)

FormatOpt = Annotated[str, typer.Option("--format", help="table or json.")]
ModelOpt = Annotated[str, typer.Option("--model", "-m", help="Model name (see `models`).")]
SetOpt = Annotated[
    list[str] | None, typer.Option("--set", help="Model option KEY=VALUE (repeatable).")
]


def _check_format(fmt: str) -> None:
    if fmt not in ("table", "json"):
        raise OptionError(f"--format must be 'table' or 'json', got '{fmt}'", field="format")


def _emit(payload: Any) -> None:
    sys.stdout.write(dumps_json(payload) + "\n")


def _share(value: float | None) -> str:
    return "—" if value is None else f"{value:.3f}"


def _cv_table(result: dict[str, Any], title: str) -> None:
    table = Table(title=title)
    for col in ("candidate", "MAE (out of sample)", "median AE"):
        table.add_column(col, justify="left" if col == "candidate" else "right")
    for c in result["candidates"]:
        table.add_row(c["predictor"], f"{c['mae']:.2f}", f"{c['median_ae']:.2f}")
    out_console.print(table)
    best = result["best"]
    out_console.print(
        f"best: {best['predictor']} (MAE {best['mae']:.2f}); {result['n']} issues in "
        f"{result['groups']} groups, {result['folds']} folds, seed {result['seed']}"
    )


def _report_row(table: Table, label: str, r: DeuReport) -> None:
    d = r.details
    rounds = d.get("mean_rounds")
    table.add_row(
        label,
        str(r.n),
        f"{r.mae:.2f}",
        f"{r.median_ae:.2f}",
        _share(d.get("within_5")),
        _share(d.get("within_10")),
        "—" if rounds is None else f"{rounds:.1f}",
    )


def _report_table(title: str) -> Table:
    table = Table(title=title)
    for col in ("predictor", "n", "MAE", "median AE", "AE ≤ 5", "AE ≤ 10", "mean rounds"):
        table.add_column(col, justify="left" if col == "predictor" else "right")
    return table


def deu(
    path: Annotated[Path, typer.Argument(help="The DEU III file (tab-separated, spec §6.1).")],
    model: ModelOpt = "compromise",
    set_: SetOpt = None,
    capability: Annotated[
        str, typer.Option("--capability", help="equal, gdp (the GDP row) or council (votes).")
    ] = "equal",
    min_actors: Annotated[
        int, typer.Option("--min-actors", min=1, help="Fewest participants an issue needs.")
    ] = 3,
    all_models: Annotated[
        bool,
        typer.Option("--all", help="Every registered model under every capability option."),
    ] = False,
    cv: Annotated[
        int | None,
        typer.Option(
            "--cv",
            min=2,
            help="Cross-validate the candidates of docs/accuracy.md with K folds by proposal.",
        ),
    ] = None,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the fold assignment.")] = 0,
    write_accuracy: Annotated[
        Path | None,
        typer.Option(
            "--write-accuracy",
            help="With --all: also calibrate every model (slow) and write the accuracy file.",
        ),
    ] = None,
    write_noise_preset: Annotated[
        Path | None,
        typer.Option(
            "--write-noise-preset",
            help="With --all: also fit and write the EU legislative noise preset (slow).",
        ),
    ] = None,
    fmt: FormatOpt = "table",
) -> None:
    """Forecast every DEU issue and report n, MAE and median AE (0–100)."""
    _check_format(fmt)
    if capability not in CAPABILITIES:
        raise OptionError(
            f"--capability must be one of {', '.join(CAPABILITIES)}, got '{capability}'",
            field="capability",
        )
    if (write_accuracy or write_noise_preset) and not all_models:
        raise OptionError("--write-accuracy and --write-noise-preset need --all", field="all")
    data = read_deu(path)
    if cv is not None:
        result = cross_validate_deu(data, folds=cv, seed=seed)
        if fmt == "json":
            _emit(result)
        else:
            _cv_table(result, f"Cross-validated by proposal ({cv} folds)")
        return
    if all_models:
        table = deu_table(data, BASE_MODELS, CAPABILITIES)
        if write_accuracy or write_noise_preset:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ConvergenceWarning)
                calibrations = calibrate_all(data)
            if write_accuracy:
                write_json(accuracy_payload(data, table, calibrations), write_accuracy)
                out_console.print(f"wrote {write_accuracy}")
            if write_noise_preset:
                preset = noise_preset_payload(data, table, calibrations["compromise"]["council"])
                write_json(preset, write_noise_preset)
                out_console.print(f"wrote {write_noise_preset}")
            return
        if fmt == "json":
            _emit([r.to_dict() for r in table.reports.values()])
            return
        out = _report_table("DEU accuracy — every model and capability option")
        for label, r in table.reports.items():
            _report_row(out, label, r)
        out_console.print(out)
        return
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        report = evaluate_deu(
            data, model, options=parse_sets(set_), capability=capability, min_actors=min_actors
        )
    if fmt == "json":
        _emit(report.to_dict())
        return
    d = report.details
    out = Table(title=f"DEU accuracy — {model} ({capability} capabilities)")
    for col in ("n", "MAE", "median AE", "AE ≤ 5", "AE ≤ 10"):
        out.add_column(col, justify="right")
    out.add_row(
        str(report.n),
        f"{report.mae:.2f}",
        f"{report.median_ae:.2f}",
        _share(d["within_5"]),
        _share(d["within_10"]),
    )
    out_console.print(out)
    opts = " ".join(f"{k}={v}" for k, v in report.options.items()) or "(none)"
    out_console.print(f"options: {opts}")
    out_console.print(
        f"issues in file: {d['issues_in_file']}; skipped: {d['skipped_invalid_outcome']} invalid "
        f"outcome, {d['skipped_too_few_actors']} with fewer than {min_actors} actors; "
        f"no forecast: {d['no_forecast']}"
    )
    if "mean_rounds" in d and d["mean_rounds"] is not None:
        out_console.print(f"mean stopping round: {d['mean_rounds']:.2f}")
    if d.get("proposals_capped"):
        out_console.print(
            f"proposals where the round cap bound (or the run stopped early): "
            f"{d['proposals_capped']}"
        )


def outcomes(
    path: Annotated[
        Path,
        typer.Argument(help="Outcomes table: CSV with scenario, issue, outcome[, group]."),
    ],
    model: ModelOpt = "compromise",
    set_: SetOpt = None,
    cv: Annotated[
        int | None,
        typer.Option(
            "--cv", min=2, help="Cross-validate every model and the combinations, K folds by group."
        ),
    ] = None,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the fold assignment.")] = 0,
    fmt: FormatOpt = "table",
) -> None:
    """Score a model on your own historical cases: scenario files plus an outcomes table."""
    _check_format(fmt)
    if cv is not None:
        result = cross_validate_outcomes(path, folds=cv, seed=seed)
        if fmt == "json":
            _emit(result)
        else:
            _cv_table(result, f"Cross-validated by group ({cv} folds)")
        return
    report = evaluate_outcomes(path, model, options=parse_sets(set_))
    if fmt == "json":
        payload = report.to_dict()
        payload["errors"] = report.errors
        payload["forecasts"] = report.forecasts
        _emit(payload)
        return
    table = Table(title=f"Accuracy on {path.name} — {model}")
    for col in ("case", "forecast", "error (% of scale)"):
        table.add_column(col, justify="left" if col == "case" else "right")
    for key, err in report.errors.items():
        table.add_row(key, f"{report.forecasts[key]:.2f}", f"{err:.2f}")
    out_console.print(table)
    out_console.print(
        f"n {report.n}; mean error {report.mae:.2f} and median error {report.median_ae:.2f} "
        f"(percent of each issue's scale); no forecast: {report.details['no_forecast']}"
    )


def register(app: typer.Typer) -> None:
    """Attach ``evaluate`` and its sub-commands to ``app``."""
    evaluate_app.command("deu")(cli_errors(deu))
    evaluate_app.command("outcomes")(cli_errors(outcomes))
    app.add_typer(evaluate_app, name="evaluate")
