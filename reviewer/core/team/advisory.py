"""PostgreSQL advisory locks of a shared case: the writer lock of the long jobs and the index repair lock.

A session-level advisory lock is held by one database connection until it is unlocked or the connection
ends, which is what a lock across machines needs: it is the same for every client of the case database,
and a client that is killed, loses its network or crashes loses its connection and with it the lock. Each
lock here is held on a connection of its own, taken from the engine's pool, so the client's ordinary
sessions come and go beside it; the connection's transaction is committed straight after locking, since
the lock outlives transactions and an open one would hold back the server's cleanup for hours.

Refusals name the holder from pg_locks and pg_stat_activity: its login, and the machine and process
from its `application_name` (db.application_name), which every Reviewer connection sets.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, Engine, func, select, text

from reviewer.core.db import ADVISORY_NAMESPACE
from reviewer.core.progress import CancelToken
from reviewer.core.writer_lock import SOMEONE

POLL_SECONDS = 0.1
_OURS = re.compile(r"Reviewer on (?P<host>.+), process (?P<pid>\d+)$")


class AdvisoryLock:
    """One of the case's advisory locks (db.JOBS_LOCK, db.INDEX_LOCK); a CrossProcessLock."""

    def __init__(self, engine: Engine, key: int) -> None:
        self.engine = engine
        self.key = key
        self._connection: Connection | None = None

    def try_take(self) -> bool:
        connection = self.engine.connect()
        try:
            taken = connection.scalar(select(func.pg_try_advisory_lock(ADVISORY_NAMESPACE, self.key)))
            connection.commit()
        except BaseException:
            connection.close()
            raise
        if not taken:
            connection.close()
            return False
        self._connection = connection
        return True

    def give_back(self) -> None:
        connection, self._connection = self._connection, None
        if connection is None:
            return
        try:
            connection.execute(select(func.pg_advisory_unlock(ADVISORY_NAMESPACE, self.key)))
            connection.commit()
        except BaseException:
            # The connection is gone (and the lock with it); never hand it back to the pool.
            connection.invalidate()
            raise
        finally:
            connection.close()

    def holder(self) -> str:
        """"another Reviewer window or command (alice on LAPTOP-7, process 4242)"."""
        query = text(
            "SELECT a.usename, a.application_name, host(a.client_addr), l.pid "
            "FROM pg_locks l LEFT JOIN pg_stat_activity a ON a.pid = l.pid "
            "WHERE l.locktype = 'advisory' AND l.granted "
            f"AND l.classid = {ADVISORY_NAMESPACE} AND l.objid = {self.key} AND l.objsubid = 2 "
            "AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())"
        )
        with self.engine.connect() as connection:
            row = connection.execute(query).first()
        if row is None:  # released in the meantime
            return SOMEONE
        login, application, address, server_pid = row
        ours = _OURS.match(application or "")
        if ours:
            return f"{SOMEONE} ({login} on {ours['host']}, process {ours['pid']})"
        where = f" at {address}" if address else ""
        return f"{SOMEONE} ({login or 'another login'}{where}, server process {server_pid})"


@contextmanager
def holding(lock: AdvisoryLock, cancel: CancelToken | None = None,
            on_wait: Callable[[], None] | None = None) -> Iterator[None]:
    """Hold `lock` for the block, waiting for another holder (cancellably); `on_wait` is called once
    when it is busy."""
    waited = False
    while not lock.try_take():
        if not waited and on_wait is not None:
            on_wait()
        waited = True
        if cancel is not None:
            cancel.raise_if_cancelled()
        time.sleep(POLL_SECONDS)
    try:
        yield
    finally:
        lock.give_back()
