"""The phone app in a real (phone-sized) browser, against a real server process.

Each test names the risk it covers: an audience member who joins must stay joined across
reloads, photos must be made small on the phone, nothing made offline may be lost or sent
twice, a vote is one per phone, the "you're on screen" moment must arrive, and refusals (an
expired link, a file the server will not take) must be said clearly.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from email import policy
from email.parser import BytesParser
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pytest
import requests
from playwright.sync_api import BrowserContext, Page, Request, Route, expect

from tests.helpers.crew import Crew
from tests.helpers.phone_page import PHONE, item, join, opened_phone, send_text
from tests.helpers.samples import jpeg, wav
from tests.helpers.server import ServerProcess
from tests.helpers.shows import write_show
from tests.helpers.waiting import never_within, wait_until


# ---- helpers ---------------------------------------------------------------------------------
@pytest.fixture
def phone_context(browser: Any) -> Iterator[BrowserContext]:
    context = browser.new_context(**PHONE)
    yield context
    context.close()


@pytest.fixture
def phone(phone_context: BrowserContext, prompt_server: ServerProcess) -> Iterator[Page]:
    """The phone app on a server of the test's own (for tests that count what is stored)."""
    yield from opened_phone(phone_context, prompt_server)


@pytest.fixture
def shared_phone(
    phone_context: BrowserContext, module_prompt_server: ServerProcess
) -> Iterator[Page]:
    """The phone app on the module's shared server (a new phone: a new browser context)."""
    yield from opened_phone(phone_context, module_prompt_server)


def multipart(request: Request) -> dict[str, bytes]:
    head = f"Content-Type: {request.headers['content-type']}\r\n\r\n".encode()
    message = BytesParser(policy=policy.HTTP).parsebytes(head + (request.post_data_buffer or b""))
    return {
        part.get_param("name", header="content-disposition"): part.get_payload(decode=True)
        for part in message.iter_parts()
    }


# ---- tests ---------------------------------------------------------------------------------
def test_join_send_text_and_stay_joined_after_reload(
    prompt_server: ServerProcess, prompt_crew: Crew, phone: Page
) -> None:
    prompt_crew.goto("ask-text")
    join(phone, "Ana <b>Bold</b>")
    expect(phone.locator("#prompt-question")).to_have_text("A tiny story")
    phone.fill("#answer-text", "<img src=x onerror=alert(1)> swims")
    expect(phone.locator("#text-count")).to_have_text("34 / 50")
    phone.click("#send-text")
    sent = item(phone, "text")
    expect(sent).to_have_attribute("data-state", "sent")
    expect(sent).to_contain_text("✓ Sent")
    # user text stays text: no element was made from it
    expect(sent.locator(".sub-summary")).to_have_text("<img src=x onerror=alert(1)> swims")
    assert phone.locator("#history-list img, #whoami b").count() == 0

    device = phone.evaluate("localStorage.getItem('liveshow-device')")
    assert re.fullmatch(r"[0-9a-f]{32}", device), device
    stored = prompt_server.rows("select * from submissions where kind = 'text'")
    assert [(r["text"], r["handle"], r["device"]) for r in stored] == [
        ("<img src=x onerror=alert(1)> swims", "Ana <b>Bold</b>", device)
    ]
    assert stored[0]["id"] == sent.get_attribute("data-id")
    assert len(stored[0]["id"]) == 32

    phone.reload()
    expect(phone.locator("#conn")).to_have_attribute("data-state", "live")
    expect(phone.locator("#screen-app")).to_be_visible()
    expect(phone.locator("#screen-join")).to_be_hidden()
    expect(phone.locator("#answer-text")).to_be_visible()
    expect(item(phone, "text")).to_contain_text("✓ Sent")
    assert phone.evaluate("localStorage.getItem('liveshow-device')") == device
    # still the same joined phone: a second text is accepted under the same device
    send_text(phone, "Second story")
    expect(phone.locator("#history-list .sub[data-state=sent]")).to_have_count(2)
    expect(item(phone, "text")).to_contain_text("Second story")
    assert len(prompt_server.rows("select id from submissions where device = ?", (device,))) == 2


