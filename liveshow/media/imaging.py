"""Untrusted images from phones: sniffed, size-checked from the header, decoded, re-encoded.

Nothing of the uploaded file survives but its pixels: re-encoding drops EXIF (GPS), XMP, ICC
and comments. Pixel limits are checked from the header *before* decoding, so a small file
that claims to be 100,000 x 100,000 pixels (a decompression bomb) is refused unread.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

import cv2
import numpy as np

from . import probe

cv2.setNumThreads(1)  # parallelism comes from the worker pool, not from inside OpenCV

MAX_PIXELS = 40_000_000
MAX_SIDE = 12_000
OUT_MAX_SIDE = 1920
THUMB_SIDE = 360
JPEG_QUALITY = 85


class UploadRejected(ValueError):
    """Why an upload is refused, worded for the person holding the phone."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class CleanImage:
    data: bytes  # re-encoded: JPEG for photos, PNG (keeping transparency) for drawings
    mime: str
    width: int
    height: int
    thumb: bytes  # JPEG


def sniff(data: bytes) -> str | None:
    """The real format, from the bytes (never from the name or the Content-Type)."""
    fmt = probe.image_format(data[:16])
    if fmt is not None:
        return fmt.container
    if data[4:12] in (b"ftypheic", b"ftypheix", b"ftypmif1", b"ftyphevc"):
        return "heic"
    head = data[:1024].lstrip().lower()
    if head.startswith(b"<?xml") or b"<svg" in head:
        return "svg"
    return None


def _jpeg_size(data: bytes) -> tuple[int, int]:
    i = 2
    while i + 9 < len(data):
        if data[i] != 0xFF:
            raise UploadRejected("the JPEG is damaged")
        marker = data[i + 1]
        if marker == 0xFF:
            i += 1
            continue
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:
            i += 2
            continue
        length = struct.unpack(">H", data[i + 2 : i + 4])[0]
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            height, width = struct.unpack(">HH", data[i + 5 : i + 9])
            return width, height
        i += 2 + length
    raise UploadRejected("the JPEG is damaged or truncated (no image header)")


def _webp_size(data: bytes) -> tuple[int, int]:
    chunk = data[12:16]
    if chunk == b"VP8 " and len(data) >= 30:
        w, h = struct.unpack("<HH", data[26:30])
        return w & 0x3FFF, h & 0x3FFF
    if chunk == b"VP8L" and len(data) >= 25:
        bits = int.from_bytes(data[21:25], "little")
        return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    if chunk == b"VP8X" and len(data) >= 30:
        return (
            int.from_bytes(data[24:27], "little") + 1,
            int.from_bytes(data[27:30], "little") + 1,
        )
    raise UploadRejected("the WebP image is damaged")


def header_size(data: bytes, kind: str) -> tuple[int, int]:
    if kind == "png":
        if len(data) < 24 or data[12:16] != b"IHDR":
            raise UploadRejected("the PNG is damaged")
        return struct.unpack(">II", data[16:24])
    if kind == "jpeg":
        return _jpeg_size(data)
    return _webp_size(data)


def _check_complete(data: bytes, kind: str) -> None:
    """A file cut off in transit decodes to a half-grey picture: refuse it instead."""
    fmt = probe.image_format(data[:16])
    if fmt is None or not probe.image_complete(fmt, data):
        raise UploadRejected(
            f"the {kind.upper()} picture is truncated: the upload did not arrive whole"
        )


PAD_BGR = (0x3A, 0x2F, 0x2B)  # the phone's drawing pad (#2b2f3a): drawings are made on it
WHITE_BGR = (255, 255, 255)


def flatten(
    pixels: np.ndarray, keep_alpha: bool, background: tuple[int, int, int] = WHITE_BGR
) -> np.ndarray:
    if pixels.dtype != np.uint8:
        pixels = (pixels / 257).astype(np.uint8)
    if pixels.ndim == 2:
        pixels = cv2.cvtColor(pixels, cv2.COLOR_GRAY2BGR)
    if pixels.shape[2] == 4 and not keep_alpha:
        alpha = pixels[:, :, 3:4].astype(np.float32) / 255.0
        under = np.empty(pixels.shape[:2] + (3,), np.float32)
        under[:] = background
        pixels = (pixels[:, :, :3] * alpha + under * (1 - alpha)).astype(np.uint8)
    return pixels


