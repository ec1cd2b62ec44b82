"""Runs as background jobs: a thread pool executes queued runs and records their results.

A run *kind* is a function ``(scenario, run, progress, cancelled) -> KindOutput``; ``forecast``,
``sweep`` (Monte Carlo, ``minilateral.montecarlo``) and ``coalitions`` (mediating coalitions,
``minilateral.mediation``) are built in. Other kinds plug in with
:func:`register_kind` and then become available to ``POST /api/runs`` with ``"kind": NAME``.

Cancellation is cooperative: a queued run is cancelled at once; a running one is asked to stop
through ``cancelled()``, which a kind checks between steps (a single forecast is one step, so
its result is discarded and the run marked cancelled when it returns).
"""

from __future__ import annotations

import logging
import shutil
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from minilateral.api import forecast
from minilateral.errors import MinilateralError, OptionError
from minilateral.scenario import Scenario
from minilateral.store.db import Database
from minilateral.store.orm import Result, Run, RunStatus, utcnow

__all__ = ["RUN_KINDS", "JobRunner", "KindOutput", "register_kind"]

log = logging.getLogger(__name__)

Progress = Callable[[float, str], None]


@dataclass(frozen=True)
class KindOutput:
    """What a run kind returns: JSON payloads (one per result row) and provenance."""

    results: Sequence[Mapping[str, Any]]
    provenance: Mapping[str, Any]
    options: Mapping[str, Any]


RunKind = Callable[[Scenario, Run, Progress, Callable[[], bool]], KindOutput]


def _forecast_kind(
    scenario: Scenario, run: Run, progress: Progress, cancelled: Callable[[], bool]
) -> KindOutput:
    progress(0.0, f"running {run.model}")
    result = forecast(scenario, run.model, options=dict(run.options), seed=run.seed)
    meta = {"title": scenario.title, "sha256": scenario.sha256()}
    payloads = [result.to_dict(i, scenario=meta) for i in range(result.batch_size)]
    return KindOutput(payloads, result.provenance, payloads[0]["options"])


class _CancelledError(Exception):
    """Raised from a sweep's progress callback to stop it when the run is cancelled."""


def _sweep_kind(
    scenario: Scenario, run: Run, progress: Progress, cancelled: Callable[[], bool]
) -> KindOutput:
    """A Monte Carlo sweep (``minilateral.montecarlo``) into the data dir; result: its summary."""
    from minilateral.montecarlo.engine import MANIFEST, sweep
    from minilateral.montecarlo.summary import summarize_sweep
    from minilateral.store.db import data_dir

    params = dict(run.options)
    out = data_dir() / "sweeps" / f"run-{run.id}"
    # A run restarted after a server stop resumes from its verified finished parts; a directory
    # that holds no sweep of the same inputs is cleared.
    resume = (out / MANIFEST).exists()
    if out.exists() and not resume:
        shutil.rmtree(out)

    def report(done: int, total: int) -> None:
        if cancelled():
            raise _CancelledError
        progress(done / total, f"{done} of {total} draws")

    try:
        result = sweep(
            scenario,
            run.model,
            draws=int(params["draws"]),
            seed=int(run.seed or 0),
            out=out,
            options=params.get("model_options", {}),
            chunk_size=int(params.get("chunk_size", 1000)),
            progress=report,
            resume=resume,
        )
    except OptionError:  # a different sweep in the directory (e.g. other draws): start afresh
        if not resume:
            raise
        shutil.rmtree(out)
        return _sweep_kind(scenario, run, progress, cancelled)
    except _CancelledError:
        return KindOutput([], {}, params)
    return KindOutput([summarize_sweep(result).to_dict()], result.manifest["provenance"], params)


