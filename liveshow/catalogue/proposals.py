"""Payment proposals kept in the catalogue: draft -> open -> final -> paid (issue 9).

A proposal freezes what it was computed from (the lineage, credits and withdrawals, as JSON
with its SHA-256) and never changes what it says: the database's triggers refuse it. Only
its state moves, each step once and in order; a change is a new version (``revise``), and
opening a new version marks the one it replaces ``superseded``. An open proposal takes
comments for at least :data:`MIN_COMMENT_DAYS` days before it can be made final.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Sequence
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from .payouts import Credit, Edge, Lineage, Node, Payout, PayoutError, compute, merge_weights

MIN_COMMENT_DAYS = 14
MAX_LINEAGE = 5_000
MAX_COMMENTS = 1_000  # per proposal: the page stays a page
CHUNK = 500


class State(StrEnum):
    DRAFT = "draft"
    OPEN = "open"
    FINAL = "final"
    PAID = "paid"
    SUPERSEDED = "superseded"


class NotFound(PayoutError):
    """No such proposal or record (HTTP 404)."""


class Conflict(PayoutError):
    """Not in a state that allows this (HTTP 409)."""


def _iso(t: datetime) -> str:
    return t.isoformat(timespec="seconds")


def _in(conn: sqlite3.Connection, sql: str, ids: Sequence[int]) -> list[sqlite3.Row]:
    rows: list[sqlite3.Row] = []
    for i in range(0, len(ids), CHUNK):
        part = list(ids[i : i + CHUNK])
        rows.extend(conn.execute(sql.format(marks=",".join("?" * len(part))), part))
    return rows


ANCESTORS_SQL = """
WITH RECURSIVE walk(id) AS (
    SELECT ? UNION SELECT l.parent_id FROM lineage l JOIN walk ON l.child_id = walk.id
    LIMIT ?
)
SELECT id FROM walk
"""


def load_lineage(conn: sqlite3.Connection, record_id: int) -> Lineage:
    """The record and every ancestor, withdrawn ones included (marked), as it is now."""
    ids = sorted(r[0] for r in conn.execute(ANCESTORS_SQL, (record_id, MAX_LINEAGE + 1)))
    if len(ids) > MAX_LINEAGE:
        raise PayoutError(f"the lineage of record {record_id} is over {MAX_LINEAGE} records")
    nodes = tuple(
        Node(r[0], r[1], r[2], r[3], r[4] is not None)
        for r in _in(
            conn,
            "SELECT id, title, kind, created_at, withdrawn_at FROM records WHERE id IN ({marks})",
            ids,
        )
    )
    if not any(n.id == record_id for n in nodes):
        raise NotFound(f"there is no record {record_id}")
    credits = tuple(
        Credit(r[0], r[1], r[2], r[3])
        for r in _in(
            conn,
            "SELECT cr.record_id, a.id, a.handle, cr.role FROM credits cr"
            " JOIN artists a ON a.id = cr.artist_id WHERE cr.record_id IN ({marks})",
            ids,
        )
    )
    edges = tuple(
        Edge(r[0], r[1], r[2], r[3] is not None)
        for r in _in(
            conn,
            "SELECT child_id, parent_id, role, withdrawn_at FROM lineage"
            " WHERE child_id IN ({marks})",
            ids,
        )
    )
    return Lineage(record_id, nodes, credits, edges)


def carried_in(conn: sqlite3.Connection, artist_ids: Sequence[int]) -> dict[int, int]:
    """Cents carried forward to each artist by paid proposals, not yet paid out."""
    rows = _in(
        conn,
        "SELECT artist_id, sum(cents) FROM payout_carries WHERE settled_by IS NULL"
        " AND artist_id IN ({marks}) GROUP BY artist_id",
        sorted(set(artist_ids)),
    )
    return {r[0]: r[1] for r in rows}


def preview(
    conn: sqlite3.Connection, record_id: int, amount_cents: int, weights: Any = None
) -> tuple[Lineage, Payout]:
    """The proposal as it would be made now (nothing is stored)."""
    lineage = load_lineage(conn, record_id)
    handles = {c.artist_id: c.artist for c in lineage.credits}
    carries = carried_in(conn, list(handles))
    by_handle = {handles[a]: cents for a, cents in carries.items()}
    return lineage, compute(lineage, amount_cents, merge_weights(weights), by_handle)


def _insert(
    conn: sqlite3.Connection,
    lineage: Lineage,
    payout: Payout,
    now: datetime,
    version: int = 1,
    supersedes: int | None = None,
) -> int:
    snapshot = json.dumps(lineage.to_json(), sort_keys=True, separators=(",", ":"))
    cur = conn.execute(
        "INSERT INTO payout_proposals (record_id, version, supersedes, state, amount_cents,"
        " company_cents, contributors_cents, weights, snapshot, snapshot_sha256, created_at)"
        " VALUES (?, ?, ?, 'draft', ?, ?, ?, ?, ?, ?, ?)",
        (
            payout.record,
            version,
            supersedes,
            payout.amount_cents,
            payout.company_cents,
            payout.contributors_cents,
            json.dumps(payout.weights, sort_keys=True),
            snapshot,
            hashlib.sha256(snapshot.encode()).hexdigest(),
            _iso(now),
        ),
    )
    proposal_id = int(cur.lastrowid or 0)
    conn.executemany(
        "INSERT INTO payout_lines (proposal_id, artist_id, artist, cents, weight_bp,"
        " carried_in_cents, carried, contributions, rationale) VALUES (?,?,?,?,?,?,?,?,?)",
        [
            (
                proposal_id,
                ln.artist_id,
                ln.artist,
                ln.cents,
                ln.weight_bp,
                ln.carried_in_cents,
                int(ln.carried),
                json.dumps(ln.contributions),
                ln.rationale,
            )
            for ln in payout.lines
        ],
    )
    return proposal_id


def create(
    conn: sqlite3.Connection, record_id: int, amount_cents: int, weights: Any, now: datetime
) -> int:
    """A new draft proposal (version 1) for `record_id`; its id."""
    lineage, payout = preview(conn, record_id, amount_cents, weights)
    return _insert(conn, lineage, payout, now)


def _row(conn: sqlite3.Connection, proposal_id: int) -> sqlite3.Row:
    if not 0 < proposal_id < 2**62:
        raise NotFound(f"there is no payment proposal {proposal_id}")
    row = conn.execute("SELECT * FROM payout_proposals WHERE id = ?", (proposal_id,)).fetchone()
    if row is None:
        raise NotFound(f"there is no payment proposal {proposal_id}")
    return row  # type: ignore[no-any-return]


def _require(row: sqlite3.Row, *states: State) -> None:
    if row["state"] not in states:
        allowed = " or ".join(s.value for s in states)
        raise Conflict(f"proposal {row['id']} is {row['state']}, not {allowed}")


def revise(
    conn: sqlite3.Connection,
    proposal_id: int,
    amount_cents: int | None,
    weights: Any,
    now: datetime,
) -> int:
    """A new draft version of a draft or open proposal, from the lineage as it is now."""
    old = _row(conn, proposal_id)
    _require(old, State.DRAFT, State.OPEN)
    later = conn.execute(
        "SELECT id FROM payout_proposals WHERE supersedes = ?", (proposal_id,)
    ).fetchone()
    if later:
        raise Conflict(f"proposal {proposal_id} already has a newer version: {later[0]}")
    kept = json.loads(old["weights"]) if weights is None else weights
    amount = old["amount_cents"] if amount_cents is None else amount_cents
    lineage, payout = preview(conn, old["record_id"], amount, kept)
    return _insert(conn, lineage, payout, now, old["version"] + 1, proposal_id)


def open_for_comments(
    conn: sqlite3.Connection, proposal_id: int, now: datetime, days: int = MIN_COMMENT_DAYS
) -> None:
    if days < MIN_COMMENT_DAYS:
        raise PayoutError(f"a proposal is open for comments at least {MIN_COMMENT_DAYS} days")
    row = _row(conn, proposal_id)
    _require(row, State.DRAFT)
    conn.execute(
        "UPDATE payout_proposals SET state = 'open', opened_at = ?, comments_close_at = ?"
        " WHERE id = ?",
        (_iso(now), _iso(now + timedelta(days=days)), proposal_id),
    )
    if row["supersedes"] is not None:
        conn.execute(
            "UPDATE payout_proposals SET state = 'superseded' WHERE id = ?"
            " AND state IN ('draft', 'open')",
            (row["supersedes"],),
        )


def _check_withdrawals(conn: sqlite3.Connection, row: sqlite3.Row) -> None:
    """A record withdrawn since the proposal was made is never paid: refuse to go on."""
    nodes = json.loads(row["snapshot"])["nodes"]
    live = [n["id"] for n in nodes if not n["withdrawn"]]
    gone = _in(
        conn,
        "SELECT id FROM records WHERE withdrawn_at IS NOT NULL AND id IN ({marks})",
        live,
    )
    if gone:
        ids = ", ".join(str(i) for i in sorted(r[0] for r in gone))
        raise Conflict(
            f"record(s) {ids} of proposal {row['id']}'s lineage were withdrawn since it was"
            " made, and withdrawn work is never paid: make a new version"
        )


def finalize(conn: sqlite3.Connection, proposal_id: int, now: datetime) -> None:
    row = _row(conn, proposal_id)
    _require(row, State.OPEN)
    _check_withdrawals(conn, row)
    if _iso(now) < row["comments_close_at"]:
        raise Conflict(
            f"proposal {proposal_id} is open for comments until {row['comments_close_at']}"
        )
    conn.execute(
        "UPDATE payout_proposals SET state = 'final', finalized_at = ? WHERE id = ?",
        (_iso(now), proposal_id),
    )


def mark_paid(conn: sqlite3.Connection, proposal_id: int, now: datetime) -> None:
    """Paid: lines above the threshold settle what they carried in; the others carry."""
    row = _row(conn, proposal_id)
    _require(row, State.FINAL)
    _check_withdrawals(conn, row)
    lines = conn.execute(
        "SELECT artist_id, cents, carried_in_cents, carried FROM payout_lines"
        " WHERE proposal_id = ?",
        (proposal_id,),
    ).fetchall()
    now_carried = carried_in(conn, [ln[0] for ln in lines])
    for artist_id, cents, carried_cents, carried in lines:
        if now_carried.get(artist_id, 0) != carried_cents:
            raise Conflict(
                f"the cents carried forward to artist {artist_id} changed since proposal"
                f" {proposal_id} was made: make a new version"
            )
        if carried and cents:
            conn.execute(
                "INSERT INTO payout_carries (artist_id, from_proposal, cents) VALUES (?, ?, ?)",
                (artist_id, proposal_id, cents),
            )
        elif not carried:
            conn.execute(
                "UPDATE payout_carries SET settled_by = ? WHERE artist_id = ?"
                " AND settled_by IS NULL",
                (proposal_id, artist_id),
            )
    conn.execute(
        "UPDATE payout_proposals SET state = 'paid', paid_at = ? WHERE id = ?",
        (_iso(now), proposal_id),
    )


def add_comment(
    conn: sqlite3.Connection, proposal_id: int, author: str, body: str, now: datetime
) -> int:
    row = _row(conn, proposal_id)
    if row["state"] != State.OPEN:
        raise Conflict(f"proposal {proposal_id} is {row['state']}: it takes no comments")
    count = conn.execute(
        "SELECT count(*) FROM payout_comments WHERE proposal_id = ?", (proposal_id,)
    ).fetchone()[0]
    if count >= MAX_COMMENTS:
        raise Conflict(f"proposal {proposal_id} has {MAX_COMMENTS} comments, the most it takes")
    cur = conn.execute(
        "INSERT INTO payout_comments (proposal_id, author, body, created_at) VALUES (?,?,?,?)",
        (proposal_id, author, body, _iso(now)),
    )
    return int(cur.lastrowid or 0)


def get(conn: sqlite3.Connection, proposal_id: int, snapshot: bool = False) -> dict[str, Any]:
    """A proposal as the API and the page show it: its lines, comments and versions."""
    row = _row(conn, proposal_id)
    out: dict[str, Any] = {
        k: row[k]
        for k in (
            "id",
            "version",
            "supersedes",
            "state",
            "created_at",
            "opened_at",
            "comments_close_at",
            "finalized_at",
            "paid_at",
            "snapshot_sha256",
        )
    }
    out["record"] = row["record_id"]
    for k in ("amount_cents", "company_cents", "contributors_cents"):
        out[k] = row[k]
    out["weights"] = json.loads(row["weights"])
    lines = conn.execute(
        "SELECT * FROM payout_lines WHERE proposal_id = ? ORDER BY cents DESC, artist",
        (proposal_id,),
    ).fetchall()
    out["lines"] = [
        {
            "artist": ln["artist"],
            "cents": ln["cents"],
            "weight_bp": ln["weight_bp"],
            "contributions": json.loads(ln["contributions"]),
            "rationale": ln["rationale"],
            "carried_in_cents": ln["carried_in_cents"],
            "carried": bool(ln["carried"]),
        }
        for ln in lines
    ]
    out["comments"] = [
        dict(c)
        for c in conn.execute(
            "SELECT id, author, body, created_at FROM payout_comments"
            " WHERE proposal_id = ? ORDER BY id",
            (proposal_id,),
        )
    ]
    later = conn.execute(
        "SELECT id FROM payout_proposals WHERE supersedes = ?", (proposal_id,)
    ).fetchone()
    out["superseded_by"] = later[0] if later else None
    title = conn.execute("SELECT title FROM records WHERE id = ?", (row["record_id"],))
    out["record_title"] = (title.fetchone() or [""])[0]
    if snapshot:
        out["snapshot"] = json.loads(row["snapshot"])
    return out


def listing(conn: sqlite3.Connection, record_id: int | None = None) -> list[dict[str, Any]]:
    sql = (
        "SELECT p.id, p.record_id AS record, r.title AS record_title, p.version, p.state,"
        " p.amount_cents, p.created_at, p.comments_close_at FROM payout_proposals p"
        " JOIN records r ON r.id = p.record_id"
    )
    args: tuple[Any, ...] = ()
    if record_id is not None:
        sql += " WHERE p.record_id = ?"
        args = (record_id,)
    return [dict(r) for r in conn.execute(sql + " ORDER BY p.id DESC LIMIT 500", args)]
