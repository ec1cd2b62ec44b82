"""``minilateral align ...``: alignment, capability and cohesion measures from the CLI."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Annotated, Literal

import typer
from rich.table import Table

from minilateral import alignment as al
from minilateral.alignment.api import AlignmentResult
from minilateral.cli._app import cli_errors, err_console, out_console
from minilateral.forecast import dumps_json

__all__ = ["register"]

align_app = typer.Typer(
    rich_markup_mode=None,
    help="Alignment measures from UN votes, NMC, ATOP and rivalries.",
    no_args_is_help=True,
)

Fmt = Annotated[
    Literal["table", "json", "csv"], typer.Option("--format", "-f", help="Output format.")
]
States = Annotated[
    str,
    typer.Option(
        "--states",
        "-s",
        help="Comma-separated states: COW code, "
        "COW abbreviation, ISO3, English name or a group name.",
    ),
]
Years = Annotated[str, typer.Option("--years", "-y", help="Years, e.g. 2010-2019 or 2015,2018.")]


def _emit(result: AlignmentResult, fmt: str, title: str) -> None:
    for note in result.notes:
        if "ambiguous" in note:
            err_console.print(f"[yellow]Warning[/]: {note}", highlight=False, soft_wrap=True)
    records = result.records()
    if fmt == "json":
        out_console.print_json(
            dumps_json({"rows": records, "notes": result.notes, "provenance": result.provenance})
        )
        return
    columns = list(result.frame.columns)
    if fmt == "csv":
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        writer.writerow(columns)
        for rec in records:
            writer.writerow(
                [
                    ""
                    if rec[c] is None
                    else dumps_json(rec[c])
                    if isinstance(rec[c], dict | list)
                    else rec[c]
                    for c in columns
                ]
            )
        typer.echo(buf.getvalue(), nl=False)
        for note in result.notes:
            err_console.print(f"note: {note}", highlight=False, soft_wrap=True)
        return
    table = Table(title=title)
    for col in columns:
        table.add_column(col)
    for rec in records:
        table.add_row(*[_cell(rec[c]) for c in columns])
    out_console.print(table)
    for note in result.notes:
        out_console.print(f"[dim]note: {note}[/]", highlight=False)


def _cell(value: object) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.4g}" if abs(value) < 1e-3 and value else f"{value:.3f}"
    if isinstance(value, dict):
        return ", ".join(f"{k}:{_cell(v)}" for k, v in value.items())
    if isinstance(value, list):
        return ", ".join(map(str, value))
    return str(value)


@align_app.command("dyads")
@cli_errors
def dyads_cmd(
    states: States,
    years: Years,
    fmt: Fmt = "table",
    pooled: Annotated[bool, typer.Option(help="One value over all years.")] = False,
    table: Annotated[str, typer.Option(help="un_votes_ccode or un_votes.")] = "un_votes_ccode",
) -> None:
    """UN agreement, S, kappa and pi of every pair of states, per year (spec §1.5)."""
    _emit(al.dyads(states, years, pooled=pooled, table=table), fmt, "UN dyad-years")


@align_app.command("autonomy")
@cli_errors
def autonomy_cmd(states: States, years: Years, fmt: Fmt = "table") -> None:
    """Strategic-autonomy index SAI and SAI_IP (spec §4)."""
    _emit(al.autonomy(states, years), fmt, "strategic autonomy")


@align_app.command("cohesion")
@cli_errors
def cohesion_cmd(
    years: Years,
    group: Annotated[
        str, typer.Option("--group", "-g", help="Group name or comma-separated states.")
    ] = "GCC",
    fmt: Fmt = "table",
) -> None:
    """Group cohesion: agreement, dispersion, bloc test, defection (spec §5)."""
    _emit(al.cohesion(group, years), fmt, f"cohesion of {group}")


@align_app.command("ideal-points")
@cli_errors
def ideal_points_cmd(
    years: Years,
    fmt: Fmt = "table",
    states: Annotated[str | None, typer.Option("--states", "-s", help="Only these states.")] = None,
) -> None:
    """Yearly one-dimensional ideal points by EM IRT (spec §1.6)."""
    _emit(al.ideal_points(years, states), fmt, "ideal points")


@align_app.command("capabilities")
@cli_errors
def capabilities_cmd(
    year: Annotated[int, typer.Option("--year", help="Year.")],
    fmt: Fmt = "table",
    states: Annotated[str | None, typer.Option("--states", "-s", help="Only these states.")] = None,
) -> None:
    """CINC and component shares (spec §3)."""
    _emit(al.capabilities(states, [year]), fmt, f"CINC {year}")


@align_app.command("complementarity")
@cli_errors
def complementarity_cmd(
    states: States, year: Annotated[int, typer.Option("--year")], fmt: Fmt = "table"
) -> None:
    """Capability complementarity K of every pair (spec §6)."""
    _emit(al.complementarity(states, year), fmt, f"complementarity {year}")


@align_app.command("balancing")
@cli_errors
def balancing_cmd(
    states: States,
    year: Annotated[int, typer.Option("--year")],
    fmt: Fmt = "table",
    candidates: Annotated[
        str | None, typer.Option(help="Candidate targets (default §7 set).")
    ] = None,
) -> None:
    """Which states a coalition counter-balances (spec §7)."""
    _emit(al.balancing(states, year, candidates=candidates), fmt, f"balancing {year}")


@align_app.command("portfolio")
@cli_errors
def portfolio_cmd(states: States, years: Years, fmt: Fmt = "table") -> None:
    """ATOP alliance-portfolio similarity (spec §2)."""
    _emit(al.portfolio_similarity(states, years), fmt, "ATOP portfolio similarity")


@align_app.command("map")
@cli_errors
def map_cmd(
    year: Annotated[int, typer.Option("--year")],
    out: Annotated[Path, typer.Option("--out", "-o", help="HTML file.")] = Path(
        "alignment-map.html"
    ),
    states: Annotated[str | None, typer.Option("--states", "-s")] = None,
    edge: Annotated[str, typer.Option(help="kappa_sq, S_varw or agree_half.")] = "kappa_sq",
) -> None:
    """Interactive network and agreement heatmap of the region (Plotly HTML)."""
    from minilateral.presentation.alignment import write_map

    res = write_map(year, out, states=states, edge=edge)
    for note in res.notes:
        err_console.print(f"note: {note}", highlight=False, soft_wrap=True)
    out_console.print(f"wrote {out}")


def register(app: typer.Typer) -> None:
    """Attach ``align`` to the root app."""
    app.add_typer(align_app, name="align")
