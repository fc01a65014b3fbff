"""liveshow.probe on real files: the generated demo media plus the files that go wrong in
practice (OpenCV's mp4v, H.264 4:4:4, interrupted copies, garbage, wrong extensions)."""

from __future__ import annotations

import hashlib
import importlib.util
import subprocess
import time
from pathlib import Path
from types import ModuleType
from typing import Any

import cv2
import numpy as np
import pytest

from liveshow.media.probe import MediaType, ProbeError, guess_type, probe
from liveshow.media.probe import av as probe_module

GENERATOR = Path(__file__).resolve().parent.parent / "media" / "make_demo_media.py"


def load_generator() -> ModuleType:
    # loaded the way liveshow/demo.py loads it (not registered in sys.modules)
    spec = importlib.util.spec_from_file_location("make_demo_media", GENERATOR)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def generator() -> ModuleType:
    return load_generator()


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory, generator: ModuleType) -> Path:
    out = tmp_path_factory.mktemp("demo-media")
    generator.generate(out)
    return out


def ffmpeg(*args: str) -> None:
    subprocess.run(
        [probe_module.ffmpeg_exe(), "-hide_banner", "-nostdin", "-loglevel", "error", "-y", *args],
        check=True,
        timeout=30,
    )


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# --- the demo media: what the projector and auto-follow rely on ---------------------------


@pytest.mark.parametrize(
    "name, seconds, vcodec, acodec, mime, container",
    [
        ("tide-pools.mp4", 8.0, "h264", "aac", "video/mp4", "mp4"),
        ("night-market.mp4", 12.0, "h264", "aac", "video/mp4", "mp4"),
        ("paper-boats.webm", 6.0, "vp8", "opus", "video/webm", "webm"),
    ],
)
def test_demo_videos_play_in_chromium_with_their_true_length(
    demo: Path, name: str, seconds: float, vcodec: str, acodec: str, mime: str, container: str
) -> None:
    found = probe(demo / name)
    assert found.media_type is MediaType.VIDEO
    assert found.duration is not None and abs(found.duration - seconds) <= 0.2
    assert (found.width, found.height) == (640, 360)
    assert (found.video_codec, found.audio_codec) == (vcodec, acodec)
    assert (found.mime, found.container) == (mime, container)
    assert found.playable and found.problems == ()


@pytest.mark.parametrize(
    "name, mime",
    [
        ("harbour.jpg", "image/jpeg"),
        ("kites.png", "image/png"),
        ("lanterns.jpg", "image/jpeg"),
    ],
)
def test_demo_images_have_their_size_and_mime(demo: Path, name: str, mime: str) -> None:
    found = probe(demo / name)
    assert found.media_type is MediaType.IMAGE
    assert (found.width, found.height) == (1280, 720)
    assert found.mime == mime and found.duration is None
    assert found.playable and found.problems == ()


def test_demo_audio_is_m4a_aac_with_its_length(demo: Path) -> None:
    found = probe(demo / "gull-song.m4a")
    assert found.media_type is MediaType.AUDIO
    assert found.duration is not None and abs(found.duration - 10.0) <= 0.2
    assert (found.audio_codec, found.video_codec) == ("aac", None)
    assert (found.mime, found.container) == ("audio/mp4", "m4a")
    assert (found.width, found.height) == (None, None)
    assert found.playable and found.problems == ()


def test_demo_media_is_small_and_a_rerun_is_instant(demo: Path, generator: ModuleType) -> None:
    files = [demo / name for name in generator.FILE_NAMES]
    assert sum(f.stat().st_size for f in files) < 5_000_000
    before = {f.name: f.stat().st_mtime_ns for f in files}
    started = time.monotonic()
    generator.generate(demo)
    assert time.monotonic() - started < 1.0
    assert {f.name: f.stat().st_mtime_ns for f in files} == before


def test_demo_media_is_deterministic_when_a_lost_file_is_remade(
    demo: Path, generator: ModuleType
) -> None:
    webm = demo / "paper-boats.webm"
    original = sha256(webm)
    webm.unlink()
    generator.generate(demo)
    assert sha256(webm) == original
    assert not list(demo.glob(".*partial*"))  # no temporary files left behind


# --- files that do not play in Chromium ----------------------------------------------------


