"""A cue inside a group is shown as the same cue at the top of the list is, in real browsers
against a real server whose records were pulled from a real catalogue: on the dashboard, a
catalogue record cue in a group is listed by what it screens (the pulled record's type, title
and credits), as the same record one level up is (it was listed as "record", by its id, with
no credits); on the projector, a sound heard under the group's picture has its title and
credits on screen while it plays, as a sound cue's card has them (they reached the credits
roll but were never seen), and they go when the crew stops the sound."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.helpers.catalogue import CatalogueProcess, run_pull
from tests.helpers.crew import Crew, crew_login
from tests.helpers.display import on_screen
from tests.helpers.server import ServerProcess
from tests.helpers.shows import write_show

STORY = 1  # the demo community's text record (the same id on every fresh catalogue)
MEDIA = Path(__file__).resolve().parents[1] / "media" / "demo"
SHOW = f"""\
title: Pulled group night
cues:
  - {{id: opening, kind: title, title: Opening}}
  - {{id: story, kind: record, record: {STORY}, duration: 30}}
  - id: tide
    kind: group
    title: The story, with gull song
    cues:
      - {{id: tide-story, kind: record, record: {STORY}, duration: 30}}
      - {{id: tide-song, kind: record, title: Gull Song, media: {MEDIA}/gull-song.m4a,
          credits: [{{role: recordist, name: Kofi Mensah}}]}}
  - {{id: end, kind: title, title: End}}
"""


@pytest.fixture
def pulled(tmp_path: Path, demo_show: Path) -> Iterator[tuple[Path, Path]]:
    """The show, and a data directory with its catalogue records pulled (the catalogue is
    gone again before the show opens, as on a night without internet)."""
    catalogue = CatalogueProcess(tmp_path / "catalogue").start()
    try:
        show = write_show(tmp_path, SHOW, "pulled-group.yaml")
        result = run_pull(tmp_path / "data", show, catalogue.url)
        assert result.returncode == 0, result.stdout + result.stderr
    finally:
        catalogue.stop()
    yield show, tmp_path / "data"


def test_a_cue_inside_a_group_is_shown_as_at_top_level(
    server_factory: Callable[..., ServerProcess],
    crew_of: Callable[[ServerProcess], Crew],
    open_display: Any,
    pulled: tuple[Path, Path],
    page: Page,
) -> None:
    show, data = pulled
    srv = server_factory(show, data=data)
    crew_login(page, srv)

    top = page.locator('tr[data-cue="story"]')
    inner = page.locator('tr.child-row[data-child="tide-story"]')
    expect(top.locator(".col-kind")).to_have_text("text")  # what the record is, as pulled
    for column in (".col-kind", ".col-credits", ".title-text"):
        shown = top.locator(column).text_content() or ""
        assert shown, column
        expect(inner.locator(column)).to_have_text(shown)
    expect(inner.locator(".col-credits")).to_have_attribute(
        "title", top.locator(".col-credits").get_attribute("title") or "?"
    )
    assert top.locator(".title-text").text_content() not in ("story", "tide-story")  # pulled
    # the cue's details name the pulled record's credits too, as its row's tooltip does
    top.click()
    details = page.locator("#selected-detail")
    expect(details.locator("dt", has_text="Credits")).to_have_count(1)
    for line in (top.locator(".col-credits").get_attribute("title") or "?").split("\n"):
        expect(details).to_contain_text(line)

    display = open_display(srv)
    crew_of(srv).goto("tide")
    group = on_screen(display, "tide")
    seen = group.locator(".credits-line").filter(has_text="Kofi Mensah").filter(visible=True)
    expect(seen).to_have_count(1)
    expect(seen).to_have_text("recordist Kofi Mensah")
    expect(group.get_by_text("Gull Song").filter(visible=True)).to_have_count(1)
    page.locator('tr.child-row[data-child="tide-song"] button.stop-cue').click()
    expect(seen).to_have_count(0)  # the stopped sound's credits go with it
    expect(group.locator(".story-text")).to_be_visible()  # the story plays on
