"""Public URLs and QR codes: how phones and displays find the server on the venue LAN; and
the join codes the crew rotated away, so an old link is told apart from a mistyped code."""

from __future__ import annotations

import io
import json
from collections.abc import Mapping
from typing import Any

import cv2
import numpy as np
import qrcode
import qrcode.image.svg

from ..settings import public_url
from ..store.database import Store

RETIRED_KEY = "join_codes_retired"  # in the meta table: a JSON list, oldest first
KEEP_RETIRED = 100


def join_url(values: Mapping[str, Any]) -> str:
    return f"{public_url(values)}/join/{values['join_code']}"


def qr_svg(data: str) -> bytes:
    image = qrcode.make(data, image_factory=qrcode.image.svg.SvgPathImage, border=2)
    out = io.BytesIO()
    image.save(out)
    return out.getvalue()


def qr_png(data: str, scale: int = 16) -> bytes:
    """A PNG of the QR code (made with OpenCV: no imaging library needed)."""
    code = qrcode.QRCode(border=4)
    code.add_data(data)
    matrix = np.array(code.get_matrix(), dtype=np.uint8)
    modules = np.where(matrix, 0, 255).astype(np.uint8)
    pixels = cv2.resize(modules, None, fx=scale, fy=scale, interpolation=cv2.INTER_NEAREST)
    return bytes(cv2.imencode(".png", pixels)[1].tobytes())


def terminal_qr(data: str) -> str:
    code = qrcode.QRCode(border=1)
    code.add_data(data)
    out = io.StringIO()
    code.print_ascii(out=out, invert=True)
    return out.getvalue()


def retire(store: Store, code: str) -> None:
    """Remember ``code``, rotated away by the crew: a phone that brings it later (a QR code
    printed before, an old tab) is told its link expired, not that no show has the code."""
    codes = retired(store)
    if code not in codes:
        store.meta_set(RETIRED_KEY, json.dumps((codes + [code])[-KEEP_RETIRED:]))


def retired(store: Store) -> list[str]:
    """The join codes rotated away, oldest first (the last ``KEEP_RETIRED``)."""
    raw = store.meta_get(RETIRED_KEY)
    try:
        codes = json.loads(raw) if raw else []
    except ValueError:
        return []
    return [c for c in codes if isinstance(c, str)] if isinstance(codes, list) else []


def was_join_code(store: Store, code: object) -> bool:
    """Was ``code`` once this show's join code? (A dead code: compared plainly, not in
    constant time, as it opens nothing.)"""
    # the length first: a flood of junk codes costs no database read
    return isinstance(code, str) and 0 < len(code) <= 64 and code in retired(store)