@pytest.mark.parametrize(
    "fourcc, suffix, expected",
    [
        ("mp4v", ".mp4", "video codec mpeg4 (mp4v) does not play in Chromium: re-encode to H.264"),
        ("MJPG", ".avi", "the AVI container does not play in Chromium"),
    ],
)
def test_opencv_written_video_is_reported_unplayable(
    tmp_path: Path, fourcc: str, suffix: str, expected: str
) -> None:
    path = tmp_path / f"opencv{suffix}"
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*fourcc), 25, (320, 240))
    assert writer.isOpened()
    for i in range(25):
        writer.write(np.full((240, 320, 3), i * 10, np.uint8))
    writer.release()
    found = probe(path)
    assert found.media_type is MediaType.VIDEO
    assert not found.playable
    assert any(p.startswith(expected) for p in found.problems), found.problems
    assert found.duration is not None and abs(found.duration - 1.0) <= 0.2
    assert (found.width, found.height) == (320, 240)


def test_h264_444_from_piped_bgr_frames_is_reported_unplayable(tmp_path: Path) -> None:
    # libx264 fed BGR frames without -pix_fmt yuv420p makes High 4:4:4, which Chromium refuses
    path = tmp_path / "h444.mp4"
    ffmpeg(
        "-f",
        "lavfi",
        "-i",
        "testsrc2=s=320x240:d=1",
        "-c:v",
        "libx264",
        "-preset",
        "ultrafast",
        "-pix_fmt",
        "yuv444p",
        str(path),
    )
    found = probe(path)
    assert found.video_codec == "h264" and not found.playable
    assert any("yuv444p" in p and "-pix_fmt yuv420p" in p for p in found.problems)


def test_unplayable_audio_codec_in_mp4_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "ac3.mp4"
    ffmpeg("-f", "lavfi", "-i", "sine=d=1", "-c:a", "ac3", str(path))
    found = probe(path)
    assert found.media_type is MediaType.AUDIO and found.audio_codec == "ac3"
    assert not found.playable
    assert any(p.startswith("audio codec ac3") for p in found.problems)


# --- broken and odd files ------------------------------------------------------------------


def test_garbage_with_a_video_extension_raises_probe_error(tmp_path: Path) -> None:
    path = tmp_path / "garbage.mp4"
    path.write_bytes(np.random.default_rng(1).integers(0, 256, 20_000, np.uint8).tobytes())
    with pytest.raises(ProbeError, match=r"'.*garbage\.mp4' is not a media file ffmpeg can read"):
        probe(path)


def test_mp4_cut_inside_its_header_raises_probe_error(demo: Path, tmp_path: Path) -> None:
    path = tmp_path / "cut.mp4"
    path.write_bytes((demo / "tide-pools.mp4").read_bytes()[:3000])
    with pytest.raises(ProbeError, match="cut.mp4' is not a media file ffmpeg can read"):
        probe(path)


