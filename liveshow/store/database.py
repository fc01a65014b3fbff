"""SQLite storage: schema migrations, the one writer, and the append-only event log.

The database is a plain SQLite file (``<data>/show.db``, WAL mode) with clear table names, so
a crew member can open it with Datasette or the sqlite-utils CLI after a show.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Callable, Generator, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlite_utils

Migration = Callable[[sqlite_utils.Database], None]
MIGRATIONS: list[tuple[str, Migration]] = []


def migration(fn: Migration) -> Migration:
    MIGRATIONS.append((fn.__name__, fn))
    return fn


@migration
def m001_initial(db: sqlite_utils.Database) -> None:
    db.table("show").create(
        {
            "id": int,
            "title": str,
            "displays": str,
            "min_go_interval": float,
            "source_path": str,
            "source_sha256": str,
            "base_dir": str,
            "loaded_at": float,
        },
        pk="id",
    )
    db.table("cues").create(
        {
            "id": str,
            "position": int,
            "kind": str,
            "title": str,
            "subtitle": str,
            "type": str,
            "media": str,
            "media_sha256": str,
            "text": str,
            "credits": str,
            "duration": float,
            "pre_wait": float,
            "post_wait": float,
            "continue_mode": str,
            "notes": str,
        },
        pk="id",
    )
    db.table("cues").create_index(["position"])
    db.table("media").create(
        {
            "sha256": str,
            "source_path": str,
            "source_size": int,
            "source_mtime": float,
            "media_type": str,
            "mime": str,
            "size": int,
            "duration": float,
            "width": int,
            "height": int,
            "video_codec": str,
            "audio_codec": str,
            "playable": int,
            "problems": str,
            "added_at": float,
        },
        pk="sha256",
    )
    db.table("events").create(
        {"rev": int, "at": float, "kind": str, "actor": str, "data": str}, pk="rev"
    )
    db.table("show_state").create(
        {
            "id": int,
            "rev": int,
            "mode": str,
            "current_cue": str,
            "cue_started_at": float,
            "paused": int,
            "paused_position": float,
            "blackout": int,
            "last_go_at": float,
            "heartbeat_at": float,
        },
        pk="id",
    )
    db.table("play_log").create(
        {
            "id": int,
            "cue_id": str,
            "kind": str,
            "title": str,
            "media_sha256": str,
            "credits": str,
            "started_at": float,
            "ended_at": float,
        },
        pk="id",
    )
    db.table("meta").create({"key": str, "value": str}, pk="key")


@migration
def m002_audience(db: sqlite_utils.Database) -> None:
    db.table("cues").add_column("prompt", str)
    db.table("cues").add_column("source", str)
    db.table("devices").create(
        {
            "id": str,
            "handle": str,
            "token_sha256": str,
            "terms_version": str,
            "consented_at": float,
            "address": str,
            "banned": int,
            "joined_at": float,
        },
        pk="id",
    )
    db.table("devices").create_index(["token_sha256"], unique=True)
    db.table("prompts").create(
        {
            "id": str,
            "kind": str,
            "question": str,
            "spec": str,
            "opened_at": float,
            "closed_at": float,
        },
        pk="id",
    )
    db.table("submissions").create(
        {
            "id": str,
            "seq": int,
            "device": str,
            "handle": str,
            "prompt": str,
            "kind": str,
            "status": str,
            "text": str,
            "option": str,
            "media_sha256": str,
            "thumb_sha256": str,
            "mime": str,
            "width": int,
            "height": int,
            "duration": float,
            "flagged": int,
            "flag_score": float,
            "body_sha256": str,
            "terms_version": str,
            "consented_at": float,
            "created_at": float,
            "moderated_at": float,
            "moderated_by": str,
            "reason": str,
            "featured_at": float,
        },
        pk="id",
    )
    db.table("submissions").create_index(["prompt", "status"])
    db.table("submissions").create_index(["seq"], unique=True)
    db.table("votes").create(
        {"prompt": str, "device": str, "option": str, "submission": str, "at": float},
        pk=("prompt", "device"),
    )


@migration
def m003_takes(db: sqlite_utils.Database) -> None:
    db.table("cues").add_column("camera", str)
    db.table("cues").add_column("keyed", int)
    db.table("cues").add_column("take", str)
    db.table("takes").create(
        {
            "id": str,
            "seq": int,
            "camera": str,
            "raw_sha256": str,
            "composite_sha256": str,
            "thumb_sha256": str,
            "duration": float,
            "started_at": float,
            "ended_at": float,
            "operator": str,
            "performer": str,
            "body_sha256": str,
            "complete": int,
            "created_at": float,
        },
        pk="id",
    )
    db.table("take_parents").create(
        {"take": str, "submission": str, "start_s": float, "end_s": float},
        pk=("take", "submission", "start_s"),
    )
    db.table("uploads").create(
        {"sha256": str, "total": int, "received": int, "started_at": float}, pk="sha256"
    )


@migration
def m004_catalogue(db: sqlite_utils.Database) -> None:
    """The outbox of what goes back to the catalogue, the ids the catalogue gave it, and the
    records pulled from the catalogue for screening."""
    db.table("cues").add_column("catalogue_record", int)
    db.table("outbox").create(
        {
            "id": int,
            "kind": str,  # submission | take | screening
            "ref": str,  # the show-side id (a submission, a take, a play-log row)
            "status": str,  # pending | sent | failed | dropped
            "created_at": float,
            "updated_at": float,  # the last change it reports (a later one restarts the delay)
            "attempts": int,
            "last_error": str,
            "lease_owner": str,
            "lease_until": float,
            "sent_at": float,
            "catalogue_ids": str,  # JSON list of the catalogue record ids it became
        },
        pk="id",
    )
    db.table("outbox").create_index(["kind", "ref"], unique=True)
    db.table("outbox").create_index(["status", "updated_at"])
    db.table("catalogue_records").create(
        {
            "id": int,
            "collaboration": str,
            "kind": str,
            "title": str,
            "text": str,
            "media_sha256": str,
            "credits": str,  # JSON [{artist, name, role}]
            "record": str,  # the whole JSON record as the catalogue answered it
            "pulled_at": float,
        },
        pk="id",
    )


@migration
def m005_claims(db: sqlite_utils.Database) -> None:
    """Each phone's private claim token, as its hash (the phone keeps the token)."""
    db.table("devices").add_column("claim_sha256", str)


