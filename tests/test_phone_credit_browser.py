"""The phone keeps its credit: after the crew approves its work, the phone shows a private
claim link that opens the catalogue's claim page for tonight's work, and "Take back" removes
a piece from the wall (asking first), in a real phone-sized browser against real processes."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Dialog, Page, expect

from tests.helpers.catalogue import TOKEN, CatalogueProcess
from tests.helpers.crew import Crew
from tests.helpers.phone_page import PHONE, UI_TIMEOUT_MS, item, join, send_text
from tests.helpers.server import ServerProcess
from tests.helpers.shows import write_prompt_show
from tests.helpers.sync import run_sync


@pytest.fixture
def catalogue(tmp_path: Path) -> Iterator[CatalogueProcess]:
    server = CatalogueProcess(tmp_path / "catalogue", empty=True).start()
    yield server
    server.stop()


def test_the_phone_shows_its_claim_link_and_can_take_work_back(
    tmp_path: Path, catalogue: CatalogueProcess, browser: Any
) -> None:
    srv = ServerProcess(
        tmp_path / "data",
        write_prompt_show(tmp_path),
        extra_env={
            "LIVESHOW_CATALOGUE_URL": catalogue.url,
            "LIVESHOW_CATALOGUE_TOKEN": TOKEN,
            "LIVESHOW_SYNC_DELAY": "3600",  # the test syncs when it wants to
        },
    ).start()
    crew = Crew(srv)
    context = browser.new_context(**PHONE)
    phone: Page = context.new_page()
    phone.set_default_timeout(UI_TIMEOUT_MS)
    errors: list[str] = []
    phone.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        crew.goto("ask-text")
        phone.goto(f"{srv.url}/join/{srv.join_code}")
        join(phone)
        expect(phone.locator("#claim")).to_be_hidden()  # nothing made yet
        send_text(phone, "Kites argue with the wind")
        send_text(phone, "A second thought, better left unsaid")
        first, second = item(phone, "text", 1), item(phone, "text", 0)
        expect(first).to_have_attribute("data-state", "sent")
        expect(second).to_have_attribute("data-state", "sent")
        for sub in (first, second):
            crew.moderate(sub.get_attribute("data-id") or "")

        link = phone.locator("#claim-link")
        expect(link).to_be_visible(timeout=UI_TIMEOUT_MS)
        href = link.get_attribute("href") or ""
        assert href.startswith(f"{catalogue.url}/claim/") and len(href) > len(catalogue.url) + 40

        # "Take back" asks first; dismissing changes nothing
        taken = second.get_attribute("data-id")
        phone.once("dialog", lambda d: d.dismiss())
        second.locator(".sub-withdraw").click()
        expect(second).not_to_contain_text("Withdrawn")
        dialogs: list[str] = []

        def accept(dialog: Dialog) -> None:
            dialogs.append(dialog.message)
            dialog.accept()

        phone.once("dialog", accept)
        second.locator(".sub-withdraw").click()
        expect(second).to_contain_text("Withdrawn")
        expect(second.locator(".sub-withdraw")).to_have_count(0)
        assert "Take this back" in dialogs[0]
        crew.goto("text-wall")
        wall = {i["id"] for i in srv.state()["cue"]["wall"]["items"]}
        assert taken not in wall and first.get_attribute("data-id") in wall

        # after the sync, the link opens the catalogue's claim page for what was kept
        done = run_sync(srv.data, catalogue.url, TOKEN)
        assert done.returncode == 0, done.stdout + done.stderr
        page = context.new_page()
        page.goto(href)
        expect(page.locator("h1")).to_have_text("Claim your credit")
        expect(page.locator("main")).to_contain_text("1 piece")
        page.fill("input[name=handle]", "kite-writer")
        page.click("button[type=submit]")
        expect(page.locator("h1")).to_contain_text("kite-writer")
        assert not errors, errors
    finally:
        context.close()
        crew.close()
        srv.stop()
