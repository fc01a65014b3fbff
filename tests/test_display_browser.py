"""The projector page in a real browser, against a real server process.

Each test names the risk it covers: a cue the crew fires must reach the screen, a reloaded
display must come back on the right frame, the audience's text must never run as HTML…
"""

from __future__ import annotations

import re
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml
from playwright.sync_api import expect

from liveshow.show.demo import DEMO_SHOW
from tests.helpers.display import VIDEO_JS, on_screen, playing
from tests.helpers.server import ServerProcess
from tests.helpers.waiting import wait_until

# ---- helpers ---------------------------------------------------------------------------------
# How far the top layer's video moves in half a second of the page's own clock.
PACE_JS = """async () => {
    const v = document.querySelector('#stage > .layer:last-child video');
    const t0 = v.currentTime, p0 = performance.now();
    await new Promise(r => setTimeout(r, 500));
    return {moved: v.currentTime - t0, elapsed: (performance.now() - p0) / 1000,
            paused: v.paused, ready: v.readyState, ended: v.ended};
}"""


def demo_cue(
    kind: str,
    type: str | None = None,
    where: Callable[[dict], bool] = lambda c: True,
    skip: int = 0,
) -> dict[str, Any]:
    """A cue of the demo show picked by what it is, so edits to the show keep tests working."""
    cues = yaml.safe_load(DEMO_SHOW.read_text(encoding="utf-8"))["cues"]
    found = [
        c
        for c in cues
        if c["kind"] == kind and (type is None or c.get("type") == type) and where(c)
    ]
    assert len(found) > skip, f"the demo show needs a {kind} {type or ''} cue for this test"
    return found[skip]  # type: ignore[no-any-return]


def credits_text(cue: dict[str, Any]) -> str:
    return " · ".join(f"{c['role']} {c['name']}" for c in cue["credits"])


# ---- tests -------------------------------------------------------------------------------------
def test_a_go_on_the_crew_socket_reaches_the_screen(
    module_server: ServerProcess, crew_of: Any, open_display: Any
) -> None:
    server = module_server  # shared: it GOes to what it checks, never the cue left on
    crew = crew_of(server)
    page = open_display(server)
    title = demo_cue("title")
    image = demo_cue("record", "image")
    story = demo_cue("record", "text")

    crew.goto(title["id"])
    layer = on_screen(page, title["id"])
    expect(layer.locator(".title-main")).to_have_text(title["title"])
    expect(layer.locator(".title-main")).to_be_visible()

    crew.goto(image["id"])
    layer = on_screen(page, image["id"])
    page.wait_for_function(
        """id => {
        const img = document.querySelector(`#stage > .layer[data-cue="${id}"] img`);
        return img && img.complete && img.naturalWidth > 0;
    }""",
        arg=image["id"],
    )
    third = layer.locator(".lower-third")
    expect(third).to_have_class(re.compile(r"\bshown\b"), timeout=5000)
    expect(third.locator(".lt-title")).to_have_text(image["title"])
    expect(third.locator(".credits-line")).to_have_text(credits_text(image))

    crew.goto(story["id"])
    layer = on_screen(page, story["id"])
    first_words = " ".join(story["text"].split()[:6])
    expect(layer.locator(".story-text")).to_contain_text(first_words)
    expect(layer.locator(".story-text")).to_be_visible()
    expect(layer.locator(".credits-line")).to_have_text(credits_text(story))
    # Scaled to fit: the story is neither cut off nor tiny.
    box = layer.locator(".story").bounding_box()
    fit = layer.locator(".story-fit").bounding_box()
    assert fit["height"] <= box["height"] + 1
    font_px = float(
        layer.locator(".story-text").evaluate("e => parseFloat(getComputedStyle(e).fontSize)")
    )
    assert font_px >= 720 * 0.025, f"story type too small for a projector: {font_px}px"


