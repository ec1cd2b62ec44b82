"""``minilateral db``, ``users``, ``runs`` and ``serve``: the stored history from the terminal."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from minilateral.cli._app import cli_errors, out_console
from minilateral.cli._output import FormatOpt, print_table, write_data
from minilateral.errors import StoreError
from minilateral.forecast import dumps_json
from minilateral.scenario import Scenario
from minilateral.store import db as store_db
from minilateral.store.accounts import create_user, issue_token
from minilateral.store.db import Database
from minilateral.store.orm import Run, User
from minilateral.store.repository import Principal, Repository

__all__ = ["register"]

DbUrl = Annotated[
    str | None,
    typer.Option(
        "--db-url", help="Database URL (default: MINILATERAL_DB_URL or the user data dir)."
    ),
]

db_app = typer.Typer(
    rich_markup_mode=None, help="The database of stored scenarios and runs.", no_args_is_help=True
)
users_app = typer.Typer(
    rich_markup_mode=None, help="Accounts of the web application.", no_args_is_help=True
)
runs_app = typer.Typer(
    rich_markup_mode=None, help="Stored runs: list, show, diff.", no_args_is_help=True
)


def _open(url: str | None, *, migrate: bool = True) -> Database:
    db = Database.connect(url)
    if migrate:
        db.ensure_schema()
    return db


@db_app.command("upgrade")
@cli_errors
def db_upgrade(
    revision: Annotated[str, typer.Argument(help="Target revision.")] = "head",
    db_url: DbUrl = None,
) -> None:
    """Apply migrations (creates the database if needed)."""
    db = _open(db_url, migrate=False)
    db.upgrade(revision)
    out_console.print(f"database at revision {store_db.current_revision(db)}")


@db_app.command("downgrade")
@cli_errors
def db_downgrade(
    revision: Annotated[str, typer.Argument(help="Target revision ('base' empties it).")],
    db_url: DbUrl = None,
) -> None:
    """Revert migrations down to REVISION."""
    db = _open(db_url, migrate=False)
    store_db.downgrade(db, revision)
    out_console.print(f"database at revision {store_db.current_revision(db) or 'base'}")


@db_app.command("current")
@cli_errors
def db_current(db_url: DbUrl = None) -> None:
    """Print the database URL and its migration revision."""
    db = _open(db_url, migrate=False)
    current = store_db.current_revision(db)
    head = store_db.head_revision()
    state = "up to date" if current == head else f"behind (newest: {head}); run `db upgrade`"
    out_console.print(f"{store_db.safe_url(db.url)}: revision {current or 'none'} ({state})")


@db_app.command("history")
@cli_errors
def db_history(db_url: DbUrl = None, fmt: FormatOpt = "table") -> None:
    """List the migrations and which are applied."""
    db = _open(db_url, migrate=False)
    rows = [
        {
            "Revision": m.revision,
            "Parent": m.down_revision,
            "Applied": m.applied,
            "Description": m.message,
        }
        for m in store_db.history(db)
    ]
    if not write_data(fmt, rows):
        print_table(rows, title="Migrations")


@db_app.command("backup")
@cli_errors
def db_backup(
    file: Annotated[Path, typer.Argument(help="Backup file to write (must not exist).")],
    db_url: DbUrl = None,
) -> None:
    """Write a consistent copy of the database (SQLite file, or pg_dump SQL)."""
    db = _open(db_url, migrate=False)
    path = store_db.backup(db, file)
    out_console.print(f"backup written to {path}")


@users_app.command("create")
@cli_errors
def users_create(
    email: Annotated[str, typer.Argument(help="The user's e-mail address (their login).")],
    org: Annotated[str, typer.Option("--org", help="Organisation (created if needed).")],
    role: Annotated[str, typer.Option("--role", help="owner, analyst or viewer.")] = "analyst",
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input.")
    ] = False,
    db_url: DbUrl = None,
) -> None:
    """Create a user (or add them to ORG), e.g. the first administrator."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    db = _open(db_url)
    with db.session() as session:
        user = create_user(session, email, password, org=org, role=role)
        session.commit()
        out_console.print(f"user {user.email} is {role} of '{org}'")


@users_app.command("token")
@cli_errors
def users_token(
    email: Annotated[str, typer.Argument(help="The user's e-mail address.")],
    name: Annotated[str, typer.Option("--name", help="A label for the token.")] = "cli",
    db_url: DbUrl = None,
) -> None:
    """Issue an API token for EMAIL and print it (shown once)."""
    db = _open(db_url)
    with db.session() as session:
        from sqlalchemy import select

        user = session.scalar(select(User).where(User.email == email.strip().lower()))
        if user is None:
            raise StoreError(f"no user '{email}'", field="email")
        issued = issue_token(session, user, kind="api", name=name)
        session.commit()
    sys.stdout.write(issued.secret + "\n")


