"""``minilateral coalitions`` (mediating-coalition search) and ``minilateral mediators``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from minilateral.api import load_scenario
from minilateral.cli._app import cli_errors, err_console, out_console, parse_sets
from minilateral.cli._output import FormatOpt, frame_rows, print_table, write_data
from minilateral.cli._progress import progress as _progress
from minilateral.cli.sweep import NoiseOpt
from minilateral.errors import OptionError
from minilateral.mediation.coalitions import CoalitionSearch
from minilateral.montecarlo.perturb import parse_noise
from minilateral.notebook import coalitions as api_coalitions
from minilateral.notebook import mediators as api_mediators
from minilateral.presentation.coalitions import (
    agreement_rows,
    coalition_rows,
    proposal_rows,
    takes_text,
    write_coalition_chart,
)
from minilateral.scenario import Scenario

__all__ = ["register"]


def parse_sizes(text: str) -> tuple[int, int]:
    """``"1-3"`` → ``(1, 3)``, ``"2"`` → ``(2, 2)``."""
    lo, sep, hi = text.partition("-")
    try:
        bounds = (int(lo), int(hi) if sep else int(lo))
    except ValueError:
        raise typer.BadParameter(f"'{text}' is not N or LO-HI", param_hint="--size") from None
    return bounds


def _floats(values: list[str] | None, flag: str) -> dict[str, float]:
    """``["TUR=30", "QAT=20,EGY=5"]`` → ``{"TUR": 30.0, ...}``."""
    items = [part for v in values or [] for part in v.split(",") if part.strip()]
    out = {}
    for key, value in parse_sets(items, flag).items():
        try:
            out[key] = float(value)
        except ValueError:
            raise typer.BadParameter(f"'{key}={value}' is not a number", param_hint=flag) from None
    return out


def _candidate_codes(text: str | None, scenario: Scenario) -> list[str]:
    """``--candidates`` split at commas, else the scenario's ``candidate_mediators``."""
    if text is not None and not text.strip(","):
        raise typer.BadParameter("name at least one candidate", param_hint="--candidates")
    codes = text.split(",") if text else list(scenario.candidate_mediators)
    if not codes:
        raise OptionError(
            "no --candidates given and the scenario lists no candidate_mediators",
            field="candidates",
        )
    return codes


