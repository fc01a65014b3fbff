"""Recording takes: BGR frames in, a browser-playable H.264 MP4 out, safe against crashes.

A `TakeRecorder` pipes raw frames into the ffmpeg that ships with imageio-ffmpeg (OpenCV's
pip wheels cannot write H.264), encoding to a *fragmented* MP4 (`NAME.partial.mp4`) with a
keyframe and a fragment every second: if the agent dies mid-take (kill -9, power cut),
everything up to the last whole fragment is still a valid file, and `recover()` turns it
into a final one. `finish()` remuxes the partial file with +faststart (so the projector can
start playing before the whole file has loaded) into `NAME.mp4`, fsyncs and renames it into
place, makes a thumbnail `NAME.jpg` from the middle frame, and measures it with probe().

The capture loop must never wait for the encoder, so `write()` only puts the frame on a
bounded queue; a writer thread feeds ffmpeg. A full queue drops the frame and counts it.
The writer keeps the take's timing honest: frames are placed by their capture timestamp on
the take's constant frame-rate timeline, so a dropped or late frame is covered by repeating
the previous one instead of making the take shorter than the time it covered.
"""

from __future__ import annotations

import fcntl
import hashlib
import logging
import os
import queue
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import cv2
import numpy as np

from ...media.probe import ProbeError, ffmpeg_exe, probe

__all__ = ["TakeFile", "TakeRecorder", "RecorderError", "recover", "recover_all", "PARTIAL_SUFFIX"]

log = logging.getLogger(__name__)

PARTIAL_SUFFIX = ".partial.mp4"
QUEUE_SECONDS = 0.5  # of frames the writer may fall behind before frames are dropped
MAX_GAP_SECONDS = 2.0  # longer gaps (a stalled source) are skipped, not filled with a still
FINISH_TIMEOUT = 60.0  # s for ffmpeg to drain and close after the last frame
_STOP = None  # queue sentinel
F_SETPIPE_SZ = getattr(fcntl, "F_SETPIPE_SZ", 1031)


class RecorderError(RuntimeError):
    """A take could not be written or finalised; the message says why. (A RuntimeError, like
    TakeRefused, so a command handler can answer both the same way.)"""


@dataclass(frozen=True)
class TakeFile:
    path: Path  # the final, browser-playable MP4
    thumbnail: Path | None  # JPEG of the middle frame
    duration: float  # seconds, as probe() reads it
    size: int  # bytes
    sha256: str
    playable: bool  # Chromium plays it (probe)
    frames: int = 0  # frames the recorder was given (0 for a recovered file)
    dropped: int = 0  # of those, lost because the encoder fell behind
    repeated: int = 0  # frames repeated to keep the timeline (covering drops and jitter)


def partial_path_for(final: Path) -> Path:
    return final.with_name(final.name.removesuffix(".mp4") + PARTIAL_SUFFIX)


def final_path_for(partial: Path) -> Path:
    if not partial.name.endswith(PARTIAL_SUFFIX):
        raise RecorderError(f"'{partial}' is not a partial take (*{PARTIAL_SUFFIX})")
    return partial.with_name(partial.name.removesuffix(PARTIAL_SUFFIX) + ".mp4")


def _encoder_command(
    width: int, height: int, fps: float, out: Path, preset: str, crf: int, pix_fmt: str
) -> list[str]:
    gop = max(1, round(fps))  # one keyframe, so one fragment, per second
    return [
        ffmpeg_exe(),
        "-hide_banner",
        "-nostdin",
        "-loglevel",
        "error",
        "-y",
        "-f",
        "rawvideo",
        "-pix_fmt",
        pix_fmt,
        "-s",
        f"{width}x{height}",
        "-framerate",
        f"{fps:g}",
        "-i",
        "pipe:0",
        "-an",
        "-c:v",
        "libx264",
        "-preset",
        preset,
        "-crf",
        str(crf),
        "-pix_fmt",
        "yuv420p",
        "-g",
        str(gop),
        "-keyint_min",
        str(gop),
        # OpenCV's and ffmpeg's RGB->YUV are BT.601; say so, or players assume BT.709
        # for HD and shift the colours.
        "-colorspace",
        "smpte170m",
        "-color_range",
        "tv",
        "-sc_threshold",
        "0",
        "-movflags",
        "frag_keyframe+empty_moov+default_base_moof",
        "-flush_packets",
        "1",  # each fragment reaches the disk as soon as it is cut
        "-f",
        "mp4",
        "file:" + str(out),
    ]