def test_a_reloaded_display_resumes_the_video_on_the_servers_frame(
    server: ServerProcess, crew_of: Any, open_display: Any
) -> None:
    # The longest video, so it is still running after the reload.
    video = demo_cue("record", "video", lambda c: c.get("continue", "none") == "none")
    crew = crew_of(server)
    page = open_display(server)
    crew.goto(video["id"])
    on_screen(page, video["id"])
    wait_until(
        lambda: (page.evaluate(VIDEO_JS) or {}).get("t", 0) > 2.3,
        15,
        "two seconds of video before the reload",
    )

    page.reload()
    page.wait_for_function("() => window.liveshowDisplay && window.liveshowDisplay.rev")
    on_screen(page, video["id"])  # the picture is up again…
    wait_until(lambda: playing(page), what="the reloaded video to play")  # …and moving

    errors = []
    # Three tight readings; a reading whose window the machine's load stretched past 0.3 s
    # says nothing either way, so it is taken again (at most 20 tries).
    for _ in range(20):
        if len(errors) == 3:
            break
        # Independent of the page: the server's own clock, read just before and after.
        t0 = time.time()
        before = server.state()
        t1 = time.time()
        v = page.evaluate(VIDEO_JS)
        t2 = time.time()
        after = server.state()
        t3 = time.time()
        assert before["cue"]["id"] == video["id"] and not before["paused"]
        offset = statistics.mean(
            [before["server_time"] - (t0 + t1) / 2, after["server_time"] - (t2 + t3) / 2]
        )
        slack = max(t1 - t0, t3 - t2) / 2
        started = before["cue_started_at"]
        earliest = t1 + offset - started - slack
        latest = t2 + offset - started + slack
        if latest - earliest >= 0.3:
            continue
        error = v["t"] - (earliest + latest) / 2
        errors.append(error)
        assert earliest - 0.1 <= v["t"] <= latest + 0.1, (
            f"video at {v['t']:.3f} s, server position {earliest:.3f}..{latest:.3f} s"
        )
        # The page's own view (clock-synced expectation) agrees, measured in the same tick.
        assert v["hook"] == v["t"]
        assert abs(v["t"] - v["expected"]) <= 0.1, v
        time.sleep(0.3)
    assert len(errors) == 3, "the measurement itself was too slow to mean anything, 20 times"
    print(f"\nvideo sync error after reload: {', '.join(f'{e * 1000:+.0f} ms' for e in errors)}")

    # Really playing: not paused, enough data, and time moves at the pace of the clock.
    # Both timed in the page: two round trips through a loaded machine (CI's) differ by
    # more than the 0.15 s this allows.
    paced = page.evaluate(PACE_JS)
    assert not paced["paused"] and paced["ready"] >= 3 and not paced["ended"], paced
    assert abs(paced["moved"] - paced["elapsed"]) < 0.15, paced

    # The crew pauses: the picture stops on the server's frame.
    crew.command("pause")
    position = server.state()["position"]
    page.wait_for_function(
        """p => {
        const v = document.querySelector('#stage video');
        return v.paused && !v.seeking && Math.abs(v.currentTime - p) < 0.05;
    }""",
        arg=position,
        timeout=5000,
    )


def test_two_named_displays_show_the_same_cue_and_rev(
    module_server: ServerProcess, crew_of: Any, open_display: Any
) -> None:
    server = module_server  # shared: it GOes to what it checks, never the cue left on
    crew = crew_of(server)
    main = open_display(server, "main")
    confidence = open_display(server, "confidence")
    cue = demo_cue("title", skip=1)
    crew.goto(cue["id"])
    for page in (main, confidence):
        expect(on_screen(page, cue["id"]).locator(".title-main")).to_have_text(cue["title"])
    rev = server.state()["rev"]
    assert main.evaluate("() => window.liveshowDisplay.rev") == rev
    assert confidence.evaluate("() => window.liveshowDisplay.rev") == rev

    def both_report(state: dict[str, Any]) -> bool:
        shown = {d["name"]: (d["showing"], d["rev"]) for d in state["displays"]}
        return shown == {"main": (cue["id"], rev), "confidence": (cue["id"], rev)}

    crew.wait_state(both_report, "both displays to report the cue and rev")


