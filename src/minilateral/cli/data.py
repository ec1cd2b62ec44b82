"""``minilateral data status|import|download``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TaskID,
    TextColumn,
    TransferSpeedColumn,
)

from minilateral.cli._app import cli_errors, err_console, out_console
from minilateral.cli._output import FormatOpt, print_table, write_data
from minilateral.data.store import MISSING_DATA_HINT, data_dir, status

__all__ = ["register"]

data_app = typer.Typer(
    rich_markup_mode=None, help="Reference data: status, import, download.", no_args_is_help=True
)


@data_app.command("status")
@cli_errors
def status_cmd(fmt: FormatOpt = "table") -> None:
    """What is installed: version, coverage years and licence of every table."""
    rows = status()
    payload = {"data_dir": str(data_dir()), "tables": [r.to_dict() for r in rows]}
    table = [
        {
            "Table": d["table"],
            "Installed": r.installed,
            "Version": d["version"],
            "Coverage": d["coverage"],
            "Rows": d["rows"],
            "Licence": d["licence"],
        }
        for r, d in ((r, r.to_dict()) for r in rows)
    ]
    if write_data(fmt, table, payload=payload):
        return
    print_table(table, title=f"Reference data in {data_dir()}")
    if not any(r.installed for r in rows):
        out_console.print(MISSING_DATA_HINT)


@data_app.command("import")
@cli_errors
def import_cmd(
    folder: Annotated[Path, typer.Argument(help="Folder of NAME.parquet files.")],
    table: Annotated[list[str] | None, typer.Option("--table", "-t")] = None,
) -> None:
    """Validate and copy Parquet tables from FOLDER into the data directory."""
    from minilateral.data.importer import import_tables

    with Progress(
        TextColumn("{task.description}"), BarColumn(), console=err_console, transient=True
    ) as bar:
        task = bar.add_task("importing", total=None)

        def tick(done: int, total: int, name: str) -> None:
            bar.update(task, completed=done, total=total, description=f"importing {name}")

        report = import_tables(folder, tables=table, progress=tick)
    out_console.print(f"imported {len(report.imported)} table(s) into {data_dir()}")
    for _path, message in report.failed:
        err_console.print(f"[bold red]DataError[/]: {message}", highlight=False, soft_wrap=True)
    if report.failed:
        err_console.print(f"{len(report.failed)} file(s) failed; installed tables were kept.")
        raise typer.Exit(code=1)


@data_app.command("download")
@cli_errors
def download_cmd(table: Annotated[list[str] | None, typer.Option("--table", "-t")] = None) -> None:
    """Fetch tables from their original public sources and convert them (resumable)."""
    from minilateral.data.download import download

    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        DownloadColumn(),
        TransferSpeedColumn(),
        console=err_console,
    ) as bar:
        tasks: dict[str, TaskID] = {}

        def tick(url: str, done: int, total: int | None) -> None:
            if url not in tasks:
                tasks[url] = bar.add_task(url.rsplit("/", 1)[-1], total=total)
            bar.update(tasks[url], completed=done, total=total)

        report = download(table, progress=tick)
    out_console.print(f"installed {len(report.imported)} table(s) into {data_dir()}")
    for name, message in report.failed:
        err_console.print(f"[bold red]{name}[/]: {message}", highlight=False, soft_wrap=True)
    if report.failed:
        raise typer.Exit(code=1)


def register(app: typer.Typer) -> None:
    """Attach ``data`` to the root app."""
    app.add_typer(data_app, name="data")