# JPEG can be decoded at 1/2, 1/4 or 1/8 of its size inside the decoder (libjpeg scales in
# the DCT): a 12 MP photo decodes 3-4x faster at 1/2, and is then only slightly shrunk.
REDUCED_DECODES = (
    (8, cv2.IMREAD_REDUCED_COLOR_8),
    (4, cv2.IMREAD_REDUCED_COLOR_4),
    (2, cv2.IMREAD_REDUCED_COLOR_2),
)


def decode_flags(kind: str, width: int, height: int, side: int = OUT_MAX_SIDE) -> int:
    """How to decode: a JPEG at the smallest reduction whose long side stays at least
    ``side`` (libjpeg rounds a reduced side up), with its EXIF orientation applied (as
    IMREAD_COLOR does); PNG and WebP whole, keeping any transparency."""
    if kind != "jpeg":
        return cv2.IMREAD_UNCHANGED
    long_side = max(width, height)
    for factor, flags in REDUCED_DECODES:
        if -(-long_side // factor) >= side:
            return flags
    return cv2.IMREAD_COLOR


def _fit(pixels: np.ndarray, side: int) -> np.ndarray:
    """Shrink to ``side`` on the long side. INTER_AREA averages properly but is slow unless
    it shrinks by a whole factor (13 ms for a 360 px thumbnail of a 1920 px photo, 30 ms
    for 2016 -> 1920 px), so: the largest whole factor first with INTER_AREA (its fast
    path; the at most factor-1 pixels past the last whole block are cropped), then what is
    left (less than 2x) with INTER_LINEAR, which does not alias at such a small step."""
    h, w = pixels.shape[:2]
    scale = side / max(h, w)
    if scale >= 1:
        return pixels
    size = (max(1, round(w * scale)), max(1, round(h * scale)))
    factor = min(int(1 / scale), h, w)
    if factor >= 2:
        h, w = h - h % factor, w - w % factor
        pixels = cv2.resize(
            pixels[:h, :w], (w // factor, h // factor), interpolation=cv2.INTER_AREA
        )
    if (pixels.shape[1], pixels.shape[0]) == size:
        return pixels
    return cv2.resize(pixels, size, interpolation=cv2.INTER_LINEAR)


def clean_image(data: bytes, drawing: bool = False) -> CleanImage:
    """Validate and re-encode an uploaded photo or drawing. Raises UploadRejected."""
    kind = sniff(data)
    if kind in ("svg", "gif", "heic"):
        raise UploadRejected(
            f"{kind.upper()} images are not accepted: send a JPEG, PNG or WebP picture", 415
        )
    if kind is None:
        raise UploadRejected("that file is not a picture (JPEG, PNG or WebP expected)", 415)
    width, height = header_size(data, kind)
    if not width or not height:
        raise UploadRejected("the picture has no pixels")
    if width * height > MAX_PIXELS or max(width, height) > MAX_SIDE:
        raise UploadRejected(
            f"the picture is too large ({width} x {height} pixels; the limit "
            f"is {MAX_PIXELS // 1_000_000} megapixels)",
            413,
        )
    _check_complete(data, kind)
    pixels = cv2.imdecode(np.frombuffer(data, np.uint8), decode_flags(kind, width, height))
    if pixels is None:
        raise UploadRejected(f"the {kind.upper()} picture could not be decoded (damaged?)")
    keep_alpha = drawing and pixels.ndim == 3 and pixels.shape[2] == 4
    pixels = _fit(flatten(pixels, keep_alpha), OUT_MAX_SIDE)
    if keep_alpha:
        ok, out = cv2.imencode(".png", pixels, [cv2.IMWRITE_PNG_COMPRESSION, 6])
        mime = "image/png"
    else:
        ok, out = cv2.imencode(".jpg", pixels, [cv2.IMWRITE_JPEG_QUALITY, JPEG_QUALITY])
        mime = "image/jpeg"
    thumb_pixels = _fit(
        flatten(pixels, keep_alpha=False, background=PAD_BGR if drawing else WHITE_BGR), THUMB_SIDE
    )
    ok_thumb, thumb = cv2.imencode(".jpg", thumb_pixels, [cv2.IMWRITE_JPEG_QUALITY, 80])
    if not (ok and ok_thumb):
        raise UploadRejected("the picture could not be re-encoded", 500)
    return CleanImage(
        data=out.tobytes(),
        mime=mime,
        width=int(pixels.shape[1]),
        height=int(pixels.shape[0]),
        thumb=thumb.tobytes(),
    )
