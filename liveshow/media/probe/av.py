"""Audio and video, read with the ffmpeg that ships with imageio-ffmpeg: container,
duration, streams, whether the data reaches the end, and whether Chromium plays it."""

from __future__ import annotations

import functools
import mimetypes
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

import imageio_ffmpeg

from .types import (
    FFMPEG_TIMEOUT,
    TAIL_SECONDS,
    MediaType,
    ProbeError,
    ProbeResult,
    ProbeUnavailable,
    extension_warning,
)

# ----------------------------------------------------------------------------------------
# audio and video (ffmpeg)
# ----------------------------------------------------------------------------------------

_PCM = frozenset({"pcm_u8", "pcm_s16le", "pcm_s24le", "pcm_s32le", "pcm_f32le"})
_MP4_FAMILY = ("mp4", "m4a", "mov")

# What Debian's Chromium plays, by container.
_VIDEO_OK: dict[str, frozenset[str]] = {
    **{c: frozenset({"h264", "vp9", "av1"}) for c in _MP4_FAMILY},
    "webm": frozenset({"vp8", "vp9", "av1"}),
    "ogg": frozenset(),  # Theora was removed from Chromium
}
_AUDIO_OK: dict[str, frozenset[str]] = {
    **{c: frozenset({"aac", "mp3", "opus", "flac"}) for c in _MP4_FAMILY},
    "webm": frozenset({"opus", "vorbis"}),
    "ogg": frozenset({"opus", "vorbis", "flac"}),
    "mp3": frozenset({"mp3"}),
    "wav": _PCM,
    "flac": frozenset({"flac"}),
    "aac": frozenset({"aac"}),
}
_ANY_VIDEO_OK = frozenset().union(*_VIDEO_OK.values())
_ANY_AUDIO_OK = frozenset().union(*_AUDIO_OK.values())
_H264_PIX_FMTS = frozenset({"yuv420p", "yuvj420p"})

_CONTAINER_LABELS = {
    "mp4": "MP4",
    "mov": "QuickTime (.mov)",
    "m4a": "M4A",
    "webm": "WebM",
    "mkv": "Matroska (.mkv)",
    "ogg": "Ogg",
    "mp3": "MP3",
    "wav": "WAV",
    "flac": "FLAC",
    "aac": "AAC (ADTS)",
    "avi": "AVI",
}
# Which extensions fit which container (for the "extension does not match" warning).
_CONTAINER_EXTENSIONS: dict[str, tuple[str, ...]] = {
    "mp4": (".mp4", ".m4v", ".m4a", ".mov", ".3gp"),
    "m4a": (".m4a", ".mp4", ".m4v", ".mov"),
    "mov": (".mov", ".mp4", ".m4v", ".m4a"),
    "webm": (".webm", ".weba", ".mkv", ".mka"),
    "mkv": (".mkv", ".mka", ".webm", ".weba"),
    "ogg": (".ogg", ".oga", ".ogv", ".opus"),
    "mp3": (".mp3",),
    "wav": (".wav",),
    "flac": (".flac",),
    "aac": (".aac",),
    "avi": (".avi",),
}
_VIDEO_MIME = {
    "mp4": "video/mp4",
    "m4a": "video/mp4",
    "mov": "video/mp4",  # Chromium
    "webm": "video/webm",
    "mkv": "video/x-matroska",
    "ogg": "video/ogg",
    "avi": "video/x-msvideo",
}
_AUDIO_MIME = {
    "mp4": "audio/mp4",
    "m4a": "audio/mp4",
    "mov": "audio/mp4",
    "webm": "audio/webm",
    "mkv": "audio/x-matroska",
    "ogg": "audio/ogg",
    "mp3": "audio/mpeg",
    "wav": "audio/wav",
    "flac": "audio/flac",
    "aac": "audio/aac",
}
_IMAGE_VIA_FFMPEG_MIME = {"bmp": "image/bmp"}  # still images ffmpeg reads that Chromium shows


