"""Photo intake off the event loop (issue 10). A photo decoded at a reduced size still comes
out 1920 px on its long side and upright; bad files are refused as before and write
nothing; the writer that commits off the loop answers only once a row is committed, loses
nothing in a burst, and one change's failure does not undo the others in its transaction."""

from __future__ import annotations

import os
import sqlite3
import sys
import threading
import time
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pytest

from liveshow.media.imaging import clean_image, decode_flags
from liveshow.store.database import Store
from liveshow.store.writer import Writer, insert
from liveshow.workers import in_background
from tests.helpers.crew import goto
from tests.helpers.phone import Phone
from tests.helpers.samples import jpeg, jpeg_with_orientation
from tests.helpers.shows import PROMPT_SHOW
from tests.helpers.waiting import wait_until

pytestmark = pytest.mark.show(PROMPT_SHOW)


def stored(app: Any) -> tuple[int, list[str]]:
    rt = app.extensions["liveshow"]
    rows = rt.store.db.execute("select count(*) from submissions").fetchone()[0]
    return rows, sorted(p.name for p in (rt.data_dir / "media").iterdir())


def committed(app: Any, sub_id: str) -> bool:
    """Visible to a connection of its own: committed, not just written."""
    path = app.extensions["liveshow"].store.path
    with sqlite3.connect(str(path)) as conn:
        return (
            conn.execute("select 1 from submissions where id = ?", [sub_id]).fetchone() is not None
        )


def test_a_12_megapixel_photo_is_stored_at_1920_px_and_upright(
    app: Any, crew: Any, joined_phone: Phone, client: Any
) -> None:
    goto(crew, "ask-photo")
    sideways = jpeg_with_orientation(4000, 3000, 6)  # stored landscape, shown portrait
    response = joined_phone.upload(client, "photo-12mp-0001", "ask-photo", "photo", sideways)
    assert response.status_code == 201, response.get_json()
    row = app.extensions["liveshow"].submissions.get("photo-12mp-0001")
    assert (row["width"], row["height"]) == (1440, 1920)
    data = client.get(f"/media/{row['media_sha256']}").data
    pixels = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
    assert pixels.shape[:2] == (1920, 1440)
    # turned a quarter clockwise: the stored top (red) is now the right-hand edge
    assert pixels[960, -20, 2] > 200 and pixels[960, -20, 0] < 60
    assert pixels[960, 20, 2] < 60


@pytest.mark.parametrize(
    "width, height, flags",
    [
        (3000, 2000, cv2.IMREAD_COLOR),  # half would be 1500 px: decoded whole
        (3838, 400, cv2.IMREAD_COLOR),  # half would be 1919 px
        (3839, 400, cv2.IMREAD_REDUCED_COLOR_2),  # half is 1919.5, rounded up to 1920
        (4032, 3024, cv2.IMREAD_REDUCED_COLOR_2),  # a phone's 12 MP
        (400, 7676, cv2.IMREAD_REDUCED_COLOR_2),  # a quarter would be 1919 px
        (7677, 400, cv2.IMREAD_REDUCED_COLOR_4),  # a quarter is 1919.25: 1920
    ],
)
def test_a_reduced_decode_keeps_at_least_1920_px_on_the_long_side(
    width: int, height: int, flags: int
) -> None:
    data = jpeg(width, height)
    assert decode_flags("jpeg", width, height) == flags
    decoded = cv2.imdecode(np.frombuffer(data, np.uint8), flags)
    assert max(decoded.shape[:2]) >= 1920
    clean = clean_image(data)
    assert max(clean.width, clean.height) == 1920
    assert clean.width / clean.height == pytest.approx(width / height, rel=0.01)


def test_pngs_and_webps_are_decoded_whole() -> None:
    assert decode_flags("png", 8000, 4000) == cv2.IMREAD_UNCHANGED
    assert decode_flags("webp", 8000, 4000) == cv2.IMREAD_UNCHANGED


