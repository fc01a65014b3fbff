"""A full disk mid-show: every write the server tries fails, and then space comes back.
While full, a phone's story, a GO, a GO TO, a cue edit and a photo's database write are
each answered with an error and change nothing, in the database or in memory (a refused GO
TO does not mark its cue played); once there is space again, the same story and photo
(same ids) are stored once, GO and edits work, and the database is whole.

The disk is filled by setting the server process's file-size limit to what its largest file
holds: the WAL, which every commit grows, so every commit fails (EFBIG, where a real disk
says ENOSPC; SQLite answers both as a failed write). A photo's file is smaller than that
limit, so only its database write fails."""

from __future__ import annotations

import hashlib
import os
import resource
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import requests

from tests.helpers import CAMERA_KEY
from tests.helpers.crew import Crew
from tests.helpers.phone import LivePhone, new_id
from tests.helpers.samples import jpeg, made_by_ffmpeg
from tests.helpers.server import ServerProcess
from tests.helpers.shows import ONE_CUE_SHOW, write_show

CAMERA = {"Authorization": f"Bearer {CAMERA_KEY}"}


def disk_full(srv: ServerProcess, full: bool, room: int | None = None) -> None:
    """No file of the server may grow past what the largest holds now, or past ``room``
    bytes (or: no limit)."""
    assert srv.proc is not None
    hard = resource.prlimit(srv.proc.pid, resource.RLIMIT_FSIZE)[1]  # kept: no privilege
    if full:
        largest = max(p.stat().st_size for p in srv.data.rglob("*") if p.is_file())
        # the WAL grows with every commit; were another file larger, commits would pass
        assert (srv.data / "show.db-wal").stat().st_size == largest
        limit = largest if room is None else room
        resource.prlimit(srv.proc.pid, resource.RLIMIT_FSIZE, (limit, hard))
    else:
        resource.prlimit(srv.proc.pid, resource.RLIMIT_FSIZE, (hard, hard))


def upload_photo(srv: ServerProcess, phone: LivePhone, sub_id: str) -> requests.Response:
    return upload(srv, phone, sub_id, "ask-photo", "photo", ("photo.jpg", jpeg(), "image/jpeg"))


def upload(
    srv: ServerProcess,
    phone: LivePhone,
    sub_id: str,
    prompt: str,
    kind: str,
    file: tuple[str, bytes, str],
) -> requests.Response:
    return requests.post(
        srv.url + "/api/submissions",
        headers={"Authorization": "Bearer " + phone.token},
        data={"id": sub_id, "prompt": prompt, "kind": kind},
        files={"file": file},
        timeout=30,
    )


def cue_state(srv: ServerProcess, cue_id: str) -> str:
    """A cue's state as the server holds it: what a dashboard that connects now is sent."""
    fresh = Crew(srv)
    try:
        cues = fresh.wait_for("state")["cues"]
    finally:
        fresh.close()
    return str(next(c for c in cues if c["id"] == cue_id)["state"])


