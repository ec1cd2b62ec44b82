"""``minilateral panel``: expert panels and inter-coder reliability from the terminal.

``alpha`` and ``icc`` score any plain reliability table (CSV: a first column of coder names,
a header row of unit names, blank = missing). The other commands manage panels in the
database as the local command line (which may act for any user): ``create`` a panel on a
stored scenario (or a scenario file or library name, stored into the organisation), ``invite``
coders, ``submit`` a coding file for a coder, ``close`` a round, ``report`` the reliability,
``aggregate`` into a scenario version, and ``sweep`` with the coders' codings as the input
distribution.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from minilateral.cli._app import cli_errors, out_console
from minilateral.cli._output import FormatOpt, print_table, write_data
from minilateral.errors import OptionError

__all__ = ["register"]

panel_app = typer.Typer(
    rich_markup_mode=None,
    help="Expert panels: several analysts code one scenario; agreement and disagreement.",
    no_args_is_help=True,
)

DbUrl = Annotated[
    str | None,
    typer.Option(
        "--db-url", help="Database URL (default: MINILATERAL_DB_URL or the user data dir)."
    ),
]
Format = FormatOpt
LevelOpt = Annotated[str, typer.Option("--level", help="nominal, ordinal, interval or ratio.")]
PanelId = Annotated[int, typer.Argument(help="Panel number (see `panel list`).", min=1)]


def _fmt(value: str | float | None) -> str:
    return (
        "—" if value is None or (isinstance(value, float) and math.isnan(value)) else f"{value:.3f}"
    )


@panel_app.command("alpha")
@cli_errors
def alpha_command(
    file: Annotated[Path, typer.Argument(help="Reliability table (CSV).")],
    level: LevelOpt = "interval",
    fmt: Format = "table",
) -> None:
    """Krippendorff's alpha of a reliability table (coders in rows, units in columns)."""
    from minilateral.panels.io import read_reliability_table
    from minilateral.panels.reliability import krippendorff_alpha

    table = read_reliability_table(file)
    value = krippendorff_alpha(table.values, level)
    payload = {
        "alpha": None if math.isnan(value) else value,
        "level": level,
        "coders": len(table.coders),
        "units": len(table.units),
    }
    row = {"Level": level, "Alpha": payload["alpha"], "Coders": payload["coders"]}
    if write_data(fmt, [{**row, "Units": payload["units"]}], payload=payload):
        return
    out_console.print(
        f"Krippendorff's alpha ({level}): {_fmt(payload['alpha'])} — "
        f"{payload['coders']} coders, {payload['units']} units"
    )


@panel_app.command("icc")
@cli_errors
def icc_command(
    file: Annotated[Path, typer.Argument(help="Reliability table (CSV); every cell filled.")],
    fmt: Format = "table",
) -> None:
    """The Shrout–Fleiss intraclass correlations (units are the targets, coders the judges)."""
    import numpy as np

    from minilateral.errors import FormatError
    from minilateral.panels.io import read_reliability_table
    from minilateral.panels.reliability import icc

    table = read_reliability_table(file)
    rows, cols = np.nonzero(np.isnan(table.values))
    blanks = [f"{table.units[u]} by {table.coders[c]}" for c, u in zip(rows, cols, strict=True)]
    if blanks:
        raise FormatError(
            "intraclass correlation needs every coder to score every unit; missing: "
            + ", ".join(blanks[:6])
            + (" …" if len(blanks) > 6 else ""),
            path=file,
            exit_code=2,
        )
    values = icc(table.values.T)
    forms = [
        {"Form": label, "Single coder": values[single], "Mean of coders": values[mean]}
        for label, single, mean in (
            ("One-way random", "ICC1", "ICC1k"),
            ("Two-way random", "ICC2", "ICC2k"),
            ("Two-way mixed", "ICC3", "ICC3k"),
        )
    ]
    if write_data(fmt, forms, payload=values):
        return
    title = f"Intraclass correlations, {len(table.units)} units × {len(table.coders)} coders"
    print_table(forms, title=title)


# -- panels in the database ----------------------------------------------------------------------


def _open(url: str | None) -> Any:
    from minilateral.store.db import Database

    db = Database.connect(url)
    db.ensure_schema()
    return db


def _repo(session: Any) -> Any:
    from minilateral.panels.store import PanelRepository
    from minilateral.store.repository import Principal

    return PanelRepository(session, Principal.system_principal())


