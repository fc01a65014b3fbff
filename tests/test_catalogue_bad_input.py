"""Bad input to every catalogue route gets a clear 4xx {"error": …} and changes nothing.

Each case below names what is wrong; after each, every table's row count and every media
file are compared with before (``table_counts``). The catalogue starts with one stored
story (origin s1) and one complete media object, so references to them are valid.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from liveshow.catalogue.app import create_catalogue_app
from tests.test_catalogue_structure import (
    AUTH,
    TOKEN,
    origin,
    sha,
    table_counts,
    take_item,
    text_item,
    upload,
)

MEDIA = b"a small media object"
MISSING = sha(b"never uploaded")
KEY = {"Idempotency-Key": "key-1"}


@pytest.fixture(scope="module")
def setup(tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, Path]:
    data = tmp_path_factory.mktemp("bad") / "catalogue"
    app = create_catalogue_app(
        {
            "data": str(data),
            "token": TOKEN,
            "max_chunk_bytes": 1000,
            "max_batch_bytes": 200_000,
            "max_batch_items": 50,
        }
    )
    client = app.test_client()
    upload(client, MEDIA)
    resp = client.post(
        "/api/v1/contributions",
        json={"items": [text_item("s1")]},
        headers={**AUTH, "Idempotency-Key": "seed"},
    )
    assert resp.status_code == 201
    return client, data


def item(**changes: Any) -> dict[str, Any]:
    """A valid take (made from the stored story) with `changes` applied (None = drop)."""
    base = take_item(
        "t1", sha(MEDIA), [{"origin": origin("s1"), "role": "background", "start": 0, "end": 1}]
    )
    for key, value in changes.items():
        if value is None:
            base.pop(key, None)
        else:
            base[key] = value
    return base


def batch(*items: dict[str, Any]) -> dict[str, Any]:
    return {"items": list(items)}


def parents(**link: Any) -> list[dict[str, Any]]:
    return [{"role": "background", **link}]


def contrib(body: Any, headers: dict[str, str] | None = None) -> dict[str, Any]:
    return {
        "method": "POST",
        "path": "/api/v1/contributions",
        "json": body,
        "headers": {**AUTH, **KEY} if headers is None else headers,
    }


def raw(data: bytes, content_type: str = "application/json") -> dict[str, Any]:
    return {
        "method": "POST",
        "path": "/api/v1/contributions",
        "data": data,
        "headers": {**AUTH, **KEY, "Content-Type": content_type},
    }


def perf(body: Any) -> dict[str, Any]:
    return {
        "method": "POST",
        "path": "/api/v1/performances",
        "json": body,
        "headers": {**AUTH, **KEY},
    }


def media(method: str, digest: str, data: bytes = b"x", **headers: str) -> dict[str, Any]:
    base = {**AUTH, "Upload-Offset": "0", "Content-Type": "application/offset+octet-stream"}
    merged = {k: v for k, v in {**base, **headers}.items() if v != "-"}
    return {"method": method, "path": f"/api/v1/media/{digest}", "data": data, "headers": merged}


def get(path: str) -> dict[str, Any]:
    return {"method": "GET", "path": path}


def cycle() -> dict[str, Any]:
    a = text_item("a", parents=parents(origin=origin("b")))
    b = text_item("b", parents=parents(origin=origin("a")))
    return contrib(batch(a, b))


TEXT = text_item("s9")
CASES: list[tuple[str, Callable[[], dict[str, Any]], int, str]] = [
    # POST /contributions: the request itself
    ("no token", lambda: contrib(batch(item()), {**KEY}), 401, "Bearer"),
    (
        "wrong token",
        lambda: contrib(batch(item()), {**KEY, "Authorization": "Bearer x"}),
        401,
        "Bearer",
    ),
    ("no Idempotency-Key", lambda: contrib(batch(item()), {**AUTH}), 400, "Idempotency-Key"),
    (
        "Idempotency-Key too long",
        lambda: contrib(batch(item()), {**AUTH, "Idempotency-Key": "k" * 256}),
        400,
        "Idempotency-Key",
    ),
    ("not JSON content type", lambda: raw(b"{}", "text/plain"), 415, "application/json"),
    ("malformed JSON", lambda: raw(b'{"items": ['), 400, "not valid"),
    ("not UTF-8", lambda: raw(b'{"items": "\xff"}'), 400, "not valid"),
    ("NaN in JSON", lambda: raw(b'{"items": [{"title": NaN}]}'), 400, "NaN"),
    ("body over the size cap", lambda: raw(b" " * 200_001), 413, "larger"),
    ("body is an array", lambda: contrib([item()]), 400, "JSON object"),
    ("unknown top-level field", lambda: contrib({"items": [item()], "x": 1}), 400, "unknown"),
    ("no items", lambda: contrib(batch()), 400, "items"),
    ("too many items", lambda: contrib({"items": [item()] * 51}), 400, "items"),
    # an item's fields
    ("unknown item field", lambda: contrib(batch(item(colour="red"))), 400, "colour"),
    ("unknown kind", lambda: contrib(batch(item(kind="hologram"))), 400, "kind"),
    ("text kind without text", lambda: contrib(batch({**TEXT, "text": ""})), 400, "text"),
    ("text with NUL", lambda: contrib(batch({**TEXT, "text": "a\x00b"})), 400, "NUL"),
    ("title too long", lambda: contrib(batch(item(title="t" * 201))), 400, "title"),
    ("video without media", lambda: contrib(batch(item(media=None))), 400, "media"),
    (
        "hash in capitals",
        lambda: contrib(batch(item(media={"sha256": sha(MEDIA).upper(), "mime": "video/mp4"}))),
        400,
        "sha256",
    ),
    (
        "hash too short",
        lambda: contrib(batch(item(media={"sha256": "abc", "mime": "video/mp4"}))),
        400,
        "sha256",
    ),
    (
        "hash with a newline",
        lambda: contrib(batch(item(media={"sha256": sha(MEDIA) + "\n", "mime": "video/mp4"}))),
        400,
        "sha256",
    ),
    (
        "media not uploaded",
        lambda: contrib(batch(item(media={"sha256": MISSING, "mime": "video/mp4"}))),
        422,
        "not uploaded",
    ),
    (
        "bad MIME type",
        lambda: contrib(batch(item(media={"sha256": sha(MEDIA), "mime": "video"}))),
        400,
        "MIME",
    ),
    (
        "negative duration",
        lambda: contrib(
            batch(item(media={"sha256": sha(MEDIA), "mime": "video/mp4", "duration": -1}))
        ),
        400,
        "duration",
    ),
    (
        "duration as text",
        lambda: contrib(
            batch(item(media={"sha256": sha(MEDIA), "mime": "video/mp4", "duration": "4"}))
        ),
        400,
        "duration",
    ),
    (
        "duration an int too big for a float",
        lambda: contrib(
            batch(item(media={"sha256": sha(MEDIA), "mime": "video/mp4", "duration": 10**400}))
        ),
        400,
        "duration",
    ),
    (
        "duration true",
        lambda: contrib(
            batch(item(media={"sha256": sha(MEDIA), "mime": "video/mp4", "duration": True}))
        ),
        400,
        "duration",
    ),
    (
        "duration 1e308",
        lambda: contrib(
            batch(item(media={"sha256": sha(MEDIA), "mime": "video/mp4", "duration": 1e308}))
        ),
        400,
        "duration",
    ),
    # origin
    ("no origin", lambda: contrib(batch(item(origin=None))), 400, "origin"),
    (
        "origin without performance",
        lambda: contrib(batch(item(origin={"take": "t1"}))),
        400,
        "performance",
    ),
    (
        "origin with submission and take",
        lambda: contrib(batch(item(origin={"performance": "p", "take": "t1", "submission": "s1"}))),
        400,
        "exactly one",
    ),
    (
        "origin id with spaces",
        lambda: contrib(batch(item(origin={"performance": "p 1", "take": "t1"}))),
        400,
        "performance",
    ),
    (
        "origin made_at not a time",
        lambda: contrib(
            batch(item(origin={"performance": "p", "take": "t1", "made_at": "yesterday"}))
        ),
        400,
        "made_at",
    ),
    ("two items with one origin", lambda: contrib(batch(item(), item())), 400, "same origin"),
    # contributors and consent
    ("no contributors", lambda: contrib(batch(item(contributors=[]))), 400, "contributors"),
    (
        "handle with a slash",
        lambda: contrib(batch(item(contributors=[{"handle": "a/b", "role": "performer"}]))),
        400,
        "handle",
    ),
    (
        "role in capitals",
        lambda: contrib(batch(item(contributors=[{"handle": "jo", "role": "Performer"}]))),
        400,
        "role",
    ),
    (
        "consent for someone not credited",
        lambda: contrib(
            batch(
                item(
                    consent=[
                        {
                            "artist": "zed",
                            "terms_version": "t1",
                            "accepted_at": "2026-11-01T20:00:00",
                        }
                    ]
                )
            )
        ),
        422,
        "not among",
    ),
    (
        "consent time not ISO 8601",
        lambda: contrib(
            batch(item(consent=[{"artist": "jo", "terms_version": "t1", "accepted_at": "today"}]))
        ),
        400,
        "accepted_at",
    ),
    # collaboration
    (
        "unknown collaboration slug",
        lambda: contrib(batch(item(collaboration="nope"))),
        422,
        "no collaboration",
    ),
    (
        "bad collaboration slug",
        lambda: contrib(batch(item(collaboration="Not A Slug"))),
        400,
        "slug",
    ),
    (
        "new collaboration without title",
        lambda: contrib(batch(item(collaboration={"slug": "new-one"}))),
        400,
        "title",
    ),
    # parents
    (
        "unknown parent record",
        lambda: contrib(batch(item(parents=parents(record=999_999)))),
        422,
        "no record",
    ),
    (
        "unknown parent origin",
        lambda: contrib(batch(item(parents=parents(origin=origin("s404"))))),
        422,
        "send it first",
    ),
    ("parent record 0", lambda: contrib(batch(item(parents=parents(record=0)))), 400, "record id"),
    (
        "parent record as text",
        lambda: contrib(batch(item(parents=parents(record="1")))),
        400,
        "record id",
    ),
    (
        "parent with record and origin",
        lambda: contrib(batch(item(parents=parents(record=1, origin=origin("s1"))))),
        400,
        "either",
    ),
    ("parent with neither", lambda: contrib(batch(item(parents=[{"role": "x"}]))), 400, "either"),
    (
        "parent end before start",
        lambda: contrib(batch(item(parents=parents(record=1, start=5, end=2)))),
        400,
        "before start",
    ),
    (
        "parent start negative",
        lambda: contrib(batch(item(parents=parents(record=1, start=-1)))),
        400,
        "start",
    ),
    (
        "an item made from itself",
        lambda: contrib(batch(item(parents=parents(origin=origin(take="t1"))))),
        422,
        "cycle",
    ),
    ("two new items made from each other", cycle, 422, "cycle"),
    (
        "a good item then a bad one (all or nothing)",
        lambda: contrib(
            batch(text_item("s7"), item(media={"sha256": MISSING, "mime": "video/mp4"}))
        ),
        422,
        "not uploaded",
    ),
    # POST /performances
    (
        "performance without token",
        lambda: {**perf(batch({"id": "p1"})), "headers": KEY},
        401,
        "Bearer",
    ),
    ("performance without id", lambda: perf(batch({"title": "x"})), 400, "id"),
    (
        "performance bad started_at",
        lambda: perf(batch({"id": "p1", "started_at": "soon"})),
        400,
        "started_at",
    ),
    (
        "screening of an unknown record",
        lambda: perf(
            batch({"id": "p1", "screenings": [{"record": 999_999, "at": "2026-11-01T20:00:00"}]})
        ),
        422,
        "no record",
    ),
    (
        "screening without time",
        lambda: perf(batch({"id": "p1", "screenings": [{"record": 1}]})),
        400,
        "at",
    ),
    # reads
    ("records: unknown parameter", lambda: get("/api/v1/records?colour=red"), 400, "colour"),
    ("records: limit 0", lambda: get("/api/v1/records?limit=0"), 400, "limit"),
    ("records: limit too big", lambda: get("/api/v1/records?limit=501"), 400, "limit"),
    ("records: limit not a number", lambda: get("/api/v1/records?limit=ten"), 400, "limit"),
    ("records: after negative", lambda: get("/api/v1/records?after=-1"), 400, "after"),
    ("records: unknown kind", lambda: get("/api/v1/records?kind=hologram"), 400, "kind"),
    ("record id not a number", lambda: get("/api/v1/records/abc"), 400, "record id"),
    ("record id 0", lambda: get("/api/v1/records/0"), 400, "record id"),
    ("record id huge", lambda: get("/api/v1/records/" + "9" * 30), 400, "record id"),
    ("unknown record", lambda: get("/api/v1/records/999999"), 404, "no record"),
    ("unknown collaboration", lambda: get("/api/v1/collaborations/nope"), 404, "no collaboration"),
    (
        "collaboration: bad paging",
        lambda: get("/api/v1/collaborations/test-night?after=x"),
        400,
        "after",
    ),
    ("unknown artist", lambda: get("/api/v1/artists/nobody"), 404, "no artist"),
    ("unknown API route", lambda: get("/api/v1/nothing-here"), 404, "not found"),
    # media
    ("media GET bad hash", lambda: get("/api/v1/media/xyz"), 400, "64 lowercase"),
    ("media GET unknown", lambda: get(f"/api/v1/media/{MISSING}"), 404, "no complete"),
    (
        "media PATCH without token",
        lambda: media("PATCH", MISSING, Authorization="-"),
        401,
        "Bearer",
    ),
    ("media PATCH bad hash", lambda: media("PATCH", "ABC"), 400, "64 lowercase"),
    (
        "media PATCH without Upload-Offset",
        lambda: media("PATCH", MISSING, **{"Upload-Offset": "-"}),
        400,
        "Upload-Offset",
    ),
    (
        "media PATCH negative offset",
        lambda: media("PATCH", MISSING, **{"Upload-Offset": "-5"}),
        400,
        "Upload-Offset",
    ),
    (
        "media PATCH Upload-Length not a number",
        lambda: media("PATCH", MISSING, **{"Upload-Length": "big"}),
        400,
        "Upload-Length",
    ),
    (
        "media PATCH wrong content type",
        lambda: media("PATCH", MISSING, **{"Content-Type": "image/png"}),
        415,
        "offset+octet-stream",
    ),
    (
        "media PATCH chunk over the cap",
        lambda: media("PATCH", MISSING, b"x" * 1001),
        413,
        "at most",
    ),
    (
        "media PATCH to a complete object",
        lambda: media("PATCH", sha(MEDIA)),
        409,
        "already complete",
    ),
    (
        "media PATCH offset past the start",
        lambda: media("PATCH", MISSING, **{"Upload-Offset": "10"}),
        409,
        "Upload-Offset",
    ),
]


@pytest.mark.parametrize("make,status,words", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_input_is_refused_clearly_and_changes_nothing(
    setup: tuple[Any, Path], make: Callable[[], dict[str, Any]], status: int, words: str
) -> None:
    client, data = setup
    before = table_counts(data)
    request = copy.deepcopy(make())
    method, path = request.pop("method"), request.pop("path")
    resp = client.open(path, method=method, **request)
    assert resp.status_code == status, resp.get_data(as_text=True)
    body = json.loads(resp.get_data(as_text=True))
    assert words.lower() in body["error"].lower(), body
    assert table_counts(data) == before


@pytest.mark.parametrize(
    "path", ["/records/abc", "/records/999999", "/collaborations/nope", "/artists/nobody"]
)
def test_pages_for_things_that_do_not_exist_are_404(setup: tuple[Any, Path], path: str) -> None:
    client, _ = setup
    assert client.get(path).status_code == 404
