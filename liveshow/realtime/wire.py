"""What goes on the wire under eventlet: a broadcast encoded once, written straight to each
phone's socket; pings and liveness checks from one loop instead of a greenlet per phone.

python-engineio (4.15) sends every packet through a queue per client: a put, a wake of that
client's writer greenlet, a timer for its next wait, the packet encoded and framed again,
then the write. For one cue broadcast to 3,000 phones that is ~110 ms of server CPU on this
machine against ~35 ms for Node's socket.io (STACK.md; benchmarks/full_house.py). Here:

- A packet is encoded, framed (and, where the phone negotiated permessage-deflate,
  compressed) once; the frames are kept on the packet, which python-socketio's manager
  already shares between every recipient of a broadcast.
- A socket with nothing queued and nothing being written gets the frame with one
  non-blocking ``send``. A write the kernel only partly takes is finished by a greenlet
  holding the websocket's own send lock; meanwhile later packets wait in the socket's queue,
  and a writer greenlet drains it in order behind that lock, so the order never changes.
- Compression runs with ``server_no_context_takeover`` (asked for in ``eventlet_fixes``):
  every message is compressed on its own, so one compressed frame fits every phone with the
  same window size. With context takeover each phone's frame had to be compressed apart.
- Pings are sent, and silent clients closed, by one loop (engineio spawns a greenlet per
  ping and wakes its service task once per client per ``ping_timeout``).
- No writer greenlet is parked per socket (~9 KB each): one runs only while a socket has
  a backlog, and ends when it is written.

Applied by ``install()`` when ``liveshow serve`` runs on eventlet; gevent and threading use
python-engineio as it is. Plain TCP sockets only (TLS is a proxy's job).
"""

from __future__ import annotations

import _socket
import heapq
import itertools
import ssl
import struct
import time
import zlib
from typing import Any

