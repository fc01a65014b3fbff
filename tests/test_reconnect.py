"""A real `liveshow serve` process and python-socketio displays: a GO reaches every display
with the same rev, and a display that reconnects is brought up to date."""

from __future__ import annotations

from tests.helpers.crew import Crew
from tests.helpers.server import ServerProcess
from tests.helpers.sockets import Display, cue_is


def test_a_go_reaches_two_displays_with_the_same_rev(server: ServerProcess) -> None:
    main, confidence, desk = Display(server, "main"), Display(server, "confidence"), Crew(server)
    try:
        ack = desk.call("go")
        assert ack == {"ok": True, "cue": "welcome"}
        a = main.wait_state(cue_is("welcome"))
        b = confidence.wait_state(cue_is("welcome"))
        assert a["rev"] == b["rev"] == server.state()["rev"]
        shown = desk.wait_state(lambda s: len(s["displays"]) == 2)
        assert sorted(d["name"] for d in shown["displays"]) == ["confidence", "main"]
    finally:
        for w in (main, confidence, desk):
            w.close()


def test_a_display_that_reconnects_gets_the_current_state(server: ServerProcess) -> None:
    desk = Crew(server)
    first = Display(server, "main")
    desk.call("go")
    seen = first.wait_state(cue_is("welcome"))["rev"]
    first.close()
    desk.call("goto", {"cue": "harbour"})
    desk.call("blackout", {"on": True})
    again = Display(server, "main", rev=seen)
    try:
        state = again.wait_state(lambda s: s["rev"] > seen)
        assert state["cue"]["id"] == "harbour" and state["blackout"] is True
        assert state["rev"] == server.state()["rev"]
        assert state["cue"]["media"]["url"].startswith("/media/")
    finally:
        again.close()
        desk.close()
