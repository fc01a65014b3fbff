"""HTTP routes: crew login and one-time links, display keys, join codes, state, QR, media."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.helpers import CREW_PASSWORD, DISPLAY_KEY, JOIN_CODE
from tests.helpers.app import make_app


def test_crew_dashboard_redirects_to_login_until_logged_in(client: Any) -> None:
    assert client.get("/crew").status_code == 302
    assert client.get("/crew/show.yaml").status_code == 302
    assert client.get("/api/preflight").status_code == 401
    bad = client.post("/crew/login", data={"password": "nope"})
    assert bad.status_code == 401 and b"Wrong password" in bad.data
    assert client.get("/crew").status_code == 302
    good = client.post("/crew/login", data={"password": CREW_PASSWORD})
    assert good.status_code == 302
    assert client.get("/crew").status_code == 200


def test_one_time_login_link_works_once(app: Any, client: Any) -> None:
    token = app.extensions["liveshow"].new_login_token()
    assert client.get(f"/crew/login?token={token}").status_code == 302
    assert client.get("/crew").status_code == 200
    other = app.test_client()
    reused = other.get(f"/crew/login?token={token}")
    assert reused.status_code == 403 and b"already used" in reused.data
    assert other.get("/crew").status_code == 302


def test_password_guessing_is_throttled(client: Any) -> None:
    codes = [
        client.post("/crew/login", data={"password": f"guess{i}"}).status_code for i in range(12)
    ]
    assert codes[:10] == [401] * 10 and codes[10:] == [429, 429]
    # even the right password is refused while throttled: guessing cannot find it
    assert client.post("/crew/login", data={"password": CREW_PASSWORD}).status_code == 429


def test_logout_ends_the_crew_session(client: Any) -> None:
    client.post("/crew/login", data={"password": CREW_PASSWORD})
    client.post("/crew/logout")
    assert client.get("/crew").status_code == 302


@pytest.mark.parametrize(
    "url, status",
    [
        (f"/display/main?key={DISPLAY_KEY}", 200),
        ("/display/main?key=wrong", 403),
        ("/display/main", 403),
        (f"/display/bad%20name?key={DISPLAY_KEY}", 400),
        (f"/join/{JOIN_CODE}", 200),
        ("/join/wrongcode", 404),
    ],
)
def test_pages_check_their_keys(client: Any, url: str, status: int) -> None:
    assert client.get(url).status_code == status


def test_state_has_the_protocol_fields(client: Any) -> None:
    state = client.get(f"/api/state?key={DISPLAY_KEY}").get_json()
    for field in ("rev", "mode", "cue", "cue_started_at", "server_time", "blackout", "prompt"):
        assert field in state
    assert state["next"]["id"] == "welcome"


def test_join_qr_code_is_an_svg_of_the_join_url(client: Any) -> None:
    response = client.get("/qr/join.svg")
    assert response.status_code == 200 and response.mimetype == "image/svg+xml"
    assert response.data.lstrip().startswith(b"<?xml") and b"<svg" in response.data
    assert (
        client.get(f"/api/state?key={DISPLAY_KEY}")
        .get_json()["join_url"]
        .endswith(f"/join/{JOIN_CODE}")
    )


def test_an_upload_without_an_audience_token_is_refused(client: Any) -> None:
    response = client.post("/api/submissions", data={"id": "x"})
    assert response.status_code == 401 and "join the show first" in response.get_json()["error"]


def test_unknown_media_is_404(client: Any) -> None:
    assert client.get("/media/" + "0" * 64).status_code == 404
    assert client.get("/media/../../etc/passwd").status_code == 404
    assert client.get("/media/not-a-hash").status_code == 404


def test_media_is_served_with_range_requests(tmp_path: Path, demo_show: Path) -> None:
    app = make_app(tmp_path / "data", demo_show)
    client = app.test_client()
    engine = app.extensions["liveshow"].engine
    video = next(c for c in engine.cues if c.type and c.type.value == "video")
    url = f"/media/{engine.media_of[video.id]}"
    whole = client.get(url)
    assert whole.status_code == 200 and whole.mimetype.startswith("video/")
    part = client.get(url, headers={"Range": "bytes=100-199"})
    assert part.status_code == 206
    assert part.data == whole.data[100:200]
    assert part.headers["Content-Range"] == f"bytes 100-199/{len(whole.data)}"
    assert client.get(url, headers={"Range": "bytes=999999999-"}).status_code == 416


def test_crew_can_export_the_show_file(client: Any) -> None:
    client.post("/crew/login", data={"password": CREW_PASSWORD})
    text = client.get("/crew/show.yaml").get_data(as_text=True)
    assert "title: Test show" in text and "id: welcome" in text
