"""The camera agent's outbox: finished takes wait on disk (a manifest per take) until the
server has every file (resumable, hash-checked) and the take record. Nothing is lost when
the network or the server goes away: the outbox drains when they come back, also after the
agent restarts. When the disk runs short, the files of the oldest uploaded takes are deleted,
each only once the server confirms it holds every one of them (its manifest stays, marked
``pruned_at``)."""

from __future__ import annotations

import json
import logging
import os
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import requests

log = logging.getLogger("liveshow.camera")
CHUNK = 4 << 20
PERMANENT = (400, 409, 413, 415, 422)
StatusCallback = Callable[[str, str], None]


def write_manifest(path: Path, data: dict[str, Any]) -> None:
    fd, tmp = tempfile.mkstemp(prefix=".manifest-", dir=path.parent)
    with os.fdopen(fd, "w") as handle:
        json.dump(data, handle, indent=1)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)


class TakeOutbox:
    def __init__(
        self, folder: Path, server: str, key: str, on_status: StatusCallback | None = None
    ) -> None:
        self.folder = folder
        self.server = server.rstrip("/")
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Bearer {key}"
        self.on_status = on_status
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._room: tuple[int, Callable[[], int | None]] | None = None  # see want_room

    def add(self, manifest: dict[str, Any]) -> Path:
        path = self.folder / f"{manifest['id']}.take.json"
        write_manifest(path, {**manifest, "uploaded": False})
        self._wake.set()
        return path

    def manifests(self) -> list[tuple[Path, dict[str, Any]]]:
        """Every readable take manifest here, oldest written first."""
        out = []
        for path in sorted(self.folder.glob("*.take.json"), key=lambda p: p.stat().st_mtime):
            try:
                out.append((path, json.loads(path.read_text())))
            except (OSError, ValueError):
                log.warning("unreadable take manifest %s", path)
        return out

    def pending(self) -> list[Path]:
        return [p for p, m in self.manifests() if not m.get("uploaded") and not m.get("refused")]

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="take-outbox", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(10)

    def _run(self) -> None:
        delay = 1.0
        while not self._stop.is_set():
            try:
                for path in self.pending():
                    self.send(path)
                room = self._room
                if room is not None:
                    self.prune(*room)
                delay = 1.0
                self._wake.wait(30)
            except (requests.RequestException, OSError, UploadRefused) as exc:
                log.warning("take upload failed, retrying in %.0f s: %s", delay, exc)
                self._report("retrying", str(exc))
                self._wake.wait(delay)
                delay = min(delay * 2, 30.0)
            self._wake.clear()

    def send(self, path: Path) -> dict[str, Any]:
        """Upload one take's files, then its record; mark the manifest uploaded."""
        manifest = json.loads(path.read_text())
        files = manifest["files"]
        for role in ("raw", "composite", "thumb"):
            if files.get(role):
                self.upload_file(Path(files[role]["path"]), files[role]["sha256"])
        body = {
            "id": manifest["id"],
            "camera": manifest["camera"],
            "raw": files["raw"]["sha256"],
            "composite": files["composite"]["sha256"] if files.get("composite") else None,
            "thumb": files["thumb"]["sha256"] if files.get("thumb") else None,
            "duration": manifest.get("duration"),
            "started_at": manifest.get("started_at"),
            "ended_at": manifest.get("ended_at"),
            "backgrounds": manifest.get("backgrounds", []),
        }
        response = self.session.post(f"{self.server}/api/takes", json=body, timeout=30)
        if response.status_code in PERMANENT:
            # Retrying cannot help: keep the files, say why, and move on to the next take.
            reason = f"{response.status_code} {_error(response)}"
            write_manifest(path, {**manifest, "refused": reason})
            self._report("refused", f"take {manifest['id']}: {reason}")
            return {}
        if response.status_code not in (200, 201):
            raise UploadRefused(f"take {manifest['id']}: {response.status_code} {_error(response)}")
        write_manifest(path, {**manifest, "uploaded": True, "uploaded_at": time.time()})
        self._report("uploaded", manifest["id"])
        return dict(response.json())

    def want_room(self, need: int | None, free: Callable[[], int | None]) -> None:
        """Asks for ``need`` bytes free (None: no more pruning), made by pruning uploaded
        takes after each round of uploads; the first ask wakes the outbox."""
        first = need is not None and self._room is None
        self._room = None if need is None else (need, free)
        if first:
            self._wake.set()

    def prune(self, need: int, free: Callable[[], int | None]) -> list[str]:
        """Deletes the files of uploaded takes, oldest upload first, until ``need`` bytes are
        free; a take's files go only when the server answers that it has each of them, and
        only files in this outbox's folder (found by name: a manifest's path may be relative
        to another working directory). Returns the ids of the takes pruned. Runs in the
        outbox's thread (see want_room), never where a crew command waits on it."""
        pruned: list[str] = []
        for path, manifest in self._uploaded():
            room = free()
            if room is None or room >= need:
                break
            files = [f for f in manifest["files"].values() if f]
            try:
                held = all(self._server_has(f["sha256"]) for f in files)
            except requests.RequestException as exc:
                log.warning("cannot ask the server before freeing space: %s", exc)
                break
            if not held:
                log.warning("take %s: the server lacks a file; kept", manifest["id"])
                continue
            here = [self.folder / Path(f["path"]).name for f in files]
            try:
                for file in here:
                    file.unlink(missing_ok=True)
            except OSError as exc:
                log.warning("take %s: could not delete its files: %s", manifest["id"], exc)
                continue
            write_manifest(path, {**manifest, "pruned_at": time.time()})
            pruned.append(manifest["id"])
            self._report("pruned", f"take {manifest['id']}: the server has it")
        return pruned

    def prunable(self) -> int:
        """How many uploaded takes still have their files here."""
        return len(self._uploaded())

    def _uploaded(self) -> list[tuple[Path, dict[str, Any]]]:
        """Uploaded takes whose files are still here, oldest upload first."""
        kept = [(p, m) for p, m in self.manifests() if m.get("uploaded") and not m.get("pruned_at")]
        return sorted(kept, key=lambda pm: float(pm[1].get("uploaded_at") or 0))

    def _server_has(self, sha: str) -> bool:
        return self.session.head(f"{self.server}/api/media/{sha}", timeout=5).status_code == 200

    def upload_file(self, path: Path, sha: str) -> None:
        url = f"{self.server}/api/media/{sha}"
        head = self.session.head(url, timeout=15)
        if head.status_code == 200:
            return
        if head.status_code != 404:
            # 404: not there yet, send it. Anything else (another request finishing it, a
            # 503 while ffmpeg cannot run) is "not yet": ask again later, never carry on to
            # register a take whose file the server does not have.
            raise UploadRefused(f"{path.name}: {head.status_code} {_error(head) or 'try again'}")
        offset = int(head.headers.get("Upload-Offset", "0"))
        total = path.stat().st_size
        finished = False
        with path.open("rb") as handle:
            while offset < total:
                handle.seek(offset)
                chunk = handle.read(CHUNK)
                end = offset + len(chunk) - 1
                response = self.session.put(
                    url,
                    data=chunk,
                    timeout=60,
                    headers={"Content-Range": f"bytes {offset}-{end}/{total}"},
                )
                if response.status_code in (201, 202):
                    offset = int(response.headers.get("Upload-Offset", end + 1))
                    finished = response.status_code == 201
                elif response.status_code == 409 and "Upload-Offset" in response.headers:
                    offset = int(response.headers["Upload-Offset"])  # resume where it is
                else:
                    raise UploadRefused(f"{path.name}: {response.status_code} {_error(response)}")
                self._report("uploading", f"{path.name} {offset}/{total}")
        if not finished:  # every byte is there, but the server has not said it has the file
            raise UploadRefused(f"{path.name}: sent, not yet finished by the server: try again")

    def _report(self, state: str, detail: str) -> None:
        if self.on_status is not None:
            self.on_status(state, detail)


class UploadRefused(Exception):
    pass


def _error(response: requests.Response) -> str:
    try:
        return str(response.json().get("error", ""))
    except ValueError:
        return response.text[:200]
