"""Audience submissions: idempotent intake, durable before acknowledged, and moderation.

Every submission carries a client-made id. A repeat of the same id with the same body is
answered with the first answer (HTTP 200); the same id with a different body is an error.
A submission is acknowledged only after its media file is fsync'd into place and its row
is committed. Nothing reaches a display until the crew approves it.
"""

from __future__ import annotations

import re
import secrets
import sqlite3
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from typing import Any

from ..events import (
    Actor,
    EventKind,
    Recorder,
    SnapshotAdded,
    SubmissionModerated,
)
from ..media.imaging import UploadRejected
from ..media.library import MediaLibrary
from ..show.cues import ModerationAction, PromptKind, SubmissionStatus
from ..store import outbox, writer
from ..store.database import Store
from ..store.outbox import OutboxKind
from ..workers import direct
from . import intake, profanity
from .answers import Answer, Placed, digest_of
from .devices import AudienceError, clean_text
from .listings import Listings
from .prompts import PromptClosed, Prompts

ID_PATTERN = re.compile(r"^[A-Za-z0-9_-]{8,64}\Z")
MEDIA_KINDS = (PromptKind.PHOTO, PromptKind.DRAWING, PromptKind.AUDIO)
SOCKET_KINDS = (PromptKind.TEXT, PromptKind.VOTE)
MAX_UPLOAD_BYTES = {
    PromptKind.PHOTO: 15 << 20,
    PromptKind.DRAWING: 8 << 20,
    PromptKind.AUDIO: 20 << 20,
}
Offload = Callable[..., Any]


