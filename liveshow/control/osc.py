"""OSC packets in and out, with python-osc's message and bundle parsers (not its blocking
server: the listener in ``realtime/osc.py`` reads a green socket on the server's loop).

In: ``/liveshow/go``, ``/liveshow/back``, ``/liveshow/cue/<id or number>/start [seconds]``
(the optional argument: load to time), ``/liveshow/blackout <0|1>``, ``/liveshow/panic``,
``/liveshow/pause``, ``/liveshow/resume``, ``/liveshow/prompt/<id>/close``,
``/liveshow/cue/<id>/stop`` (stops that one cue on stage) and
``/liveshow/status``. Each is answered QLab-style:
``/reply/<address>`` with one JSON string ``{"address", "status": "ok"|"error", "data"}``."""

from __future__ import annotations

import ipaddress
import json
import re
from dataclasses import dataclass, field
from typing import Any

from pythonosc.osc_message_builder import OscMessageBuilder
from pythonosc.osc_packet import OscPacket

MAX_BUNDLES = 8  # nested bundles in one packet (each level is a recursion in the parser)
MAX_MESSAGES = 32  # elements of one bundle
TYPE_TAGS = b"ihfdsbrmtTFN[]"  # what python-osc parses

SIMPLE = {
    "/liveshow/go": "go",
    "/liveshow/back": "back",
    "/liveshow/panic": "panic",
    "/liveshow/pause": "pause",
    "/liveshow/resume": "resume",
    "/liveshow/status": "status",
}
CUE_START = re.compile(r"/liveshow/cue/([^/]{1,64})/start\Z")
CUE_STOP = re.compile(r"/liveshow/cue/([^/]{1,64})/stop\Z")
PROMPT_CLOSE = re.compile(r"/liveshow/prompt/([^/]{1,64})/close\Z")


Network = ipaddress.IPv4Network | ipaddress.IPv6Network


class OscInputError(ValueError):
    """A packet or message liveshow will not act on; the message says why."""


@dataclass(frozen=True)
class Command:
    address: str
    action: str  # an action of control.actions, or "status"
    args: dict[str, Any] = field(default_factory=dict)


def messages(dgram: bytes) -> list[tuple[str, list[Any]]]:
    """The (address, arguments) of every message in a datagram, bundles flattened; their
    time tags are not honoured (everything runs on arrival)."""
    _check(dgram, depth=0)
    try:
        packet = OscPacket(dgram)
        found = [(t.message.address, list(t.message.params)) for t in packet.messages]
    except Exception as exc:  # python-osc raises several kinds on bad bytes
        raise OscInputError(f"not an OSC packet ({type(exc).__name__}: {exc!s:.120})") from None
    if not found:
        raise OscInputError("an empty bundle")
    return found


def _check(dgram: bytes, depth: int) -> None:
    """Walk the packet's structure before python-osc parses it: what it cannot place it
    logs on the root logger, once per element, and a 64 KB packet holds thousands."""
    if dgram.startswith(b"/"):
        _check_tags(dgram)
        return
    if not dgram.startswith(b"#bundle\x00"):
        raise OscInputError("not an OSC message or bundle")
    if depth >= MAX_BUNDLES:
        raise OscInputError(f"bundles nested more than {MAX_BUNDLES} deep")
    position, count = 16, 0
    while position < len(dgram):
        size = int.from_bytes(dgram[position : position + 4], "big", signed=True)
        position += 4
        if size <= 0 or size % 4 or position + size > len(dgram):
            raise OscInputError("a bundle element's size does not fit the packet")
        _check(dgram[position : position + size], depth + 1)
        position += size
        count += 1
        if count > MAX_MESSAGES:
            raise OscInputError(f"more than {MAX_MESSAGES} elements in a bundle")


def _check_tags(message: bytes) -> None:
    end = message.find(b"\x00")
    start = (end // 4 + 1) * 4 if end >= 0 else len(message)
    if not message[start:].startswith(b","):
        return  # no arguments, or python-osc refuses it itself
    tags = message[start + 1 : message.find(b"\x00", start)]
    if tags.strip(TYPE_TAGS):
        raise OscInputError(f"argument types {tags[:40]!r}: liveshow reads only {TYPE_TAGS!r}")


def command(address: str, args: list[Any]) -> Command:
    """What a message asks for; OscInputError for an unknown address or wrong arguments."""
    if address in SIMPLE:
        return Command(address, SIMPLE[address])
    if address == "/liveshow/blackout":
        return Command(address, "blackout", {"on": _flag(args)})
    match = CUE_START.match(address)
    if match:  # the cue's id or number; one argument: load to time, seconds into the cue
        if len(args) > 1:
            raise OscInputError(f"{address[:120]} takes at most one argument, seconds in")
        at = {"at": args[0]} if args else {}
        return Command(address, "goto", {"cue": match.group(1), **at})
    match = CUE_STOP.match(address)
    if match:
        return Command(address, "stop_cue", {"cue": match.group(1)})
    match = PROMPT_CLOSE.match(address)
    if match:
        return Command(address, "prompt_close", {"prompt": match.group(1)})
    raise OscInputError(f"unknown address {address[:120]!r}")


def _flag(args: list[Any]) -> bool:
    """``/liveshow/blackout 1``: an int or float 0/1, or OSC's true/false."""
    if len(args) == 1:
        value = args[0]
        if isinstance(value, bool):
            return value
        if isinstance(value, (int, float)) and value in (0, 1):
            return bool(value)
    raise OscInputError(f"/liveshow/blackout takes one argument, 0 or 1; got {args!r:.120}")


def source_allowed(host: str, allowed: list[Network]) -> bool:
    """Is ``host`` (as recvfrom gave it) in the allowed networks? An IPv4 sender reaching an
    IPv6 socket (``::ffff:10.0.0.5``) counts as its IPv4 address."""
    try:
        ip = ipaddress.ip_address(host.split("%")[0])
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return any(ip in network for network in allowed)


def encode(address: str, args: list[Any] | tuple[Any, ...] = ()) -> bytes:
    builder = OscMessageBuilder(address=address)
    for arg in args:
        builder.add_arg(arg)
    return bytes(builder.build().dgram)


def reply(address: str, status: str, data: Any) -> bytes:
    """QLab's reply shape: ``/reply/<address>`` carrying one JSON string."""
    body = json.dumps({"address": address, "status": status, "data": data}, allow_nan=False)
    return encode("/reply" + address, [body])
