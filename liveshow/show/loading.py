"""A show in the database: writing a loaded show, reading a stored one back, and the
catalogue records its cues screen.

A record cue that names a catalogue record (``record: 12``) screens the copy ``liveshow
pull`` stored in ``catalogue_records`` and the media cache: its media, its text and the
catalogue's credits are read here when the show loads or is restored, never fetched, so
the show needs no network. A record that was not pulled leaves the cue with nothing to play
(the projector shows its title, as for missing media) and pre-flight flags it."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from ..media.library import MediaLibrary
from ..store.database import Store
from .cue_groups import all_cues
from .cue_rows import cue_from_row, cue_to_row
from .cues import Credit, Cue, RecordType
from .showfile import Show

# The catalogue's record kinds, as the projector plays them.
KIND_TYPES: dict[str, RecordType] = {
    "text": RecordType.TEXT,
    "picture": RecordType.IMAGE,
    "drawing": RecordType.IMAGE,
    "sound": RecordType.AUDIO,
    "video": RecordType.VIDEO,
    "take": RecordType.VIDEO,
}


@dataclass(frozen=True)
class PulledRecord:
    """A catalogue record pulled into this show: everything it needs to screen offline."""

    id: int
    type: RecordType
    title: str
    text: str | None
    media_sha256: str | None
    credits: tuple[Credit, ...]


@dataclass
class StoredShow:
    show: Show
    media_of: dict[str, str]
    source_path: str | None
    played: set[str]
    state: dict[str, Any] | None  # the show_state row


def pulled_records(
    store: Store, media: MediaLibrary, ids: Iterable[int]
) -> dict[int, PulledRecord]:
    """The records among ``ids`` that can screen: stored by a pull and, unless they are
    text, with their media in the cache."""
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    marks = ", ".join("?" for _ in wanted)
    found: dict[int, PulledRecord] = {}
    for row in store.db.query(f"select * from catalogue_records where id in ({marks})", wanted):
        kind = KIND_TYPES.get(row["kind"])
        sha = row["media_sha256"]
        if kind is None:
            continue
        if kind is not RecordType.TEXT and (
            not sha or media.path_for(sha) is None or media.info(sha) is None
        ):
            continue
        credits = tuple(
            Credit(name=c.get("name") or c.get("artist") or "", role=c.get("role") or "")
            for c in json.loads(row["credits"] or "[]")
        )
        found[row["id"]] = PulledRecord(
            id=row["id"],
            type=kind,
            title=row["title"] or "",
            text=row["text"] if kind is RecordType.TEXT else None,
            media_sha256=sha if kind is not RecordType.TEXT else None,
            credits=credits,
        )
    return found


def resolve(
    cues: list[Cue], store: Store, media: MediaLibrary
) -> tuple[dict[str, str], dict[str, PulledRecord]]:
    """For the cues naming a catalogue record: (cue id → media sha256, cue id → record)."""
    named = {c.id: c.catalogue_record for c in cues if c.catalogue_record is not None}
    records = pulled_records(store, media, (n for n in named.values() if n is not None))
    pulled = {cue: records[n] for cue, n in named.items() if n in records}
    media_of = {cue: r.media_sha256 for cue, r in pulled.items() if r.media_sha256}
    return media_of, pulled


def screened(cue: Cue, pulled: PulledRecord | None) -> Cue:
    """The cue as it screens. A catalogue record cue takes the pulled record's type, text and
    title (when the cue has none) and the catalogue's credits (when the cue gives none)."""
    if cue.catalogue_record is None:
        return cue
    if pulled is None:
        return replace(cue, title=cue.title or f"Record {cue.catalogue_record} (not pulled)")
    return replace(
        cue,
        type=cue.type or pulled.type,
        text=pulled.text,
        title=cue.title or pulled.title,
        credits=list(cue.credits) or list(pulled.credits),
    )


def ingest_media(show: Show, media: MediaLibrary) -> dict[str, str]:
    """Copy the show file's media into the cache: cue id → sha256."""
    return {
        c.id: media.ingest(show.base_dir / c.media)["sha256"]
        for c in all_cues(show.cues)
        if c.media
    }


def write_show(
    store: Store, show: Show, source_path: str | None, source_sha: str | None, now: float
) -> None:
    """The ``show`` row (inside the caller's transaction), and what played of the show before
    ends now; the cues go with :func:`write_cues`."""
    store.db.execute("update play_log set ended_at = ? where ended_at is null", [now])
    store.db.table("show").upsert(
        {
            "id": 1,
            "title": show.title,
            "displays": json.dumps(show.displays),
            "min_go_interval": show.min_go_interval,
            "source_path": source_path,
            "source_sha256": source_sha,
            "base_dir": str(show.base_dir),
            "loaded_at": now,
        },
        pk="id",
    )


def write_cues(store: Store, cues: list[Cue], media_of: dict[str, str]) -> None:
    """The cue list, in order; a group's cues follow it, their ``group_id`` naming it."""
    rows: list[dict[str, Any]] = []
    for cue in cues:
        for c in all_cues([cue]):
            row = cue_to_row(c, len(rows), media_of.get(c.id))
            rows.append({**row, "group_id": cue.id if c is not cue else None})
    with store.write() as db:
        db.execute("delete from cues")
        db.table("cues").insert_all(rows, pk="id")


def stored_source(store: Store) -> tuple[str | None, str | None]:
    rows = list(store.db.query("select source_path, source_sha256 from show"))
    return (rows[0]["source_path"], rows[0]["source_sha256"]) if rows else (None, None)


def read_show(store: Store) -> StoredShow | None:
    """The stored show, its cached media, what already played and the playhead row."""
    rows = list(store.db.query("select * from show where id = 1"))
    if not rows:
        return None
    meta = rows[0]
    cues: list[Cue] = []
    for r in store.db.query("select * from cues order by position"):
        if r.get("group_id") and cues and cues[-1].id == r["group_id"]:
            cues[-1].children.append(cue_from_row(r))
        else:
            cues.append(cue_from_row(r))
    show = Show(
        title=meta["title"],
        cues=cues,
        displays=json.loads(meta["displays"]),
        min_go_interval=meta["min_go_interval"],
        base_dir=Path(meta["base_dir"]),
    )
    media_of = {
        r["id"]: r["media_sha256"]
        for r in store.db.query("select id, media_sha256 from cues")
        if r["media_sha256"]
    }
    played = {r["cue_id"] for r in store.db.query("select cue_id from play_log")}
    state = list(store.db.query("select * from show_state where id = 1"))
    return StoredShow(show, media_of, meta["source_path"], played, state[0] if state else None)
