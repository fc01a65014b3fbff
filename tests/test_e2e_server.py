"""End to end against a real `liveshow serve` process, with python-socketio clients."""
from __future__ import annotations

import signal
import threading
import time
from pathlib import Path
from typing import Any, Callable

import pytest
import socketio

from tests.conftest import ServerProcess


class Watcher:
    """A python-socketio client that remembers every `state` it receives."""

    def __init__(self, srv: ServerProcess, namespace: str, auth: dict[str, Any]) -> None:
        self.states: list[dict[str, Any]] = []
        self.changed = threading.Condition()
        self.client = socketio.Client(reconnection=False)
        self.client.on("state", self._on_state, namespace=namespace)
        self.client.connect(srv.url, namespaces=[namespace], auth=auth,
                            transports=["websocket"], wait_timeout=10)

    def _on_state(self, state: dict[str, Any]) -> None:
        with self.changed:
            self.states.append(state)
            self.changed.notify_all()

    def wait_for(self, test: Callable[[dict[str, Any]], bool], timeout: float = 10) -> Any:
        deadline = time.monotonic() + timeout
        with self.changed:
            while True:
                for state in reversed(self.states):
                    if test(state):
                        return state
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"no matching state in {timeout} s; last: "
                                         f"{self.states[-1] if self.states else None}")
                self.changed.wait(left)

    def close(self) -> None:
        self.client.disconnect()


def display(srv: ServerProcess, name: str, rev: int = 0) -> Watcher:
    return Watcher(srv, "/display", {"key": srv.display_key, "name": name, "rev": rev})


def crew(srv: ServerProcess) -> Watcher:
    return Watcher(srv, "/crew", {"password": srv.password})


def cue_is(cue_id: str) -> Callable[[dict[str, Any]], bool]:
    return lambda s: bool(s["cue"]) and s["cue"]["id"] == cue_id


def test_a_go_reaches_two_displays_with_the_same_rev(server: ServerProcess) -> None:
    main, confidence, desk = display(server, "main"), display(server, "confidence"), crew(server)
    try:
        ack = desk.client.call("go", namespace="/crew", timeout=10)
        assert ack == {"ok": True, "cue": "welcome"}
        a = main.wait_for(cue_is("welcome"))
        b = confidence.wait_for(cue_is("welcome"))
        assert a["rev"] == b["rev"] == server.state()["rev"]
        shown = desk.wait_for(lambda s: len(s["displays"]) == 2)
        assert sorted(d["name"] for d in shown["displays"]) == ["confidence", "main"]
    finally:
        for w in (main, confidence, desk):
            w.close()


def test_a_display_that_reconnects_gets_the_current_state(server: ServerProcess) -> None:
    desk = crew(server)
    first = display(server, "main")
    desk.client.call("go", namespace="/crew", timeout=10)
    seen = first.wait_for(cue_is("welcome"))["rev"]
    first.close()
    desk.client.call("goto", {"cue": "harbour"}, namespace="/crew", timeout=10)
    desk.client.call("blackout", {"on": True}, namespace="/crew", timeout=10)
    again = display(server, "main", rev=seen)
    try:
        state = again.wait_for(lambda s: s["rev"] > seen)
        assert state["cue"]["id"] == "harbour" and state["blackout"] is True
        assert state["rev"] == server.state()["rev"]
        assert state["cue"]["media"]["url"].startswith("/media/")
    finally:
        again.close()
        desk.close()


def test_a_restarted_server_comes_back_at_the_same_cue_paused(server_factory: Any,
                                                             demo_show: Path,
                                                             tmp_path: Path) -> None:
    data = tmp_path / "restart-data"
    first = server_factory(demo_show, data=data)
    desk = crew(first)
    desk.client.call("mode", {"mode": "show"}, namespace="/crew", timeout=10)
    desk.client.call("goto", {"cue": "night-market"}, namespace="/crew", timeout=10)
    time.sleep(2.5)                      # at least one heartbeat (every 2 s)
    desk.close()
    first.stop(signal.SIGKILL)           # a crash, not a clean stop
    second = server_factory(demo_show, data=data)
    state = second.state()
    assert state["cue"]["id"] == "night-market"
    assert state["paused"] is True and state["mode"] == "show"
    assert 1.5 <= state["position"] <= 5.0


def test_the_show_file_is_reloaded_when_it_changed_between_runs(server_factory: Any,
                                                                tmp_path: Path) -> None:
    show = tmp_path / "show.yaml"
    show.write_text("title: One\ncues:\n  - {id: a, kind: title, title: A}\n")
    data = tmp_path / "reload-data"
    first = server_factory(show, data=data)
    assert first.state()["show"]["title"] == "One"
    first.stop()
    show.write_text("title: Two\ncues:\n  - {id: b, kind: title, title: B}\n")
    second = server_factory(show, data=data)
    assert second.state()["show"]["title"] == "Two"


