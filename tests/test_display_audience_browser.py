"""The projector's audience and camera cues in a real browser, against a real server process.

Phones are python-socketio clients on /audience (photos go over HTTP, as the phone app sends
them), the crew is a client on /crew, a camera agent is a client on /camera. What each test
guards: what the audience made reaches the screen live, in place, as text (never as HTML);
pictures and streams never show a broken image; a replay plays on the show clock.
"""

from __future__ import annotations

import hashlib
import re
import threading
import time
from pathlib import Path
from typing import Any

import pytest
import requests
from playwright.sync_api import Page, expect

from tests.helpers import CAMERA_KEY
from tests.helpers.crew import Crew
from tests.helpers.display import IMG_LOADED, VIDEO_JS, on_screen, playing
from tests.helpers.samples import jpeg, wav
from tests.helpers.server import ServerProcess
from tests.helpers.shows import PROMPT_SHOW
from tests.helpers.sockets import connect
from tests.helpers.waiting import never_within, wait_until

SHOW = (
    PROMPT_SHOW
    + """\
  - {id: live, kind: camera, camera: cam1, title: Stage left}
  - {id: replay, kind: replay, camera: cam1, title: Tonight's take}
  - {id: no-take, kind: replay, camera: cam2}
  - {id: sound-wall, kind: wall, source: ask-sound}
  - {id: cloud, kind: cloud, source: ask-text}
"""
)
HOSTILE = "<img src=x onerror=window.pwned=1>"
# The top layer's video and the display's idea of the show position, read twice a second
# apart, each with the page's wall clock and monotonic clock at that moment.
SHOW_CLOCK_JS = """async () => {
    const v = document.querySelector('#stage > .layer:last-child video');
    const d = window.liveshowDisplay;
    const read = () => ({t: v.currentTime, expected: d.expectedPosition(),
                         wall: Date.now() / 1000, mono: performance.now() / 1000});
    const first = read();
    await new Promise(r => setTimeout(r, 1000));
    return [first, read()];
}"""
CLIP = Path(__file__).resolve().parent.parent / "media" / "demo" / "tide-pools.mp4"


# ---- helpers ---------------------------------------------------------------------------------
@pytest.fixture
def show_server(tmp_path: Path, server_factory: Any) -> ServerProcess:
    """A server of the test's own (for tests whose screens show all of what was sent)."""
    show = tmp_path / "audience-show.yaml"
    show.write_text(SHOW)
    return server_factory(show, extra_env={"LIVESHOW_CAMERA_KEY": CAMERA_KEY})  # type: ignore


@pytest.fixture(scope="module")
def shared_server(tmp_path_factory: pytest.TempPathFactory, module_server_factory: Any) -> Any:
    """One server for the tests that GO to what they check and send nothing to a wall."""
    show = tmp_path_factory.mktemp("show") / "audience-show.yaml"
    show.write_text(SHOW)
    return module_server_factory(show, extra_env={"LIVESHOW_CAMERA_KEY": CAMERA_KEY})


def problem(crew: Crew, words: str) -> dict[str, Any]:
    return crew.wait_state(
        lambda s: bool(s["displays"]) and words in (s["displays"][0]["problem"] or ""),
        f"the display to report {words!r}",
    )


def mark_layer(page: Page, cue_id: str) -> None:
    """Marks the page and the cue's layer: a reload or a restarted cue would lose the mark."""
    page.evaluate(
        """id => {
        window.sameLayer = true;
        document.querySelector(`#stage > .layer[data-cue="${id}"]`).dataset.probe = 'kept';
    }""",
        cue_id,
    )


def still_marked(page: Page, cue_id: str) -> None:
    assert page.evaluate("() => window.sameLayer === true"), "the page reloaded"
    assert page.locator(f'#stage > .layer[data-cue="{cue_id}"]').count() == 1
    assert page.locator(f'#stage > .layer[data-cue="{cue_id}"][data-probe="kept"]').count() == 1, (
        "the cue was put on stage anew instead of updated in place"
    )


