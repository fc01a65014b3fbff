"""The dashboard's "At a glance" sparklines in a real chromium against a real server: phones
joining and submitting move them (phones joined, submissions per minute per prompt, the
moderation backlog), and a decision brings the backlog down."""

from __future__ import annotations

import re
from collections.abc import Callable

from playwright.sync_api import Locator, Page, expect

from tests.helpers.crew import Crew, crew_login
from tests.helpers.phone import LivePhone
from tests.helpers.server import ServerProcess


def spark(page: Page, series: str) -> Locator:
    return page.locator(f'#glance-list [data-series="{series}"]')


def picture(page: Page, series: str) -> str:
    """The sparkline as drawn (its canvas's pixels)."""
    return str(spark(page, series).locator("canvas").evaluate("c => c.toDataURL()"))


def test_sparklines_move_as_phones_join_and_submit(
    page: Page,
    prompt_server: ServerProcess,
    prompt_crew: Crew,
    phone_of: Callable[..., LivePhone],
) -> None:
    crew_login(page, prompt_server)
    expect(page.locator("#connection")).to_have_class(re.compile(r"\bconnection-connected\b"))
    expect(page.locator("#glance")).to_be_visible()
    expect(spark(page, "joined")).to_have_attribute("data-last", "0")
    expect(spark(page, "pending")).to_have_attribute("data-last", "0")
    flat = picture(page, "joined")

    phones = [phone_of(prompt_server, f"P{i}") for i in range(3)]
    expect(spark(page, "joined")).to_have_attribute("data-last", "3", timeout=10000)
    expect(spark(page, "joined").locator(".spark-value")).to_have_text("3")
    assert picture(page, "joined") != flat  # the line rose

    prompt_crew.goto("ask-text")
    sent = [p.text("ask-text", f"story {i}") for i, p in enumerate(phones)]
    assert all(ack["ok"] for ack in sent), sent
    expect(spark(page, "rate:ask-text")).to_have_attribute("data-last", "3", timeout=10000)
    expect(spark(page, "rate:ask-text")).to_contain_text("ask-text /min")
    expect(spark(page, "pending")).to_have_attribute("data-last", "3", timeout=10000)

    assert prompt_crew.moderate(sent[0]["id"], "approve")["ok"]
    expect(spark(page, "pending")).to_have_attribute("data-last", "2", timeout=10000)
    expect(spark(page, "pending")).to_have_attribute("data-peak", "3")
    assert spark(page, "sync").count() == 0  # no catalogue configured: no sync line