import engineio.server
import engineio.socket
from engineio import exceptions as eio_exceptions
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
LIVENESS_SECONDS = 1.0  # how often unanswered pings are looked at
SWEEP_SECONDS = 10.0  # how often closed sockets engineio kept are dropped


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
    closed: bool
    closing: bool
    connected: bool
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
            if self.answer_unread():
                return True  # the loop is behind (a storm of joins or votes), not the client
            self.server.logger.info("%s: Client is gone, closing socket", self.sid)
            self.close(wait=False, abort=False, reason=self.server.reason.PING_TIMEOUT)
            return False
        return True

    def answer_unread(self) -> bool:
        """Bytes from the client wait in the kernel, not yet read: while a storm of phone
        events keeps the loop busy, a dashboard's pong can wait there longer than its 5 s
        allowance, and closing the crew's socket for it would be our fault, not theirs."""
        ws = self.ws
        if ws is None:
            return False
        try:
            return bool(ws.socket.fd.recv(1, _socket.MSG_PEEK | _socket.MSG_DONTWAIT))
        except OSError:
            return False

    def _ping_sooner(self) -> None:
        if self.heartbeat is not None:
            _beats(self.server).sooner(self, time.monotonic() + self.heartbeat[0])

    writer: Any = None  # the greenlet draining the queue, only while there is a backlog

    def _websocket_handler(self, ws: Any) -> Any:
        """engineio's handler, but with no writer greenlet parked per socket (~9 KB each):
        frames go straight out, and a writer runs only while the queue has a backlog."""
        if not _plain_green_socket(ws):
            return super()._websocket_handler(ws)
        limit = self.server.max_http_buffer_size
        ws.socket.settimeout(self.server.ping_interval + self.server.ping_timeout)
        if self.connected and not self._upgrade(ws):
            return []
        self.connected = self.upgraded = True
        self.ws = ws
        self._drain_later()  # what was held back during the upgrade
        while True:
            try:
                data = ws.wait()
                if data and len(data) > limit:
                    raise ValueError("packet is too large")
            except Exception as exc:
                if not self.closed:
                    self.server.logger.info("%s: Unexpected error %s, closing", self.sid, exc)
                break
            if data is None:
                break  # closed by the client
            try:
                self.receive(eio_packet.Packet(encoded_packet=data))
            except eio_exceptions.UnknownPacketError:
                pass
            except eio_exceptions.SocketIsClosedError:
                break
            except Exception:
                self.server.logger.exception("Unknown receive error")
                break
        self.queue.put(None)  # the writer closes the websocket once what is queued is out
        self._drain_later()
        if self.writer is not None:
            self.writer.join()
        self.ws = None
        self.close(wait=False, abort=True, reason=self.server.reason.TRANSPORT_CLOSE)
        return []

    def _upgrade(self, ws: Any) -> bool:
        """From long polling: the probe ping, then the UPGRADE packet (as engineio does)."""
        self.upgrading = True  # sends are held in the queue meanwhile
        try:
            probe = eio_packet.Packet(encoded_packet=ws.wait())
            if probe.packet_type != eio_packet.PING or probe.data != "probe":
                return False
            ws.send(eio_packet.Packet(eio_packet.PONG, data="probe").encode())
            self.queue.put(eio_packet.Packet(eio_packet.NOOP))  # ends the pending poll
            upgrade = eio_packet.Packet(encoded_packet=ws.wait())
            return upgrade.packet_type == eio_packet.UPGRADE  # type: ignore[no-any-return]
        except Exception:
            return False
        finally:
            self.upgrading = False

    def send(self, pkt: eio_packet.Packet) -> None:
        if not self._write_now(pkt):
            super().send(pkt)
            self._drain_later()

    def close(self, wait: bool = True, abort: bool = False, reason: Any = None) -> None:
        if self.ws is None:
            super().close(wait=wait, abort=abort, reason=reason)
            return
        if self.closed or self.closing:
            return
        self.closing = True
        self.server._trigger_event(
            "disconnect", self.sid, reason or self.server.reason.SERVER_DISCONNECT, run_async=False
        )
        if not abort:
            self.send(eio_packet.Packet(eio_packet.CLOSE))
        self.closed = True
        self.queue.put(None)
        self._drain_later()
        if wait:
            self.queue.join()

    def _drain_later(self) -> None:
        if self.ws is not None and self.writer is None and self.queue.qsize():
            self.writer = self.server.start_background_task(self._drain, self.ws)

    def _drain(self, ws: Any) -> None:
        """Write the backlog in order; at ``None`` (the socket is closing) close the
        websocket. Ends when the queue is empty: nothing yields between that check and
        ``writer`` going back to None, so a send meanwhile cannot be stranded."""
        try:
            while self.queue.qsize():
                pkt = self.queue.get(block=False)
                self.queue.task_done()
                if pkt is None:
                    while self.queue.qsize():  # nothing after the end is sent
                        self.queue.get(block=False)
                        self.queue.task_done()
                    _close(ws)
                    break
                ws.send(pkt.encode())
        except Exception:
            _close(ws)
        finally:
            self.writer = None

    def _write_now(self, pkt: eio_packet.Packet) -> bool:
        """Write ``pkt`` at once if nothing is queued or being written; False: queue it.
        Nothing here yields before the bytes are in the kernel or handed to a finisher."""
        ws = self.ws
        if ws is None or not self.upgraded or self.upgrading or self.closing or self.closed:
            return False
        if self.queue.qsize() or self.writer is not None or ws._sendlock.locked():
            return False  # a backlog or a write in progress: keep the order
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

    def schedule_ping(self) -> None:
        if self.last_ping:
            self.last_ping = None
            every = self.heartbeat[0] if self.heartbeat else self.server.ping_interval
            _beats(self.server).ping_at(self, time.monotonic() + every)


def _close(ws: Any) -> None:
    """Close ``ws`` unless its socket is closed already (the reader saw the end first):
    eventlet would log "socket shutdown error: [Errno 9] Bad file descriptor", with no
    newline, into the server's output."""
    if ws.socket.fileno() >= 0:
        ws.close()


