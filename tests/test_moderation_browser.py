"""The moderation queue in a real chromium against a real server, fed by simulated phones.

Phones are python-socketio clients on /audience (text) plus HTTP uploads (photos, drawings,
sounds); the crew drives cues with its own python-socketio client. Everything the audience
sends is untrusted and must reach the dashboard as text.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable
from typing import Any

import pytest
import requests
from playwright.sync_api import Page, expect

from tests.helpers.crew import Crew
from tests.helpers.phone import LivePhone
from tests.helpers.queue import item, queue_view, server_status
from tests.helpers.samples import jpeg, png_rgba
from tests.helpers.server import ServerProcess
from tests.helpers.waiting import wait_until

XSS_TEXT = "<img src=x onerror=window.pwned=1>"
XSS_HANDLE = "<b onclick=pwned=2>Bo</b>"


@pytest.fixture
def queue(page: Page, prompt_server: ServerProcess) -> Page:
    """The queue on a server of the test's own (for tests that count or see all of it)."""
    return queue_view(page, prompt_server)


@pytest.fixture
def shared_queue(page: Page, module_prompt_server: ServerProcess) -> Page:
    """The queue on the module's shared server."""
    return queue_view(page, module_prompt_server)


def test_text_and_photo_arrive_live_with_thumbnail_handle_and_status(
    queue: Page, prompt_server: ServerProcess, prompt_crew: Crew, phone_of: Callable[..., LivePhone]
) -> None:
    expect(queue.locator("#mod-empty")).to_contain_text("No submissions yet")
    ana, ben = phone_of(prompt_server, "Ana"), phone_of(prompt_server, "Ben")
    prompt_crew.goto("ask-text")
    story = ana.text("ask-text", "A lighthouse keeper learns to whistle")
    assert story["ok"], story
    row = item(queue, story["id"])
    expect(row).to_contain_text("A lighthouse keeper learns to whistle")
    expect(row.locator(".mod-handle")).to_have_text("Ana")
    expect(row).to_have_attribute("data-status", "pending")
    expect(row.locator(".mod-status")).to_contain_text("Pending")
    expect(row.locator(".mod-time")).to_have_text(re.compile(r"^\d\d:\d\d:\d\d$"))

    prompt_crew.goto("ask-photo")
    photo = ben.upload("ask-photo", "photo", jpeg(), "p.jpg", "image/jpeg")
    row = item(queue, photo)
    expect(row.locator(".mod-handle")).to_have_text("Ben")
    expect(row).to_have_attribute("data-status", "pending")
    thumb = row.locator(".mod-thumb img")
    expect(thumb).to_have_attribute("src", re.compile(r"^/media/[0-9a-f]{64}$"))
    wait_until(lambda: thumb.evaluate("img => img.complete && img.naturalWidth") > 0)
    # newest first
    ids = queue.locator("#mod-queue li").evaluate_all("rows => rows.map(r => r.dataset.id)")
    assert ids == [photo, story["id"]]
    # the crew state counts them per prompt, phones joined included
    expect(queue.locator('#mod-prompts [data-prompt="ask-photo"] .c-pending .num')).to_have_text(
        "1"
    )
    expect(queue.locator('#mod-prompts [data-prompt="ask-text"] .c-pending .num')).to_have_text("1")
    expect(queue.locator("#view-pending")).to_have_text("2")
    assert queue.evaluate("document.documentElement.scrollWidth") <= 1440  # fits 1440x900


