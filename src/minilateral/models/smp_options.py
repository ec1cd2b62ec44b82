"""KTAB's SMP option vocabulary (``specs/smp.md`` §8), shared by the model and the KTAB readers.

Kept apart from :mod:`minilateral.models.smp` so that the readers can use it without importing
(and registering) the model.
"""

from __future__ import annotations

__all__ = ["KTAB_DEFAULT_SEED", "NAME_ALIASES", "SMP_OPTIONS", "VALUE_ALIASES"]

KTAB_DEFAULT_SEED = 0xD67CC16FE69C185C  # = 15455440707583219804, KTAB's default prngSeed

#: KTAB's nine options with their values; the first spelling of §8 is canonical.
SMP_OPTIONS: dict[str, tuple[str, ...]] = {
    "VictoryProbModel": ("Linear", "Square", "Quartic", "Octic", "Binary"),
    "PCEModel": ("Conditional", "MarkovIncentive", "MarkovUniform"),
    "StateTransitions": ("Deterministic", "Stochastic"),
    "VotingRule": ("Binary", "PropBin", "Prop", "PropCbc", "Cubic", "ASymProsp"),
    "BigRAdjust": ("None", "OneThird", "Half", "TwoThirds", "Full"),
    "BigRRange": ("Min", "Mid", "Max"),
    "ThirdPartyCommit": ("NoCommit", "SemiCommit", "FullCommit"),
    "InterVecBrgn": ("S1P1", "S2P2", "S2PMax"),
    "BargnModel": ("InitOnlyInterp", "InitRcvrInterp", "PWCompInterp"),
}
#: Accepted aliases of option values (the schema's spellings) and of option names.
VALUE_ALIASES: dict[str, dict[str, str]] = {
    "VotingRule": {"Proportional": "Prop"},
    "BigRAdjust": {"No": "None"},
}
NAME_ALIASES: dict[str, str] = {"StateTransition": "StateTransitions"}