def test_blackout_fades_picture_and_sound_to_black_and_back(
    module_server: ServerProcess, crew_of: Any, open_display: Any
) -> None:
    server = module_server  # shared: it GOes to what it checks, never the cue left on
    video = demo_cue("record", "video", lambda c: c.get("continue", "none") == "none")
    crew = crew_of(server)
    page = open_display(server)
    crew.goto(video["id"])
    on_screen(page, video["id"])
    wait_until(lambda: (page.evaluate(VIDEO_JS) or {}).get("t", 0) > 0.2, what="video playing")

    # Sampling starts in the page the moment the class changes (no round trip through the
    # test, which a loaded machine stretches past the 1 s fade) and goes on until picture
    # and sound are both there (at most 10 s), not for a fixed 25 readings of 50 ms, which
    # a loaded machine's late timers and frames could end before the fade does.
    sample = """(blackout) => { window.sampled = (async () => {
        const stage = document.getElementById('stage');
        const v = document.querySelector('#stage video');
        while (stage.classList.contains('blackout') !== blackout) {
            await new Promise(r => setTimeout(r, 5));
        }
        const target = blackout ? 0 : 1, out = [], t0 = performance.now();
        while (performance.now() - t0 < 10000) {
            out.push([parseFloat(getComputedStyle(stage).opacity), v.volume]);
            if (out.at(-1)[0] === target && out.at(-1)[1] === target) break;
            await new Promise(r => setTimeout(r, 20));
        }
        return out;
    })(); }"""
    page.evaluate(sample, True)
    crew.command("blackout", {"on": True})
    try:
        fading = page.evaluate("() => window.sampled")
        assert any(0.05 < o < 0.95 for o, _ in fading), f"a cut, not a fade: {fading}"
        assert any(0.05 < vol < 0.95 for _, vol in fading), f"sound cut, not faded: {fading}"
        assert fading[-1] == [0, 0], fading
        assert page.evaluate("() => !document.querySelector('#stage video').paused"), (
            "the video keeps time under the blackout"
        )
    except AssertionError:
        crew.command("blackout", {"on": False})  # the shared server's next test: not dark
        raise

    page.evaluate(sample, False)
    crew.command("blackout", {"on": False})
    rising = page.evaluate("() => window.sampled")
    assert any(0.05 < o < 0.95 for o, _ in rising), rising
    assert rising[-1] == [1, 1], rising


HOSTILE_TEXT = '<img src=x onerror="window.pwned=1"><script>window.pwned=2</script>'
HOSTILE_TITLE = '<b onmouseover="window.pwned=3">Bold</b><img src=y onerror="window.pwned=4">'


def test_hostile_titles_stories_and_credits_render_as_text(
    tmp_path: Path, server_factory: Any, crew_of: Any, open_display: Any
) -> None:
    show = tmp_path / "hostile.yaml"
    show.write_text(
        yaml.safe_dump(
            {
                "title": "<i>Show</i>",
                "cues": [
                    {
                        "id": "story",
                        "kind": "record",
                        "type": "text",
                        "title": HOSTILE_TITLE,
                        "text": HOSTILE_TEXT,
                        "duration": 10,
                        "credits": [
                            {
                                "name": '<img src=z onerror="window.pwned=5">',
                                "role": "<u>writer</u>",
                            }
                        ],
                    },
                    {
                        "id": "slide",
                        "kind": "title",
                        "title": HOSTILE_TITLE,
                        "subtitle": HOSTILE_TEXT,
                    },
                    {"id": "roll", "kind": "credits", "title": HOSTILE_TITLE},
                ],
            }
        )
    )
    srv = server_factory(show)
    crew = crew_of(srv)
    page = open_display(srv)

    crew.goto("story")
    layer = on_screen(page, "story")
    expect(layer.locator(".story-text")).to_have_text(HOSTILE_TEXT)
    expect(layer.locator(".story-title")).to_have_text(HOSTILE_TITLE)
    expect(layer.locator(".credits-line")).to_have_text(
        '<u>writer</u> <img src=z onerror="window.pwned=5">'
    )
    crew.goto("slide")
    layer = on_screen(page, "slide")
    expect(layer.locator(".title-main")).to_have_text(HOSTILE_TITLE)
    expect(layer.locator(".title-sub")).to_have_text(HOSTILE_TEXT)
    crew.goto("roll")
    layer = on_screen(page, "roll")
    expect(layer.locator(".roll-title")).to_have_text([HOSTILE_TITLE])
    expect(layer.locator(".roll-end")).to_have_text("<i>Show</i>")

    time.sleep(0.3)  # an onerror would have fired by now
    assert page.evaluate("() => window.pwned") is None
    assert page.locator("#stage img, #stage script, #stage b, #stage u, #stage i").count() == 0


