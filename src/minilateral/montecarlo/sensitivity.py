r"""Global sensitivity analysis: which actors' inputs move a model's forecast.

Every random input of a sweep (an actor's position and salience on an issue, an actor's
capability; see :mod:`minilateral.montecarlo.perturb`) is a factor. Factors are sampled on the
unit hypercube of their uniforms ``u`` and mapped through the same inverse CDFs as a sweep, so
the indices describe the forecast's sensitivity *under the sweep's input distributions*.

* **Sobol'** (variance-based): first-order index :math:`S_i = V[E(Y \mid X_i)] / V(Y)` and total
  index :math:`S_{Ti} = E[V(Y \mid X_{\sim i})] / V(Y)`, estimated from Saltelli's sample of
  :math:`n(k + 2)` model runs with the estimators of Saltelli et al. (2010) and Jansen (1999),
  as implemented in SALib. For a linear model :math:`Y = \sum_i a_i X_i` with independent
  inputs, :math:`S_i = S_{Ti} = a_i^2 V(X_i) / \sum_j a_j^2 V(X_j)`.
* **Morris** (elementary effects): :math:`\mu^*_i`, the mean absolute change of the forecast
  per unit change of factor ``i``'s uniform, and :math:`\sigma_i` (non-linearity and
  interactions), from :math:`r(k + 1)` runs along ``r`` trajectories.

With ``group="actor"`` the factors of each actor form one group and the indices are those of
the group (Sobol': of the actor's inputs jointly), which answers "which actors move this
forecast" at a lower cost.

References
----------
.. [1] Sobol', I. M. (2001). Global sensitivity indices for nonlinear mathematical models and
   their Monte Carlo estimates. *Mathematics and Computers in Simulation* 55, 271–280.
.. [2] Saltelli, A., Annoni, P., Azzini, I., Campolongo, F., Ratto, M. & Tarantola, S. (2010).
   Variance based sensitivity analysis of model output. *Computer Physics Communications*
   181(2), 259–270. doi:10.1016/j.cpc.2009.09.018
.. [3] Morris, M. D. (1991). Factorial sampling plans for preliminary computational
   experiments. *Technometrics* 33(2), 161–174.
.. [4] Campolongo, F., Cariboni, J. & Saltelli, A. (2007). An effective screening design for
   sensitivity analysis of large models. *Environmental Modelling & Software* 22, 1509–1518.
.. [5] Herman, J. & Usher, W. (2017). SALib: an open-source Python library for sensitivity
   analysis. *Journal of Open Source Software* 2(9), 97. doi:10.21105/joss.00097
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from minilateral.arrays import FloatArray
from minilateral.errors import ConvergenceWarning, OptionError
from minilateral.models.registry import model_class
from minilateral.montecarlo.perturb import Factor, resolve_uncertainty
from minilateral.provenance import provenance
from minilateral.scenario import Noise, Scenario, Uncertainty

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["MEASURES", "SensitivityResult", "sensitivity"]

Method = Literal["sobol", "morris"]
Group = Literal["factor", "actor"]
#: The two indices each method reports per input: (ranking index, second index).
MEASURES = {"sobol": ("ST", "S1"), "morris": ("mu_star", "sigma")}


@dataclass(frozen=True)
class SensitivityResult:
    """Sensitivity indices of every factor (or actor) on every issue's forecast.

    Attributes
    ----------
    method : {"sobol", "morris"}
    group : {"factor", "actor"}
    model : str
    issues : list of str
    indices : pandas.DataFrame
        One row per issue and factor: ``issue``, ``factor`` (``position:A:Q``,
        ``salience:A:Q``, ``capability:A``, or the actor's name when grouped), ``actor``,
        ``field``, then ``S1``, ``S1_conf``, ``ST``, ``ST_conf`` (Sobol') or ``mu``,
        ``mu_star``, ``mu_star_conf``, ``sigma`` (Morris). NaN where the issue's forecast is
        undefined in some run or does not vary.
    evaluations : int
        Model runs (rows of the sample).
    provenance : dict
    """

    method: str
    group: str
    model: str
    issues: list[str]
    indices: pd.DataFrame
    evaluations: int
    provenance: dict[str, Any]

    @property
    def measure(self) -> str:
        """The column that ranks factors: ``ST`` (Sobol') or ``mu_star`` (Morris)."""
        return MEASURES[self.method][0]

    def ranked(self, issue: str, top: int | None = None) -> pd.DataFrame:
        """The rows of ``issue``, most influential first."""
        if issue not in self.issues:
            raise OptionError(
                f"unknown issue '{issue}' (issues: {', '.join(self.issues)})", field="issue"
            )
        rows = self.indices[self.indices["issue"] == issue]
        rows = rows.sort_values(self.measure, ascending=False, na_position="last", kind="stable")
        return rows.head(top) if top else rows

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (NaN becomes null)."""
        records = json.loads(self.indices.to_json(orient="records"))
        return {
            "method": self.method,
            "group": self.group,
            "model": self.model,
            "issues": self.issues,
            "evaluations": self.evaluations,
            "indices": records,
            "provenance": self.provenance,
        }

    def to_frame(self) -> pd.DataFrame:
        """The indices as a :class:`pandas.DataFrame` (a copy of :attr:`indices`)."""
        return self.indices.copy()

    def _repr_html_(self) -> str:
        """Jupyter: the most influential factors of each issue (first three issues), with a bar
        chart of the ranking measure for the first issue."""
        from minilateral.presentation.display import bar_svg, result_html, table_html

        m = self.measure
        tables = []
        for issue in self.issues[:3]:
            rows = self.ranked(issue, top=5)
            tables.append(
                table_html(["Factor", m], rows[["factor", m]].values.tolist(), title=issue)
            )
        first = self.ranked(self.issues[0], top=10) if self.issues else self.indices.head(0)
        chart = bar_svg(list(first["factor"]), list(first[m]), title=f"{m}, {self.issues[0]}")
        name = "Sobol'" if self.method == "sobol" else "Morris"
        return result_html(
            f"{name} sensitivity of {self.model} ({self.evaluations} model runs)",
            "".join(tables),
            chart if self.issues else "",
        )


def _forecast_all(
    evaluate: Callable[[FloatArray, int], FloatArray],
    x: FloatArray,
    chunk_size: int,
    progress: Callable[[int, int], None] | None,
) -> FloatArray:
    out = []
    for start in range(0, len(x), chunk_size):
        out.append(evaluate(x[start : start + chunk_size], start))
        if progress is not None:
            progress(min(start + chunk_size, len(x)), len(x))
    return np.concatenate(out)


def sensitivity(
    scenario: Scenario | str | Path,
    model: str = "compromise",
    *,
    method: Method = "sobol",
    samples: int = 512,
    seed: int = 0,
    options: dict[str, Any] | None = None,
    uncertainty: Uncertainty | dict[str, Any] | None = None,
    noise: dict[str, Noise] | None = None,
    group: Group = "factor",
    num_levels: int = 4,
    chunk_size: int = 4096,
    progress: Callable[[int, int], None] | None = None,
) -> SensitivityResult:
    """Sobol' or Morris indices of every actor's inputs on every issue's forecast.

    Parameters
    ----------
    scenario : Scenario, str or Path
        The scenario, a file or a library name.
    model : str, default="compromise"
        Any registered model.
    method : {"sobol", "morris"}, default="sobol"
        Variance-based indices (first-order and total) or elementary effects.
    samples : int, default=512
        Sobol': the base sample size ``n`` (a power of 2; ``n(k + 2)`` runs for ``k`` factors).
        Morris: the number of trajectories ``r`` (``r(k + 1)`` runs).
    seed : int, default=0
        Seed of the sample and of the bootstrap confidence intervals.
    options : dict, optional
        Model options.
    uncertainty : Uncertainty or dict, optional
        Input distributions (default: the scenario's block, then the documented defaults); a
        factor whose distribution is ``none`` is held at its value.
    noise : dict of str to Noise, optional
        Global noise per field overriding the specification's (``--noise``).
    group : {"factor", "actor"}, default="factor"
        Indices per input, or per actor (all of its inputs together).
    num_levels : int, default=4
        Morris grid levels.
    chunk_size : int, default=4096
        Model runs per vectorised batch.
    progress : callable, optional
        ``progress(done, total)`` model runs.

    Returns
    -------
    SensitivityResult

    Examples
    --------
    >>> import minilateral as ml
    >>> result = ml.sensitivity("gaza", "compromise", samples=16, group="actor")
    >>> top = result.ranked("security", top=3)
    >>> list(top.columns[:4])
    ['issue', 'factor', 'actor', 'field']
    """
    import pandas as pd
    from SALib.analyze import morris as morris_analyze
    from SALib.analyze import sobol as sobol_analyze
    from SALib.sample import morris as morris_sample
    from SALib.sample import sobol as sobol_sample

    from minilateral.api import load_scenario

    if method not in MEASURES:
        raise OptionError(f"method must be sobol or morris, got {method!r}", field="method")
    if group not in ("factor", "actor"):
        raise OptionError(f"group must be factor or actor, got {group!r}", field="group")
    if samples < 2 or (method == "sobol" and samples & (samples - 1)):
        raise OptionError(
            f"samples must be {'a power of 2' if method == 'sobol' else 'at least 2'}, "
            f"got {samples}",
            field="samples",
        )
    if chunk_size < 1:
        raise OptionError(f"chunk size must be at least 1, got {chunk_size}", field="chunk-size")
    if not isinstance(scenario, Scenario):
        scenario = load_scenario(scenario)
    cls = model_class(model)
    instance = cls(
        **cls.validate_options(cls.coerce_options(scenario.options_for(model, options)[0]))
    )
    plan = resolve_uncertainty(scenario, uncertainty, noise)
    factors: list[Factor] = plan.factors()
    if not factors:
        raise OptionError("no input varies: every distribution is 'none'", field="uncertainty")
    names = [f.label for f in factors]
    problem: dict[str, Any] = {
        "num_vars": len(factors),
        "names": names,
        "bounds": [[0.0, 1.0]] * len(factors),
    }
    if group == "actor":
        problem["groups"] = [f.actor for f in factors]
    columns = np.array([f.column for f in factors])

    def evaluate(x: FloatArray, start: int) -> FloatArray:
        u = np.full((len(x), plan.width), 0.5)
        u[:, columns] = x
        rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(1, start)))
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore", ConvergenceWarning)
            return np.asarray(instance.forecast(plan.apply(u), rng=rng).outcome, dtype=float)

    if method == "sobol":
        x = sobol_sample.sample(problem, samples, calc_second_order=False, seed=seed)
    else:
        x = morris_sample.sample(problem, samples, num_levels=num_levels, seed=seed)
    y = _forecast_all(evaluate, x, chunk_size, progress)

    base = plan.base
    rows: list[dict[str, Any]] = []
    labels = list(dict.fromkeys(problem.get("groups", names)))
    by_label = {f.label: f for f in factors}
    for q, issue in enumerate(base.issues):
        yq = y[:, q]
        usable = bool(np.all(np.isfinite(yq)) and np.ptp(yq) > 0)
        stats: dict[str, Any] = {}
        if usable:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)
                if method == "sobol":
                    res = sobol_analyze.analyze(
                        problem, yq, calc_second_order=False, seed=seed, print_to_console=False
                    )
                    keys = ("S1", "S1_conf", "ST", "ST_conf")
                else:
                    res = morris_analyze.analyze(
                        problem, x, yq, num_levels=num_levels, seed=seed, print_to_console=False
                    )
                    keys = ("mu", "mu_star", "mu_star_conf", "sigma")
            stats = {k: np.asarray(res[k], dtype=float) for k in keys}
        else:
            keys = (
                ("S1", "S1_conf", "ST", "ST_conf")
                if method == "sobol"
                else ("mu", "mu_star", "mu_star_conf", "sigma")
            )
            stats = {k: np.full(len(labels), np.nan) for k in keys}
        for j, label in enumerate(labels):
            factor = by_label.get(label)
            rows.append(
                {
                    "issue": issue,
                    "factor": label,
                    "actor": label if factor is None else factor.actor,
                    "field": "all" if factor is None else factor.field,
                    **{k: float(v[j]) for k, v in stats.items()},
                }
            )
    return SensitivityResult(
        method=method,
        group=group,
        model=model,
        issues=list(base.issues),
        indices=pd.DataFrame(rows),
        evaluations=len(x),
        provenance=provenance(
            model=model, options=instance.get_params(), seed=seed, input_hash=scenario.sha256()
        ),
    )
