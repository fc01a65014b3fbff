"""The media store over /api/v1/media/<sha256>: resumable upload (tus 1.0 style), a wrong
offset, a hash mismatch, an interrupted PATCH, Upload-Length rules, and range GETs."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path
from typing import Any

import requests

from tests.test_catalogue_structure import (
    AUTH,
    CatalogueProcess,
    catalogue_app,
    client,
    demo_catalogue,
    table_counts,
)

__all__ = ["catalogue_app", "client", "demo_catalogue"]

DATA = bytes(range(256)) * 64  # 16 KiB
DIGEST = hashlib.sha256(DATA).hexdigest()
URL = f"/api/v1/media/{DIGEST}"


def patch(
    client: Any, offset: int, chunk: bytes, length: int | None = len(DATA), digest: str = DIGEST
) -> Any:
    headers = {
        **AUTH,
        "Upload-Offset": str(offset),
        "Content-Type": "application/offset+octet-stream",
    }
    if length is not None:
        headers["Upload-Length"] = str(length)
    return client.patch(f"/api/v1/media/{digest}", data=chunk, headers=headers)


def test_an_upload_in_pieces_becomes_visible_only_when_complete(client: Any) -> None:
    head = client.head(URL)
    assert head.status_code == 204 and head.headers["Upload-Offset"] == "0"
    assert patch(client, 0, DATA[:5000]).headers["Upload-Offset"] == "5000"
    head = client.head(URL)
    assert (head.status_code, head.headers["Upload-Offset"]) == (204, "5000")
    assert head.headers["Upload-Complete"] == "?0" and head.headers["Upload-Length"] == "16384"
    assert client.get(URL).status_code == 404
    done = patch(client, 5000, DATA[5000:])
    assert done.status_code == 204 and done.headers["Upload-Complete"] == "?1"
    head = client.head(URL)
    assert head.status_code == 200 and head.headers["Upload-Offset"] == str(len(DATA))
    assert client.get(URL).data == DATA


def test_a_patch_at_the_wrong_offset_is_409_and_keeps_what_is_held(client: Any) -> None:
    patch(client, 0, DATA[:4000])
    for wrong in (0, 3999, 4001):
        resp = patch(client, wrong, DATA[wrong : wrong + 100])
        assert resp.status_code == 409 and "4000" in resp.get_json()["error"]
        assert resp.headers["Upload-Offset"] == "4000"
    assert client.head(URL).headers["Upload-Offset"] == "4000"


def test_a_hash_mismatch_is_refused_and_the_partial_discarded(client: Any, tmp_path: Path) -> None:
    bad = DATA[:-1] + b"\x00"
    patch(client, 0, bad[:8000])
    resp = patch(client, 8000, bad[8000:])
    assert resp.status_code == 422 and "do not hash" in resp.get_json()["error"]
    assert client.head(URL).headers["Upload-Offset"] == "0"
    assert client.get(URL).status_code == 404
    assert not table_counts(tmp_path / "catalogue")["files"]


def test_without_upload_length_the_object_is_published_when_the_bytes_match(client: Any) -> None:
    assert patch(client, 0, DATA[:100], length=None).headers["Upload-Complete"] == "?0"
    assert patch(client, 100, DATA[100:], length=None).headers["Upload-Complete"] == "?1"
    assert client.get(URL).data == DATA


def test_upload_length_cannot_change_or_be_exceeded(client: Any) -> None:
    patch(client, 0, DATA[:100])
    changed = patch(client, 100, DATA[100:200], length=len(DATA) + 1)
    assert changed.status_code == 409 and "differs" in changed.get_json()["error"]
    too_long = patch(client, 100, DATA[100:] + b"extra")
    assert too_long.status_code == 422
    assert client.head(URL).headers["Upload-Offset"] == "100"


def test_an_interrupted_patch_keeps_the_bytes_that_arrived(catalogue_app: Any) -> None:
    class CutOff(io.BytesIO):
        def read(self, size: int | None = -1) -> bytes:
            chunk = super().read(size)
            if not chunk:
                raise ConnectionResetError("the sender went away")
            return chunk

    store = catalogue_app.extensions["catalogue"].store
    try:
        store.append(DIGEST, 0, CutOff(DATA[:3000]), len(DATA), len(DATA))
    except ConnectionResetError:
        pass
    assert store.offset(DIGEST) == 3000 and not store.has(DIGEST)
    store.append(DIGEST, 3000, io.BytesIO(DATA[3000:]), len(DATA) - 3000, None)
    assert store.has(DIGEST)


def test_range_requests_over_real_http(demo_catalogue: CatalogueProcess) -> None:
    records = requests.get(
        f"{demo_catalogue.url}/api/v1/records", params={"kind": "video"}, timeout=10
    ).json()["records"]
    media = records[0]["media"]
    url = f"{demo_catalogue.url}/api/v1/media/{media['sha256']}"
    whole = requests.get(url, timeout=10).content
    part = requests.get(url, headers={"Range": "bytes=100-199"}, timeout=10)
    assert part.status_code == 206 and part.content == whole[100:200]
    assert part.headers["Content-Range"] == f"bytes 100-199/{len(whole)}"
    tail = requests.get(url, headers={"Range": "bytes=-50"}, timeout=10)
    assert tail.status_code == 206 and tail.content == whole[-50:]
    beyond = requests.get(url, headers={"Range": f"bytes={len(whole) + 10}-"}, timeout=10)
    assert beyond.status_code == 416
    assert len(whole) == media["bytes"]
