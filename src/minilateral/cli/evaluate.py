"""``minilateral evaluate``: accuracy of models on known outcomes (DEU III or a user's set)."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Annotated, Any

import typer

from minilateral.cli._app import cli_errors, out_console, parse_sets
from minilateral.cli._output import FormatOpt, print_table, write_data
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
from minilateral.io.deu import read_deu

__all__ = ["register"]

evaluate_app = typer.Typer(
    rich_markup_mode=None,
    help="Score models against observed outcomes.",
    no_args_is_help=True,
    add_completion=False,
)

ModelOpt = Annotated[str, typer.Option("--model", "-m", help="Model name (see `models`).")]
SetOpt = Annotated[
    list[str] | None, typer.Option("--set", help="Model option KEY=VALUE (repeatable).")
]


def _cv_rows(result: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {"Candidate": c["predictor"], "MAE (out of sample)": c["mae"], "Median AE": c["median_ae"]}
        for c in result["candidates"]
    ]


def _cv(result: dict[str, Any], fmt: str, title: str) -> None:
    """Cross-validation: the candidates' out-of-sample errors, then the best one."""
    rows = _cv_rows(result)
    if write_data(fmt, rows, payload=result):
        return
    print_table(rows, title=title, digits=2)
    best = result["best"]
    out_console.print(
        f"best: {best['predictor']} (MAE {best['mae']:.2f}); {result['n']} issues in "
        f"{result['groups']} groups, {result['folds']} folds, seed {result['seed']}"
    )


def _report_row(label: str | None, r: DeuReport) -> dict[str, Any]:
    """One predictor's accuracy: n, MAE, median AE (0–100), shares within 5 and 10 points."""
    d = r.details
    row: dict[str, Any] = {} if label is None else {"Predictor": label}
    row.update(
        {
            "Issues": r.n,
            "MAE": r.mae,
            "Median AE": r.median_ae,
            "Share AE ≤ 5": d.get("within_5"),
            "Share AE ≤ 10": d.get("within_10"),
        }
    )
    if label is not None:
        row["Mean rounds"] = d.get("mean_rounds")
    return row


#: Decimals of the accuracy tables (errors on the 0–100 scale: two; shares: three).
_DIGITS = {"MAE": 2, "Median AE": 2, "Mean rounds": 1, "Forecast": 2, "Error (% of scale)": 2}


def deu(
    path: Annotated[Path, typer.Argument(help="The DEU III file (tab-separated).")],
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
    if capability not in CAPABILITIES:
        raise OptionError(
            f"--capability must be one of {', '.join(CAPABILITIES)}, got '{capability}'",
            field="capability",
        )
    if (write_accuracy or write_noise_preset) and not all_models:
        raise OptionError("--write-accuracy and --write-noise-preset need --all", field="all")
    data = read_deu(path)
    if cv is not None:
        _cv(
            cross_validate_deu(data, folds=cv, seed=seed),
            fmt,
            f"Cross-validated by proposal ({cv} folds)",
        )
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
        rows = [_report_row(label, r) for label, r in table.reports.items()]
        if not write_data(fmt, rows, payload=[r.to_dict() for r in table.reports.values()]):
            title = "DEU accuracy — every model and capability option"
            print_table(rows, title=title, digits=_DIGITS)
        return
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        report = evaluate_deu(
            data, model, options=parse_sets(set_), capability=capability, min_actors=min_actors
        )
    if write_data(fmt, [_report_row(None, report)], payload=report.to_dict()):
        return
    d = report.details
    title = f"DEU accuracy — {model} ({capability} capabilities)"
    print_table([_report_row(None, report)], title=title, digits=_DIGITS)
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
    if cv is not None:
        result = cross_validate_outcomes(path, folds=cv, seed=seed)
        _cv(result, fmt, f"Cross-validated by group ({cv} folds)")
        return
    report = evaluate_outcomes(path, model, options=parse_sets(set_))
    payload = report.to_dict()
    payload["errors"] = report.errors
    payload["forecasts"] = report.forecasts
    rows = [
        {"Case": key, "Forecast": report.forecasts[key], "Error (% of scale)": err}
        for key, err in report.errors.items()
    ]
    if write_data(fmt, rows, payload=payload):
        return
    print_table(rows, title=f"Accuracy on {path.name} — {model}", digits=_DIGITS)
    out_console.print(
        f"n {report.n}; mean error {report.mae:.2f} and median error {report.median_ae:.2f} "
        f"(percent of each issue's scale); no forecast: {report.details['no_forecast']}"
    )


def register(app: typer.Typer) -> None:
    """Attach ``evaluate`` and its sub-commands to ``app``."""
    evaluate_app.command("deu")(cli_errors(deu))
    evaluate_app.command("outcomes")(cli_errors(outcomes))
    app.add_typer(evaluate_app, name="evaluate")
