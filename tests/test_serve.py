"""`liveshow serve` as a process: every async mode serves the show, the connection cap is a
real setting, other origins and wrong keys are refused with a reason, a busy port is an
error."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import socketio
import websocket

from tests.helpers.crew import Crew
from tests.helpers.server import ServerProcess
from tests.helpers.shows import ONE_CUE_SHOW, write_show
from tests.helpers.sockets import Display, cue_is


@pytest.mark.parametrize("mode", ["gevent", "threading"])
def test_other_async_modes_serve_the_show_too(
    server_factory: Any, tmp_path: Path, mode: str
) -> None:
    show = write_show(
        tmp_path, ONE_CUE_SHOW + "  - {id: b, kind: title, title: B, pre_wait: 0.5}\n"
    )
    srv = server_factory(show, data=tmp_path / f"data-{mode}", async_mode=mode)
    main, desk = Display(srv, "main"), Crew(srv)
    try:
        desk.command("go")
        desk.command("go")
        # The server's own clock: b waits for its pre-wait, then starts when it ran out.
        waiting = main.wait_state(
            lambda s: bool(s["pending"]) and s["pending"]["cue"] == "b",
            "b waiting for its pre-wait",
        )
        due = waiting["pending"]["starts_at"]
        assert 0.0 < due - waiting["server_time"] <= 0.5 + 1e-6
        state = main.wait_state(cue_is("b"), "b fired by the server clock")
        assert state["pending"] is None and state["rev"] > waiting["rev"]
        assert state["cue_started_at"] >= due
    finally:
        main.close()
        desk.close()


def open_websockets(srv: ServerProcess, count: int, timeout: float = 3.0) -> tuple[list[Any], int]:
    """Open raw Engine.IO websockets and hold them; return them and how many got the open packet."""
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, min(hard, count + 500)), hard))
    url = f"ws://127.0.0.1:{srv.port}/socket.io/?EIO=4&transport=websocket"
    sockets, opened = [], 0
    for _ in range(count):
        try:
            ws = websocket.create_connection(url, timeout=timeout)
            if ws.recv().startswith("0{"):
                opened += 1
            sockets.append(ws)
        except (OSError, websocket.WebSocketException):  # the cap (or the OS) said no
            break
    return sockets, opened


@pytest.mark.parametrize("cap, clients, expect_all", [(5000, 1100, True), (300, 320, False)])
def test_the_connection_cap_is_a_setting_above_eventlets_1024(
    server_factory: Any, tmp_path: Path, cap: int, clients: int, expect_all: bool
) -> None:
    show = write_show(tmp_path, ONE_CUE_SHOW)
    srv = server_factory(
        show,
        data=tmp_path / f"data-{cap}",
        extra_env={
            "LIVESHOW_MAX_CONNECTIONS": str(cap),
            "LIVESHOW_MAX_CONNECTIONS_PER_ADDRESS": str(cap),  # every client is 127.0.0.1
        },
    )
    sockets, opened = open_websockets(srv, clients)
    try:
        if expect_all:
            assert opened == clients
            assert srv.state()["rev"] >= 1  # and the server still answers
        else:
            assert opened < clients  # proves the cap is really applied
    finally:
        for ws in sockets:
            ws.close()


def test_a_page_from_another_origin_cannot_open_a_socket(
    server_factory: Any, tmp_path: Path
) -> None:
    show = write_show(tmp_path, ONE_CUE_SHOW)
    srv = server_factory(show, data=tmp_path / "data-origin")
    url = f"ws://127.0.0.1:{srv.port}/socket.io/?EIO=4&transport=websocket"
    with pytest.raises(websocket.WebSocketBadStatusException):
        websocket.create_connection(url, timeout=5, origin="http://evil.example")
    same = websocket.create_connection(url, timeout=5, origin=srv.url)
    assert same.recv().startswith("0{")
    same.close()


def test_a_second_server_on_a_busy_port_refuses_to_start(
    server_factory: Any, tmp_path: Path
) -> None:
    show = write_show(tmp_path, ONE_CUE_SHOW)
    first = server_factory(show, data=tmp_path / "data-first")
    second = subprocess.run(
        [
            sys.executable,
            "-m",
            "liveshow",
            "serve",
            "--show",
            str(show),
            "--data",
            str(tmp_path / "data-second"),
            "--host",
            "127.0.0.1",
            "--port",
            str(first.port),
        ],
        capture_output=True,
        check=False,
        text=True,
        timeout=60,
    )
    assert second.returncode != 0
    assert f"cannot listen on 127.0.0.1:{first.port}" in second.stderr
    assert first.state()["show"]["title"] == "T"


@pytest.mark.parametrize(
    "namespace, auth, reason",
    [
        (
            "/audience",
            {"code": "wrong", "device": "phone-device-0001"},
            "no show has this join code",
        ),
        ("/crew", {"password": "wrong"}, "crew login required"),
        ("/display", {"key": "wrong", "name": "main"}, "wrong display key"),
        ("/camera", {"key": "wrong", "camera": "cam1"}, "wrong camera key"),
    ],
)
def test_a_refused_client_is_told_why(
    server_factory: Any, tmp_path: Path, namespace: str, auth: dict[str, Any], reason: str
) -> None:
    show = write_show(tmp_path, ONE_CUE_SHOW)
    srv = server_factory(show, data=tmp_path / "data-refused")
    client = socketio.Client(reconnection=False)
    told: list[Any] = []
    client.on("connect_error", told.append, namespace=namespace)
    with pytest.raises(socketio.exceptions.ConnectionError):
        client.connect(
            srv.url, namespaces=[namespace], auth=auth, transports=["websocket"], wait_timeout=10
        )
    assert told and reason in str(told[0])
