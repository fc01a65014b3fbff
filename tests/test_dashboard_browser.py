"""The crew dashboard in a real chromium against a real server: what could go wrong mid-show."""

from __future__ import annotations

import re
import time
from typing import Any

import pytest
import yaml
from playwright.sync_api import Page, expect

from liveshow.show.demo import DEMO_SHOW
from liveshow.show.showfile import load_file
from tests.helpers import DISPLAY_KEY
from tests.helpers.crew import TITLE_CUT, crew_login
from tests.helpers.server import ServerProcess
from tests.helpers.waiting import wait_until

XSS_TITLE = "<img src=x onerror=window.pwned=1>"


@pytest.fixture
def demo_ids(demo_show: Any) -> list[str]:
    return [cue.id for cue in load_file(DEMO_SHOW).cues]


def logged_in(page: Page, srv: ServerProcess, demo_ids: list[str]) -> Page:
    crew_login(page, srv)
    # the cue list's own rows (a group's cues are rows under it, without data-cue)
    expect(page.locator("#cue-rows tr[data-cue]")).to_have_count(len(demo_ids))
    expect(page.locator("#connection")).to_have_class(re.compile(r"\bconnection-connected\b"))
    return page


@pytest.fixture
def dashboard(page: Page, server: ServerProcess, demo_ids: list[str]) -> Page:
    """The dashboard on a server of the test's own."""
    return logged_in(page, server, demo_ids)


@pytest.fixture
def shared_dashboard(page: Page, module_server: ServerProcess, demo_ids: list[str]) -> Page:
    """The dashboard on the module's shared server: for tests that read, or that GO TO the
    cue they check (in edit mode, the mode they find and leave it in)."""
    return logged_in(page, module_server, demo_ids)


def row(page: Page, cue_id: str) -> Any:
    return page.locator(f'#cue-rows tr[data-cue="{cue_id}"]')


def shown_ids(page: Page) -> list[str]:
    rows = page.locator("#cue-rows tr[data-cue]")
    return rows.evaluate_all("rows => rows.map(r => r.dataset.cue)")


def set_mode(page: Page, mode: str) -> None:
    page.click(f".mode-option.mode-{mode}")
    expect(page.locator("body")).to_have_class(re.compile(rf"\bmode-{mode}\b"))


def exported(page: Page, srv: ServerProcess) -> dict[str, Any]:
    response = page.request.get(srv.url + "/crew/show.yaml")
    assert response.ok
    return yaml.safe_load(response.text())  # type: ignore[no-any-return]


def add_cue_with_form(page: Page, **fields: str) -> None:
    page.click("#cue-add")
    expect(page.locator("#cue-dialog")).to_be_visible()
    page.select_option("#f-kind", fields.pop("kind", "title"))
    if "where" in fields:
        page.select_option("#f-where", fields.pop("where"))
    for name, value in fields.items():
        page.fill(f"#f-{name}", value)
    page.click("#cue-submit")
    expect(page.locator("#cue-dialog")).to_be_hidden()


def test_only_the_crew_password_opens_the_dashboard(
    page: Page, server: ServerProcess, demo_ids: list[str]
) -> None:
    page.goto(server.url + "/crew")
    assert page.url == server.url + "/crew/login"
    page.fill("#password", "not-the-password")
    page.click("button[type=submit]")
    expect(page.locator("#login-error")).to_contain_text("Wrong password")
    expect(page.locator("#cue-list")).to_have_count(0)
    page.goto(server.url + "/crew")
    assert page.url == server.url + "/crew/login"

    crew_login(page, server)
    expect(page.locator("#cue-rows tr[data-cue]")).to_have_count(len(demo_ids))
    assert shown_ids(page) == demo_ids
    expect(page.locator("#show-title")).to_have_text(load_file(DEMO_SHOW).title)
    expect(row(page, demo_ids[0])).to_have_attribute("data-state", "standby")

    page.click("text=Log out")
    page.wait_for_url(server.url + "/crew/login")
    page.goto(server.url + "/crew")
    assert page.url == server.url + "/crew/login"


def test_space_goes_even_with_a_button_focused(
    dashboard: Page, server: ServerProcess, demo_ids: list[str]
) -> None:
    first, second = demo_ids[0], demo_ids[1]
    dashboard.focus("#panic")  # Space must GO, not press the focused Panic button
    dashboard.keyboard.press("Space")
    expect(row(dashboard, first)).to_have_attribute("data-state", "running")
    expect(row(dashboard, second)).to_have_attribute("data-state", "standby")
    state = server.state()
    assert state["cue"]["id"] == first and state["next"]["id"] == second
    assert state["blackout"] is False and state["paused"] is False
    expect(dashboard.locator("#running-title")).to_have_text(state["cue"]["title"])
    elapsed = dashboard.locator("#elapsed")
    before = elapsed.inner_text()
    expect(elapsed).not_to_have_text(before, timeout=2000)  # the clock runs