class TakeRecorder:
    """Records one video file of a take. `write()` from the capture loop; `finish()` once."""

    def __init__(
        self,
        final_path: Path,
        width: int,
        height: int,
        fps: float,
        *,
        preset: str = "veryfast",
        crf: int = 23,
        queue_frames: int | None = None,
    ) -> None:
        self.final_path = Path(final_path)
        self.partial_path = partial_path_for(self.final_path)
        self.width, self.height, self.fps = width, height, fps
        self.frames = 0  # offered to write()
        self.dropped = 0  # refused because the queue was full
        self.repeated = 0
        self.early = 0  # frames with no slot left (a source faster than its stated fps)
        self.encoded = 0  # frames handed to ffmpeg, repeats included
        self._origin: float | None = None
        self._closed = False
        self._error: str | None = None
        size = queue_frames if queue_frames is not None else max(2, round(fps * QUEUE_SECONDS))
        self._queue: queue.Queue[tuple[np.ndarray, float] | None] = queue.Queue(size)
        self.partial_path.parent.mkdir(parents=True, exist_ok=True)
        self._log_path = self.final_path.with_name(self.final_path.name + ".log")
        # Converting to I420 here (about 1 ms at 1080p, SIMD) spares ffmpeg's scaler (about
        # 6 ms) and halves the bytes through the pipe; I420 needs even dimensions.
        self._i420 = width % 2 == 0 and height % 2 == 0
        try:
            command = _encoder_command(
                width,
                height,
                fps,
                self.partial_path,
                preset,
                crf,
                "yuv420p" if self._i420 else "bgr24",
            )
            with open(self._log_path, "wb") as errors:
                self._proc = subprocess.Popen(
                    command, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=errors
                )
        except (OSError, RuntimeError) as exc:  # RuntimeError: imageio-ffmpeg found none
            raise RecorderError(f"cannot start the encoder: {exc}") from exc
        _widen_pipe(self._proc.stdin)
        self._writer = threading.Thread(
            target=self._drain, name=f"rec-{self.final_path.name}", daemon=True
        )
        self._writer.start()

    def write(
        self, image: np.ndarray, timestamp: float | None = None, *, wait: bool = False
    ) -> bool:
        """Queue one BGR frame (captured at `timestamp`, time.monotonic(); None: the next
        frame slot). Returns False if the frame was dropped because the encoder is behind;
        with `wait` (offline use, never the capture loop) it waits for room instead."""
        if self._closed:
            raise RecorderError("the take is already finished")
        if image.shape != (self.height, self.width, 3):
            raise RecorderError(f"frame is {image.shape}, the take is {self.height}x{self.width}x3")
        if timestamp is None:
            timestamp = (self._origin or 0.0) + self.frames / self.fps
        if self._origin is None:
            self._origin = timestamp
        self.frames += 1
        try:
            self._queue.put((image, timestamp - self._origin), block=wait)
        except queue.Full:
            self.dropped += 1
            return False
        return True

    @property
    def error(self) -> str | None:
        """Why the encoder stopped early, if it did."""
        return self._error

    def _drain(self) -> None:
        stdin = self._proc.stdin
        assert stdin is not None
        last: np.ndarray | None = None
        shift = 0.0  # slots cut out of the timeline (where a long gap was closed)
        try:
            while (item := self._queue.get()) is not _STOP:
                image, offset = item
                # How far this frame is behind its slot. Up to one slot either way is
                # capture jitter, absorbed; a whole slot or more behind means frames were
                # lost, and their slots get the previous picture again.
                lag = round(offset * self.fps - shift - self.encoded, 6)
                if last is None or lag > MAX_GAP_SECONDS * self.fps:
                    shift += lag  # first frame, or a stall: start (again) from here
                    lag = 0.0
                if lag <= -1:
                    self.early += 1  # arriving faster than the frame rate: no slot for it
                    continue
                for _ in range(int(lag)):
                    self._pipe(stdin, last if last is not None else image)
                    self.repeated += 1
                self._pipe(stdin, image)
                last = image
        except (BrokenPipeError, OSError) as exc:
            self._error = f"the encoder stopped: {exc}"
            log.error("%s: %s", self.final_path.name, self._error)
            while self._queue.get() is not _STOP:  # let write() keep returning quickly
                pass

    def _pipe(self, stdin: IO[bytes], image: np.ndarray) -> None:
        if self._i420:
            image = np.asarray(cv2.cvtColor(image, cv2.COLOR_BGR2YUV_I420))
        stdin.write(np.ascontiguousarray(image).data)
        self.encoded += 1

    def _stop_encoder(self) -> None:
        self._closed = True
        self._queue.put(_STOP)  # blocks at most until the writer takes one frame
        self._writer.join()
        assert self._proc.stdin is not None
        try:
            self._proc.stdin.close()
        except OSError:
            pass
        try:
            self._proc.wait(FINISH_TIMEOUT)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            self._proc.wait()

    def finish(self) -> TakeFile:
        """Stop the encoder, finalise the file, thumbnail and measure it. Raises
        RecorderError if nothing playable was recorded."""
        self._stop_encoder()
        detail = self._log_path.read_text(errors="replace").strip()
        if self._proc.returncode != 0 and not self.partial_path.exists():
            raise RecorderError(f"ffmpeg failed ({self._proc.returncode}): {detail[-500:]}")
        result = recover(self.partial_path)
        self._log_path.unlink(missing_ok=True)
        return TakeFile(
            result.path,
            result.thumbnail,
            result.duration,
            result.size,
            result.sha256,
            result.playable,
            self.frames,
            self.dropped,
            self.repeated,
        )

    def discard(self) -> None:
        """Stop and delete everything (a take that never got a frame)."""
        if not self._closed:
            self._stop_encoder()
        self.partial_path.unlink(missing_ok=True)
        self._log_path.unlink(missing_ok=True)


