"""How long a camera has been recording, on the dashboard's camera card: the take's age comes
from the agent (its status's ``recording_for``, a duration by its monotonic clock), so a
server restart or a reconnect mid-take does not restart the card's clock from zero. A bad
``recording_for`` (NaN, negative, a string, more than a day) refuses the whole status and
changes nothing; an older agent that sends none still gets its take dated by the server."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import CAMERA_KEY
from tests.helpers.agent import start_agent, stop_agent
from tests.helpers.crew import Crew
from tests.helpers.raw import RawSocket
from tests.helpers.server import ServerProcess
from tests.helpers.shows import CAMERA_SHOW, write_show

RECORDED = 4.0  # seconds of the take, by the server's own stamps, before the restart
# A clock restarted with the server would start after the restart, RECORDED s or more past
# the take's start: half of that tells the two apart, whatever the statuses' trips took.
TOLERANCE = RECORDED / 2


@pytest.fixture(scope="module")
def raw_srv(
    module_server_factory: Callable[..., ServerProcess], tmp_path_factory: pytest.TempPathFactory
) -> ServerProcess:
    """One server for the raw-socket tests (each uses a camera name of its own)."""
    return module_server_factory(  # type: ignore[no-any-return]
        write_show(tmp_path_factory.mktemp("show"), CAMERA_SHOW),
        extra_env={"LIVESHOW_CAMERA_KEY": CAMERA_KEY},
    )


def recording(crew: Crew) -> dict[str, Any] | None:
    """The newest status of cam1 if it is connected and recording."""
    now = crew.camera_status()
    return now if now.get("recording") and now.get("state") != "disconnected" else None


def test_a_takes_recording_clock_survives_a_server_restart_mid_take(
    camera_server: ServerProcess, crew_of: Callable[[ServerProcess], Crew], tmp_path: Path
) -> None:
    srv = camera_server
    agent = start_agent(srv, tmp_path)
    try:
        crew = crew_of(srv)
        crew.wait(
            lambda: (crew.camera_status().get("fps") or 0) > 0, 30, "the camera to send pictures"
        )
        started = crew.camera("record")
        assert started["ok"], started
        began = crew.wait(lambda: recording(crew), 10, "the take to record")["recording_since"]
        assert isinstance(began, float)
        crew.wait(
            lambda: (now := recording(crew)) and now["updated_at"] - began >= RECORDED,
            30,
            f"{RECORDED} s of the take",
        )
        crew.close()

        # The server restarts: the agent reconnects mid-take and reports it again.
        srv.stop()
        srv.start()
        again = crew_of(srv)
        back = again.wait(lambda: recording(again), 60, "the agent back, still recording")
        assert back["recording_since"] is not None
        assert abs(back["recording_since"] - began) < TOLERANCE, (
            "the take's clock restarted with the server",
            began,
            back,
        )
        assert back["updated_at"] - back["recording_since"] >= RECORDED, back
        # the same take went on recording all along
        stopped = again.camera("stop")
        assert stopped["ok"] and stopped["take"] == started["take"], (started, stopped)
        again.wait(lambda: again.camera_status().get("recording") is False, 10, "the take to stop")
        assert again.camera_status()["recording_since"] is None
    finally:
        stop_agent(agent)


BAD_RECORDING_FOR = [
    "NaN",
    "Infinity",
    "-Infinity",
    "-1",
    "-0.5",
    '"12"',
    "true",
    "[3]",
    "86401",
    "1e300",
    "1" + "0" * 400,  # an int too big for a float
]


def test_a_bad_recording_for_is_refused_and_changes_nothing(
    raw_srv: ServerProcess, crew_of: Callable[[ServerProcess], Crew]
) -> None:
    """Sent as raw frames (tests/helpers/raw.py): a client in this process could turn a NaN
    into null before it left."""
    crew = crew_of(raw_srv)
    camera = RawSocket(raw_srv, "/camera", {"key": CAMERA_KEY, "camera": "cam1"})
    try:
        good = '["status", {"state": "live", "recording": true, "recording_for": 90.5, "fps": 25}]'
        assert camera.call_raw(0, good)[0]["ok"]
        before = crew.wait(
            lambda: (s := crew.camera_status()).get("recording") and s, 10, "the take"
        )
        assert before["recording_since"] == pytest.approx(before["updated_at"] - 90.5, abs=1e-6)

        for n, value in enumerate(BAD_RECORDING_FOR, start=1):
            bad = (
                '["status", {"state": "lost", "recording": true, "fps": 3, "dropped": 7, '
                f'"problem": "changed", "recording_for": {value}}}]'
            )
            ack = camera.call_raw(n, bad)[0]
            assert not ack["ok"] and "recording_for" in ack["error"], (value, ack)

        # a good status that changes nothing itself: the crew sees what the camera holds
        assert camera.call_raw(99, '["status", {"background_period": 0}]')[0]["ok"]
        after = crew.wait(
            lambda: (s := crew.camera_status())["updated_at"] > before["updated_at"] and s, 10, "it"
        )
        for field in ("state", "recording", "fps", "dropped", "problem", "recording_since"):
            assert after[field] == before[field], (field, before, after)
    finally:
        camera.close()


def test_an_agent_that_sends_no_recording_for_gets_its_take_dated_by_the_server(
    raw_srv: ServerProcess, crew_of: Callable[[ServerProcess], Crew]
) -> None:
    """An older agent: the take is dated from its first recording status, kept while it
    records (a null ``recording_for`` too), and cleared when it stops."""
    crew = crew_of(raw_srv)
    camera = RawSocket(raw_srv, "/camera", {"key": CAMERA_KEY, "camera": "cam2"})
    try:

        def sent(ack_id: int, fields: str) -> dict[str, Any]:
            assert camera.call_raw(ack_id, f'["status", {{{fields}}}]')[0]["ok"]
            return crew.wait(  # type: ignore[no-any-return]
                lambda: (s := crew.camera_status("cam2")).get("dropped") == ack_id and s,
                10,
                f"status {ack_id}",
            )

        first = sent(1, '"recording": true, "dropped": 1')
        assert first["recording_since"] == first["updated_at"]
        later = sent(2, '"recording": true, "recording_for": null, "dropped": 2')
        assert later["updated_at"] > first["updated_at"]
        assert later["recording_since"] == first["recording_since"]
        assert sent(3, '"recording": false, "dropped": 3')["recording_since"] is None
    finally:
        camera.close()
