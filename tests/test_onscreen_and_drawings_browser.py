"""Two promises to the room, in real browsers against a real server process.

"You're on screen!" on a phone means the work is up on the projector now: featuring a story
while the projector shows a prompt slide must not send the audience looking at a stage that
does not show it; the pop-up comes when the wall that shows it is on, or at once when the
wall is already on. And a wall of drawings on a 1920x1080 projector shows each drawing as big
as its tile allows (a small picture scaled up whole, never left at its natural size).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.helpers.crew import Crew
from tests.helpers.display import IMG_LOADED, on_screen
from tests.helpers.phone import LivePhone
from tests.helpers.phone_page import item, join, send_text
from tests.helpers.samples import png_rgba
from tests.helpers.server import ServerProcess
from tests.helpers.shows import write_show

SHOW = """\
title: On screen
cues:
  - {id: hello, kind: title, title: Hello}
  - {id: ask-text, kind: prompt, prompt: {kind: text, question: "A tiny story", max_length: 50}}
  - {id: text-wall, kind: wall, source: ask-text}
  - {id: ask-drawing, kind: prompt, prompt: {kind: drawing, question: "The moon"}}
  - {id: drawing-wall, kind: wall, source: ask-drawing}
  - {id: roll, kind: credits, title: Thanks}
