"""Reading the catalogue: records as the API shows them, lineage, lists with paging.

Every list is fetched in a fixed number of queries however many records it holds (one per
table, ``WHERE record_id IN (…)``), and lineage is one recursive CTE per direction over the
``lineage_child`` / ``lineage_parent`` indexes, so a record with its whole lineage stays fast
in a community of a million records (benchmarks/catalogue_scale.py).
"""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from .batches import ORIGIN_ORDER
from .writing import CHUNK

WITHDRAWN = "(withdrawn by its contributor)"
MAX_LINEAGE = 5_000  # records per direction; a record used in more is shown truncated


RECORD_SQL = """
SELECT r.*, c.slug AS collaboration, m.mime, m.bytes, m.duration
FROM records r JOIN collaborations c ON c.id = r.collaboration_id
LEFT JOIN media m ON m.sha256 = r.media_sha256
WHERE r.id IN ({marks})
"""


@dataclass(frozen=True)
class Filters:
    collaboration: str = ""
    artist: str = ""
    kind: str = ""
    performance: str = ""
    screened_in: str = ""


def _in(conn: sqlite3.Connection, sql: str, ids: Sequence[int]) -> list[sqlite3.Row]:
    rows: list[sqlite3.Row] = []
    for i in range(0, len(ids), CHUNK):
        part = ids[i : i + CHUNK]
        rows.extend(conn.execute(sql.format(marks=",".join("?" * len(part))), part))
    return rows


def _grouped(rows: Sequence[sqlite3.Row], key: str) -> dict[int, list[sqlite3.Row]]:
    out: dict[int, list[sqlite3.Row]] = defaultdict(list)
    for row in rows:
        out[row[key]].append(row)
    return out


def _base(row: sqlite3.Row) -> dict[str, Any]:
    media = None
    if row["media_sha256"]:
        media = {
            "sha256": row["media_sha256"],
            "mime": row["mime"],
            "bytes": row["bytes"],
            "duration": row["duration"],
        }
    origin = {c: row[f"origin_{c}"] for c in ORIGIN_ORDER if row[f"origin_{c}"]}
    return {
        "id": row["id"],
        "collaboration": row["collaboration"],
        "title": row["title"],
        "kind": row["kind"],
        "text": row["text"],
        "media": media,
        "origin": origin or None,
        "created_at": row["created_at"],
        "withdrawn_at": row["withdrawn_at"],
    }


def records_by_id(conn: sqlite3.Connection, ids: Sequence[int]) -> list[dict[str, Any]]:
    """Full records, in the order of `ids` (unknown ids are left out)."""
    ids = list(dict.fromkeys(ids))
    base = {row["id"]: _base(row) for row in _in(conn, RECORD_SQL, ids)}
    found = [i for i in ids if i in base]
    credits = _grouped(
        _in(
            conn,
            "SELECT cr.record_id, a.handle, a.name, cr.role FROM credits cr"
            " JOIN artists a ON a.id = cr.artist_id WHERE cr.record_id IN"
            " ({marks}) ORDER BY cr.rowid",
            found,
        ),
        "record_id",
    )
    consent = _grouped(
        _in(
            conn,
            "SELECT co.record_id, a.handle, co.terms_version,"
            " co.accepted_at FROM consents co JOIN artists a ON"
            " a.id = co.artist_id WHERE co.record_id IN ({marks})",
            found,
        ),
        "record_id",
    )
    parents = _grouped(
        _in(
            conn,
            'SELECT child_id, parent_id, role, start, "end", withdrawn_at FROM lineage'
            " WHERE child_id IN ({marks}) ORDER BY id",
            found,
        ),
        "child_id",
    )
    children = _grouped(
        _in(
            conn,
            "SELECT parent_id, child_id FROM lineage"
            " WHERE parent_id IN ({marks}) AND withdrawn_at IS NULL ORDER BY child_id",
            found,
        ),
        "parent_id",
    )
    screenings = _grouped(
        _in(
            conn,
            "SELECT record_id, performance_id, at FROM screenings"
            " WHERE record_id IN ({marks}) ORDER BY at",
            found,
        ),
        "record_id",
    )
    out = []
    for i in found:
        rec = base[i]
        rec["credits"] = [
            {"artist": r["handle"], "name": r["name"], "role": r["role"]} for r in credits[i]
        ]
        rec["consent"] = [
            {
                "artist": r["handle"],
                "terms_version": r["terms_version"],
                "accepted_at": r["accepted_at"],
            }
            for r in consent[i]
        ]
        rec["parents"] = [
            {"record": r["parent_id"], "role": r["role"], "start": r["start"], "end": r["end"]}
            | ({"withdrawn": True} if r["withdrawn_at"] else {})
            for r in parents[i]
        ]
        rec["children"] = list(dict.fromkeys(r["child_id"] for r in children[i]))
        rec["screenings"] = [
            {"performance": r["performance_id"], "at": r["at"]} for r in screenings[i]
        ]
        out.append(rec)
    return out


