"""The dashboard on a crew laptop (1440x900), as a run-through of the demo night found it
failing: the prompts rail beside the cue list cut off its counters, a group's sound row cut
its level, and pre-flight's result appeared below the fold where the crew member who pressed
Run checks did not see it. (The top bar's second row at 1440 px stays: one row would cut the
show's title, which the crew must read whole; see test_dashboard_browser.)"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.helpers.crew import Crew, crew_dashboard
from tests.helpers.server import ServerProcess

LAPTOP = {"width": 1440, "height": 900}

# The rail's first rows (All prompts, the open prompt, the one after it): each row's
# counters whole inside the list's visible box, neither cut at the side nor below it.
RAIL_CUT = """n => {
  const list = document.querySelector('#mod-prompts');
  const box = list.getBoundingClientRect();
  const right = box.left + list.clientLeft + list.clientWidth;
  const bottom = box.top + list.clientTop + list.clientHeight;
  return [...list.querySelectorAll(':scope > li')].slice(0, n).flatMap(li =>
    [...li.querySelectorAll('.mod-counts .c')].filter(c => {
      const r = c.getBoundingClientRect();
      return r.right > right + 0.5 || r.bottom > bottom + 0.5 || r.top < box.top - 0.5;
    }).map(c => li.textContent.trim().slice(0, 30) + ': ' + c.textContent));
}"""


@pytest.fixture(scope="module")
def srv(module_server_factory: Callable[..., ServerProcess], demo_show: Path) -> ServerProcess:
    """The demo night with a disk that is always short of space: the Disk badge shows."""
    return module_server_factory(demo_show, extra_env={"LIVESHOW_MIN_FREE_MB": "1000000000"})


@pytest.fixture
def crew(srv: ServerProcess) -> Iterator[Crew]:
    c = Crew(srv)
    yield c
    c.command("blackout", {"on": False})
    c.command("mode", {"mode": "edit"})
    c.close()


def dashboard(page: Page, srv: ServerProcess) -> Page:
    page.set_viewport_size(LAPTOP)
    return crew_dashboard(page, srv)  # type: ignore[no-any-return]


def test_a_running_group_rows_keep_their_level_whole_beside_the_stop_button(
    srv: ServerProcess, crew: Crew, page: Page
) -> None:
    dashboard(page, srv)
    crew.goto("harbour-at-night")
    row = page.locator('.child-row[data-child="harbour-at-night-gulls"]')
    expect(row.locator(".stop-cue")).to_be_visible()
    cell = row.locator("td.col-title")
    expect(cell.locator(".subtitle-text")).to_have_text(re.compile(r"^-9 dB"))
    cut = cell.evaluate("el => [el.scrollWidth, el.clientWidth]")
    assert cut[0] <= cut[1], f"the level is cut: {cut[0]}px of text in {cut[1]}px"


def test_the_prompts_rail_beside_the_cue_list_shows_its_counters_whole(
    srv: ServerProcess, crew: Crew, page: Page, phone_of: Any
) -> None:
    crew.goto("ask-story")
    for n in range(12):  # two-digit counts, as on a real night
        ack = phone_of(srv, f"Teller {n}").text("ask-story", f"A tiny story number {n}")
        assert ack["ok"], ack
    dashboard(page, srv)
    page.get_by_role("button", name="Cues + Queue").click()
    expect(page.locator("#mod-prompts .mod-prompt.is-open .c-pending .num")).to_have_text(
        re.compile(r"^\d\d+$")
    )
    assert page.evaluate(RAIL_CUT, 3) == []


def test_the_pre_flight_result_is_in_view_after_run_checks(
    srv: ServerProcess, crew: Crew, page: Page, phone_of: Any, open_display: Any
) -> None:
    """With the demo night's side column (a display, phones joined: at a glance shows),
    pre-flight sits under the fold."""
    open_display(srv)
    phone_of(srv, "Ana")
    dashboard(page, srv)
    page.get_by_role("button", name="Cues", exact=True).click()
    expect(page.locator("#glance")).to_be_visible()
    run_checks(page)


def run_checks(page: Page) -> None:
    page.locator("#preflight-run").click()
    summary = page.locator("#preflight-summary")
    expect(summary).to_have_text(re.compile(r"checked \d\d:\d\d:\d\d"))
    expect(summary).to_be_in_viewport(ratio=1)
