"""The catalogue service's settings, declared once as data (name, default, help).

Each is read from the ``config`` mapping given to the app factory, else from its environment
variable, else its default. docs/catalogue.md names every one (a test checks).
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

TOKEN_FILE = "token"


@dataclass(frozen=True)
class Setting:
    key: str
    env: str
    default: str
    help: str


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "data",
        "LIVESHOW_CATALOGUE_DATA",
        "./catalogue-data",
        "data directory: catalogue.db, the media store and the generated token",
    ),
    Setting(
        "token",
        "LIVESHOW_CATALOGUE_TOKEN",
        "",
        "bearer token for writes; unset = generated once, kept in <data>/token",
    ),
    Setting("host", "LIVESHOW_CATALOGUE_HOST", "127.0.0.1", "address to listen on"),
    Setting("port", "LIVESHOW_CATALOGUE_PORT", "5100", "TCP port to listen on"),
    Setting(
        "max_batch_bytes",
        "LIVESHOW_CATALOGUE_MAX_BATCH_BYTES",
        str(16 << 20),
        "largest JSON body accepted by POST /performances and /contributions",
    ),
    Setting(
        "max_batch_items", "LIVESHOW_CATALOGUE_MAX_BATCH_ITEMS", "5000", "most items in one batch"
    ),
    Setting(
        "max_chunk_bytes",
        "LIVESHOW_CATALOGUE_MAX_CHUNK_BYTES",
        str(64 << 20),
        "largest body of one PATCH /media/<sha256>",
    ),
    Setting(
        "max_media_bytes",
        "LIVESHOW_CATALOGUE_MAX_MEDIA_BYTES",
        str(4 << 30),
        "largest media object",
    ),
)

# the integer settings: a typo in one should stop the service at start-up, not later
INT_KEYS = ("port", "max_batch_bytes", "max_batch_items", "max_chunk_bytes", "max_media_bytes")


@dataclass(frozen=True)
class CatalogueSettings:
    data: Path
    token: str
    token_generated: bool
    host: str
    port: int
    max_batch_bytes: int
    max_batch_items: int
    max_chunk_bytes: int
    max_media_bytes: int


def _raw(config: Mapping[str, Any], setting: Setting) -> str:
    if config.get(setting.key) not in (None, ""):
        return str(config[setting.key])
    return os.environ.get(setting.env, "") or setting.default


def _load_or_make_token(data: Path) -> str:
    """The generated token survives restarts, so a show's settings keep working."""
    path = data / TOKEN_FILE
    try:
        token = path.read_text().strip()
    except FileNotFoundError:
        token = ""
    if token:
        return token
    token = secrets.token_urlsafe(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(token + "\n")
    return token


def resolve(config: Mapping[str, Any] | None = None) -> CatalogueSettings:
    config = config or {}
    raw = {s.key: _raw(config, s) for s in SETTINGS}
    ints: dict[str, int] = {}
    for key in INT_KEYS:
        try:
            ints[key] = int(raw[key])
        except ValueError:
            raise ValueError(f"setting {key} must be a whole number, not {raw[key]!r}") from None
    data = Path(raw["data"]).resolve()
    data.mkdir(parents=True, exist_ok=True)
    token = raw["token"] or _load_or_make_token(data)
    return CatalogueSettings(
        data=data, token=token, token_generated=not raw["token"], host=raw["host"], **ints
    )
