"""OSC out: who is told (``LIVESHOW_OSC_TARGETS``) about cue starts, prompts opening and
closing, blackout and panic, and the sending of a cue's own messages (``osc:`` in the show
file). Sending is a UDP ``sendto`` on a non-blocking socket after the change is committed:
it never waits, and a target that is down loses a message, never the GO."""

from __future__ import annotations

import ipaddress
import logging
import socket
from collections.abc import Callable
from typing import Any

from ..audience.prompts import Prompts
from ..events import CueStarted, EventKind, ShowChanged
from ..settings import host_port
from ..show.engine import ShowEngine
from .osc import encode

log = logging.getLogger("liveshow.osc")

CUE_STARTED = "/liveshow/cue/started"  # <id> <kind> <title>
PROMPT_OPENED = "/liveshow/prompt/opened"  # <id> <kind> <question>
PROMPT_CLOSED = "/liveshow/prompt/closed"  # <id>
BLACKOUT_CHANGED = "/liveshow/blackout/changed"  # <0|1>
PANIC_FIRED = "/liveshow/panic/fired"

Address = tuple[str, int]


class OscOut:
    """Tells the targets about the show; sends cues' own messages. ``spawn`` runs a
    function in the background (Socket.IO's start_background_task): a host name is looked
    up there once, never inside a GO."""

    def __init__(self, targets: list[Address], spawn: Callable[..., Any]) -> None:
        self.targets = list(targets)
        self.spawn = spawn
        self.resolved: dict[Address, tuple[int, Any]] = {}  # (host, port) -> family, addr
        self.sockets: dict[int, socket.socket] = {}
        self.blackout: bool | None = None
        self.prompt: str | None = None

    def prime(self, engine: ShowEngine, prompts: Prompts) -> None:
        """Start from the show as it is, so only changes are told."""
        self.blackout = engine.state.blackout
        current = prompts.current()
        self.prompt = None if current is None else str(current["id"])

    # ---- what is told -----------------------------------------------------------------
    def show_changed(self, event: ShowChanged, engine: ShowEngine, prompts: Prompts) -> None:
        """Runs after ``event`` was committed (the fan-out table calls it)."""
        if isinstance(event, CueStarted):
            cue = engine.cue(event.cue)
            if cue is not None:
                self.tell(CUE_STARTED, [cue.id, cue.kind.value, engine.screened(cue).title])
                for message in cue.osc:
                    self.send(host_port(message.target), message.address, message.args)
        if event.kind is EventKind.PANIC:
            self.tell(PANIC_FIRED, [])
        if not self.targets:
            return
        if engine.state.blackout != self.blackout:
            self.blackout = engine.state.blackout
            self.tell(BLACKOUT_CHANGED, [int(self.blackout)])
        current = prompts.current()
        open_id = None if current is None else str(current["id"])
        if open_id != self.prompt:
            if self.prompt is not None:
                self.tell(PROMPT_CLOSED, [self.prompt])
            if current is not None:
                self.tell(PROMPT_OPENED, [open_id, current["kind"], current["question"]])
            self.prompt = open_id

    def tell(self, address: str, args: list[Any]) -> None:
        for target in self.targets:
            self.send(target, address, args)

    # ---- sending ----------------------------------------------------------------------
    def send(self, target: Address, address: str, args: list[Any]) -> None:
        try:
            packet = encode(address, args)
        except Exception as exc:  # an argument OSC cannot carry: say so, send the rest
            log.warning("OSC %s to %s:%s not sent: %s", address, *target, exc)
            return
        if target in self.resolved:
            self._sendto(target, packet)
            return
        literal = _literal(target)
        if literal is not None:
            self.resolved[target] = literal
            self._sendto(target, packet)
        else:
            self.spawn(self._resolve_and_send, target, packet)

    def _resolve_and_send(self, target: Address, packet: bytes) -> None:
        try:
            family, _, _, _, addr = socket.getaddrinfo(*target, type=socket.SOCK_DGRAM)[0]
        except OSError as exc:
            log.warning("OSC target %s:%s: cannot look up the name: %s", *target, exc)
            return
        self.resolved[target] = (family, addr)
        self._sendto(target, packet)

    def _sendto(self, target: Address, packet: bytes) -> None:
        family, addr = self.resolved[target]
        try:
            sock = self.sockets.get(family)
            if sock is None:
                sock = self.sockets[family] = socket.socket(family, socket.SOCK_DGRAM)
                sock.setblocking(False)
            sock.sendto(packet, addr)
        except OSError as exc:  # a full buffer or an unreachable network: drop, say so
            log.warning("OSC to %s:%s not sent: %s", *target, exc)


def _literal(target: Address) -> tuple[int, Any] | None:
    try:
        ip = ipaddress.ip_address(target[0])
    except ValueError:
        return None
    if ip.version == 6:
        return socket.AF_INET6, (str(ip), target[1], 0, 0)
    return socket.AF_INET, (str(ip), target[1])