@dataclass
class _Stream:
    kind: str  # Video | Audio | Subtitle | Data | Attachment
    codec: str
    tag: str | None  # fourcc, e.g. mp4v, avc1, MJPG
    profile: str | None
    pix_fmt: str | None
    width: int | None
    height: int | None
    attached_pic: bool
    rotation: float = 0.0


@functools.lru_cache(maxsize=1)
def ffmpeg_exe() -> str:
    # imageio_ffmpeg honours IMAGEIO_FFMPEG_EXE
    return str(imageio_ffmpeg.get_ffmpeg_exe())


def _run_ffmpeg(path: Path) -> tuple[str, str, int]:
    name = str(path)
    try:
        exe = ffmpeg_exe()
    except Exception as exc:  # imageio_ffmpeg raises RuntimeError when it finds none
        raise ProbeError(f"cannot read '{name}': no ffmpeg available ({exc})") from exc
    cmd = [
        exe,
        "-hide_banner",
        "-nostdin",
        "-sseof",
        f"-{TAIL_SECONDS}",  # read only the end (ignored if the length is unknown)
        "-i",
        "file:" + str(path.absolute()),  # file: so names with ':' are not protocols
        "-map",
        "0:V?",
        "-map",
        "0:a?",
        "-c",
        "copy",
        "-t",
        "2",
        "-f",
        "framecrc",
        "-",
    ]
    try:
        done = subprocess.run(
            cmd, stdin=subprocess.DEVNULL, capture_output=True, timeout=FFMPEG_TIMEOUT, check=False
        )
    except subprocess.TimeoutExpired as exc:
        raise ProbeUnavailable(
            f"ffmpeg took more than {FFMPEG_TIMEOUT:g} s to read '{name}'"
        ) from exc
    except OSError as exc:
        raise ProbeUnavailable(f"cannot run ffmpeg to read '{name}': {exc}") from exc
    return (
        done.stdout.decode("utf-8", "replace"),
        done.stderr.decode("utf-8", "replace"),
        done.returncode,
    )


# What ffmpeg says (at warning level) when the data ends before the header's length.
_TRUNCATION_SIGNS = ("File ended prematurely", "filesize and duration do not match")
_LOG_PREFIX = re.compile(r"^\[[^\]]*\]\s*")
_GENERIC_ERRORS = (
    "Error opening input",
    "Error opening input file",
    "Error opening input files",
    "Format ",
)


def _open_failure_reason(stderr: str) -> str:
    messages: list[str] = []
    generic = "Invalid data found when processing input"
    for line in stderr.splitlines():
        line = line.strip()
        if not line.startswith("["):
            continue
        msg = _LOG_PREFIX.sub("", line)
        if msg.startswith("Error opening input: "):
            generic = msg.removeprefix("Error opening input: ")
        elif msg and not msg.startswith(_GENERIC_ERRORS) and msg not in messages:
            messages.append(msg)
    return "; ".join(messages[:2]) if messages else generic


def _split_fields(s: str) -> list[str]:
    """Split an ffmpeg stream description on commas that are not inside () or []."""
    fields: list[str] = []
    depth = 0
    current: list[str] = []
    for ch in s:
        if ch in "([":
            depth += 1
        elif ch in ")]":
            depth = max(0, depth - 1)
        if ch == "," and depth == 0:
            fields.append("".join(current).strip())
            current = []
        else:
            current.append(ch)
    fields.append("".join(current).strip())
    return fields


_STREAM_RE = re.compile(r"^\s*Stream #0:\d+\S*: (Video|Audio|Subtitle|Data|Attachment): (.*)$")
_TAG_RE = re.compile(r"\(([^()/]+?) / 0x[0-9A-Fa-f]+\)")
_SIZE_RE = re.compile(r"^(\d+)x(\d+)\b")
_ROTATION_RE = re.compile(r"rotation of (-?\d+(?:\.\d+)?) degrees")
_DURATION_RE = re.compile(r"Duration: (\d+):(\d\d):(\d\d(?:\.\d+)?)")


