"""The eventlet write path (liveshow/realtime/wire.py): a broadcast is framed once and
written straight to each socket. The risks: a frame torn or reordered when a socket is slow,
a compressed frame a phone cannot read, a heartbeat that drops phones or keeps dead
projectors on the crew's list."""

from __future__ import annotations

import logging
import queue
import socket
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from liveshow.realtime.wire import QUICK_PING, WireSocket
from tests.helpers.crew import Crew
from tests.helpers.server import ServerProcess
from tests.helpers.wire import WireClient

LONG = "word " * 790  # ~4 KB of text in each cue: the crew's state lists every cue, ~200 KB
CUES = 50
GOS = 30  # 30 crew states of ~200 KB: more than the kernel's buffers (~3 MB on loopback)


def _show(tmp_path: Path) -> Path:
    show = tmp_path / "show.yaml"
    cues = "".join(
        f"  - {{id: c{n}, kind: record, title: C{n}, text: '{LONG}'}}\n" for n in range(CUES)
    )
    show.write_text("title: Wire\nmin_go_interval: 0\ncues:\n" + cues)
    return show


@pytest.fixture(scope="module")
def wire_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """One server for the module (the tests read state, and each GOes from where it is)."""
    folder = tmp_path_factory.mktemp("wire")
    srv = ServerProcess(data=folder / "data", show=_show(folder)).start()
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def silent(wire_server: ServerProcess) -> Iterator[tuple[WireClient, WireClient]]:
    """A display and a phone that never answer a ping, connected before the other tests
    run, so the heartbeat test finds their seconds of silence already spent."""
    pair = (_display(wire_server, "vanishing"), _phone(wire_server, "silent-phone-0001"))
    yield pair
    for client in pair:
        client.close()


def _display(srv: ServerProcess, name: str, **kwargs: Any) -> WireClient:
    return WireClient(srv, "/display", {"key": srv.display_key, "name": name, "rev": 0}, **kwargs)


def _phone(srv: ServerProcess, device: str, **kwargs: Any) -> WireClient:
    auth = {"code": srv.join_code, "device": device, "rev": 0}
    return WireClient(srv, "/audience", auth, **kwargs)


def test_a_dashboard_that_stops_reading_gets_every_state_whole_and_in_order(
    wire_server: ServerProcess,
    silent: tuple[WireClient, WireClient],
    crew_of: Callable[[ServerProcess], Crew],
) -> None:
    """While one socket's buffers are full, a write to it is finished later and what follows
    waits in its queue: no frame may be torn, interleaved or overtaken, and the others
    are not held up."""
    stalled = WireClient(wire_server, "/crew", {"password": wire_server.password})
    first = stalled.events("state", lambda s: True)[0]
    display = _display(wire_server, "reading")
    display.events("state", lambda s: True)
    crew = crew_of(wire_server)
    for n in range(GOS):  # sent without waiting: the stalled crew answers no ping meanwhile
        crew.client.emit("goto", {"cue": f"c{(n + 1) % CUES}"}, namespace="/crew")
    last = crew.wait_state(lambda s: s["rev"] >= first["rev"] + GOS)["rev"]
    assert display.events("state", lambda s: s["rev"] == last)[-1]["cue"]["id"] == f"c{GOS % CUES}"
    seen = stalled.events("state", lambda s: s["rev"] == last, timeout=30)
    revs = [s["rev"] for s in seen]
    assert revs == sorted(set(revs)), revs  # in order, none twice
    assert len({s["rev"] for s in seen if s["rev"] > first["rev"]}) >= GOS
    assert all(len(s["cues"]) == CUES and s["cues"][-1]["text"] == LONG.strip() for s in seen)


def test_phones_that_negotiated_compression_read_the_one_shared_frame(
    wire_server: ServerProcess, crew_of: Callable[[ServerProcess], Crew]
) -> None:
    offers = [
        "permessage-deflate; client_max_window_bits",  # what Chromium offers
        "permessage-deflate; server_max_window_bits=10",
        None,
    ]
    phones = [
        _phone(wire_server, f"wire-phone-{i:08d}", extensions=e) for i, e in enumerate(offers)
    ]
    for phone in phones:
        phone.events("state", lambda s: True)
    crew_of(wire_server).goto("c40")
    states = [p.events("state", lambda s: (s.get("cue") or {}).get("id") == "c40") for p in phones]
    assert states[0][-1] == states[1][-1] == states[2][-1]
    for phone in phones[:2]:
        agreed = phone.headers["sec-websocket-extensions"]
        assert "permessage-deflate" in agreed and "server_no_context_takeover" in agreed
        assert phone.compressed_frames > 0
    assert "sec-websocket-extensions" not in phones[2].headers
    assert phones[2].compressed_frames == 0
    # the phone that asked for a 2^10 window got it; Chromium's offer lets the server pick
    # the phone's own window: a small one (the server keeps a decompressor per phone)
    assert "server_max_window_bits=10" in phones[1].headers["sec-websocket-extensions"]
    assert "client_max_window_bits=10" in phones[0].headers["sec-websocket-extensions"]


def test_a_silent_projector_is_dropped_in_seconds_and_a_silent_phone_is_not(
    silent: tuple[WireClient, WireClient],
) -> None:
    """Phones are pinged every 25 s (the handshake says so); displays, cameras and the crew
    every 5 s with 5 s to answer, so a projector that vanished leaves the crew's list fast."""
    display, phone = silent
    assert phone.open["pingInterval"] == 25000 and phone.open["pingTimeout"] == 20000
    assert display.closed_within(14)  # pinged after 5 s, no answer in 5 s: closed
    phone.sock.settimeout(0.2)
    assert not phone.closed_within(1)  # the phone, just as silent, is still connected


class _StubServer:
    """What an Engine.IO socket asks of its server in a liveness check."""

    ping_interval, ping_timeout = 25, 20
    logger = logging.getLogger("test_wire")

    class reason:  # noqa: N801 - engineio's name
        PING_TIMEOUT = "ping timeout"
        SERVER_DISCONNECT = "server disconnect"

    def __init__(self) -> None:
        self.events: list[Any] = []

    def create_queue(self) -> Any:
        return queue.Queue()

    def _trigger_event(self, *args: Any, **kwargs: Any) -> None:
        self.events.append(args)

    def start_background_task(self, *args: Any) -> None:
        pass


@pytest.mark.parametrize("pong_waiting", [True, False])
def test_a_pong_the_busy_loop_has_not_read_yet_does_not_drop_the_dashboard(
    pong_waiting: bool,
) -> None:
    """During a storm of joins or votes the loop may read a dashboard's pong later than its
    5 s allowance: the bytes waiting in the kernel show the client answered. Without them,
    the silent client is closed as before."""
    server_end, client_end = socket.socketpair()
    try:
        server_end.setblocking(False)
        sock = WireSocket(_StubServer(), "sid1")
        sock.ws = SimpleNamespace(socket=SimpleNamespace(fd=server_end))
        sock.heartbeat = QUICK_PING
        sock.last_ping = time.time() - 60
        if pong_waiting:
            client_end.sendall(b"\x81\x813abc")  # a masked websocket frame, not read yet
        assert sock.check_ping_timeout() is pong_waiting
        assert sock.closed is not pong_waiting
        if pong_waiting:  # nothing was consumed: the reader still gets the pong
            assert server_end.recv(16) == b"\x81\x813abc"
    finally:
        server_end.close()
        client_end.close()
