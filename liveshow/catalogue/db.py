"""The catalogue's SQLite database: one writer, many readers, small decorated migrations.

A plain SQLite file (``<data>/catalogue.db``, WAL mode) with clear table and column names, so
anyone can open it with Datasette or the sqlite-utils CLI. Writes go through one connection
behind one lock and start with ``BEGIN IMMEDIATE`` (a write never fails half-way on a lock
upgrade); each serving thread reads through its own connection, which WAL lets run beside
the writer.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlite_utils

from .migrations import MIGRATIONS


def _connect(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
    conn.row_factory = sqlite3.Row
    conn.execute("PRAGMA journal_mode=WAL")
    # FULL: a batch acknowledged with 201 must survive a power cut (the show forgets it)
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("PRAGMA foreign_keys=ON")
    conn.execute("PRAGMA busy_timeout=10000")
    return conn


class CatalogueDB:
    """The writer connection (behind :attr:`lock`) and per-thread reader connections."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._writer = _connect(path)
        self.lock = threading.Lock()
        self._local = threading.local()
        self.migrate()

    @property
    def writer(self) -> sqlite_utils.Database:
        return sqlite_utils.Database(self._writer)

    def migrate(self) -> list[str]:
        applied: list[str] = []
        with self.write() as db:
            if "migrations" not in db.table_names():
                db.table("migrations").create({"name": str, "applied_at": float}, pk="name")
            done = {row["name"] for row in db.table("migrations").rows}
            for name, fn in MIGRATIONS:
                if name not in done:
                    fn(db)
                    db.table("migrations").insert({"name": name, "applied_at": time.time()})
                    applied.append(name)
        return applied

    @contextmanager
    def write(self) -> Iterator[sqlite_utils.Database]:
        """One write transaction: everything inside commits together or not at all."""
        with self.lock:
            self._writer.execute("BEGIN IMMEDIATE")
            try:
                yield sqlite_utils.Database(self._writer)
            except BaseException:
                self._writer.execute("ROLLBACK")
                raise
            self._writer.execute("COMMIT")

    def read(self) -> sqlite3.Connection:
        """This thread's reader connection (opened on first use)."""
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = _connect(self.path)
            conn.execute("PRAGMA query_only=ON")
            self._local.conn = conn
        return conn

    @contextmanager
    def snapshot(self) -> Iterator[sqlite3.Connection]:
        """Several reads that see one consistent state (a record and its lineage)."""
        conn = self.read()
        conn.execute("BEGIN")
        try:
            yield conn
        finally:
            conn.execute("COMMIT")

    def close(self) -> None:
        self._writer.close()
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
