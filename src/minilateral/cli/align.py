"""``minilateral align ...``: alignment, capability and cohesion measures from the CLI."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from minilateral import alignment as al
from minilateral.alignment.api import AlignmentResult
from minilateral.cli._app import cli_errors, err_console, out_console
from minilateral.cli._output import FormatOpt, write_data

__all__ = ["register"]

align_app = typer.Typer(
    rich_markup_mode=None,
    help="Alignment measures from UN votes, NMC, ATOP and rivalries.",
    no_args_is_help=True,
)

Fmt = FormatOpt
States = Annotated[
    str,
    typer.Option(
        "--states",
        "-s",
        help="Comma-separated states: COW code, "
        "COW abbreviation, ISO3, English name or a group name.",
    ),
]
Years = Annotated[
    str,
    typer.Option("--years", "--year", "-y", help="Years, e.g. 2010-2019 or 2015,2018."),
]
#: Commands about one year take the same option (both spellings), holding one year.
Year = Annotated[int, typer.Option("--years", "--year", "-y", help="One year, e.g. 2022.")]


#: Columns holding COW state codes: tables show the state's name instead.
_STATE_COLUMNS = frozenset({"a", "b", "state", "ccode", "target"})

#: Header of each column in tables (CSV and JSON keep the field names).
LABELS: dict[str, str] = {
    "year": "Year",
    "a": "State A",
    "b": "State B",
    "state": "State",
    "ccode": "State",
    "target": "Target",
    "n": "Votes",
    "agree_half": "Agreement",
    "agree_exact": "Exact agreement",
    "S_abs": "S (abs.)",
    "S_sq": "S (sq.)",
    "S_varw": "S (var.)",
    "kappa_sq": "κ (sq.)",
    "kappa_abs": "κ (abs.)",
    "kappa_nominal": "κ (nominal)",
    "pi_sq": "π (sq.)",
    "pi_abs": "π (abs.)",
    "SAI": "Autonomy",
    "SAI_IP": "Autonomy (ideal points)",
    "agree_half_USA": "Agreement with USA",
    "agree_half_RUS": "Agreement with Russia",
    "agree_half_CHN": "Agreement with China",
    "x": "Ideal point",
    "z": "Standardised",
    "n_votes": "Votes",
    "cinc": "CINC",
    "cinc_computed": "CINC (recomputed)",
    "n_components": "Components",
    "s_milex": "Spending",
    "s_milper": "Personnel",
    "s_irst": "Steel",
    "s_pec": "Energy",
    "s_tpop": "People",
    "s_upop": "Urban",
    "rank": "Rank",
    "K": "Complementarity",
    "K_raw": "Complementarity (raw)",
    "components": "Components",
    "class": "Class",
    "B": "Score",
    "rho": "Ratio",
    "cinc_target": "Target CINC",
    "rivalry": "Rivalry",
    "mean_kappa_sq": "Mean κ (squared)",
    "defence_tie_with": "Defence ties with",
    "S_atop": "Similarity",
    "S_atop_cinc": "Similarity (CINC-weighted)",
    "tie": "Alliance tie",
}

#: Table columns of each command that has more columns than fit 100 characters.
VIEWS: dict[str, tuple[str, ...]] = {
    "balancing": ("target", "class", "B", "rho", "mean_kappa_sq", "rivalry", "defence_tie_with"),
    "dyads": ("year", "a", "b", "n", "agree_half", "S_sq", "S_varw", "kappa_sq", "pi_sq"),
    "capabilities": (
        "ccode",
        "cinc",
        "rank",
        "s_milex",
        "s_milper",
        "s_irst",
        "s_pec",
        "s_tpop",
        "s_upop",
    ),
}


def _namer():
    from minilateral.data.states import resolver

    return resolver().name


def _emit(
    result: AlignmentResult, fmt: str, title: str, view: tuple[str, ...] | None = None
) -> None:
    for note in result.notes:
        if "ambiguous" in note:
            err_console.print(f"[yellow]Warning[/]: {note}", highlight=False, soft_wrap=True)
    records = result.records()
    columns = list(result.frame.columns)
    # CSV and JSON keep the field names (every measure, most not in the table), as the
    # JSON's "rows" do; the table shows the labels of LABELS.
    payload = {"rows": records, "notes": result.notes, "provenance": result.provenance}
    if write_data(fmt, [{c: rec[c] for c in columns} for rec in records], payload=payload):
        if fmt == "csv":
            for note in result.notes:
                err_console.print(f"note: {note}", highlight=False, soft_wrap=True)
        return
    shown = [c for c in (view or columns) if c in columns]
    name = _namer()
    table = Table(title=title)
    for col in shown:
        numeric = col not in _STATE_COLUMNS and result.frame[col].dtype.kind in "fiu"
        table.add_column(
            LABELS.get(col, col), justify="right" if numeric else "left", overflow="fold"
        )
    for rec in records:
        table.add_row(
            *[
                name(rec[c])
                if c in _STATE_COLUMNS and rec[c] is not None
                else ", ".join(name(int(v)) for v in rec[c])
                if c == "defence_tie_with" and isinstance(rec[c], list)
                else _cell(rec[c])
                for c in shown
            ]
        )
    out_console.print(table)
    if len(shown) < len(columns):
        out_console.print("[dim]more columns with --format csv or --format json[/]")
    for note in result.notes:
        out_console.print(f"[dim]note: {note}[/]", highlight=False)


def _cohesion_tables(result: AlignmentResult, title: str) -> None:
    """Cohesion as three readable tables: agreement, the bloc test, defection per member."""
    name = _namer()
    records = result.records()
    agreement = Table(title=f"{title}: agreement in UN votes")
    for col in ("Year", "Pairs", "Mean agreement", "Lowest pair", "Mean κ", "Ideal-point spread"):
        agreement.add_column(col, justify="right")
    bloc = Table(title=f"{title}: bloc test (roll calls on which every member voted)")
    for col in ("Year", "Roll calls", "Unanimity", "Expected", "Excess", "log₁₀ p", "Bloc"):
        bloc.add_column(col, justify="right")
    members = sorted({k for rec in records for k in (rec["defection"] or {})}, key=int)
    defection = Table(title=f"{title}: defection rate (votes against the group majority)")
    defection.add_column("Year", justify="right")
    for code in members:
        defection.add_column(name(int(code)), justify="right", overflow="fold")
    for rec in records:
        agreement.add_row(
            str(rec["year"]),
            str(rec["n_dyads"]),
            *(
                _cell(rec[c])
                for c in ("mean_agree_half", "min_agree_half", "mean_kappa_sq", "ideal_point_sd")
            ),
        )
        bloc.add_row(
            str(rec["year"]),
            str(rec["n6"]),
            *(
                _cell(rec[c])
                for c in ("unanimity_share", "baseline_agenda", "excess_agenda", "log10_p")
            ),
            "—" if rec["bloc"] is None else "yes" if rec["bloc"] else "no",
        )
        rates = rec["defection"] or {}
        defection.add_row(str(rec["year"]), *(_cell(rates.get(code)) for code in members))
    for table in (agreement, bloc, defection):
        out_console.print(table)
    for note in result.notes:
        out_console.print(f"[dim]note: {note}[/]", highlight=False)


def _cell(value: object) -> str:
    if isinstance(value, float) and value.is_integer() and abs(value) >= 1:
        return f"{value:.0f}"
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
    """UN agreement, S, kappa and pi of every pair of states, per year."""
    _emit(
        al.dyads(states, years, pooled=pooled, table=table),
        fmt,
        "Agreement in UN votes, per pair of states",
        VIEWS["dyads"],
    )


@align_app.command("autonomy")
@cli_errors
def autonomy_cmd(states: States, years: Years, fmt: Fmt = "table") -> None:
    """Strategic-autonomy index SAI and SAI_IP."""
    _emit(al.autonomy(states, years), fmt, "Strategic autonomy")


@align_app.command("cohesion")
@cli_errors
def cohesion_cmd(
    years: Years,
    group: Annotated[
        str, typer.Option("--group", "-g", help="Group name or comma-separated states.")
    ] = "GCC",
    fmt: Fmt = "table",
) -> None:
    """Group cohesion: agreement, dispersion, bloc test, defection."""
    result = al.cohesion(group, years)
    if fmt == "table":
        _cohesion_tables(result, f"Cohesion of {group}")
    else:
        _emit(result, fmt, f"Cohesion of {group}")


@align_app.command("ideal-points")
@cli_errors
def ideal_points_cmd(
    years: Years,
    fmt: Fmt = "table",
    states: Annotated[str | None, typer.Option("--states", "-s", help="Only these states.")] = None,
) -> None:
    """Yearly one-dimensional ideal points by EM IRT."""
    _emit(al.ideal_points(years, states), fmt, "Ideal points")


@align_app.command("capabilities")
@cli_errors
def capabilities_cmd(
    year: Year,
    fmt: Fmt = "table",
    states: Annotated[str | None, typer.Option("--states", "-s", help="Only these states.")] = None,
) -> None:
    """CINC and component shares."""
    _emit(
        al.capabilities(states, [year]),
        fmt,
        f"Capabilities, {year}: CINC and shares of the world total",
        VIEWS["capabilities"],
    )


@align_app.command("complementarity")
@cli_errors
def complementarity_cmd(states: States, year: Year, fmt: Fmt = "table") -> None:
    """Capability complementarity K of every pair."""
    _emit(al.complementarity(states, year), fmt, f"Capability complementarity, {year}")


@align_app.command("balancing")
@cli_errors
def balancing_cmd(
    states: States,
    year: Year,
    fmt: Fmt = "table",
    candidates: Annotated[
        str | None,
        typer.Option(help="Candidate targets (default: the Middle East core and the three poles)."),
    ] = None,
) -> None:
    """Which states a coalition counter-balances."""
    _emit(
        al.balancing(states, year, candidates=candidates),
        fmt,
        f"Balancing, {year}",
        VIEWS["balancing"],
    )


@align_app.command("portfolio")
@cli_errors
def portfolio_cmd(states: States, years: Years, fmt: Fmt = "table") -> None:
    """ATOP alliance-portfolio similarity."""
    _emit(al.portfolio_similarity(states, years), fmt, "ATOP portfolio similarity")


@align_app.command("map")
@cli_errors
def map_cmd(
    year: Year,
    out: Annotated[Path, typer.Option("--out", "-o", help="HTML file.")] = Path(
        "alignment-map.html"
    ),
    states: Annotated[str | None, typer.Option("--states", "-s")] = None,
    edge: Annotated[str, typer.Option(help="kappa_sq, S_varw or agree_half.")] = "kappa_sq",
) -> None:
    """Interactive network and agreement heatmap of the region (Plotly HTML)."""
    from minilateral.presentation.alignment import write_map

    _check_vote_year(year)
    res = write_map(year, out, states=states, edge=edge)
    for note in res.notes:
        err_console.print(f"note: {note}", highlight=False, soft_wrap=True)
    out_console.print(f"wrote {out}")


def _year_ranges(years: list[int]) -> str:
    """``[2000, 2001, 2002, 2005]`` → ``"2000–2002, 2005"``."""
    spans: list[list[int]] = []
    for y in sorted(years):
        if spans and y == spans[-1][1] + 1:
            spans[-1][1] = y
        else:
            spans.append([y, y])
    return ", ".join(str(a) if a == b else f"{a}–{b}" for a, b in spans)


def _check_vote_year(year: int, table: str = "un_votes_ccode") -> None:
    """A map of a year without roll calls would be all nulls: refuse it, naming the years."""
    from minilateral.alignment import votes
    from minilateral.errors import QueryError

    per_year = votes.load_votes(table, None).roll_calls_per_year()
    available = [int(y) for y in per_year.index if per_year[y] > 0]
    if year not in available:
        raise QueryError(
            f"no UN roll calls in {year} in {table}; the map needs a year with votes "
            f"(available: {_year_ranges(available)})",
            field="year",
        )


def register(app: typer.Typer) -> None:
    """Attach ``align`` to the root app."""
    app.add_typer(align_app, name="align")
