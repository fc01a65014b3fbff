"""A cue group in real browsers: on the projector, the standby group's film and sound are
preloaded and one GO plays them together (the sound at its own level, a title over the
picture); the crew stops the sound and the film plays on, also on a display that reloads;
the dashboard lists the group's cues indented under it, marks the stopped one and gives each
running cue a Stop button that works; with every cue stopped the running box says Stopped
(no clock running on) and the displays panel names the group by its cue number; replaced by
the next cue, the group's picture goes over its own fade out while its sound fades over its
own, longer one."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from playwright.sync_api import Page, expect

from tests.helpers.crew import Crew, crew_login
from tests.helpers.display import on_screen
from tests.helpers.server import ServerProcess
from tests.helpers.shows import write_show
from tests.helpers.waiting import wait_until

MEDIA = Path(__file__).resolve().parents[1] / "media" / "demo"
SHOW = f"""\
title: Group night
cues:
  - {{id: opening, kind: title, title: Opening}}
  - id: tide
    number: 8.5
    kind: group
    title: Tide pools, with gull song
    cues:
      - {{id: tide-film, kind: record, title: Tide Pools, media: {MEDIA}/tide-pools.mp4}}
      - {{id: tide-song, kind: record, title: Gull Song, media: {MEDIA}/gull-song.m4a,
          level: -6, fade_out: 3}}
      - {{id: tide-title, kind: title, title: Low Tide}}
  - {{id: end, kind: title, title: End}}
"""

MEDIA_JS = """(tag) => {
    const m = document.querySelector(`#stage > .layer:last-child ${tag}`);
    return m && {t: m.currentTime, paused: m.paused, ready: m.readyState, volume: m.volume};
}"""

LEAVING_JS = """async () => {
    const t0 = performance.now();
    while (!document.querySelector('#stage > .layer[data-cue="end"]')) {
        if (performance.now() - t0 > 10000) return null;
        await new Promise((r) => setTimeout(r, 10));
    }
    const old = [...document.querySelectorAll('#stage > .layer[data-cue="tide"]')].pop();
    const fade = old && old.style.getPropertyValue('--crossfade');
    return old && {fade, sound: !!old.querySelector('audio')};
}"""


def moving(page: Page, tag: str) -> bool:
    """The group layer's <video> or <audio> is playing: not paused and its time moves."""
    first = page.evaluate(MEDIA_JS, tag)
    time.sleep(0.1)
    then = page.evaluate(MEDIA_JS, tag)
    return bool(first and then and not then["paused"] and then["t"] > first["t"])


def test_a_group_plays_its_cues_together_and_one_stops_alone(
    server_factory: Callable[..., ServerProcess],
    crew_of: Callable[[ServerProcess], Crew],
    open_display: Any,
    page: Page,
    tmp_path: Path,
    demo_show: Path,
) -> None:
    srv = server_factory(write_show(tmp_path, SHOW, "group.yaml"))
    crew = crew_of(srv)
    display = open_display(srv)
    crew.goto("opening")
    on_screen(display, "opening")
    crew.wait_state(  # the standby group's film and sound are buffered before its GO
        lambda s: s["displays"] and s["displays"][0]["preloaded"] == "tide",
        "the display to report the group preloaded",
        timeout=20,
    )
    display.evaluate("() => { document.querySelector('#preload video').dataset.probe = 'p'; }")

    crew.command("go")
    group = on_screen(display, "tide")
    assert group.locator('video[data-probe="p"]').count() == 1, "the preloaded film went unused"
    wait_until(lambda: moving(display, "video"), timeout=15, what="the group's film plays")
    hook = "() => window.liveshowDisplay.videoPosition()"  # the console's (and benchmarks') view
    wait_until(lambda: (display.evaluate(hook) or 0) > 0, what="the group's film position")
    wait_until(lambda: moving(display, "audio"), timeout=15, what="its sound plays with it")
    level = 10 ** (-6 / 20)
    wait_until(
        lambda: abs(display.evaluate(MEDIA_JS, "audio")["volume"] - level) < 0.01,
        what="the sound at its own level",
    )
    expect(group.locator(".group-title .title-main")).to_have_text("Low Tide")

    crew.command("stop_cue", {"cue": "tide-song"})
    wait_until(lambda: display.evaluate(MEDIA_JS, "audio") is None, what="the stopped sound leaves")
    assert moving(display, "video"), "the film stopped with the sound"
    expect(group.locator(".group-title .title-main")).to_have_text("Low Tide")

    display.reload()  # a display coming back keeps the sound stopped, the film playing
    display.wait_for_function("() => window.liveshowDisplay && window.liveshowDisplay.rev")
    on_screen(display, "tide")
    wait_until(lambda: moving(display, "video"), timeout=15, what="the film after a reload")
    assert display.evaluate(MEDIA_JS, "audio") is None

    crew_login(page, srv)
    rows = page.locator("#cue-rows > tr")
    expect(rows).to_have_count(6)  # three cues, and the group's three under it
    order = [
        rows.nth(i).get_attribute("data-cue") or rows.nth(i).get_attribute("data-child")
        for i in range(6)
    ]
    assert order == ["opening", "tide", "tide-film", "tide-song", "tide-title", "end"]
    song = page.locator('tr.child-row[data-child="tide-song"]')
    film = page.locator('tr.child-row[data-child="tide-film"]')
    expect(song).to_have_attribute("data-state", "stopped")
    expect(song.locator("button.stop-cue")).to_have_count(0)
    expect(film).to_have_attribute("data-state", "running")
    right = "el => el.getBoundingClientRect().right"  # a cue's length under the group's
    length = song.locator("td.col-duration")
    assert (
        abs(
            length.evaluate(right)
            - page.locator('tr[data-cue="tide"] td.col-duration').evaluate(right)
        )
        < 1
    )
    expect(length).to_have_css("text-align", "right")
    indent = "el => parseFloat(getComputedStyle(el).paddingLeft)"
    group_row = page.locator('tr[data-cue="tide"] td.col-title')
    assert film.locator("td.col-title").evaluate(indent) > group_row.evaluate(indent) + 10

    film.locator("button.stop-cue").click()  # the crew stops the picture: the title stays
    expect(film).to_have_attribute("data-state", "stopped")
    wait_until(lambda: display.evaluate(MEDIA_JS, "video") is None, what="the stopped film leaves")
    expect(group.locator(".group-title .title-main")).to_have_text("Low Tide")
    assert crew.latest("state")["cue"]["id"] == "tide"  # the playhead did not move

    # Nothing of the group plays once its title is stopped too: the running box says so,
    # with no clock running on, and the displays panel names the cue by its number.
    page.locator('tr.child-row[data-child="tide-title"] button.stop-cue').click()
    expect(page.locator("#running-label")).to_have_text("Stopped")
    expect(page.locator("#elapsed")).to_have_text("–")
    expect(page.locator("#remaining")).to_have_css("color", "rgb(154, 164, 178)")  # muted
    expect(page.locator("#displays")).to_contain_text("showing 8.5 · Tide pools, with gull song")

    # Replaced by the next cue, the group's picture goes over its own (usual) fade out while
    # the sound under it fades out over the sound's 3 s.
    crew.goto("tide")
    wait_until(lambda: moving(display, "audio"), timeout=15, what="the group's sound again")
    crew.command("go")
    assert display.evaluate(LEAVING_JS) == {"fade": "400ms", "sound": True}
