"""The moderation queue in a real chromium against a real server, fed by simulated phones.

Phones are python-socketio clients on /audience (text) plus HTTP uploads (photos, drawings,
sounds); the crew drives cues with its own python-socketio client. Everything the audience
sends is untrusted and must reach the dashboard as text.
"""
from __future__ import annotations

import re
import secrets
import time
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest
import requests
from playwright.sync_api import Page, expect

from liveshow.audience.terms import TERMS_VERSION
from tests.audience_helpers import jpeg, png_rgba, write_prompt_show
from tests.conftest import ServerProcess, crew_login, sio_client

XSS_TEXT = "<img src=x onerror=window.pwned=1>"
XSS_HANDLE = "<b onclick=pwned=2>Bo</b>"


def wait_until(check: Callable[[], Any], timeout: float = 5.0) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value or time.monotonic() > deadline:
            assert value, "condition not met in time"
            return value
        time.sleep(0.05)


def new_id() -> str:
    return "sub-" + secrets.token_hex(8)


class Phone:
    """A phone in the room: joined over /audience; text over the socket, files over HTTP."""

    def __init__(self, srv: ServerProcess, handle: str, device: str | None = None) -> None:
        self.srv = srv
        self.device = device or "phone-" + secrets.token_hex(8)
        self.featured: list[dict[str, Any]] = []
        self.client = sio_client(srv, "/audience", {"code": srv.join_code, "device": self.device})
        self.client.on("featured", self.featured.append, namespace="/audience")
        ack = self.client.call("join", {"handle": handle, "consent": {
            "accepted": True, "terms_version": TERMS_VERSION}}, namespace="/audience", timeout=10)
        assert ack["ok"], ack
        self.token: str = ack["token"]

    def text(self, prompt: str, text: str) -> dict[str, Any]:
        sub = new_id()
        ack = self.client.call("submit", {"id": sub, "prompt": prompt, "kind": "text", "text": text},
                               namespace="/audience", timeout=10)
        return {"id": sub, **ack}

    def upload(self, prompt: str, kind: str, data: bytes, name: str, mime: str) -> str:
        sub = new_id()
        response = requests.post(self.srv.url + "/api/submissions",
                                 headers={"Authorization": "Bearer " + self.token},
                                 data={"id": sub, "prompt": prompt, "kind": kind},
                                 files={"file": (name, data, mime)}, timeout=30)
        assert response.status_code == 201, response.text
        return sub

    def close(self) -> None:
        self.client.disconnect()


class Crew:
    def __init__(self, srv: ServerProcess) -> None:
        self.client = sio_client(srv, "/crew", {"password": srv.password})

    def goto(self, cue: str) -> None:
        ack = self.client.call("goto", {"cue": cue}, namespace="/crew", timeout=10)
        assert ack["ok"], ack

    def close(self) -> None:
        self.client.disconnect()


@pytest.fixture
def srv(server_factory: Any, tmp_path: Path) -> ServerProcess:
    return server_factory(write_prompt_show(tmp_path))  # type: ignore[no-any-return]


@pytest.fixture
def crew(srv: ServerProcess) -> Iterator[Crew]:
    c = Crew(srv)
    yield c
    c.close()


@pytest.fixture
def phones(srv: ServerProcess) -> Iterator[Callable[..., Phone]]:
    made: list[Phone] = []

    def make(handle: str = "Ana") -> Phone:
        phone = Phone(srv, handle)
        made.append(phone)
        return phone
    yield make
    for phone in made:
        phone.close()


@pytest.fixture
def queue(page: Page, srv: ServerProcess) -> Page:
    """The dashboard, logged in, with the queue on screen (Queue view)."""
    crew_login(page, srv)
    expect(page.locator("#connection")).to_have_class(re.compile(r"\bconnection-connected\b"))
    page.click('#view-switch [data-view="moderation"]')
    expect(page.locator("#moderation")).to_be_visible()
    return page


def item(page: Page, sub_id: str) -> Any:
    return page.locator(f'#mod-queue li[data-id="{sub_id}"]')


def server_status(srv: ServerProcess, sub_id: str) -> str | None:
    """The server's own word on a submission: the snapshot a fresh crew connection gets."""
    import socketio
    got: list[dict[str, Any]] = []
    client = socketio.Client(reconnection=False)
    client.on("submissions", got.append, namespace="/crew")
    client.connect(srv.url, namespaces=["/crew"], auth={"password": srv.password},
                   transports=["websocket"], wait_timeout=10)
    try:
        wait_until(lambda: got)
    finally:
        client.disconnect()
    return next((e["status"] for e in got[0]["items"] if e["id"] == sub_id), None)


