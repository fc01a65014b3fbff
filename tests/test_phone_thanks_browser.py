"""The end of the night on the phones: when the show's last cue starts, every phone shows
a thank-you screen with what it made tonight and its own claim link to the night's credits
(in a real phone-sized browser against a real server)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from playwright.sync_api import Page, expect

from tests.helpers.crew import Crew
from tests.helpers.phone_page import PHONE, item, join, send_text
from tests.helpers.server import ServerProcess
from tests.helpers.shows import write_prompt_show

CATALOGUE = "http://catalogue.invalid:5100"  # only named in links: nothing is sent there


def test_the_last_cue_thanks_each_phone_with_its_claim_link(
    server_factory: Callable[..., ServerProcess],
    crew_of: Callable[[ServerProcess], Crew],
    phone_page: Page,
    browser: Any,
    tmp_path: Path,
) -> None:
    srv = server_factory(
        write_prompt_show(tmp_path), extra_env={"LIVESHOW_CATALOGUE_PUBLIC_URL": CATALOGUE}
    )
    crew = crew_of(srv)
    crew.goto("ask-text")
    phone = phone_page
    phone.goto(f"{srv.url}/join/{srv.join_code}")
    join(phone, "Ana")
    send_text(phone, "The harbour hums at night")
    expect(item(phone, "text")).to_have_attribute("data-state", "sent")
    send_text(phone, "Gulls audit the fish")
    expect(phone.locator("#history-list .sub[data-state=sent]")).to_have_count(2)
    crew.goto("ask-vote")
    phone.locator(".option[data-option=B]").click()
    expect(item(phone, "vote")).to_have_attribute("data-state", "sent")
    crew.goto("results")  # not the end yet
    expect(phone.locator(".waiting")).to_be_visible()
    expect(phone.locator("#thanks")).to_have_count(0)
    assert srv.state()["ended"] is False

    crew.goto("roll")  # the show's last cue
    thanks = phone.locator("#thanks")
    expect(thanks).to_be_visible()
    expect(thanks).to_contain_text("Thank you")
    expect(phone.locator("#thanks-made")).to_have_text("Tonight you made 2 stories.")
    claim = phone.evaluate("localStorage.getItem('liveshow-claim')")
    link = phone.locator("#thanks-claim-link")
    expect(link).to_have_attribute("href", f"{CATALOGUE}/claim/{claim}")
    expect(phone.locator("#claim")).to_be_hidden()  # one claim link on the screen, not two
    assert srv.state()["ended"] is True

    # a phone that joined and made nothing is thanked once, not twice, and has no claim
    idle_context = browser.new_context(**PHONE)
    try:
        idle = idle_context.new_page()
        idle.goto(f"{srv.url}/join/{srv.join_code}")
        join(idle, "Bo")
        expect(idle.locator("#thanks-made")).to_have_text("You were part of it. See you next time!")
        assert idle.locator("#thanks").inner_text().count("Thank you") == 1
        expect(idle.locator("#thanks-claim")).to_be_hidden()
    finally:
        idle_context.close()

    # a reload at the end comes back to the thank-you screen
    phone.reload()
    expect(phone.locator("#thanks-claim-link")).to_have_attribute(
        "href", f"{CATALOGUE}/claim/{claim}"
    )
    # the crew steps back from the end: the phones wait for the next prompt again
    crew.goto("results")
    expect(phone.locator(".waiting")).to_be_visible()
    expect(phone.locator("#thanks")).to_have_count(0)
