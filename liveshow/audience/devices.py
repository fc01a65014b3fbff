"""Audience members: devices, artist handles, consent to the contribution terms, bans."""

from __future__ import annotations

import hashlib
import re
import secrets
import unicodedata
from collections.abc import Callable
from typing import Any

from ..store import writer
from ..store.database import Store
from ..workers import direct
from .terms import TERMS_VERSION

DEVICE_PATTERN = re.compile(r"^[A-Za-z0-9_-]{16,64}\Z")
HANDLE_LIMIT = 32


class AudienceError(Exception):
    """A refusal worded for the audience member; ``status`` is the HTTP status to use."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


def clean_text(value: Any, what: str, limit: int, multiline: bool = True) -> str:
    """Normalise untrusted text: NFC, no control characters, trimmed, within ``limit``."""
    if not isinstance(value, str):
        raise AudienceError(f"{what} must be text")
    if len(value) > raw_limit(limit):  # measured before any per-character work
        raise AudienceError(f"{what} is {len(value)} characters; the limit is {limit}", 413)
    value = unicodedata.normalize("NFC", value).replace("\r\n", "\n").replace("\r", "\n")
    kept = []
    for ch in value:
        if ch == "\n" and multiline:
            kept.append(ch)
        elif ch in "\t\n":
            kept.append(" ")
        elif unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co", "Cn") and ch not in "\u200d":
            continue  # control, format (bidi overrides), unassigned
        else:
            kept.append(ch)
    text = re.sub(r"\n{3,}", "\n\n", re.sub(r"[ \u00a0]{2,}", " ", "".join(kept))).strip()
    if not text:
        raise AudienceError(f"{what} is empty")
    if len(text) > limit:
        raise AudienceError(f"{what} is {len(text)} characters; the limit is {limit}", 413)
    return text


def raw_limit(limit: int) -> int:
    """The most characters text may have before it is cleaned: room for what cleaning
    removes (control characters, runs of spaces) but never megabytes."""
    return limit * 4 + 64


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class Audience:
    def __init__(self, store: Store, clock: Callable[[], float], commits: writer.Writer) -> None:
        self.store = store
        self.clock = clock
        self.writer = commits

    def check_device(self, device: Any) -> str:
        if not isinstance(device, str) or not DEVICE_PATTERN.match(device):
            raise AudienceError("this phone's id is missing or malformed: reload the page")
        return device

    def join(
        self,
        device: Any,
        handle: Any,
        consent: Any,
        address: str,
        offload: Callable[..., Any] = direct,
    ) -> dict[str, Any]:
        """Record the handle and consent (durable before it returns); return a fresh token
        for uploads and the phone's claim."""
        device = self.check_device(device)
        handle = clean_text(handle, "your artist name", HANDLE_LIMIT, multiline=False)
        if not isinstance(consent, dict) or consent.get("accepted") is not True:
            raise AudienceError("please accept the contribution terms to take part")
        if consent.get("terms_version") != TERMS_VERSION:
            raise AudienceError("the contribution terms have changed: please read them again", 409)
        known = self.device(device)
        if known and known["banned"]:
            raise AudienceError("this phone can no longer take part tonight", 403)
        token = secrets.token_urlsafe(24)
        # the phone's private claim to tonight's credits on the catalogue: only its hash is
        # kept here and sent with the phone's work (a new join makes a new one)
        claim = secrets.token_urlsafe(32)
        now = self.clock()
        row = {
            "id": device,
            "handle": handle,
            "token_sha256": token_hash(token),
            "terms_version": TERMS_VERSION,
            "consented_at": now,
            "address": address,
            "banned": 0,
            "joined_at": known["joined_at"] if known else now,
            "claim_sha256": token_hash(claim),
        }
        # a room joining at once: commits off the event loop, several joins in each
        self.writer.start()
        offload(self.writer.run, lambda conn: writer.upsert(conn, "devices", row, pk="id"))
        return {"token": token, "handle": handle, "terms_version": TERMS_VERSION, "claim": claim}

    def device(self, device_id: str) -> dict[str, Any] | None:
        rows = list(self.store.db.query("select * from devices where id = ?", [device_id]))
        return rows[0] if rows else None

    def by_token(self, token: Any) -> dict[str, Any] | None:
        if not isinstance(token, str) or not 16 <= len(token) <= 128:
            return None
        rows = list(
            self.store.db.query("select * from devices where token_sha256 = ?", [token_hash(token)])
        )
        return rows[0] if rows else None

    def ban(self, device_id: str) -> None:
        with self.store.write() as db:
            db.table("devices").update(device_id, {"banned": 1})
