"""Frozen copies of model cores ("reference twins") that optimised cores are held to bit for bit.

``bdm_twin.py`` and ``smp_twin.py`` are the BDM and SMP modules as they stood before the
performance work of issue 20 (unregistered, otherwise unchanged). Tests and ``benchmarks/``
compare the live cores against them: same positions, rounds and diagnostics to the last bit.
"""