def test_a_photo_is_downscaled_on_the_phone_before_upload(
    prompt_server: ServerProcess, prompt_crew: Crew, phone: Page, tmp_path: Path
) -> None:
    prompt_crew.goto("ask-photo")
    join(phone)
    original = jpeg(3000, 2000)
    path = tmp_path / "big.jpg"
    path.write_bytes(original)
    uploads: list[Request] = []

    def watch(route: Route) -> None:  # routed requests carry their multipart body
        uploads.append(route.request)
        route.continue_()

    phone.route("**/api/submissions", watch)

    phone.set_input_files("#photo-camera", str(path))
    expect(phone.locator(".preview figcaption")).to_contain_text("1920 × 1280")
    phone.click("#send-photo")
    sent = item(phone, "photo")
    expect(sent).to_have_attribute("data-state", "sent")
    expect(sent).to_contain_text("✓ Sent")

    # what travelled: a JPEG at most 1920 px wide, with the id, prompt and kind
    assert len(uploads) == 1
    assert uploads[0].headers["authorization"].startswith("Bearer ")
    fields = multipart(uploads[0])
    assert fields["kind"] == b"photo" and fields["prompt"] == b"ask-photo"
    assert fields["id"].decode() == sent.get_attribute("data-id")
    picture = cv2.imdecode(np.frombuffer(fields["file"], np.uint8), cv2.IMREAD_COLOR)
    assert picture.shape[:2] == (1280, 1920)
    assert fields["file"][:2] == b"\xff\xd8"

    # what the crew and the database got
    new = wait_until(
        lambda: [s for s in prompt_crew.events("submission") if s["kind"] == "photo"],
        15,
        "the crew hearing about the photo",
    )
    assert new[0]["id"] == sent.get_attribute("data-id")
    (row,) = prompt_server.rows("select * from submissions where kind = 'photo'")
    assert row["width"] <= 1920 and (row["width"], row["height"]) == (1920, 1280)


def test_offline_work_waits_then_arrives_exactly_once(
    prompt_server: ServerProcess, prompt_crew: Crew, phone: Page, phone_context: BrowserContext
) -> None:
    prompt_crew.goto("ask-text")
    join(phone)
    phone_context.set_offline(True)
    expect(phone.locator("#conn")).to_have_attribute("data-state", "offline")
    expect(phone.locator("#offline-note")).to_be_visible()
    send_text(phone, "Written in the dark")
    send_text(phone, "Still no signal")
    pending = phone.locator("#history-list .sub[data-state=pending]")
    expect(pending).to_have_count(2)
    expect(pending.first).to_contain_text("⏳")
    expect(phone.locator("#history-count")).to_have_text("2 waiting to send")
    never_within(
        lambda: prompt_server.rows("select count(*) from submissions")[0][0],
        1.0,
        "a submission stored while the phone was offline",
    )

    phone_context.set_offline(False)
    expect(phone.locator("#history-list .sub[data-state=sent]")).to_have_count(2)
    expect(phone.locator("#history-count")).to_have_text("")
    ids = phone.eval_on_selector_all("#history-list .sub", "els => els.map(e => e.dataset.id)")

    def count() -> int:
        return int(prompt_server.rows("select count(*) from submissions")[0][0])

    wait_until(lambda: count() == 2, what="both texts stored")
    never_within(lambda: count() > 2, 0.5, "a duplicate")
    stored = prompt_server.rows("select id, text from submissions order by seq")
    assert [r["text"] for r in stored] == ["Written in the dark", "Still no signal"]
    assert sorted(r["id"] for r in stored) == sorted(ids)


