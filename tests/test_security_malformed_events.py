"""L4 and L5: events named like Socket.IO's own (``connect``, ``disconnect``), events with
extra arguments and JSON nested 10,000 deep each get an error acknowledgement and change
nothing; ``POST /api/takes`` answers bad JSON and duplicate backgrounds with 400, not 500."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import requests

from tests.helpers import CAMERA_KEY
from tests.helpers.crew import Crew
from tests.helpers.phone import LivePhone
from tests.helpers.raw import RawSocket
from tests.helpers.server import ServerProcess
from tests.helpers.shows import write_prompt_show
from tests.helpers.sockets import Display


def test_reserved_event_names_are_refused(
    module_prompt_server: ServerProcess, module_prompt_crew: Crew
) -> None:
    prompt_server, prompt_crew = module_prompt_server, module_prompt_crew
    display = Display(prompt_server)
    raw = RawSocket(prompt_server, "/display", {"key": prompt_server.display_key, "name": "side"})
    try:
        prompt_crew.wait_for(
            "state",
            lambda s: {d["name"] for d in s["displays"]} == {"main", "side"},
            what="both displays listed",
        )
        for n, name in enumerate(["disconnect", "connect", "connect_error", "message"]):
            ack = raw.call_raw(n, json.dumps([name, {"key": "wrong"}]))
            assert ack[0]["ok"] is False and "reserved" in ack[0]["error"], ack
        assert display.call("clock", {"t": 1})["ok"]
        state = prompt_crew.call("preflight")
        assert state["ok"]
        names = {d["name"] for d in prompt_server_crew_state(prompt_crew)["displays"]}
        assert names == {"main", "side"}, "a fake disconnect removed a display"
    finally:
        raw.close()
        display.close()


def prompt_server_crew_state(crew: Crew) -> dict[str, Any]:
    crew.call("mode", {"mode": "edit"})  # any change: the crew is sent a fresh state
    return crew.wait_for("state", lambda s: s["mode"] == "edit")  # type: ignore[no-any-return]


def test_extra_arguments_and_deep_json_get_an_error_acknowledgement(
    module_prompt_server: ServerProcess,
) -> None:
    prompt_server = module_prompt_server
    raw = RawSocket(prompt_server, "/crew", {"password": prompt_server.password})
    try:
        rev = prompt_server.state()["rev"]
        ack = raw.call_raw(1, json.dumps(["go", {}, 1]))
        assert ack[0]["ok"] is False and "one argument" in ack[0]["error"], ack
        ack = raw.call_raw(2, json.dumps(["goto", {"cue": "ask-text"}, "extra", None]))
        assert ack[0]["ok"] is False, ack
        deep = '["go",' + "[" * 10_000 + "]" * 10_000 + "]"
        ack = raw.call_raw(3, deep)
        assert ack[0]["ok"] is False and "deep" in ack[0]["error"], ack
        assert prompt_server.state()["rev"] == rev, "a refused event changed the show"
        assert raw.call_raw(4, json.dumps(["preflight"]))[0]["ok"]
    finally:
        raw.close()


def test_takes_api_answers_bad_json_with_400(server: ServerProcess) -> None:
    """The demo server's camera key is generated: a wrong key is 401 either way, so this
    uses the key from the data directory."""
    key = server.rows("select value from meta where key = 'camera_key'")[0][0]
    auth = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
    deep = '{"id": "take-deep-001", "camera": "cam1", "raw": ' + "[" * 10_000 + "]" * 10_000 + "}"
    answer = requests.post(server.url + "/api/takes", data=deep, headers=auth, timeout=10)
    assert answer.status_code == 400, answer.text


def test_takes_api_answers_a_duplicate_background_with_400(
    server_factory: Callable[..., ServerProcess],
    tmp_path: Path,
    demo_show: Path,
    phone_of: Callable[..., LivePhone],
    crew_of: Callable[[ServerProcess], Crew],
) -> None:
    srv = server_factory(write_prompt_show(tmp_path), extra_env={"LIVESHOW_CAMERA_KEY": CAMERA_KEY})
    crew_of(srv).goto("ask-text")
    story = phone_of(srv).text("ask-text", "A cat")["id"]
    clip = (demo_show.parent / "demo" / "tide-pools.mp4").read_bytes()
    sha = hashlib.sha256(clip).hexdigest()
    camera = {"Authorization": f"Bearer {CAMERA_KEY}"}
    put = requests.put(
        f"{srv.url}/api/media/{sha}",
        data=clip,
        headers={**camera, "Content-Range": f"bytes 0-{len(clip) - 1}/{len(clip)}"},
        timeout=30,
    )
    assert put.status_code == 201
    twice = {"submission": story, "start": 0, "end": 1}
    answer = requests.post(
        srv.url + "/api/takes",
        json={"id": "take-twice-01", "camera": "cam1", "raw": sha, "backgrounds": [twice, twice]},
        headers=camera,
        timeout=10,
    )
    assert answer.status_code == 400, answer.text
    assert not srv.rows("select id from takes")
