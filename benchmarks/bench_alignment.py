"""Time the alignment measures on the real UN votes (not collected by pytest).

Usage::

    MINILATERAL_DATA_DIR=... python benchmarks/bench_alignment.py [--plain-years 2]

Reports (1) all dyad-year fields (``docs/alignment.md#the-fields-of-a-dyad-year``) for all dyads and
all years of ``un_votes_ccode`` (target < 20 s), against a plain-loop reference on a sample of
dyad-years for the speed ratio; (2) ideal points for every year 1946–2024 under the stopping rule of
``docs/alignment.md#ideal-points`` with SQUAREM (target < 180 s), and plain ECM on a few years for
the ratio of ECM evaluations and time.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.reference.alignment_loop import dyad_loop

from minilateral.alignment.ideal_points import ideal_points
from minilateral.alignment.votes import DYAD_FIELDS, dyad_measures, load_votes


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--plain-years", type=int, default=2)
    args = parser.parse_args()
    t0 = time.perf_counter()
    rc = load_votes("un_votes_ccode")
    print(f"load + R1-R3: {time.perf_counter() - t0:.2f} s")

    t0 = time.perf_counter()
    dy = dyad_measures(rc)
    t_vec = time.perf_counter() - t0
    print(f"all dyads x all years: {len(dy):,} dyad-years, {t_vec:.2f} s (target < 20 s)")

    sample = dy.sample(300, random_state=1)
    votes = rc.votes
    t0 = time.perf_counter()
    worst = 0.0
    for row in sample.itertuples():
        sub = votes[votes["year"] == row.year]
        rcs = np.unique(sub["rc"])
        va = sub[sub["ccode"] == row.a].set_index("rc")["v"].reindex(rcs, fill_value=0)
        vb = sub[sub["ccode"] == row.b].set_index("rc")["v"].reindex(rcs, fill_value=0)
        w = rc.weights.reindex(rcs).to_numpy()
        ref = dyad_loop(va.tolist(), vb.tolist(), w.tolist())
        for name in DYAD_FIELDS:
            got, exp = getattr(row, name), ref.get(name, np.nan)
            if row.n >= 20 and not np.isnan(exp):
                worst = max(worst, abs(got - exp))
    t_loop = (time.perf_counter() - t0) / len(sample) * len(dy)
    print(
        f"plain-loop reference: est. {t_loop:.0f} s for all; ratio {t_loop / t_vec:.0f}x; "
        f"max |diff| on 300 sampled dyad-years {worst:.2e}"
    )

    t0 = time.perf_counter()
    _pts, diag = ideal_points(rc, range(1946, 2025))
    t_ip = time.perf_counter() - t0
    print(
        f"ideal points 1946-2024 (SQUAREM): {t_ip:.1f} s (target < 180 s); "
        f"{int(diag['converged'].sum())}/{int((diag['n_rollcalls'] > 1).sum())} years converged;"
        f" ECM evaluations per year median {int(diag['n_iter'].median())}, "
        f"max {int(diag['n_iter'].max())}"
    )
    years = [2015, 2019][: args.plain_years]
    t0 = time.perf_counter()
    _, slow = ideal_points(rc, years, accelerate=False)
    t_plain = time.perf_counter() - t0
    fast = diag.set_index("year").loc[years]
    t_fast = t_ip / max(len(diag), 1) * len(years)
    print(
        f"plain ECM on {years}: {t_plain:.1f} s, iterations {slow['n_iter'].tolist()} vs "
        f"SQUAREM evaluations {fast['n_iter'].tolist()} (time ratio ~{t_plain / t_fast:.0f}x)"
    )


if __name__ == "__main__":
    main()