def test_a_drawing_is_sent_as_a_transparent_png(
    prompt_server: ServerProcess, prompt_crew: Crew, phone: Page
) -> None:
    prompt_crew.goto("ask-drawing")
    join(phone)
    expect(phone.locator("#send-drawing")).to_be_disabled()
    box = phone.locator("#drawing-canvas").bounding_box()
    assert box and box["width"] >= 300

    def stroke(x0: float, y0: float, dx: float, dy: float) -> None:
        phone.mouse.move(box["x"] + x0, box["y"] + y0)
        phone.mouse.down()
        for i in range(1, 16):
            phone.mouse.move(box["x"] + x0 + dx * i, box["y"] + y0 + dy * i)
        phone.mouse.up()

    stroke(30, 30, 15, 8)
    phone.get_by_role("button", name="Coral").click()
    expect(phone.get_by_role("button", name="Coral")).to_have_attribute("aria-pressed", "true")
    stroke(200, 40, -6, 10)
    stroke(40, 240, 12, -1)
    phone.click("#draw-undo")  # the last stroke goes
    expect(phone.locator("#send-drawing")).to_be_enabled()
    phone.click("#send-drawing")
    sent = item(phone, "drawing")
    expect(sent).to_have_attribute("data-state", "sent")
    expect(sent.locator("img.thumb")).to_have_count(1)
    expect(phone.locator("#send-drawing")).to_be_disabled()  # a fresh canvas

    (row,) = prompt_server.rows("select * from submissions where kind = 'drawing'")
    assert row["mime"] == "image/png" and row["id"] == sent.get_attribute("data-id")
    png = requests.get(f"{prompt_server.url}/media/{row['media_sha256']}", timeout=5).content
    pixels = cv2.imdecode(np.frombuffer(png, np.uint8), cv2.IMREAD_UNCHANGED)
    assert pixels.shape == (900, 1200, 4)
    alpha = pixels[:, :, 3]
    assert (alpha == 0).mean() > 0.8 and (alpha == 255).sum() > 500
    coral = (pixels[:, :, 2] > 200) & (pixels[:, :, 1] < 140) & (alpha == 255)
    assert coral.sum() > 200  # the second stroke; the third was undone
    assert not alpha[740:830, 150:740].any()  # where the undone stroke was


def test_one_vote_per_phone_changeable_and_highlighted(
    prompt_server: ServerProcess, prompt_crew: Crew, phone: Page
) -> None:
    prompt_crew.goto("ask-vote")
    join(phone)
    a = phone.locator(".option[data-option=A]")
    b = phone.locator(".option[data-option=B]")
    a.click()
    expect(a).to_have_attribute("aria-pressed", "true")
    expect(phone.locator(".prompt .note")).to_contain_text("Your vote: A ✓")
    b.click()
    expect(b).to_have_attribute("aria-pressed", "true")
    expect(a).to_have_attribute("aria-pressed", "false")
    expect(phone.locator(".prompt .note")).to_contain_text("Your vote: B ✓")

    device = phone.evaluate("localStorage.getItem('liveshow-device')")
    votes = prompt_server.rows("select * from votes where prompt = 'ask-vote'")
    assert [(v["device"], v["option"]) for v in votes] == [(device, "B")]
    subs = prompt_server.rows("select id, option from submissions where kind = 'vote' order by seq")
    assert [s["option"] for s in subs] == ["A", "B"] and subs[0]["id"] != subs[1]["id"]
    poll = prompt_server.state()
    assert poll["prompt"]["id"] == "ask-vote"
    expect(phone.locator("#history-list .sub[data-kind=vote]")).to_have_count(1)
    expect(item(phone, "vote")).to_contain_text("B")

    phone.reload()
    expect(phone.locator(".option[data-option=B]")).to_have_attribute("aria-pressed", "true")


def test_featured_work_tells_the_phone(module_prompt_crew: Crew, shared_phone: Page) -> None:
    prompt_crew, phone = module_prompt_crew, shared_phone
    prompt_crew.goto("ask-text")
    join(phone)
    send_text(phone, "The moon swallows a kite")
    sent = item(phone, "text")
    expect(sent).to_have_attribute("data-state", "sent")
    expect(phone.locator("#featured")).to_be_hidden()
    prompt_crew.command(
        "moderate", {"submission": sent.get_attribute("data-id"), "action": "feature"}
    )
    expect(sent).to_contain_text("Featured")  # chosen, marked quietly: the prompt is up
    expect(phone.locator("#featured")).to_be_hidden()
    prompt_crew.goto("text-wall")  # the wall puts it in its spotlight: now the pop-up
    expect(phone.locator("#featured")).to_be_visible()
    expect(phone.locator("#featured")).to_contain_text("You're on screen")
    expect(sent).to_contain_text("On screen")
    phone.click("#featured-close")
    expect(phone.locator("#featured")).to_be_hidden()


