"""A run's process: keep the garbage collector off the objects that live as long as the process does."""

import gc

_frozen = False


def freeze_long_lived() -> None:
    """Move every object alive now out of the collector's generations (gc.freeze), once per process.

    After the imports a run's process holds about 180,000 objects (Prefect, pydantic's schemas, the phases' data).
    Every full collection walked all of them, about 0.1 s each, twice in a served Macbeth run; Prefect's floor had
    none. Frozen objects are still freed by reference counting; only cycles among them outlive their use, so this
    runs once, after the imports, in processes that end with their run: the `cueflow` command's, a served run's.
    """
    global _frozen
    if not _frozen:
        _frozen = True
        gc.freeze()
