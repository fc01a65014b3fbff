"""A real reference catalogue (`liveshow catalogue serve`) in its own process on a free port,
and `liveshow pull` run against it as a show's crew would."""

from __future__ import annotations

import hashlib
import os
import signal
import sqlite3
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests

from tests.helpers.server import free_port, stop_process
from tests.helpers.waiting import wait_until

ROOT = Path(__file__).resolve().parents[2]


TOKEN = "test-catalogue-token"


@dataclass
class CatalogueProcess:
    """A real `python -m liveshow catalogue serve` on a free port: with the demo community
    (its ids are the same on every fresh one) unless ``empty``."""

    data: Path
    empty: bool = False
    token: str | None = TOKEN  # None: the service makes one and keeps it in <data>/token
    port: int = field(default_factory=free_port)
    proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def write_token(self) -> str:
        return self.token or (self.data / "token").read_text().strip()

    def start(self, timeout: float = 90.0) -> CatalogueProcess:
        env = {k: v for k, v in os.environ.items() if not k.startswith("LIVESHOW_CATALOGUE")}
        if self.token is not None:
            env["LIVESHOW_CATALOGUE_TOKEN"] = self.token
        args = ["catalogue", "serve", "--data", str(self.data), "--port", str(self.port)]
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "liveshow", *args, *(["--empty"] if self.empty else [])],
            env=env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_until(self._answers, timeout, "the catalogue to answer")
        return self

    def _answers(self) -> bool:
        assert self.proc is not None and self.proc.poll() is None, "the catalogue exited"
        try:
            return requests.get(self.url + "/api/v1/collaborations", timeout=2).ok
        except requests.ConnectionError:
            return False

    def record(self, record_id: int) -> dict[str, Any]:
        resp = requests.get(f"{self.url}/api/v1/records/{record_id}", timeout=10)
        assert resp.status_code == 200, resp.text
        return resp.json()  # type: ignore[no-any-return]

    def media_object(self, sha256: str) -> Path:
        """Where the catalogue keeps a media object on its disk."""
        return self.data / "media" / "objects" / sha256[:2] / sha256

    def stop(self, sig: int = signal.SIGTERM) -> None:
        """Stops it (SIGKILL: as a network that is simply gone)."""
        stop_process(self.proc, sig)


def run_pull(
    data: Path, show: Path | None, url: str, *collaborations: str
) -> subprocess.CompletedProcess[str]:
    """`liveshow pull` as the crew types it; the result with its output and exit status."""
    args = [sys.executable, "-m", "liveshow", "pull", "--data", str(data)]
    args += ["--catalogue-url", url, *(["--show", str(show)] if show else []), *collaborations]
    env = {k: v for k, v in os.environ.items() if not k.startswith("LIVESHOW_")}
    return subprocess.run(args, env=env, cwd=ROOT, capture_output=True, text=True, timeout=120)


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def pulled_rows(data: Path) -> dict[int, dict[str, Any]]:
    """The ``catalogue_records`` of a show's data directory, read-only, by record id."""
    db = sqlite3.connect(f"file:{data / 'show.db'}?mode=ro", uri=True)
    db.row_factory = sqlite3.Row
    try:
        return {r["id"]: dict(r) for r in db.execute("select * from catalogue_records")}
    finally:
        db.close()


def cached_files(data: Path) -> list[str]:
    """The names in a show's media cache (temporary files start with a dot)."""
    return sorted(p.name for p in (data / "media").iterdir())


def answers(url: str, proc: subprocess.Popen[bytes] | None = None) -> bool:
    """Whether something answers at ``url``; fails at once when ``proc`` has exited."""
    assert proc is None or proc.poll() is None, "the process exited"
    try:
        return requests.get(url, timeout=2).status_code < 500
    except requests.ConnectionError:
        return False
