"""The typer application, shared options and the error boundary of every command."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Any, TypeVar

import typer
from rich.console import Console
from rich.logging import RichHandler

from minilateral.errors import MinilateralError, OptionError
from minilateral.provenance import package_version

__all__ = [
    "app",
    "cli_errors",
    "err_console",
    "model_options",
    "out_console",
    "parse_scale",
    "parse_sets",
]

F = TypeVar("F", bound=Callable[..., Any])

app = typer.Typer(
    rich_markup_mode=None,
    name="minilateral",
    help="Regional-security and mediation analysis: forecast negotiations, map alignments, "
    "design mediation.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
out_console = Console(soft_wrap=True)
err_console = Console(stderr=True)
_state = {"debug": False}
_BAD_PATH = (
    FileNotFoundError,
    FileExistsError,
    IsADirectoryError,
    NotADirectoryError,
    PermissionError,
)
# Usage errors and exits that the command-line framework itself reports (exit 2 / given code).
_CONTROL_FLOW: tuple[type[BaseException], ...] = (
    typer.Exit,
    typer.Abort,
    *(
        c
        for c in typer.BadParameter.__mro__
        if c.__name__ == "ClickException" and issubclass(c, BaseException)
    ),
)


def _version(value: bool) -> None:
    if value:
        out_console.print(f"minilateral {package_version()}")
        raise typer.Exit()


@app.callback()
def _root(
    debug: bool = typer.Option(False, "--debug", help="Show tracebacks and debug logs."),
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Show informational logs."),
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version."
    ),
) -> None:
    """Regional-security and mediation analysis."""
    _state["debug"] = debug
    level = logging.DEBUG if debug else logging.INFO if verbose else logging.WARNING
    logging.basicConfig(
        level=level,
        format="%(message)s",
        handlers=[RichHandler(console=err_console, show_path=False, show_time=False)],
        force=True,
    )


def cli_errors(func: F) -> F:
    """Print :class:`MinilateralError` as ``ErrorType: message`` and exit 2 (input) or 1."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except MinilateralError as err:
            if _state["debug"]:
                raise
            err_console.print(
                f"[bold red]{type(err).__name__}[/]: {err}", highlight=False, soft_wrap=True
            )
            raise typer.Exit(code=err.exit_code) from None
        except _CONTROL_FLOW:
            raise
        except _BAD_PATH as err:  # a path given by the user cannot be read or written
            if _state["debug"]:
                raise
            err_console.print(
                f"[bold red]{type(err).__name__}[/]: {err}", highlight=False, soft_wrap=True
            )
            raise typer.Exit(code=2) from None
        except Exception as err:
            if _state["debug"]:
                raise
            err_console.print(
                f"[bold red]{type(err).__name__}[/]: {err} (run with --debug for the traceback)",
                highlight=False,
                soft_wrap=True,
            )
            raise typer.Exit(code=1) from None

    return wrapper  # type: ignore[return-value]


def parse_sets(values: list[str] | None, option: str = "--set") -> dict[str, str]:
    """``["K=V", ...]`` → ``{"K": "V"}``; a malformed item is a usage error naming ``option``."""
    out: dict[str, str] = {}
    for item in values or []:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise typer.BadParameter(f"'{item}' is not KEY=VALUE", param_hint=option)
        out[key.strip()] = value.strip()
    return out


def parse_scale(value: str | None) -> tuple[float, float] | None:
    """``"LO,HI"`` → ``(lo, hi)`` with ``lo < hi``."""
    if value is None:
        return None
    try:
        lo, hi = (float(v) for v in value.split(","))
    except ValueError:
        raise typer.BadParameter(f"'{value}' is not LO,HI", param_hint="--scale") from None
    if not lo < hi:
        raise typer.BadParameter(f"LO must be below HI, got '{value}'", param_hint="--scale")
    return lo, hi


def model_options(model: str, sets: list[str] | None, rounds: int | None) -> dict[str, Any]:
    """Options of ``model`` from ``--set KEY=VALUE`` items and ``--rounds`` (dynamic models)."""
    from minilateral.models.registry import model_class

    options: dict[str, Any] = dict(parse_sets(sets))
    cls = model_class(model)  # an unknown model is reported before any work
    if rounds is not None:
        if cls.rounds_option is None:
            raise OptionError(f"model '{model}' is static; --rounds does not apply", field="rounds")
        options[cls.rounds_option] = rounds
    return options