def _repo(db: Database) -> Repository:
    return Repository(db.session(), Principal.system_principal())


@runs_app.command("list")
@cli_errors
def runs_list(
    limit: Annotated[int, typer.Option("--limit", min=1, help="How many runs.")] = 20,
    db_url: DbUrl = None,
    fmt: FormatOpt = "table",
) -> None:
    """The most recent runs."""
    repo = _repo(_open(db_url))
    page = repo.list_runs(limit=limit)
    rows = [
        {
            "Run": r.id,
            "When (UTC)": r.created_at.strftime("%Y-%m-%d %H:%M:%S"),
            "Kind": r.kind,
            "Model": r.model,
            "Scenario": r.source + (f" v{r.scenario_version.number}" if r.scenario_version else ""),
            "Status": r.status,
            "Seed": r.seed,
            "Input hash": r.input_hash,
        }
        for r in page.items
    ]
    columns = ("Run", "When (UTC)", "Kind", "Model", "Scenario", "Status", "Seed", "Input hash")
    if write_data(fmt, rows, columns=columns):
        return
    for row, r in zip(rows, page.items, strict=True):
        row["Input hash"] = r.input_hash[:12]  # the table shows the start; CSV and JSON all
    print_table(rows, title=f"Runs ({page.total} stored)", no_wrap=("Run", "When (UTC)"))


def _payload(run: Run) -> dict[str, Any]:
    return run.results[0].payload if run.results else {}


@runs_app.command("show")
@cli_errors
def runs_show(
    run_id: Annotated[int, typer.Argument(help="Run id (see `runs list`).")],
    fmt: FormatOpt = "table",
    db_url: DbUrl = None,
) -> None:
    """One run: inputs, status, timings and outcome (CSV: the outcome table)."""
    run = _repo(_open(db_url)).get_run(run_id)
    payload = _payload(run)
    rows, title = _outcome_rows(run, payload)
    if write_data(
        fmt,
        rows,
        payload={
            "id": run.id,
            "kind": run.kind,
            "model": run.model,
            "options": run.options,
            "seed": run.seed,
            "input_hash": run.input_hash,
            "source": run.source,
            "scenario_version": (run.scenario_version.number if run.scenario_version else None),
            "status": run.status,
            "created_at": run.created_at.isoformat(),
            "duration_s": run.duration_s,
            "provenance": run.provenance,
            "result": payload,
        },
    ):
        return
    out_console.print(
        f"run {run.id}: {run.kind} {run.model} on {run.source or '—'} — {run.status}\n"
        f"options {dumps_json(run.options)}, seed {run.seed}, input {run.input_hash}\n"
        f"created {run.created_at:%Y-%m-%d %H:%M:%S} UTC"
        + (f", {run.duration_s:.3f} s" if run.duration_s is not None else "")
        + (f"\n{run.message}" if run.message else ""),
        soft_wrap=False,  # the options wrap at the terminal's width
        highlight=False,
    )
    if rows:
        print_table(rows, title=title)


def _outcome_rows(run: Run, payload: dict[str, Any]) -> tuple[list[dict[str, Any]], str]:
    """The outcome table of a stored run: quantiles per issue for a sweep, else the outcome."""
    if run.kind == "sweep" and payload.get("issues"):
        rows = []
        for issue in payload["issues"]:
            q = issue.get("quantiles", {})
            rows.append(
                {
                    "Issue": issue["issue"],
                    "Mean": issue.get("mean"),
                    "SD": issue.get("sd"),
                    "5 %": q.get("0.05"),
                    "Median": q.get("0.5"),
                    "95 %": q.get("0.95"),
                }
            )
        return rows, f"Outcome over {payload.get('draws')} draws"
    if payload.get("outcome") is not None:
        rows = [
            {"Issue": issue, "Outcome": value}
            for issue, value in zip(payload["issues"], payload["outcome"], strict=True)
        ]
        return rows, "Outcome"
    return [], "Outcome"


def _scenario(run: Run) -> Scenario | None:
    return Scenario.model_validate(run.scenario_version.content) if run.scenario_version else None


def diff_runs(a: Run, b: Run) -> dict[str, Any]:
    """Differences between two runs: settings, scenario content, and outcome per issue."""
    settings = {
        key: (getattr(a, key), getattr(b, key))
        for key in ("kind", "model", "options", "seed", "input_hash")
        if getattr(a, key) != getattr(b, key)
    }
    inputs: list[str] = []
    sa, sb = _scenario(a), _scenario(b)
    if sa is not None and sb is not None and sa.sha256() != sb.sha256():
        inputs = _scenario_changes(sa, sb)
    pa, pb = _payload(a), _payload(b)
    outcomes = []
    ia = dict(zip(pa.get("issues", []), pa.get("outcome", []), strict=False))
    ib = dict(zip(pb.get("issues", []), pb.get("outcome", []), strict=False))
    for issue in list(dict.fromkeys([*ia, *ib])):
        va, vb = ia.get(issue), ib.get(issue)
        delta = vb - va if va is not None and vb is not None else None
        outcomes.append({"issue": issue, "a": va, "b": vb, "delta": delta})
    return {"a": a.id, "b": b.id, "settings": settings, "inputs": inputs, "outcomes": outcomes}


