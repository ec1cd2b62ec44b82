"""``minilateral sweep run|summarize`` and ``minilateral sensitivity``."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table
from rich.text import Text

from minilateral.api import load_scenario
from minilateral.cli._app import (
    cli_errors,
    err_console,
    model_options,
    out_console,
    parse_scale,
)
from minilateral.cli._output import FormatOpt, frame_rows, print_table, write_data
from minilateral.errors import FormatError, OptionError
from minilateral.io.validation import scenario_errors
from minilateral.io.yaml_io import node_line, parse_yaml
from minilateral.montecarlo.engine import SweepResult, load_sweep
from minilateral.montecarlo.engine import sweep as run_sweep
from minilateral.montecarlo.perturb import parse_noise
from minilateral.montecarlo.sensitivity import sensitivity as run_sensitivity
from minilateral.montecarlo.summary import summarize_sweep
from minilateral.presentation.sensitivity import write_chart
from minilateral.presentation.sweep import write_report
from minilateral.scenario import Noise, Scenario, Uncertainty

__all__ = ["register"]

sweep_app = typer.Typer(
    rich_markup_mode=None,
    help="Monte Carlo sweeps: run (locally or on Dask), summarize.",
    no_args_is_help=True,
)

SourceArg = Annotated[str, typer.Argument(help="A scenario file, or a name from the library.")]
ModelOpt = Annotated[str, typer.Option("--model", "-m", help="Model name (see `models`).")]
SetOpt = Annotated[
    list[str] | None, typer.Option("--set", help="Model option KEY=VALUE (repeatable).")
]
RoundsOpt = Annotated[
    int | None, typer.Option("--rounds", min=0, help="Cap on rounds (dynamic models).")
]
NoiseOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--noise",
        help="Global input noise FIELD=DIST[:VALUE], e.g. positions=uniform:0.1, "
        "capability=lognormal:0.2, salience=none, or preset=eu-legislative (noise fitted on "
        "EU legislative bargaining) (repeatable; overrides the scenario's).",
    ),
]
UncertaintyOpt = Annotated[
    Path | None,
    typer.Option(
        "--uncertainty", help="YAML file with an uncertainty block (replaces the scenario's)."
    ),
]
InputFormat = Annotated[
    str | None, typer.Option("--input-format", help="Reader to use instead of guessing.")
]
Scale = Annotated[
    str | None, typer.Option("--scale", help="Issue scale LO,HI for single-issue tables.")
]


class _RateColumn(ProgressColumn):
    """Draws (or runs) per second."""

    def __init__(self, unit: str) -> None:
        super().__init__()
        self.unit = unit

    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        return Text("—" if speed is None else f"{speed:,.0f} {self.unit}/s", style="cyan")


def _progress(unit: str) -> Progress:
    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        _RateColumn(unit),
        TextColumn("eta"),
        TimeRemainingColumn(),
        TimeElapsedColumn(),
        console=err_console,
        transient=False,
    )


@contextmanager
def _plain_or_bar(description: str, unit: str, total: int | None) -> Iterator[Any]:
    """``report(done, total)``: plain lines when stderr is not a terminal; on a terminal the
    bar with rates, or (total not known yet) a bar that says "starting" rather than ``0/?``."""
    if not err_console.is_terminal or total is None:
        from minilateral.cli._progress import progress

        with progress(description, unit=unit) as report:
            yield lambda done, total_=None: report(done, total_ if total_ is not None else total)
        return
    with _progress(unit) as bar:
        task = bar.add_task(description, total=total)
        yield lambda done, total_=None: bar.update(
            task, completed=done, total=total_ if total_ is not None else total
        )


def _uncertainty(path: Path | None) -> Uncertainty | None:
    """Read an uncertainty block from YAML (either the block itself or ``uncertainty: ...``)."""
    if path is None:
        return None
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as err:
        raise FormatError(f"cannot read the file: {err.strerror}", path=path) from err
    data, root = parse_yaml(text, path)
    prefix: tuple[str, ...] = ()
    if isinstance(data, dict) and set(data) == {"uncertainty"}:
        data, prefix = data["uncertainty"], ("uncertainty",)
    if not isinstance(data, dict):
        raise FormatError("an uncertainty file must be a YAML mapping", path=path)
    with scenario_errors(path, lambda loc: node_line(root, prefix + loc)):
        return Uncertainty.model_validate(data)


def _noise(items: list[str] | None) -> dict[str, Noise]:
    out: dict[str, Noise] = {}
    for item in items or []:
        if item.startswith("preset="):  # a shipped preset, e.g. preset=eu-legislative
            from minilateral.calibration import noise_preset

            out.update(noise_preset(item.partition("=")[2].strip()))
        else:
            field, noise = parse_noise(item)
            out[field] = noise
    return out


def _scenario(source: str, input_format: str | None, scale: str | None) -> Scenario | str:
    if input_format is None and scale is None:
        return source
    return load_scenario(source, input_format=input_format, scale=parse_scale(scale))


@sweep_app.command("run")
@cli_errors
def run(
    source: SourceArg,
    draws: Annotated[int, typer.Option("--draws", "-n", min=1, help="Number of draws N.")],
    seed: Annotated[int, typer.Option("--seed", help="Seed S: draw i depends only on (S, i).")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Output directory (Parquet parts).")],
    model: ModelOpt = "compromise",
    set_: SetOpt = None,
    rounds: RoundsOpt = None,
    engine: Annotated[str, typer.Option("--engine", help="local or dask.")] = "local",
    scheduler: Annotated[
        str | None, typer.Option("--scheduler", help="Dask scheduler address (tcp://host:8786).")
    ] = None,
    workers: Annotated[
        int | None,
        typer.Option("--workers", min=1, help="Worker processes of a Dask LocalCluster."),
    ] = None,
    chunk_size: Annotated[
        int | None,
        typer.Option(
            "--chunk-size",
            min=1,
            help="Draws per chunk (batch); default 1000, 200 for dynamic models.",
        ),
    ] = None,
    resume: Annotated[bool, typer.Option("--resume", help="Complete an interrupted sweep.")] = (
        False
    ),
    noise: NoiseOpt = None,
    uncertainty: UncertaintyOpt = None,
    input_format: InputFormat = None,
    scale: Scale = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
    save: Annotated[
        bool, typer.Option("--save", help="Record the run and its summary (see `runs list`).")
    ] = False,
    db_url: Annotated[
        str | None, typer.Option("--db-url", help="Database for --save (default: user data dir).")
    ] = None,
) -> None:
    """Run a Monte Carlo sweep; write Parquet parts and _manifest.json to --out."""
    options = model_options(model, set_, rounds)
    kwargs: dict[str, Any] = {
        "draws": draws,
        "seed": seed,
        "out": out,
        "options": options,
        "uncertainty": _uncertainty(uncertainty),
        "noise": _noise(noise),
        "engine": engine,
        "scheduler": scheduler,
        "workers": workers,
        "chunk_size": chunk_size,
        "resume": resume,
    }
    if engine not in ("local", "dask"):
        raise typer.BadParameter("must be 'local' or 'dask'", param_hint="--engine")
    scenario = _scenario(source, input_format, scale)
    try:
        if quiet:
            result = run_sweep(scenario, model, **kwargs)
        else:
            with _plain_or_bar(f"{model} sweep", "draws", draws) as report:
                result = run_sweep(scenario, model, **kwargs, progress=report)
    except KeyboardInterrupt:
        written = 0
        if (out / "_manifest.json").exists():
            written = int(load_sweep(out).manifest.get("draws_done", 0))
        err_console.print(
            f"[yellow]interrupted[/]: {written} of {draws} draws are written in {out}; run the "
            "same command with --resume to finish the sweep"
        )
        raise typer.Exit(code=130) from None
    run_info = result.manifest["runs"][-1]
    if save:
        run_id = _save(source, scenario, result, input_format, scale, db_url)
        err_console.print(f"saved as run {run_id}")
    out_console.print(
        f"[green]done[/]: {result.manifest['draws_done']} draws in {out} "
        f"({run_info['draws_computed']} computed in {run_info['seconds']:.1f} s"
        + (
            f", {run_info['draws_per_second']:,.0f} draws/s)"
            if run_info["draws_per_second"]
            else ")"
        )
    )


def _save(
    source: str,
    scenario: Scenario | str,
    result: SweepResult,
    input_format: str | None,
    scale: str | None,
    db_url: str | None,
) -> int:
    """Record a finished sweep and its summary in the store."""
    from minilateral.store.db import Database
    from minilateral.store.repository import save_run

    if isinstance(scenario, str):
        scenario = load_scenario(source, input_format=input_format, scale=parse_scale(scale))
    manifest = result.manifest
    db = Database.connect(db_url)
    try:
        return save_run(
            scenario,
            model=manifest["model"],
            options=manifest["options"],
            seed=manifest["seed"],
            kind="sweep",
            results=[summarize_sweep(result).to_dict()],
            provenance=manifest.get("provenance", {}),
            source=Path(source).stem if Path(source).suffix else source,
            db=db,
        )
    finally:
        db.dispose()


@sweep_app.command("summarize")
@cli_errors
def summarize(
    directory: Annotated[Path, typer.Argument(help="A sweep directory.")],
    report: Annotated[
        Path | None, typer.Option("--report", help="Write an HTML report (outside DIR).")
    ] = None,
    report_in_dir: Annotated[
        bool, typer.Option("--report-in-dir", help="Write the report as DIR/_report.html.")
    ] = False,
    bands: Annotated[int, typer.Option("--bands", help="Equal-width outcome bands.")] = 5,
    fmt: FormatOpt = "table",
) -> None:
    """Outcome quantiles per issue, band probabilities and the convergence share."""
    if report is not None and report_in_dir:
        raise typer.BadParameter("give --report or --report-in-dir, not both")
    summary = summarize_sweep(directory, bands=bands)
    if report_in_dir:
        report = write_report(summary, directory / "_report.html", inside_ok=True)
    elif report is not None:
        write_report(summary, report)
    rows = summary_rows(summary)
    if write_data(fmt, rows, payload=summary.to_dict()):
        if report is not None:
            err_console.print(f"report: {report}")
        return
    m = summary.sweep.manifest
    title = f"{m['scenario']['title']} — {m['model']}, {summary.draws} draws" + (
        "" if summary.sweep.complete else f" (incomplete: {m['draws']} planned)"
    )
    for row in rows:
        row["Most likely band"] = (
            f"{row['Band low']:g}–{row['Band high']:g} ({100 * row['Band probability']:.1f} %)"
        )
    quantiles = [f"{100 * q:g} %" for q in summary.issues[0].quantiles]
    shown = ("Issue", "Mean", "SD", *quantiles, "Most likely band")
    print_table(rows, title=title, columns=shown, digits=2)
    out_console.print(f"converged: {100 * summary.converged:.1f} % of draws")
    if report is not None:
        out_console.print(f"report: {report}")


def summary_rows(summary: Any) -> list[dict[str, Any]]:
    """The summary table (:meth:`SweepSummary.to_frame`) with labels, plus each issue's most
    likely outcome band (its ends and probability)."""
    labels = {
        "issue": "Issue",
        "lo": "Scale low",
        "hi": "Scale high",
        "mean": "Mean",
        "sd": "SD",
        "missing": "Missing (share of draws)",
        **{f"q{q:g}": f"{100 * q:g} %" for q in summary.issues[0].quantiles},
    }
    rows = frame_rows(summary.to_frame(), labels)
    for row, s in zip(rows, summary.issues, strict=True):
        lo, hi, p = max(s.bands, key=lambda band: band[2])
        row.update({"Band low": lo, "Band high": hi, "Band probability": p})
    return rows


#: Labels of the sensitivity indices (SALib's names in the JSON).
INDEX_LABELS = {
    "issue": "Issue",
    "factor": "Input",
    "actor": "Actor",
    "field": "Field",
    "S1": "S1",
    "S1_conf": "S1 ± (95 %)",
    "ST": "ST",
    "ST_conf": "ST ± (95 %)",
    "mu": "μ",
    "mu_star": "μ*",
    "mu_star_conf": "μ* ± (95 %)",
    "sigma": "σ",
}


def sensitivity(
    source: SourceArg,
    model: ModelOpt = "compromise",
    method: Annotated[str, typer.Option("--method", help="sobol or morris.")] = "sobol",
    samples: Annotated[
        int,
        typer.Option("--samples", help="Sobol': base sample n (power of 2); Morris: trajectories."),
    ] = 512,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the sample.")] = 0,
    group: Annotated[
        str, typer.Option("--by", help="factor (each input) or actor (all of an actor's inputs).")
    ] = "factor",
    set_: SetOpt = None,
    rounds: RoundsOpt = None,
    noise: NoiseOpt = None,
    uncertainty: UncertaintyOpt = None,
    issue: Annotated[str | None, typer.Option("--issue", help="Show this issue only.")] = None,
    top: Annotated[int, typer.Option("--top", min=1, help="Rows per issue in the table.")] = 10,
    chart: Annotated[
        Path | None, typer.Option("--chart", help="Write a bar chart (HTML) here.")
    ] = None,
    fmt: FormatOpt = "table",
    input_format: InputFormat = None,
    scale: Scale = None,
) -> None:
    """Which actors move this forecast: Sobol' or Morris indices, ranked per issue."""
    if method not in ("sobol", "morris"):
        raise typer.BadParameter("must be 'sobol' or 'morris'", param_hint="--method")
    options = model_options(model, set_, rounds)
    scenario = _scenario(source, input_format, scale)
    if issue is not None:  # checked before the (long) runs
        names = (
            scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
        ).issue_names
        if issue not in names:
            raise OptionError(
                f"unknown issue '{issue}' (issues: {', '.join(names)})", field="issue"
            )
    kwargs: dict[str, Any] = {
        "method": method,
        "samples": samples,
        "seed": seed,
        "options": options,
        "uncertainty": _uncertainty(uncertainty),
        "noise": _noise(noise),
        "group": group,
    }
    with _plain_or_bar(f"{model} {method.capitalize()} runs", "runs", None) as report:
        result = run_sensitivity(scenario, model, **kwargs, progress=report)
    issues = [issue] if issue is not None else result.issues
    for name in issues:
        result.ranked(name)  # unknown issue -> OptionError before any output
    if chart is not None:
        write_chart(result, chart, top=top)
    labels = {**INDEX_LABELS, "factor": "Actor" if result.group == "actor" else "Input"}
    indices = result.indices[result.indices["issue"].isin(issues)]
    if result.group == "actor":  # the factor is the actor: one column says it
        indices = indices.drop(columns=["actor"])
    if write_data(fmt, lambda: frame_rows(indices, labels), payload=result.to_dict()):
        if chart is not None:
            err_console.print(f"chart: {chart}")
        return
    stats = ("S1", "ST") if result.method == "sobol" else ("mu_star", "sigma")
    for name in issues:
        rows = result.ranked(name, top)
        table = Table(title=f"{name}: {result.method} indices ({result.evaluations} runs)")
        table.add_column("rank", justify="right")
        table.add_column(labels["factor"])
        for col in stats:
            table.add_column(labels[col], justify="right")
        for rank, row in enumerate(rows.itertuples(index=False), start=1):
            cells = []
            for col in stats:
                value, conf = getattr(row, col), getattr(row, f"{col}_conf", None)
                text = "—" if value != value else f"{value:.3f}"
                if conf is not None and conf == conf and value == value:
                    text += f" ± {conf:.3f}"
                cells.append(text)
            table.add_row(str(rank), row.factor, *cells)
        out_console.print(table)
    if chart is not None:
        out_console.print(f"chart: {chart}")


def register(app: typer.Typer) -> None:
    """Attach ``sweep`` and ``sensitivity`` to ``app``."""
    app.add_typer(sweep_app, name="sweep")
    app.command("sensitivity")(cli_errors(sensitivity))
