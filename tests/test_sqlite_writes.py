"""cueflow's Prefect servers on SQLite take the write lock when a transaction begins (flows/sqlite_writes.py).

Prefect's DEFERRED transactions took it at their first write and failed at once, with a 503 and a 2 s client
back-off, when another writer had committed in between; IMMEDIATE ones wait for the lock instead.
"""

import asyncio
import sqlite3

import sqlalchemy as sa
from prefect.server.database.configurations import AioSqliteConfiguration

from flows.sqlite_writes import MARK, serialise_sqlite_writes


async def _other_writer_while_a_transaction_reads(database: str) -> str:
    """Open a transaction as Prefect's server does, read in it, and try a write from another connection meanwhile."""
    config = AioSqliteConfiguration(connection_url=f"sqlite+aiosqlite:///{database}")
    engine = await config.engine()
    try:
        session = await config.session(engine)
        async with session:
            async with config.begin_transaction(session):
                await session.execute(sa.text("SELECT count(*) FROM t"))
                other = sqlite3.connect(database, timeout=0, isolation_level=None)
                try:
                    other.execute("BEGIN IMMEDIATE")
                    other.execute("ROLLBACK")
                    return "the other writer got the lock"
                except sqlite3.OperationalError as exc:
                    return str(exc)
                finally:
                    other.close()
    finally:
        await engine.dispose()


def _database(tmp_path) -> str:
    path = tmp_path / "prefect.db"
    with sqlite3.connect(path) as connection:
        connection.execute("PRAGMA journal_mode = WAL")
        connection.execute("CREATE TABLE t (x INTEGER)")
    connection.close()
    return str(path)


def test_prefects_deferred_transaction_leaves_the_write_lock_free_until_its_first_write(tmp_path):
    """Why the fix exists: without it, a transaction that has read holds no write lock (so a later write can fail)."""
    original = AioSqliteConfiguration.begin_transaction
    deferred = getattr(original, MARK, original)  # Prefect's own, also when a test here applied the fix already
    AioSqliteConfiguration.begin_transaction = deferred  # type: ignore[method-assign]
    try:
        assert asyncio.run(_other_writer_while_a_transaction_reads(_database(tmp_path))) == "the other writer got the lock"
    finally:
        AioSqliteConfiguration.begin_transaction = original  # type: ignore[method-assign]


def test_with_the_fix_every_transaction_holds_the_write_lock_from_its_start(tmp_path):
    serialise_sqlite_writes()
    serialise_sqlite_writes()  # idempotent: a second call does not wrap the wrapper
    assert hasattr(AioSqliteConfiguration.begin_transaction, MARK)
    assert not hasattr(getattr(AioSqliteConfiguration.begin_transaction, MARK), MARK)
    assert asyncio.run(_other_writer_while_a_transaction_reads(_database(tmp_path))) == "database is locked"
