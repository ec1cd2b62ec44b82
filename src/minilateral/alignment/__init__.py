"""Alignment, capability and cohesion measures (formulas: ``docs/alignment.md#the-measures``).

The functions here take state identifiers (COW code, COW abbreviation, ISO3, English name or a
group name) and years, read the installed reference data and return an
:class:`AlignmentResult` (``frame``, ``notes``, ``provenance``). The pure array-level functions
live in :mod:`~minilateral.alignment.votes`, :mod:`~minilateral.alignment.ideal_points` and
:mod:`~minilateral.alignment.indices`.
"""

from minilateral.alignment.api import (
    DEFAULT_CANDIDATES,
    AlignmentResult,
    autonomy,
    balancing,
    capabilities,
    cohesion,
    complementarity,
    dyads,
    ideal_points,
    parse_years,
    portfolio_similarity,
)

__all__ = [
    "DEFAULT_CANDIDATES",
    "AlignmentResult",
    "autonomy",
    "balancing",
    "capabilities",
    "cohesion",
    "complementarity",
    "dyads",
    "ideal_points",
    "parse_years",
    "portfolio_similarity",
]
