"""Alignment, capability and cohesion measures (``specs/alignment.md``)."""