@migration
def m006_cue_osc(db: sqlite_utils.Database) -> None:
    """The OSC messages a cue sends as it starts (JSON [{target, address, args}])."""
    db.table("cues").add_column("osc", str)


@migration
def m007_question_upvotes(db: sqlite_utils.Database) -> None:
    """Q&A upvotes: one row per phone per question it upvoted (taking it back deletes it)."""
    db.table("question_upvotes").create(
        {"question": str, "device": str, "prompt": str, "at": float},
        pk=("question", "device"),
    )
    db.table("question_upvotes").create_index(["prompt"])


@migration
def m008_cue_fades_and_volume(db: sqlite_utils.Database) -> None:
    """A cue's fade in/out (seconds) and audio level (dB); the crew's master volume (0..1)."""
    for name in ("fade_in", "fade_out", "level"):
        db.table("cues").add_column(name, float, not_null_default=0.0)
    db.table("show_state").add_column("volume", float, not_null_default=1.0)


@migration
def m009_cue_groups(db: sqlite_utils.Database) -> None:
    """Group cues: a cue inside a group names it (``group_id``) and follows it in position;
    the cues the crew stopped in the showing on stage (JSON list of ids)."""
    db.table("cues").add_column("group_id", str)
    db.table("show_state").add_column("stopped_cues", str, not_null_default="[]")


@migration
def m010_cue_numbers(db: sqlite_utils.Database) -> None:
    """A cue's number as the crew sees and types it ("4.5"; text, as written), apart from
    its id."""
    db.table("cues").add_column("number", str)


