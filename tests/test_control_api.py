"""The HTTP control API for button panels, against a real `liveshow serve`: without the
token, or with a wrong one, it refuses (401, 403) and nothing moves; with it, every action
works and answers with the new state's rev; without a token configured it is not there."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.helpers.server import ServerProcess
from tests.helpers.shows import write_show

TOKEN = "test-control-token-0123456789"
SHOW = """\
title: Panel night
cues:
  - {id: intro, kind: title, title: Intro, duration: 30}
  - {id: ask, kind: prompt, prompt: {kind: text, question: "A tiny story"}}
  - {id: film, kind: title, title: Film, pre_wait: 60}
  - {id: roll, kind: credits, title: Thanks}
"""


@pytest.fixture
def panel_server(server_factory: Callable[..., ServerProcess], tmp_path: Path) -> ServerProcess:
    """A server of the test's own (for tests that start from the top of the show)."""
    return server_factory(
        write_show(tmp_path, SHOW, "panel.yaml"), extra_env={"LIVESHOW_CONTROL_TOKEN": TOKEN}
    )


@pytest.fixture(scope="module")
def shared_panel_server(
    module_server_factory: Callable[..., ServerProcess], tmp_path_factory: pytest.TempPathFactory
) -> ServerProcess:
    """One server for the tests that move nothing, or only to what they check."""
    return module_server_factory(
        write_show(tmp_path_factory.mktemp("show"), SHOW, "panel.yaml"),
        extra_env={"LIVESHOW_CONTROL_TOKEN": TOKEN},
    )


def post(
    srv: ServerProcess, action: str, body: Any = None, token: str | None = TOKEN, **kw: Any
) -> requests.Response:
    headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
    return requests.post(
        f"{srv.url}/api/control/{action}", json=body, headers=headers, timeout=10, **kw
    )


def status(srv: ServerProcess) -> dict[str, Any]:
    answer = requests.get(
        f"{srv.url}/api/control/status", headers={"Authorization": f"Bearer {TOKEN}"}, timeout=10
    )
    assert answer.status_code == 200
    return answer.json()  # type: ignore[no-any-return]


def test_without_the_token_or_with_a_wrong_one_nothing_moves(
    shared_panel_server: ServerProcess,
) -> None:
    panel_server = shared_panel_server
    before = panel_server.state()["rev"]
    missing = post(panel_server, "go", token=None)
    assert missing.status_code == 401 and "Bearer" in missing.headers["WWW-Authenticate"]
    assert "Authorization" in missing.json()["error"]
    assert post(panel_server, "go", token="not-the-token").status_code == 403
    assert post(panel_server, "go", token=TOKEN[:-1]).status_code == 403
    assert post(panel_server, "go", token="").status_code in (401, 403)
    basic = requests.post(
        f"{panel_server.url}/api/control/go", headers={"Authorization": f"Basic {TOKEN}"}, timeout=5
    )
    assert basic.status_code == 401
    for headers in ({}, {"Authorization": "Bearer wrong-wrong-wrong-wrong"}):
        answer = requests.get(f"{panel_server.url}/api/control/status", headers=headers, timeout=5)
        assert answer.status_code in (401, 403)
    assert panel_server.state()["rev"] == before


def test_each_action_works_with_the_token_and_answers_the_new_rev(
    panel_server: ServerProcess,
) -> None:
    def ok(action: str, body: Any = None, **expected: Any) -> dict[str, Any]:
        answer = post(panel_server, action, body)
        assert answer.status_code == 200, answer.text
        data = answer.json()
        assert data["ok"] is True and data["action"] == action
        assert data["rev"] == panel_server.state()["rev"]
        for key, value in expected.items():
            assert data[key] == value
        return data

    ok("go", cue="intro")
    assert status(panel_server)["current"]["id"] == "intro"
    ok("goto", {"cue": "ask"}, cue="ask")
    assert panel_server.state()["prompt"]["id"] == "ask"
    ok("prompt_close", prompt="ask")
    assert panel_server.state()["prompt"] is None
    ok("back", cue="intro")
    ok("pause")
    assert panel_server.state()["paused"] is True
    ok("resume")
    assert panel_server.state()["paused"] is False
    ok("blackout", {"on": True}, blackout=True)
    assert panel_server.state()["blackout"] is True
    ok("blackout", {"on": False}, blackout=False)
    ok("panic")
    assert panel_server.state()["blackout"] is True and panel_server.state()["paused"] is True
    actors = {r["actor"] for r in panel_server.rows("select actor from events where rev > 1")}
    assert actors == {"http:127.0.0.1"}  # logged like a dashboard action, with its source


