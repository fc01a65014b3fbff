"""Photos, drawings and recordings from phones, with as little as possible on the event loop.

Werkzeug parses a multipart form in Python wherever ``request.files`` is first touched: on
the event loop, 1-2.5 ms per photo (0.5-1.4 MB), while a cue waits to be broadcast. Here the
loop only moves the body's bytes from the socket into a spooled temporary file (memory up to
SPOOL_BYTES, then disk: a thousand phones' bodies waiting for their turn do not all sit in
memory) as they arrive — so a phone trickling its upload holds no processing slot. Worker
threads parse the form (werkzeug's own parser and limits) and hash it, decode, re-encode and
place the files, and commit the rows (the store's :class:`~liveshow.store.writer.Writer`).
"""

from __future__ import annotations

import io
import sqlite3
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from typing import IO, Any

from werkzeug.formparser import FormDataParser

from ..media.imaging import clean_image
from ..media.library import MediaLibrary, placed_row
from ..media.sound import clean_audio
from ..show.cues import PromptKind
from ..store import writer
from .answers import Placed, digest_of

SPOOL_BYTES = 512 * 1024  # as werkzeug spools an uploaded file
CHUNK = 64 * 1024
FIELDS = ("id", "prompt", "kind")


@dataclass
class Body:
    """A request body as it arrived, not yet parsed."""

    file: IO[bytes]
    length: int
    mimetype: str
    options: dict[str, str]
    max_form_memory_size: int | None
    max_form_parts: int | None


@dataclass(frozen=True)
class UploadForm:
    fields: dict[str, str | None]  # id, prompt, kind
    data: bytes | None  # the 'file' part; None when the form has none
    digest: str | None  # of kind, prompt and file, as a repeat is compared (digest_of)


def receive(
    stream: IO[bytes],
    mimetype: str,
    options: dict[str, str],
    max_form_memory_size: int | None,
    max_form_parts: int | None,
) -> Body:
    """Read a request's body stream (limited to its Content-Length and the app's
    MAX_CONTENT_LENGTH) into a spooled temporary file. On the event loop, but its reads are
    green: broadcasts run while the body arrives. Werkzeug's 413 (too big) and 408 (slower
    than its allowance) come out of the stream as they came out of form parsing."""
    spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)
    try:
        length = 0
        while chunk := stream.read(CHUNK):
            spool.write(chunk)
            length += len(chunk)
        spool.seek(0)
    except BaseException:
        spool.close()
        raise
    return Body(spool, length, mimetype, options, max_form_memory_size, max_form_parts)


def _in_memory(
    total_content_length: int | None,
    content_type: str | None,
    filename: str | None,
    content_length: int | None = None,
) -> IO[bytes]:
    """The file part goes straight into memory: the whole body is already bounded by
    MAX_CONTENT_LENGTH, and the part is read whole to be decoded."""
    return io.BytesIO()


def parse(body: Body) -> UploadForm:
    """The form's fields and its file, parsed with werkzeug's parser and limits (a malformed
    body reads as an empty form, as ``request.files`` did), and hashed. Worker thread;
    closes the body."""
    parser = FormDataParser(
        stream_factory=_in_memory,
        max_form_memory_size=body.max_form_memory_size,
        max_form_parts=body.max_form_parts,
        silent=True,
    )
    with body.file:
        _, form, files = parser.parse(body.file, body.mimetype, body.length, body.options)
    upload = files.get("file")
    data = upload.stream.read() if upload is not None else None
    fields = {name: form.get(name) for name in FIELDS}
    kind, prompt = fields["kind"], fields["prompt"]
    digest = digest_of(kind, prompt, data) if data and kind and prompt is not None else None
    return UploadForm(fields, data, digest)


def place(media: MediaLibrary, kind: PromptKind, data: bytes, max_seconds: float) -> list[Placed]:
    """Clean the upload and place its files (fsync'd). No database here: worker thread.
    Raises UploadRejected."""
    if kind is PromptKind.AUDIO:
        sound = clean_audio(data, max_seconds)
        return [
            Placed(
                media.place_bytes(sound.data),
                len(sound.data),
                sound.mime,
                "audio",
                duration=sound.duration,
            )
        ]
    image = clean_image(data, kind is PromptKind.DRAWING)
    return [
        Placed(
            media.place_bytes(image.data),
            len(image.data),
            image.mime,
            "image",
            image.width,
            image.height,
        ),
        Placed(media.place_bytes(image.thumb), len(image.thumb), "image/jpeg", "image"),
    ]


def rows_of(
    submission: dict[str, Any],
    placed: list[Placed],
    extra: Callable[[sqlite3.Connection], None] | None = None,
) -> Callable[[sqlite3.Connection], None]:
    """The writer's change that stores a submission (numbered next), its media rows and
    ``extra`` (e.g. a vote's tally) in one commit."""

    def store(conn: sqlite3.Connection) -> None:
        seq = conn.execute("select coalesce(max(seq), 0) + 1 from submissions").fetchone()[0]
        writer.insert(conn, "submissions", {**submission, "seq": seq})
        for p in placed:
            row = placed_row(p.sha, p.size, p.mime, p.media_type, p.width, p.height, p.duration)
            writer.upsert(conn, "media", row, pk="sha256")
        if extra is not None:
            extra(conn)

    return store