def test_the_display_preloads_the_standby_cue_and_refuses_a_wrong_key(
    server: ServerProcess, crew_of: Any, open_display: Any, browser: Any
) -> None:
    cues = yaml.safe_load(DEMO_SHOW.read_text(encoding="utf-8"))["cues"]
    # A cue whose standby (the next one) is a video, the preload that matters most; best a
    # video with a pre-wait, during which the standby moves on but the preload must stay.
    pairs = [
        (cues[i], cues[i + 1])
        for i in range(len(cues) - 1)
        if cues[i + 1]["kind"] == "record" and cues[i + 1].get("type") == "video"
    ]
    before_video, video = max(pairs, key=lambda pair: pair[1].get("pre_wait", 0) > 0)
    crew = crew_of(server)
    page = open_display(server)
    crew.goto(before_video["id"])
    on_screen(page, before_video["id"])

    state = crew.wait_state(
        lambda s: (
            s["standby"] == video["id"]
            and s["displays"]
            and all(d["preloaded"] == s["standby"] for d in s["displays"])
        ),
        "the display to report the standby video preloaded",
    )
    assert state["displays"][0]["showing"] == before_video["id"]
    assert page.evaluate("""() => {
        const v = document.querySelector('#preload video');
        return v && v.readyState >= 3 && v.paused;
    }""")
    page.evaluate("() => { document.querySelector('#preload video').dataset.probe = 'preloaded'; }")

    crew.command("go")  # through its pre-wait, if it has one: the preload must survive it
    layer = on_screen(page, video["id"])
    assert layer.locator('video[data-probe="preloaded"]').count() == 1, (
        "the preloaded element was not the one put on stage"
    )
    wait_until(lambda: (page.evaluate(VIDEO_JS) or {}).get("t", 0) > 0.2, what="video playing")
    # …and the next standby gets preloaded in turn.
    crew.wait_state(
        lambda s: (
            s["cue"]
            and s["cue"]["id"] == video["id"]
            and s["displays"]
            and all(d["preloaded"] == s["standby"] for d in s["displays"])
        ),
        "the next standby preloaded",
    )

    stranger = browser.new_context()
    try:
        response = stranger.new_page().goto(f"{server.url}/display/main?key=not-the-key")
        assert response is not None and response.status == 403
        assert "display key" in response.text().lower()
    finally:
        stranger.close()


def test_the_credits_roll_lists_only_what_actually_screened(
    server: ServerProcess, crew_of: Any, open_display: Any
) -> None:
    screened = [demo_cue("record", "video"), demo_cue("record", "image")]
    never = demo_cue("record", "image", skip=1)
    roll_cue = demo_cue("credits")
    crew = crew_of(server)
    page = open_display(server)
    for cue in screened:
        crew.goto(cue["id"])
        on_screen(page, cue["id"])
    crew.goto(roll_cue["id"])
    layer = on_screen(page, roll_cue["id"])

    expect(layer.locator(".roll-heading")).to_have_text(roll_cue["title"])
    expect(layer.locator(".roll-title")).to_have_text([c["title"] for c in screened])
    assert never["title"] not in layer.inner_text()
    first = layer.locator(".roll-work").first.locator(".roll-credit")
    expect(first).to_have_text([f"{c['role']} — {c['name']}" for c in screened[0]["credits"]])

    def roll_y() -> float:
        return float(
            layer.locator(".roll").evaluate(
                "e => new DOMMatrixReadOnly(getComputedStyle(e).transform).m42"
            )
        )

    y0 = roll_y()
    wait_until(lambda: roll_y() < y0, 5, "the roll to move up")


