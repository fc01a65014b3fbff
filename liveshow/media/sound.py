"""Sound recordings from phones: container sniffed from the bytes, length checked, and
re-encoded to AAC in MP4 with no metadata, so every recording plays in the projector's
Chromium whatever the phone recorded with (3GP/AMR, WebM/Opus, M4A, MP3, WAV...)."""

from __future__ import annotations

import errno
import signal
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from . import probe
from .imaging import UploadRejected

MAX_BYTES = 20 * 1024 * 1024
CONTAINERS = {
    "webm": lambda d: d[:4] == b"\x1a\x45\xdf\xa3",
    "ogg": lambda d: d[:4] == b"OggS",
    "mp4": lambda d: d[4:8] == b"ftyp",
    "wav": lambda d: d[:4] == b"RIFF" and d[8:12] == b"WAVE",
    "flac": lambda d: d[:4] == b"fLaC",
    "mp3": lambda d: d[:3] == b"ID3" or (len(d) > 1 and d[0] == 0xFF and d[1] & 0xE0 == 0xE0),
}


@dataclass(frozen=True)
class CleanAudio:
    data: bytes
    mime: str
    duration: float


def sniff_container(data: bytes) -> str | None:
    for name, test in CONTAINERS.items():
        if test(data[:16]):
            return name
    return None


def clean_audio(data: bytes, max_seconds: float) -> CleanAudio:
    """Validate and re-encode a recording. Raises UploadRejected with a reason."""
    container = sniff_container(data)
    if container is None:
        raise UploadRejected(
            "that file is not a sound recording (WebM, Ogg, MP4/M4A, MP3, WAV or FLAC expected)",
            415,
        )
    with tempfile.TemporaryDirectory(prefix="liveshow-audio-") as tmp:
        source = Path(tmp) / f"in.{container}"
        source.write_bytes(data)
        try:
            found = probe.probe(source)
        except probe.ProbeUnavailable:  # the show's trouble, not the recording's
            raise UploadRejected("the show is busy reading recordings: try again", 503) from None
        except probe.ProbeError:
            raise UploadRejected("the recording is damaged or could not be read") from None
        if found.audio_codec is None:
            raise UploadRejected("the file has no sound in it")
        if found.duration is not None and found.duration > max_seconds + 0.5:
            raise UploadRejected(
                f"the recording is {found.duration:.0f} s long; the limit is {max_seconds:.0f} s",
                413,
            )
        out = Path(tmp) / "out.m4a"
        cmd = [
            probe.ffmpeg_exe(),
            "-hide_banner",
            "-nostdin",
            "-v",
            "error",
            "-i",
            "file:" + str(source),
            "-map",
            "0:a:0",
            "-vn",
            "-sn",
            "-dn",
            "-map_metadata",
            "-1",
            "-map_chapters",
            "-1",
            "-t",
            f"{max_seconds + 0.5}",
            "-ac",
            "2",
            "-ar",
            "48000",
            "-c:a",
            "aac",
            "-b:a",
            "128k",
            "-movflags",
            "+faststart",
            "file:" + str(out),
        ]
        try:
            subprocess.run(
                cmd, stdin=subprocess.DEVNULL, capture_output=True, check=True, timeout=60
            )
        except subprocess.CalledProcessError as exc:
            if out_of_space(exc):  # the server's fault, not the recording's: try again
                raise OSError(errno.ENOSPC, "no space left to convert the recording") from None
            raise UploadRejected("the recording could not be converted (damaged?)") from None
        except subprocess.TimeoutExpired:  # a busy machine: it is tried again, not given up
            raise UploadRejected("the show is busy converting recordings: try again", 503) from None
        try:
            result = probe.probe(out)
        except probe.ProbeUnavailable:
            raise UploadRejected("the show is busy reading recordings: try again", 503) from None
        except probe.ProbeError:
            raise UploadRejected("the recording could not be converted (damaged?)") from None
        return CleanAudio(data=out.read_bytes(), mime="audio/mp4", duration=result.duration or 0.0)


def out_of_space(exc: subprocess.CalledProcessError) -> bool:
    """ffmpeg failed for want of space to write (a full disk, or a file-size limit, which
    ends it by SIGXFSZ), not because of what it was given."""
    said = (exc.stderr or b"").decode(errors="replace")
    full = ("No space left on device", "File too large", "Disk quota exceeded")
    return exc.returncode == -signal.SIGXFSZ or any(words in said for words in full)
