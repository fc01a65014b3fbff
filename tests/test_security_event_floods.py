"""M4 and the systematic part: events from one client are rate-limited on every namespace,
and a flood of display reports is coalesced into a few crew updates (each rebuilt the whole
crew state and broadcast it)."""

from __future__ import annotations

from pathlib import Path

from tests.helpers.crew import Crew
from tests.helpers.server import ServerProcess
from tests.helpers.sockets import Display

FLOOD = 600


def test_a_flood_of_display_reports_is_limited_and_coalesced(
    prompt_server: ServerProcess, prompt_crew: Crew, tmp_path: Path
) -> None:
    display = Display(prompt_server)
    try:
        prompt_crew.wait_for(
            "state", lambda s: any(d["name"] == "main" for d in s["displays"]), what="display"
        )
        before = len(prompt_crew.events("state"))
        acks = [display.call("status", {"showing": f"clip-{i}", "rev": i}) for i in range(FLOOD)]
        refused = [a for a in acks if not a["ok"]]
        assert refused and all(a.get("retry") for a in refused), acks[-1]
        last = max(i for i, a in enumerate(acks) if a["ok"])
        prompt_crew.wait_for(
            "state",
            lambda s: any(d["showing"] == f"clip-{last}" for d in s["displays"]),
            what="the display's last accepted report",
        )
        told = len(prompt_crew.events("state")) - before
        assert told <= 40, f"{told} crew states for {FLOOD} display reports"
        assert prompt_server.state()["rev"] >= 0
    finally:
        display.close()


def test_every_namespace_limits_events_per_connection(
    prompt_server: ServerProcess, prompt_crew: Crew
) -> None:
    display = Display(prompt_server)
    try:
        acks = [display.call("clock", {"t": i}) for i in range(FLOOD)]
        assert any(not a["ok"] and a.get("retry") for a in acks)
        assert acks[0]["ok"]
    finally:
        display.close()
