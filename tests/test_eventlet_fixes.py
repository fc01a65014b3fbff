"""eventlet unmasks websocket frames byte by byte; our replacement must give the same bytes."""

from __future__ import annotations

import os
import threading

import pytest
from eventlet import websocket

from liveshow.eventlet_fixes import apply_mask

ORIGINAL = websocket.RFC6455WebSocket.__dict__["_apply_mask"]


@pytest.mark.parametrize("size", [0, 1, 3, 4, 5, 127, 4096, 130_001])
@pytest.mark.parametrize("offset", [0, 1, 2, 3, 7])
def test_fast_unmask_matches_eventlets_own(size: int, offset: int) -> None:
    data, mask = os.urandom(size), os.urandom(4)
    original = ORIGINAL.__func__ if hasattr(ORIGINAL, "__func__") else ORIGINAL
    assert apply_mask(data, mask, offset=offset) == original(data, mask, offset=offset)
    assert apply_mask(data, mask, length=size // 2, offset=offset) == original(
        data, mask, length=size // 2, offset=offset
    )


def test_a_big_camera_frame_arrives_intact_through_a_real_server(
    server_factory: object, tmp_path: object
) -> None:
    from pathlib import Path

    import requests
    import socketio

    from tests.helpers.samples import jpeg

    folder = Path(str(tmp_path))
    show = folder / "show.yaml"
    show.write_text("title: T\ncues:\n  - {id: live, kind: camera, camera: cam1}\n")
    srv = server_factory(
        show,
        data=folder / "data",  # type: ignore[operator]
        extra_env={"LIVESHOW_CAMERA_KEY": "k"},
    )
    frame = jpeg(1920, 1080) + os.urandom(400_000)  # a large, incompressible frame
    agent = socketio.Client(reconnection=False)
    agent.connect(
        srv.url,
        namespaces=["/camera"],
        transports=["websocket"],
        auth={"key": "k", "camera": "cam1"},
    )
    stop = threading.Event()

    def feed() -> None:
        for _ in range(100):
            if stop.wait(0.1):
                return
            agent.emit("frame", frame, namespace="/camera")

    feeder = threading.Thread(target=feed, daemon=True)
    feeder.start()
    # the stream's headers come with its first frame
    stream = requests.get(
        f"{srv.url}/camera/cam1/live.mjpg?key={srv.display_key}", stream=True, timeout=20
    )
    try:
        received = b""
        for chunk in stream.iter_content(65536):
            received += chunk
            if frame in received:
                break
        assert frame in received
    finally:
        stop.set()
        feeder.join()
        stream.close()
        agent.disconnect()
