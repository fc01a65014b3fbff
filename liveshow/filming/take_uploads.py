"""Resumable, hash-checked uploads of large media (camera takes) into the media cache.

The uploader names the object by its SHA-256. ``HEAD`` says how much has arrived
(``Upload-Offset``); ``PUT`` with ``Content-Range: bytes START-END/TOTAL`` appends from that
offset. When the last byte arrives the whole file is hashed; only a matching file becomes
visible in the media cache, so a half-sent or corrupted take is never screened.
"""

from __future__ import annotations

import contextlib
import os
import re
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from ..media import probe
from ..media.library import MediaLibrary, fsync_dir, sha256_file
from ..store.database import Store
from ..workers import direct

MAX_TOTAL = 8 << 30
CHUNK = 1 << 20
RANGE = re.compile(r"^bytes (\d+)-(\d+)/(\d+)\Z")
SHA = re.compile(r"^[0-9a-f]{64}\Z")  # \Z: "$" would accept a trailing newline
STALE_PART = 2 * 24 * 3600.0  # seconds: a part untouched this long was abandoned
SWEEP_EVERY = 600.0


class UploadError(Exception):
    def __init__(self, message: str, status: int, offset: int | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.offset = offset


@dataclass(frozen=True)
class Progress:
    complete: bool
    offset: int
    total: int | None


class Uploads:
    def __init__(self, store: Store, media: MediaLibrary, folder: Path) -> None:
        self.store = store
        self.media = media
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        self._busy: set[str] = set()  # files a request is appending to or finishing
        # parts whose hash matched (by size and mtime) while ffmpeg could not probe them: a
        # retry probes again without hashing gigabytes again on a machine already too busy
        self._hashed: dict[str, tuple[int, int]] = {}
        self._lock = threading.Lock()
        self._swept = 0.0
        self.sweep()

    def sweep(self) -> None:
        """Remove partial uploads untouched for STALE_PART (each may hold up to 8 GB): an
        agent that comes back later starts that file again from 0."""
        now = time.time()
        self._swept = now
        for part in self.folder.glob("*.part"):
            sha = part.name[: -len(".part")]
            try:
                if sha in self._busy or now - part.stat().st_mtime < STALE_PART:
                    continue
                part.unlink()
            except FileNotFoundError:
                continue
            with self.store.write() as db:
                db.execute("delete from uploads where sha256 = ?", [sha])

    def _partial(self, sha: str) -> Path:
        return self.folder / f"{sha}.part"

    def status(self, sha: str) -> Progress:
        if not SHA.match(sha):
            raise UploadError("the name must be a lowercase SHA-256", 400)
        if self.media.path_for(sha) is not None:
            size = (self.media.root / sha).stat().st_size
            return Progress(True, size, size)
        part = self._partial(sha)
        rows = list(self.store.db.query("select total from uploads where sha256 = ?", [sha]))
        return Progress(
            False, part.stat().st_size if part.exists() else 0, rows[0]["total"] if rows else None
        )

    def resume(self, sha: str, offload: Callable[..., Any] = direct) -> Progress:
        """The upload's status, first finishing a part whose every byte arrived (a server
        killed while it hashed the last chunk) and dropping one longer than its total."""
        now = self.status(sha)
        if now.complete and self.media.info(sha) is None:
            return self._adopt(sha, now, offload)
        if now.complete or now.total is None or now.offset < now.total:
            return now
        with self._only_one(sha, now):
            now = self.status(sha)
            if now.complete or now.total is None or now.offset < now.total:
                return now
            if now.offset > now.total:  # from before uploads were one at a time
                self._partial(sha).unlink()
                return Progress(False, 0, now.total)
            return self._finish(sha, now.total, offload)

    def _adopt(self, sha: str, now: Progress, offload: Callable[..., Any]) -> Progress:
        """A file in the media folder without its media row: the server was killed between
        publishing it and recording it. It was hashed before it was moved there; probe and
        record it now (else a take naming it is refused as never uploaded, for ever)."""
        with self._only_one(sha, now):
            if self.media.info(sha) is not None:
                return now
            target = self.media.root / sha
            try:
                found = offload(probe.probe, target)
            except probe.ProbeUnavailable as exc:  # the file may be fine: ask again later
                raise UploadError(f"{exc}: try again", 503, now.offset) from None
            except probe.ProbeError:
                target.unlink()
                with self.store.write() as db:
                    db.table("uploads").delete_where("sha256 = ?", [sha])
                return self.status(sha)
            self._record(sha, found)
        return now

    @contextlib.contextmanager
    def _only_one(self, sha: str, now: Progress) -> Iterator[None]:
        """One request at a time per file: a second, overlapping one is told where to
        resume instead of appending the same bytes again."""
        with self._lock:
            if sha in self._busy:
                raise UploadError(
                    "another request is uploading this file: resume from its offset",
                    409,
                    now.offset,
                )
            self._busy.add(sha)
        try:
            yield
        finally:
            with self._lock:
                self._busy.discard(sha)

    def receive(
        self,
        sha: str,
        content_range: str | None,
        length: int | None,
        body: IO[bytes],
        offload: Callable[..., Any] = direct,
    ) -> Progress:
        """Append one request's bytes; finalise when the upload is whole."""
        if time.time() - self._swept > SWEEP_EVERY:
            self.sweep()
        now = self.resume(sha, offload)
        if now.complete:
            return now
        start, end, total = self._range(content_range, length)
        with self._only_one(sha, now):
            return self._receive(sha, start, end, total, body, offload)

    def _receive(
        self,
        sha: str,
        start: int,
        end: int,
        total: int,
        body: IO[bytes],
        offload: Callable[..., Any],
    ) -> Progress:
        now = self.status(sha)
        if now.complete:
            return now
        if start != now.offset:
            raise UploadError(f"expected bytes from {now.offset}", 409, now.offset)
        if now.total is not None and total != now.total:
            raise UploadError(
                f"the total size changed ({now.total} before, {total} now)", 409, now.offset
            )
        with self.store.write() as db:
            db.table("uploads").upsert(
                {"sha256": sha, "total": total, "received": start, "started_at": time.time()},
                pk="sha256",
            )
        wanted = end - start + 1
        written = self._append(sha, body, wanted)
        offset = start + written
        if written != wanted:
            raise UploadError(
                f"the request ended after {written} of {wanted} bytes; resume from {offset}",
                400,
                offset,
            )
        if offset < total:
            return Progress(False, offset, total)
        return self._finish(sha, total, offload)

    def _finish(self, sha: str, total: int, offload: Callable[..., Any]) -> Progress:
        outcome = offload(self._verify, sha)  # hashing gigabytes: off the event loop
        if isinstance(outcome, UploadError):
            if outcome.status != 503:  # refused for good; a 503 keeps the part to finish later
                with self.store.write() as db:
                    db.table("uploads").delete(sha)
            raise outcome
        self._publish(sha, outcome)
        return Progress(True, total, total)

    def _range(self, header: str | None, length: int | None) -> tuple[int, int, int]:
        if not length:  # a chunked body: its size is unknown until it has all arrived
            raise UploadError("send Content-Length (a chunked body is not accepted)", 411)
        if header is None:
            start, end, total = 0, length - 1, length
        else:
            match = RANGE.match(header.strip())
            if match is None:
                raise UploadError("Content-Range must be 'bytes START-END/TOTAL'", 400)
            start, end, total = (int(g) for g in match.groups())
        if not (0 <= start <= end < total) or total > MAX_TOTAL or end - start + 1 != length:
            raise UploadError(f"bad byte range {start}-{end}/{total}", 416)
        return start, end, total

    def _append(self, sha: str, body: IO[bytes], wanted: int) -> int:
        first = body.read(min(CHUNK, wanted))
        if not first:  # nothing arrived: no (empty) part file left behind
            return 0
        written = 0
        with self._partial(sha).open("ab") as out:
            chunk = first
            while chunk:
                out.write(chunk)
                written += len(chunk)
                if written >= wanted:
                    break
                chunk = body.read(min(CHUNK, wanted - written))
            out.flush()
            os.fsync(out.fileno())
        return written

    def _verify(self, sha: str) -> probe.ProbeResult | UploadError:
        """Hash and probe the whole file (in a worker thread: no database here)."""
        part = self._partial(sha)
        seen = part.stat()
        if self._hashed.get(sha) != (seen.st_size, seen.st_mtime_ns):
            if sha256_file(part) != sha:
                part.unlink()
                return UploadError(
                    "the file's SHA-256 does not match its name: upload it again", 422, 0
                )
        try:
            found = probe.probe(part)
        except probe.ProbeUnavailable as exc:  # the file may be fine: kept, asked again later
            self._hashed[sha] = (seen.st_size, seen.st_mtime_ns)
            return UploadError(f"{exc}: try again", 503, seen.st_size)
        except probe.ProbeError:
            part.unlink()
            return UploadError("not a media file ffmpeg can read", 415, 0)
        self._hashed.pop(sha, None)
        return found

    def _publish(self, sha: str, found: probe.ProbeResult) -> None:
        part = self._partial(sha)
        target = self.media.root / sha
        os.replace(part, target)
        fsync_dir(self.media.root)
        self._record(sha, found)

    def _record(self, sha: str, found: probe.ProbeResult) -> None:
        target = self.media.root / sha
        self.media.record(
            sha,
            target.stat().st_size,
            found.mime,
            found.media_type.value,
            found.width,
            found.height,
            found.duration,
        )
        with self.store.write() as db:
            db.table("uploads").delete_where("sha256 = ?", [sha])
