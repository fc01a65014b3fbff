"""The show side of a sync under test: a show that makes work, takes uploaded as a camera
agent would, the performance's records read back from the catalogue, and `liveshow sync`."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import requests

from tests.helpers import CAMERA_KEY
from tests.helpers.server import ServerProcess

# record 4 is a photo of the demo community (the same id on every fresh demo catalogue)
PULLED_RECORD = 4
NIGHT_SHOW = """\
title: Harbour Test Night
cues:
  - {id: screen-photo, kind: record, record: 4, duration: 5}
  - {id: ask-story, kind: prompt, prompt: {kind: text, question: "A tiny story"}}
  - {id: ask-photo, kind: prompt, prompt: {kind: photo, question: "Something blue"}}
  - {id: wall, kind: wall, source: ask-photo}
  - {id: live, kind: camera, camera: cam1, keyed: true}
  - {id: replay, kind: replay}
"""
CAMERA_AUTH = {"Authorization": f"Bearer {CAMERA_KEY}"}


def upload_to_show(srv: ServerProcess, data: bytes) -> str:
    """PUT a file to the show server as a camera agent does; its sha256."""
    sha = hashlib.sha256(data).hexdigest()
    response = requests.put(
        f"{srv.url}/api/media/{sha}",
        data=data,
        headers={**CAMERA_AUTH, "Content-Range": f"bytes 0-{len(data) - 1}/{len(data)}"},
        timeout=60,
    )
    assert response.status_code in (200, 201), response.text
    return sha


def register_take(srv: ServerProcess, body: dict[str, Any]) -> dict[str, Any]:
    response = requests.post(f"{srv.url}/api/takes", json=body, headers=CAMERA_AUTH, timeout=30)
    assert response.status_code in (200, 201), response.text
    return dict(response.json())


def performance_of(srv: ServerProcess) -> str | None:
    """Tonight's performance id, once the outbox's sender has made it."""
    rows = srv.rows("select value from meta where key = 'performance'")
    return str(rows[0]["value"]) if rows else None


def catalogue_records(url: str, performance: str) -> list[dict[str, Any]]:
    """Every record the catalogue holds from ``performance``, following the pages."""
    out: list[dict[str, Any]] = []
    page = requests.get(
        f"{url}/api/v1/records", params={"performance": performance, "limit": 500}, timeout=10
    ).json()
    out.extend(page["records"])
    while page.get("next"):
        page = requests.get(page["next"], timeout=10).json()
        out.extend(page["records"])
    return out


def run_sync(data: Path, url: str, token: str, *extra: str, timeout: float = 120) -> Any:
    """`liveshow sync` as a user types it; the finished process (its output captured)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("LIVESHOW_")}
    return subprocess.run(
        [sys.executable, "-m", "liveshow", "sync", "--data", str(data)]
        + ["--catalogue-url", url, "--catalogue-token", token, *extra],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
