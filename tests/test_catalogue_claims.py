"""Credit people can claim and take back, on the catalogue: a claim link attaches a night's
work to an account once (the catalogue never holds the token), an existing account needs its
key, and a withdrawn record disappears from reads, lists and media while its lineage edges
stay, marked."""

from __future__ import annotations

import hashlib
import secrets
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from tests.test_catalogue_structure import (
    AUTH,
    PERFORMANCE,
    make_app,
    origin,
    table_counts,
    take_item,
    text_item,
    upload,
)


@pytest.fixture
def data(tmp_path: Path) -> Path:
    return tmp_path / "catalogue"


@pytest.fixture
def client(data: Path) -> Any:
    return make_app(data).test_client()


def post(client: Any, route: str, items: list[dict[str, Any]], key: str = "") -> Any:
    return client.post(
        f"/api/v1/{route}",
        json={"items": items},
        headers={**AUTH, "Idempotency-Key": key or secrets.token_hex(8)},
    )


def night_of(client: Any, token: str, handle: str = "aud-0123456789ab", *subs: str) -> None:
    """A night's stories by one phone, sent with its claim hash."""
    claim = hashlib.sha256(token.encode()).hexdigest()
    items = []
    for sub in subs or ("s-1", "s-2"):
        item = text_item(sub)
        item["contributors"] = [{"handle": handle, "name": "Ana", "role": "writer", "claim": claim}]
        item["consent"] = [
            {
                "artist": handle,
                "terms_version": "t1",
                "accepted_at": "2026-11-01T20:00:00+00:00",
                "terms_sha256": "a" * 64,
                "purposes": ["screening", "remix"],
            }
        ]
        items.append(item)
    assert post(client, "contributions", items).status_code == 201


def credits_of(client: Any, record_id: int) -> list[str]:
    return [c["artist"] for c in client.get(f"/api/v1/records/{record_id}").get_json()["credits"]]


def test_a_claim_link_attaches_the_nights_work_once_and_the_token_is_never_stored(
    client: Any, data: Path
) -> None:
    token = secrets.token_urlsafe(32)
    night_of(client, token)
    info = client.get(f"/api/v1/claims/{token}").get_json()
    assert info["claimed"] is False and len(info["records"]) == 2
    page = client.get(f"/claim/{token}")
    assert page.status_code == 200 and b"Claim your credit" in page.data
    assert page.headers["Referrer-Policy"] == "no-referrer"

    answer = client.post(f"/api/v1/claims/{token}", json={"handle": "ana-m", "name": "Ana M."})
    assert answer.status_code == 201, answer.get_json()
    claimed = answer.get_json()
    assert claimed["artist"] == "ana-m" and claimed["key"] and claimed["records"] == info["records"]
    for record_id in info["records"]:
        assert credits_of(client, record_id) == ["ana-m"]
        consent = client.get(f"/api/v1/records/{record_id}").get_json()["consent"]
        assert [c["artist"] for c in consent] == ["ana-m"]

    again = client.post(f"/api/v1/claims/{token}", json={"handle": "someone-else"})
    assert again.status_code == 409 and "already used" in again.get_json()["error"]
    assert credits_of(client, info["records"][0]) == ["ana-m"]
    assert b"Already claimed" in client.get(f"/claim/{token}").data

    # who claimed what and when is kept; the token and the key only as hashes
    db = sqlite3.connect(data / "catalogue.db")
    row = db.execute("select claimed_at, claimed_by from claims").fetchone()
    assert row[0] and row[1]
    dump = "\n".join(db.iterdump())
    assert token not in dump and claimed["key"] not in dump
    # later work of the same phone is credited to the claimant
    night_of(client, token, "aud-0123456789ab", "s-3")
    later = client.get("/api/v1/records", query_string={"artist": "ana-m"}).get_json()
    assert len(later["records"]) == 3


def test_claiming_into_an_existing_account_needs_its_key(client: Any) -> None:
    first, second = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    night_of(client, first, "aud-aaaaaaaaaaaa", "n1-a")
    key = client.post(f"/api/v1/claims/{first}", json={"handle": "kai"}).get_json()["key"]
    night_of(client, second, "aud-bbbbbbbbbbbb", "n2-a")
    for wrong in ({}, {"key": "not-it"}):
        refused = client.post(f"/api/v1/claims/{second}", json={"handle": "kai", **wrong})
        assert refused.status_code == 403 and "artist key" in refused.get_json()["error"]
    assert client.get(f"/api/v1/claims/{second}").get_json()["claimed"] is False
    ok = client.post(f"/api/v1/claims/{second}", json={"handle": "kai", "key": key})
    assert ok.status_code == 201 and ok.get_json()["key"] is None
    kai = client.get("/api/v1/records", query_string={"artist": "kai"}).get_json()["records"]
    assert len(kai) == 2