def _widen_pipe(pipe: IO[bytes] | None) -> None:
    """Ask Linux for a 1 MiB pipe buffer (default 64 KiB): a 1080p frame is 6 MB, and each
    refill of a small pipe is a system call and a trip through the GIL for the writer."""
    try:
        if pipe is not None:
            fcntl.fcntl(pipe.fileno(), F_SETPIPE_SZ, 1 << 20)
    except (OSError, AttributeError):
        pass  # not Linux, or over /proc/sys/fs/pipe-max-size: the default works, slower


def _fsync_replace(tmp: Path, final: Path) -> None:
    with open(tmp, "rb") as f:
        os.fsync(f.fileno())
    os.replace(tmp, final)
    dir_fd = os.open(final.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)  # the rename itself must survive a power cut too
    finally:
        os.close(dir_fd)


def _run(cmd: list[str], what: str) -> None:
    done = subprocess.run(
        cmd, stdin=subprocess.DEVNULL, capture_output=True, timeout=FINISH_TIMEOUT, check=False
    )
    if done.returncode != 0:
        tail = done.stderr.decode("utf-8", "replace").strip()[-500:]
        raise RecorderError(f"{what} failed: {tail}")


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _thumbnail(video: Path, duration: float) -> Path | None:
    thumb = video.with_suffix(".jpg")
    tmp = thumb.with_name(thumb.name + ".tmp.jpg")
    try:
        _run(
            [
                ffmpeg_exe(),
                "-hide_banner",
                "-nostdin",
                "-loglevel",
                "error",
                "-y",
                "-ss",
                f"{max(0.0, duration / 2):.3f}",
                "-i",
                "file:" + str(video),
                "-frames:v",
                "1",
                "-q:v",
                "3",
                "-f",
                "image2",
                "file:" + str(tmp),
            ],
            "thumbnail",
        )
        _fsync_replace(tmp, thumb)
    except (RecorderError, OSError, subprocess.TimeoutExpired) as exc:
        log.warning("no thumbnail for %s: %s", video.name, exc)
        tmp.unlink(missing_ok=True)
        return None
    return thumb


