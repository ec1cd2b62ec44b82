r"""Views of a coalition search: the ranked table, a bar chart and the BDM quad map.

The quad map (Bueno de Mesquita 1994; Scholz et al. 2011, fig. 1) places, for each party i and
each mediator m on an issue, the point :math:`(E_i(i \to m), E_i(m \to i))`: i's expected
utility of challenging the mediator's proposal and of being challenged by it, from the first
round of the ``bdm`` model on the unperturbed scenario. Its quadrants read: both positive →
conflict; :math:`E(i \to m) < 0 < E(m \to i)` → i expects to concede (compromise or
capitulate, the mediator's pull); :math:`E(i \to m) > 0 > E(m \to i)` → i expects the
mediator to give way; both negative → stalemate.

References
----------
.. [1] Bueno de Mesquita, B. (1994). Political forecasting: an expected utility method. In
   Bueno de Mesquita & Stokman (eds), *European Community Decision Making*, ch. 4.
.. [2] Scholz, J. B., Calbert, G. J. & Smith, G. A. (2011). Unravelling Bueno de Mesquita's
   group decision model. *Journal of Theoretical Politics* 23(4), 510–531.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from jinja2 import Environment, PackageLoader, select_autoescape

from minilateral.forecast import dumps_json
from minilateral.mediation.coalitions import (
    CoalitionSearch,
    add_coalition,
    proposal_point,
)
from minilateral.provenance import package_version
from minilateral.scenario import Scenario

__all__ = [
    "acceptance_heatmap",
    "agreement_rows",
    "coalition_chart",
    "coalition_rows",
    "issue_chart",
    "proposal_rows",
    "quad_map",
    "takes_text",
    "write_coalition_chart",
]

Gettext = Callable[[str], str]


def _same(message: str) -> str:
    return message


def _pct(value: float | None) -> str:
    return "—" if value is None or not np.isfinite(value) else f"{100 * value:.1f}"


def _marginal(c: Any) -> str:
    parts = []
    for k, v in c.marginal.items():
        lo, hi = c.marginal_ci.get(k, (float("nan"), float("nan")))
        parts.append(f"{k} {100 * v:+.1f} [{100 * lo:+.1f}, {100 * hi:+.1f}]")
    return "\n".join(parts)


def takes_text(detail: Any) -> str:
    """ "What it would take" in words: the leverage multiplier and added guarantee."""
    takes = detail.what_it_takes if detail is not None else None
    if not takes:
        return ""
    lev, gua = takes.get("leverage_multiplier"), takes.get("guarantee")
    if lev is not None and lev <= 1.0:
        return "reached"
    parts = [
        f"leverage ×{lev:.1f}"
        if lev is not None
        else f"leverage: not below ×{takes.get('max_multiplier', 10):g}",
        f"guarantee +{gua:.2f}" if gua is not None else "guarantee: not reachable",
    ]
    return "; ".join(parts)


def agreement_rows(result: CoalitionSearch) -> tuple[list[str], list[list[str]]]:
    """Header and rows of the ranked table under the agreement measure (percentages)."""
    header = [
        "rank",
        "coalition",
        "agreement %",
        "95% interval",
        "tied with first",
        "acceptance % by party",
        "marginal value, points [95% interval]",
        "to reach 50 %",
    ]
    rows = []
    for rank, c in enumerate(result.coalitions, start=1):
        s, d = c.summary, c.agreement
        acc = " ".join(f"{_pct(v)}" for v in (d.acceptance.values() if d else []))
        rows.append(
            [
                str(rank),
                " + ".join(c.coalition),
                _pct(s.probability),
                f"{_pct(s.ci_low)}–{_pct(s.ci_high)}",
                "tied" if c.tied_with_top and rank > 1 else "",
                acc,
                _marginal(c),
                takes_text(d),
            ]
        )
    return header, rows


def proposal_rows(result: CoalitionSearch) -> tuple[list[str], list[list[str]]]:
    """Named proposals evaluated as given: one row per proposal and sponsor."""
    header = ["proposal", "tabled by", "agreement %", "95% interval", "acceptance % by party"]
    rows = []
    for prop in result.proposals:
        for ev in prop["evaluations"]:
            who = " + ".join(ev["coalition"]) or "no mediator"
            rows.append(
                [
                    prop["label"],
                    f"{ev['by']} ({who})" if ev["coalition"] else who,
                    _pct(ev["agreement_probability"]),
                    f"{_pct(ev['ci_low'])}–{_pct(ev['ci_high'])}",
                    " ".join(_pct(v) for v in ev["acceptance"].values()),
                ]
            )
    return header, rows


def acceptance_heatmap(
    result: CoalitionSearch, *, top: int = 25, gettext: Gettext = _same
) -> dict[str, Any]:
    """Plotly heat map: each party's acceptance probability (rows) under each coalition."""
    _ = gettext
    entries = [c for c in result.coalitions[:top] if c.agreement is not None]
    base = result.baseline.agreement
    cols = [_("no mediator")] + [" + ".join(c.coalition) for c in entries]
    details = [base] + [c.agreement for c in entries]
    parties = list(result.parties)
    z = [[d.acceptance.get(p) if d is not None else None for d in details] for p in parties]
    return {
        "data": [
            {
                "type": "heatmap",
                "x": cols,
                "y": parties,
                "z": z,
                "zmin": 0,
                "zmax": 1,
                "colorscale": "Blues",
                "colorbar": {"title": {"text": _("accepts")}},
                "hovertemplate": "%{y} · %{x}: %{z:.0%}<extra></extra>",
            }
        ],
        "layout": {
            "height": 160 + 34 * len(parties),
            "margin": {"l": 220, "r": 20, "t": 10, "b": 140},
            "xaxis": {"tickangle": -45, "automargin": True},
            "yaxis": {"automargin": True},
        },
    }


