"""What goes on the wire under eventlet: a broadcast encoded once, written straight to each
phone's socket; pings and liveness checks from one loop instead of a greenlet per phone.

python-engineio (4.15) sends every packet through a queue per client: a put, a wake of that
client's writer greenlet, a timer for its next wait, the packet encoded and framed again,
then the write. For one cue broadcast to 3,000 phones that is ~110 ms of server CPU on this
machine against ~35 ms for Node's socket.io (STACK.md; benchmarks/full_house.py). Here:

- A packet is encoded, framed (and, where the phone negotiated permessage-deflate,
  compressed) once; the frames are kept on the packet, which python-socketio's manager
  already shares between every recipient of a broadcast.
- A socket whose writer is idle (its queue empty, the writer waiting on it, no frame being
  written) gets the frame with one non-blocking ``send``. A write the kernel only partly
  takes is finished by a greenlet that holds the websocket's own send lock, so the queue's
  writer (still used whenever a socket is busy, so the order of packets never changes)
  waits for it.
- Compression runs with ``server_no_context_takeover`` (the server may always ask for it,
  RFC 7692 §7.1.1.1): every message is compressed on its own, so one compressed frame fits
  every phone with the same window size. With context takeover each phone's frame had to be
  compressed separately.
- Pings are sent, and silent clients closed, by one loop (engineio spawns a greenlet per
  ping and wakes its service task once per client per ``ping_timeout``).
- The writer of an upgraded socket waits on its queue without a timer: the timer only
  mattered to long polling; a closing socket still wakes it (``None`` in the queue).

Applied by ``install()`` when ``liveshow serve`` runs on eventlet; gevent and threading use
python-engineio as it is. Plain TCP sockets only (TLS is a proxy's job: docs/serving.md).
"""

from __future__ import annotations

import struct
import time
import zlib
from typing import Any

import engineio.server
import engineio.socket
from engineio import packet as eio_packet

# Heartbeats (Engine.IO ping interval, then how long the pong may take). Phones get Socket.IO's
# defaults, which is what the handshake tells every client: at 5 s, 3,000 phones answered 600
# pings a second for nothing a phone needs. Displays, cameras and the crew are pinged as
# before, every 5 s with 5 s to answer, so the dashboard sees a lost projector in ~10 s; a
# client accepts pings more often than its handshake said.
PHONE_PING = (25.0, 20.0)
QUICK_PING = (5.0, 5.0)
PHONES = "0/audience"  # the Socket.IO CONNECT packet of a phone (the only namespace it uses)
PING_LOOP_SECONDS = 0.25  # how late a ping may go out at most
LIVENESS_SECONDS = 1.0  # how often silent clients are looked for


class Frames:
    """One Engine.IO packet as websocket frames, built once per encoding the clients need."""

    __slots__ = ("payload", "is_text", "plain", "deflated")

    def __init__(self, pkt: eio_packet.Packet) -> None:
        encoded = pkt.encode()
        self.is_text = isinstance(encoded, str)
        self.payload: bytes = encoded.encode() if isinstance(encoded, str) else encoded
        self.plain: bytes | None = None
        self.deflated: dict[int, bytes] = {}

    def for_socket(self, extensions: dict[str, Any]) -> bytes:
        deflate = extensions.get("permessage-deflate")
        if deflate is None or not self.payload:
            if self.plain is None:
                self.plain = frame(self.payload, self.is_text, compressed=False)
            return self.plain
        bits = int(deflate.get("server_max_window_bits") or zlib.MAX_WBITS)
        cached = self.deflated.get(bits)
        if cached is None:
            compressor = zlib.compressobj(zlib.Z_DEFAULT_COMPRESSION, zlib.DEFLATED, -bits)
            body = compressor.compress(self.payload) + compressor.flush(zlib.Z_SYNC_FLUSH)
            cached = self.deflated[bits] = frame(body[:-4], self.is_text, compressed=True)
        return cached


def frame(body: bytes, is_text: bool, compressed: bool) -> bytes:
    """An unmasked, final RFC 6455 data frame (a server never masks)."""
    first = 0x80 | (0x1 if is_text else 0x2) | (0x40 if compressed else 0)
    size = len(body)
    if size < 126:
        head = struct.pack("!BB", first, size)
    elif size < 65536:
        head = struct.pack("!BBH", first, 126, size)
    else:
        head = struct.pack("!BBQ", first, 127, size)
    return head + body


def frames_of(pkt: eio_packet.Packet) -> Frames:
    built = pkt.__dict__.get("_liveshow_frames")
    if built is None:
        built = pkt._liveshow_frames = Frames(pkt)  # type: ignore[attr-defined]
    return built  # type: ignore[no-any-return]


