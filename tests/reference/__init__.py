"""Reference twins of every vectorised core, one package imported normally by tests and benchmarks.

Two kinds of twin live here:

* **Plain-loop references**, written for clarity from the model documents (``docs/models/``),
  one scenario (and mostly one issue) at a time, sharing no code with the vectorised cores:

  - ``baselines_loop.py``: the baselines (mean, weighted mean, compromise, median, weighted
    median) and the symmetric Nash bargaining solution;
  - ``bdm_loop.py``: the BDM expected-utility model, one issue at a time;
  - ``exchange_loop.py``: the exchange model, one candidate exchange at a time;
  - ``smp_loop.py``: KTAB's Spatial Model of Politics, with ``draw_scenario`` (random scenarios
    as KTAB draws them) and ``arrays_of`` shared by the SMP tests and benchmarks;
  - ``alignment_loop.py``: the dyadic vote-agreement measures;
  - ``coalitions_loop.py``: the mediation cores (party spread, adding a coalition member).

* **Frozen twins**: ``bdm_twin.py`` and ``smp_twin.py`` are the BDM and SMP modules as they
  stood before the performance work of issue 20 (unregistered, otherwise unchanged); the live
  cores must equal them bit for bit (``test_twins.py``).

Tests compare whole runs of the public models with these twins (``tests/models/``,
``tests/alignment/``, ``tests/mediation/``) rather than importing a model's private functions;
``benchmarks/`` times the live cores against them (run from the repository root: the
benchmarks put it on ``sys.path`` and import ``tests.reference`` like any package).
"""
