"""A small demo night on the in-process app, for the report and the archive: phones join and
send stories, photos and votes, the crew approves, features and rejects, a take is filmed
over two of the photos (one of them rejected), and the crew walks the cue list."""

from __future__ import annotations

import hashlib
import os
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from click.testing import CliRunner, Result

from liveshow.cli import main
from liveshow.extensions import socketio
from tests.helpers import CAMERA_KEY, CREW_PASSWORD
from tests.helpers.app import make_app
from tests.helpers.phone import Phone
from tests.helpers.samples import jpeg
from tests.helpers.shows import write_show

NIGHT_SHOW = """\
title: Report night
cues:
  - {id: hello, kind: title, title: Hello}
  - {id: ask-text, kind: prompt, prompt: {kind: text, question: "A tiny story", max_length: 80}}
  - {id: text-wall, kind: wall, source: ask-text}
  - {id: ask-photo, kind: prompt, prompt: {kind: photo, question: "Something blue"}}
  - {id: photo-wall, kind: wall, source: ask-photo}
  - {id: ask-vote, kind: prompt, prompt: {kind: vote, question: "Which?", options: [A, B]}}
  - {id: results, kind: poll, source: ask-vote}
  - {id: replay, kind: replay}
  - {id: roll, kind: credits, title: Thanks}
  - id: together
    kind: group
    title: Together
    cues:
      - {id: together-picture, kind: record, title: Harbour, type: image, media: harbour.jpg}
      - {id: together-words, kind: title, title: Goodnight}
"""
HANDLES = ("Ana", "Ben", "Cleo", "Dev")
# (phone, story, what the crew does with it); None = left waiting
STORIES = (
    (0, "A lighthouse that forgot its light", "approve"),
    (1, "Something rude", "reject"),
    (2, "The tide came in with a letter", "feature"),
    (3, "A cat on the ferry", None),
)
PHOTOS = ((0, "approve"), (1, "reject"), (2, "approve"))


@dataclass
class DemoNight:
    data: Path
    app: Any
    approved: dict[str, str] = field(default_factory=dict)  # submission -> handle
    rejected: list[str] = field(default_factory=list)
    pending: list[str] = field(default_factory=list)
    take: str = ""
    photo_shas: list[str] = field(default_factory=list)


def make_night(folder: Path, clip: Path) -> DemoNight:
    """The night in ``folder / "data"``; ``clip`` is a playable video for the take."""
    (folder / "harbour.jpg").write_bytes(jpeg(colour=(20, 40, 90)))
    app = make_app(
        folder / "data", write_show(folder, NIGHT_SHOW, "night.yaml"), camera_key=CAMERA_KEY
    )
    night = DemoNight(folder / "data", app)
    http = app.test_client()
    crew = socketio.test_client(app, namespace="/crew", auth={"password": CREW_PASSWORD})

    def crew_says(event: str, data: dict[str, Any]) -> dict[str, Any]:
        ack = crew.emit(event, data, namespace="/crew", callback=True)
        assert ack["ok"], ack
        return ack  # type: ignore[no-any-return]

    def decide(sub_id: str, handle: str, action: str | None) -> None:
        if action is None:
            night.pending.append(sub_id)
            return
        crew_says("moderate", {"submission": sub_id, "action": action})
        if action == "reject":
            night.rejected.append(sub_id)
        else:
            night.approved[sub_id] = handle

    phones = [Phone(app, f"report-night-phone-{i:02d}") for i in range(len(HANDLES))]
    for phone, handle in zip(phones, HANDLES, strict=True):
        assert phone.join(handle)["ok"]
    crew_says("goto", {"cue": "hello"})
    crew_says("goto", {"cue": "ask-text"})
    for n, (who, text, action) in enumerate(STORIES):
        sub_id = f"story-{n:04d}-report"
        data = {"id": sub_id, "prompt": "ask-text", "kind": "text", "text": text}
        assert phones[who].emit("submit", data)["ok"]
        decide(sub_id, HANDLES[who], action)
    crew_says("goto", {"cue": "text-wall"})
    crew_says("goto", {"cue": "ask-photo"})
    for n, (who, action) in enumerate(PHOTOS):
        sub_id = f"photo-{n:04d}-report"
        picture = jpeg(colour=(40 * n, 80, 200))
        assert phones[who].upload(http, sub_id, "ask-photo", "photo", picture).status_code == 201
        decide(sub_id, HANDLES[who], action)
    crew_says("goto", {"cue": "photo-wall"})
    crew_says("goto", {"cue": "ask-vote"})
    for who, option in ((0, "A"), (1, "B"), (2, "A")):
        vote = {"id": f"vote-{who:04d}-report", "prompt": "ask-vote", "kind": "vote"}
        assert phones[who].emit("submit", {**vote, "option": option})["ok"]
    crew_says("goto", {"cue": "results"})
    night.take = film_a_take(http, clip, ["photo-0000-report", "photo-0001-report"])
    crew_says("take_credit", {"take": night.take, "performer": "Jonas Lind", "operator": "Mia"})
    crew_says("goto", {"cue": "replay"})
    crew_says("goto", {"cue": "roll"})
    crew_says("goto", {"cue": "together"})  # a group: its cues start at once
    for phone in phones:
        phone.client.disconnect(namespace="/audience")
    crew.disconnect(namespace="/crew")
    with sqlite3.connect(night.data / "show.db") as conn:
        found = conn.execute("select media_sha256 from submissions where kind = 'photo'")
        night.photo_shas = [sha for (sha,) in found]
    return night


def film_a_take(http: Any, clip: Path, backgrounds: list[str]) -> str:
    """A camera agent's take: the clip uploaded, then registered over ``backgrounds``."""
    data = clip.read_bytes()
    sha = hashlib.sha256(data).hexdigest()
    auth = {"Authorization": f"Bearer {CAMERA_KEY}"}
    put = http.put(
        f"/api/media/{sha}",
        data=data,
        headers={**auth, "Content-Range": f"bytes 0-{len(data) - 1}/{len(data)}"},
    )
    assert put.status_code == 201, put.data
    body = {
        "id": "take-report-0001",
        "camera": "cam1",
        "raw": sha,
        "duration": 8.0,
        "started_at": time.time() - 10,
        "ended_at": time.time() - 2,
        "backgrounds": [
            {"submission": s, "start": 2.0 * i, "end": 2.0 * i + 2}
            for i, s in enumerate(backgrounds)
        ],
    }
    answer = http.post("/api/takes", json=body, headers=auth)
    assert answer.status_code == 201, answer.data
    return "take-report-0001"


def run_liveshow(*args: str) -> subprocess.CompletedProcess[str]:
    """`liveshow ...` as a user types it, in its own process (no LIVESHOW_* from here)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("LIVESHOW_")}
    return subprocess.run(
        [sys.executable, "-m", "liveshow", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def invoke(*args: str) -> Result:
    """The same command in this process (quicker: nothing to import again)."""
    return CliRunner().invoke(
        main, list(args), env={"LIVESHOW_DATA": None, "LIVESHOW_LICENCE": None}
    )