def _parse_stream(kind: str, desc: str) -> _Stream:
    fields = _split_fields(desc)
    first = fields[0]
    codec_match = re.match(r"[\w-]+", first)
    codec = codec_match.group(0) if codec_match else first
    tag_match = _TAG_RE.search(first)
    tag = tag_match.group(1).strip() if tag_match else None
    profile_match = re.search(r"\(([^()]+)\)", first)
    profile = profile_match.group(1) if profile_match and profile_match.group(1) != tag else None
    if profile is not None and "/ 0x" in profile:
        profile = None
    pix_fmt = width = height = None
    if kind == "Video":
        if len(fields) > 1 and not _SIZE_RE.match(fields[1]):
            pix_fmt = fields[1].split("(")[0].strip() or None
        for field in fields[1:]:
            size = _SIZE_RE.match(field)
            if size:
                width, height = int(size.group(1)), int(size.group(2))
                break
    return _Stream(
        kind, codec, tag, profile, pix_fmt, width, height, attached_pic="(attached pic)" in desc
    )


def _parse_header(stderr: str) -> tuple[str, float | None, str | None, list[_Stream]] | None:
    """(demuxer, duration, major brand, streams) of input #0, or None if ffmpeg could not
    open the file."""
    start = re.search(r"^Input #0, (.+?), from ", stderr, re.M)
    if start is None:
        return None
    header = stderr[start.start() :]
    for end_mark in ("\nStream mapping:", "\nOutput #0"):
        cut = header.find(end_mark)
        if cut >= 0:
            header = header[:cut]
    duration = None
    dm = _DURATION_RE.search(header)
    if dm:
        duration = int(dm.group(1)) * 3600 + int(dm.group(2)) * 60 + float(dm.group(3))
    brand_match = re.search(r"major_brand\s*:\s*(\S+)", header)
    streams: list[_Stream] = []
    for line in header.splitlines():
        sm = _STREAM_RE.match(line)
        if sm:
            streams.append(_parse_stream(sm.group(1), sm.group(2)))
            continue
        rm = _ROTATION_RE.search(line)
        if rm and streams:
            streams[-1].rotation = float(rm.group(1))
    return start.group(1), duration, brand_match.group(1) if brand_match else None, streams


def _container(
    demuxer: str, brand: str | None, suffix: str, video: _Stream | None, audio: _Stream | None
) -> str:
    if demuxer.startswith("mov,mp4"):
        b = (brand or "").strip().lower()
        if b == "qt" or (not b.startswith("m4a") and suffix == ".mov"):
            return "mov"
        if b.startswith("m4a") or suffix == ".m4a":
            return "m4a"
        return "mp4"
    if demuxer == "matroska,webm":
        if suffix in (".mkv", ".mka"):
            return "mkv"
        if suffix in (".webm", ".weba"):
            return "webm"
        webm_ok = (video is None or video.codec in _VIDEO_OK["webm"]) and (
            audio is None or audio.codec in _AUDIO_OK["webm"]
        )
        return "webm" if webm_ok else "mkv"
    return demuxer.split(",")[0]


def _describe(stream: _Stream) -> str:
    if stream.tag and stream.tag.lower() != stream.codec.lower():
        return f"{stream.codec} ({stream.tag})"
    return stream.codec