# ---- tests -------------------------------------------------------------------------------------
def test_a_prompt_shows_its_question_and_a_qr_code_that_loaded(
    shared_server: ServerProcess, crew_of: Any, open_display: Any
) -> None:
    show_server = shared_server
    crew = crew_of(show_server)
    page = open_display(show_server)
    crew.goto("ask-text")
    layer = on_screen(page, "ask-text")
    expect(layer.locator(".prompt-question")).to_have_text("A tiny story")
    expect(layer.locator(".prompt-kind")).to_have_text("Write")
    page.wait_for_function(IMG_LOADED, arg='#stage .layer[data-cue="ask-text"] img.qr')
    join_url = show_server.state()["join_url"]
    expect(layer.locator(".prompt-url-value")).to_have_text(join_url.split("://", 1)[1])
    size = float(
        layer.locator(".prompt-question").evaluate("e => parseFloat(getComputedStyle(e).fontSize)")
    )
    assert size >= 720 * 0.07, f"the question is not huge: {size}px"

    crew.goto("ask-vote")
    layer = on_screen(page, "ask-vote")
    expect(layer.locator(".prompt-kind")).to_have_text("Vote")
    expect(layer.locator(".prompt-option")).to_have_text(["A", "B", "C"])


def test_approved_works_reach_the_wall_live_and_only_as_text(
    show_server: ServerProcess, crew_of: Any, open_display: Any, phone_of: Any
) -> None:
    crew = crew_of(show_server)
    page = open_display(show_server)
    ana, ben, cat = (
        phone_of(show_server, "Ana"),
        phone_of(show_server, "Ben <b>"),
        phone_of(show_server, "Cat"),
    )
    crew.goto("ask-text")
    crew.goto("text-wall")
    layer = on_screen(page, "text-wall")
    expect(layer.locator(".wall-question")).to_have_text("A tiny story")
    mark_layer(page, "text-wall")

    assert ana.text("ask-text", HOSTILE, "text-hostile-01")["ok"]
    assert ben.text("ask-text", "The tide came in quietly", "text-calm-0001")["ok"]
    assert cat.text("ask-text", "Never shown, never approved", "text-pending-01")["ok"]
    crew.moderate("text-hostile-01")
    crew.moderate("text-calm-0001")
    hostile = layer.locator('.tile[data-id="text-hostile-01"]')
    expect(hostile.locator(".tile-story")).to_have_text(HOSTILE)
    expect(hostile.locator(".handle")).to_have_text("Ana")
    calm = layer.locator('.tile[data-id="text-calm-0001"]')
    expect(calm.locator(".handle")).to_have_text("Ben <b>")
    expect(calm).to_have_class(re.compile(r"\bfresh\b.*\bin\b"))  # arrived, with a glow

    crew.moderate("text-calm-0001", "feature")
    spot = layer.locator('.spot.in[data-id="text-calm-0001"]')
    expect(spot.locator(".spot-story")).to_have_text("The tide came in quietly")
    expect(spot.locator(".handle")).to_have_text("Ben <b>")
    expect(layer.locator('.tile.in[data-id="text-calm-0001"]')).to_have_count(0)  # not twice
    expect(hostile).to_be_visible()
    still_marked(page, "text-wall")
    assert "Never shown" not in layer.inner_text()
    assert layer.locator('[data-id="text-pending-01"]').count() == 0
    assert page.evaluate("() => window.pwned") is None
    assert page.locator("#stage img[src='x'], #stage b").count() == 0

    # A photo wall: the thumbnail in the mosaic, the full picture in the spotlight.
    crew.goto("ask-photo")
    crew.goto("photo-wall")
    layer = on_screen(page, "photo-wall")
    mark_layer(page, "photo-wall")
    cat.photo("ask-photo", jpeg(800, 600, (180, 90, 30)), "photo-cat-0001")
    crew.moderate("photo-cat-0001")
    tile = '#stage .layer[data-cue="photo-wall"] .tile.in[data-id="photo-cat-0001"]'
    page.wait_for_function(IMG_LOADED, arg=f"{tile} img")
    expect(layer.locator('.tile[data-id="photo-cat-0001"] .handle')).to_have_text("Cat")
    crew.moderate("photo-cat-0001", "feature")
    spot_img = '#stage .layer[data-cue="photo-wall"] .spot.in[data-id="photo-cat-0001"] img'
    page.wait_for_function(IMG_LOADED, arg=spot_img)
    featured = show_server.state()["cue"]["wall"]["featured"]
    assert page.locator(spot_img).get_attribute("src") == featured["media"]["url"]
    assert page.evaluate(f"() => document.querySelector(`{spot_img}`).naturalWidth") == 800
    still_marked(page, "photo-wall")


