"""Optional capabilities of a brief, each behind a small adapter.

A brief includes a section when the capability behind it exists in this installation: Monte Carlo
sweeps (:mod:`minilateral.montecarlo`), regional alignment (:mod:`minilateral.alignment` with the
reference data installed) and mediation (:mod:`minilateral.mediation`). Each adapter returns
``None`` (with a reason) when its capability is missing, so the brief still builds and says what
it left out. Adapters only call the public functions of those packages; they compute nothing
themselves.
"""

from __future__ import annotations

import importlib.util
import logging
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from minilateral.brief.assessment import N_
from minilateral.errors import ConvergenceWarning, DataError
from minilateral.forecast import jsonable
from minilateral.scenario import Scenario

__all__ = [
    "GCC",
    "REGION",
    "Absent",
    "AlignmentData",
    "alignment_data",
    "has_module",
    "mediation_ranking",
    "narrative_data",
    "panel_data",
    "sweep_summary",
]

log = logging.getLogger(__name__)

#: The Gulf Cooperation Council (COW codes; docs/alignment.md#conventions).
GCC = (670, 690, 692, 694, 696, 698)
#: States of the regional alignment section: the Middle East core of docs/alignment.md#conventions.
REGION = (640, 651, 630, 666, 645, 652, 660, 663, 679, *GCC)
_ALIGNMENT_TABLES = ("un_votes_ccode", "cow_capitals")
#: Years covered by the alignment section: the last ``ALIGNMENT_YEARS`` years with UN votes.
ALIGNMENT_YEARS = 10


@dataclass(frozen=True)
class Absent:
    """A capability the brief could not use, and why (shown in the methods section)."""

    capability: str
    reason: str


def has_module(name: str) -> bool:
    """Whether module ``name`` can be imported (without importing it)."""
    try:
        return importlib.util.find_spec(name) is not None
    except ModuleNotFoundError:
        return False


def sweep_summary(
    scenario: Scenario, model: str, *, draws: int, seed: int, workdir: Path
) -> dict[str, Any] | Absent:
    """Run a sweep of ``draws`` draws with the sweep engine and return its JSON summary.

    The summary is :meth:`minilateral.montecarlo.summary.SweepSummary.to_dict` (quantiles,
    bands, convergence share, seed and options of the sweep).
    """
    if not has_module("minilateral.montecarlo.engine"):
        return Absent("sweep", "the Monte Carlo engine is not installed")
    from minilateral.montecarlo.engine import sweep
    from minilateral.montecarlo.summary import summarize_sweep

    out = workdir / f"sweep-{scenario.sha256()[:16]}-{model}-{draws}-{seed}"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        result = sweep(scenario, model, draws=draws, seed=seed, out=out)
    summary = summarize_sweep(result)
    payload = summary.to_dict()
    payload.pop("sweep", None)  # a temporary directory: not part of the record
    for entry, issue in zip(payload["issues"], summary.issues, strict=True):
        # share of the draws (with a forecast) nearer the high end than the low end of the scale
        ok = issue.values[~np.isnan(issue.values)]
        entry["p_high"] = float(np.mean(ok > (issue.lo + issue.hi) / 2)) if ok.size else None
    return payload


