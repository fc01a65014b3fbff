"""Credit that people can claim and take back (docs/catalogue.md, "Claims and withdrawals").

**Claims.** A show credits each phone under a pseudonymous handle and sends, with its work,
the SHA-256 of a private claim token that only that phone holds. Whoever opens the claim link
(``/claim/<token>``) attaches that night's work to an artist account of their choosing: a new
handle (the answer carries the account's key, once), or an existing one whose key they give.
The credits and consents move to that artist; the claim records who claimed it and when; a
second use is refused. Work the show sends later for the same pseudonym is credited to the
claimant too. The catalogue never stores a claim token or an artist key, only their hashes.

**Withdrawals.** A show sends ``POST /api/v1/withdrawals`` when a contributor takes back work
that was already sent. The records it names are hidden (reads answer ``410``, lists leave them
out, their media is no longer served unless another record uses it), their lineage edges are
kept and marked withdrawn, their consent is marked withdrawn, and payouts never pay them again.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import sqlite3
from dataclasses import dataclass
from typing import Any

from . import validation as v
from .batches import Origin, parse_batch, parse_origin
from .validation import BadInput
from .writing import Refused, now_iso

TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{20,128}\Z")
MAX_REASON = 200


class ClaimError(Exception):
    """A claim that cannot be made; ``status`` is the HTTP answer."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _claim_row(conn: sqlite3.Connection, token: str) -> sqlite3.Row:
    if not TOKEN_RE.match(token):
        raise ClaimError(404, "this claim link is not known here")
    row = conn.execute(
        "SELECT c.*, a.handle AS pseudonym, a.name AS pseudonym_name FROM claims c"
        " JOIN artists a ON a.id = c.artist_id WHERE c.token_sha256 = ?",
        (digest(token),),
    ).fetchone()
    if row is None:
        raise ClaimError(404, "this claim link is not known here")
    return row  # type: ignore[no-any-return]


def _claimed_records(conn: sqlite3.Connection, artist_id: int, performance: str) -> list[int]:
    return [
        r[0]
        for r in conn.execute(
            "SELECT DISTINCT r.id FROM records r JOIN credits cr ON cr.record_id = r.id"
            " WHERE cr.artist_id = ? AND r.origin_performance = ? AND r.withdrawn_at IS NULL"
            " ORDER BY r.id",
            (artist_id, performance),
        )
    ]


def claim_info(conn: sqlite3.Connection, token: str) -> dict[str, Any]:
    """What a claim link would attach (or did): the night, the records, whether it is used."""
    row = _claim_row(conn, token)
    owner = row["claimed_by"] or row["artist_id"]
    claimant = None
    if row["claimed_by"]:
        claimant = conn.execute(
            "SELECT handle FROM artists WHERE id = ?", (row["claimed_by"],)
        ).fetchone()[0]
    return {
        "performance": row["performance_id"],
        "name": row["pseudonym_name"],
        "records": _claimed_records(conn, owner, row["performance_id"]),
        "claimed": row["claimed_at"] is not None,
        "claimed_at": row["claimed_at"],
        "artist": claimant,
    }


@dataclass(frozen=True)
class ClaimRequest:
    handle: str
    name: str
    key: str


def parse_claim(body: Any) -> ClaimRequest:
    d = v.obj(body, "the body")
    v.only_keys(d, {"handle", "name", "key"}, "the body")
    handle = v.handle(d.get("handle"), "handle")
    if handle.startswith("aud-"):
        raise BadInput("handle: choose a handle of your own (aud- handles are the shows')")
    key = d.get("key", "")
    if not isinstance(key, str) or len(key) > 128:
        raise BadInput("key must be the artist key you were given (text)")
    return ClaimRequest(handle, v.text(d.get("name"), "name", 100) or handle, key)


