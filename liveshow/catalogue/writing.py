"""Applying a parsed batch inside one write transaction, and mapping show-side ids.

A record made at a show is known by its origin key (performance, submission or take, part),
which is unique in ``records.origin_key``. That key is how the two sides' ids meet:

- an item whose origin is already in the catalogue is not stored again; its existing id is
  answered (``"created": false``), so a batch re-sent under a new key doubles nothing;
- a parent (or a screening) may name a catalogue id (``{"record": 12}``) or an origin
  (``{"origin": {…}}``); an origin resolves to an item of this batch or of any earlier one.

Any failure raises :class:`Refused` before COMMIT, so a refused batch changes nothing.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from .batches import Contribution, Origin, Performance, RecordRef
from .storage import MediaStore
from .validation import BadInput

CHUNK = 500  # ids per IN (…) query: well under SQLite's bound-variable limit


class Refused(BadInput):
    """Well-formed input naming something that does not exist or cannot be (HTTP 422)."""


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _chunks(values: Sequence[Any]) -> Iterable[Sequence[Any]]:
    for i in range(0, len(values), CHUNK):
        yield values[i : i + CHUNK]


def ids_by_origin(conn: sqlite3.Connection, keys: Sequence[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for part in _chunks(list(set(keys))):
        marks = ",".join("?" * len(part))
        sql = f"SELECT origin_key, id FROM records WHERE origin_key IN ({marks})"
        found.update({row[0]: row[1] for row in conn.execute(sql, part)})
    return found


def existing_ids(conn: sqlite3.Connection, ids: Iterable[int]) -> set[int]:
    found: set[int] = set()
    for part in _chunks(sorted(set(ids))):
        marks = ",".join("?" * len(part))
        found.update(
            r[0] for r in conn.execute(f"SELECT id FROM records WHERE id IN ({marks})", part)
        )
    return found


def resolve_refs(
    conn: sqlite3.Connection, refs: Sequence[tuple[str, RecordRef]], known: dict[str, int]
) -> list[int]:
    """Catalogue ids for `refs` (each with where it was written); unknown ones refuse all."""
    missing_keys = [r.origin.key for _, r in refs if r.origin and r.origin.key not in known]
    known = {**known, **ids_by_origin(conn, missing_keys)}
    present = existing_ids(conn, [r.record for _, r in refs if r.record is not None])
    out: list[int] = []
    for where, ref in refs:
        if ref.record is not None:
            if ref.record not in present:
                raise Refused(f"{where}.record: there is no record {ref.record}")
            out.append(ref.record)
        elif ref.origin is not None:
            if ref.origin.key not in known:
                raise Refused(f"{where}.origin: no record has that origin (send it first)")
            out.append(known[ref.origin.key])
    return out


def _collaboration_ids(
    conn: sqlite3.Connection, items: Sequence[tuple[int, Contribution]], now: str
) -> dict[str, int]:
    ids: dict[str, int] = {}
    for i, item in items:
        ref = item.collaboration
        if ref.slug in ids:
            continue
        row = conn.execute("SELECT id FROM collaborations WHERE slug = ?", (ref.slug,)).fetchone()
        if row is None and not ref.title:
            raise Refused(
                f"items[{i}].collaboration: there is no collaboration {ref.slug!r} "
                "(send an object with a title to create it)"
            )
        if row is None:
            cur = conn.execute(
                "INSERT INTO collaborations (slug, title, description, created_at)"
                " VALUES (?, ?, ?, ?)",
                (ref.slug, ref.title, ref.description, now),
            )
            ids[ref.slug] = int(cur.lastrowid or 0)
        else:
            ids[ref.slug] = row[0]
    return ids


def _artist_ids(
    conn: sqlite3.Connection, items: Sequence[tuple[int, Contribution]], now: str
) -> dict[str, int]:
    names = {c.handle: c.name for _, item in items for c in item.credits}
    conn.executemany(
        "INSERT INTO artists (handle, name, created_at) VALUES (?, ?, ?) "
        "ON CONFLICT (handle) DO NOTHING",
        [(h, n, now) for h, n in names.items()],
    )
    ids: dict[str, int] = {}
    for part in _chunks(list(names)):
        marks = ",".join("?" * len(part))
        ids.update(
            {
                r[0]: r[1]
                for r in conn.execute(
                    f"SELECT handle, id FROM artists WHERE handle IN ({marks})", part
                )
            }
        )
    # work of a pseudonym whose claim was already made is credited to the claimant
    for handle, artist_id in list(ids.items()):
        row = conn.execute(
            "SELECT claimed_by FROM claims WHERE artist_id = ? AND claimed_by IS NOT NULL",
            (artist_id,),
        ).fetchone()
        if row:
            ids[handle] = row[0]
    return ids


def _check_media_and_consent(store: MediaStore, items: Sequence[tuple[int, Contribution]]) -> None:
    for i, item in items:
        if item.media is not None and not store.has(item.media.sha256):
            raise Refused(
                f"items[{i}].media.sha256: media {item.media.sha256} is not uploaded "
                "completely (PATCH /api/v1/media/<sha256> first)"
            )
        credited = {c.handle for c in item.credits}
        for j, consent in enumerate(item.consent):
            if consent.handle not in credited:
                raise Refused(
                    f"items[{i}].consent[{j}].artist: {consent.handle!r} is not "
                    "among the item's contributors"
                )


def _insert_media(
    conn: sqlite3.Connection, store: MediaStore, items: Sequence[tuple[int, Contribution]]
) -> None:
    rows = {
        item.media.sha256: (
            item.media.sha256,
            item.media.mime,
            store.size(item.media.sha256) or 0,
            item.media.duration,
        )
        for _, item in items
        if item.media is not None
    }
    conn.executemany(
        "INSERT INTO media (sha256, mime, bytes, duration) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (sha256) DO NOTHING",
        list(rows.values()),
    )


def _insert_records(
    conn: sqlite3.Connection,
    items: Sequence[tuple[int, Contribution]],
    collaborations: dict[str, int],
    now: str,
) -> dict[int, int]:
    """Insert the fresh items; answer batch index -> new record id."""
    ids: dict[int, int] = {}
    for i, item in items:
        o = item.origin or Origin("")
        cur = conn.execute(
            "INSERT INTO records (collaboration_id, title, kind, text, media_sha256, created_at,"
            " origin_key, origin_performance, origin_show, origin_cue, origin_prompt,"
            " origin_submission, origin_take, origin_part, origin_camera, origin_made_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                collaborations[item.collaboration.slug],
                item.title,
                item.kind.value,
                item.text or None,
                item.media.sha256 if item.media else None,
                now,
                item.origin.key if item.origin else None,
                o.performance or None,
                o.show or None,
                o.cue or None,
                o.prompt or None,
                o.submission or None,
                o.take or None,
                o.part or None,
                o.camera or None,
                o.made_at or None,
            ),
        )
        ids[i] = int(cur.lastrowid or 0)
    return ids


def _check_acyclic(edges: dict[int, list[int]]) -> None:
    """New records only point at new or old ones; only new-to-new edges can make a cycle."""
    state: dict[int, int] = {}  # 1 = on the path, 2 = done
    for start in edges:
        stack: list[tuple[int, int]] = [(start, 0)]
        while stack:
            node, idx = stack.pop()
            if idx == 0:
                if state.get(node) == 2:
                    continue
                state[node] = 1
            children = edges.get(node, [])
            if idx < len(children):
                stack.append((node, idx + 1))
                nxt = children[idx]
                if state.get(nxt) == 1:
                    raise Refused("the batch's parents make a cycle (a record made from itself)")
                if state.get(nxt) != 2 and nxt in edges:
                    stack.append((nxt, 0))
            else:
                state[node] = 2


def _insert_links(
    conn: sqlite3.Connection,
    items: Sequence[tuple[int, Contribution]],
    new_ids: dict[int, int],
    artists: dict[str, int],
) -> None:
    refs = [
        (f"items[{i}].parents[{j}]", p.ref) for i, item in items for j, p in enumerate(item.parents)
    ]
    by_origin = {item.origin.key: new_ids[i] for i, item in items if item.origin}
    parent_ids = iter(resolve_refs(conn, refs, by_origin))
    fresh = set(new_ids.values())
    lineage: list[tuple[int, int, str, float | None, float | None]] = []
    edges: dict[int, list[int]] = {}
    for i, item in items:
        edges[new_ids[i]] = []
        for p in item.parents:
            parent = next(parent_ids)
            lineage.append((new_ids[i], parent, p.role, p.start, p.end))
            if parent in fresh:
                edges[new_ids[i]].append(parent)
    _check_acyclic(edges)
    conn.executemany(
        'INSERT INTO lineage (child_id, parent_id, role, start, "end") VALUES (?, ?, ?, ?, ?)',
        lineage,
    )
    conn.executemany(
        "INSERT OR IGNORE INTO credits (record_id, artist_id, role) VALUES (?, ?, ?)",
        [(new_ids[i], artists[c.handle], c.role) for i, item in items for c in item.credits],
    )
    conn.executemany(
        "INSERT OR REPLACE INTO consents (record_id, artist_id, terms_version,"
        " accepted_at, terms_sha256, purposes) VALUES (?, ?, ?, ?, ?, ?)",
        [
            (
                new_ids[i],
                artists[c.handle],
                c.terms_version,
                c.accepted_at,
                c.terms_sha256 or None,
                json.dumps(list(c.purposes)),
            )
            for i, item in items
            for c in item.consent
        ],
    )
    # a phone's claim: the hash of its private token, for the artist it is credited as
    conn.executemany(
        "INSERT OR IGNORE INTO claims (token_sha256, performance_id, artist_id, created_at)"
        " VALUES (?, ?, ?, ?)",
        [
            (
                c.claim_sha256,
                item.origin.performance if item.origin else "",
                artists[c.handle],
                now_iso(),
            )
            for _, item in items
            for c in item.credits
            if c.claim_sha256
        ],
    )


def apply_contributions(
    conn: sqlite3.Connection, store: MediaStore, items: Sequence[Contribution]
) -> list[dict[str, Any]]:
    """Store the items not stored before; answer ``{"origin", "id", "created"}`` for each.

    An item without an origin (made online, e.g. the demo community) is always new.
    """
    now = now_iso()
    before = ids_by_origin(conn, [item.origin.key for item in items if item.origin])
    fresh = [
        (i, item)
        for i, item in enumerate(items)
        if item.origin is None or item.origin.key not in before
    ]
    _check_media_and_consent(store, fresh)
    collaborations = _collaboration_ids(conn, fresh, now)
    artists = _artist_ids(conn, fresh, now)
    _insert_media(conn, store, fresh)
    new_ids = _insert_records(conn, fresh, collaborations, now)
    _insert_links(conn, fresh, new_ids, artists)
    out = []
    for i, item in enumerate(items):
        origin = item.origin.as_json() if item.origin else None
        known = new_ids.get(i) or before[item.origin.key if item.origin else ""]
        out.append({"origin": origin, "id": known, "created": i in new_ids})
    return out


def apply_performances(
    conn: sqlite3.Connection, items: Sequence[Performance]
) -> list[dict[str, Any]]:
    """Create or fill in each performance, and add its screenings (repeats are ignored)."""
    refs = [
        (f"items[{i}].screenings[{j}]", s.ref)
        for i, p in enumerate(items)
        for j, s in enumerate(p.screenings)
    ]
    record_ids = iter(resolve_refs(conn, refs, {}))
    out = []
    for p in items:
        conn.execute(
            "INSERT INTO performances (id, show, title, venue, started_at, ended_at)"
            " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET"
            " show = coalesce(nullif(excluded.show, ''), show),"
            " title = coalesce(nullif(excluded.title, ''), title),"
            " venue = coalesce(nullif(excluded.venue, ''), venue),"
            " started_at = coalesce(excluded.started_at, started_at),"
            " ended_at = coalesce(excluded.ended_at, ended_at)",
            (p.id, p.show, p.title, p.venue, p.started_at or None, p.ended_at or None),
        )
        rows = [(p.id, next(record_ids), s.at, s.cue) for s in p.screenings]
        conn.executemany(
            "INSERT OR IGNORE INTO screenings (performance_id, record_id, at, cue)"
            " VALUES (?, ?, ?, ?)",
            rows,
        )
        out.append({"id": p.id, "screenings": len(rows)})
    return out