def test_a_panel_that_cannot_send_a_body_uses_the_query(
    shared_panel_server: ServerProcess,
) -> None:
    panel_server = shared_panel_server
    answer = post(panel_server, "goto", params={"cue": "ask"})
    assert answer.status_code == 200 and answer.json()["cue"] == "ask"
    assert post(panel_server, "blackout", params={"on": "1"}).json()["blackout"] is True
    # shared: the next test on this server must find the blackout off, as it would alone
    assert post(panel_server, "blackout", params={"on": "0"}).json()["blackout"] is False


def test_the_status_shows_current_standby_and_countdowns(panel_server: ServerProcess) -> None:
    idle = status(panel_server)
    assert idle["current"] is None and idle["standby"]["id"] == "intro"
    post(panel_server, "go")
    shown = status(panel_server)
    assert shown["current"]["id"] == "intro" and shown["current"]["number"] == 1
    assert 0 <= shown["current"]["elapsed"] < 30 and 0 < shown["current"]["remaining"] <= 30
    assert shown["current"]["remaining_text"].startswith("-0:")
    assert shown["standby"]["id"] == "ask" and shown["rev"] == panel_server.state()["rev"]
    post(panel_server, "goto", {"cue": "ask"})
    post(panel_server, "go")  # film has a 60 s pre-wait
    waiting = status(panel_server)
    assert waiting["pending"]["cue"] == "film" and 0 < waiting["pending"]["starts_in"] <= 60
    assert waiting["prompt"] == {"id": "ask", "kind": "text", "question": "A tiny story"}


BAD_INPUT = [
    ("fly", None, 404, "no action 'fly'"),
    ("goto", None, 400, "goto needs"),
    ("goto", {"cue": 7}, 400, "goto needs"),
    ("goto", {"cue": "nope"}, 409, "no cue with id 'nope'"),
    ("blackout", {"on": "yes"}, 400, "true or false"),
    ("blackout", [1], 400, "JSON object"),
    ("go", {"cue": "intro"}, 400, "go takes no cue"),
    ("back", None, 409, "first cue"),
    ("resume", None, 409, "nothing is paused"),
    ("prompt_close", None, 409, "no prompt is open"),
]


def test_bad_input_is_a_clear_4xx_and_changes_nothing(panel_server: ServerProcess) -> None:
    before = panel_server.state()["rev"]
    for action, body, code, says in BAD_INPUT:
        answer = post(panel_server, action, body)
        assert answer.status_code == code, (action, body, answer.text)
        assert says in answer.json()["error"], (action, body, answer.text)
    broken = requests.post(
        f"{panel_server.url}/api/control/go",
        data="{not json",
        headers={"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"},
        timeout=5,
    )
    assert broken.status_code == 400
    assert post(panel_server, "blackout", params={"on": "maybe"}).status_code == 400
    assert panel_server.state()["rev"] == before


def test_without_a_token_configured_the_api_is_not_there(
    server_factory: Callable[..., ServerProcess], tmp_path: Path
) -> None:
    srv = server_factory(write_show(tmp_path, SHOW, "panel.yaml"))
    before = srv.state()["rev"]
    for token in (None, TOKEN, ""):
        answer = post(srv, "go", token=token)
        assert answer.status_code == 404 and "LIVESHOW_CONTROL_TOKEN" in answer.json()["error"]
    assert requests.get(f"{srv.url}/api/control/status", timeout=5).status_code == 404
    assert srv.state()["rev"] == before