def test_keyboard_approve_reaches_the_wall_and_a_rejected_one_does_not(
    queue: Page, prompt_server: ServerProcess, prompt_crew: Crew, phone_of: Callable[..., LivePhone]
) -> None:
    ana = phone_of(prompt_server, "Ana")
    prompt_crew.goto("ask-text")
    older = ana.text("ask-text", "The sea kept our shoes")
    newer = ana.text("ask-text", "A cat ran the harbour")
    prompt_crew.goto("text-wall")
    expect(item(queue, older["id"])).to_be_attached()
    expect(item(queue, newer["id"])).to_be_attached()

    # From the cue list view, the letters do nothing (A is not a show key)...
    queue.click('#view-switch [data-view="cues"]')
    expect(queue.locator("#moderation")).to_be_hidden()
    queue.locator('#cue-rows tr[data-cue="hello"]').click()
    queue.keyboard.press("a")
    queue.wait_for_timeout(300)
    expect(item(queue, newer["id"])).to_have_attribute("data-status", "pending")

    # ...M brings the queue up beside the cue list and focuses the newest; J/K move.
    queue.keyboard.press("m")
    expect(queue.locator("body")).to_have_class(re.compile(r"\bview-split\b"))
    expect(queue.locator("#cue-list")).to_be_visible()
    expect(item(queue, newer["id"])).to_be_focused()
    queue.keyboard.press("j")
    expect(item(queue, older["id"])).to_be_focused()
    queue.keyboard.press("k")
    expect(item(queue, newer["id"])).to_be_focused()
    queue.keyboard.press("a")
    expect(item(queue, newer["id"])).to_have_attribute("data-status", "approved")
    expect(item(queue, newer["id"]).locator(".mod-status")).to_contain_text("Approved")
    assert server_status(prompt_server, newer["id"]) == "approved"
    wall = wait_until(lambda: (s := prompt_server.state())["cue"]["wall"]["items"] and s)["cue"][
        "wall"
    ]
    assert [w["text"] for w in wall["items"]] == ["A cat ran the harbour"]

    # The cursor moved on to the next pending one; reject it with its button.
    expect(item(queue, older["id"])).to_be_focused()
    item(queue, older["id"]).locator('button[data-action="reject"]').click()
    expect(item(queue, older["id"])).to_have_attribute("data-status", "rejected")
    assert server_status(prompt_server, older["id"]) == "rejected"
    texts = [w["text"] for w in prompt_server.state()["cue"]["wall"]["items"]]
    assert texts == ["A cat ran the harbour"]
    # the cue list was never touched by any of these keys; Space is still GO in the queue
    assert prompt_server.state()["cue"]["id"] == "text-wall"
    expect(item(queue, older["id"]).locator('button[data-action="reject"]')).to_be_focused()
    queue.keyboard.press("Space")
    wait_until(lambda: prompt_server.state()["cue"]["id"] == "ask-photo")


def test_feature_tells_the_phone(
    shared_queue: Page,
    module_prompt_server: ServerProcess,
    module_prompt_crew: Crew,
    phone_of: Callable[..., LivePhone],
) -> None:
    queue, prompt_server, prompt_crew = shared_queue, module_prompt_server, module_prompt_crew
    cleo = phone_of(prompt_server, "Cleo")
    prompt_crew.goto("ask-drawing")
    drawing = cleo.upload("ask-drawing", "drawing", png_rgba(), "d.png", "image/png")
    row = item(queue, drawing)
    expect(row).to_be_visible()
    row.click()
    queue.keyboard.press("f")
    expect(row).to_have_attribute("data-status", "featured")
    expect(queue.locator("#toast-status")).to_contain_text("Featured Cleo")
    cleo.wait_for("featured", what="the phone to be told")
    assert cleo.events("featured")[0] == {"submission": drawing, "prompt": "ask-drawing"}


def test_ban_confirms_then_refuses_the_phone(
    shared_queue: Page,
    module_prompt_server: ServerProcess,
    module_prompt_crew: Crew,
    phone_of: Callable[..., LivePhone],
) -> None:
    queue, prompt_server, prompt_crew = shared_queue, module_prompt_server, module_prompt_crew
    troll, fine = phone_of(prompt_server, "Troll"), phone_of(prompt_server, "Fine")
    prompt_crew.goto("ask-text")
    first = troll.text("ask-text", "first rude thing")
    second = troll.text("ask-text", "second rude thing")
    kept = fine.text("ask-text", "a kind thing")
    expect(item(queue, first["id"])).to_be_visible()
    expect(item(queue, kept["id"])).to_be_visible()

    item(queue, second["id"]).click()
    queue.keyboard.press("x")
    dialog = queue.locator("#confirm-dialog")
    expect(dialog).to_be_visible()
    expect(queue.locator("#confirm-message")).to_contain_text("Troll")
    queue.keyboard.press("Escape")  # cancel: nothing happens, no panic
    expect(dialog).to_be_hidden()
    assert prompt_server.state()["blackout"] is False
    assert troll.text("ask-text", "still here")["ok"]

    item(queue, second["id"]).click()
    queue.keyboard.press("x")
    queue.click("#confirm-ok")
    expect(item(queue, second["id"])).to_have_attribute("data-status", "rejected")
    # the server rejected the phone's other pending work too; the queue shows it
    expect(item(queue, first["id"])).to_have_attribute("data-status", "rejected")
    expect(item(queue, first["id"])).to_contain_text("device banned")
    expect(item(queue, kept["id"])).to_have_attribute("data-status", "pending")
    assert server_status(prompt_server, first["id"]) == "rejected"

    refused = troll.text("ask-text", "let me back in")
    assert refused["ok"] is False and "can no longer take part" in refused["error"]
    assert fine.text("ask-text", "still welcome")["ok"]