def test_text_and_photo_arrive_live_with_thumbnail_handle_and_status(
        queue: Page, srv: ServerProcess, crew: Crew, phones: Callable[..., Phone]) -> None:
    expect(queue.locator("#mod-empty")).to_contain_text("No submissions yet")
    ana, ben = phones("Ana"), phones("Ben")
    crew.goto("ask-text")
    story = ana.text("ask-text", "A lighthouse keeper learns to whistle")
    assert story["ok"], story
    row = item(queue, story["id"])
    expect(row).to_contain_text("A lighthouse keeper learns to whistle")
    expect(row.locator(".mod-handle")).to_have_text("Ana")
    expect(row).to_have_attribute("data-status", "pending")
    expect(row.locator(".mod-status")).to_contain_text("Pending")
    expect(row.locator(".mod-time")).to_have_text(re.compile(r"^\d\d:\d\d:\d\d$"))

    crew.goto("ask-photo")
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
    expect(queue.locator('#mod-prompts [data-prompt="ask-photo"] .c-pending .num')).to_have_text("1")
    expect(queue.locator('#mod-prompts [data-prompt="ask-text"] .c-pending .num')).to_have_text("1")
    expect(queue.locator("#view-pending")).to_have_text("2")
    assert queue.evaluate("document.documentElement.scrollWidth") <= 1440   # fits 1440x900


def test_keyboard_approve_reaches_the_wall_and_a_rejected_one_does_not(
        queue: Page, srv: ServerProcess, crew: Crew, phones: Callable[..., Phone]) -> None:
    ana = phones("Ana")
    crew.goto("ask-text")
    older = ana.text("ask-text", "The sea kept our shoes")
    newer = ana.text("ask-text", "A cat ran the harbour")
    crew.goto("text-wall")
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
    assert server_status(srv, newer["id"]) == "approved"
    wall = wait_until(lambda: (s := srv.state())["cue"]["wall"]["items"] and s)["cue"]["wall"]
    assert [w["text"] for w in wall["items"]] == ["A cat ran the harbour"]

    # The cursor moved on to the next pending one; reject it with its button.
    expect(item(queue, older["id"])).to_be_focused()
    item(queue, older["id"]).locator('button[data-action="reject"]').click()
    expect(item(queue, older["id"])).to_have_attribute("data-status", "rejected")
    assert server_status(srv, older["id"]) == "rejected"
    texts = [w["text"] for w in srv.state()["cue"]["wall"]["items"]]
    assert texts == ["A cat ran the harbour"]
    # the cue list was never touched by any of these keys; Space is still GO in the queue
    assert srv.state()["cue"]["id"] == "text-wall"
    expect(item(queue, older["id"]).locator('button[data-action="reject"]')).to_be_focused()
    queue.keyboard.press("Space")
    wait_until(lambda: srv.state()["cue"]["id"] == "ask-photo")


def test_feature_tells_the_phone(queue: Page, srv: ServerProcess, crew: Crew,
                                 phones: Callable[..., Phone]) -> None:
    cleo = phones("Cleo")
    crew.goto("ask-drawing")
    drawing = cleo.upload("ask-drawing", "drawing", png_rgba(), "d.png", "image/png")
    row = item(queue, drawing)
    expect(row).to_be_visible()
    row.click()
    queue.keyboard.press("f")
    expect(row).to_have_attribute("data-status", "featured")
    expect(queue.locator("#toast-status")).to_contain_text("Featured Cleo")
    wait_until(lambda: cleo.featured)
    assert cleo.featured[0] == {"submission": drawing, "prompt": "ask-drawing"}


