"""Files a phone sends, good and hostile: pictures, drawings, sounds, and the tricks
(metadata, decompression bombs, scripts in SVG) the upload path must defeat."""

from __future__ import annotations

import struct
import subprocess
import zlib
from pathlib import Path

import cv2
import imageio_ffmpeg
import numpy as np


def jpeg(
    width: int = 640, height: int = 480, colour: tuple[int, int, int] = (200, 80, 20)
) -> bytes:
    image = np.zeros((height, width, 3), np.uint8)
    image[:] = colour
    cv2.circle(image, (width // 2, height // 2), min(width, height) // 4, (255, 255, 255), -1)
    return cv2.imencode(".jpg", image)[1].tobytes()


def png_rgba(width: int = 300, height: int = 200) -> bytes:
    image = np.zeros((height, width, 4), np.uint8)
    cv2.line(image, (10, 10), (width - 10, height - 10), (0, 0, 0, 255), 6)
    return cv2.imencode(".png", image)[1].tobytes()


def jpeg_with_metadata() -> bytes:
    """A JPEG carrying GPS EXIF, an XMP packet and a comment, as phones make them."""
    base = jpeg()
    # TIFF (little endian): IFD0 with one entry GPSInfo -> GPS IFD with GPSLatitudeRef "N"
    # and GPSLatitude 51/1 30/1 0/1.
    tiff = bytearray(b"II*\x00\x08\x00\x00\x00")
    tiff += struct.pack("<H", 1) + struct.pack("<HHII", 0x8825, 4, 1, 26) + b"\x00\x00\x00\x00"
    gps_ifd = 26
    assert len(tiff) == gps_ifd
    rational_at = gps_ifd + 2 + 2 * 12 + 4
    tiff += struct.pack("<H", 2)
    tiff += struct.pack("<HHI", 1, 2, 2) + b"N\x00\x00\x00"
    tiff += struct.pack("<HHII", 2, 5, 3, rational_at)
    tiff += b"\x00\x00\x00\x00"
    tiff += struct.pack("<6I", 51, 1, 30, 1, 0, 1)
    exif = b"Exif\x00\x00" + bytes(tiff)
    xmp = b"http://ns.adobe.com/xap/1.0/\x00<x:xmpmeta>home address secret-xmp</x:xmpmeta>"
    comment = b"secret-comment"

    def segment(marker: int, payload: bytes) -> bytes:
        return bytes([0xFF, marker]) + struct.pack(">H", len(payload) + 2) + payload

    return base[:2] + segment(0xE1, exif) + segment(0xE1, xmp) + segment(0xFE, comment) + base[2:]


def png_bomb(width: int = 100_000, height: int = 100_000) -> bytes:
    """A tiny PNG whose header claims an enormous picture."""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)

    def chunk(kind: bytes, payload: bytes) -> bytes:
        return (
            struct.pack(">I", len(payload))
            + kind
            + payload
            + struct.pack(">I", zlib.crc32(kind + payload))
        )

    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 1000))
        + chunk(b"IEND", b"")
    )


SVG_WITH_SCRIPT = (
    b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg">'
    b'<script>alert(1)</script><circle r="5"/></svg>'
)


def wav(seconds: float, rate: int = 16000, rising: bool = False) -> bytes:
    """A 440 Hz tone; ``rising``: from silence to loud (a waveform with a shape)."""
    samples = np.sin(np.arange(int(seconds * rate)) * 2 * np.pi * 440 / rate) * 12000
    if rising:
        samples *= np.linspace(0.0, 1.0, len(samples))
    pcm = samples.astype("<i2").tobytes()
    return (
        b"RIFF"
        + struct.pack("<I", 36 + len(pcm))
        + b"WAVEfmt "
        + struct.pack("<IHHIIHH", 16, 1, 1, rate, rate * 2, 2, 16)
        + b"data"
        + struct.pack("<I", len(pcm))
        + pcm
    )


def jpeg_with_orientation(width: int, height: int, orientation: int) -> bytes:
    """A photo stored sideways, as phones store them, with an EXIF Orientation tag saying
    how to turn it upright; its stored top quarter is red (BGR (0, 0, 255))."""
    image = np.zeros((height, width, 3), np.uint8)
    image[: height // 4, :] = (0, 0, 255)
    base = cv2.imencode(".jpg", image)[1].tobytes()
    tiff = b"II*\x00\x08\x00\x00\x00" + struct.pack("<HHHIHH", 1, 0x0112, 3, 1, orientation, 0)
    exif = b"Exif\x00\x00" + tiff + b"\x00\x00\x00\x00"
    return base[:2] + b"\xff\xe1" + struct.pack(">H", len(exif) + 2) + exif + base[2:]


def made_by_ffmpeg(path: Path, source: str, *encode: str) -> Path:
    """A media file ffmpeg makes at ``path`` from a lavfi ``source`` (a test pattern, a tone,
    noise), encoded with ``encode`` (codec options): sounds and videos no camera or phone
    has to be found for."""
    subprocess.run(
        [imageio_ffmpeg.get_ffmpeg_exe(), "-loglevel", "error", "-y", "-f", "lavfi",
         "-i", source, *encode, str(path)],
        check=True,
        timeout=60,
    )  # fmt: skip
    return path
