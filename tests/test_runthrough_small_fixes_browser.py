"""Small things a demo-night run-through found wrong on the crew dashboard and the landing
page: a top-bar count that went stale, a typo'd join code called "expired", and a cue number
that read as seconds."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from playwright.sync_api import Page, expect

from tests.helpers.crew import crew_login
from tests.helpers.server import ServerProcess
from tests.helpers.shows import ONE_CUE_SHOW, write_show


def dashboard(page: Page, srv: ServerProcess) -> Page:
    crew_login(page, srv)
    expect(page.locator("#connection")).to_have_class(re.compile(r"\bconnection-connected\b"))
    return page


def test_the_phones_badge_follows_joins_without_a_go(
    server_factory: Any, tmp_path: Path, page: Page, phone_of: Any
) -> None:
    """Phones join while nothing else happens in the show (no GO, so no new state): the top
    bar's count still reaches the number joined, as At a glance and the queue do."""
    srv = server_factory(write_show(tmp_path, ONE_CUE_SHOW))
    dashboard(page, srv)
    badge = page.locator("#audience-stat")
    expect(badge).to_have_text("Phones 0")
    for n, name in enumerate(["Ana", "Ben", "Cleo"], start=1):
        phone_of(srv, name)
        expect(badge).to_have_text(f"Phones {n}")