def test_the_poll_reveals_the_vote_and_then_does_not_move(
    shared_server: ServerProcess, crew_of: Any, open_display: Any, phone_of: Any
) -> None:
    show_server = shared_server
    crew = crew_of(show_server)
    page = open_display(show_server)
    one, two = phone_of(show_server, "One"), phone_of(show_server, "Two")
    crew.goto("ask-vote")
    assert one.vote("ask-vote", "A", "vote-one-00001")["ok"]
    assert two.vote("ask-vote", "C", "vote-two-00001")["ok"]
    assert two.vote("ask-vote", "A", "vote-two-00002")["ok"]  # a phone may change its mind
    crew.goto("results")
    layer = on_screen(page, "results")
    expect(layer.locator(".poll-question")).to_have_text("Which?")
    expect(layer.locator(".poll-label")).to_have_text(["A", "B", "C"])
    row = {o: layer.locator(f'.poll-row[data-option="{o}"]') for o in "ABC"}
    expect(layer.locator(".poll-total-n")).to_have_text("2")
    expect(row["A"].locator(".poll-votes")).to_have_text("2 votes")
    expect(row["A"].locator(".poll-pct")).to_have_text("100%")
    expect(row["B"].locator(".poll-votes")).to_have_text("0 votes")
    expect(row["C"].locator(".poll-pct")).to_have_text("0%")
    expect(row["A"]).to_have_class("poll-row leader")
    expect(row["C"]).to_have_class("poll-row")
    mark_layer(page, "results")

    # revealed, the vote is frozen: a late vote or a change of mind is refused
    late = one.vote("ask-vote", "B", "vote-one-00002")
    assert late["ok"] is False and "closed" in late["error"]
    assert show_server.state()["cue"]["poll"]["total"] == 2

    def bar(option: str) -> float:
        return float(
            row[option]
            .locator(".poll-fill")
            .evaluate("e => new DOMMatrixReadOnly(getComputedStyle(e).transform).a")
        )

    wait_until(lambda: bar("A") > 0.99 and bar("C") < 0.01, what="the bars to settle")
    expect(row["B"].locator(".poll-votes")).to_have_text("0 votes")
    still_marked(page, "results")


def test_a_camera_cue_shows_the_live_picture_and_never_a_broken_image(
    shared_server: ServerProcess, crew_of: Any, open_display: Any
) -> None:
    show_server = shared_server
    crew = crew_of(show_server)
    page = open_display(show_server)
    agent = connect(show_server, "/camera", {"key": CAMERA_KEY, "camera": "cam1"})
    feeding = threading.Event()
    stop = threading.Event()

    def feed() -> None:
        frame = jpeg(640, 360, (40, 160, 60))
        while not stop.is_set():
            if feeding.is_set():
                agent.emit("frame", frame, namespace="/camera")
            time.sleep(0.05)

    feeder = threading.Thread(target=feed, daemon=True)
    feeder.start()
    feed_img = '#stage .layer[data-cue="live"] img.camera-feed'
    try:
        crew.goto("live")
        layer = on_screen(page, "live")
        expect(layer.locator(".camera-label")).to_have_text("Stage left")
        # the label reads from the back row: 40 px at 1080p, whatever this window's height
        px, height = layer.locator(".camera-label").evaluate(
            "e => [parseFloat(getComputedStyle(e).fontSize), innerHeight]"
        )
        assert px >= 40 * height / 1080 - 0.5, (px, height)
        # Nothing from the camera yet: black, and the crew is told after 3 s.
        problem(crew, "camera cam1: no picture")
        assert page.locator(feed_img).evaluate("e => getComputedStyle(e).opacity") == "0"

        feeding.set()
        page.wait_for_function(IMG_LOADED, arg=feed_img)
        expect(layer).to_have_class("layer kind-camera live")
        crew.wait_state(lambda s: s["displays"][0]["problem"] is None, "the problem to clear")
        box = page.locator(feed_img).bounding_box()
        assert box["width"] == 1280 and box["height"] == 720

        feeding.clear()  # the camera stops sending: the last picture, never an icon
        never_within(
            lambda: not page.evaluate(IMG_LOADED, feed_img), 1.0, "the last picture to break"
        )
        expect(layer).to_have_class("layer kind-camera live")

        crew.goto("hello")  # leaving the cue closes the stream
        on_screen(page, "hello")
        crew.wait(
            lambda: (seen := crew.camera_history()) and seen[-1]["viewers"] == 0,
            10,
            "the stream to close",
        )
    finally:
        stop.set()
        feeder.join(2)
        agent.disconnect()


