"""`liveshow camera`: one process per stage camera, on any machine on the venue LAN.

OpenCV runs here, never in the server's event loop. The agent connects to the server's
/camera namespace (and reconnects by itself), sends ~10 fps previews for the dashboard and
full-size programme frames while a projector watches, obeys the crew's commands, and
uploads finished takes through a durable outbox.
"""

from __future__ import annotations

import logging
import shutil
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import requests
import socketio

from ..media.imaging import PAD_BGR, flatten
from ..media.library import sha256_file
from .capture.keying import KeySettings
from .capture.pipeline import CameraPipeline, PipelineConfig
from .capture.recorder import recover_all
from .capture.sources import ReconnectingSource, SourceState, open_source
from .capture.take import TakeResult
from .outbox import TakeOutbox

log = logging.getLogger("liveshow.camera")
MB = 1024 * 1024


class OneAtATimeClient(socketio.Client):
    """A Socket.IO client whose packets go out one whole message at a time. The agent sends
    from several threads (previews, the programme feed, key previews, statuses, command
    answers); python-socketio's emit is not thread-safe (its docs say to lock), so a binary
    event's header and its attachment could be split by another thread's packet, and the
    server, taking that packet as the attachment, dropped both ("invalid literal for int()
    with base 10: b'\\xff'", a JPEG's first byte, in its log)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._sending = threading.Lock()

    def _send_packet(self, pkt: Any) -> None:
        with self._sending:
            super()._send_packet(pkt)


@dataclass(frozen=True)
class AgentConfig:
    server: str
    key: str
    name: str
    source: str = "synthetic"
    width: int = 1280
    height: int = 720
    fps: float = 30.0
    takes_dir: Path = Path("./liveshow-takes")
    program_fps: float = 30.0
    # MB free a take needs to start; one still recording is stopped at half of it and
    # finished (in place when there is no room for the usual copy: recorder.recover).
    min_free_mb: int = 500
    # when short of that, delete the files of takes the server confirms it has, oldest first
    prune_uploaded: bool = True


class CameraAgent:
    def __init__(self, config: AgentConfig) -> None:
        self.config = config
        config.takes_dir.mkdir(parents=True, exist_ok=True)
        self.sio = OneAtATimeClient(
            reconnection=True, reconnection_delay=1, reconnection_delay_max=5
        )
        self.program_on = False
        self.state = "retrying"
        self.problem: str | None = "starting"
        self.disk_problem: str | None = None  # a take stopped for want of space
        self.keyed = False
        # what the keyer shows behind the performer: reported, so a reloaded dashboard knows
        self.backgrounds: list[str] = []
        self.background_period = 0.0
        self._stop = threading.Event()
        source = ReconnectingSource(
            lambda: open_source(config.source, config.width, config.height, config.fps),
            config.width,
            config.height,
            config.fps,
            on_state=self._source_state,
        )
        self.pipeline = CameraPipeline(
            source,
            PipelineConfig(takes_dir=config.takes_dir, program_fps=config.program_fps),
            on_preview=self._send("preview"),
            on_program=self._program,
            on_take=self._take,
            on_key_preview=self._send("key_preview"),
        )
        self.tally = "off"  # the server's word: on_air, preview or off (see tally())
        self.tally_seq = 0  # the newest tally message's number (it restarts with the server)
        self._tally_lock = threading.Lock()
        self._pictures: dict[str, np.ndarray] = {}  # downloaded backgrounds, by URL
        self.outbox = TakeOutbox(
            config.takes_dir,
            config.server,
            config.key,
            on_status=lambda s, d: log.info("outbox %s: %s", s, d),
        )
        self.sio.on("command", self.on_command, namespace="/camera")
        self.sio.on("tally", self.on_tally, namespace="/camera")
        self.sio.on("disconnect", self.on_server_lost, namespace="/camera")
        self.sio.on("connect", lambda: self.report(), namespace="/camera")

    # ---- running --------------------------------------------------------------------------
    def run(self, duration: float | None = None) -> None:
        """Capture until stopped (Ctrl-C, SIGTERM) or for ``duration`` seconds."""
        self.recover_crashed_takes()
        self.pipeline.start()
        self.outbox.start()
        started = time.monotonic()
        try:
            self.connect_until_stopped()
            while not self._stop.wait(1.0):
                try:
                    self.watch_disk()
                except Exception:  # noqa: BLE001 - a failed check must not stop the camera
                    log.exception("checking the free space for takes failed")
                self.report()
                if duration is not None and time.monotonic() - started >= duration:
                    break
        finally:
            self.shutdown()

    def connect_until_stopped(self) -> None:
        """The first connect, tried again (1 s, then up to 5 s apart) until the server answers
        or the agent is stopped. Not python-socketio's retry=True: that waits in this thread
        on an event of its own, so a SIGTERM'd agent whose server had gone ran on for good.
        (Once connected, python-socketio's own reconnection takes over.)"""
        delay = 1.0
        while not self._stop.is_set():
            try:
                self.sio.connect(
                    self.config.server,
                    namespaces=["/camera"],
                    wait_timeout=10,
                    auth={"key": self.config.key, "camera": self.config.name},
                )
                return
            except socketio.exceptions.ConnectionError as exc:
                if self.sio.failed_namespaces:
                    raise  # the server answered and refused (a wrong key): as before, no retry
                log.info("server not answering (%s): trying again in %.0f s", exc, delay)
                self._stop.wait(delay)
                delay = min(delay * 2, 5.0)

    def stop(self) -> None:
        self._stop.set()

    def recover_crashed_takes(self) -> None:
        """Takes cut short by a crash (kill -9, power) are finalised and queued for upload."""
        takes: dict[str, dict[str, Any]] = {}
        for found in recover_all(self.config.takes_dir):
            take_id, role = found.path.name.split(".")[0], found.path.name.split(".")[1]
            files = takes.setdefault(take_id, {"files": {}, "duration": found.duration})
            files["files"][role] = _file(found.path, found.sha256)
            if role == "raw" and found.thumbnail is not None:
                files["files"]["thumb"] = _file(found.thumbnail, sha256_file(found.thumbnail))
        for take_id, take in takes.items():
            if "raw" not in take["files"]:
                log.warning("recovered take %s has no raw plate; kept on disk", take_id)
                continue
            log.info("recovered take %s (%.1f s) after a crash", take_id, take["duration"])
            self.outbox.add(
                {
                    "id": take_id,
                    "camera": self.config.name,
                    "files": take["files"],
                    "duration": take["duration"],
                    "reason": "recovered after a crash",
                    "backgrounds": [],
                }
            )

    def shutdown(self) -> None:
        """Finalise any take in progress (it goes to the outbox), then disconnect."""
        self.pipeline.stop()
        deadline = time.monotonic() + 30
        while self.outbox.pending() and time.monotonic() < deadline and self.sio.connected:
            time.sleep(0.5)
        self.outbox.stop()
        self.sio.shutdown()  # disconnects, or stops the reconnect task if it is retrying

    def disk_free(self) -> int | None:
        """Bytes free where takes are recorded (None if it cannot be read)."""
        try:
            return shutil.disk_usage(self.config.takes_dir).free
        except OSError:
            return None

    def room_for_a_take(self) -> None:
        """Raises RuntimeError (the crew's answer) when the takes folder is nearly full."""
        free = self.disk_free()
        if free is None or free >= self.config.min_free_mb * MB:
            return
        short = (
            f"only {free / MB:.0f} MB free for takes (at least {self.config.min_free_mb} MB needed)"
        )
        if self.config.prune_uploaded and self.outbox.prunable():
            raise RuntimeError(f"{short}: uploaded takes are being deleted to make room: try again")
        raise RuntimeError(
            f"{short}: free space in {self.config.takes_dir.resolve()} on the camera's machine "
            "(a take whose .json says uploaded is on the server already)"
        )

    def watch_disk(self) -> None:
        """Tells the crew (the status's problem) when takes are short of space, and stops a
        take still recording at half the floor, while it can still be finished (in place,
        without the usual copy, if need be: see recorder.recover)."""
        free = self.disk_free()
        floor = self.config.min_free_mb * MB
        # uploaded takes make room before the floor is reached: at twice it, so a Record
        # seldom meets a full disk (and never waits on the server's answers)
        prune = self.config.prune_uploaded and free is not None and free < 2 * floor
        self.outbox.want_room(2 * floor if prune else None, self.disk_free)
        if free is None or free >= floor:
            self.disk_problem = None
            return
        left = f"only {free / MB:.0f} MB free for takes"
        recording = self.pipeline.stats().recording is not None
        if recording and free < floor // 2:
            self.disk_problem = f"the take was stopped: {left}"
            log.warning("%s", self.disk_problem)
            # finished in a thread of its own: the status goes out at once, not after it
            self.pipeline.stop_take_soon("stopped: the disk is nearly full")
        elif recording:
            self.disk_problem = f"{left}: the take stops at {floor // 2 // MB} MB"
        elif self.disk_problem is not None and self.disk_problem.startswith("the take was"):
            self.disk_problem = f"the take was stopped: {left}"  # the figure kept up to date
        else:
            self.disk_problem = f"{left}: free space before the next take"

    def report(self) -> None:
        stats = self.pipeline.stats()
        free = self.disk_free()
        self._emit(
            "status",
            {
                # a filesystem that reports an "unlimited" figure must not lose the status
                **({"disk_free": min(free, 2**53)} if free is not None else {}),
                "state": self.state,
                "fps": round(stats.fps_in, 1),
                "dropped": stats.frames_dropped,
                "recording": stats.recording is not None,
                # how long the take has run, not when it began: the server's clock may differ
                # from this machine's, and it keeps the take's age across a reconnect
                "recording_for": (
                    None if stats.recording_for is None else round(stats.recording_for, 2)
                ),
                "keyed": stats.keying,
                "source": self.config.source,
                "problem": self.problem or self.disk_problem or "",
                "backgrounds": list(self.backgrounds),
                "background_period": self.background_period,
            },
        )

    # ---- from the server --------------------------------------------------------------------
    def on_command(self, data: Any) -> dict[str, Any]:
        if not isinstance(data, dict):
            return {"ok": False, "error": "a command is an object"}
        action = data.get("action")
        try:
            if action == "record":
                self.room_for_a_take()
                take = self.pipeline.start_take()
                self.report()  # the dashboard's card shows it now, not at the next second
                return {"ok": True, "take": take}
            if action == "stop":
                # finished in a thread of its own (seconds for a long or keyed take): the
                # crew hears at once that it stopped, and the take goes to the outbox after
                stopped = self.pipeline.stop_take_soon("stopped")
                self.report()
                return {"ok": True, "take": stopped}
            if action == "key":
                settings = data.get("settings")  # none sent: keep the tuned settings
                self.pipeline.set_keying(
                    bool(data.get("on")), key_settings(settings) if settings else None
                )
                return {"ok": True}
            if action == "background":
                images = self._download(data.get("images", []))
                period = float(data.get("period", 0))
                self.pipeline.set_backgrounds(images, period)
                self.backgrounds, self.background_period = [i for i, _ in images], period
                self.report()
                return {"ok": True}
            if action == "snapshot":
                jpeg = self.pipeline.snapshot()
                return (
                    {"ok": True, "jpeg": jpeg} if jpeg else {"ok": False, "error": "no picture yet"}
                )
            if action == "preview":
                return self._key_preview(data)
            if action == "program":
                self.program_on = bool(data.get("on"))
                return {"ok": True}
        except (RuntimeError, ValueError, TypeError, requests.RequestException) as exc:
            return {"ok": False, "error": str(exc)}
        return {"ok": False, "error": f"unknown action {action!r}"}

    def on_tally(self, data: Any) -> None:
        """The server says whether this camera is on air (red), in the crew's key preview
        (green) or neither: the operator sees it on this machine's terminal."""
        tally = data.get("tally") if isinstance(data, dict) else None
        if tally not in TALLY_LINES or tally == "unknown":
            return
        seq = data.get("seq")
        with self._tally_lock:  # each message is handled in a thread of its own
            if isinstance(seq, int) and not isinstance(seq, bool):
                if seq <= self.tally_seq:
                    return  # an older message than one already shown: a quick cut's "on"
                self.tally_seq = seq
            if tally == self.tally:
                return
            self.tally = tally
            cue = data.get("cue") if isinstance(data.get("cue"), str) else None
            show_tally(self.config.name, tally, cue)

    def on_server_lost(self, *reason: Any) -> None:
        """Cut off from the server, the agent cannot know whether it is on air: a stale red
        light is worse than none. The server tells it again as it reconnects."""
        self.pipeline.key_preview.set(None)  # nobody is left to see it: stop keying it
        with self._tally_lock:
            self.tally_seq = 0  # a restarted server numbers its messages from 1 again
            if self.tally != "unknown":
                self.tally = "unknown"
                show_tally(self.config.name, "unknown", None)

    def _key_preview(self, data: dict[str, Any]) -> dict[str, Any]:
        """Key the crew's trial settings over their trial backgrounds, beside the programme;
        answers with the first keyed picture."""
        if not data.get("on"):
            self.pipeline.key_preview.set(None)
            return {"ok": True}
        settings = key_settings(data.get("settings") or {})
        images = data.get("images")
        backgrounds = self._download(images, cache=True) if images else None
        self.pipeline.key_preview.set(
            settings, backgrounds, float(data.get("period") or 0), time.monotonic()
        )
        jpeg = self.pipeline.key_preview_still()
        return {"ok": True, "jpeg": jpeg} if jpeg else {"ok": False, "error": "no picture yet"}

    def _download(self, images: Any, cache: bool = False) -> list[tuple[str, np.ndarray]]:
        """Fetch and decode the backgrounds; ``cache``: the key preview's, asked for again as
        a slider moves, are downloaded once."""
        out = []
        for item in images if isinstance(images, list) else []:
            if cache and item["url"] in self._pictures:
                out.append((str(item["submission"]), self._pictures[item["url"]]))
                continue
            response = requests.get(self.config.server.rstrip("/") + item["url"], timeout=15)
            response.raise_for_status()
            image = cv2.imdecode(np.frombuffer(response.content, np.uint8), cv2.IMREAD_UNCHANGED)
            if image is None:
                raise ValueError(f"background {item['submission']} is not a picture")
            image = flatten_for_background(image)
            if cache:
                self._pictures[item["url"]] = image
            out.append((str(item["submission"]), image))
        if cache:  # keep only this preview's pictures: a night of previews does not pile up
            wanted = {item["url"] for item in images}
            for url in set(self._pictures) - wanted:
                del self._pictures[url]
        return out

    # ---- from the pipeline (capture threads) ------------------------------------------------
    def _send(self, event: str) -> Any:
        return lambda jpeg: self._emit(event, jpeg)

    def _program(self, jpeg: bytes) -> None:
        if self.program_on:
            self._emit("frame", jpeg)

    def _emit(self, event: str, data: Any) -> None:
        if self.sio.connected:
            try:
                self.sio.emit(event, data, namespace="/camera")
            except socketio.exceptions.SocketIOError:
                pass  # reconnecting: the next frame or status goes through

    def _source_state(self, state: SourceState, detail: str) -> None:
        self.state = state.value
        self.problem = None if state is SourceState.LIVE else detail
        self.report()

    def _take(self, result: TakeResult) -> None:
        if result.raw is None:
            log.error("take %s has no playable file: %s", result.take_id, result.errors)
            return
        files: dict[str, Any] = {"raw": _file(result.raw.path, result.raw.sha256)}
        if result.composite is not None:
            files["composite"] = _file(result.composite.path, result.composite.sha256)
        if result.raw.thumbnail is not None:
            files["thumb"] = _file(result.raw.thumbnail, sha256_file(result.raw.thumbnail))
        self.outbox.add(
            {
                "id": result.take_id,
                "camera": self.config.name,
                "files": files,
                "duration": result.raw.duration,
                "started_at": result.started_at,
                "ended_at": result.started_at + result.raw.duration,
                "reason": result.reason,
                "backgrounds": [
                    {"submission": b, "start": s, "end": e} for b, s, e in result.backgrounds if b
                ],
            }
        )


TALLY_LINES = {
    "on_air": ("\x1b[1;37;41m", "ON AIR", "the projector shows this camera"),
    "preview": ("\x1b[1;30;42m", "PREVIEW", "the crew is tuning a key on it"),
    "off": ("\x1b[2m", "off air", "not shown"),
    "unknown": ("\x1b[1;33m", "not connected", "the server cannot say whether it is on air"),
}


def show_tally(camera: str, tally: str, cue: str | None) -> None:
    """The agent's own tally light: a line on its terminal (red ON AIR, green PREVIEW), in
    colour when it is a terminal, and in its log either way."""
    colour, word, why = TALLY_LINES[tally]
    line = f"TALLY {camera}: {word} ({why}{f', cue {cue}' if cue else ''})"
    if sys.stderr.isatty():
        print(f"\n{colour} ● {line} \x1b[0m", file=sys.stderr, flush=True)
    log.log(logging.WARNING if tally == "on_air" else logging.INFO, line)


def key_settings(raw: dict[str, Any]) -> KeySettings:
    """The crew's settings; a key colour comes as "#rrggbb" (the keyer works in BGR)."""
    fields = dict(raw)
    colour = fields.pop("key_colour", None)
    if isinstance(colour, str):
        r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
        fields["key_colour"] = (b, g, r)
    return KeySettings(**fields)


def flatten_for_background(image: np.ndarray) -> np.ndarray:
    """A drawing keeps its transparency; behind a performer it sits on the slate it was
    drawn on (transparent pixels would otherwise come out black)."""
    if image.ndim == 3 and image.shape[2] == 4:
        return flatten(image, keep_alpha=False, background=PAD_BGR)
    if image.ndim == 2:
        return cv2.cvtColor(image, cv2.COLOR_GRAY2BGR)
    return image


def _file(path: Path, sha: str) -> dict[str, str]:
    return {"path": str(path), "sha256": sha}
