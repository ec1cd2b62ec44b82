"""``minilateral scenarios list|show|export|new`` and ``minilateral demo``."""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.progress import Progress
from rich.table import Table

from minilateral.cli._app import cli_errors, err_console, out_console
from minilateral.cli._output import FormatOpt, print_table, write_data
from minilateral.errors import FormatError
from minilateral.library import list_scenarios, scenario_summaries

if TYPE_CHECKING:
    from minilateral.scenario import Scenario

# The library, the writers and the demo are imported inside the commands that use them, so
# that ``minilateral --help`` and ``scenarios list`` start quickly.

__all__ = ["register"]

scenarios_app = typer.Typer(
    rich_markup_mode=None,
    help="The scenario library: list, show, export, new.",
    no_args_is_help=True,
)


@scenarios_app.command("list")
@cli_errors
def list_(fmt: FormatOpt = "table") -> None:
    """List the scenarios of the library (embedded and MINILATERAL_SCENARIO_DIR)."""
    entries = list_scenarios()
    rows = [
        {
            "name": e.name,
            "title": s.title,
            "actors": s.actors,
            "issues": s.issues,
            "origin": e.origin,
        }
        for e, s in zip(entries, scenario_summaries(entries), strict=True)
    ]
    table = [{key.capitalize(): value for key, value in row.items()} for row in rows]
    if not write_data(fmt, table, payload={"scenarios": rows}):
        print_table(table, title="Scenarios")


@scenarios_app.command("show")
@cli_errors
def show(
    name: Annotated[str, typer.Argument(help="Library name or file.")],
    fmt: FormatOpt = "table",
) -> None:
    """Show a scenario: issues, actors, positions and saliences (CSV and JSON: one row per
    actor and issue)."""
    from minilateral.api import load_scenario

    s = load_scenario(name)
    if write_data(fmt, lambda: _stance_rows(s)):
        return
    out_console.print(f"[bold]{s.title}[/] ({s.date or 'undated'})")
    if s.description:
        out_console.print(s.description.strip(), soft_wrap=False)
    issues = Table(title="Issues")
    for col in ("Issue", "Scale", "Low end", "High end", "Reference"):
        issues.add_column(col, overflow="fold")
    for q in s.issues:
        ref = "" if q.reference is None else f"{q.reference:g}"
        issues.add_row(q.name, f"{q.lo:g}–{q.hi:g}", q.lo_label or "", q.hi_label or "", ref)
    out_console.print(issues)
    actors = Table(title="Actors: position on each issue, its salience below")
    actors.add_column("Actor", overflow="fold")
    actors.add_column("Role", overflow="fold")
    actors.add_column("Capability", justify="right", overflow="fold")
    for issue_name in s.issue_names:  # "idf_footprint" wraps at the word: "idf / footprint"
        actors.add_column(issue_name.replace("_", " "), justify="right", overflow="fold")
    for a in s.actors:
        cells = [
            f"{a.positions[q]:g}\n{a.salience[q]:.2f}" if q in a.positions else "—"
            for q in s.issue_names
        ]
        actors.add_row(a.name, str(a.role), f"{a.capability:g}", *cells)
    out_console.print(actors)
    if s.candidate_mediators:
        out_console.print(f"candidate mediators: {', '.join(s.candidate_mediators)}")


def _stance_rows(s: Scenario) -> list[dict[str, object]]:
    """Every actor's stance on every issue it takes part in: position, salience, capability."""
    issues = {q.name: q for q in s.issues}
    return [
        {
            "Actor": a.name,
            "Role": str(a.role),
            "Capability": a.capability,
            "Issue": q,
            "Position": a.positions[q],
            "Salience": a.salience[q],
            "Scale low": issues[q].lo,
            "Scale high": issues[q].hi,
        }
        for a in s.actors
        for q in s.issue_names
        if q in a.positions
    ]


