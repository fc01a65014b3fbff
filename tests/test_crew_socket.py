"""/crew: only the crew drives the show; every event is acknowledged; bad input changes nothing."""

from __future__ import annotations

from typing import Any

import pytest

from liveshow.extensions import socketio
from tests.helpers import CREW_PASSWORD, DISPLAY_KEY, JOIN_CODE


def state_of(app: Any) -> Any:
    return app.extensions["liveshow"].engine.state


@pytest.mark.parametrize(
    "auth",
    [
        None,
        {},
        {"password": "wrong"},
        {"password": None},
        {"password": 123},
        "not-a-dict",
        {"password": ""},
    ],
)
def test_crew_namespace_refuses_without_the_password(app: Any, auth: Any) -> None:
    c = socketio.test_client(app, namespace="/crew", auth=auth)
    assert not c.is_connected("/crew")


def test_crew_namespace_accepts_a_logged_in_session_cookie(app: Any, client: Any) -> None:
    client.post("/crew/login", data={"password": CREW_PASSWORD})
    c = socketio.test_client(app, namespace="/crew", flask_test_client=client)
    assert c.is_connected("/crew")
    received = c.get_received("/crew")
    assert received[0]["name"] == "state" and "cues" in received[0]["args"][0]


@pytest.mark.parametrize(
    "event, data, field",
    [
        ("go", None, "cue"),
        ("back", None, None),
        ("goto", {"cue": "story"}, "cue"),
        ("blackout", {"on": True}, None),
        ("panic", None, None),
        ("pause", None, None),
        ("resume", None, None),
        ("mode", {"mode": "rehearsal"}, None),
        ("show_export", None, "text"),
        ("preflight", None, "problems"),
        ("cue_add", {"cue": {"kind": "title", "title": "New"}}, "cue"),
        ("cue_update", {"id": "welcome", "cue": {"title": "Hello"}}, None),
        ("cue_move", {"id": "welcome", "to": 1}, None),
        ("cue_delete", {"id": "dark"}, None),
        ("moderate", {"submission": "s1", "action": "approve"}, None),
    ],
)
def test_every_crew_event_is_acknowledged_with_ok(
    crew: Any, event: str, data: Any, field: str | None
) -> None:
    crew.emit("go", namespace="/crew", callback=True)  # something on stage for back/pause
    ack = crew.emit(event, data, namespace="/crew", callback=True)
    assert isinstance(ack, dict) and isinstance(ack.get("ok"), bool), ack
    if ack["ok"]:
        if field:
            assert field in ack
    else:
        assert isinstance(ack["error"], str) and ack["error"]


@pytest.mark.parametrize(
    "event, data",
    [
        ("goto", None),
        ("goto", "story"),
        ("goto", {"cue": 5}),
        ("goto", {"cue": "missing"}),
        ("goto", {}),
        ("goto", ["story"]),
        ("blackout", {"on": "yes"}),
        ("blackout", {}),
        ("blackout", None),
        ("mode", {"mode": "chaos"}),
        ("mode", 7),
        ("go", "now"),
        ("go", [1, 2]),
        ("cue_add", {"cue": {"kind": "nope"}}),
        ("cue_add", {"cue": "x"}),
        ("cue_update", {"id": "welcome", "cue": {"pre_wait": "soon"}}),
        ("cue_update", {"id": "ghost", "cue": {}}),
        ("cue_move", {"id": "welcome", "to": 99}),
        ("cue_move", {"id": "welcome", "to": True}),
        ("cue_delete", {"id": "ghost"}),
        ("show_import", {"text": "title: [unclosed"}),
        ("show_import", {"text": 5}),
        ("moderate", {"submission": "x", "action": "explode"}),
        ("resume", None),
        ("back", None),
    ],
)
def test_malformed_crew_event_gets_an_error_ack_and_changes_nothing(
    app: Any, crew: Any, event: str, data: Any
) -> None:
    engine = app.extensions["liveshow"].engine
    before_state, before_cues = engine.state, [c.to_showfile() for c in engine.cues]
    ack = crew.emit(event, data, namespace="/crew", callback=True)
    assert ack["ok"] is False and ack["error"], ack
    assert engine.state == before_state
    assert [c.to_showfile() for c in engine.cues] == before_cues


