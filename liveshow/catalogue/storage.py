"""The content-addressed media store, behind a small interface.

An object is named by the SHA-256 of its bytes and becomes visible only after those bytes
were verified against that name, fsync'd and renamed into place, so a reader never sees a
half-written or wrong object. Uploads arrive in pieces (tus 1.0 style ``PATCH`` at an
offset) into a partial file that survives restarts, so a sender cut off mid-upload resumes
from :meth:`MediaStore.offset` instead of starting again.
"""

from __future__ import annotations

import hashlib
import os
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Protocol

SHA256_RE = re.compile(r"^[0-9a-f]{64}\Z")
COPY_CHUNK = 1 << 20


class UploadConflict(Exception):
    """The upload cannot go on as asked (wrong offset, or another upload holds the object)."""


class UploadRefused(Exception):
    """The bytes cannot become the named object (hash mismatch, too long); partial dropped."""


class MediaStore(Protocol):
    def has(self, sha256: str) -> bool: ...

    def size(self, sha256: str) -> int | None: ...

    def offset(self, sha256: str) -> int: ...

    def declared_length(self, sha256: str) -> int | None: ...

    def append(
        self, sha256: str, offset: int, body: IO[bytes], length: int, total: int | None
    ) -> int: ...

    def put(self, sha256: str, source: Path) -> None: ...

    def path(self, sha256: str) -> Path: ...


def check_sha256(value: str) -> str:
    if not SHA256_RE.match(value):
        raise ValueError("a media hash is 64 lowercase hex digits (SHA-256)")
    return value


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(COPY_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


class FilesystemMediaStore:
    """Objects at ``<root>/objects/ab/<sha256>``; partial uploads in ``<root>/partial/``."""

    def __init__(self, root: Path, max_bytes: int) -> None:
        self.root = root
        self.max_bytes = max_bytes
        self.objects = root / "objects"
        self.partial = root / "partial"
        self.objects.mkdir(parents=True, exist_ok=True)
        self.partial.mkdir(parents=True, exist_ok=True)
        self._guard = threading.Lock()
        self._busy: set[str] = set()

    def path(self, sha256: str) -> Path:
        return self.objects / sha256[:2] / sha256

    def has(self, sha256: str) -> bool:
        return self.path(sha256).is_file()

    def size(self, sha256: str) -> int | None:
        try:
            return self.path(sha256).stat().st_size
        except FileNotFoundError:
            return None

    def _part(self, sha256: str) -> Path:
        return self.partial / f"{sha256}.part"

    def _length_file(self, sha256: str) -> Path:
        return self.partial / f"{sha256}.length"

    def offset(self, sha256: str) -> int:
        size = self.size(sha256)
        if size is not None:
            return size
        try:
            return self._part(sha256).stat().st_size
        except FileNotFoundError:
            return 0

    def declared_length(self, sha256: str) -> int | None:
        try:
            return int(self._length_file(sha256).read_text())
        except (FileNotFoundError, ValueError):
            return None

    @contextmanager
    def _exclusive(self, sha256: str) -> Iterator[None]:
        # a second PATCH to the same object while one streams would interleave bytes;
        # refusing it (409) is what tus does, and the client simply asks HEAD again
        with self._guard:
            if sha256 in self._busy:
                raise UploadConflict("another upload to this object is in progress")
            self._busy.add(sha256)
        try:
            yield
        finally:
            with self._guard:
                self._busy.discard(sha256)

    def append(
        self, sha256: str, offset: int, body: IO[bytes], length: int, total: int | None
    ) -> int:
        """Write `length` bytes of `body` at `offset`; return the new offset.

        `total` (tus ``Upload-Length``) is remembered from the first request that names it.
        When the bytes held reach it (or, with no length ever given, whenever they already
        hash to the name) the object is verified and published.
        """
        with self._exclusive(sha256):
            if self.has(sha256):
                raise UploadConflict("the object is already complete")
            held = self.offset(sha256)
            if offset != held:
                raise UploadConflict(f"Upload-Offset is {offset} but {held} bytes are held")
            total = self._settle_length(sha256, total, held + length)
            received = self._write_part(sha256, body, length)
            new_offset = held + received
            if total is None or new_offset == total:
                self._publish_if_verified(sha256, must_match=total is not None)
            return new_offset

    def _settle_length(self, sha256: str, total: int | None, after: int) -> int | None:
        known = self.declared_length(sha256)
        if total is not None and known is not None and total != known:
            raise UploadConflict(f"Upload-Length {total} differs from the {known} declared")
        total = known if known is not None else total
        limit = total if total is not None else self.max_bytes
        if after > limit:
            raise UploadRefused(f"the upload would hold {after} bytes, more than {limit}")
        if total is not None and known is None:
            self._length_file(sha256).write_text(str(total))
        return total

    def _write_part(self, sha256: str, body: IO[bytes], length: int) -> int:
        """Append what arrives; a sender cut off mid-body keeps what reached the disk."""
        received = 0
        with self._part(sha256).open("ab") as f:
            try:
                while received < length:
                    chunk = body.read(min(COPY_CHUNK, length - received))
                    if not chunk:
                        break
                    f.write(chunk)
                    received += len(chunk)
            finally:
                f.flush()
                os.fsync(f.fileno())
        return received

    def _publish_if_verified(self, sha256: str, must_match: bool) -> None:
        part = self._part(sha256)
        if _file_sha256(part) != sha256:
            if must_match:
                self._discard(sha256)
                raise UploadRefused("the bytes do not hash to the name; the upload was discarded")
            return
        dest = self.path(sha256)
        dest.parent.mkdir(exist_ok=True)
        os.replace(part, dest)
        _fsync_dir(dest.parent)
        self._length_file(sha256).unlink(missing_ok=True)

    def _discard(self, sha256: str) -> None:
        self._part(sha256).unlink(missing_ok=True)
        self._length_file(sha256).unlink(missing_ok=True)

    def put(self, sha256: str, source: Path) -> None:
        """Copy a local file in (the demo community); verified like any upload."""
        if self.has(sha256):
            return
        self._discard(sha256)
        size = source.stat().st_size
        with source.open("rb") as f:
            self.append(sha256, 0, f, size, size)