class WireSocket(engineio.socket.Socket):
    """An Engine.IO socket that writes straight to its websocket when it can."""

    ws: Any = None
    last_ping: float | None
    heartbeat: tuple[float, float] | None = None  # (interval, timeout); None: the server's

    def receive(self, pkt: eio_packet.Packet) -> None:
        data = pkt.data
        if (
            self.heartbeat is None
            and pkt.packet_type == eio_packet.MESSAGE
            and isinstance(data, str)
            and data.startswith("0/")
            and not data.startswith(PHONES)
        ):
            self.heartbeat = QUICK_PING
            self._ping_sooner()
        super().receive(pkt)

    def check_ping_timeout(self) -> bool:
        if self.closed:
            return super().check_ping_timeout()  # type: ignore[no-any-return]
        timeout = self.heartbeat[1] if self.heartbeat else self.server.ping_timeout
        last_ping = self.last_ping
        if last_ping and time.time() - last_ping > timeout:
            self.server.logger.info("%s: Client is gone, closing socket", self.sid)
            self.close(wait=False, abort=False, reason=self.server.reason.PING_TIMEOUT)
            return False
        return True

    def _ping_sooner(self) -> None:
        due = _due(self.server)
        entry = due.get(self.sid)
        if entry is not None and self.heartbeat is not None:
            soonest = time.monotonic() + self.heartbeat[0]
            if entry[0] > soonest:
                due[self.sid] = (soonest, self)

    def _websocket_handler(self, ws: Any) -> Any:
        from eventlet.greenio import GreenSocket

        if type(getattr(ws, "socket", None)) is GreenSocket and hasattr(ws, "_sendlock"):
            self.ws = ws
        try:
            return super()._websocket_handler(ws)
        finally:
            self.ws = None

    def send(self, pkt: eio_packet.Packet) -> None:
        if not self._write_now(pkt):
            super().send(pkt)

    def _write_now(self, pkt: eio_packet.Packet) -> bool:
        """Write ``pkt`` at once if nothing is queued or being written; False: queue it.
        Nothing here yields before the bytes are in the kernel or handed to a finisher."""
        ws = self.ws
        if ws is None or not self.upgraded or self.upgrading or self.closing or self.closed:
            return False
        queue = self.queue
        if queue.qsize() or not queue.getting() or ws._sendlock.locked():
            return False  # the writer has work or is writing: keep the order
        if ws.websocket_closed:
            return False
        if not self.check_ping_timeout():
            return True  # closed for silence: the packet is dropped, as engineio does
        data = frames_of(pkt).for_socket(ws.extensions)
        lock = ws._sendlock
        lock.acquire()
        try:
            sent = ws.socket.fd.send(data)
        except BlockingIOError:
            sent = 0
        except OSError:
            lock.release()
            return False  # the reader will see the connection end
        if sent == len(data):
            lock.release()
        else:
            self.server.start_background_task(_finish, ws, lock, memoryview(data)[sent:])
        return True

    def poll(self) -> list[eio_packet.Packet]:
        if not self.upgraded:
            return super().poll()  # type: ignore[no-any-return]
        first = self.queue.get()  # no timer: close() puts None
        self.queue.task_done()
        if first is None:
            return []
        packets = [first]
        while self.queue.qsize():
            pkt = self.queue.get(block=False)
            self.queue.task_done()
            if pkt is None:
                self.queue.put(None)
                break
            packets.append(pkt)
        return packets

    def schedule_ping(self) -> None:
        if self.last_ping:
            self.last_ping = None
            due = _due(self.server)
            every = self.heartbeat[0] if self.heartbeat else self.server.ping_interval
            due[self.sid] = (time.monotonic() + every, self)


def _finish(ws: Any, lock: Any, rest: memoryview) -> None:
    try:
        ws.socket.sendall(rest)
    except OSError:
        pass  # the reader sees the connection end and closes the socket
    finally:
        lock.release()


def _due(server: Any) -> dict[str, tuple[float, WireSocket]]:
    due = server.__dict__.get("_liveshow_due")
    if due is None:
        due = server._liveshow_due = {}
    return due  # type: ignore[no-any-return]


def service_task(server: Any) -> None:
    """Replaces ``engineio.Server._service_task``: pings due sockets every
    PING_LOOP_SECONDS; closes silent ones and forgets closed ones every LIVENESS_SECONDS."""
    server.service_task_event = server.create_event()
    due = _due(server)
    checked = time.monotonic()
    while not server.service_task_event.wait(timeout=PING_LOOP_SECONDS):
        try:
            now = time.monotonic()
            ping = eio_packet.Packet(eio_packet.PING)  # one packet, framed once, for all
            for sid, (when, sock) in list(due.items()):
                if when <= now:
                    del due[sid]
                    if not sock.closing and not sock.closed:
                        sock.last_ping = time.time()
                        sock.send(ping)
            if now - checked >= LIVENESS_SECONDS:
                checked = now
                for sock in list(server.sockets.values()):
                    if sock.closed:
                        server.sockets.pop(sock.sid, None)
                        due.pop(sock.sid, None)
                    elif not sock.closing:
                        sock.check_ping_timeout()
        except Exception:
            server.logger.exception("service task exception")


def _negotiate_without_context(original: Any) -> Any:
    def negotiate(self: Any, extensions: Any) -> Any:
        config = original(self, extensions)
        if config is not None:
            config["server_no_context_takeover"] = True
        return config

    return negotiate


def install() -> None:
    """Use the wire path in this process (``liveshow serve`` on eventlet, after
    monkey-patching)."""
    from eventlet import websocket

    if engineio.socket.Socket is WireSocket:
        return
    engineio.socket.Socket = WireSocket  # type: ignore[misc]
    engineio.server.Server._service_task = service_task  # type: ignore[method-assign]
    ws_class = websocket.WebSocketWSGI
    ws_class._negotiate_permessage_deflate = _negotiate_without_context(  # type: ignore[method-assign]
        ws_class._negotiate_permessage_deflate
    )