def test_refusals_are_said_clearly(
    prompt_server: ServerProcess,
    prompt_crew: Crew,
    phone: Page,
    phone_context: BrowserContext,
    tmp_path: Path,
) -> None:
    # a wrong join code: a page saying so, not the app
    other = phone_context.new_page()
    response = other.goto(f"{prompt_server.url}/join/not-the-code")
    assert response is not None and response.status == 404
    expect(other.locator("h1")).to_contain_text("No show has the code")
    other.close()

    # too long for the prompt: stopped on the phone, nothing sent
    prompt_crew.goto("ask-text")
    join(phone)
    phone.fill("#answer-text", "x" * 55)
    expect(phone.locator("#text-count")).to_have_attribute("data-tone", "bad")
    expect(phone.locator("#text-count")).to_contain_text("5 too many")
    phone.click("#send-text")
    expect(phone.locator(".prompt .note")).to_contain_text("too long")
    expect(phone.locator("#history-list .sub")).to_have_count(0)

    # a sound goes up and is accepted; a file that is no sound is refused by the server,
    # and the phone shows the server's reason
    prompt_crew.goto("ask-sound")
    good = tmp_path / "hum.wav"
    good.write_bytes(wav(2.0))
    phone.set_input_files("#audio-file", str(good))
    expect(phone.locator(".file-info")).to_contain_text("hum.wav")
    expect(phone.locator(".file-info")).to_contain_text("2 s")
    phone.click("#send-audio")
    expect(item(phone, "audio")).to_have_attribute("data-state", "sent")

    bad = tmp_path / "notes.wav"
    bad.write_bytes(b"these are my shopping notes, not a recording\n" * 20)
    phone.set_input_files("#audio-file", str(bad))
    phone.click("#send-audio")
    refused = item(phone, "audio")
    expect(refused).to_have_attribute("data-state", "rejected")
    expect(refused).to_contain_text("✗ Rejected: that file is not a sound recording")
    expect(phone.locator(".prompt .note")).to_contain_text("not a sound recording")
    assert [r["kind"] for r in prompt_server.rows("select kind from submissions")] == ["audio"]

    # the crew rotates the join code: a phone that joined keeps its place with its token
    # (it reconnects fine), while the old link is dead for anyone new
    prompt_crew.command("join_rotate")
    phone_context.set_offline(True)
    expect(phone.locator("#conn")).to_have_attribute("data-state", "offline")
    phone_context.set_offline(False)
    expect(phone.locator("#conn")).to_have_attribute("data-state", "live")
    expect(phone.locator("#screen-fatal")).to_be_hidden()
    # (a newcomer is another phone: a tab in this phone's browser is this phone)
    elsewhere = phone_context.browser.new_context(**PHONE)
    response = elsewhere.new_page().goto(phone.url)
    assert response is not None and response.status == 404
    expect(elsewhere.pages[0].locator("h1")).to_contain_text("expired")
    elsewhere.close()


def test_a_join_code_typed_on_the_landing_page_opens_the_phone_app(
    phone_context: BrowserContext, module_prompt_server: ServerProcess
) -> None:
    prompt_server = module_prompt_server
    page = phone_context.new_page()
    page.goto(prompt_server.url + "/")
    # typed from the projector: capitals and stray spaces are forgiven
    page.fill("#join-code", f" {prompt_server.join_code.upper()} ")
    page.press("#join-code", "Enter")
    page.wait_for_url(f"{prompt_server.url}/join/{prompt_server.join_code}")
    join(page, "Typed")
    page.goto(prompt_server.url + "/")
    page.fill("#join-code", "nosuchcode")
    page.press("#join-code", "Enter")
    expect(page.locator("body")).to_contain_text("No show has the code “nosuchcode”")


