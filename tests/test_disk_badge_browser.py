"""The dashboard says, in its top bar, when the show server's data folder is short of space
(under the min_free_mb setting), before a full disk starts refusing work; with room, it says
nothing."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.helpers import disk
from tests.helpers.crew import TITLE_CUT, Crew, crew_dashboard
from tests.helpers.server import ServerProcess
from tests.helpers.shows import write_show

# the demo's title: as long as a real show's
SHOW = "title: Harbour Lights - a liveshow demo night\ncues:\n  - {id: a, kind: title, title: A}\n"


def dashboard(page: Page, srv: ServerProcess) -> Page:
    crew_dashboard(page, srv)
    expect(page.locator("#show-title")).to_have_text("Harbour Lights - a liveshow demo night")
    return page


@pytest.mark.parametrize("floor_mb", [10**9, 1])
def test_the_top_bar_warns_only_when_the_data_folder_is_short_of_space(
    server_factory: Any, tmp_path: Path, page: Page, phone_of: Any, floor_mb: int
) -> None:
    srv = server_factory(
        write_show(tmp_path, SHOW), extra_env={"LIVESHOW_MIN_FREE_MB": str(floor_mb)}
    )
    dashboard(page, srv)
    badge = page.locator("#disk-badge")
    if floor_mb > 1:  # no disk has a petabyte free
        expect(badge).to_be_visible()
        expect(badge).to_have_text(re.compile(r"^Disk \d+ MB free$"))
        # With the blackout badge too, on a crew laptop's screen: the title still fits.
        page.set_viewport_size({"width": 1280, "height": 800})
        page.keyboard.press("b")
        expect(page.locator("#blackout-badge")).to_be_visible()
        assert not page.locator("#show-title").evaluate(TITLE_CUT), "the title is cut"
    else:
        expect(badge).to_be_hidden()
    crew = Crew(srv)  # what the page was sent: in the state, and in the stats a join brings
    try:
        disk = crew.wait_for("state")["disk"]
        phone_of(srv)
        again = crew.wait_for("stats")["disk"]
    finally:
        crew.close()
    assert disk["floor"] == again["floor"] == floor_mb * 1024 * 1024
    assert disk["free"] > 0 and again["free"] > 0


def test_the_badge_appears_when_something_else_fills_the_disk_on_a_quiet_night(
    server_factory: Any, tmp_path: Path, page: Page
) -> None:
    """Nothing happens in the show (no phone, no GO) while another program fills the data
    folder's disk: the crew is still told, by the server's own look at the free space."""
    with disk.small_disk(tmp_path / "data", 48) as data:
        srv = server_factory(
            write_show(tmp_path, SHOW), data=data, extra_env={"LIVESHOW_MIN_FREE_MB": "24"}
        )
        dashboard(page, srv)
        badge = page.locator("#disk-badge")
        expect(badge).to_be_hidden()
        crew = Crew(srv)
        try:
            before = crew.wait_for("state")["disk"]["free"]
            (data / "someone-elses.bin").write_bytes(bytes(32 * 1024 * 1024))
            told = crew.wait(
                lambda: [s for s in crew.events("stats") if s["disk"]["free"] < 24 * 1024 * 1024],
                30,
                "a stats event with the lower figure",
            )
        finally:
            crew.close()
        assert before - told[-1]["disk"]["free"] >= 32 * 1024 * 1024 - 1024 * 1024
        expect(badge).to_be_visible()
        expect(badge).to_have_text(re.compile(r"^Disk \d+ MB free$"))
        page.context.close()
