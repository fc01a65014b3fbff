"""Two dashboards preview one camera's key: the second takes the preview over, and the
first one's "off" (it turns off what it thinks is still its preview) must not end the
second's: the camera keeps keying, its tally stays on preview, and the frames keep
reaching the second dashboard. And an "off" sent (or the previewing dashboard leaving) while
another dashboard's "on" waits for the camera's first picture wins: the camera stops, and
the late "on" is not recorded (its tally would stay green over a camera that keys nothing).
The camera here is a Socket.IO client on /camera that answers the server's commands as an
agent does and notes each one."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import socketio

from tests.helpers import CAMERA_KEY
from tests.helpers.crew import Crew
from tests.helpers.samples import jpeg
from tests.helpers.server import ServerProcess
from tests.helpers.shows import write_show
from tests.helpers.waiting import wait_until

SHOW = """\
title: Two desks
cues:
  - {id: hello, kind: title, title: Hello}
  - {id: live, kind: camera, camera: cam1}
"""
FRAME = jpeg()


@pytest.fixture(scope="module")
def srv(module_server_factory: Any, tmp_path_factory: pytest.TempPathFactory) -> ServerProcess:
    show = write_show(tmp_path_factory.mktemp("key-preview"), SHOW)
    return module_server_factory(show, extra_env={"LIVESHOW_CAMERA_KEY": CAMERA_KEY})


# Set: the camera answers a preview's "on" only once it has been told "off" (at most 10 s),
# the race these tests are about, made to happen every time. A fixed 2 s of "keying" could lose
# it on a loaded machine that took longer than that to deliver the "off".
SLOW_START = threading.Event()
TOLD_OFF = threading.Event()


@pytest.fixture
def camera(srv: ServerProcess) -> Iterator[tuple[socketio.Client, list[dict[str, Any]]]]:
    """cam1, answering every command ok (a preview with its first keyed frame)."""
    commands: list[dict[str, Any]] = []
    agent = socketio.Client(reconnection=False)

    def on_command(data: dict[str, Any]) -> dict[str, Any]:
        commands.append(data)
        if data.get("on") is False:
            TOLD_OFF.set()
        if data.get("on") and SLOW_START.is_set():
            TOLD_OFF.wait(10)  # keying its first picture
        return {"ok": True, **({"jpeg": FRAME} if data.get("on") else {})}

    agent.on("command", on_command, namespace="/camera")
    agent.connect(
        srv.url,
        namespaces=["/camera"],
        auth={"key": CAMERA_KEY, "camera": "cam1"},
        transports=["websocket"],
        wait_timeout=10,
    )
    yield agent, commands
    agent.disconnect()


def slow_on_meanwhile(
    crew: Crew, asked: Callable[[], bool], meanwhile: Callable[[], Any]
) -> tuple[dict[str, Any], Any]:
    """``crew`` asks for the key preview from a camera slow to answer; once ``asked()``
    (the camera has the command), ``meanwhile()`` runs. Returns the late answer to the
    "on", and what ``meanwhile`` returned."""
    answers: list[dict[str, Any]] = []
    TOLD_OFF.clear()
    SLOW_START.set()
    try:
        starting = threading.Thread(target=lambda: answers.append(crew.camera("preview", on=True)))
        starting.start()
        wait_until(asked, 10, "the camera asked to key")
        done = meanwhile()
        starting.join(15)
    finally:
        SLOW_START.clear()
    assert answers, "the 'on' was never answered"
    return answers[0], done


def test_an_off_from_the_dashboard_that_lost_the_preview_leaves_the_other_running(
    srv: ServerProcess, camera: tuple[socketio.Client, list[dict[str, Any]]], crew_of: Any
) -> None:
    agent, commands = camera
    first, second = crew_of(srv), crew_of(srv)
    assert first.camera("preview", on=True)["ok"]
    assert second.camera("preview", on=True)["ok"]  # takes it over
    second.wait(lambda: second.tally() == "preview", 10, "the preview tally")

    answer = first.camera("preview", on=False)
    assert [c.get("on") for c in commands] == [True, True], "the camera was told to stop"
    assert answer["ok"] and "another dashboard" in answer.get("note", ""), answer
    # the camera still keys for the second dashboard, and says so on its tally
    agent.emit("key_preview", FRAME, namespace="/camera")
    second.wait_for("key_preview", lambda d: d["camera"] == "cam1", 10)
    assert second.tally() == "preview"
    first.wait(lambda: first.tally() == "preview", 10, "the first dashboard's tile on preview")

    # the owner's own "off" ends it
    assert second.camera("preview", on=False)["ok"]
    assert commands[-1] == {"action": "preview", "on": False}
    second.wait(lambda: second.tally() == "off", 10, "the tally to go off")


def test_an_off_sent_while_another_dashboards_on_starts_leaves_no_phantom_preview(
    srv: ServerProcess, camera: tuple[socketio.Client, list[dict[str, Any]]], crew_of: Any
) -> None:
    agent, commands = camera
    first, second = crew_of(srv), crew_of(srv)
    late_on, off = slow_on_meanwhile(
        second,
        lambda: any(c.get("on") for c in commands),
        lambda: first.camera("preview", on=False),
    )
    assert off["ok"], off
    assert [c.get("on") for c in commands] == [True, False], off  # the camera's last word
    assert late_on["ok"] is False and "another dashboard" in late_on["error"], late_on
    fresh = crew_of(srv)  # what a dashboard that connects now is told
    fresh.wait(lambda: fresh.camera_history(), 10, "the cameras")
    assert fresh.tally() == "off", "the tally says preview over a camera that keys nothing"


def test_a_dashboard_leaving_while_another_ones_on_starts_leaves_no_phantom_preview(
    srv: ServerProcess, camera: tuple[socketio.Client, list[dict[str, Any]]], crew_of: Any
) -> None:
    """The first dashboard previews; the second asks for the preview and, while the camera
    keys its first picture, the first dashboard goes away: the server tells the camera to
    stop (the preview it held ends with it), so the second's late "on" must not be recorded."""
    agent, commands = camera
    first, second = crew_of(srv), crew_of(srv)
    assert first.camera("preview", on=True)["ok"]
    first.wait(lambda: first.tally() == "preview", 10, "the first dashboard's preview tally")
    # meanwhile its browser tab closes: the server ends the preview it held
    late_on, _ = slow_on_meanwhile(second, lambda: len(commands) == 2, first.close)
    assert [c.get("on") for c in commands] == [True, True, False]  # the camera's last word
    assert late_on["ok"] is False and "another dashboard" in late_on["error"], late_on
    fresh = crew_of(srv)
    fresh.wait(lambda: fresh.camera_history(), 10, "the cameras")
    assert fresh.tally() == "off", "the tally says preview over a camera that keys nothing"