@panel_app.command("create")
@cli_errors
def create_command(
    scenario: Annotated[
        str, typer.Argument(help="Stored scenario number, or a scenario file or library name.")
    ],
    name: Annotated[str, typer.Option("--name", help="The panel's name.")],
    org: Annotated[
        str | None,
        typer.Option("--org", help="Owning organisation (default: the scenario's)."),
    ] = None,
    version: Annotated[int | None, typer.Option("--version", help="Scenario version.")] = None,
    db_url: DbUrl = None,
) -> None:
    """Create a panel on a scenario version, with round 1 open."""
    from sqlalchemy import select

    from minilateral.store.accounts import ensure_organisation
    from minilateral.store.orm import Organisation

    db = _open(db_url)
    try:
        with db.session() as s:
            repo = _repo(s)
            org_id = None
            if org is not None:
                found = s.scalar(select(Organisation).where(Organisation.name == org))
                org_id = (found or ensure_organisation(s, org)).id
            if scenario.isdigit():
                scenario_id = int(scenario)
            else:
                from minilateral.api import load_scenario

                if org_id is None:
                    raise OptionError(
                        "a scenario file or library name is stored into an organisation; "
                        "pass --org",
                        field="org",
                    )
                loaded = load_scenario(scenario)
                scenario_id = repo.scenarios.create_scenario(
                    Path(scenario).stem or loaded.title,
                    loaded,
                    org_id=org_id,
                    comment=f"stored for panel '{name}'",
                ).id
            panel = repo.create(scenario_id, name, version=version, org_id=org_id)
            s.commit()
            out_console.print(
                f"panel {panel.id} created on scenario {scenario_id}; round 1 is open"
            )
    finally:
        db.dispose()


@panel_app.command("list")
@cli_errors
def list_command(db_url: DbUrl = None, fmt: Format = "table") -> None:
    """List the panels in the database."""
    db = _open(db_url)
    try:
        with db.session() as s:
            rows = [
                {
                    "Panel": access.panel.id,
                    "Name": access.panel.name,
                    "Scenario": access.panel.scenario_version.title,
                    "Status": access.panel.status,
                    "Round": access.panel.current_round,
                    "Coders": len(access.panel.members),
                }
                for access in _repo(s).list_panels()
            ]
    finally:
        db.dispose()
    columns = ("Panel", "Name", "Scenario", "Status", "Round", "Coders")
    if not write_data(fmt, rows, columns=columns):
        print_table(rows, title="Panels", columns=columns)


@panel_app.command("invite")
@cli_errors
def invite_command(
    panel: PanelId,
    emails: Annotated[list[str], typer.Argument(help="E-mail addresses of existing users.")],
    db_url: DbUrl = None,
) -> None:
    """Invite coders (users of any organisation) to a panel."""
    db = _open(db_url)
    try:
        with db.session() as s:
            repo = _repo(s)
            members = [repo.invite(panel, email) for email in emails]
            s.commit()
            for email, m in zip(emails, members, strict=True):
                out_console.print(f"{email} invited as {m.pseudonym}")
    finally:
        db.dispose()


@panel_app.command("submit")
@cli_errors
def submit_command(
    panel: PanelId,
    file: Annotated[Path, typer.Argument(help="Coding file (.csv, .yaml or .json).")],
    as_user: Annotated[str, typer.Option("--as", help="The coder's e-mail address.")],
    round_: Annotated[
        int | None, typer.Option("--round", help="Refuse if this round is no longer open.")
    ] = None,
    db_url: DbUrl = None,
) -> None:
    """Submit (or replace) a coder's coding in the open round."""
    from minilateral.panels.codings import parse_coding

    db = _open(db_url)
    try:
        with db.session() as s:
            repo = _repo(s)
            text = file.read_text(encoding="utf-8-sig")
            doc = parse_coding(text, fmt=file.suffix.lower().lstrip("."), source=str(file))
            row = repo.submit(panel, doc, as_user=as_user, source=str(file), number=round_)
            number = row.round.number
            s.commit()
            out_console.print(f"coding of {as_user} stored in round {number} of panel {panel}")
    finally:
        db.dispose()


@panel_app.command("close")
@cli_errors
def close_command(
    panel: PanelId,
    final: Annotated[
        bool, typer.Option("--final", help="End the panel instead of opening the next round.")
    ] = False,
    db_url: DbUrl = None,
) -> None:
    """Close the open round: coders then see its anonymised summary and may revise."""
    db = _open(db_url)
    try:
        with db.session() as s:
            repo = _repo(s)
            closed = repo.close_round(panel, final=final)
            number = closed.number
            s.commit()
            tail = "the panel has ended" if final else f"round {number + 1} is open"
            out_console.print(f"round {number} of panel {panel} closed; {tail}")
    finally:
        db.dispose()


