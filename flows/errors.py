"""Phase 6 error types (the original design's semantics)."""


class PipelineError(Exception):
    """Base of the pipeline's own errors."""


class HardFailureError(PipelineError):
    """Fatal: the run cannot go on (Phase 1 failing, for example)."""


class NonFatalError(PipelineError):
    """The phase failed but the run goes on without its output (Phase 2: emotion becomes null)."""


class ContractViolationError(PipelineError):
    """A phase's output breaks the Phase 0 contract; the scene it belongs to fails."""


class PhaseNotImplementedError(PipelineError):
    """A phase was called that is not ready."""