def test_a_double_space_in_show_mode_goes_once_and_says_why(
    dashboard: Page, server: ServerProcess, demo_ids: list[str]
) -> None:
    set_mode(dashboard, "show")
    rev = server.state()["rev"]
    dashboard.keyboard.press("Space")
    dashboard.keyboard.press("Space")
    expect(dashboard.locator("#toast-alerts .toast-error")).to_contain_text("GO refused")
    state = server.state()
    assert state["cue"]["id"] == demo_ids[0]
    assert state["rev"] == rev + 1
    expect(row(dashboard, demo_ids[1])).to_have_attribute("data-state", "standby")


def test_go_to_in_show_mode_asks_first(
    dashboard: Page, server: ServerProcess, demo_ids: list[str]
) -> None:
    target = demo_ids[4]
    set_mode(dashboard, "show")
    row(dashboard, target).dblclick()
    expect(dashboard.locator("#confirm-dialog")).to_be_visible()
    dashboard.keyboard.press("Escape")  # cancels the dialog; does not panic
    expect(dashboard.locator("#confirm-dialog")).to_be_hidden()
    state = server.state()
    assert state["cue"] is None and state["blackout"] is False

    row(dashboard, target).click()
    dashboard.keyboard.press("Enter")
    dashboard.click("#confirm-ok")
    wait_until(lambda: (server.state()["cue"] or {}).get("id") == target)
    expect(row(dashboard, target)).to_have_attribute("data-state", "running")


def test_blackout_key_and_escape_panic_black_out_the_stage(
    dashboard: Page, server: ServerProcess
) -> None:
    dashboard.click("#blackout")
    wait_until(lambda: server.state()["blackout"] is True)
    expect(dashboard.locator("#blackout")).to_have_attribute("aria-pressed", "true")
    expect(dashboard.locator("#blackout-badge")).to_be_visible()
    dashboard.keyboard.press("b")
    wait_until(lambda: server.state()["blackout"] is False)
    expect(dashboard.locator("#blackout-badge")).to_be_hidden()

    dashboard.keyboard.press("Space")
    wait_until(lambda: server.state()["cue"] is not None)
    dashboard.keyboard.press("Escape")
    state = wait_until(lambda: (s := server.state())["blackout"] and s)
    assert state["paused"] is True
    expect(dashboard.locator("#blackout-badge")).to_be_visible()


def test_edit_mode_changes_the_cue_list_and_show_mode_locks_it(
    dashboard: Page, server: ServerProcess, demo_ids: list[str]
) -> None:
    first = demo_ids[0]
    row(dashboard, first).click()
    add_cue_with_form(
        dashboard,
        kind="title",
        title="Intermission",
        subtitle="Ten minutes",
        duration="10",
        where="after",
    )
    expect(row(dashboard, "intermission")).to_contain_text("Intermission")
    assert shown_ids(dashboard)[:2] == [first, "intermission"]
    cues = exported(dashboard, server)["cues"]
    assert cues[1] == {
        "id": "intermission",
        "kind": "title",
        "title": "Intermission",
        "subtitle": "Ten minutes",
        "duration": 10.0,
    }

    expect(row(dashboard, "intermission")).to_have_class(re.compile(r"\bselected\b"))
    dashboard.click("#cue-edit")
    dashboard.fill("#f-title", "Interval")
    dashboard.click("#cue-submit")
    expect(row(dashboard, "intermission").locator(".title-text")).to_have_text("Interval")

    dashboard.click("#cue-down")
    expect(dashboard.locator("#cue-rows tr").nth(2)).to_have_attribute("data-cue", "intermission")
    cues = exported(dashboard, server)["cues"]
    assert [c["id"] for c in cues[:3]] == [first, demo_ids[1], "intermission"]
    assert cues[2]["title"] == "Interval"
    row(dashboard, "intermission").drag_to(
        row(dashboard, first), target_position={"x": 300, "y": 4}
    )
    expect(dashboard.locator("#cue-rows tr").first).to_have_attribute("data-cue", "intermission")
    assert exported(dashboard, server)["cues"][0]["id"] == "intermission"

    dashboard.click("#cue-delete")
    dashboard.click("#confirm-ok")
    expect(row(dashboard, "intermission")).to_have_count(0)
    assert [c["id"] for c in exported(dashboard, server)["cues"]] == demo_ids

    set_mode(dashboard, "show")
    expect(dashboard.locator("#cue-add")).to_be_hidden()
    expect(dashboard.locator("#cue-add")).to_be_disabled()
    expect(dashboard.locator("#lock-note")).to_contain_text("show mode")
    ack = dashboard.evaluate("""() => new Promise((resolve) => {
        const s = io('/crew', {transports: ['websocket'], forceNew: true});
        s.on('connect_error', (e) => resolve({ok: false, error: 'connect: ' + e.message}));
        s.on('connect', () => s.timeout(5000).emit('cue_add',
            {cue: {kind: 'title', title: 'Sneaked in'}},
            (err, ack) => { s.disconnect(); resolve(err ? {ok: null} : ack); }));
    })""")
    assert ack["ok"] is False and "locked" in ack["error"]
    assert [c["id"] for c in exported(dashboard, server)["cues"]] == demo_ids


