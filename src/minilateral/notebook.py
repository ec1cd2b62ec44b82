"""The command line's analyses as Python functions: coalition search, mediators, briefs, scores.

Each function is a thin, documented layer over the core the matching command uses and takes a
:class:`~minilateral.scenario.Scenario` or a scenario source (a file or a library name).
Results convert to pandas (``.to_frame()``) and display in Jupyter. For example::

    import minilateral as ml
    search = ml.coalitions("gaza", ["EGY", "QAT", "TUR"], sizes=(1, 2), draws=50)
    search.to_frame()

The alignment measures are :mod:`minilateral.alignment` (also ``ml.align``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from minilateral.api import load_scenario
from minilateral.errors import OptionError
from minilateral.scenario import Scenario

if TYPE_CHECKING:
    from minilateral.evaluation import DeuReport
    from minilateral.mediation.coalitions import CoalitionSearch
    from minilateral.mediation.mediators import MediatorProfiles

__all__ = ["brief", "coalitions", "evaluate", "mediators"]


def _scenario(scenario: Scenario | str | Path) -> Scenario:
    return scenario if isinstance(scenario, Scenario) else load_scenario(scenario)


def _candidates(scenario: Scenario, candidates: Sequence[str] | str | None) -> list[str]:
    if isinstance(candidates, str):
        candidates = [c for c in candidates.split(",") if c.strip()]
    codes = list(candidates) if candidates is not None else list(scenario.candidate_mediators)
    if not codes:
        raise OptionError(
            "no candidates given and the scenario lists no candidate_mediators",
            field="candidates",
        )
    return codes


def coalitions(
    scenario: Scenario | str | Path,
    candidates: Sequence[str] | str | None = None,
    *,
    sizes: tuple[int, int] = (1, 3),
    model: str = "bdm",
    options: Mapping[str, Any] | None = None,
    draws: int = 500,
    seed: int = 0,
    leverage_source: Literal["scenario", "data"] = "scenario",
    credibility: Literal["off", "data"] = "off",
    year: int | None = None,
    **settings: Any,
) -> CoalitionSearch:
    """Rank mediating coalitions by the probability that the parties agree (``minilateral
    coalitions``).

    Parameters
    ----------
    scenario : Scenario, str or Path
        The scenario, or a file or library name to load.
    candidates : list of str or str, optional
        Candidate states (codes or names; a comma-separated string works too). Default: the
        scenario's ``candidate_mediators``.
    sizes : (int, int), default=(1, 3)
        Smallest and largest coalition size.
    model, options : str, dict
        Model (and its options) of the convergence measure and of the ``contest`` reservation.
    draws, seed : int
        Monte Carlo draws (common to every coalition) and their seed.
    leverage_source : {"scenario", "data"}
        Mediator leverage from the scenario's capabilities, or from CINC in the installed
        reference data (explicit ``leverage=`` values win).
    credibility : {"off", "data"}
        ``data``: the composite credibility of :func:`mediators` weights the mediators.
    year : int, optional
        Data year of the ``data`` sources (default: the latest).
    **settings
        Further keywords of :func:`minilateral.mediation.coalitions.search_coalitions`
        (``measure``, ``agreement``, ``tol``, ``confidence``, ``proposal``, ``target``,
        ``rank_by``, ``noise``, ``progress``, ...).

    Returns
    -------
    CoalitionSearch
        Ranked coalitions and the no-mediator baseline; ``.to_frame()`` gives a DataFrame.
    """
    from minilateral.mediation.coalitions import search_coalitions

    sc = _scenario(scenario)
    codes = _candidates(sc, candidates)
    for name, value, choices in (
        ("leverage_source", leverage_source, ("scenario", "data")),
        ("credibility", credibility, ("off", "data")),
    ):
        if value not in choices:
            raise OptionError(
                f"{name} must be one of {', '.join(choices)}, got '{value}'", field=name
            )
    leverage = dict(settings.pop("leverage", None) or {})
    creds: dict[str, float] = {}
    versions: dict[str, str] = dict(settings.pop("data_versions", None) or {})
    if leverage_source == "data" or credibility == "data":
        profiles = mediators(sc, codes, year=year)
        versions = {**profiles.data_versions, **versions}
        if leverage_source == "data":
            leverage = {**profiles.leverage_on_scenario_scale(), **leverage}
        if credibility == "data":
            creds = profiles.credibility()
    return search_coalitions(
        sc,
        codes,
        sizes=sizes,
        model=model,
        options=options,
        draws=draws,
        seed=seed,
        leverage=leverage,
        credibility=creds,
        data_versions=versions,
        **settings,
    )


def mediators(
    scenario: Scenario | str | Path,
    candidates: Sequence[str] | str | None = None,
    *,
    year: int | None = None,
    window: int = 5,
    affinity: str = "S_abs",
    weights: Mapping[str, float] | None = None,
    stance_weight: float = 0.5,
) -> MediatorProfiles:
    """Profile candidate mediators from the reference data (``minilateral mediators``).

    Impartiality, ties, leverage, track record and their weighted composite credibility, per
    :func:`minilateral.mediation.mediators.profile_candidates` (formulas in
    ``docs/models/mediation.md``). Needs the reference data installed
    (``minilateral data import``). ``.to_frame()`` gives one row per candidate.
    """
    from minilateral.mediation.mediators import DEFAULT_WEIGHTS, profile_candidates

    sc = _scenario(scenario)
    return profile_candidates(
        sc,
        _candidates(sc, candidates),
        year=year,
        window=window,
        affinity=affinity,
        weights={**DEFAULT_WEIGHTS, **(weights or {})},
        stance_weight=stance_weight,
    )


def brief(
    sources: Sequence[str | Path] | str | Path,
    out: str | Path,
    *,
    models: Sequence[str] | None = None,
    draws: int = 0,
    seed: int = 0,
    lang: str = "en",
    **options: Any,
) -> Path:
    """Write a dialogue brief (``.html`` or ``.pdf``) for one or several scenarios
    (``minilateral brief``) and return its path.

    ``models`` default to compromise, Nash, BDM and SMP; ``draws`` > 0 adds Monte Carlo sweeps.
    Further keywords go to :func:`minilateral.brief.run.run_brief` (``title``, ``org``,
    ``alignment``, ``mediation_draws``, ``swept``, ...).
    """
    from minilateral.brief import run_brief, write_brief

    items = [sources] if isinstance(sources, str | Path) else list(sources)
    run = run_brief(items, models=models, draws=draws, seed=seed, **options)
    return write_brief(run, out, lang=lang)


def evaluate(
    outcomes: str | Path,
    model: str = "compromise",
    *,
    options: dict[str, Any] | None = None,
) -> DeuReport:
    """Score ``model`` on your own historical cases (``minilateral evaluate outcomes``).

    ``outcomes`` is a CSV with columns ``scenario, issue, outcome[, group]``; each row's
    error is ``100·|forecast − outcome| / (hi − lo)``, percent of the issue's scale. The DEU
    benchmark (``minilateral evaluate deu``) is :func:`minilateral.evaluation.evaluate_deu`.
    """
    from minilateral.evaluation import evaluate_outcomes

    return evaluate_outcomes(outcomes, model, options=options)