@scenarios_app.command("export")
@cli_errors
def export(
    name: Annotated[str, typer.Argument(help="Library name or file.")],
    file: Annotated[Path, typer.Argument(help="Output file (.yaml, .xml or .csv).")],
) -> None:
    """Write a scenario to a file in the format given by its extension.

    ``.yaml``: minilateral's own format. ``.xml`` and ``.csv``: KTAB's SMP formats, with the
    scenario mapped onto SMP as ``docs/models/smp.md`` explains (the XML also carries the
    scenario's ``smp`` options and accommodation matrix).
    """
    from minilateral.api import load_scenario
    from minilateral.io.ktab_csv import write_ktab_csv
    from minilateral.io.ktab_xml import write_ktab_xml
    from minilateral.io.yaml_io import write_yaml

    scenario = load_scenario(name)
    writers = {
        ".yaml": write_yaml,
        ".yml": write_yaml,
        ".xml": write_ktab_xml,
        ".csv": write_ktab_csv,
    }
    writer = writers.get(file.suffix.lower())
    if writer is None:
        raise FormatError(
            f"cannot export to '{file.suffix}'; supported: .yaml, .xml (KTAB), .csv (KTAB)",
            path=file,
        )
    writer(scenario, file)
    err_console.print(f"wrote {file}")


@scenarios_app.command("new")
@cli_errors
def new(
    file: Annotated[Path, typer.Argument(help="Where to write the template.")],
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")] = False,
) -> None:
    """Write a commented scenario template to FILE."""
    if file.exists() and not force:
        raise FormatError("file exists; use --force to overwrite it", path=file)
    from minilateral.io.yaml_io import TEMPLATE

    file.write_text(TEMPLATE, encoding="utf-8")
    err_console.print(f"wrote {file}; edit it, then run: minilateral validate {file}")


@cli_errors
def demo(
    out: Annotated[Path, typer.Option("--out", help="Output folder.")] = Path("minilateral-demo"),
    brief: Annotated[
        bool, typer.Option("--brief/--no-brief", help="Also write brief.html and brief.pdf.")
    ] = True,
    lang: Annotated[
        str, typer.Option("--lang", help="Language of the page and the brief: en, tr or ar.")
    ] = "en",
    digits: Annotated[
        str, typer.Option("--digits", help="Digits of numbers: latn (0-9) or arab (Arabic-Indic).")
    ] = "latn",
) -> None:
    """Run every library scenario through every model; write results.json, index.html and the
    brief (brief.html, brief.pdf)."""
    start = time.perf_counter()
    with Progress(console=err_console, transient=True) as progress:
        task = progress.add_task("demo", total=None)

        def step(done: int, total: int, label: str) -> None:
            progress.update(task, completed=done, total=total, description=label)

        from minilateral.demo import run_demo

        result = run_demo(out, progress=step, brief=brief, lang=lang, digits=digits)
    for name, scenario in result.scenarios.items():
        table = Table(title=f"{scenario.title} ({name}): forecast per issue", title_justify="left")
        table.add_column("model", overflow="fold")
        for issue in scenario.issues:
            table.add_column(
                f"{issue.name}\n{issue.lo:g}–{issue.hi:g}", justify="right", overflow="fold"
            )
        for row in result.rows(name):
            table.add_row(*row)
        out_console.print(table)
    if result.alignment is None:
        out_console.print(
            "alignment data not installed: run `minilateral data download` or "
            "`minilateral data import DIR` to add the data section"
        )
    else:
        gcc = [r for r in result.alignment["gcc"] if r["unanimity_share"] is not None][-1]
        trio = [r for r in result.alignment["trio"] if r["agree_half"] is not None][-3:]
        out_console.print(
            f"alignment ({out / 'alignment.html'}): GCC {gcc['year']} unanimity "
            f"{gcc['unanimity_share']:.2f} vs agenda baseline {gcc['baseline_agenda']:.2f}; "
            + ", ".join(
                f"{r['a']}–{r['b']} {r['year']} agree_half {r['agree_half']:.2f}" for r in trio
            )
        )
        for note in result.alignment["notes"]:
            out_console.print(f"[dim]note: {note}[/]")
    from minilateral.demo import DEMO_PAGES

    files = ["index.html", *(f for f in DEMO_PAGES if (out / f).is_file())]
    out_console.print(
        f"wrote {', '.join(str(out / f) for f in files)} in {time.perf_counter() - start:.1f} s"
    )


def register(app: typer.Typer) -> None:
    """Attach the commands of this module to ``app``."""
    app.add_typer(scenarios_app, name="scenarios")
    app.command("demo")(demo)