@dataclass
class AlignmentData:
    """The tables of the regional alignment section and their provenance."""

    years: list[int]
    names: dict[int, str]
    capitals: dict[int, tuple[float, float]]
    autonomy: list[dict[str, Any]]
    cohesion: list[dict[str, Any]]
    tables: dict[str, dict[str, str]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    latest: dict[str, dict[str, Any]] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """JSON form (the ``alignment`` entry of the brief's results)."""
        return {
            "years": self.years,
            "states": {str(k): v for k, v in self.names.items()},
            "autonomy": self.autonomy,
            "cohesion": self.cohesion,
            "tables": self.tables,
            "notes": self.notes,
            "latest": self.latest,
        }


def alignment_data(
    states: Sequence[int] = REGION, group: Sequence[int] = GCC, root: str | Path | None = None
) -> AlignmentData | Absent:
    """Strategic autonomy of ``states`` and cohesion of ``group`` over the last decade of votes.

    Uses :func:`minilateral.alignment.indices.autonomy_index`
    (``docs/alignment.md#strategic-autonomy``) and
    :func:`minilateral.alignment.indices.cohesion_table` (``docs/alignment.md#group-cohesion``) on
    the installed UN votes.
    """
    if not (has_module("minilateral.alignment.indices") and has_module("minilateral.data.store")):
        return Absent("alignment", "the alignment package is not installed")
    from minilateral.alignment import indices, votes
    from minilateral.data import catalog, store
    from minilateral.data.states import display_name

    try:
        store.require(_ALIGNMENT_TABLES, root)
        rc = votes.load_votes("un_votes_ccode", root)
        capitals = store.read_table("cow_capitals", root=root)
    except DataError as err:
        return Absent("alignment", f"reference data not installed ({err})")
    last = int(max(rc.years))
    years = list(range(last - ALIGNMENT_YEARS, last + 1))
    poles = set(indices.POLES.values())
    dyads = votes.dyad_measures(rc, sorted(set(states) | poles), years)
    autonomy = indices.autonomy_index(dyads, None, list(states))
    # The last year of the vote table may be partial (un_votes_ccode ends in June 2024): end the
    # section at the last year in which SAI is computable for at least half of the states.
    valid = autonomy.groupby("year")["SAI"].apply(lambda s: s.notna().mean() >= 0.5)
    last = int(valid[valid].index.max()) if valid.any() else last
    years = list(range(last - ALIGNMENT_YEARS + 1, last + 1))
    autonomy = autonomy[autonomy["year"].isin(years)]
    cohesion = indices.cohesion_table(rc, list(group), years, None)
    cap = capitals.drop_duplicates("ccode", keep="last").set_index("ccode")
    names = {
        int(c): display_name(c, str(cap.loc[c, "statenme"]) if c in cap.index else str(c))
        for c in states
    }
    coords = {
        int(c): (float(cap.loc[c, "lng"]), float(cap.loc[c, "lat"]))
        for c in states
        if c in cap.index
    }
    # Per state, the latest year of the window in which its SAI is computable (at least 20
    # joint roll calls with each pole), so a state with a thin last year is still shown.
    latest: dict[int, dict[str, Any]] = {}
    for code, rows in autonomy[autonomy["SAI"].notna()].groupby("state"):
        row = rows.sort_values("year").iloc[-1]
        latest[int(code)] = {k: jsonable(v) for k, v in row.items()}
        latest[int(code)]["year"] = int(row["year"])
    notes = [
        f"{names[int(c)]}: {latest[int(c)]['year']}, the latest year with enough votes "
        f"({last}: fewer than 20 joint roll calls with a pole)"
        if int(c) in latest
        else f"{names[int(c)]}: too few votes in every year of {years[0]}–{last}"
        for c in states
        if int(c) not in latest or latest[int(c)]["year"] != last
    ]
    tables = {}
    versions = store.data_versions(_ALIGNMENT_TABLES, root)
    for name in _ALIGNMENT_TABLES:
        t = catalog.get_table(name)
        tables[name] = {
            "title": t.title,
            "source": t.source,
            "version": versions[name],
            "licence": t.licence,
            "citation": t.citation,
        }
    cols = [
        "year",
        "mean_agree_half",
        "min_agree_half",
        "unanimity_share",
        "baseline_agenda",
        "excess_agenda",
        "p_value",
        "bloc",
    ]
    return AlignmentData(
        years=years,
        names=names,
        capitals=coords,
        autonomy=[{k: jsonable(v) for k, v in row.items()} for row in autonomy.to_dict("records")],
        latest={str(k): v for k, v in latest.items()},
        cohesion=[{k: jsonable(row[k]) for k in cols} for row in cohesion.to_dict("records")],
        tables=tables,
        notes=notes,
    )


#: Monte Carlo draws of a brief's coalition searches when the brief runs no sweep.
MEDIATION_DRAWS = 100


def mediation_ranking(scenario: Scenario, *, draws: int, seed: int) -> dict[str, Any] | Absent:
    """Rank coalitions of the scenario's candidate mediators, when the mediation package exists.

    Calls :func:`minilateral.mediation.search_coalitions` as ``minilateral demo`` does: the
    candidates that are actors of the scenario, coalitions of one to three members, the ``bdm``
    model (its ``converged`` stopping rule), ``draws`` common draws. Returns the search's JSON
    (``coalitions`` sorted by settlement probability with ``ci_low``/``ci_high``; ``baseline``).
    """
    if not scenario.candidate_mediators:
        return Absent("mediation", N_("the scenario names no candidate mediators"))
    if not has_module("minilateral.mediation"):
        return Absent("mediation", N_("the mediation package is not installed"))
    from minilateral.mediation import search_theatre
    from minilateral.models.registry import available_models

    if "bdm" not in available_models():
        return Absent(
            "mediation", N_("coalition search needs the bdm model, which is not installed")
        )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        search, _ = search_theatre(scenario, draws=draws, seed=seed)
    if search is None:
        return Absent("mediation", N_("no candidate mediator is an actor of the scenario"))
    return search.to_dict()


def panel_data(
    source: str | Path, *, db_url: str | None = None, pseudonymise: bool = False
) -> dict[str, Any]:
    """The panel section's data: who coded, alpha overall and per field, the disputed cells.

    ``source`` is either a JSON file holding :meth:`minilateral.panels.store.PanelRepository.brief`
    (as ``GET /api/panels/{id}/brief`` returns it) or the number of a panel in the database at
    ``db_url`` (default: ``MINILATERAL_DB_URL``), read with coders' pseudonyms. With
    ``pseudonymise`` the coders are relabelled "Coder 1", "Coder 2", … in their listed order
    (also in the results). Raises :class:`~minilateral.errors.FormatError` on a file that is
    not such a JSON object.
    """
    import json

    from minilateral.errors import FormatError

    path = Path(source)
    if path.is_file():
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as err:
            raise FormatError(f"{path}: not a JSON file ({err})", field="panel") from err
        missing = [
            k
            for k in ("coders", "alpha", "level", "fields", "disputed_cells")
            if not isinstance(data, dict) or k not in data
        ]
        if missing:
            raise FormatError(
                f"{path}: not a panel's brief data (missing {', '.join(missing)}); export it "
                "with GET /api/panels/ID/brief",
                field="panel",
            )
    elif str(source).isdigit():
        from minilateral.panels.store import PanelRepository
        from minilateral.store.db import Database
        from minilateral.store.repository import Principal

        db = Database.connect(db_url)
        try:
            db.ensure_schema()
            with db.session() as s:
                data = PanelRepository(s, Principal.system_principal()).brief(int(str(source)))
        finally:
            db.dispose()
    else:
        raise FormatError(
            f"--panel '{source}': neither a panel's brief JSON file nor a panel number",
            field="panel",
        )
    data = json.loads(json.dumps(data))  # a plain JSON copy
    if pseudonymise:
        new = {c: f"Coder {i + 1}" for i, c in enumerate(data["coders"])}
        data["coders"] = [new[c] for c in data["coders"]]
        if isinstance(data.get("coder_rounds"), dict):
            data["coder_rounds"] = {new.get(k, k): v for k, v in data["coder_rounds"].items()}
    data["pseudonymised"] = bool(pseudonymise)
    return data


#: Narratives and coordinated clusters a brief's narrative section shows.
NARRATIVE_TOP = 6
CLUSTER_TOP = 5


def narrative_data(source: str | Path | Sequence[str | Path], *, seed: int = 0) -> dict[str, Any]:
    """The narrative-monitor section's data, from :mod:`minilateral.narratives`.

    ``source`` is a corpus file (generic CSV/JSONL or another layout that
    :func:`~minilateral.narratives.read_corpus` detects), several files, or a stored corpus
    folder (:func:`~minilateral.narratives.load_store`). Runs
    :func:`~minilateral.narratives.detect_coordination` with its default options and
    :func:`~minilateral.narratives.find_narratives` (``seed``) and keeps, JSON-ready: the
    window and threshold, the :data:`CLUSTER_TOP` strongest clusters with their evidence, the
    :data:`NARRATIVE_TOP` largest narratives with their daily volume, and the kept account
    network with a fixed-seed spring layout (so the picture is drawn from the results).
    """
    import networkx as nx

    from minilateral.narratives import (
        detect_coordination,
        find_narratives,
        load_store,
        read_corpus,
    )

    if isinstance(source, (str, Path)) and Path(source).is_dir():
        corpus = load_store(source)
    else:
        corpus = read_corpus(source if isinstance(source, (str, Path)) else list(source))
    coord = detect_coordination(corpus)
    nar = find_narratives(corpus, coordination=coord, seed=seed)
    g = coord.graph()
    pos = nx.spring_layout(g, seed=seed, weight="weight") if g.number_of_nodes() else {}
    cluster_of = {a: ci for ci, c in enumerate(coord.clusters) for a in c["accounts"]}
    clusters = []
    for ci, c in enumerate(coord.clusters[:CLUSTER_TOP]):
        pushes = sorted(
            (
                {"narrative": n["id"], "posts": n["clusters"][str(ci)]}
                for n in nar.narratives
                if str(ci) in n["clusters"]
            ),
            key=lambda x: -x["posts"],
        )
        clusters.append(
            {
                "number": ci + 1,
                "accounts": c["accounts"],
                "n_accounts": c["n_accounts"],
                "score": c["score"],
                "first": c["first"],
                "last": c["last"],
                "median_lag_seconds": c["median_lag_seconds"],
                "channels": c["channels"],
                "n_shared_items": c["n_shared_items"],
                "evidence": [
                    {
                        "kind": it["kind"],
                        "item": it["item"],
                        "text": it.get("text", ""),
                        "n_accounts": len(it["accounts"]),
                        "first": it["first"],
                    }
                    for it in c["shared_items"][:3]
                ],
                "narratives": pushes,
            }
        )
    narratives = [
        {
            "id": n["id"],
            "number": n["id"] + 1,
            "size": n["size"],
            "top_terms": {lg: ts[:5] for lg, ts in n["top_terms"].items()},
            "languages": n["languages"],
            "volume": n["volume"],
            "actors": n["actors"],
            "clusters": [int(k) + 1 for k in n["clusters"]],
        }
        for n in nar.narratives[:NARRATIVE_TOP]
    ]
    return jsonable(
        {
            "n_posts": len(corpus.posts),
            "n_accounts": int(corpus.posts["author"].nunique()),
            "files": coord.provenance.get("files", []),
            "window_seconds": coord.window_seconds,
            "threshold": coord.threshold,
            "n_clusters": len(coord.clusters),
            "n_coordinated_accounts": len(coord.coordinated_accounts()),
            "n_narratives": len(nar.narratives),
            "clusters": clusters,
            "narratives": narratives,
            "network": {
                "nodes": [
                    {
                        "account": a,
                        "cluster": cluster_of.get(a, -1) + 1,
                        "x": float(pos[a][0]),
                        "y": float(pos[a][1]),
                    }
                    for a in sorted(g.nodes())
                ],
                "edges": [[a, b, int(w)] for a, b, w in sorted(g.edges(data="weight"), key=str)],
            },
            "provenance": {
                "coordination": coord.provenance,
                "narratives": nar.provenance,
            },
        }
    )
