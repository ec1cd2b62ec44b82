"""Each registered model's one-line summary, marked for translation (brief and web app).

The text repeats each model's ``summary`` so that catalogues can hold it; ``tests/test_i18n.py``
fails when a model is added or its summary changes.
"""

from __future__ import annotations

from minilateral.i18n import N_

__all__ = ["MODEL_SUMMARIES"]

MODEL_SUMMARIES: dict[str, str] = {
    "mean": N_("Unweighted mean of the positions (baseline)."),
    "weighted-mean": N_("Salience-weighted mean of the positions (baseline)."),
    "compromise": N_("Capability x salience weighted mean (van den Bos 1991; Achen 2006)."),
    "median": N_("Ordinary median of the positions (baseline)."),
    "weighted-median": N_("Lower weighted median, the weak Condorcet winner (baseline)."),
    "nash": N_("Nash bargaining solution per issue (Nash 1950; weighted: Kalai 1977)."),
    "bdm": N_("Expected-utility model (Bueno de Mesquita 1994; Scholz et al. 2011)."),
    "exchange": N_("Equal-gain exchange of voting positions (Stokman; the Decide model)."),
    "smp": N_(
        "KTAB's Spatial Model of Politics: challenges, bargains and probabilistic Condorcet "
        "elections (KAPSARC KTAB)."
    ),
}
