"""``/api/v1/media/<sha256>``: resumable upload (tus 1.0 style) and serving with ranges.

What is accepted, exactly (docs/catalogue.md says the same):

- There is no creation step (no tus ``POST``): the object's URL is its hash, known to the
  sender before it sends a byte. The first ``PATCH`` at ``Upload-Offset: 0`` starts it.
- ``HEAD`` → ``200`` with ``Upload-Offset`` = ``Upload-Length`` = size when the object is
  complete; else ``204`` with ``Upload-Offset`` (bytes held so far, 0 for none) and
  ``Upload-Length`` if declared. ``Upload-Complete: ?1`` / ``?0`` says which, either way.
- ``PATCH`` (token needed) with ``Upload-Offset``, ``Content-Length`` and content type
  ``application/offset+octet-stream`` (``application/octet-stream`` also accepted) appends
  and answers ``204`` with the new ``Upload-Offset``. ``Upload-Length`` may come on any
  PATCH; once given it is fixed. Wrong offset → ``409``. When the bytes held reach
  ``Upload-Length`` they are hashed: a match publishes the object, a mismatch → ``422`` and
  the partial is discarded. Without ``Upload-Length`` the bytes are hashed after every PATCH
  and the object is published as soon as they match (fine for small objects).
- ``GET`` serves a complete object with ``Range`` support; an incomplete one is ``404``.
"""

from __future__ import annotations

from flask import Blueprint, Response, request, send_file

from . import reading
from .api import ApiError, error, require_token
from .service import current_catalogue
from .storage import SHA256_RE, UploadConflict, UploadRefused

media_api = Blueprint("catalogue_media", __name__, url_prefix="/api/v1")

TUS_HEADERS = {"Tus-Resumable": "1.0.0", "Cache-Control": "no-store"}
UPLOAD_TYPES = ("application/offset+octet-stream", "application/octet-stream")


def _check_hash(sha256: str) -> str:
    if not SHA256_RE.match(sha256):
        raise ApiError(400, "a media hash is 64 lowercase hex digits (SHA-256)")
    return sha256


def _header_int(name: str, required: bool, high: int) -> int | None:
    raw = request.headers.get(name)
    if raw is None:
        if required:
            raise ApiError(400, f"send the {name} header")
        return None
    raw = raw.strip()
    if not raw.isascii() or not raw.isdigit() or int(raw) > high:
        raise ApiError(400, f"{name} must be a whole number from 0 to {high}")
    return int(raw)


def _status_headers(sha256: str) -> dict[str, str]:
    store = current_catalogue().store
    complete = store.has(sha256)
    headers = {
        **TUS_HEADERS,
        "Upload-Offset": str(store.offset(sha256)),
        "Upload-Complete": "?1" if complete else "?0",
    }
    length = store.size(sha256) if complete else store.declared_length(sha256)
    if length is not None:
        headers["Upload-Length"] = str(length)
    return headers


@media_api.route("/media/<sha256>", methods=["HEAD"])
def media_head(sha256: str) -> Response:
    _check_hash(sha256)
    headers = _status_headers(sha256)
    complete = headers["Upload-Complete"] == "?1"
    response = Response(status=200 if complete else 204, headers=headers)
    if complete:
        response.content_length = int(headers["Upload-Length"])
    return response


@media_api.get("/media/<sha256>")
def media_get(sha256: str) -> Response:
    catalogue = current_catalogue()
    _check_hash(sha256)
    if not catalogue.store.has(sha256):
        raise ApiError(404, f"there is no complete media object {sha256}")
    conn = catalogue.db.read()
    if reading.withdrawn_media(conn, sha256):
        raise ApiError(410, "this media was withdrawn by its contributor")
    mime = reading.media_mime(conn, sha256) or "application/octet-stream"
    # content-addressed, so the bytes never change; but a contributor may withdraw them, so
    # caches keep them a day, not forever
    response = send_file(
        catalogue.store.path(sha256),
        mimetype=mime,
        conditional=True,
        etag=sha256,
        max_age=86_400,
    )
    response.headers["Cache-Control"] = "public, max-age=86400"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@media_api.route("/media/<sha256>", methods=["PATCH"])
@require_token
def media_patch(sha256: str) -> Response | tuple[Response, int]:
    catalogue = current_catalogue()
    settings = catalogue.settings
    _check_hash(sha256)
    if request.mimetype not in UPLOAD_TYPES:
        raise ApiError(415, "send the bytes as application/offset+octet-stream")
    offset = _header_int("Upload-Offset", True, settings.max_media_bytes)
    total = _header_int("Upload-Length", False, settings.max_media_bytes)
    length = request.content_length
    if length is None:
        raise ApiError(411, "send the bytes with a Content-Length")
    if length > settings.max_chunk_bytes:
        raise ApiError(413, f"one PATCH may carry at most {settings.max_chunk_bytes} bytes")
    assert offset is not None
    try:
        catalogue.store.append(sha256, offset, request.stream, length, total)
    except UploadConflict as exc:
        response, status = error(409, str(exc))
        response.headers.update(_status_headers(sha256))
        return response, status
    except UploadRefused as exc:
        raise ApiError(422, str(exc)) from None
    return Response(status=204, headers=_status_headers(sha256))
