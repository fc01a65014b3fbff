"""What the room and the crew see of the submissions: the wall, a poll's counts, the credits
roll, the moderation queue and the counts (reads only; intake and moderation are in
``submissions``)."""

from __future__ import annotations

from typing import Any

from ..media.library import MediaLibrary
from ..show.cues import SubmissionStatus
from ..store.database import Store
from .answers import crew_item


class Listings:
    store: Store
    media: MediaLibrary

    def public_item(self, row: dict[str, Any]) -> dict[str, Any]:
        """An approved submission as a display shows it (never the device or the scores)."""
        return {
            "id": row["id"],
            "kind": row["kind"],
            "handle": row["handle"],
            "text": row["text"],
            "prompt": row["prompt"],
            "media": self.media.public(row["media_sha256"]),
            "thumb": f"/media/{row['thumb_sha256']}" if row["thumb_sha256"] else None,
            "featured": row["status"] == SubmissionStatus.FEATURED.value,
        }

    def wall(self, prompt: str, limit: int = 48) -> dict[str, Any]:
        rows = list(
            self.store.db.query(
                "select * from submissions where prompt = ? and status in ('approved', 'featured')"
                " order by moderated_at desc limit ?",
                [prompt, limit],
            )
        )
        featured = list(
            self.store.db.query(
                "select * from submissions where prompt = ? and status = 'featured' "
                "order by featured_at desc limit 1",
                [prompt],
            )
        )
        return {
            "items": [self.public_item(r) for r in rows],
            "featured": self.public_item(featured[0]) if featured else None,
        }

    def poll(self, prompt: str, options: list[str]) -> dict[str, Any]:
        counts = {
            r["option"]: r["n"]
            for r in self.store.db.query(
                "select option, count(*) as n from votes where prompt = ? group by option", [prompt]
            )
        }
        return {
            "options": [{"option": o, "votes": counts.get(o, 0)} for o in options],
            "total": sum(counts.get(o, 0) for o in options),
        }

    def contributors(self) -> list[dict[str, Any]]:
        """Audience members whose work was approved or featured, for the credits roll."""
        return [
            {"handle": r["handle"], "works": r["n"]}
            for r in self.store.db.query(
                "select handle, count(*) as n from submissions where status in "
                "('approved', 'featured') and device not like 'camera:%' group by device "
                "order by min(moderated_at)"
            )
        ]

    def wall_makers(self, prompt: str, only: str | None = None, limit: int = 48) -> list[Any]:
        """(submission, device) of the work a wall of ``prompt`` shows (as ``wall`` picks it),
        or just of ``only`` when it is there: the phones to tell "your work is on screen"."""
        return [
            (r["id"], r["device"])
            for r in self.store.db.query(
                "select id, device from (select id, device from submissions where prompt = ? "
                "and status in ('approved', 'featured') order by moderated_at desc limit ?) "
                "where ? is null or id = ?",
                [prompt, limit, only, only],
            )
        ]

    def featured_for(self, device: str) -> list[str]:
        """This phone's featured submissions (told again on reconnect: a phone that was
        offline when it was featured still hears it)."""
        return [
            r["id"]
            for r in self.store.db.query(
                "select id from submissions where device = ? and status = 'featured' "
                "order by featured_at",
                [device],
            )
        ]

    def stats(self) -> dict[str, Any]:
        per_prompt: dict[str, dict[str, int]] = {}
        for r in self.store.db.query(
            "select prompt, status, count(*) as n from submissions group by prompt, status"
        ):
            per_prompt.setdefault(r["prompt"], {})[r["status"]] = r["n"]
        devices = self.store.db.execute("select count(*) from devices").fetchone()[0]
        return {"prompts": per_prompt, "joined": devices}

    def queue(self, decided: int = 300, pending: int = 2000) -> list[dict[str, Any]]:
        """For a moderator who (re)connects: every pending submission (up to ``pending``)
        and the newest ``decided`` others, newest first."""
        rows = list(
            self.store.db.query(
                "select * from (select * from submissions where kind != 'vote' and status = "
                "'pending' order by seq desc limit ?) union all select * from (select * from "
                "submissions where kind != 'vote' and status != 'pending' order by seq desc "
                "limit ?) order by seq desc",
                [pending, decided],
            )
        )
        return [crew_item(r, self.media) for r in rows]