def test_display_and_audience_clients_cannot_change_the_show(
    app: Any, display: Any, phone: Any
) -> None:
    before = state_of(app)
    for client, namespace in ((display, "/display"), (phone, "/audience")):
        for event, data in (
            ("go", None),
            ("goto", {"cue": "roll"}),
            ("blackout", {"on": True}),
            ("panic", None),
            ("mode", {"mode": "show"}),
            ("cue_delete", {"id": "dark"}),
        ):
            client.emit(event, data, namespace=namespace, callback=False)
    assert state_of(app) == before


def test_a_display_cannot_reach_the_crew_namespace_with_its_key(app: Any) -> None:
    c = socketio.test_client(
        app, namespace="/crew", auth={"key": DISPLAY_KEY, "password": DISPLAY_KEY}
    )
    assert not c.is_connected("/crew")


@pytest.mark.parametrize(
    "auth",
    [
        None,
        {"key": "wrong", "name": "main"},
        {"key": DISPLAY_KEY, "name": "../etc"},
        {"key": DISPLAY_KEY},
        {"key": DISPLAY_KEY, "name": 5},
    ],
)
def test_display_namespace_needs_the_key_and_a_good_name(app: Any, auth: Any) -> None:
    c = socketio.test_client(app, namespace="/display", auth=auth)
    assert not c.is_connected("/display")


@pytest.mark.parametrize("auth", [None, {"code": "wrong"}, {"code": JOIN_CODE.upper()}])
def test_audience_namespace_needs_the_join_code(app: Any, auth: Any) -> None:
    c = socketio.test_client(app, namespace="/audience", auth=auth)
    assert not c.is_connected("/audience")


def test_a_crew_go_reaches_displays_and_phones_with_its_rev(
    crew: Any, display: Any, phone: Any
) -> None:
    display.get_received("/display")
    phone.get_received("/audience")
    ack = crew.emit("go", namespace="/crew", callback=True)
    assert ack == {"ok": True, "cue": "welcome"}
    shown = display.get_received("/display")[-1]["args"][0]
    seen = phone.get_received("/audience")[-1]["args"][0]
    assert shown["cue"]["id"] == "welcome" and shown["rev"] == seen["rev"]
    assert "notes" not in shown["cue"]


def test_display_status_is_shown_to_the_crew(crew: Any, display: Any) -> None:
    crew.emit("go", namespace="/crew", callback=True)
    ack = display.emit(
        "status",
        {"showing": "welcome", "preloaded": "story", "rev": 3},
        namespace="/display",
        callback=True,
    )
    assert ack == {"ok": True}
    last = crew.get_received("/crew")[-1]["args"][0]
    assert last["displays"][0]["name"] == "main"
    assert last["displays"][0]["preloaded"] == "story"
    bad = display.emit("status", {"showing": 5}, namespace="/display", callback=True)
    assert bad["ok"] is False


def test_display_clock_sync_answers_with_server_time(app: Any, display: Any) -> None:
    ack = display.emit("clock", {"t": 12.5}, namespace="/display", callback=True)
    assert ack["ok"] and ack["t"] == 12.5
    assert abs(ack["server_time"] - app.extensions["liveshow"].engine.clock()) < 5


def test_password_guessing_over_the_socket_is_throttled_too(app: Any) -> None:
    for i in range(10):
        c = socketio.test_client(app, namespace="/crew", auth={"password": f"guess{i}"})
        assert not c.is_connected("/crew")
    right = socketio.test_client(app, namespace="/crew", auth={"password": CREW_PASSWORD})
    assert not right.is_connected("/crew")  # locked for a minute, like the form


def test_a_dashboard_without_a_session_does_not_lock_the_crew_out(app: Any) -> None:
    for _ in range(20):
        assert not socketio.test_client(app, namespace="/crew").is_connected("/crew")
    assert socketio.test_client(
        app, namespace="/crew", auth={"password": CREW_PASSWORD}
    ).is_connected("/crew")