def test_audience_text_and_handles_show_literally(
    shared_queue: Page,
    module_prompt_server: ServerProcess,
    module_prompt_crew: Crew,
    phone_of: Callable[..., LivePhone],
) -> None:
    queue, prompt_server, prompt_crew = shared_queue, module_prompt_server, module_prompt_crew
    mallory = phone_of(prompt_server, XSS_HANDLE)
    prompt_crew.goto("ask-text")
    sub = mallory.text("ask-text", XSS_TEXT)
    assert sub["ok"], sub
    row = item(queue, sub["id"])
    expect(row.locator(".mod-text")).to_have_text(XSS_TEXT)
    expect(row.locator(".mod-handle")).to_have_text(XSS_HANDLE)
    row.click()  # the current row shows everything, still as text
    row.locator(".mod-handle").hover()
    queue.wait_for_timeout(300)
    assert queue.evaluate("window.pwned") is None
    assert row.locator("img, b, script").count() == 0


def test_a_profane_text_carries_the_flag(
    shared_queue: Page,
    module_prompt_server: ServerProcess,
    module_prompt_crew: Crew,
    phone_of: Callable[..., LivePhone],
) -> None:
    queue, prompt_server, prompt_crew = shared_queue, module_prompt_server, module_prompt_crew
    dan = phone_of(prompt_server, "Dan")
    prompt_crew.goto("ask-text")
    rude = dan.text("ask-text", "fuck this shit")
    nice = dan.text("ask-text", "a quiet morning by the pier")
    flag = item(queue, rude["id"]).locator(".mod-flag")
    expect(flag).to_be_visible()
    expect(flag).to_have_text(re.compile(r"Flagged (0\.[89]\d|1\.00)"))
    expect(item(queue, rude["id"])).to_have_class(re.compile(r"\bflagged\b"))
    expect(item(queue, nice["id"])).to_be_visible()
    expect(item(queue, nice["id"]).locator(".mod-flag")).to_have_count(0)


def test_counts_per_prompt_and_closing_the_prompt(
    queue: Page, prompt_server: ServerProcess, prompt_crew: Crew, phone_of: Callable[..., LivePhone]
) -> None:
    eve = phone_of(prompt_server, "Eve")
    expect(queue.locator("#mod-open-text")).to_have_text("No prompt open")
    expect(queue.locator("#prompt-close")).to_be_hidden()
    prompt_crew.goto("ask-text")
    expect(queue.locator("#mod-open-text")).to_have_text("text: A tiny story")
    expect(queue.locator("#mod-joined")).to_have_text("1")
    counts = queue.locator('#mod-prompts [data-prompt="ask-text"]')
    subs = [eve.text("ask-text", f"story number {n}")["id"] for n in range(3)]
    for sub in subs:
        expect(item(queue, sub)).to_be_visible()
    expect(counts.locator(".c-pending .num")).to_have_text("3")
    expect(counts.locator(".c-approved .num")).to_have_text("0")

    item(queue, subs[0]).locator('button[data-action="approve"]').click()
    item(queue, subs[1]).locator('button[data-action="feature"]').click()
    expect(counts.locator(".c-pending .num")).to_have_text("1")
    expect(counts.locator(".c-approved .num")).to_have_text("1")
    expect(counts.locator(".c-featured .num")).to_have_text("1")
    assert prompt_server.state()["prompt"]["id"] == "ask-text"

    # Filter by prompt and status: only what waits for the open prompt.
    counts.click()
    queue.click('#mod-filters [data-status="pending"]')
    expect(queue.locator("#mod-queue li")).to_have_count(1)
    expect(queue.locator("#mod-queue li")).to_have_attribute("data-id", subs[2])
    queue.click('#mod-filters [data-status="pending-first"]')
    expect(queue.locator("#mod-queue li")).to_have_count(3)
    assert queue.locator("#mod-queue li").first.get_attribute("data-id") == subs[2]

    queue.click("#prompt-close")
    wait_until(lambda: prompt_server.state()["prompt"] is None)
    expect(queue.locator("#mod-open-text")).to_have_text("No prompt open")
    expect(queue.locator("#prompt-close")).to_be_hidden()
    expect(queue.locator("#toast-status")).to_contain_text("Closed")

    # A new join code, after a confirmation, and its URL on screen.
    old_url = prompt_server.state()["join_url"]
    queue.click("#join-rotate")
    queue.click("#confirm-ok")
    new_url = wait_until(lambda: (u := prompt_server.state()["join_url"]) != old_url and u)
    expect(queue.locator("#mod-join-url")).to_have_text(re.sub(r"^https?://", "", new_url))
    expect(queue.locator("#toast-status")).to_contain_text(new_url)


