"""Idempotency-Key on the batch routes: a repeat gets the first answer, another body is 422,
a repeat while the first still runs is 409, a refused batch frees its key, a dead server's
claim is taken over, and an origin sent again under a new key is not stored twice."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest

from liveshow.catalogue import writing
from tests.test_catalogue_structure import (
    AUTH,
    catalogue_app,
    client,
    make_app,
    origin,
    table_counts,
    text_item,
)

__all__ = ["catalogue_app", "client"]


def post(client: Any, key: str, body: Any, path: str = "/api/v1/contributions") -> Any:
    return client.post(path, json=body, headers={**AUTH, "Idempotency-Key": key})


def test_the_same_key_and_body_get_the_first_answer(client: Any, tmp_path: Path) -> None:
    first = post(client, "k1", {"items": [text_item("s1")]})
    assert first.status_code == 201
    counts = table_counts(tmp_path / "catalogue")
    again = post(client, "k1", {"items": [text_item("s1")]})
    assert (again.status_code, again.get_json()) == (201, first.get_json())
    assert table_counts(tmp_path / "catalogue") == counts


def test_a_repeat_with_reordered_json_is_the_same_body(client: Any) -> None:
    item = text_item("s1")
    first = post(client, "k1", {"items": [item]})
    reordered = {"items": [dict(reversed(list(item.items())))]}
    assert post(client, "k1", reordered).get_json() == first.get_json()


def test_the_same_key_with_another_body_is_422_and_changes_nothing(
    client: Any, tmp_path: Path
) -> None:
    assert post(client, "k1", {"items": [text_item("s1")]}).status_code == 201
    counts = table_counts(tmp_path / "catalogue")
    resp = post(client, "k1", {"items": [text_item("s2")]})
    assert resp.status_code == 422 and "another body" in resp.get_json()["error"]
    assert table_counts(tmp_path / "catalogue") == counts


def test_keys_are_per_route(client: Any) -> None:
    assert post(client, "k1", {"items": [text_item("s1")]}).status_code == 201
    perf = {"items": [{"id": "perf-test-1"}]}
    assert post(client, "k1", perf, "/api/v1/performances").status_code == 201


def test_a_repeat_while_the_first_is_running_is_409(
    catalogue_app: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    entered, release = threading.Event(), threading.Event()
    real = writing.apply_contributions

    def slow(*args: Any) -> Any:
        entered.set()
        assert release.wait(30)  # bounded: the test releases it right after its checks
        return real(*args)

    monkeypatch.setattr(writing, "apply_contributions", slow)
    body = {"items": [text_item("s1")]}
    results: list[Any] = []
    first = threading.Thread(
        target=lambda: results.append(post(catalogue_app.test_client(), "k1", body))
    )
    first.start()
    try:
        assert entered.wait(30)
        repeat = post(catalogue_app.test_client(), "k1", body)
        assert repeat.status_code == 409 and "still running" in repeat.get_json()["error"]
        other = post(catalogue_app.test_client(), "k1", {"items": [text_item("s2")]})
        assert other.status_code == 422
    finally:
        release.set()
        first.join(30)
    assert results[0].status_code == 201
    assert post(catalogue_app.test_client(), "k1", body).get_json() == results[0].get_json()


def test_a_refused_batch_frees_its_key_for_a_fixed_retry(client: Any) -> None:
    child = text_item("s2", parents=[{"origin": origin("s1"), "role": "reply"}])
    refused = post(client, "k2", {"items": [child]})
    assert refused.status_code == 422 and "send it first" in refused.get_json()["error"]
    assert post(client, "k1", {"items": [text_item("s1")]}).status_code == 201
    retried = post(client, "k2", {"items": [child]})
    assert retried.status_code == 201, retried.get_json()


def test_a_claim_left_by_a_crashed_server_is_taken_over(tmp_path: Path) -> None:
    data = tmp_path / "catalogue"
    crashed = make_app(data)
    cat = crashed.extensions["catalogue"]
    body = {"items": [text_item("s1")]}
    from liveshow.catalogue.idempotency import body_fingerprint

    assert cat.keys.claim("contributions", "k1", body_fingerprint(body)) is None
    cat.db.close()  # the server "dies" with the key still running
    restarted = make_app(data).test_client()
    assert post(restarted, "k1", body).status_code == 201


def test_an_origin_sent_again_under_a_new_key_is_not_stored_twice(
    client: Any, tmp_path: Path
) -> None:
    first = post(client, "k1", {"items": [text_item("s1")]}).get_json()["records"][0]
    counts = table_counts(tmp_path / "catalogue")
    again = post(client, "k2", {"items": [text_item("s1")]})
    assert again.status_code == 201
    [answer] = again.get_json()["records"]
    assert answer["id"] == first["id"] and answer["created"] is False
    counts_after = table_counts(tmp_path / "catalogue")
    assert counts_after["records"] == counts["records"]
    assert counts_after["idempotency_keys"] == counts["idempotency_keys"] + 1