def claim(conn: sqlite3.Connection, token: str, request: ClaimRequest) -> dict[str, Any]:
    """Attach the night's work of a claim to an artist account (call inside a write
    transaction). Raises :class:`ClaimError`; on success nothing else can claim it again."""
    row = _claim_row(conn, token)
    if row["claimed_at"] is not None:
        raise ClaimError(409, f"this claim link was already used, on {row['claimed_at']}")
    pseudonym = row["artist_id"]
    now = now_iso()
    existing = conn.execute(
        "SELECT id, key_sha256 FROM artists WHERE handle = ?", (request.handle,)
    ).fetchone()
    new_key = None
    if existing is not None:
        stored = existing["key_sha256"]
        if not stored or not request.key or not hmac.compare_digest(stored, digest(request.key)):
            raise ClaimError(
                403,
                f"the handle {request.handle!r} is taken: give its artist key to add this "
                "work to it, or choose another handle",
            )
        artist_id = int(existing["id"])
    else:
        new_key = secrets.token_urlsafe(24)
        cur = conn.execute(
            "INSERT INTO artists (handle, name, created_at, key_sha256) VALUES (?, ?, ?, ?)",
            (request.handle, request.name, now, digest(new_key)),
        )
        artist_id = int(cur.lastrowid or 0)
    for table, columns in (
        ("credits", "record_id, ?, role"),
        (
            "consents",
            "record_id, ?, terms_version, accepted_at, terms_sha256, purposes, withdrawn_at",
        ),
    ):
        names = columns.replace("?", "artist_id")
        conn.execute(
            f"INSERT OR IGNORE INTO {table} ({names}) SELECT {columns} FROM {table}"
            " WHERE artist_id = ?",
            (artist_id, pseudonym),
        )
        conn.execute(f"DELETE FROM {table} WHERE artist_id = ?", (pseudonym,))
    conn.execute(
        "UPDATE claims SET claimed_at = ?, claimed_by = ? WHERE artist_id = ?",
        (now, artist_id, pseudonym),
    )
    return {
        "artist": request.handle,
        "records": _claimed_records(conn, artist_id, row["performance_id"]),
        "claimed_at": now,
        "key": new_key,  # shown once: the catalogue keeps only its hash
    }


@dataclass(frozen=True)
class Withdrawal:
    origin: Origin
    at: str
    reason: str


def parse_withdrawals(body: Any, max_items: int) -> list[Withdrawal]:
    out = []
    for i, raw in enumerate(parse_batch(body, max_items)):
        where = f"items[{i}]"
        d = v.obj(raw, where)
        v.only_keys(d, {"origin", "at", "reason"}, where)
        origin = parse_origin(d.get("origin"), f"{where}.origin")
        out.append(
            Withdrawal(
                origin,
                v.timestamp(d.get("at"), f"{where}.at", True),
                v.text(d.get("reason"), f"{where}.reason", MAX_REASON),
            )
        )
    return out


def apply_withdrawals(conn: sqlite3.Connection, items: list[Withdrawal]) -> list[dict[str, Any]]:
    """Hide every record of each origin (all parts of a take); refuse the whole batch (422)
    when one names nothing stored here. Withdrawing twice changes nothing the second time."""
    found: list[tuple[Withdrawal, list[int]]] = []
    for i, item in enumerate(items):
        o = item.origin
        column, ident = ("origin_take", o.take) if o.take else ("origin_submission", o.submission)
        sql = f"SELECT id FROM records WHERE origin_performance = ? AND {column} = ?"
        args: list[Any] = [o.performance, ident]
        if o.part:
            sql += " AND origin_part = ?"
            args.append(o.part)
        ids = [r[0] for r in conn.execute(sql + " ORDER BY id", args)]
        if not ids:
            raise Refused(f"items[{i}].origin: no record from it is stored here")
        found.append((item, ids))
    out = []
    for item, ids in found:
        marks = ",".join("?" * len(ids))
        conn.execute(
            f"UPDATE records SET withdrawn_at = ? WHERE id IN ({marks}) AND withdrawn_at IS NULL",
            [item.at, *ids],
        )
        conn.executemany(
            "INSERT OR IGNORE INTO withdrawals (record_id, at, reason) VALUES (?, ?, ?)",
            [(record_id, item.at, item.reason) for record_id in ids],
        )
        conn.execute(
            f"UPDATE lineage SET withdrawn_at = ? WHERE (child_id IN ({marks}) OR parent_id IN"
            f" ({marks})) AND withdrawn_at IS NULL",
            [item.at, *ids, *ids],
        )
        conn.execute(
            f"UPDATE consents SET withdrawn_at = ? WHERE record_id IN ({marks})"
            " AND withdrawn_at IS NULL",
            [item.at, *ids],
        )
        out.append({"origin": item.origin.as_json(), "ids": ids})
    return out
