"""The camera core's risks: takes that do not play or are lost in a crash, dropped frames
that go uncounted, sources that vanish silently or never come back, and a capture loop
that starves the preview or leaves a take unfinished when it stops."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Callable
from itertools import pairwise
from pathlib import Path
from typing import IO

import cv2
import numpy as np
import pytest

from liveshow.agent.capture import (
    CameraPipeline,
    Frame,
    FrameSource,
    KeySettings,
    PipelineConfig,
    ReconnectingSource,
    SourceError,
    SourceState,
    SyntheticSource,
    TakeRecorder,
    TakeRefused,
    TakeResult,
    open_source,
    recover,
    sources,
)
from liveshow.agent.capture.synthetic import Scene
from liveshow.media.probe import ffmpeg_exe, probe
from tests.helpers.server import free_port
from tests.helpers.waiting import wait_until

W, H, FPS = 320, 240, 25


def _frames(count: int) -> list[np.ndarray]:
    scene = Scene(W, H, FPS)
    return [scene.render(n).image for n in range(count)]


def _write_clip(path: Path, frames: int) -> Path:
    """A short MJPG .avi (OpenCV can write it, and read it back on any machine)."""
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*"MJPG"), FPS, (W, H))
    for image in _frames(frames):
        writer.write(image)
    writer.release()
    return path


# -- recorder --------------------------------------------------------------------------


def test_take_is_browser_playable_h264_mp4_of_the_right_length(tmp_path: Path) -> None:
    recorder = TakeRecorder(tmp_path / "take.mp4", W, H, FPS)
    for image in _frames(50):
        assert recorder.write(image, wait=True)
    take = recorder.finish()
    info = probe(take.path)
    assert (info.container, info.video_codec, info.playable) == ("mp4", "h264", True)
    assert take.duration == pytest.approx(50 / FPS, abs=0.2)
    assert take.sha256 == hashlib.sha256(take.path.read_bytes()).hexdigest()
    assert take.thumbnail is not None and take.thumbnail.read_bytes()[:3] == b"\xff\xd8\xff"
    assert (take.frames, take.dropped) == (50, 0)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["take.jpg", "take.mp4"]


RECORD_FOREVER = textwrap.dedent(
    f"""
    import sys, time
    from pathlib import Path
    from liveshow.agent.capture.recorder import TakeRecorder
    from liveshow.agent.capture.synthetic import Scene
    scene = Scene({W}, {H}, {FPS})
    recorder = TakeRecorder(Path(sys.argv[1]), scene.width, scene.height, scene.fps)
    print("recording", flush=True)
    n = 0
    while True:
        recorder.write(scene.render(n).image)
        n += 1
        time.sleep(1 / scene.fps)
