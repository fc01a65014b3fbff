"""Still files: images recognised by their magic bytes and checked for truncation, and
plain text."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from .types import MediaType, ProbeError, ProbeResult, extension_warning

# ----------------------------------------------------------------------------------------
# images
# ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ImageFormat:
    label: str  # for messages
    container: str
    mime: str
    extensions: tuple[str, ...]  # the first is the usual one


_JPEG = ImageFormat("JPEG", "jpeg", "image/jpeg", (".jpg", ".jpeg", ".jpe", ".jfif"))
_PNG = ImageFormat("PNG", "png", "image/png", (".png",))
_GIF = ImageFormat("GIF", "gif", "image/gif", (".gif",))
_WEBP = ImageFormat("WebP", "webp", "image/webp", (".webp",))


def image_format(head: bytes) -> ImageFormat | None:
    if head.startswith(b"\xff\xd8\xff"):
        return _JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return _PNG
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return _GIF
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return _WEBP
    return None


def probe_image(path: Path, fmt: ImageFormat) -> ProbeResult:
    name = str(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ProbeError(f"'{name}' cannot be read: {exc.strerror or exc}") from exc
    if not image_complete(fmt, data):  # checked first: decoders print noise on stderr
        raise ProbeError(f"'{name}' is a truncated {fmt.label} image (an incomplete copy?)")
    image = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_UNCHANGED)
    if image is None or image.size == 0:
        raise ProbeError(
            f"'{name}' looks like a {fmt.label} image but cannot be decoded (corrupt?)"
        )
    height, width = int(image.shape[0]), int(image.shape[1])
    problems: tuple[str, ...] = ()
    suffix = path.suffix.lower()
    if suffix and suffix not in fmt.extensions:  # no name (a cached download): no advice
        problems = (extension_warning(suffix, f"a {fmt.label} image", fmt.extensions[0]),)
    return ProbeResult(
        MediaType.IMAGE, fmt.mime, None, width, height, None, None, fmt.container, True, problems
    )


def image_complete(fmt: ImageFormat, data: bytes) -> bool:
    if fmt is _JPEG:
        return _jpeg_complete(data)
    if fmt is _PNG:
        return _png_complete(data)
    if fmt is _WEBP:
        return len(data) >= int.from_bytes(data[4:8], "little") + 8
    return data.rstrip(b"\x00").endswith(b";")  # GIF trailer


def _jpeg_complete(data: bytes) -> bool:
    """Walk the JPEG markers from SOI; True when EOI is reached before the data ends."""
    n = len(data)
    i = 2
    while True:
        if i >= n:
            return False
        if data[i] != 0xFF:
            return True  # unexpected layout: do not guess (it decoded, after all)
        while i < n and data[i] == 0xFF:  # fill bytes
            i += 1
        if i >= n:
            return False
        marker = data[i]
        i += 1
        if marker == 0xD9:  # EOI
            return True
        if marker == 0x01 or 0xD0 <= marker <= 0xD7:  # markers without a length
            continue
        if i + 2 > n:
            return False
        i += int.from_bytes(data[i : i + 2], "big")
        if marker != 0xDA:  # not SOS
            continue
        while True:  # entropy-coded data: 0xFF is followed by 0x00 or a restart marker
            j = data.find(b"\xff", i)
            if j < 0 or j + 1 >= n:
                return False
            following = data[j + 1]
            if following == 0x00 or 0xD0 <= following <= 0xD7:
                i = j + 2
            elif following == 0xFF:
                i = j + 1
            else:
                i = j
                break


def _png_complete(data: bytes) -> bool:
    """Walk the PNG chunks; True when a whole IEND chunk is present."""
    n = len(data)
    i = 8
    while i + 8 <= n:
        length = int.from_bytes(data[i : i + 4], "big")
        chunk_type = data[i + 4 : i + 8]
        i += 12 + length
        if chunk_type == b"IEND":
            return i <= n
    return False


# ----------------------------------------------------------------------------------------
# text
# ----------------------------------------------------------------------------------------


def probe_text(path: Path) -> ProbeResult:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ProbeError(f"'{path}' cannot be read: {exc.strerror or exc}") from exc
    problems: tuple[str, ...] = ()
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        problems = ("the text is not UTF-8: save it as UTF-8",)
    return ProbeResult(
        MediaType.TEXT, "text/plain", None, None, None, None, None, "text", not problems, problems
    )