@panel_app.command("report")
@cli_errors
def report_command(
    panel: PanelId,
    round_: Annotated[int | None, typer.Option("--round", help="Round (default: current).")] = None,
    level: LevelOpt = "interval",
    names: Annotated[
        bool, typer.Option("--names", help="Name coders by e-mail instead of pseudonym.")
    ] = False,
    fmt: Format = "table",
    db_url: DbUrl = None,
) -> None:
    """The panel's reliability: alpha overall and per field, actor and issue; ICC; the cells
    and coders that disagree most."""
    db = _open(db_url)
    try:
        with db.session() as s:
            report = _repo(s).report(panel, round_, level=level, names=names)
    finally:
        db.dispose()
    disputed = [
        {
            "Actor": c["actor"],
            "Issue": c["issue"],
            "Position spread": c["position_sd"],
            "Salience spread": c["salience_sd"],
        }
        for c in report["disputed_cells"]
    ]
    if write_data(fmt, disputed, payload=report):  # CSV: the cells where coders disagree most
        return
    out_console.print(
        f"Panel {panel}, round {report['panel']['round']}: {report['coders']} coders, "
        f"{report['units']} cells; Krippendorff's alpha ({level}) {_fmt(report['alpha'])}"
    )
    fields = Table(title="Alpha by field")
    for col in ("Positions", "Salience", "Capability"):
        fields.add_column(col, justify="right")
    fields.add_row(*(_fmt(report["fields"][k]) for k in ("positions", "salience", "capability")))
    out_console.print(fields)
    print_table(disputed, title="Cells where coders disagree most (spread on the unit scale)")
    coders = Table(title="Coders' distance from the panel median")
    coders.add_column("Coder")
    coders.add_column("Mean deviation", justify="right")
    for c in report["coder_deviation"]:
        coders.add_row(c["coder"], _fmt(c["deviation"]))
    out_console.print(coders)


@panel_app.command("aggregate")
@cli_errors
def aggregate_command(
    panel: PanelId,
    method: Annotated[str, typer.Option("--method", help="median, mean or trimmed.")] = "median",
    trim: Annotated[
        float, typer.Option("--trim", help="Share cut from each end for the trimmed mean.")
    ] = 0.2,
    round_: Annotated[int | None, typer.Option("--round", help="Round (default: current).")] = None,
    out: Annotated[
        Path | None, typer.Option("--out", help="Also write the scenario to this YAML file.")
    ] = None,
    names: Annotated[
        bool, typer.Option("--names", help="Record coders by e-mail instead of pseudonym.")
    ] = False,
    db_url: DbUrl = None,
) -> None:
    """Aggregate the coders' codings into a new scenario version with the panel's
    uncertainty block."""
    db = _open(db_url)
    try:
        with db.session() as s:
            version = _repo(s).aggregate(
                panel, method=method, trim=trim, number=round_, names=names
            )
            s.commit()
            scenario_id, number, content = version.scenario_id, version.number, version.content
    finally:
        db.dispose()
    if out is not None:
        from minilateral.io.yaml_io import write_yaml
        from minilateral.scenario import Scenario

        write_yaml(Scenario.model_validate(content), out)
    out_console.print(f"scenario {scenario_id} version {number} holds the panel's {method}")


@panel_app.command("sweep")
@cli_errors
def sweep_command(
    panel: PanelId,
    out: Annotated[Path, typer.Option("--out", help="Output directory of the sweep.")],
    draws: Annotated[int, typer.Option("--draws", help="Number of draws.", min=1)] = 1000,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the draws.")] = 0,
    model: Annotated[str, typer.Option("--model", help="Registered model.")] = "compromise",
    round_: Annotated[int | None, typer.Option("--round", help="Round (default: current).")] = None,
    method: Annotated[str, typer.Option("--method", help="median, mean or trimmed.")] = "median",
    names: Annotated[
        bool, typer.Option("--names", help="Record coders by e-mail instead of pseudonym.")
    ] = False,
    fmt: Format = "table",
    db_url: DbUrl = None,
) -> None:
    """A Monte Carlo sweep whose every cell is drawn from the coders' codings (resampling)."""
    from minilateral.montecarlo.engine import sweep
    from minilateral.montecarlo.summary import summarize_sweep
    from minilateral.panels import aggregate, sweep_plan

    db = _open(db_url)
    try:
        with db.session() as s:
            repo = _repo(s)
            scenario, data, _ = repo.data(panel, round_, names=names)
            number = round_ or repo.get(panel).panel.current_round
    finally:
        db.dispose()
    merged = aggregate(scenario, data, method=method)
    label = f"panel {panel}, round {number}, {len(data.coders)} coders ({', '.join(data.coders)})"
    result = sweep(
        merged,
        model,
        draws=draws,
        seed=seed,
        out=out,
        input_plan=sweep_plan(merged, data, label=label),
    )
    summary = summarize_sweep(result)
    rows = [
        {
            "Issue": issue.name,
            "5 %": issue.quantiles[0.05],
            "Median": issue.quantiles[0.5],
            "95 %": issue.quantiles[0.95],
        }
        for issue in summary.issues
    ]
    if not write_data(fmt, rows, payload=summary.to_dict()):
        print_table(rows, title=f"Forecast with the panel's disagreement ({draws} draws)", digits=1)


def register(app: typer.Typer) -> None:
    """Attach the ``panel`` command group to ``app``."""
    app.add_typer(panel_app, name="panel")
