"""The dashboard offers no control that does something wrong, in a real chromium against a
real server: a running blackout cue has no Stop button (the stage is black already; a
running title has one), and a camera cue's fade seconds (the Cameras view) are checked
before they are saved, as the cue editor checks its fields: an unreadable entry, which a
number field reads as empty, was saved as a 0 s fade on leaving the field; one out of range
was refused with a toast while the field kept showing it. Now either is said beside the field
and nothing is sent, and a good value is saved on Enter."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import Page, expect

from tests.helpers import CAMERA_KEY
from tests.helpers.crew import Crew, crew_login
from tests.helpers.server import ServerProcess
from tests.helpers.shows import write_show
from tests.helpers.sockets import connect

SHOW = """\
title: Controls night
cues:
  - {id: hello, kind: title, title: Hello}
  - {id: dark, kind: blackout}
  - {id: live, kind: camera, camera: cam1, fade_in: 1.5}
"""


def fades(crew: Crew) -> list[float | None]:
    """The camera cue's fade in, in every state the crew was sent, oldest first."""
    return [
        next(c["fade_in"] for c in s["cues"] if c["id"] == "live") for s in crew.events("state")
    ]


def test_no_stop_on_a_blackout_and_no_mistyped_fade_saved(
    server_factory: Callable[..., ServerProcess],
    crew_of: Callable[[ServerProcess], Crew],
    page: Page,
    tmp_path: Path,
) -> None:
    srv = server_factory(
        write_show(tmp_path, SHOW, "controls.yaml"),
        extra_env={"LIVESHOW_CAMERA_KEY": CAMERA_KEY},
    )
    crew = crew_of(srv)
    camera = connect(srv, "/camera", {"key": CAMERA_KEY, "camera": "cam1"})
    try:
        crew_login(page, srv)
        crew.goto("hello")
        expect(page.locator('tr[data-cue="hello"] button.stop-cue')).to_have_count(1)
        crew.goto("dark")
        expect(page.locator('tr[data-cue="dark"]')).to_have_attribute("data-state", "running")
        expect(page.locator("#cue-rows button.stop-cue")).to_have_count(0)

        page.click('#view-switch [data-view="cameras"]')
        row = page.locator('.cam-trans-list li[data-cue="live"]')
        seconds = row.locator(".cam-trans-seconds")
        error = row.locator(".cam-trans-error")
        expect(seconds).to_have_value("1.5")
        for typed in ("1e", "45"):  # unreadable, then out of range
            seconds.fill("")
            seconds.press_sequentially(typed)
            seconds.press("Tab")  # leaves the field: the old code saved (or refused) here
            expect(error).to_have_text(re.compile(r"0 to 30 seconds"))
            expect(error).to_be_visible()
            expect(seconds).to_have_attribute("aria-invalid", "true")
        seconds.fill("2.5")
        expect(error).to_be_hidden()  # said right away once the value is good
        seconds.press("Enter")
        crew.wait_state(
            lambda s: any(c["id"] == "live" and c["fade_in"] == 2.5 for c in s["cues"]),
            "the good fade saved",
        )
        assert set(fades(crew)) == {1.5, 2.5}, fades(crew)  # nothing else was ever saved
        expect(row.locator(".cam-trans-unit")).to_have_text("s ✓")
    finally:
        camera.disconnect()
