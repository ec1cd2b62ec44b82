"""``minilateral narratives ...``: import a corpus, find coordinated accounts and narratives."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from minilateral.cli._app import cli_errors, err_console, out_console
from minilateral.cli._output import FormatOpt, write_data

__all__ = ["register"]

narratives_app = typer.Typer(
    rich_markup_mode=None,
    help="Narrative monitor: coordinated behaviour and narratives in your own corpus of posts.",
    no_args_is_help=True,
)

Sources = Annotated[
    list[Path],
    typer.Argument(
        help="Corpus files (CSV, JSONL, information-operations archive CSV, Telegram export "
        "JSON, GDELT 2.0) or a folder written by 'narratives import'."
    ),
]
Layout = Annotated[
    str,
    typer.Option(
        "--layout",
        help="Input layout: auto, generic, io_archive, telegram, gdelt_events or gdelt_gkg.",
    ),
]
Fmt = FormatOpt
#: CSV header of ``coordination`` and ``clusters`` (also when nothing was found).
CLUSTER_COLUMNS = (
    "Cluster",
    "Accounts",
    "Strength",
    "Shared items",
    "First active (UTC)",
    "Last active (UTC)",
    "Members",
)
NARRATIVE_COLUMNS = ("Narrative", "Posts", "Languages", "Top terms", "Actors mentioned")
Window = Annotated[
    float | None,
    typer.Option("--window", help="Coordination window in seconds (default: estimated)."),
]
MinRep = Annotated[
    int, typer.Option("--min-repetitions", help="Least distinct items a pair must co-share.")
]
Percentile = Annotated[
    float, typer.Option("--percentile", help="Quantile of edge weights an edge must reach.")
]
Channels = Annotated[str, typer.Option("--channels", help="Comma-separated: link, text, repost.")]


def _corpus(sources: list[Path], layout: str) -> Any:
    from minilateral.narratives import load_store, read_corpus

    if len(sources) == 1 and sources[0].is_dir():
        return load_store(sources[0])
    return read_corpus(sources, layout)


def _coordination(
    corpus: Any, window: float | None, min_rep: int, pct: float, channels: str
) -> Any:
    from minilateral.narratives import detect_coordination

    return detect_coordination(
        corpus,
        window=window,
        min_repetitions=min_rep,
        percentile_edge_weight=pct,
        channels=tuple(c.strip() for c in channels.split(",") if c.strip()),
    )


@narratives_app.command("import")
@cli_errors
def import_cmd(
    sources: Sources,
    name: Annotated[str, typer.Option("--name", "-n", help="Name of the stored corpus.")],
    layout: Layout = "auto",
    store: Annotated[
        Path | None,
        typer.Option(
            "--store", help="Folder to write (default: the data folder's narratives/NAME)."
        ),
    ] = None,
) -> None:
    """Read corpus files and store them as Parquet with provenance per file."""
    from minilateral.data.store import data_dir
    from minilateral.narratives import read_corpus, save_store

    corpus = read_corpus(sources, layout)
    folder = save_store(corpus, store or data_dir() / "narratives" / name)
    out_console.print(
        f"Stored {len(corpus.posts)} posts from {len(corpus.files)} file"
        f"{'' if len(corpus.files) == 1 else 's'} in {folder}",
        highlight=False,
    )


@narratives_app.command("coordination")
@cli_errors
def coordination_cmd(
    sources: Sources,
    layout: Layout = "auto",
    fmt: Fmt = "table",
    window: Window = None,
    min_repetitions: MinRep = 3,
    percentile: Percentile = 0.9,
    channels: Channels = "link,text,repost",
) -> None:
    """Clusters of accounts that behaved in a coordinated way."""
    result = _coordination(_corpus(sources, layout), window, min_repetitions, percentile, channels)
    rows = [
        {
            "Cluster": i,
            "Accounts": c["n_accounts"],
            "Strength": c["score"],
            "Shared items": c["n_shared_items"],
            "First active (UTC)": c["first"],
            "Last active (UTC)": c["last"],
            "Members": "; ".join(c["accounts"]),
        }
        for i, c in enumerate(result.clusters, 1)
    ]
    if write_data(fmt, rows, payload=result.to_dict(), columns=CLUSTER_COLUMNS):
        if result.window_seconds is None:
            err_console.print("No item was shared twice: coordination cannot be measured.")
        return
    if result.window_seconds is None:
        out_console.print("No item was shared twice: coordination cannot be measured.")
        return
    out_console.print(
        f"Coordination window {result.window_seconds:.0f} seconds; an edge needs "
        f"{result.threshold:.0f} distinct shared items.",
        highlight=False,
    )
    table = Table(title="Clusters of accounts that behaved in a coordinated way")
    for col in ("Cluster", "Accounts", "Strength", "Shared items", "Active (UTC)", "Members"):
        table.add_column(col)
    for i, c in enumerate(result.clusters, 1):
        members = ", ".join(c["accounts"][:6]) + (" …" if c["n_accounts"] > 6 else "")
        table.add_row(
            str(i),
            str(c["n_accounts"]),
            f"{c['score']:.2f}",
            str(c["n_shared_items"]),
            f"{c['first'][:10]} to {c['last'][:10]}",
            members,
        )
    out_console.print(table)
    err_console.print(
        "Coordinated behaviour is not evidence of who runs the accounts.", style="dim"
    )


@narratives_app.command("clusters")
@cli_errors
def clusters_cmd(
    sources: Sources,
    layout: Layout = "auto",
    fmt: Fmt = "table",
    seed: Annotated[int, typer.Option("--seed", help="Seed of the sample clustered.")] = 0,
) -> None:
    """Narratives: clusters of posts by multilingual character n-gram TF-IDF."""
    from minilateral.narratives import find_narratives

    result = find_narratives(_corpus(sources, layout), seed=seed)
    rows = [
        {
            "Narrative": n["id"] + 1,
            "Posts": n["size"],
            "Languages": ", ".join(f"{k} {v}" for k, v in n["languages"].items()),
            "Top terms": "; ".join(f"{k}: {', '.join(v)}" for k, v in n["top_terms"].items()),
            "Actors mentioned": ", ".join(n["actors"]),
        }
        for n in result.narratives
    ]
    if write_data(fmt, rows, payload=result.to_dict(), columns=NARRATIVE_COLUMNS):
        return
    table = Table(title="Narratives")
    for col in ("Narrative", "Posts", "Languages", "Top terms", "Actors mentioned"):
        table.add_column(col)
    for n in result.narratives:
        table.add_row(
            str(n["id"] + 1),
            str(n["size"]),
            ", ".join(f"{k} {v}" for k, v in n["languages"].items()),
            "; ".join(f"{k}: {', '.join(v[:5])}" for k, v in n["top_terms"].items()),
            ", ".join(list(n["actors"])[:4]) or "none",
        )
    out_console.print(table)


@narratives_app.command("report")
@cli_errors
def report_cmd(
    sources: Sources,
    out: Annotated[Path, typer.Option("--out", "-o", help="HTML file to write.")],
    layout: Layout = "auto",
    window: Window = None,
    min_repetitions: MinRep = 3,
    percentile: Percentile = 0.9,
    channels: Channels = "link,text,repost",
    seed: Annotated[int, typer.Option("--seed", help="Seed of the sample clustered.")] = 0,
) -> None:
    """HTML report: volume by narrative, coordination network, top clusters with evidence."""
    from minilateral.narratives import find_narratives
    from minilateral.presentation.narratives import render_report

    corpus = _corpus(sources, layout)
    coord = _coordination(corpus, window, min_repetitions, percentile, channels)
    nar = find_narratives(corpus, coordination=coord, seed=seed)
    render_report(coord, nar, out)
    out_console.print(f"Wrote {out}", highlight=False)


def register(app: typer.Typer) -> None:
    """Attach the ``narratives`` group to ``app``."""
    app.add_typer(narratives_app, name="narratives")
