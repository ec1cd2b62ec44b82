"""Monte Carlo sweeps: input distributions, the sweep engine (local and Dask), summaries and
sensitivity analysis."""
