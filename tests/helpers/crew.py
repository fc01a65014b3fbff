"""The crew against a real server: a socket that drives the show, and the dashboard login."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from playwright.sync_api import expect

from tests.helpers import CREW_PASSWORD
from tests.helpers.server import ServerProcess
from tests.helpers.sockets import SocketClient


class Crew(SocketClient):
    """A crew member's socket on /crew: drives the show and hears everything the dashboard
    hears (``state``, ``cameras``, ``takes``, ``submission``...)."""

    def __init__(self, srv: ServerProcess) -> None:
        super().__init__(srv, "/crew", {"password": srv.password})

    def command(self, event: str, data: Any = None, timeout: float = 10.0) -> dict[str, Any]:
        """Sends a command the test expects to succeed, and returns its acknowledgement."""
        ack = self.call(event, {} if data is None else data, timeout)
        assert isinstance(ack, dict) and ack["ok"], ack
        return ack

    def goto(self, cue: str) -> None:
        self.command("goto", {"cue": cue})

    def moderate(self, submission: str, action: str = "approve") -> dict[str, Any]:
        return self.command("moderate", {"submission": submission, "action": action})

    def camera(self, action: str, camera: str = "cam1", **extra: Any) -> Any:
        """A camera command; the answer as it is (a refusal is a result worth testing)."""
        return self.call("camera", {"camera": camera, "action": action, **extra}, timeout=30)

    def wait_state(
        self, test: Callable[[dict[str, Any]], Any], what: str = "", timeout: float = 10.0
    ) -> dict[str, Any]:
        return self.wait_for("state", test, timeout, what)  # type: ignore[no-any-return]

    def camera_history(self, name: str = "cam1") -> list[dict[str, Any]]:
        """Every status of camera ``name`` the crew was sent, oldest first."""
        return [c for data in self.events("cameras") for c in data["cameras"] if c["name"] == name]

    def camera_status(self, name: str = "cam1") -> dict[str, Any]:
        """Camera ``name`` as last sent to the crew ({} before it was)."""
        history = self.camera_history(name)
        return history[-1] if history else {}

    def tally(self, name: str = "cam1") -> str:
        """Camera ``name``'s tally light as last sent to the crew (on_air, preview, off), or
        "" before the crew has heard of the camera (a state can come first)."""
        history = self.camera_history(name)
        return str(history[-1]["tally"]) if history else ""

    def takes(self) -> list[dict[str, Any]]:
        """The takes list as last sent to the crew."""
        latest = self.latest("takes")
        return list(latest["takes"]) if latest else []


def crew_login(page: Any, srv: ServerProcess) -> None:
    """Logs a Playwright page in to the dashboard with the crew password."""
    page.goto(srv.url + "/crew/login")
    page.fill("#password", CREW_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(srv.url + "/crew")


def crew_dashboard(page: Any, srv: ServerProcess) -> Any:
    """A Playwright page logged in to the dashboard, once its socket is connected."""
    crew_login(page, srv)
    expect(page.locator("#connection")).to_have_class(re.compile(r"\bconnection-connected\b"))
    return page


def goto(crew: Any, cue: str) -> None:
    """Moves the show to ``cue`` through an in-process crew test client (the `crew` fixture)."""
    assert crew.emit("goto", {"cue": cue}, namespace="/crew", callback=True)["ok"]


# True when an element's text does not fit it (cut, or spilling out): for the show title.
TITLE_CUT = """el => {
  const r = document.createRange();
  r.selectNodeContents(el);
  const text = r.getBoundingClientRect(), box = el.getBoundingClientRect();
  return el.scrollWidth > el.clientWidth || el.scrollHeight > el.clientHeight + 1
    || text.right > box.right + 0.5;
}"""
