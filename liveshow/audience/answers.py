"""What intake hands back: placed files, answers to a phone (with the news they carry), and
a submission as the crew's moderation queue shows it."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from ..events import Event, SubmissionReceived
from ..media.library import MediaLibrary
from ..show.cues import PromptKind


@dataclass(frozen=True)
class Placed:
    """A cleaned file written into the media cache, waiting for its database row."""

    sha: str
    size: int
    mime: str
    media_type: str
    width: int | None = None
    height: int | None = None
    duration: float | None = None


@dataclass(frozen=True)
class Answer:
    status: int  # 201 new, 200 repeat
    body: dict[str, Any]  # {"id", "status"}
    row: dict[str, Any] | None  # the stored row, when new

    @property
    def events(self) -> list[Event]:
        """News for the crew: a new submission (a repeat is no news)."""
        if self.row is None:
            return []
        return [SubmissionReceived(self.row["id"], vote=self.row["kind"] == PromptKind.VOTE.value)]


def crew_item(row: dict[str, Any], media: MediaLibrary) -> dict[str, Any]:
    return {
        "id": row["id"],
        "seq": row["seq"],
        "prompt": row["prompt"],
        "kind": row["kind"],
        "status": row["status"],
        "handle": row["handle"],
        "device": row["device"],
        "text": row["text"],
        "media": media.public(row["media_sha256"]),
        "thumb": f"/media/{row['thumb_sha256']}" if row["thumb_sha256"] else None,
        "flagged": bool(row["flagged"]),
        "flag_score": row["flag_score"],
        "created_at": row["created_at"],
        "reason": row["reason"],
    }


def digest_of(kind: str, prompt: str, payload: bytes) -> str:
    digest = hashlib.sha256(f"{kind}\0{prompt}\0".encode())
    digest.update(payload)
    return digest.hexdigest()