def record(conn: sqlite3.Connection, record_id: int) -> dict[str, Any] | None:
    found = records_by_id(conn, [record_id])
    return found[0] if found else None


LINEAGE_SQL = """
WITH RECURSIVE walk(id) AS (
    SELECT ?
    UNION
    SELECT l.{far} FROM lineage l JOIN walk ON l.{near} = walk.id
    LIMIT {limit}
)
SELECT l.child_id, l.parent_id, l.role, l.start, l."end", l.withdrawn_at
FROM walk JOIN lineage l ON l.{near} = walk.id
ORDER BY l.id
"""


def lineage(conn: sqlite3.Connection, record_id: int) -> dict[str, Any]:
    """The whole ancestry ("made from") and descent ("used in") of a record, as edges."""
    out: dict[str, Any] = {}
    nodes: set[int] = {record_id}
    for name, near, far in (
        ("made_from", "child_id", "parent_id"),
        ("used_in", "parent_id", "child_id"),
    ):
        sql = LINEAGE_SQL.format(near=near, far=far, limit=MAX_LINEAGE + 1)
        edges = [
            {"child": r[0], "parent": r[1], "role": r[2], "start": r[3], "end": r[4]}
            | ({"withdrawn": True} if r[5] else {})
            for r in conn.execute(sql, (record_id,))
        ]
        out[name] = edges
        nodes.update(e["child"] for e in edges)
        nodes.update(e["parent"] for e in edges)
    out["truncated"] = len(nodes) > 2 * MAX_LINEAGE
    rows = _in(
        conn,
        "SELECT r.id, r.title, r.kind, c.slug, r.withdrawn_at FROM records r JOIN"
        " collaborations c ON c.id = r.collaboration_id WHERE r.id IN ({marks})",
        sorted(nodes),
    )
    out["records"] = [
        {"id": r[0], "title": r[1], "kind": r[2], "collaboration": r[3]}
        if not r[4]
        else {
            "id": r[0],
            "title": WITHDRAWN,
            "kind": r[2],
            "collaboration": r[3],
            "withdrawn": True,
        }
        for r in rows
    ]
    return out


def record_ids(conn: sqlite3.Connection, filters: Filters, limit: int, after: int) -> list[int]:
    """Ids matching every filter given, ascending from `after` (keyset paging)."""
    where: list[str] = ["r.id > ?", "r.withdrawn_at IS NULL"]
    args: list[Any] = [after]
    joins: list[str] = []
    if filters.collaboration:
        joins.append("JOIN collaborations c ON c.id = r.collaboration_id")
        where.append("c.slug = ?")
        args.append(filters.collaboration)
    if filters.artist:
        where.append(
            "r.id IN (SELECT cr.record_id FROM credits cr JOIN artists a"
            " ON a.id = cr.artist_id WHERE a.handle = ?)"
        )
        args.append(filters.artist)
    for column, value in (("r.kind", filters.kind), ("r.origin_performance", filters.performance)):
        if value:
            where.append(f"{column} = ?")
            args.append(value)
    if filters.screened_in:
        where.append("r.id IN (SELECT record_id FROM screenings WHERE performance_id = ?)")
        args.append(filters.screened_in)
    sql = (
        f"SELECT r.id FROM records r {' '.join(joins)} WHERE {' AND '.join(where)}"
        " ORDER BY r.id LIMIT ?"
    )
    return [row[0] for row in conn.execute(sql, [*args, limit])]


def collaborations(conn: sqlite3.Connection) -> list[dict[str, Any]]:
    rows = conn.execute(
        "SELECT c.slug, c.title, c.description, (SELECT count(*) FROM records r"
        " WHERE r.collaboration_id = c.id AND r.withdrawn_at IS NULL) AS records"
        " FROM collaborations c"
        " ORDER BY c.title, c.slug"
    )
    return [dict(row) for row in rows]


def collaboration(conn: sqlite3.Connection, slug: str) -> dict[str, Any] | None:
    row = conn.execute(
        "SELECT slug, title, description, created_at FROM collaborations WHERE slug = ?", (slug,)
    ).fetchone()
    return dict(row) if row else None


def artist(conn: sqlite3.Connection, handle: str) -> dict[str, Any] | None:
    row = conn.execute(
        "SELECT handle, name, created_at FROM artists WHERE handle = ?", (handle,)
    ).fetchone()
    return dict(row) if row else None


def media_mime(conn: sqlite3.Connection, sha256: str) -> str | None:
    row = conn.execute("SELECT mime FROM media WHERE sha256 = ?", (sha256,)).fetchone()
    return str(row[0]) if row else None


def withdrawn_media(conn: sqlite3.Connection, sha256: str) -> bool:
    """Whether every record with this media was withdrawn (then it is not served)."""
    row = conn.execute(
        "SELECT count(*), sum(withdrawn_at IS NULL) FROM records WHERE media_sha256 = ?",
        (sha256,),
    ).fetchone()
    return bool(row[0]) and not row[1]
