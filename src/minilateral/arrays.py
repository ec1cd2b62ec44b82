"""Batched numeric form of scenarios, the input of every model.

All per-cell arrays have shape ``(B, N, D)``: B scenarios in a batch (a single scenario is
B = 1; Monte Carlo stacks perturbed copies along B), N actors, D issues. Positions are kept on
each issue's own scale; models work on the unit scale given by :meth:`ScenarioArrays.unit_positions`
and map results back with :meth:`ScenarioArrays.from_unit`.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

if TYPE_CHECKING:
    from minilateral.scenario import Scenario

__all__ = ["BoolArray", "FloatArray", "IntArray", "ScenarioArrays"]

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True)
class ScenarioArrays:
    """Positions, saliences, capabilities and participation of a batch of scenarios.

    Attributes
    ----------
    positions : ndarray of shape (B, N, D)
        Positions on each issue's own scale; cells outside ``mask`` hold the scale's ``lo``.
    salience : ndarray of shape (B, N, D)
        Salience on [0, 1]; 0 outside ``mask``.
    capability : ndarray of shape (B, N, D)
        Capability per actor and issue (equal across issues unless the input says otherwise);
        0 outside ``mask``.
    mask : ndarray of bool, shape (B, N, D)
        True where the actor takes part in the issue
        (``docs/scenario-format.md#actors-issues-and-cells``).
    scale : ndarray of shape (D, 2)
        ``lo`` and ``hi`` of each issue.
    reference : ndarray of shape (D,)
        Reference point (status quo) of each issue on its own scale, NaN where none.
    actors, issues : tuple of str
        Names in input order.
    roles : tuple of str
        Each actor's role (party, stakeholder, mediator).
    """

    positions: FloatArray
    salience: FloatArray
    capability: FloatArray
    mask: BoolArray
    scale: FloatArray
    reference: FloatArray
    actors: tuple[str, ...]
    issues: tuple[str, ...]
    roles: tuple[str, ...] = field(default=())

    def __post_init__(self) -> None:
        shape = self.positions.shape
        if len(shape) != 3:
            raise ValueError(f"positions must have shape (B, N, D), got {shape}")
        for name in ("salience", "capability", "mask"):
            if getattr(self, name).shape != shape:
                raise ValueError(f"{name} has shape {getattr(self, name).shape}, expected {shape}")
        if self.scale.shape != (shape[2], 2) or self.reference.shape != (shape[2],):
            raise ValueError("scale must be (D, 2) and reference (D,)")
        if len(self.actors) != shape[1] or len(self.issues) != shape[2]:
            raise ValueError("actor and issue names must match the array shape")
        if self.roles and len(self.roles) != shape[1]:
            raise ValueError("roles must have one entry per actor")

    @property
    def batch_size(self) -> int:
        """B, the number of scenarios in the batch."""
        return int(self.positions.shape[0])

    @property
    def n_actors(self) -> int:
        """N, the number of actors."""
        return int(self.positions.shape[1])

    @property
    def n_issues(self) -> int:
        """D, the number of issues."""
        return int(self.positions.shape[2])

    @property
    def width(self) -> FloatArray:
        """``hi − lo`` of each issue, shape (D,)."""
        return self.scale[:, 1] - self.scale[:, 0]

    def unit_positions(self) -> FloatArray:
        """Positions mapped to [0, 1] per issue: ``z = (x − lo) / (hi − lo)``.

        Convention: ``docs/scenario-format.md#the-unit-scale-inside-models``.
        """
        return (self.positions - self.scale[:, 0]) / self.width

    def unit_reference(self) -> FloatArray:
        """Reference points on [0, 1], NaN where none."""
        return (self.reference - self.scale[:, 0]) / self.width

    def from_unit(self, z: FloatArray) -> FloatArray:
        """Map unit-scale values (last axis = issues) back to each issue's own scale."""
        return self.scale[:, 0] + np.asarray(z) * self.width

    def weights(self) -> FloatArray:
        """Effective weights ``w = c · s``, zero outside the mask.

        Convention: ``docs/scenario-format.md#actors-issues-and-cells``.
        """
        return np.where(self.mask, self.capability * self.salience, 0.0)

    def take(self, index: int | slice | npt.NDArray[np.intp]) -> ScenarioArrays:
        """A sub-batch (an integer index keeps the batch axis)."""
        if isinstance(index, int | np.integer):
            index = slice(int(index), int(index) + 1)
        return replace(
            self,
            positions=self.positions[index],
            salience=self.salience[index],
            capability=self.capability[index],
            mask=self.mask[index],
        )

    def with_values(
        self,
        *,
        positions: FloatArray | None = None,
        salience: FloatArray | None = None,
        capability: FloatArray | None = None,
    ) -> ScenarioArrays:
        """A copy with some per-cell arrays replaced (e.g. Monte Carlo draws), same mask."""
        return replace(
            self,
            positions=self.positions if positions is None else positions,
            salience=self.salience if salience is None else salience,
            capability=self.capability if capability is None else capability,
        )

    def repeat(self, batch_size: int) -> ScenarioArrays:
        """Tile a B = 1 batch ``batch_size`` times along the batch axis."""
        if self.batch_size != 1:
            raise ValueError("repeat() expects a batch of size 1")
        tile = (batch_size, 1, 1)
        return replace(
            self,
            positions=np.tile(self.positions, tile),
            salience=np.tile(self.salience, tile),
            capability=np.tile(self.capability, tile),
            mask=np.tile(self.mask, tile),
        )

    @classmethod
    def stack(cls, batches: list[ScenarioArrays]) -> ScenarioArrays:
        """Concatenate batches of the same scenario layout along the batch axis."""
        first = batches[0]
        for other in batches[1:]:
            if other.actors != first.actors or other.issues != first.issues:
                raise ValueError("cannot stack scenarios with different actors or issues")
        return replace(
            first,
            positions=np.concatenate([b.positions for b in batches]),
            salience=np.concatenate([b.salience for b in batches]),
            capability=np.concatenate([b.capability for b in batches]),
            mask=np.concatenate([b.mask for b in batches]),
        )

    @classmethod
    def from_scenario(cls, scenario: Scenario) -> ScenarioArrays:
        """Build the B = 1 arrays of a validated scenario."""
        n, d = len(scenario.actors), len(scenario.issues)
        scale = np.array([[q.lo, q.hi] for q in scenario.issues], dtype=float)
        positions = np.tile(scale[:, 0], (n, 1))
        salience = np.zeros((n, d))
        capability = np.zeros((n, d))
        mask = np.zeros((n, d), dtype=bool)
        for i, actor in enumerate(scenario.actors):
            for q, issue in enumerate(scenario.issues):
                if issue.name in actor.positions:
                    mask[i, q] = True
                    positions[i, q] = actor.positions[issue.name]
                    salience[i, q] = actor.salience[issue.name]
                    capability[i, q] = actor.capability_on(issue.name)
        reference = np.array(
            [np.nan if q.reference is None else q.reference for q in scenario.issues]
        )
        return cls(
            positions=positions[None],
            salience=salience[None],
            capability=capability[None],
            mask=mask[None],
            scale=scale,
            reference=reference,
            actors=tuple(scenario.actor_names),
            issues=tuple(scenario.issue_names),
            roles=tuple(str(a.role) for a in scenario.actors),
        )
