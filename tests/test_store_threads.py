"""The one shared SQLite connection survives threads: a state broadcast reading in one thread
while the crew's moderation writes in another (the threading async mode, the in-process
tests) must not interleave their transaction statements."""

from __future__ import annotations

import threading
from pathlib import Path

from liveshow.store.database import Store

ROUNDS = 400


def test_reads_in_one_thread_and_writes_in_another_do_not_break_each_other(
    tmp_path: Path,
) -> None:
    store = Store(tmp_path / "show.db")
    errors: list[BaseException] = []
    start = threading.Barrier(2)

    def write() -> None:
        start.wait()
        try:
            for n in range(ROUNDS):
                with store.write() as db:
                    db.table("meta").upsert({"key": "n", "value": str(n)}, pk="key")
                    db.table("meta").upsert({"key": f"k{n % 7}", "value": "x"}, pk="key")
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    def read() -> None:
        start.wait()
        try:
            for _ in range(ROUNDS * 3):
                list(store.db.query("select count(*) as n from meta"))
                store.meta_get("n")
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=write), threading.Thread(target=read)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors, errors
    assert store.meta_get("n") == str(ROUNDS - 1)
    store.close()
