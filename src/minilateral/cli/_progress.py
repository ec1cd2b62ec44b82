"""Progress on stderr: a live bar on a terminal, plain lines otherwise (logs, CI, pipes).

A long command reports through :func:`progress`::

    with progress("bdm sobol runs", unit="runs") as report:
        run(..., progress=lambda done, total: report(done, total))

On a terminal this draws a Rich bar; when stderr is not a terminal it prints lines such as
``bdm sobol runs: 120/400 (30%)``, at most one every :data:`PLAIN_INTERVAL` seconds plus the
first and the last, so a log shows that work goes on without filling up.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from minilateral.cli._app import err_console

__all__ = ["PLAIN_INTERVAL", "Report", "progress"]

PLAIN_INTERVAL = 5.0
"""Seconds between two plain progress lines."""

#: ``report(done=None, total=None, label=None)``: update the count, the total or the label.
Report = Callable[..., None]


@contextmanager
def progress(description: str, *, unit: str = "", disable: bool = False) -> Iterator[Report]:
    """A progress reporter for the ``with`` block (see the module docstring)."""
    if disable:
        yield lambda *args, **kwargs: None
        return
    if err_console.is_terminal:
        yield from _live(description)
        return
    yield from _plain(description, unit)


def _live(description: str) -> Iterator[Report]:
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        TextColumn("{task.fields[count]}"),
        TimeElapsedColumn(),
        console=err_console,
        transient=True,
    ) as bar:
        task = bar.add_task(description, total=None, count="starting")

        def report(done: int | None = None, total: int | None = None, label: str | None = None):
            fields: dict = {}
            if label is not None:
                fields["description"] = label
            if total is not None:
                fields["total"] = total
            if done is not None:
                fields["completed"] = done
                known = total if total is not None else bar.tasks[0].total
                fields["count"] = f"{done:,}/{known:,}" if known else f"{done:,}"
            bar.update(task, **fields)

        yield report


def _plain(description: str, unit: str) -> Iterator[Report]:
    state: dict[str, Any] = {
        "label": description,
        "total": None,
        "done": None,
        "last": 0.0,
        "printed": None,
    }
    start = time.monotonic()

    def line() -> str:
        done, total = state["done"], state["total"]
        text = f"{state['label']}:"
        if done is not None:
            text += f" {done:,}" + (f"/{total:,} ({100 * done / total:.0f}%)" if total else "")
            text += f" {unit}" if unit else ""
        return text + f" [{time.monotonic() - start:.0f} s]"

    def emit() -> None:
        text = line()
        state["printed"] = (state["label"], state["done"])
        state["last"] = time.monotonic()
        err_console.print(text, highlight=False, soft_wrap=True, markup=False)

    def report(done: int | None = None, total: int | None = None, label: str | None = None):
        relabelled = label is not None and label != state["label"]
        if label is not None:
            state["label"] = label
        if total is not None:
            state["total"] = total
        if done is not None:
            state["done"] = done
        finished = state["total"] is not None and state["done"] == state["total"]
        if relabelled or finished or time.monotonic() - state["last"] >= PLAIN_INTERVAL:
            emit()

    err_console.print(f"{description}: started", highlight=False, soft_wrap=True, markup=False)
    state["last"] = time.monotonic()
    yield report
    if state["printed"] != (state["label"], state["done"]) and state["done"] is not None:
        emit()
    err_console.print(
        f"{description}: done in {time.monotonic() - start:.1f} s",
        highlight=False,
        soft_wrap=True,
        markup=False,
    )
