"""The dashboard's Cameras view in a real chromium, against a real server and a REAL camera
agent process (`liveshow camera --source synthetic`): live previews, recording, keying over
an audience photo, snapshots to a photo wall, and the takes list with its credits."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.helpers import CAMERA_KEY
from tests.helpers.agent import start_agent, stop_agent
from tests.helpers.crew import Crew, crew_login
from tests.helpers.samples import jpeg
from tests.helpers.server import ServerProcess
from tests.helpers.waiting import wait_until

MIRA = "Mira <b onclick=pwned=1>M</b>"  # a phone's handle: untrusted text
SHOW = """\
title: Filming night
cues:
  - {id: hello, kind: title, title: Hello}
  - {id: ask-photo, kind: prompt, prompt: {kind: photo, question: "Something blue"}}
  - {id: photo-wall, kind: wall, source: ask-photo}
  - {id: live, kind: camera, camera: cam1}
  - {id: replay, kind: replay}
"""
# Every object URL the page makes and revokes: previews must not leak one per frame.
COUNT_OBJECT_URLS = """
(() => {
  const made = URL.createObjectURL.bind(URL), gone = URL.revokeObjectURL.bind(URL);
  window.__urls = {made: 0, revoked: 0};
  URL.createObjectURL = (b) => { window.__urls.made += 1; return made(b); };
  URL.revokeObjectURL = (u) => { window.__urls.revoked += 1; return gone(u); };
})();
"""


@dataclass
class Rig:
    srv: ServerProcess
    agent: subprocess.Popen[bytes]
    crew: Crew
    page: Page

    def takes(self) -> list[dict[str, Any]]:
        response = self.page.request.get(self.srv.url + "/api/takes")  # the crew's session
        assert response.ok, response.text()
        body = response.json()
        return body["takes"] if isinstance(body, dict) else body  # type: ignore[no-any-return]


@pytest.fixture
def rig(server_factory: Any, crew_of: Any, tmp_path: Path, browser: Any) -> Iterator[Rig]:
    show = tmp_path / "filming.yaml"
    show.write_text(SHOW)
    srv = server_factory(
        show, data=tmp_path / "data", extra_env={"LIVESHOW_CAMERA_KEY": CAMERA_KEY}
    )
    agent = start_agent(srv, tmp_path)
    crew = crew_of(srv)
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    context.add_init_script(COUNT_OBJECT_URLS)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        crew_login(page, srv)
        expect(page.locator("#connection")).to_have_class(re.compile(r"\bconnection-connected\b"))
        page.click('#view-switch [data-view="cameras"]')
        expect(page.locator("#cameras")).to_be_visible()
        yield Rig(srv, agent, crew, page)
    finally:
        context.close()
        stop_agent(agent)
    assert not errors, f"JavaScript errors on the page: {errors}"


def card(page: Page, name: str = "cam1") -> Any:
    return page.locator(f'#cam-list .cam-card[data-camera="{name}"]')


def wait_live(page: Page) -> Any:
    cam = card(page)
    expect(cam.locator(".cam-badge")).to_have_text("LIVE", timeout=20000)
    img = cam.locator("img.cam-preview")
    wait_until(
        lambda: img.evaluate("i => !i.hidden && i.complete && i.naturalWidth") > 0,
        what="a preview picture",
    )
    return cam


def no_error_toast(page: Page) -> None:
    errors = page.locator("#toast-alerts .toast-error")
    assert errors.count() == 0, errors.all_inner_texts()


def record_a_take(
    rig: Rig, before: int, start: Callable[[], None], stop: Callable[[], None], seconds: float = 2.0
) -> dict[str, Any]:
    page = rig.page
    cam = card(page)
    start()
    expect(cam.locator(".cam-rec")).to_be_visible()
    expect(cam.locator(".cam-rec-time")).to_have_text(re.compile(r"^0:0[0-9]$"))
    expect(page.locator("#view-rec")).to_be_visible()
    page.wait_for_timeout(seconds * 1000)
    stop()
    expect(cam.locator(".cam-rec")).to_be_hidden(timeout=5000)
    expect(page.locator("#takes-list .take")).to_have_count(before + 1, timeout=20000)
    return wait_until(
        lambda: len(t := rig.takes()) == before + 1 and t[0], what="the take on the server"
    )


def test_live_preview_tile_and_a_killed_agent_shows_disconnected(rig: Rig) -> None:
    page = rig.page
    cam = wait_live(page)
    img = cam.locator("img.cam-preview")
    expect(cam.locator(".cam-nopic")).to_be_hidden()
    expect(cam.locator(".cam-fps")).to_have_text(re.compile(r"^\d+\.\d fps$"))
    expect(cam.locator(".cam-dropped")).to_have_text(re.compile(r"^\d+ dropped$"))
    # live pictures: new frames keep coming, each a new object URL. Waited for, not counted
    # per second: a loaded machine (CI's) encodes and draws fewer previews a second.
    sources: set[str | None] = set()

    def new_frames() -> bool:
        sources.add(img.get_attribute("src"))
        return len(sources) >= 4

    wait_until(new_frames, 15, "four different preview frames")
    assert all(s and s.startswith("blob:") for s in sources)
    # old frames are let go: only the frames on screen (and one decoding) hold a URL
    urls = wait_until(
        lambda: (u := page.evaluate("window.__urls"))["made"] >= 8 and u,
        15,
        "eight preview frames made",
    )
    assert urls["made"] >= 8 and urls["made"] - urls["revoked"] <= 4, urls
    # the compact strip beside the cue list shows the same camera
    page.click('#view-switch [data-view="cues"]')
    strip = page.locator('#cam-strip .strip-cam[data-camera="cam1"]')
    expect(strip.locator(".cam-badge")).to_have_text("LIVE")
    wait_until(
        lambda: (
            strip.locator("img.cam-preview").evaluate(
                "i => !i.hidden && i.complete && i.naturalWidth"
            )
            > 0
        ),
        what="the strip's picture",
    )
    page.click("#strip-open")
    expect(page.locator("#cameras")).to_be_visible()

    # A frozen agent (its socket still open, no frames): "no picture" after 3 s, never a
    # stale or broken image; the pictures come back with it.
    os.kill(rig.agent.pid, signal.SIGSTOP)
    try:
        frozen = time.monotonic()
        expect(cam.locator(".cam-nopic")).to_be_visible(timeout=6000)
        assert time.monotonic() - frozen >= 2.0
        assert img.evaluate("i => i.hidden && !i.getAttribute('src')")
    finally:
        os.kill(rig.agent.pid, signal.SIGCONT)
    expect(cam.locator(".cam-nopic")).to_be_hidden(timeout=6000)
    expect(cam.locator(".cam-badge")).to_have_text("LIVE")

    stop_agent(rig.agent)
    expect(cam.locator(".cam-badge")).to_have_text("DISCONNECTED", timeout=10000)
    expect(cam.locator(".cam-nopic")).to_be_visible()
    expect(cam.locator(".cam-nopic")).to_contain_text("no picture")
    assert img.evaluate("i => i.hidden && !i.getAttribute('src')")
    expect(cam.locator(".cam-btn-rec")).to_have_attribute("aria-disabled", "true")
    no_error_toast(page)


def test_rec_and_stop_make_a_take_that_plays_and_takes_credits(rig: Rig) -> None:
    page = rig.page
    cam = wait_live(page)
    expect(page.locator("#takes-empty")).to_be_visible()
    take = record_a_take(
        rig,
        0,
        lambda: cam.locator(".cam-btn-rec").click(),
        lambda: cam.locator(".cam-btn-stop").click(),
    )
    assert take["camera"] == "cam1" and take["duration"] > 1.0
    row = page.locator(f'#takes-list .take[data-id="{take["id"]}"]')
    expect(row.locator(".take-camera")).to_have_text("cam1")
    expect(row.locator(".take-duration")).to_have_text(re.compile(r"^0:0\d\.\d$"))
    expect(row.locator(".take-parents")).to_contain_text("No audience picture")
    no_error_toast(page)

    row.locator(".take-play").click()
    video = page.locator("#take-video")
    expect(page.locator("#take-player")).to_be_visible()
    played = wait_until(
        lambda: (
            (
                v := video.evaluate(
                    "v => ({t: v.currentTime, d: v.duration, e: v.error && v.error.code})"
                )
            )["t"]
            > 0.3
            and v
        ),
        what="the take playing",
    )
    assert played["e"] is None and played["d"] > 1.0
    assert video.get_attribute("src") == take["media"]["url"]

    # credits typed into the list are saved on the server (Enter, or leaving the field)
    performer = row.locator('input[data-credit="performer"]')
    operator = row.locator('input[data-credit="operator"]')
    performer.fill("Ana Ruiz <b>")
    performer.press("Enter")
    operator.fill("Kofi")
    operator.press("Tab")
    wait_until(
        lambda: (t := rig.takes()[0])["performer"] == "Ana Ruiz <b>" and t["operator"] == "Kofi",
        what="the credits on the server",
    )
    expect(operator).to_have_class(re.compile(r"\bsaved\b"))
    no_error_toast(page)
    # a fresh dashboard shows them (from the server's takes list)
    page.reload()
    page.click('#view-switch [data-view="cameras"]')
    expect(
        page.locator(f'#takes-list .take[data-id="{take["id"]}"] input[data-credit="performer"]')
    ).to_have_value("Ana Ruiz <b>")


def test_key_over_an_approved_phone_photo_is_credited_in_the_take(rig: Rig, phone_of: Any) -> None:
    page = rig.page
    cam = wait_live(page)
    expect(cam.locator(".cam-bg-empty")).to_be_visible()
    rig.crew.goto("ask-photo")
    photo = phone_of(rig.srv, MIRA).photo("ask-photo", jpeg(colour=(220, 60, 30)))
    rig.crew.moderate(photo)
    pick = cam.locator(f'.cam-bg-item[data-pick="{photo}"]')
    expect(pick).to_be_visible()
    expect(pick.locator(".cam-bg-handle")).to_have_text(MIRA)
    wait_until(
        lambda: pick.locator("img").evaluate("i => i.complete && i.naturalWidth") > 0,
        what="the background thumbnail",
    )

    # key on, a slider moved (sent, debounced), blue screen, then the photo behind
    cam.locator(".cam-key-toggle").click()
    expect(cam.locator(".cam-key-toggle")).to_have_attribute("aria-pressed", "true")
    expect(cam.locator(".cam-keyed-tag")).to_be_visible(timeout=5000)
    cam.locator('input[data-setting="similarity"]').fill("0.5")
    expect(cam.locator(".cam-slider-value").first).to_have_text("0.50")
    cam.locator(".cam-radio-blue").click()
    cam.locator(".cam-radio-green").click()
    expect(cam.locator(".cam-bg-apply")).to_have_attribute("aria-disabled", "true")
    pick.click()
    expect(pick).to_have_attribute("aria-pressed", "true")
    cam.locator(".cam-bg-apply").click()
    expect(page.locator("#toast-status")).to_contain_text(f"background photo by {MIRA}")
    expect(pick).to_have_class(re.compile(r"\bis-applied\b"))
    page.wait_for_timeout(400)
    no_error_toast(page)

    # Record all with Shift+R from inside the panel (R alone does nothing here), Stop all
    cam.locator(".cam-btn-snap").focus()
    page.keyboard.press("r")
    page.wait_for_timeout(300)
    expect(cam.locator(".cam-rec")).to_be_hidden()
    take = record_a_take(
        rig, 0, lambda: page.keyboard.press("Shift+R"), lambda: page.click("#cam-stop-all")
    )
    assert [p["handle"] for p in take["parents"]] == [MIRA]
    row = page.locator(f'#takes-list .take[data-id="{take["id"]}"]')
    expect(row.locator(".take-parent-handle")).to_have_text([MIRA])
    expect(row.locator(".take-keyed")).to_be_visible()
    no_error_toast(page)
    # the handle stayed text everywhere it is shown
    assert page.evaluate("window.pwned") is None
    assert page.locator("#cameras b, #toasts b").count() == 0
    assert rig.srv.state()["cue"]["id"] == "ask-photo"  # no key touched the cue list


def test_snapshot_goes_to_the_open_photo_prompts_wall(rig: Rig) -> None:
    page = rig.page
    cam = wait_live(page)
    # no photo prompt open: the server's refusal is on screen
    expect(page.locator("#cam-snap-target")).to_contain_text("open a photo prompt")
    cam.locator(".cam-btn-snap").click()
    expect(page.locator("#toast-alerts .toast-error")).to_contain_text("photo prompt")
    page.locator("#toast-alerts .toast-close").click()

    rig.crew.goto("ask-photo")
    expect(page.locator("#cam-snap-target")).to_contain_text("Something blue")
    cam.locator(".cam-btn-snap").click()
    expect(page.locator("#toast-status")).to_contain_text("on the wall of “Something blue”")
    no_error_toast(page)
    # Space is GO from the camera panel too (never "press the focused button")
    expect(cam.locator(".cam-btn-snap")).to_be_focused()
    page.keyboard.press("Space")
    wall = wait_until(
        lambda: (s := rig.srv.state())["cue"]["id"] == "photo-wall" and s["cue"]["wall"]["items"],
        what="the snapshot on the wall",
    )
    assert len(wall) == 1 and wall[0]["kind"] == "photo" and wall[0]["handle"] == "camera cam1"


def panics(rig: Rig) -> list[dict[str, Any]]:
    response = rig.page.request.get(rig.srv.url + "/api/events?since=0")
    assert response.ok, response.text()
    return [e for e in response.json()["events"] if e["kind"] == "panic"]


def test_escape_while_typing_in_a_camera_field_leaves_the_field_and_does_not_panic(
    rig: Rig,
) -> None:
    page = rig.page
    period = wait_live(page).locator(".cam-bg-period")
    period.click()
    period.fill("12")
    page.keyboard.press("Escape")
    expect(period).not_to_be_focused()
    # a second Esc, out of the field, is Panic: the log then holds exactly that one panic
    page.keyboard.press("Escape")
    wait_until(lambda: panics(rig), what="the second Esc's panic")
    assert len(panics(rig)) == 1
    assert period.input_value() == "12"


def test_a_reloaded_dashboard_shows_the_backgrounds_the_camera_keys_over(
    rig: Rig, phone_of: Any
) -> None:
    page = rig.page
    cam = wait_live(page)
    rig.crew.goto("ask-photo")
    phone = phone_of(rig.srv, "Noor")
    photos = [phone.photo("ask-photo", jpeg(colour=c)) for c in ((20, 60, 220), (30, 200, 90))]
    for photo in photos:
        rig.crew.moderate(photo)
    picks = [cam.locator(f'.cam-bg-item[data-pick="{p}"]') for p in photos]
    for pick in picks:
        expect(pick).to_be_visible()
        pick.click()
    cam.locator(".cam-bg-apply").click()
    expect(page.locator("#toast-status")).to_contain_text("2 pictures, every 8 s")
    current = cam.locator(".cam-bg-current")
    expect(current).to_contain_text("2 pictures, every 8 s")

    page.reload()
    expect(page.locator("#connection")).to_have_class(re.compile(r"\bconnection-connected\b"))
    page.click('#view-switch [data-view="cameras"]')
    cam = wait_live(page)
    # the camera still keys over both pictures, and the fresh dashboard says so
    expect(cam.locator(".cam-bg-current")).to_contain_text("2 pictures, every 8 s")
    for photo in photos:
        expect(cam.locator(f'.cam-bg-item[data-pick="{photo}"]')).to_have_class(
            re.compile(r"\bis-applied\b")
        )


def test_the_key_colour_is_picked_from_the_preview_and_the_camera_takes_it(rig: Rig) -> None:
    page = rig.page
    sent: list[str] = []
    # what the dashboard really sends on its socket (the crew's own words, not a mock)
    page.on("websocket", lambda ws: ws.on("framesent", lambda f: sent.append(str(f))))
    page.reload()
    expect(page.locator("#connection")).to_have_class(re.compile(r"\bconnection-connected\b"))
    page.click('#view-switch [data-view="cameras"]')
    cam = wait_live(page)
    expect(cam.locator(".cam-swatch")).to_have_attribute("data-colour", "auto")
    cam.locator(".cam-dropper").click()
    expect(cam.locator(".cam-dropper")).to_have_attribute("aria-pressed", "true")
    # the synthetic studio's green screen fills the top corners (the performer is central)
    cam.locator("img.cam-preview").click(position={"x": 12, "y": 12})
    swatch = cam.locator(".cam-swatch")
    expect(swatch).not_to_have_attribute("data-colour", "auto")
    colour = swatch.get_attribute("data-colour")
    assert colour and re.fullmatch(r"#[0-9a-f]{6}", colour), colour
    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    assert g > r and g > b, colour  # green, as the screen is
    wait_until(lambda: any(colour in f for f in sent), what="the key colour sent to the camera")
    expect(cam.locator(".cam-dropper")).to_have_attribute("aria-pressed", "false")

    # the agent keys that colour (its own answer), and Auto goes back to sampling
    assert rig.crew.camera("key", on=True, settings={"key_colour": colour})["ok"]
    assert rig.crew.camera("key", on=False, settings={"key_colour": None})["ok"]
    cam.locator(".cam-auto-colour").click()
    expect(swatch).to_have_attribute("data-colour", "auto")
    no_error_toast(page)