def test_a_cut_off_or_damaged_12_megapixel_jpeg_is_refused_and_writes_nothing(
    app: Any, crew: Any, joined_phone: Phone, client: Any
) -> None:
    goto(crew, "ask-photo")
    whole = jpeg(4032, 3024)
    before = stored(app)
    for sub_id, data, words in (
        ("cut-12mp-0001", whole[: len(whole) // 2], "truncated"),
        ("bad-head-0001", whole[:4] + b"\x00" * 40 + whole[44:], "damaged"),
    ):
        response = joined_phone.upload(client, sub_id, "ask-photo", "photo", data)
        assert response.status_code == 400, response.get_json()
        assert words in response.get_json()["error"]
    assert stored(app) == before


def test_a_malformed_form_is_refused_and_writes_nothing(
    app: Any, crew: Any, joined_phone: Phone, client: Any
) -> None:
    goto(crew, "ask-photo")
    before = stored(app)
    response = client.post(
        "/api/submissions",
        headers={"Authorization": f"Bearer {joined_phone.token}"},
        data=b'--x\r\nContent-Disposition: form-data; name="file"\r\n\r\n\xff\xd8 no end',
        content_type="multipart/form-data; boundary=x",
    )
    assert response.status_code == 400
    assert "no 'file'" in response.get_json()["error"]
    assert stored(app) == before


def test_a_burst_of_uploads_with_a_slow_writer_loses_none_and_every_ack_is_committed(
    app: Any, crew: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    goto(crew, "ask-photo")
    writer = app.extensions["liveshow"].submissions.writer
    commit = writer._commit

    def slow_commit(batch: list[Any]) -> None:  # a slow disk: every fsync takes its time
        time.sleep(0.05)
        commit(batch)

    monkeypatch.setattr(writer, "_commit", slow_commit)
    phones = [Phone(app, f"burst-phone-{i:04d}") for i in range(12)]
    for p in phones:
        assert p.join()["ok"]
    answers: dict[str, tuple[int, bool]] = {}

    def send(i: int, p: Phone) -> None:
        sub_id = f"burst-photo-{i:04d}"
        response = p.upload(app.test_client(), sub_id, "ask-photo", "photo", jpeg(800, 600))
        # checked the moment the answer arrives, before anyone else commits anything
        answers[sub_id] = (response.status_code, committed(app, sub_id))

    threads = [threading.Thread(target=send, args=(i, p)) for i, p in enumerate(phones)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert answers == {f"burst-photo-{i:04d}": (201, True) for i in range(12)}
    rows = (
        app.extensions["liveshow"]
        .store.db.execute(
            "select count(*), count(distinct seq) from submissions where id like 'burst-photo-%'"
        )
        .fetchone()
    )
    assert tuple(rows) == (12, 12)


@pytest.fixture
def database(tmp_path: Path) -> Path:
    Store(tmp_path / "show.db").close()  # the schema
    return tmp_path / "show.db"


def submission(sub_id: str) -> dict[str, Any]:
    return {"id": sub_id, "seq": int(sub_id.rsplit("-", 1)[1]), "device": "d", "kind": "photo"}


def test_changes_waiting_for_the_writer_share_one_transaction(database: Path) -> None:
    writer = Writer(database)
    batches: list[int] = []
    commit = writer._commit

    def counted(batch: list[Any]) -> None:
        batches.append(len(batch))
        commit(batch)

    writer._commit = counted  # type: ignore[method-assign]
    release = threading.Event()

    def first(conn: sqlite3.Connection) -> None:
        release.wait(30)  # holds the transaction while the others queue up
        insert(conn, "submissions", submission("s-1"))

    results: dict[str, Any] = {}

    def run(name: str, change: Any) -> None:
        try:
            results[name] = writer.run(change)
        except Exception as exc:
            results[name] = exc

    threads = [threading.Thread(target=run, args=("s-1", first))]
    threads[0].start()
    wait_until(lambda: batches == [1], timeout=10)
    for i in range(2, 11):
        sub_id = f"s-{i}"
        t = threading.Thread(
            target=run, args=(sub_id, lambda c, s=sub_id: insert(c, "submissions", submission(s)))
        )
        t.start()
        threads.append(t)
    # the tenth brings back s-1's id: it fails alone
    clash = threading.Thread(
        target=run, args=("clash", lambda c: insert(c, "submissions", submission("s-1")))
    )
    wait_until(lambda: len(writer._queue) == 9, timeout=10)
    clash.start()
    wait_until(lambda: len(writer._queue) == 10, timeout=10)
    release.set()
    for t in [*threads, clash]:
        t.join(30)
    assert batches == [1, 10]
    assert isinstance(results.pop("clash"), sqlite3.IntegrityError)
    assert results == {f"s-{i}": None for i in range(1, 11)}
    with sqlite3.connect(str(database)) as conn:
        ids = {r[0] for r in conn.execute("select id from submissions")}
    assert ids == {f"s-{i}" for i in range(1, 11)}
    writer.close()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="per-thread nice is Linux's")
def test_worker_threads_give_way_to_the_event_loop() -> None:
    base = os.getpriority(os.PRIO_PROCESS, 0)
    seen: list[int] = []
    worker = threading.Thread(
        target=lambda: seen.append(in_background(os.getpriority, os.PRIO_PROCESS, 0))
    )
    worker.start()
    worker.join(10)
    assert seen == [min(19, base + 10)]
    assert os.getpriority(os.PRIO_PROCESS, 0) == base  # this thread (the loop's) is untouched


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="per-thread nice is Linux's")
def test_the_writer_commits_at_the_loops_priority_not_the_workers(database: Path) -> None:
    """A transaction holds SQLite's write lock: a GO waits for it, so the thread holding it
    must not be the one the scheduler puts last."""
    base = os.getpriority(os.PRIO_PROCESS, 0)
    writer = Writer(database)
    writer.start()  # from this thread, as the submissions do from the loop
    seen: list[int] = []
    worker = threading.Thread(
        target=lambda: seen.append(
            in_background(writer.run, lambda conn: os.getpriority(os.PRIO_PROCESS, 0))
        )
    )
    worker.start()
    worker.join(10)
    assert seen == [base]
    writer.close()