def recover(partial: Path) -> TakeFile:
    """Finalise a partial take (`NAME.partial.mp4`, from `finish()` or left by a crash):
    remux with +faststart to `NAME.mp4` (ffmpeg reads fragments up to the first damaged
    one), thumbnail, measure, and delete the partial file. Raises RecorderError if no
    playable video survived."""
    partial = Path(partial)
    final = final_path_for(partial)
    tmp = final.with_name(final.name + ".tmp.mp4")
    if not partial.exists() or partial.stat().st_size == 0:
        raise RecorderError(f"'{partial}' is missing or empty: nothing was recorded")
    started = time.monotonic()
    if _short_of_space(partial):
        return _finish_in_place(partial, final, started)
    try:
        _run(
            [
                ffmpeg_exe(),
                "-hide_banner",
                "-nostdin",
                "-loglevel",
                "error",
                "-y",
                "-err_detect",
                "ignore_err",
                "-i",
                "file:" + str(partial),
                "-map",
                "0:v:0",
                "-c",
                "copy",
                "-movflags",
                "+faststart",
                "-f",
                "mp4",
                "file:" + str(tmp),
            ],
            f"finalising '{partial.name}'",
        )
        info = probe(tmp)
    except (RecorderError, ProbeError, subprocess.TimeoutExpired) as exc:
        # the copy filled the disk (measured while the copy still takes its room, or as
        # ffmpeg says it): keep the file as it is
        full = _short_of_space(partial) or "No space left on device" in str(exc)
        tmp.unlink(missing_ok=True)
        if full:
            return _finish_in_place(partial, final, started)
        raise RecorderError(f"'{partial.name}' holds no playable video: {exc}") from exc
    _fsync_replace(tmp, final)
    partial.unlink()
    return _finished(final, info.duration, info.playable, started)


# Room a finish wants beyond the copy of the take itself: the thumbnail, the manifest.
FINISH_SLACK = 8 * 1024 * 1024


def _short_of_space(partial: Path) -> bool:
    """Too little free space to finish ``partial`` by copying it (the usual finish writes
    a whole new file beside it)."""
    try:
        free = os.statvfs(partial.parent)
    except OSError:
        return False
    return free.f_bavail * free.f_frsize < partial.stat().st_size + FINISH_SLACK


def _finish_in_place(partial: Path, final: Path, started: float) -> TakeFile:
    """Finish a take on a nearly full disk without copying it: the recorder writes a
    fragmented MP4, which plays as it is (it only lacks the index up front that lets a
    browser start it before the whole file is there)."""
    try:
        info = probe(partial)
    except (ProbeError, subprocess.TimeoutExpired) as exc:
        raise RecorderError(f"'{partial.name}' holds no playable video: {exc}") from exc
    log.warning("finishing %s in place: the disk is nearly full", partial.name)
    _fsync_replace(partial, final)
    return _finished(final, info.duration, info.playable, started)


def _finished(final: Path, duration: float | None, playable: bool, started: float) -> TakeFile:
    final.with_name(final.name + ".log").unlink(missing_ok=True)  # the encoder's stderr
    seconds = duration or 0.0
    thumb = _thumbnail(final, seconds)
    log.info("finalised %s (%.1f s) in %.2f s", final.name, seconds, time.monotonic() - started)
    return TakeFile(final, thumb, seconds, final.stat().st_size, _sha256(final), playable)


def recover_all(folder: Path) -> list[TakeFile]:
    """Finalise every partial take in `folder` (run this when an agent starts: a crash may
    have left some). Files that hold nothing playable are left where they are."""
    found: list[TakeFile] = []
    for partial in sorted(Path(folder).glob("*" + PARTIAL_SUFFIX)):
        try:
            found.append(recover(partial))
        except RecorderError as exc:
            log.warning("cannot recover %s: %s", partial.name, exc)
    return found
