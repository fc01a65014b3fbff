"""Commits that must be durable before an answer, made off the event loop, several at once.

The store's one connection lives on the event loop, and a commit there holds the loop for
its fsync (``synchronous=FULL``). Uploads are acknowledged only once their row is durable,
so a burst of photos would hold the loop once per photo. The Writer is a second connection
to the same file with a thread of its own: :meth:`Writer.run` (called from a worker thread)
hands it a change and waits until it is committed; whatever changes are waiting when the
thread comes round go into one transaction, each in its own savepoint (one fsync for a
burst on a slow disk; one change's error undoes only that change). SQLite's own lock orders
these transactions with the store's (WAL: readers never wait; a write on the store's
connection waits, in SQLite's busy handler, for at most the commit in progress).

The thread is started from the event loop's thread (:meth:`Writer.start`), so it runs at the
loop's CPU priority, not the worker pool's lower one: a transaction holding SQLite's write
lock is never the thread the scheduler puts last. It ends after IDLE_SECONDS without work.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..workers import native_lock, start_native_thread

Change = Callable[[sqlite3.Connection], Any]
BUSY_SECONDS = 30.0  # a store transaction in progress; never as long as this
IDLE_SECONDS = 30.0


@dataclass
class _Waiting:
    change: Change
    done: Any = field(default_factory=native_lock)  # held until the change is settled
    result: Any = None
    error: BaseException | None = None


class Writer:
    def __init__(self, path: Path) -> None:
        self._conn = sqlite3.connect(
            str(path), check_same_thread=False, isolation_level=None, timeout=BUSY_SECONDS
        )
        self._conn.execute("PRAGMA synchronous=FULL")
        self._conn.execute("PRAGMA foreign_keys=ON")
        self._queue_lock = native_lock()
        self._queue: list[_Waiting] = []
        self._work = native_lock()  # released when the queue gets its first change
        self._work.acquire()
        self._running = False
        self._closed = False

    def start(self) -> None:
        """Make sure the thread runs. Call it from the event loop's thread (before offloading
        :meth:`run`): a thread takes the CPU priority of the thread that starts it."""
        with self._queue_lock:
            self._start()

    def _start(self) -> None:
        if not self._running and not self._closed:
            self._running = True
            start_native_thread(self._serve)

    def run(self, change: Change) -> Any:
        """Run ``change(connection)`` in a transaction and return its result once committed
        (or raise its error; nothing of it was written). Blocks: call it in a worker
        thread, never on the event loop."""
        waiting = _Waiting(change)
        waiting.done.acquire()
        with self._queue_lock:
            if self._closed:
                raise RuntimeError("the writer is closed")
            self._queue.append(waiting)
            if len(self._queue) == 1:
                self._work.release()
            self._start()
        waiting.done.acquire()  # released by the writer's thread
        if waiting.error is not None:
            raise waiting.error
        return waiting.result

    def _serve(self) -> None:
        while True:
            woken = self._work.acquire(timeout=0 if self._closed else IDLE_SECONDS)
            with self._queue_lock:
                batch, self._queue = self._queue, []
                if not batch and (self._closed or not woken):
                    self._running = False
                    if self._closed:
                        self._conn.close()
                    return
            if batch:
                self._commit(batch)

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
        finally:
            for waiting in batch:
                waiting.done.release()

    def close(self) -> None:
        """Commit what is waiting, then close the connection (the thread's last act)."""
        with self._queue_lock:
            self._closed = True
            running = self._running
            if running:
                try:
                    self._work.release()  # wake the thread to finish
                except RuntimeError:
                    pass  # already woken
        if not running:
            self._conn.close()


def insert(conn: sqlite3.Connection, table: str, row: dict[str, Any]) -> None:
    columns = list(row)
    conn.execute(
        f"insert into [{table}] ({', '.join(f'[{c}]' for c in columns)}) "
        f"values ({', '.join('?' for _ in columns)})",
        [row[c] for c in columns],
    )


def upsert(
    conn: sqlite3.Connection, table: str, row: dict[str, Any], pk: str | tuple[str, ...]
) -> None:
    """Insert, or update the given columns of the row already there (as sqlite-utils'
    ``upsert``); ``pk`` is the key's column, or its columns."""
    keys = (pk,) if isinstance(pk, str) else pk
    columns = list(row)
    conn.execute(
        f"insert into [{table}] ({', '.join(f'[{c}]' for c in columns)}) "
        f"values ({', '.join('?' for _ in columns)}) "
        f"on conflict({', '.join(f'[{k}]' for k in keys)}) do update set "
        + ", ".join(f"[{c}] = excluded.[{c}]" for c in columns if c not in keys),
        [row[c] for c in columns],
    )
