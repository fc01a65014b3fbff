"""Commits that must be durable before an answer, made in worker threads, several at once.

The store's one connection lives on the event loop, and a commit there holds the loop for
its fsync (``synchronous=FULL``). Uploads are acknowledged only once their row is durable,
so a burst of photos would hold the loop once per photo. The Writer is a second connection
to the same file, used only from worker threads: whoever calls :meth:`Writer.run` waits for
its change to be committed, and whatever changes are waiting by then go into the same
transaction, each in its own savepoint (one fsync for a burst on a slow disk; one change's
error undoes only that change). SQLite's own lock orders these transactions with the
store's (WAL: readers never wait).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..workers import native_lock

Change = Callable[[sqlite3.Connection], Any]
BUSY_SECONDS = 30.0  # a store transaction in progress; never as long as this


@dataclass
class _Waiting:
    change: Change
    done: bool = False
    result: Any = None
    error: BaseException | None = field(default=None)


class Writer:
    def __init__(self, path: Path) -> None:
        self._conn = sqlite3.connect(
            str(path), check_same_thread=False, isolation_level=None, timeout=BUSY_SECONDS
        )
        self._conn.execute("PRAGMA synchronous=FULL")
        self._conn.execute("PRAGMA foreign_keys=ON")
        self._commit_lock = native_lock()  # one transaction at a time on this connection
        self._queue_lock = native_lock()
        self._queue: list[_Waiting] = []

    def run(self, change: Change) -> Any:
        """Run ``change(connection)`` in a transaction and return its result once committed
        (or raise its error; nothing of it was written). Blocks: call it in a worker
        thread, never on the event loop."""
        waiting = _Waiting(change)
        with self._queue_lock:
            self._queue.append(waiting)
        with self._commit_lock:
            if not waiting.done:  # nobody took it into their transaction: lead one
                with self._queue_lock:
                    batch, self._queue = self._queue, []
                self._commit(batch)
        if waiting.error is not None:
            raise waiting.error
        return waiting.result

    def _commit(self, batch: list[_Waiting]) -> None:
        conn = self._conn
        try:
            conn.execute("BEGIN IMMEDIATE")
            try:
                for waiting in batch:
                    conn.execute("SAVEPOINT change")
                    try:
                        waiting.result = waiting.change(conn)
                    except Exception as exc:
                        conn.execute("ROLLBACK TO change")
                        waiting.error = exc
                    conn.execute("RELEASE change")
                conn.execute("COMMIT")
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
        except BaseException as exc:  # nothing of the batch was committed
            for waiting in batch:
                waiting.error, waiting.result = exc, None
            if not isinstance(exc, Exception):
                raise
        finally:
            for waiting in batch:
                waiting.done = True

    def close(self) -> None:
        with self._commit_lock:
            self._conn.close()


def insert(conn: sqlite3.Connection, table: str, row: dict[str, Any]) -> None:
    columns = list(row)
    conn.execute(
        f"insert into [{table}] ({', '.join(f'[{c}]' for c in columns)}) "
        f"values ({', '.join('?' for _ in columns)})",
        [row[c] for c in columns],
    )


def upsert(conn: sqlite3.Connection, table: str, row: dict[str, Any], pk: str) -> None:
    """Insert, or update the given columns of the row already there (as sqlite-utils'
    ``upsert``)."""
    columns = list(row)
    conn.execute(
        f"insert into [{table}] ({', '.join(f'[{c}]' for c in columns)}) "
        f"values ({', '.join('?' for _ in columns)}) on conflict([{pk}]) do update set "
        + ", ".join(f"[{c}] = excluded.[{c}]" for c in columns if c != pk),
        [row[c] for c in columns],
    )