def test_hundreds_of_submissions_keep_the_dom_capped(
    queue: Page, prompt_server: ServerProcess, prompt_crew: Crew, phone_of: Callable[..., LivePhone]
) -> None:
    import threading

    prompt_crew.goto("ask-text")
    crowd = [phone_of(prompt_server, f"P{n}") for n in range(21)]

    def send(phone: LivePhone) -> None:
        for n in range(10):
            assert phone.text("ask-text", f"tale {n} of {phone.device}")["ok"]

    threads = [threading.Thread(target=send, args=(p,)) for p in crowd]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    expect(queue.locator("#mod-shown")).to_have_text(re.compile(r"newest 200 of 210"))
    expect(queue.locator("#mod-queue li")).to_have_count(200)
    expect(queue.locator("#view-pending")).to_have_text("210")
    # the keyboard still walks it, and the newest is first
    queue.locator("#mod-queue li").first.click()
    for _ in range(5):
        queue.keyboard.press("j")
    assert (
        queue.evaluate(
            "[...document.querySelectorAll('#mod-queue li')].indexOf(document.activeElement)"
        )
        == 5
    )


def test_the_crew_sees_the_vote_tally_before_the_poll_reveals_it(
    queue: Page, prompt_server: ServerProcess, prompt_crew: Crew, phone_of: Any
) -> None:
    prompt_crew.goto("ask-vote")
    for handle, option in (("Ana", "A"), ("Bo", "B"), ("Cy", "B")):
        assert phone_of(prompt_server, handle).vote("ask-vote", option)["ok"]
    row = queue.locator('#mod-prompts [data-prompt-row="ask-vote"]')
    expect(row.locator('.mod-tally-option[data-option="B"] .mod-tally-n')).to_have_text("2")
    expect(row.locator('.mod-tally-option[data-option="A"] .mod-tally-n')).to_have_text("1")
    expect(row.locator('.mod-tally-option[data-option="C"] .mod-tally-n')).to_have_text("0")
    expect(row.locator(".c-counted")).to_have_text("3 votes")
    # the cue list's view says it too, beside the open prompt
    queue.click('#view-switch [data-view="cues"]')
    expect(queue.locator("#prompt-open")).to_contain_text("votes so far: A 1, B 2, C 0")
    # and the room has not seen it: the projector is still on the prompt, not the poll
    assert prompt_server.state()["cue"]["kind"] == "prompt"


def test_the_results_export_holds_every_answer_and_counted_vote_as_plain_cells(
    queue: Page, prompt_server: ServerProcess, prompt_crew: Crew, phone_of: Any
) -> None:
    prompt_crew.goto("ask-text")
    ana, bo = phone_of(prompt_server, '=HYPERLINK("http://x")'), phone_of(prompt_server, "Bo")
    kept = ana.text("ask-text", "+1 gulls at dawn")["id"]
    gone = bo.text("ask-text", "not this one")["id"]
    prompt_crew.moderate(kept)
    prompt_crew.moderate(gone, "reject")
    prompt_crew.goto("ask-vote")
    assert bo.vote("ask-vote", "A")["ok"]
    final = bo.vote("ask-vote", "C")["id"]  # changed their mind: only this one counts
    with queue.expect_download() as download:
        queue.click("#results-export")
    assert download.value.suggested_filename == "results.csv"
    with open(download.value.path(), newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    by_id = {r["submission"]: r for r in rows}
    assert set(by_id) == {kept, gone, final}
    assert by_id[kept]["status"] == "approved" and by_id[gone]["status"] == "rejected"
    assert by_id[kept]["question"] == "A tiny story"
    assert by_id[final]["answer"] == "C" and by_id[final]["status"] == "counted"
    # what a phone typed never becomes a formula in a spreadsheet
    assert by_id[kept]["handle"] == '\'=HYPERLINK("http://x")'
    assert by_id[kept]["answer"] == "'+1 gulls at dawn"
    # and only the crew can have it
    assert requests.get(prompt_server.url + "/crew/results.csv", timeout=5).url.endswith("/login")