class Submissions(Listings):
    def __init__(
        self,
        store: Store,
        media: MediaLibrary,
        prompts: Prompts,
        clock: Callable[[], float],
        record: Recorder,
        commits: writer.Writer | None = None,
        score_text: Callable[[str], float | None] = profanity.score,
    ) -> None:
        self.store = store
        self.score_text = score_text  # advice for the moderators (the flag_text setting)
        self.media = media
        self.prompts = prompts
        self.clock = clock
        self.record = record
        # new rows (answers, votes, uploads' media): commits off the event loop
        self.writer = commits or writer.Writer(store.path)

    # ---- intake -----------------------------------------------------------------------
    def _check(
        self, device: dict[str, Any], sub_id: Any, prompt: Any, kind: PromptKind
    ) -> tuple[str, Any]:
        if device["banned"]:
            raise AudienceError("this phone can no longer take part tonight", 403)
        if not isinstance(sub_id, str) or not ID_PATTERN.match(sub_id):
            raise AudienceError("the submission id is missing or malformed")
        try:
            spec = self.prompts.accepting(prompt, kind)
        except PromptClosed as exc:
            raise AudienceError(str(exc), 409) from None
        return sub_id, spec

    def _repeat(self, sub_id: str, device: dict[str, Any], body_sha: str) -> Answer | None:
        rows = list(self.store.db.query("select * from submissions where id = ?", [sub_id]))
        if not rows:
            return None
        row = rows[0]
        if row["device"] != device["id"] or row["body_sha256"] != body_sha:
            raise AudienceError(
                "this submission id was already used for a different submission", 409
            )
        return Answer(200, {"id": sub_id, "status": row["status"]}, None)

    def _insert(
        self,
        row: dict[str, Any],
        extra: writer.Change | None = None,
        offload: Offload = direct,
    ) -> Answer:
        """Store a new submission (numbered next) and ``extra`` in one commit, made by the
        writer: with ``offload``, its fsync happens off the event loop, and a room voting
        at once shares a few commits instead of holding the loop once a vote."""
        return self._commit(row, intake.rows_of(row, [], extra), offload)

    def _commit(self, row: dict[str, Any], change: writer.Change, offload: Offload) -> Answer:
        """Commit ``change`` (the row and what goes with it) through the writer, its fsync off
        the event loop with ``offload``; answered only once it is durable."""
        self.writer.start()  # from the loop's thread: the writer's thread takes its priority
        try:
            offload(self.writer.run, change)
        except sqlite3.IntegrityError:
            # The same id arrived twice at once: answer the loser like any repeat.
            repeat = self._repeat(row["id"], {"id": row["device"]}, row["body_sha256"])
            if repeat is None:
                raise
            return repeat
        stored = self.get(row["id"])
        return Answer(201, {"id": row["id"], "status": row["status"]}, stored)

    def _base(
        self,
        device: dict[str, Any],
        sub_id: str,
        prompt: str,
        kind: PromptKind,
        body_sha: str,
        status: SubmissionStatus,
    ) -> dict[str, Any]:
        return {
            "id": sub_id,
            "device": device["id"],
            "handle": device["handle"],
            "prompt": prompt,
            "kind": kind.value,
            "status": status.value,
            "body_sha256": body_sha,
            "terms_version": device["terms_version"],
            "consented_at": device["consented_at"],
            "created_at": self.clock(),
            "flagged": 0,
        }

    def submit_text(
        self,
        device: dict[str, Any],
        data: dict[str, Any],
        kind: PromptKind = PromptKind.TEXT,
        offload: Offload = direct,
    ) -> Answer:
        """A text answer, or (``kind`` question) a Q&A question: both moderated alike."""
        sub_id, spec = self._check(device, data.get("id"), data.get("prompt"), kind)
        what = "your question" if kind is PromptKind.QUESTION else "your text"
        text = clean_text(data.get("text"), what, spec.max_length)
        body_sha = digest_of(kind.value, data["prompt"], text.encode())
        repeat = self._repeat(sub_id, device, body_sha)
        if repeat is not None:
            return repeat
        score = self.score_text(text)  # ~4 ms; the model was loaded at start-up
        row = self._base(device, sub_id, data["prompt"], kind, body_sha, SubmissionStatus.PENDING)
        row.update(text=text, flag_score=score, flagged=int(profanity.flagged(score)))
        return self._insert(row, offload=offload)

    def submit_vote(
        self, device: dict[str, Any], data: dict[str, Any], offload: Offload = direct
    ) -> Answer:
        sub_id, spec = self._check(device, data.get("id"), data.get("prompt"), PromptKind.VOTE)
        option = data.get("option")
        if option not in spec.options:
            raise AudienceError("that is not one of the options")
        body_sha = digest_of("vote", data["prompt"], str(option).encode())
        repeat = self._repeat(sub_id, device, body_sha)
        if repeat is not None:
            return repeat
        row = self._base(
            device, sub_id, data["prompt"], PromptKind.VOTE, body_sha, SubmissionStatus.COUNTED
        )
        row["option"] = option

        def cast(conn: sqlite3.Connection) -> None:  # a later vote replaces the earlier one
            writer.upsert(
                conn,
                "votes",
                {
                    "prompt": data["prompt"],
                    "device": device["id"],
                    "option": option,
                    "submission": sub_id,
                    "at": self.clock(),
                },
                pk=("prompt", "device"),
            )

        return self._insert(row, cast, offload)

    def submit_upload(
        self,
        device: dict[str, Any],
        body: intake.Body,
        offload: Offload = direct,
        slots: AbstractContextManager[Any] | None = None,
    ) -> Answer:
        """A photo, drawing or recording as its request body arrived. Parsing, hashing,
        decoding and the fsync'd file writes run in worker threads (``offload``), a few
        uploads at a time (``slots``); the row is committed by the writer, in a worker
        thread too, after the slot is given back. Only checks and lookups run on the event
        loop. Raises AudienceError."""
        with slots if slots is not None else nullcontext():
            form = offload(intake.parse, body)
            if form.data is None:
                raise AudienceError("the upload has no 'file'")
            staged = self._stage_media(device, form.fields, form.data, offload, form.digest)
        if isinstance(staged, Answer):
            return staged
        row, placed = staged
        return self._commit(row, intake.rows_of(row, placed), offload)

    def _stage_media(
        self,
        device: dict[str, Any],
        fields: dict[str, Any],
        data: bytes,
        offload: Offload,
        body_sha: str | None,
    ) -> Answer | tuple[dict[str, Any], list[Placed]]:
        """Check, clean and place an upload: its row to commit and its placed files, or the
        first answer when it is a repeat. Raises AudienceError."""
        prompt: Any = fields.get("prompt")
        try:
            kind = PromptKind(fields.get("kind"))
        except ValueError:
            kind = None
        if kind not in MEDIA_KINDS:
            raise AudienceError("'kind' must be photo, drawing or audio for an upload")
        assert kind is not None
        sub_id, spec = self._check(device, fields.get("id"), prompt, kind)
        if not data:
            raise AudienceError("the upload is empty")
        if len(data) > MAX_UPLOAD_BYTES[kind]:
            raise AudienceError(
                f"the file is too big ({len(data) >> 20} MB; the limit is "
                f"{MAX_UPLOAD_BYTES[kind] >> 20} MB)",
                413,
            )
        if body_sha is None:
            body_sha = digest_of(kind.value, prompt, data)
        repeat = self._repeat(sub_id, device, body_sha)
        if repeat is not None:
            return repeat
        row = self._base(device, sub_id, prompt, kind, body_sha, SubmissionStatus.PENDING)
        try:
            # Decoding, re-encoding and the fsync'd writes run in a worker thread.
            placed = offload(intake.place, self.media, kind, data, spec.max_seconds)
        except UploadRejected as exc:
            raise AudienceError(str(exc), exc.status) from None
        main, thumb = placed[0], (placed[1] if len(placed) > 1 else None)
        row.update(
            media_sha256=main.sha,
            thumb_sha256=thumb.sha if thumb else None,
            mime=main.mime,
            width=main.width,
            height=main.height,
            duration=main.duration,
        )
        return row, placed

    def add_snapshot(
        self, camera: str, prompt: str, jpeg: bytes, offload: Offload = direct
    ) -> dict[str, Any]:
        """A camera still, approved by the crew's own action, credited to the camera."""
        placed = offload(intake.place, self.media, PromptKind.PHOTO, jpeg, 0.0)
        main, thumb = placed
        now = self.clock()
        sub_id = f"snap-{camera}-{secrets.token_hex(6)}"
        row = {
            "id": sub_id,
            "device": f"camera:{camera}",
            "handle": f"camera {camera}",
            "prompt": prompt,
            "kind": PromptKind.PHOTO.value,
            "status": SubmissionStatus.APPROVED.value,
            "body_sha256": digest_of("snapshot", prompt, jpeg),
            "created_at": now,
            "moderated_at": now,
            "moderated_by": "crew",
            "flagged": 0,
            "media_sha256": main.sha,
            "thumb_sha256": thumb.sha,
            "mime": main.mime,
            "width": main.width,
            "height": main.height,
        }

        def record_media() -> None:
            for p in placed:
                self.media.record(p.sha, p.size, p.mime, p.media_type, p.width, p.height)
            outbox.enqueue(self.store.db, OutboxKind.SUBMISSION, sub_id, now)  # approved

        with self.store.write() as db:  # a crew action, with its media and outbox rows
            seq = db.execute("select coalesce(max(seq), 0) + 1 from submissions").fetchone()[0]
            db.table("submissions").insert({**row, "seq": seq})
            record_media()
        self.record(
            SnapshotAdded(
                EventKind.SNAPSHOT,
                {"camera": camera, "submission": sub_id},
                Actor.CREW.value,
                submission=sub_id,
            )
        )
        return self.get(sub_id) or row

    # ---- moderation -------------------------------------------------------------------
    def get(self, sub_id: Any) -> dict[str, Any] | None:
        if not isinstance(sub_id, str):
            return None
        rows = list(self.store.db.query("select * from submissions where id = ?", [sub_id]))
        return rows[0] if rows else None

    def moderate(self, sub_id: Any, action_name: Any, actor: str) -> dict[str, Any]:
        """Apply a crew decision and log it (a ban also rejects the phone's pending work);
        the updated row. Raises AudienceError."""
        try:
            action = ModerationAction(action_name)
        except ValueError:
            raise AudienceError(
                "action must be one of " + ", ".join(a.value for a in ModerationAction)
            ) from None
        row = self.get(sub_id)
        if row is None:
            raise AudienceError(f"no submission with id {sub_id!r}", 404)
        if row["kind"] == PromptKind.VOTE.value:
            raise AudienceError("votes are counted, not moderated")
        if row["status"] == SubmissionStatus.WITHDRAWN.value:
            raise AudienceError("its author took it back: it can no longer be shown", 409)
        if action is ModerationAction.BAN and row["device"].startswith("camera:"):
            raise AudienceError("a camera snapshot has no phone to ban: reject it instead")
        now = self.clock()
        status = {
            ModerationAction.APPROVE: SubmissionStatus.APPROVED,
            ModerationAction.FEATURE: SubmissionStatus.FEATURED,
            ModerationAction.REJECT: SubmissionStatus.REJECTED,
            ModerationAction.BAN: SubmissionStatus.REJECTED,
        }[action]
        changes: dict[str, Any] = {
            "status": status.value,
            "moderated_at": now,
            "moderated_by": actor,
        }
        if action is ModerationAction.FEATURE:
            changes["featured_at"] = now
        also: list[str] = []
        db = self.store.db
        if action is ModerationAction.BAN:
            also = [
                r["id"]
                for r in db.query(
                    "select id from submissions where device = ? and status = 'pending' and "
                    "id != ?",
                    [row["device"], row["id"]],
                )
            ]

        def apply() -> None:
            db.table("submissions").update(row["id"], changes)
            if status in (SubmissionStatus.APPROVED, SubmissionStatus.FEATURED):
                outbox.enqueue(db, OutboxKind.SUBMISSION, row["id"], now)
            else:  # rejected before it was sent: it never leaves the venue
                outbox.drop(db, OutboxKind.SUBMISSION, row["id"], now, "rejected by the crew")
            if action is ModerationAction.BAN:
                db.table("devices").update(row["device"], {"banned": 1})
                # exactly the rows the event names: the crew hears of every one it changed
                db.conn.executemany(
                    "update submissions set status = ?, moderated_at = ?, "
                    "moderated_by = ?, reason = 'device banned' where id = ? and "
                    "status = ?",
                    [
                        (
                            SubmissionStatus.REJECTED.value,
                            now,
                            actor,
                            other,
                            SubmissionStatus.PENDING.value,
                        )
                        for other in also
                    ],
                )

        event = SubmissionModerated(
            EventKind.MODERATE,
            {"submission": row["id"], "action": action.value, "status": status.value},
            actor,
            submission=row["id"],
            status=status.value,
            device=row["device"],
            prompt=row["prompt"],
            changed=(row["id"], *also),
        )
        self.record(event, change=apply)
        return self.get(row["id"]) or row