def test_ban_confirms_then_refuses_the_phone(queue: Page, srv: ServerProcess, crew: Crew,
                                             phones: Callable[..., Phone]) -> None:
    troll, fine = phones("Troll"), phones("Fine")
    crew.goto("ask-text")
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
    queue.keyboard.press("Escape")            # cancel: nothing happens, no panic
    expect(dialog).to_be_hidden()
    assert srv.state()["blackout"] is False
    assert troll.text("ask-text", "still here")["ok"]

    item(queue, second["id"]).click()
    queue.keyboard.press("x")
    queue.click("#confirm-ok")
    expect(item(queue, second["id"])).to_have_attribute("data-status", "rejected")
    # the server rejected the phone's other pending work too; the queue shows it
    expect(item(queue, first["id"])).to_have_attribute("data-status", "rejected")
    expect(item(queue, first["id"])).to_contain_text("device banned")
    expect(item(queue, kept["id"])).to_have_attribute("data-status", "pending")
    assert server_status(srv, first["id"]) == "rejected"

    refused = troll.text("ask-text", "let me back in")
    assert refused["ok"] is False and "can no longer take part" in refused["error"]
    assert fine.text("ask-text", "still welcome")["ok"]


def test_audience_text_and_handles_show_literally(queue: Page, srv: ServerProcess, crew: Crew,
                                                 phones: Callable[..., Phone]) -> None:
    mallory = phones(XSS_HANDLE)
    crew.goto("ask-text")
    sub = mallory.text("ask-text", XSS_TEXT)
    assert sub["ok"], sub
    row = item(queue, sub["id"])
    expect(row.locator(".mod-text")).to_have_text(XSS_TEXT)
    expect(row.locator(".mod-handle")).to_have_text(XSS_HANDLE)
    row.click()                                # the current row shows everything, still as text
    row.locator(".mod-handle").hover()
    queue.wait_for_timeout(300)
    assert queue.evaluate("window.pwned") is None
    assert row.locator("img, b, script").count() == 0


def test_a_profane_text_carries_the_flag(queue: Page, srv: ServerProcess, crew: Crew,
                                         phones: Callable[..., Phone]) -> None:
    dan = phones("Dan")
    crew.goto("ask-text")
    rude = dan.text("ask-text", "fuck this shit")
    nice = dan.text("ask-text", "a quiet morning by the pier")
    flag = item(queue, rude["id"]).locator(".mod-flag")
    expect(flag).to_be_visible()
    expect(flag).to_have_text(re.compile(r"Flagged (0\.[89]\d|1\.00)"))
    expect(item(queue, rude["id"])).to_have_class(re.compile(r"\bflagged\b"))
    expect(item(queue, nice["id"])).to_be_visible()
    expect(item(queue, nice["id"]).locator(".mod-flag")).to_have_count(0)


def test_counts_per_prompt_and_closing_the_prompt(queue: Page, srv: ServerProcess, crew: Crew,
                                                  phones: Callable[..., Phone]) -> None:
    eve = phones("Eve")
    expect(queue.locator("#mod-open-text")).to_have_text("No prompt open")
    expect(queue.locator("#prompt-close")).to_be_hidden()
    crew.goto("ask-text")
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
    assert srv.state()["prompt"]["id"] == "ask-text"

    # Filter by prompt and status: only what waits for the open prompt.
    counts.click()
    queue.click('#mod-filters [data-status="pending"]')
    expect(queue.locator("#mod-queue li")).to_have_count(1)
    expect(queue.locator("#mod-queue li")).to_have_attribute("data-id", subs[2])
    queue.click('#mod-filters [data-status="pending-first"]')
    expect(queue.locator("#mod-queue li")).to_have_count(3)
    assert queue.locator("#mod-queue li").first.get_attribute("data-id") == subs[2]

    queue.click("#prompt-close")
    wait_until(lambda: srv.state()["prompt"] is None)
    expect(queue.locator("#mod-open-text")).to_have_text("No prompt open")
    expect(queue.locator("#prompt-close")).to_be_hidden()
    expect(queue.locator("#toast-status")).to_contain_text("Closed")

    # A new join code, after a confirmation, and its URL on screen.
    old_url = srv.state()["join_url"]
    queue.click("#join-rotate")
    queue.click("#confirm-ok")
    new_url = wait_until(lambda: (u := srv.state()["join_url"]) != old_url and u)
    expect(queue.locator("#mod-join-url")).to_have_text(re.sub(r"^https?://", "", new_url))
    expect(queue.locator("#toast-status")).to_contain_text(new_url)


def test_hundreds_of_submissions_keep_the_dom_capped(queue: Page, srv: ServerProcess,
                                                     crew: Crew, phones: Callable[..., Phone]) -> None:
    import threading
    crew.goto("ask-text")
    crowd = [phones(f"P{n}") for n in range(21)]

    def send(phone: Phone) -> None:
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
    assert queue.evaluate("[...document.querySelectorAll('#mod-queue li')]"
                          ".indexOf(document.activeElement)") == 5
