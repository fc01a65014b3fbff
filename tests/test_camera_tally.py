"""Tally lights, the key preview and camera transitions, against a real server and a REAL
camera agent (`liveshow camera --source synthetic`, a performer before a green screen):
the agent is told when it is on air (and again after it reconnects); a key preview answers
with the agent's own keyed frame over the chosen picture, beside the programme; bad input
is refused, naming what is wrong, and changes nothing."""

from __future__ import annotations

import itertools
import json
import math
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pytest

from tests.helpers.agent import filming
from tests.helpers.crew import Crew
from tests.helpers.phone import LivePhone
from tests.helpers.raw import RawSocket
from tests.helpers.samples import jpeg
from tests.helpers.server import ServerProcess
from tests.helpers.waiting import never_within

SHOW = """\
title: On air
cues:
  - {id: hello, kind: title, title: Hello}
  - {id: ask-photo, kind: prompt, prompt: {kind: photo, question: "A backdrop"}}
  - {id: live, kind: camera, camera: cam1, transition: fade, fade_in: 1}
  - {id: replay, kind: replay, camera: cam1}
"""
BACKDROP = (220, 60, 30)  # BGR: the phone's photo, a blue-ish backdrop with a white disc


@pytest.fixture(scope="module")
def rig(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[ServerProcess, Path]]:
    folder = tmp_path_factory.mktemp("tally")
    with filming(folder, SHOW) as (srv, _agent):
        crew = Crew(srv)
        try:
            crew.wait(
                lambda: (seen := crew.camera_history()) and seen[-1]["fps"] > 0,
                30,
                "the camera to go live",
            )
        finally:
            crew.client.disconnect()
        yield srv, folder / "agent.log"


@pytest.fixture
def crew(rig: tuple[ServerProcess, Path], crew_of: Any) -> Crew:
    return crew_of(rig[0])  # type: ignore[no-any-return]


def tally_lines(log: Path, word: str) -> int:
    return sum(f"TALLY cam1: {word} (" in line for line in log.read_text().splitlines())


def decoded(data: bytes) -> np.ndarray:
    image = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
    assert image is not None
    return image