def coalitions(
    source: Annotated[str, typer.Argument(help="A scenario file, or a name from the library.")],
    candidates: Annotated[
        str | None,
        typer.Option(
            "--candidates",
            help="Comma-separated candidate states (default: the scenario's candidate_mediators).",
        ),
    ] = None,
    size: Annotated[str, typer.Option("--size", help="Coalition size N or LO-HI.")] = "1-3",
    model: Annotated[str, typer.Option("--model", "-m", help="Model name.")] = "bdm",
    set_: Annotated[
        list[str] | None, typer.Option("--set", help="Model option KEY=VALUE (repeatable).")
    ] = None,
    draws: Annotated[int, typer.Option("--draws", help="Monte Carlo draws.")] = 500,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the draws.")] = 0,
    tol: Annotated[
        float, typer.Option("--tol", help="Settlement tolerance (share of the issue scale).")
    ] = 0.1,
    confidence: Annotated[float, typer.Option("--confidence", help="Interval level.")] = 0.95,
    proposal: Annotated[
        str, typer.Option("--proposal", help="Mediators' position: nash, compromise or stated.")
    ] = "nash",
    leverage: Annotated[
        list[str] | None,
        typer.Option("--leverage", help="CODE=VALUE mediator capability (repeatable)."),
    ] = None,
    leverage_source: Annotated[
        str,
        typer.Option(
            "--leverage-source",
            help="scenario (capabilities in the scenario) or data (CINC, reference data).",
        ),
    ] = "scenario",
    credibility: Annotated[
        str,
        typer.Option("--credibility", help="off, or data (composite from reference data)."),
    ] = "off",
    commitment: Annotated[
        float, typer.Option("--commitment", help="Mediators' salience, in [0, 1].")
    ] = 1.0,
    target: Annotated[
        list[str] | None,
        typer.Option("--target", help="ISSUE=VALUE desired outcome (repeatable)."),
    ] = None,
    rank_by: Annotated[
        str, typer.Option("--rank-by", help="settlement, or shift (needs --target).")
    ] = "settlement",
    noise: NoiseOpt = None,
    year: Annotated[
        int | None, typer.Option("--year", help="Data year for --*-source data (default latest).")
    ] = None,
    chart: Annotated[
        Path | None, typer.Option("--chart", help="Write an HTML chart of the ranking here.")
    ] = None,
    fmt: FormatOpt = "table",
    measure: Annotated[
        str,
        typer.Option(
            "--measure",
            help="agreement (every party accepts the coalition's package; default) or "
            "convergence (the parties' modelled positions end within --tol).",
        ),
    ] = "agreement",
    reservation: Annotated[
        str,
        typer.Option(
            "--reservation",
            help="No-deal outcome: status-quo (reference points) or contest (a model's forecast).",
        ),
    ] = "status-quo",
    agreement_set: Annotated[
        list[str] | None,
        typer.Option(
            "--agreement-set",
            help="Agreement option KEY=VALUE (optimism, exposure, leverage_scale, bias, ...).",
        ),
    ] = None,
) -> None:
    """Rank mediating coalitions by the probability that the parties agree."""
    for flag, value, choices in (
        ("--leverage-source", leverage_source, ("scenario", "data")),
        ("--credibility", credibility, ("off", "data")),
        ("--measure", measure, ("agreement", "convergence")),
        ("--reservation", reservation, ("status-quo", "contest")),
    ):
        if value not in choices:
            raise typer.BadParameter(f"must be one of {', '.join(choices)}", param_hint=flag)
    scenario = load_scenario(source)
    codes = _candidate_codes(candidates, scenario)
    explicit = _floats(leverage, "--leverage")
    targets = _floats(target, "--target")
    lo, hi = parse_sizes(size)
    with _progress(f"{model} coalition search") as report:

        def progress(done: int, total: int, label: str) -> None:
            report(done, total, label)

        result = api_coalitions(
            scenario,
            codes,
            sizes=(lo, hi),
            model=model,
            options=parse_sets(set_),
            draws=draws,
            seed=seed,
            tol=tol,
            confidence=confidence,
            proposal=proposal,
            leverage=explicit,
            leverage_source=leverage_source,  # type: ignore[arg-type]
            credibility=credibility,  # type: ignore[arg-type]
            year=year,
            commitment=commitment,
            target=targets,
            rank_by=rank_by,
            noise=dict(parse_noise(item) for item in noise or []),
            progress=progress,
            measure=measure,
            agreement=_agreement_options(agreement_set, reservation),
        )
    payload = result.to_dict()
    if chart is not None:
        write_coalition_chart(result, chart, title=scenario.title, scenario=scenario)
        err_console.print(f"wrote {chart}")
    if write_data(fmt, lambda: coalition_table(result), payload=payload):
        for note in result.provenance.get("notes", []):
            err_console.print(f"[yellow]note[/]: {note}")
        return
    if result.measure == "agreement":
        _print_agreement(result, scenario, draws)
        return
    table = Table(title=f"{scenario.title} — mediating coalitions ({model}, {draws} draws)")
    header, rows = coalition_rows(result)
    for col in header:
        table.add_column(col, justify="left" if col in ("rank", "coalition") else "right")
    for row in rows:
        table.add_row(*row)
    out_console.print(table)
    base = payload["baseline"]
    out_console.print(
        f"no mediator: settlement {base['settlement_probability']:.3f} "
        f"[{base['ci_low']:.3f}, {base['ci_high']:.3f}]; search: {result.search}"
    )
    for note in result.provenance.get("notes", []):
        err_console.print(f"[yellow]note[/]: {note}")


def coalition_table(result: CoalitionSearch) -> list[dict[str, object]]:
    """The ranking (:meth:`CoalitionSearch.to_frame`) with the table's labels: the baseline
    ("no mediator", rank 0), then every coalition; the expected outcome per issue."""
    what = "agreement" if result.measure == "agreement" else "settlement"
    labels = {
        "rank": "Rank",
        "coalition": "Coalition",
        "size": "Size",
        "probability": f"Probability of {what}",
        "ci_low": "Interval low",
        "ci_high": "Interval high",
        "tied_with_top": "Tied with the first",
        "converged": "Converged (share of draws)",
    }
    return frame_rows(result.to_frame(), labels)


def _agreement_options(items: list[str] | None, reservation: str) -> dict[str, object]:
    """``--agreement-set`` pairs (numbers where they parse) plus ``--reservation``."""
    out: dict[str, object] = {"reservation": reservation}
    for key, value in parse_sets(items, "--agreement-set").items():
        key = key.replace("-", "_")
        try:
            out[key] = int(value) if value.isdigit() else float(value)
        except ValueError:
            out[key] = value
    return out


