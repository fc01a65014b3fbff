"""Phones in the audience: ``Phone`` on the in-process app (a Flask-SocketIO test client),
``LivePhone`` against a real server process (python-socketio and HTTP, as the app does)."""

from __future__ import annotations

import io
import secrets
from typing import Any

import requests

from liveshow.audience.terms import TERMS_VERSION
from liveshow.extensions import socketio
from tests.helpers import JOIN_CODE
from tests.helpers.server import ServerProcess
from tests.helpers.sockets import SocketClient


def consent(handle: str) -> dict[str, Any]:
    """A join that accepts the current contribution terms."""
    return {"handle": handle, "consent": {"accepted": True, "terms_version": TERMS_VERSION}}


def new_id(prefix: str = "sub") -> str:
    return f"{prefix}-{secrets.token_hex(8)}"


class Phone:
    """A phone on the in-process app: a Socket.IO test client on /audience that can join
    and submit, and upload through the app's HTTP test client."""

    def __init__(self, app: Any, device: str = "phone-device-0001") -> None:
        self.app = app
        self.device = device
        self.client = socketio.test_client(
            app, namespace="/audience", auth={"code": JOIN_CODE, "device": device}
        )
        self.token: str | None = None

    def join(self, handle: str = "Ana") -> dict[str, Any]:
        ack = self.emit("join", consent(handle))
        if ack.get("ok"):
            self.token = ack["token"]
        return ack  # type: ignore[no-any-return]

    def emit(self, event: str, data: Any) -> Any:
        return self.client.emit(event, data, namespace="/audience", callback=True)

    def received(self) -> list[dict[str, Any]]:
        return self.client.get_received("/audience")  # type: ignore[no-any-return]

    def upload(
        self,
        http: Any,
        sub_id: str,
        prompt: str,
        kind: str,
        data: bytes,
        name: str = "upload.jpg",
        token: str | None = None,
    ) -> Any:
        return http.post(
            "/api/submissions",
            headers={"Authorization": f"Bearer {self.token if token is None else token}"},
            data={"id": sub_id, "prompt": prompt, "kind": kind, "file": (io.BytesIO(data), name)},
            content_type="multipart/form-data",
        )


class LivePhone(SocketClient):
    """A phone against a real server: joined over /audience (text and votes on the socket,
    files over HTTP); keeps what it is told, e.g. ``featured``."""

    def __init__(self, srv: ServerProcess, handle: str = "Ana", device: str | None = None) -> None:
        self.device = device or new_id("phone")
        super().__init__(srv, "/audience", {"code": srv.join_code, "device": self.device})
        ack = self.call("join", consent(handle))
        assert ack["ok"], ack
        self.token: str = ack["token"]
        self.claim: str = ack["claim"]  # the private claim to tonight's credits

    def submit(
        self, prompt: str, kind: str, sub_id: str | None = None, **fields: Any
    ) -> dict[str, Any]:
        """The acknowledgement, with the submission's ``id``."""
        sub = sub_id or new_id()
        ack = self.call("submit", {"id": sub, "prompt": prompt, "kind": kind, **fields})
        return {"id": sub, **ack}

    def text(self, prompt: str, text: str, sub_id: str | None = None) -> dict[str, Any]:
        return self.submit(prompt, "text", sub_id, text=text)

    def withdraw(self, submission: str) -> dict[str, Any]:
        """Takes this phone's own work back; the acknowledgement."""
        return dict(self.call("withdraw", {"submission": submission}))

    def vote(self, prompt: str, option: str, sub_id: str | None = None) -> dict[str, Any]:
        return self.submit(prompt, "vote", sub_id, option=option)

    def upload(
        self, prompt: str, kind: str, data: bytes, name: str, mime: str, sub_id: str | None = None
    ) -> str:
        """Uploads a file the server must accept; returns the submission id."""
        sub = sub_id or new_id()
        response = requests.post(
            self.srv.url + "/api/submissions",
            headers={"Authorization": "Bearer " + self.token},
            data={"id": sub, "prompt": prompt, "kind": kind},
            files={"file": (name, data, mime)},
            timeout=30,
        )
        assert response.status_code == 201, response.text
        return sub

    def photo(self, prompt: str, data: bytes, sub_id: str | None = None) -> str:
        return self.upload(prompt, "photo", data, "photo.jpg", "image/jpeg", sub_id)
