"""What the crew and the room see of a camera going on air, in a real chromium against a
real server and a REAL camera agent (a performer before a green screen): the tally on the
dashboard's camera tile, the key preview's keyed picture (not on the projector), and the
camera cue's transition on the projector: a fade ramps the picture in over the one before,
a cut switches at once."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.helpers.agent import filming
from tests.helpers.crew import Crew, crew_login
from tests.helpers.display import on_screen
from tests.helpers.server import ServerProcess
from tests.helpers.waiting import wait_until

SHOW = """\
title: On air
cues:
  - {id: hello, kind: title, title: Hello}
  - {id: live, kind: camera, camera: cam1, transition: fade, fade_in: 1.5}
"""
# The mean colour of a picture's top-left corner (the green screen, in the synthetic studio).
CORNER = """img => {
  const c = document.createElement('canvas');
  c.width = img.naturalWidth; c.height = img.naturalHeight;
  const g = c.getContext('2d');
  g.drawImage(img, 0, 0);
  const d = g.getImageData(0, 0, Math.floor(c.width / 10), Math.floor(c.height / 10)).data;
  const sum = [0, 0, 0];
  for (let i = 0; i < d.length; i += 4) for (let k = 0; k < 3; k++) sum[k] += d[i + k];
  return sum.map(v => v / (d.length / 4));
}"""
# Every opacity the camera layer shows, frame by frame, from the GO until it is fully on:
# [opacity, the picture before is still under it, the camera's picture shows, ms since the
# watch began]. window.__opacityDone is set once it is fully on.
WATCH_OPACITY = """() => {
  window.__opacity = [];
  window.__opacityDone = false;
  const start = performance.now();
  const look = () => {
    const layer = document.querySelector('#stage > .layer[data-cue="live"]');
    if (layer) {
      const older = layer.previousElementSibling;
      const feed = layer.querySelector('img.camera-feed');
      const showing = feed.naturalWidth > 0 && getComputedStyle(feed).opacity === '1';
      window.__opacity.push([Number(getComputedStyle(layer).opacity), Boolean(older), showing,
                             performance.now() - start]);
      if (window.__opacity.length > 2 && window.__opacity.at(-1)[0] === 1) {
        window.__opacityDone = true;
        return;
      }
    }
    requestAnimationFrame(look);
  };
  requestAnimationFrame(look);
}"""


def watched(display: Page) -> list[list[Any]]:
    """The opacities WATCH_OPACITY saw, once the camera's layer is fully on."""
    wait_until(lambda: display.evaluate("window.__opacityDone"), 15, "the layer fully on")
    seen: list[list[Any]] = display.evaluate("window.__opacity")
    return seen


def ramp_ms(seen: list[list[Any]]) -> float:
    """How long the layer took from its last fully clear frame to its first fully on one."""
    last_clear = max(t for o, _, _, t in seen if o <= 0.05)
    first_on = min(t for o, _, _, t in seen if o >= 0.95)
    return float(first_on - last_clear)


@pytest.fixture(scope="module")
def rig(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    with filming(tmp_path_factory.mktemp("onair"), SHOW) as (srv, _agent):
        yield srv


def dashboard(browser: Any, srv: ServerProcess) -> Page:
    page: Page = browser.new_context(viewport={"width": 1440, "height": 900}).new_page()
    crew_login(page, srv)
    expect(page.locator("#connection")).to_have_class(re.compile(r"\bconnection-connected\b"))
    page.click('#view-switch [data-view="cameras"]')
    return page


def test_the_dashboard_shows_the_tally_and_a_key_preview_off_the_projector(
    rig: ServerProcess, browser: Any, crew_of: Any
) -> None:
    crew: Crew = crew_of(rig)
    crew.goto("hello")
    page = dashboard(browser, rig)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        card = page.locator('#cam-list .cam-card[data-camera="cam1"]')
        expect(card.locator(".cam-badge")).to_have_text("LIVE", timeout=30000)
        live = card.locator("img.cam-preview")
        wait_until(lambda: live.evaluate("i => !i.hidden && i.naturalWidth") > 0, 20, "a picture")
        expect(card.locator(".cam-onair")).to_be_hidden()

        card.locator(".cam-keyprev-toggle").click()
        # The crew sees it open: it opens below the fold at 1440x900 and is scrolled to.
        expect(card.locator(".cam-keyprev")).to_be_in_viewport(ratio=0.95)
        keyed = card.locator("img.cam-keyprev-img")
        wait_until(lambda: keyed.evaluate("i => !i.hidden && i.naturalWidth") > 0, 20, "a key")
        # The agent's key: the green screen is gone (black: no picture picked yet)...
        wait_until(lambda: max(keyed.evaluate(CORNER)) < 40, 10, "the keyed corner")
        # ...while the programme, and the card's own preview, are the camera's green picture.
        r, g, b = live.evaluate(CORNER)
        assert g > r + 40 and g > b + 40, (r, g, b)
        expect(card.locator(".cam-tally-preview")).to_be_visible()
        expect(card.locator(".cam-key-state")).to_have_text("OFF")
        card.locator(".cam-keyprev-toggle").click()
        expect(card.locator(".cam-tally-preview")).to_be_hidden()
        expect(card.locator(".cam-keyprev")).to_be_hidden()

        crew.goto("live")  # on air: red on the card and on the strip beside the cue list
        expect(card.locator(".cam-onair")).to_be_visible()
        expect(card).to_have_attribute("data-tally", "on_air")
        expect(page.locator('.strip-cam[data-camera="cam1"]')).to_have_class(re.compile("on-air"))
        crew.goto("hello")
        expect(card.locator(".cam-onair")).to_be_hidden()
    finally:
        page.context.close()
    assert not errors, errors


def test_a_fade_into_the_camera_ramps_over_the_picture_before_and_a_cut_does_not(
    rig: ServerProcess, browser: Any, crew_of: Any, open_display: Any
) -> None:
    crew: Crew = crew_of(rig)
    crew.goto("hello")
    display = open_display(rig)
    on_screen(display, "hello")
    display.evaluate(WATCH_OPACITY)
    crew.goto("live")
    on_screen(display, "live")
    seen = watched(display)
    # A ramp over the 1.5 s fade, not a jump from 0 to 1. Frames are counted loosely (a
    # loaded machine draws few) and the time is a floor only (a display that hears the GO
    # late shortens its fade to stay in step, by design).
    ramp = [o for o, _, _, _ in seen if 0.05 < o < 0.95]
    assert len(ramp) >= 2 and ramp == sorted(ramp), seen
    assert ramp_ms(seen) >= 500, seen
    # A crossfade: the picture before stays under it, and the camera's picture is what
    # fades in (not black waiting for the camera's first frame).
    assert all(older for o, older, _, _ in seen if o < 1), seen
    assert all(showing for o, _, showing, _ in seen if o > 0), seen
    expect(display.locator('#stage > .layer[data-cue="live"]')).to_have_class(
        re.compile("camera-on")
    )

    crew.command("camera_transition", {"cue": "live", "transition": "cut"})
    crew.goto("hello")
    on_screen(display, "hello")
    display.evaluate(WATCH_OPACITY)
    crew.goto("live")
    on_screen(display, "live")
    seen = watched(display)
    assert [o for o, _, _, _ in seen if 0.05 < o < 0.95] == [], seen
    assert all(showing for o, _, showing, _ in seen if o > 0), seen
    crew.command("camera_transition", {"cue": "live", "transition": "fade", "seconds": 1.5})