"""
)


def test_take_killed_mid_recording_is_recovered_up_to_the_last_fragment(tmp_path: Path) -> None:
    final = tmp_path / "crash.mp4"
    # The agent and its ffmpeg die together (kill -9 of the process group), as in a crash.
    agent = subprocess.Popen(
        [sys.executable, "-c", RECORD_FOREVER, str(final)],
        stdout=subprocess.PIPE,
        start_new_session=True,
    )
    assert agent.stdout is not None and agent.stdout.readline().strip() == b"recording"
    # Killed once two fragments (a second each) are on disk, the first of them whole, not
    # after a fixed 2.5 s: a loaded machine's encoder had cut just one by then (1.0 s
    # recovered, against the 0.9 floor), and could cut none.
    partial = tmp_path / "crash.partial.mp4"

    def fragments() -> int:
        return partial.read_bytes().count(b"moof") if partial.exists() else 0

    wait_until(lambda: fragments() >= 2, 30, "two fragments on disk")
    os.killpg(agent.pid, signal.SIGKILL)
    agent.wait()
    on_disk = fragments()  # the last one may have been cut mid-write
    take = recover(partial)
    assert take.path == final and take.playable
    assert 0.9 <= take.duration and on_disk - 1.1 <= take.duration <= on_disk + 0.1, on_disk
    assert not partial.exists()


def test_slow_encoder_drops_frames_counts_them_and_keeps_the_timeline(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The encoder is let through one frame for every two offered (a gate, not a clock), so
    it is behind however fast the machine is: at most the frames it was let through plus
    the queue's two and the one in hand are taken, the rest dropped."""
    original = TakeRecorder._pipe
    gate = threading.Semaphore(0)

    def slow_pipe(self: TakeRecorder, stdin: IO[bytes], image: np.ndarray) -> None:
        gate.acquire()
        original(self, stdin, image)

    monkeypatch.setattr(TakeRecorder, "_pipe", slow_pipe)
    recorder = TakeRecorder(tmp_path / "slow.mp4", W, H, FPS, queue_frames=2)
    accepted, last_accepted = 0, -1
    for n, image in enumerate(_frames(60)):
        if recorder.write(image):
            accepted, last_accepted = accepted + 1, n
        if n % 2:
            gate.release()
    gate.release(1000)  # the rest may pass: the take is finished
    take = recorder.finish()
    assert take.frames == 60 and take.dropped == 60 - accepted and accepted <= 30 + 2 + 1
    # Each dropped frame's slot is filled by repeating the one before, so the take spans
    # what was filmed up to the last frame that got through.
    assert recorder.encoded == last_accepted + 1
    assert take.repeated == recorder.encoded - accepted
    assert take.duration == pytest.approx(recorder.encoded / FPS, abs=0.2)


# -- sources ---------------------------------------------------------------------------


def test_file_source_reports_lost_when_the_file_ends(tmp_path: Path) -> None:
    source = open_source(str(_write_clip(tmp_path / "clip.avi", 20)), W, H, FPS, realtime=False)
    frames = 0
    while source.read() is not None:
        frames += 1
    assert frames == 20
    assert source.lost == "the video file ended"
    assert source.finished and not source.is_live


SILENCE_MS = 2000  # the silence timeout the test stream is opened with
# OpenCV's FFmpeg backend gives up on a silent read after 30 s when it is given no timeout of
# its own, so a wait of 20 s fails if the source did not apply STREAM_TIMEOUT_MS, yet is ten
# times the configured silence: a bound on the loss being reported, not a claim on speed.
SILENT_STREAM_BOUND = 20.0


def _open_when_up(url: str) -> FrameSource | None:
    try:
        return open_source(url, W, H, FPS)
    except SourceError:  # the test stream is not listening yet
        return None


