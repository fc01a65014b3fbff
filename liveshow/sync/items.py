"""Outbox rows as catalogue items (docs/catalogue.md, "Writes"), built from the show's tables
as they are now, when the sender takes them.

Who is credited as whom: an audience member is credited under the handle they typed, as an
artist the catalogue knows by a pseudonymous handle scoped to tonight's performance
(``aud-<12 hex>``), so two people called "Sam" on two nights are never merged and nobody is
attached to a real account they did not claim. Names the crew typed (a take's performer and
camera operator) become handles as written, made safe (``Jonas Lind`` → ``Jonas-Lind``); the
crew can type a catalogue handle to credit that artist. A camera snapshot is credited to its
camera.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlite_utils

from ..audience.terms import TERMS_PURPOSES, TERMS_TEXT, TERMS_VERSION
from ..show.cues import PromptKind, SubmissionStatus
from ..store.outbox import OutboxKind

SENDABLE = (SubmissionStatus.APPROVED.value, SubmissionStatus.FEATURED.value)
WITHDRAWN_REASON = "withdrawn by its author"
KIND_OF = {  # a submission's prompt kind -> the catalogue's kind, and the contributor's role
    PromptKind.TEXT.value: ("text", "writer", "Tiny story"),
    PromptKind.PHOTO.value: ("picture", "photographer", "Photo"),
    PromptKind.DRAWING.value: ("drawing", "illustrator", "Drawing"),
    PromptKind.AUDIO.value: ("sound", "voice", "Sound"),
}
HANDLE_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]+")


class NotSendable(Exception):
    """This row is not to be sent (any more): the message says why, for the dashboard."""


@dataclass
class Night:
    """What every item of tonight shares."""

    performance: str
    show: str  # the show's slug
    title: str  # the show's title
    started_at: float | None

    @property
    def collaboration(self) -> dict[str, str]:
        day = iso(self.started_at)[:10] if self.started_at else ""
        return {
            "slug": self.performance[:80].rstrip("-"),
            "title": f"{self.title}, {day}".strip(", ")[:200],
            "description": f"Made live at {self.title}" + (f" on {day}" if day else "") + ".",
        }


@dataclass
class Built:
    """Items for one outbox row, and the media they need uploaded first."""

    items: list[dict[str, Any]]
    media: dict[str, Path] = field(default_factory=dict)  # sha256 -> file
    needs: list[tuple[OutboxKind, str]] = field(default_factory=list)  # rows to send with it


def iso(at: float | None) -> str:
    if at is None:
        return ""
    return datetime.fromtimestamp(at, UTC).isoformat(timespec="seconds")


def audience_handle(performance: str, device: str) -> str:
    return "aud-" + hashlib.sha256(f"{performance}\n{device}".encode()).hexdigest()[:12]


def crew_handle(name: str, fallback: str) -> str:
    made = HANDLE_UNSAFE.sub("-", name.strip()).strip("-._")[:64]
    return made or fallback


def one(db: sqlite_utils.Database, sql: str, args: list[Any]) -> dict[str, Any] | None:
    rows = list(db.query(sql, args))
    return rows[0] if rows else None


def origin(night: Night, **ids: str | None) -> dict[str, str]:
    return {"performance": night.performance, "show": night.show} | {
        k: v for k, v in ids.items() if v
    }


def submission_origin(night: Night, sub_id: str) -> dict[str, str]:
    """The origin by which a submission is named as a parent (its identity is enough)."""
    return {"performance": night.performance, "submission": sub_id}


def submission(db: sqlite_utils.Database, media_root: Path, night: Night, ref: str) -> Built:
    row = one(db, "select * from submissions where id = ?", [ref])
    if row is None:
        raise NotSendable("the submission no longer exists")
    if row["status"] not in SENDABLE:
        raise NotSendable(f"it is {row['status']}: only approved or featured work leaves")
    if row["kind"] not in KIND_OF:
        raise NotSendable(f"a {row['kind']} is not sent")
    kind, role, label = KIND_OF[row["kind"]]
    camera = row["device"].startswith("camera:")
    name = (row["handle"] or "").strip() or "audience"
    if camera:
        handle, role = crew_handle(row["device"].split(":", 1)[1], "camera"), "camera"
        handle = f"camera-{handle}"
    else:
        handle = audience_handle(night.performance, row["device"])
    item: dict[str, Any] = {
        "origin": origin(
            night,
            cue=row["prompt"],
            prompt=row["prompt"],
            submission=row["id"],
            camera=row["device"].split(":", 1)[1] if camera else None,
            made_at=iso(row["created_at"]),
        ),
        "collaboration": night.collaboration,
        "kind": kind,
        "title": f"{label} by {name}"[:200],
        "contributors": [{"handle": handle, "name": name[:100], "role": role}],
    }
    if not camera:
        device = one(db, "select claim_sha256 from devices where id = ?", [row["device"]])
        if device and device["claim_sha256"]:
            item["contributors"][0]["claim"] = device["claim_sha256"]
    if row["terms_version"] and row["consented_at"] is not None and not camera:
        consent: dict[str, Any] = {
            "artist": handle,
            "terms_version": row["terms_version"],
            "accepted_at": iso(row["consented_at"]),
            "purposes": list(TERMS_PURPOSES),
        }
        if row["terms_version"] == TERMS_VERSION:  # the text we hold is the one they read
            consent["terms_sha256"] = hashlib.sha256(TERMS_TEXT.encode()).hexdigest()
        item["consent"] = [consent]
    built = Built([item])
    if kind == "text":
        item["text"] = row["text"] or ""
    else:
        sha = row["media_sha256"]
        path = media_root / sha if sha else None
        if path is None or not path.is_file():
            raise NotSendable("its media file is missing from the data directory")
        item["media"] = {"sha256": sha, "mime": row["mime"] or "application/octet-stream"}
        if row["duration"] is not None:
            item["media"]["duration"] = round(float(row["duration"]), 3)
        built.media[sha] = path
    return built


def take(db: sqlite_utils.Database, media_root: Path, night: Night, ref: str) -> Built:
    """A take: its raw plate, and its composite made from the plate and the audience work
    keyed behind the performer (each with its time range)."""
    row = one(db, "select * from takes where id = ?", [ref])
    if row is None:
        raise NotSendable("the take no longer exists")
    contributors = []
    for column, role in (("performer", "performer"), ("operator", "camera")):
        if row[column]:
            contributors.append(
                {"handle": crew_handle(row[column], role), "name": row[column][:100], "role": role}
            )
    if not contributors:
        camera = crew_handle(row["camera"], "camera")
        contributors.append(
            {"handle": f"camera-{camera}", "name": f"Camera {row['camera']}", "role": "camera"}
        )
    built = Built([])
    backgrounds: list[dict[str, Any]] = []
    for parent in db.query(
        "select p.submission, p.start_s, p.end_s, s.status from take_parents p "
        "join submissions s on s.id = p.submission where p.take = ? order by p.start_s",
        [ref],
    ):
        if parent["status"] not in SENDABLE:
            continue  # unapproved work never leaves the venue, even as a parent
        backgrounds.append(
            {
                "origin": submission_origin(night, parent["submission"]),
                "role": "background",
                "start": round(parent["start_s"], 3),
                "end": round(parent["end_s"], 3),
            }
        )
        built.needs.append((OutboxKind.SUBMISSION, parent["submission"]))
    parts = [("plate", row["raw_sha256"])]
    if row["composite_sha256"]:
        parts.append(("composite", row["composite_sha256"]))
    for part, sha in parts:
        path = media_root / sha if sha else None
        if path is None or not path.is_file():
            raise NotSendable(f"its {part} file is missing from the data directory")
        media = one(db, "select mime, duration from media where sha256 = ?", [sha]) or {}
        keyed = part == "composite"
        item: dict[str, Any] = {
            "origin": origin(
                night,
                take=row["id"],
                part=part,
                camera=row["camera"],
                made_at=iso(row["started_at"] or row["created_at"]),
            ),
            "collaboration": night.collaboration,
            "kind": "take" if keyed or len(parts) == 1 else "video",
            "title": f"Take {row['seq']} ({row['camera']})" + (", keyed" if keyed else ""),
            "contributors": contributors,
            "media": {"sha256": sha, "mime": media.get("mime") or "video/mp4"},
        }
        duration = row["duration"] if row["duration"] is not None else media.get("duration")
        if duration is not None:
            item["media"]["duration"] = round(float(duration), 3)
        if keyed:
            plate = {"origin": take_origin(night, row["id"], "plate"), "role": "plate"}
            item["parents"] = [plate, *backgrounds]
        elif len(parts) == 1 and backgrounds:
            item["parents"] = backgrounds
        built.items.append(item)
        built.media[sha] = path
    return built


def take_origin(night: Night, take_id: str, part: str) -> dict[str, str]:
    return {"performance": night.performance, "take": take_id, "part": part}


def screening(
    db: sqlite_utils.Database, night: Night, ref: str
) -> tuple[dict[str, Any], str | None]:
    """A play-log row as a screening, and the take it needs sent first (if any)."""
    played = one(db, "select * from play_log where id = ?", [int(ref)])
    if played is None:
        raise NotSendable("the play-log row no longer exists")
    cue = one(db, "select catalogue_record from cues where id = ?", [played["cue_id"]])
    at = iso(played["started_at"])
    if played["kind"] == "record":
        record = cue and cue["catalogue_record"]
        if not record:
            raise NotSendable("the cue no longer screens a catalogue record")
        return {"record": int(record), "at": at, "cue": played["cue_id"]}, None
    sha = played["media_sha256"]
    shown = sha and one(
        db,
        "select id, composite_sha256 from takes where raw_sha256 = ? or composite_sha256 = ?",
        [sha, sha],
    )
    if not shown:
        raise NotSendable("no take was screened")
    part = "composite" if shown["composite_sha256"] == sha else "plate"
    ref_origin = take_origin(night, shown["id"], part)
    return {"origin": ref_origin, "at": at, "cue": played["cue_id"]}, shown["id"]


def performance(night: Night, screenings: list[dict[str, Any]]) -> dict[str, Any]:
    item: dict[str, Any] = {"id": night.performance, "show": night.show, "title": night.title[:200]}
    if night.started_at is not None:
        item["started_at"] = iso(night.started_at)
    item["screenings"] = screenings
    return item


def night(db: sqlite_utils.Database, performance_id: str) -> Night:
    show = one(db, "select title from show where id = 1", [])
    title = (show or {}).get("title") or "liveshow"
    first = one(db, "select min(started_at) as at from play_log", [])
    slug = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:60] or "show"
    return Night(performance_id, slug, title, first["at"] if first else None)


def withdrawal(db: sqlite_utils.Database, night: Night, ref: str) -> dict[str, Any]:
    """A submission its author took back after it was sent."""
    row = one(db, "select status, moderated_at from submissions where id = ?", [ref])
    if row is None:
        raise NotSendable("the submission no longer exists")
    if row["status"] != SubmissionStatus.WITHDRAWN.value:
        raise NotSendable(f"it is {row['status']}, not withdrawn")
    return {
        "origin": submission_origin(night, ref),
        "at": iso(row["moderated_at"]),
        "reason": WITHDRAWN_REASON,
    }
