"""Operations shared by the JSON API and the HTML pages: import, start runs, list models."""

from __future__ import annotations

import asyncio
import math
import secrets
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path, PurePath
from typing import Any

from minilateral.errors import FormatError, OptionError
from minilateral.io import FORMATS, detect_format
from minilateral.models.registry import available_models, model_class
from minilateral.scenario import Scenario
from minilateral.store.orm import Run
from minilateral.store.repository import Repository
from minilateral.web.jobs import RUN_KINDS, JobRunner
from minilateral.web.schemas import ModelInfo, OptionOut

__all__ = [
    "DEFAULT_DRAWS",
    "UploadParser",
    "check_options",
    "model_infos",
    "parse_upload",
    "start_run",
]

DEFAULT_DRAWS = 1000
DEFAULT_COALITION_DRAWS = 200
MAX_COALITION_DRAWS = 10_000


def parse_upload(filename: str, data: bytes, input_format: str | None = None) -> Scenario:
    """Read an uploaded scenario file in any format registered in ``minilateral.io.FORMATS``.

    Errors name the file, line and field (:class:`FormatError`, ``ScenarioValidationError``).
    """
    name = PurePath(filename or "upload").name or "upload"
    if input_format is not None and input_format not in FORMATS:
        raise FormatError(
            f"unknown input format '{input_format}' (formats: {', '.join(FORMATS)})",
            field="input_format",
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise FormatError(f"not a UTF-8 text file ({err.reason})", path=name) from err
    if "\x00" in text:
        raise FormatError("binary content (NUL bytes) in a text file", path=name)
    path = Path(name)
    fmt = input_format or detect_format(path, text)
    return FORMATS[fmt](text, path, None)


class UploadParser:
    """Parse uploads in worker threads, off the event loop, each within a time budget.

    The event loop only waits: a slow or hostile file cannot stall other requests (health
    checks, pages). At most ``workers`` files are parsed at once; a file whose parse (including
    the wait for a free worker) exceeds ``timeout`` seconds is refused with a
    :class:`FormatError`. Python cannot stop a thread, so a timed-out parse finishes in the
    background; the readers' own limits (no YAML aliases or XML entities, nesting and field
    limits, the upload size limit) bound how long that can be.
    """

    def __init__(self, workers: int, timeout: float) -> None:
        self.timeout = timeout
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="upload")

    async def parse(self, filename: str, data: bytes, input_format: str | None = None) -> Scenario:
        """:func:`parse_upload` in a worker thread, within the time budget."""
        loop = asyncio.get_running_loop()
        job = loop.run_in_executor(self._pool, parse_upload, filename, data, input_format)
        try:
            return await asyncio.wait_for(job, self.timeout)
        except TimeoutError:
            raise FormatError(
                f"reading the file took longer than {self.timeout:g} s; simplify or split it",
                path=PurePath(filename or "upload").name or "upload",
            ) from None

    def shutdown(self) -> None:
        """Stop accepting work (running parses finish in the background)."""
        self._pool.shutdown(wait=False, cancel_futures=True)


def _finite(value: Any) -> bool:
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, dict):
        return all(_finite(v) for v in value.values())
    if isinstance(value, list):
        return all(_finite(v) for v in value)
    return True


def check_options(model: str, options: dict[str, Any]) -> dict[str, Any]:
    """The model's options coerced to their declared types, checked by the model's
    :meth:`~minilateral.models.base.Model.validate_options`; :class:`OptionError` otherwise."""
    cls = model_class(model)
    if not _finite(options):
        raise OptionError("option values must be finite numbers", field="options")
    try:
        coerced = cls.coerce_options(options)
        cls.validate_options(coerced)  # intervals and cross-option rules, before anything is stored
        return coerced
    except (OverflowError, TypeError) as err:
        raise OptionError(f"invalid option value: {err}", field="options") from err


def start_run(
    repo: Repository,
    jobs: JobRunner,
    scenario_id: int,
    *,
    model: str,
    options: dict[str, Any],
    seed: int | None = None,
    version: int | None = None,
    kind: str = "forecast",
    visibility: str = "private",
    org_id: int | None = None,
    draws: int | None = None,
    candidates: list[str] | None = None,
    sizes: tuple[int, int] | None = None,
) -> Run:
    """Validate, store and queue a run; return it (status ``queued``).

    A sweep's options are ``{"draws": N, "chunk_size": C, "model_options": {...}}``; a
    coalition search's ``{"draws": N, "candidates": [...], "sizes": [lo, hi],
    "model_options": {...}}`` (candidates default to the scenario's candidate mediators). Both
    always have a seed (a random one is drawn and recorded when none is given).
    """
    if kind not in RUN_KINDS:
        raise OptionError(
            f"unknown run kind '{kind}' (kinds: {', '.join(RUN_KINDS)})", field="kind"
        )
    checked = check_options(model, options)
    if kind == "sweep":
        checked = {
            "draws": draws or DEFAULT_DRAWS,
            "chunk_size": min(1000, draws or DEFAULT_DRAWS),
            "model_options": checked,
        }
        seed = secrets.randbits(32) if seed is None else seed
    elif kind == "coalitions":
        scenario = Scenario.model_validate(repo.get_version(scenario_id, version).content)
        chosen = list(candidates or scenario.candidate_mediators)
        if not chosen:
            raise OptionError(
                "name candidate mediators (the scenario lists none)", field="candidates"
            )
        if draws is not None and draws > MAX_COALITION_DRAWS:
            raise OptionError(
                f"at most {MAX_COALITION_DRAWS} draws for a coalition search", field="draws"
            )
        lo, hi = sizes or (1, min(3, len(chosen)))
        if not 1 <= lo <= hi <= len(chosen):
            raise OptionError(
                f"coalition sizes {lo}-{hi} do not fit {len(chosen)} candidates", field="sizes"
            )
        checked = {
            "draws": draws or DEFAULT_COALITION_DRAWS,
            "candidates": chosen,
            "sizes": [lo, hi],
            "model_options": checked,
        }
        seed = secrets.randbits(32) if seed is None else seed
    run = repo.create_run(
        scenario_id,
        model=model,
        options=checked,
        seed=seed,
        version=version,
        kind=kind,
        visibility=visibility,
        org_id=org_id,
    )
    repo.session.commit()
    jobs.submit(run.id)
    return run


def model_infos() -> list[ModelInfo]:
    """Every registered model with its options (new models appear automatically)."""
    out = []
    for name, cls in available_models().items():
        options = [
            OptionOut(
                name=spec.name,
                type=spec.kind.__name__,
                default=spec.default if _finite(spec.default) else None,
                choices=list(spec.choices),
            )
            for spec in cls.option_specs()
        ]
        out.append(
            ModelInfo(
                name=name,
                summary=cls.summary,
                dynamic=cls.dynamic,
                rounds_option=cls.rounds_option,
                options=options,
            )
        )
    return out