def _coalitions_kind(
    scenario: Scenario, run: Run, progress: Progress, cancelled: Callable[[], bool]
) -> KindOutput:
    """Rank mediating coalitions (``minilateral.mediation.search_coalitions``) on common
    Monte Carlo draws; result: the ranked table with the baseline."""
    from minilateral.mediation import search_coalitions

    params = dict(run.options)

    def report(done: int, total: int, label: str) -> None:
        if cancelled():
            raise _CancelledError
        progress(done / max(total, 1), f"{done} of {total} coalitions evaluated ({label})")

    try:
        result = search_coalitions(
            scenario,
            params["candidates"],
            sizes=(int(params["sizes"][0]), int(params["sizes"][1])),
            model=run.model,
            options=params.get("model_options", {}),
            draws=int(params["draws"]),
            seed=int(run.seed or 0),
            progress=report,
        )
    except _CancelledError:
        return KindOutput([], {}, params)
    return KindOutput([result.to_dict()], result.provenance, params)


RUN_KINDS: dict[str, RunKind] = {
    "forecast": _forecast_kind,
    "sweep": _sweep_kind,
    "coalitions": _coalitions_kind,
}


def register_kind(name: str, kind: RunKind) -> None:
    """Make ``kind`` available to the API and UI under ``name``."""
    RUN_KINDS[name] = kind


class JobRunner:
    """Executes queued runs in a thread pool, writing status, progress and results."""

    def __init__(self, db: Database, workers: int = 2) -> None:
        self.db = db
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="minilateral-run")
        self._cancel: dict[int, threading.Event] = {}
        self._lock = threading.Lock()

    def submit(self, run_id: int) -> None:
        """Queue the run ``run_id`` (already stored with status ``queued``)."""
        with self._lock:
            self._cancel[run_id] = threading.Event()
        self._pool.submit(self._execute, run_id)

    def cancel(self, run_id: int) -> None:
        """Ask a running run to stop."""
        with self._lock:
            event = self._cancel.get(run_id)
        if event is not None:
            event.set()

    def shutdown(self) -> None:
        """Stop accepting runs; wait for the ones in progress."""
        self._pool.shutdown(wait=True, cancel_futures=True)

    def _update(self, run_id: int, **values: Any) -> None:
        with self.db.session() as session:
            run = session.get(Run, run_id)
            if run is not None:
                for key, value in values.items():
                    setattr(run, key, value)
                session.commit()

    def _execute(self, run_id: int) -> None:
        event = self._cancel.get(run_id, threading.Event())
        try:
            self._work(run_id, event)
        except Exception as err:  # a run failing must not kill the worker thread
            log.exception("run %s failed", run_id)
            self._update(
                run_id,
                status=RunStatus.FAILED.value,
                message=f"{type(err).__name__}: {err}",
                finished_at=utcnow(),
            )
        finally:
            with self._lock:
                self._cancel.pop(run_id, None)

    def _work(self, run_id: int, event: threading.Event) -> None:
        with self.db.session() as session:
            run = session.get(Run, run_id)
            if run is None or run.status != RunStatus.QUEUED.value:
                return
            version = run.scenario_version
            if version is None:
                raise MinilateralError("the run's scenario version no longer exists")
            scenario = Scenario.model_validate(version.content)
            kind = RUN_KINDS.get(run.kind)
            if kind is None:
                raise MinilateralError(f"unknown run kind '{run.kind}'")
            started = utcnow()
            run.status = RunStatus.RUNNING.value
            run.started_at = started
            run.attempts += 1
            session.commit()
            t0 = time.perf_counter()

            def progress(fraction: float, message: str) -> None:
                self._update(run_id, progress=max(0.0, min(1.0, fraction)), message=message)

            try:
                output = kind(scenario, run, progress, event.is_set)
            except MinilateralError as err:
                run.status = RunStatus.FAILED.value
                run.message = f"{type(err).__name__}: {err}"
                run.finished_at = utcnow()
                run.duration_s = time.perf_counter() - t0
                session.commit()
                return
            session.refresh(run)
            run.finished_at = utcnow()
            run.duration_s = time.perf_counter() - t0
            if event.is_set():
                run.status = RunStatus.CANCELLED.value
                run.message = "cancelled while running; the result was discarded"
                session.commit()
                return
            run.options = dict(output.options)
            run.provenance = dict(output.provenance)
            for index, payload in enumerate(output.results):
                session.add(
                    Result(run_id=run.id, index=index, kind=run.kind, payload=dict(payload))
                )
            run.status = RunStatus.DONE.value
            run.progress = 1.0
            run.message = ""
            session.commit()
