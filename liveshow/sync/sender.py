"""Drain the outbox into the catalogue: media first, then batches, exactly once.

One :class:`Sender` per process (the running server's background task, ``liveshow sync``);
two may drain the same data directory at once. Each takes rows under a lease so they rarely
send the same thing, and when they do, the catalogue's origin keys make it harmless.

A round: take up to ``BATCH`` ready rows; build their items from the show's tables as they
are now (a row whose thing was rejected or deleted since is dropped, with why); upload every
media object the items name (resumable from the catalogue's ``Upload-Offset``); post the
contributions with an ``Idempotency-Key`` derived from the body (the same rows give the same
body, so a retry after a lost answer gets the first answer back); record the catalogue ids;
then the night's screenings as one performance. No answer → the rows stay pending and the
error propagates, for the caller's backoff. A ``4xx`` on a batch of several → each row is
tried on its own, so one bad row fails alone and the rest go.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..store import outbox
from ..store.database import Store
from ..store.outbox import OutboxKind, OutboxStatus
from . import items
from .client import Catalogue, Refused, Unreachable
from .items import Built, NotSendable

BATCH = 200
LEASE = 120.0  # seconds a sender holds the rows it took


@dataclass
class Tally:
    """What a drain did, for the progress bar, the dashboard and the benchmark."""

    sent: int = 0  # outbox rows the catalogue answered for
    failed: int = 0
    dropped: int = 0
    requests: int = 0  # batch posts
    bytes_uploaded: int = 0
    errors: list[str] = field(default_factory=list)


class Sender:
    def __init__(
        self,
        store: Store,
        media_root: Path,
        catalogue: Catalogue,
        chunk: int = 4 << 20,
        delay: float = 0.0,
        clock: Callable[[], float] = time.time,
        progress: Callable[[int], None] | None = None,
    ) -> None:
        self.store, self.media_root, self.catalogue = store, media_root, catalogue
        self.chunk, self.delay, self.clock = chunk, delay, clock
        self.progress = progress  # told the number of rows each time some are settled
        # host:pid:random, so a sender that was killed (its lease still held) can be told
        # from one that is working: see _reap
        self.owner = f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"

    # ---- the public round -------------------------------------------------------------------
    def ready(self) -> int:
        """Rows this sender would take now."""
        now = self.clock()
        where, args = self._ready_where(now)
        sql = f"select count(*) from outbox where {where}"
        return int(self.store.db.execute(sql, args).fetchone()[0])

    def _ready_where(self, now: float) -> tuple[str, list[Any]]:
        """Pending, quiet for ``delay`` seconds, and held by no other sender."""
        return (
            "status = 'pending' and updated_at <= ? and (lease_until is null or lease_until < ?)",
            [now - self.delay, now],
        )

    def drain(self, tally: Tally | None = None) -> Tally:
        """Send everything ready; raises :class:`Unreachable` when the catalogue stops
        answering (what was sent stays sent)."""
        tally = tally or Tally()
        for _ in range(100_000):  # bounded: every round settles or leases its rows
            rows = self._take(only_kinds=(OutboxKind.SUBMISSION, OutboxKind.TAKE))
            if not rows:
                break
            try:
                self._send_contributions(rows, tally)
            finally:
                self._release()
        withdrawals = self._take(only_kinds=(OutboxKind.WITHDRAWAL,), limit=5000)
        try:
            self._send_withdrawals(withdrawals, tally)
        finally:
            self._release()
        screenings = self._take(only_kinds=(OutboxKind.SCREENING,), limit=5000)
        try:
            self._send_screenings(screenings, tally)
        finally:
            self._release()
        return tally

    # ---- leases -----------------------------------------------------------------------------
    def _take(
        self,
        only_kinds: tuple[OutboxKind, ...],
        limit: int = BATCH,
    ) -> list[dict[str, Any]]:
        now = self.clock()
        ready, args = self._ready_where(now)
        where = [ready, f"kind in ({','.join('?' * len(only_kinds))})"]
        args.extend(kind.value for kind in only_kinds)
        with self.store.write() as db:
            self._reap(db, now)
            db.execute(
                "update outbox set lease_owner = ?, lease_until = ? where id in (select id from "
                f"outbox where {' and '.join(where)} order by id limit ?)",
                [self.owner, now + LEASE, *args, limit],
            )
            return list(
                db.query(
                    "select * from outbox where lease_owner = ? and status = 'pending' order by id",
                    [self.owner],
                )
            )

    def _reap(self, db: Any, now: float) -> None:
        """Free the leases of senders on this machine whose process is gone (a SIGKILLed
        `liveshow sync`), so the next one need not wait for the lease to run out."""
        host = socket.gethostname()
        for row in list(
            db.query(
                "select distinct lease_owner from outbox where lease_until >= ? "
                "and lease_owner is not null",
                [now],
            )
        ):
            owner = str(row["lease_owner"])
            parts = owner.split(":")
            if len(parts) != 3 or parts[0] != host or not parts[1].isdigit():
                continue
            if not _alive(int(parts[1])):
                db.execute(
                    "update outbox set lease_owner = null, lease_until = null "
                    "where lease_owner = ?",
                    [owner],
                )

    def _release(self) -> None:
        with self.store.write() as db:
            db.execute(
                "update outbox set lease_owner = null, lease_until = null where lease_owner = ?",
                [self.owner],
            )

    def _settle(
        self,
        kind: OutboxKind,
        ref: str,
        status: OutboxStatus,
        error: str | None = None,
        ids: list[int] | None = None,
        tally: Tally | None = None,
    ) -> None:
        now = self.clock()
        with self.store.write() as db:
            if status is OutboxStatus.SENT:
                db.execute(
                    "update outbox set status = 'sent', sent_at = ?, last_error = null, "
                    "catalogue_ids = ?, attempts = attempts + 1 where kind = ? and ref = ?",
                    [now, json.dumps(ids or []), kind.value, ref],
                )
            else:
                db.execute(
                    "update outbox set status = ?, last_error = ?, attempts = attempts + 1 "
                    "where kind = ? and ref = ? and status = 'pending'",
                    [status.value, error, kind.value, ref],
                )
        if tally is not None:
            if status is OutboxStatus.SENT:
                tally.sent += 1
            elif status is OutboxStatus.FAILED:
                tally.failed += 1
                tally.errors.append(f"{kind.value} {ref}: {error}")
            else:
                tally.dropped += 1
        if self.progress is not None:
            self.progress(1)

    def _note_attempt(self, rows: list[dict[str, Any]], error: str) -> None:
        with self.store.write() as db:
            db.conn.executemany(
                "update outbox set attempts = attempts + 1, last_error = ? where id = ?",
                [(error, row["id"]) for row in rows],
            )

    # ---- contributions ----------------------------------------------------------------------
    def _night(self) -> items.Night:
        with self.store.write() as db:
            return items.night(db, outbox.performance_id(db, self.clock()))

    def _build(self, night: items.Night, kind: OutboxKind, ref: str) -> Built:
        db = self.store.db
        if kind is OutboxKind.SUBMISSION:
            return items.submission(db, self.media_root, night, ref)
        if kind is OutboxKind.TAKE:
            return items.take(db, self.media_root, night, ref)
        raise NotSendable(f"unknown outbox kind {kind.value!r}")

    def _send_contributions(self, rows: list[dict[str, Any]], tally: Tally) -> None:
        night = self._night()
        groups: list[tuple[list[tuple[OutboxKind, str]], Built]] = []
        queued: set[tuple[OutboxKind, str]] = set()
        for row in rows:
            key = (OutboxKind(row["kind"]), row["ref"])
            if key in queued:
                continue
            try:
                built = self._build(night, *key)
            except NotSendable as exc:
                self._settle(*key, OutboxStatus.DROPPED, str(exc), tally=tally)
                continue
            members = [key]
            try:
                for need in built.needs:  # a take's backgrounds go with it if still unsent
                    if need in queued or self._sent(need):
                        continue
                    extra = self._build(night, *need)
                    members.append(need)
                    built.items[:0] = extra.items
                    built.media.update(extra.media)
            except NotSendable as exc:  # kept for the crew to see, not dropped
                why = f"its background {need[1]} cannot be sent: {exc}"
                self._settle(*key, OutboxStatus.FAILED, why, tally=tally)
                continue
            queued.update(members)
            groups.append((members, built))
        if groups:
            self._post(night, groups, tally)

    def _status(self, kind: OutboxKind, ref: str) -> str | None:
        """The outbox status of ``ref``, or None when it was never queued."""
        row = items.one(
            self.store.db, "select status from outbox where kind = ? and ref = ?", [kind.value, ref]
        )
        return None if row is None else str(row["status"])

    def _sent(self, key: tuple[OutboxKind, str]) -> bool:
        return self._status(*key) == OutboxStatus.SENT.value

    def _post(
        self,
        night: items.Night,
        groups: list[tuple[list[tuple[OutboxKind, str]], Built]],
        tally: Tally,
    ) -> None:
        batch = [item for _, built in groups for item in built.items]
        try:
            for sha, path in {s: p for _, b in groups for s, p in b.media.items()}.items():
                tally.bytes_uploaded += self.catalogue.upload(sha, path, self.chunk)
            answer = self._post_batch("contributions", batch, tally)
        except Unreachable as exc:
            self._note_attempt(self._rows_of(groups), str(exc))
            raise
        except Refused as exc:
            if exc.status in (401, 403):  # the token, not the rows: nothing is failed
                self._note_attempt(self._rows_of(groups), str(exc))
                raise
            if len(groups) == 1:
                for key in groups[0][0]:
                    self._settle(*key, OutboxStatus.FAILED, str(exc), tally=tally)
                return
            for group in groups:  # find the one that is refused; send the rest
                self._post(night, [group], tally)
            return
        ids: dict[tuple[str, str], list[int]] = {}
        for record in answer.get("records", []):
            o = record["origin"]
            source = ("take", o["take"]) if o.get("take") else ("submission", o["submission"])
            ids.setdefault(source, []).append(int(record["id"]))
        for members, _ in groups:
            for kind, ref in members:
                self._settle(
                    kind, ref, OutboxStatus.SENT, ids=ids.get((kind.value, ref), []), tally=tally
                )

    def _rows_of(self, groups: list[tuple[list[tuple[OutboxKind, str]], Built]]) -> list[Any]:
        """The outbox rows (their ids) of every member of ``groups``."""
        keys = [key for members, _ in groups for key in members]
        found = [
            items.one(
                self.store.db, "select id from outbox where kind = ? and ref = ?", [k.value, r]
            )
            for k, r in keys
        ]
        return [row for row in found if row]

    def _post_batch(self, route: str, batch: list[dict[str, Any]], tally: Tally) -> dict[str, Any]:
        body = json.dumps({"items": batch}, sort_keys=True, allow_nan=False).encode()
        key = "liveshow-" + hashlib.sha256(route.encode() + b"\n" + body).hexdigest()[:48]
        tally.requests += 1
        return self.catalogue.post_batch(route, batch, key)

    # ---- withdrawals ----------------------------------------------------------------------
    def _send_withdrawals(self, rows: list[dict[str, Any]], tally: Tally) -> None:
        """Ask the catalogue to hide work its author took back after it was sent. One whose
        submission is still being sent waits for it; one whose submission never left the
        venue has nothing to withdraw."""
        if not rows:
            return
        night = self._night()
        ready: list[tuple[str, dict[str, Any]]] = []
        for row in rows:
            sent = self._status(OutboxKind.SUBMISSION, row["ref"])
            if sent is None or sent in ("dropped", "failed"):
                self._settle(
                    OutboxKind.WITHDRAWAL,
                    row["ref"],
                    OutboxStatus.DROPPED,
                    "it never left the venue",
                    tally=tally,
                )
                continue
            if sent != "sent":
                continue  # still being sent: the withdrawal follows it
            try:
                ready.append((row["ref"], items.withdrawal(self.store.db, night, row["ref"])))
            except NotSendable as exc:
                self._settle(
                    OutboxKind.WITHDRAWAL, row["ref"], OutboxStatus.DROPPED, str(exc), tally=tally
                )
        if ready:
            batch = [item for _, item in ready]
            self._post_all_or_none("withdrawals", batch, OutboxKind.WITHDRAWAL, rows, ready, tally)

    def _post_all_or_none(
        self,
        route: str,
        batch: list[dict[str, Any]],
        kind: OutboxKind,
        rows: list[dict[str, Any]],
        ready: list[tuple[str, Any]],
        tally: Tally,
    ) -> bool:
        """Post one batch whose rows are settled together; whether it was stored. No answer
        (or a refused token) leaves the rows pending and propagates; a refusal fails them."""
        try:
            self._post_batch(route, batch, tally)
        except Unreachable as exc:
            self._note_attempt(rows, str(exc))
            raise
        except Refused as exc:
            if exc.status in (401, 403):
                self._note_attempt(rows, str(exc))
                raise
            for ref, _ in ready:
                self._settle(kind, ref, OutboxStatus.FAILED, str(exc), tally=tally)
            return False
        for ref, _ in ready:
            self._settle(kind, ref, OutboxStatus.SENT, tally=tally)
        return True

    # ---- screenings -------------------------------------------------------------------------
    def _send_screenings(self, rows: list[dict[str, Any]], tally: Tally) -> None:
        night = self._night()
        ready: list[tuple[str, dict[str, Any]]] = []
        for row in rows:
            try:
                screening, take_id = items.screening(self.store.db, night, row["ref"])
            except NotSendable as exc:
                self._settle(
                    OutboxKind.SCREENING, row["ref"], OutboxStatus.DROPPED, str(exc), tally=tally
                )
                continue
            if take_id is not None:
                status = self._status(OutboxKind.TAKE, take_id)
                if status is None or status in ("dropped", "failed"):
                    why = "its take was not sent" if status else "its take is not in the outbox"
                    self._settle(
                        OutboxKind.SCREENING, row["ref"], OutboxStatus.DROPPED, why, tally=tally
                    )
                    continue
                if status != "sent":
                    continue  # the take goes first; this screening waits for it
            ready.append((row["ref"], screening))
        announced = self.store.meta_get("performance_sent") == night.performance
        if not ready and (announced or not self._anything_sent()):
            return  # the performance itself goes once, with the first work of the night
        batch = [items.performance(night, [s for _, s in ready])]
        stored = self._post_all_or_none(
            "performances", batch, OutboxKind.SCREENING, rows, ready, tally
        )
        if stored and not announced:
            self.store.meta_set("performance_sent", night.performance)

    def _anything_sent(self) -> bool:
        sql = "select 1 from outbox where status = 'sent'"
        return items.one(self.store.db, sql, []) is not None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def retry_failed(store: Store, now: float) -> int:
    """The crew's Retry: failed rows go back to pending (their thing is rebuilt when sent)."""
    with store.write() as db:
        cursor = db.execute(
            "update outbox set status = 'pending', updated_at = min(updated_at, ?), "
            "lease_owner = null, lease_until = null where status = 'failed'",
            [now],
        )
        return int(cursor.rowcount)
