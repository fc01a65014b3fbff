"""Media probing: what a file is, how long it is, and whether the projector can play it.

Used by the server (to serve media with the right MIME type and to know a clip's length
for auto-follow) and by pre-flight (to catch, before the show, files the projector's
Chromium cannot play).

* Images (JPEG, PNG, GIF, WebP) are recognised by their magic bytes, checked for
  truncation (JPEG markers up to EOI, PNG chunks up to IEND, ...) and decoded with OpenCV
  for their size.
* Video and audio are read with the ffmpeg that ships with ``imageio-ffmpeg``:
  ``ffmpeg -i FILE`` prints the container, duration and streams on stderr, and in the same
  run the last second of packets is copied to a ``framecrc`` listing on stdout, which shows
  whether the media data really reaches the end (an interrupted copy of a "fast start" MP4
  has a complete header and no data at the end).
* ``playable`` is True only for what Debian's Chromium plays: H.264 (8-bit 4:2:0) in
  MP4/MOV, VP8/VP9/AV1 in WebM, VP9/AV1 in MP4, and AAC/MP3/Opus/FLAC in MP4/M4A,
  Opus/Vorbis in WebM/Ogg, MP3, FLAC, PCM WAV and ADTS AAC.  ``problems`` says why something
  is not playable and also carries warnings that do not stop playback (a file extension
  that does not match the content, an unknown duration).

No Flask here: this module is plain Python so that the CLI and tests can use it directly.
"""

from __future__ import annotations

from pathlib import Path

from .av import ffmpeg_exe, probe_av
from .images import ImageFormat, image_complete, image_format, probe_image, probe_text
from .types import FFMPEG_TIMEOUT, MediaType, ProbeError, ProbeResult, ProbeUnavailable, guess_type

__all__ = [
    "MediaType",
    "ProbeResult",
    "ProbeError",
    "ProbeUnavailable",
    "guess_type",
    "probe",
    "FFMPEG_TIMEOUT",
    "ImageFormat",
    "image_format",
    "image_complete",
    "ffmpeg_exe",
]


def probe(path: Path) -> ProbeResult:
    """Describe the media file at `path`.  Raises ProbeError if it cannot be read at all."""
    path = Path(path)
    name = str(path)
    try:
        if not path.exists():
            raise ProbeError(f"'{name}': file not found")
        if not path.is_file():
            raise ProbeError(f"'{name}' is not a file")
        size = path.stat().st_size
        with path.open("rb") as f:
            head = f.read(32)
    except OSError as exc:
        raise ProbeError(f"'{name}' cannot be read: {exc.strerror or exc}") from exc
    if size == 0:
        raise ProbeError(f"'{name}' is empty (0 bytes)")
    fmt = image_format(head)
    if fmt is not None:
        return probe_image(path, fmt)
    if guess_type(path) is MediaType.TEXT:
        return probe_text(path)
    return probe_av(path)
