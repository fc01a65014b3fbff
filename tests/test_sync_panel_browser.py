"""The crew dashboard's catalogue sync panel, in a real chromium against a real show server
and a real catalogue: what is pending, sent and failed, why, and Retry."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Locator, Page, expect

from tests.helpers import CAMERA_KEY
from tests.helpers.catalogue import TOKEN, CatalogueProcess
from tests.helpers.crew import Crew, crew_login
from tests.helpers.phone import LivePhone
from tests.helpers.samples import jpeg
from tests.helpers.server import ServerProcess
from tests.helpers.shows import write_show
from tests.helpers.sync import NIGHT_SHOW, register_take, upload_to_show
from tests.helpers.waiting import wait_until

CLIP = Path(__file__).resolve().parents[1] / "media" / "demo" / "tide-pools.mp4"


def count(page: Page, name: str) -> Locator:
    return page.locator(f'#sync-counts [data-count="{name}"] .sync-n')


def test_without_a_catalogue_the_sync_panel_says_not_configured(
    page: Page, server: ServerProcess
) -> None:
    crew_login(page, server)
    expect(page.locator("#connection")).to_have_class(re.compile(r"\bconnection-connected\b"))
    expect(page.locator("#sync-panel")).to_be_visible()
    expect(page.locator("#sync-state")).to_have_text("Not configured")
    expect(page.locator("#sync-catalogue")).to_contain_text("LIVESHOW_CATALOGUE_URL")
    expect(page.locator("#sync-counts")).to_be_hidden()
    expect(page.locator("#sync-retry")).to_be_hidden()


def test_the_crew_sees_what_waits_what_failed_and_why_and_retry_requeues_it(
    page: Page, tmp_path: Path, demo_show: Path
) -> None:
    catalogue = CatalogueProcess(tmp_path / "catalogue", empty=True)  # not started yet
    srv = ServerProcess(
        tmp_path / "data",
        write_show(tmp_path, NIGHT_SHOW, "night.yaml"),
        extra_env={
            "LIVESHOW_CAMERA_KEY": CAMERA_KEY,
            "LIVESHOW_CATALOGUE_URL": catalogue.url,
            "LIVESHOW_CATALOGUE_TOKEN": TOKEN,
            "LIVESHOW_SYNC_DELAY": "0",
        },
    ).start()
    crew, ana = Crew(srv), LivePhone(srv, "Ana <b>")
    try:
        crew.goto("ask-story")
        crew.moderate(ana.text("ask-story", "The lighthouse cat sang.")["id"])
        crew.goto("ask-photo")
        photo = ana.photo("ask-photo", jpeg(colour=(20, 40, 200)))
        crew.moderate(photo)
        take = "take-sync-panel-01"
        register_take(
            srv,
            {
                "id": take,
                "camera": "cam1",
                "raw": upload_to_show(srv, CLIP.read_bytes()),
                "backgrounds": [{"submission": photo, "start": 0.0, "end": 2.0}],
            },
        )
        # the catalogue does not answer: everything waits, and the crew sees why
        crew_login(page, srv)
        expect(page.locator("#sync-state")).to_have_text("Catalogue unreachable", timeout=20000)
        expect(page.locator("#sync-catalogue")).to_contain_text(catalogue.url)
        expect(count(page, "pending")).to_have_text("3")
        expect(count(page, "failed")).to_have_text("0")
        expect(page.locator("#sync-error")).to_be_visible()
        expect(page.locator("#sync-times")).to_contain_text("next try")
        expect(page.locator("#sync-retry")).to_be_disabled()

        # the photo's file is lost from the data directory: the take keyed over it cannot go
        sha = srv.rows("select media_sha256 from submissions where id = ?", (photo,))[0][0]
        srv.stop()
        (srv.data / "media" / sha).unlink()
        catalogue.start()
        srv.start()
        wait_until(
            lambda: srv.rows("select 1 from outbox where status = 'failed'"),
            60,  # 30 s ran out once in CI with two test workers (cause not found)
            "the take failed on the restarted server",
        )
        # A fresh dashboard: a reconnect racing the server's first round may be sent the state
        # from before it (seen with the sync service of 69fa6b4), which is not this panel's doing.
        page.reload()

        failed = page.locator(f'#sync-failed .sync-row[data-ref="{take}"]')
        expect(failed).to_be_visible(timeout=30000)
        expect(failed.locator(".sync-kind")).to_have_text("Take")
        expect(failed.locator(".sync-reason")).to_contain_text("missing")
        # its tries count the rounds the catalogue did not answer too
        tries = int(failed.locator(".sync-attempts").inner_text().split()[0])
        assert tries >= 1
        expect(count(page, "failed")).to_have_text("1")
        expect(count(page, "sent")).to_have_text("1", timeout=30000)  # the story
        expect(count(page, "pending")).to_have_text("0", timeout=30000)
        expect(page.locator("#sync-state")).to_have_text("Idle")
        retry = page.locator("#sync-retry")
        expect(retry).to_be_enabled()

        retry.click()
        expect(page.locator("#toast-status")).to_contain_text("1 item back in the queue")
        # tried again, and refused again for the same reason: the count of tries says so
        expect(failed.locator(".sync-attempts")).to_have_text(f"{tries + 1} tries", timeout=30000)
        expect(page.locator("#sync-failed .sync-row")).to_have_count(1)
        # text from the server stays text
        assert page.locator("#sync-panel b").count() == 0
    finally:
        crew.close()
        ana.close()
        srv.stop()
        catalogue.stop()
