"""The crew's master volume: a hostile `volume` event is refused with a clear error and
changes nothing; a good one reaches every display's state, is logged, and survives a
restart of the server."""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.helpers.crew import crew_login
from tests.helpers.sockets import SocketClient


@pytest.mark.parametrize(
    "data",
    [
        {"level": -0.1},
        {"level": 1.5},
        {"level": 1e308},
        {"level": "0.5"},
        {"level": "loud"},
        {"level": True},
        {"level": None},
        {"level": [0.5]},
        {},
        None,
        "0.5",
        [0.5],
    ],
)
def test_a_hostile_volume_is_refused_over_a_real_server(
    module_server: Any, crew_of: Any, data: Any
) -> None:
    crew = crew_of(module_server)  # one server for every case: each sets 0.4 first
    assert crew.call("volume", {"level": 0.4})["ok"]
    crew.wait_state(lambda s: s["volume"] == 0.4, "the good volume")
    ack = crew.call("volume", data)
    assert ack["ok"] is False and ("level" in ack["error"] or "object" in ack["error"]), ack
    time.sleep(0.3)  # a state the refusal wrongly sent would be here by now
    assert crew.latest("state")["volume"] == 0.4


def test_the_volume_reaches_displays_is_logged_and_survives_a_restart(
    server_factory: Any, crew_of: Any, demo_show: Path, tmp_path: Path
) -> None:
    srv = server_factory(demo_show)
    crew = crew_of(srv)
    display = SocketClient(srv, "/display", {"key": srv.display_key, "name": "main"})
    try:
        assert crew.call("volume", {"level": 0.3})["ok"]
        display.wait_for("state", lambda s: s.get("volume") == 0.3, 10, "the display hears it")
        crew.wait_state(lambda s: s["volume"] == 0.3, "the crew hears it")
    finally:
        display.close()
    srv.stop()

    again = server_factory(demo_show, data=tmp_path / "data")
    state = crew_of(again).wait_state(lambda s: "volume" in s, "a state after the restart")
    assert state["volume"] == 0.3


def test_the_dashboard_slider_sets_the_volume_and_follows_the_server(
    server: Any, crew_of: Any, page: Any
) -> None:
    crew = crew_of(server)
    crew_login(page, server)
    # connected first: the dashboard sends nothing while it is not (the slider's move was lost)
    expect(page.locator("#connection")).to_have_class(re.compile(r"\bconnection-connected\b"))
    slider = page.locator("#master-volume")
    expect(slider).to_have_value("100")
    slider.fill("35")  # a range input: sets the value and fires input and change
    crew.wait_state(lambda s: s["volume"] == 0.35, "the slider's volume on the server")
    page.locator("#go").focus()  # off the slider: it follows the server again
    assert crew.call("volume", {"level": 0.8})["ok"]
    expect(slider).to_have_value("80")