"""

# Each drawing tile on the wall: its box, and the box its picture really takes in it
# (object-fit: contain draws the picture at the largest scale that fits the img element).
DRAWN_BOXES = """layer => [...layer.querySelectorAll('.tile.tile-drawing.in')].map(tile => {
    const img = tile.querySelector('img');
    const t = tile.getBoundingClientRect();
    const box = img.getBoundingClientRect();
    const fit = getComputedStyle(img).objectFit;
    let scale = 1;
    if (fit === 'contain') {
        scale = Math.min(box.width / img.naturalWidth, box.height / img.naturalHeight);
    } else if (fit === 'cover') {
        scale = Math.max(box.width / img.naturalWidth, box.height / img.naturalHeight);
    } else if (fit === 'fill') {
        return {id: tile.dataset.id, src: img.getAttribute('src'), tile: [t.width, t.height],
                drawn: [box.width, box.height]};
    }
    const drawn = [Math.min(box.width, img.naturalWidth * scale),
                   Math.min(box.height, img.naturalHeight * scale)];
    return {id: tile.dataset.id, src: img.getAttribute('src'), tile: [t.width, t.height], drawn};
})"""


@pytest.fixture(scope="module")
def show_server(
    tmp_path_factory: pytest.TempPathFactory, module_server_factory: Any
) -> ServerProcess:
    """One server: the tests use prompts of their own (stories, drawings)."""
    return module_server_factory(  # type: ignore[no-any-return]
        write_show(tmp_path_factory.mktemp("show"), SHOW, "onscreen.yaml")
    )


def test_on_screen_pop_up_waits_until_the_wall_shows_the_featured_work(
    show_server: ServerProcess,
    crew_of: Callable[[ServerProcess], Crew],
    open_display: Any,
    phone_page: Page,
) -> None:
    crew = crew_of(show_server)
    display = open_display(show_server)
    crew.goto("ask-text")
    on_screen(display, "ask-text")
    phone = phone_page
    phone.goto(f"{show_server.url}/join/{show_server.join_code}")
    join(phone, "Noor")
    send_text(phone, "The lighthouse blinks twice")
    first = item(phone, "text")
    expect(first).to_have_attribute("data-state", "sent")
    send_text(phone, "A gull keeps the minutes")
    expect(phone.locator("#history-list .sub[data-state=sent]")).to_have_count(2)
    second, first = item(phone, "text"), item(phone, "text", 1)  # newest first
    popup = phone.locator("#featured")

    # Featured while the projector shows the prompt slide: the phone hears it was chosen
    # (its list marks it) but is not told to look up at a stage that does not show it.
    crew.moderate(str(first.get_attribute("data-id")), "feature")
    expect(first).to_contain_text("★")
    expect(popup).to_be_hidden()
    assert display.evaluate("() => window.liveshowDisplay.cueId") == "ask-text"
    expect(first).not_to_contain_text("On screen")

    # The crew GOes to the wall: the featured story is in its spotlight, and the pop-up comes.
    crew.command("go")
    wall = on_screen(display, "text-wall")
    expect(wall.locator(".spot.in .spot-story")).to_have_text("The lighthouse blinks twice")
    expect(popup).to_be_visible()
    expect(popup).to_contain_text("You're on screen")
    expect(first).to_contain_text("On screen")
    phone.click("#featured-close")
    expect(popup).to_be_hidden()

    # Featured while that wall is up: it is in the spotlight at once, and so is the pop-up.
    second_id = str(second.get_attribute("data-id"))
    crew.moderate(second_id, "feature")
    expect(wall.locator(f'.spot.in[data-id="{second_id}"] .spot-story')).to_have_text(
        "A gull keeps the minutes"
    )
    expect(popup).to_be_visible()
    expect(second).to_contain_text("On screen")


def test_drawings_fill_their_tiles_on_a_full_hd_projector(
    show_server: ServerProcess,
    crew_of: Callable[[ServerProcess], Crew],
    open_display: Callable[..., Page],
    phone_of: Callable[..., LivePhone],
) -> None:
    crew = crew_of(show_server)
    display = open_display(show_server, size=(1920, 1080))
    crew.goto("ask-drawing")
    ana, ben = phone_of(show_server, "Ana"), phone_of(show_server, "Ben")
    # two drawings as the phone's pad makes them (1200x900), and a small one (a picture
    # smaller than its tile, which must be scaled up, not left at its natural size)
    drawings = [
        ana.upload("ask-drawing", "drawing", png_rgba(1200, 900), "a.png", "image/png"),
        ben.upload("ask-drawing", "drawing", png_rgba(1200, 900), "b.png", "image/png"),
        ben.upload("ask-drawing", "drawing", png_rgba(300, 200), "c.png", "image/png"),
    ]
    for drawing in drawings:
        crew.moderate(drawing)
    crew.goto("drawing-wall")
    wall = on_screen(display, "drawing-wall")
    for drawing in drawings:
        display.wait_for_function(
            IMG_LOADED,
            arg=f'#stage .layer[data-cue="drawing-wall"] .tile.in[data-id="{drawing}"] img',
        )
    items = {i["id"]: i for i in show_server.state()["cue"]["wall"]["items"]}
    boxes = wall.evaluate(DRAWN_BOXES)
    assert sorted(b["id"] for b in boxes) == sorted(drawings)
    for box in boxes:
        tile_w, tile_h = box["tile"]
        drawn_w, drawn_h = box["drawn"]
        assert tile_w > 500 and tile_h > 500, box  # a wall of three: big tiles at 1080p
        assert drawn_w >= 0.8 * tile_w or drawn_h >= 0.8 * tile_h, (
            f"drawing {box['id']} drawn {drawn_w:.0f}x{drawn_h:.0f} in a "
            f"{tile_w:.0f}x{tile_h:.0f} tile"
        )
        # the full-size drawing, not its 360x270 thumbnail blown up
        assert box["src"] == items[box["id"]]["media"]["url"], box


def test_work_featured_in_a_blackout_is_on_screen_only_when_the_light_returns(
    show_server: ServerProcess,
) -> None:
    """The wall is up but the stage is dark (blackout): featuring a story tells its phone
    nothing; when the blackout lifts with the wall still up, the phone is told. (Socket
    level: a phone call answered after the crew's decision shows what the decision sent.)"""
    crew, phone = Crew(show_server), LivePhone(show_server, "Noor")
    try:
        crew.goto("ask-text")
        sent = phone.text("ask-text", "A lamp in the fog")
        assert sent["ok"], sent
        crew.goto("text-wall")
        assert crew.command("blackout", {"on": True})["ok"]
        assert crew.moderate(sent["id"], "feature")["ok"]
        phone.call("react", {"kind": "no such reaction"})  # answered after what it was sent
        assert [s for s in phone.events("shown") if s["submission"] == sent["id"]] == []
        assert crew.command("blackout", {"on": False})["ok"]
        told = phone.wait(
            lambda: [s for s in phone.events("shown") if s["submission"] == sent["id"]],
            15,
            "the phone told its story is on screen",
        )
        assert told[-1]["featured"] is True
    finally:
        phone.close()
        crew.close()
