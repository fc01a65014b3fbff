"""The phone app in a Playwright page: a phone-sized browser context, the app opened from
the join link, joining, sending a story, and the entries of "My submissions"."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from playwright.sync_api import BrowserContext, Page, expect

from tests.helpers.server import ServerProcess

PHONE = {
    "viewport": {"width": 390, "height": 844},
    "is_mobile": True,
    "has_touch": True,
    "device_scale_factor": 2,
}
UI_TIMEOUT_MS = 15_000  # as conftest gives every expect()


def opened_phone(context: BrowserContext, srv: ServerProcess) -> Iterator[Page]:
    """The phone app, opened from the join link; page errors fail the test."""
    page = context.new_page()
    page.set_default_timeout(UI_TIMEOUT_MS)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"{srv.url}/join/{srv.join_code}")
    yield page
    assert not errors, errors


def phone_page_in(browser: Any) -> Iterator[Page]:
    """A phone-sized page of its own (not opened on any server yet); script errors on it
    fail the test."""
    context = browser.new_context(**PHONE)
    page = context.new_page()
    page.set_default_timeout(UI_TIMEOUT_MS)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield page
    context.close()
    assert not errors, errors


def join(page: Page, handle: str = "Ana") -> None:
    expect(page.locator("#screen-join")).to_be_visible()
    expect(page.locator("#conn")).to_have_attribute("data-state", "live")
    expect(page.locator("#terms-text")).to_contain_text("50/50")
    page.fill("#handle", handle)
    page.check("#consent")
    page.click("#join-button")
    expect(page.locator("#screen-app")).to_be_visible()
    expect(page.locator("#whoami")).to_contain_text(handle)


def send_text(page: Page, words: str) -> None:
    page.fill("#answer-text", words)
    page.click("#send-text")


def item(page: Page, kind: str, nth: int = 0) -> Any:
    """An entry of "My submissions" (newest first)."""
    return page.locator(f"#history-list .sub[data-kind={kind}]").nth(nth)
