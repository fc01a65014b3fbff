"""The content-addressed media cache in the data directory.

Everything a show screens is copied in (``<data>/media/<sha256>``) when the show loads, so the
show runs with the source drive unplugged and with no network.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, BinaryIO

from ..store.database import Store
from . import probe

CHUNK = 1 << 20


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def placed_row(
    sha: str,
    size: int,
    mime: str,
    media_type: str,
    width: int | None = None,
    height: int | None = None,
    duration: float | None = None,
) -> dict[str, Any]:
    """The media row of bytes placed with :meth:`MediaLibrary.place_bytes` (no source file)."""
    return {
        "sha256": sha,
        "source_path": None,
        "source_size": size,
        "source_mtime": None,
        "media_type": media_type,
        "mime": mime,
        "size": size,
        "duration": duration,
        "width": width,
        "height": height,
        "video_codec": None,
        "audio_codec": None,
        "playable": 1,
        "problems": "[]",
        "added_at": time.time(),
    }


class MediaLibrary:
    def __init__(self, store: Store, root: Path) -> None:
        self.store = store
        self.root = root
        root.mkdir(parents=True, exist_ok=True)

    def ingest(self, source: Path) -> dict[str, Any]:
        """Copy ``source`` into the cache (once) and return its media row.

        Raises probe.ProbeError when the file is missing or unreadable as media.
        """
        source = source.resolve()
        try:
            stat = source.stat()
        except FileNotFoundError:
            raise probe.ProbeError(f"{source}: file not found") from None
        cached = list(
            self.store.db.query(
                "select * from media where source_path = ? and source_size = ? "
                "and source_mtime = ?",
                [str(source), stat.st_size, stat.st_mtime],
            )
        )
        if cached and self.path_for(cached[0]["sha256"]) is not None:
            return cached[0]
        found = probe.probe(source)
        sha = sha256_file(source)
        self._copy_in(source, sha)
        row = {
            "sha256": sha,
            "source_path": str(source),
            "source_size": stat.st_size,
            "source_mtime": stat.st_mtime,
            "media_type": found.media_type.value,
            "mime": found.mime,
            "size": stat.st_size,
            "duration": found.duration,
            "width": found.width,
            "height": found.height,
            "video_codec": found.video_codec,
            "audio_codec": found.audio_codec,
            "playable": int(found.playable),
            "problems": json.dumps(list(found.problems)),
            "added_at": time.time(),
        }
        with self.store.write() as db:
            db.table("media").upsert(row, pk="sha256")
        return row

    def place_bytes(self, data: bytes) -> str:
        """Write validated bytes into the cache, durably; touches no database, so it can
        run in a worker thread. Call :meth:`record` afterwards."""
        sha = hashlib.sha256(data).hexdigest()
        self._place(sha, lambda out: out.write(data))
        return sha

    def record(
        self,
        sha: str,
        size: int,
        mime: str,
        media_type: str,
        width: int | None = None,
        height: int | None = None,
        duration: float | None = None,
    ) -> None:
        """The media row for bytes placed with :meth:`place_bytes`."""
        with self.store.write() as db:
            db.table("media").upsert(
                placed_row(sha, size, mime, media_type, width, height, duration), pk="sha256"
            )

    def _copy_in(self, source: Path, sha: str) -> None:
        with source.open("rb") as src:
            self._place(sha, lambda out: shutil.copyfileobj(src, out, CHUNK))

    def _place(self, sha: str, write: Callable[[BinaryIO], object]) -> None:
        """Write ``<root>/<sha>`` durably: temp file, fsync, rename, fsync the folder."""
        target = self.root / sha
        if target.exists():
            return
        fd, tmp = tempfile.mkstemp(prefix=".incoming-", dir=self.root)
        try:
            with os.fdopen(fd, "wb") as out:
                write(out)
                out.flush()
                os.fsync(out.fileno())
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        fsync_dir(self.root)

    def path_for(self, sha: str) -> Path | None:
        if len(sha) != 64 or any(c not in "0123456789abcdef" for c in sha):
            return None
        path = self.root / sha
        return path if path.is_file() else None

    def info(self, sha: str | None) -> dict[str, Any] | None:
        if not sha:
            return None
        rows = list(self.store.db.query("select * from media where sha256 = ?", [sha]))
        return rows[0] if rows else None

    def infos(self, shas: Iterable[str]) -> dict[str, dict[str, Any]]:
        """The rows of many media items by sha256, in one query per 500 (a long cue list's
        state asks for them all at once, not three times a cue)."""
        wanted = sorted(set(shas))
        found: dict[str, dict[str, Any]] = {}
        for at in range(0, len(wanted), 500):
            part = wanted[at : at + 500]
            sql = f"select * from media where sha256 in ({', '.join('?' * len(part))})"
            found.update((row["sha256"], row) for row in self.store.db.query(sql, part))
        return found

    def public(self, sha: str | None) -> dict[str, Any] | None:
        """What a display needs to play a media item."""
        row = self.info(sha)
        if row is None:
            return None
        return {
            "url": f"/media/{row['sha256']}",
            "sha256": row["sha256"],
            "mime": row["mime"],
            "type": row["media_type"],
            "duration": row["duration"],
            "width": row["width"],
            "height": row["height"],
        }


def fsync_dir(folder: Path) -> None:
    """Make a rename durable: fsync the directory that holds the new name."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
