"""Cue groups and stopping one cue, against a real `liveshow serve` and real Socket.IO
clients: one GO starts every cue of a group at the same instant; stop_cue stops one of them
and leaves the rest playing and the playhead where it was; bad stop_cue payloads are refused
and change nothing; a group auto-follows after its longest cue; a restart keeps the group
and its stopped cue stopped; the show file's errors name the group and the cue."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import requests

from liveshow.control.osc import Command, OscInputError, command
from liveshow.show.preflight import preflight_file
from liveshow.show.showfile import ShowFileError, parse
from tests.helpers.crew import Crew
from tests.helpers.phone import LivePhone
from tests.helpers.server import ServerProcess
from tests.helpers.shows import write_show
from tests.helpers.sockets import Display, cue_is
from tests.helpers.waiting import never_within

MEDIA = Path(__file__).resolve().parents[1] / "media" / "demo"
TOKEN = "test-control-token-groups-0123456789"
SHOW = f"""\
title: Groups
cues:
  - {{id: opening, kind: title, title: Opening}}
  - id: harbour
    kind: group
    title: Harbour with gulls
    cues:
      - {{id: harbour-picture, kind: record, title: Harbour, media: {MEDIA}/harbour.jpg}}
      - {{id: harbour-gulls, kind: record, title: Gulls, media: {MEDIA}/gull-song.m4a,
          level: -6, fade_out: 2}}
  - {{id: after, kind: title, title: After}}
  - id: quick
    kind: group
    continue: auto-follow
    cues:
      - {{id: quick-title, kind: title, title: Quick, duration: 1}}
      - {{id: quick-story, kind: record, text: Short, duration: 1.5}}
  - {{id: end, kind: title, title: End}}
  - id: slow
    kind: group
    continue: auto-follow
    cues:
      - {{id: slow-title, kind: title, title: Slow, duration: 3}}
  - {{id: finale, kind: title, title: Finale}}
