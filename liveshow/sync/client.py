"""A small client for the catalogue's HTTP API, on the standard library's ``http.client``
(green under eventlet, so the running server can use it in a background task).

Errors come in two kinds, so callers know whether trying again can help:
:class:`Unreachable` (no answer, a dropped connection, a ``5xx``, a ``409`` "still running" or
``429``: retry later) and :class:`Refused` (a ``4xx`` that will be the same next time).
"""

from __future__ import annotations

import http.client
import json
import random
import ssl
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

API = "/api/v1"
RETRYABLE = {408, 409, 425, 429}


class CatalogueError(Exception):
    """Something went wrong talking to the catalogue; the message says what, for the crew."""


class Unreachable(CatalogueError):
    """No usable answer: try again later."""


class Refused(CatalogueError):
    """The catalogue answered no, and will answer the same next time."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes = b""

    def json(self) -> Any:
        try:
            return json.loads(self.body)
        except ValueError:
            raise Unreachable(f"the catalogue answered {self.status} with no JSON") from None

    def error(self) -> str:
        try:
            data = json.loads(self.body)
            if isinstance(data, dict) and isinstance(data.get("error"), str):
                return data["error"]
        except ValueError:
            pass
        return self.body[:200].decode("utf-8", "replace").strip() or f"HTTP {self.status}"


@dataclass
class Catalogue:
    """The catalogue at ``url`` (``http://host:5100``, or ``https://…``)."""

    url: str
    token: str | None = None
    timeout: float = 30.0
    # Each request is tried this many more times when no answer comes (every request here is
    # safe to repeat: reads, PATCH at an offset, POST with an Idempotency-Key), after
    # 0.2 s, 0.4 s, 0.8 s (each 0.5x-1.5x, jittered).
    retries: int = 3
    sleep: Callable[[float], Any] = time.sleep
    tally: dict[str, int] = field(default_factory=lambda: {"requests": 0, "retries": 0})
    _parts: urllib.parse.SplitResult = field(init=False, repr=False)

    def __post_init__(self) -> None:
        parts = urllib.parse.urlsplit(self.url.rstrip("/"))
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise CatalogueError(
                f"the catalogue URL must be http(s)://host[:port], got {self.url!r}"
            )
        self._parts = parts

    # ---- plumbing ---------------------------------------------------------------------------
    def _connection(self) -> http.client.HTTPConnection:
        host, port = self._parts.hostname or "", self._parts.port
        if self._parts.scheme == "https":
            return http.client.HTTPSConnection(
                host, port, timeout=self.timeout, context=ssl.create_default_context()
            )
        return http.client.HTTPConnection(host, port, timeout=self.timeout)

    def request(
        self,
        method: str,
        path: str,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
        write: bool = False,
        sink: Callable[[bytes], None] | None = None,
    ) -> Answer:
        """One request, repeated (``retries``) while no usable answer comes. ``sink``
        receives the body of a ``2xx`` answer in pieces instead of it being kept. Raises
        :class:`Unreachable` when there is still no answer."""
        tries = 0 if sink is not None else self.retries  # a half-written sink is the caller's
        for attempt in range(tries + 1):
            if attempt:
                self.tally["retries"] += 1
                self.sleep(0.2 * 2 ** (attempt - 1) * random.uniform(0.5, 1.5))
            try:
                answer = self._once(method, path, body, headers, write, sink)
            except Unreachable:
                if attempt == tries:
                    raise
                continue
            if answer.status < 500 and answer.status not in (408, 429) or attempt == tries:
                return answer
        raise AssertionError("unreachable")  # pragma: no cover

    def _once(
        self,
        method: str,
        path: str,
        body: bytes | None,
        headers: dict[str, str] | None,
        write: bool,
        sink: Callable[[bytes], None] | None,
    ) -> Answer:
        self.tally["requests"] += 1
        sent = dict(headers or {})
        if write:
            if not self.token:
                raise Refused("no catalogue token: set LIVESHOW_CATALOGUE_TOKEN", 401)
            sent["Authorization"] = f"Bearer {self.token}"
        conn = self._connection()
        target = self._parts.path + path
        try:
            conn.request(method, target, body=body, headers=sent)
            response = conn.getresponse()
            answer = Answer(response.status, {k.lower(): v for k, v in response.getheaders()})
            if sink is not None and 200 <= response.status < 300:
                while piece := response.read(1 << 20):
                    sink(piece)
            else:
                answer.body = response.read()
            return answer
        except (OSError, http.client.HTTPException) as exc:
            raise Unreachable(f"{self.url}: {exc or type(exc).__name__}") from exc
        finally:
            conn.close()

    def check(self, answer: Answer, *ok: int) -> Answer:
        if answer.status in ok:
            return answer
        if answer.status >= 500 or answer.status in RETRYABLE:
            raise Unreachable(f"the catalogue answered {answer.status}: {answer.error()}")
        raise Refused(
            f"the catalogue refused it ({answer.status}): {answer.error()}", answer.status
        )

    # ---- reads ------------------------------------------------------------------------------
    def get_json(self, path: str) -> Any:
        """``GET /api/v1<path>`` (or a whole ``/api/v1/…`` path, as ``next`` links are)."""
        full = path if path.startswith(API + "/") else API + path
        return self.check(
            self.request("GET", full, headers={"Accept": "application/json"}), 200
        ).json()

    def record(self, record_id: int) -> dict[str, Any]:
        return dict(self.get_json(f"/records/{int(record_id)}"))

    def collaboration_records(self, slug: str) -> list[dict[str, Any]]:
        """Every record of a collaboration, following the pages."""
        page = self.get_json("/collaborations/" + urllib.parse.quote(slug, safe=""))
        records = list(page["records"])
        while page.get("next"):
            link = urllib.parse.urlsplit(page["next"])
            page = self.get_json(link.path + (f"?{link.query}" if link.query else ""))
            records.extend(page["records"])
        return records

    def download(
        self, sha256: str, out: IO[bytes], progress: Callable[[int], None] | None = None
    ) -> None:
        """Stream a media object's bytes into ``out`` (the caller checks the hash)."""

        def sink(piece: bytes) -> None:
            out.write(piece)
            if progress is not None:
                progress(len(piece))

        self.check(self.request("GET", f"{API}/media/{sha256}", sink=sink), 200)

    # ---- media upload (tus 1.0 style) -------------------------------------------------------
    def media_offset(self, sha256: str) -> tuple[bool, int]:
        """(complete, bytes the catalogue holds)."""
        answer = self.check(self.request("HEAD", f"{API}/media/{sha256}"), 200, 204)
        return answer.status == 200, int(answer.headers.get("upload-offset", "0") or 0)

    def upload(
        self,
        sha256: str,
        path: Path,
        chunk: int,
        progress: Callable[[int], None] | None = None,
    ) -> int:
        """Send ``path`` as ``sha256`` from wherever the catalogue's copy stopped; the bytes
        sent. A ``409`` (someone else appended, or the offset moved) asks again and goes on."""
        total = path.stat().st_size
        sent = 0
        complete, offset = self.media_offset(sha256)
        with path.open("rb") as source:
            for _ in range(total // max(chunk, 1) + 64):  # bounded: every turn moves or fails
                if complete:
                    return sent
                if offset > total:
                    raise Refused(
                        f"the catalogue holds more of {sha256[:12]} than the file has", 422
                    )
                source.seek(offset)
                body = source.read(chunk)
                answer = self.request(
                    "PATCH",
                    f"{API}/media/{sha256}",
                    body=body,
                    write=True,
                    headers={
                        "Upload-Offset": str(offset),
                        "Upload-Length": str(total),
                        "Content-Type": "application/offset+octet-stream",
                        "Tus-Resumable": "1.0.0",
                    },
                )
                if answer.status == 409:
                    complete, offset = self.media_offset(sha256)
                    continue
                self.check(answer, 204, 200)
                sent += len(body)
                if progress is not None:
                    progress(len(body))
                offset = int(answer.headers.get("upload-offset", offset + len(body)))
                complete = offset >= total  # the last PATCH verified the hash, or was refused
            raise Unreachable(f"the upload of {sha256[:12]} did not finish")

    # ---- batches ----------------------------------------------------------------------------
    def post_batch(self, route: str, items: list[dict[str, Any]], key: str) -> dict[str, Any]:
        """``POST /api/v1/<route>`` with an ``Idempotency-Key``; the ``201`` answer."""
        body = json.dumps({"items": items}, allow_nan=False, separators=(",", ":")).encode()
        answer = self.request(
            "POST",
            f"{API}/{route}",
            body=body,
            write=True,
            headers={"Content-Type": "application/json", "Idempotency-Key": key},
        )
        return dict(self.check(answer, 201, 200).json())