@migration
def m011_camera_transitions(db: sqlite_utils.Database) -> None:
    """How a camera cue's picture comes on: fade (over its fade_in) or cut."""
    db.table("cues").add_column("transition", str, not_null_default="fade")


class LockedDatabase(sqlite_utils.Database):
    """sqlite-utils on the one shared connection, with every statement under the store's
    lock. sqlite-utils 4 runs each ``query()`` inside a SAVEPOINT, which opens a transaction
    when none is open: without the lock, a read in one thread (a state broadcast) and a write
    in another (moderation) would interleave their transaction statements on the shared
    connection ("cannot start a transaction within a transaction", "no such savepoint").
    Under eventlet nothing interleaves mid-statement; under the threading async mode, and in
    the in-process tests, it did."""

    def __init__(self, conn: sqlite3.Connection, lock: threading.RLock) -> None:
        self._lock = lock  # before sqlite-utils' own set-up, which runs statements
        super().__init__(conn)

    def query(
        self, sql: str, params: Sequence[Any] | dict[str, Any] | None = None
    ) -> Generator[dict[str, Any], None, None]:
        with self._lock:
            rows = list(super().query(sql, params))
        yield from rows

    def execute(
        self, sql: str, parameters: Sequence[Any] | dict[str, Any] | None = None
    ) -> sqlite3.Cursor:
        with self._lock:
            return super().execute(sql, parameters)


class Store:
    """One connection, one writer lock. Writes go through :meth:`write` (BEGIN IMMEDIATE)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._conn = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute("PRAGMA synchronous=FULL")
        self._conn.execute("PRAGMA foreign_keys=ON")
        self.lock = threading.RLock()
        self.db = LockedDatabase(self._conn, self.lock)
        self._depth = 0
        self.migrate()

    def migrate(self) -> list[str]:
        applied = []
        with self.write():
            if "migrations" not in self.db.table_names():
                self.db.table("migrations").create({"name": str, "applied_at": float}, pk="name")
            done = {row["name"] for row in self.db.table("migrations").rows}
            for name, fn in MIGRATIONS:
                if name not in done:
                    fn(self.db)
                    self.db.table("migrations").insert({"name": name, "applied_at": time.time()})
                    applied.append(name)
        return applied

    @contextmanager
    def write(self) -> Iterator[sqlite_utils.Database]:
        """A write transaction; nested calls join the outer one."""
        with self.lock:
            if self._depth:
                self._depth += 1
                try:
                    yield self.db
                finally:
                    self._depth -= 1
                return
            self._conn.execute("BEGIN IMMEDIATE")
            self._depth = 1
            try:
                yield self.db
            except BaseException:
                # a statement that failed on a full disk may have rolled it all back already:
                # a ROLLBACK then would raise, and hide the real error
                if self._conn.in_transaction:
                    self._conn.execute("ROLLBACK")
                raise
            else:
                try:
                    self._conn.execute("COMMIT")
                except BaseException:
                    # SQLite rolls back by itself on most failed commits (a full disk); where
                    # it does not, the transaction must not stay open for the next write
                    if self._conn.in_transaction:
                        self._conn.execute("ROLLBACK")
                    raise
            finally:
                self._depth = 0

    def append_event(
        self, rev: int, kind: str, data: dict[str, Any], actor: str, at: float
    ) -> None:
        self.db.table("events").insert(
            {
                "rev": rev,
                "at": at,
                "kind": kind,
                "actor": actor,
                "data": json.dumps(data, sort_keys=True),
            }
        )

    def events_since(self, rev: int, limit: int = 500) -> list[dict[str, Any]]:
        rows = self.db.query(
            "select * from events where rev > ? order by rev limit ?", [rev, limit]
        )
        return [{**row, "data": json.loads(row["data"])} for row in rows]

    def meta_get(self, key: str) -> str | None:
        rows = list(self.db.query("select value from meta where key = ?", [key]))
        return rows[0]["value"] if rows else None

    def meta_set(self, key: str, value: str) -> None:
        with self.write():
            self.db.table("meta").upsert({"key": key, "value": value}, pk="key")

    def close(self) -> None:
        with self.lock:
            self._conn.close()
