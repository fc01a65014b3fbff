"""The outbox: what goes back to the catalogue, written in the same transaction as the change
it reports.

A row names a show-side thing (a submission, a take, a play-log row) and whether it has been
sent. What is sent is built from the thing as it is when the sender takes it, so a submission
approved and then rejected before it was sent is sent as it ended: not at all. The sender
(``liveshow.sync``) drains the rows; these functions only write them, inside the caller's
transaction (call them from a ``Store.write()`` block or an engine ``change`` callback).
"""

from __future__ import annotations

import enum
import json
import re
import time
from typing import Any

import sqlite_utils


class OutboxKind(str, enum.Enum):
    SUBMISSION = "submission"  # approved or featured audience work (or a camera snapshot)
    TAKE = "take"  # a take: its raw plate and its composite
    SCREENING = "screening"  # a play-log row that screened a catalogue record or a take
    WITHDRAWAL = "withdrawal"  # a contributor took back a submission that was already sent


class OutboxStatus(str, enum.Enum):
    PENDING = "pending"  # waiting to be sent
    SENT = "sent"  # the catalogue answered with its record ids
    FAILED = "failed"  # the catalogue refused it (4xx): the crew sees why and may retry
    DROPPED = "dropped"  # no longer to be sent (rejected after approval, before sending)


def enqueue(db: sqlite_utils.Database, kind: OutboxKind, ref: str, now: float) -> None:
    """Queue ``ref`` to be sent, or note that it changed since it was queued. A row already
    sent stays sent (the catalogue keeps what it was given)."""
    db.execute(
        "insert into outbox (kind, ref, status, created_at, updated_at, attempts) "
        "values (?, ?, 'pending', ?, ?, 0) "
        "on conflict (kind, ref) do update set updated_at = excluded.updated_at, "
        "status = case when status = 'sent' then 'sent' else 'pending' end, "
        "last_error = case when status = 'sent' then last_error else null end",
        [kind.value, ref, now, now],
    )


def drop(db: sqlite_utils.Database, kind: OutboxKind, ref: str, now: float, why: str) -> None:
    """Take ``ref`` out of the queue if it has not been sent."""
    db.execute(
        "update outbox set status = 'dropped', last_error = ?, updated_at = ? "
        "where kind = ? and ref = ? and status != 'sent'",
        [why, now, kind.value, ref],
    )


def performance_id(db: sqlite_utils.Database, now: float | None = None) -> str:
    """The id of tonight's performance in the catalogue, made once per data directory from
    the show's title and the local time it was first needed (``harbour-nights-2026-11-01-1930``)."""
    rows = list(db.query("select value from meta where key = 'performance'"))
    if rows:
        return str(rows[0]["value"])
    titles = list(db.query("select title from show where id = 1"))
    slug = slugify(titles[0]["title"] if titles else "") or "show"
    stamp = time.strftime("%Y-%m-%d-%H%M", time.localtime(time.time() if now is None else now))
    value = f"{slug[:60].rstrip('-')}-{stamp}"  # also the night's collaboration slug (≤ 80)
    db.table("meta").upsert({"key": "performance", "value": value}, pk="key")
    return value


def slugify(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def counts(db: sqlite_utils.Database) -> dict[str, int]:
    """Rows by status (every status present, zero when none)."""
    out = {s.value: 0 for s in OutboxStatus}
    for row in db.query("select status, count(*) as n from outbox group by status"):
        out[row["status"]] = row["n"]
    return out


def catalogue_ids(row: dict[str, Any]) -> list[int]:
    return list(json.loads(row["catalogue_ids"] or "[]"))
