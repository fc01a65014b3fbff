"""What a probe finds: the media type, the result, the error, and type by extension."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from pathlib import Path

FFMPEG_TIMEOUT = 10.0  # seconds for one ffmpeg run
TAIL_SECONDS = 1  # how much of the end of a file is read to check that it is complete


class MediaType(str, enum.Enum):
    VIDEO = "video"
    IMAGE = "image"
    AUDIO = "audio"
    TEXT = "text"


@dataclass(frozen=True)
class ProbeResult:
    media_type: MediaType
    mime: str
    duration: float | None  # seconds; None for images/text or when the file does not say
    width: int | None  # display size (rotation applied); None for audio/text
    height: int | None
    video_codec: str | None  # ffmpeg codec name: h264, vp8, mpeg4, ...
    audio_codec: str | None  # aac, opus, mp3, pcm_s16le, ...
    container: str  # mp4, mov, m4a, webm, mkv, ogg, mp3, wav, flac, aac, avi, jpeg, png, ...
    playable: bool  # Debian's Chromium can show/play it
    problems: tuple[str, ...]  # why it is not playable, plus warnings


class ProbeError(Exception):
    """The file cannot be probed at all; the message names the file and what is wrong."""


class ProbeUnavailable(ProbeError):
    """The probe itself could not run (ffmpeg took too long on a busy machine, or could not
    be started): the file may be fine, so whoever sent it should try again, not give up."""


_EXTENSIONS: dict[MediaType, tuple[str, ...]] = {
    MediaType.VIDEO: (
        ".mp4",
        ".m4v",
        ".mov",
        ".webm",
        ".mkv",
        ".avi",
        ".ogv",
        ".mpg",
        ".mpeg",
        ".ts",
        ".m2ts",
        ".wmv",
        ".flv",
        ".3gp",
    ),
    MediaType.IMAGE: (".jpg", ".jpeg", ".png", ".gif", ".webp", ".bmp", ".tif", ".tiff"),
    MediaType.AUDIO: (
        ".mp3",
        ".m4a",
        ".aac",
        ".wav",
        ".ogg",
        ".oga",
        ".opus",
        ".flac",
        ".weba",
        ".mka",
    ),
    MediaType.TEXT: (".txt", ".md"),
}
_TYPE_BY_EXT: dict[str, MediaType] = {
    ext: media_type for media_type, exts in _EXTENSIONS.items() for ext in exts
}


def guess_type(path: Path) -> MediaType | None:
    """The media type a file's extension suggests (no file access), or None if unknown."""
    return _TYPE_BY_EXT.get(Path(path).suffix.lower())


def extension_warning(suffix: str, content: str, usual: str) -> str:
    shown = suffix or "(none)"
    return (
        f"the file extension {shown} does not match the content ({content}): rename it to {usual}"
    )
