"""Prefect deployments of the cueflow flows (see deployments/README in the project README)."""
