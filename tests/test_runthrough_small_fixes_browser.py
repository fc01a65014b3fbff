"""Small things a demo-night run-through found wrong on the crew dashboard and the landing
page: a top-bar count that went stale, a typo'd join code called "expired", and a cue number
that read as seconds."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import socketio
from playwright.sync_api import Page, expect

from tests.helpers import JOIN_CODE
from tests.helpers.crew import crew_dashboard
from tests.helpers.server import ServerProcess
from tests.helpers.shows import ONE_CUE_SHOW, write_show


def test_the_phones_badge_follows_joins_without_a_go(
    server_factory: Any, tmp_path: Path, page: Page, phone_of: Any
) -> None:
    """Phones join while nothing else happens in the show (no GO, so no new state): the top
    bar's count still reaches the number joined, as At a glance and the queue do."""
    srv = server_factory(write_show(tmp_path, ONE_CUE_SHOW))
    crew_dashboard(page, srv)
    badge = page.locator("#audience-stat")
    expect(badge).to_have_text("Phones 0")
    for n, name in enumerate(["Ana", "Ben", "Cleo"], start=1):
        phone_of(srv, name)
        expect(badge).to_have_text(f"Phones {n}")


NUMBERED_SHOW = """\
title: Run-through
cues:
  - {id: opening, number: 4, kind: title, title: Opening}
  - {id: market, number: 5, kind: title, title: Night Market, pre_wait: 600, duration: 30}
"""


def test_the_pre_wait_line_and_the_jump_question_do_not_read_a_cue_number_as_seconds(
    server_factory: Any, crew_of: Any, tmp_path: Path, page: Page
) -> None:
    """ "Pre-wait: 5 · Night Market" read as five seconds of pre-wait, and "at 4" had no unit."""
    srv = server_factory(write_show(tmp_path, NUMBERED_SHOW))
    crew = crew_of(srv)
    crew_dashboard(page, srv)
    crew.goto("opening")
    crew.command("go")  # cue 5's ten-minute pre-wait starts
    crew.wait_state(lambda s: s["pending"] and s["pending"]["cue"] == "market", "the pre-wait")
    expect(page.locator("#countdown")).to_have_text(
        re.compile(r"^Pre-wait: cue 5 · Night Market starts in \d")
    )

    crew.command("mode", {"mode": "show"})
    expect(page.locator("body")).to_have_class(re.compile(r"\bmode-show\b"))
    page.fill("#jump-cue", "5")
    page.fill("#jump-at", "4")
    page.press("#jump-at", "Enter")
    expect(page.locator("#confirm-message")).to_have_text(
        "Go to cue 5 · Night Market at 4 s now? The audience sees it immediately."
    )
    page.keyboard.press("Escape")
    expect(page.locator("#confirm-dialog")).to_be_hidden()
    page.fill("#jump-at", "0:04")  # a clock time says its own unit
    page.press("#jump-at", "Enter")
    expect(page.locator("#confirm-message")).to_contain_text(
        "Go to cue 5 · Night Market at 0:04 now?"
    )
    page.keyboard.press("Escape")
    assert srv.state()["pending"]["cue"] == "market"  # nothing jumped


def typed_on_the_landing_page(page: Page, srv: ServerProcess, code: str) -> Page:
    page.goto(srv.url + "/")
    page.fill("#join-code", code)
    page.press("#join-code", "Enter")
    return page


def refusal(srv: ServerProcess, code: str) -> str:
    """Why the server turns away a phone's socket opened with join code ``code``."""
    client = socketio.Client(reconnection=False)
    told: list[Any] = []
    client.on("connect_error", told.append, namespace="/audience")
    with pytest.raises(socketio.exceptions.ConnectionError):
        client.connect(
            srv.url,
            namespaces=["/audience"],
            auth={"code": code, "device": "phone-device-0001"},
            transports=["websocket"],
            wait_timeout=10,
        )
    assert told, "no reason given"
    return str(told[0])


def test_a_mistyped_join_code_is_not_called_an_expired_link(
    server_factory: Any, crew_of: Any, tmp_path: Path, page: Page
) -> None:
    """A typo is told to check the code on the screen; only a code the crew rotated away (a
    QR code printed before the rotation, an old tab) is an expired link."""
    srv = server_factory(write_show(tmp_path, ONE_CUE_SHOW))
    typed_on_the_landing_page(page, srv, "Wrong1")
    expect(page.locator("h1")).to_have_text("No show has the code “wrong1”")
    expect(page.locator("main")).to_contain_text("Check the code on the screen")
    expect(page.locator("main")).not_to_contain_text("expired")
    assert "no show has this join code" in refusal(srv, "wrong1")

    crew_of(srv).command("join_rotate")
    typed_on_the_landing_page(page, srv, JOIN_CODE)  # the code before the rotation
    expect(page.locator("h1")).to_have_text("This join link has expired")
    expect(page.locator("main")).to_contain_text("Scan the QR code on the screen again.")
    assert "join link has expired" in refusal(srv, JOIN_CODE)
    typed_on_the_landing_page(page, srv, "wrong1")  # a typo is still a typo
    expect(page.locator("h1")).to_have_text("No show has the code “wrong1”")