def test_displays_panel_shows_a_projector_arrive_and_go_missing(
    shared_dashboard: Page, browser: Any, module_server: ServerProcess
) -> None:
    dashboard, server = shared_dashboard, module_server
    main = dashboard.locator('#displays li[data-display="main"]')
    expect(main).to_have_attribute("data-status", "missing")
    projector = browser.new_context(viewport={"width": 640, "height": 360})
    try:
        display = projector.new_page()
        upgraded: list[Any] = []  # the Engine.IO "5" (upgrade) packet went out on a websocket
        display.on(
            "websocket",
            lambda ws: ws.on(
                "framesent", lambda payload: upgraded.append(payload) if payload == "5" else None
            ),
        )
        display.goto(f"{server.url}/display/main?key={DISPLAY_KEY}")
        expect(main).to_have_attribute("data-status", "connected", timeout=10000)
        expect(main).to_contain_text("127.0.0.1")
        # Still on long-polling, a closed page is only noticed at the ping timeout (~20 s).
        # Playwright delivers page events only while it runs: poll through it, not sleep.
        deadline = time.monotonic() + 10
        while not upgraded and time.monotonic() < deadline:
            display.wait_for_timeout(50)
        assert upgraded, "the display never upgraded to a websocket"
    finally:
        projector.close()
    expect(main).to_have_attribute("data-status", "missing", timeout=10000)


def test_user_text_shows_literally_and_never_runs(dashboard: Page, server: ServerProcess) -> None:
    add_cue_with_form(
        dashboard,
        kind="title",
        title=XSS_TITLE,
        credits="<b>role</b>: <script>window.pwned=2</script>",
        notes="<svg onload=window.pwned=3>",
        where="end",
    )
    added = dashboard.locator("#cue-rows tr").last
    expect(added.locator(".title-text")).to_have_text(XSS_TITLE)
    expect(added.locator(".col-credits")).to_have_text("<script>window.pwned=2</script>")
    expect(dashboard.locator("#selected-detail")).to_contain_text("<svg onload=window.pwned=3>")
    expect(dashboard.locator("#toast-status")).to_contain_text("Added cue")
    assert exported(dashboard, server)["cues"][-1]["title"] == XSS_TITLE
    dashboard.wait_for_timeout(300)
    assert dashboard.evaluate("window.pwned") is None
    assert dashboard.locator("main img, main svg, main script, main b").count() == 0


def test_import_replaces_the_cue_list_and_save_writes_the_show_file(
    page: Page, server_factory: Any, text_show: Any
) -> None:
    srv = server_factory(text_show)
    crew_login(page, srv)
    expect(page.locator("#cue-rows tr")).to_have_count(4)
    page.set_input_files(
        "#show-import",
        files=[
            {
                "name": "tonight.yaml",
                "mimeType": "text/yaml",
                "buffer": b"title: Tonight\ncues:\n  - {id: hello, kind: title, title: Hello}\n"
                b"  - {id: bye, kind: title, title: Goodbye, duration: 5}\n",
            }
        ],
    )
    page.click("#confirm-ok")
    expect(page.locator("#cue-rows tr")).to_have_count(2)
    assert shown_ids(page) == ["hello", "bye"]
    expect(page.locator("#show-title")).to_have_text("Tonight")

    # An imported show has no file of its own: saving writes the data directory's
    # show.yaml, never over the file the server was started with.
    started_with = text_show.read_text()
    page.click("#show-save")
    expect(page.locator("#confirm-message")).to_contain_text("data directory")
    page.click("#confirm-ok")
    target = srv.data / "show.yaml"
    expect(page.locator("#toast-status")).to_contain_text(str(target))
    saved = yaml.safe_load(target.read_text())
    assert saved["title"] == "Tonight" and [c["id"] for c in saved["cues"]] == ["hello", "bye"]
    assert text_show.read_text() == started_with


