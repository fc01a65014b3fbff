"""``Idempotency-Key`` for the batch routes, as in the IETF Idempotency-Key draft.

A key is claimed in its own short transaction (state ``running``) before the batch runs, and
its answer is stored in the *same* transaction as the batch's rows, so "the batch happened"
and "the key has its answer" cannot disagree after a crash. Then:

- same key, same body, finished → the stored answer again (same status and JSON);
- same key, another body → 422; same key while the first is still running → 409;
- a batch that is refused (4xx) releases its key, so the sender may fix the cause (say,
  upload a missing parent first) and retry with the same key.

A ``running`` claim left by a server that crashed is not "still running": each server
process has a random instance id, and claims from other instances are taken over.
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
import sqlite3
from dataclasses import dataclass
from typing import Any

from .db import CatalogueDB
from .writing import now_iso

KEY_RE = re.compile(r'^"?([\x21\x23-\x7e]{1,255})"?\Z')


@dataclass(frozen=True)
class Replay:
    status: int
    body: dict[str, Any]


class KeyConflict(Exception):
    """The key cannot be used for this request now; ``status`` is 409 or 422."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def parse_key(header: str | None) -> str | None:
    """The key from the header (a structured-field string, quotes optional), or None."""
    if header is None:
        return None
    match = KEY_RE.match(header.strip())
    return match.group(1) if match else None


def body_fingerprint(body: Any) -> str:
    """Hash of the JSON *value*, so whitespace or key order does not make "another body"."""
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


class IdempotencyKeys:
    def __init__(self, db: CatalogueDB) -> None:
        self.db = db
        self.instance = secrets.token_hex(8)

    def _row(self, conn: sqlite3.Connection, route: str, key: str) -> sqlite3.Row | None:
        row: sqlite3.Row | None = conn.execute(
            "SELECT body_sha256, state, server_instance, status, response"
            " FROM idempotency_keys WHERE route = ? AND key = ?",
            (route, key),
        ).fetchone()
        return row

    def _verdict(self, row: sqlite3.Row | None, fingerprint: str) -> Replay | None:
        """The first answer, or None when the key is free (or a dead server's claim)."""
        if row is None:
            return None
        if row["body_sha256"] != fingerprint:
            raise KeyConflict(422, "this Idempotency-Key was used with another body")
        if row["state"] == "done":
            return Replay(int(row["status"]), json.loads(row["response"]))
        if row["server_instance"] == self.instance:
            raise KeyConflict(409, "a request with this Idempotency-Key is still running")
        return None

    def claim(self, route: str, key: str, fingerprint: str) -> Replay | None:
        """Claim `key` for this request, or return the first answer; raise KeyConflict."""
        # first through a reader: a batch holding the writer must not delay the 409 or the
        # replay of a repeat; then again under the writer lock, which decides
        found = self._verdict(self._row(self.db.read(), route, key), fingerprint)
        if found is not None:
            return found
        with self.db.write() as wdb:
            found = self._verdict(self._row(wdb.conn, route, key), fingerprint)
            if found is not None:
                return found
            wdb.conn.execute(
                "INSERT OR REPLACE INTO idempotency_keys (route, key, body_sha256, state,"
                " server_instance, created_at) VALUES (?, ?, ?, 'running', ?, ?)",
                (route, key, fingerprint, self.instance, now_iso()),
            )
        return None

    @staticmethod
    def finish(
        conn: sqlite3.Connection, route: str, key: str, status: int, response: dict[str, Any]
    ) -> None:
        """Store the answer; call inside the batch's own transaction."""
        conn.execute(
            "UPDATE idempotency_keys SET state = 'done', status = ?, response = ?"
            " WHERE route = ? AND key = ?",
            (status, json.dumps(response, separators=(",", ":")), route, key),
        )

    def release(self, route: str, key: str) -> None:
        with self.db.write() as wdb:
            wdb.conn.execute(
                "DELETE FROM idempotency_keys WHERE route = ? AND key = ? AND state = 'running'",
                (route, key),
            )
