"""The narrative-monitor report: timeline, coordination network picture, clusters with evidence.

Presentation only: it takes the results of :func:`.coordination.detect_coordination` and
:func:`.topics.find_narratives` and draws them (Plotly, Jinja2). Every statement about a
cluster says that its accounts *behaved in a coordinated way*; the report never attributes a
cluster to a state or any other sponsor.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from minilateral.narratives.coordination import CoordinationResult
from minilateral.narratives.topics import NarrativeResult

__all__ = ["CAVEAT", "network_figure", "render_report", "report_context", "timeline_figure"]

CAVEAT = (
    "These accounts behaved in a coordinated way: they repeatedly shared the same links, posted "
    "the same or nearly the same text, or reposted the same items within the coordination "
    "window. Coordinated behaviour is not proof of a campaign's sponsor; this report does not "
    "say who runs these accounts or why, and organic communities (fans, activists, newsrooms "
    "with several accounts) can behave this way too."
)


def _label(narrative: dict[str, Any]) -> str:
    terms = [t for ts in narrative["top_terms"].values() for t in ts[:3]]
    return f"Narrative {narrative['id'] + 1}: " + ", ".join(terms[:4])


def timeline_figure(narratives: NarrativeResult, top: int = 8) -> Any:
    """Daily number of posts of the ``top`` largest narratives (Plotly figure)."""
    import plotly.graph_objects as go

    fig = go.Figure()
    for nar in narratives.narratives[:top]:
        days = sorted(nar["volume"])
        fig.add_trace(
            go.Scatter(
                x=days,
                y=[nar["volume"][d] for d in days],
                mode="lines+markers",
                name=_label(nar),
            )
        )
    fig.update_layout(
        title="Posts per day by narrative",
        xaxis_title="Day (UTC)",
        yaxis_title="Posts",
        legend={"orientation": "h", "y": -0.25},
        margin={"l": 50, "r": 20, "t": 50, "b": 40},
    )
    return fig


def network_figure(coordination: CoordinationResult, seed: int = 0) -> Any:
    """The kept account network, nodes coloured by cluster (spring layout, fixed seed)."""
    import networkx as nx
    import plotly.graph_objects as go

    g = coordination.graph()
    fig = go.Figure()
    if g.number_of_nodes() == 0:
        fig.update_layout(title="No accounts behaved in a coordinated way above the threshold")
        return fig
    pos = nx.spring_layout(g, seed=seed, weight="weight")
    xs: list[float | None] = []
    ys: list[float | None] = []
    for a, b in g.edges():
        xs += [pos[a][0], pos[b][0], None]
        ys += [pos[a][1], pos[b][1], None]
    fig.add_trace(
        go.Scatter(
            x=xs,
            y=ys,
            mode="lines",
            line={"width": 0.6, "color": "#999"},
            hoverinfo="skip",
            showlegend=False,
        )
    )
    for ci, cluster in enumerate(coordination.clusters):
        members = [a for a in cluster["accounts"] if a in pos]
        fig.add_trace(
            go.Scatter(
                x=[pos[a][0] for a in members],
                y=[pos[a][1] for a in members],
                mode="markers",
                marker={"size": 9},
                text=members,
                hoverinfo="text",
                name=f"Cluster {ci + 1} ({len(members)} accounts)",
            )
        )
    fig.update_layout(
        title="Accounts that behaved in a coordinated way (edges: repeated co-actions)",
        xaxis={"visible": False},
        yaxis={"visible": False},
        margin={"l": 20, "r": 20, "t": 50, "b": 20},
    )
    return fig


def report_context(
    coordination: CoordinationResult, narratives: NarrativeResult, top_clusters: int = 10
) -> dict[str, Any]:
    """Everything the report template shows, as plain data."""
    clusters = []
    for ci, c in enumerate(coordination.clusters[:top_clusters]):
        counts = [
            (n["clusters"][str(ci)], _label(n))
            for n in narratives.narratives
            if str(ci) in n["clusters"]
        ]
        pushes = [f"{label} ({k} posts)" for k, label in sorted(counts, key=lambda x: -x[0])]
        clusters.append(
            {
                "number": ci + 1,
                "n_accounts": c["n_accounts"],
                "accounts": c["accounts"],
                "score": c["score"],
                "first": c["first"][:16].replace("T", " "),
                "last": c["last"][:16].replace("T", " "),
                "median_lag": c["median_lag_seconds"],
                "channels": c["channels"],
                "n_shared_items": c["n_shared_items"],
                "evidence": c["shared_items"][:5],
                "narratives": pushes,
            }
        )
    return {
        "caveat": CAVEAT,
        "window": coordination.window_seconds,
        "threshold": coordination.threshold,
        "n_posts": coordination.provenance.get("n_posts"),
        "files": coordination.provenance.get("files", []),
        "clusters": clusters,
        "n_clusters": len(coordination.clusters),
        "narratives": [
            {
                "label": _label(n),
                "size": n["size"],
                "languages": n["languages"],
                "top_terms": n["top_terms"],
                "examples": n["examples"][:3],
                "actors": n["actors"],
                "clusters": [int(k) + 1 for k in n["clusters"]],
            }
            for n in narratives.narratives
        ],
        "version": coordination.provenance.get("version"),
    }


_TEMPLATE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>Narrative monitor</title>
<style>
body{font-family:system-ui,sans-serif;max-width:70rem;margin:2rem auto;padding:0 1rem;color:#222}
.caveat{background:#fff6e0;border-left:4px solid #e0a800;padding:.6rem 1rem}
table{border-collapse:collapse;width:100%;margin:.5rem 0}td,th{border-bottom:1px solid #ddd;
padding:.3rem;text-align:left;vertical-align:top}.small{font-size:.85rem;color:#555}
[dir=auto]{unicode-bidi:plaintext}
</style>
{{ plotly_js }}
</head><body>
<h1>Narrative monitor</h1>
<p class="caveat">{{ c.caveat }}</p>
<p>{{ c.n_posts }} posts from {{ c.files|length }} file{{ "" if c.files|length == 1 else "s" }}.
{% if c.window %}Coordination window estimated from the data: {{ "%.0f"|format(c.window) }} seconds;
an edge needs at least {{ "%.0f"|format(c.threshold) }} distinct items shared within it.{% else %}
No item was shared twice, so coordination cannot be measured.{% endif %}</p>
<h2>Volume of the narratives</h2>
<div id="timeline"></div>
<h2>Coordination network</h2>
<div id="network"></div>
<h2>Clusters of accounts that behaved in a coordinated way</h2>
{% if not c.clusters %}<p>None above the threshold.</p>{% endif %}
{% for k in c.clusters %}
<h3>Cluster {{ k.number }}: {{ k.n_accounts }} accounts behaved in a coordinated way</h3>
<p>Strength {{ "%.2f"|format(k.score) }} items per pair of accounts; active {{ k.first }} to
{{ k.last }} UTC; median lag between co-actions {{ "%.0f"|format(k.median_lag) }} seconds;
{{ k.n_shared_items }} shared items. Co-acted items summed over pairs of accounts: links
{{ k.channels.link }}, texts {{ k.channels.text }}, reposts {{ k.channels.repost }}.
{% if k.narratives %}Narratives its accounts posted: {{ k.narratives|join("; ") }}.{% endif %}</p>
<p class="small">Accounts: {{ k.accounts|join(", ") }}</p>
<table><tr><th>Evidence</th><th>Kind</th><th>Accounts</th><th>First</th></tr>
{% for it in k.evidence %}<tr><td dir="auto">{% if it.kind == "repost" %}Repost of
{{ it.item }}: {{ it.text }}{% else %}{{ it.item }}{% endif %}</td><td>{{ it.kind }}</td>
<td>{{ it.accounts|length }}</td><td>{{ it.first[:16].replace("T", " ") }}</td></tr>{% endfor %}
</table>
{% endfor %}
<h2>Narratives</h2>
<table><tr><th>Narrative</th><th>Posts</th><th>Languages</th><th>Actors mentioned</th>
<th>Coordinated clusters</th><th>Examples</th></tr>
{% for n in c.narratives %}<tr><td>{{ n.label }}</td><td>{{ n.size }}</td>
<td>{% for lg, v in n.languages.items() %}{{ lg }} {{ v }}
{%- if not loop.last %}, {% endif %}{% endfor %}</td>
<td>{% for a, v in n.actors.items() %}{{ a }} ({{ v }})
{%- if not loop.last %}, {% endif %}{% endfor %}</td>
<td>{{ n.clusters|join(", ") or "none" }}</td>
<td dir="auto">{% for e in n.examples %}<div>{{ e }}</div>{% endfor %}</td></tr>{% endfor %}
</table>
<p class="small">minilateral {{ c.version }}. Methods and limits: docs/narratives.md.</p>
<script>
Plotly.newPlot("timeline", {{ timeline|safe }}.data, {{ timeline|safe }}.layout);
Plotly.newPlot("network", {{ network|safe }}.data, {{ network|safe }}.layout);
</script>
</body></html>
"""


def render_report(
    coordination: CoordinationResult,
    narratives: NarrativeResult,
    out: str | Path | None = None,
    *,
    plotly_js: str = "inline",
) -> str:
    """The report as one HTML page; written to ``out`` when given.

    ``plotly_js="inline"`` embeds plotly.js (the page works offline); ``"cdn"`` links it.
    """
    import jinja2
    import plotly.io as pio
    from markupsafe import Markup
    from plotly.offline import get_plotlyjs

    env = jinja2.Environment(autoescape=True)
    script = (
        f"<script>{get_plotlyjs()}</script>"
        if plotly_js == "inline"
        else '<script src="https://cdn.plot.ly/plotly-2.35.2.min.js"></script>'
    )
    page = env.from_string(_TEMPLATE).render(
        c=report_context(coordination, narratives),
        timeline=pio.to_json(timeline_figure(narratives)).replace("</", "<\\/"),
        network=pio.to_json(network_figure(coordination)).replace("</", "<\\/"),
        plotly_js=Markup(script),
    )
    if out is not None:
        Path(out).write_text(page, encoding="utf-8")
    return page
