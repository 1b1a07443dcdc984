"""Benchmarks: run `python -m bench` (or `make bench`). They print figures and ratios; tests never time anything."""