def test_stream_that_goes_silent_is_reported_lost_by_its_read_timeout(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(sources, "STREAM_TIMEOUT_MS", SILENCE_MS)
    url = f"http://127.0.0.1:{free_port()}"
    server = subprocess.Popen(
        [
            ffmpeg_exe(),
            "-hide_banner",
            "-loglevel",
            "quiet",
            "-re",
            "-f",
            "lavfi",
            "-i",
            f"testsrc=size={W}x{H}:rate={FPS}",
            "-c:v",
            "mpeg2video",
            "-f",
            "mpegts",
            "-listen",
            "1",
            url,
        ]
    )
    lost = threading.Event()
    reader: threading.Thread | None = None
    try:
        source = wait_until(lambda: _open_when_up(url), 30, "the test stream to start")
        assert all(source.read() is not None for _ in range(10))
        assert source.is_live and source.lost is None
        server.send_signal(signal.SIGSTOP)  # alive but silent: the hard case

        def drain() -> None:  # a silent stream's read blocks until the timeout ends it
            while source.read() is not None:
                pass
            lost.set()

        reader = threading.Thread(target=drain, name="silent-stream", daemon=True)
        reader.start()
        # The connection stays open and nothing is sent, so only the read timeout ends it.
        assert lost.wait(SILENT_STREAM_BOUND), "a silent stream was never reported lost"
        assert source.lost == "the stream stopped sending frames"
        assert source.finished and not source.is_live
    finally:
        server.kill()  # also ends a read still blocked on the stopped server
        server.wait()
        if reader is not None:
            reader.join(30)


def test_reconnecting_source_reports_lost_retrying_and_live_again(tmp_path: Path) -> None:
    clip = _write_clip(tmp_path / "clip.avi", 5)
    states: list[SourceState] = []
    source = ReconnectingSource(
        lambda: open_source(str(clip), W, H, FPS, realtime=False),
        W,
        H,
        FPS,
        on_state=lambda state, _: states.append(state),
        first_delay=0.05,
        max_delay=0.1,
    )

    def read_until(wanted: SourceState, limit: float = 5.0) -> None:
        deadline = time.monotonic() + limit
        while states[-1:] != [wanted] and time.monotonic() < deadline:
            source.read()

    read_until(SourceState.LIVE)
    clip.rename(tmp_path / "unplugged.avi")  # the file runs out and cannot be reopened
    read_until(SourceState.RETRYING)
    for _ in range(10):
        source.read()
    assert source.attempts >= 2 and source.lost and "not found" in source.lost
    (tmp_path / "unplugged.avi").rename(clip)
    read_until(SourceState.LIVE)
    assert states == [SourceState.LIVE, SourceState.LOST, SourceState.RETRYING, SourceState.LIVE]
    assert source.read() is not None


def test_reconnecting_source_gives_up_after_its_attempts() -> None:
    def broken() -> SyntheticSource:
        raise SourceError("camera 7 is not there")

    states: list[SourceState] = []
    source = ReconnectingSource(
        broken, W, H, FPS, on_state=lambda s, _: states.append(s), first_delay=0.01, max_attempts=3
    )
    deadline = time.monotonic() + 5
    while not source.finished and time.monotonic() < deadline:
        assert source.read() is None
    assert source.finished and source.attempts == 3 and "gave up" in (source.lost or "")
    assert states == [SourceState.LOST, SourceState.RETRYING, SourceState.LOST]


def test_synthetic_source_masks_match_its_frames() -> None:
    source = open_source("synthetic:moving", W, H, FPS, realtime=False)
    first, later = source.read(), None
    for _ in range(30):
        later = source.read()
    for frame in (first, later):
        assert frame is not None and frame.mask is not None
        image, performer = frame.image.astype(int), frame.mask > 0
        green = (image[..., 1] > image[..., 0] + 40) & (image[..., 1] > image[..., 2] + 40)
        assert 0.05 < performer.mean() < 0.5
        assert green[~performer].mean() > 0.99  # outside the mask: screen
        assert green[cv2.erode(frame.mask, np.ones((3, 3))) > 0].mean() < 0.01
    assert first is not None and later is not None
    assert first.mask is not None and later.mask is not None
    assert not np.array_equal(first.mask, later.mask)  # the performer moves


def test_paced_sources_neither_run_ahead_of_their_frame_rate_nor_fall_behind(
    tmp_path: Path,
) -> None:
    """Checked on each frame's own stamp and slot (its index), not on how long the reads
    took: a loaded machine makes reads later, which neither check minds."""
    fps = 20
    period = 1 / fps
    before = time.monotonic()
    source = open_source("synthetic", W, H, fps)
    opened = time.monotonic()
    assert isinstance(source, SyntheticSource)
    frames: list[Frame] = []
    asked: list[float] = []
    for n in range(16):
        if n == 8:
            time.sleep(8 * period)  # a consumer that stalls: the camera moves on without it
        asked.append(time.monotonic())
        frame = source.read()
        assert frame is not None
        frames.append(frame)
    for frame, asked_at in zip(frames, asked, strict=True):
        slots = frame.index + 1  # frame slots on the source's schedule up to this frame's
        # Never early: a frame is not stamped before its slot (no burst of frames).
        assert frame.timestamp >= before + slots * period - 1e-6, frame.index
        # Never behind: the frame handed out is within the slack of the slot that was due
        # when it was asked for (so a stalled consumer gets a fresh frame, not a stale one).
        assert slots + sources.SCHEDULE_SLACK >= (asked_at - opened) / period, frame.index
    indices = [frame.index for frame in frames]
    gaps = [b - a - 1 for a, b in pairwise(indices)]
    assert indices[8] - indices[7] > sources.SCHEDULE_SLACK  # skipped over the stall
    # and counted what it skipped (also any before the first read, on a slow start)
    assert indices[0] + sum(gaps) == source.skipped > 0

    # A video file is paced to its own frame rate too (read late, it plays late).
    clip = _write_clip(tmp_path / "clip.avi", 10)
    before = time.monotonic()
    played = open_source(str(clip), W, H, 1)  # the file's 25 fps, not the 1 asked for
    assert played.fps == FPS
    for n in range(10):
        frame = played.read()
        assert frame is not None and frame.index == n
        assert frame.timestamp >= before + (n + 1) / FPS - 1e-6, n
    assert played.read() is None and played.lost == "the video file ended"


def test_unknown_sources_are_refused(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="not found"):
        open_source(str(tmp_path / "missing.mp4"), W, H, FPS)
    with pytest.raises(SourceError, match="unknown synthetic"):
        open_source("synthetic:purple", W, H, FPS)


# -- pipeline --------------------------------------------------------------------------


def _pipeline(
    tmp_path: Path,
    source: FrameSource,
    on_preview: Callable[[bytes], None] | None = None,
    on_take: Callable[[TakeResult], None] | None = None,
) -> CameraPipeline:
    return CameraPipeline(
        source, PipelineConfig(takes_dir=tmp_path / "takes"), on_preview=on_preview, on_take=on_take
    )


def test_preview_is_sent_for_the_requested_share_of_the_camera_frames(tmp_path: Path) -> None:
    """A preview at 10 a second of a 30 fps camera is a third of its frames. The feed paces
    itself on the frames' own stamps, so this is counted against the frames, not the clock:
    a loaded machine that skips frames or runs late changes neither side of the ratio."""
    camera_fps, preview_fps = 30, 10
    previews: list[bytes] = []
    pipeline = CameraPipeline(
        SyntheticSource(W, H, camera_fps),
        PipelineConfig(takes_dir=tmp_path / "takes", preview_fps=preview_fps),
        on_preview=previews.append,
    )
    pipeline.start()
    try:
        wait_until(lambda: pipeline.stats().frames_in >= 60, 30, "60 frames through the loop")
    finally:
        pipeline.stop()
    stats = pipeline.stats()  # the loop and the feed have stopped: final counts
    share = preview_fps / camera_fps
    seen, slots = stats.frames_in, stats.frames_in + stats.frames_skipped
    # Frames the camera skipped while the loop was stalled took their previews with them
    # (the feed never catches up after a stall): the floor counts frames seen, the ceiling
    # every slot; one more for the first frame, always previewed.
    assert 0.75 * share * seen <= stats.previews_sent <= 1.25 * share * slots + 1, (
        stats.previews_sent,
        seen,
        slots,
    )
    assert stats.previews_sent == len(previews)
    assert all(jpeg[:3] == b"\xff\xd8\xff" for jpeg in previews)
    assert stats.frames_dropped == 0


def test_stop_mid_take_finalises_the_take_with_its_backgrounds(tmp_path: Path) -> None:
    finished: list[TakeResult] = []
    pipeline = _pipeline(tmp_path, SyntheticSource(W, H, FPS), on_take=finished.append)
    red = np.full((90, 120, 3), (0, 0, 255), np.uint8)
    blue = np.full((90, 120, 3), (255, 0, 0), np.uint8)
    pipeline.set_backgrounds([("sub-red", red), ("sub-blue", blue)], period=0.5)
    pipeline.set_keying(True, KeySettings())
    pipeline.start()
    began = time.monotonic()
    take_id = pipeline.start_take()
    time.sleep(1.6)
    snapshot = pipeline.snapshot()
    result = pipeline.stop()
    elapsed = time.monotonic() - began  # what was filmed: 1.6 s, more on a loaded machine
    assert result is not None and finished == [result] and result.take_id == take_id
    assert result.reason == "pipeline stopped" and not result.errors
    assert result.raw is not None and result.composite is not None
    for take in (result.raw, result.composite):
        encoded = take.frames - take.dropped + take.repeated  # repeats cover skipped frames
        assert take.playable and take.duration == pytest.approx(encoded / FPS, abs=0.2)
        assert 1.6 - 0.5 <= take.duration <= elapsed + 0.2
    ids = [span[0] for span in result.backgrounds]
    assert ids[:3] == ["sub-red", "sub-blue", "sub-red"]
    assert result.backgrounds[0][1] == 0.0
    assert result.backgrounds[-1][2] == pytest.approx(result.raw.duration, abs=0.2)
    assert snapshot is not None
    shown = np.asarray(cv2.imdecode(np.frombuffer(snapshot, np.uint8), cv2.IMREAD_COLOR))
    corner = shown[:20, :20].reshape(-1, 3).mean(axis=0)
    assert corner[1] < 40  # the screen was replaced by a background


def test_source_lost_mid_take_keeps_the_part_recorded(tmp_path: Path) -> None:
    finished: list[TakeResult] = []
    done = threading.Event()

    def on_take(result: TakeResult) -> None:
        finished.append(result)
        done.set()

    pipeline = _pipeline(tmp_path, SyntheticSource(W, H, FPS, max_frames=FPS), on_take=on_take)
    pipeline.start()
    pipeline.start_take("lost")
    assert done.wait(10)
    result = finished[0]
    assert result.reason.startswith("source lost") and result.raw is not None
    assert result.raw.playable and 0.6 <= result.raw.duration <= 1.2
    assert not pipeline.running  # a plain source that ends does not come back
    with pytest.raises(TakeRefused, match="not live"):
        pipeline.start_take()
    assert pipeline.stop() is None
    assert sorted(p.name for p in (tmp_path / "takes").iterdir()) == [
        "lost.raw.jpg",
        "lost.raw.mp4",
    ]


def test_capture_loop_survives_a_camera_that_drops_out_and_comes_back(tmp_path: Path) -> None:
    states: list[SourceState] = []
    # Each "plug-in" of this camera delivers half a second of frames, then it drops out.
    source = ReconnectingSource(
        lambda: SyntheticSource(W, H, FPS, max_frames=FPS // 2),
        W,
        H,
        FPS,
        on_state=lambda state, _: states.append(state),
        first_delay=0.2,
    )
    pipeline = _pipeline(tmp_path, source)
    pipeline.start()
    deadline = time.monotonic() + 10
    while states.count(SourceState.LIVE) < 3 and time.monotonic() < deadline:
        time.sleep(0.05)
    # ...and frames keep coming, plug-in after plug-in. (Not a count of frames per plug-in:
    # the synthetic camera skips frames a loaded machine is too slow to take, as a real one
    # drops them, so half a second is not always twelve frames.)
    seen = pipeline.stats().frames_in
    try:
        wait_until(lambda: pipeline.stats().frames_in > seen, 10, "frames after the last plug-in")
        stats = pipeline.stats()
    finally:
        pipeline.stop()
    assert states[:4] == [
        SourceState.LIVE,
        SourceState.LOST,
        SourceState.RETRYING,
        SourceState.LIVE,
    ]
    assert stats.running and seen > 0 and stats.frames_in > seen
