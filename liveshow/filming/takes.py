"""Takes: what the stage cameras recorded, with provenance (the audience work that was on
screen behind the performer, and when) and credits (camera operator, performer)."""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections.abc import Callable
from typing import Any

from ..audience.devices import AudienceError, clean_text
from ..events import Actor, EventKind, Recorder, TakesChanged
from ..media.library import MediaLibrary
from ..show.cues import Cue
from ..show.finite import finite_in
from ..store import outbox
from ..store.database import Store
from ..store.outbox import OutboxKind


class TakeError(Exception):
    """A refusal of a take or a take credit; ``status`` is the HTTP status to use."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


TAKE_ID = re.compile(r"^[A-Za-z0-9_-]{8,64}\Z")
NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}\Z")
MAX_DURATION = 24 * 3600.0  # seconds: no take (or background) is longer than a day


class Takes:
    def __init__(
        self, store: Store, media: MediaLibrary, clock: Callable[[], float], record: Recorder
    ) -> None:
        self.store = store
        self.media = media
        self.clock = clock
        self.record = record
        self.pinned: dict[str, str] = {}  # replay cue id -> the take it screens

    def register(self, data: Any) -> tuple[int, dict[str, Any]]:
        """Record a take whose files were uploaded. Idempotent by take id: (status, take)."""
        if not isinstance(data, dict):
            raise TakeError("a take is a JSON object")
        take_id, camera = data.get("id"), data.get("camera")
        if not isinstance(take_id, str) or not TAKE_ID.match(take_id):
            raise TakeError("'id' must be 8-64 letters, digits, - or _")
        if not isinstance(camera, str) or not NAME.match(camera):
            raise TakeError("'camera' must be a camera name")
        files = {key: data.get(key) for key in ("raw", "composite", "thumb")}
        if files["raw"] is None:
            raise TakeError("a take needs its 'raw' plate")
        for key, sha in files.items():
            if sha is not None and (not isinstance(sha, str) or self.media.info(sha) is None):
                raise TakeError(f"'{key}' must name an uploaded file (upload it first)", 409)
        started_at = _seconds(data.get("started_at"), "started_at")
        ended_at = _seconds(data.get("ended_at"), "ended_at")
        parents = self._parents(data.get("backgrounds", []))
        body = hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()
        existing = self.get(take_id)
        if existing is not None:
            if existing["body_sha256"] != body:
                raise TakeError("this take id was already used for a different take", 409)
            return 200, existing
        raw_info = self.media.info(files["raw"])
        duration = _seconds(data.get("duration"), "duration", MAX_DURATION)
        if duration is None:
            duration = raw_info["duration"] if raw_info else None
        row = {
            "id": take_id,
            "camera": camera,
            "raw_sha256": files["raw"],
            "composite_sha256": files["composite"],
            "thumb_sha256": files["thumb"],
            "duration": duration,
            "started_at": started_at,
            "ended_at": ended_at,
            "operator": None,
            "performer": None,
            "body_sha256": body,
            "complete": int(data.get("complete", True) is not False),
            "created_at": self.clock(),
        }
        db = self.store.db

        def insert() -> None:
            row["seq"] = db.execute("select coalesce(max(seq), 0) + 1 from takes").fetchone()[0]
            db.table("takes").insert(row)
            outbox.enqueue(db, OutboxKind.TAKE, take_id, row["created_at"])
            if parents:
                db.table("take_parents").insert_all(
                    [{"take": take_id, **p} for p in parents], pk=("take", "submission", "start_s")
                )

        self.record(
            TakesChanged(EventKind.TAKE, {"take": take_id, "camera": camera}, Actor.CAMERA.value),
            change=insert,
        )
        return 201, self.get(take_id) or row

    def _parents(self, raw: Any) -> list[dict[str, Any]]:
        if not isinstance(raw, list) or len(raw) > 500:
            raise TakeError("'backgrounds' must be a list of {submission, start, end}")
        out: list[dict[str, Any]] = []
        for item in raw:
            if not isinstance(item, dict) or not isinstance(item.get("submission"), str):
                raise TakeError("each background needs 'submission', 'start', 'end'")
            start = _seconds(item.get("start"), "start", MAX_DURATION)
            end = _seconds(item.get("end"), "end", MAX_DURATION)
            if start is None or end is None or end < start:
                raise TakeError("a background's 'start' and 'end' are seconds, end >= start")
            rows = list(
                self.store.db.query("select id from submissions where id = ?", [item["submission"]])
            )
            if not rows:
                raise TakeError(f"no submission {item['submission']!r} (background)")
            parent = {"submission": item["submission"], "start_s": start, "end_s": end}
            if any(p["submission"] == parent["submission"] and p["start_s"] == start for p in out):
                raise TakeError(f"background {item['submission']!r} at {start:g} s is listed twice")
            out.append(parent)
        return out

    def log_replay(self, cue: Cue) -> None:
        """Credit a screened take in the play log: its performer, camera operator and the
        audience members whose work was behind it (inside the engine's transaction)."""
        take = self.get(cue.take) if cue.take else self.latest(cue.camera)
        if take is None:
            return
        self.pinned[cue.id] = take["id"]
        credits = [c.to_dict() for c in cue.credits]
        for role, label in (("performer", "performer"), ("operator", "camera")):
            if take[role]:
                credits.append({"name": take[role], "role": label})
        for parent in self.parents(take["id"]):
            credits.append({"name": parent["handle"], "role": f"background ({parent['kind']})"})
        self.store.db.execute(
            "update play_log set credits = ?, media_sha256 = ? where id = "
            "(select max(id) from play_log where cue_id = ?)",
            [json.dumps(credits), take["composite_sha256"] or take["raw_sha256"], cue.id],
        )

    def credit(
        self, take_id: Any, operator: Any, performer: Any, actor: str = Actor.CREW.value
    ) -> dict[str, Any]:
        take = self.get(take_id)
        if take is None:
            raise TakeError(f"no take with id {take_id!r}", 404)
        changes: dict[str, str | None] = {}
        for key, value in (("operator", operator), ("performer", performer)):
            if value == "":
                changes[key] = None  # cleared
            elif value is not None:
                try:
                    changes[key] = clean_text(value, key, 80, multiline=False)
                except AudienceError as exc:
                    raise TakeError(str(exc), exc.status) from None

        def apply() -> None:
            self.store.db.table("takes").update(take["id"], changes)
            # a credit typed before the take was sent goes with it
            outbox.enqueue(self.store.db, OutboxKind.TAKE, take["id"], self.clock())

        # logged: displays screening this take show the new credits at once
        self.record(TakesChanged(EventKind.TAKE_CREDIT, {"take": take["id"]}, actor), change=apply)
        return self.get(take["id"]) or take

    def get(self, take_id: Any) -> dict[str, Any] | None:
        if not isinstance(take_id, str):
            return None
        rows = list(self.store.db.query("select * from takes where id = ?", [take_id]))
        return rows[0] if rows else None

    def latest(self, camera: str | None = None) -> dict[str, Any] | None:
        sql = "select * from takes" + (" where camera = ?" if camera else "")
        rows = list(
            self.store.db.query(sql + " order by seq desc limit 1", [camera] if camera else [])
        )
        return rows[0] if rows else None

    def listing(self, limit: int = 50) -> list[dict[str, Any]]:
        return [
            self.public(r)
            for r in self.store.db.query("select * from takes order by seq desc limit ?", [limit])
        ]

    def parents(self, take_id: str) -> list[dict[str, Any]]:
        return list(
            self.store.db.query(
                "select p.submission, p.start_s, p.end_s, s.handle, s.kind from take_parents p "
                "join submissions s on s.id = p.submission where p.take = ? order by p.start_s",
                [take_id],
            )
        )

    def public(self, take: dict[str, Any]) -> dict[str, Any]:
        """A take as displays and the crew see it: the composite if keyed, else the plate."""
        shown = take["composite_sha256"] or take["raw_sha256"]
        return {
            "id": take["id"],
            "camera": take["camera"],
            "duration": _finite(take["duration"]),
            "media": self.media.public(shown),
            "raw": self.media.public(take["raw_sha256"]),
            "thumb": f"/media/{take['thumb_sha256']}" if take["thumb_sha256"] else None,
            "operator": take["operator"],
            "performer": take["performer"],
            "parents": self.parents(take["id"]),
            "created_at": take["created_at"],
        }


def _seconds(value: Any, what: str, most: float = float("inf")) -> float | None:
    """An optional number of seconds from a camera agent: None when absent; refused when it
    is not a finite number from 0 to ``most`` (a NaN or an Infinity would be stored and then
    sent to every screen, whose JSON parser cannot read it)."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TakeError(f"'{what}' must be a number of seconds")
    if not finite_in(value, 0, most):
        raise TakeError(f"'{what}' must be a finite number of seconds, 0 to {most:g}")
    return float(value)


def _finite(value: Any) -> float | None:
    """A stored number as it may be sent: a non-finite one (from an older version, or
    written by another tool) goes out as null."""
    return float(value) if finite_in(value, -math.inf, math.inf) else None
