"""The pages people browse, from a real catalogue process with the demo community: lists,
a record with its media and credits, the lineage graph several levels deep both ways, an
artist; and user text that reaches a page only as text."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import requests

from tests.test_catalogue_structure import (
    AUTH,
    CatalogueProcess,
    catalogue_app,
    client,
    demo_catalogue,
    text_item,
)

__all__ = ["catalogue_app", "client", "demo_catalogue"]


def page(server: CatalogueProcess, path: str) -> str:
    resp = requests.get(f"{server.url}{path}", timeout=10)
    assert resp.status_code == 200 and resp.headers["Content-Type"].startswith("text/html")
    return resp.text


def find_record(server: CatalogueProcess, title: str) -> dict[str, Any]:
    found = requests.get(f"{server.url}/api/v1/records", params={"limit": 500}, timeout=10).json()[
        "records"
    ]
    return next(r for r in found if r["title"] == title)


def test_collaborations_and_a_collaboration(demo_catalogue: CatalogueProcess) -> None:
    home = page(demo_catalogue, "/")
    for title in ("The Lighthouse Cat", "Harbour Songs", "Paper Boats"):
        assert title in home
    collab = page(demo_catalogue, "/collaborations/the-lighthouse-cat")
    assert "Green-screen take 3" in collab and "Jonas Lind" in collab


def test_a_record_page_plays_its_media_and_shows_credits_and_consent(
    demo_catalogue: CatalogueProcess,
) -> None:
    take = find_record(demo_catalogue, "Green-screen take 3")
    html = page(demo_catalogue, f"/records/{take['id']}")
    assert (
        f'<video controls preload="metadata" src="/api/v1/media/{take["media"]["sha256"]}"' in html
    )
    assert 'href="/artists/jonas"' in html and "performer" in html
    assert "Consent recorded for every contributor" in html
    assert "2026-11-01T19:30:00" not in html  # the badge says that, not when or who
    assert "0–1.5 s" in html and "1.5–3 s" in html  # the backgrounds' time ranges
    sound = find_record(demo_catalogue, "Lighthouse theme")
    assert "<audio controls" in page(demo_catalogue, f"/records/{sound['id']}")
    story = find_record(demo_catalogue, "The Lighthouse Cat")
    assert "lighthouse keeper" in page(demo_catalogue, f"/records/{story['id']}")


def _section(html: str, label: str) -> str:
    match = re.search(rf'<section aria-label="{label}">(.*?)</section>', html, re.DOTALL)
    assert match, label
    return match.group(1)


def test_the_lineage_graph_is_clickable_several_levels_deep(
    demo_catalogue: CatalogueProcess,
) -> None:
    animation = find_record(demo_catalogue, "The Lighthouse Cat (animation)")
    made_from = _section(page(demo_catalogue, f"/records/{animation['id']}"), "made from")
    for title in (
        "Lighthouse visuals",
        "Green-screen take 3",
        "Lighthouse theme",
        "The Lighthouse Cat, read aloud",
        "The cat on the rocks",
    ):
        assert title in made_from
    # the story is five links down: nested five lists deep
    story = find_record(demo_catalogue, "The Lighthouse Cat")
    before_story = made_from.split(f'href="/records/{story["id"]}"')[0]
    assert before_story.count('<ul class="tree">') - before_story.count("</ul>") >= 5
    used_in = _section(page(demo_catalogue, f"/records/{story['id']}"), "used in")
    for link in re.findall(r'href="(/records/\d+)"', used_in):
        assert requests.get(f"{demo_catalogue.url}{link}", timeout=10).status_code == 200
    assert f'href="/records/{animation["id"]}"' in used_in


def test_an_artist_page_lists_their_records_and_roles(demo_catalogue: CatalogueProcess) -> None:
    html = page(demo_catalogue, "/artists/ines")
    assert "Inês Faria" in html and "Lighthouse theme" in html and "Gull song" in html
    assert "music" in html


def test_user_text_reaches_pages_only_as_text(client: Any) -> None:
    evil = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    story = text_item("s1", text=evil)
    story["title"] = evil
    story["contributors"][0]["name"] = evil
    resp = client.post(
        "/api/v1/contributions", json={"items": [story]}, headers={**AUTH, "Idempotency-Key": "k1"}
    )
    record_id = resp.get_json()["records"][0]["id"]
    for path in (f"/records/{record_id}", "/collaborations/test-night", "/artists/ana"):
        html = client.get(path).get_data(as_text=True)
        assert "<script>alert" not in html and "<img src=x" not in html
        assert "&lt;script&gt;" in html


def test_an_empty_catalogue_starts_without_the_demo(tmp_path: Path) -> None:
    server = CatalogueProcess(tmp_path / "data", empty=True).start()
    try:
        assert "No collaborations yet." in page(server, "/")
    finally:
        server.stop()
