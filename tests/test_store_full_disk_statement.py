"""A write that fails mid-transaction on a full disk: SQLite has rolled the transaction back
by itself (a statement that spilled pages to the WAL and could not write them), so the
store's own ROLLBACK must not run on no transaction and replace the real error ("disk I/O
error") with "cannot rollback - no transaction is active": that error is what the crew and
the phones are told, and what the log keeps. The store writes again once there is space."""

from __future__ import annotations

import resource
import sqlite3
from pathlib import Path

import pytest

from liveshow.store.database import Store


def test_a_statement_failing_on_a_full_disk_raises_its_own_error_and_the_store_goes_on(
    tmp_path: Path,
) -> None:
    store = Store(tmp_path / "show.db")
    store.db.execute("PRAGMA cache_size=10")  # a big transaction spills pages mid-way
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    largest = max(p.stat().st_size for p in tmp_path.iterdir() if p.is_file())
    with pytest.raises(sqlite3.Error) as failed:
        resource.setrlimit(resource.RLIMIT_FSIZE, (largest, hard))  # no file may grow
        try:
            with store.write() as db:
                for n in range(2000):
                    db.table("meta").insert({"key": f"k{n}", "value": "x" * 4000})
        finally:
            resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
    assert "rollback" not in str(failed.value), failed.value
    assert not store.db.conn.in_transaction
    store.meta_set("after", "space again")
    assert store.meta_get("after") == "space again"
    assert store.meta_get("k0") is None  # nothing of the failed transaction was kept
