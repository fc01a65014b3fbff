"""The catalogue over real HTTP, as a show would use it: the demo community's lineage, a
night's sync (media, performance, contributions, a take whose parents came earlier), reads
by performance, and a generated token that survives a restart."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import requests

from tests.test_catalogue_structure import (
    AUTH,
    PERFORMANCE,
    TOKEN,
    CatalogueProcess,
    demo_catalogue,
    origin,
    sha,
    take_item,
    text_item,
)

__all__ = ["demo_catalogue"]  # the fixture, imported for pytest


def get(server: CatalogueProcess, path: str, **params: Any) -> Any:
    resp = requests.get(f"{server.url}/api/v1{path}", params=params, timeout=10)
    assert resp.status_code == 200, resp.text
    return resp.json()


def post(
    server: CatalogueProcess, path: str, key: str, body: Any, token: str = TOKEN
) -> requests.Response:
    return requests.post(
        f"{server.url}/api/v1{path}",
        json=body,
        timeout=30,
        headers={"Authorization": f"Bearer {token}", "Idempotency-Key": key},
    )


def test_demo_lineage_is_several_levels_deep(demo_catalogue: CatalogueProcess) -> None:
    slugs = {c["slug"]: c for c in get(demo_catalogue, "/collaborations")["collaborations"]}
    assert len(slugs) >= 3 and slugs["the-lighthouse-cat"]["records"] >= 6
    records = get(demo_catalogue, "/records", collaboration="the-lighthouse-cat")["records"]
    animation = next(r for r in records if r["title"] == "The Lighthouse Cat (animation)")
    full = get(demo_catalogue, f"/records/{animation['id']}", lineage="1")
    titles = {r["id"]: r for r in full["lineage"]["records"]}
    parents: dict[int, list[dict[str, Any]]] = {}
    for edge in full["lineage"]["made_from"]:
        parents.setdefault(edge["child"], []).append(edge)
    # walk the main chain down: animation <- visuals <- take <- music <- voice-over <- text
    chain, node = [], animation["id"]
    while node in parents:
        node = parents[node][0]["parent"]
        chain.append(titles[node]["kind"])
    assert chain == ["video", "take", "sound", "sound", "text"]
    take = next(r for r in records if r["kind"] == "take")
    backgrounds = [p for p in take["parents"] if p["role"] == "background"]
    assert [(p["start"], p["end"]) for p in backgrounds] == [(0.0, 1.5), (1.5, 3.0)]
    assert take["origin"]["take"] == "take-3" and take["origin"]["camera"] == "cam1"
    assert {c["role"] for c in take["credits"]} == {"performer", "camera"}
    assert {c["artist"] for c in take["consent"]} == {"jonas", "kai"}
    assert take["children"], "the take is used in the visuals"
    media = requests.get(f"{demo_catalogue.url}/api/v1/media/{take['media']['sha256']}", timeout=10)
    assert media.status_code == 200 and sha(media.content) == take["media"]["sha256"]
    assert media.headers["Content-Type"] == "video/mp4"


def _patch(server: CatalogueProcess, data: bytes, offset: int, chunk: bytes) -> Any:
    return requests.patch(
        f"{server.url}/api/v1/media/{sha(data)}",
        data=chunk,
        timeout=10,
        headers={
            **AUTH,
            "Upload-Offset": str(offset),
            "Upload-Length": str(len(data)),
            "Content-Type": "application/offset+octet-stream",
        },
    )


def test_a_night_syncs_and_a_later_take_links_to_parents_sent_earlier(tmp_path: Path) -> None:
    server = CatalogueProcess(tmp_path / "data", empty=True).start()
    try:
        video = b"\x00\x00\x00\x18ftypmp42" + bytes(range(256)) * 40
        assert _patch(server, video, 0, video[:4000]).headers["Upload-Offset"] == "4000"
        head = requests.head(f"{server.url}/api/v1/media/{sha(video)}", timeout=10)
        assert head.status_code == 204 and head.headers["Upload-Offset"] == "4000"
        assert _patch(server, video, 4000, video[4000:]).status_code == 204
        perf = {
            "items": [
                {
                    "id": PERFORMANCE,
                    "show": "test-show",
                    "title": "Test night",
                    "started_at": "2026-11-01T19:30:00+00:00",
                }
            ]
        }
        assert post(server, "/performances", "perf-1", perf).status_code == 201
        first = post(
            server,
            "/contributions",
            "batch-1",
            {"items": [text_item("s1"), text_item("s2", "Another")]},
        )
        assert first.status_code == 201, first.text
        ids = [r["id"] for r in first.json()["records"]]
        take = take_item(
            "t1",
            sha(video),
            [
                {"origin": origin("s1"), "role": "background", "start": 0, "end": 2.5},
                {"origin": origin("s2"), "role": "background", "start": 2.5, "end": 4},
            ],
        )
        second = post(server, "/contributions", "batch-2", {"items": [take]})
        assert second.status_code == 201, second.text
        [answer] = second.json()["records"]
        assert answer["origin"]["take"] == "t1" and answer["created"] is True
        record = get(server, f"/records/{answer['id']}")
        assert [(p["record"], p["start"], p["end"]) for p in record["parents"]] == [
            (ids[0], 0.0, 2.5),
            (ids[1], 2.5, 4.0),
        ]
        assert get(server, f"/records/{ids[0]}")["children"] == [answer["id"]]
        night = get(server, "/records", performance=PERFORMANCE)["records"]
        assert sorted(r["id"] for r in night) == sorted([*ids, answer["id"]])
        screening = {
            "items": [
                {
                    "id": PERFORMANCE,
                    "screenings": [
                        {
                            "origin": origin(take="t1"),
                            "at": "2026-11-01T21:00:00+00:00",
                            "cue": "replay",
                        }
                    ],
                }
            ]
        }
        assert post(server, "/performances", "perf-2", screening).status_code == 201
        screened = get(server, "/records", screened_in=PERFORMANCE)["records"]
        assert [r["id"] for r in screened] == [answer["id"]]
        assert screened[0]["screenings"][0]["performance"] == PERFORMANCE
    finally:
        server.stop()


def test_a_generated_token_is_kept_across_restarts(tmp_path: Path) -> None:
    data = tmp_path / "data"
    server = CatalogueProcess(data, empty=True, token=None).start()
    try:
        token = (data / "token").read_text().strip()
        assert len(token) >= 32 and (data / "token").stat().st_mode & 0o077 == 0
        assert (
            post(
                server, "/contributions", "k1", {"items": [text_item("s1")]}, token="wrong"
            ).status_code
            == 401
        )
    finally:
        server.stop()
    server = CatalogueProcess(data, empty=True, token=None).start()
    try:
        assert (data / "token").read_text().strip() == token
        resp = post(server, "/contributions", "k1", {"items": [text_item("s1")]}, token=token)
        assert resp.status_code == 201, resp.text
    finally:
        server.stop()