@pytest.mark.parametrize("name", ["tide-pools.mp4", "paper-boats.webm", "gull-song.m4a"])
def test_interrupted_copy_with_a_complete_header_is_unplayable(
    demo: Path, tmp_path: Path, name: str
) -> None:
    # a "fast start" file keeps its index at the front: the header alone looks fine
    data = (demo / name).read_bytes()
    path = tmp_path / name
    path.write_bytes(data[: len(data) * 2 // 5])
    found = probe(path)
    assert not found.playable
    assert any("truncated" in p for p in found.problems), found.problems


def test_truncated_jpeg_raises_probe_error(demo: Path, tmp_path: Path) -> None:
    path = tmp_path / "half.jpg"
    data = (demo / "harbour.jpg").read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(ProbeError, match="half.jpg' is a truncated JPEG image"):
        probe(path)


def test_image_with_the_wrong_extension_reports_its_real_type(demo: Path, tmp_path: Path) -> None:
    path = tmp_path / "kites.jpg"  # PNG content
    path.write_bytes((demo / "kites.png").read_bytes())
    found = probe(path)
    assert found.media_type is MediaType.IMAGE
    assert (found.mime, found.container) == ("image/png", "png")
    assert (found.width, found.height) == (1280, 720)
    assert found.playable  # browsers go by the content; we serve the real MIME type
    assert any("extension .jpg does not match" in p and ".png" in p for p in found.problems)


@pytest.mark.parametrize("name", ["tide-pools.mp4", "gull-song.m4a", "kites.png"])
def test_a_file_with_no_extension_gets_no_advice_to_rename_it(
    demo: Path, tmp_path: Path, name: str
) -> None:
    """A catalogue download is cached under its hash, with no name of its own: the crew was
    told to "rename it to .mp4", a file they cannot rename (and a run-through saw the ⚠ on
    both catalogue cues). Only a name that contradicts the content is worth a word."""
    path = tmp_path / ".pull-x8k2"
    path.write_bytes((demo / name).read_bytes())
    found = probe(path)
    assert found.playable and found.problems == (), found.problems
    misnamed = tmp_path / "misnamed.webm"
    misnamed.write_bytes((demo / name).read_bytes())
    assert any("does not match" in p for p in probe(misnamed).problems)


def test_webm_recording_without_a_duration_plays_but_is_flagged(tmp_path: Path) -> None:
    # like a browser MediaRecorder upload: written to a pipe, so no duration and no cues
    path = tmp_path / "recording.webm"
    with path.open("wb") as out:
        subprocess.run(
            [
                probe_module.ffmpeg_exe(),
                "-hide_banner",
                "-nostdin",
                "-loglevel",
                "error",
                "-f",
                "lavfi",
                "-i",
                "testsrc2=s=160x120:d=1",
                "-f",
                "lavfi",
                "-i",
                "sine=d=1",
                "-c:v",
                "libvpx",
                "-c:a",
                "libopus",
                "-f",
                "webm",
                "pipe:1",
            ],
            stdout=out,
            check=True,
            timeout=30,
        )
    found = probe(path)
    assert found.duration is None and found.playable
    assert (found.video_codec, found.audio_codec) == ("vp8", "opus")
    assert any("does not state its duration" in p for p in found.problems)


def test_mp3_with_cover_art_is_audio_not_video(demo: Path, tmp_path: Path) -> None:
    path = tmp_path / "song.mp3"
    ffmpeg(
        "-f",
        "lavfi",
        "-i",
        "sine=d=1",
        "-i",
        str(demo / "kites.png"),
        "-map",
        "0",
        "-map",
        "1",
        "-c:a",
        "libmp3lame",
        "-c:v",
        "mjpeg",
        "-disposition:v",
        "attached_pic",
        str(path),
    )
    found = probe(path)
    assert found.media_type is MediaType.AUDIO
    assert (found.audio_codec, found.video_codec, found.mime) == ("mp3", None, "audio/mpeg")
    assert found.playable


def test_file_name_with_a_colon_is_not_taken_for_a_protocol(demo: Path, tmp_path: Path) -> None:
    path = tmp_path / "take:2.webm"
    path.write_bytes((demo / "paper-boats.webm").read_bytes())
    assert probe(path).video_codec == "vp8"


def test_missing_file_raises_file_not_found(tmp_path: Path) -> None:
    with pytest.raises(ProbeError, match="nope.mp4': file not found"):
        probe(tmp_path / "nope.mp4")


def test_empty_file_raises_probe_error(tmp_path: Path) -> None:
    path = tmp_path / "empty.png"
    path.touch()
    with pytest.raises(ProbeError, match="is empty"):
        probe(path)


def test_text_files_must_be_utf8(tmp_path: Path) -> None:
    good, bad = tmp_path / "story.txt", tmp_path / "old.txt"
    good.write_text("Once upon a time, café.", encoding="utf-8")
    bad.write_bytes("Once upon a time, café.".encode("latin-1"))
    assert probe(good).media_type is MediaType.TEXT and probe(good).playable
    assert not probe(bad).playable and "UTF-8" in probe(bad).problems[0]


def test_hung_ffmpeg_is_stopped_by_a_timeout(demo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    seen: dict[str, Any] = {}

    def hang(cmd: list[str], **kwargs: Any) -> Any:
        seen.update(kwargs)
        raise subprocess.TimeoutExpired(cmd, kwargs["timeout"])

    monkeypatch.setattr(probe_module.subprocess, "run", hang)
    with pytest.raises(ProbeError, match="took more than 10 s to read '.*tide-pools.mp4'"):
        probe(demo / "tide-pools.mp4")
    assert seen["timeout"] == 10


def test_guess_type_goes_by_extension_only(tmp_path: Path) -> None:
    assert guess_type(Path("a/clip.MP4")) is MediaType.VIDEO
    assert guess_type(Path("clip.webm")) is MediaType.VIDEO
    assert guess_type(Path("photo.jpeg")) is MediaType.IMAGE
    assert guess_type(Path("song.m4a")) is MediaType.AUDIO
    assert guess_type(Path("story.txt")) is MediaType.TEXT
    assert guess_type(Path("notes.docx")) is None
    assert guess_type(Path("no-extension")) is None