def upload_take(srv: ServerProcess, take_id: str, backgrounds: list[dict[str, Any]]) -> str:
    data = CLIP.read_bytes()
    sha = hashlib.sha256(data).hexdigest()
    auth = {"Authorization": f"Bearer {CAMERA_KEY}"}
    put = requests.put(
        f"{srv.url}/api/media/{sha}",
        data=data,
        timeout=30,
        headers={**auth, "Content-Range": f"bytes 0-{len(data) - 1}/{len(data)}"},
    )
    assert put.status_code == 201, put.text
    take = requests.post(
        f"{srv.url}/api/takes",
        headers=auth,
        timeout=10,
        json={"id": take_id, "camera": "cam1", "raw": sha, "backgrounds": backgrounds},
    )
    assert take.status_code == 201, take.text
    return sha


def test_a_replay_plays_the_take_on_the_show_clock_with_its_credits(
    show_server: ServerProcess, crew_of: Any, open_display: Any, phone_of: Any
) -> None:
    srv = show_server
    crew = crew_of(srv)
    page = open_display(srv)
    crew.goto("ask-text")
    assert phone_of(show_server, "Drew").text("ask-text", "A lighthouse", "text-behind-01")["ok"]
    sha = upload_take(
        srv, "take-000001", [{"submission": "text-behind-01", "start": 0.0, "end": 3.0}]
    )
    crew.command("take_credit", {"take": "take-000001", "performer": "Lee", "operator": "Sam"})

    crew.goto("replay")
    layer = on_screen(page, "replay")
    assert layer.locator("video").get_attribute("src") == f"/media/{sha}"
    wait_until(lambda: playing(page), what="the take to play")

    def on_the_show_clock() -> dict[str, Any] | None:
        # a display may start a moment late (a busy machine) and then catches up
        sample = page.evaluate(VIDEO_JS)
        return sample if abs(sample["t"] - sample["expected"]) < 0.1 else None

    wait_until(on_the_show_clock, 10, "the take playing on the show clock")
    # Where the show is at the page's own reading: the server and the browser share this
    # machine's clock (time.time(), Date.now()), so no round trip through the test (which a
    # loaded machine stretches past these tolerances) sits between the two readings.
    started = srv.state()["cue_started_at"]
    video, later = page.evaluate(SHOW_CLOCK_JS)
    position = video["wall"] - started
    assert abs(video["expected"] - position) < 0.25, (video, position)  # its clock is the show's
    assert abs(video["t"] - position) < 0.35, (video, position)
    elapsed = later["mono"] - video["mono"]
    assert abs((later["t"] - video["t"]) / elapsed - 1.0) < 0.25, (video, later, elapsed)

    third = layer.locator(".lower-third")
    expect(third).to_have_class("lower-third shown")
    expect(third.locator(".lt-title")).to_have_text("Tonight's take")
    expect(third.locator(".credits-line").first).to_have_text("performer Lee · camera Sam")
    expect(third.locator(".lt-backgrounds")).to_have_text("background by Drew")

    # Crediting the take while it plays corrects the credits, without replaying it.
    mark_layer(page, "replay")
    crew.command("take_credit", {"take": "take-000001", "performer": "Lee Park"})
    crew.moderate("text-behind-01")  # any change: the displays get a new state
    expect(third.locator(".credits-line").first).to_have_text("performer Lee Park · camera Sam")
    still_marked(page, "replay")
    # With no operator, the camera's machine name is nobody's credit ("camera cam1" was).
    crew.command("take_credit", {"take": "take-000001", "operator": ""})
    expect(third.locator(".credits-line").first).to_have_text("performer Lee Park")

    # No take from cam2: black, and the crew is told.
    crew.goto("no-take")
    layer = on_screen(page, "no-take")
    problem(crew, "replay cue no-take: no take to show")
    assert layer.locator("video").count() == 0