def coalition_rows(result: CoalitionSearch) -> tuple[list[str], list[list[str]]]:
    """Header and rows of the ranked table (probabilities in %)."""
    if result.measure == "agreement":
        return agreement_rows(result)
    header = ["rank", "coalition", "settle %", "95% CI", "per issue %", "marginal (pp)"]
    if any(c.outcome_shift is not None for c in result.coalitions):
        header.append("shift %")
    rows = []
    for rank, c in enumerate(result.coalitions, start=1):
        s = c.summary
        row = [
            str(rank),
            "+".join(c.coalition),
            _pct(s.probability),
            f"{_pct(s.ci_low)}–{_pct(s.ci_high)}",
            " ".join(_pct(v) for v in c.issue_settlement),
            " ".join(f"{k} {100 * v:+.1f}" for k, v in c.marginal.items()),
        ]
        if c.outcome_shift is not None:
            row.append(f"{100 * c.outcome_shift:+.1f}")
        rows.append(row)
    return header, rows


def coalition_chart(
    result: CoalitionSearch, *, top: int = 25, gettext: Gettext = _same
) -> dict[str, Any]:
    """Plotly figure: settlement probability of the ``top`` coalitions with Wilson intervals."""
    _ = gettext
    entries = result.coalitions[:top]
    measure_label = (
        _("agreement probability (Wilson interval)")
        if result.measure == "agreement"
        else _("settlement probability (Wilson interval)")
    )
    labels = ["+".join(c.coalition) for c in entries] + [_("(no mediator)")]
    summaries = [c.summary for c in entries] + [result.baseline.summary]
    p = [s.probability for s in summaries]
    return {
        "data": [
            {
                "type": "bar",
                "orientation": "h",
                "y": labels[::-1],
                "x": p[::-1],
                "error_x": {
                    "type": "data",
                    "symmetric": False,
                    "array": [s.ci_high - s.probability for s in summaries][::-1],
                    "arrayminus": [s.probability - s.ci_low for s in summaries][::-1],
                },
                "marker": {"color": ["#999"] + ["#2a6f97"] * len(entries)},
                "hovertemplate": "%{y}: %{x:.3f}<extra></extra>",
            }
        ],
        "layout": {
            "height": 140 + 22 * len(labels),
            "margin": {"l": 160, "r": 20, "t": 10, "b": 50},
            "xaxis": {"title": {"text": measure_label}},
            "yaxis": {"automargin": True},
        },
    }


def quad_map(
    scenario: Scenario,
    result: CoalitionSearch,
    coalition: tuple[str, ...] | None = None,
) -> list[dict[str, Any]]:
    """First-round BDM expected utilities of each party vis-à-vis each mediator, per issue.

    Returns one record per (party, mediator, issue) with ``challenge`` = :math:`E_i(i \\to m)`
    and ``challenged`` = :math:`E_i(m \\to i)`, computed on the unperturbed scenario with the
    search's proposal rule and the ``bdm`` options recorded in the provenance; members with
    identical values are merged into one record (``mediator`` = their codes joined by ``+``).
    Empty when the search did not use ``bdm`` or has no coalition.
    """
    from minilateral.models.bdm import BDMModel, first_round_offers

    prov = result.provenance
    if prov.get("model") != "bdm" or not result.coalitions:
        return []
    chosen = coalition or result.coalitions[0].coalition
    members = [c for c in result.candidates if c.code in chosen]
    arrays = scenario.to_arrays()
    point = proposal_point(arrays, prov.get("proposal", "nash"), members=members)
    arrays = add_coalition(arrays, members, point)
    opts = BDMModel(**prov.get("options", {})).options()
    b, n, d = arrays.positions.shape

    def flat(a: np.ndarray) -> np.ndarray:
        return np.moveaxis(a, 2, 1).reshape(b * d, n)

    offers = first_round_offers(
        flat(arrays.positions),
        flat(arrays.salience),
        flat(arrays.capability),
        flat(arrays.mask),
        Q=opts.Q,
        probability=opts.probability,
        perspective=opts.perspective,
    )
    a, bb, pair = offers.challenge, offers.challenged, offers.valid
    names = {c.actor or c.code: c.code for c in members}
    points: dict[tuple[str, str, float, float], list[str]] = {}
    for q, issue in enumerate(arrays.issues):
        for i, role in enumerate(arrays.roles):
            if role != "party":
                continue
            for j, actor in enumerate(arrays.actors):
                if actor in names and pair[q, i, j]:
                    key = (arrays.actors[i], issue, float(a[q, i, j]), float(bb[q, i, j]))
                    points.setdefault(key, []).append(names[actor])
    # Members at the same proposal with the same commitment give the same point: merge them.
    return [
        {
            "party": p,
            "mediator": "+".join(sorted(m, key=chosen.index)),
            "issue": q,
            "challenge": x,
            "challenged": y,
        }
        for (p, q, x, y), m in points.items()
    ]


