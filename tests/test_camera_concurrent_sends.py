"""A camera agent sends from several threads at once (previews, the programme feed, key
previews, statuses, command answers). A binary event is two packets (its header, then the
picture); were another thread's packet to fall between them, the server would take it for
the picture and drop both, with a traceback in its log (seen in a run-through: "invalid
literal for int() with base 10: b'\\xff'"). The agent's client sends one whole message at a
time; here with a real server and eight threads sending as fast as they can."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import socketio

from liveshow.agent.camera import OneAtATimeClient
from tests.helpers import CAMERA_KEY
from tests.helpers.crew import Crew
from tests.helpers.samples import jpeg
from tests.helpers.server import ServerProcess
from tests.helpers.shows import write_show
from tests.helpers.waiting import wait_until

SHOW = "title: Filming\ncues:\n  - {id: live, kind: camera, camera: cam1}\n"
LAST = jpeg(64, 36, (255, 255, 0))


def test_pictures_sent_from_eight_threads_at_once_all_arrive_whole(
    server_factory: Any, tmp_path: Path
) -> None:
    srv: ServerProcess = server_factory(
        write_show(tmp_path, SHOW), extra_env={"LIVESHOW_CAMERA_KEY": CAMERA_KEY}
    )
    pictures = [jpeg(64, 36, (30 * n, 90, 200)) for n in range(8)]
    agent = OneAtATimeClient(reconnection=False)
    agent.connect(
        srv.url,
        namespaces=["/camera"],
        transports=["websocket"],
        auth={"key": CAMERA_KEY, "camera": "cam1"},
    )
    crew = Crew(srv)
    start = threading.Barrier(8)

    def send(n: int) -> None:
        start.wait()
        for i in range(600):  # most are over the camera's rate limit: refused after reading
            if i % 10 == 9:  # a status now and then: one packet, between two of another's
                agent.emit("status", {"state": "live", "fps": 30}, namespace="/camera")
            else:
                agent.emit("preview", pictures[n], namespace="/camera")

    try:
        senders = [threading.Thread(target=send, args=(n,)) for n in range(8)]
        for sender in senders:
            sender.start()
        for sender in senders:
            sender.join(60)
        assert not any(sender.is_alive() for sender in senders), "a sender is stuck"
        # the last word, a picture nobody sent before, once the rate limit lets the camera
        # speak again (an answered status: everything before it has been read)
        wait_until(
            lambda: (
                agent.call("status", {"state": "live"}, namespace="/camera", timeout=30)
                == {"ok": True}
            ),
            30,
            "the camera's rate limit to refill",
        )
        agent.emit("preview", LAST, namespace="/camera")
        crew.wait(
            lambda: crew.events("preview") and crew.events("preview")[-1]["jpeg"] == LAST,
            30,
            "the last picture",
        )
        previews = [p["jpeg"] for p in crew.events("preview")]
    finally:
        crew.close()
        agent.disconnect()
    log = srv.log_text()
    assert "invalid literal" not in log and "message handler error" not in log, log[-3000:]
    assert all(p in [*pictures, LAST] for p in previews), "a picture arrived broken"


def test_a_camera_that_does_not_answer_a_command_is_named_with_the_wait(
    server_factory: Any, tmp_path: Path
) -> None:
    """The crew's Stop to a camera that never answers: "did not answer in 4 s", not
    "refused: camera 'cam1':" with nothing after it (python-socketio's timeout has no text,
    and was not the TimeoutError caught)."""
    srv: ServerProcess = server_factory(
        write_show(tmp_path, SHOW), extra_env={"LIVESHOW_CAMERA_KEY": CAMERA_KEY}
    )
    hold = threading.Event()
    agent = socketio.Client(reconnection=False)
    agent.on("command", lambda data: hold.wait(15) and {"ok": True}, namespace="/camera")
    agent.connect(
        srv.url,
        namespaces=["/camera"],
        transports=["websocket"],
        auth={"key": CAMERA_KEY, "camera": "cam1"},
    )
    crew = Crew(srv)
    try:
        answer = crew.camera("stop")
    finally:
        hold.set()
        crew.close()
        agent.disconnect()
    assert answer["ok"] is False and answer["error"] == "camera 'cam1' did not answer in 4 s"
