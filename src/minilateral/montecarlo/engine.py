"""The sweep engine: draws in whole-batch chunks, in-process or on a Dask cluster, resumable.

A sweep of ``N`` draws is cut into chunks of ``C`` consecutive draws. Each chunk is sampled
(:mod:`minilateral.montecarlo.perturb`) and forecast as one batch (B = C) by the model's
vectorised ``forecast``, then written as one Parquet part file, atomically (a hidden temporary
file renamed into place). Because draw ``i``'s inputs depend only on ``(seed, i)``, the
contents are identical whatever the engine, the number of workers or the chunk size.

The output directory holds only ``part-<first>-<stop>.parquet`` files (the draws
``first … stop − 1``) and ``_manifest.json`` (seed, model, options, uncertainty, input hash,
package version, the rng layout and the timings of every run). A sweep is resumable: the
manifest is written before any work, so ``resume=True`` recomputes only the draws that no part
file holds. The manifest's ``parts`` records each part's row count and SHA-256 as it is written;
a resume trusts a part only when its file still has that checksum and the rows its name says,
and recomputes any other part (deleting it and saying which and why), so a truncated, edited or
corrupted part can never pass for finished draws.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import logging
import os
import re
import socket
import time
import uuid
import warnings
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from minilateral.errors import ConvergenceWarning, OptionError, StoreError
from minilateral.forecast import dumps_json
from minilateral.models.registry import get_model, model_class
from minilateral.montecarlo.perturb import DEFAULT_NOISE, NoisePlan, resolve_uncertainty
from minilateral.provenance import provenance
from minilateral.resources import check_memory, check_time
from minilateral.scenario import Noise, Scenario, Uncertainty

if TYPE_CHECKING:
    import distributed
    import pandas as pd
    import pyarrow as pa

__all__ = [
    "MANIFEST",
    "ProgressCallback",
    "SweepPlan",
    "SweepResult",
    "dask_chunk_size",
    "evaluate_chunk",
    "load_sweep",
    "local_cluster",
    "sweep",
]

log = logging.getLogger(__name__)

MANIFEST = "_manifest.json"
FORMAT = "minilateral-sweep/1"
_PART = re.compile(r"^part-(\d{10})-(\d{10})\.parquet$")
_MODEL_STREAM = 1  # spawn key of the model's own generator (stochastic models only)
# What must agree between a sweep on disk and a request to resume it.
_IDENTITY: tuple[str, ...]
_IDENTITY = ("format", "draws", "seed", "model", "options", "uncertainty", "input_sha256")
_IDENTITY += ("input_plan",)  # a panel's resampling plan (None for noise distributions)

#: Default chunk sizes (draws per batch) of static and dynamic models.
STATIC_CHUNK, DYNAMIC_CHUNK = 1000, 200
#: Shortest chunk, in seconds of one worker, that the Dask engine aims for when it sizes the
#: chunks itself: Dask's per-task cost (scheduling, pickling the result, writing its part) is a
#: few milliseconds, so below this it becomes a visible share of the run.
MIN_CHUNK_SECONDS = 0.25
#: Chunks per worker the Dask engine keeps at least, so the last ones even out the workers.
CHUNKS_PER_WORKER = 4

_TRIM_KEY = "distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_"

#: ``progress(done, total)``: draws written so far (including those of earlier runs) and N.
ProgressCallback = Callable[[int, int], None]


@dataclass(frozen=True)
class SweepPlan:
    """Everything a worker needs to evaluate a chunk (picklable, sent once per worker)."""

    noise: NoisePlan
    model: str
    options: dict[str, Any]
    seed: int

    def columns(self) -> tuple[list[str], list[str]]:
        """Names of the input columns (participating cells) and of the outcome columns."""
        base = self.noise.base
        cells = list(zip(*np.nonzero(base.mask[0]), strict=True))
        inputs = [
            f"{field}:{base.actors[i]}:{base.issues[q]}"
            for field in ("position", "salience", "capability")
            for i, q in cells
        ]
        return inputs, [f"outcome:{issue}" for issue in base.issues]


def evaluate_chunk(plan: SweepPlan, start: int, stop: int) -> pa.Table:
    """Sample draws ``start … stop − 1``, forecast them as one batch, return their rows.

    Columns: ``draw``, the inputs of every participating cell (``position:A:Q``,
    ``salience:A:Q``, ``capability:A:Q``, on the scenario's own scales), ``outcome:Q`` per
    issue, ``rounds`` and ``converged``.

    A stochastic model gets a generator seeded by ``SeedSequence(seed, spawn_key=(1, start))``:
    its own randomness is reproducible for a given chunk size, while the inputs never depend
    on the chunking.
    """
    import pyarrow as pa

    arrays = plan.noise.sample(plan.seed, start, stop)
    model = get_model(plan.model, **plan.options)
    rng = np.random.default_rng(np.random.SeedSequence(plan.seed, spawn_key=(_MODEL_STREAM, start)))
    # Non-convergence is counted from `converged`; floating-point warnings of one draw among
    # thousands would only flood the console (a draw without a forecast shows as NaN).
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore", ConvergenceWarning)
        result = model.forecast(arrays, rng=rng)
    mask = arrays.mask[0]
    inputs, outcomes = plan.columns()
    values = np.concatenate(
        [arrays.positions[:, mask], arrays.salience[:, mask], arrays.capability[:, mask]], axis=1
    ).T.copy()
    outcome = np.asarray(result.outcome, dtype=np.float64).T.copy()
    data: dict[str, Any] = {"draw": np.arange(start, stop, dtype=np.int64)}
    data.update(zip(inputs, values, strict=True))
    data.update(zip(outcomes, outcome, strict=True))
    data["rounds"] = np.asarray(result.rounds, dtype=np.int64)
    data["converged"] = np.asarray(result.converged, dtype=bool)
    return pa.table(data)


@dataclass(frozen=True)
class SweepResult:
    """A sweep on disk: its directory and manifest; rows are read on demand.

    Attributes
    ----------
    path : Path
        The sweep directory.
    manifest : dict
        The content of ``_manifest.json``.
    """

    path: Path
    manifest: dict[str, Any]

    @property
    def complete(self) -> bool:
        """Whether every draw has been written."""
        return bool(self.manifest.get("status") == "complete")

    @property
    def issues(self) -> list[dict[str, Any]]:
        """The scenario's issues (name, lo, hi, labels) as recorded in the manifest."""
        return list(self.manifest["scenario"]["issues"])

    def table(self, columns: list[str] | None = None) -> pa.Table:
        """All rows written so far as an Arrow table, sorted by ``draw``."""
        import pyarrow.parquet as pq

        parts = sorted(self.path.glob("part-*.parquet"))
        if not parts:
            raise StoreError("the sweep has no part files yet", path=self.path)
        wanted = None if columns is None else ["draw", *[c for c in columns if c != "draw"]]
        table = pq.read_table(self.path, columns=wanted)
        return table.sort_by("draw")

    def to_pandas(self, columns: list[str] | None = None) -> pd.DataFrame:
        """All rows written so far as a DataFrame indexed 0…, sorted by ``draw``."""
        return self.table(columns).to_pandas()


# -- the output directory ----------------------------------------------------------------------
def _write_atomic(path: Path, write: Callable[[Path], object]) -> None:
    """Write via a hidden temporary file in the same directory, then rename into place."""
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.tmp")
    try:
        write(tmp)
        os.replace(tmp, path)
    except BaseException as err:  # incl. KeyboardInterrupt: never leave half a file behind
        with contextlib.suppress(OSError):
            tmp.unlink()
        if isinstance(err, OSError):
            raise StoreError(f"cannot write {path.name}: {err.strerror or err}", path=path) from err
        raise


def _write_manifest(out: Path, manifest: dict[str, Any]) -> None:
    text = dumps_json(manifest, indent=1, sort_keys=False) + "\n"
    _write_atomic(out / MANIFEST, lambda p: p.write_text(text, encoding="utf-8"))


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _write_part(out: Path, table: pa.Table) -> dict[str, Any]:
    """Write one part atomically; return its manifest record (name, rows, SHA-256)."""
    import pyarrow.parquet as pq

    draws = table.column("draw")
    first, last = int(draws[0].as_py()), int(draws[len(draws) - 1].as_py())
    name = f"part-{first:010d}-{last + 1:010d}.parquet"
    _write_atomic(out / name, lambda p: pq.write_table(table, p))
    return {"name": name, "rows": table.num_rows, "sha256": _sha256(out / name)}


def _part_problem(path: Path, first: int, stop: int, record: dict[str, Any] | None) -> str | None:
    """Why the part file ``path`` cannot be trusted (None when it can)."""
    import pyarrow.parquet as pq

    if record is None:
        return "the manifest records no checksum for it"
    if _sha256(path) != record.get("sha256"):
        return "its SHA-256 differs from the one recorded when it was written"
    try:
        rows = pq.ParquetFile(path).metadata.num_rows
    except (OSError, ValueError, pa.ArrowException) as err:
        return f"it is not a readable Parquet file ({err})"
    if rows != stop - first or record.get("rows") != rows:
        return f"it holds {rows} rows where draws {first}…{stop - 1} need {stop - first}"
    return None


def _verified_ranges(
    out: Path, ranges: list[tuple[int, int]], parts: dict[str, dict[str, Any]]
) -> list[tuple[int, int]]:
    """The ranges whose part files pass :func:`_part_problem`; the others are deleted."""
    good = []
    for a, b in ranges:
        name = f"part-{a:010d}-{b:010d}.parquet"
        problem = _part_problem(out / name, a, b, parts.get(name))
        if problem is None:
            good.append((a, b))
            continue
        message = f"{out / name}: {problem}; deleting it and recomputing draws {a}…{b - 1}"
        log.warning(message)
        warnings.warn(message, UserWarning, stacklevel=4)
        (out / name).unlink()
        parts.pop(name, None)
    return good


def _read_manifest(out: Path) -> dict[str, Any]:
    try:
        data = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        raise StoreError(f"cannot read the sweep manifest: {err}", path=out / MANIFEST) from err
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise StoreError(f"not a {FORMAT} manifest", path=out / MANIFEST)
    return data


def _done_ranges(out: Path, draws: int) -> list[tuple[int, int]]:
    """The draw ranges held by part files, checked to lie in [0, draws) without overlap."""
    ranges = []
    for path in out.iterdir():
        match = _PART.match(path.name)
        if match:
            ranges.append((int(match[1]), int(match[2])))
    ranges.sort()
    previous = 0
    for a, b in ranges:
        if not (previous <= a < b <= draws):
            raise StoreError(
                f"part files overlap or lie outside draws 0…{draws - 1} (at draws {a}…{b - 1})",
                path=out,
            )
        previous = b
    return ranges


def _missing_chunks(done: list[tuple[int, int]], draws: int, size: int) -> list[tuple[int, int]]:
    """Chunks of at most ``size`` draws that cover every draw not in ``done``."""
    chunks: list[tuple[int, int]] = []
    cursor = 0
    for a, b in [*done, (draws, draws)]:
        chunks.extend((s, min(s + size, a)) for s in range(cursor, a, size))
        cursor = b
    return chunks


@contextlib.contextmanager
def _exclusive(out: Path) -> Iterator[None]:
    """Create ``out`` if needed and hold an exclusive lock on it while a sweep runs in it.

    The lock (``flock`` on the directory itself, POSIX only) is released when the process ends,
    even by ``kill -9``; a second sweep on the same directory meanwhile is refused.
    """
    if out.exists() and not out.is_dir():
        raise StoreError("the output path exists and is not a directory", path=out, exit_code=2)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise StoreError(f"cannot create the output directory: {err.strerror}", path=out) from err
    try:
        import fcntl
    except ImportError:  # not POSIX: no lock
        yield
        return
    fd = os.open(out, os.O_RDONLY)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as err:
            raise StoreError(
                "another sweep is running in this directory; wait for it or stop it first",
                path=out,
            ) from err
        except OSError as err:  # e.g. a file system without locks
            log.debug("cannot lock %s (%s); continuing without a lock", out, err)
        yield
    finally:
        os.close(fd)


def _prepare(out: Path, manifest: dict[str, Any], resume: bool) -> list[tuple[int, int]]:
    """Check the (locked) output directory; return the draw ranges already written."""
    try:
        entries = list(out.iterdir())
    except OSError as err:
        raise StoreError(f"cannot read the output directory: {err.strerror}", path=out) from err
    if (out / MANIFEST).exists():
        if not resume:
            raise OptionError(
                "the output directory already holds a sweep; pass --resume to complete it, or "
                "choose another directory",
                path=out,
                field="out",
            )
        old = _read_manifest(out)
        differ = [k for k in _IDENTITY if old.get(k) != manifest.get(k)]
        if differ:
            raise OptionError(
                "cannot resume: the sweep in this directory differs in "
                + ", ".join(f"{k} ({old.get(k)!r} there)" for k in differ),
                path=out,
                field="resume",
            )
        manifest["runs"] = old.get("runs", [])
        manifest["created"] = old.get("created", manifest["created"])
        manifest["parts"] = dict(old.get("parts") or {})
        for stale in out.glob(".*.tmp"):
            stale.unlink()
        ranges = _done_ranges(out, manifest["draws"])
        return _verified_ranges(out, ranges, manifest["parts"])
    if [p for p in entries if not p.name.startswith(".")]:
        raise OptionError(
            "the output directory is not empty and holds no sweep manifest; choose an empty "
            "or new directory",
            path=out,
            field="out",
        )
    return []


# -- engines ----------------------------------------------------------------------------------
def _local_tables(
    plan: SweepPlan, chunks: list[tuple[int, int]]
) -> Generator[pa.Table, None, None]:
    for a, b in chunks:
        yield evaluate_chunk(plan, a, b)


def dask_chunk_size(seconds_per_draw: float, draws: int, workers: int, default: int) -> int:
    """Draws per chunk for ``draws`` draws on ``workers`` Dask workers, from a measured cost.

    The model's own default (``default``, sized to stay in cache) is kept unless its chunks
    would take less than :data:`MIN_CHUNK_SECONDS`, in which case they grow to that duration;
    the chunks are then shrunk so that every worker gets at least :data:`CHUNKS_PER_WORKER`,
    and their count is rounded up to a multiple of ``workers`` so that no worker is left with
    one chunk more than the others at the end.

    >>> dask_chunk_size(0.001, 20_000, 2, 200)  # 1 ms a draw: 200 draws are 0.2 s, grow to 250
    250
    >>> dask_chunk_size(0.0001, 20_000, 2, 200)  # 0.1 ms: 2,500 a chunk, 8 chunks
    2500
    >>> dask_chunk_size(0.0001, 1_000, 2, 200)  # too few draws: 4 chunks per worker
    125
    """
    size = max(default, int(np.ceil(MIN_CHUNK_SECONDS / max(seconds_per_draw, 1e-9))))
    size = max(1, min(size, -(-draws // (CHUNKS_PER_WORKER * workers))))
    count = -(-draws // size)
    count = -(-count // workers) * workers
    return max(1, -(-draws // count))


def _rechunk(chunks: list[tuple[int, int]], size: int) -> list[tuple[int, int]]:
    """The draws of ``chunks`` (sorted, disjoint) in chunks of at most ``size``."""
    merged: list[list[int]] = []
    for a, b in chunks:
        if merged and merged[-1][1] == a:
            merged[-1][1] = b
        else:
            merged.append([a, b])
    return [(s, min(s + size, b)) for a, b in merged for s in range(a, b, size)]


def local_cluster(workers: int | None = None) -> distributed.LocalCluster:
    """A ``distributed.LocalCluster`` of ``workers`` single-threaded worker processes.

    Tuned for sweeps: BLAS threads pinned to 1 (Dask's default ``OMP/MKL/OPENBLAS_NUM_THREADS``)
    and without the ``MALLOC_TRIM_THRESHOLD_=65536`` that Dask's nanny sets by default, which
    makes glibc map and unmap every large temporary array: model cores that allocate
    (B, N, D) arrays each round ran 3–5× slower in such a worker than in-process.

    Parameters
    ----------
    workers : int, optional
        Number of worker processes (default: one per core).
    """
    import dask
    from distributed import LocalCluster

    with dask.config.set({_TRIM_KEY: None}):
        return LocalCluster(
            n_workers=workers or os.cpu_count() or 1,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
        )


def _check_reachable(address: str) -> None:
    """Fail fast, with a clear message, when nothing listens at a ``tcp://host:port`` address."""
    match = re.fullmatch(r"tcp://\[?([^\]]+?)\]?:(\d+)", address)
    if match is None:
        return  # other protocols (tls://, ucx://, inproc://) are left to Dask
    try:
        socket.create_connection((match[1], int(match[2])), timeout=5).close()
    except OSError as err:
        raise OptionError(
            f"cannot reach the Dask scheduler at {address}: {err.strerror or err}",
            field="scheduler",
        ) from err


def _dask_tables(
    plan: SweepPlan,
    chunks: list[tuple[int, int]],
    scheduler: str | None,
    workers: int | None,
    resized: Callable[[int], None] | None = None,
) -> Generator[pa.Table, None, None]:
    """Evaluate chunks on a Dask cluster; results are yielded (and written) as they complete.

    With no ``scheduler`` a ``distributed.LocalCluster`` of ``workers`` single-threaded worker
    processes is started (and stopped afterwards). A chunk whose task fails is retried twice;
    a chunk on a worker that dies is rescheduled by Dask on another worker.

    With ``resized`` (a model without its own randomness, chunk size not chosen by the user)
    the first chunk is evaluated here and timed, the other draws are cut again by
    :func:`dask_chunk_size` for the cluster's workers, and ``resized(size)`` is told the size.
    """
    from distributed import Client, as_completed

    cluster = None
    if scheduler is not None:
        _check_reachable(scheduler)
    try:
        if scheduler is None:
            cluster = local_cluster(workers)
            client = Client(cluster)
        else:
            client = Client(scheduler, timeout="10s")
    except (OSError, TimeoutError) as err:
        if cluster is not None:
            cluster.close()
        raise OptionError(
            f"cannot reach the Dask scheduler at {scheduler}: {err}", field="scheduler"
        ) from err
    token = uuid.uuid4().hex[:8]
    try:
        if resized is not None and len(chunks) > 1:
            (a, b), rest = chunks[0], chunks[1:]
            t0 = time.perf_counter()
            yield evaluate_chunk(plan, a, b)
            per_draw = (time.perf_counter() - t0) / (b - a)
            n_workers = max(1, len(client.scheduler_info().get("workers", {})))
            remaining = sum(d - c for c, d in rest)
            size = dask_chunk_size(per_draw, remaining, n_workers, b - a)
            resized(size)
            chunks = _rechunk(rest, size)
        shared = client.scatter(plan, broadcast=True)
        futures = [
            client.submit(evaluate_chunk, shared, a, b, key=f"minilateral-{token}-{a}", retries=2)
            for a, b in chunks
        ]
        for future in as_completed(futures):
            table = future.result()
            future.release()
            yield table
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def _execute(
    plan: SweepPlan,
    out: Path,
    manifest: dict[str, Any],
    done: list[tuple[int, int]],
    *,
    engine: str,
    scheduler: str | None,
    workers: int | None,
    chunk_size: int,
    progress: ProgressCallback | None,
    sized_by_engine: bool = False,
) -> None:
    """Compute the chunks not in ``done``, write them, and keep the manifest up to date.

    ``sized_by_engine``: the Dask engine may cut the chunks to its measured cost
    (:func:`dask_chunk_size`); the size it chose is recorded in the run's ``chunk_size``.
    """
    draws = manifest["draws"]
    chunks = _missing_chunks(done, draws, chunk_size)
    finished = sum(b - a for a, b in done)
    run: dict[str, Any] = {
        "engine": engine,
        "workers": workers if engine == "dask" else 1,
        "scheduler": scheduler,
        "chunk_size": chunk_size,
        "started": _now(),
        "draws_computed": 0,
        "chunks_computed": 0,
    }
    manifest["runs"].append(run)
    manifest["draws_done"] = finished
    _write_manifest(out, manifest)
    if progress is not None:
        progress(finished, draws)

    t0 = time.perf_counter()
    tables = (
        _local_tables(plan, chunks)
        if engine == "local"
        else _dask_tables(
            plan,
            chunks,
            scheduler,
            workers,
            (lambda size: run.update(chunk_size=size)) if sized_by_engine else None,
        )
    )
    try:
        for table in tables:
            record = _write_part(out, table)
            manifest.setdefault("parts", {})[record.pop("name")] = record
            finished += table.num_rows
            run["draws_computed"] += table.num_rows
            run["chunks_computed"] += 1
            manifest["draws_done"] = finished
            _write_manifest(out, manifest)  # record the part before reporting progress
            if progress is not None:
                progress(finished, draws)
    finally:
        tables.close()
        seconds = time.perf_counter() - t0
        run.update(
            finished=_now(),
            seconds=round(seconds, 3),
            draws_per_second=round(run["draws_computed"] / seconds, 1) if seconds > 0 else None,
        )
        manifest["draws_done"] = finished
        manifest["status"] = "complete" if finished == draws else "interrupted"
        with contextlib.suppress(StoreError):
            _write_manifest(out, manifest)


# -- the public function ------------------------------------------------------------------------
def _check_arguments(
    draws: int,
    seed: int,
    chunk_size: int | None,
    engine: str,
    scheduler: str | None,
    workers: int | None,
) -> None:
    checks = [
        (draws >= 1, "draws", f"the number of draws must be at least 1, got {draws}"),
        (seed >= 0, "seed", f"the seed must be a non-negative integer, got {seed}"),
        (
            chunk_size is None or chunk_size >= 1,
            "chunk-size",
            f"the chunk size must be at least 1, got {chunk_size}",
        ),
        (engine in ("local", "dask"), "engine", f"engine must be local or dask, got {engine!r}"),
        (workers is None or workers >= 1, "workers", f"workers must be >= 1, got {workers}"),
        (scheduler is None or engine == "dask", "scheduler", "--scheduler needs --engine dask"),
        (
            engine == "dask" or workers in (None, 1),
            "workers",
            "the local engine runs in this process; use --engine dask for several workers",
        ),
    ]
    for ok, field, message in checks:
        if not ok:
            raise OptionError(message, field=field)


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def sweep(
    scenario: Scenario | str | Path,
    model: str = "compromise",
    *,
    draws: int,
    seed: int,
    out: str | Path,
    options: dict[str, Any] | None = None,
    uncertainty: Uncertainty | dict[str, Any] | None = None,
    noise: dict[str, Noise] | None = None,
    engine: Literal["local", "dask"] = "local",
    scheduler: str | None = None,
    workers: int | None = None,
    chunk_size: int | None = None,
    resume: bool = False,
    progress: ProgressCallback | None = None,
    input_plan: NoisePlan | None = None,
) -> SweepResult:
    """Run a Monte Carlo sweep of ``model`` over perturbed copies of ``scenario``.

    Parameters
    ----------
    scenario : Scenario, str or Path
        The scenario, a scenario file or a library name.
    model : str, default="compromise"
        Any registered model.
    draws : int
        N, the number of draws (rows ``draw = 0 … N − 1``).
    seed : int
        S; draw ``i``'s inputs depend only on ``(S, i)``.
    out : str or Path
        Output directory: Parquet part files and ``_manifest.json``. Must be new or empty
        unless ``resume``.
    options : dict, optional
        Model options.
    uncertainty : Uncertainty or dict, optional
        Input distributions; default: the scenario's ``uncertainty:`` block, with
        :data:`~minilateral.montecarlo.perturb.DEFAULT_NOISE` for fields it does not set.
    noise : dict of str to Noise, optional
        Global noise per field overriding the specification's (``--noise`` on the command line).
    engine : {"local", "dask"}, default="local"
        Evaluate chunks in this process, or on a Dask cluster.
    scheduler : str, optional
        Address of a running Dask scheduler (``tcp://host:8786``); without it ``engine="dask"``
        starts a ``LocalCluster``.
    workers : int, optional
        Worker processes of the ``LocalCluster`` (default: one per core).
    chunk_size : int, optional
        Draws per chunk: the batch size B of each model call and the rows of each part file.
        Default: 1000 for static models, 200 for dynamic ones (whose per-round temporaries
        grow with B·N²·D and run faster when they stay in cache). With ``engine="dask"`` and
        no ``chunk_size``, a model without its own randomness has its chunks sized from the
        measured cost of the first one (:func:`dask_chunk_size`): at least
        :data:`MIN_CHUNK_SECONDS` each, at least :data:`CHUNKS_PER_WORKER` per worker.
    resume : bool, default=False
        Complete the sweep already in ``out`` (same scenario, model, options, uncertainty, seed
        and draws) without recomputing the chunks it holds; on a missing or empty ``out`` it
        simply starts.
    progress : callable, optional
        ``progress(done, total)`` after each written chunk.
    input_plan : NoisePlan, optional
        A ready input plan replacing ``uncertainty`` and ``noise``, e.g. a
        :class:`~minilateral.montecarlo.perturb.PanelPlan` that resamples a panel's codings
        (:func:`minilateral.panels.sweep_plan`); its ``label`` is recorded as ``input_plan``.

    Returns
    -------
    SweepResult

    Raises
    ------
    OptionError
        Bad arguments, unknown model option, non-empty ``out`` without ``resume``, or a
        ``resume`` on a different sweep.
    ScenarioValidationError
        An invalid uncertainty specification (checked before any work starts).
    StoreError
        The output directory cannot be created or written (e.g. a full disk).

    Examples
    --------
    >>> import tempfile, minilateral as ml
    >>> s = ml.load_scenario("gaza")
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     result = ml.sweep(s, "compromise", draws=50, seed=1, out=tmp + "/sweep")
    ...     len(result.to_pandas())
    50
    """
    from minilateral.api import load_scenario

    _check_arguments(draws, seed, chunk_size, engine, scheduler, workers)
    chosen_size = chunk_size is not None
    if chunk_size is None:
        chunk_size = DYNAMIC_CHUNK if model_class(model).dynamic else STATIC_CHUNK
    source = None if isinstance(scenario, Scenario) else str(scenario)
    if not isinstance(scenario, Scenario):
        scenario = load_scenario(scenario)
    cls = model_class(model)
    resolved = cls.validate_options(cls.coerce_options(scenario.options_for(model, options)[0]))
    # Each chunk is one batch of B = chunk_size: refuse before any work if it cannot fit.
    check_memory(cls, min(chunk_size, draws), len(scenario.actors), len(scenario.issues))
    # The whole sweep, all draws, against the time limit (MINILATERAL_MAX_SECONDS, if set).
    rounds = resolved.get(cls.rounds_option) if cls.rounds_option else None
    check_time(cls, draws, len(scenario.actors), len(scenario.issues), what="draw", rounds=rounds)
    used = json.loads(json.dumps(resolved, default=str))
    plan_noise = input_plan or resolve_uncertainty(scenario, uncertainty, noise)
    plan_label = getattr(input_plan, "label", None)
    if input_plan is not None and list(input_plan.base.actors) != scenario.actor_names:
        raise OptionError("the input plan was built for another scenario", field="input_plan")
    plan = SweepPlan(noise=plan_noise, model=model, options=used, seed=seed)
    inputs, outcomes = plan.columns()
    out = Path(out)
    manifest: dict[str, Any] = {
        "format": FORMAT,
        "status": "running",
        "draws": draws,
        "seed": seed,
        "model": model,
        "options": used,
        "uncertainty": plan_noise.uncertainty.model_dump(mode="json", exclude_none=True),
        "uncertainty_defaults": list(plan_noise.defaults),
        "default_noise": DEFAULT_NOISE.model_dump(mode="json", exclude_none=True),
        "input_sha256": scenario.sha256(),
        "input_plan": plan_label,
        "scenario": {
            "title": scenario.title,
            "source": source,
            "issues": [
                {
                    "name": q.name,
                    "lo": q.lo,
                    "hi": q.hi,
                    "lo_label": q.lo_label,
                    "hi_label": q.hi_label,
                }
                for q in scenario.issues
            ],
            "actors": scenario.actor_names,
        },
        "chunk_size": chunk_size,
        "rng": {
            "inputs": "Philox-4x64 keyed by SeedSequence(seed).generate_state(2, uint64); "
            f"draw i uses counter blocks i*{-(-plan_noise.width // 4)} onward, "
            f"{plan_noise.width} uniforms",
            "model": f"SeedSequence(seed, spawn_key=({_MODEL_STREAM}, first draw of the chunk))",
        },
        "columns": {"inputs": inputs, "outcomes": outcomes},
        "provenance": provenance(
            model=model, options=used, seed=seed, input_hash=scenario.sha256()
        ),
        "created": _now(),
        "runs": [],
        "parts": {},
    }
    with _exclusive(out):
        done = _prepare(out, manifest, resume)
        _execute(
            plan,
            out,
            manifest,
            done,
            engine=engine,
            scheduler=scheduler,
            workers=workers,
            chunk_size=chunk_size,
            progress=progress,
            sized_by_engine=engine == "dask"
            and not chosen_size
            and not get_model(model, **used).uses_random_stream(),
        )
    result = SweepResult(out, manifest)
    non_converged = draws - int(result.table(["converged"]).column("converged").to_numpy().sum())
    if non_converged:
        warnings.warn(
            f"{non_converged} of {draws} draws did not converge (see the 'converged' column)",
            ConvergenceWarning,
            stacklevel=2,
        )
    return result


def load_sweep(path: str | Path) -> SweepResult:
    """Open the sweep in directory ``path`` (complete or not)."""
    out = Path(path)
    if not (out / MANIFEST).is_file():
        raise StoreError(f"no sweep here ({MANIFEST} not found)", path=out, exit_code=2)
    return SweepResult(out, _read_manifest(out))
