"""Prefect deployments of the cueflow flows: definitions, `cueflow server`, `cueflow deploy` and `cueflow serve`.

definitions.py lists the deployments; server.py starts a local Prefect server; serve.py registers and serves them;
commands.py is the CLI plug-in; local.sh does server + serve in one go. The flows themselves: flows/entrypoints.py.
"""