@pytest.mark.parametrize("mode", ["gevent", "threading"])
def test_other_async_modes_serve_the_show_too(server_factory: Any, tmp_path: Path,
                                              mode: str) -> None:
    show = tmp_path / "show.yaml"
    show.write_text("title: T\ncues:\n  - {id: a, kind: title, title: A}\n"
                    "  - {id: b, kind: title, title: B, pre_wait: 0.5}\n")
    srv = server_factory(show, data=tmp_path / f"data-{mode}", async_mode=mode)
    main, desk = display(srv, "main"), crew(srv)
    try:
        assert desk.client.call("go", namespace="/crew", timeout=10)["ok"]
        assert desk.client.call("go", namespace="/crew", timeout=10)["ok"]
        state = main.wait_for(cue_is("b"))          # fired by the server clock after 0.5 s
        assert state["pending"] is None
    finally:
        main.close()
        desk.close()


def open_websockets(srv: ServerProcess, count: int, timeout: float = 3.0) -> tuple[list[Any], int]:
    """Open raw Engine.IO websockets and hold them; return them and how many got the open packet."""
    import resource
    import websocket
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
        except Exception:
            break
    return sockets, opened


@pytest.mark.parametrize("cap, clients, expect_all", [(5000, 1100, True), (300, 320, False)])
def test_the_connection_cap_is_a_setting_above_eventlets_1024(server_factory: Any,
                                                               tmp_path: Path, cap: int,
                                                               clients: int,
                                                               expect_all: bool) -> None:
    show = tmp_path / "show.yaml"
    show.write_text("title: T\ncues:\n  - {id: a, kind: title, title: A}\n")
    srv = server_factory(show, data=tmp_path / f"data-{cap}",
                         extra_env={"LIVESHOW_MAX_CONNECTIONS": str(cap)})
    sockets, opened = open_websockets(srv, clients)
    try:
        if expect_all:
            assert opened == clients
            assert srv.state()["rev"] >= 1          # and the server still answers
        else:
            assert opened < clients                 # proves the cap is really applied
    finally:
        for ws in sockets:
            ws.close()


def test_a_page_from_another_origin_cannot_open_a_socket(server_factory: Any,
                                                         tmp_path: Path) -> None:
    import websocket
    show = tmp_path / "show.yaml"
    show.write_text("title: T\ncues:\n  - {id: a, kind: title, title: A}\n")
    srv = server_factory(show, data=tmp_path / "data-origin")
    url = f"ws://127.0.0.1:{srv.port}/socket.io/?EIO=4&transport=websocket"
    with pytest.raises(websocket.WebSocketBadStatusException):
        websocket.create_connection(url, timeout=5, origin="http://evil.example")
    same = websocket.create_connection(url, timeout=5, origin=srv.url)
    assert same.recv().startswith("0{")
    same.close()


def test_a_second_server_on_a_busy_port_refuses_to_start(server_factory: Any,
                                                         tmp_path: Path) -> None:
    import subprocess
    import sys
    show = tmp_path / "show.yaml"
    show.write_text("title: T\ncues:\n  - {id: a, kind: title, title: A}\n")
    first = server_factory(show, data=tmp_path / "data-first")
    second = subprocess.run(
        [sys.executable, "-m", "liveshow", "serve", "--show", str(show), "--data",
         str(tmp_path / "data-second"), "--host", "127.0.0.1", "--port", str(first.port)],
        capture_output=True, text=True, timeout=60)
    assert second.returncode != 0
    assert f"cannot listen on 127.0.0.1:{first.port}" in second.stderr
    assert first.state()["show"]["title"] == "T"


@pytest.mark.parametrize("namespace, auth, reason", [
    ("/audience", {"code": "wrong", "device": "phone-device-0001"}, "join link has expired"),
    ("/crew", {"password": "wrong"}, "crew login required"),
    ("/display", {"key": "wrong", "name": "main"}, "wrong display key"),
    ("/camera", {"key": "wrong", "camera": "cam1"}, "wrong camera key"),
])
def test_a_refused_client_is_told_why(server_factory: Any, tmp_path: Path, namespace: str,
                                      auth: dict[str, Any], reason: str) -> None:
    show = tmp_path / "show.yaml"
    show.write_text("title: T\ncues:\n  - {id: a, kind: title, title: A}\n")
    srv = server_factory(show, data=tmp_path / "data-refused")
    client = socketio.Client(reconnection=False)
    told: list[Any] = []
    client.on("connect_error", told.append, namespace=namespace)
    with pytest.raises(socketio.exceptions.ConnectionError):
        client.connect(srv.url, namespaces=[namespace], auth=auth, transports=["websocket"],
                       wait_timeout=10)
    assert told and reason in str(told[0])