def corner(image: np.ndarray) -> np.ndarray:
    """The mean colour of the top-left corner: green screen in the synthetic studio."""
    h, w = image.shape[:2]
    return image[: h // 10, : w // 10].reshape(-1, 3).mean(axis=0)  # type: ignore[no-any-return]


def test_a_key_preview_shows_the_real_key_over_the_picked_photo_and_not_on_air(
    rig: tuple[ServerProcess, Path], crew: Crew
) -> None:
    srv, log = rig
    crew.goto("ask-photo")
    photo = LivePhone(srv, "Noor")
    try:
        picture = photo.photo("ask-photo", jpeg(colour=BACKDROP))
    finally:
        photo.client.disconnect()
    crew.moderate(picture)
    answer = crew.camera(
        "preview", on=True, settings={"similarity": 0.45, "spill": 0.8}, submissions=[picture]
    )
    assert answer["ok"], answer
    keyed = decoded(answer["jpeg"])
    # The agent's keyer replaced the green screen with the phone's photo.
    assert np.abs(corner(keyed) - BACKDROP).max() < 40, corner(keyed)
    # ...and more frames follow, to this dashboard only, while the programme stays unkeyed.
    frame = crew.wait_for("key_preview", lambda d: d["camera"] == "cam1", 10)
    assert np.abs(corner(decoded(frame["jpeg"])) - BACKDROP).max() < 40
    programme = decoded(crew.wait_for("preview", lambda d: d["camera"] == "cam1")["jpeg"])
    b, g, r = corner(programme)
    assert g > r + 40 and g > b + 40, "the programme is the camera's own green picture"
    assert crew.camera_history()[-1]["keyed"] is False
    # The camera's tally says PREVIEW, on its own screen and on the dashboard's tile.
    crew.wait(lambda: crew.tally() == "preview", 10, "the preview tally")
    crew.wait(lambda: tally_lines(log, "PREVIEW") == 1, 10, "PREVIEW on the agent's screen")

    assert crew.camera("preview", on=False)["ok"]
    crew.wait(lambda: crew.tally() == "off", 10, "the tally to go off")


def test_bad_key_previews_and_transitions_are_refused_and_change_nothing(
    rig: tuple[ServerProcess, Path], crew: Crew
) -> None:
    srv, log = rig
    crew.goto("hello")
    before = srv.state()
    nan = math.nan
    # Raw frames, so NaN goes as NaN: python-socketio's client in a test worker that has
    # imported the server's guard encodes with its strict JSON, which sends NaN as null.
    raw = RawSocket(srv, "/crew", {"password": srv.password})
    ids = itertools.count()
    call = lambda event, args: raw.call_raw(next(ids), json.dumps([event, args]), 30)[0]  # noqa: E731
    bad: list[tuple[dict[str, Any], str]] = [
        ({"camera": "cam9", "on": True}, "'cam9' is not connected"),
        ({"on": "yes"}, 'preview needs {"on": true|false}'),
        ({"on": True, "settings": {"similarity": nan}}, "'similarity' must be a number"),
        ({"on": True, "settings": {"similarity": 5}}, "'similarity' must be a number from 0"),
        ({"on": True, "settings": {"spill": 10**400}}, "'spill' must be a number from 0"),
        ({"on": True, "settings": {"spill": "0.5"}}, "'spill' must be a number"),
        ({"on": True, "settings": {"smoothness": 0}}, "'smoothness' must be a number"),
        ({"on": True, "settings": {"key_colour": "#00FF00"}}, "'key_colour' must be"),
        ({"on": True, "settings": {"key_colour": "green"}}, "'key_colour' must be"),
        ({"on": True, "settings": {"screen": "pink"}}, "'screen' must be green or blue"),
        ({"on": True, "settings": {"gamma": 2}}, "unknown key setting(s) 'gamma'"),
        ({"on": True, "settings": [0.4]}, "'settings' must be an object"),
        ({"on": True, "submissions": ["nope"]}, "'nope' is not an approved photo"),
        ({"on": True, "submissions": []}, "background needs"),
    ]
    for fields, why in bad:
        args = {"camera": "cam1", "action": "preview", **fields}
        answer = call("camera", args)
        assert answer["ok"] is False and why in answer["error"], (fields, answer)
    assert crew.tally() == "off" and not crew.events("key_preview")
    assert tally_lines(log, "PREVIEW") <= 1  # only the good preview's, if it ran first
    # the programme's own key is as strict: a bad setting is refused, not quietly dropped
    keyed = crew.camera_history()[-1]["keyed"]
    for fields, why in bad:
        if "settings" in fields:
            answer = call("camera", {"camera": "cam1", "action": "key", **fields})
            assert answer["ok"] is False and why in answer["error"], (fields, answer)
    time.sleep(0.3)  # a camera status a refusal wrongly caused would be here by now
    assert crew.camera_history()[-1]["keyed"] == keyed

    transitions: list[tuple[dict[str, Any], str]] = [
        ({"cue": "nope", "transition": "cut"}, "no cue with id 'nope'"),
        ({"cue": "hello", "transition": "cut"}, "is a title cue, not a camera cue"),
        ({"cue": "live", "transition": "wipe"}, "'transition' must be cut or fade"),
        ({"cue": "live", "transition": "fade", "seconds": nan}, "'seconds' must be a number"),
        ({"cue": "live", "transition": "fade", "seconds": 99}, "between 0 and 30 seconds"),
        ({"cue": "live", "transition": "fade", "seconds": 10**400}, "between 0 and 30 seconds"),
        ({"cue": "live", "transition": "cut", "seconds": 2}, "a cut has no fade time"),
        ({"cue": "live"}, "missing field(s): transition"),
    ]
    for fields, why in transitions:
        answer = call("camera_transition", fields)
        assert answer["ok"] is False and why in answer["error"], (fields, answer)
    raw.close()
    after = srv.state()
    assert after["rev"] == before["rev"], "a refused change is not a change"


def test_the_crew_sets_a_camera_cues_transition_in_the_show_file(
    rig: tuple[ServerProcess, Path], crew: Crew
) -> None:
    srv, _ = rig
    cue = lambda s: next(c for c in s["cues"] if c["id"] == "live")  # noqa: E731
    assert cue(crew.latest("state"))["transition"] == "fade"
    answer = crew.command("camera_transition", {"cue": "live", "transition": "cut"})
    assert answer["transition"] == "cut" and answer["seconds"] == 0
    state = crew.wait_state(lambda s: cue(s)["transition"] == "cut", "the cut in the cue list")
    assert cue(state)["fade_in"] == 0
    assert "transition: cut" in crew.command("show_export")["text"]
    rows = srv.rows("SELECT transition, fade_in FROM cues WHERE id = 'live'")
    assert (rows[0]["transition"], rows[0]["fade_in"]) == ("cut", 0)
    crew.command("camera_transition", {"cue": "live", "transition": "fade", "seconds": 1})
    crew.wait_state(lambda s: cue(s)["transition"] == "fade" and cue(s)["fade_in"] == 1)


def test_the_agent_is_told_it_is_on_air_and_again_after_it_reconnects(
    rig: tuple[ServerProcess, Path], crew: Crew
) -> None:
    srv, log = rig
    on_air = tally_lines(log, "ON AIR")
    crew.goto("live")
    crew.wait(lambda: tally_lines(log, "ON AIR") == on_air + 1, 10, "ON AIR on the agent")
    crew.wait(lambda: crew.tally() == "on_air", 10, "ON AIR on the dashboard")
    off_air = tally_lines(log, "off air")
    crew.goto("replay")  # a recording of it is not the camera on air
    crew.wait(lambda: tally_lines(log, "off air") == off_air + 1, 10, "off air on the agent")
    crew.wait(lambda: crew.tally() == "off", 10, "off air on the dashboard")
    crew.goto("live")
    crew.wait(lambda: tally_lines(log, "ON AIR") == on_air + 2, 10, "ON AIR again")
    crew.command("blackout", {"on": True})  # nobody sees it: not on air
    crew.wait(lambda: crew.tally() == "off", 10, "off air in a blackout")
    crew.command("blackout", {"on": False})
    crew.wait(lambda: tally_lines(log, "ON AIR") == on_air + 3, 10, "ON AIR after the blackout")
    crew.command("stop_cue", {"cue": "live"})  # stopped: black on the projector
    crew.wait(lambda: crew.tally() == "off", 10, "off air once the cue is stopped")
    crew.goto("live")
    crew.wait(lambda: tally_lines(log, "ON AIR") == on_air + 4, 10, "ON AIR after the stop")

    # The server restarts (still on the camera cue): the agent loses it, says it cannot
    # know, reconnects, and is told again.
    crew.client.disconnect()
    srv.stop()
    srv.start()
    again = Crew(srv)
    try:
        again.wait(lambda: tally_lines(log, "not connected") >= 1, 20, "the agent to notice")
        again.wait(lambda: tally_lines(log, "ON AIR") == on_air + 5, 30, "ON AIR on reconnect")
        again.wait(lambda: again.tally() == "on_air", 30, "ON AIR on the dashboard")
    finally:
        again.client.disconnect()


def test_a_key_preview_asked_by_a_dashboard_that_left_mid_call_does_not_stay_on(
    rig: tuple[ServerProcess, Path], crew: Crew
) -> None:
    """The dashboard closes while the agent is still keying its first picture: its preview
    is not left running for nobody, with the camera's tally stuck on PREVIEW."""
    srv, log = rig
    crew.goto("hello")
    crew.wait(lambda: crew.tally() == "off", 10, "the tally off")
    raw = RawSocket(srv, "/crew", {"password": srv.password})
    args = {"camera": "cam1", "action": "preview", "on": True}
    raw.ws.send("42/crew,1" + json.dumps(["camera", args]))
    # a second call answered at once: the server has read the first, now waiting on the agent
    assert raw.call_raw(2, json.dumps(["camera", {"action": "zoom"}]))[0]["ok"] is False
    raw.close()  # gone before the agent answers
    never_within(lambda: crew.tally() == "preview", 5, "a preview tally for a closed dashboard")
