"""The queue's letter keys in a real chromium against a real server.

Risk (seen in a run-through): new answers sort to the top while the keyboard selection stays
on decided items lower down, and pressing A walks down the decided list, approving a story the
crew had rejected. A/F/R decide the selected item only while it waits; after a decision the
selection moves to the next pending one; new answers take the selection off a decided one.
Changing a decision is a click on the item's own button, never a letter.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from playwright.sync_api import Page, expect

from tests.helpers.crew import Crew
from tests.helpers.phone import LivePhone
from tests.helpers.queue import item, queue_view, server_status
from tests.helpers.server import ServerProcess
from tests.helpers.waiting import wait_until

CURRENT = re.compile(r"\bcurrent\b")


def selected(page: Page) -> str | None:
    """The id of the row the queue's selection is on."""
    rows = page.locator("#mod-queue li.current")
    expect(rows).to_have_count(1)
    return rows.get_attribute("data-id")


def decided(crew: Crew) -> list[tuple[str, str]]:
    """Every decision the crew was told of, oldest first."""
    return [(e["id"], e["status"]) for e in crew.events("submission") if e["status"] != "pending"]


def test_a_after_new_answers_arrive_approves_them_not_the_decided_ones_below(
    page: Page,
    prompt_server: ServerProcess,
    prompt_crew: Crew,
    phone_of: Callable[..., LivePhone],
) -> None:
    queue = queue_view(page, prompt_server)
    ana, ben = phone_of(prompt_server, "Ana"), phone_of(prompt_server, "Ben")
    prompt_crew.goto("ask-text")
    a = ana.text("ask-text", "A rude story")["id"]
    b = ben.text("ask-text", "A kind story")["id"]
    expect(item(queue, a)).to_be_attached()
    expect(item(queue, b)).to_be_attached()

    # The crew rejects A and approves B by keyboard: R on A, then the selection is on B.
    item(queue, a).locator(".mod-text").click()
    expect(item(queue, a)).to_be_focused()
    queue.keyboard.press("r")
    expect(item(queue, b)).to_have_class(CURRENT)
    queue.keyboard.press("a")
    wait_until(lambda: server_status(prompt_server, a) == "rejected", what="A rejected")
    wait_until(lambda: server_status(prompt_server, b) == "approved", what="B approved")
    expect(item(queue, a)).to_have_attribute("data-status", "rejected")
    expect(item(queue, b)).to_have_attribute("data-status", "approved")

    # New answers arrive above the decided ones: the selection goes to a new one.
    c = ana.text("ask-text", "A new story C")["id"]
    d = ben.text("ask-text", "A new story D")["id"]
    expect(item(queue, c)).to_be_attached()
    expect(item(queue, d)).to_be_attached()
    first = wait_until(lambda: (s := selected(queue)) in (c, d) and s, what="C or D selected")
    expect(item(queue, first)).to_be_focused()

    # Each A approves the selected pending answer, then selects the other one.
    queue.keyboard.press("a")
    wait_until(lambda: server_status(prompt_server, first) == "approved", what="first approved")
    second = d if first == c else c
    expect(item(queue, second)).to_have_class(CURRENT)
    queue.keyboard.press("a")
    wait_until(lambda: server_status(prompt_server, second) == "approved", what="second approved")
    expect(item(queue, c)).to_have_attribute("data-status", "approved")
    expect(item(queue, d)).to_have_attribute("data-status", "approved")
    assert server_status(prompt_server, a) == "rejected"
    assert server_status(prompt_server, b) == "approved"

    # A with the selection put on the rejected story: nothing changes, and the crew is told.
    item(queue, a).locator(".mod-text").click()
    expect(item(queue, a)).to_have_class(CURRENT)
    queue.keyboard.press("a")
    expect(queue.locator("#toast-status")).to_contain_text("already rejected")
    # R on an approved one likewise; its own button is the deliberate way to change it.
    item(queue, b).locator(".mod-text").click()
    queue.keyboard.press("r")
    expect(queue.locator("#toast-status")).to_contain_text("already approved")
    item(queue, a).locator('button[data-action="approve"]').click()
    wait_until(lambda: server_status(prompt_server, a) == "approved", what="A approved by click")
    # Every decision the crew heard, in order: the refused keys sent nothing.
    decisions = wait_until(
        lambda: (got := decided(prompt_crew))[-1:] == [(a, "approved")] and got,
        what="the crew to hear A approved",
    )
    assert decisions == [
        (a, "rejected"),
        (b, "approved"),
        (first, "approved"),
        (second, "approved"),
        (a, "approved"),
    ]


def test_letters_typed_in_a_text_field_moderate_nothing(
    page: Page,
    prompt_server: ServerProcess,
    prompt_crew: Crew,
    phone_of: Callable[..., LivePhone],
) -> None:
    queue = queue_view(page, prompt_server)
    queue.click('#view-switch [data-view="split"]')
    prompt_crew.goto("ask-text")
    story = phone_of(prompt_server, "Ana").text("ask-text", "A story")["id"]
    item(queue, story).locator(".mod-text").click()
    expect(item(queue, story)).to_have_class(CURRENT)
    field = queue.locator("#jump-at")
    field.click()
    queue.keyboard.type("afr")
    expect(field).to_have_value("afr")
    # Had a letter decided the selected story, R below would find it decided and change nothing.
    item(queue, story).locator(".mod-text").click()
    queue.keyboard.press("r")
    wait_until(lambda: server_status(prompt_server, story) == "rejected", what="rejected by R")
    assert wait_until(lambda: decided(prompt_crew)) == [(story, "rejected")]