def test_the_display_rides_out_a_server_restart(
    server: ServerProcess, crew_of: Any, open_display: Any
) -> None:
    cue = demo_cue("title")
    crew = crew_of(server)
    page = open_display(server)
    crew.goto(cue["id"])
    on_screen(page, cue["id"])
    crew.close()
    expect(page.locator("#link")).to_be_hidden()

    server.stop()
    # Lost: a small dot in the corner; the picture stays as it was.
    expect(page.locator("#link")).to_be_visible(timeout=5000)
    box = page.locator("#link").bounding_box()
    assert box["width"] <= 12 and box["x"] > 1280 - 40 and box["y"] > 720 - 40
    expect(page.locator(f'#stage > .layer[data-cue="{cue["id"]}"] .title-main')).to_be_visible()

    server.start()
    rev = server.state()["rev"]
    page.wait_for_function(
        "rev => window.liveshowDisplay.connected && window.liveshowDisplay.rev === rev",
        arg=rev,
        timeout=10000,
    )
    expect(page.locator("#link")).to_be_hidden()
    on_screen(page, cue["id"])


# Headless chromium lets media play with sound whatever --autoplay-policy says, so the
# refusal is staged the way a stock browser does it: play() with sound rejects NotAllowedError.
REFUSE_SOUND = """
const realPlay = HTMLMediaElement.prototype.play;
HTMLMediaElement.prototype.play = function () {
    if (!this.muted && !window.soundAllowed) {
        return Promise.reject(new DOMException("play() needs a user gesture", "NotAllowedError"));
    }
    return realPlay.call(this);
};
document.addEventListener("pointerdown", () => { window.soundAllowed = true; }, true);
"""


def test_a_browser_that_refuses_sound_hides_the_video_and_tells_the_crew(
    server: ServerProcess, crew_of: Any, browser: Any
) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    try:
        context.add_init_script(REFUSE_SOUND)
        page = context.new_page()
        page.goto(f"{server.url}/display/main?key={server.display_key}")
        page.wait_for_function("() => window.liveshowDisplay && window.liveshowDisplay.rev")
        video = demo_cue("record", "video", lambda c: c.get("continue", "none") == "none")
        crew = crew_of(server)
        crew.goto(video["id"])
        state = crew.wait_state(
            lambda s: bool(s["displays"]) and bool(s["displays"][0]["problem"]),
            "the display to report a problem",
        )
        assert state["displays"][0]["problem"] == (
            "autoplay with sound blocked: launch chromium with "
            "--autoplay-policy=no-user-gesture-required"
        )
        layer = page.locator(f'#stage > .layer[data-cue="{video["id"]}"]')
        expect(layer).to_have_class(re.compile(r"\bblocked\b"))
        expect(layer.locator("video")).to_be_hidden()
        expect(layer.locator(".lower-third")).to_be_hidden()
        # It keeps time, muted, so that sound can come back in step…
        wait_until(lambda: playing(page), what="the muted video to keep time")
        assert page.evaluate("() => document.querySelector('#stage video').muted")

        # …when someone at the projector clicks the page: sound and picture return.
        page.mouse.click(640, 360)
        expect(layer.locator("video")).to_be_visible()
        assert not page.evaluate("() => document.querySelector('#stage video').muted")
        crew.wait_state(
            lambda s: bool(s["displays"]) and s["displays"][0]["problem"] is None,
            "the problem to clear",
        )
    finally:
        context.close()


FONT_PX = "el => parseFloat(getComputedStyle(el).fontSize)"
# How much of the screen the wall's tiles cover (they never overlap).
TILE_COVER = """layer => {
    const tiles = [...layer.querySelectorAll('.tile.in')];
    const area = tiles.reduce((sum, t) => {
        const r = t.getBoundingClientRect();
        return sum + r.width * r.height;
    }, 0);
    return area / (innerWidth * innerHeight);
}"""
BACK_ROW_PX = 40  # the smallest text that reads from the back of a theatre at 1080p


