"""What every client message passes before a handler sees it, and what every message out
must be.

Out: strict JSON (no bare ``NaN``/``Infinity``, which browsers' ``JSON.parse`` and so the
Socket.IO client cannot read: one would make every dashboard and display reconnect in a
loop). In: a packet too deeply nested to decode becomes an event the guard refuses with an
acknowledgement, instead of being dropped without one.
"""

from __future__ import annotations

import json
import logging
import math
from typing import Any

log = logging.getLogger(__name__)

UNREADABLE = "\x00unreadable"  # the event name a packet that could not be decoded becomes


def strict_dumps(obj: Any, **kwargs: Any) -> str:
    """``json.dumps`` with ``allow_nan=False``. A non-finite number that slipped past the
    checks at the entries is logged and sent as null rather than breaking every screen."""
    kwargs.pop("allow_nan", None)
    try:
        return json.dumps(obj, allow_nan=False, **kwargs)
    except ValueError:
        log.error("a non-finite number on its way out was sent as null")
        return json.dumps(finite_only(obj), allow_nan=False, **kwargs)


def finite_only(obj: Any) -> Any:
    """A copy of ``obj`` with every NaN and Infinity replaced by None."""
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else None
    if isinstance(obj, dict):
        return {k: finite_only(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [finite_only(v) for v in obj]
    return obj


def safe_loads(text: str | bytes, **kwargs: Any) -> Any:
    """``json.loads`` that turns a nesting too deep for the decoder into ValueError (a
    RecursionError would escape every ``except ValueError`` on the way up)."""
    try:
        return json.loads(text, **kwargs)
    except RecursionError:
        raise ValueError("the JSON is nested too deeply") from None


class PacketJSON:
    """The json module python-socketio encodes and decodes packets with."""

    @staticmethod
    def dumps(obj: Any, **kwargs: Any) -> str:
        return strict_dumps(obj, **kwargs)

    @staticmethod
    def loads(text: str | bytes, **kwargs: Any) -> Any:
        try:
            return json.loads(text, **kwargs)
        except RecursionError:
            # an event the guard answers (when the packet asked for an acknowledgement);
            # a ValueError is left alone: Engine.IO relies on it ("probe" is not JSON)
            return [UNREADABLE, "the message is nested too deeply"]