def _finish(ws: Any, lock: Any, rest: memoryview) -> None:
    try:
        ws.socket.sendall(rest)
    except OSError:
        pass  # the reader sees the connection end and closes the socket
    finally:
        lock.release()


class Heartbeats:
    """When each socket is next pinged (a heap: the loop looks only at what is due, not at
    every phone four times a second), and which pings are still unanswered."""

    def __init__(self) -> None:
        self.due: dict[str, float] = {}  # sid -> when its next ping goes
        self.heap: list[tuple[float, int, str, WireSocket]] = []
        self.order = itertools.count()  # ties never compare sockets
        self.waiting: dict[str, WireSocket] = {}  # pinged, no pong yet

    def ping_at(self, sock: WireSocket, when: float) -> None:
        self.waiting.pop(sock.sid, None)
        self.due[sock.sid] = when
        heapq.heappush(self.heap, (when, next(self.order), sock.sid, sock))

    def sooner(self, sock: WireSocket, when: float) -> None:
        if self.due.get(sock.sid, 0.0) > when:
            self.ping_at(sock, when)  # the later entry is skipped when it comes up

    def send_due(self, now: float) -> None:
        ping = eio_packet.Packet(eio_packet.PING)  # one packet, framed once, for all
        heap, due = self.heap, self.due
        while heap and heap[0][0] <= now:
            when, _, sid, sock = heapq.heappop(heap)
            if due.get(sid) != when:
                continue  # moved sooner, or already sent
            del due[sid]
            if not sock.closing and not sock.closed:
                sock.last_ping = time.time()
                self.waiting[sid] = sock
                sock.send(ping)

    def check_silent(self) -> None:
        """Close sockets whose pong is late (only those pinged and not yet answered)."""
        for sid, sock in list(self.waiting.items()):
            if sock.closed or sock.closing or not sock.check_ping_timeout():
                self.waiting.pop(sid, None)


def _beats(server: Any) -> Heartbeats:
    beats = server.__dict__.get("_liveshow_heartbeats")
    if beats is None:
        beats = server._liveshow_heartbeats = Heartbeats()
    return beats  # type: ignore[no-any-return]


def service_task(server: Any) -> None:
    """Replaces ``engineio.Server._service_task`` (which woke once per client per
    ``ping_timeout``): pings due sockets every PING_LOOP_SECONDS, closes silent ones every
    LIVENESS_SECONDS, forgets closed ones every SWEEP_SECONDS."""
    server.service_task_event = server.create_event()
    beats = _beats(server)
    checked = swept = time.monotonic()
    while not server.service_task_event.wait(timeout=PING_LOOP_SECONDS):
        try:
            now = time.monotonic()
            beats.send_due(now)
            if now - checked >= LIVENESS_SECONDS:
                checked = now
                beats.check_silent()
            if now - swept >= SWEEP_SECONDS:
                swept = now
                for sid, sock in list(server.sockets.items()):
                    if sock.closed:
                        server.sockets.pop(sid, None)
        except Exception:
            server.logger.exception("service task exception")


def _plain_green_socket(ws: Any) -> bool:
    """eventlet's websocket on a plain TCP socket (``fd`` is the real, non-blocking one)."""
    fd = getattr(getattr(ws, "socket", None), "fd", None)
    return (
        isinstance(fd, _socket.socket)
        and not isinstance(fd, ssl.SSLSocket)
        and hasattr(ws, "_sendlock")
        and hasattr(ws, "extensions")
    )


def install() -> None:
    """Use the wire path in this process (``liveshow serve`` on eventlet, after
    monkey-patching; ``eventlet_fixes.install`` makes the compression negotiation fit)."""
    if engineio.socket.Socket is WireSocket:
        return
    engineio.socket.Socket = WireSocket  # type: ignore[misc]
    engineio.server.Server._service_task = service_task  # type: ignore[method-assign]