def probe_av(path: Path) -> ProbeResult:
    name = str(path)
    stdout, stderr, _rc = _run_ffmpeg(path)
    parsed = _parse_header(stderr)
    if parsed is None:
        raise ProbeError(
            f"'{name}' is not a media file ffmpeg can read ({_open_failure_reason(stderr)})"
        )
    demuxer, duration, brand, streams = parsed
    video = next((s for s in streams if s.kind == "Video" and not s.attached_pic), None)
    audio = next((s for s in streams if s.kind == "Audio"), None)
    suffix = path.suffix.lower()

    if video is not None and audio is None and (demuxer.endswith("_pipe") or demuxer == "image2"):
        return _ffmpeg_image(video, demuxer)
    if video is None and audio is None:
        raise ProbeError(f"'{name}' has no audio or video stream")

    container = _container(demuxer, brand, suffix, video, audio)
    label = _CONTAINER_LABELS.get(container, container)
    problems: list[str] = []
    playable = True

    def fail(message: str) -> None:
        nonlocal playable
        playable = False
        problems.append(message)

    video_ok = _VIDEO_OK.get(container)
    audio_ok = _AUDIO_OK.get(container)
    known_container = (audio_ok is not None) and (video is None or video_ok is not None)
    if not known_container:
        fail(
            f"the {label} container does not play in Chromium: re-encode to MP4 (H.264/AAC) "
            "or WebM (VP9/Opus)"
        )
    if video is not None:
        allowed = video_ok if video_ok is not None else _ANY_VIDEO_OK
        if video.codec not in _ANY_VIDEO_OK:
            fail(
                f"video codec {_describe(video)} does not play in Chromium: re-encode to H.264 "
                "or VP8/VP9"
            )
        elif video.codec not in allowed:
            fail(
                f"video codec {video.codec} in a {label} file does not play in Chromium: use "
                "H.264 in .mp4 or VP8/VP9 in .webm"
            )
        if video.codec == "h264" and video.pix_fmt and video.pix_fmt not in _H264_PIX_FMTS:
            profile = f" ({video.profile})" if video.profile else ""
            fail(
                f"H.264 with pixel format {video.pix_fmt}{profile} does not play in Chromium: "
                "re-encode with -pix_fmt yuv420p"
            )
    if audio is not None:
        allowed = audio_ok if audio_ok is not None else _ANY_AUDIO_OK
        if audio.codec not in _ANY_AUDIO_OK:
            fail(
                f"audio codec {_describe(audio)} does not play in Chromium: re-encode to AAC "
                "or Opus"
            )
        elif audio.codec not in allowed:
            fail(
                f"audio codec {audio.codec} in a {label} file does not play in Chromium: use "
                "AAC in .mp4/.m4a or Opus in .webm/.ogg"
            )

    packets = sum(1 for line in stdout.splitlines() if line and not line.startswith("#"))
    if packets == 0 or any(sign in stderr for sign in _TRUNCATION_SIGNS):
        stated = f" of {duration:.1f} s" if duration else ""
        fail(
            f"the file is truncated: its media data ends before its stated length{stated} "
            "(an incomplete copy?): copy it again"
        )
    if duration is None:
        problems.append(
            "the file does not state its duration (a live recording?): remux it, "
            "e.g. ffmpeg -i IN -c copy OUT, so auto-follow knows when it ends"
        )
    expected_exts = _CONTAINER_EXTENSIONS.get(container)
    if expected_exts is not None and suffix and suffix not in expected_exts:
        problems.append(
            extension_warning(suffix, f"{label} {'video' if video else 'audio'}", expected_exts[0])
        )

    width = height = None
    if video is not None:
        width, height = video.width, video.height
        if round(abs(video.rotation)) % 180 == 90:
            width, height = height, width
        media_type = MediaType.VIDEO
        mime = _VIDEO_MIME.get(container) or _fallback_mime(path, "video")
    else:
        media_type = MediaType.AUDIO
        mime = _AUDIO_MIME.get(container) or _fallback_mime(path, "audio")
    return ProbeResult(
        media_type,
        mime,
        duration,
        width,
        height,
        video.codec if video else None,
        audio.codec if audio else None,
        container,
        playable,
        tuple(problems),
    )


def _fallback_mime(path: Path, major: str) -> str:
    guessed, _ = mimetypes.guess_type(path.name)
    return guessed if guessed and guessed.startswith(major + "/") else "application/octet-stream"


def _ffmpeg_image(stream: _Stream, demuxer: str) -> ProbeResult:
    """A still image that is not JPEG/PNG/GIF/WebP (BMP, TIFF, ...), read by ffmpeg."""
    fmt = stream.codec
    mime = _IMAGE_VIA_FFMPEG_MIME.get(fmt)
    problems: tuple[str, ...] = ()
    if mime is None:
        mime = mimetypes.guess_type(f"x.{fmt}")[0] or "application/octet-stream"
        problems = (f"image format {fmt} does not display in Chromium: convert it to JPEG or PNG",)
    container = demuxer.removesuffix("_pipe")
    return ProbeResult(
        MediaType.IMAGE,
        mime,
        None,
        stream.width,
        stream.height,
        None,
        None,
        container,
        not problems,
        problems,
    )
