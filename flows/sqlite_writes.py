"""SQLite write transactions that wait their turn instead of failing, in the Prefect servers cueflow starts.

Prefect 3.9 begins a SQLite transaction DEFERRED unless it wants a row lock: the transaction starts as a reader and
takes the write lock at its first write. In WAL mode that upgrade fails at once with "database is locked" when
another connection has committed since the transaction began (SQLite does not wait out the busy timeout there: the
reader's snapshot is stale). The API answers 503 and Prefect's client sleeps about 2 s before retrying. Two scene
subflows inserting their runs, or one beside the task-run recorder's batch, hit it on most runs with more than one
scene in flight: Macbeth on a resident SQLite server took 11.4-16.5 s at 4 in flight against 8.1 s at 1.

Beginning every transaction IMMEDIATE takes the write lock first, so a second writer waits on the busy timeout
instead of failing: the same runs took 6.8-7.3 s at 4 in flight, with no 503. Reads outside a transaction are
untouched. This module imports nothing at load time: the ephemeral server's guard (flows/server_guard.py) loads it by
its path and deployments/api_server.py imports it, and both call `serialise_sqlite_writes()` in the server's process
before Prefect's app starts.
"""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

MARK = "_cueflow_deferred"  # set on the replacement: the method it replaced


def serialise_sqlite_writes() -> None:
    """Make Prefect's SQLite configuration begin every transaction IMMEDIATE (idempotent)."""
    from prefect.server.database.configurations import AioSqliteConfiguration

    deferred = AioSqliteConfiguration.begin_transaction
    if hasattr(deferred, MARK):
        return

    @asynccontextmanager
    async def begin_transaction(self: Any, session: Any, with_for_update: bool = False) -> AsyncIterator[Any]:
        async with deferred(self, session, with_for_update=True) as transaction:  # True: Prefect's IMMEDIATE
            yield transaction

    setattr(begin_transaction, MARK, deferred)
    AioSqliteConfiguration.begin_transaction = begin_transaction  # type: ignore[method-assign]