def test_words_read_from_the_back_row_and_two_works_fill_the_wall(
    server: ServerProcess, crew_of: Any, phone_of: Any, browser: Any
) -> None:
    crew = crew_of(server)
    context = browser.new_context(viewport={"width": 1920, "height": 1080})
    try:
        page = context.new_page()
        page.goto(f"{server.url}/display/main?key={server.display_key}")
        page.wait_for_function("() => window.liveshowDisplay && window.liveshowDisplay.rev")

        def size(layer: Any, selector: str) -> float:
            return float(layer.locator(selector).first.evaluate(FONT_PX))

        join = demo_cue("join")
        crew.goto(join["id"])
        layer = on_screen(page, join["id"])
        assert size(layer, ".join-subtitle") >= BACK_ROW_PX

        video = demo_cue("record", "video", where=lambda c: bool(c.get("credits")))
        crew.goto(video["id"])
        layer = on_screen(page, video["id"])
        assert size(layer, ".lower-third .credits-line .role") >= BACK_ROW_PX
        assert size(layer, ".lower-third .credits-line .name") >= BACK_ROW_PX

        ask = demo_cue("prompt", where=lambda c: c["prompt"]["kind"] == "text")
        wall = demo_cue("wall", where=lambda c: c["source"] == ask["id"])
        crew.goto(ask["id"])
        for handle, words in (("Ana", "Gulls argue at dawn"), ("Bo", "The ferry sleeps")):
            crew.moderate(phone_of(server, handle).text(ask["id"], words)["id"])
        crew.goto(wall["id"])
        layer = on_screen(page, wall["id"])
        expect(layer.locator(".tile.in")).to_have_count(2)
        expect(layer.locator(".invite")).to_have_class(re.compile(r"\bshown\b"))
        assert size(layer, ".invite") >= BACK_ROW_PX  # "Add yours at ..."
        assert size(layer, ".tile-handle") >= BACK_ROW_PX
        assert size(layer, ".wall-count") >= BACK_ROW_PX
        cover = layer.evaluate(TILE_COVER)
        assert cover >= 0.45, f"two works cover only {cover:.0%} of the screen"

        roll = demo_cue("credits")
        crew.goto(roll["id"])
        layer = on_screen(page, roll["id"])
        assert size(layer, ".roll-credit .role") >= BACK_ROW_PX
    finally:
        context.close()


STAGE_FADE = "() => getComputedStyle(document.getElementById('stage')).transitionDuration"


def test_a_panic_fades_at_the_panic_fade_setting_and_a_blackout_at_its_own_speed(
    server_factory: Any, text_show: Path, crew_of: Any, open_display: Any
) -> None:
    srv = server_factory(text_show, extra_env={"LIVESHOW_PANIC_FADE": "3.5"})
    crew = crew_of(srv)
    page = open_display(srv)
    crew.goto("welcome")
    on_screen(page, "welcome")
    crew.command("panic")
    expect(page.locator("#stage")).to_have_class(re.compile(r"\bblackout\b"))
    assert page.evaluate(STAGE_FADE) == "3.5s"
    assert srv.state()["panic"] is True
    crew.command("blackout", {"on": False})
    expect(page.locator("#stage")).not_to_have_class(re.compile(r"\bblackout\b"))
    crew.command("blackout", {"on": True})
    expect(page.locator("#stage")).to_have_class(re.compile(r"\bblackout\b"))
    assert page.evaluate(STAGE_FADE) == "1s"
    assert srv.state()["panic"] is False


def test_the_join_slide_shows_a_short_code_to_type_huge(
    module_server: ServerProcess, crew_of: Any, open_display: Any
) -> None:
    server = module_server  # shared: it GOes to what it checks, never the cue left on
    crew = crew_of(server)
    page = open_display(server)
    join = demo_cue("join")
    crew.goto(join["id"])
    layer = on_screen(page, join["id"])
    expect(layer.locator(".join-address")).to_have_text(f"127.0.0.1:{server.port}")
    expect(layer.locator(".join-code")).to_have_text(server.join_code)
    size = layer.locator(".join-code").evaluate(FONT_PX)
    assert size >= 0.1 * page.viewport_size["height"], size  # readable from the back row
    # what it says works: that address, that code, typed on a phone, opens the phone app
    typed = page.context.new_page()
    typed.goto(f"http://127.0.0.1:{server.port}/")
    typed.fill("#join-code", server.join_code)
    typed.press("#join-code", "Enter")
    typed.wait_for_url(f"{server.url}/join/{server.join_code}")
    typed.close()
