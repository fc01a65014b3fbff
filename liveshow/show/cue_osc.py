"""A cue's own OSC messages (``osc:`` in the show file), checked as the show loads, so a
typo fails at load time with the cue named rather than silently at GO."""

from __future__ import annotations

import math
import re
from typing import Any

from ..settings import host_port
from .cues import TITLE_LIMIT, OscSend

MAX_MESSAGES = 16  # per cue
MAX_ARGS = 16  # per message
ADDRESS = re.compile(r"^/[!-~]{0,199}\Z")  # printable ASCII, no spaces


def parse_osc(raw: Any) -> list[OscSend]:
    """``[{target: host:port, address: /path, args: [...]}]``; ValueError says what is wrong."""
    if not isinstance(raw, list) or len(raw) > MAX_MESSAGES:
        raise ValueError(f"'osc' must be a list of up to {MAX_MESSAGES} messages")
    return [_message(item, f"osc message {i}") for i, item in enumerate(raw, start=1)]


def _message(item: Any, where: str) -> OscSend:
    if not isinstance(item, dict) or set(item) - {"target", "address", "args"}:
        raise ValueError(f"{where} must be a mapping of target, address and args")
    target = item.get("target")
    try:
        host_port(target if isinstance(target, str) else "")
    except ValueError:
        raise ValueError(
            f"{where}: 'target' must be host:port (e.g. 10.0.0.20:53000), got {target!r}"
        ) from None
    address = item.get("address")
    if not isinstance(address, str) or not ADDRESS.match(address):
        raise ValueError(
            f"{where}: 'address' must be an OSC address like /cue/12/go, got {address!r}"
        )
    args = item.get("args", [])
    args = args if isinstance(args, list) else [args]
    if len(args) > MAX_ARGS or not all(_fits(a) for a in args):
        raise ValueError(
            f"{where}: 'args' must be up to {MAX_ARGS} values, each text (up to "
            f"{TITLE_LIMIT} characters), a number or true/false, got {args!r}"
        )
    return OscSend(target=str(target), address=address, args=list(args))


def _fits(arg: Any) -> bool:
    if isinstance(arg, bool):
        return True
    if isinstance(arg, int):
        return -(2**63) <= arg < 2**63
    if isinstance(arg, float):
        return math.isfinite(arg)
    return isinstance(arg, str) and len(arg) <= TITLE_LIMIT
