"""The crew's moderation queue in a Playwright page, and the server's own word on an item."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Page, expect

from tests.helpers.crew import crew_dashboard
from tests.helpers.server import ServerProcess
from tests.helpers.sockets import SocketClient


def queue_view(page: Page, srv: ServerProcess) -> Page:
    """The dashboard, logged in, with the queue on screen (Queue view)."""
    crew_dashboard(page, srv)
    page.click('#view-switch [data-view="moderation"]')
    expect(page.locator("#moderation")).to_be_visible()
    return page


def item(page: Page, sub_id: str) -> Any:
    return page.locator(f'#mod-queue li[data-id="{sub_id}"]')


def server_status(srv: ServerProcess, sub_id: str) -> str | None:
    """The server's own word on a submission: the snapshot a fresh crew connection gets."""
    fresh = SocketClient(srv, "/crew", {"password": srv.password})
    try:
        got = fresh.wait_for("submissions", what="the submissions snapshot")
    finally:
        fresh.close()
    return next((e["status"] for e in got["items"] if e["id"] == sub_id), None)
