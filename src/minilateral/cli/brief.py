"""``minilateral brief``: an HTML or PDF brief for one or several scenarios."""

from __future__ import annotations

import shlex
import sys
import time
from pathlib import Path
from typing import Annotated

import typer

from minilateral.cli._app import cli_errors, err_console, out_console
from minilateral.cli._progress import progress as _progress

__all__ = ["register"]


def _split(values: list[str] | None) -> list[str] | None:
    if not values:
        return None
    return [v.strip() for item in values for v in item.split(",") if v.strip()]


@cli_errors
def brief(
    sources: Annotated[list[str], typer.Argument(help="Scenario files or library names.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Output file: .html or .pdf.")],
    models: Annotated[
        list[str] | None,
        typer.Option(
            "--models", help="Models, comma-separated (default: compromise, nash, bdm, smp)."
        ),
    ] = None,
    draws: Annotated[
        int, typer.Option("--draws", min=0, help="Monte Carlo draws per swept model (0: none).")
    ] = 0,
    sweep_models: Annotated[
        list[str] | None,
        typer.Option(
            "--sweep-models",
            help="Models to sweep, comma-separated (default: every model of the brief).",
        ),
    ] = None,
    mediation_draws: Annotated[
        int,
        typer.Option("--mediation-draws", min=2, help="Monte Carlo draws of coalition searches."),
    ] = 100,
    seed: Annotated[int, typer.Option("--seed", help="Seed of sweeps and stochastic models.")] = 0,
    title: Annotated[str | None, typer.Option("--title", help="Title of the brief.")] = None,
    org: Annotated[str, typer.Option("--org", help="Authoring organisation.")] = "",
    lang: Annotated[
        str, typer.Option("--lang", help="Language of the brief's text: en, tr or ar.")
    ] = "en",
    digits: Annotated[
        str, typer.Option("--digits", help="Digits of numbers: latn (0-9) or arab (Arabic-Indic).")
    ] = "latn",
    no_alignment: Annotated[
        bool, typer.Option("--no-alignment", help="Leave out the regional alignment section.")
    ] = False,
    results: Annotated[
        Path | None,
        typer.Option(
            "--results",
            help="Where to write the results file (default: beside --out, as STEM.results.json).",
        ),
    ] = None,
    panel: Annotated[
        list[str] | None,
        typer.Option(
            "--panel",
            help="Expert panel section: a panel's brief JSON (GET /api/panels/ID/brief) or a "
            "panel number in the database; repeatable.",
        ),
    ] = None,
    pseudonymise: Annotated[
        bool,
        typer.Option("--pseudonymise", help="Name the panel's coders Coder 1, Coder 2, …"),
    ] = False,
    db_url: Annotated[
        str | None,
        typer.Option("--db-url", help="Database of --panel numbers (default: MINILATERAL_DB_URL)."),
    ] = None,
    corpus: Annotated[
        list[Path] | None,
        typer.Option(
            "--corpus",
            help="Narrative monitor section: corpus files (generic CSV/JSONL, platform "
            "archives, Telegram, GDELT) or one stored corpus folder.",
        ),
    ] = None,
) -> None:
    """Write a brief: executive summary, one section per theatre, alignment, methods, sources."""
    from minilateral.brief import run_brief, write_brief, write_results
    from minilateral.brief.capabilities import narrative_data, panel_data
    from minilateral.brief.render import results_path
    from minilateral.errors import OptionError
    from minilateral.i18n import check_digits, check_language

    lang = check_language(lang, field="lang")
    check_digits(digits, field="digits")

    if out.suffix.lower() not in (".html", ".htm", ".pdf"):
        raise OptionError(f"--out must end in .html or .pdf, got '{out.name}'", field="out")
    start = time.perf_counter()
    with _progress("brief") as report:

        def step(label: str) -> None:
            report(label=label)

        panels = [panel_data(p, db_url=db_url, pseudonymise=pseudonymise) for p in panel or []]
        if corpus:
            step("narrative monitor")
        narratives = (
            narrative_data(corpus[0] if len(corpus) == 1 else corpus, seed=seed) if corpus else None
        )
        run = run_brief(
            sources,
            models=_split(models),
            draws=draws,
            seed=seed,
            swept=_split(sweep_models),
            mediation_draws=mediation_draws,
            title=title,
            org=org,
            command=shlex.join(["minilateral", *sys.argv[1:]]),
            alignment=not no_alignment,
            progress=step,
            panels=panels,
            narratives=narratives,
            lang=lang,
        )
        step("rendering")
        write_brief(run, out, lang=lang, digits=digits)
        written = write_results(run, results or results_path(out))
    if run.draws:
        err_console.print(
            f"swept {', '.join(run.sweep_models) or 'no model'} with {run.draws} draws each"
        )
    for absent in run.absent:
        err_console.print(f"[yellow]left out[/] {absent.capability}: {absent.reason}")
    out_console.print(f"wrote {out} and {written} in {time.perf_counter() - start:.1f} s")


def register(app: typer.Typer) -> None:
    """Attach the command of this module to ``app``."""
    app.command("brief")(brief)
