"""Shared pieces for the audience tests: a show with every prompt kind, phones, test files."""
from __future__ import annotations

import struct
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from liveshow.extensions import socketio
from liveshow.audience.terms import TERMS_VERSION
from tests.conftest import JOIN_CODE

PROMPT_SHOW = """\
title: Audience test
cues:
  - {id: hello, kind: title, title: Hello}
  - {id: ask-text, kind: prompt, prompt: {kind: text, question: "A tiny story", max_length: 50}}
  - {id: text-wall, kind: wall, source: ask-text}
  - {id: ask-photo, kind: prompt, prompt: {kind: photo, question: "Something blue"}}
  - {id: photo-wall, kind: wall, source: ask-photo}
  - {id: ask-drawing, kind: prompt, prompt: {kind: drawing, question: "The moon"}}
  - {id: ask-sound, kind: prompt, prompt: {kind: audio, question: "A sound", max_seconds: 5}}
  - {id: ask-vote, kind: prompt, prompt: {kind: vote, question: "Which?", options: [A, B, C]}}
  - {id: results, kind: poll, source: ask-vote}
  - {id: roll, kind: credits, title: Thanks}
"""


def write_prompt_show(folder: Path) -> Path:
    path = folder / "prompts.yaml"
    path.write_text(PROMPT_SHOW)
    return path


class Phone:
    """A phone: a Socket.IO test client on /audience that can join and submit."""

    def __init__(self, app: Any, device: str = "phone-device-0001") -> None:
        self.app = app
        self.device = device
        self.client = socketio.test_client(app, namespace="/audience",
                                           auth={"code": JOIN_CODE, "device": device})
        self.token: str | None = None

    def join(self, handle: str = "Ana") -> dict[str, Any]:
        ack = self.emit("join", {"handle": handle, "consent": {
            "accepted": True, "terms_version": TERMS_VERSION}})
        if ack.get("ok"):
            self.token = ack["token"]
        return ack

    def emit(self, event: str, data: Any) -> Any:
        return self.client.emit(event, data, namespace="/audience", callback=True)

    def received(self) -> list[dict[str, Any]]:
        return self.client.get_received("/audience")

    def upload(self, http: Any, sub_id: str, prompt: str, kind: str, data: bytes,
               name: str = "upload.jpg", token: str | None = None) -> Any:
        import io
        return http.post("/api/submissions", headers={
            "Authorization": f"Bearer {self.token if token is None else token}"},
            data={"id": sub_id, "prompt": prompt, "kind": kind,
                  "file": (io.BytesIO(data), name)}, content_type="multipart/form-data")


def jpeg(width: int = 640, height: int = 480, colour: tuple[int, int, int] = (200, 80, 20)
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
    xmp = (b"http://ns.adobe.com/xap/1.0/\x00<x:xmpmeta>home address secret-xmp"
           b"</x:xmpmeta>")
    comment = b"secret-comment"

    def segment(marker: int, payload: bytes) -> bytes:
        return bytes([0xFF, marker]) + struct.pack(">H", len(payload) + 2) + payload
    return (base[:2] + segment(0xE1, exif) + segment(0xE1, xmp) + segment(0xFE, comment)
            + base[2:])


def png_bomb(width: int = 100_000, height: int = 100_000) -> bytes:
    """A tiny PNG whose header claims an enormous picture."""
    import zlib
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)

    def chunk(kind: bytes, payload: bytes) -> bytes:
        return (struct.pack(">I", len(payload)) + kind + payload
                + struct.pack(">I", zlib.crc32(kind + payload)))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(b"\x00" * 1000)) + chunk(b"IEND", b""))


SVG_WITH_SCRIPT = (b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg">'
                   b'<script>alert(1)</script><circle r="5"/></svg>')


def wav(seconds: float, rate: int = 16000) -> bytes:
    samples = (np.sin(np.arange(int(seconds * rate)) * 2 * np.pi * 440 / rate) * 12000)
    pcm = samples.astype("<i2").tobytes()
    return (b"RIFF" + struct.pack("<I", 36 + len(pcm)) + b"WAVEfmt "
            + struct.pack("<IHHIIHH", 16, 1, 1, rate, rate * 2, 2, 16)
            + b"data" + struct.pack("<I", len(pcm)) + pcm)
