"""The ``minilateral`` command line: thin over the library, errors without tracebacks.

Each command group lives in its own module with a ``register(app)`` function. The root group
loads a module only when one of its commands runs (or its own ``--help`` is asked for), so
``minilateral --help``, ``--version`` and light commands start without importing NumPy, the
models or the web stack. :data:`COMMANDS` names, for every top-level command, the module
that defines it and the one-line help shown in ``minilateral --help``; a test checks it
against the modules. Exit status: 0 success, 2 bad input or usage, 1 any other failure.
``--debug`` shows tracebacks.
"""

from __future__ import annotations

import importlib
import sys
from difflib import get_close_matches
from typing import Any

import typer
from typer.core import TyperGroup

__all__ = ["COMMANDS", "app", "main"]

#: Top-level command → (module under ``minilateral.cli``, one-line help for the listing).
COMMANDS: dict[str, tuple[str, str]] = {
    "coalitions": (
        "coalitions",
        "Rank mediating coalitions by the probability that the parties agree.",
    ),
    "mediators": (
        "coalitions",
        "Profile candidate mediators from the reference data: credibility and its components.",
    ),
    "forecast": ("forecast", "Forecast the outcome of a negotiation with one model."),
    "models": ("forecast", "List the registered models with their options."),
    "validate": (
        "forecast",
        "Check a scenario file; report every problem with its line and field.",
    ),
    "brief": (
        "brief",
        "Write a brief: executive summary, one section per theatre, alignment, methods, sources.",
    ),
    "demo": (
        "scenarios",
        (
            "Run every library scenario through every model; write results.json, "
            "index.html and the brief (brief.html, brief.pdf)."
        ),
    ),
    "sensitivity": (
        "sweep",
        "Which actors move this forecast: Sobol' or Morris indices, ranked per issue.",
    ),
    "serve": (
        "store",
        "Start the web application (migrates the database and loads the scenario library).",
    ),
    "evaluate": ("evaluate", "Score models against observed outcomes."),
    "align": ("align", "Alignment measures from UN votes, NMC, ATOP and rivalries."),
    "data": ("data", "Reference data: status, import, download."),
    "scenarios": ("scenarios", "The scenario library: list, show, export, new."),
    "sweep": ("sweep", "Monte Carlo sweeps: run (locally or on Dask), summarize."),
    "db": ("store", "The database of stored scenarios and runs."),
    "users": ("store", "Accounts of the web application."),
    "runs": ("store", "Stored runs: list, show, diff."),
    "panel": (
        "panel",
        "Expert panels: several analysts code one scenario; agreement and disagreement.",
    ),
    "narratives": (
        "narratives",
        "Narrative monitor: coordinated behaviour and narratives in your own corpus of posts.",
    ),
}


def load_commands(module: str) -> dict[str, Any]:
    """The click commands that ``minilateral.cli.<module>`` registers, by name."""
    staging = typer.Typer()
    importlib.import_module(f"minilateral.cli.{module}").register(staging)
    group = typer.main.get_group(staging)
    return dict(group.commands)


class _LazyGroup(TyperGroup):
    """A root group that imports a command's module on first use."""

    def list_commands(self, ctx: Any) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        if cmd_name not in self.commands and cmd_name in COMMANDS:
            for name, command in load_commands(COMMANDS[cmd_name][0]).items():
                self.commands.setdefault(name, command)
        return self.commands.get(cmd_name)

    def format_commands(self, ctx: Any, formatter: Any) -> None:
        rows = [(name, help_) for name, (_, help_) in COMMANDS.items()]
        with formatter.section("Commands"):
            formatter.write_dl(rows)

    def resolve_command(self, ctx: Any, args: list[str]) -> Any:
        if args and args[0] not in COMMANDS and not args[0].startswith("-"):
            matches = get_close_matches(args[0], list(COMMANDS))
            hint = f" Did you mean {', '.join(repr(m) for m in matches)}?" if matches else ""
            ctx.fail(f"No such command {args[0]!r}.{hint}")
        return super().resolve_command(ctx, args)


def _root_app() -> typer.Typer:
    from minilateral.cli import _app

    _app.app.info.cls = _LazyGroup
    return _app.app


app = _root_app()


def main() -> None:
    """Console-script entry point."""
    sys.exit(app(standalone_mode=True))