@pytest.mark.parametrize(
    "path, body, status, words",
    [
        ("/api/v1/claims/short", {"handle": "x"}, 404, "not known"),
        ("/api/v1/claims/" + "z" * 43, {"handle": "x"}, 404, "not known"),
        ("/api/v1/claims/{token}", {"handle": "aud-123"}, 400, "handle of your own"),
        ("/api/v1/claims/{token}", {"handle": "has space"}, 400, "handle"),
        ("/api/v1/claims/{token}", {"handle": "ok", "extra": 1}, 400, "extra"),
        ("/api/v1/claims/{token}", {"handle": "ok", "key": 5}, 400, "key"),
        ("/api/v1/claims/{token}", ["handle"], 400, "object"),
    ],
)
def test_a_bad_claim_is_refused_and_changes_nothing(
    client: Any, data: Path, path: str, body: Any, status: int, words: str
) -> None:
    token = secrets.token_urlsafe(32)
    night_of(client, token)
    before = table_counts(data)
    answer = client.post(path.format(token=token), json=body)
    assert answer.status_code == status and words in answer.get_json()["error"]
    assert table_counts(data) == before
    assert client.get(f"/api/v1/claims/{token}").get_json()["claimed"] is False


def withdrawal(submission: str = "", take: str = "", **extra: Any) -> dict[str, Any]:
    return {"origin": origin(submission, take), "at": "2026-11-01T22:00:00+00:00", **extra}


def test_a_withdrawn_record_is_hidden_and_its_lineage_edges_stay_marked(client: Any) -> None:
    photo = upload(client, b"\xff\xd8 a photo" + secrets.token_bytes(32))
    clip = upload(client, b"a take" + secrets.token_bytes(32))
    pic = text_item("p-1")
    pic.update(kind="picture", media={"sha256": photo, "mime": "image/jpeg"})
    del pic["text"]
    take = take_item("t-1", clip, [{"origin": origin("p-1"), "role": "background"}])
    stored = post(client, "contributions", [pic, take]).get_json()["records"]
    pic_id, take_id = stored[0]["id"], stored[1]["id"]

    key = "withdraw-p-1"
    answer = post(client, "withdrawals", [withdrawal("p-1", reason="changed my mind")], key)
    assert answer.status_code == 201
    assert answer.get_json()["withdrawn"][0]["ids"] == [pic_id]
    # the same key again: the first answer; withdrawing again under a new key: no change
    assert (
        post(client, "withdrawals", [withdrawal("p-1", reason="changed my mind")], key).get_json()
        == answer.get_json()
    )
    assert post(client, "withdrawals", [withdrawal("p-1")]).status_code == 201

    assert client.get(f"/api/v1/records/{pic_id}").status_code == 410
    assert client.get(f"/records/{pic_id}").status_code == 410
    assert client.get(f"/api/v1/media/{photo}").status_code == 410
    listed = client.get("/api/v1/records", query_string={"performance": PERFORMANCE}).get_json()
    assert [r["id"] for r in listed["records"]] == [take_id]
    kept = client.get(f"/api/v1/records/{take_id}?lineage=1").get_json()
    assert kept["parents"] == [
        {"record": pic_id, "role": "background", "start": None, "end": None, "withdrawn": True}
    ]
    node = next(r for r in kept["lineage"]["records"] if r["id"] == pic_id)
    assert node["withdrawn"] is True and "withdrawn" in node["title"]
    assert client.get(f"/api/v1/media/{clip}").status_code == 200
    assert client.get(f"/records/{take_id}").status_code == 200


def test_a_withdrawal_naming_nothing_stored_withdraws_nothing(client: Any, data: Path) -> None:
    assert post(client, "contributions", [text_item("w-1")]).status_code == 201
    before = table_counts(data)
    answer = post(client, "withdrawals", [withdrawal("w-1"), withdrawal("never-sent")])
    assert answer.status_code == 422 and "items[1].origin" in answer.get_json()["error"]
    assert table_counts(data) == before
    for bad in ([{"origin": origin("w-1")}], [{"origin": origin("w-1"), "at": "x"}]):
        assert post(client, "withdrawals", bad).status_code == 400
    no_token = client.post(
        "/api/v1/withdrawals", json={"items": [withdrawal("w-1")]}, headers={"Idempotency-Key": "k"}
    )
    assert no_token.status_code == 401
    assert table_counts(data) == before
