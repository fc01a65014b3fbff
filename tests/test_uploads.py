"""Uploads from phones: hostile files get a clear 4xx and store nothing; good ones are
cleaned of all metadata; a repeated id gets the first answer."""

from __future__ import annotations

from typing import Any

import cv2
import numpy as np
import pytest

from tests.helpers.crew import goto
from tests.helpers.phone import Phone
from tests.helpers.samples import SVG_WITH_SCRIPT, jpeg, jpeg_with_metadata, png_bomb, png_rgba, wav
from tests.helpers.shows import PROMPT_SHOW

pytestmark = pytest.mark.show(PROMPT_SHOW)


def stored(app: Any) -> tuple[int, int]:
    rt = app.extensions["liveshow"]
    rows = rt.store.db.execute("select count(*) from submissions").fetchone()[0]
    return rows, len(list((rt.data_dir / "media").iterdir()))


def test_a_photo_is_stored_re_encoded_with_a_thumbnail(
    app: Any, crew: Any, joined_phone: Phone, client: Any
) -> None:
    goto(crew, "ask-photo")
    response = joined_phone.upload(client, "photo-00000001", "ask-photo", "photo", jpeg(3000, 2000))
    assert response.status_code == 201
    assert response.get_json() == {"id": "photo-00000001", "status": "pending"}
    row = app.extensions["liveshow"].submissions.get("photo-00000001")
    assert (row["width"], row["height"]) == (1920, 1280)  # downscaled to 1920 px
    assert row["handle"] == "Ana" and row["terms_version"] and row["consented_at"]
    thumb = client.get(f"/media/{row['thumb_sha256']}")
    assert thumb.status_code == 200 and thumb.mimetype == "image/jpeg"


def test_gps_exif_xmp_and_comments_do_not_survive(
    app: Any, crew: Any, joined_phone: Phone, client: Any
) -> None:
    goto(crew, "ask-photo")
    original = jpeg_with_metadata()
    assert b"Exif" in original and b"secret-xmp" in original
    assert cv2.imdecode(np.frombuffer(original, np.uint8), cv2.IMREAD_COLOR) is not None
    assert (
        joined_phone.upload(client, "photo-gps-0001", "ask-photo", "photo", original).status_code
        == 201
    )
    row = app.extensions["liveshow"].submissions.get("photo-gps-0001")
    for sha in (row["media_sha256"], row["thumb_sha256"]):
        data = client.get(f"/media/{sha}").data
        assert data[:2] == b"\xff\xd8"
        for marker in (
            b"Exif",
            b"GPS",
            b"secret-xmp",
            b"xmpmeta",
            b"secret-comment",
            b"\xff\xe1",
            b"\xff\xfe",
        ):
            assert marker not in data, marker


def test_a_drawing_keeps_its_transparency(
    app: Any, crew: Any, joined_phone: Phone, client: Any
) -> None:
    goto(crew, "ask-drawing")
    assert (
        joined_phone.upload(
            client, "draw-00000001", "ask-drawing", "drawing", png_rgba(), "moon.png"
        ).status_code
        == 201
    )
    row = app.extensions["liveshow"].submissions.get("draw-00000001")
    data = client.get(f"/media/{row['media_sha256']}").data
    decoded = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_UNCHANGED)
    assert decoded.shape[2] == 4 and decoded[0, 150, 3] == 0  # still transparent
    thumb = client.get(f"/media/{row['thumb_sha256']}").data
    corner = cv2.imdecode(np.frombuffer(thumb, np.uint8), cv2.IMREAD_COLOR)[0, -1]
    # flattened onto the phone's slate pad, where light "chalk" strokes stay visible
    assert all(abs(int(c) - want) <= 6 for c, want in zip(corner, (0x3A, 0x2F, 0x2B), strict=True))