def test_a_full_disk_refuses_each_write_clearly_and_the_show_goes_on_when_space_returns(
    prompt_server: ServerProcess, prompt_crew: Crew, phone_of: Any
) -> None:
    srv, crew, phone = prompt_server, prompt_crew, phone_of(prompt_server)
    assert crew.call("goto", {"cue": "ask-text"})["ok"]
    rev = srv.state()["rev"]
    story = new_id()
    disk_full(srv, True)
    try:
        refused_story = phone.text("ask-text", "Written on a full disk", story)
        refused_go = crew.call("go", {})
        refused_goto = crew.call("goto", {"cue": "roll"})
        refused_edit = crew.call("cue_update", {"id": "hello", "cue": {"title": "Renamed"}})
    finally:
        disk_full(srv, False)
    for ack in (refused_story, refused_go, refused_goto, refused_edit):
        assert ack["ok"] is False and ack["error"], ack
    assert refused_story["retry"] is True  # the phone keeps the story and sends it again
    assert srv.state()["rev"] == rev
    assert srv.state()["cue"]["id"] == "ask-text"
    assert srv.rows("select id from submissions where id = ?", (story,)) == []
    assert cue_state(srv, "roll") == "idle", "a refused GO TO left its cue played"

    # Space again: the phone sends the same story again, and the crew carries on.
    again = phone.text("ask-text", "Written on a full disk", story)
    assert again["ok"], again
    assert len(srv.rows("select id from submissions where id = ?", (story,))) == 1
    assert crew.call("cue_update", {"id": "hello", "cue": {"title": "Renamed"}})["ok"]
    assert crew.call("go", {})["ok"]
    assert srv.state()["cue"]["id"] == "text-wall"

    # A photo over HTTP: 503 in JSON with retry (the phone keeps it), then stored once.
    assert crew.call("goto", {"cue": "ask-photo"})["ok"]
    photo = new_id()
    disk_full(srv, True)
    try:
        refused = upload_photo(srv, phone, photo)
    finally:
        disk_full(srv, False)
    assert refused.status_code == 503 and refused.json()["retry"] is True, refused.text
    assert "could not save" in refused.json()["error"]
    assert upload_photo(srv, phone, photo).status_code == 201
    assert len(srv.rows("select id from submissions where id = ?", (photo,))) == 1
    assert [tuple(r) for r in srv.rows("pragma integrity_check")] == [("ok",)]


def test_a_photo_whose_file_cannot_be_written_is_a_503_in_json_and_leaves_no_part_behind(
    prompt_server: ServerProcess, prompt_crew: Crew, phone_of: Any
) -> None:
    """The disk full before the photo's own file is written (a real full disk): the file
    write fails, not only the database's, and is answered like it."""
    srv, crew, phone = prompt_server, prompt_crew, phone_of(prompt_server)
    assert crew.call("goto", {"cue": "ask-photo"})["ok"]
    photo = new_id()
    media = srv.data / "media"
    before = sorted(p.name for p in media.iterdir())
    disk_full(srv, True, room=512)  # smaller than the photo's cleaned file
    try:
        refused = upload_photo(srv, phone, photo)
    finally:
        disk_full(srv, False)
    assert refused.status_code == 503, refused.text
    assert refused.headers["Content-Type"] == "application/json"
    assert refused.json()["retry"] is True and "disk is full" in refused.json()["error"]
    assert refused.headers["Retry-After"] == "5"
    assert sorted(p.name for p in media.iterdir()) == before, "a part of the photo was left"
    assert srv.rows("select id from submissions where id = ?", (photo,)) == []
    assert upload_photo(srv, phone, photo).status_code == 201
    assert len(srv.rows("select id from submissions where id = ?", (photo,))) == 1
    assert [tuple(r) for r in srv.rows("pragma integrity_check")] == [("ok",)]


def big_take(folder: Path) -> bytes:
    """A take of a few MB (far larger than the server's database files), as an agent sends."""
    source = "testsrc2=s=640x360:r=25:d=6"
    return made_by_ffmpeg(folder / "take.mp4", source, "-c:v", "mpeg4", "-q:v", "1").read_bytes()