"""


@pytest.fixture
def group_server(
    server_factory: Callable[..., ServerProcess], tmp_path: Path, demo_show: Path
) -> ServerProcess:
    """``demo_show``: the demo media (the group's picture and sound) exists."""
    return server_factory(
        write_show(tmp_path, SHOW, "groups.yaml"), extra_env={"LIVESHOW_CONTROL_TOKEN": TOKEN}
    )


def children(state: dict[str, Any], group: str) -> dict[str, str]:
    """The states of a group's cues in the crew's cue list."""
    row = next(c for c in state["cues"] if c["id"] == group)
    return {c["id"]: c["state"] for c in row.get("children", [])}


def test_a_group_starts_its_cues_together_and_stop_cue_stops_only_one(
    group_server: ServerProcess, crew_of: Callable[[ServerProcess], Crew]
) -> None:
    crew = crew_of(group_server)
    display = Display(group_server)
    try:
        crew.goto("opening")
        crew.command("go")
        state = crew.wait_state(lambda s: s["cue"] and s["cue"]["id"] == "harbour", "the GO")
        assert [c["id"] for c in state["cue"]["children"]] == ["harbour-picture", "harbour-gulls"]
        assert state["cue"]["children"][1]["level"] == -6 and state["cue"]["duration"] > 0
        assert children(state, "harbour") == {
            "harbour-picture": "running",
            "harbour-gulls": "running",
        }
        started = {
            r["cue_id"]: r["started_at"]
            for r in group_server.rows("select cue_id, started_at from play_log")
        }
        assert started["harbour"] == started["harbour-picture"] == started["harbour-gulls"]

        ack = crew.command("stop_cue", {"cue": "harbour-gulls"})
        assert ack["cue"] == "harbour-gulls" and ack["stopped"] == ["harbour-gulls"]
        shown = display.wait_state(lambda s: s["stopped"] == ["harbour-gulls"], "the display")
        assert shown["cue"]["id"] == "harbour"  # the picture stays on stage
        state = crew.wait_state(lambda s: s["stopped"] == ["harbour-gulls"], "the crew")
        assert children(state, "harbour") == {
            "harbour-picture": "running",
            "harbour-gulls": "stopped",
        }
        assert state["standby"] == "after"  # the cue list did not move
        ended = {
            r["cue_id"]: r["ended_at"]
            for r in group_server.rows("select cue_id, ended_at from play_log")
        }
        assert ended["harbour-gulls"] is not None and ended["harbour-picture"] is None
        logged = group_server.rows("select kind, actor, data from events where kind = 'stop-cue'")
        assert [(r["actor"], '"harbour-gulls"' in r["data"]) for r in logged] == [("crew", True)]

        # The button panel's control API has the same action: the picture too, now.
        answer = requests.post(
            f"{group_server.url}/api/control/stop_cue",
            json={"cue": "harbour-picture"},
            headers={"Authorization": f"Bearer {TOKEN}"},
            timeout=10,
        )
        assert answer.status_code == 200 and answer.json()["stopped"] == [
            "harbour-gulls",
            "harbour-picture",
        ]
        # nothing of the group plays: displays leave it dark, the crew sees it stopped
        state = crew.wait_state(lambda s: "harbour" in s["stopped"], "the whole group stopped")
        assert next(c for c in state["cues"] if c["id"] == "harbour")["state"] == "stopped"

        crew.command("go")
        state = crew.wait_state(cue_is("after"), "the next GO")
        assert state["stopped"] == [] and children(state, "harbour")["harbour-gulls"] == "done"
        crew.command("back")  # BACK lands on the group, whole again
        state = crew.wait_state(cue_is("harbour"), "BACK to the group")
        assert state["stopped"] == []
        crew.goto("harbour-gulls")  # a cue inside a group: GOTO lands on its group
        crew.wait_state(lambda s: cue_is("harbour")(s) and s["rev"] > state["rev"])
    finally:
        display.close()


def test_a_bad_stop_cue_is_refused_and_changes_nothing(
    group_server: ServerProcess, crew_of: Callable[[ServerProcess], Crew]
) -> None:
    crew = crew_of(group_server)
    crew.goto("harbour")
    crew.command("stop_cue", {"cue": "harbour-gulls"})
    before = crew.wait_state(lambda s: s["stopped"] == ["harbour-gulls"], "the good stop")
    refusals = {
        "no payload": (None, "expected an object of fields with cue"),
        "no cue": ({}, "missing field(s): cue"),
        "a number": ({"cue": 3}, "stop_cue needs"),
        "a list": ({"cue": ["harbour-picture"]}, "stop_cue needs"),
        "a string payload": ("harbour-picture", "expected an object"),
        "unknown": ({"cue": "nope"}, "no cue with id 'nope'"),
        "not on stage": ({"cue": "opening"}, "is not running (on stage: 'harbour')"),
        "another group's cue": ({"cue": "quick-story"}, "is not running"),
        "stopped already": ({"cue": "harbour-gulls"}, "already stopped"),
    }
    for name, (data, words) in refusals.items():
        ack = crew.call("stop_cue", data)
        assert ack["ok"] is False and words in ack["error"], (name, ack)
    time.sleep(0.3)  # a state the refusals wrongly sent would be here by now
    after = group_server.state()
    assert after["rev"] == before["rev"] and after["stopped"] == ["harbour-gulls"]
    assert after["cue"]["id"] == "harbour"


def test_a_group_auto_follows_after_its_longest_cue(
    group_server: ServerProcess, crew_of: Callable[[ServerProcess], Crew]
) -> None:
    crew = crew_of(group_server)
    crew.goto("quick")
    state = crew.wait_state(cue_is("quick"), "the group")
    assert next(c for c in state["cues"] if c["id"] == "quick")["effective_duration"] == 1.5
    crew.wait_state(cue_is("end"), "the auto-follow from the group")
    follows = group_server.rows("select data from events where kind = 'follow'")
    assert any('"end"' in r["data"] for r in follows)


def test_a_group_the_crew_stopped_does_not_auto_follow(
    group_server: ServerProcess, crew_of: Callable[[ServerProcess], Crew]
) -> None:
    """As QLab: stopping a cue (here every cue of a group) cancels its follow; the stage
    stays dark until the crew's next GO, and phones are told it is stopped."""
    crew = crew_of(group_server)
    phone = LivePhone(group_server)
    try:
        crew.goto("slow")
        crew.wait_state(lambda s: cue_is("slow")(s) and s["follow_at"], "the group, following")
        crew.command("stop_cue", {"cue": "slow"})
        state = crew.wait_state(lambda s: "slow" in s["stopped"], "the group stopped")
        assert state["follow_at"] is None
        # phones stop saying it is on stage ("The stage is dark.")
        phone.wait_for("state", lambda s: (s["cue"] or {}).get("stopped"), what="stopped")
    finally:
        phone.close()
    never_within(lambda: crew.latest("state")["cue"]["id"] != "slow", 4.5, "an auto-follow")
    crew.command("go")
    crew.wait_state(cue_is("finale"), "the crew's GO")


def test_a_restart_keeps_the_group_and_its_stopped_cue_stopped(
    group_server: ServerProcess,
    server_factory: Callable[..., ServerProcess],
    crew_of: Callable[[ServerProcess], Crew],
    tmp_path: Path,
) -> None:
    crew = crew_of(group_server)
    crew.goto("harbour")
    crew.command("stop_cue", {"cue": "harbour-gulls"})
    crew.wait_state(lambda s: s["stopped"] == ["harbour-gulls"], "the stop")
    group_server.stop()

    again = server_factory(None, data=tmp_path / "data")
    state = crew_of(again).wait_state(lambda s: s["cue"] is not None, "the restored show")
    assert state["cue"]["id"] == "harbour" and state["stopped"] == ["harbour-gulls"]
    assert children(state, "harbour") == {"harbour-picture": "paused", "harbour-gulls": "stopped"}
    exported = crew_of(again).command("show_export")["text"]
    assert "kind: group" in exported and "id: harbour-gulls" in exported
    assert parse(exported, check_media=False).cues[1].children[1].level == -6


def test_the_crew_adds_and_edits_a_group_with_its_media(
    group_server: ServerProcess, crew_of: Callable[[ServerProcess], Crew]
) -> None:
    crew = crew_of(group_server)
    group = {
        "id": "lanterns",
        "kind": "group",
        "cues": [
            {"id": "lanterns-picture", "kind": "record", "media": f"{MEDIA}/lanterns.jpg"},
            {"id": "lanterns-song", "kind": "record", "media": f"{MEDIA}/gull-song.m4a"},
        ],
    }
    taken = {**group, "cues": [{"id": "harbour-gulls", "kind": "title", "title": "Again"}]}
    ack = crew.call("cue_add", {"cue": taken, "after": "end"})
    assert ack["ok"] is False and "id 'harbour-gulls' is used by another cue" in ack["error"]
    crew.command("cue_add", {"cue": group, "after": "end"})
    crew.command("cue_update", {"id": "lanterns", "cue": {"title": "Lanterns, with gulls"}})
    crew.goto("lanterns")
    state = crew.wait_state(cue_is("lanterns"), "the added group on stage")
    assert state["cue"]["title"] == "Lanterns, with gulls"
    assert [c["media"]["type"] for c in state["cue"]["children"]] == ["image", "audio"]


@pytest.mark.parametrize(
    ("cue", "words"),
    [
        ("{id: g, kind: group, cues: []}", "cue 2 (g): a group needs 'cues'"),
        ("{id: g, kind: group}", "cue 2 (g): a group needs 'cues'"),
        (
            "{id: g, kind: group, cues: [{id: h, kind: group, cues: [{id: i, kind: title}]}]}",
            "cue 2 (g): cue 1 (h): a group cannot hold another group",
        ),
        (
            "{id: g, kind: group, cues: [{id: b, kind: record, text: x}, "
            "{id: c, kind: record, text: y}]}",
            "cue 2 (g): a group shows one picture at a time; b and c are both pictures",
        ),
        (
            "{id: g, kind: group, cues: [{id: a, kind: title, title: Again}]}",
            "cue 2 (g): cue 1 (a): id 'a' is used by another cue",
        ),
        (
            "{id: g, kind: group, cues: [{id: 'b c', kind: title}]}",
            "cue 2 (g): cue 1 (b c): 'id' must be 1-64 letters",
        ),
        (
            "{id: g, kind: group, cues: [{id: p, kind: prompt}]}",
            "cue 2 (g): cue 1 (p): a group holds record and title cues, not 'prompt'",
        ),
        (
            "{id: g, kind: group, cues: [{id: t, kind: title, continue: auto-follow}]}",
            "cue 2 (g): cue 1 (t): 'continue' belongs on the group",
        ),
        (
            "{id: g, kind: group, level: -3, cues: [{id: t, kind: title}]}",
            "cue 2 (g): 'level' belongs on the cues inside the group",
        ),
        ("{id: g, kind: title, cues: [{id: t, kind: title}]}", "'cues' belongs on group cues"),
    ],
)
def test_a_bad_group_names_the_group_and_the_cue(cue: str, words: str) -> None:
    with pytest.raises(ShowFileError) as raised:
        parse(f"title: T\ncues:\n  - {{id: a, kind: title}}\n  - {cue}\n", check_media=False)
    assert words in str(raised.value)


def test_two_cues_of_one_id_across_groups_are_refused() -> None:
    text = (
        "title: T\ncues:\n  - {id: g, kind: group, cues: [{id: x, kind: title}]}\n"
        "  - {id: x, kind: title}\n"
    )
    with pytest.raises(ShowFileError, match="cue 2 \\(x\\): id 'x' is used by another cue"):
        parse(text, check_media=False)


def test_preflight_checks_the_media_of_a_groups_cues(tmp_path: Path, demo_show: Path) -> None:
    show = write_show(
        tmp_path,
        f"""\
title: P
cues:
  - id: g
    kind: group
    continue: auto-follow
    cues:
      - {{id: pic, kind: record, media: {MEDIA}/harbour.jpg, credits: [{{name: A, role: b}}]}}
      - {{id: gone, kind: record, media: {MEDIA}/missing.m4a, credits: [{{name: A, role: b}}]}}
      - {{id: song, kind: record, media: {MEDIA}/gull-song.m4a, credits: [{{name: A, role: b}}]}}
  - {{id: e, kind: title, title: E}}
""",
    )
    problems = [str(p) for p in preflight_file(show)]
    # the missing sound is named; the group's length comes from the song (no follow warning)
    assert problems == [f"error: cue gone: media '{MEDIA}/missing.m4a' is missing"]


def test_osc_stops_one_cue_by_its_address() -> None:
    assert command("/liveshow/cue/harbour-gulls/stop", []) == Command(
        "/liveshow/cue/harbour-gulls/stop", "stop_cue", {"cue": "harbour-gulls"}
    )
    with pytest.raises(OscInputError):
        command("/liveshow/cue/a/b/stop", [])
