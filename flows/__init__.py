"""Phase 6: Prefect orchestration of the cueflow phases.

Importing the package only applies cueflow's Prefect settings; Prefect itself loads on first use of a
public name, so `cueflow` can refuse bad input without paying for the Prefect import.
"""

from importlib import import_module
from typing import TYPE_CHECKING

from .environment import configure_prefect

configure_prefect()  # must precede the first `import prefect`

_EXPORTS = {
    "run_batch": "batch",
    "run_directory": "batch",
    "PipelineConfig": "config",
    "ContractViolationError": "errors",
    "HardFailureError": "errors",
    "NonFatalError": "errors",
    "PhaseNotImplementedError": "errors",
    "PipelineError": "errors",
    "lighting_pipeline": "pipeline",
    "scene_flow": "scene",
    "run": "runner",
    "run_text": "runner",
    "RunSnapshot": "snapshot",
    "run_snapshot": "snapshot",
}
__all__ = [
    "ContractViolationError",
    "HardFailureError",
    "NonFatalError",
    "PhaseNotImplementedError",
    "PipelineConfig",
    "PipelineError",
    "RunSnapshot",
    "lighting_pipeline",
    "run",
    "run_batch",
    "run_directory",
    "run_snapshot",
    "run_text",
    "scene_flow",
]


def __getattr__(name: str) -> object:
    if name not in _EXPORTS:
        raise AttributeError(f"module 'flows' has no attribute {name!r}")
    value = getattr(import_module(f".{_EXPORTS[name]}", __name__), name)
    globals()[name] = value
    return value


if TYPE_CHECKING:
    from .batch import run_batch, run_directory
    from .config import PipelineConfig
    from .errors import ContractViolationError, HardFailureError, NonFatalError, PhaseNotImplementedError, PipelineError
    from .pipeline import lighting_pipeline
    from .runner import run, run_text
    from .scene import scene_flow
    from .snapshot import RunSnapshot, run_snapshot