def issue_chart(result: CoalitionSearch, *, top: int = 25) -> dict[str, Any]:
    """Plotly heatmap: per-issue settlement probability of the ``top`` coalitions and baseline.

    Shows where a coalition helps even when no coalition settles every issue at once.
    """
    entries = result.coalitions[:top]
    labels = ["+".join(c.coalition) for c in entries] + ["(no mediator)"]
    rows = [c.issue_settlement for c in entries] + [result.baseline.issue_settlement]
    z = [[None if not np.isfinite(v) else float(v) for v in row] for row in rows]
    return {
        "data": [
            {
                "type": "heatmap",
                "x": list(result.issues),
                "y": labels[::-1],
                "z": z[::-1],
                "zmin": 0,
                "zmax": 1,
                "colorscale": "Blues",
                "reversescale": True,  # Plotly's "Blues" runs dark → light
                "colorbar": {"title": {"text": "P(settle)"}},
                "hovertemplate": "%{y} · %{x}: %{z:.3f}<extra></extra>",
            }
        ],
        "layout": {
            "height": 140 + 22 * len(labels),
            "margin": {"l": 160, "r": 20, "t": 10, "b": 60},
            "yaxis": {"automargin": True},
        },
    }


def _quad_chart(points: list[dict[str, Any]]) -> dict[str, Any]:
    reach = max([abs(p[k]) for p in points for k in ("challenge", "challenged")] + [0.1])
    axis_range = [-1.15 * reach, 1.15 * reach]  # symmetric, so the four quadrants show
    traces = []
    for party in dict.fromkeys(p["party"] for p in points):
        sel = [p for p in points if p["party"] == party]
        traces.append(
            {
                "type": "scatter",
                "mode": "markers+text",
                "name": party,
                "x": [p["challenge"] for p in sel],
                "y": [p["challenged"] for p in sel],
                "text": [p["issue"] for p in sel],
                "hovertext": [f"{party} vs {p['mediator']} · {p['issue']}" for p in sel],
                "textposition": "top center",
                "marker": {"size": 10},
            }
        )
    zero = {"zeroline": True, "zerolinewidth": 2, "zerolinecolor": "#444"}
    return {
        "data": traces,
        "layout": {
            "height": 480,
            "margin": {"l": 60, "r": 20, "t": 10, "b": 50},
            "xaxis": {
                "title": {"text": "E_party(party challenges mediator)"},
                "range": axis_range,
                **zero,
            },
            "yaxis": {
                "title": {"text": "E_party(mediator challenges party)"},
                "range": axis_range,
                **zero,
            },
            "legend": {"orientation": "h", "y": -0.2},
        },
    }


def write_coalition_chart(
    result: CoalitionSearch, path: str | Path, *, title: str, scenario: Scenario | None = None
) -> Path:
    """Write an HTML page with the ranking bar chart (and the quad map for ``bdm``).

    ``plotly.min.js`` is written beside the page (no network request).
    """
    from plotly.offline import get_plotlyjs

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    (path.parent / "plotly.min.js").write_text(get_plotlyjs(), encoding="utf-8")
    points = quad_map(scenario, result) if scenario is not None else []
    env = Environment(
        loader=PackageLoader("minilateral", "templates"),
        autoescape=select_autoescape(["html", "j2"]),
    )
    header, rows = coalition_rows(result)
    html = env.get_template("coalitions.html.j2").render(
        title=title,
        header=header,
        rows=rows,
        bars=dumps_json(coalition_chart(result)),
        issues=dumps_json(issue_chart(result)),
        quad=dumps_json(_quad_chart(points)) if points else None,
        quad_coalition="+".join(result.coalitions[0].coalition) if points else "",
        heatmap=dumps_json(acceptance_heatmap(result)) if result.measure == "agreement" else None,
        proposal_header=proposal_rows(result)[0] if result.proposals else None,
        proposal_rows=proposal_rows(result)[1] if result.proposals else None,
        measure=result.measure,
        provenance=result.provenance,
        version=package_version(),
    )
    path.write_text(html, encoding="utf-8")
    return path