def test_the_credits_roll_names_the_audience_whose_work_was_shown(
    show_server: ServerProcess, crew_of: Any, open_display: Any, phone_of: Any
) -> None:
    crew = crew_of(show_server)
    page = open_display(show_server)
    crew.goto("ask-text")
    assert phone_of(show_server, "Mira").text("ask-text", "Shown", "text-mira-0001")["ok"]
    assert phone_of(show_server, "Otto").text("ask-text", "Rejected", "text-otto-0001")["ok"]
    crew.moderate("text-mira-0001")
    crew.moderate("text-otto-0001", "reject")
    crew.goto("roll")
    layer = on_screen(page, "roll")
    expect(layer.locator(".roll-audience-title")).to_have_text("Made tonight by")
    expect(layer.locator(".roll-handles li")).to_have_text(["Mira"])


def test_approved_sounds_play_on_the_sound_wall_and_draw_their_own_waveform(
    show_server: ServerProcess, crew_of: Any, open_display: Any, phone_of: Any
) -> None:
    crew = crew_of(show_server)
    page = open_display(show_server)
    crew.goto("ask-sound")
    same = wav(1.5)
    sounds = {
        "a": phone_of(show_server, "One").upload("ask-sound", "audio", same, "a.wav", "audio/wav"),
        "b": phone_of(show_server, "Two").upload("ask-sound", "audio", same, "b.wav", "audio/wav"),
        "c": phone_of(show_server, "Three").upload(
            "ask-sound", "audio", wav(1.5, rising=True), "c.wav", "audio/wav"
        ),
    }
    for sub in sounds.values():
        crew.moderate(sub)  # approved: none is featured
    crew.goto("sound-wall")
    layer = on_screen(page, "sound-wall")
    expect(layer.locator(".tile-audio")).to_have_count(3)

    def levels() -> dict[str, str] | None:
        found = {
            name: layer.locator(f'.tile[data-id="{sub}"] .wave').get_attribute("data-levels")
            for name, sub in sounds.items()
        }
        return found if all(found.values()) else None  # type: ignore[return-value]

    drawn = wait_until(levels, what="every waveform drawn from its sound")
    # the same recording draws the same bars; another recording, its own
    assert drawn["a"] == drawn["b"] != drawn["c"]
    rising = [float(v) for v in drawn["c"].split()]
    assert rising[0] < rising[-1], rising

    # with no featured sound, the approved ones are heard, one at a time
    wait_until(
        lambda: layer.locator(".tile-audio.playing audio.tile-sound").evaluate_all(
            "as => as.length === 1 && !as[0].paused && as[0].currentTime > 0"
        ),
        what="an approved sound playing on the wall",
    )


def test_a_word_cloud_grows_live_from_approved_answers_only(
    show_server: ServerProcess, crew_of: Any, open_display: Any, phone_of: Any
) -> None:
    crew = crew_of(show_server)
    page = open_display(show_server)
    phones = [phone_of(show_server, f"P{i}") for i in range(4)]
    crew.goto("ask-text")
    crew.goto("cloud")
    layer = on_screen(page, "cloud")
    expect(layer.locator(".cloud-question")).to_have_text("A tiny story")
    expect(layer.locator(".cloud-empty")).to_be_visible()
    mark_layer(page, "cloud")

    def say(phone: Any, words: str, approve: bool = True) -> None:
        sub = phone.text("ask-text", words)["id"]
        if approve:
            crew.moderate(sub)

    say(phones[0], "Sea")
    say(phones[1], HOSTILE)
    say(phones[2], "never approved", approve=False)
    sea = layer.locator('.cloud-word[data-word="sea"]')
    expect(sea).to_have_attribute("data-count", "1")
    expect(layer.locator(".cloud-word")).to_have_count(2)
    before = sea.evaluate("e => e.getBoundingClientRect().height")

    say(phones[3], "  sea. ")  # the same word, however typed
    expect(sea).to_have_attribute("data-count", "2")
    expect(layer.locator(".cloud-count")).to_have_text("3 answers")
    wait_until(
        lambda: sea.evaluate("e => e.getBoundingClientRect().height") > before * 1.5,
        what="the word said twice to grow",
    )
    expect(layer.locator(".cloud-word")).to_have_count(2)
    assert "never approved" not in layer.inner_text()
    # what the audience typed is text, never markup
    expect(layer.locator(".cloud-word").nth(1)).to_have_text(HOSTILE.casefold())
    assert page.evaluate("() => window.pwned") is None
    still_marked(page, "cloud")