def test_revealing_the_poll_closes_the_vote_on_the_phone(
    module_prompt_server: ServerProcess, module_prompt_crew: Crew, shared_phone: Page
) -> None:
    prompt_server, prompt_crew, phone = module_prompt_server, module_prompt_crew, shared_phone
    prompt_crew.goto("ask-vote")
    join(phone)
    phone.locator(".option[data-option=A]").click()
    expect(phone.locator(".prompt .note")).to_contain_text("until the poll closes")
    prompt_crew.goto("results")
    # the phone stops offering a vote that can no longer count
    expect(phone.locator(".option")).to_have_count(0)
    expect(phone.locator(".waiting")).to_contain_text("Waiting for the next prompt")
    assert prompt_server.state()["prompt"] is None


def test_a_phone_hears_its_work_is_up_on_the_wall(
    module_prompt_crew: Crew, shared_phone: Page
) -> None:
    prompt_crew, phone = module_prompt_crew, shared_phone
    prompt_crew.goto("ask-text")
    join(phone)
    send_text(phone, "A heron counts the boats")
    first = item(phone, "text")
    expect(first).to_have_attribute("data-state", "sent")
    send_text(phone, "The tide hums")
    expect(phone.locator("#history-list .sub[data-state=sent]")).to_have_count(2)
    second = item(phone, "text")  # newest first
    first = item(phone, "text", 1)
    prompt_crew.moderate(first.get_attribute("data-id"))
    expect(phone.locator("#on-wall")).to_be_hidden()  # approved, but no wall on stage yet
    prompt_crew.goto("text-wall")
    expect(phone.locator("#on-wall")).to_be_visible()
    expect(phone.locator("#on-wall")).to_contain_text("on the big screen")
    expect(first).to_contain_text("On the wall")
    expect(second).not_to_contain_text("On the wall")
    # approved while the wall is up: it appears on the wall, and the phone hears so
    prompt_crew.moderate(second.get_attribute("data-id"))
    expect(second).to_contain_text("On the wall")


def test_a_reaction_floats_up_the_projector_and_a_flood_is_limited(
    module_prompt_server: ServerProcess, shared_phone: Page, open_display: Any, phone_of: Any
) -> None:
    prompt_server, phone = module_prompt_server, shared_phone
    display = open_display(prompt_server)
    join(phone)
    # pictures, not emoji: a projector or phone without a colour-emoji font drew the applause
    # as an empty box
    for kind in ("heart", "applause"):
        button = phone.locator(f'#reactions [data-react="{kind}"]')
        expect(button.locator("svg.reaction-icon")).to_have_count(1)
        assert button.inner_text().strip() == ""
        button.click()
        floating = display.locator(f'#reactions .reaction[data-kind="{kind}"]').first
        expect(floating).to_be_attached()
        expect(floating.locator("svg.reaction-icon")).to_have_count(1)
        assert floating.text_content() == ""

    # one phone hammering the button: a burst gets through, then it is told to slow down
    flood = phone_of(prompt_server, "Fast")
    acks = [flood.call("react", {"kind": "applause"}) for _ in range(15)]
    refused = [a for a in acks if not a["ok"]]
    assert refused and all("slow down" in a["error"] for a in refused)
    assert "must be one of" in flood.call("react", {"kind": "<script>"})["error"]


WORD_SHOW = """\
title: One word
cues:
  - {id: ask-word, kind: prompt, prompt: {kind: text, question: "One word", max_length: 24}}
"""


def test_a_one_word_prompt_gets_one_line_and_enter_sends_it(
    server_factory: Any, crew_of: Any, phone_context: BrowserContext, tmp_path: Path
) -> None:
    srv = server_factory(write_show(tmp_path, WORD_SHOW))
    crew_of(srv).goto("ask-word")
    page = phone_context.new_page()
    page.goto(f"{srv.url}/join/{srv.join_code}")
    join(page)
    area = page.locator("#answer-text")
    expect(area).to_be_visible()
    line = area.evaluate("e => parseFloat(getComputedStyle(e).lineHeight)")
    box = area.bounding_box()
    assert box and box["height"] < 2.5 * line, "a one-word answer is one line, not a page"
    area.fill("Lanterns")
    area.press("Enter")
    expect(item(page, "text")).to_have_attribute("data-state", "sent")
    expect(area).to_have_value("")  # sent, not a new line in the box
