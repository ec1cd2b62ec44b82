"""Plain-loop twins of the vectorised mediation cores (for property tests and benchmarks)."""

from __future__ import annotations

import math

import numpy as np

from minilateral.arrays import ScenarioArrays
from minilateral.mediation.coalitions import Candidate


def party_spread_loop(arrays: ScenarioArrays, positions: np.ndarray) -> np.ndarray:
    """Capability-weighted SD of the parties' positions (unit scale), one cell at a time."""
    b, n, d = positions.shape
    out = np.full((b, d), np.nan)
    for k in range(b):
        for q in range(d):
            lo, hi = arrays.scale[q]
            cells = [
                ((positions[k, i, q] - lo) / (hi - lo), arrays.capability[k, i, q])
                for i in range(n)
                if arrays.roles[i] == "party" and arrays.mask[k, i, q]
            ]
            if not cells:
                continue
            total = sum(c for _, c in cells)
            if total <= 0:
                cells = [(z, 1.0) for z, _ in cells]
                total = float(len(cells))
            mean = sum(c * z for z, c in cells) / total
            out[k, q] = math.sqrt(max(sum(c * (z - mean) ** 2 for z, c in cells) / total, 0.0))
    return out


def add_coalition_loop(
    arrays: ScenarioArrays, members: list[Candidate], proposal: np.ndarray
) -> tuple[list[str], list[str], np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Actors, roles and the (B, N', D) positions, salience, capability, mask with mediators."""
    b, n, d = arrays.positions.shape
    actors, roles = list(arrays.actors), list(arrays.roles)
    rows = {k: [] for k in ("pos", "sal", "cap", "mask")}
    for i in range(n):
        rows["pos"].append(arrays.positions[:, i].copy())
        rows["sal"].append(arrays.salience[:, i].copy())
        rows["cap"].append(arrays.capability[:, i].copy())
        rows["mask"].append(arrays.mask[:, i].copy())
    for m in members:
        if not (m.leverage * m.credibility > 0 and m.commitment > 0):
            continue
        if m.actor in actors:
            r = actors.index(m.actor)
        else:
            actors.append(m.code)
            roles.append("mediator")
            rows["pos"].append(np.tile(arrays.scale[:, 0], (b, 1)))
            rows["sal"].append(np.zeros((b, d)))
            rows["cap"].append(np.zeros((b, d)))
            rows["mask"].append(np.zeros((b, d), dtype=bool))
            r = len(actors) - 1
        roles[r] = "mediator"
        for k in range(b):
            for q in range(d):
                if math.isfinite(proposal[k, q]):
                    rows["pos"][r][k, q] = proposal[k, q]
                    rows["sal"][r][k, q] = m.commitment
                    rows["cap"][r][k, q] = m.leverage * m.credibility
                    rows["mask"][r][k, q] = True
    stacked = [np.stack(rows[key], axis=1) for key in ("pos", "sal", "cap", "mask")]
    return actors, roles, *stacked