def _print_agreement(result: CoalitionSearch, scenario: Scenario, draws: int) -> None:
    """The agreement table, the baseline, hold-outs, what it would take, named proposals."""
    table = Table(title=f"{scenario.title} — mediating coalitions (agreement, {draws} draws)")
    header, rows = agreement_rows(result)
    keep = [i for i, h in enumerate(header) if not h.startswith("acceptance")]
    for i in keep:
        col = header[i]
        table.add_column(col, justify="left" if col in ("rank", "coalition") else "right")
    for row in rows:
        table.add_row(*(row[i] for i in keep))
    out_console.print(table)
    accept = Table(title="Acceptance by party, % of draws (first ten and no mediator)")
    accept.add_column("party")
    shown = [*result.coalitions[:10], result.baseline]
    for c in shown:
        accept.add_column(" + ".join(c.coalition) or "no mediator", justify="right")
    for party in result.parties:
        accept.add_row(
            party,
            *(f"{100 * c.agreement.acceptance[party]:.0f}" if c.agreement else "—" for c in shown),
        )
    out_console.print(accept)
    base = result.baseline
    out_console.print(
        f"no mediator: agreement {100 * base.summary.probability:.1f} % "
        f"[{100 * base.summary.ci_low:.1f}, {100 * base.summary.ci_high:.1f}]"
    )
    tied = result.tied
    if len(tied) > 1:
        out_console.print(
            f"tied with the first (paired interval covers zero): {len(tied)} coalitions; "
            "their order is not a finding",
            soft_wrap=False,
        )
    for label, entry in (("no mediator", base), ("first", result.coalitions[0])):
        d = entry.agreement
        if d is None:
            continue
        if d.zone == 0.0:
            out_console.print(f"{label}: no zone of agreement in any draw")
        if d.holdouts:
            hold = "; ".join(
                f"{h['party']} rejects in {100 * h['share']:.0f} % of draws "
                f"(short by {h['shortfall']:.3f})"
                + (
                    f", alone blocks a deal of the others in {100 * h['blocks_alone']:.0f} %"
                    if h.get("blocks_alone")
                    else ""
                )
                for h in d.holdouts[:4]
            )
            out_console.print(f"{label}: hold-outs — {hold}", soft_wrap=False)
        takes = takes_text(d)
        if takes and takes != "reached":
            out_console.print(f"{label}: to reach 50 % — {takes}", soft_wrap=False)
    if result.proposals:
        ptable = Table(title="Named proposals, evaluated as given")
        header, rows = proposal_rows(result)
        for col in header:
            ptable.add_column(col)
        for row in rows:
            ptable.add_row(*row)
        out_console.print(ptable)
    for note in result.provenance.get("notes", []):
        err_console.print(f"[yellow]note[/]: {note}")


def mediators(
    source: Annotated[str, typer.Argument(help="A scenario file, or a name from the library.")],
    candidates: Annotated[
        str | None,
        typer.Option(
            "--candidates", help="Comma-separated candidate states (default: scenario's)."
        ),
    ] = None,
    year: Annotated[int | None, typer.Option("--year", help="Reference year.")] = None,
    window: Annotated[int, typer.Option("--window", help="Years of UN votes pooled.")] = 5,
    affinity: Annotated[
        str, typer.Option("--affinity", help="S_abs, S_sq, kappa_sq or kappa_abs.")
    ] = "S_abs",
    weight: Annotated[
        list[str] | None,
        typer.Option("--weight", help="COMPONENT=W composite weight (repeatable)."),
    ] = None,
    fmt: FormatOpt = "table",
    stance_weight: Annotated[
        float,
        typer.Option(
            "--stance-weight",
            help="Weight of the scenario stances against UN votes in impartiality (0 to 1).",
        ),
    ] = 0.5,
) -> None:
    """Profile candidate mediators from the reference data: credibility and its components."""
    from minilateral.mediation.mediators import DEFAULT_WEIGHTS

    scenario = load_scenario(source)
    codes = _candidate_codes(candidates, scenario)
    weights = {**DEFAULT_WEIGHTS, **_floats(weight, "--weight")}
    result = api_mediators(
        scenario,
        codes,
        year=year,
        window=window,
        affinity=affinity,
        weights=weights,
        stance_weight=stance_weight,
    )
    rows = frame_rows(
        result.to_frame(),
        {
            "code": "Code",
            "ccode": "COW code",
            "name": "Candidate",
            "impartiality": "Impartiality",
            "ties": "Ties",
            "leverage": "Leverage",
            "track_record": "Track record",
            "credibility": "Credibility",
        },
    )
    if not write_data(fmt, rows, payload=result.to_dict()):
        for row in rows:
            row["Candidate"] = f"{row['Code']} ({row['Candidate']})"
        shown = ("Candidate", "Impartiality", "Ties", "Leverage", "Track record", "Credibility")
        print_table(
            rows, title=f"{scenario.title} — candidate mediators ({result.year})", columns=shown
        )
    for note in result.notes:
        err_console.print(f"[yellow]note[/]: {note}")


def register(app: typer.Typer) -> None:
    """Attach the commands of this module to ``app``."""
    app.command("coalitions")(cli_errors(coalitions))
    app.command("mediators")(cli_errors(mediators))