@pytest.mark.parametrize(
    "name, data, status, words",
    [
        (
            "photo.jpg",
            b"this is not a picture at all, just text pretending" * 10,
            415,
            "not a picture",
        ),
        ("bomb.png", png_bomb(), 413, "too large"),
        ("cut.jpg", jpeg()[:3000], 400, "truncated"),
        ("evil.svg", SVG_WITH_SCRIPT, 415, "SVG"),
        ("evil.jpg", SVG_WITH_SCRIPT, 415, "SVG"),
        ("empty.jpg", b"", 400, "empty"),
        ("gif.gif", b"GIF89a" + b"\x00" * 100, 415, "GIF"),
    ],
)
def test_hostile_images_are_refused_and_store_nothing(
    app: Any,
    crew: Any,
    joined_phone: Phone,
    client: Any,
    name: str,
    data: bytes,
    status: int,
    words: str,
) -> None:
    goto(crew, "ask-photo")
    before = stored(app)
    response = joined_phone.upload(client, "bad-upload-01", "ask-photo", "photo", data, name)
    assert response.status_code == status, response.get_json()
    assert words in response.get_json()["error"]
    assert stored(app) == before


def test_a_repeated_id_gets_the_first_answer_and_a_different_body_is_refused(
    app: Any, crew: Any, joined_phone: Phone, client: Any
) -> None:
    goto(crew, "ask-photo")
    first = joined_phone.upload(client, "same-id-00001", "ask-photo", "photo", jpeg())
    again = joined_phone.upload(client, "same-id-00001", "ask-photo", "photo", jpeg())
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.get_json() == again.get_json()
    rows = stored(app)
    other = joined_phone.upload(
        client, "same-id-00001", "ask-photo", "photo", jpeg(colour=(1, 2, 3))
    )
    assert other.status_code == 409 and "already used" in other.get_json()["error"]
    assert stored(app) == rows


@pytest.mark.parametrize("token, status", [("", 401), ("not-a-real-token-at-all", 401)])
def test_uploads_need_an_audience_token(
    app: Any, crew: Any, joined_phone: Phone, client: Any, token: str, status: int
) -> None:
    goto(crew, "ask-photo")
    response = joined_phone.upload(
        client, "no-token-0001", "ask-photo", "photo", jpeg(), token=token
    )
    assert response.status_code == status


def test_uploads_to_a_closed_or_wrong_prompt_are_refused(
    app: Any, crew: Any, joined_phone: Phone, client: Any
) -> None:
    response = joined_phone.upload(client, "closed-000001", "ask-photo", "photo", jpeg())
    assert response.status_code == 409 and "not open" in response.get_json()["error"]
    goto(crew, "ask-photo")
    wrong = joined_phone.upload(client, "wrong-kind-01", "ask-photo", "drawing", png_rgba())
    assert wrong.status_code == 409 and "asks for photo" in wrong.get_json()["error"]
    bad_kind = joined_phone.upload(client, "bad-kind-0001", "ask-photo", "video", jpeg())
    assert bad_kind.status_code == 400


def test_a_recording_is_converted_and_a_long_one_refused(
    app: Any, crew: Any, joined_phone: Phone, client: Any
) -> None:
    goto(crew, "ask-sound")
    ok = joined_phone.upload(client, "sound-0000001", "ask-sound", "audio", wav(2.0), "rec.wav")
    assert ok.status_code == 201, ok.get_json()
    row = app.extensions["liveshow"].submissions.get("sound-0000001")
    assert row["mime"] == "audio/mp4" and 1.8 < row["duration"] < 2.3
    before = stored(app)
    long = joined_phone.upload(client, "sound-0000002", "ask-sound", "audio", wav(9.0), "long.wav")
    assert long.status_code == 413 and "limit is 5 s" in long.get_json()["error"]
    junk = joined_phone.upload(client, "sound-0000003", "ask-sound", "audio", jpeg(), "rec.m4a")
    assert junk.status_code == 415
    assert stored(app) == before


def test_upload_flood_from_one_phone_is_cut_off(
    app: Any, crew: Any, joined_phone: Phone, client: Any
) -> None:
    goto(crew, "ask-photo")
    app.extensions["liveshow"].limiter.clock = lambda: 1000.0  # no refill
    small = jpeg(64, 64)
    codes = [
        joined_phone.upload(client, f"flood-{i:08d}", "ask-photo", "photo", small).status_code
        for i in range(10)
    ]
    assert codes == [201] * 6 + [429] * 4
