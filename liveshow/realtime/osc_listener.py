"""The OSC listener: a UDP socket read by a background task on the server's own loop (a
green socket under eventlet and gevent, a thread under threading), so no packet, however
bad or however many, holds up a GO. Only addresses in ``LIVESHOW_OSC_ALLOW`` are heard
(empty: nobody); each command runs as ``osc:<address>`` and is logged; a flood from an
allowed address is rate-limited; nothing that arrives can stop the loop."""

from __future__ import annotations

import logging
import socket
import sys
import time
from typing import Any

from flask import Flask

from ..audience.limits import Limit, RateLimiter
from ..control import osc
from ..control.actions import ControlError, perform, status
from ..control.targets import OscOut
from ..extensions import Runtime
from ..settings import osc_networks, osc_targets
from ..show.engine import CueError

log = logging.getLogger("liveshow.osc")
OSC_LIMITS = {"osc": Limit(rate=20.0, burst=40)}  # messages per source address
QUIET = 10.0  # seconds between two warnings about one source's dropped packets


def start_osc(app: Flask, socketio: Any) -> None:
    """Called by ``liveshow serve`` before it serves: OSC out always (a cue's own
    messages), OSC in when ``osc_port`` is set."""
    _log_to_stderr()
    rt: Runtime = app.extensions["liveshow"]
    out = OscOut(osc_targets(rt.settings["osc_targets"] or ""), socketio.start_background_task)
    out.prime(rt.engine, rt.prompts)
    app.extensions["liveshow.osc"] = out
    port = rt.settings.get("osc_port")
    if port is None:
        return
    host = rt.settings["host"]
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_DGRAM)
    try:
        sock.bind((host, port))
    except OSError as exc:
        raise SystemExit(
            f"liveshow: cannot listen for OSC on udp {host}:{port}: {exc.strerror}"
        ) from None
    allowed = osc_networks(rt.settings["osc_allow"] or "")
    log.info(
        "OSC on udp %s:%s from %s",
        host,
        port,
        ", ".join(map(str, allowed)) or "nobody (set LIVESHOW_OSC_ALLOW)",
    )
    socketio.start_background_task(OscListener(app, sock, allowed).run)


def _log_to_stderr() -> None:
    """OSC commands are show actions: the operator sees them in the server's output."""
    if not log.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(message)s"))
        log.addHandler(handler)
        log.setLevel(logging.INFO)
        log.propagate = False


class OscListener:
    def __init__(self, app: Flask, sock: socket.socket, allowed: list[osc.Network]) -> None:
        self.app = app
        self.sock = sock
        self.allowed = allowed
        self.limiter = RateLimiter(OSC_LIMITS)
        self.warned: dict[tuple[str, str], float] = {}

    def run(self) -> None:
        while True:
            try:
                data, source = self.sock.recvfrom(65535)
            except OSError as exc:  # e.g. an ICMP error surfacing: keep listening
                log.warning("OSC receive failed: %s", exc)
                time.sleep(0.05)
                continue
            try:
                self.packet(data, source)
            except Exception:  # whatever one packet does, the listener keeps listening
                log.exception("OSC packet from %s not handled", source[0])

    def packet(self, data: bytes, source: Any) -> None:
        host = str(source[0])
        if not self.is_allowed(host):
            self._warn(host, "denied", "OSC from %s dropped: not in LIVESHOW_OSC_ALLOW", host)
            return
        if not self.limiter.allow("osc", host):
            self._warn(host, "flood", "OSC from %s dropped: more than %s a second", host, 20)
            return
        try:
            found = osc.messages(data)
        except osc.OscInputError as exc:
            log.warning("OSC from %s ignored: %s", host, exc)  # bounded by the rate limit
            return
        for number, (address, args) in enumerate(found):
            if number and not self.limiter.allow("osc", host):  # a bundle pays per message
                self._warn(host, "flood", "OSC from %s dropped: more than %s a second", host, 20)
                return
            self.message(address, args, source)

    def message(self, address: str, args: list[Any], source: Any) -> None:
        host = str(source[0])
        try:
            command = osc.command(address, args)
        except osc.OscInputError as exc:
            log.warning("OSC %s from %s ignored: %s", address[:120], host, exc)
            self._reply(source, address, "error", {"error": str(exc)})
            return
        rt: Runtime = self.app.extensions["liveshow"]
        try:
            with self.app.app_context():
                if command.action == "status":
                    done = status(rt.engine, rt.prompts)
                else:
                    done = perform(
                        rt.engine, rt.prompts, command.action, command.args, f"osc:{host}"
                    )
        except (CueError, ControlError) as exc:
            log.info("OSC %s from %s refused: %s", address, host, exc)
            self._reply(source, address, "error", {"error": str(exc)})
            return
        if command.action != "status":
            log.info("OSC %s from %s: %s", address, host, done)
        self._reply(source, address, "ok", done)

    def is_allowed(self, host: str) -> bool:
        return osc.source_allowed(host, self.allowed)

    def _reply(self, source: Any, address: str, status_: str, data: Any) -> None:
        try:
            self.sock.sendto(osc.reply(address, status_, data), source)
        except Exception as exc:  # a reply is a courtesy: never worth a failure
            log.warning("OSC reply to %s not sent: %s", source[0], exc)

    def _warn(self, host: str, what: str, message: str, *args: Any) -> None:
        """At most one warning per source and kind every QUIET seconds: a flood must not
        become a flood of log lines."""
        now = time.monotonic()
        if len(self.warned) > 10_000:  # spoofed sources must not fill the memory
            self.warned.clear()
        if now - self.warned.get((host, what), -QUIET) >= QUIET:
            self.warned[(host, what)] = now
            log.warning(message, *args)