def _scenario_changes(a: Scenario, b: Scenario) -> list[str]:
    changes = []
    ia, ib = {i.name: i for i in a.issues}, {i.name: i for i in b.issues}
    changes += [f"issue '{n}' only in A" for n in ia if n not in ib]
    changes += [f"issue '{n}' only in B" for n in ib if n not in ia]
    for n in ia.keys() & ib.keys():
        if (ia[n].lo, ia[n].hi) != (ib[n].lo, ib[n].hi):
            changes.append(
                f"issue '{n}': scale {ia[n].lo:g}–{ia[n].hi:g} → {ib[n].lo:g}–{ib[n].hi:g}"
            )
    aa, ab = {x.name: x for x in a.actors}, {x.name: x for x in b.actors}
    changes += [f"actor '{n}' only in A" for n in aa if n not in ab]
    changes += [f"actor '{n}' only in B" for n in ab if n not in aa]
    for n in [x for x in aa if x in ab]:
        x, y = aa[n], ab[n]
        if x.capability != y.capability:
            changes.append(f"actor '{n}': capability {x.capability:g} → {y.capability:g}")
        for issue in dict.fromkeys([*x.positions, *y.positions]):
            for label, fa, fb in (
                ("position", x.positions, y.positions),
                ("salience", x.salience, y.salience),
            ):
                va, vb = fa.get(issue), fb.get(issue)
                if va != vb:
                    fmt = lambda v: "absent" if v is None else f"{v:g}"  # noqa: E731
                    changes.append(f"actor '{n}', {issue}: {label} {fmt(va)} → {fmt(vb)}")
    if a.title != b.title:
        changes.append(f"title '{a.title}' → '{b.title}'")
    return changes


@runs_app.command("diff")
@cli_errors
def runs_diff(
    a: Annotated[int, typer.Argument(help="First run id.")],
    b: Annotated[int, typer.Argument(help="Second run id.")],
    fmt: FormatOpt = "table",
    db_url: DbUrl = None,
) -> None:
    """Compare two runs: settings, scenario inputs, and outcomes per issue (CSV: outcomes)."""
    repo = _repo(_open(db_url))
    result = diff_runs(repo.get_run(a), repo.get_run(b))
    rows = [
        {"Issue": row["issue"], f"Run {a}": row["a"], f"Run {b}": row["b"], "B − A": row["delta"]}
        for row in result["outcomes"]
    ]
    if write_data(fmt, rows, payload=result):
        return
    if result["settings"]:
        for key, (va, vb) in result["settings"].items():
            out_console.print(
                f"{key}: {dumps_json(va)} → {dumps_json(vb)}", highlight=False, soft_wrap=False
            )
    else:
        out_console.print("same model, options, seed and input")
    for line in result["inputs"]:
        out_console.print(f"input: {line}", highlight=False, soft_wrap=False)
    for row in rows:
        if row["B − A"] is not None:
            row["B − A"] = f"{row['B − A']:+.3f}"
    print_table(rows, title=f"Outcome: run {a} vs run {b}", right=("B − A",))


def serve(
    host: Annotated[str, typer.Option("--host", help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="TCP port.")] = 8000,
    db_url: DbUrl = None,
    workers: Annotated[int, typer.Option("--workers", min=1, help="Run threads.")] = 2,
    trusted_proxy: Annotated[
        list[str] | None,
        typer.Option(
            "--trusted-proxy",
            help="Address of a reverse proxy whose X-Forwarded-For names the client "
            "(repeatable; default: none, the header is ignored).",
        ),
    ] = None,
) -> None:
    """Start the web application (migrates the database and loads the scenario library)."""
    import uvicorn

    from minilateral.web import Settings, create_app

    db = _open(db_url)
    db.dispose()
    out_console.print(f"minilateral on http://{host}:{port}  (API docs at /docs)")
    settings = Settings(db_url=db.url, workers=workers, trusted_proxies=tuple(trusted_proxy or ()))
    # The app reads X-Forwarded-For itself, only from the trusted proxies: uvicorn's own
    # proxy_headers would trust it from loopback and let a client choose its address.
    uvicorn.run(create_app(settings), host=host, port=port, proxy_headers=False)


def register(app: typer.Typer) -> None:
    """Attach the command groups of this module to ``app``."""
    app.add_typer(db_app, name="db")
    app.add_typer(users_app, name="users")
    app.add_typer(runs_app, name="runs")
    app.command("serve")(cli_errors(serve))