def test_camera_and_replay_cues_can_be_added_and_edited(
    dashboard: Page, server: ServerProcess
) -> None:
    add_cue_with_form(dashboard, kind="camera", id="wide-shot", title="Wide", camera="cam2")
    add_cue_with_form(dashboard, kind="replay", id="again", title="Again", camera="cam2")
    cues = {c["id"]: c for c in exported(dashboard, server)["cues"]}
    assert cues["wide-shot"] == {
        "id": "wide-shot",
        "kind": "camera",
        "title": "Wide",
        "camera": "cam2",
    }
    assert cues["again"] == {"id": "again", "kind": "replay", "title": "Again", "camera": "cam2"}
    row(dashboard, "wide-shot").click()
    dashboard.click("#cue-edit")
    dashboard.check("#f-keyed")
    dashboard.fill("#f-title", "Wide, keyed")
    dashboard.click("#cue-submit")
    expect(dashboard.locator("#cue-dialog")).to_be_hidden()
    edited = {c["id"]: c for c in exported(dashboard, server)["cues"]}["wide-shot"]
    assert edited["keyed"] is True and edited["title"] == "Wide, keyed"


# Cut: clipped sideways (an ellipsis) or downwards, or running past its box into the bar.


@pytest.mark.parametrize("width", [1440, 1280])
def test_the_show_title_is_not_cut_while_the_blackout_badge_shows(
    dashboard: Page, server: ServerProcess, width: int
) -> None:
    dashboard.set_viewport_size({"width": width, "height": 900})
    title = dashboard.locator("#show-title")
    expect(title).to_have_text(server.state()["show"]["title"])
    assert not title.evaluate(TITLE_CUT)
    dashboard.keyboard.press("b")
    expect(dashboard.locator("#blackout-badge")).to_be_visible()
    assert not title.evaluate(TITLE_CUT), "the title is cut with the badge showing"


def test_the_cue_list_shows_fades_and_names_a_source_by_its_cue_number(
    shared_dashboard: Page,
) -> None:
    """What the cue editor sets (fades, level) is seen on the cue's row, as on a group's
    cues; a cloud's prompt is named by the number the crew types (23), not its position."""
    dashboard = shared_dashboard
    expect(row(dashboard, "part-two").locator(".subtitle-text")).to_have_text(
        "The market opens at sundown · fade in 2 s"
    )
    expect(row(dashboard, "word-cloud").locator(".subtitle-text")).to_have_text(
        "answers to 23 · One word"
    )


def test_the_transport_row_fits_a_crew_laptop_in_a_panic(dashboard: Page) -> None:
    """Paused in a blackout ("▶ Resume", "Blackout ON": the widest labels) the transport
    row still fits at 1440 and 1280 px: the master volume is on screen, nothing spills."""
    dashboard.locator("#go").click()
    expect(dashboard.locator("#pause")).to_be_enabled()
    dashboard.locator("#blackout").click()
    dashboard.locator("#pause").click()
    expect(dashboard.locator("#pause")).to_contain_text("Resume")
    expect(dashboard.locator("#blackout")).to_contain_text("Blackout ON")
    warn = "rgb(255, 176, 46)"  # both timers say paused (the remaining one stayed green)
    expect(dashboard.locator("#remaining")).to_have_css("color", warn)
    for width in (1440, 1280):
        dashboard.set_viewport_size({"width": width, "height": 900})
        fit = dashboard.evaluate(
            """() => {
                const row = document.querySelector('.transport-buttons');
                const volume = document.querySelector('.master-volume').getBoundingClientRect();
                return {spill: row.scrollWidth - row.clientWidth, right: volume.right};
            }"""
        )
        assert fit["spill"] <= 0 and fit["right"] <= width, (width, fit)


def test_an_untitled_blackout_cue_is_called_blackout_as_standby(shared_dashboard: Page) -> None:
    """The cue list calls the demo's untitled blackout cue "Blackout"; the standby and
    running boxes say the same (they said "blackout", the kind's word)."""
    dashboard = shared_dashboard
    expect(row(dashboard, "blackout").locator(".title-text")).to_have_text("Blackout")
    dashboard.fill("#jump-cue", "43")  # the blackout cue is the standby, with time to read it
    dashboard.press("#jump-cue", "Enter")
    expect(dashboard.locator("#standby-number")).to_have_text("44")
    expect(dashboard.locator("#standby-title")).to_have_text("Blackout")


def test_a_catalogue_record_cue_is_named_in_the_cue_list(shared_dashboard: Page) -> None:
    """A cue that screens a catalogue record and gives no title of its own is listed by what
    it screens (the pulled record's title, or that it was not pulled), not as a blank row."""
    dashboard = shared_dashboard
    title = row(dashboard, "lighthouse-cat-story").locator(".title-text")
    expect(title).to_have_text("Record 1 (not pulled)")  # this test's server has no catalogue
    dashboard.fill("#jump-cue", "13")  # the record cue is the standby: named there too
    dashboard.press("#jump-cue", "Enter")
    expect(dashboard.locator("#standby-title")).to_have_text("Record 1 (not pulled)")
