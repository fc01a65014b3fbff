"""Rotating the join code must not lock out the room: a phone that already joined keeps
working on the link it came in on (reloads included; phones reload after the camera opens),
while a new phone on the old link is still refused with the clear "expired" page."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.helpers.crew import Crew
from tests.helpers.phone_page import PHONE, UI_TIMEOUT_MS, item, join, send_text
from tests.helpers.server import ServerProcess


@pytest.fixture
def open_phone(browser: Any) -> Iterator[Any]:
    """Opens a phone-sized page (its own browser storage) at a URL; script errors fail."""
    contexts: list[Any] = []
    errors: list[str] = []

    def open_(url: str) -> Page:
        context = browser.new_context(**PHONE)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(UI_TIMEOUT_MS)
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.goto(url)
        return page

    yield open_
    for context in contexts:
        context.close()
    assert not errors, errors


def test_a_joined_phone_reloads_after_the_code_rotates_and_a_new_one_is_refused(
    prompt_server: ServerProcess,
    prompt_crew: Crew,
    open_phone: Any,
) -> None:
    phone = open_phone(f"{prompt_server.url}/join/{prompt_server.join_code}")
    prompt_crew.goto("ask-text")
    join(phone, "Ana")
    old_link = phone.url
    prompt_crew.command("join_rotate")

    phone.reload()
    expect(phone.locator("#screen-fatal")).to_be_hidden()
    expect(phone.locator("#conn")).to_have_attribute("data-state", "live")
    expect(phone.locator("#screen-app")).to_be_visible()
    expect(phone.locator("#whoami")).to_contain_text("Ana")
    send_text(phone, "Still here after the rotation")
    expect(item(phone, "text")).to_have_attribute("data-state", "sent")
    assert [r["text"] for r in prompt_server.rows("select text from submissions")] == [
        "Still here after the rotation"
    ]

    # a phone that never joined, on the same old link: the expired page, not the app
    stranger = open_phone(old_link)
    expect(stranger.locator("h1")).to_contain_text("expired")
    assert stranger.evaluate("document.title") != "liveshow"  # the message page, not the app


def test_a_banned_phone_is_not_let_back_in_by_the_old_link(
    prompt_server: ServerProcess, prompt_crew: Crew, open_phone: Any
) -> None:
    phone = open_phone(f"{prompt_server.url}/join/{prompt_server.join_code}")
    prompt_crew.goto("ask-text")
    join(phone, "Troll")
    send_text(phone, "something rude")
    sent = item(phone, "text")
    expect(sent).to_have_attribute("data-state", "sent")
    prompt_crew.moderate(sent.get_attribute("data-id") or "", "ban")
    prompt_crew.command("join_rotate")
    response = phone.reload()
    assert response is not None and response.status == 404
    expect(phone.locator("h1")).to_contain_text("expired")