def test_a_take_upload_cut_by_a_full_disk_resumes_from_what_was_kept_to_the_exact_bytes(
    server_factory: Callable[..., ServerProcess], tmp_path: Path
) -> None:
    srv = server_factory(
        write_show(tmp_path, ONE_CUE_SHOW), extra_env={"LIVESHOW_CAMERA_KEY": CAMERA_KEY}
    )
    take = big_take(tmp_path)
    sha = hashlib.sha256(take).hexdigest()
    url = f"{srv.url}/api/media/{sha}"
    largest = max(p.stat().st_size for p in srv.data.rglob("*") if p.is_file())
    room = largest + 256 * 1024  # the upload's row commits; its file fills the disk
    assert room < len(take) // 2
    disk_full(srv, True, room=room)
    try:
        cut = requests.put(
            url,
            data=take,
            headers={**CAMERA, "Content-Range": f"bytes 0-{len(take) - 1}/{len(take)}"},
            timeout=30,
        )
    finally:
        disk_full(srv, False)
    assert cut.status_code == 503 and cut.json()["retry"] is True, cut.text
    assert "disk is full" in cut.json()["error"]
    head = requests.head(url, headers=CAMERA, timeout=10)
    kept = int(head.headers["Upload-Offset"])
    assert 0 < kept <= room and head.status_code != 200, head.headers
    rest = requests.put(
        url,
        data=take[kept:],
        headers={**CAMERA, "Content-Range": f"bytes {kept}-{len(take) - 1}/{len(take)}"},
        timeout=30,
    )
    assert rest.status_code == 201, rest.text
    assert requests.get(f"{srv.url}/media/{sha}", timeout=10).content == take
    assert not list((srv.data / "uploads").glob("*.part"))


def opus_sound(folder: Path) -> bytes:
    """A 5 s recording as a phone's browser makes one (WebM/Opus at a low rate): smaller
    than the AAC the server converts it to."""
    path = made_by_ffmpeg(folder / "sound.webm", "sine=f=440:d=5", "-c:a", "libopus", "-b:a", "12k")
    return path.read_bytes()


def test_a_sound_that_cannot_be_converted_for_want_of_space_is_kept_for_a_retry_not_refused(
    prompt_server: ServerProcess, prompt_crew: Crew, phone_of: Any, tmp_path: Path
) -> None:
    """The recording arrives, but its conversion cannot be written: that is the server's
    disk, not a damaged recording, so the phone is told to try again (a 4xx would make it
    give the sound up)."""
    srv, crew, phone = prompt_server, prompt_crew, phone_of(prompt_server)
    assert crew.call("goto", {"cue": "ask-sound"})["ok"]
    sound = ("sound.webm", opus_sound(tmp_path), "audio/webm")
    sub_id = new_id()
    disk_full(srv, True, room=len(sound[1]) + 8 * 1024)  # the upload fits, the AAC does not
    try:
        refused = upload(srv, phone, sub_id, "ask-sound", "audio", sound)
    finally:
        disk_full(srv, False)
    assert refused.status_code == 503 and refused.json()["retry"] is True, refused.text
    assert "disk is full" in refused.json()["error"]
    assert srv.rows("select id from submissions where id = ?", (sub_id,)) == []
    again = upload(srv, phone, sub_id, "ask-sound", "audio", sound)
    assert again.status_code == 201, again.text
    (row,) = srv.rows("select media_sha256 from submissions where id = ?", (sub_id,))
    assert requests.get(f"{srv.url}/media/{row[0]}", timeout=10).content[4:8] == b"ftyp"


def test_temporary_files_live_in_the_data_folder_and_a_killed_servers_are_cleared(
    server_factory: Callable[..., ServerProcess], tmp_path: Path
) -> None:
    """Uploads being received and sounds being converted go to <data>/tmp, on the disk the
    crew watches, not /tmp; what a killed server left there long ago is cleared at start,
    and what is recent (another worker's) is left alone."""
    data = tmp_path / "data"
    (data / "tmp").mkdir(parents=True)
    old = data / "tmp" / "liveshow-audio-left"
    old.mkdir()
    (old / "in.webm").write_bytes(b"x" * 1000)
    os.utime(old, (time.time() - 7200, time.time() - 7200))
    recent = data / "tmp" / "liveshow-audio-busy"
    recent.mkdir()
    srv = server_factory(write_show(tmp_path, ONE_CUE_SHOW), data=data)
    assert srv.state()["show"]["title"] == "T"
    assert sorted(p.name for p in (data / "tmp").iterdir()) == ["liveshow-audio-busy"]
