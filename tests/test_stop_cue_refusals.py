"""A stop that names no cue is refused in the same words on every surface: the dashboard
(the /crew event) and a button panel (the HTTP control API, as bad input: 400). The control
API had its own check, worded otherwise, in front of the show's. A running blackout is not
stopped: the stage is dark already, and a stop would only cancel its follow."""

from __future__ import annotations

from typing import Any

import pytest
import requests

from tests.helpers.server import ServerProcess
from tests.helpers.shows import write_show

TOKEN = "test-control-token-stop-words"
SHOW = """\
title: Stops
cues:
  - {id: intro, kind: title, title: Intro}
  - {id: dark, kind: blackout, continue: auto-follow, duration: 60}
  - {id: after, kind: title, title: After}
"""


@pytest.fixture(scope="module")
def srv(module_server_factory: Any, tmp_path_factory: pytest.TempPathFactory) -> ServerProcess:
    show = write_show(tmp_path_factory.mktemp("stop-words"), SHOW)
    return module_server_factory(show, extra_env={"LIVESHOW_CONTROL_TOKEN": TOKEN})


def test_a_stop_naming_no_cue_gets_the_crews_words_from_the_control_api(
    srv: ServerProcess, crew_of: Any
) -> None:
    crew_says = crew_of(srv).call("stop_cue", {"cue": 3})
    assert crew_says["ok"] is False
    for body in ({"cue": 3}, {}, {"cue": None}):
        answer = requests.post(
            f"{srv.url}/api/control/stop_cue",
            json=body,
            headers={"Authorization": f"Bearer {TOKEN}"},
            timeout=10,
        )
        assert answer.status_code == 400, (body, answer.text)
        assert answer.json()["error"] == crew_says["error"], body


def test_a_blackout_not_on_stage_is_refused_as_not_running(
    srv: ServerProcess, crew_of: Any
) -> None:
    """The crew is not told the stage is dark while another cue plays on it."""
    crew = crew_of(srv)
    assert crew.call("goto", {"cue": "intro"})["ok"]
    said = crew.call("stop_cue", {"cue": "dark"})
    assert said["ok"] is False and "not running" in said["error"], said
    assert "dark already" not in said["error"], said


def test_a_running_blackout_is_not_stopped_and_keeps_its_follow(
    srv: ServerProcess, crew_of: Any
) -> None:
    crew = crew_of(srv)
    assert crew.call("goto", {"cue": "dark"})["ok"]
    said = crew.call("stop_cue", {"cue": "dark"})
    assert said["ok"] is False and "blackout" in said["error"], said
    state = crew_of(srv).wait_for("state")  # what the server holds now
    assert state["cue"]["id"] == "dark" and not state.get("stopped"), state
    assert state["follow_at"], "the refused stop cancelled the blackout's follow"
